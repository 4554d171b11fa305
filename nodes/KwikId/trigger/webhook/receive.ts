/**
 * One webhook call, from the door to the item: authenticate (failing closed), read the body,
 * find the session and the event, ask the KwikID API, filter, drop repeats, emit.
 *
 * A refused or filtered call is answered here (the status written on the response) and returns
 * `noWebhookResponse` without workflow data: n8n then starts no execution. Only a verified call
 * (or, by option, an unverifiable one marked so) returns workflow data.
 */
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { text } from '../../shared/answer';
import { redact } from '../../shared/mask';
import { readReview } from '../../shared/review';
import { checkAddress, checkCaller, markConsumed, readSecret } from './auth';
import type { RequestLike } from './body';
import { readBody } from './body';
import { deliveryKey, recentDeliveries } from './dedup';
import { findEvent, findSessionId } from './ids';
import type { WebhookSettings } from './parameters';
import { readSettings } from './parameters';
import type { Call } from './shape';
import { unverifiedItem, verifiedItem } from './shape';
import { verifySession } from './verify';

/** How long the sender should wait before sending a call answered 503 again. */
export const RETRY_AFTER_SEC = 30;

interface ResponseLike {
	headersSent?: boolean;
	writeHead(status: number, headers: Record<string, string>): unknown;
	end(body: string): unknown;
}

interface IncomingRequest extends RequestLike {
	ip?: string;
	socket?: { remoteAddress?: string };
}

function answer(
	context: IWebhookFunctions,
	status: number,
	message: string,
	headers: Record<string, string> = {},
): IWebhookResponseData {
	const response = context.getResponseObject() as unknown as ResponseLike;
	if (response.headersSent !== true) {
		response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
		response.end(JSON.stringify({ message }));
	}
	return { noWebhookResponse: true };
}

function emit(json: IDataObject): IWebhookResponseData {
	return { workflowData: [[{ json }]] };
}

/** The parts of a delivery that make it "the same one": session, event, verified state. */
function repeatKey(context: IWebhookFunctions, parts: ReadonlyArray<string | boolean | null>): string {
	return deliveryKey([context.getWorkflow().id ?? '', context.getNode().id, context.getMode(), ...parts]);
}

function isRepeat(settings: WebhookSettings, key: string): boolean {
	return settings.repeatWindowMs > 0 && recentDeliveries.seenRecently(key, settings.repeatWindowMs);
}

export async function receive(context: IWebhookFunctions): Promise<IWebhookResponseData> {
	const receivedAt = new Date().toISOString();
	const request = context.getRequestObject() as unknown as IncomingRequest;
	const settings = readSettings(context);
	const log = context.logger;

	const secret = await readSecret(context);
	if (!secret.ok) {
		log.warn(`KwikID Webhook Trigger: refused a call, no usable secret: ${secret.reason}`);
		return answer(context, 500, `This workflow accepts no calls until it has a webhook secret: ${secret.reason}.`);
	}
	const address = request.ip ?? request.socket?.remoteAddress;
	const refusal =
		checkAddress(settings.allowedIps, address) ?? checkCaller(context.getHeaderData(), secret.secret);
	if (refusal) {
		log.info(`KwikID Webhook Trigger: refused a call from ${address ?? 'an unknown address'} (${refusal.status}): ${refusal.message}`);
		return answer(context, refusal.status, refusal.message);
	}
	markConsumed(request, secret.secret.header);

	const body = readBody(request);
	if (!body.ok) return answer(context, body.status, body.message);
	const event = findEvent(body.body, settings.eventPath);
	const id = findSessionId(body.body, settings.sessionIdPath);
	if (!id.ok) return answer(context, 400, id.message);
	if (settings.events.size > 0 && !settings.events.has(event.event)) {
		return answer(context, 200, `Received; event "${event.event}" is not one this workflow starts for`);
	}
	const call: Call = { event, receivedAt, body: body.body };

	const verified = await verifySession(context, id.sessionId);
	if (verified.kind === 'unknown') {
		return answer(context, 422, `KwikID does not know the session "${redact(id.sessionId)}"`);
	}
	if (verified.kind === 'unavailable') {
		log.warn(`KwikID Webhook Trigger: could not verify session ${redact(id.sessionId)}: ${redact(verified.reason)}`);
		const filtered = settings.outcomes.size > 0 || settings.statuses.size > 0;
		if (!settings.emitUnverified || filtered) {
			return answer(context, 503, 'KwikID could not be asked about this session right now; send it again later', {
				'retry-after': String(RETRY_AFTER_SEC),
			});
		}
		if (isRepeat(settings, repeatKey(context, [id.sessionId, event.event, false]))) {
			return answer(context, 200, 'Received; already emitted');
		}
		return emit(unverifiedItem(id.sessionId, verified.reason, call));
	}

	const review = readReview(verified.data, settings.checkerReview);
	const status = text(verified.data.session_status);
	if (settings.outcomes.size > 0 && !settings.outcomes.has(review.outcome)) {
		return answer(context, 200, `Received; outcome "${review.outcome}" is not one this workflow starts for`);
	}
	if (settings.statuses.size > 0 && (status === null || !settings.statuses.has(status))) {
		return answer(context, 200, 'Received; the session status is not one this workflow starts for');
	}
	const state = [status, review.outcome, review.review.checker, review.review.checker_result, review.review.checked_at];
	if (isRepeat(settings, repeatKey(context, [id.sessionId, event.event, true, ...state]))) {
		return answer(context, 200, 'Received; already emitted');
	}
	return emit(verifiedItem(verified.data, settings, call));
}
