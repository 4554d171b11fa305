/**
 * The one retry policy, for API calls and media downloads alike.
 *
 * - 429: the API did not process the request, so it is always safe to send again. The wait is
 *   Retry-After when sent, else a short doubling backoff: the credential's rate-limit gate
 *   (throttle.ts) narrows the number of requests in flight, which is what relieves the API; the
 *   item's own wait only spreads the retries out.
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
	rateLimited: number;
	transient: number;
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
	if (failure.status === 429 && counts.rateLimited < policy.rateLimitRetries) {
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
