/**
 * Who may call the trigger, decided before anything else is read, failing closed:
 * - no secret configured (no credential, an empty or short value, a bad header name): every call
 *   is refused, saying why;
 * - the secret header missing: 401; present but wrong: 403; compared in constant time;
 * - Allowed IP Addresses set and the caller not in it (or the option unreadable): 403.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ICredentialDataDecryptedObject, IWebhookFunctions } from 'n8n-workflow';
import * as n8nWorkflow from 'n8n-workflow';

import { isAllowed, parseAllowList } from './ip';

export const SECRET_CREDENTIAL = 'kwikIdWebhookApi';
/** Shorter secrets can be guessed by someone who knows the URL. */
export const MIN_SECRET_LENGTH = 16;

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;

export interface Secret {
	/** Lower-cased, as Node hands headers. */
	header: string;
	value: string;
}

export type SecretResult = { ok: true; secret: Secret } | { ok: false; reason: string };

/** What is wrong with a secret credential's fields, or the secret. Used at activation, per call and by the credential test. */
export function checkSecret(data: ICredentialDataDecryptedObject | undefined): SecretResult {
	const name = typeof data?.headerName === 'string' ? data.headerName.trim() : '';
	const value = typeof data?.secret === 'string' ? data.secret : '';
	if (name === '' || value === '') {
		return { ok: false, reason: 'The KwikID Webhook API credential has no header name or no secret' };
	}
	if (!HEADER_NAME.test(name)) return { ok: false, reason: 'The header name of the KwikID Webhook API credential is not a valid HTTP header name' };
	if (value.length < MIN_SECRET_LENGTH) {
		return { ok: false, reason: `The secret of the KwikID Webhook API credential is shorter than ${MIN_SECRET_LENGTH} characters` };
	}
	return { ok: true, secret: { header: name.toLowerCase(), value } };
}

/** The secret of the node's credential; a missing credential is a reason, not a throw. */
export async function readSecret(context: Pick<IWebhookFunctions, 'getCredentials'>): Promise<SecretResult> {
	let data: ICredentialDataDecryptedObject;
	try {
		data = await context.getCredentials(SECRET_CREDENTIAL);
	} catch {
		return { ok: false, reason: 'No KwikID Webhook API credential is selected' };
	}
	return checkSecret(data);
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Equal-length digests, so neither the value nor its length leaks through timing. */
export function sameSecret(received: string, expected: string): boolean {
	return timingSafeEqual(digest(received), digest(expected));
}

export interface Refusal {
	status: number;
	message: string;
}

/** Checks the caller's header; undefined when it may go on. */
export function checkCaller(headers: Record<string, string | string[] | undefined>, secret: Secret): Refusal | undefined {
	const sent = headers[secret.header];
	if (sent === undefined || sent === '') return { status: 401, message: 'Authorization required: the webhook secret header is missing' };
	// Sent twice: never compare "a, b" or pick one.
	if (Array.isArray(sent) || !sameSecret(sent, secret.value)) return { status: 403, message: 'The webhook secret is wrong' };
	return undefined;
}

/** Checks the caller's address against Allowed IP Addresses (empty: any). */
export function checkAddress(allowedIps: string, address: string | undefined): Refusal | undefined {
	if (allowedIps === '') return undefined;
	const list = parseAllowList(allowedIps);
	if (!list.ok) {
		return { status: 403, message: `Allowed IP Addresses has an entry that is not an address or range ("${list.bad}"); no call is accepted until it is fixed` };
	}
	return isAllowed(address, list.ranges) ? undefined : { status: 403, message: 'This address may not call the webhook' };
}

/**
 * n8n 2.x redacts request headers that a node says it consumed for authentication
 * (`recordConsumedAuth`); n8n 1.x has no such function. Feature-detected, so one build runs on both.
 */
export function markConsumed(request: object, header: string): void {
	const record = (n8nWorkflow as { recordConsumedAuth?: unknown }).recordConsumedAuth;
	if (typeof record === 'function') (record as (req: object, names: string[]) => void)(request, [header]);
}
