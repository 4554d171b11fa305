/**
 * Sandbox and workflow helpers shared by the benchmarks that run the real node through n8n-core.
 * Every request goes to a sandbox on 127.0.0.1; nothing here reaches the network.
 */
import { request } from 'node:http';

import type { IDataObject, INode, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { Sandbox } from '../sandbox/server';
import { CREDENTIAL_ID, Harness } from '../harness/harness';
import type { WorkflowRunResult } from '../harness/harness';
import { KWIKID, kwikIdWorkflow, pinned } from '../harness/workflows';
import type { Deadline } from './lib';

export function harnessFor(sandbox: Sandbox): Harness {
	return new Harness().addKwikIdCredential({
		domain: sandbox.url,
		environment: 'test',
		username: sandbox.username,
		password: sandbox.password,
	});
}

/** The token n8n stored in the credential (empty before the first request). */
export function storedToken(harness: Harness): string {
	const token = harness.store.get(CREDENTIAL_ID).data.token;
	return typeof token === 'string' ? token : '';
}

export function createSessions(sandbox: Sandbox, count: number): string[] {
	return Array.from({ length: count }, (_, index) => sandbox.createSession({ user_id: `bench-${index}` }).session_id);
}

const GET_SESSION = { resource: 'session', operation: 'get', sessionId: '={{ $json.sessionId }}', simplify: true };

/** Manual Trigger -> KwikID Get Session, one item per session id. */
export async function runGetSession(harness: Harness, sessionIds: readonly string[]): Promise<INodeExecutionData[]> {
	const result = await harness.run(kwikIdWorkflow(GET_SESSION), {
		pinData: pinned(sessionIds.map((sessionId) => ({ sessionId }))),
	});
	return outputOrThrow(result, sessionIds.length);
}

const SEND_LINK = {
	resource: 'session',
	operation: 'sendLink',
	userId: '={{ $json.userId }}',
	phoneNumber: '={{ $json.phone }}',
	sendNotification: false,
	linkType: 'free',
};

/**
 * Manual Trigger -> KwikID Send Link with Continue On Fail, so failed items are counted, not
 * fatal. `options` goes into the node's Options (e.g. maxConcurrency).
 */
export async function runSendLink(
	harness: Harness,
	count: number,
	options: INodeParameters = {},
): Promise<INodeExecutionData[]> {
	const node: Partial<INode> = { onError: 'continueRegularOutput' };
	const leads: IDataObject[] = Array.from({ length: count }, (_, index) => ({
		userId: `LEAD-${index}`,
		phone: `98${String(index).padStart(8, '0')}`,
	}));
	const result = await harness.run(kwikIdWorkflow({ ...SEND_LINK, options }, node), { pinData: pinned(leads) });
	return outputOrThrow(result, count);
}

function outputOrThrow(result: WorkflowRunResult, expected: number): INodeExecutionData[] {
	if (result.error) throw new Error(`workflow failed: ${result.error.message}`);
	const output = result.output(KWIKID);
	if (output.length !== expected) throw new Error(`expected ${expected} output items, got ${output.length}`);
	return output;
}

/** Items of a Continue On Fail run that carry an error. */
export function failedItems(items: readonly INodeExecutionData[]): number {
	return items.filter((item) => item.json.error !== undefined).length;
}

/**
 * The baseline client: the same GET get_details calls, one after another, with Node's own
 * fetch and the token n8n stored. No engine, no node, no credential machinery.
 */
export async function fetchLoop(
	sandbox: Sandbox,
	token: string,
	sessionIds: readonly string[],
	deadline: Deadline,
): Promise<void> {
	if (token === '') throw new Error('no token: run the workflow once before the fetch baseline');
	for (const id of sessionIds) {
		deadline.check();
		const response = await fetch(`${sandbox.url}/agentapi/v1/session/get_details/${encodeURIComponent(id)}`, {
			headers: { auth: token, accept: 'application/json' },
			signal: AbortSignal.timeout(10_000),
		});
		const body: unknown = await response.json();
		if (response.status !== 200 || typeof body !== 'object' || body === null) {
			throw new Error(`fetch baseline: get_details answered ${response.status}`);
		}
	}
}

/**
 * The same loop with a new TCP connection per request (`agent: false`), as n8n-core's HTTP
 * helper opens one per request: separates the cost of connecting from the engine's and node's.
 */
export async function newConnectionLoop(
	sandbox: Sandbox,
	token: string,
	sessionIds: readonly string[],
	deadline: Deadline,
): Promise<void> {
	if (token === '') throw new Error('no token: run the workflow once before the baseline');
	for (const id of sessionIds) {
		deadline.check();
		const status = await new Promise<number>((resolve, reject) => {
			const req = request(
				`${sandbox.url}/agentapi/v1/session/get_details/${encodeURIComponent(id)}`,
				{ agent: false, headers: { auth: token, accept: 'application/json' }, timeout: 10_000 },
				(res) => {
					const chunks: Buffer[] = [];
					res.on('data', (chunk: Buffer) => chunks.push(chunk));
					res.on('end', () => {
						JSON.parse(Buffer.concat(chunks).toString('utf8'));
						resolve(res.statusCode ?? 0);
					});
					res.on('error', reject);
				},
			);
			req.on('timeout', () => req.destroy(new Error('baseline request timed out')));
			req.on('error', reject);
			req.end();
		});
		if (status !== 200) throw new Error(`new-connection baseline: get_details answered ${status}`);
	}
}
