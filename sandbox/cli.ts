/**
 * `npm run sandbox`: the sandbox on a fixed port, so an n8n credential can point at it.
 *
 *   --port 8765 (or env KWIKID_SANDBOX_PORT)   --host 127.0.0.1
 *   --username sandbox --password sandbox1234  --token-ttl 43200 (seconds)
 *   --auto-progress 60000:approve              (every new session reaches a result after 60 s)
 *   --auto-progress 60000:approve,checker-reject[@30000]   (then the checker rejects, 60 s or @ms later)
 *   --shape live|reference                     (get_details' shape; default live)
 *   --checker-step on|off                      (audit fields and the checker; default on in the live shape)
 *   --webhook URL [--webhook-header 'Authorization: Bearer x'] [--webhook-events 'Checker Rejected,...']
 *                 [--webhook-shape flat|nested|dashboard|form|text|rotate]   (repeatable; options after a
 *                 --webhook apply to it, before the first one to all)
 *   --webhook-retry-ms 1000 --webhook-attempts 5   (backoff base and attempts of failed deliveries)
 *   --log-limit 100                            (API requests kept in GET /__sandbox/requests)
 *   --paths bank                               (bank-hosted paths: /v1/... with no /agentapi, /appapi)
 */
import { parseArgs } from 'node:util';

import { CliOptionError, describeAutoProgress, parseAutoProgress, webhooksFromOptions, type OptionToken } from './cliOptions';
import { createSandbox, type ApiPathMode, type Shape, type WebhookInput } from './server';
import { urlWithoutQuery } from './webhooks';

const DEFAULT_PORT = 8765;

function fail(message: string): never {
	process.stderr.write(`kwikid-sandbox: ${message}\n`);
	process.exit(2);
}

function parsePort(text: string, from: string): number {
	const port = Number(text);
	if (!/^[0-9]+$/.test(text) || port > 65535) fail(`${from} must be a port number (got "${text}")`);
	return port;
}

async function main(): Promise<void> {
	const { values, tokens } = parseArgs({
		tokens: true,
		options: {
			webhook: { type: 'string', multiple: true },
			'webhook-header': { type: 'string', multiple: true },
			'webhook-events': { type: 'string', multiple: true },
			'webhook-shape': { type: 'string', multiple: true },
			'webhook-retry-ms': { type: 'string' },
			'webhook-attempts': { type: 'string' },
			port: { type: 'string' },
			host: { type: 'string' },
			username: { type: 'string' },
			password: { type: 'string' },
			'token-ttl': { type: 'string' },
			'auto-progress': { type: 'string' },
			'log-limit': { type: 'string' },
			paths: { type: 'string' },
			shape: { type: 'string' },
			'checker-step': { type: 'string' },
			help: { type: 'boolean', short: 'h' },
		},
	});
	if (values.help) {
		process.stdout.write(
			'Usage: npm run sandbox -- [--port 8765] [--host 127.0.0.1] [--username sandbox] [--password sandbox1234]\n' +
				'                         [--token-ttl 43200] [--auto-progress 60000:approve[,checker-reject[@30000]]] [--log-limit 100]\n' +
				'                         [--shape live|reference] [--checker-step on|off]\n' +
				"                         [--webhook URL [--webhook-header 'Name: value'] [--webhook-events 'Maker Approved,...']\n" +
				'                                        [--webhook-shape flat|nested|dashboard|form|text|rotate]]...\n' +
				'                         [--webhook-retry-ms 1000] [--webhook-attempts 5]\n' +
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
	let autoProgress = null;
	let webhooks: WebhookInput[] = [];
	try {
		autoProgress = values['auto-progress'] ? parseAutoProgress(values['auto-progress']) : null;
		const optionTokens: OptionToken[] = [];
		for (const token of tokens) if (token.kind === 'option') optionTokens.push({ name: token.name, value: token.value });
		webhooks = webhooksFromOptions(optionTokens);
	} catch (error) {
		if (error instanceof CliOptionError) fail(error.message);
		throw error;
	}
	const retryMs = values['webhook-retry-ms'] === undefined ? undefined : Number(values['webhook-retry-ms']);
	if (retryMs !== undefined && !(retryMs >= 0)) fail(`--webhook-retry-ms must be a number of ms >= 0 (got "${values['webhook-retry-ms']}")`);
	const attempts = values['webhook-attempts'] === undefined ? undefined : Number(values['webhook-attempts']);
	if (attempts !== undefined && !(Number.isInteger(attempts) && attempts >= 1)) {
		fail(`--webhook-attempts must be a whole number >= 1 (got "${values['webhook-attempts']}")`);
	}
	const limitText = values['log-limit'];
	const logLimit = limitText === undefined ? undefined : Number(limitText);
	if (logLimit !== undefined && !(Number.isInteger(logLimit) && logLimit > 0)) {
		fail(`--log-limit must be a whole number of requests > 0 (got "${limitText}")`);
	}

	const pathsText = values.paths ?? 'standard';
	if (pathsText !== 'standard' && pathsText !== 'bank') fail(`--paths wants standard or bank (got "${pathsText}")`);
	const paths: ApiPathMode = pathsText;

	const shapeText = values.shape;
	if (shapeText !== undefined && shapeText !== 'live' && shapeText !== 'reference') {
		fail(`--shape must be live or reference (got "${shapeText}")`);
	}
	const shape: Shape | undefined = shapeText;
	const stepText = values['checker-step'];
	if (stepText !== undefined && stepText !== 'on' && stepText !== 'off') fail(`--checker-step must be on or off (got "${stepText}")`);
	const checkerStep = stepText === undefined ? undefined : stepText === 'on';

	const sandbox = await createSandbox({
		shape,
		checkerStep,
		webhooks,
		webhookRetry: { baseMs: retryMs, attempts },
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
			`  Auto-progress:          ${describeAutoProgress(autoProgress)}`,
			`  Answer shape:           ${sandbox.getShape().shape}, checker step ${sandbox.getShape().checkerStep ? 'on' : 'off'}`,
			...(webhooks.length === 0
				? ['  Webhooks:               none (add with --webhook URL or from the console)']
				: sandbox.listWebhooks().map((w) => `  Webhook ${w.id}:${' '.repeat(Math.max(1, 15 - w.id.length))}${urlWithoutQuery(w.url)} (${w.shape}; ${w.events.join(', ')}${Object.keys(w.headers).length ? `; headers ${Object.keys(w.headers).join(', ')}` : ''})`)),
			'',
			`Console (open in a browser on this machine):  ${c}/console`,
			'  sessions (approve, reject, expire...), faults and the request log; Send Link\'s link_url opens',
			'  a customer page on this sandbox too.',
			'',
			'Control endpoint (no auth, loopback only):',
			`  curl ${c}/                                   list control routes`,
			`  curl ${c}/sessions                           list sessions`,
			`  curl -X POST ${c}/sessions/<id>/status -d '{"status":"kyc_result_approved"}'`,
			`  curl -X POST ${c}/sessions/<id>/checker -d '{"decision":"reject","reason":"Audio not available"}'`,
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
