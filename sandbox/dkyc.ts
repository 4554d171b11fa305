/**
 * push_user_data validation, written independently of the node's zod schema so the sandbox can
 * act as an oracle for it. Only the field table (transcribed once from the vendor document) is
 * shared. Errors are paths: top-level keys as-is, fields as `SECTION.field`, structural problems
 * as `data[i]...`.
 */
import { DKYC_FIELDS, DKYC_STEPS, type DkycFieldSpec } from '../nodes/KwikId/shared/dkycFields';

import { isRecord } from './http';

export interface DkycErrors {
	missing_fields: string[];
	incorrect_formats: string[];
}

const PAN = /^[A-Z]{5}[0-9]{4}[A-Z]$/;
const UID = /^[0-9]{12}$/;
const PHONE = /^[0-9]{10}$/;
const DATE = /^([0-9]{2})-([A-Z]{3})-([0-9]{4})$/;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

const SECTION_NAMES = new Set<string>(DKYC_STEPS.flatMap((step) => step.sections));

/** Empty means "not given": absent, null or "". */
function isEmpty(value: unknown): boolean {
	return value === undefined || value === null || value === '';
}

/**
 * Code lists a KwikID account may hold beyond the documented formats ("AMC Code must be one of
 * ours"), by field path, e.g. { "BASIC_INFORMATION.amc": ["AMC1"] }. The node cannot know them:
 * KwikID alone refuses such values, with the path in incorrect_formats.
 */
export type TenantCodes = Record<string, string[]>;

/** The tenant's code lists, checked on a record that passed the documented rules. */
export function tenantCodeErrors(body: unknown, codes: TenantCodes): DkycErrors {
	const errors: DkycErrors = { missing_fields: [], incorrect_formats: [] };
	const data = isRecord(body) && Array.isArray(body.data) ? body.data : [];
	const sections = collectSections(data, () => undefined, () => undefined);
	for (const [path, allowed] of Object.entries(codes)) {
		const [section, field] = path.split('.');
		const value = sections.get(section)?.[field];
		if (!isEmpty(value) && !allowed.includes(String(value))) errors.incorrect_formats.push(path);
	}
	return errors;
}

export function validatePushUserData(body: unknown): DkycErrors {
	const errors: DkycErrors = { missing_fields: [], incorrect_formats: [] };
	const missing = (path: string): void => void errors.missing_fields.push(path);
	const incorrect = (path: string): void => void errors.incorrect_formats.push(path);
	const input = isRecord(body) ? body : {};

	if (isEmpty(input.user_id)) missing('user_id');
	else if (typeof input.user_id !== 'string') incorrect('user_id');

	if (isEmpty(input.phone_number)) missing('phone_number');
	else if (typeof input.phone_number !== 'string' || !PHONE.test(input.phone_number)) incorrect('phone_number');

	if (input.extras !== undefined && input.extras !== null && !isRecord(input.extras)) incorrect('extras');

	const data = input.data;
	if (isEmpty(data) || (Array.isArray(data) && data.length === 0)) {
		missing('data');
		return errors;
	}
	if (!Array.isArray(data)) {
		incorrect('data');
		return errors;
	}

	const sections = collectSections(data, missing, incorrect);
	for (const field of DKYC_FIELDS) {
		const path = `${field.section}.${field.name}`;
		const value = sections.get(field.section)?.[field.name];
		if (isEmpty(value)) {
			if (field.required) missing(path);
		} else if (typeof value !== 'string' || !valueMatches(field, value)) {
			incorrect(path);
		}
	}
	return errors;
}

/** Walks the steps, reporting structural problems, and returns the sections found by name. */
function collectSections(
	steps: unknown[],
	missing: (path: string) => void,
	incorrect: (path: string) => void,
): Map<string, Record<string, unknown>> {
	const sections = new Map<string, Record<string, unknown>>();
	steps.forEach((step, i) => {
		const at = `data[${i}]`;
		if (!isRecord(step)) return incorrect(at);

		let documentedSections: readonly string[] | undefined;
		const info = step.step_info;
		if (isEmpty(info)) missing(`${at}.step_info`);
		else if (!isRecord(info)) incorrect(`${at}.step_info`);
		else {
			if (isEmpty(info.doc_type)) missing(`${at}.step_info.doc_type`);
			else if (info.doc_type !== 'forms') incorrect(`${at}.step_info.doc_type`);
			if (isEmpty(info.label)) missing(`${at}.step_info.label`);
			else {
				documentedSections = DKYC_STEPS.find((s) => s.label === info.label)?.sections;
				if (!documentedSections) incorrect(`${at}.step_info.label`);
			}
		}

		const forms = step.user_form_data;
		if (isEmpty(forms)) return missing(`${at}.user_form_data`);
		if (!isRecord(forms)) return incorrect(`${at}.user_form_data`);
		for (const [name, section] of Object.entries(forms)) {
			const where = `${at}.user_form_data.${name}`;
			// A section under the wrong step, an unknown or a repeated one: the API cannot place it.
			if (!SECTION_NAMES.has(name) || sections.has(name)) {
				incorrect(where);
				continue;
			}
			if (documentedSections && !documentedSections.includes(name)) incorrect(where);
			if (!isRecord(section)) incorrect(where);
			else sections.set(name, section);
		}
	});
	return sections;
}

function valueMatches(field: DkycFieldSpec, value: string): boolean {
	if (field.options && !field.options.some((option) => option.value === value)) return false;
	switch (field.format) {
		case 'pan':
			return PAN.test(value);
		case 'uid':
			return UID.test(value);
		case 'date':
			return isDocumentedDate(value);
		case 'document':
			return isHttpUrl(value) || isBase64(value);
		default:
			return true;
	}
}

/** DD-MON-YYYY with an upper-case month abbreviation and a day that exists in that month. */
export function isDocumentedDate(value: string): boolean {
	const match = DATE.exec(value);
	if (!match) return false;
	const month = MONTHS.indexOf(match[2]);
	if (month < 0) return false;
	const day = Number(match[1]);
	const year = Number(match[3]);
	const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
	const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month];
	return day >= 1 && day <= daysInMonth;
}

function isHttpUrl(value: string): boolean {
	try {
		const url = new URL(value);
		return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
	} catch {
		return false;
	}
}

/** Plain (not URL-safe, no data: prefix, no line breaks) padded base64. */
function isBase64(value: string): boolean {
	return value.length % 4 === 0 && BASE64.test(value);
}
