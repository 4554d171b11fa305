// PLACEHOLDER: being written (trigger helper). Keeps the package compiling meanwhile.
import type { INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

export class KwikIdTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'KwikID Trigger',
		name: 'kwikIdTrigger',
		icon: { light: 'file:kwikid.svg', dark: 'file:kwikid.dark.svg' },
		group: ['trigger'],
		version: 1,
		description: 'Starts the workflow when a KwikID session changes status',
		defaults: { name: 'KwikID Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'kwikIdApi', required: true }],
		properties: [],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return null;
	}
}
