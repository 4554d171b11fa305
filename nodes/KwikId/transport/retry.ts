/**
 * The one retry policy, for API calls and media downloads alike.
 *
 * - 429: the API did not process the request, so it is always safe to send again. The wait is
 *   Retry-After when sent, else a short doubling backoff: the credential's rate-limit gate
 *   (throttle.ts) narrows the number of requests in flight, which is what relieves the API; the
 *   item's own wait only spreads the retries out. A 429 counts against the item's retries only
 *   when the account accepted nothing since the item's previous answer: while others get
 *   through, the account is busy and the item waits its turn (the gate's queue is first come,
 *   first served), rather than failing because it was unlucky in a crowd. An item refused while
 *   the account accepts others is still bounded (REFUSALS_PER_RETRY times the retries).
 * - 5xx, 408 and lost connections: retried only for requests that are safe to send twice. Send
 *   Link and Push DKYC may have created a session and are never resent.
 * - Failed logins, refused connections, unknown hosts and addresses n8n's SSRF protection refuses
 *   are never retried: they would fail the same way.
 */
import { retryAfterMs } from './token';
import type { ApiFailure } from './errors';

export interface RetryPolicy {
	/** Retries after 429. */
	rateLimitRetries: number;
	/** Retries of idempotent requests after 5xx or a dropped connection. */
	transientRetries: number;
	/** First wait after a 429 without Retry-After; doubles each retry. Transient failures wait 4x as long. */
	baseDelayMs: number;
}

/** 250 ms doubling six times: about 16 s of patience for one item before it fails with 429. */
export const DEFAULT_RETRY: RetryPolicy = { rateLimitRetries: 6, transientRetries: 2, baseDelayMs: 250 };

export interface RetryCounts {
	/** 429s during which the account accepted nothing else: these use up `rateLimitRetries`. */
	rateLimited: number;
	/** Every 429 retried, also those while the account accepted other requests. */
	refused: number;
	transient: number;
}

/** How many 429s an item may meet in all, per retry of `rateLimitRetries`. */
export const REFUSALS_PER_RETRY = 5;

export function freshCounts(): RetryCounts {
	return { rateLimited: 0, refused: 0, transient: 0 };
}

/**
 * Counts a retry `nextRetry` granted. `accountMoved`: whether the account accepted any other
 * request since this item's previous answer (the gate's `accepted` grew).
 */
export function countRetry(counts: RetryCounts, kind: 'rateLimited' | 'transient', accountMoved: boolean): void {
	if (kind === 'transient') {
		counts.transient++;
		return;
	}
	counts.refused++;
	if (!accountMoved) counts.rateLimited++;
}

export type RetryDecision =
	| { retry: false }
	| { retry: true; kind: 'rateLimited' | 'transient'; delayMs: number; retryAfterMs?: number };

function jittered(ms: number): number {
	// Jitter spreads out parallel items that failed together.
	return ms * (0.75 + Math.random() * 0.5);
}

export function isTransient(failure: ApiFailure): boolean {
	if (failure.loginFailure !== undefined) return false;
	if (failure.status === undefined) {
		return failure.ssrf === undefined && failure.code !== 'ECONNREFUSED' && failure.code !== 'ENOTFOUND' && failure.code !== 'EAI_AGAIN';
	}
	return failure.status >= 500 || failure.status === 408;
}

/** Whether to try again after `failure`, and how long to wait first. Updates nothing. */
export function nextRetry(
	policy: RetryPolicy,
	failure: ApiFailure,
	counts: RetryCounts,
	idempotent: boolean,
): RetryDecision {
	const refusals = policy.rateLimitRetries * REFUSALS_PER_RETRY;
	if (failure.status === 429 && counts.rateLimited < policy.rateLimitRetries && counts.refused < refusals) {
		const fallback = jittered(policy.baseDelayMs * 2 ** counts.rateLimited);
		const header = failure.headers['retry-after'];
		const said = retryAfterMs(header, -1);
		// Never less than a tenth of the backoff: a limiter answering "Retry-After: 0" under
		// sustained load would otherwise see every retry arrive within milliseconds.
		const delayMs = Math.max(said >= 0 ? said : fallback, fallback / 10);
		return { retry: true, kind: 'rateLimited', delayMs, ...(said >= 0 ? { retryAfterMs: said } : {}) };
	}
	if (idempotent && isTransient(failure) && counts.transient < policy.transientRetries) {
		return { retry: true, kind: 'transient', delayMs: jittered(policy.baseDelayMs * 4 * 2 ** counts.transient) };
	}
	return { retry: false };
}
