/**
 * Session tests (Send Link, Get Session): one sandbox per test file, reached through a small
 * recording pass-through proxy, and a harness whose KwikID credential points at the proxy.
 *
 * Why a proxy: the sandbox keeps what a session needs (user, phone, extras, link type) but not
 * `send_notification`, and some tests must see that no request at all left the node. The Push
 * DKYC helper's proxy records push_user_data only and is not exported, so this one records
 * every request. It keeps the Host header, so links and media URLs the sandbox builds point
 * back at the proxy (the host the credential names), as they would on a real install.
 */
import type { IncomingHttpHeaders, Server } from 'node:http';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Container } from '@n8n/di';
import { BinaryDataService } from 'n8n-core';
import type { IBinaryData, IDataObject, INode, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { Sandbox } from '../../sandbox/server';
import { createSandbox } from '../../sandbox/server';
import { CREDENTIAL_ID, Harness, type WorkflowJson, type WorkflowRunResult } from '../harness/harness';
import { kwikIdWorkflow } from '../support/kwikid';

export { KWIKID, TRIGGER, pinned } from '../support/kwikid';

export const SEND_LINK_PATH = '/agentapi/v1/agent/sendLink/';
export const GET_DETAILS_PATH = '/agentapi/v1/session/get_details/';

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
	/** Only for a request this accepts (e.g. one item's body); default: the next on the path. */
	when?: (request: RecordedRequest) => boolean;
}

export interface SessionEnv {
	sandbox: Sandbox;
	harness: Harness;
	/** Every request that reached the proxy since the last reset, in order. */
	requests: RecordedRequest[];
	/**
	 * Answers the sandbox cannot give, such as an error body that echoes personal data: used once
	 * each, in order. The request is still recorded, but the sandbox never sees it.
	 */
	canned: CannedAnswer[];
	/** Base URL the credential uses (the proxy). */
	url: string;
	/** Bodies of the sendLink requests, as the node sent them. */
	sendLinkBodies(): IDataObject[];
	/** The token the credential holds right now (for "never in an error" checks). */
	token(): string;
	close(): Promise<void>;
}

export interface SessionEnvOptions {
	/**
	 * Send the sandbox's own host instead of the client's, so the media URLs it builds point at
	 * a different origin than the credential's: "media on another host".
	 */
	foreignMediaHost?: boolean;
}

async function recordingProxy(
	target: string,
	requests: RecordedRequest[],
	canned: CannedAnswer[],
	options: SessionEnvOptions,
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
				res.writeHead(answer.status, { 'Content-Type': type });
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

export async function startSessionEnv(options: SessionEnvOptions = {}): Promise<SessionEnv> {
	const sandbox = await createSandbox();
	const requests: RecordedRequest[] = [];
	const canned: CannedAnswer[] = [];
	const proxy = await recordingProxy(sandbox.url, requests, canned, options);
	const { port } = proxy.address() as AddressInfo;
	const url = `http://127.0.0.1:${port}`;
	const harness = new Harness().addKwikIdCredential({
		domain: url,
		environment: 'test',
		username: sandbox.username,
		password: sandbox.password,
	});
	return {
		sandbox,
		harness,
		requests,
		canned,
		url,
		sendLinkBodies: () =>
			requests.filter((request) => request.path === SEND_LINK_PATH).map((request) => request.body as IDataObject),
		token: () => String(harness.store.get(CREDENTIAL_ID).data.token ?? ''),
		close: async () => {
			await new Promise<void>((resolve) => {
				proxy.close(() => resolve());
				proxy.closeAllConnections();
			});
			await sandbox.close();
		},
	};
}

/**
 * One environment per test file, reset before each test (no sessions, no faults, zero
 * counters, nothing recorded or canned). The credential keeps its token between tests, as n8n
 * would.
 */
export function useSessionEnv(options: SessionEnvOptions = {}): SessionEnv {
	const env = {} as SessionEnv;
	beforeAll(async () => {
		Object.assign(env, await startSessionEnv(options));
	});
	afterAll(async () => env.close());
	beforeEach(() => {
		env.sandbox.reset();
		env.requests.length = 0;
		env.canned.length = 0;
	});
	return env;
}

/** Send Link as a user sets it up; the Link Type default ("free") applies unless given. */
export function sendLinkWorkflow(parameters: INodeParameters, node: Partial<INode> = {}): WorkflowJson {
	return kwikIdWorkflow({ resource: 'session', operation: 'sendLink', ...parameters }, node);
}

export function getSessionWorkflow(parameters: INodeParameters, node: Partial<INode> = {}): WorkflowJson {
	return kwikIdWorkflow({ resource: 'session', operation: 'get', ...parameters }, node);
}

/** Extras as the n8n editor saves a fixedCollection with multiple values. */
export function extras(pairs: Array<[string, string]>): INodeParameters {
	return { extra: pairs.map(([key, value]) => ({ key, value })) };
}

/** The error that stopped a run, with the fields a user sees in the editor. */
export interface RunError {
	message: string;
	description?: string | null;
	context: IDataObject;
}

export function stopError(run: WorkflowRunResult): RunError {
	if (!run.error) throw new Error('Expected the run to stop with an error, but it succeeded');
	return run.error as unknown as RunError;
}

/** Message and description joined: what a user reads. */
export function readable(error: RunError): string {
	return `${error.message}\n${error.description ?? ''}`;
}

export function jsonOf(items: INodeExecutionData[]): IDataObject[] {
	return items.map((item) => item.json);
}

/** The bytes of a binary property, wherever n8n stored them (the harness uses the file system). */
export async function binaryBytes(binary: IBinaryData): Promise<Buffer> {
	return await Container.get(BinaryDataService).getAsBuffer(binary);
}
