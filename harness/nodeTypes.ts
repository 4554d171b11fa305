/**
 * The node types a test workflow may use: this package's real classes, plus stand-ins for the
 * two n8n-nodes-base nodes our example workflows start with (n8n-nodes-base itself is a 100 MB
 * package we do not need to run a trigger that emits items).
 */
import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	INodeTypes,
	IVersionedNodeType,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { KwikId } from '../nodes/KwikId/KwikId.node';
import { KwikIdTrigger } from '../nodes/KwikId/KwikIdTrigger.node';
import { KwikIdWebhookTrigger } from '../nodes/KwikId/KwikIdWebhookTrigger.node';

/** Stand-in for n8n's Manual Trigger: one empty item (replace it with pinned data for more). */
class ManualTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Manual Trigger',
		name: 'manualTrigger',
		group: ['trigger'],
		version: 1,
		description: 'Stand-in for n8n-nodes-base.manualTrigger',
		defaults: { name: 'When clicking ‘Execute workflow’' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [[{ json: {} }]];
	}
}

/** Stand-in for n8n's No Operation node: passes items through (a place to read outputs from). */
class NoOp implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'No Operation',
		name: 'noOp',
		group: ['organization'],
		version: 1,
		description: 'Stand-in for n8n-nodes-base.noOp',
		defaults: { name: 'No Operation' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}

export const PACKAGE = 'n8n-nodes-kwikid';

const registry: Record<string, INodeType> = {
	[`${PACKAGE}.kwikId`]: new KwikId(),
	[`${PACKAGE}.kwikIdTrigger`]: new KwikIdTrigger(),
	[`${PACKAGE}.kwikIdWebhookTrigger`]: new KwikIdWebhookTrigger(),
	'n8n-nodes-base.manualTrigger': new ManualTrigger(),
	'n8n-nodes-base.noOp': new NoOp(),
};

export const nodeTypes: INodeTypes = {
	getByName(type: string): INodeType | IVersionedNodeType {
		return this.getByNameAndVersion(type);
	},
	getByNameAndVersion(type: string): INodeType {
		const found = registry[type];
		if (!found) throw new Error(`The test harness knows no node type "${type}"`);
		return found;
	},
	getKnownTypes() {
		return {};
	},
};
