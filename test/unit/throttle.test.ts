/**
 * The rate-limit gate and the pool, driven step by step: which requests may start, how a 429
 * narrows the gate once per round and how successes widen it again.
 */
import type { Permit } from '../../nodes/KwikId/transport/throttle';
import { RateGate, runPool } from '../../nodes/KwikId/transport/throttle';

/** Acquires `count` permits; fails if any would have to wait. */
async function take(gate: RateGate, count: number): Promise<Permit[]> {
	const permits: Permit[] = [];
	for (let i = 0; i < count; i++) permits.push(await gate.acquire());
	return permits;
}

/** Whether an acquire is granted without anything being released. */
async function grantsNow(gate: RateGate): Promise<Permit | undefined> {
	const pending = gate.acquire();
	const result = await Promise.race([pending, new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined)))]);
	if (result === undefined) {
		// Leave it queued: the caller releases something to let it through.
		void pending;
	}
	return result;
}

describe('RateGate', () => {
	it('lets everything through until KwikID answers 429', async () => {
		const gate = new RateGate();
		const permits = await take(gate, 50);
		expect(gate.limit).toBe(Number.POSITIVE_INFINITY);
		for (const permit of permits) gate.release(permit, { kind: 'ok' });
		expect(gate.limit).toBe(Number.POSITIVE_INFINITY);
	});

	it('a 429 halves what was in flight, once per round however many 429s that round brings', async () => {
		const gate = new RateGate();
		const permits = await take(gate, 10);
		gate.release(permits[0], { kind: 'rateLimited' });
		expect(gate.limit).toBe(5);
		// The other requests of the same round were sent before the narrowing: no further halving.
		for (const permit of permits.slice(1, 4)) gate.release(permit, { kind: 'rateLimited' });
		expect(gate.limit).toBe(5);
		for (const permit of permits.slice(4)) gate.release(permit, { kind: 'ok' });

		// A 429 for a request sent after the narrowing halves again, never below 1.
		const next = await take(gate, 2);
		gate.release(next[0], { kind: 'rateLimited' });
		expect(gate.limit).toBe(1);
		gate.release(next[1], { kind: 'ok' });
	});

	it('holds requests beyond the narrowed limit until one finishes', async () => {
		const gate = new RateGate();
		const permits = await take(gate, 4);
		gate.release(permits[0], { kind: 'rateLimited' }); // limit 2, three still in flight
		for (const permit of permits.slice(1, 3)) gate.release(permit, { kind: 'other' });
		// One in flight, limit 2: one more may start, the next must wait.
		const second = await grantsNow(gate);
		expect(second).toBeDefined();
		const third = gate.acquire();
		let granted = false;
		void third.then(() => {
			granted = true;
		});
		await new Promise((resolve) => setImmediate(resolve));
		expect(granted).toBe(false);
		gate.release(permits[3], { kind: 'ok' });
		await third;
		expect(granted).toBe(true);
	});

	it('regains what it had one success at a time, then probes beyond it by about one per round', async () => {
		const gate = new RateGate();
		const [first, ...rest] = await take(gate, 8);
		gate.release(first, { kind: 'rateLimited' });
		for (const permit of rest) gate.release(permit, { kind: 'other' });
		expect(gate.limit).toBe(4);

		// Four successes: back to about the 8 it had before the 429.
		for (const permit of await take(gate, 4)) gate.release(permit, { kind: 'ok' });
		expect(Math.floor(gate.limit)).toBe(7);
		// Beyond that, a round of successes adds about one.
		for (const permit of await take(gate, 7)) gate.release(permit, { kind: 'ok' });
		expect(Math.floor(gate.limit)).toBe(8);
		for (const permit of await take(gate, 8)) gate.release(permit, { kind: 'ok' });
		expect(Math.floor(gate.limit)).toBe(9);
	});
});

describe('runPool', () => {
	it('starts work in index order with at most the given number running', async () => {
		let running = 0;
		let most = 0;
		const started: number[] = [];
		const results = await runPool(20, 4, async (index) => {
			started.push(index);
			running++;
			most = Math.max(most, running);
			await new Promise((resolve) => setImmediate(resolve));
			running--;
			return index * 2;
		});
		expect(started).toEqual(Array.from({ length: 20 }, (_, i) => i));
		expect(most).toBe(4);
		expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
	});

	it('starts nothing more once asked to stop, and leaves the skipped results empty', async () => {
		let stop = false;
		const results = await runPool(
			10,
			2,
			async (index) => {
				if (index === 3) stop = true;
				await new Promise((resolve) => setImmediate(resolve));
				return index;
			},
			() => stop,
		);
		expect(results.slice(0, 4)).toEqual([0, 1, 2, 3]);
		// Index 4 had started alongside 3 (two at a time); nothing after it.
		expect(results.filter((result) => result !== undefined).length).toBeLessThanOrEqual(5);
		expect(results[9]).toBeUndefined();
	});
});
