/**
 * Session tests (Send Link, Get Session): one sandbox per test file, reached through a small
 * recording pass-through proxy, and a harness whose KwikID credential points at the proxy.
 *
 * Why a proxy: the sandbox keeps what a session needs (user, phone, extras, link type) but not
 * `send_notification`, and some tests must see that no request at all left the node.
 */
import { Container } from '@n8n/di';
import { BinaryDataService } from 'n8n-core';
import type { IBinaryData, IDataObject, INode, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { Sandbox } from '../../sandbox/server';
import { createSandbox, type SandboxOptions } from '../../sandbox/server';
import { CREDENTIAL_ID, Harness, type WorkflowJson, type WorkflowRunResult } from '../../harness/harness';
import { kwikIdWorkflow } from '../../harness/workflows';
import type { CannedAnswer, RecordedRequest, RecordingProxyOptions } from '../support/recordingProxy';
import { startRecordingProxy } from '../support/recordingProxy';

export type { CannedAnswer, RecordedRequest } from '../support/recordingProxy';
/** `sandbox`: options for the sandbox behind the proxy (e.g. the reference shape). */
export type SessionEnvOptions = RecordingProxyOptions & { sandbox?: SandboxOptions };

export { KWIKID, TRIGGER, pinned } from '../../harness/workflows';

export const SEND_LINK_PATH = '/agentapi/v1/agent/sendLink/';
export const GET_DETAILS_PATH = '/agentapi/v1/session/get_details/';

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

export async function startSessionEnv(options: SessionEnvOptions = {}): Promise<SessionEnv> {
	const { sandbox: sandboxOptions, ...proxyOptions } = options;
	const sandbox = await createSandbox(sandboxOptions);
	const proxy = await startRecordingProxy(sandbox.url, proxyOptions);
	const harness = new Harness().addKwikIdCredential({
		domain: proxy.url,
		environment: 'test',
		username: sandbox.username,
		password: sandbox.password,
	});
	const { requests, canned, url } = proxy;
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
			await proxy.close();
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
