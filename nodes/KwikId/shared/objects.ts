import type { IDataObject } from 'n8n-workflow';

/** A JSON object (not null, not an array): what API bodies, sections and static data must be. */
export function isPlainObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Any non-null object, arrays included: for walking error objects of unknown shape. */
export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null;
}

/**
 * A JSON object from an answer body that may arrive parsed, as text or as a Buffer (n8n hands
 * any of the three, depending on the line and on whether the content type said JSON). HTML
 * pages and anything else that is not a JSON object give undefined.
 */
export function bodyAsObject(body: unknown): Record<string, unknown> | undefined {
	if (isRecord(body) && !Buffer.isBuffer(body)) return body;
	const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : '';
	if (!text.trim().startsWith('{')) return undefined;
	try {
		const parsed: unknown = JSON.parse(text);
		return isRecord(parsed) && !Array.isArray(parsed) ? parsed : undefined;
	} catch {
		return undefined;
	}
}
