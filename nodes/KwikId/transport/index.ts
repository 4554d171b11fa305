/**
 * The one module that speaks HTTP to KwikID.
 *
 * Operations and the trigger describe a request (method, path, body, whether it is safe to send
 * twice); this module adds the base URL and the `auth` token (through n8n's credential machinery,
 * which fetches, caches and refreshes the token), survives rate limits, and turns every error
 * shape the API has (JSON with `msg` or `message`, HTML pages, 429, 5xx, dropped connections)
 * into a `NodeApiError` whose message says what happened and what to do, with personal data masked.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	IPollFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import { resolveBaseUrl } from '../shared/baseUrl';
import { redact } from '../shared/mask';
import { LOGIN_FAILURE, retryAfterMs } from './token';

export type KwikIdFunctions = IExecuteFunctions | IPollFunctions;

export const CREDENTIAL_TYPE = 'kwikIdApi';

export interface ApiRequest {
	method: 'GET' | 'POST';
	/** Path below the base URL, already percent-encoded where it carries user input. */
	path: string;
	body?: IDataObject;
	/**
	 * Whether sending the request twice is harmless. Send Link and Push DKYC create sessions:
	 * after a 5xx or a lost connection they may have done so, and are never resent.
	 */
	idempotent: boolean;
	itemIndex?: number;
	/** What a specific HTTP status means for this operation, said instead of the generic text. */
	hints?: Partial<Record<number, { message: string; description?: string }>>;
}

export interface RetryPolicy {
	/** Retries after 429 (the API did not process the request, so always safe). */
	rateLimitRetries: number;
	/** Retries of idempotent requests after 5xx or a dropped connection. */
	transientRetries: number;
	/** First backoff; doubles each retry. Retry-After, when sent, wins. */
	baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { rateLimitRetries: 4, transientRetries: 2, baseDelayMs: 1000 };

/** What the API answered (or that it did not), extracted from whatever n8n threw. */
export interface ApiFailure {
	status?: number;
	body?: unknown;
	headers: Record<string, unknown>;
	/** Network error code such as ECONNRESET, when there was no response. */
	code?: string;
	/** The credential could not log in; the message says why (from preAuthentication). */
	loginFailure?: string;
}

/** Context fields on the thrown NodeApiError that callers (Continue On Fail, the trigger) read. */
export interface KwikIdErrorContext extends IDataObject {
	httpCode?: string;
	kwikIdMessage?: string;
	missing_fields?: string[];
	incorrect_formats?: string[];
	mayHaveCreatedSession?: boolean;
}

const baseUrlCache = new WeakMap<object, string>();

/** The base URL for the credential of this node, resolved once per execution context. */
export async function getBaseUrl(context: KwikIdFunctions): Promise<string> {
	const cached = baseUrlCache.get(context);
	if (cached) return cached;
	const credentials = await context.getCredentials(CREDENTIAL_TYPE);
	const resolved = resolveBaseUrl(credentials.domain, credentials.environment);
	if (!resolved.ok) throw new NodeOperationError(context.getNode(), resolved.reason);
	baseUrlCache.set(context, resolved.url);
	return resolved.url;
}

export async function kwikIdApiRequest<T>(
	context: KwikIdFunctions,
	request: ApiRequest,
	retry: RetryPolicy = DEFAULT_RETRY,
): Promise<T> {
	const baseUrl = await getBaseUrl(context);
	const options: IHttpRequestOptions = {
		method: request.method,
		url: `${baseUrl}${request.path}`,
		headers: { accept: 'application/json' },
		json: true,
		timeout: 60_000,
	};
	if (request.body !== undefined) options.body = request.body;

	let rateLimited = 0;
	let transient = 0;
	for (;;) {
		try {
			return (await context.helpers.httpRequestWithAuthentication.call(
				context,
				CREDENTIAL_TYPE,
				{ ...options, headers: { ...options.headers } },
			)) as T;
		} catch (error) {
			const failure = extractFailure(error);
			if (failure.status === 429 && rateLimited < retry.rateLimitRetries) {
				await sleep(rateLimitWait(retry, failure, rateLimited));
				rateLimited++;
				continue;
			}
			if (request.idempotent && isTransient(failure) && transient < retry.transientRetries) {
				await sleep(backoff(retry, transient));
				transient++;
				continue;
			}
			throw toNodeApiError(context, failure, request, rateLimited);
		}
	}
}

function backoff(retry: RetryPolicy, attempt: number): number {
	// Jitter spreads out parallel items that were rate-limited together.
	return retry.baseDelayMs * 2 ** attempt * (0.75 + Math.random() * 0.5);
}

/**
 * Wait before retrying a 429: Retry-After when sent, but never less than a tenth of the backoff.
 * A limiter answering "Retry-After: 0" under sustained load would otherwise see every retry of
 * an item arrive within milliseconds and fail it (measured: half of a 200-item run).
 */
function rateLimitWait(retry: RetryPolicy, failure: ApiFailure, attempt: number): number {
	const fallback = backoff(retry, attempt);
	return Math.max(retryAfterMs(failure.headers['retry-after'], fallback), fallback / 10);
}

function isTransient(failure: ApiFailure): boolean {
	if (failure.loginFailure !== undefined) return false;
	if (failure.status === undefined) {
		return failure.code !== 'ECONNREFUSED' && failure.code !== 'ENOTFOUND';
	}
	return failure.status >= 500 || failure.status === 408;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null;
}

/**
 * n8n wraps the HTTP client's error (axios-shaped: `response.status/data/headers`) in a
 * NodeApiError, once in n8n 2.x and sometimes twice in 1.x: walk the `cause` chain.
 */
export function extractFailure(error: unknown): ApiFailure {
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

/** Parses a JSON body that may arrive as text (HTML pages stay text). */
export function bodyAsObject(body: unknown): Record<string, unknown> | undefined {
	if (isRecord(body) && !Buffer.isBuffer(body)) return body;
	const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : '';
	if (text.trim().startsWith('{')) {
		try {
			const parsed: unknown = JSON.parse(text);
			if (isRecord(parsed)) return parsed;
		} catch {
			return undefined;
		}
	}
	return undefined;
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

function toNodeApiError(
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
	const hint = status !== undefined ? request.hints?.[status] : undefined;

	if (failure.loginFailure !== undefined) {
		message = failure.loginFailure;
		description = 'Open the KwikID credential, correct it, and use its Test button to check it.';
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
		description ??= 'Check the Domain and Environment in the KwikID credential.';
	} else if (status === 429) {
		message = `KwikID kept rate-limiting the requests (429) after ${rateLimitRetries} retries`;
		description ??=
			'Send fewer items at once (for example a Loop Over Items node with a Wait node in the loop), then run again.';
	} else if (status >= 500) {
		message = `KwikID had a server error (${status})${said ? `: ${said}` : ''}`;
		if (!request.idempotent) {
			description = NOT_RESENT;
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

	const error = new NodeApiError(
		context.getNode(),
		// A sanitised copy: the raw response may echo phone numbers, PAN or Aadhaar.
		{ message, ...(status !== undefined ? { httpCode: String(status) } : {}), ...(said ? { kwikIdMessage: said } : {}) } as JsonObject,
		{
			message,
			description,
			httpCode: status !== undefined ? String(status) : undefined,
			itemIndex: request.itemIndex,
		},
	);
	Object.assign(error.context, errorContext);
	// NodeApiError swaps a message that mentions a network code (ECONNRESET...) for n8n's stock
	// text, which says to "retry immediately": wrong for a request that must not be resent.
	error.message = message;
	if (description !== undefined) error.description = description;
	return error;
}

export function describeFieldErrors(missing: string[], incorrect: string[]): string {
	const parts: string[] = [];
	if (missing.length) parts.push(`missing ${missing.join(', ')}`);
	if (incorrect.length) parts.push(`wrong format in ${incorrect.join(', ')}`);
	return parts.join('; ') || 'invalid fields';
}

/** A failed media download names the file and the host, not the credential (it may not be KwikID's). */
function mediaError(
	context: KwikIdFunctions,
	failure: ApiFailure,
	url: URL,
	sameHost: boolean,
	itemIndex: number | undefined,
): NodeApiError {
	const file = decodeURIComponent(url.pathname.split('/').pop() || url.pathname);
	const what = failure.status !== undefined ? `status ${failure.status}` : `no answer (${failure.code ?? 'UNKNOWN'})`;
	const message = `Could not download the session file "${redact(file)}" from ${url.host}: ${what}`;
	const description = sameHost
		? failure.status === 401 || failure.status === 403
			? 'KwikID refused the file even with a fresh login. The file may have expired; get the session again for new links.'
			: 'The session data was read, but this file could not be downloaded. Try again later, or leave it out of Download Media.'
		: 'The file is on another host than KwikID, so it was requested without the KwikID token. Its link may have expired: get the session again for new links.';
	const error = new NodeApiError(
		context.getNode(),
		{ message, ...(failure.status !== undefined ? { httpCode: String(failure.status) } : {}) } as JsonObject,
		{ message, description, httpCode: failure.status !== undefined ? String(failure.status) : undefined, itemIndex },
	);
	error.message = message;
	error.description = description;
	if (failure.status !== undefined) (error.context as KwikIdErrorContext).httpCode = String(failure.status);
	return error;
}

export interface DownloadedFile {
	data: Buffer;
	mimeType?: string;
	fileName?: string;
}

/**
 * Downloads a media URL from a session. On the KwikID host it carries the credential's token
 * (some installs require it); on any other host it does not, so the token never leaves KwikID.
 */
export async function downloadMedia(
	context: KwikIdFunctions,
	url: string,
	itemIndex?: number,
	retry: RetryPolicy = DEFAULT_RETRY,
): Promise<DownloadedFile> {
	const baseUrl = await getBaseUrl(context);
	const sameHost = new URL(url, baseUrl).origin === new URL(baseUrl).origin;
	const options: IHttpRequestOptions = {
		method: 'GET',
		url: new URL(url, baseUrl).toString(),
		encoding: 'arraybuffer',
		returnFullResponse: true,
		json: false,
		timeout: 120_000,
	};
	let attempts = 0;
	for (;;) {
		try {
			const response = (sameHost
				? await context.helpers.httpRequestWithAuthentication.call(context, CREDENTIAL_TYPE, { ...options })
				: await context.helpers.httpRequest({ ...options })) as {
				body: Buffer | ArrayBuffer | string;
				headers: Record<string, string | undefined>;
			};
			const data = Buffer.isBuffer(response.body)
				? response.body
				: typeof response.body === 'string'
					? Buffer.from(response.body)
					: Buffer.from(new Uint8Array(response.body));
			const disposition = response.headers['content-disposition'] ?? '';
			const fileName = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1];
			const mimeType = response.headers['content-type']?.split(';')[0]?.trim();
			return { data, mimeType, fileName: fileName ? decodeURIComponent(fileName) : undefined };
		} catch (error) {
			const failure = extractFailure(error);
			if ((failure.status === 429 || isTransient(failure)) && attempts < retry.rateLimitRetries) {
				await sleep(rateLimitWait(retry, failure, attempts));
				attempts++;
				continue;
			}
			throw mediaError(context, failure, new URL(url, baseUrl), sameHost, itemIndex);
		}
	}
}
