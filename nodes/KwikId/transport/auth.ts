/**
 * The `auth` token for one run of the node or one poll of the trigger.
 *
 * n8n owns the token: the credential's `preAuthentication` fetches it, n8n stores it (encrypted)
 * in the credential's hidden expirable field and refreshes it after a 401, through
 * `httpRequestWithAuthentication`. That helper, though, loads and decrypts the credential (a
 * database read in n8n) and evaluates the credential's `authenticate` expression on every
 * request. For a run of many items the token is read once instead, and requests carry it
 * themselves; only getting a token goes through n8n's machinery:
 *
 * - no token stored yet, or a 401 with the token in hand: one request of the run (the "renewer")
 *   is sent through `httpRequestWithAuthentication`, which logs in, stores the new token and
 *   sends the request. The token is then read back from the credential.
 * - every other request that needs a token meanwhile waits for that renewal and is then sent
 *   with the new token. A 401 for a token that was already replaced is simply resent with the
 *   new one. So items in flight that meet an expired token together cause one login.
 * A 401 means KwikID did not process the request, so resending it never creates a second session.
 */
import type { IHttpRequestOptions } from 'n8n-workflow';

import { extractFailure } from './errors';
import type { KwikIdFunctions } from './types';
import { CREDENTIAL_TYPE } from './types';

/**
 * Tokens one request may be refused with before its 401 stands. Each round needs a new token,
 * so this only bounds the logins when KwikID refuses every token (e.g. a domain that does not
 * match the user), not a request that met several expiries in a row.
 */
const MAX_ROUNDS = 5;

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

async function settle(promise: Promise<unknown>): Promise<Settled> {
	try {
		return { ok: true, value: await promise };
	} catch (error) {
		return { ok: false, error };
	}
}

export class TokenHolder {
	private token: string;
	private renewal: Promise<void> | undefined;
	/**
	 * Set when getting a usable token is hopeless for this run: the login itself failed, or two
	 * logins in a row gave tokens KwikID refused before any request succeeded. Every request that
	 * needs a new token then fails with this answer instead of logging in again.
	 */
	private refusal: unknown;
	/** Logins since a request last succeeded with a token. */
	private fruitlessLogins = 0;

	constructor(
		private readonly context: KwikIdFunctions,
		storedToken: unknown,
	) {
		this.token = typeof storedToken === 'string' ? storedToken : '';
	}

	/**
	 * Sends `options` with the token, getting or renewing it through n8n when needed. `pace` is
	 * awaited right before each HTTP request leaves, resends included, so a requests-per-second
	 * ceiling holds even when requests that waited for a login are released together.
	 */
	async send(options: IHttpRequestOptions, pace: () => Promise<void> = async () => {}): Promise<unknown> {
		let used = this.token;
		// A request refused with a token that another request has meanwhile replaced is resent
		// with the new one; a few rounds at most, should tokens keep expiring under it.
		for (let round = 0; ; round++) {
			if (used !== '') {
				await pace();
				const sent = await settle(
					this.context.helpers.httpRequest({ ...options, headers: { ...options.headers, auth: used } }),
				);
				if (sent.ok) {
					this.fruitlessLogins = 0;
					return sent.value;
				}
				if (extractFailure(sent.error).status !== 401 || round >= MAX_ROUNDS) throw sent.error;
			}
			while (this.renewal) await this.renewal;
			if (this.token !== used && this.token !== '') {
				used = this.token;
				continue;
			}
			if (this.refusal !== undefined) throw this.refusal;
			await pace();
			const renewed = await this.renewWith(used, options);
			if (renewed.ok) return renewed.value;
			// n8n logged in, yet its resend was refused: that token may have expired at once
			// (another round), or KwikID refuses every token of this login (the rounds run out).
			const refusedAfterLogin = extractFailure(renewed.error).status === 401 && this.token !== used;
			if (!refusedAfterLogin || round >= MAX_ROUNDS) throw renewed.error;
			used = this.token;
		}
	}

	/** This request renews the token; requests arriving meanwhile wait for it. */
	private async renewWith(used: string, options: IHttpRequestOptions): Promise<Settled> {
		const renewal = this.renew(used, options);
		const settled = renewal.then(() => undefined);
		this.renewal = settled;
		const result = await renewal;
		if (this.renewal === settled) this.renewal = undefined;
		return result;
	}

	/** Sends the request through n8n's credential machinery (which logs in), then reads the token back. */
	private async renew(used: string, options: IHttpRequestOptions): Promise<Settled> {
		const result = await settle(
			this.context.helpers.httpRequestWithAuthentication.call(this.context, CREDENTIAL_TYPE, {
				...options,
				headers: { ...options.headers },
			}),
		);
		await this.reload();
		if (result.ok) {
			this.fruitlessLogins = 0;
		} else {
			const failure = extractFailure(result.error);
			if (failure.loginFailure !== undefined) this.refusal = result.error;
			else if (failure.status === 401 && this.token !== used && ++this.fruitlessLogins >= 2) this.refusal = result.error;
		}
		return result;
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
