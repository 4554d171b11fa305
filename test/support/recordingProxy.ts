/**
 * A small recording pass-through proxy between the harness and the sandbox, for tests that must
 * see the exact request the node sent (the sandbox keeps only what a session needs), prove that
 * no request left the node, or get an answer the sandbox cannot give (an error body that echoes
 * personal data, the API's own 400 field lists). It keeps the Host header, so links and media
 * URLs the sandbox builds point back at the proxy, the host the credential names.
 */
import type { IncomingHttpHeaders, Server } from 'node:http';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
	method: string;
	path: string;
	headers: IncomingHttpHeaders;
	/** JSON bodies parsed; undefined when there was none. */
	body: unknown;
}

/** An answer the proxy gives instead of the sandbox, for the next request whose path starts with `path`. */
export interface CannedAnswer {
	path: string;
	status: number;
	/** Sent as JSON unless it is a string. */
	body: unknown;
	/** Extra answer headers, e.g. Location for a redirect, Content-Disposition for a file. */
	headers?: Record<string, string>;
	/** Only for a request this accepts (e.g. one item's body); default: the next on the path. */
	when?: (request: RecordedRequest) => boolean;
}

export interface RecordingProxyOptions {
	/**
	 * Send the sandbox's own host instead of the client's, so the media URLs it builds point at
	 * a different origin than the credential's: "media on another host".
	 */
	foreignMediaHost?: boolean;
}

async function listen(
	target: string,
	requests: RecordedRequest[],
	canned: CannedAnswer[],
	options: RecordingProxyOptions,
): Promise<Server> {
	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const body = Buffer.concat(chunks);
			const path = req.url ?? '/';
			let parsed: unknown;
			if (body.length) {
				try {
					parsed = JSON.parse(body.toString('utf8')) as unknown;
				} catch {
					parsed = body.toString('utf8');
				}
			}
			const recorded: RecordedRequest = { method: req.method ?? 'GET', path, headers: { ...req.headers }, body: parsed };
			requests.push(recorded);
			const cannedIndex = canned.findIndex(
				(answer) => path.startsWith(answer.path) && (answer.when === undefined || answer.when(recorded)),
			);
			if (cannedIndex !== -1) {
				const [answer] = canned.splice(cannedIndex, 1);
				const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
				const type = typeof answer.body === 'string' ? 'text/html; charset=utf-8' : 'application/json';
				res.writeHead(answer.status, { 'Content-Type': type, ...answer.headers });
				res.end(text);
				return;
			}
			const headers = options.foreignMediaHost ? { ...req.headers, host: new URL(target).host } : req.headers;
			const upstream = httpRequest(`${target}${path}`, { method: req.method, headers }, (answer) => {
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			});
			// A dropped upstream socket (sandbox `drop` fault) drops the client's too.
			upstream.on('error', () => res.destroy());
			upstream.end(body);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return server;
}

export interface RecordingProxy {
	/** Base URL to give the credential. */
	url: string;
	/** Every request that reached the proxy, in order (clear it with `requests.length = 0`). */
	requests: RecordedRequest[];
	/** Answers given instead of the sandbox's: used once each, in order. */
	canned: CannedAnswer[];
	close(): Promise<void>;
}

export async function startRecordingProxy(target: string, options: RecordingProxyOptions = {}): Promise<RecordingProxy> {
	const requests: RecordedRequest[] = [];
	const canned: CannedAnswer[] = [];
	const server = await listen(target, requests, canned, options);
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		canned,
		close: async () => {
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
		},
	};
}
