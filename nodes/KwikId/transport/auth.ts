/**
 * The `auth` token for one run of the node or one poll of the trigger.
 *
 * n8n owns the token: the credential's `preAuthentication` fetches it, n8n stores it (encrypted)
 * in the credential's hidden expirable field and refreshes it after a 401, through
 * `httpRequestWithAuthentication`. That helper, though, loads and decrypts the credential (a
 * database read in n8n) and evaluates the credential's `authenticate` expression on every
 * request. For a run of many items the token is read once instead, and requests carry it
 * themselves through the plain `httpRequest`; n8n's machinery is used only to get a token:
 *
 * - no token stored yet: one request of the run (the "renewer") goes through
 *   `httpRequestWithAuthentication`, which logs in before sending it. It asks for the full
 *   response and no error on an HTTP status, so KwikID's answer comes back whole on every n8n
 *   line (n8n 1.x wraps a failed request of that helper into an error that keeps the status
 *   code only: KwikID's message, field lists and headers would be lost).
 * - a 401 with the token in hand: n8n refreshes a token only on a 401 from its own helper, and
 *   only by resending what it sent. So the renewer sends a harmless probe through it (get_details
 *   of an id no session has); n8n sees the 401, logs in and resends the probe; the request itself
 *   is then resent on the plain path with the new token. One extra read per expiry, and the
 *   request's own answer is never the one n8n wrapped.
 * - every other request that needs a token meanwhile waits for that renewal and is then sent
 *   with the new token. A 401 for a token that was already replaced is simply resent with the
 *   new one. So items in flight that meet an expired token together cause one login.
 * - across runs: every execution (and the trigger's polls) has its own holder, and several run
 *   at once in one n8n process (a worker runs several executions). Before a holder renews, it
 *   reads the credential again: a token another execution or another worker already stored is
 *   simply used. Holders of one process that need a new token at the same moment share one
 *   renewal (`sharedRenewals`, per account and refused token). So an expiry costs one login per
 *   process at most, and none where another process had already renewed.
 * A 401 means KwikID did not process the request, so resending it never creates a second session.
 */
import type { IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

import { extractFailure } from './errors';
import type { KwikIdFunctions } from './types';
import { CREDENTIAL_TYPE } from './types';

/**
 * Tokens one request may be refused with before its 401 stands. Each round needs a new token,
 * so this only bounds the logins when KwikID refuses every token (e.g. a domain that does not
 * match the user), not a request that met several expiries in a row.
 */
const MAX_ROUNDS = 5;

/** Logins in a row whose tokens KwikID refused, with no request succeeding, before giving up. */
const MAX_FRUITLESS_LOGINS = 2;

/** The probe's session id: not a UUID, so no KwikID session can have it. */
export const PROBE_SESSION_ID = 'n8n-kwikid-token-check';

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Renewals running in this process, by account (base URL and username) and the token they
 * replace ('' for none stored). A holder that needs the same renewal waits for it instead of
 * logging in too, then reads the credential n8n updated.
 */
const sharedRenewals = new Map<string, Promise<unknown>>();

/** A renewal that found a token stored by another execution or process: no login needed. */
const RENEWED_ELSEWHERE = { ok: true, value: undefined } as const;

async function settle(promise: Promise<unknown>): Promise<Settled> {
	try {
		return { ok: true, value: await promise };
	} catch (error) {
		return { ok: false, error };
	}
}

/** An HTTP status error in the shape the plain `httpRequest` throws it (what extractFailure reads). */
function statusError(response: IN8nHttpFullResponse): Error {
	return Object.assign(new Error(`Request failed with status code ${response.statusCode}`), {
		response: { status: response.statusCode, headers: response.headers, data: response.body },
	});
}

export class TokenHolder {
	private token: string;
	private renewal: Promise<void> | undefined;
	/**
	 * Set when getting a usable token is hopeless for this run: the login itself failed, or
	 * KwikID refused the tokens of two logins in a row before any request succeeded. Every
	 * request that needs a new token then fails with this answer instead of logging in again.
	 */
	private refusal: unknown;
	/** Logins since a request last succeeded with a token. */
	private fruitlessLogins = 0;

	constructor(
		private readonly context: KwikIdFunctions,
		private readonly baseUrl: string,
		private readonly username: string,
		storedToken: unknown,
		/** get_details of PROBE_SESSION_ID below the base URL, with the credential's prefix. */
		private readonly probePath: string,
	) {
		this.token = typeof storedToken === 'string' ? storedToken : '';
	}

	/**
	 * Whether someone else has meanwhile stored a token other than `used`: another execution of
	 * this process (waited for, if it is renewing right now), or another process (read back from
	 * the credential). Then that token is used instead of logging in again.
	 */
	private async renewedElsewhere(used: string): Promise<boolean> {
		const running = sharedRenewals.get(this.renewalKey(used));
		if (running) await running.catch(() => undefined);
		await this.reload();
		return this.token !== used && this.token !== '';
	}

	private renewalKey(used: string): string {
		return `${this.baseUrl}\n${this.username}\n${used}`;
	}

	/** Runs `renew` as this process's renewal of `used` (see sharedRenewals). */
	private async shared(used: string, renew: () => Promise<Settled>): Promise<Settled> {
		const key = this.renewalKey(used);
		const running = renew();
		sharedRenewals.set(key, running);
		try {
			return await running;
		} finally {
			if (sharedRenewals.get(key) === running) sharedRenewals.delete(key);
		}
	}

	/**
	 * Sends `options` with the token, getting or renewing it through n8n when needed. `pace` is
	 * awaited right before each HTTP request leaves, resends included, so a requests-per-second
	 * ceiling holds even when requests that waited for a login are released together.
	 */
	async send(options: IHttpRequestOptions, pace: () => Promise<void> = async () => {}): Promise<unknown> {
		let used = this.token;
		/** This request's own 401, the answer that stands if no new token changes it. */
		let refused: unknown;
		for (let round = 0; ; round++) {
			if (used !== '') {
				await pace();
				const sent = await settle(
					this.context.helpers.httpRequest({ ...options, headers: { ...options.headers, auth: used } }),
				);
				if (sent.ok) return this.succeeded(sent.value);
				if (extractFailure(sent.error).status !== 401 || round >= MAX_ROUNDS) throw sent.error;
				refused = sent.error;
				// Refused with the newest token after logins that all ended like this: give up.
				if (used === this.token && this.fruitlessLogins >= MAX_FRUITLESS_LOGINS) {
					this.refusal ??= sent.error;
					throw sent.error;
				}
			}
			while (this.renewal) await this.renewal;
			if (this.token !== used && this.token !== '') {
				used = this.token;
				continue;
			}
			if (this.refusal !== undefined) throw this.refusal;
			if (used === '') {
				const first = await this.renewing(async () =>
					(await this.renewedElsewhere('')) ? RENEWED_ELSEWHERE : await this.shared('', async () => await this.sendFirst(options, pace)),
				);
				if (first === RENEWED_ELSEWHERE) {
					used = this.token;
					continue;
				}
				if (first.ok) return this.succeeded(first.value);
				// KwikID refused the token it had just issued: renew once more (below), or give up.
				if (extractFailure(first.error).status !== 401 || this.token === '' || round >= MAX_ROUNDS) throw first.error;
				refused = first.error;
				used = this.token;
			}
			const refusedToken = used;
			const probed = await this.renewing(async () =>
				(await this.renewedElsewhere(refusedToken))
					? RENEWED_ELSEWHERE
					: await this.shared(refusedToken, async () => await this.probe(refusedToken, pace)),
			);
			if (probed === RENEWED_ELSEWHERE) {
				used = this.token;
				continue;
			}
			if (!probed.ok) throw probed.error;
			if (this.token === used) {
				// n8n kept the token it had (its probe was not refused): the token is not the
				// problem, yet KwikID refused this request with it; that 401 stands.
				throw refused;
			}
			used = this.token;
		}
	}

	private succeeded(value: unknown): unknown {
		this.fruitlessLogins = 0;
		return value;
	}

	/** Runs one renewal; requests arriving meanwhile wait for it (`renewal` is set before any await). */
	private async renewing<T extends Settled>(renew: () => Promise<T>): Promise<T> {
		const running = renew();
		const settled = running.then(() => undefined);
		this.renewal = settled;
		const result = await running;
		if (this.renewal === settled) this.renewal = undefined;
		return result;
	}

	/**
	 * Sends through n8n's credential helper, which logs in when it must, then reads back the token
	 * n8n stored. A failed login ends renewals for this run (`refusal`).
	 */
	private async viaN8n(options: IHttpRequestOptions, pace: () => Promise<void>): Promise<Settled> {
		await pace();
		const result = await settle(
			this.context.helpers.httpRequestWithAuthentication.call(this.context, CREDENTIAL_TYPE, options),
		);
		await this.reload();
		if (!result.ok && extractFailure(result.error).loginFailure !== undefined) this.refusal = result.error;
		return result;
	}

	/** No token stored: n8n logs in and sends the request; its answer comes back unwrapped. */
	private async sendFirst(options: IHttpRequestOptions, pace: () => Promise<void>): Promise<Settled> {
		const result = await this.viaN8n(
			{ ...options, headers: { ...options.headers }, returnFullResponse: true, ignoreHttpStatusErrors: true },
			pace,
		);
		if (!result.ok) return result;
		const response = result.value as IN8nHttpFullResponse;
		if (this.token !== '') this.fruitlessLogins++;
		if (response.statusCode >= 300) return { ok: false, error: statusError(response) };
		return { ok: true, value: options.returnFullResponse === true ? response : response.body };
	}

	/**
	 * The token `used` was refused: n8n's helper sends the probe with the stored token, logs in
	 * on its 401 and resends it. Whatever the probe's own answer (400 for the unknown id), the
	 * token is then read back. Settles with an error only when no new token can be had.
	 */
	private async probe(used: string, pace: () => Promise<void>): Promise<Settled> {
		const result = await this.viaN8n(
			{
				method: 'GET',
				url: `${this.baseUrl}${this.probePath}`,
				headers: { accept: 'application/json' },
				json: true,
				timeout: 60_000,
				disableFollowRedirect: true,
			},
			pace,
		);
		const failure = result.ok ? undefined : extractFailure(result.error);
		if (failure?.loginFailure !== undefined) return result;
		if (this.token !== used) {
			this.fruitlessLogins++;
			return { ok: true, value: undefined };
		}
		// No new token. KwikID answering the probe "no such session" (400) means it accepted the
		// token; anything else (429, 5xx, no answer) is the probe's failure, handled by the
		// caller's retry policy like the request's own (a 429 is waited out and retried).
		if (failure !== undefined && failure.status !== 400) return result;
		return { ok: true, value: undefined };
	}

	/** Reads the token n8n stored in the credential (a failed read keeps what we had). */
	private async reload(): Promise<void> {
		try {
			const credentials = await this.context.getCredentials(CREDENTIAL_TYPE);
			const token = credentials.token;
			if (typeof token === 'string' && token !== '') this.token = token;
		} catch {
			// The renewer's own request already said whatever is wrong with the credential.
		}
	}
}
