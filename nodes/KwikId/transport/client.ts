/**
 * The client one node run (or one trigger poll) talks to KwikID through.
 *
 * `connect` reads the credential once: the base URL, the account (for the rate-limit gate) and
 * the stored token. Every request then passes the requests-per-second pacer (if set) and the
 * account's rate-limit gate, carries the token (auth.ts), is retried by the one retry policy
 * (retry.ts), and fails as a NodeApiError worded for the user (errors.ts).
 */
import type { IHttpRequestOptions } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import type { ApiPaths } from '../shared/apiPaths';
import { apiPaths, resolveApiPrefixes } from '../shared/apiPaths';
import { resolveBaseUrl } from '../shared/baseUrl';
import { PROBE_SESSION_ID, TokenHolder } from './auth';
import type { ApiFailure } from './errors';
import { extractFailure, mediaError, mediaRefusal, toNodeApiError, unexpectedAnswer } from './errors';
import type { DownloadedFile } from './media';
import { mediaRequest, mediaTarget, readMedia, refusedMedia, TooLarge } from './media';
import type { RetryCounts, RetryPolicy } from './retry';
import { countRetry, DEFAULT_RETRY, freshCounts, isTransient, nextRetry } from './retry';
import type { Outcome as LoadSignal, Permit, RateGate } from './throttle';
import { Cancelled, gateFor, Pacer, systemClock } from './throttle';
import { retryAfterMs } from './token';
import type { ApiRequest, KwikIdFunctions } from './types';
import { CREDENTIAL_TYPE } from './types';

export interface ClientOptions {
	/** Ceiling on request starts per second for this run; 0 or absent: none. */
	maxRequestsPerSecond?: number;
	retry?: RetryPolicy;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/** Where a redirect answer points, resolved against the URL that was asked. */
function redirectTarget(failure: ApiFailure, from: string): URL | undefined {
	if (failure.status === undefined || !REDIRECTS.has(failure.status)) return undefined;
	const location = failure.headers.location;
	const text = Array.isArray(location) ? location[0] : location;
	if (typeof text !== 'string' || text === '') return undefined;
	try {
		return new URL(text, from);
	} catch {
		return undefined;
	}
}

/** Default ceiling for one media file. */
export const DEFAULT_MAX_FILE_BYTES = 250 * 1024 * 1024;

/** A request's end: its answer, or the failure the retry policy gave up on. */
type Outcome =
	| { ok: true; value: unknown }
	| { ok: false; failure: ApiFailure; counts: RetryCounts }
	/** The execution was cancelled before the request was sent. */
	| { ok: false; cancelled: true };

export class KwikIdClient {
	private readonly pacer: Pacer;
	private readonly retry: RetryPolicy;

	constructor(
		private readonly context: KwikIdFunctions,
		readonly baseUrl: string,
		/** The endpoints below `baseUrl`, with the credential's path prefixes. */
		readonly paths: ApiPaths,
		private readonly tokens: TokenHolder,
		private readonly gate: RateGate,
		options: ClientOptions = {},
	) {
		this.pacer = new Pacer(options.maxRequestsPerSecond ?? 0);
		this.retry = options.retry ?? DEFAULT_RETRY;
	}

	/** The execution's cancel signal (the trigger has none). */
	private cancelSignal(): AbortSignal | undefined {
		return 'getExecutionCancelSignal' in this.context ? this.context.getExecutionCancelSignal() : undefined;
	}

	async request<T>(request: ApiRequest): Promise<T> {
		const options: IHttpRequestOptions = {
			method: request.method,
			url: `${this.baseUrl}${request.path}`,
			headers: { accept: 'application/json' },
			json: true,
			timeout: 60_000,
			// Every request carries the token: n8n's redirect handling would keep the `auth` header
			// on the way to another host. Redirects are followed here, within the same origin only.
			disableFollowRedirect: true,
		};
		if (request.body !== undefined) options.body = request.body;
		// A cancelled execution abandons reads at once. A request that creates a session is left
		// to finish: cut off, nobody would know whether it created one.
		const signal = request.idempotent ? this.cancelSignal() : undefined;
		if (signal) options.abortSignal = signal;
		for (let hop = 0; ; hop++) {
			const outcome = await this.withRetries(request.idempotent, true, async (pace) => await this.tokens.send(options, pace));
			if (!outcome.ok && 'cancelled' in outcome) throw new Cancelled();
			if (!outcome.ok) {
				const from = String(options.url);
				const next = redirectTarget(outcome.failure, from);
				// 307/308 keep the method and body; a POST answered 301-303 was not meant to be resent.
				const keepsMethod = request.method === 'GET' || outcome.failure.status === 307 || outcome.failure.status === 308;
				if (next && next.origin === new URL(from).origin && keepsMethod && hop < MAX_REDIRECTS) {
					options.url = next.toString();
					continue;
				}
				if (next) outcome.failure.redirectTo = next;
				throw toNodeApiError(this.context, outcome.failure, request, outcome.counts.refused);
			}
			const problem = request.problem?.(outcome.value);
			if (problem !== undefined) throw unexpectedAnswer(this.context, request, problem, outcome.value);
			return outcome.value as T;
		}
	}

	/**
	 * Downloads a media link of a session. On KwikID's own origin it carries the token and
	 * passes the account's gate; on any other host it goes without the token, so the token
	 * never leaves KwikID.
	 */
	async download(link: string, itemIndex?: number, maxBytes = DEFAULT_MAX_FILE_BYTES): Promise<DownloadedFile> {
		let target = mediaTarget(link, this.baseUrl);
		for (let hop = 0; ; hop++) {
			// Every hop is checked: a redirect is as untrusted as the link itself.
			const refused = refusedMedia(target.url, this.baseUrl);
			if (refused) throw mediaRefusal(this.context, target.url, refused, itemIndex);
			const options = mediaRequest(target);
			// The request's own signal, so a file that is refused or breaks while read is let go:
			// the stream n8n hands over does not close its connection when destroyed before it is
			// read, and that socket would stay open in n8n's process.
			const connection = new AbortController();
			const signal = this.cancelSignal();
			options.abortSignal = signal ? AbortSignal.any([signal, connection.signal]) : connection.signal;
			const send = target.sameOrigin
				? async (pace: () => Promise<void>) => await this.tokens.send(options, pace)
				: async (pace: () => Promise<void>) => {
						await pace();
						return await this.context.helpers.httpRequest({ ...options });
					};
			const outcome = await this.withRetries(true, target.sameOrigin, send);
			if (!outcome.ok && 'cancelled' in outcome) throw new Cancelled();
			if (!outcome.ok) {
				const next = redirectTarget(outcome.failure, target.url.toString());
				if (next && hop < MAX_REDIRECTS) {
					// The token goes only to the API's own origin, wherever the redirect points.
					target = mediaTarget(next, this.baseUrl);
					continue;
				}
				throw mediaError(this.context, outcome.failure, target.url, target.sameOrigin, itemIndex);
			}
			try {
				return await readMedia(outcome.value, maxBytes);
			} catch (error) {
				connection.abort();
				// A stream that broke while being read: say what broke it.
				if (!(error instanceof TooLarge)) throw mediaError(this.context, extractFailure(error), target.url, target.sameOrigin, itemIndex);
				const limit = `the Max File Size of ${Math.round(maxBytes / 1024 / 1024)} MB`;
				const size = error.bytes !== undefined ? `it is ${Math.ceil(error.bytes / 1024 / 1024)} MB, over ${limit}` : `it is over ${limit}`;
				throw mediaRefusal(this.context, target.url, size, itemIndex);
			}
		}
	}

	/**
	 * Sends until it succeeds or the retry policy gives up. `send` calls `pace` right before each
	 * HTTP request it makes (after any wait for a login), which waits for the requests-per-second
	 * ceiling and marks when the request left, for the latency the account's limiter watches.
	 * A request keeps its place in the limiter's queue across retries. A cancelled execution's
	 * request that is still waiting (limiter, pacer) is never sent: it fails with `Cancelled`.
	 */
	private async withRetries(
		idempotent: boolean,
		gated: boolean,
		send: (pace: () => Promise<void>) => Promise<unknown>,
	): Promise<Outcome> {
		const counts: RetryCounts = freshCounts();
		const signal = this.cancelSignal();
		const ticket = this.gate.ticket();
		let sentAt = 0;
		// The account's successes when this item was last answered (or first sent).
		let acceptedBefore = Number.NaN;
		const pace = async (): Promise<void> => {
			await this.pacer.wait(signal);
			sentAt = systemClock.now();
		};
		for (;;) {
			let permit: Permit | undefined;
			try {
				permit = gated ? await this.gate.acquire(ticket, signal) : undefined;
			} catch {
				return { ok: false, cancelled: true };
			}
			if (Number.isNaN(acceptedBefore)) acceptedBefore = this.gate.accepted;
			let failure: ApiFailure;
			try {
				const value = await send(pace);
				if (permit) this.gate.release(permit, { kind: 'ok', latencyMs: systemClock.now() - sentAt });
				return { ok: true, value };
			} catch (error) {
				if (error instanceof Cancelled) {
					if (permit) this.gate.release(permit, { kind: 'other' });
					return { ok: false, cancelled: true };
				}
				failure = extractFailure(error);
			}
			const decision = nextRetry(this.retry, failure, counts, idempotent);
			if (permit) this.gate.release(permit, this.loadSignal(failure));
			if (!decision.retry || signal?.aborted) return { ok: false, failure, counts };
			countRetry(counts, decision.kind, gated && this.gate.accepted > acceptedBefore);
			acceptedBefore = this.gate.accepted;
			await sleep(decision.delayMs);
		}
	}

	/** What a failed request tells the account's limiter. */
	private loadSignal(failure: ApiFailure): LoadSignal {
		if (failure.status === 429) {
			// Also for the item's last try: its Retry-After still holds the account's other requests.
			const said = retryAfterMs(failure.headers['retry-after'], -1);
			return { kind: 'rateLimited', ...(said > 0 ? { retryAfterMs: said } : {}) };
		}
		if (this.cancelSignal()?.aborted) return { kind: 'other' };
		return isTransient(failure) ? { kind: 'overloaded' } : { kind: 'other' };
	}
}

/** Reads the credential once and returns the client for this run or poll. */
export async function connect(context: KwikIdFunctions, options: ClientOptions = {}): Promise<KwikIdClient> {
	const credentials = await context.getCredentials(CREDENTIAL_TYPE);
	const resolved = resolveBaseUrl(credentials.domain, credentials.environment);
	if (!resolved.ok) throw new NodeOperationError(context.getNode(), resolved.reason);
	const prefixes = resolveApiPrefixes(credentials);
	if (!prefixes.ok) throw new NodeOperationError(context.getNode(), prefixes.reason);
	const paths = apiPaths(prefixes.prefixes);
	const username = typeof credentials.username === 'string' ? credentials.username.trim() : '';
	return new KwikIdClient(
		context,
		resolved.url,
		paths,
		new TokenHolder(context, resolved.url, username, credentials.token, paths.details(PROBE_SESSION_ID)),
		gateFor(resolved.url, username),
		options,
	);
}
