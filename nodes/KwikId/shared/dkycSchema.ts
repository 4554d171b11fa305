/**
 * zod validation of a Push User Data request, built from the documented field tables
 * (DKYC_FIELDS) so the rules are never retyped.
 *
 * It checks what the API checks (required fields, PAN, DD-MON-YYYY dates, 12-digit UID, code
 * lists, documents as URL or base64) and reports every problem at once, by field path
 * (`BASIC_INFORMATION.pan`), in the API's own shape: `missing_fields` and `incorrect_formats`.
 * Reasons name the expected format and never echo a value: they end up in error messages,
 * and the values are PAN, Aadhaar and phone numbers.
 *
 * Values are normalised first, where the intent is unambiguous: trimmed, numbers from
 * spreadsheets turned into text, PAN and month names upper-cased, ISO dates turned into
 * DD-MON-YYYY, codes matched case-insensitively. The normalised values are what is sent.
 */
// zod/v3: present in zod 3.25 and in zod 4, whichever n8n resolves at run time.
import { z } from 'zod/v3';

import { normalisePhoneNumber } from './phone';
import type { DkycInput, DkycProblems, DkycValid } from './dkycRules';
import { emptyProblems, hasProblems, isBase64, isDkycDate, isHttpUrl, ISO_DATE, MONTHS, PAN, UID } from './dkycRules';
import {
	DKYC_FIELDS,
	DKYC_SECTION_NAMES,
	type DkycFieldSpec,
	type DkycSectionName,
} from './dkycFields';

/** `1990-01-05` (or an ISO timestamp, as `$now` and date pickers give) -> `05-JAN-1990`. */
function toDkycDate(value: string): string {
	const iso = ISO_DATE.exec(value);
	if (iso) {
		const month = MONTHS[Number(iso[2]) - 1];
		// An impossible month stays as typed, so it is reported rather than guessed.
		return month ? `${iso[3]}-${month}-${iso[1]}` : value;
	}
	return value.toUpperCase();
}

/** Empty (absent, null, blank) becomes undefined so that zod reports it as missing. */
function normalise(field: DkycFieldSpec, raw: unknown): unknown {
	let value = raw;
	if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
	if (typeof value !== 'string') return value === null ? undefined : value;
	const text = value.trim();
	if (text === '') return undefined;
	if (field.options) {
		return field.options.find((option) => option.value.toLowerCase() === text.toLowerCase())?.value ?? text;
	}
	if (field.format === 'pan') return text.toUpperCase();
	if (field.format === 'date') return toDkycDate(text);
	return text;
}

function formatReason(field: DkycFieldSpec): string {
	if (field.options) return `expected one of ${field.options.map((option) => option.value).join(', ')}`;
	switch (field.format) {
		case 'pan':
			return 'expected a PAN like AAAAA9999A (5 letters, 4 digits, 1 letter)';
		case 'date':
			return 'expected a real date as DD-MON-YYYY, e.g. 05-JAN-1990';
		case 'uid':
			return 'expected a 12-digit Aadhaar number';
		case 'document':
			return 'expected an http(s) URL or base64 text';
		default:
			return 'expected text';
	}
}

function matchesFormat(field: DkycFieldSpec, value: string): boolean {
	if (field.options) return field.options.some((option) => option.value === value);
	switch (field.format) {
		case 'pan':
			return PAN.test(value);
		case 'date':
			return isDkycDate(value);
		case 'uid':
			return UID.test(value);
		case 'document':
			return isHttpUrl(value) || isBase64(value);
		default:
			return true;
	}
}

function fieldSchema(field: DkycFieldSpec): z.ZodType<unknown> {
	const text = z
		.string({ invalid_type_error: formatReason(field) })
		.refine((value) => matchesFormat(field, value), { message: formatReason(field) });
	return z.preprocess((raw) => normalise(field, raw), field.required ? text : text.optional());
}

function sectionSchema(section: DkycSectionName): z.ZodType<unknown> {
	const shape: Record<string, z.ZodType<unknown>> = {};
	for (const field of DKYC_FIELDS) if (field.section === section) shape[field.name] = fieldSchema(field);
	// Keys the tables do not list go through unchanged: installs add their own fields, and the
	// API, not this node, decides about them.
	const schema = z.object(shape, { invalid_type_error: 'expected an object of fields' }).passthrough();
	// An absent section is checked as an empty one, so each of its required fields is named.
	return z.preprocess((raw) => (raw === undefined || raw === null ? {} : raw), schema);
}

const textSchema = (reason: string) =>
	z.preprocess(
		(raw) => {
			const value = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : raw;
			return typeof value === 'string' ? value.trim() || undefined : value === null ? undefined : value;
		},
		z.string({ invalid_type_error: reason }),
	);

const phoneSchema = textSchema('expected a 10-digit mobile number').transform((value, ctx) => {
	const phone = normalisePhoneNumber(value);
	if (phone) return phone;
	// Only the digit count: the number itself must not reach an error message.
	ctx.addIssue({
		code: z.ZodIssueCode.custom,
		message: `expected a 10-digit mobile number (optionally with +91 or 0 in front), got ${value.replace(/\D/g, '').length} digits`,
	});
	return z.NEVER;
});

export const dkycRequestSchema = z.object({
	user_id: textSchema('expected text'),
	phone_number: phoneSchema,
	sections: z.object(
		Object.fromEntries(DKYC_SECTION_NAMES.map((name) => [name, sectionSchema(name)])) as Record<
			DkycSectionName,
			z.ZodType<unknown>
		>,
	),
});

/** `['sections', 'BASIC_INFORMATION', 'pan']` -> `BASIC_INFORMATION.pan`; the API's paths. */
function apiPath(path: ReadonlyArray<string | number>): string {
	const parts = path[0] === 'sections' ? path.slice(1) : path;
	return parts.map(String).join('.');
}

/**
 * Validates one item's request. Problems found earlier (e.g. a missing binary property) are
 * merged in, so that everything is reported together; those paths keep their own reason.
 */
export function validateDkycRequest(
	input: DkycInput,
	earlier: DkycProblems = emptyProblems(),
): { ok: true; value: DkycValid } | { ok: false; problems: DkycProblems } {
	const problems: DkycProblems = {
		missing: new Map(earlier.missing),
		incorrect: new Map(earlier.incorrect),
		notes: [...earlier.notes],
	};
	const result = dkycRequestSchema.safeParse(input);
	if (result.success && !hasProblems(problems)) {
		return { ok: true, value: result.data as DkycValid };
	}
	if (!result.success) {
		for (const issue of result.error.issues) {
			const path = apiPath(issue.path);
			if (problems.missing.has(path) || problems.incorrect.has(path)) continue;
			// Missing, not malformed: zod 3 says so in `received`; the value itself says so under any zod.
			const absent =
				issue.code === z.ZodIssueCode.invalid_type && (issue.received === 'undefined' || isBlank(valueAt(input, issue.path)));
			if (absent) problems.missing.set(path, 'required');
			else problems.incorrect.set(path, issue.message);
		}
	}
	return {
		ok: false,
		problems: { missing: inApiOrder(problems.missing), incorrect: inApiOrder(problems.incorrect), notes: problems.notes },
	};
}

function isBlank(value: unknown): boolean {
	return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** The raw value at a zod issue path (which may start with `sections`). */
function valueAt(root: unknown, path: ReadonlyArray<string | number>): unknown {
	let current = root;
	for (const key of path) {
		if (typeof current !== 'object' || current === null) return undefined;
		current = (current as Record<string | number, unknown>)[key];
	}
	return current;
}

/** Body order: user_id, phone_number, then the documented fields; anything else last. */
const API_ORDER = ['user_id', 'phone_number', ...DKYC_FIELDS.map((field) => `${field.section}.${field.name}`)];

function inApiOrder(problems: Map<string, string>): Map<string, string> {
	const rank = (path: string): number => {
		const index = API_ORDER.indexOf(path);
		return index === -1 ? API_ORDER.length : index;
	};
	return new Map([...problems].sort(([a], [b]) => rank(a) - rank(b)));
}
