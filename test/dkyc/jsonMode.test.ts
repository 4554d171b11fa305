/**
 * Push DKYC Data in JSON mode, through n8n's engine against the sandbox over real HTTP.
 */
import type { IDataObject } from 'n8n-workflow';

import { TEST_PAN, TEST_PHONE, validDkycSections } from '../../sandbox/fixtures';
import { DKYC_STEPS } from '../../nodes/KwikId/shared/dkycFields';
import { dkycWorkflow, NODE, pinned, useDkycEnv } from './helpers';

const env = useDkycEnv();

interface PushedBody {
	user_id: string;
	phone_number: string;
	data: Array<{ step_info: { doc_type: string; label: string }; user_form_data: Record<string, IDataObject> }>;
	extras?: IDataObject;
}

const pushed = (index = 0): PushedBody => env.pushes[index].body as PushedBody;

describe('JSON mode', () => {
	it('creates a DKYC session and returns the API response', async () => {
		const run = await env.harness.run(
			dkycWorkflow({
				userId: 'LEAD-1',
				phoneNumber: '+91 98765-43210',
				dataMode: 'json',
				sectionsJson: JSON.stringify(validDkycSections(), null, 2),
			}),
		);

		expect(run.error).toBeUndefined();
		const [item] = run.output(NODE);
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.json).toEqual({
			success: true,
			session_id: expect.any(String),
			track: { user_id: 'LEAD-1', session_id: item.json.session_id },
		});
		const session = env.sandbox.getSession(String(item.json.session_id));
		expect(session).toMatchObject({ user_id: 'LEAD-1', phone_number: TEST_PHONE, session_type: 'DKYC' });
	});

	it('sends the five documented steps with their exact labels and doc_type "forms"', async () => {
		const sections = validDkycSections();
		await env.harness.run(
			dkycWorkflow({ userId: 'LEAD-2', phoneNumber: '09876543210', dataMode: 'json', sectionsJson: JSON.stringify(sections) }),
		);

		const body = pushed();
		expect(body.phone_number).toBe(TEST_PHONE);
		expect(body.data.map((step) => step.step_info)).toEqual(
			DKYC_STEPS.map((step) => ({ doc_type: 'forms', label: step.label })),
		);
		expect(body.data.map((step) => Object.keys(step.user_form_data))).toEqual(DKYC_STEPS.map((step) => step.sections));
		for (const step of body.data) {
			for (const [name, values] of Object.entries(step.user_form_data)) {
				expect(values).toEqual(sections[name as keyof typeof sections]);
			}
		}
		expect(body.extras).toBeUndefined();
	});

	it('accepts the sections as an object from an expression, and normalises values whose meaning is clear', async () => {
		const sections: Record<string, Record<string, unknown>> = validDkycSections();
		sections.BASIC_INFORMATION.pan = ' abcde1234f ';
		sections.BASIC_INFORMATION.dob = '1990-01-05';
		sections.BASIC_INFORMATION.ipvDate = '2024-03-31T10:00:00.000+05:30';
		sections.BASIC_INFORMATION.kycType = 1;
		sections.BASIC_INFORMATION.uidNo = 234567890124;
		sections.FATCA_DECLARATION.dobDeclaration = '05-jan-2024';
		sections.PERSONAL_INFORMATION.gender = 'm';
		sections.COMMUNICATION_ADDRESS.commpincode = 400069;
		sections.PERSONAL_INFORMATION.applicantMiddleName = '';

		const run = await env.harness.run(
			dkycWorkflow({ userId: '={{ $json.id }}', phoneNumber: '={{ $json.phone }}', dataMode: 'json', sectionsJson: '={{ $json.sections }}' }),
			{ pinData: pinned([{ json: { id: 'LEAD-3', phone: 9876543210, sections } }]) },
		);

		expect(run.error).toBeUndefined();
		expect(run.output(NODE)[0].json.success).toBe(true);
		const forms = Object.assign({}, ...pushed().data.map((step) => step.user_form_data)) as Record<string, IDataObject>;
		expect(forms.BASIC_INFORMATION).toMatchObject({
			pan: TEST_PAN,
			dob: '05-JAN-1990',
			ipvDate: '31-MAR-2024',
			kycType: '1',
			uidNo: '234567890124',
		});
		expect(forms.FATCA_DECLARATION.dobDeclaration).toBe('05-JAN-2024');
		expect(forms.PERSONAL_INFORMATION.gender).toBe('M');
		expect(forms.COMMUNICATION_ADDRESS.commpincode).toBe('400069');
		// An empty optional field is left out rather than sent as "".
		expect(forms.PERSONAL_INFORMATION).not.toHaveProperty('applicantMiddleName');
	});

	it('passes fields the tables do not list through unchanged', async () => {
		const sections: Record<string, Record<string, unknown>> = validDkycSections();
		sections.BASIC_INFORMATION.branchCode = 'MUM-01';
		await env.harness.run(dkycWorkflow({ userId: 'LEAD-4', phoneNumber: TEST_PHONE, dataMode: 'json', sectionsJson: JSON.stringify(sections) }));
		expect(pushed().data[0].user_form_data.BASIC_INFORMATION.branchCode).toBe('MUM-01');
	});

	it('runs once per item with expressions, each item its own session', async () => {
		const items = ['A', 'B', 'C'].map((suffix, index) => {
			const sections = validDkycSections();
			sections.PERSONAL_INFORMATION.applicantFirstName = `Name${suffix}`;
			return { json: { id: `BATCH-${suffix}`, phone: `98765432${10 + index}`, sections } };
		});

		const run = await env.harness.run(
			dkycWorkflow({
				userId: '={{ $json.id }}',
				phoneNumber: '={{ $json.phone }}',
				dataMode: 'json',
				sectionsJson: '={{ JSON.stringify($json.sections) }}',
			}),
			{ pinData: pinned(items) },
		);

		expect(run.error).toBeUndefined();
		const output = run.output(NODE);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output.map((item) => (item.json.track as IDataObject).user_id)).toEqual(['BATCH-A', 'BATCH-B', 'BATCH-C']);
		expect(new Set(output.map((item) => item.json.session_id)).size).toBe(3);
		expect(env.pushes.map((push) => (push.body as PushedBody).data[0].user_form_data.PERSONAL_INFORMATION.applicantFirstName)).toEqual([
			'NameA',
			'NameB',
			'NameC',
		]);
		for (const item of output) {
			expect(env.sandbox.getSession(String(item.json.session_id))?.session_type).toBe('DKYC');
		}
	});

	it('sends Options > Location as extras.location, next to custom extras', async () => {
		const run = await env.harness.run(
			dkycWorkflow({
				userId: 'LEAD-5',
				phoneNumber: TEST_PHONE,
				dataMode: 'json',
				sectionsJson: JSON.stringify(validDkycSections()),
				extras: { extra: [{ key: 'loan_amt', value: '250000' }] },
				options: { location: { value: { address: '12 MG Road, Mumbai', latitude: 19.10817, longitude: 72.903107 } } },
			}),
		);

		expect(run.error).toBeUndefined();
		const extras = { loan_amt: '250000', location: { address: '12 MG Road, Mumbai', latitude: 19.10817, longitude: 72.903107 } };
		expect(pushed().extras).toEqual(extras);
		expect(env.sandbox.getSession(String(run.output(NODE)[0].json.session_id))?.extras).toEqual(extras);
	});

	it.each([
		['the editor left both coordinates at 0', { address: '12 MG Road, Mumbai', latitude: 0, longitude: 0 }],
		['an expression gave no coordinates', { address: '12 MG Road, Mumbai', latitude: '', longitude: null }],
		['only the address was given', { address: '12 MG Road, Mumbai' }],
	])('sends the address alone when %s, never 0,0 as a place', async (_, value) => {
		const run = await env.harness.run(
			dkycWorkflow({
				userId: 'LEAD-6',
				phoneNumber: TEST_PHONE,
				dataMode: 'json',
				sectionsJson: JSON.stringify(validDkycSections()),
				options: { location: { value } },
			}),
		);

		expect(run.error).toBeUndefined();
		expect(pushed().extras).toEqual({ location: { address: '12 MG Road, Mumbai' } });
	});

	it('keeps a real coordinate of 0 when the other one is set (the equator is a place)', async () => {
		const run = await env.harness.run(
			dkycWorkflow({
				userId: 'LEAD-7',
				phoneNumber: TEST_PHONE,
				dataMode: 'json',
				sectionsJson: JSON.stringify(validDkycSections()),
				options: { location: { value: { address: 'Quito', latitude: 0, longitude: -78.4678 } } },
			}),
		);

		expect(run.error).toBeUndefined();
		expect(pushed().extras).toEqual({ location: { address: 'Quito', latitude: 0, longitude: -78.4678 } });
	});
});
