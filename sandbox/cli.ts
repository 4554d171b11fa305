/**
 * `npm run sandbox`: the sandbox on a fixed port, so an n8n credential can point at it.
 *
 *   --port 8765 (or env KWIKID_SANDBOX_PORT)   --host 127.0.0.1
 *   --username sandbox --password sandbox1234  --token-ttl 43200 (seconds)
 *   --auto-progress 60000:approve              (every new session reaches a result after 60 s)
 *   --log-limit 100                            (API requests kept in GET /__sandbox/requests)
 *   --paths bank                               (bank-hosted paths: /v1/... with no /agentapi, /appapi)
 */
import { parseArgs } from 'node:util';

import { createSandbox, type ApiPathMode, type AutoProgress } from './server';

const DEFAULT_PORT = 8765;

function fail(message: string): never {
	process.stderr.write(`kwikid-sandbox: ${message}\n`);
	process.exit(2);
}

function parseAutoProgress(text: string): AutoProgress {
	const match = /^([0-9]+):(approve|reject)$/.exec(text);
	if (!match) fail(`--auto-progress wants <ms>:approve|reject, e.g. 60000:approve (got "${text}")`);
	return { afterMs: Number(match[1]), outcome: match[2] === 'approve' ? 'approve' : 'reject' };
}

function parsePort(text: string, from: string): number {
	const port = Number(text);
	if (!/^[0-9]+$/.test(text) || port > 65535) fail(`${from} must be a port number (got "${text}")`);
	return port;
}

async function main(): Promise<void> {
	const { values } = parseArgs({
		options: {
			port: { type: 'string' },
			host: { type: 'string' },
			username: { type: 'string' },
			password: { type: 'string' },
			'token-ttl': { type: 'string' },
			'auto-progress': { type: 'string' },
			'log-limit': { type: 'string' },
			paths: { type: 'string' },
			help: { type: 'boolean', short: 'h' },
		},
	});
	if (values.help) {
		process.stdout.write(
			'Usage: npm run sandbox -- [--port 8765] [--host 127.0.0.1] [--username sandbox] [--password sandbox1234]\n' +
				'                         [--token-ttl 43200] [--auto-progress 60000:approve] [--log-limit 100]\n' +
				'                         [--paths standard|bank]\n',
		);
		return;
	}
	const envPort = process.env.KWIKID_SANDBOX_PORT;
	const port = values.port
		? parsePort(values.port, '--port')
		: envPort
			? parsePort(envPort, 'KWIKID_SANDBOX_PORT')
			: DEFAULT_PORT;
	const ttl = values['token-ttl'];
	const tokenTtlSec = ttl === undefined ? undefined : Number(ttl);
	if (tokenTtlSec !== undefined && !(tokenTtlSec > 0)) fail(`--token-ttl must be a number of seconds > 0 (got "${ttl}")`);
	const autoProgress = values['auto-progress'] ? parseAutoProgress(values['auto-progress']) : null;
	const limitText = values['log-limit'];
	const logLimit = limitText === undefined ? undefined : Number(limitText);
	if (logLimit !== undefined && !(Number.isInteger(logLimit) && logLimit > 0)) {
		fail(`--log-limit must be a whole number of requests > 0 (got "${limitText}")`);
	}

	const pathsText = values.paths ?? 'standard';
	if (pathsText !== 'standard' && pathsText !== 'bank') fail(`--paths wants standard or bank (got "${pathsText}")`);
	const paths: ApiPathMode = pathsText;

	const sandbox = await createSandbox({
		port,
		host: values.host ?? '127.0.0.1',
		username: values.username,
		password: values.password,
		tokenTtlSec,
		autoProgress,
		logLimit,
		paths,
	}).catch((error: unknown) => {
		const code = error instanceof Error && 'code' in error ? String(error.code) : '';
		if (code === 'EADDRINUSE') fail(`port ${port} is in use; pick another with --port or KWIKID_SANDBOX_PORT`);
		return fail(error instanceof Error ? error.message : String(error));
	});

	const c = `${sandbox.url}/__sandbox`;
	process.stdout.write(
		[
			`KwikID sandbox listening on ${sandbox.url}`,
			'',
			`  Base URL (credential):  ${sandbox.url}`,
			paths === 'bank'
				? '  API paths:              bank-hosted: /v1/agent/generate_token... (credential: Custom API Paths on, both prefixes empty)'
				: '  API paths:              standard: /agentapi/v1/..., /appapi/v1/...',
			`  Username / password:    ${sandbox.username} / ${sandbox.password}`,
			`  Token lifetime:         ${tokenTtlSec ?? 43200} s`,
			`  Auto-progress:          ${autoProgress ? `${autoProgress.afterMs} ms -> ${autoProgress.outcome}` : 'off (move sessions from the console)'}`,
			'',
			`Console (open in a browser on this machine):  ${c}/console`,
			'  sessions (approve, reject, expire...), faults and the request log; Send Link\'s link_url opens',
			'  a customer page on this sandbox too.',
			'',
			'Control endpoint (no auth, loopback only):',
			`  curl ${c}/                                   list control routes`,
			`  curl ${c}/sessions                           list sessions`,
			`  curl -X POST ${c}/sessions/<id>/status -d '{"status":"kyc_result_approved"}'`,
			`  curl -X POST ${c}/faults -d '{"burst429":{"count":3}}'     (DELETE ${c}/faults clears)`,
			`  curl ${c}/stats                              request counters`,
			'',
			'Ctrl+C to stop.',
			'',
		].join('\n'),
	);

	const stop = (): void => {
		void sandbox.close().then(() => process.exit(0));
	};
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
}

void main();
