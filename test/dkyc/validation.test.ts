/**
 * Validation before any request: every problem reported together by field path, in the API's
 * shape (missing_fields / incorrect_formats), with nothing sent and no personal data echoed.
 */
import type { IDataObject } from 'n8n-workflow';

import { TEST_PAN, TEST_PHONE, TEST_UID, validDkycSections } from '../../sandbox/fixtures';
import { dkycWorkflow, NODE, pinned, useDkycEnv } from './helpers';

const env = useDkycEnv();

interface RunError {
	message: string;
	description?: string;
	context: IDataObject;
}

/** A record with one problem of every documented kind, and two required fields left out. */
function brokenSections(): Record<string, Record<string, unknown>> {
	const sections: Record<string, Record<string, unknown>> = validDkycSections();
	sections.BASIC_INFORMATION.pan = 'ABCDE12345'; // last character must be a letter
	sections.BASIC_INFORMATION.dob = '31-FEB-1990'; // no such day
	sections.BASIC_INFORMATION.ipvDate = '05-JNX-2024'; // no such month
	sections.BASIC_INFORMATION.uidNo = '23456789012'; // 11 digits
	delete sections.BASIC_INFORMATION.amc;
	sections.PERSONAL_INFORMATION.occupation = '14'; // "01"-"13" and "99" only
	sections.PERSONAL_INFORMATION.applicantLastName = '   ';
	sections.COMMUNICATION_ADDRESS.commAddressProof = '30'; // the one code the list leaves out
	sections.DOCUMENT_COLLECTION.docSign = 'ftp://example.com/sign.png'; // neither http(s) nor base64
	return sections;
}

const EXPECTED_MISSING = ['BASIC_INFORMATION.amc', 'PERSONAL_INFORMATION.applicantLastName'];
const EXPECTED_INCORRECT = [
	'phone_number',
	'BASIC_INFORMATION.pan',
	'BASIC_INFORMATION.dob',
	'BASIC_INFORMATION.ipvDate',
	'BASIC_INFORMATION.uidNo',
	'PERSONAL_INFORMATION.occupation',
	'COMMUNICATION_ADDRESS.commAddressProof',
	'DOCUMENT_COLLECTION.docSign',
];

describe('validation before sending', () => {
	it('reports every missing field and wrong format together, by path, and sends nothing', async () => {
		const run = await env.harness.run(
			dkycWorkflow({ userId: 'LEAD-1', phoneNumber: '98765 4321', dataMode: 'json', sectionsJson: JSON.stringify(brokenSections()) }),
		);

		const error = run.error as unknown as RunError;
		expect(error.context.missing_fields).toEqual(EXPECTED_MISSING);
		expect(error.context.incorrect_formats).toEqual(EXPECTED_INCORRECT);
		for (const path of [...EXPECTED_MISSING, ...EXPECTED_INCORRECT]) {
			expect(error.message).toContain(path);
			expect(error.description).toContain(`${path}:`);
		}
		expect(error.description).toMatch(/BASIC_INFORMATION\.pan: expected a PAN like AAAAA9999A/);
		expect(error.description).toMatch(/BASIC_INFORMATION\.dob: expected a real date as DD-MON-YYYY/);
		expect(error.description).toMatch(/phone_number: expected a 10-digit mobile number .*got 9 digits/);
		expect(env.sandbox.stats().requests.push_user_data).toBe(0);
		expect(env.sandbox.listSessions()).toHaveLength(0);
	});

	it('never puts a PAN, Aadhaar or phone number into the error', async () => {
		const sections: Record<string, Record<string, unknown>> = validDkycSections();
		sections.BASIC_INFORMATION.dob = 'yesterday';
		const run = await env.harness.run(
			dkycWorkflow({ userId: 'LEAD-2', phoneNumber: '+1 98765432101', dataMode: 'json', sectionsJson: JSON.stringify(sections) }),
		);

		const error = run.error as unknown as RunError;
		expect(error.context.incorrect_formats).toEqual(['phone_number', 'BASIC_INFORMATION.dob']);
		const text = `${error.message}\n${error.description ?? ''}`;
		for (const secret of [TEST_PAN, TEST_UID, TEST_PHONE, '98765432101']) expect(text).not.toContain(secret);
	});

	it('masks personal data quoted by a JSON syntax error', async () => {
		const run = await env.harness.run(
			dkycWorkflow({
				userId: 'LEAD-3',
				phoneNumber: TEST_PHONE,
				dataMode: 'json',
				// Unquoted: V8's message quotes the text around the error, PAN included.
				sectionsJson: `{"BASIC_INFORMATION": {"pan": ${TEST_PAN}, "uidNo": "${TEST_UID}"}}`,
			}),
		);

		const error = run.error as unknown as RunError;
		expect(error.message).toBe('Sections (JSON) is not valid JSON');
		expect(error.description).toMatch(/Unexpected token 'A', .*XXXXX1234X/);
		expect(`${error.message} ${error.description ?? ''}`).not.toMatch(new RegExp(`${TEST_PAN}|${TEST_UID}`));
		expect(env.sandbox.stats().total).toBe(0);
	});

	it('refuses unknown section names and says which are allowed', async () => {
		const sections: Record<string, unknown> = { ...validDkycSections(), BASIC_INFO: {}, Fatca_Declaration: {} };
		const run = await env.harness.run(
			dkycWorkflow({ userId: 'LEAD-4', phoneNumber: TEST_PHONE, dataMode: 'json', sectionsJson: JSON.stringify(sections) }),
		);

		const error = run.error as unknown as RunError;
		expect(error.message).toBe('Sections (JSON) has unknown sections: BASIC_INFO, Fatca_Declaration');
		expect(error.description).toContain(
			'Allowed sections: BASIC_INFORMATION, FAMILY_INFORMATION, PERSONAL_INFORMATION, COMMUNICATION_ADDRESS, PERMANENT_ADDRESS, IDENTITY_VERIFICATION, INPERSON_VERIFICATION, FATCA_DECLARATION, DOCUMENT_COLLECTION',
		);
		expect(env.sandbox.stats().requests.push_user_data).toBe(0);
	});

	it('reports a section that is not an object, and every field of a section left out', async () => {
		const sections: Record<string, unknown> = validDkycSections();
		sections.FATCA_DECLARATION = 'N';
		delete sections.IDENTITY_VERIFICATION;
		const run = await env.harness.run(
			dkycWorkflow({ userId: 'LEAD-5', phoneNumber: TEST_PHONE, dataMode: 'json', sectionsJson: JSON.stringify(sections) }),
		);

		const error = run.error as unknown as RunError;
		expect(error.context.incorrect_formats).toEqual(['FATCA_DECLARATION']);
		expect(error.context.missing_fields).toEqual([
			'IDENTITY_VERIFICATION.idProof',
			'IDENTITY_VERIFICATION.idProofIdentityNo',
			'IDENTITY_VERIFICATION.aaplicantKycAccType',
		]);
	});

	it('reports an impossible location together with the field problems', async () => {
		const sections: Record<string, Record<string, unknown>> = validDkycSections();
		delete sections.BASIC_INFORMATION.pan;
		const run = await env.harness.run(
			dkycWorkflow({
				userId: 'LEAD-6',
				phoneNumber: TEST_PHONE,
				dataMode: 'json',
				sectionsJson: JSON.stringify(sections),
				options: { location: { value: { address: 'Mumbai', latitude: 190.1, longitude: 72.9 } } },
			}),
		);

		const error = run.error as unknown as RunError;
		expect(error.context.missing_fields).toEqual(['BASIC_INFORMATION.pan']);
		expect(error.context.incorrect_formats).toEqual(['extras.location.latitude']);
		expect(env.sandbox.stats().requests.push_user_data).toBe(0);
	});
});

describe('Continue On Fail', () => {
	it('turns an invalid item into an error item with the field lists, and sends the others', async () => {
		const good = validDkycSections();
		const items = [
			{ json: { id: 'OK-1', sections: good } },
			{ json: { id: 'BAD-2', sections: brokenSections() } },
			{ json: { id: 'OK-3', sections: good } },
		];

		const run = await env.harness.run(
			dkycWorkflow(
				{ userId: '={{ $json.id }}', phoneNumber: '={{ $json.id === "BAD-2" ? "98765 4321" : "9876543210" }}', dataMode: 'json', sectionsJson: '={{ $json.sections }}' },
				{ continueOnFail: true },
			),
			{ pinData: pinned(items) },
		);

		expect(run.error).toBeUndefined();
		const output = run.output(NODE);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output[0].json.success).toBe(true);
		expect(output[2].json.success).toBe(true);
		expect(output[1].json).toEqual({
			error: expect.stringContaining('The DKYC data was not sent'),
			details: {
				description: expect.stringContaining('BASIC_INFORMATION.pan: expected a PAN'),
				missing_fields: EXPECTED_MISSING,
				incorrect_formats: EXPECTED_INCORRECT,
			},
		});
		expect(env.sandbox.stats().requests.push_user_data).toBe(2);
		expect(env.sandbox.listSessions().map((session) => session.user_id).sort()).toEqual(['OK-1', 'OK-3']);
	});
});
