/**
 * Parameters that Send Link and Push DKYC Data share. Same names and labels in both, so values
 * survive switching the operation, and one implementation of what they accept.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { maskPhone, shown } from '../shared/mask';
import { normalisePhoneNumber } from '../shared/phone';

export const userIdProperty: INodeProperties = {
	displayName: 'User ID',
	name: 'userId',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. LEAD-10293',
	description: 'Your own unique ID for this customer, e.g. the CRM lead or loan application ID',
};

export const phoneNumberProperty: INodeProperties = {
	displayName: 'Phone Number',
	name: 'phoneNumber',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. 9876543210',
	description: "Customer's 10-digit mobile number. Spaces, dashes and a leading +91 or 0 are removed.",
};

export function extrasProperty(description: string): INodeProperties {
	return {
		displayName: 'Extras',
		name: 'extras',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Extra',
		default: {},
		description,
		options: [
			{
				displayName: 'Extra',
				name: 'extra',
				values: [
					{ displayName: 'Key', name: 'key', type: 'string', default: '', placeholder: 'e.g. applicant_name' },
					{ displayName: 'Value', name: 'value', type: 'string', default: '' },
				],
			},
		],
	};
}

/** Longest text a parameter may hold unless it says otherwise: IDs and codes are short. */
const MAX_TEXT = 255;

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * A text parameter as an expression may fill it: text is trimmed, a number is taken as its
 * digits, and anything else (an object, a list, true/false) is an error naming the field, as are
 * control characters and text longer than `maxLength`. Empty gives ''.
 */
export function textParameter(
	context: IExecuteFunctions,
	name: string,
	label: string,
	itemIndex: number,
	maxLength = MAX_TEXT,
): string {
	const value = context.getNodeParameter(name, itemIndex, '') as unknown;
	if (value === undefined || value === null) return '';
	if (typeof value !== 'string' && typeof value !== 'number') {
		throw new NodeOperationError(context.getNode(), `${label} must be text, not ${shown(value)}`, {
			itemIndex,
			description: `Check the expression that fills ${label}: for item ${itemIndex} it gave ${typeof value === 'boolean' ? 'true or false' : 'a value that is not text'}.`,
		});
	}
	const text = String(value).trim();
	if (text.length > maxLength) {
		throw new NodeOperationError(context.getNode(), `${label} is longer than ${maxLength} characters`, {
			itemIndex,
			description: `Got ${text.length} characters, starting "${shown(text)}". Check the expression that fills it.`,
		});
	}
	if (CONTROL.test(text)) {
		throw new NodeOperationError(context.getNode(), `${label} contains a control character`, {
			itemIndex,
			description: `Got "${shown(text)}" (control characters shown as ?). Remove line breaks, tabs and other invisible characters.`,
		});
	}
	return text;
}

/** A required text parameter (see textParameter); an empty one is an error naming the field. */
export function requiredText(
	context: IExecuteFunctions,
	name: string,
	label: string,
	itemIndex: number,
	maxLength = MAX_TEXT,
): string {
	const text = textParameter(context, name, label, itemIndex, maxLength);
	if (text === '') {
		throw new NodeOperationError(context.getNode(), `${label} is empty`, {
			itemIndex,
			description: `Enter a value for ${label}, or check the expression that fills it: it gave nothing for item ${itemIndex}.`,
		});
	}
	return text;
}

export function phoneNumberParameter(context: IExecuteFunctions, itemIndex: number): string {
	const raw = requiredText(context, 'phoneNumber', 'Phone Number', itemIndex, 40);
	const phone = normalisePhoneNumber(raw);
	if (!phone) {
		const digits = raw.replace(/\D/g, '').length;
		throw new NodeOperationError(context.getNode(), 'Phone Number is not a 10-digit mobile number', {
			itemIndex,
			description: `Got "${maskPhone(raw)}" (${digits} digits). Use the 10-digit number, optionally with +91 or 0 in front.`,
		});
	}
	return phone;
}

const MAX_EXTRA_KEY = 100;
const MAX_EXTRA_VALUE = 5000;

/**
 * The user's own extras as strings (the API documents extras as strings). `reserved` maps keys
 * that have an option of their own to that option's label, so the two cannot silently clash.
 */
export function customExtras(
	context: IExecuteFunctions,
	itemIndex: number,
	reserved: Readonly<Record<string, string>>,
): IDataObject {
	const extras: IDataObject = {};
	const raw = context.getNodeParameter('extras.extra', itemIndex, []) as unknown;
	const custom = Array.isArray(raw) ? (raw as Array<{ key?: unknown; value?: unknown }>) : [];
	for (const [position, entry] of custom.entries()) {
		const key = typeof entry?.key === 'string' || typeof entry?.key === 'number' ? String(entry.key).trim() : '';
		if (key === '') {
			throw new NodeOperationError(context.getNode(), `Extra number ${position + 1} has no Key`, {
				itemIndex,
				description: 'Give every extra a key, e.g. applicant_name, or remove the empty one.',
			});
		}
		if (Object.prototype.hasOwnProperty.call(reserved, key)) {
			throw new NodeOperationError(context.getNode(), `Extra "${key}" has its own option`, {
				itemIndex,
				description: `Set it with the "${reserved[key]}" option instead of an extra.`,
			});
		}
		if (Object.prototype.hasOwnProperty.call(extras, key)) {
			throw new NodeOperationError(context.getNode(), `Extra "${key}" is set twice`, { itemIndex });
		}
		if (key.length > MAX_EXTRA_KEY || CONTROL.test(key)) {
			throw new NodeOperationError(context.getNode(), `Extra number ${position + 1} has an unusable Key`, {
				itemIndex,
				description: `Keys are up to ${MAX_EXTRA_KEY} characters without line breaks or other control characters; got "${shown(key)}".`,
			});
		}
		const value = entry.value;
		const text =
			value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
		if (text.length > MAX_EXTRA_VALUE) {
			throw new NodeOperationError(context.getNode(), `Extra "${shown(key)}" is longer than ${MAX_EXTRA_VALUE} characters`, {
				itemIndex,
				description: `Got ${text.length} characters. Extras are short notes shown to the KwikID agent; send files as documents.`,
			});
		}
		extras[key] = text;
	}
	return extras;
}

/**
 * A boolean parameter that may be mapped by an expression: the text "false" from a sheet or a
 * webhook must not count as true. Anything not clearly yes or no is an error naming the field.
 */
export function booleanParameter(
	context: IExecuteFunctions,
	name: string,
	label: string,
	itemIndex: number,
): boolean {
	const value = context.getNodeParameter(name, itemIndex) as unknown;
	if (typeof value === 'boolean') return value;
	if (typeof value === 'number' && (value === 0 || value === 1)) return value === 1;
	const text = typeof value === 'string' ? value.trim().toLowerCase() : '';
	if (['true', 'yes', '1', 'y'].includes(text)) return true;
	if (['false', 'no', '0', 'n'].includes(text)) return false;
	throw new NodeOperationError(context.getNode(), `${label} must be true or false`, {
		itemIndex,
		description: `Got "${shown(value)}". Use true/false (or yes/no, 1/0).`,
	});
}

/**
 * Ceiling on requests in flight per run when not set. The account's limiter (transport/
 * throttle.ts) decides how many actually go: it starts at this number, narrows on 429s, 5xx and
 * slower answers and grows back (above it only when the user raises the ceiling). Chosen by measurement (bench/README.md): 1,000 Send Link in
 * real n8n 2.41 at 300 ms took 5.2 s at 200, 3.7 s at 500 and 3.3 s at 1,000 (n8n's HTTP Request
 * node, all at once: 6.1 s); at 150 ms 3.1 s at 200 and 2.3 s at 500 (HTTP Request: 3.7 s).
 * 500, not 1,000: the limiter learns the rest, and a first round of 1,000 at an unknown account
 * would be a burst no account asked for.
 */
export const DEFAULT_CONCURRENCY = 500;
export const MAX_CONCURRENCY = 1000;

/** The same names as the trigger's option, so the meaning is the same everywhere. */
export const throughputOptions: INodeProperties[] = [
	{
		displayName: 'Max Concurrent Requests',
		name: 'maxConcurrency',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: MAX_CONCURRENCY },
		default: DEFAULT_CONCURRENCY,
		description:
			'The most items sent to KwikID at the same time. The node finds how many KwikID takes by itself (more while answers stay fast, fewer on rate-limit errors, server errors or slower answers); lower this only to cap it.',
	},
	{
		displayName: 'Max Requests Per Second',
		name: 'maxRequestsPerSecond',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description:
			'Ceiling on requests started per second by this node, for an account with a known rate limit. 0 means no ceiling.',
	},
];

export interface Throughput {
	concurrency: number;
	maxRequestsPerSecond: number;
}

/**
 * Read once per run (item 0): how fast the run goes is not a property of one item. The editor
 * keeps both within range; an expression that does not is an error naming the option.
 */
export function readThroughput(context: IExecuteFunctions): Throughput {
	const options = context.getNodeParameter('options', 0, {}) as { maxConcurrency?: unknown; maxRequestsPerSecond?: unknown };
	const number = (value: unknown): number =>
		typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
	const concurrency = options.maxConcurrency === undefined ? DEFAULT_CONCURRENCY : number(options.maxConcurrency);
	if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
		throw new NodeOperationError(context.getNode(), `Max Concurrent Requests must be a whole number from 1 to ${MAX_CONCURRENCY}`, {
			description: `Got "${shown(options.maxConcurrency)}".`,
		});
	}
	const perSecond = options.maxRequestsPerSecond === undefined ? 0 : number(options.maxRequestsPerSecond);
	if (!Number.isFinite(perSecond) || perSecond < 0) {
		throw new NodeOperationError(context.getNode(), 'Max Requests Per Second must be a number, 0 or more', {
			description: `Got "${shown(options.maxRequestsPerSecond)}". 0 means no ceiling.`,
		});
	}
	return { concurrency, maxRequestsPerSecond: perSecond };
}
