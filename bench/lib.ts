/**
 * What every benchmark shares: timing, medians, the shape of a result row and its formatting.
 *
 * A row is one scenario: the measured figure, the baseline figure measured in the same run, and
 * their ratio (measured / baseline, so above 1 means the measured side costs more). Nothing here
 * judges a figure: slowness is printed, never failed on.
 */
import { performance } from 'node:perf_hooks';

export type Unit = 'ms' | 'us/item' | 'calls' | 'requests' | 'MB';

export interface Figure {
	value: number;
	unit: Unit;
	/** Shown after the value, e.g. "extrapolated from 50". */
	label?: string;
}

export interface Row {
	scenario: string;
	measured: Figure;
	baseline: Figure;
	/** Defaults to measured / baseline; set when the figures are not of the same kind. */
	ratio?: number;
	/** How to read the row, and side figures (counts, per-item costs, shares of an interval). */
	notes?: string[];
}

export interface BenchResult {
	rows: Row[];
	/** Things that look wrong (not slow): printed under the table; they do not fail the run. */
	warnings: string[];
}

export interface Benchmark {
	id: string;
	title: string;
	/** What the baseline is, in one line, for the header of the benchmark's block. */
	baseline: string;
	/** Hard time bound for the whole benchmark; exceeding it counts as a crash. */
	budgetMs: number;
	run(log: (line: string) => void): Promise<BenchResult>;
}

export async function timed(fn: () => Promise<unknown>): Promise<number> {
	const start = performance.now();
	await fn();
	return performance.now() - start;
}

export function timedSync(fn: () => unknown): number {
	const start = performance.now();
	fn();
	return performance.now() - start;
}

export function median(values: readonly number[]): number {
	if (values.length === 0) throw new Error('median of nothing');
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Runs `fn` `times` times in sequence and returns the median duration in ms. */
export async function medianOf(times: number, fn: () => Promise<unknown>): Promise<number> {
	const durations: number[] = [];
	for (let index = 0; index < times; index++) durations.push(await timed(fn));
	return median(durations);
}

export function ratioOf(row: Row): number {
	return row.ratio ?? row.measured.value / row.baseline.value;
}

export function formatFigure(figure: Figure): string {
	const { value, unit } = figure;
	let text: string;
	switch (unit) {
		case 'ms':
			if (value >= 10_000) text = `${(value / 1000).toFixed(1)} s`;
			else if (value >= 1000) text = `${(value / 1000).toFixed(2)} s`;
			else text = value >= 100 ? `${Math.round(value)} ms` : `${value.toFixed(1)} ms`;
			break;
		case 'us/item':
			text = `${value >= 100 ? Math.round(value) : value.toFixed(1)} µs/item`;
			break;
		case 'calls':
			text = `${value} call${value === 1 ? '' : 's'}`;
			break;
		case 'requests':
			text = `${value} req`;
			break;
		case 'MB':
			text = `${value >= 100 ? Math.round(value) : value.toFixed(1)} MB`;
			break;
	}
	return figure.label ? `${text} (${figure.label})` : text;
}

export function formatRatio(ratio: number): string {
	if (!Number.isFinite(ratio)) return 'n/a';
	if (ratio >= 100) return `${Math.round(ratio)}x`;
	if (ratio >= 10) return `${ratio.toFixed(1)}x`;
	if (ratio >= 0.01) return `${ratio.toFixed(2)}x`;
	return `${ratio.toFixed(4)}x`;
}

/** A plain-text table; columns sized to their content. */
export function table(header: string[], lines: string[][]): string {
	const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => (line[column] ?? '').length)));
	const render = (cells: string[]): string =>
		cells
			.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
			.join('  ')
			.trimEnd();
	return [render(header), widths.map((width) => '-'.repeat(width)).join('  '), ...lines.map(render)].join('\n');
}

export function seconds(ms: number): string {
	return `${(ms / 1000).toFixed(1)} s`;
}

export function percent(part: number, whole: number): string {
	return `${((part / whole) * 100).toFixed(part / whole < 0.1 ? 1 : 0)}%`;
}

/** Fails (as a crash) when a bounded loop runs past its time. */
export class Deadline {
	private readonly end: number;

	constructor(
		private readonly what: string,
		ms: number,
	) {
		this.end = performance.now() + ms;
	}

	check(): void {
		if (performance.now() > this.end) throw new Error(`${this.what} ran past its time bound`);
	}
}
