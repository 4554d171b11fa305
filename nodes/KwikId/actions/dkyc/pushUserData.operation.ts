import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { DKYC_STEPS } from '../../shared/dkycFields';
import type * as DkycSchema from '../../shared/dkycSchema';
import { emptyProblems, type DkycProblems, type DkycSections, type DkycValid } from '../../shared/dkycRules';
import { isPlainObject } from '../../shared/objects';
import type { KwikIdClient } from '../../transport';
import { phoneNumberProperty, userIdProperty } from '../common';
import type { Operation, SendItem } from '../types';
import {
	documentRefsFromFields,
	documentRefsFromJson,
	documentsParameter,
	resolveDocuments,
	type DocumentRef,
} from './documents';
import { buildExtras, extrasParameter, optionsParameter } from './extras';
import { sectionsFromJson, sectionsJsonParameter } from './jsonMode';
import { problemsError } from './problems';
import { sectionParameters, sectionsFromFields } from './sections';

const inFieldsMode = { show: { dataMode: ['fields'] } };

const properties: INodeProperties[] = [
	userIdProperty,
	phoneNumberProperty,
	{
		displayName: 'Data Mode',
		name: 'dataMode',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'JSON',
				value: 'json',
				description: 'Give all sections as one JSON object, e.g. built by a Code node',
			},
			{
				name: 'Map Each Field',
				value: 'fields',
				description: 'Fill in or map every documented field, section by section',
			},
		],
		default: 'fields',
		description: 'How to provide the KYC record',
	},
	...[...sectionParameters, documentsParameter].map((parameter) => ({ ...parameter, displayOptions: inFieldsMode })),
	{ ...sectionsJsonParameter, displayOptions: { show: { dataMode: ['json'] } } },
	extrasParameter,
	optionsParameter,
];

export const description = updateDisplayOptions(
	{ show: { resource: ['dkyc'], operation: ['pushUserData'] } },
	properties,
);

/**
 * The zod validator, loaded on first use: zod resolves to whatever copy n8n ships, and a
 * problem loading it must not take Send Link and Get Session down with Push DKYC Data.
 */
let validator: Promise<typeof DkycSchema> | undefined;
async function loadValidator(context: IExecuteFunctions): Promise<typeof DkycSchema> {
	validator ??= import('../../shared/dkycSchema');
	try {
		return await validator;
	} catch (error) {
		validator = undefined;
		throw new NodeOperationError(context.getNode(), 'Push DKYC Data could not load its validator (zod)', {
			description: `n8n provides zod to community nodes; this n8n's copy could not be loaded (${error instanceof Error ? error.message : String(error)}). Send Link and Get Session are not affected.`,
		});
	}
}

/** Sections and document references of one item, in whichever mode the node is in. */
function readSections(
	context: IExecuteFunctions,
	itemIndex: number,
	problems: DkycProblems,
): { sections: DkycSections; refs: Record<string, DocumentRef> } {
	if (context.getNodeParameter('dataMode', itemIndex, 'fields') !== 'json') {
		return { sections: sectionsFromFields(context, itemIndex), refs: documentRefsFromFields(context, itemIndex) };
	}
	const sections = sectionsFromJson(context, itemIndex);
	const collection = sections.DOCUMENT_COLLECTION;
	if (!isPlainObject(collection)) return { sections, refs: {} };
	const { refs, rest } = documentRefsFromJson(collection, problems);
	return { sections: { ...sections, DOCUMENT_COLLECTION: rest }, refs };
}

/** Puts the resolved documents into DOCUMENT_COLLECTION, next to any other keys given there. */
function withDocuments(sections: DkycSections, documents: Record<string, string>): DkycSections {
	const collection = sections.DOCUMENT_COLLECTION ?? {};
	// A DOCUMENT_COLLECTION that is not an object (JSON mode) stays as given, for the schema to report.
	if (!isPlainObject(collection)) return sections;
	return { ...sections, DOCUMENT_COLLECTION: { ...collection, ...documents } };
}

/** The documented body: five steps with their exact labels, `doc_type: "forms"`. */
function buildBody(valid: DkycValid, extras: IDataObject): IDataObject {
	const body: IDataObject = {
		user_id: valid.user_id,
		phone_number: valid.phone_number,
		data: DKYC_STEPS.map((step) => ({
			step_info: { doc_type: 'forms', label: step.label },
			user_form_data: Object.fromEntries(
				step.sections.map((section) => [section, withoutUndefined(valid.sections[section])]),
			),
		})),
	};
	if (Object.keys(extras).length) body.extras = extras;
	return body;
}

function withoutUndefined(section: Record<string, unknown>): IDataObject {
	return Object.fromEntries(Object.entries(section).filter(([, value]) => value !== undefined)) as IDataObject;
}

async function prepare(this: IExecuteFunctions, itemIndex: number, client: KwikIdClient): Promise<SendItem> {
	const problems = emptyProblems();
	const { sections, refs } = readSections(this, itemIndex, problems);
	const documents = await resolveDocuments(this, itemIndex, refs, problems);
	const extras = buildExtras(this, itemIndex, problems);

	// Everything is checked before the request, and reported together, as the API would.
	const { validateDkycRequest } = await loadValidator(this);
	const result = validateDkycRequest(
		{
			user_id: this.getNodeParameter('userId', itemIndex, ''),
			phone_number: this.getNodeParameter('phoneNumber', itemIndex, ''),
			sections: withDocuments(sections, documents),
		},
		problems,
	);
	if (!result.ok) throw problemsError(this, itemIndex, result.problems);

	const body = buildBody(result.value, extras);
	return async () => ({ json: await push(client, body, itemIndex) });
}

async function push(client: KwikIdClient, body: IDataObject, itemIndex: number): Promise<IDataObject> {
	return await client.request<IDataObject>({
		method: 'POST',
		path: client.paths.pushUserData,
		body,
		// It creates a session: after a 5xx or a lost connection it is never sent again.
		idempotent: false,
		itemIndex,
		// KwikID may say `success: false` with status 200: that is a failure, not a session.
		problem: (answer) =>
			isPlainObject(answer) && answer.success !== false && typeof answer.session_id === 'string'
				? undefined
				: 'KwikID did not confirm the DKYC record',
		hints: {
			400: {
				message: 'KwikID refused the DKYC data',
				description:
					'KwikID refused fields this node accepted (the message names them; so do missing_fields and incorrect_formats in the error details). Check those values against your KwikID account\'s configuration, e.g. its own code lists.',
			},
		},
	});
}

export const operation: Operation = { prepare, createsSession: true };
