/**
 * Reading the session the call names from the KwikID API: the body is a hint, the API is the
 * truth. Three answers: the session, "KwikID does not know it" (the call is refused for good),
 * or "could not ask now" (the caller should send it again).
 */
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import type { KwikIdErrorContext, RetryPolicy } from '../../transport';
import { connect, fetchSessionData } from '../../transport';

export type Verified =
	| { kind: 'ok'; data: IDataObject }
	/** 400 "Invalid session id": asking again will not help. */
	| { kind: 'unknown' }
	/** Unreachable, 5xx, 429 after retries, the credential refused or missing. */
	| { kind: 'unavailable'; reason: string };

/**
 * The sender is waiting for the answer, and will send the call again on a 503: a short retry
 * here, the long patience is the sender's.
 */
export const WEBHOOK_RETRY: RetryPolicy = { rateLimitRetries: 2, transientRetries: 1, baseDelayMs: 250 };

function errorContext(error: unknown): KwikIdErrorContext | undefined {
	if (typeof error !== 'object' || error === null || !('context' in error)) return undefined;
	return (error as { context: unknown }).context as KwikIdErrorContext | undefined;
}

export async function verifySession(context: IWebhookFunctions, sessionId: string): Promise<Verified> {
	try {
		const client = await connect(context, { retry: WEBHOOK_RETRY });
		return { kind: 'ok', data: await fetchSessionData(client, sessionId) };
	} catch (error) {
		const details = errorContext(error);
		if (details?.httpCode === '400' && /invalid session id/i.test(details.kwikIdMessage ?? '')) return { kind: 'unknown' };
		const code = details?.httpCode;
		const message = error instanceof Error ? error.message : 'unknown error';
		return { kind: 'unavailable', reason: code ? `KwikID answered ${code}: ${message}` : message };
	}
}
