import { DKYC_FIELDS, DKYC_STEPS } from '../../nodes/KwikId/shared/dkycFields';
import { isDocumentedDate, validatePushUserData } from '../../sandbox/dkyc';
import { buildDkycBody, validDkycSections, type DkycSections } from '../../sandbox/fixtures';
import { PATHS, call, getToken, obj, useSandbox } from './helpers';

// The published reference, field for field (live-shape tests set their own).
const ctx = useSandbox({ shape: 'reference' });

function withField(section: keyof DkycSections, field: string, value: unknown): Record<string, Record<string, unknown>> {
	const sections: Record<string, Record<string, unknown>> = validDkycSections();
	sections[section] = { ...sections[section], [field]: value };
	return sections;
}

describe('push_user_data over HTTP', () => {
	it('accepts a complete valid record and creates a DKYC session', async () => {
		const auth = await getToken(ctx.sb);
		const body = buildDkycBody(validDkycSections(), {
			userId: 'dkyc-test-01',
			phoneNumber: '9876543210',
			extras: { location: { address: 'Powai, Mumbai', latitude: 19.11, longitude: 72.9 } },
		});
		const answer = await call(ctx.sb, 'POST', PATHS.push, { json: body, headers: { auth } });
		expect(answer.status).toBe(200);
		const result = obj(answer.body);
		expect(Object.keys(result)).toEqual(['success', 'session_id', 'track']);
		expect(result.success).toBe(true);
		expect(result.track).toEqual({ user_id: 'dkyc-test-01', session_id: result.session_id });

		const details = obj((await call(ctx.sb, 'GET', PATHS.details(String(result.session_id)), { headers: { auth } })).body);
		const data = obj(details.session_data);
		expect(data).toMatchObject({ session_status: 'waiting', user_id: 'dkyc-test-01', link_id: '' });
		expect(obj(data.extras).session_type).toBe('DKYC');

		ctx.sb.setStatus(String(result.session_id), 'kyc_result_approved');
		const later = obj(obj((await call(ctx.sb, 'GET', PATHS.details(String(result.session_id)), { headers: { auth } })).body).session_data);
		expect(obj(obj(later.summary_data).user_info).location).toBe('Powai, Mumbai');
	});

	it('lists missing and wrong-format fields by path in the documented 400', async () => {
		const auth = await getToken(ctx.sb);
		const sections: Record<string, Record<string, unknown>> = withField('BASIC_INFORMATION', 'pan', 'abcde1234f');
		delete sections.FATCA_DECLARATION;
		sections.PERSONAL_INFORMATION = { ...sections.PERSONAL_INFORMATION, applicantFirstName: '', gender: 'X' };
		const answer = await call(ctx.sb, 'POST', PATHS.push, {
			json: buildDkycBody(sections, { userId: 'dkyc-bad' }),
			headers: { auth },
		});
		expect(answer.status).toBe(400);
		expect(answer.body).toEqual({
			msg: 'Invalid request format',
			status_code: 400,
			success: false,
			track: { user_id: 'dkyc-bad', session_id: null },
			errors: {
				missing_fields: [
					'PERSONAL_INFORMATION.applicantFirstName',
					'FATCA_DECLARATION.fatcataxJurisdiction',
					'FATCA_DECLARATION.fatcaRelPerson',
					'FATCA_DECLARATION.dobDeclaration',
					'FATCA_DECLARATION.placeDeclaration',
					'FATCA_DECLARATION.kraInfo',
					'FATCA_DECLARATION.panCopy',
					'FATCA_DECLARATION.exmtCat',
				],
				incorrect_formats: ['BASIC_INFORMATION.pan', 'PERSONAL_INFORMATION.gender'],
			},
		});
		expect(ctx.sb.listSessions()).toHaveLength(0);
	});

	it('reports the top-level fields with track.user_id null', async () => {
		const auth = await getToken(ctx.sb);
		const answer = await call(ctx.sb, 'POST', PATHS.push, { json: {}, headers: { auth } });
		expect(answer.status).toBe(400);
		expect(obj(answer.body).track).toEqual({ user_id: null, session_id: null });
		expect(obj(answer.body).errors).toEqual({ missing_fields: ['user_id', 'phone_number', 'data'], incorrect_formats: [] });
	});

	it('answers a non-JSON body with the HTML 400 page and needs auth', async () => {
		const auth = await getToken(ctx.sb);
		const html = await call(ctx.sb, 'POST', PATHS.push, { raw: 'nope', headers: { auth, 'content-type': 'application/json' } });
		expect(html.status).toBe(400);
		expect(html.text).toContain('Bad Request');
		const unauthorised = await call(ctx.sb, 'POST', PATHS.push, { json: buildDkycBody(validDkycSections()) });
		expect(unauthorised.status).toBe(401);
	});
});

describe('validatePushUserData', () => {
	const errorsOf = (sections: Record<string, Record<string, unknown>>): ReturnType<typeof validatePushUserData> =>
		validatePushUserData(buildDkycBody(sections));

	it('accepts the fixture, which covers every documented field', () => {
		const sections = validDkycSections();
		for (const field of DKYC_FIELDS) expect(sections[field.section][field.name]).toEqual(expect.any(String));
		expect(errorsOf(sections)).toEqual({ missing_fields: [], incorrect_formats: [] });
	});

	it('accepts a record without the optional fields', () => {
		const sections: Record<string, Record<string, unknown>> = validDkycSections();
		for (const field of DKYC_FIELDS.filter((f) => !f.required)) delete sections[field.section][field.name];
		expect(errorsOf(sections)).toEqual({ missing_fields: [], incorrect_formats: [] });
	});

	it('lists every required field of a record with no sections', () => {
		const required = DKYC_FIELDS.filter((f) => f.required).map((f) => `${f.section}.${f.name}`);
		expect(errorsOf({}).missing_fields).toEqual(required);
		expect(required).toContain('DOCUMENT_COLLECTION.docEsignForm');
	});

	it.each([
		['BASIC_INFORMATION', 'pan', 'ABCDE12345'],
		['BASIC_INFORMATION', 'pan', 'ABCD1234FF'],
		['BASIC_INFORMATION', 'dob', '1990-01-05'],
		['BASIC_INFORMATION', 'dob', '05-Jan-1990'],
		['BASIC_INFORMATION', 'dob', '31-APR-1990'],
		['BASIC_INFORMATION', 'dob', '29-FEB-1999'],
		['BASIC_INFORMATION', 'dob', '05-JNU-1990'],
		['BASIC_INFORMATION', 'ipvDate', '00-JAN-2024'],
		['BASIC_INFORMATION', 'uidNo', '23456789012'],
		['BASIC_INFORMATION', 'uidNo', '2345 6789 0124'],
		['BASIC_INFORMATION', 'uidNo', 234567890124],
		['BASIC_INFORMATION', 'uploadType', '3'],
		['BASIC_INFORMATION', 'kycType', '6'],
		['PERSONAL_INFORMATION', 'occupation', '14'],
		['PERSONAL_INFORMATION', 'maritalStatus', '04'],
		['COMMUNICATION_ADDRESS', 'commAddressProof', '30'],
		['COMMUNICATION_ADDRESS', 'commMobileNoCode', '+91'],
		['IDENTITY_VERIFICATION', 'idProof', '16'],
		['INPERSON_VERIFICATION', 'kycDate', '5-JAN-2024'],
		['FATCA_DECLARATION', 'fatcataxJurisdiction', 'y'],
		['FATCA_DECLARATION', 'kraInfo', 'ekyc-eipv'],
		['DOCUMENT_COLLECTION', 'docPhoto', 'not a document!'],
		['DOCUMENT_COLLECTION', 'docPhoto', 'ftp://example.com/photo.png'],
		['DOCUMENT_COLLECTION', 'docSign', 'data:image/png;base64,iVBORw0KGgo='],
		['DOCUMENT_COLLECTION', 'docSign', 'abc'],
		['PERMANENT_ADDRESS', 'perPincode', 400069],
	] as const)('flags %s.%s = %j as incorrect', (section, field, value) => {
		expect(errorsOf(withField(section, field, value))).toEqual({
			missing_fields: [],
			incorrect_formats: [`${section}.${field}`],
		});
	});

	it.each([
		['COMMUNICATION_ADDRESS', 'commAddressProof', '33'],
		['COMMUNICATION_ADDRESS', 'commAddressProof', '29'],
		['PERSONAL_INFORMATION', 'occupation', '99'],
		['BASIC_INFORMATION', 'dob', '29-FEB-2000'],
		['BASIC_INFORMATION', 'dob', '31-DEC-1999'],
		['DOCUMENT_COLLECTION', 'docPhoto', 'http://10.0.0.5/kyc/photo.png'],
		['DOCUMENT_COLLECTION', 'docPhoto', 'QUJD'],
		['FAMILY_INFORMATION', 'motherTitle', 'Ms'], // free text: no documented list
	] as const)('accepts %s.%s = %j', (section, field, value) => {
		expect(errorsOf(withField(section, field, value))).toEqual({ missing_fields: [], incorrect_formats: [] });
	});

	it('treats empty and null required fields as missing, empty optional ones as absent', () => {
		const sections = withField('BASIC_INFORMATION', 'amc', '');
		sections.COMMUNICATION_ADDRESS.commCity = null;
		sections.FAMILY_INFORMATION.motherFirstName = '';
		expect(errorsOf(sections)).toEqual({
			missing_fields: ['BASIC_INFORMATION.amc', 'COMMUNICATION_ADDRESS.commCity'],
			incorrect_formats: [],
		});
	});

	it('checks the top-level fields', () => {
		const body = { ...buildDkycBody(validDkycSections()), user_id: 7, phone_number: '12345', extras: 'x' };
		expect(validatePushUserData(body)).toEqual({ missing_fields: [], incorrect_formats: ['user_id', 'phone_number', 'extras'] });
		expect(validatePushUserData({ user_id: 'u', phone_number: '9876543210', data: [] }).missing_fields).toEqual(['data']);
		expect(validatePushUserData({ user_id: 'u', phone_number: '9876543210', data: {} }).incorrect_formats).toEqual(['data']);
		expect(validatePushUserData('not an object').missing_fields).toEqual(['user_id', 'phone_number', 'data']);
	});

	it('checks the step structure: doc_type, label, section placement, unknown and repeated sections', () => {
		const body = buildDkycBody(validDkycSections());
		body.data[0].step_info.doc_type = 'form';
		body.data[1].step_info = { doc_type: 'forms', label: 'Addresses' };
		body.data[3].user_form_data.DOCUMENT_COLLECTION = body.data[4].user_form_data.DOCUMENT_COLLECTION;
		delete body.data[4].user_form_data.DOCUMENT_COLLECTION;
		body.data[4].user_form_data.EXTRA_SECTION = { a: '1' };
		body.data[2].user_form_data.BASIC_INFORMATION = validDkycSections().BASIC_INFORMATION;
		expect(validatePushUserData(body)).toEqual({
			missing_fields: [],
			incorrect_formats: [
				'data[0].step_info.doc_type',
				'data[1].step_info.label',
				'data[2].user_form_data.BASIC_INFORMATION',
				'data[3].user_form_data.DOCUMENT_COLLECTION',
				'data[4].user_form_data.EXTRA_SECTION',
			],
		});
		expect(validatePushUserData({ user_id: 'u', phone_number: '9876543210', data: [{}] }).missing_fields).toEqual(
			expect.arrayContaining(['data[0].step_info', 'data[0].user_form_data']),
		);
	});

	it('builds the five documented steps in order', () => {
		const body = buildDkycBody(validDkycSections(), { userId: 'u1', phoneNumber: '9876543210' });
		expect(body.data.map((step) => step.step_info)).toEqual(DKYC_STEPS.map((step) => ({ doc_type: 'forms', label: step.label })));
		expect(body.data.map((step) => Object.keys(step.user_form_data))).toEqual(DKYC_STEPS.map((step) => [...step.sections]));
	});

	it('knows real dates', () => {
		expect(['05-JAN-1990', '29-FEB-2024', '30-NOV-2023'].every(isDocumentedDate)).toBe(true);
		expect(['29-FEB-1900', '31-JUN-2023', '05-SEPT-2020', '5-JAN-1990'].some(isDocumentedDate)).toBe(false);
	});
});
