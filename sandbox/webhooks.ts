/**
 * The webhook sender: what KwikID's dashboard does (Subscription → Journey Configurator →
 * WEBHOOK) when the agent (maker) or the auditor (checker) decides. KwikID documents the four
 * events, POST, any URL and custom headers, and publishes no payload ("may vary"), no signature
 * and no retry policy; the payload shapes here are the ones both sides test (CONTRACT.md §3).
 *
 * A delivery goes only to a subscription's own URL: redirects are not followed (a 3xx counts as
 * a failure), and nothing else is ever called. A failed attempt (non-2xx, no answer, timeout) is
 * tried again with doubling delays, a bounded number of times.
 */
import type { DecisionEvent } from './sessions';

export const WEBHOOK_EVENTS: readonly DecisionEvent[] = ['Maker Approved', 'Maker Rejected', 'Checker Approved', 'Checker Rejected'];
export const PAYLOAD_SHAPES = ['flat', 'nested', 'dashboard', 'form', 'text'] as const;
export type PayloadShape = (typeof PAYLOAD_SHAPES)[number];
export type WebhookShape = PayloadShape | 'rotate';

export class WebhookInputError extends Error {}

/** What a caller gives: only `url` is required (all four events, no headers, `flat`). */
export interface WebhookInput {
	url: string;
	events?: string[];
	headers?: Record<string, string>;
	shape?: string;
}

export interface WebhookSubscription {
	id: string;
	url: string;
	events: DecisionEvent[];
	headers: Record<string, string>;
	shape: WebhookShape;
}

/** One attempt to deliver one decision to one subscription. */
export interface WebhookDelivery {
	/** Same for every attempt of one delivery. */
	delivery: number;
	subscription: string;
	/** The URL without its query (a secret may sit there). */
	url: string;
	event: DecisionEvent;
	shape: PayloadShape;
	session_id: string;
	/** When the decision happened (for measuring decision-to-receipt times). */
	decided_at: string;
	/** 1 for the first try. */
	attempt: number;
	/** HTTP status, or 'no answer' (refused, reset, timed out). */
	status: number | 'no answer';
	ok: boolean;
	/** Whether another attempt is scheduled. */
	retrying: boolean;
	at: string;
	ms: number;
}

export interface WebhookRetry {
	/** Delay before the second attempt; doubles for each one after. Default 1000 ms. */
	baseMs?: number;
	/** Attempts in all, the first included. Default 5. */
	attempts?: number;
	/** How long one attempt may wait for an answer. Default 10 000 ms. */
	timeoutMs?: number;
}

/** What the payloads say about the session, read when the decision happens. */
export interface SessionFacts {
	session_id: string;
	user_id: string;
	session_status: string;
	audit_result: string;
	auditor_feedback: string;
}

export interface Payload {
	contentType: string;
	body: string;
}

const EVENT_CODES: Record<DecisionEvent, string> = {
	'Maker Approved': 'maker_approved',
	'Maker Rejected': 'maker_rejected',
	'Checker Approved': 'checker_approved',
	'Checker Rejected': 'checker_rejected',
};

/** "Checker Rejected", "checker_rejected", "CHECKER-REJECTED" and "checker rejected" all name one event. */
export function parseEvent(text: string): DecisionEvent {
	const key = text.trim().toLowerCase().replace(/[\s_-]+/g, '_');
	const found = WEBHOOK_EVENTS.find((event) => EVENT_CODES[event] === key);
	if (!found) throw new WebhookInputError(`unknown event "${text}"; events: ${WEBHOOK_EVENTS.join(', ')}`);
	return found;
}

export function parseShape(text: string): WebhookShape {
	if (text === 'rotate' || (PAYLOAD_SHAPES as readonly string[]).includes(text)) return text as WebhookShape;
	throw new WebhookInputError(`unknown shape "${text}"; shapes: ${PAYLOAD_SHAPES.join(', ')}, rotate`);
}

/** "Authorization: Bearer x" -> ["Authorization", "Bearer x"] */
export function parseHeaderLine(line: string): [string, string] {
	const colon = line.indexOf(':');
	if (colon <= 0) throw new WebhookInputError(`a header is "Name: value" (got "${line}")`);
	return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the sender sets itself. */
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'host', 'transfer-encoding', 'connection']);

function checkedUrl(text: unknown): string {
	if (typeof text !== 'string' || text === '') throw new WebhookInputError('url must be a non-empty string');
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		throw new WebhookInputError(`url is not a URL: "${text}"`);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new WebhookInputError('url must be http or https (as in KwikID\'s dashboard)');
	if (url.username || url.password) throw new WebhookInputError('url must not carry a user or password; use a header');
	return url.toString();
}

export function checkedSubscription(input: WebhookInput, id: string): WebhookSubscription {
	const url = checkedUrl(input.url);
	const events = input.events === undefined ? [...WEBHOOK_EVENTS] : input.events.map(parseEvent);
	if (events.length === 0) throw new WebhookInputError('events must name at least one event');
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(input.headers ?? {})) {
		if (!HEADER_NAME.test(name)) throw new WebhookInputError(`header name "${name}" is not valid`);
		if (RESERVED_HEADERS.has(name.toLowerCase())) throw new WebhookInputError(`header ${name} is set by the sender`);
		if (typeof value !== 'string' || /[\r\n\0]/.test(value)) throw new WebhookInputError(`header ${name} must be one line of text`);
		headers[name] = value;
	}
	const shape = parseShape(input.shape ?? 'flat');
	return { id, url, events: [...new Set(events)], headers, shape };
}

/** The URL as logs show it: no query, no fragment. */
export function urlWithoutQuery(url: string): string {
	const parsed = new URL(url);
	return `${parsed.origin}${parsed.pathname}`;
}

/** Epoch seconds with a fraction, as KwikID's times are written. */
function epochText(ms: number): string {
	const text = String(ms / 1000);
	return text.includes('.') ? text : `${text}.0`;
}

export function buildPayload(shape: PayloadShape, event: DecisionEvent, facts: SessionFacts, atMs: number): Payload {
	const flat = {
		event,
		session_id: facts.session_id,
		user_id: facts.user_id,
		session_status: facts.session_status,
		timestamp: epochText(atMs),
	};
	switch (shape) {
		case 'flat':
			return { contentType: 'application/json', body: JSON.stringify(flat) };
		case 'text':
			return { contentType: 'text/plain; charset=utf-8', body: JSON.stringify(flat) };
		case 'nested':
			return {
				contentType: 'application/json',
				body: JSON.stringify({
					event_type: EVENT_CODES[event].toUpperCase(),
					data: { sessionId: facts.session_id, userId: facts.user_id, status: facts.session_status },
					sent_at: Math.floor(atMs / 1000),
				}),
			};
		case 'dashboard':
			return {
				contentType: 'application/json',
				body: JSON.stringify({
					webhook: { name: EVENT_CODES[event] },
					payload: {
						session: {
							session_id: facts.session_id,
							session_status: facts.session_status,
							audit_result: facts.audit_result,
							auditor_feedback: facts.auditor_feedback,
						},
					},
				}),
			};
		case 'form':
			return {
				contentType: 'application/x-www-form-urlencoded',
				body: new URLSearchParams({ event, session_id: facts.session_id, user_id: facts.user_id }).toString(),
			};
	}
}

interface Job {
	delivery: number;
	subscription: WebhookSubscription;
	event: DecisionEvent;
	shape: PayloadShape;
	sessionId: string;
	payload: Payload;
	attempt: number;
	decidedAt: number;
}

export class WebhookSender {
	private subscriptions: WebhookSubscription[] = [];
	private log: WebhookDelivery[] = [];
	private readonly rotation = new Map<string, number>();
	private nextId = 1;
	private nextDelivery = 1;
	/** Attempts running or waiting for their retry delay. */
	private active = 0;
	private readonly timers = new Set<NodeJS.Timeout>();
	private abort = new AbortController();
	private waiters: Array<() => void> = [];
	/** Attempts recorded since the last clear, for waitForAttempts. */
	private recorded = 0;
	private countWaiters: Array<{ count: number; resolve: (log: WebhookDelivery[]) => void }> = [];
	private readonly baseMs: number;
	private readonly attempts: number;
	private readonly timeoutMs: number;

	constructor(
		retry: WebhookRetry,
		/** Called for every finished attempt (the request log). */
		private readonly onAttempt: (delivery: WebhookDelivery) => void,
		private readonly logLimit = 1000,
	) {
		this.baseMs = retry.baseMs ?? 1000;
		this.attempts = retry.attempts ?? 5;
		this.timeoutMs = retry.timeoutMs ?? 10_000;
		if (!(this.baseMs >= 0) || !Number.isInteger(this.attempts) || this.attempts < 1 || !(this.timeoutMs > 0)) {
			throw new WebhookInputError('webhook retry: baseMs >= 0, attempts a whole number >= 1, timeoutMs > 0');
		}
	}

	add(input: WebhookInput): WebhookSubscription {
		const subscription = checkedSubscription(input, `wh${this.nextId}`);
		this.nextId += 1;
		this.subscriptions.push(subscription);
		return structuredClone(subscription);
	}

	list(): WebhookSubscription[] {
		return structuredClone(this.subscriptions);
	}

	remove(id: string): boolean {
		const before = this.subscriptions.length;
		this.subscriptions = this.subscriptions.filter((subscription) => subscription.id !== id);
		return this.subscriptions.length < before;
	}

	deliveries(): WebhookDelivery[] {
		return structuredClone(this.log);
	}

	/** Resolves once no attempt is running or waiting for a retry. */
	settled(): Promise<void> {
		if (this.active === 0) return Promise.resolve();
		return new Promise((resolve) => this.waiters.push(resolve));
	}

	/** Resolves with the deliveries list once `count` attempts have finished since the last clear. */
	waitForAttempts(count: number): Promise<WebhookDelivery[]> {
		if (this.recorded >= count) return Promise.resolve(this.deliveries());
		return new Promise((resolve) => this.countWaiters.push({ count, resolve }));
	}

	/** Sends `event` to every subscription that wants it; returns at once. */
	deliver(event: DecisionEvent, facts: SessionFacts, atMs: number): void {
		for (const subscription of this.subscriptions) {
			if (!subscription.events.includes(event)) continue;
			const shape = this.shapeFor(subscription);
			const job: Job = {
				delivery: this.nextDelivery++,
				subscription: structuredClone(subscription),
				event,
				shape,
				sessionId: facts.session_id,
				payload: buildPayload(shape, event, facts, atMs),
				attempt: 1,
				decidedAt: atMs,
			};
			this.active += 1;
			void this.run(job);
		}
	}

	/** Forgets subscriptions and deliveries, and stops every attempt and retry under way. */
	clear(subscriptions: readonly WebhookInput[] = []): void {
		this.stop();
		this.subscriptions = [];
		this.log = [];
		this.recorded = 0;
		this.rotation.clear();
		for (const input of subscriptions) this.add(input);
	}

	/** Stops everything under way (attempts are aborted, retries dropped); waiters are released. */
	stop(): void {
		this.abort.abort();
		this.abort = new AbortController();
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		this.active = 0;
		this.release();
		// No count can be reached after a stop: hand waiters what there is.
		const pending = this.countWaiters;
		this.countWaiters = [];
		for (const waiter of pending) waiter.resolve(this.deliveries());
	}

	private shapeFor(subscription: WebhookSubscription): PayloadShape {
		if (subscription.shape !== 'rotate') return subscription.shape;
		const turn = this.rotation.get(subscription.id) ?? 0;
		this.rotation.set(subscription.id, turn + 1);
		return PAYLOAD_SHAPES[turn % PAYLOAD_SHAPES.length];
	}

	private async run(job: Job): Promise<void> {
		const signal = this.abort.signal;
		const started = Date.now();
		let status: number | 'no answer' = 'no answer';
		try {
			const response = await fetch(job.subscription.url, {
				method: 'POST',
				headers: { ...job.subscription.headers, 'Content-Type': job.payload.contentType },
				body: job.payload.body,
				// Only the configured URL: a redirect is an answer, not somewhere else to go.
				redirect: 'manual',
				signal: AbortSignal.any([signal, AbortSignal.timeout(this.timeoutMs)]),
			});
			status = response.status;
			await response.arrayBuffer().catch(() => undefined);
		} catch {
			status = 'no answer';
		}
		if (signal.aborted) return;
		const ok = typeof status === 'number' && status >= 200 && status < 300;
		const retrying = !ok && job.attempt < this.attempts;
		const entry: WebhookDelivery = {
			delivery: job.delivery,
			subscription: job.subscription.id,
			url: urlWithoutQuery(job.subscription.url),
			event: job.event,
			shape: job.shape,
			session_id: job.sessionId,
			decided_at: new Date(job.decidedAt).toISOString(),
			attempt: job.attempt,
			status,
			ok,
			retrying,
			at: new Date(started).toISOString(),
			ms: Date.now() - started,
		};
		this.log.push(entry);
		if (this.log.length > this.logLimit) this.log = this.log.slice(-this.logLimit);
		this.recorded += 1;
		this.onAttempt(entry);
		const due = this.countWaiters.filter((waiter) => waiter.count <= this.recorded);
		if (due.length > 0) {
			this.countWaiters = this.countWaiters.filter((waiter) => waiter.count > this.recorded);
			for (const waiter of due) waiter.resolve(this.deliveries());
		}
		if (retrying) {
			const timer = setTimeout(() => {
				this.timers.delete(timer);
				void this.run({ ...job, attempt: job.attempt + 1 });
			}, this.baseMs * 2 ** (job.attempt - 1));
			this.timers.add(timer);
			return;
		}
		this.active -= 1;
		if (this.active === 0) this.release();
	}

	private release(): void {
		const waiters = this.waiters;
		this.waiters = [];
		for (const resolve of waiters) resolve();
	}
}
