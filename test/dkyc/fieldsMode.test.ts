/**
 * Push DKYC Data in "Map Each Field" mode: the parameters n8n's editor saves, run through the
 * engine against the sandbox, and the UI those parameters come from.
 */
import type { IDataObject, INodeParameters, INodeProperties } from 'n8n-workflow';

import { TEST_PHONE, validDkycSections } from '../../sandbox/fixtures';
import { description } from '../../nodes/KwikId/actions/dkyc/pushUserData.operation';
import { DKYC_FIELDS } from '../../nodes/KwikId/shared/dkycFields';
import { n8nCoreMajor } from '../../harness/n8nCore';
import { dkycWorkflow, fieldModeSections, NODE, pinned, SECTION_PARAMETERS, useDkycEnv } from './helpers';

const env = useDkycEnv();

/** The fixture's documents as Map Each Field parameters: URLs as URL, the rest as base64 text. */
function documentParameters(): INodeParameters {
	const documents: INodeParameters = {};
	for (const [name, value] of Object.entries(validDkycSections().DOCUMENT_COLLECTION)) {
		documents[name] = value;
		documents[`${name}Source`] = value.startsWith('https://') ? 'url' : 'base64';
	}
	return { documents };
}

function formsOf(body: unknown): Record<string, IDataObject> {
	const data = (body as { data: Array<{ user_form_data: Record<string, IDataObject> }> }).data;
	return Object.assign({}, ...data.map((step) => step.user_form_data)) as Record<string, IDataObject>;
}

describe('Map Each Field mode', () => {
	it('sends every mapped field and creates a session', async () => {
		const run = await env.harness.run(
			dkycWorkflow({ userId: 'LEAD-F1', phoneNumber: TEST_PHONE, dataMode: 'fields', ...fieldModeSections(), documentCollection: documentParameters() }),
		);

		expect(run.error).toBeUndefined();
		const [item] = run.output(NODE);
		expect(item.json.success).toBe(true);
		expect(env.sandbox.getSession(String(item.json.session_id))).toMatchObject({ user_id: 'LEAD-F1', session_type: 'DKYC' });
		expect(formsOf(env.pushes[0].body)).toEqual(validDkycSections());
	});

	it('is the default mode, and maps fields from each item with expressions', async () => {
		const sections = fieldModeSections();
		(sections.basicInformation as { fields: IDataObject }).fields.pan = '={{ $json.pan }}';
		(sections.personalInformation as { fields: IDataObject }).fields.applicantFirstName = '={{ $json.name }}';
		const items = [
			{ json: { id: 'F-1', pan: 'AAAPA1111A', name: 'Asha' } },
			{ json: { id: 'F-2', pan: 'BBBPB2222B', name: 'Bela' } },
		];

		const run = await env.harness.run(
			dkycWorkflow({ userId: '={{ $json.id }}', phoneNumber: TEST_PHONE, ...sections, documentCollection: documentParameters() }),
			{ pinData: pinned(items) },
		);

		expect(run.error).toBeUndefined();
		expect(run.output(NODE).map((item) => item.json.success)).toEqual([true, true]);
		expect(env.pushes.map((push) => formsOf(push.body).BASIC_INFORMATION.pan)).toEqual(['AAAPA1111A', 'BBBPB2222B']);
		expect(env.pushes.map((push) => formsOf(push.body).PERSONAL_INFORMATION.applicantFirstName)).toEqual(['Asha', 'Bela']);
	});

	it('fills a one-value code list itself', async () => {
		const sections = fieldModeSections();
		// As the editor saves a dropdown left untouched: defaults are not stored.
		const basic = (sections.basicInformation as { fields: IDataObject }).fields;
		delete basic.uploadType;
		delete basic.ekycType;

		const run = await env.harness.run(
			dkycWorkflow({ userId: 'LEAD-F3', phoneNumber: TEST_PHONE, ...sections, documentCollection: documentParameters() }),
		);

		expect(run.error).toBeUndefined();
		expect(formsOf(env.pushes[0].body).BASIC_INFORMATION).toMatchObject({ uploadType: '03', ekycType: 'I' });
	});

	it('never guesses a choice left open: n8n flags the required dropdown and nothing is sent', async () => {
		const sections = fieldModeSections();
		delete (sections.basicInformation as { fields: IDataObject }).fields.kycType;
		delete (sections.personalInformation as { fields: IDataObject }).fields.gender;

		await expect(
			env.harness.run(dkycWorkflow({ userId: 'LEAD-F4', phoneNumber: TEST_PHONE, ...sections, documentCollection: documentParameters() })),
		).rejects.toThrow(
			// n8n-core 1.x names no parameter (its editor marks them on the node); 2.x lists them.
			n8nCoreMajor() === 1
				? /The workflow has issues/
				: /Parameter "KYC Type" is required[\s\S]*Parameter "Gender" is required/,
		);
		expect(env.sandbox.stats().total).toBe(0);
	});

	it('reports an empty required dropdown filled by an expression', async () => {
		const sections = fieldModeSections();
		(sections.personalInformation as { fields: IDataObject }).fields.gender = '={{ $json.gender }}';
		const run = await env.harness.run(
			dkycWorkflow({ userId: 'LEAD-F5', phoneNumber: TEST_PHONE, ...sections, documentCollection: documentParameters() }),
			{ pinData: pinned([{ json: { gender: '' } }]) },
		);

		const error = run.error as unknown as { context: IDataObject };
		expect(error.context.missing_fields).toEqual(['PERSONAL_INFORMATION.gender']);
		expect(env.sandbox.stats().requests.push_user_data).toBe(0);
	});

	it('names every required field of a section that was never added', async () => {
		const sections = fieldModeSections();
		delete sections.fatcaDeclaration;
		const run = await env.harness.run(
			dkycWorkflow({ userId: 'LEAD-F6', phoneNumber: TEST_PHONE, ...sections, documentCollection: documentParameters() }),
		);

		const error = run.error as unknown as { context: IDataObject };
		expect(error.context.missing_fields).toEqual(
			DKYC_FIELDS.filter((field) => field.section === 'FATCA_DECLARATION').map((field) => `FATCA_DECLARATION.${field.name}`),
		);
	});
});

describe('Map Each Field UI', () => {
	const shown = (parameter: INodeProperties, mode: string): boolean =>
		parameter.displayOptions?.show?.dataMode?.includes(mode) ?? false;

	it('has one group per section holding exactly the documented fields, required ones marked', () => {
		for (const [section, name] of Object.entries(SECTION_PARAMETERS)) {
			const parameter = description.find((candidate) => candidate.name === name);
			expect(parameter?.type).toBe('fixedCollection');
			expect(shown(parameter as INodeProperties, 'fields')).toBe(true);
			const values = (parameter?.options as Array<{ values: INodeProperties[] }>)[0].values;
			const documented = DKYC_FIELDS.filter((field) => field.section === section);
			expect(values.map((value) => value.name).sort()).toEqual(documented.map((field) => field.name).sort());
			for (const field of documented) {
				const value = values.find((candidate) => candidate.name === field.name) as INodeProperties;
				expect({ field: field.name, required: value.required === true }).toEqual({ field: field.name, required: field.required });
				if (field.options) {
					expect(value.type).toBe('options');
					const names = (value.options as Array<{ name: string; value: string }>).map((option) => option.name);
					expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
					expect((value.options as Array<{ value: string }>).map((option) => option.value).sort()).toEqual(
						field.options.map((option) => option.value).sort(),
					);
				}
			}
		}
	});

	it('offers a source and a value for every document, and JSON only in JSON mode', () => {
		const documents = description.find((candidate) => candidate.name === 'documentCollection') as INodeProperties;
		const values = (documents.options as Array<{ values: INodeProperties[] }>)[0].values;
		for (const field of DKYC_FIELDS.filter((candidate) => candidate.section === 'DOCUMENT_COLLECTION')) {
			expect(values.find((value) => value.name === `${field.name}Source`)?.options).toEqual([
				expect.objectContaining({ name: 'Base64 Text', value: 'base64' }),
				expect.objectContaining({ name: 'Binary File', value: 'binary' }),
				expect.objectContaining({ name: 'URL', value: 'url' }),
			]);
			expect(values.find((value) => value.name === field.name)?.required).toBe(true);
		}
		const json = description.find((candidate) => candidate.name === 'sectionsJson') as INodeProperties;
		expect(shown(json, 'json')).toBe(true);
		expect(shown(json, 'fields')).toBe(false);
	});
});
