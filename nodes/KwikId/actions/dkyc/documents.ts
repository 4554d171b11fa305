/**
 * The DOCUMENT_COLLECTION section: each document comes from a binary property of the input
 * item (sent as base64), a URL (sent as is; KwikID fetches it) or base64 text.
 *
 * In "Map Each Field" mode every document has a source dropdown and a value. In JSON mode a
 * document is a string (an http(s) URL, else base64 text) or an object naming its source:
 * `{"binaryProperty": "photo"}`, `{"url": "https://..."}` or `{"base64": "..."}`.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { dkycSectionFields, type DkycFieldSpec } from '../../shared/dkycFields';
import { isBase64, isHttpUrl, type DkycProblems } from '../../shared/dkycRules';
import { isPlainObject } from '../../shared/objects';

export type DocumentSource = 'binary' | 'url' | 'base64';

export interface DocumentRef {
	source: DocumentSource;
	value: string;
	/** The source was guessed from a JSON string, so a failure names both kinds. */
	guessed?: boolean;
}

export const DOCUMENT_FIELDS: readonly DkycFieldSpec[] = dkycSectionFields('DOCUMENT_COLLECTION');

const sourceParameter = (field: DkycFieldSpec): INodeProperties => ({
	displayName: `${field.displayName} Source`,
	name: `${field.name}Source`,
	type: 'options',
	// Sorted by name, as n8n lists options.
	options: [
		{ name: 'Base64 Text', value: 'base64', description: 'The file itself, as base64 text' },
		{ name: 'Binary File', value: 'binary', description: 'A binary property of the input item' },
		{ name: 'URL', value: 'url', description: 'An http(s) link KwikID downloads the file from' },
	],
	default: 'binary',
	description: `Where the ${field.displayName.toLowerCase()} comes from`,
});

const valueParameter = (field: DkycFieldSpec): INodeProperties => ({
	displayName: field.displayName,
	name: field.name,
	type: 'string',
	...(field.required ? { required: true } : {}),
	default: '',
	placeholder: 'e.g. data',
	description: `${field.description}: the name of the input binary field holding it, its URL, or its base64 text, as chosen in ${field.displayName} Source`,
});

/** Map Each Field UI: per document its source, then its value. */
export const documentsParameter: INodeProperties = {
	displayName: 'Document Collection',
	name: 'documentCollection',
	type: 'fixedCollection',
	placeholder: 'Add Documents',
	// Not pre-filled: n8n 2.x crashes building parameters when a single-value fixed collection
	// has a non-empty default and the saved node omits it. An unadded section is reported field by field.
	default: {},
	description:
		'Documents of the DOCUMENT_COLLECTION section. Binary files are sent as base64; URLs are passed to KwikID, which downloads them.',
	options: [
		{
			displayName: 'Documents',
			name: 'documents',
			values: DOCUMENT_FIELDS.flatMap((field) => [sourceParameter(field), valueParameter(field)]),
		},
	],
};

function problem(
	problems: DkycProblems,
	kind: 'missing' | 'incorrect',
	field: DkycFieldSpec,
	reason: string,
	inMessage = false,
): undefined {
	const text = `${field.displayName}: ${reason}`;
	problems[kind].set(`DOCUMENT_COLLECTION.${field.name}`, text);
	if (inMessage) problems.notes.push(text);
	return undefined;
}

/** Base64 as users paste it: a `data:` URI or wrapped lines are normalised to what the API takes. */
function plainBase64(text: string): string {
	return text.replace(/^data:[^,]*;base64,/i, '').replace(/\s+/g, '');
}

function isSource(value: unknown): value is DocumentSource {
	return value === 'binary' || value === 'url' || value === 'base64';
}

/** Reads the documents of Map Each Field mode as references (nothing is loaded yet). */
export function documentRefsFromFields(context: IExecuteFunctions, itemIndex: number): Record<string, DocumentRef> {
	const values = context.getNodeParameter('documentCollection.documents', itemIndex, {}) as IDataObject;
	const refs: Record<string, DocumentRef> = {};
	for (const field of DOCUMENT_FIELDS) {
		const source = values[`${field.name}Source`] ?? 'binary';
		const value = values[field.name];
		refs[field.name] = {
			source: isSource(source) ? source : 'binary',
			value: typeof value === 'string' ? value.trim() : value === undefined || value === null ? '' : String(value),
		};
	}
	return refs;
}

/**
 * A JSON-mode document value as a reference, or a problem. Values the API could take as they
 * are (strings) are references too; an object must name exactly one source.
 */
function refFromJson(raw: unknown): DocumentRef | string | undefined {
	if (raw === undefined || raw === null) return undefined;
	if (typeof raw === 'string') {
		const text = raw.trim();
		return { source: /^https?:\/\//i.test(text) ? 'url' : 'base64', value: text, guessed: true };
	}
	if (isPlainObject(raw)) {
		const entries = Object.entries(raw);
		const keys: Record<string, DocumentSource> = { binaryProperty: 'binary', url: 'url', base64: 'base64' };
		const [key, value] = entries[0] ?? [];
		if (entries.length === 1 && key !== undefined && key in keys && typeof value === 'string') {
			return { source: keys[key], value: value.trim() };
		}
	}
	return 'expected a URL, base64 text, or an object such as {"binaryProperty": "photo"}, {"url": "..."} or {"base64": "..."}';
}

/** Reads JSON-mode documents; anything that is not a document reference is left for the schema. */
export function documentRefsFromJson(
	section: unknown,
	problems: DkycProblems,
): { refs: Record<string, DocumentRef>; rest: IDataObject } {
	const refs: Record<string, DocumentRef> = {};
	const rest: IDataObject = {};
	if (!isPlainObject(section)) return { refs, rest };
	for (const [name, raw] of Object.entries(section)) {
		const field = DOCUMENT_FIELDS.find((candidate) => candidate.name === name);
		if (!field) {
			rest[name] = raw;
			continue;
		}
		const ref = refFromJson(raw);
		if (typeof ref === 'string') problem(problems, 'incorrect', field, ref);
		else if (ref) refs[name] = ref;
	}
	return { refs, rest };
}

/**
 * Stands in for a binary document while the record is validated. Plain base64 as the schema
 * wants it; the file itself is read only when the item is sent (`loadDocuments`).
 */
export const PENDING_FILE = 'AA==';

/** The documents of one item: the values checked now, and the binary fields to read when sent. */
export interface ResolvedDocuments {
	/** URL or base64 text as the API takes it; `PENDING_FILE` for a binary field. */
	values: Record<string, string>;
	/** Document field name -> the input item's binary property holding it. */
	binary: Record<string, string>;
}

/**
 * Checks references against their declared source: a URL or base64 text is normalised, a
 * binary property must exist and not be empty. Binary files are not kept: a batch of 1,000
 * records with 1 MB documents would hold 1.3 GB of base64 until the last one is sent; each is
 * read again when its item is sent. Problems are collected, not thrown, so they are reported
 * with every other field problem.
 */
export async function resolveDocuments(
	context: IExecuteFunctions,
	itemIndex: number,
	refs: Record<string, DocumentRef>,
	problems: DkycProblems,
): Promise<ResolvedDocuments> {
	const resolved: ResolvedDocuments = { values: {}, binary: {} };
	const binary = context.getInputData()[itemIndex]?.binary ?? {};
	for (const field of DOCUMENT_FIELDS) {
		const ref = refs[field.name];
		// Empty: the schema reports it as missing (or leaves it out when optional).
		if (!ref || ref.value === '') continue;
		const value = await resolveOne(context, itemIndex, field, ref, Object.keys(binary), problems);
		if (value === undefined) continue;
		resolved.values[field.name] = value;
		if (ref.source === 'binary') resolved.binary[field.name] = ref.value;
	}
	return resolved;
}

/** Reads the binary documents of one item as base64, right before it is sent. */
export async function loadDocuments(
	context: IExecuteFunctions,
	itemIndex: number,
	binary: Record<string, string>,
): Promise<Record<string, string>> {
	const loaded: Record<string, string> = {};
	for (const [name, property] of Object.entries(binary)) {
		loaded[name] = (await context.helpers.getBinaryDataBuffer(itemIndex, property)).toString('base64');
	}
	return loaded;
}

async function resolveOne(
	context: IExecuteFunctions,
	itemIndex: number,
	field: DkycFieldSpec,
	ref: DocumentRef,
	binaryNames: string[],
	problems: DkycProblems,
): Promise<string | undefined> {
	if (ref.source === 'url' || ref.source === 'base64') {
		const text = ref.source === 'url' ? ref.value : plainBase64(ref.value);
		if (ref.source === 'url' ? isHttpUrl(text) : isBase64(text)) return text;
		const expected = ref.guessed ? 'an http(s) URL or base64 text' : ref.source === 'url' ? 'an http(s) URL' : 'base64 text';
		return problem(problems, 'incorrect', field, `expected ${expected}`);
	}
	if (!binaryNames.includes(ref.value)) {
		const has = binaryNames.length ? `it has ${binaryNames.map((name) => `"${name}"`).join(', ')}` : 'it has no binary data';
		// Property names are safe to show; they are the user's own labels.
		return problem(problems, 'missing', field, `the input item has no binary field "${ref.value}" (${has})`, true);
	}
	context.helpers.assertBinaryData(itemIndex, ref.value);
	// Read to see that it is not empty, then let go: it is read again when the item is sent.
	const size = (await context.helpers.getBinaryDataBuffer(itemIndex, ref.value)).length;
	if (size === 0) return problem(problems, 'incorrect', field, `the binary field "${ref.value}" is empty`, true);
	return PENDING_FILE;
}
