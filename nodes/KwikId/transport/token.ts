/**
 * The token exchange (`generate_token`), shared by the credential's `preAuthentication` hook.
 *
 * It runs inside n8n's credential machinery, which only offers `helpers.httpRequest`, so it
 * cannot use the node transport. Its errors must be readable by a no-code user and must never
 * carry the password or the token.
 */
import { createHash } from 'crypto';
import type { ICredentialDataDecryptedObject, IHttpRequestHelper, INode } from 'n8n-workflow';
import { NodeApiError, sleep } from 'n8n-workflow';

import { apiPaths, resolveApiPrefixes } from '../shared/apiPaths';
import { resolveBaseUrl } from '../shared/baseUrl';
import { redactSecrets } from '../shared/mask';
import { bodyAsObject } from '../shared/objects';
import { ssrfBlocked, ssrfMessage } from './ssrf';

/** 429 on the token call is retried this many times, waiting 1 s, 2 s, 4 s (or Retry-After). */
const TOKEN_RATE_LIMIT_RETRIES = 3;

/** Marks an error as a failed login, so the node transport reports it as is and never retries it. */
export const LOGIN_FAILURE = 'kwikIdLoginFailure';

/**
 * The credential hook has no node of its own, and n8n wraps whatever it throws into a
 * NodeApiError of the node that made the request. n8n 1.x drops the wrapped error (its `cause`)
 * on the way, but passes a NodeApiError through unchanged: so the failure is one, marked, with a
 * stand-in node. The node transport recognises the mark and reports the failure on its own node.
 */
const LOGIN_NODE: INode = {
	id: 'kwikid-login',
	name: 'KwikID API credential',
	type: 'kwikIdApi',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

function fail(message: string): never {
	throw Object.assign(new NodeApiError(LOGIN_NODE, { message }, { message }), { [LOGIN_FAILURE]: true });
}

interface TokenResponse {
	Token?: unknown;
	msg?: unknown;
	message?: unknown;
	status_code?: unknown;
}

interface FullResponse {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: unknown;
}

function asText(value: unknown): string {
	return typeof value === 'string' ? value : '';
}

/** Seconds to wait from a Retry-After header (seconds or an HTTP date), capped at 60. */
export function retryAfterMs(header: unknown, fallbackMs: number): number {
	const value = Array.isArray(header) ? header[0] : header;
	if (typeof value !== 'string' || value.trim() === '') return fallbackMs;
	const seconds = Number(value);
	const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
	if (!Number.isFinite(ms) || ms < 0) return fallbackMs;
	return Math.min(ms, 60_000);
}

function describeNetworkError(error: unknown, baseUrl: string): string {
	const code =
		error && typeof error === 'object' && 'code' in error ? String((error as { code: unknown }).code) : '';
	const cause =
		error && typeof error === 'object' && 'cause' in error
			? (error as { cause?: { code?: unknown } }).cause
			: undefined;
	const anyCode = code || String(cause?.code ?? '');
	if (anyCode === 'ENOTFOUND' || anyCode === 'EAI_AGAIN') {
		return `Cannot find the KwikID server at ${baseUrl}. Check the Domain and Environment in the KwikID credential.`;
	}
	if (anyCode === 'ECONNREFUSED') {
		return `The KwikID server at ${baseUrl} refused the connection. Check the Domain in the KwikID credential, or start the sandbox.`;
	}
	if (anyCode === 'ETIMEDOUT' || anyCode === 'ECONNABORTED' || anyCode === 'ECONNRESET') {
		return `The KwikID server at ${baseUrl} did not answer in time (${anyCode}). Try again later.`;
	}
	return `Could not reach the KwikID server at ${baseUrl}${anyCode ? ` (${anyCode})` : ''}.`;
}

/**
 * Exchanges username and password for a JWT. Judged by HTTP status, never by `success`:
 * the API answers `success: true` on its 400 and 401 too.
 */
export async function fetchToken(
	helper: IHttpRequestHelper,
	credentials: ICredentialDataDecryptedObject,
): Promise<string> {
	const resolved = resolveBaseUrl(credentials.domain, credentials.environment);
	if (!resolved.ok) fail(resolved.reason);
	const baseUrl = resolved.url;
	const prefixes = resolveApiPrefixes(credentials);
	if (!prefixes.ok) fail(prefixes.reason);
	const loginUrl = `${baseUrl}${apiPaths(prefixes.prefixes).login}`;
	const username = asText(credentials.username).trim();
	const password = asText(credentials.password);
	if (username === '' || password === '') {
		fail('The KwikID credential needs both a Username and a Password.');
	}

	// n8n logs in once per request that finds the token field empty or gets a 401, so parallel
	// requests (the trigger's pool) that hit an expired token together would each log in. They
	// share one login instead. Keyed by a hash, so no password is kept as a key.
	const key = createHash('sha256').update(`${loginUrl}\n${username}\n${password}`).digest('hex');
	const pending = loginsInFlight.get(key);
	if (pending) return await pending;
	const login = requestToken(helper, baseUrl, loginUrl, username, password).finally(() => loginsInFlight.delete(key));
	loginsInFlight.set(key, login);
	return await login;
}

const loginsInFlight = new Map<string, Promise<string>>();

async function requestToken(
	helper: IHttpRequestHelper,
	baseUrl: string,
	loginUrl: string,
	username: string,
	password: string,
): Promise<string> {
	const secrets = [password];

	for (let attempt = 0; ; attempt++) {
		let response: FullResponse;
		try {
			response = (await helper.helpers.httpRequest({
				method: 'POST',
				url: loginUrl,
				body: { username, password },
				json: true,
				headers: { accept: 'application/json' },
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: 30_000,
				// A redirect would carry the password to wherever it points (307/308 resend the body).
				disableFollowRedirect: true,
			})) as FullResponse;
		} catch (error) {
			const blocked = ssrfBlocked(error);
			fail(redactSecrets(blocked ? ssrfMessage(blocked, baseUrl) : describeNetworkError(error, baseUrl), secrets));
		}

		// An HTML error page has no fields to read.
		const body: TokenResponse = bodyAsObject(response.body) ?? {};
		const status = response.statusCode;
		const apiText = redactSecrets(asText(body.msg) || asText(body.message), secrets);

		if (status >= 200 && status < 300) {
			const token = asText(body.Token);
			if (token === '') {
				fail('KwikID accepted the login but sent no token. Check that the Domain points at the KwikID API.');
			}
			return token;
		}
		if (status === 429 && attempt < TOKEN_RATE_LIMIT_RETRIES) {
			// Never less than 100 ms, 200 ms, 400 ms: "Retry-After: 0" under load must not burn the retries.
			await sleep(Math.max(retryAfterMs(response.headers['retry-after'], 1000 * 2 ** attempt), 100 * 2 ** attempt));
			continue;
		}
		if (status >= 300 && status < 400) fail(redirectMessage(status, response.headers.location, baseUrl));
		fail(tokenErrorMessage(status, apiText, username, new URL(loginUrl).pathname));
	}
}

function redirectMessage(status: number, location: unknown, baseUrl: string): string {
	const text = Array.isArray(location) ? String(location[0] ?? '') : typeof location === 'string' ? location : '';
	let where = 'another address';
	try {
		if (text) {
			const url = new URL(text, baseUrl);
			where = `${url.protocol}//${url.host}`;
		}
	} catch {
		// An unreadable Location: say "another address".
	}
	return `KwikID answered the login with a redirect (${status}) to ${where}. It was not followed, so the password was not sent there. Check the Domain in the KwikID credential; if KwikID has moved, enter the new address.`;
}

function tokenErrorMessage(status: number, apiText: string, username: string, loginPath: string): string {
	const said = apiText ? ` (KwikID said: "${apiText}")` : '';
	switch (status) {
		case 400:
			return `KwikID refused the login format${said}. The Username must be 3-20 letters or digits and the Password 8-32 letters or digits.`;
		case 401:
			return `KwikID did not accept the Username "${username}" with this Password${said}. Check both in the KwikID credential.`;
		case 403:
			return `KwikID refused access for "${username}"${said}. Ask KwikID whether this user may use the API.`;
		case 404:
			return `The Domain in the KwikID credential does not serve the KwikID API (404 on ${loginPath}). Check the Domain and Environment; a bank-hosted install may serve the API under other paths: turn on Custom API Paths in the credential and set its prefixes.`;
		case 429:
			return 'KwikID is rate-limiting logins (429, too many requests). Wait a minute and try again.';
		default:
			return status >= 500
				? `KwikID could not log in right now (server error ${status})${said}. Try again later.`
				: `KwikID refused the login with status ${status}${said}.`;
	}
}
