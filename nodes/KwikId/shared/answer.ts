/**
 * Reading single fields of KwikID's answers, which arrive in more shapes than the reference
 * shows (API-NOTES, "What a live install answers"): numbers as strings, lists and objects as JSON
 * text, times as epoch-second strings with fractions or "" when not reached. Every reader here
 * accepts anything and never throws; what it cannot read it reports as null (or as sent).
 */
import type { IDataObject } from 'n8n-workflow';

import { isPlainObject } from './objects';

/** Text for display: a non-empty string or a finite number as text; null for anything else. */
export function text(value: unknown): string | null {
	if (typeof value === 'string') return value.trim() === '' ? null : value;
	return typeof value === 'number' && Number.isFinite(value) ? String(value) : null;
}

/** A number sent as a number or as numeric text ("3", "6.5"); null for anything else. */
export function numberOf(value: unknown): number | null {
	if (typeof value === 'number') return Number.isFinite(value) ? value : null;
	if (typeof value !== 'string' || value.trim() === '') return null;
	const number = Number(value);
	return Number.isFinite(number) ? number : null;
}

/**
 * A field that may be sent as JSON text (`"[\"selfie\"]"`, `"{\"a\":1}"`): parsed when it is
 * valid JSON text, as sent otherwise (a value that is not JSON is still the value KwikID sent).
 * "" and null read as null.
 */
export function jsonField(value: unknown): unknown {
	if (value === undefined || value === null) return null;
	if (typeof value !== 'string') return value;
	const trimmed = value.trim();
	if (trimmed === '') return null;
	if (!/^[[{]/.test(trimmed)) return value;
	try {
		return JSON.parse(trimmed) as unknown;
	} catch {
		return value;
	}
}

/** jsonField, kept only when it is an object (for fields that must be one). */
export function objectField(value: unknown): IDataObject | null {
	const parsed = jsonField(value);
	return isPlainObject(parsed) ? parsed : null;
}

/** Epoch seconds or milliseconds, as number or string, to ISO; unreadable text as it came. */
export function toIsoTime(value: unknown): string | null {
	if (value === null || value === undefined || value === '') return null;
	if (typeof value !== 'number' && typeof value !== 'string') return null;
	const number = typeof value === 'number' ? value : value.trim() === '' ? Number.NaN : Number(value);
	if (Number.isFinite(number) && number > 0) {
		const ms = number < 1e12 ? number * 1000 : number;
		const date = new Date(ms);
		return Number.isNaN(date.getTime()) ? null : date.toISOString();
	}
	if (typeof value === 'string') {
		const parsed = Date.parse(value);
		return Number.isNaN(parsed) ? value : new Date(parsed).toISOString();
	}
	return null;
}
