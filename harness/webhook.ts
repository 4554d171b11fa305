/**
 * Serves a webhook trigger over real HTTP the way n8n does, on n8n-core's own WebhookContext.
 *
 * What it mirrors (n8n 1.123 / 2.41 packages/cli: abstract-server's rawBodyReader, the body
 * parser, webhook-helpers' executeWebhook and WebhookService.runWebhook):
 * - the raw body is read (n8n's limit, 16 MB) and kept as `req.rawBody`; `req.contentType` and
 *   the encoding come from the content type (UTF-8 here); for a version-1 node the body is then parsed by
 *   content type (JSON, form, text/plain as a string); JSON that does not parse is answered 422
 *   by n8n itself, before the node runs;
 * - `req.ip` is the socket's address (express without `trust proxy`);
 * - the node's `webhook()` runs on a WebhookContext built from the workflow, the node, the
 *   additional data carrying the request and the response, and the webhook's description;
 * - if it returns no workflow data, no execution starts (with `noWebhookResponse` the node has
 *   answered itself; otherwise n8n answers 200 "Webhook call received");
 * - with workflow data, `responseMode: 'onReceived'` answers 200 "Workflow was started", then
 *   runs the workflow from the trigger's items on WorkflowExecute (mode "webhook");
 * - a node that throws gets 500 and n8n records a failed execution.
 * Each started execution is recorded, so tests count executions as n8n would.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQuery } from 'node:querystring';
import type {
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	IRun,
	IWebhookData,
	IWebhookDescription,
	IWebhookResponseData,
	IWorkflowBase,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { createRunExecutionData } from 'n8n-workflow';
import { ExecutionLifecycleHooks, WebhookContext, WorkflowExecute } from 'n8n-core';

import type { Harness } from './harness';
import { CREDENTIAL_ID, WEBHOOK_SECRET_ID } from './harness';
import { initN8nCore } from './n8nCore';
import { nodeTypes, PACKAGE } from './nodeTypes';

export const WEBHOOK_TRIGGER_NAME = 'KwikID Webhook Trigger';
const AFTER_NAME = 'After Trigger';
const WEBHOOK_ID = '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b';
/** n8n's N8N_PAYLOAD_SIZE_MAX default. */
const N8N_PAYLOAD_MAX = 16 * 1024 * 1024;

export interface Execution {
	/** What the trigger emitted (the execution's first items). */
	items: INodeExecutionData[];
	/** What the node after the trigger received. */
	after: INodeExecutionData[];
	run: IRun;
}

export interface CallResult {
	status: number;
	headers: Record<string, string>;
	text: string;
	json: IDataObject | undefined;
}

export interface WebhookServerOptions {
	/** "webhook" (production URL, default) or "manual" (the editor's test URL). */
	mode?: Extract<WorkflowExecuteMode, 'webhook' | 'manual'>;
	/** Omit the secret credential from the node (as a workflow saved without one). */
	withoutSecretCredential?: boolean;
}

/** n8n-workflow declares rawBody, contentType and encoding on IncomingMessage; express adds body and ip. */
interface N8nRequest extends IncomingMessage {
	body?: unknown;
	ip?: string;
}

class UnprocessableRequest extends Error {}

/** n8n's parseBody for a version-1 webhook node: always parsed, by content type. */
function parseBody(req: N8nRequest): void {
	const raw = req.rawBody as Buffer | undefined;
	if (!raw?.length) return;
	const text = raw.toString('utf8');
	try {
		if (req.contentType === 'application/json') req.body = JSON.parse(text) as unknown;
		else if (req.contentType === 'application/x-www-form-urlencoded') req.body = parseQuery(text, undefined, undefined, { maxKeys: 1000 });
		else if (req.contentType === 'text/plain') req.body = text;
	} catch (error) {
		throw new UnprocessableRequest(error instanceof Error ? error.message : String(error));
	}
}

async function readRaw(req: N8nRequest): Promise<void> {
	const header = req.headers['content-type'];
	if (header) {
		req.contentType = header.split(';')[0].trim().toLowerCase();
	}
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		size += (chunk as Buffer).length;
		if (size > N8N_PAYLOAD_MAX) throw new Error('request entity too large');
		chunks.push(chunk as Buffer);
	}
	req.rawBody = Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: IDataObject): void {
	if (res.headersSent) return;
	res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
	res.end(JSON.stringify(body));
}

export class WebhookServer {
	readonly executions: Execution[] = [];

	/** Calls where the node threw (n8n: a 500 and a failed execution). */
	readonly failures: Error[] = [];

	/** The last request the node saw (to check what n8n would redact). */
	lastRequest: IncomingMessage | undefined;

	private server: Server | undefined;

	private running = new Set<Promise<void>>();

	private readonly mode: 'webhook' | 'manual';

	private staticData: IDataObject = {};

	constructor(
		private readonly harness: Harness,
		private parameters: INodeParameters,
		private readonly options: WebhookServerOptions = {},
	) {
		this.mode = options.mode ?? 'webhook';
	}

	/** The node as saved in the workflow. */
	node(): INode {
		const credentials: INode['credentials'] = { kwikIdApi: { id: CREDENTIAL_ID, name: 'KwikID account' } };
		if (!this.options.withoutSecretCredential) credentials.kwikIdWebhookApi = { id: WEBHOOK_SECRET_ID, name: 'KwikID webhook secret' };
		return {
			id: 'kwikid-webhook-trigger-node',
			name: WEBHOOK_TRIGGER_NAME,
			type: `${PACKAGE}.kwikIdWebhookTrigger`,
			typeVersion: 1,
			position: [0, 0],
			webhookId: WEBHOOK_ID,
			parameters: this.parameters,
			credentials,
		};
	}

	/** The user edited the trigger's parameters (the workflow is re-activated). */
	reconfigure(parameters: INodeParameters): void {
		this.parameters = parameters;
	}

	private description(): IWebhookDescription {
		const type = nodeTypes.getByNameAndVersion(`${PACKAGE}.kwikIdWebhookTrigger`, 1);
		const webhook = type.description.webhooks?.[0];
		if (!webhook) throw new Error('the node declares no webhook');
		return webhook;
	}

	/** The production (or test) URL, as the editor shows it. */
	get url(): string {
		if (!this.server) throw new Error('not started');
		const { port } = this.server.address() as AddressInfo;
		const prefix = this.mode === 'manual' ? 'webhook-test' : 'webhook';
		return `http://127.0.0.1:${port}/${prefix}/${WEBHOOK_ID}/${String(this.description().path)}`;
	}

	async start(): Promise<this> {
		await initN8nCore();
		this.server = createServer((req, res) => {
			const handled = this.handle(req as N8nRequest, res).catch((error: unknown) => {
				this.failures.push(error instanceof Error ? error : new Error(String(error)));
				send(res, 500, { message: 'harness error' });
			});
			this.running.add(handled);
			void handled.finally(() => this.running.delete(handled));
		});
		await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
		return this;
	}

	async close(): Promise<void> {
		await this.settled();
		await new Promise<void>((resolve) => {
			this.server?.closeAllConnections();
			this.server?.close(() => resolve());
		});
	}

	/** Waits until every call received so far has been answered and its execution has finished. */
	async settled(): Promise<void> {
		while (this.running.size > 0) await Promise.allSettled([...this.running]);
	}

	/** Posts to the trigger's URL and waits for the answer and any execution it started. */
	async post(
		body: string | Buffer | IDataObject | unknown[],
		headers: Record<string, string> = {},
		path?: string,
	): Promise<CallResult> {
		const isText = typeof body === 'string' || Buffer.isBuffer(body);
		const sent: Record<string, string> = isText ? { ...headers } : { 'content-type': 'application/json', ...headers };
		const response = await fetch(path ? new URL(path, this.url).toString() : this.url, {
			method: 'POST',
			headers: sent,
			body: isText ? body : JSON.stringify(body),
		});
		const text = await response.text();
		await this.settled();
		let json: IDataObject | undefined;
		try {
			json = JSON.parse(text) as IDataObject;
		} catch {
			json = undefined;
		}
		return { status: response.status, headers: Object.fromEntries(response.headers.entries()), text, json };
	}

	private async handle(req: N8nRequest, res: ServerResponse): Promise<void> {
		const path = new URL(req.url ?? '/', 'http://localhost').pathname;
		const prefix = this.mode === 'manual' ? 'webhook-test' : 'webhook';
		if (req.method !== 'POST' || path !== `/${prefix}/${WEBHOOK_ID}/${String(this.description().path)}`) {
			send(res, 404, { message: 'The requested webhook is not registered.' });
			return;
		}
		try {
			await readRaw(req);
			parseBody(req);
		} catch (error) {
			send(res, error instanceof UnprocessableRequest ? 422 : 413, { message: 'Failed to parse request body' });
			return;
		}
		req.ip = req.socket.remoteAddress;
		this.lastRequest = req;

		const workflowJson = {
			id: 'webhook-test-workflow',
			name: 'KwikID webhook trigger test',
			nodes: [
				this.node(),
				{ id: 'after-node', name: AFTER_NAME, type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [200, 0] as [number, number], parameters: {} },
			],
			connections: { [WEBHOOK_TRIGGER_NAME]: { main: [[{ node: AFTER_NAME, type: 'main' as const, index: 0 }]] } },
			staticData: this.staticData,
		};
		const workflow = this.harness.workflow(workflowJson);
		const node = workflow.getNode(WEBHOOK_TRIGGER_NAME) as INode;
		const additionalData = this.harness.additionalData();
		additionalData.httpRequest = req as unknown as typeof additionalData.httpRequest;
		additionalData.httpResponse = res as unknown as typeof additionalData.httpResponse;
		const webhookData: IWebhookData = {
			httpMethod: 'POST',
			node: WEBHOOK_TRIGGER_NAME,
			path: `${WEBHOOK_ID}/${String(this.description().path)}`,
			webhookDescription: this.description(),
			workflowId: workflow.id,
			workflowExecuteAdditionalData: additionalData,
			webhookId: WEBHOOK_ID,
			isTest: this.mode === 'manual',
		};
		const context = new WebhookContext(workflow, node, additionalData, this.mode, webhookData, [], null);
		const type = nodeTypes.getByNameAndVersion(node.type, 1);
		if (typeof type.webhook !== 'function') throw new Error('not a webhook node');

		let result: IWebhookResponseData;
		try {
			result = await type.webhook.call(context);
		} catch (error) {
			// n8n: "Error in workflow" 500, and a failed execution is recorded.
			this.failures.push(error instanceof Error ? error : new Error(String(error)));
			send(res, 500, { message: 'Error in workflow' });
			return;
		}
		if (result.workflowData === undefined) {
			if (result.noWebhookResponse !== true) send(res, 200, (result.webhookResponse as IDataObject | undefined) ?? { message: 'Webhook call received' });
			else if (!res.writableEnded) {
				// n8n would leave the caller hanging: make that visible in tests instead.
				send(res, 599, { message: 'the node said it answered, but did not' });
			}
			return;
		}
		send(res, 200, { message: 'Workflow was started' });
		await this.execute(workflowJson, result.workflowData);
	}

	private async execute(
		json: Parameters<Harness['workflow']>[0],
		workflowData: INodeExecutionData[][],
	): Promise<void> {
		const workflow = this.harness.workflow(json);
		const node = workflow.getNode(WEBHOOK_TRIGGER_NAME) as INode;
		const base: IWorkflowBase = {
			id: workflow.id,
			name: json.name,
			active: true,
			activeVersionId: null,
			isArchived: false,
			nodes: json.nodes,
			connections: json.connections,
			settings: { executionOrder: 'v1' },
			createdAt: new Date(),
			updatedAt: new Date(),
		};
		const hooks = new ExecutionLifecycleHooks(this.mode, randomUUID(), base);
		const runData = createRunExecutionData({
			executionData: { nodeExecutionStack: [{ node, data: { main: workflowData }, source: null }] },
		});
		const run = await new WorkflowExecute(this.harness.additionalData(hooks), this.mode, runData).processRunExecutionData(workflow);
		const output = (name: string): INodeExecutionData[] => run.data.resultData.runData[name]?.[0]?.data?.main?.[0] ?? [];
		this.executions.push({ items: output(WEBHOOK_TRIGGER_NAME), after: output(AFTER_NAME), run });
	}
}
