/**
 * "Map Each Field" mode: one fixed collection per documented section, its fields generated from
 * DKYC_FIELDS (required ones marked required, code lists as dropdowns), and the reader that turns
 * the parameters back into `{SECTION: {field: value}}`.
 */
import type { IDataObject, IExecuteFunctions, INodePropertyOptions, INodeProperties } from 'n8n-workflow';

import { DKYC_SECTION_NAMES, dkycSectionFields, type DkycFieldSpec, type DkycSectionName } from '../../shared/dkycFields';
import type { DkycSections } from '../../shared/dkycRules';

type FormSection = Exclude<DkycSectionName, 'DOCUMENT_COLLECTION'>;

/** Parameter name and title of each form section (documents have their own UI). */
const SECTION_UI: Record<FormSection, { name: string; displayName: string }> = {
	BASIC_INFORMATION: { name: 'basicInformation', displayName: 'Basic Information' },
	FAMILY_INFORMATION: { name: 'familyInformation', displayName: 'Family Information' },
	PERSONAL_INFORMATION: { name: 'personalInformation', displayName: 'Personal Information' },
	COMMUNICATION_ADDRESS: { name: 'communicationAddress', displayName: 'Communication Address' },
	PERMANENT_ADDRESS: { name: 'permanentAddress', displayName: 'Permanent Address' },
	IDENTITY_VERIFICATION: { name: 'identityVerification', displayName: 'Identity Verification' },
	INPERSON_VERIFICATION: { name: 'inPersonVerification', displayName: 'In-Person Verification' },
	FATCA_DECLARATION: { name: 'fatcaDeclaration', displayName: 'FATCA Declaration' },
};

const FORM_SECTIONS = DKYC_SECTION_NAMES.filter((name): name is FormSection => name !== 'DOCUMENT_COLLECTION');

const byName = (a: { name: string }, b: { name: string }): number => a.name.localeCompare(b.name);

/** The table's description, plus the API path, which is what KwikID's errors and docs name. */
function fieldDescription(field: DkycFieldSpec): string {
	const iso = field.format === 'date' ? ' An ISO date such as 1990-01-05 is converted.' : '';
	return `${field.description}.${iso} Sent as ${field.section}.${field.name}.`;
}

function fieldParameter(field: DkycFieldSpec): INodeProperties {
	const common = {
		displayName: field.displayName,
		name: field.name,
		...(field.required ? { required: true } : {}),
		description: fieldDescription(field),
	};
	if (field.options) {
		const options: INodePropertyOptions[] = field.options.map(({ name, value }) => ({ name, value })).sort(byName);
		return {
			...common,
			type: 'options',
			options,
			// A one-value list can only be that value. Longer lists start empty: n8n flags the
			// required field until the user picks, instead of silently sending, say, a gender.
			default: options.length === 1 ? options[0].value : '',
		};
	}
	return { ...common, type: 'string', default: '', ...(field.placeholder ? { placeholder: field.placeholder } : {}) };
}

function sectionParameter(section: FormSection): INodeProperties {
	const { name, displayName } = SECTION_UI[section];
	const fields = dkycSectionFields(section).map(fieldParameter);
	// n8n's lint asks for alphabetical fields except in address groups, which follow the form.
	if (!displayName.includes('Address')) fields.sort((a, b) => a.displayName.localeCompare(b.displayName));
	return {
		displayName,
		name,
		type: 'fixedCollection',
		placeholder: `Add ${displayName}`,
		// Not pre-filled: n8n 2.x crashes building parameters when a single-value fixed collection
		// has a non-empty default and the saved node omits it. An unadded section is reported field by field.
		default: {},
		description: `Fields of the ${section} section`,
		options: [{ displayName: 'Fields', name: 'fields', values: fields }],
	};
}

export const sectionParameters: INodeProperties[] = FORM_SECTIONS.map(sectionParameter);

/** The form sections as `{SECTION: {field: value}}`, from the parameters of one item. */
export function sectionsFromFields(context: IExecuteFunctions, itemIndex: number): DkycSections {
	const sections: DkycSections = {};
	for (const section of FORM_SECTIONS) {
		sections[section] = context.getNodeParameter(`${SECTION_UI[section].name}.fields`, itemIndex, {}) as IDataObject;
	}
	return sections;
}
