/**
 * The Push User Data (digital KYC) field tables, transcribed from the vendor's API document.
 *
 * This module is data only. The node builds its UI and its zod validation from it, and the
 * sandbox builds its own, independent, validation from it, so the document is transcribed once.
 */

export type DkycSectionName =
	| 'BASIC_INFORMATION'
	| 'FAMILY_INFORMATION'
	| 'PERSONAL_INFORMATION'
	| 'COMMUNICATION_ADDRESS'
	| 'PERMANENT_ADDRESS'
	| 'IDENTITY_VERIFICATION'
	| 'INPERSON_VERIFICATION'
	| 'FATCA_DECLARATION'
	| 'DOCUMENT_COLLECTION';

/** Formats the document states; everything else is free text. */
export type DkycFormat = 'pan' | 'date' | 'uid' | 'document';

export interface DkycOption {
	readonly name: string;
	readonly value: string;
}

export interface DkycFieldSpec {
	readonly section: DkycSectionName;
	readonly name: string;
	readonly displayName: string;
	readonly description: string;
	readonly required: boolean;
	readonly format?: DkycFormat;
	/** Closed list of values the API accepts (the document's "Valid Values"). */
	readonly options?: readonly DkycOption[];
	/** Example shown as a placeholder. */
	readonly placeholder?: string;
}

export interface DkycStep {
	readonly label: string;
	readonly sections: readonly DkycSectionName[];
}

/** The five documented steps, in the documented order, with their exact labels. */
export const DKYC_STEPS: readonly DkycStep[] = [
	{
		label: 'Personal Information Collection',
		sections: ['BASIC_INFORMATION', 'FAMILY_INFORMATION', 'PERSONAL_INFORMATION'],
	},
	{ label: 'Address Information', sections: ['COMMUNICATION_ADDRESS', 'PERMANENT_ADDRESS'] },
	{
		label: 'Verification Information',
		sections: ['IDENTITY_VERIFICATION', 'INPERSON_VERIFICATION'],
	},
	{ label: 'FATCA Declaration', sections: ['FATCA_DECLARATION'] },
	{ label: 'Document Collection', sections: ['DOCUMENT_COLLECTION'] },
];

export const DKYC_SECTION_NAMES: readonly DkycSectionName[] = DKYC_STEPS.flatMap(
	(step) => step.sections,
);

/** Options whose name is the code itself. */
const codes = (...values: string[]): DkycOption[] => values.map((value) => ({ name: value, value }));

/** Two-digit codes from `from` to `to`, e.g. range(1, 3) = "01", "02", "03". */
const range = (from: number, to: number, except: number[] = []): DkycOption[] => {
	const out: DkycOption[] = [];
	for (let n = from; n <= to; n++) {
		if (!except.includes(n)) out.push({ name: String(n).padStart(2, '0'), value: String(n).padStart(2, '0') });
	}
	return out;
};

const named = (pairs: Array<[string, string]>): DkycOption[] =>
	pairs.map(([value, name]) => ({ name, value }));

type FieldRow = Omit<DkycFieldSpec, 'section'>;

const section = (name: DkycSectionName, rows: FieldRow[]): DkycFieldSpec[] =>
	rows.map((row) => ({ section: name, ...row }));

export const DKYC_FIELDS: readonly DkycFieldSpec[] = [
	...section('BASIC_INFORMATION', [
		{ name: 'uploadType', displayName: 'Upload Type', description: 'Type of upload', required: true, options: codes('03') },
		{ name: 'pan', displayName: 'PAN', description: 'PAN number, e.g. ABCDE1234F', required: true, format: 'pan', placeholder: 'e.g. ABCDE1234F' },
		{ name: 'dob', displayName: 'Date of Birth', description: 'Date of birth as DD-MON-YYYY, e.g. 05-JAN-1990', required: true, format: 'date', placeholder: 'e.g. 05-JAN-1990' },
		{ name: 'amc', displayName: 'AMC Code', description: 'AMC code, e.g. TEST_AMC', required: true, placeholder: 'e.g. TEST_AMC' },
		{ name: 'ipvDate', displayName: 'IPV Date', description: 'In-person verification date as DD-MON-YYYY', required: true, format: 'date', placeholder: 'e.g. 05-JAN-2024' },
		{ name: 'uidNo', displayName: 'Aadhaar (UID) Number', description: '12-digit Aadhaar (UID) number', required: true, format: 'uid', placeholder: 'e.g. 234567890124' },
		{ name: 'ekycType', displayName: 'eKYC Type', description: 'eKYC type', required: true, options: codes('I') },
		{ name: 'kycType', displayName: 'KYC Type', description: 'KYC type', required: true, options: codes('1', '2', '3', '4', '5') },
	]),
	...section('FAMILY_INFORMATION', [
		{ name: 'relationship', displayName: 'Relationship', description: 'Whose name is given below', required: true, options: named([['F', 'Father'], ['S', 'Spouse']]) },
		{ name: 'fatherTitle', displayName: 'Father Title', description: 'Title of father (or spouse)', required: true, options: codes('Mr', 'Mrs') },
		{ name: 'fatherFirstName', displayName: 'Father First Name', description: 'First name of father (or spouse)', required: true },
		{ name: 'fatherMiddleName', displayName: 'Father Middle Name', description: 'Middle name of father (or spouse)', required: false },
		{ name: 'fatherLastName', displayName: 'Father Last Name', description: 'Last name of father (or spouse)', required: true },
		{ name: 'motherTitle', displayName: 'Mother Title', description: 'Title of mother', required: false },
		{ name: 'motherFirstName', displayName: 'Mother First Name', description: 'First name of mother', required: false },
		{ name: 'motherMiddleName', displayName: 'Mother Middle Name', description: 'Middle name of mother', required: false },
		{ name: 'motherLastName', displayName: 'Mother Last Name', description: 'Last name of mother', required: false },
	]),
	...section('PERSONAL_INFORMATION', [
		{ name: 'applicantTitle', displayName: 'Applicant Title', description: 'Title of applicant', required: true, options: codes('Mr', 'Mrs', 'Miss', 'Dr') },
		{ name: 'applicantFirstName', displayName: 'Applicant First Name', description: 'First name of applicant', required: true },
		{ name: 'applicantMiddleName', displayName: 'Applicant Middle Name', description: 'Middle name of applicant', required: false },
		{ name: 'applicantLastName', displayName: 'Applicant Last Name', description: 'Last name of applicant', required: true },
		{ name: 'gender', displayName: 'Gender', description: 'Gender of applicant', required: true, options: named([['M', 'Male'], ['F', 'Female'], ['T', 'Transgender']]) },
		{ name: 'maritalStatus', displayName: 'Marital Status', description: 'Marital status code', required: true, options: range(1, 3) },
		{ name: 'occupation', displayName: 'Occupation', description: 'Occupation code', required: true, options: [...range(1, 13), ...codes('99')] },
		{ name: 'applicantCitizenship', displayName: 'Citizenship', description: 'Citizenship of applicant', required: true, options: named([['01', 'Indian (01)'], ['02', 'Other (02)']]) },
		{ name: 'applicantStatus', displayName: 'Applicant Status', description: 'Residential status of applicant', required: true, options: codes('R', 'N', 'P', 'I') },
	]),
	...section('COMMUNICATION_ADDRESS', [
		{ name: 'commAddress1', displayName: 'Address Line 1', description: 'Communication address line 1', required: true },
		{ name: 'commAddress2', displayName: 'Address Line 2', description: 'Communication address line 2', required: false },
		{ name: 'commAddress3', displayName: 'Address Line 3', description: 'Communication address line 3', required: false },
		{ name: 'commpincode', displayName: 'PIN Code', description: 'Communication address PIN code', required: true, placeholder: 'e.g. 400001' },
		{ name: 'commCity', displayName: 'City', description: 'Communication address city', required: true },
		{ name: 'commDistrict', displayName: 'District', description: 'Communication address district', required: true },
		{ name: 'commState', displayName: 'State', description: 'Communication address state', required: true },
		{ name: 'commCountry', displayName: 'Country Code', description: 'Communication address country code', required: true, placeholder: 'e.g. IN' },
		{ name: 'commMobileNoCode', displayName: 'Mobile Country Code', description: 'Mobile country code', required: true, options: codes('91') },
		{ name: 'commMobileNo', displayName: 'Mobile Number', description: 'Mobile number for communication', required: true },
		{ name: 'commEmailId', displayName: 'Email', description: 'Email address for communication', required: true, placeholder: 'e.g. name@email.com' },
		{ name: 'comAddresstype', displayName: 'Address Type', description: 'Communication address type code', required: true, options: range(1, 5) },
		{ name: 'commAddressProof', displayName: 'Address Proof Type', description: 'Communication address proof type code', required: true, options: range(1, 33, [30]) },
		{ name: 'commIdentityNo', displayName: 'Address Proof Number', description: 'Identity number of the address proof', required: true },
	]),
	...section('PERMANENT_ADDRESS', [
		{ name: 'perAddress1', displayName: 'Address Line 1', description: 'Permanent address line 1', required: true },
		{ name: 'perAddress2', displayName: 'Address Line 2', description: 'Permanent address line 2', required: false },
		{ name: 'perAddress3', displayName: 'Address Line 3', description: 'Permanent address line 3', required: false },
		{ name: 'perPincode', displayName: 'PIN Code', description: 'Permanent address PIN code', required: true, placeholder: 'e.g. 400001' },
		{ name: 'perCity', displayName: 'City', description: 'Permanent address city', required: true },
		{ name: 'perDistrict', displayName: 'District', description: 'Permanent address district', required: true },
		{ name: 'perState', displayName: 'State', description: 'Permanent address state', required: true },
		{ name: 'perCountry', displayName: 'Country Code', description: 'Permanent address country code', required: true, placeholder: 'e.g. IN' },
		{ name: 'perAddressProof', displayName: 'Address Proof Type', description: 'Permanent address proof type code', required: true },
		{ name: 'peridentityNo', displayName: 'Address Proof Number', description: 'Identity number of the address proof', required: true },
	]),
	...section('IDENTITY_VERIFICATION', [
		{ name: 'idProof', displayName: 'ID Proof Type', description: 'ID proof type code', required: true, options: range(1, 15) },
		{ name: 'idProofIdentityNo', displayName: 'ID Proof Number', description: 'Identity number of the ID proof', required: true },
		// "aaplicant" is the API's own spelling.
		{ name: 'aaplicantKycAccType', displayName: 'KYC Account Type', description: 'KYC account type', required: true, options: codes('01') },
	]),
	...section('INPERSON_VERIFICATION', [
		{ name: 'ipvDoneBy', displayName: 'IPV Done By', description: 'Name of the person who did the in-person verification', required: true },
		{ name: 'ipvEmployeeBranch', displayName: 'Employee Branch', description: 'Branch of the verifying employee', required: true },
		{ name: 'ipvEmployeeCode', displayName: 'Employee Code', description: 'Code of the verifying employee', required: true },
		{ name: 'ipvEmployeeDesignation', displayName: 'Employee Designation', description: 'Designation of the verifying employee', required: true },
		{ name: 'ipvEmployeeName', displayName: 'Employee Name', description: 'Name of the verifying employee', required: true },
		{ name: 'ipvInstitutionCode', displayName: 'Institution Code', description: 'Code of the verifying institution', required: true },
		{ name: 'ipvInstitutionName', displayName: 'Institution Name', description: 'Name of the verifying institution', required: true },
		{ name: 'kycDate', displayName: 'KYC Date', description: 'KYC date as DD-MON-YYYY', required: true, format: 'date', placeholder: 'e.g. 05-JAN-2024' },
	]),
	...section('FATCA_DECLARATION', [
		{ name: 'fatcataxJurisdiction', displayName: 'Tax Jurisdiction Outside India', description: 'FATCA tax jurisdiction flag', required: true, options: named([['N', 'No (N)'], ['Y', 'Yes (Y)']]) },
		{ name: 'fatcaRelPerson', displayName: 'FATCA Related Person', description: 'FATCA related person flag', required: true, options: named([['N', 'No (N)']]) },
		{ name: 'dobDeclaration', displayName: 'Declaration Date', description: 'Date of the declaration as DD-MON-YYYY', required: true, format: 'date', placeholder: 'e.g. 05-JAN-2024' },
		{ name: 'placeDeclaration', displayName: 'Declaration Place', description: 'Place of the declaration', required: true },
		{ name: 'kraInfo', displayName: 'KRA Info', description: 'KRA info', required: true, options: codes('eKYC-eIPV') },
		{ name: 'panCopy', displayName: 'PAN Copy', description: 'PAN copy flag', required: true, options: named([['Y', 'Yes (Y)']]) },
		{ name: 'exmtCat', displayName: 'Exemption Category', description: 'Exemption category', required: true, options: named([['N', 'None (N)']]) },
	]),
	...section('DOCUMENT_COLLECTION', [
		{ name: 'docAddressProof', displayName: 'Address Proof Document', description: 'Address proof document', required: true, format: 'document' },
		{ name: 'docPhoto', displayName: 'Photo', description: 'Photo of the applicant', required: true, format: 'document' },
		{ name: 'docSign', displayName: 'Signature', description: 'Signature of the applicant', required: true, format: 'document' },
		{ name: 'docPerVerVideo', displayName: 'Verification Video', description: 'In-person verification video', required: true, format: 'document' },
		{ name: 'appDocAddrProofCorrespondence', displayName: 'Correspondence Address Proof', description: 'Correspondence address proof document', required: true, format: 'document' },
		{ name: 'docEsignForm', displayName: 'E-Sign Form', description: 'E-signed form', required: true, format: 'document' },
	]),
];

/** Field specs of one section, in documented order. */
export function dkycSectionFields(sectionName: DkycSectionName): DkycFieldSpec[] {
	return DKYC_FIELDS.filter((field) => field.section === sectionName);
}
