import type { INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { triggerProperties } from './trigger/parameters';
import { poll } from './trigger/poll';

export class KwikIdTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'KwikID Trigger',
		name: 'kwikIdTrigger',
		icon: { light: 'file:kwikid.svg', dark: 'file:kwikid.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: 'Session status changes',
		description: 'Starts the workflow when a watched KwikID session changes status',
		defaults: { name: 'KwikID Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'kwikIdApi', required: true }],
		properties: triggerProperties,
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await poll.call(this);
	}
}
