/**
 * The DKYC validator on both zod lines n8n may hand the package: zod 3.25 (what n8n ships today)
 * and zod 4 (n8n's migration, or a manual install next to the package). The validator imports
 * `zod/v3`, which both provide; under each, a missing field must be reported as missing and a
 * malformed one as incorrect, with the same paths.
 */
import type { DkycInput, DkycProblems } from '../../nodes/KwikId/shared/dkycRules';
import type * as DkycSchema from '../../nodes/KwikId/shared/dkycSchema';
import { validDkycSections } from '../../sandbox/fixtures';

type Validate = typeof DkycSchema.validateDkycRequest;

/** The validator with `zod/v3` resolved from the given package (zod 3.25 or the zod4 alias). */
function validatorOn(zodPackage: 'zod' | 'zod4'): { validate: Validate; version: string } {
	let validate: Validate | undefined;
	let version = '';
	jest.isolateModules(() => {
		jest.doMock('zod/v3', () => jest.requireActual(`${zodPackage}/v3`));
		version = (jest.requireActual(`${zodPackage}/package.json`) as { version: string }).version;
		validate = (jest.requireActual('../../nodes/KwikId/shared/dkycSchema') as typeof DkycSchema).validateDkycRequest;
	});
	if (!validate) throw new Error('validator not loaded');
	return { validate, version };
}

function record(change: (sections: Record<string, Record<string, unknown>>) => void): DkycInput {
	const sections = validDkycSections() as Record<string, Record<string, unknown>>;
	change(sections);
	return { user_id: 'LEAD-1', phone_number: '9876543210', sections };
}

function lists(problems: DkycProblems): { missing: string[]; incorrect: string[] } {
	return { missing: [...problems.missing.keys()], incorrect: [...problems.incorrect.keys()] };
}

const CASES: Array<[string, DkycInput, { missing: string[]; incorrect: string[] }]> = [
	[
		'a required field left out',
		record((s) => delete s.PERSONAL_INFORMATION.applicantLastName),
		{ missing: ['PERSONAL_INFORMATION.applicantLastName'], incorrect: [] },
	],
	[
		'a required field blank',
		record((s) => (s.PERSONAL_INFORMATION.gender = '  ')),
		{ missing: ['PERSONAL_INFORMATION.gender'], incorrect: [] },
	],
	[
		'a malformed PAN and date',
		record((s) => {
			s.BASIC_INFORMATION.pan = 'ABCD1234';
			s.BASIC_INFORMATION.dob = '31-FEB-1990';
		}),
		{ missing: [], incorrect: ['BASIC_INFORMATION.pan', 'BASIC_INFORMATION.dob'] },
	],
	[
		'a section that is not an object',
		record((s) => ((s as Record<string, unknown>).FATCA_DECLARATION = 'yes')),
		{ missing: [], incorrect: ['FATCA_DECLARATION'] },
	],
];

describe.each(['zod', 'zod4'] as const)('the DKYC validator on %s', (zodPackage) => {
	const { validate, version } = validatorOn(zodPackage);

	it(`runs on zod ${zodPackage === 'zod' ? '3.25' : '4'}`, () => {
		expect(version).toMatch(zodPackage === 'zod' ? /^3\.25\./ : /^4\./);
	});

	it('accepts a complete record', () => {
		expect(validate(record(() => undefined)).ok).toBe(true);
	});

	it.each(CASES)('reports %s', (_, input, expected) => {
		const result = validate(input);
		expect(result.ok).toBe(false);
		if (!result.ok) {
			const got = lists(result.problems);
			expect(got.missing).toEqual(expected.missing);
			expect(got.incorrect.sort()).toEqual([...expected.incorrect].sort());
		}
	});
});
