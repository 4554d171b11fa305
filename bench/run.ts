/**
 * `npm run bench`: runs every benchmark against local sandboxes (127.0.0.1 only) and prints one
 * table: scenario, measured figure, baseline measured in the same run, ratio (measured/baseline).
 *
 * Exit code: 0 whatever the figures are (slowness is reported, never failed on); 1 if a
 * benchmark crashed or ran past its time bound; 2 if the whole run exceeded its hard limit.
 *
 *   npm run bench                     all benchmarks
 *   npm run bench -- trigger dkyc     only those whose id contains one of the words
 */
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';

import type { Benchmark, BenchResult } from './lib';
import { formatFigure, formatRatio, ratioOf, table } from './lib';

// n8n-core reads these when its services are first built, i.e. on the dynamic imports below.
process.env.N8N_LOG_LEVEL = process.env.N8N_LOG_LEVEL || 'silent';
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';

/** Nothing may outlive this, whatever hangs. */
const HARD_LIMIT_MS = 14 * 60_000;

const out = (text = ''): void => {
	process.stdout.write(`${text}\n`);
};
const progress = (text: string): void => {
	process.stderr.write(`${text}\n`);
};

async function loadBenchmarks(): Promise<Benchmark[]> {
	const [{ dkycValidation }, { itemLoop }, { concurrency }, { tokenReuse }, { rateLimit }, { triggerPoll }, { dkycMemory }] =
		await Promise.all([
			import('./dkyc.bench'),
			import('./itemLoop.bench'),
			import('./concurrency.bench'),
			import('./token.bench'),
			import('./rateLimit.bench'),
			import('./trigger.bench'),
			import('./dkycMemory.bench'),
		]);
	return [dkycValidation, itemLoop, concurrency, tokenReuse, rateLimit, triggerPoll, dkycMemory];
}

function withBound(benchmark: Benchmark): Promise<BenchResult> {
	let timer: NodeJS.Timeout | undefined;
	const bound = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`exceeded its ${benchmark.budgetMs / 1000} s time bound`)), benchmark.budgetMs);
	});
	return Promise.race([benchmark.run(progress), bound]).finally(() => clearTimeout(timer));
}

function machine(): string {
	const cpu = cpus();
	const model = cpu[0]?.model.trim() ?? 'unknown CPU';
	return `${model}, ${cpu.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
}

async function main(): Promise<number> {
	const filters = process.argv.slice(2).map((word) => word.toLowerCase());
	const started = performance.now();
	out(`KwikID node benchmarks, ${new Date().toISOString()}`);
	out(`Machine: ${machine()}`);
	out('Ratio = measured / baseline, both measured in this run (above 1: the measured side costs more).');

	const all = await loadBenchmarks();
	const selected = filters.length ? all.filter((b) => filters.some((word) => b.id.includes(word))) : all;
	const lines: string[][] = [];
	const warnings: string[] = [];
	const crashes: string[] = [];

	for (const benchmark of selected) {
		progress(`\n[${benchmark.id}] ${benchmark.title}`);
		const start = performance.now();
		try {
			const result = await withBound(benchmark);
			out(`\n${benchmark.title}`);
			out(`  baseline: ${benchmark.baseline}`);
			for (const row of result.rows) {
				const ratio = formatRatio(ratioOf(row));
				out(`  ${row.scenario}: ${formatFigure(row.measured)} vs ${formatFigure(row.baseline)} -> ${ratio}`);
				for (const note of row.notes ?? []) out(`    ${note}`);
				lines.push([`${benchmark.id}: ${row.scenario}`, formatFigure(row.measured), formatFigure(row.baseline), ratio]);
			}
			warnings.push(...result.warnings);
			progress(`[${benchmark.id}] done in ${((performance.now() - start) / 1000).toFixed(1)} s`);
		} catch (error) {
			const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
			crashes.push(`${benchmark.id}: ${message}`);
			lines.push([`${benchmark.id}: CRASHED`, '-', '-', '-']);
			progress(`[${benchmark.id}] CRASHED: ${message}`);
		}
	}

	out('\nSummary');
	out(table(['scenario', 'measured', 'baseline', 'ratio'], lines));
	if (warnings.length) {
		out('\nLooks wrong (reported, not failed on):');
		for (const warning of warnings) out(`  - ${warning}`);
	}
	if (crashes.length) {
		out('\nCrashed:');
		for (const crash of crashes) out(`  - ${crash}`);
	}
	out(`\nTotal ${((performance.now() - started) / 1000).toFixed(1)} s`);
	return crashes.length ? 1 : 0;
}

const watchdog = setTimeout(() => {
	progress(`bench: still running after ${HARD_LIMIT_MS / 60_000} minutes; giving up`);
	process.exit(2);
}, HARD_LIMIT_MS);
watchdog.unref();

main().then(
	(code) => {
		// A benchmark that timed out may still hold sockets or timers: do not wait for them.
		process.exit(code);
	},
	(error: unknown) => {
		progress(`bench crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
		process.exit(1);
	},
);
