import type { INodeProperties } from 'n8n-workflow';

import * as pushUserData from './pushUserData.operation';

export { pushUserData };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['dkyc'] } },
		options: [
			{
				name: 'Push DKYC Data',
				value: 'pushUserData',
				description: "Create a digital-KYC session from the customer's complete KYC record",
				action: 'Push DKYC data',
			},
		],
		default: 'pushUserData',
	},
	...pushUserData.description,
];
