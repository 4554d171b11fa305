/** The item the trigger emits: the session as the API reports it, and what the call said. */
import type { IDataObject } from 'n8n-workflow';

import { redact } from '../../shared/mask';
import { isPlainObject } from '../../shared/objects';
import { normaliseSession, simplifySession } from '../../shared/session';
import type { FoundEvent } from './ids';
import { UNSAFE_KEYS } from './ids';
import type { WebhookSettings } from './parameters';

/** Keys whose values are secrets whatever they look like. */
const SECRET_KEY = /pass(word)?|secret|token|authori[sz]ation|api[-_]?key|^auth$|signature/i;

/**
 * A copy of the call's body for the item: Aadhaar numbers, PANs, phone numbers and tokens masked
 * (as in every message of the package), secret-named fields hidden, prototype keys dropped.
 * The body is at most MAX_DEPTH deep (body.ts), so the recursion is bounded.
 */
export function maskBody(value: unknown, key = ''): unknown {
	if (key !== '' && SECRET_KEY.test(key) && value !== null && value !== '') return '[secret]';
	if (typeof value === 'string') return redact(value);
	if (typeof value === 'number') {
		const text = String(value);
		const masked = redact(text);
		return masked === text ? value : masked;
	}
	if (Array.isArray(value)) return value.map((entry) => maskBody(entry));
	if (isPlainObject(value)) {
		const out: IDataObject = {};
		for (const [name, entry] of Object.entries(value)) {
			if (UNSAFE_KEYS.has(name)) continue;
			out[name] = maskBody(entry, name) as IDataObject[string];
		}
		return out;
	}
	return value ?? null;
}

export interface Call {
	event: FoundEvent;
	receivedAt: string;
	body: IDataObject;
}

function callFields(call: Call, verified: boolean): IDataObject {
	return {
		event: call.event.event,
		event_name: call.event.name,
		received_at: call.receivedAt,
		verified,
		body: maskBody(call.body) as IDataObject,
	};
}

export function verifiedItem(data: IDataObject, settings: WebhookSettings, call: Call): IDataObject {
	const session = settings.simplify ? simplifySession(data, settings.checkerReview) : normaliseSession(data);
	return { ...session, ...callFields(call, true) };
}

/** KwikID could not be asked and Emit Unverified is on: nothing here is the API's word. */
export function unverifiedItem(sessionId: string, reason: string, call: Call): IDataObject {
	return {
		session_id: sessionId,
		status: null,
		// Never read as a decision: a Switch on outcome sends this to "pending".
		outcome: 'pending',
		is_final: false,
		verify_error: redact(reason),
		...callFields(call, false),
	};
}
