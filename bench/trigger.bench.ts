/**
 * Trigger poll over 1,000 watched sessions with a realistic server (150 ms + up to 50 ms jitter
 * per request): one poll at the trigger's default concurrency against the same poll one request
 * at a time (measured on 50 sessions and extrapolated, since 1,000 would take minutes), and
 * against n8n's shortest poll interval of one minute. Then a poll where 90% of the sessions are
 * final: with "Stop Checking Final Sessions" (default on) its cost should follow the sessions
 * still in flight.
 *
 * Each measured poll is a steady-state one (the trigger already knows every session): a priming
 * poll at zero latency records the statuses first, so minutes are not spent on set-up.
 */
import type { INodeParameters } from 'n8n-workflow';

import { DEFAULT_CONCURRENCY, MAX_CONCURRENCY } from '../nodes/KwikId/trigger/parameters';
import type { Sandbox } from '../sandbox/server';
import { createSandbox } from '../sandbox/server';
import { PollRunner } from '../harness/poll';
import type { Harness } from '../harness/harness';
import type { Benchmark, BenchResult, Row } from './lib';
import { percent, seconds, timed } from './lib';
import { createSessions, harnessFor } from './support';

const SESSIONS = 1000;
const SAMPLE = 50;
const LATENCY = { latencyMs: 150, jitterMs: 50 };
const INTERVAL_MS = 60_000;
const FINAL_SHARE = 0.9;
const FINAL_STATUSES = ['kyc_result_approved', 'kyc_result_rejected', 'session_expired', 'user_abandoned'];

interface Poll {
	ms: number;
	requests: number;
	emitted: number;
}

/** Primes the runner at zero latency, then times one poll under the realistic latency. */
async function primeThenPoll(sandbox: Sandbox, runner: PollRunner): Promise<Poll> {
	sandbox.setFaults({ latencyMs: 0, jitterMs: 0 });
	await pollOnce(runner);
	sandbox.setFaults(LATENCY);
	sandbox.resetStats();
	let emitted = 0;
	const ms = await timed(async () => {
		emitted = await pollOnce(runner);
	});
	return { ms, requests: sandbox.stats().requests.get_details, emitted };
}

async function pollOnce(runner: PollRunner): Promise<number> {
	const outcome = await runner.poll();
	if (outcome.kind === 'error') throw new Error(`trigger poll failed: ${outcome.error.message}`);
	return outcome.kind === 'emitted' ? outcome.items.length : 0;
}

function runner(harness: Harness, ids: readonly string[], maxConcurrency?: number): PollRunner {
	const parameters: INodeParameters = { sessionIds: ids.join(', ') };
	if (maxConcurrency !== undefined) parameters.options = { maxConcurrency };
	return new PollRunner(harness, parameters);
}

export const triggerPoll: Benchmark = {
	id: 'trigger',
	title: `Trigger poll, ${SESSIONS.toLocaleString('en')} watched sessions, latency ${LATENCY.latencyMs} ms + ${LATENCY.jitterMs} ms jitter`,
	baseline: `the same poll at concurrency 1 (${SAMPLE}-session sample x ${SESSIONS / SAMPLE}); the full poll for the pruned one`,
	budgetMs: 150_000,
	async run(log): Promise<BenchResult> {
		const sandbox = await createSandbox();
		try {
			const harness = harnessFor(sandbox);
			const ids = createSessions(sandbox, SESSIONS);
			const warnings: string[] = [];

			// Warm-up (and the token): a small trigger polled twice at zero latency.
			const warm = runner(harness, ids.slice(0, SAMPLE));
			await pollOnce(warm);
			await pollOnce(warm);

			const sequential = await primeThenPoll(sandbox, runner(harness, ids.slice(0, SAMPLE), 1));
			const extrapolated = (sequential.ms / SAMPLE) * SESSIONS;
			log(`  concurrency 1, ${SAMPLE} sessions: ${seconds(sequential.ms)} -> ${seconds(extrapolated)} for ${SESSIONS}`);

			const full = await primeThenPoll(sandbox, runner(harness, ids));
			log(`  concurrency ${DEFAULT_CONCURRENCY} (default), ${SESSIONS} sessions: ${seconds(full.ms)}, ${full.requests} requests`);

			const widest = await primeThenPoll(sandbox, runner(harness, ids, MAX_CONCURRENCY));
			log(`  concurrency ${MAX_CONCURRENCY} (max), ${SESSIONS} sessions: ${seconds(widest.ms)}, ${widest.requests} requests`);

			// 90% of the sessions are final; the priming poll records that, the measured one skips them.
			const finalCount = Math.round(SESSIONS * FINAL_SHARE);
			ids.slice(0, finalCount).forEach((id, index) => sandbox.setStatus(id, FINAL_STATUSES[index % FINAL_STATUSES.length]));
			const pruned = await primeThenPoll(sandbox, runner(harness, ids));
			log(`  ${percent(finalCount, SESSIONS)} final: ${seconds(pruned.ms)}, ${pruned.requests} requests`);

			const expected = SESSIONS - finalCount;
			/** Sessions x mean latency / requests in flight: what a perfect pool would take. */
			const ideal = (concurrency: number): number =>
				(SESSIONS * (LATENCY.latencyMs + LATENCY.jitterMs / 2)) / concurrency;
			const interval = (ms: number): string => `${percent(ms, INTERVAL_MS)} of the 60 s interval`;
			const rows: Row[] = [
				{
					scenario: `one poll, concurrency ${DEFAULT_CONCURRENCY} (default)`,
					measured: { value: full.ms, unit: 'ms' },
					baseline: { value: extrapolated, unit: 'ms', label: `concurrency 1, extrapolated from ${SAMPLE}` },
					notes: [
						`${interval(full.ms)}; the concurrency-1 poll would take ${interval(extrapolated)}`,
						`${full.requests} get_details requests; ideal for ${DEFAULT_CONCURRENCY} in flight: ${seconds(ideal(DEFAULT_CONCURRENCY))} (${(full.ms / ideal(DEFAULT_CONCURRENCY)).toFixed(2)}x of it)`,
					],
				},
				{
					scenario: `one poll, concurrency ${MAX_CONCURRENCY} (max)`,
					measured: { value: widest.ms, unit: 'ms' },
					baseline: { value: extrapolated, unit: 'ms', label: `concurrency 1, extrapolated from ${SAMPLE}` },
					notes: [
						`${interval(widest.ms)}; ${widest.requests} requests; ideal: ${seconds(ideal(MAX_CONCURRENCY))} (${(widest.ms / ideal(MAX_CONCURRENCY)).toFixed(2)}x of it)`,
					],
				},
				{
					scenario: `poll with ${percent(finalCount, SESSIONS)} final, time`,
					measured: { value: pruned.ms, unit: 'ms' },
					baseline: { value: full.ms, unit: 'ms', label: 'full poll above' },
					notes: [`${interval(pruned.ms)}`],
				},
				{
					scenario: `poll with ${percent(finalCount, SESSIONS)} final, requests`,
					measured: { value: pruned.requests, unit: 'requests' },
					baseline: { value: full.requests, unit: 'requests', label: 'full poll above' },
					notes: [`expected ${expected} (only sessions still in flight are read)`],
				},
			];
			for (const [name, poll, want] of [
				['full poll', full, SESSIONS],
				['max-concurrency poll', widest, SESSIONS],
				['pruned poll', pruned, expected],
			] as const) {
				if (poll.requests !== want) warnings.push(`trigger: ${name} made ${poll.requests} requests, expected ${want}`);
				if (poll.emitted !== 0) warnings.push(`trigger: ${name} emitted ${poll.emitted} items though nothing changed`);
			}
			if (full.ms > INTERVAL_MS) warnings.push(`trigger: one poll of ${SESSIONS} sessions takes longer than the 60 s minimum interval`);
			return { rows, warnings };
		} finally {
			await sandbox.close();
		}
	},
};
