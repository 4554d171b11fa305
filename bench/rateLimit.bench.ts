/**
 * Rate limit: a 200-item Send Link run against the sandbox's token bucket (capacity 20, refill
 * 50/s, a global limit like a gateway's). Every item must succeed: a 429 means KwikID did not
 * process the request, so the transport waits and retries it. Reported: items succeeded, 429s
 * seen, retries, and wall time against the same run without the limit.
 */
import type { Faults } from '../sandbox/server';
import { createSandbox } from '../sandbox/server';
import type { Benchmark, BenchResult, Row } from './lib';
import { median, seconds, timed } from './lib';
import { failedItems, harnessFor, runSendLink } from './support';

const ITEMS = 200;
const CAPACITY = 20;
const REFILL_PER_SEC = 50;
/** The fastest any client could finish: the bucket's capacity at once, the rest at the refill rate. */
const FLOOR_MS = ((ITEMS - CAPACITY) / REFILL_PER_SEC) * 1000;

interface Variant {
	name: string;
	retryAfterSec?: number;
}

const VARIANTS: Variant[] = [
	{ name: 'Retry-After: 1', retryAfterSec: 1 },
	{ name: 'no Retry-After (backoff)' },
	{ name: 'Retry-After: 0', retryAfterSec: 0 },
];

export const rateLimit: Benchmark = {
	id: 'rate-limit',
	title: `Rate limit (${ITEMS}-item Send Link, bucket ${CAPACITY} + ${REFILL_PER_SEC}/s)`,
	baseline: 'the same run without the rate limit',
	budgetMs: 120_000,
	async run(log): Promise<BenchResult> {
		const sandbox = await createSandbox();
		try {
			const harness = harnessFor(sandbox);
			// Warm-up; it also stores the token, so logins do not compete for the bucket.
			await runSendLink(harness, ITEMS);
			const free: number[] = [];
			for (let index = 0; index < 3; index++) free.push(await timed(() => runSendLink(harness, ITEMS)));
			const freeMs = median(free);
			log(`  no limit: ${Math.round(freeMs)} ms`);

			const rows: Row[] = [];
			const warnings: string[] = [];
			for (const variant of VARIANTS) {
				const limit: NonNullable<Faults['rateLimit']> = { capacity: CAPACITY, refillPerSec: REFILL_PER_SEC };
				if (variant.retryAfterSec !== undefined) limit.retryAfterSec = variant.retryAfterSec;
				sandbox.setFaults({ rateLimit: limit }); // a new bucket starts full
				sandbox.resetStats();
				let failed = 0;
				const ms = await timed(async () => {
					failed = failedItems(await runSendLink(harness, ITEMS));
				});
				sandbox.clearFaults();
				const stats = sandbox.stats();
				const limited = stats.byEndpoint.sendLink['429'] ?? 0;
				const retries = stats.requests.sendLink - ITEMS;
				const succeeded = ITEMS - failed;
				log(`  ${variant.name}: ${seconds(ms)}, ${succeeded}/${ITEMS} ok, ${limited} x 429, ${retries} retries`);
				rows.push({
					scenario: `${ITEMS} items, ${variant.name}`,
					measured: { value: ms, unit: 'ms' },
					baseline: { value: freeMs, unit: 'ms' },
					notes: [
						`${succeeded}/${ITEMS} succeeded, ${limited} x 429 seen, ${retries} retries; ${seconds(ms)} vs the bucket's floor of ${seconds(FLOOR_MS)} (${(ms / FLOOR_MS).toFixed(1)}x)`,
					],
				});
				if (failed > 0) {
					warnings.push(`rate limit (${variant.name}): ${failed} of ${ITEMS} Send Link items failed; all should succeed`);
				}
			}
			return { rows, warnings };
		} finally {
			await sandbox.close();
		}
	},
};
