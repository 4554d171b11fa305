/**
 * Test data for Push User Data: one complete, valid DKYC record (hand-written, not generated
 * from the field table, so it checks the table as much as the table checks it) and a builder
 * for the five documented steps. Synthetic values only: PAN ABCDE1234F, UID 234567890124.
 */
import { DKYC_STEPS, type DkycSectionName } from '../nodes/KwikId/shared/dkycFields';

export const TEST_PAN = 'ABCDE1234F';
export const TEST_UID = '234567890124';
export const TEST_PHONE = '9876543210';

export type DkycSections = Record<DkycSectionName, Record<string, string>>;

export interface DkycStepBody {
	step_info: { doc_type: string; label: string };
	user_form_data: Record<string, Record<string, unknown>>;
}

export interface DkycBody {
	user_id: string;
	phone_number: string;
	data: DkycStepBody[];
	extras?: Record<string, unknown>;
}

/** A 1x1 PNG, as the base64 form of a document. */
const PNG_BASE64 =
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
/** "%PDF-1.4\n" */
const PDF_BASE64 = 'JVBERi0xLjQK';

export function validDkycSections(): DkycSections {
	return {
		BASIC_INFORMATION: {
			uploadType: '03',
			pan: TEST_PAN,
			dob: '05-JAN-1990',
			amc: 'TEST_AMC',
			ipvDate: '05-JAN-2024',
			uidNo: TEST_UID,
			ekycType: 'I',
			kycType: '1',
		},
		FAMILY_INFORMATION: {
			relationship: 'F',
			fatherTitle: 'Mr',
			fatherFirstName: 'Ramesh',
			fatherMiddleName: 'Kumar',
			fatherLastName: 'Sharma',
			motherTitle: 'Mrs',
			motherFirstName: 'Sunita',
			motherMiddleName: 'Devi',
			motherLastName: 'Sharma',
		},
		PERSONAL_INFORMATION: {
			applicantTitle: 'Mr',
			applicantFirstName: 'Arjun',
			applicantMiddleName: 'Ramesh',
			applicantLastName: 'Sharma',
			gender: 'M',
			maritalStatus: '01',
			occupation: '01',
			applicantCitizenship: '01',
			applicantStatus: 'R',
		},
		COMMUNICATION_ADDRESS: {
			commAddress1: '12 MG Road',
			commAddress2: 'Andheri East',
			commAddress3: 'Near Metro Station',
			commpincode: '400069',
			commCity: 'Mumbai',
			commDistrict: 'Mumbai Suburban',
			commState: 'Maharashtra',
			commCountry: 'IN',
			commMobileNoCode: '91',
			commMobileNo: TEST_PHONE,
			commEmailId: 'arjun.sharma@example.com',
			comAddresstype: '01',
			commAddressProof: '01',
			commIdentityNo: TEST_UID,
		},
		PERMANENT_ADDRESS: {
			perAddress1: '12 MG Road',
			perAddress2: 'Andheri East',
			perAddress3: 'Near Metro Station',
			perPincode: '400069',
			perCity: 'Mumbai',
			perDistrict: 'Mumbai Suburban',
			perState: 'Maharashtra',
			perCountry: 'IN',
			perAddressProof: '01',
			peridentityNo: TEST_UID,
		},
		IDENTITY_VERIFICATION: {
			idProof: '01',
			idProofIdentityNo: TEST_PAN,
			aaplicantKycAccType: '01',
		},
		INPERSON_VERIFICATION: {
			ipvDoneBy: 'Priya Nair',
			ipvEmployeeBranch: 'Mumbai Main',
			ipvEmployeeCode: 'EMP001',
			ipvEmployeeDesignation: 'KYC Officer',
			ipvEmployeeName: 'Priya Nair',
			ipvInstitutionCode: 'TESTINST',
			ipvInstitutionName: 'Test Institution',
			kycDate: '05-JAN-2024',
		},
		FATCA_DECLARATION: {
			fatcataxJurisdiction: 'N',
			fatcaRelPerson: 'N',
			dobDeclaration: '05-JAN-2024',
			placeDeclaration: 'Mumbai',
			kraInfo: 'eKYC-eIPV',
			panCopy: 'Y',
			exmtCat: 'N',
		},
		DOCUMENT_COLLECTION: {
			docAddressProof: 'https://example.com/kyc/address-proof.pdf',
			docPhoto: PNG_BASE64,
			docSign: 'https://example.com/kyc/signature.png',
			docPerVerVideo: 'https://example.com/kyc/ipv.mp4',
			appDocAddrProofCorrespondence: 'https://example.com/kyc/correspondence.pdf',
			docEsignForm: PDF_BASE64,
		},
	};
}

/**
 * The documented body: five steps in documented order, each carrying the sections given for it.
 * Sections left out are simply absent (the step stays, possibly with empty user_form_data), so
 * tests can build incomplete records. Values are `unknown` so tests can send wrong types too.
 */
export function buildDkycBody(
	sections: Partial<Record<string, Record<string, unknown>>>,
	options: { userId?: string; phoneNumber?: string; extras?: Record<string, unknown> } = {},
): DkycBody {
	const data = DKYC_STEPS.map((step) => {
		const forms: Record<string, Record<string, unknown>> = {};
		for (const name of step.sections) {
			const section = sections[name];
			if (section) forms[name] = section;
		}
		return { step_info: { doc_type: 'forms', label: step.label }, user_form_data: forms };
	});
	return {
		user_id: options.userId ?? 'dkyc-test-01',
		phone_number: options.phoneNumber ?? TEST_PHONE,
		data,
		...(options.extras ? { extras: options.extras } : {}),
	};
}
