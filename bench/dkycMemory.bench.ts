/**
 * Push DKYC memory: peak RSS growth of a process running Push DKYC Data over 1,000 records with a
 * 1 MB photo each (a binary field of the input item), against the same run with 100 records.
 * Each run is a child process of its own (dkycMemory.child.ts), so one run's heap does not count
 * in the other's; the sandbox runs here, in the parent. Files are read when their item is sent,
 * so the peak should grow with what is in flight, not with the batch (it held every file as
 * base64 until the last item was sent: about 1.3 GB more for 1,000 records).
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';

import { createSandbox } from '../sandbox/server';
import type { Benchmark, BenchResult } from './lib';

interface ChildResult {
	peakGrowthMb: number;
	ms: number;
	errors: number;
	sent: number;
}

async function child(sandboxUrl: string, username: string, password: string, records: number): Promise<ChildResult> {
	return await new Promise<ChildResult>((resolve, reject) => {
		const proc = fork(join(__dirname, 'dkycMemory.child.js'), [sandboxUrl, username, password, String(records)], {
			stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
			env: { ...process.env, N8N_LOG_LEVEL: 'silent' },
		});
		let result: ChildResult | undefined;
		proc.on('message', (message) => {
			result = message as ChildResult;
		});
		proc.on('error', reject);
		proc.on('exit', (code) => (result ? resolve(result) : reject(new Error(`child exited with ${code}`))));
	});
}

export const dkycMemory: Benchmark = {
	id: 'dkyc-memory',
	title: 'Push DKYC memory (1 MB photo per record, peak RSS growth of the process)',
	baseline: 'the same run with 100 records',
	budgetMs: 360_000,
	async run(log): Promise<BenchResult> {
		const sandbox = await createSandbox();
		try {
			const small = await child(sandbox.url, sandbox.username, sandbox.password, 100);
			log(`  100 records: +${small.peakGrowthMb.toFixed(0)} MB peak, ${small.ms.toFixed(0)} ms, ${small.sent} sent, ${small.errors} errors`);
			const large = await child(sandbox.url, sandbox.username, sandbox.password, 1000);
			log(`  1,000 records: +${large.peakGrowthMb.toFixed(0)} MB peak, ${large.ms.toFixed(0)} ms, ${large.sent} sent, ${large.errors} errors`);
			const warnings = [small, large]
				.filter((run) => run.errors > 0)
				.map((run) => `${run.errors} error rows in the ${run.sent + run.errors}-record run`);
			return {
				rows: [
					{
						scenario: '1,000 records vs 100',
						measured: { value: large.peakGrowthMb, unit: 'MB' },
						baseline: { value: small.peakGrowthMb, unit: 'MB' },
						notes: [
							`1 MB of file per record (1.3 MB as base64): held for the whole batch, 1,000 records would add about 1,300 MB`,
							`times: ${large.ms.toFixed(0)} ms vs ${small.ms.toFixed(0)} ms`,
						],
					},
				],
				warnings,
			};
		} finally {
			await sandbox.close();
		}
	},
};
