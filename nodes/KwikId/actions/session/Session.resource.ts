import type { INodeProperties } from 'n8n-workflow';

import * as get from './get.operation';
import * as sendLink from './sendLink.operation';

export { get, sendLink };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['session'] } },
		options: [
			{
				name: 'Get Session',
				value: 'get',
				description: "Get a session's status and details",
				action: 'Get a session',
			},
			{
				name: 'Send Link',
				value: 'sendLink',
				description: 'Create a video-KYC session and send its link to the customer',
				action: 'Send a KYC link',
			},
		],
		default: 'sendLink',
	},
	...sendLink.description,
	...get.description,
];
