/**
 * One poll of the KwikID Trigger: read the watched sessions, compare each status and checker
 * review with the last one seen, emit the changes.
 *
 * The constraints that shape it (see N8N-NOTES and API-NOTES):
 * - KwikID has no list or "changed since" endpoint, so every watched session costs one
 *   get_details per poll. Sessions in a final status are skipped (option), requests run in a
 *   small pool, and a poll that finds another one of the same trigger still running skips.
 * - n8n saves static data only when a poll emits. Every state change is therefore either
 *   saved with the items it explains, or harmless to lose (a re-baseline). n8n 2.x's durable
 *   scheduler also reloads it from the database for every poll: carry.ts keeps it in memory.
 * - A poll that throws loses its items. So the poll throws only when it has nothing to emit:
 *   when no session could be read at all, or to report invalid session ids (see `report`).
 */
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { Review } from '../shared/review';
import { makerOf, outcomeOf, readReview } from '../shared/review';
import { isPlausibleSessionId, normaliseSession, simplifySession } from '../shared/session';
import { redact } from '../shared/mask';
import type { KwikIdClient, KwikIdErrorContext, RetryPolicy } from '../transport';
import { connect, fetchSessionData, runPool } from '../transport';
import { inTurn, pollBudget, resumeAfter } from './budget';
import type { Carry } from './carry';
import { carry } from './carry';
import type { TriggerSettings } from './parameters';
import { readSettings } from './parameters';
import type { Seen, StoredCode } from './state';
import {
	decodeSeen,
	encodeSeen,
	fingerprint,
	INVALID_PENDING,
	INVALID_REPORTED,
	isInvalidMarker,
	readState,
	stateKey,
} from './state';

type Fetched =
	| { kind: 'ok'; status: string; data: IDataObject }
	/** 400 "Invalid session id": KwikID does not know it; asking again will not help. */
	| { kind: 'invalid' }
	/** 429 after the transport's retries, 5xx, network: try again next poll. */
	| { kind: 'failed'; error: unknown };

/**
 * A poll gives up on a session sooner than the node gives up on an item: nothing is lost (the
 * session is read again on the next poll), and a rate-limited account is better left alone
 * than asked again. With the stop on 429 below, a sustained 429 costs a poll about three
 * requests per session in flight, not one full retry round per watched session.
 */
export const POLL_RETRY: RetryPolicy = { rateLimitRetries: 2, transientRetries: 1, baseDelayMs: 250 };

/**
 * Failures every other request would share: no answer at all (host down, DNS, login failing),
 * the credential refused, or KwikID still rate-limiting after every retry. Starting the
 * remaining sessions would only add one timeout or retry round each (minutes for a long list)
 * before the same error; they are read on the next poll.
 */
function failsEveryRequest(result: Fetched): boolean {
	if (result.kind !== 'failed' || !(result.error instanceof NodeApiError)) return false;
	const code = result.error.httpCode;
	return !code || code === '401' || code === '403' || code === '429';
}

function isInvalidSessionError(error: unknown): boolean {
	if (typeof error !== 'object' || error === null || !('context' in error)) return false;
	const context = (error as { context: unknown }).context as KwikIdErrorContext | undefined;
	return context?.httpCode === '400' && /invalid session id/i.test(context.kwikIdMessage ?? '');
}

async function fetchOne(client: KwikIdClient, sessionId: string): Promise<Fetched> {
	try {
		const data = await fetchSessionData(client, sessionId);
		const status = data.session_status;
		// A 200 without a status cannot be compared with anything: treat it as a failed read
		// rather than record "" and later report a change from "" to the real status.
		if ((typeof status !== 'string' && typeof status !== 'number') || String(status) === '') {
			return { kind: 'failed', error: new Error('KwikID answered without a session status') };
		}
		return { kind: 'ok', status: String(status), data };
	} catch (error) {
		return isInvalidSessionError(error) ? { kind: 'invalid' } : { kind: 'failed', error };
	}
}

function toItem(
	sessionId: string,
	status: string,
	previous: Seen | undefined,
	data: IDataObject,
	review: Review,
	settings: TriggerSettings,
	at: string,
): INodeExecutionData {
	const { outcome, decided_by, is_final } = review;
	return {
		json: {
			session_id: sessionId,
			status,
			previous_status: previous?.status ?? null,
			outcome,
			previous_outcome: previous ? outcomeOf(previous.status, previous.checker ?? null, settings.checkerReview) : null,
			decided_by,
			// The checker rejected what the agent approved: worth its own branch in a workflow.
			overturned: review.review.maker === 'approved' && outcome === 'rejected' && decided_by === 'checker',
			// What this event is about: the agent's status, or (status unchanged) the checker's review.
			change: previous === undefined || previous.status !== status ? 'status' : 'checker',
			is_final,
			review: review.review,
			// When this poll saw the change, not when it happened: KwikID's answer has no such time.
			detected_at: at,
			// The first name of detected_at, kept for workflows that read it.
			changed_at: at,
			session: settings.simplify ? simplifySession(data, settings.checkerReview) : normaliseSession(data),
		},
	};
}

/** A checker state that is a verdict (a person finished reviewing), not a step on the way. */
const VERDICTS = new Set(['approved', 'rejected', 'unclear']);

/**
 * Whether what this poll saw is news against what the last one saw: the agent's status moved,
 * the outcome moved, or the checker reached a verdict. Against a state saved before the checker
 * was read (checker unknown), only a status change or a new final outcome counts, so upgrading
 * does not replay every session as a change.
 */
function isChange(previous: Seen, status: string, review: Review, settings: TriggerSettings): boolean {
	if (previous.status !== status) return true;
	const before = outcomeOf(previous.status, previous.checker ?? null, settings.checkerReview);
	if (previous.checker === undefined) return before !== review.outcome && review.is_final;
	return before !== review.outcome || (previous.checker !== review.review.checker && VERDICTS.has(String(review.review.checker)));
}

/** A session no later poll needs to read (with Stop Checking Final Sessions). */
function isSettled(code: StoredCode, settings: TriggerSettings): boolean {
	const seen = decodeSeen(code);
	if (!seen) return false;
	// Saved before the checker was read: an agent approval is read once more to learn the checker's word.
	if (seen.checker === undefined && makerOf(seen.status) === 'approved') return false;
	return outcomeOf(seen.status, seen.checker ?? null, settings.checkerReview) !== 'pending';
}

function matchesFilters(status: string, review: Review, settings: TriggerSettings): boolean {
	return (
		(settings.statuses.size === 0 || settings.statuses.has(status)) &&
		(settings.outcomes.size === 0 || settings.outcomes.has(review.outcome))
	);
}

function noSessionIds(context: IPollFunctions): NodeOperationError {
	return new NodeOperationError(context.getNode(), 'No session IDs to watch', {
		description:
			'Enter at least one session ID in Session IDs (separated by commas, spaces or new lines), or an expression such as {{ $vars.KYC_SESSIONS }} that returns them.',
	});
}

/**
 * "Fetch Test Event": the current details of the first watched session, in the shape a real
 * event has, so the next nodes can be mapped. It reads no state and writes none.
 */
async function sample(context: IPollFunctions, settings: TriggerSettings): Promise<INodeExecutionData[][]> {
	const sessionId = settings.sessionIds[0];
	if (sessionId === undefined) throw noSessionIds(context);
	if (!isPlausibleSessionId(sessionId)) {
		throw new NodeOperationError(context.getNode(), `"${redact(sessionId.slice(0, 60))}" is not a KwikID session ID`, {
			description: 'Use the session_id values from Send Link or Push DKYC Data: letters, digits and dashes.',
		});
	}
	const data = await fetchSessionData(await connect(context), sessionId);
	const status = String(data.session_status ?? '');
	const review = readReview(data, settings.checkerReview);
	return [[toItem(sessionId, status, undefined, data, review, settings, new Date().toISOString())]];
}

/**
 * Polls of one trigger may overlap (n8n has no guard). This in-memory record, keyed by the
 * trigger's static-data object (one per activation), lets a slow poll notice that a newer one has
 * already recorded fresher statuses, and tells the activation poll (ticket 1).
 * It is not state: a restart starts it afresh, and with it no poll is in flight.
 */
interface Flight {
	issued: number;
	committed: number;
}
const flights = new WeakMap<object, Flight>();

/**
 * Polls in flight per trigger (workflow and node), and when each started: a poll skips while
 * another is running. Per trigger, not per static-data object: n8n 2.x's durable scheduler gives
 * every poll its own object, and starts scheduled polls while the activation poll still runs.
 */
const inFlight = new Map<string, Map<object, number>>();

/** A poll running longer than this no longer blocks the next ones (it may be stuck). */
const STALE_POLL_MS = 10 * 60_000;

function flightOf(bucket: IDataObject): Flight {
	let flight = flights.get(bucket);
	if (!flight) {
		flight = { issued: 0, committed: 0 };
		flights.set(bucket, flight);
	}
	return flight;
}

/** Stand-in buckets for triggers whose static data is not an object (see stateBucket). */
const memoryBuckets = new Map<string, IDataObject>();

/** One active trigger: its workflow and node. */
function triggerKey(context: IPollFunctions): string {
	return `${context.getWorkflow().id ?? ''}:${context.getNode().id}`;
}

/**
 * The node's static data. n8n creates it as an object, but a hand-edited or damaged workflow
 * can hold anything there (a string, null, an array), and a node cannot replace the bucket
 * itself. Rather than crash, or forget every status each poll, such a trigger keeps its state in
 * memory (lost on restart, which is safe) and says so in the log.
 */
function stateBucket(context: IPollFunctions): IDataObject {
	const bucket: unknown = context.getWorkflowStaticData('node');
	if (typeof bucket === 'object' && bucket !== null && !Array.isArray(bucket)) return bucket as IDataObject;
	context.logger.warn('KwikID Trigger: its saved state is not an object; keeping state in memory only');
	const key = triggerKey(context);
	let memory = memoryBuckets.get(key);
	if (!memory) {
		memory = {};
		memoryBuckets.set(key, memory);
	}
	return memory;
}

export async function poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const settings = readSettings(this);
	if (this.getMode() === 'manual') return await sample(this, settings);
	if (settings.sessionIds.length === 0) {
		// An expression like {{ $vars.KYC_SESSIONS }} may be empty while nothing is pending:
		// nothing to do, and the state is left alone rather than emptied.
		return null;
	}

	const bucket = stateBucket(this);
	const flight = flightOf(bucket);
	const trigger = triggerKey(this);
	const running = inFlight.get(trigger) ?? new Map<object, number>();
	const startedAt = Date.now();
	for (const since of running.values()) {
		if (startedAt - since < STALE_POLL_MS) {
			this.logger.debug('KwikID Trigger: previous poll still running, skipping this one');
			return null;
		}
	}
	const ticket = ++flight.issued;
	const self = {};
	running.set(self, startedAt);
	inFlight.set(trigger, running);
	try {
		// Before anything reads the bucket: a poll that emitted nothing left its state here (carry.ts).
		const carrier = carry(bucket, trigger);
		return await pollOnce(this, settings, bucket, carrier, flight, ticket, new Date(startedAt).toISOString());
	} finally {
		running.delete(self);
		if (running.size === 0 && inFlight.get(trigger) === running) inFlight.delete(trigger);
	}
}

async function pollOnce(
	context: IPollFunctions,
	settings: TriggerSettings,
	bucket: IDataObject,
	carrier: Carry,
	flight: Flight,
	ticket: number,
	at: string,
): Promise<INodeExecutionData[][] | null> {
	// The credential is read on every poll: one edited while the trigger is active takes effect
	// at the next poll, and a new domain starts the state afresh (the fingerprint).
	const client = await connect(context, { retry: POLL_RETRY });
	const fp = fingerprint(client.baseUrl);
	const before = readState(bucket, fp);

	const budget = pollBudget(context); // n8n 2.x's poll budget (budget.ts)
	const candidates = settings.sessionIds.filter((id) => {
		if (!isPlausibleSessionId(id)) return false;
		const code = before.get(id);
		if (code === undefined) return true;
		if (isInvalidMarker(code)) return false;
		return !(settings.stopWhenFinal && isSettled(code, settings));
	});
	const toFetch = inTurn(candidates, bucket); // budget.ts: start where the last poll stopped
	const fetched = new Map<string, Fetched>();
	let stop = false;
	let started = 0;
	const results = await runPool(
		toFetch.length,
		settings.concurrency,
		async (index) => {
			started++;
			const result = await fetchOne(client, toFetch[index]);
			if (failsEveryRequest(result)) stop = true;
			return result;
		},
		() => stop || (budget !== undefined && !budget.mayStart(started)),
	);
	toFetch.forEach((id, index) => {
		const result = results[index];
		if (result) fetched.set(id, result);
	});

	// From here on everything is synchronous: no other poll can interleave with the commit.
	if (flight.committed > ticket) {
		// A poll that started later has already recorded statuses at least as fresh as ours.
		return null;
	}
	flight.committed = ticket;

	// Re-read: a poll that started earlier may have committed while we were fetching.
	const known = readState(bucket, fp);
	const next = new Map<string, StoredCode>();
	const items: INodeExecutionData[] = [];
	let failed = 0;
	let read = 0;
	let firstError: unknown;

	// Ids no longer in the list are not copied over: removing an id drops it.
	for (const id of settings.sessionIds) {
		const key = stateKey(id);
		const previous = known.get(key);
		const result = fetched.get(id);
		if (!isPlausibleSessionId(id) || result?.kind === 'invalid') {
			next.set(key, previous === INVALID_REPORTED ? INVALID_REPORTED : INVALID_PENDING);
			if (result) read++;
			continue;
		}
		if (result === undefined || result.kind === 'failed') {
			// Not read (final, known invalid) or not readable this time: keep what we knew.
			if (previous !== undefined) next.set(key, previous);
			if (result) {
				failed++;
				firstError ??= result.error;
			}
			continue;
		}
		read++;
		const review = readReview(result.data, settings.checkerReview);
		next.set(key, encodeSeen(result.status, review.review.checker));
		const matches = matchesFilters(result.status, review, settings);
		const seen = previous === undefined ? undefined : decodeSeen(previous);
		if (seen === undefined) {
			if (settings.emitCurrentStatus && matches) {
				items.push(toItem(id, result.status, undefined, result.data, review, settings, at));
			}
		} else if (isChange(seen, result.status, review, settings) && matches) {
			items.push(toItem(id, result.status, seen, result.data, review, settings, at));
		}
	}
	// budget.ts: where the next poll starts
	const extra = budget ? resumeAfter(toFetch, started) : {};
	carrier.write(bucket, fp, next, extra);

	if (failed > 0) {
		const unread = toFetch.length - read;
		context.logger.warn(`KwikID Trigger: ${unread} of ${toFetch.length} sessions not read in this poll; the next poll reads them`);
	}
	if (items.length > 0) return [items];
	if (failed > 0 && read === 0) throw allFailed(firstError, toFetch.length);
	// n8n runs one poll when it activates the workflow, and an error there fails the activation:
	// n8n would retry it with the state it saved before, asking KwikID again each time, and the
	// workflow would never run. So that poll only records invalid ids (n8n saves the state once
	// activated); the next poll reports them.
	if (ticket === 1) {
		warnPending(context, settings, next);
		return null;
	}
	return report(context, settings, (reported) => carrier.write(bucket, fp, reported, extra), next);
}

function pendingIds(settings: TriggerSettings, next: Map<string, StoredCode>): string[] {
	return settings.sessionIds.filter((id) => next.get(stateKey(id)) === INVALID_PENDING);
}

function describeIds(ids: string[]): string {
	const describe = (id: string): string =>
		isPlausibleSessionId(id)
			? `"${redact(id)}"`
			: `"${redact(id.slice(0, 40))}${id.length > 40 ? '…' : ''}" (not a session ID)`;
	const more = ids.length > 5 ? ` and ${ids.length - 5} more` : '';
	return `${ids.slice(0, 5).map(describe).join(', ')}${more}`;
}

function warnPending(context: IPollFunctions, settings: TriggerSettings, next: Map<string, StoredCode>): void {
	const pending = pendingIds(settings, next);
	if (pending.length === 0) return;
	context.logger.warn(`KwikID Trigger: KwikID does not know ${pending.length} watched session(s): ${describeIds(pending)}; reported at the next poll`);
}

/**
 * Reporting invalid ids, exactly once each, without ever losing a transition:
 * - An invalid id is stored as INVALID_PENDING and never requested again.
 * - A poll that has transitions emits them and reports nothing: throwing would drop the items.
 *   The pending marker is saved together with those items.
 * - The first poll with nothing to emit flips the pending ids to INVALID_REPORTED and throws
 *   one error naming them, which n8n records as an error execution.
 * The flip happens in memory right before the throw; n8n persists it with the next emitting
 * poll. If n8n restarts before that, the id is reported once more: a repeated notice, never a
 * lost or wrong transition.
 */
function report(
	context: IPollFunctions,
	settings: TriggerSettings,
	write: (next: Map<string, StoredCode>) => void,
	next: Map<string, StoredCode>,
): null {
	const pending = pendingIds(settings, next);
	if (pending.length === 0) return null;
	for (const id of pending) next.set(stateKey(id), INVALID_REPORTED);
	write(next);

	const shown = describeIds(pending);
	throw new NodeOperationError(
		context.getNode(),
		pending.length === 1
			? `KwikID does not know the watched session ${shown}`
			: `KwikID does not know ${pending.length} watched sessions: ${shown}`,
		{
			description:
				'They are no longer checked and this error is not repeated. Remove them from Session IDs: IDs must be session_id values from Send Link or Push DKYC Data, on the KwikID domain and environment of the credential.',
		},
	);
}

/** Every read failed (host down, credential rejected, rate limit): an error execution, not silence. */
function allFailed(error: unknown, count: number): Error {
	const note = `None of the ${count} watched sessions could be read in this poll. Nothing is lost: their statuses are compared again on the next poll.`;
	if (error instanceof Error) {
		// Keep the transport's NodeApiError (its message and httpCode tell what went wrong).
		const withDescription = error as Error & { description?: string | null };
		withDescription.description = withDescription.description
			? `${withDescription.description} ${note}`
			: note;
		return error;
	}
	return new Error(note);
}
