/**
 * Token reuse: how many generate_token calls n8n makes through the credential's
 * preAuthentication hook (one per credential until a 401, never one per item or execution),
 * and what the login costs: a run that starts with no stored token against one that has it.
 */
import { createSandbox } from '../sandbox/server';
import type { Benchmark, BenchResult, Row } from './lib';
import { median, timed } from './lib';
import { createSessions, harnessFor, runGetSession } from './support';

const ITEMS = 1000;
const EXECUTIONS = 10;
const ITEMS_PER_EXECUTION = 10;
const REPEATS = 7;

export const tokenReuse: Benchmark = {
	id: 'token',
	title: 'Token reuse (generate_token calls, cold vs warm run)',
	baseline: 'API requests / executions in the same runs; for time, the same run with the token already stored',
	budgetMs: 60_000,
	async run(log): Promise<BenchResult> {
		const sandbox = await createSandbox();
		try {
			const ids = createSessions(sandbox, ITEMS);
			const small = ids.slice(0, ITEMS_PER_EXECUTION);
			// Warm-up of n8n-core and the code paths, on a credential that is then thrown away.
			await runGetSession(harnessFor(sandbox), small);

			sandbox.resetStats();
			await runGetSession(harnessFor(sandbox), ids);
			const bigRun = sandbox.stats().requests;
			log(`  ${ITEMS} items on a fresh credential: ${bigRun.generate_token} token calls, ${bigRun.get_details} get_details`);

			sandbox.resetStats();
			const shared = harnessFor(sandbox);
			for (let index = 0; index < EXECUTIONS; index++) await runGetSession(shared, small);
			const manyRuns = sandbox.stats().requests;
			log(`  ${EXECUTIONS} executions of ${ITEMS_PER_EXECUTION} items: ${manyRuns.generate_token} token calls`);

			// Cold: a credential as saved by the user (no token yet). Warm: the same, token stored.
			const cold: number[] = [];
			const warm: number[] = [];
			for (let index = 0; index < REPEATS; index++) {
				const fresh = harnessFor(sandbox);
				cold.push(await timed(() => runGetSession(fresh, small)));
				warm.push(await timed(() => runGetSession(fresh, small)));
			}
			const coldMs = median(cold);
			const warmMs = median(warm);
			log(`  ${ITEMS_PER_EXECUTION}-item run: cold ${coldMs.toFixed(1)} ms, warm ${warmMs.toFixed(1)} ms`);

			const rows: Row[] = [
				{
					scenario: `token calls, one ${ITEMS.toLocaleString('en')}-item run`,
					measured: { value: bigRun.generate_token, unit: 'calls' },
					baseline: { value: bigRun.get_details, unit: 'requests', label: 'get_details' },
					notes: ['expected: 1 call for the whole run'],
				},
				{
					scenario: `token calls, ${EXECUTIONS} executions x ${ITEMS_PER_EXECUTION} items`,
					measured: { value: manyRuns.generate_token, unit: 'calls' },
					baseline: { value: EXECUTIONS, unit: 'calls', label: 'one per execution' },
					notes: ['expected: 1 call (the token is stored in the credential and reused)'],
				},
				{
					scenario: `${ITEMS_PER_EXECUTION}-item run, cold token vs warm (median of ${REPEATS})`,
					measured: { value: coldMs, unit: 'ms' },
					baseline: { value: warmMs, unit: 'ms' },
					notes: [`the login costs ${(coldMs - warmMs).toFixed(1)} ms once per credential (loopback, zero latency)`],
				},
			];
			const warnings: string[] = [];
			if (bigRun.generate_token !== 1) {
				warnings.push(`token: a ${ITEMS}-item run made ${bigRun.generate_token} token calls, expected 1`);
			}
			if (manyRuns.generate_token !== 1) {
				warnings.push(`token: ${EXECUTIONS} executions made ${manyRuns.generate_token} token calls, expected 1`);
			}
			return { rows, warnings };
		} finally {
			await sandbox.close();
		}
	},
};
