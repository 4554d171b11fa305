/**
 * The DKYC record's types and format rules that need no validator library: what the node's
 * documents and problem reporting use, so that they load without zod. The zod schema built on
 * them is dkycSchema.ts, loaded only when Push DKYC Data runs.
 */
import type { DkycSectionName } from './dkycFields';

export const PAN = /^[A-Z]{5}[0-9]{4}[A-Z]$/;
export const UID = /^[0-9]{12}$/;
export const DATE = /^([0-9]{2})-([A-Z]{3})-([0-9]{4})$/;
export const ISO_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ].*)?$/;
export const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
// Plain padded base64, the only kind the API documents (no URL-safe alphabet).
export const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export type DkycSectionValues = Record<string, unknown>;
export type DkycSections = Partial<Record<DkycSectionName, unknown>>;

/** What the node collected for one item, before validation. */
export interface DkycInput {
	user_id: unknown;
	phone_number: unknown;
	sections: DkycSections;
}

export interface DkycValid {
	user_id: string;
	phone_number: string;
	sections: Record<DkycSectionName, Record<string, unknown>>;
}

/** Problems by path, each with a reason for the error's description. */
export interface DkycProblems {
	missing: Map<string, string>;
	incorrect: Map<string, string>;
	/** Reasons worth a place in the error message itself, e.g. which binary field is absent. */
	notes: string[];
}

export function emptyProblems(): DkycProblems {
	return { missing: new Map(), incorrect: new Map(), notes: [] };
}

export function hasProblems(problems: DkycProblems): boolean {
	return problems.missing.size > 0 || problems.incorrect.size > 0;
}

/** DD-MON-YYYY with a real month and a day that exists in that month (leap years included). */
export function isDkycDate(value: string): boolean {
	const match = DATE.exec(value);
	if (!match) return false;
	const month = MONTHS.indexOf(match[2]);
	if (month < 0) return false;
	const day = Number(match[1]);
	const year = Number(match[3]);
	// Computed, not via Date: Date maps years 0-99 to 1900-1999 and would misjudge 29-FEB-0000.
	const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
	const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month];
	return day >= 1 && day <= daysInMonth;
}

export function isHttpUrl(value: string): boolean {
	try {
		const url = new URL(value);
		return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
	} catch {
		return false;
	}
}

export function isBase64(value: string): boolean {
	return value.length % 4 === 0 && BASE64.test(value);
}
