/**
 * What went wrong, in words a workflow builder can act on.
 *
 * n8n throws request failures in shapes that differ between its lines; `extractFailure` reads
 * what the API answered (or that it did not) out of any of them, and `toNodeApiError` turns it
 * into one NodeApiError per failure, with KwikID's own text masked and the context fields the
 * router and the trigger read (httpCode, field lists, mayHaveCreatedSession).
 */
import type { JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { redact } from '../shared/mask';
import { bodyAsObject, isRecord } from '../shared/objects';
import { fileNameOf } from './media';
import { isSsrfMessage, SSRF_DESCRIPTION, ssrfBlocked, ssrfMessage } from './ssrf';
import { LOGIN_FAILURE } from './token';
import type { ApiRequest, KwikIdErrorContext, KwikIdFunctions } from './types';

/** What the API answered (or that it did not), extracted from whatever n8n threw. */
export interface ApiFailure {
	status?: number;
	body?: unknown;
	headers: Record<string, unknown>;
	/** Network error code such as ECONNRESET, when there was no response. */
	code?: string;
	/** The credential could not log in; the message says why (from preAuthentication). */
	loginFailure?: string;
	/** A redirect that was not followed: where it pointed. */
	redirectTo?: URL;
	/** n8n's SSRF protection refused the address before anything was sent. */
	ssrf?: { ip?: string; hostname?: string };
}

/**
 * n8n wraps the HTTP client's error (axios-shaped: `response.status/data/headers`) in a
 * NodeApiError, once in n8n 2.x and sometimes twice in 1.x: walk the `cause` chain.
 */
export function extractFailure(error: unknown): ApiFailure {
	const ssrf = ssrfBlocked(error);
	if (ssrf) return { headers: {}, code: 'SSRF_BLOCKED', ssrf };
	let current: unknown = error;
	let code: string | undefined;
	let httpCode: number | undefined;
	for (let depth = 0; depth < 6 && isRecord(current); depth++) {
		if (current[LOGIN_FAILURE] === true && typeof current.message === 'string') {
			return { headers: {}, loginFailure: current.message };
		}
		const response = current.response;
		if (isRecord(response) && typeof response.status === 'number') {
			return {
				status: response.status,
				body: response.data ?? response.body,
				headers: isRecord(response.headers) ? normaliseHeaders(response.headers) : {},
			};
		}
		if (typeof current.code === 'string' && /^E[A-Z_]+$|^UND_ERR/.test(current.code)) {
			code ??= current.code;
		}
		if (httpCode === undefined && typeof current.httpCode === 'string' && /^\d{3}$/.test(current.httpCode)) {
			httpCode = Number(current.httpCode);
		}
		current = current.cause;
	}
	if (code === undefined && httpCode !== undefined) return { status: httpCode, headers: {} };
	return { headers: {}, code: code ?? 'UNKNOWN' };
}

function normaliseHeaders(headers: Record<string, unknown>): Record<string, unknown> {
	// axios hands an AxiosHeaders instance; its own keys are the lower-cased header names.
	const out: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(headers)) out[key.toLowerCase()] = value;
	return out;
}

function apiMessage(body: unknown): string {
	const object = bodyAsObject(body);
	if (object) {
		for (const key of ['msg', 'message', 'error', 'detail']) {
			const value = object[key];
			if (typeof value === 'string' && value.trim() !== '') return value.trim();
		}
		return '';
	}
	const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : '';
	// An HTML error page: its <title> is the useful part ("400 Bad Request").
	const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
	return title ?? '';
}

function stringList(value: unknown): string[] | undefined {
	return Array.isArray(value) ? value.map((entry) => String(entry)) : undefined;
}

const NOT_RESENT =
	'KwikID may already have created the session. It was not sent again so that the customer does not get two links: check the KwikID dashboard (or Get Session) before running this item again.';

export function toNodeApiError(
	context: KwikIdFunctions,
	failure: ApiFailure,
	request: ApiRequest,
	rateLimitRetries: number,
): NodeApiError {
	const said = redact(apiMessage(failure.body));
	const errorContext: KwikIdErrorContext = {};
	const status = failure.status;
	let message: string;
	let description: string | undefined;
	const candidate = status !== undefined ? request.hints?.[status] : undefined;
	const hint = candidate && (!candidate.when || candidate.when.test(said)) ? candidate : undefined;

	if (failure.loginFailure !== undefined) {
		message = failure.loginFailure;
		description = isSsrfMessage(message)
			? SSRF_DESCRIPTION
			: 'Open the KwikID credential, correct it, and use its Test button to check it.';
	} else if (failure.ssrf) {
		message = ssrfMessage(failure.ssrf);
		description = SSRF_DESCRIPTION;
	} else if (status === undefined) {
		const code = failure.code ?? 'UNKNOWN';
		if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
			message = `Cannot reach the KwikID server (${code}). Check the Domain in the KwikID credential.`;
		} else {
			message = `The connection to KwikID failed before it answered (${code}).`;
			if (!request.idempotent) {
				description = NOT_RESENT;
				errorContext.mayHaveCreatedSession = true;
			} else {
				description = 'It was retried and still failed. Try again later.';
			}
		}
	} else if (status >= 300 && status < 400) {
		const where = failure.redirectTo ? `${failure.redirectTo.protocol}//${failure.redirectTo.host}` : 'another address';
		message = `KwikID answered with a redirect (${status}) to ${where}, which was not followed`;
		description =
			'Requests to KwikID carry the credential\'s token, so they follow redirects only within the same https address: the token did not leave it. Check the Domain in the KwikID credential; if KwikID has moved, enter the new address there.';
	} else if (status === 400) {
		const object = bodyAsObject(failure.body);
		const errors = isRecord(object?.errors) ? object?.errors : undefined;
		const missing = stringList(errors?.missing_fields);
		const incorrect = stringList(errors?.incorrect_formats);
		if (missing || incorrect) {
			errorContext.missing_fields = missing ?? [];
			errorContext.incorrect_formats = incorrect ?? [];
			message = `KwikID rejected the data: ${describeFieldErrors(errorContext.missing_fields, errorContext.incorrect_formats)}`;
			description = hint?.description;
		} else if (hint) {
			message = hint.message;
			description = [hint.description, said ? `KwikID said: "${said}".` : ''].filter(Boolean).join(' ');
		} else if (object) {
			message = `KwikID rejected the request: ${said || 'bad request'}`;
		} else {
			message = 'KwikID rejected the request as malformed (400 Bad Request)';
		}
	} else if (status === 401) {
		message = `KwikID rejected the credential's token even after logging in again${said ? ` ("${said}")` : ''}`;
		description ??=
			'Check that the Domain in the KwikID credential is the one this user belongs to, then test the credential.';
	} else if (status === 403) {
		message = `KwikID refused access${said ? ` ("${said}")` : ''}`;
		description ??= 'Ask KwikID whether this API user may call this endpoint.';
	} else if (status === 404) {
		message = 'KwikID answered 404 Not Found';
		description ??=
			'Check the Domain and Environment in the KwikID credential. A bank-hosted install may serve the API under other paths: set them under Custom API Paths in the credential.';
	} else if (status === 429) {
		message = `KwikID kept rate-limiting the requests (429) after ${rateLimitRetries} retries`;
		description ??=
			'Send fewer items at once (for example a Loop Over Items node with a Wait node in the loop), then run again.';
	} else if (status >= 500) {
		message = `KwikID had a server error (${status})${said ? `: ${said}` : ''}`;
		if (!request.idempotent) {
			const created = trackedSessionId(failure.body);
			if (created) {
				// push_user_data's error body carries `track`: KwikID says which session it made.
				message = `KwikID had a server error (${status}) after creating session ${created}${said ? `: ${said}` : ''}`;
				description = `KwikID created session ${created} before it failed. It was not sent again: check that session with Get Session instead of running this item again.`;
				errorContext.session_id = created;
			} else {
				description = NOT_RESENT;
			}
			errorContext.mayHaveCreatedSession = true;
		} else {
			description ??= 'It was retried and still failed. Try again later.';
		}
	} else {
		message = `KwikID answered with status ${status}${said ? `: ${said}` : ''}`;
	}

	if (hint && status !== 400) description = hint.description ?? description;
	if (status !== undefined) errorContext.httpCode = String(status);
	if (said) errorContext.kwikIdMessage = said;

	return apiError(context, message, description, request.itemIndex, errorContext);
}

/**
 * The one way this package builds a NodeApiError: from a sanitised copy of the answer (the raw
 * one may echo phone numbers, PAN or Aadhaar), with the context fields callers read.
 */
function apiError(
	context: KwikIdFunctions,
	message: string,
	description: string | undefined,
	itemIndex: number | undefined,
	errorContext: KwikIdErrorContext,
): NodeApiError {
	const { httpCode, kwikIdMessage } = errorContext;
	const error = new NodeApiError(
		context.getNode(),
		{ message, ...(httpCode !== undefined ? { httpCode } : {}), ...(kwikIdMessage ? { kwikIdMessage } : {}) } as JsonObject,
		{ message, description, httpCode, itemIndex },
	);
	Object.assign(error.context, errorContext);
	// NodeApiError swaps a message that mentions a network code (ECONNRESET...) for n8n's stock
	// text, which says to "retry immediately": wrong for a request that must not be resent.
	error.message = message;
	if (description !== undefined) error.description = description;
	return error;
}

/** `track.session_id` of an answer body, when KwikID names the session it created. */
export function trackedSessionId(body: unknown): string | undefined {
	const track = bodyAsObject(body)?.track;
	const id = isRecord(track) ? track.session_id : undefined;
	return typeof id === 'string' && /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(id) ? id : undefined;
}

/**
 * An answer with HTTP 200 that is not what the call promises: `success: false`, or a missing
 * field the operation needs. Never retried (KwikID did answer). `shown` lists only the keys that
 * came back, never values.
 */
export function unexpectedAnswer(
	context: KwikIdFunctions,
	request: ApiRequest,
	what: string,
	body: unknown,
): NodeApiError {
	const object = bodyAsObject(body);
	const said = redact(apiMessage(body));
	const created = request.idempotent ? undefined : trackedSessionId(body);
	const keys = object ? Object.keys(object).slice(0, 12).join(', ') : typeof body;
	const message = `${what}${said ? `: ${said}` : ''}`;
	const errorContext: KwikIdErrorContext = { httpCode: '200' };
	if (said) errorContext.kwikIdMessage = said;
	let description = `KwikID answered with status 200 but ${object ? `with the fields: ${keys || 'none'}` : 'without a JSON object'}.`;
	if (!request.idempotent) {
		errorContext.mayHaveCreatedSession = true;
		if (created) errorContext.session_id = created;
		description += created
			? ` It names session ${created}: check it with Get Session instead of running this item again.`
			: ` ${NOT_RESENT}`;
	}
	return apiError(context, message, description, request.itemIndex, errorContext);
}

export function describeFieldErrors(missing: string[], incorrect: string[]): string {
	const parts: string[] = [];
	if (missing.length) parts.push(`missing ${missing.join(', ')}`);
	if (incorrect.length) parts.push(`wrong format in ${incorrect.join(', ')}`);
	return parts.join('; ') || 'invalid fields';
}

/** A failed media download names the file and the host, not the credential (it may not be KwikID's). */
/** A media link the node will not fetch (see media.ts), or a file over the size limit. */
export function mediaRefusal(
	context: KwikIdFunctions,
	url: URL,
	reason: string,
	itemIndex: number | undefined,
): NodeOperationError {
	const message = `Did not download the session file "${redact(fileNameOf(url))}" from ${url.protocol}//${url.host}: ${reason}`;
	return new NodeOperationError(context.getNode(), message, {
		itemIndex,
		description:
			'Nothing was requested from that address. Leave this file out of Download Media, or ask KwikID why the session links to it.',
	});
}

export function mediaError(
	context: KwikIdFunctions,
	failure: ApiFailure,
	url: URL,
	sameHost: boolean,
	itemIndex: number | undefined,
): NodeApiError {
	const file = fileNameOf(url);
	const what = failure.status !== undefined ? `status ${failure.status}` : `no answer (${failure.code ?? 'UNKNOWN'})`;
	const message = `Could not download the session file "${redact(file)}" from ${url.host}: ${what}`;
	const description = sameHost
		? failure.status === 401 || failure.status === 403
			? 'KwikID refused the file even with a fresh login. The file may have expired; get the session again for new links.'
			: 'The session data was read, but this file could not be downloaded. Try again later, or leave it out of Download Media.'
		: 'The file is on another host than KwikID, so it was requested without the KwikID token. Its link may have expired: get the session again for new links.';
	return apiError(context, message, description, itemIndex, failure.status !== undefined ? { httpCode: String(failure.status) } : {});
}
