import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { toEpochSeconds } from '../../shared/dates';
import { shown } from '../../shared/mask';
import { isPlainObject } from '../../shared/objects';
import type { KwikIdClient } from '../../transport';
import {
	booleanParameter,
	customExtras,
	extrasProperty,
	phoneNumberParameter,
	phoneNumberProperty,
	requiredText,
	textParameter,
	throughputOptions,
	userIdProperty,
} from '../common';
import type { Operation, SendItem } from '../types';

const properties: INodeProperties[] = [
	userIdProperty,
	phoneNumberProperty,
	{
		displayName: 'Send Notification',
		name: 'sendNotification',
		type: 'boolean',
		default: true,
		description: 'Whether KwikID sends the link to the customer itself (SMS). Turn off to send it yourself, e.g. by email or WhatsApp.',
	},
	{
		displayName: 'Link Type',
		name: 'linkType',
		type: 'string',
		required: true,
		default: 'free',
		placeholder: 'e.g. free',
		description: 'Type of KYC link, as configured for your KwikID account. Case-sensitive.',
	},
	extrasProperty(
		'Your own fields stored with the session and shown to the KwikID agent, e.g. applicant_name or loan_amt',
	),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Last KYC Date',
				name: 'lastKycDate',
				type: 'dateTime',
				default: '',
				description: "Date of the customer's previous KYC, if any (sent as epoch seconds)",
			},
			{
				displayName: 'Link Expires In (Seconds)',
				name: 'linkExpiresIn',
				type: 'number',
				typeOptions: { minValue: 60 },
				default: 900,
				description: 'How long the link stays valid. KwikID uses 900 seconds (15 minutes) when not set.',
			},
			{
				displayName: 'Origin',
				name: 'origin',
				type: 'string',
				default: '',
				placeholder: 'e.g. KWIKID_ID',
				description: 'Origin identifier configured for your KwikID account',
			},
			{
				displayName: 'Session Type',
				name: 'sessionType',
				type: 'string',
				default: '',
				placeholder: 'e.g. VKYC',
				description: 'Session type configured for your KwikID account',
			},
			...throughputOptions,
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['session'], operation: ['sendLink'] } },
	properties,
);

/** Reserved extras keys that have their own option, so a custom extra cannot silently clash. */
const RESERVED_EXTRAS: Record<string, string> = {
	link_expires_in: 'Link Expires In (Seconds)',
	last_kyc_date: 'Last KYC Date',
};

interface SendLinkOptions {
	lastKycDate?: unknown;
	linkExpiresIn?: unknown;
}

function buildExtras(context: IExecuteFunctions, itemIndex: number, options: SendLinkOptions): IDataObject {
	const extras = customExtras(context, itemIndex, RESERVED_EXTRAS);
	if (options.linkExpiresIn !== undefined) {
		const raw = options.linkExpiresIn;
		const seconds = typeof raw === 'number' || (typeof raw === 'string' && raw.trim() !== '') ? Number(raw) : Number.NaN;
		if (!Number.isInteger(seconds) || seconds < 60) {
			throw new NodeOperationError(context.getNode(), 'Link Expires In must be a whole number of seconds, at least 60', {
				itemIndex,
			});
		}
		// The API documents these extras as strings.
		extras.link_expires_in = String(seconds);
	}
	if (options.lastKycDate !== undefined && options.lastKycDate !== '') {
		const seconds = toEpochSeconds(options.lastKycDate, context.getTimezone());
		if (seconds === undefined) {
			const given = shown(options.lastKycDate);
			throw new NodeOperationError(context.getNode(), `Last KYC Date "${given}" is not a date`, {
				itemIndex,
				description: 'Pick a date, or give an ISO date such as 2024-03-31, or epoch seconds.',
			});
		}
		extras.last_kyc_date = String(seconds);
	}
	return extras;
}

/** `link_url` arrives with its query percent-encoded (`/user/%3Fl%3D...`): decode it into a working link. */
export function usableLinkUrl(linkUrl: string): string {
	const marker = linkUrl.search(/%3F/i);
	if (marker === -1) return linkUrl;
	try {
		return linkUrl.slice(0, marker) + decodeURIComponent(linkUrl.slice(marker));
	} catch {
		return linkUrl;
	}
}

async function prepare(this: IExecuteFunctions, itemIndex: number, client: KwikIdClient): Promise<SendItem> {
	const userId = requiredText(this, 'userId', 'User ID', itemIndex);
	const phoneNumber = phoneNumberParameter(this, itemIndex);
	const linkType = requiredText(this, 'linkType', 'Link Type', itemIndex, 64);
	const sendNotification = booleanParameter(this, 'sendNotification', 'Send Notification', itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as SendLinkOptions;

	const body: IDataObject = {
		user_id: userId,
		phone_number: phoneNumber,
		send_notification: sendNotification ? 1 : 0,
		link_type: linkType,
	};
	const sessionType = textParameter(this, 'options.sessionType', 'Session Type', itemIndex, 64);
	if (sessionType) body.session_type = sessionType;
	const origin = textParameter(this, 'options.origin', 'Origin', itemIndex, 64);
	if (origin) body.origin = origin;
	const extras = buildExtras(this, itemIndex, options);
	if (Object.keys(extras).length) body.extras = extras;

	return async () => {
		const response = await client.request<IDataObject>({
			method: 'POST',
			path: client.paths.sendLink,
			body,
			idempotent: false,
			itemIndex,
			problem: (answer) =>
				isPlainObject(answer) && typeof answer.session_id === 'string' && answer.success !== false
					? undefined
					: 'KwikID did not return a session for the link',
			hints: {
				400: {
					message: 'KwikID refused the Send Link request as malformed (400 Bad Request)',
					description:
						'Check User ID, Phone Number (10 digits), Link Type (case-sensitive, e.g. "free": it must be a type your KwikID account has) and the extras.',
				},
			},
		});

		const json: IDataObject = { ...response };
		if (typeof response.link_url === 'string') {
			json.link_url = usableLinkUrl(response.link_url);
			json.link_url_raw = response.link_url;
		}
		const expiry = Number(response.link_expiry_time);
		if (Number.isFinite(expiry) && expiry > 0) json.link_expires_at = new Date(expiry * 1000).toISOString();
		return { json };
	};
}

export const operation: Operation = { prepare, createsSession: true };
