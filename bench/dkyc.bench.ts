/**
 * DKYC validation cost: the zod validation Push DKYC Data runs on every item
 * (`validateDkycRequest`, complete and valid record) against `JSON.stringify` of the same
 * record's request body, the least any client must spend per item. CPU only, no requests.
 */
import { buildDkycBody, TEST_PHONE, validDkycSections } from '../sandbox/fixtures';
import { validateDkycRequest } from '../nodes/KwikId/shared/dkycSchema';
import type { DkycInput } from '../nodes/KwikId/shared/dkycRules';
import type { Benchmark, BenchResult } from './lib';
import { Deadline, median, timedSync } from './lib';

const ITEMS = 2000;
const REPEATS = 7;

export const dkycValidation: Benchmark = {
	id: 'dkyc',
	title: 'DKYC validation cost (zod, complete record)',
	baseline: 'JSON.stringify of the same record as the documented request body',
	budgetMs: 60_000,
	async run(log): Promise<BenchResult> {
		const deadline = new Deadline('DKYC benchmark', this.budgetMs);
		// Distinct objects per item, as a workflow's items are.
		const inputs: DkycInput[] = Array.from({ length: ITEMS }, (_, index) => ({
			user_id: `DKYC-${index}`,
			phone_number: TEST_PHONE,
			sections: validDkycSections(),
		}));
		const bodies = Array.from({ length: ITEMS }, (_, index) => buildDkycBody(validDkycSections(), { userId: `DKYC-${index}` }));

		let invalid = 0;
		let bytes = 0;
		const validateAll = (): void => {
			for (const input of inputs) if (!validateDkycRequest(input).ok) invalid++;
		};
		const stringifyAll = (): void => {
			for (const body of bodies) bytes += JSON.stringify(body).length;
		};

		validateAll();
		stringifyAll();
		const validate: number[] = [];
		const stringify: number[] = [];
		for (let index = 0; index < REPEATS; index++) {
			deadline.check();
			validate.push(timedSync(validateAll));
			stringify.push(timedSync(stringifyAll));
		}
		const validateUs = (median(validate) / ITEMS) * 1000;
		const stringifyUs = (median(stringify) / ITEMS) * 1000;
		log(`  validate ${validateUs.toFixed(1)} µs/item, stringify ${stringifyUs.toFixed(1)} µs/item`);

		const perSecond = (us: number): string => Math.round(1e6 / us).toLocaleString('en');
		const bodySize = Math.round(bytes / (ITEMS * (REPEATS + 1)));
		return {
			rows: [
				{
					scenario: `${ITEMS.toLocaleString('en')} complete records (median of ${REPEATS})`,
					measured: { value: validateUs, unit: 'us/item' },
					baseline: { value: stringifyUs, unit: 'us/item' },
					notes: [
						`validation ${perSecond(validateUs)} items/s, JSON.stringify ${perSecond(stringifyUs)} items/s (body ${bodySize} bytes)`,
					],
				},
			],
			warnings: invalid > 0 ? [`dkyc: ${invalid} validations of the complete fixture record failed`] : [],
		};
	},
};
