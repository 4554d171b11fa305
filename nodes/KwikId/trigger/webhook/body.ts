/**
 * The body of a webhook call as one JSON object, or why it is refused.
 *
 * KwikID publishes no payload ("the actual payload may vary"), so JSON, form data and JSON sent
 * as text/plain are accepted. Everything else is refused before anything is read from it: XML
 * (which n8n would turn into an object), multipart, binary, a top-level list, a body over the
 * size limit or nested deeper than any notification is. The raw bytes n8n keeps
 * (`req.rawBody`) are parsed here, so n8n 1.x and 2.x (which pre-parse differently) read alike.
 */
import type { IDataObject } from 'n8n-workflow';

import { isPlainObject } from '../../shared/objects';

/** KwikID's notification is a few hundred bytes; a full session with links is a few kilobytes. */
export const MAX_BODY_BYTES = 256 * 1024;
/** No real payload nests deeper than a handful of levels. */
export const MAX_DEPTH = 16;

/** The parts of n8n's request object read here (express's Request, typed loosely on purpose). */
export interface RequestLike {
	headers: Record<string, string | string[] | undefined>;
	rawBody?: unknown;
	body?: unknown;
}

export type BodyResult = { ok: true; body: IDataObject } | { ok: false; status: number; message: string };

function refuse(status: number, message: string): BodyResult {
	return { ok: false, status, message };
}

function mediaType(headers: RequestLike['headers']): string {
	const value = headers['content-type'];
	const text = Array.isArray(value) ? value[0] : value;
	return (text ?? '').split(';')[0].trim().toLowerCase();
}

function depthOf(value: unknown, limit: number): number {
	// Iterative, so a hostile body cannot overflow the stack here.
	let deepest = 0;
	const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
	while (stack.length > 0) {
		const next = stack.pop();
		if (!next || typeof next.value !== 'object' || next.value === null) continue;
		const depth = next.depth + 1;
		if (depth > deepest) deepest = depth;
		if (deepest > limit) return deepest;
		for (const child of Object.values(next.value as object)) stack.push({ value: child, depth });
	}
	return deepest;
}

function fromJsonText(text: string): BodyResult {
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		return refuse(400, 'The body is not valid JSON');
	}
	return asObject(parsed);
}

function fromForm(text: string): BodyResult {
	const body: IDataObject = {};
	for (const [key, value] of new URLSearchParams(text)) {
		const existing = body[key];
		// A repeated field stays a list: a session_id sent twice with two values is ambiguous.
		if (existing === undefined) body[key] = value;
		else body[key] = Array.isArray(existing) ? [...(existing as string[]), value] : [existing as string, value];
	}
	return asObject(body);
}

function asObject(value: unknown): BodyResult {
	if (!isPlainObject(value)) {
		return refuse(400, Array.isArray(value) ? 'The body is a JSON list; a JSON object is expected' : 'The body is not a JSON object');
	}
	if (depthOf(value, MAX_DEPTH) > MAX_DEPTH) return refuse(400, `The body is nested deeper than ${MAX_DEPTH} levels`);
	return { ok: true, body: value };
}

function rawText(request: RequestLike): string | undefined {
	const raw = request.rawBody;
	if (Buffer.isBuffer(raw)) return raw.toString('utf8');
	return typeof raw === 'string' ? raw : undefined;
}

function sizeOf(request: RequestLike, text: string | undefined): number {
	if (text !== undefined) return Buffer.byteLength(text, 'utf8');
	const declared = Number(request.headers['content-length']);
	return Number.isFinite(declared) ? declared : 0;
}

/** Reads the call's body; `parsed` is what n8n put in req.body (used when it kept no raw bytes). */
export function readBody(request: RequestLike): BodyResult {
	const type = mediaType(request.headers);
	const text = rawText(request);
	if (sizeOf(request, text) > MAX_BODY_BYTES) {
		return refuse(413, `The body is larger than ${MAX_BODY_BYTES / 1024} KB`);
	}
	const isJson = type === 'application/json' || /^application\/[a-z0-9.+-]*\+json$/.test(type);
	const isForm = type === 'application/x-www-form-urlencoded';
	// No content type at all: read it as JSON if it is JSON.
	if (!isJson && !isForm && type !== 'text/plain' && type !== '') {
		return refuse(415, `Content type "${type.slice(0, 60)}" is not accepted: send JSON or form data`);
	}
	if (text === undefined) {
		// No raw bytes (a caller that parsed the body itself): take n8n's parsed body as it is.
		const parsed = request.body;
		if (typeof parsed === 'string') return isForm ? fromForm(parsed) : fromJsonText(parsed);
		if (parsed === undefined || parsed === null || (isPlainObject(parsed) && Object.keys(parsed).length === 0)) {
			return refuse(400, 'The body is empty');
		}
		return asObject(parsed);
	}
	if (text.trim() === '') return refuse(400, 'The body is empty');
	return isForm ? fromForm(text) : fromJsonText(text);
}
