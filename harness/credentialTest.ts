/**
 * The credential dialog's "Test" button, the way n8n's CredentialsTester runs a declarative
 * `test` request: a temporary No Operation node whose only parameter routes the test request,
 * run by n8n-core's RoutingNode, so preAuthentication and `authenticate` apply as they do in n8n.
 * Its result mapping (rules first, then any non-2xx, then the network code) is n8n's.
 */
import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IExecuteData,
	INode,
	INodeType,
	INodeTypes,
	IRunExecutionData,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';
import { ExecuteContext, RoutingNode } from 'n8n-core';

import { nodeTypes } from './nodeTypes';

export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

interface ErrorWithCause {
	message?: string;
	cause?: { response?: { status?: number; statusText?: string }; code?: string };
}

export async function testCredential(
	additionalData: IWorkflowExecuteAdditionalData,
	credentialType: ICredentialType,
	credential: { id: string; name: string; data: ICredentialDataDecryptedObject },
): Promise<CredentialTestResult> {
	const test = credentialType.test as ICredentialTestRequest;
	const noOp = nodeTypes.getByNameAndVersion('n8n-nodes-base.noOp') as INodeType;
	const tempType: INodeType = {
		description: {
			...noOp.description,
			credentials: [{ name: credentialType.name, required: true }],
			properties: [
				{ displayName: 'Temp', name: 'temp', type: 'string', routing: { request: test.request }, default: '' },
			],
		},
	};
	const tempTypes: INodeTypes = {
		getByName: () => tempType,
		getByNameAndVersion: () => tempType,
		getKnownTypes: () => ({}),
	};
	const node: INode = {
		id: 'temp',
		parameters: {},
		name: 'Temp-Node',
		type: 'n8n-nodes-base.noOp',
		typeVersion: 1,
		position: [0, 0],
		credentials: { [credentialType.name]: { id: credential.id, name: credential.name } },
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: tempTypes });
	const workflowNode = workflow.getNode(node.name) as INode;
	const runExecutionData = { resultData: { runData: {} } } as IRunExecutionData;
	const executeData: IExecuteData = { node: workflowNode, data: {}, source: null };
	const context = new ExecuteContext(
		workflow,
		workflowNode,
		additionalData,
		'internal',
		runExecutionData,
		0,
		[],
		{ main: [[{ json: {} }]] },
		executeData,
		[],
	);
	const routingNode = new RoutingNode(context, tempType, {
		id: credential.id,
		name: credential.name,
		type: credentialType.name,
		data: credential.data,
	});
	try {
		await routingNode.runNode();
	} catch (caught) {
		const error = caught as ErrorWithCause;
		const response = error.cause?.response;
		if (response?.status !== undefined) {
			for (const rule of test.rules ?? []) {
				if (rule.type === 'responseCode' && rule.properties.value === response.status) {
					return { status: 'Error', message: rule.properties.message };
				}
			}
			return {
				status: 'Error',
				message: response.statusText || `Received HTTP status code: ${response.status}`,
			};
		}
		if (error.cause?.code) return { status: 'Error', message: error.cause.code };
		return { status: 'Error', message: String(error.message) };
	}
	return { status: 'OK', message: 'Connection successful!' };
}
