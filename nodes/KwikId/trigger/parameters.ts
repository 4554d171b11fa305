/**
 * The KwikID Trigger's parameters: their description for the editor, and reading them back
 * into one typed settings object so the poll never handles raw parameter values.
 */
import type { INodeProperties, IPollFunctions } from 'n8n-workflow';

import type { CheckerReview } from '../shared/review';
import { checkerReviewOf, checkerReviewOption, OUTCOMES } from '../shared/review';
import { SESSION_STATUSES } from '../shared/session';

export const DEFAULT_CONCURRENCY = 10;
/** KwikID rate-limits (429) without saying how much: keep the pool small whatever is typed. */
export const MAX_CONCURRENCY = 20;

export const triggerProperties: INodeProperties[] = [
	{
		displayName: 'Session IDs',
		name: 'sessionIds',
		type: 'string',
		typeOptions: { rows: 3 },
		required: true,
		default: '',
		placeholder: 'e.g. 8b19b5c9-36de-47a2-9cb8-1025f36da034, 0f6e2a51-6a8d-4c1e-9a43-2f1c7d0b5e6a',
		description:
			'The sessions to watch, separated by commas, spaces or new lines: the session_id values that Send Link or Push DKYC Data returned. KwikID has no way to list sessions. An expression such as {{ $vars.KYC_SESSIONS }} (n8n Variables, on paid plans; about 27 IDs) can supply them; for long lists use a Schedule Trigger with Get Session instead. Adding IDs keeps what is known about the others.',
	},
	{
		displayName: 'Statuses',
		name: 'statuses',
		type: 'multiOptions',
		options: SESSION_STATUSES.map(({ name, value, description }) => ({ name, value, description })),
		default: [],
		description:
			"Start the workflow only when a session moves into one of these statuses (KwikID's session_status, the agent's side). Leave empty to start it on every change, statuses KwikID adds later included.",
	},
	{
		displayName: 'Outcomes',
		name: 'outcomes',
		type: 'multiOptions',
		options: OUTCOMES.map(({ name, value, description }) => ({ name, value, description })),
		default: [],
		description:
			"Start the workflow only when a session's outcome (the agent's and the checker's decision together) is one of these. Leave empty for any. Approved never includes a session the checker rejected.",
	},
	{
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: true,
		description: 'Whether to return a simplified version of the response instead of the raw data',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			checkerReviewOption,
			{
				displayName: 'Emit Current Status of New Sessions',
				name: 'emitCurrentStatus',
				type: 'boolean',
				default: false,
				description:
					'Whether to start the workflow with the current status of a session the first time the trigger sees it. Off: the first check only records the status and later changes start the workflow.',
			},
			{
				displayName: 'Max Concurrent Requests',
				name: 'maxConcurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: MAX_CONCURRENCY },
				default: DEFAULT_CONCURRENCY,
				description:
					'How many sessions are read from KwikID at the same time in one check. Lower it if KwikID answers with rate-limit errors (429).',
			},
			{
				displayName: 'Stop Checking Final Sessions',
				name: 'stopWhenFinal',
				type: 'boolean',
				default: true,
				description:
					'Whether to stop reading a session once its outcome is final (approved, rejected or closed), so each check only costs requests for sessions still in progress. A session the agent approved stays watched while it waits for the checker.',
			},
		],
	},
];

export interface TriggerSettings {
	sessionIds: string[];
	/** Empty: any change. */
	statuses: ReadonlySet<string>;
	/** Empty: any outcome. */
	outcomes: ReadonlySet<string>;
	checkerReview: CheckerReview;
	simplify: boolean;
	emitCurrentStatus: boolean;
	stopWhenFinal: boolean;
	concurrency: number;
}

interface TriggerOptions {
	checkerReview?: unknown;
	emitCurrentStatus?: boolean;
	maxConcurrency?: number;
	stopWhenFinal?: boolean;
}

/**
 * Splits the Session IDs text. Besides commas, spaces and new lines it tolerates semicolons,
 * quotes and brackets, so a variable holding a JSON array (`["a","b"]`) works too; none of
 * those characters can be part of a session id. Order is kept (manual mode samples the first),
 * duplicates are dropped.
 */
export function parseSessionIds(value: unknown): string[] {
	const parts: string[] = [];
	const collect = (entry: unknown): void => {
		if (Array.isArray(entry)) {
			for (const inner of entry) collect(inner);
		} else if (typeof entry === 'string' || typeof entry === 'number') {
			parts.push(...String(entry).split(/[\s,;"'[\]]+/));
		}
	};
	collect(value);
	return [...new Set(parts.filter((part) => part !== ''))];
}

function clampConcurrency(value: unknown): number {
	const number = typeof value === 'number' ? value : Number(value);
	if (!Number.isFinite(number)) return DEFAULT_CONCURRENCY;
	return Math.min(MAX_CONCURRENCY, Math.max(1, Math.floor(number)));
}

export function readSettings(context: IPollFunctions): TriggerSettings {
	const statuses = context.getNodeParameter('statuses', []) as unknown;
	const outcomes = context.getNodeParameter('outcomes', []) as unknown;
	const options = context.getNodeParameter('options', {}) as TriggerOptions;
	return {
		sessionIds: parseSessionIds(context.getNodeParameter('sessionIds', '')),
		statuses: new Set(Array.isArray(statuses) ? statuses.map((status) => String(status)) : []),
		// Kept as given: a value that is no outcome (a typo in an expression) matches nothing,
		// rather than emptying the filter into "any".
		outcomes: new Set(Array.isArray(outcomes) ? outcomes.map((outcome) => String(outcome)) : []),
		checkerReview: checkerReviewOf(options.checkerReview),
		simplify: context.getNodeParameter('simplify', true) !== false,
		emitCurrentStatus: options.emitCurrentStatus === true,
		stopWhenFinal: options.stopWhenFinal !== false,
		concurrency: clampConcurrency(options.maxConcurrency ?? DEFAULT_CONCURRENCY),
	};
}
