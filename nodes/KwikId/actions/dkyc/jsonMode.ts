/**
 * JSON mode: `sectionsJson` is an object keyed by the documented section names, as text or as
 * an object from an expression. Documents inside DOCUMENT_COLLECTION are read by documents.ts.
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DKYC_SECTION_NAMES, type DkycSectionName } from '../../shared/dkycFields';
import type { DkycSections } from '../../shared/dkycRules';
import { redact, shown } from '../../shared/mask';
import { isPlainObject } from '../../shared/objects';

const TEMPLATE = JSON.stringify(Object.fromEntries(DKYC_SECTION_NAMES.map((name) => [name, {}])), null, 2);

export const sectionsJsonParameter: INodeProperties = {
	displayName: 'Sections (JSON)',
	name: 'sectionsJson',
	type: 'json',
	required: true,
	default: TEMPLATE,
	description:
		'An object keyed by section name (BASIC_INFORMATION, ..., DOCUMENT_COLLECTION), each holding its fields as in the KwikID docs. A document is a URL, base64 text, or {"binaryProperty": "photo"} to send a binary file of the input item.',
};

function isSectionName(name: string): name is DkycSectionName {
	return (DKYC_SECTION_NAMES as readonly string[]).includes(name);
}

function parse(context: IExecuteFunctions, itemIndex: number): unknown {
	const raw = context.getNodeParameter('sectionsJson', itemIndex, '') as unknown;
	if (typeof raw !== 'string') return raw;
	if (raw.trim() === '') {
		throw new NodeOperationError(context.getNode(), 'Sections (JSON) is empty', {
			itemIndex,
			description: `Give the record as one JSON object, e.g. {"BASIC_INFORMATION": {...}}, or check the expression that fills it: it gave nothing for item ${itemIndex}.`,
		});
	}
	try {
		return JSON.parse(raw) as unknown;
	} catch (error) {
		// V8 quotes part of the text in its message, and the text holds PAN and Aadhaar numbers.
		const reason = shown(error instanceof Error ? error.message : String(error), 200);
		throw new NodeOperationError(context.getNode(), 'Sections (JSON) is not valid JSON', {
			itemIndex,
			description: `${reason}. If the value comes from an expression, check what it gives for item ${itemIndex}.`,
		});
	}
}

/** The sections of one item. Unknown section names stop here: the API could not place them. */
export function sectionsFromJson(context: IExecuteFunctions, itemIndex: number): DkycSections {
	const value = parse(context, itemIndex);
	if (!isPlainObject(value)) {
		throw new NodeOperationError(context.getNode(), 'Sections (JSON) must be an object keyed by section name', {
			itemIndex,
			description: `Use an object such as {"BASIC_INFORMATION": {...}, "DOCUMENT_COLLECTION": {...}}. Allowed sections: ${DKYC_SECTION_NAMES.join(', ')}.`,
		});
	}
	const sections: DkycSections = {};
	const unknown: string[] = [];
	for (const [name, section] of Object.entries(value)) {
		if (isSectionName(name)) sections[name] = section;
		// Keys are the user's text; should one hold personal data, it is masked like any other.
		else unknown.push(redact(name));
	}
	if (unknown.length) {
		const error = new NodeOperationError(
			context.getNode(),
			`Sections (JSON) has unknown section${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`,
			{ itemIndex, description: `Allowed sections: ${DKYC_SECTION_NAMES.join(', ')}. Names are case-sensitive.` },
		);
		Object.assign(error.context, { missing_fields: [], incorrect_formats: unknown });
		throw error;
	}
	return sections;
}
