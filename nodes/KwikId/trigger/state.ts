/**
 * What the trigger remembers between polls, kept in the node's static data.
 *
 * n8n rewrites static data whole on every save, saves it only when a poll emits, and may lose
 * whatever a poll that emitted nothing changed. So the state is small and every part of it is
 * safe to lose: without it a session is simply seen for the first time again (re-baselined),
 * which never produces a transition that did not happen.
 *
 * Stored shape (version 1):
 *   { v: 1, fp: "<hash of the KwikID base URL>", s: { "<session id>": <code>, ... },
 *     r: "<session id the next poll reads first>" (budget.ts, only when a poll stopped early),
 *     w: "<mark of the poll that wrote it>" (carry.ts) }
 * A code is `[status, checker]`: the status as the index of a known status in STATUS_CODES (1-2
 * bytes) or the status text itself for one KwikID added later, and the checker's state as one
 * letter (CHECKER_LETTERS, "" for no checker fields); or a marker for an invalid id
 * (INVALID_PENDING / INVALID_REPORTED). A bare status code without the checker is what versions
 * before the checker stored: still read, with the checker unknown. An earlier version reading
 * this state skips the pairs it does not know (the session is seen afresh, never a false change).
 * With UUID session ids that is about 48 bytes per watched session, 48 kB for 1,000.
 */
import type { IDataObject } from 'n8n-workflow';

import { isPlainObject } from '../shared/objects';
import type { CheckerState } from '../shared/review';
import { isPlausibleSessionId } from '../shared/session';

const VERSION = 1;

/**
 * Status <-> code. Append only: a stored code must keep meaning the same status, so existing
 * entries are never reordered or removed, whatever order the editor's dropdown uses.
 */
const STATUS_CODES: readonly string[] = [
	'waiting',
	'agent_alloted',
	'kyc_request_accepted',
	'kyc_request_rejected',
	'kyc_result_rejected',
	'kyc_result_approved',
	'session_expired',
	'user_abandoned',
	'vkyc_requested',
	'kyc_rejected',
	'kyc_result_partial_update',
];
const CODE_OF = new Map(STATUS_CODES.map((status, index) => [status, index]));

/** KwikID called the id invalid (or it is not an id at all); not reported to the user yet. */
export const INVALID_PENDING = -1;
/** Invalid and already reported: skipped without a request or another error. */
export const INVALID_REPORTED = -2;

/** An unknown status is stored as text; this bounds what a misbehaving API can make us store. */
const MAX_STORED_STATUS = 64;

type StatusCode = number | string;
export type StoredCode = StatusCode | [StatusCode, string];

/** The checker's state in one letter. Append only, like STATUS_CODES. */
const CHECKER_LETTERS: ReadonlyArray<[Exclude<CheckerState, null>, string]> = [
	['awaiting', 'w'],
	['in_review', 'i'],
	['approved', 'a'],
	['rejected', 'r'],
	['unclear', 'u'],
];
const LETTER_OF = new Map<CheckerState, string>([[null, ''], ...CHECKER_LETTERS]);
const CHECKER_OF = new Map<string, CheckerState>([['', null], ...CHECKER_LETTERS.map(([state, letter]): [string, CheckerState] => [letter, state])]);

/** What a poll saw of a session. `checker` undefined: stored by a version before the checker. */
export interface Seen {
	status: string;
	checker: CheckerState | undefined;
}

function encodeStatus(status: string): StatusCode {
	return CODE_OF.get(status) ?? status.slice(0, MAX_STORED_STATUS);
}

function decodeStatus(code: StatusCode): string | undefined {
	return typeof code === 'string' ? code : STATUS_CODES[code];
}

export function encodeSeen(status: string, checker: CheckerState): StoredCode {
	return [encodeStatus(status), LETTER_OF.get(checker) ?? ''];
}

/** What a code says was seen; undefined for the invalid markers. */
export function decodeSeen(code: StoredCode): Seen | undefined {
	if (Array.isArray(code)) {
		const status = decodeStatus(code[0]);
		return status === undefined ? undefined : { status, checker: CHECKER_OF.get(code[1]) ?? null };
	}
	const status = decodeStatus(code);
	return status === undefined ? undefined : { status, checker: undefined };
}

export function isInvalidMarker(code: StoredCode | undefined): boolean {
	return code === INVALID_PENDING || code === INVALID_REPORTED;
}

function isStatusCode(value: unknown): value is StatusCode {
	if (typeof value === 'string') return value !== '' && value.length <= MAX_STORED_STATUS;
	return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < STATUS_CODES.length;
}

function isStoredCode(value: unknown): value is StoredCode {
	if (Array.isArray(value)) {
		return value.length === 2 && isStatusCode(value[0]) && typeof value[1] === 'string' && CHECKER_OF.has(value[1]);
	}
	return value === INVALID_PENDING || value === INVALID_REPORTED || isStatusCode(value);
}

/** 32-bit FNV-1a, base 36: short, stable, and needs no import. Not a security measure. */
export function shortHash(text: string): string {
	let hash = 0x811c9dc5;
	for (let index = 0; index < text.length; index++) {
		hash ^= text.charCodeAt(index);
		hash = Math.imul(hash, 0x01000193) >>> 0;
	}
	return hash.toString(36);
}

/**
 * The key a watched id is stored under. A plausible id is its own key. Anything else (a typo,
 * a pasted sentence) is stored as "!" + hash: "!" cannot start a real id, so the two never
 * collide, and text like "__proto__" never becomes an object key.
 */
export function stateKey(sessionId: string): string {
	return isPlausibleSessionId(sessionId) ? sessionId : `!${shortHash(sessionId)}`;
}

/**
 * Which KwikID the state belongs to. Session ids of another domain or environment mean nothing
 * here (an id may not exist there, or be another customer), so a change of either resets the state.
 */
export function fingerprint(baseUrl: string): string {
	return shortHash(baseUrl.replace(/\/+$/, '').toLowerCase());
}

/**
 * Reads the state. Anything unexpected (another version, another KwikID, a hand-edited or
 * corrupted bucket, single bad entries) reads as "not known", never as an error.
 */
export function readState(bucket: IDataObject, fp: string): Map<string, StoredCode> {
	const known = new Map<string, StoredCode>();
	if (bucket.v !== VERSION || bucket.fp !== fp || !isPlainObject(bucket.s)) return known;
	for (const [key, value] of Object.entries(bucket.s)) {
		if (isStoredCode(value)) known.set(key, value);
	}
	return known;
}

/**
 * Replaces the state, with `extra` top-level keys beside it (the resume point, the write mark);
 * any other key is dropped. The bucket's top-level keys are assigned (not nested ones mutated)
 * because n8n only notices changes made directly on its observable static-data objects.
 */
export function writeState(bucket: IDataObject, fp: string, known: Map<string, StoredCode>, extra: IDataObject = {}): void {
	const sessions: IDataObject = {};
	for (const [key, code] of known) sessions[key] = code;
	for (const key of Object.keys(bucket)) {
		if (key !== 'v' && key !== 'fp' && key !== 's' && !(key in extra)) delete bucket[key];
	}
	bucket.v = VERSION;
	bucket.fp = fp;
	bucket.s = sessions;
	for (const [key, value] of Object.entries(extra)) bucket[key] = value;
}
