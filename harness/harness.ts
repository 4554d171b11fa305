/**
 * A small workflow-test harness on n8n-core's public classes.
 *
 * It runs workflow JSON (as exported from n8n) with this package's real node and credential
 * classes through `WorkflowExecute`, the engine n8n itself uses, and returns every node's
 * output. Credentials live in a `CredentialStore` that survives between runs, like n8n's
 * database, so token caching across executions is observable.
 */
import { randomUUID } from 'node:crypto';
import type {
	IConnections,
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	INode,
	INodeExecutionData,
	IPinData,
	IRun,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	IWorkflowSettings,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';

import { KwikIdApi } from '../credentials/KwikIdApi.credentials';
import { KwikIdWebhookApi } from '../credentials/KwikIdWebhookApi.credentials';
import type { CredentialTestResult } from './credentialTest';
import { testCredential } from './credentialTest';
import { CredentialStore, HarnessCredentialsHelper } from './credentials';
import { initN8nCore, n8nCoreMajor } from './n8nCore';
import { nodeTypes, PACKAGE } from './nodeTypes';

export interface WorkflowJson {
	id?: string;
	name: string;
	nodes: INode[];
	connections: IConnections;
	settings?: IWorkflowSettings;
	pinData?: IPinData;
	staticData?: IDataObject;
}

export interface WorkflowRunResult {
	run: IRun;
	/** Items of a node's first output in its first run ([] if it did not run). */
	output(nodeName: string, outputIndex?: number): INodeExecutionData[];
	/** The error that stopped the workflow, if any. */
	error: IRun['data']['resultData']['error'];
}

/** WorkflowExecute.run as n8n-core 1.x declares it. */
type RunV1 = (
	workflow: Workflow,
	startNode?: INode,
	destinationNode?: undefined,
	pinData?: IPinData,
) => ReturnType<WorkflowExecute['run']>;

export const CREDENTIAL_ID = 'kwikid-cred-1';
/** The KwikID Webhook Trigger's secret (credential kwikIdWebhookApi). */
export const WEBHOOK_SECRET_ID = 'kwikid-webhook-secret-1';

const credentialTypes: Record<string, ICredentialType> = { kwikIdApi: new KwikIdApi(), kwikIdWebhookApi: new KwikIdWebhookApi() };

export class Harness {
	readonly store = new CredentialStore();

	readonly credentialsHelper = new HarnessCredentialsHelper(this.store, credentialTypes);

	/** Adds the KwikID credential under CREDENTIAL_ID (what a user saves in n8n). */
	addKwikIdCredential(data: ICredentialDataDecryptedObject): this {
		this.store.add({ id: CREDENTIAL_ID, name: 'KwikID account', type: 'kwikIdApi', data });
		return this;
	}

	/** Adds the webhook trigger's secret under WEBHOOK_SECRET_ID. */
	addWebhookSecret(data: ICredentialDataDecryptedObject): this {
		this.store.add({ id: WEBHOOK_SECRET_ID, name: 'KwikID webhook secret', type: 'kwikIdWebhookApi', data });
		return this;
	}

	/** What the credential dialog's "Test" button would say for the stored KwikID credential. */
	async testKwikIdCredential(): Promise<CredentialTestResult> {
		await initN8nCore();
		const stored = this.store.get(CREDENTIAL_ID);
		const data = await this.credentialsHelper.getDecrypted(
			this.additionalData(),
			{ id: stored.id, name: stored.name },
			'kwikIdApi',
		);
		return await testCredential(this.additionalData(), credentialTypes.kwikIdApi, {
			id: stored.id,
			name: stored.name,
			data,
		});
	}

	additionalData(hooks?: ExecutionLifecycleHooks): IWorkflowExecuteAdditionalData {
		const data: Partial<IWorkflowExecuteAdditionalData> = {
			credentialsHelper: this.credentialsHelper,
			hooks,
			currentNodeExecutionIndex: 0,
			restApiUrl: 'http://127.0.0.1:5678/rest',
			instanceBaseUrl: 'http://127.0.0.1:5678/',
			formBaseUrl: 'http://127.0.0.1:5678/form',
			formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
			formTestBaseUrl: 'http://127.0.0.1:5678/form-test',
			webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
			webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
			webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
			mcpBaseUrl: 'http://127.0.0.1:5678/mcp',
			mcpTestBaseUrl: 'http://127.0.0.1:5678/mcp-test',
			variables: {},
			userId: 'test-user',
			executeWorkflow: async () => {
				throw new Error('Sub-workflows are not used by this package');
			},
			getRunExecutionData: async () => undefined,
			logAiEvent: () => undefined,
			getRuntimeCredential: async () => undefined,
			startRunnerTask: async () => {
				throw new Error('Task runners are not used by this package');
			},
		};
		return data as IWorkflowExecuteAdditionalData;
	}

	/** Builds an n8n `Workflow` from exported JSON, credentials pointing at the store. */
	workflow(json: WorkflowJson): Workflow {
		return new Workflow({
			id: json.id ?? randomUUID(),
			name: json.name,
			nodes: json.nodes.map((node) => withCredential(node)),
			connections: json.connections,
			active: false,
			nodeTypes,
			staticData: json.staticData,
			settings: json.settings ?? { executionOrder: 'v1' },
		});
	}

	/** Runs the workflow from its first trigger, the way "Execute workflow" does. */
	async run(
		json: WorkflowJson,
		options: {
			pinData?: IPinData;
			/** Called once the run has started, with the function the editor's Stop button calls. */
			onStarted?: (cancel: () => void) => void;
		} = {},
	): Promise<WorkflowRunResult> {
		await initN8nCore();
		const workflow = this.workflow(json);
		const workflowData: IWorkflowBase = {
			id: workflow.id,
			name: json.name,
			active: false,
			activeVersionId: null,
			isArchived: false,
			nodes: json.nodes,
			connections: json.connections,
			settings: json.settings ?? { executionOrder: 'v1' },
			createdAt: new Date(),
			updatedAt: new Date(),
		};
		const hooks = new ExecutionLifecycleHooks('manual', randomUUID(), workflowData);
		const startNode = json.nodes.find((node) => workflow.getParentNodes(node.name).length === 0);
		if (!startNode) throw new Error('The workflow has no start node');
		const execute = new WorkflowExecute(this.additionalData(hooks), 'manual');
		const pinData = options.pinData ?? json.pinData;
		// n8n-core 1.x takes run()'s arguments one by one, 2.x as one object.
		const running =
			n8nCoreMajor() === 1
				? (execute.run as unknown as RunV1).call(execute, workflow, startNode, undefined, pinData)
				: execute.run({ workflow, startNode, pinData });
		options.onStarted?.(() => running.cancel());
		const run = await running;
		const runData = run.data.resultData.runData;
		return {
			run,
			error: run.data.resultData.error,
			output(nodeName: string, outputIndex = 0): INodeExecutionData[] {
				const task = runData[nodeName]?.[0];
				const main = task?.data?.main?.[outputIndex];
				return main ?? [];
			},
		};
	}
}

function withCredential(node: INode): INode {
	if (!node.type.startsWith(`${PACKAGE}.`)) return node;
	return {
		...node,
		credentials: node.credentials ?? { kwikIdApi: { id: CREDENTIAL_ID, name: 'KwikID account' } },
	};
}
