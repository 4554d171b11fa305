/**
 * Node item loop overhead: Get Session over many items through n8n-core (engine, real node,
 * transport, credential) against the same GETs made by a bare sequential fetch loop, same token,
 * same sandbox. At zero latency the ratio is what the engine and node add per item; with 20 ms
 * of server latency both sides wait on the server and the ratio should approach 1.
 */
import { createSandbox } from '../sandbox/server';
import type { Benchmark, BenchResult, Row } from './lib';
import { Deadline, formatFigure, median, timed } from './lib';
import { createSessions, fetchLoop, harnessFor, newConnectionLoop, runGetSession, storedToken } from './support';

const ITEMS = 1000;
const REPEATS = 5;
/** With 20 ms per request, 1,000 items would take 20 s per side: a 200-item run says the same. */
const LATENCY_ITEMS = 200;
const LATENCY_MS = 20;

export const itemLoop: Benchmark = {
	id: 'item-loop',
	title: 'Node item loop overhead (Get Session)',
	baseline: 'the same GETs from a bare sequential fetch loop, same token and sandbox',
	budgetMs: 120_000,
	async run(log): Promise<BenchResult> {
		const sandbox = await createSandbox();
		const deadline = new Deadline('item loop benchmark', this.budgetMs);
		try {
			const harness = harnessFor(sandbox);
			const ids = createSessions(sandbox, ITEMS);

			// Warm-up: loads n8n-core, compiles the hot paths, fetches and stores the token.
			await runGetSession(harness, ids);
			const token = storedToken(harness);
			await fetchLoop(sandbox, token, ids, deadline);

			await newConnectionLoop(sandbox, token, ids, deadline);

			// Interleaved, so drift (GC, thermal) hits all sides alike.
			const node: number[] = [];
			const bare: number[] = [];
			const fresh: number[] = [];
			for (let index = 0; index < REPEATS; index++) {
				node.push(await timed(() => runGetSession(harness, ids)));
				bare.push(await timed(() => fetchLoop(sandbox, token, ids, deadline)));
				fresh.push(await timed(() => newConnectionLoop(sandbox, token, ids, deadline)));
				log(
					`  zero latency, run ${index + 1}/${REPEATS}: node ${Math.round(node[index])} ms, fetch ${Math.round(bare[index])} ms, new connections ${Math.round(fresh[index])} ms`,
				);
			}
			const nodeMs = median(node);
			const bareMs = median(bare);
			const freshMs = median(fresh);
			const us = (ms: number): number => Math.round((ms / ITEMS) * 1000);
			const zero: Row = {
				scenario: `${ITEMS.toLocaleString('en')} items, latency 0 ms (median of ${REPEATS})`,
				measured: { value: nodeMs, unit: 'ms' },
				baseline: { value: bareMs, unit: 'ms' },
				notes: [
					`node ${us(nodeMs)} µs/item vs fetch ${us(bareMs)} µs/item: engine + node + n8n's HTTP helper add ${us(nodeMs - bareMs)} µs/item`,
				],
			};
			const connections: Row = {
				scenario: `${ITEMS.toLocaleString('en')} items, latency 0 ms, vs a new connection per request`,
				measured: { value: nodeMs, unit: 'ms' },
				baseline: { value: freshMs, unit: 'ms', label: 'http.request, agent: false' },
				notes: [
					`n8n-core opens a TCP connection per request (no keep-alive), so does this baseline: the ${us(nodeMs - freshMs)} µs/item left are engine, expressions, node and axios, not connecting`,
				],
			};

			sandbox.setFaults({ latencyMs: LATENCY_MS });
			const subset = ids.slice(0, LATENCY_ITEMS);
			const nodeSlow = await timed(() => runGetSession(harness, subset));
			const bareSlow = await timed(() => fetchLoop(sandbox, token, subset, deadline));
			log(`  latency ${LATENCY_MS} ms: node ${formatFigure({ value: nodeSlow, unit: 'ms' })}, fetch ${formatFigure({ value: bareSlow, unit: 'ms' })}`);
			const slow: Row = {
				scenario: `${LATENCY_ITEMS} items, latency ${LATENCY_MS} ms`,
				measured: { value: nodeSlow, unit: 'ms' },
				baseline: { value: bareSlow, unit: 'ms' },
				notes: [
					`${((nodeSlow / LATENCY_ITEMS)).toFixed(1)} vs ${(bareSlow / LATENCY_ITEMS).toFixed(1)} ms/item; ratio should approach 1 (both sequential, server-bound)`,
				],
			};

			const stats = sandbox.stats();
			const warnings: string[] = [];
			if (stats.requests.generate_token !== 1) {
				warnings.push(`item loop: ${stats.requests.generate_token} token calls over all runs, expected 1`);
			}
			return { rows: [zero, connections, slow], warnings };
		} finally {
			await sandbox.close();
		}
	},
};
