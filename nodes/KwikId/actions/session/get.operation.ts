import type {
	IBinaryKeyData,
	IDataObject,
	IExecuteFunctions,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import {
	isPlausibleSessionId,
	MEDIA_FIELDS,
	normaliseSession,
	simplifySession,
} from '../../shared/session';
import { shown } from '../../shared/mask';
import { checkerReviewOf, checkerReviewOption } from '../../shared/review';
import type { KwikIdClient } from '../../transport';
import { fetchSessionData } from '../../transport';
import { booleanParameter, requiredText, throughputOptions } from '../common';
import type { Operation, SendItem } from '../types';

const properties: INodeProperties[] = [
	{
		displayName: 'Session ID',
		name: 'sessionId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 8b19b5c9-36de-47a2-9cb8-1025f36da034',
		description: 'The session ID returned by Send Link or Push DKYC Data',
	},
	{
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: true,
		description:
			'Whether to return a compact record (IDs, status, the agent\'s and the checker\'s decision with one Outcome to route on, agent, times, feedback, document results, media links) instead of every field KwikID sends',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{ ...checkerReviewOption, displayOptions: { show: { '/simplify': [true] } } },
			{
				displayName: 'Download Media',
				name: 'downloadMedia',
				type: 'multiOptions',
				options: MEDIA_FIELDS.map(({ property, name, field }) => ({
					name,
					value: property,
					description: `Download ${field} into the binary property "${property}"`,
				})),
				default: [],
				description:
					'Files of the session to download into binary properties, to store or email them in the next node. Media the session does not have (yet) are skipped.',
			},
			{
				displayName: 'Max File Size (MB)',
				name: 'maxFileSizeMb',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 250,
				description:
					'Largest media file to download. A larger one fails the item with a message saying so, before it is stored.',
			},
			...throughputOptions,
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['session'], operation: ['get'] } },
	properties,
);

/** Download Media: the chosen properties; an expression naming an unknown one is an error. */
function mediaParameter(context: IExecuteFunctions, itemIndex: number): string[] {
	const value = context.getNodeParameter('options.downloadMedia', itemIndex, []) as unknown;
	const chosen = Array.isArray(value) ? value : typeof value === 'string' && value.trim() !== '' ? value.split(',') : [];
	const known = MEDIA_FIELDS.map((media) => media.property);
	const out: string[] = [];
	for (const entry of chosen) {
		const name = typeof entry === 'string' ? entry.trim() : '';
		if (!known.includes(name)) {
			throw new NodeOperationError(context.getNode(), `Download Media has an unknown file "${shown(entry)}"`, {
				itemIndex,
				description: `Choose from ${known.join(', ')}.`,
			});
		}
		out.push(name);
	}
	return out;
}

function maxFileBytes(context: IExecuteFunctions, itemIndex: number): number {
	const value = context.getNodeParameter('options.maxFileSizeMb', itemIndex, 250) as unknown;
	const mb = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
	if (!Number.isFinite(mb) || mb <= 0) {
		throw new NodeOperationError(context.getNode(), 'Max File Size (MB) must be a number above 0', {
			itemIndex,
			description: `Got "${shown(value)}".`,
		});
	}
	return Math.floor(mb * 1024 * 1024);
}

export function sessionIdParameter(context: IExecuteFunctions, itemIndex: number): string {
	const sessionId = requiredText(context, 'sessionId', 'Session ID', itemIndex);
	if (!isPlausibleSessionId(sessionId)) {
		throw new NodeOperationError(context.getNode(), 'Session ID is not a valid KwikID session id', {
			itemIndex,
			description: `Got "${shown(sessionId, 60)}". Use the session_id from Send Link or Push DKYC Data: letters, digits and dashes only.`,
		});
	}
	return sessionId;
}

async function downloadSelected(
	context: IExecuteFunctions,
	client: KwikIdClient,
	data: IDataObject,
	selected: string[],
	maxBytes: number,
	itemIndex: number,
): Promise<IBinaryKeyData | undefined> {
	const binary: IBinaryKeyData = {};
	for (const { field, property } of MEDIA_FIELDS) {
		const url = data[field];
		if (!selected.includes(property) || typeof url !== 'string' || url === '') continue;
		const file = await client.download(url, itemIndex, maxBytes);
		const fileName = file.fileName ?? `${String(data.session_id ?? 'session')}-${property}`;
		binary[property] = await context.helpers.prepareBinaryData(file.data, fileName, file.mimeType);
	}
	return Object.keys(binary).length ? binary : undefined;
}

async function prepare(this: IExecuteFunctions, itemIndex: number, client: KwikIdClient): Promise<SendItem> {
	const sessionId = sessionIdParameter(this, itemIndex);
	const simplify = booleanParameter(this, 'simplify', 'Simplify', itemIndex);
	const downloads = mediaParameter(this, itemIndex);
	const maxBytes = maxFileBytes(this, itemIndex);
	const checkerReview = checkerReviewOf(this.getNodeParameter('options.checkerReview', itemIndex, 'auto'));

	return async () => {
		const data = await fetchSessionData(client, sessionId, itemIndex);
		const json = simplify ? simplifySession(data, checkerReview) : normaliseSession(data);
		const binary = downloads.length ? await downloadSelected(this, client, data, downloads, maxBytes, itemIndex) : undefined;
		return binary ? { json, binary } : { json };
	};
}

export const operation: Operation = { prepare, createsSession: false };
