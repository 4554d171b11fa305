/**
 * The KwikID Webhook Trigger's parameters: their description for the editor, and reading them
 * back into one typed settings object so the rest never handles raw parameter values.
 */
import type { INodeProperties, IWebhookFunctions } from 'n8n-workflow';

import type { CheckerReview } from '../../shared/review';
import { checkerReviewOf, checkerReviewOption, OUTCOMES } from '../../shared/review';
import { SESSION_STATUSES } from '../../shared/session';
import { WEBHOOK_EVENTS } from './events';

/** Default window in which a repeated delivery is answered but not emitted again. */
export const DEFAULT_REPEAT_WINDOW_SEC = 3600;

export const SETUP_NOTICE =
	"Set up in KwikID's dashboard: 1. Copy this node's Production URL (Webhook URLs above; the workflow must be active). 2. In KwikID, open Subscription → Journey Configurator → WEBHOOK, add a webhook with method POST and that URL, and tick the events (Maker Approved, Maker Rejected, Checker Approved, Checker Rejected). 3. Add a custom header there, e.g. Authorization with a long random value, and enter the same name and value in this node's KwikID Webhook API credential. Calls without that header are refused (401/403); every call is checked against the KwikID API before the workflow starts.";

export const webhookTriggerProperties: INodeProperties[] = [
	{
		displayName: SETUP_NOTICE,
		name: 'setupNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		options: WEBHOOK_EVENTS.map(({ name, value, description }) => ({ name, value, description })),
		default: [],
		description:
			'Start the workflow only for calls naming one of these events. Leave empty for every call, events KwikID adds later included. The event is what the call says; the session data always comes from the KwikID API.',
	},
	{
		displayName: 'Outcomes',
		name: 'outcomes',
		type: 'multiOptions',
		options: OUTCOMES.map(({ name, value, description }) => ({ name, value, description })),
		default: [],
		description:
			'Start the workflow only when the session, as the KwikID API reports it, has one of these outcomes. Leave empty for any.',
	},
	{
		displayName: 'Statuses',
		name: 'statuses',
		type: 'multiOptions',
		options: SESSION_STATUSES.map(({ name, value, description }) => ({ name, value, description })),
		default: [],
		description:
			'Start the workflow only when the session, as the KwikID API reports it, has one of these statuses. Leave empty for any.',
	},
	{
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: true,
		description:
			'Whether to return the compact session record of Get Session (IDs, status, outcome, review, agent, times, documents, media) instead of every field KwikID sends',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Allowed IP Addresses',
				name: 'allowedIps',
				type: 'string',
				default: '',
				placeholder: 'e.g. 203.0.113.10, 198.51.100.0/24',
				description:
					"Accept calls only from these addresses or ranges (CIDR), separated by commas. Leave empty for any address. Behind a reverse proxy, set n8n's N8N_PROXY_HOPS so n8n sees the caller's address.",
			},
			{ ...checkerReviewOption, displayOptions: { show: { '/simplify': [true] } } },
			{
				displayName: 'Emit Unverified Calls When KwikID Is Down',
				name: 'emitUnverified',
				type: 'boolean',
				default: false,
				description:
					'Whether to start the workflow with the call\'s own data, marked verified: false, when the KwikID API cannot be reached. Off: such a call is answered 503 so KwikID sends it again later. Never used when Outcomes or Statuses filter.',
			},
			{
				displayName: 'Event Path',
				name: 'eventPath',
				type: 'string',
				default: '',
				placeholder: 'e.g. webhook.name',
				description:
					'Where the event name is in the call\'s body, as a dotted path. Leave empty to find it (event, event_type, webhook.name, ...).',
			},
			{
				displayName: 'Ignore Repeats Within (Seconds)',
				name: 'repeatWindow',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: DEFAULT_REPEAT_WINDOW_SEC,
				description:
					'A call repeating one already emitted (same session, event and verified data) within this time is answered 200 and does not start the workflow again. 0 turns this off.',
			},
			{
				displayName: 'Session ID Path',
				name: 'sessionIdPath',
				type: 'string',
				default: '',
				placeholder: 'e.g. payload.session.session_id',
				description:
					'Where the session ID is in the call\'s body, as a dotted path. Leave empty to find it under the usual keys (session_id, sessionId, data.session_id, ...).',
			},
		],
	},
];

export interface WebhookSettings {
	events: ReadonlySet<string>;
	outcomes: ReadonlySet<string>;
	statuses: ReadonlySet<string>;
	simplify: boolean;
	checkerReview: CheckerReview;
	allowedIps: string;
	emitUnverified: boolean;
	eventPath: string;
	sessionIdPath: string;
	/** Milliseconds; 0: every call is emitted. */
	repeatWindowMs: number;
}

interface WebhookOptions {
	allowedIps?: unknown;
	checkerReview?: unknown;
	emitUnverified?: unknown;
	eventPath?: unknown;
	repeatWindow?: unknown;
	sessionIdPath?: unknown;
}

function stringSet(value: unknown): Set<string> {
	return new Set(Array.isArray(value) ? value.map((entry) => String(entry)) : []);
}

function textOf(value: unknown): string {
	return typeof value === 'string' ? value.trim() : '';
}

function windowMs(value: unknown): number {
	const seconds = typeof value === 'number' ? value : Number(value ?? DEFAULT_REPEAT_WINDOW_SEC);
	if (!Number.isFinite(seconds) || seconds <= 0) return 0;
	return Math.floor(seconds * 1000);
}

export function readSettings(context: IWebhookFunctions): WebhookSettings {
	const options = context.getNodeParameter('options', {}) as WebhookOptions;
	return {
		events: stringSet(context.getNodeParameter('events', [])),
		outcomes: stringSet(context.getNodeParameter('outcomes', [])),
		statuses: stringSet(context.getNodeParameter('statuses', [])),
		simplify: context.getNodeParameter('simplify', true) !== false,
		checkerReview: checkerReviewOf(options.checkerReview),
		allowedIps: textOf(options.allowedIps),
		emitUnverified: options.emitUnverified === true,
		eventPath: textOf(options.eventPath),
		sessionIdPath: textOf(options.sessionIdPath),
		repeatWindowMs: windowMs(options.repeatWindow),
	};
}
