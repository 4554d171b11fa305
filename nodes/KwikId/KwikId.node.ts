import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as dkyc from './actions/dkyc/Dkyc.resource';
import { router } from './actions/router';
import * as session from './actions/session/Session.resource';

export class KwikId implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'KwikID',
		name: 'kwikId',
		icon: { light: 'file:kwikid.svg', dark: 'file:kwikid.dark.svg' },
		group: ['transform'],
		version: 1,
		// The operation's name as the editor shows it, not its stored value ("sendLink: session").
		subtitle: '={{ ({ sendLink: "Send Link", get: "Get Session", pushUserData: "Push DKYC Data" })[$parameter["operation"]] || $parameter["operation"] }}',
		description: 'Send video-KYC links, read KYC sessions and push digital-KYC records with KwikID',
		defaults: { name: 'KwikID' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'kwikIdApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Session', value: 'session', description: 'Video-KYC sessions: send links, read status' },
					{ name: 'Digital KYC', value: 'dkyc', description: 'Push complete digital-KYC records' },
				],
				default: 'session',
			},
			...session.description,
			...dkyc.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
