/**
 * Finding the session ID and the event name in a body whose shape nobody published.
 *
 * Auto-detection walks the objects of the body (not lists, a few levels deep) and collects every
 * value under a key that means "session id" (session_id, sessionId, SessionID, session.id,
 * session: "<id>"). All of them must agree: two different IDs in one call are refused rather
 * than guessed between. A dotted path option replaces the search when a sender needs it.
 */
import type { IDataObject } from 'n8n-workflow';

import { isPlainObject } from '../../shared/objects';
import { isPlausibleSessionId } from '../../shared/session';
import type { WebhookEvent } from './events';
import { normaliseEvent } from './events';

/** Keys never read or copied: they only ever serve prototype pollution. */
export const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const SEARCH_DEPTH = 5;

const squash = (key: string): string => key.toLowerCase().replace(/[^a-z0-9]/g, '');

const EVENT_KEYS = ['event', 'eventtype', 'eventname', 'webhookevent', 'trigger', 'action', 'type'];
/** Inside an object named like this, `name` / `type` / `id` carry the event or session. */
const EVENT_CONTAINERS = new Set(['webhook', 'event', 'trigger']);

interface Visit {
	object: IDataObject;
	parentKey: string;
	depth: number;
}

function* walk(body: IDataObject): Generator<Visit> {
	const queue: Visit[] = [{ object: body, parentKey: '', depth: 0 }];
	while (queue.length > 0) {
		const visit = queue.shift() as Visit;
		yield visit;
		if (visit.depth >= SEARCH_DEPTH) continue;
		for (const [key, value] of Object.entries(visit.object)) {
			if (UNSAFE_KEYS.has(key) || !isPlainObject(value)) continue;
			queue.push({ object: value, parentKey: squash(key), depth: visit.depth + 1 });
		}
	}
}

/** Reads a dotted path ("payload.session.session_id", "events.0.id"); undefined if absent. */
export function readPath(body: IDataObject, path: string): unknown {
	let current: unknown = body;
	for (const part of path.split('.').map((segment) => segment.trim())) {
		if (part === '' || UNSAFE_KEYS.has(part)) return undefined;
		if (Array.isArray(current) && /^\d+$/.test(part)) current = current[Number(part)];
		else if (isPlainObject(current) && Object.prototype.hasOwnProperty.call(current, part)) current = current[part];
		else return undefined;
	}
	return current;
}

export type IdResult = { ok: true; sessionId: string } | { ok: false; message: string };

function idText(value: unknown): string | undefined | null {
	if (typeof value === 'string') return value.trim();
	if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
	// A list (a form field sent twice) or an object is no single ID.
	return value === undefined ? undefined : null;
}

function checked(value: unknown, where: string): IdResult {
	const id = idText(value);
	if (id === null) return { ok: false, message: `The session ID at ${where} is not a single text value` };
	if (id === undefined || id === '') return { ok: false, message: `The body has no session ID at ${where}` };
	if (!isPlausibleSessionId(id)) return { ok: false, message: `The value at ${where} is not a KwikID session ID` };
	return { ok: true, sessionId: id };
}

export function findSessionId(body: IDataObject, path: string): IdResult {
	if (path !== '') return checked(readPath(body, path), `"${path.slice(0, 80)}"`);
	const found: Array<{ value: unknown; where: string }> = [];
	for (const { object, parentKey } of walk(body)) {
		for (const [key, value] of Object.entries(object)) {
			if (UNSAFE_KEYS.has(key)) continue;
			const squashed = squash(key);
			const isIdKey =
				squashed === 'sessionid' ||
				(squashed === 'session' && !isPlainObject(value)) ||
				(squashed === 'id' && parentKey === 'session');
			if (isIdKey) found.push({ value, where: key });
		}
	}
	if (found.length === 0) {
		return { ok: false, message: 'The body has no session ID (looked for session_id, sessionId, session.id and the like; set Session ID Path)' };
	}
	const results = found.map(({ value, where }) => checked(value, `"${where}"`));
	const failed = results.find((result) => !result.ok);
	if (failed) return failed;
	const ids = new Set(results.map((result) => (result.ok ? result.sessionId : '')));
	if (ids.size > 1) {
		return { ok: false, message: 'The body names more than one session ID; set Session ID Path to say which one' };
	}
	return results[0];
}

export interface FoundEvent {
	event: WebhookEvent;
	/** The name as sent (null when the body has none). */
	name: string | null;
}

export function findEvent(body: IDataObject, path: string): FoundEvent {
	if (path !== '') {
		const value = readPath(body, path);
		const name = typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 200) : null;
		return { event: name === null ? 'unknown' : normaliseEvent(name), name };
	}
	const candidates: string[] = [];
	for (const { object, parentKey } of walk(body)) {
		const keys = Object.keys(object).filter((key) => !UNSAFE_KEYS.has(key));
		const ranked = [
			...EVENT_KEYS.flatMap((wanted) => keys.filter((key) => squash(key) === wanted)),
			...(EVENT_CONTAINERS.has(parentKey) ? keys.filter((key) => ['name', 'type', 'id'].includes(squash(key))) : []),
		];
		for (const key of ranked) {
			const value = object[key];
			if (typeof value === 'string' && value.trim() !== '') candidates.push(value.trim().slice(0, 200));
		}
	}
	// The first name that reads as one of the four wins; otherwise the first name at all, as unknown.
	for (const name of candidates) {
		const event = normaliseEvent(name);
		if (event !== 'unknown') return { event, name };
	}
	return { event: 'unknown', name: candidates[0] ?? null };
}
