/**
 * Concurrency: Send Link over many items with 20 ms of API latency, at Max Concurrent Requests
 * 4, 10, 25 and the default ceiling (200; the account's limiter decides how many below it), each
 * against the same run at 1 (the node before it sent items concurrently). Then the default with 1 call in 50 answered 429 without Retry-After, against the
 * same run without 429s: every lead must get exactly one session, with no error rows.
 */
import { DEFAULT_CONCURRENCY } from '../nodes/KwikId/actions/common';
import { createSandbox } from '../sandbox/server';
import type { Benchmark, BenchResult, Row } from './lib';
import { median, seconds, timed } from './lib';
import { failedItems, harnessFor, runSendLink } from './support';

const ITEMS = 500;
const LATENCY_MS = 20;
const LEVELS = [4, 10, 25, DEFAULT_CONCURRENCY];
const REPEATS = 3;

export const concurrency: Benchmark = {
	id: 'concurrency',
	title: `Concurrency (${ITEMS}-item Send Link, ${LATENCY_MS} ms latency)`,
	baseline: 'the same run at Max Concurrent Requests 1 (rows 1-3), or without 429s (row 4)',
	budgetMs: 180_000,
	async run(log): Promise<BenchResult> {
		const sandbox = await createSandbox({ faults: { latencyMs: LATENCY_MS } });
		try {
			const harness = harnessFor(sandbox);
			await runSendLink(harness, 50); // warm-up; stores the token
			const at = async (maxConcurrency: number): Promise<number> =>
				await timed(() => runSendLink(harness, ITEMS, { maxConcurrency }));

			const sequential = await at(1);
			log(`  concurrency 1: ${seconds(sequential)}`);
			const rows: Row[] = [];
			const warnings: string[] = [];
			const byLevel = new Map<number, number>();
			for (const level of LEVELS) {
				const runs: number[] = [];
				for (let index = 0; index < REPEATS; index++) runs.push(await at(level));
				const ms = median(runs);
				byLevel.set(level, ms);
				log(`  concurrency ${level}: ${seconds(ms)} (median of ${REPEATS})`);
				rows.push({
					scenario: `concurrency ${level}${level === DEFAULT_CONCURRENCY ? ' (default)' : ''} vs 1`,
					measured: { value: ms, unit: 'ms' },
					baseline: { value: sequential, unit: 'ms', label: 'concurrency 1' },
					notes: [`${Math.round((ITEMS / ms) * 1000)} items/s vs ${Math.round((ITEMS / sequential) * 1000)} items/s`],
				});
			}

			// 1 call in 50 answers 429, no Retry-After: against the same default run without them.
			const clean = byLevel.get(DEFAULT_CONCURRENCY) ?? (await at(DEFAULT_CONCURRENCY));
			const limitedRuns: number[] = [];
			let failed = 0;
			let sessions = 0;
			let leads = 0;
			let limited = 0;
			for (let index = 0; index < REPEATS; index++) {
				sandbox.reset();
				sandbox.setFaults({ random: { share429: 0.02, share5xx: 0, shareDrop: 0, seed: 50 + index, endpoint: 'sendLink' } });
				let output: Awaited<ReturnType<typeof runSendLink>> = [];
				limitedRuns.push(
					await timed(async () => (output = await runSendLink(harness, ITEMS, { maxConcurrency: DEFAULT_CONCURRENCY }))),
				);
				failed += failedItems(output);
				const users = sandbox.listSessions().map((session) => session.user_id);
				sessions += users.length;
				leads += new Set(users).size;
				limited += sandbox.stats().byEndpoint.sendLink['429'] ?? 0;
			}
			sandbox.reset();
			const limitedMs = median(limitedRuns);
			log(`  1 in 50 is 429: ${seconds(limitedMs)}, ${sessions} sessions for ${leads} leads over ${REPEATS} runs, ${failed} error rows`);
			rows.push({
				scenario: '1 call in 50 answers 429 (no Retry-After), default concurrency',
				measured: { value: limitedMs, unit: 'ms' },
				baseline: { value: clean, unit: 'ms', label: 'no 429s' },
				notes: [
					`${REPEATS} runs: ${sessions} sessions for ${REPEATS * ITEMS} leads (${leads} distinct), ${failed} error rows, ${limited} x 429; goal: at most 2x the run without 429s`,
				],
			});
			if (failed > 0 || sessions !== REPEATS * ITEMS || leads !== REPEATS * ITEMS) {
				warnings.push(`concurrency: with 1 in 50 answered 429, ${failed} error rows and ${sessions} sessions for ${REPEATS * ITEMS} leads`);
			}
			return { rows, warnings };
		} finally {
			await sandbox.close();
		}
	},
};
