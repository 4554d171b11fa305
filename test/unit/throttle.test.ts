/**
 * The rate-limit gate and the pool, driven step by step: which requests may start, how a 429
 * narrows the gate once per round and how successes widen it again.
 */
import type { Clock, Permit } from '../../nodes/KwikId/transport/throttle';
import { countRetry, DEFAULT_RETRY, freshCounts, nextRetry, REFUSALS_PER_RETRY } from '../../nodes/KwikId/transport/retry';
import type { RetryCounts } from '../../nodes/KwikId/transport/retry';
import { DEFAULT_CONCURRENCY } from '../../nodes/KwikId/actions/common';
import { Cancelled, INITIAL_LIMIT, Pacer, RateGate, runPool } from '../../nodes/KwikId/transport/throttle';

/** Time that moves only when the test says so. */
class FakeClock implements Clock {
	time = 1_000_000;
	private timers: Array<{ at: number; resolve: () => void }> = [];
	readonly slept: number[] = [];

	now = (): number => this.time;

	sleep = async (ms: number): Promise<void> => {
		this.slept.push(ms);
		await new Promise<void>((resolve) => this.timers.push({ at: this.time + ms, resolve }));
	};

	/** Moves time on, wakes whatever was due, and lets it run. */
	async advance(ms: number): Promise<void> {
		this.time += ms;
		const due = this.timers.filter((timer) => timer.at <= this.time);
		this.timers = this.timers.filter((timer) => timer.at > this.time);
		for (const timer of due) timer.resolve();
		await settle();
	}

	/** Runs time forward timer by timer until `done` settles. */
	async runUntil(done: Promise<unknown>): Promise<void> {
		let finished = false;
		void done.finally(() => {
			finished = true;
		});
		await settle();
		while (!finished) {
			const next = Math.min(...this.timers.map((timer) => timer.at));
			if (!Number.isFinite(next)) throw new Error('stuck: nothing left to wait for');
			await this.advance(next - this.time);
		}
	}
}

/** Lets every pending promise callback run. */
async function settle(): Promise<void> {
	for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Acquires `count` permits; fails if any would have to wait. */
async function take(gate: RateGate, count: number): Promise<Permit[]> {
	const permits: Permit[] = [];
	for (let i = 0; i < count; i++) permits.push(await gate.acquire());
	return permits;
}

/** Whether an acquire is granted without anything being released. */
async function grantsAtOnce(gate: RateGate): Promise<Permit | undefined> {
	const pending = gate.acquire();
	const result = await Promise.race([pending, new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined)))]);
	if (result === undefined) {
		// Leave it queued: the caller releases something to let it through.
		void pending;
	}
	return result;
}

/** Whether one more request would be let through now (given back at once if it was). */
async function grantsNow(gate: RateGate): Promise<boolean> {
	const controller = new AbortController();
	let granted: Permit | undefined;
	void gate.acquire(undefined, controller.signal).then(
		(permit) => {
			granted = permit;
		},
		() => undefined,
	);
	await settle();
	controller.abort();
	if (granted) gate.release(granted, { kind: 'other' });
	return granted !== undefined;
}

describe('RateGate', () => {
	it('starts at 500 in flight (Max Concurrent Requests\' default) and doubles per round of successes while latency stays flat', async () => {
		const gate = new RateGate(new FakeClock());
		expect(gate.limit).toBe(INITIAL_LIMIT);
		expect(INITIAL_LIMIT).toBe(500);
		expect(INITIAL_LIMIT).toBe(DEFAULT_CONCURRENCY);
		const permits = await take(gate, INITIAL_LIMIT);
		expect(await grantsNow(gate)).toBe(false);
		for (const permit of permits) gate.release(permit, { kind: 'ok', latencyMs: 150 });
		// A raised ceiling (at most 1,000) is probed: 1,000 after one round of successes.
		expect(gate.limit).toBe(1000);
		const more = await take(gate, 1000);
		expect(await grantsNow(gate)).toBe(false);
		for (const permit of more) gate.release(permit, { kind: 'ok', latencyMs: 150 });
		expect(gate.limit).toBe(1000);
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

	it('a 429 here and there (1 answer in 50) narrows nothing; 429s that are a share of the answers do', async () => {
		const clock = new FakeClock();
		const gate = new RateGate(clock);
		let answered = 0;
		let inFlight = 0;
		let most = 0;
		// 3,000 requests, at most 500 at once, 150 ms each; every 50th answer is a 429, retried.
		const done = runPool(3000, 500, async () => {
			const ticket = gate.ticket();
			for (;;) {
				const permit = await gate.acquire(ticket);
				most = Math.max(most, ++inFlight);
				await clock.sleep(150);
				inFlight--;
				if (++answered % 50 === 0) {
					gate.release(permit, { kind: 'rateLimited' });
					await clock.sleep(250);
					continue;
				}
				gate.release(permit, { kind: 'ok', latencyMs: 150 });
				return;
			}
		});
		await clock.runUntil(done);
		// Halving per round for each of them kept it near 100 in flight. (Not quite 500: the pool's
		// slots of the items sleeping before their retry are not in flight.)
		expect(most).toBeGreaterThan(450);
		expect(Math.floor(gate.limit)).toBeGreaterThanOrEqual(500);

		// Now 3 in 10 answers are 429s: a rate limit. The window halves, once per round.
		const permits = await take(gate, 20);
		for (const permit of permits.slice(0, 14)) gate.release(permit, { kind: 'ok', latencyMs: 150 });
		const before = Math.floor(gate.limit);
		for (const permit of permits.slice(14)) gate.release(permit, { kind: 'rateLimited' });
		expect(gate.limit).toBeLessThan(before);
		expect(gate.limit).toBeLessThanOrEqual(10);
	});

	it('holds requests beyond the narrowed limit until one finishes', async () => {
		const gate = new RateGate();
		const permits = await take(gate, 4);
		gate.release(permits[0], { kind: 'rateLimited' }); // limit 2, three still in flight
		for (const permit of permits.slice(1, 3)) gate.release(permit, { kind: 'other' });
		// One in flight, limit 2: one more may start, the next must wait.
		const second = await grantsAtOnce(gate);
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

describe('RateGate: fairness, pauses, cancellation and shrinking', () => {
	/** A gate narrowed to one request at a time, with that one permit held. */
	async function narrowedToOne(clock: FakeClock): Promise<{ gate: RateGate; held: Permit }> {
		const gate = new RateGate(clock);
		const [first, second] = await take(gate, 2);
		gate.release(first, { kind: 'rateLimited', retryAfterMs: 0 });
		expect(gate.limit).toBe(1);
		clock.time += 1000; // past the spacing a 429 without Retry-After adds
		return { gate, held: second };
	}

	it('hands permits to waiters in the order they first asked, retries before newcomers', async () => {
		const clock = new FakeClock();
		const { gate, held } = await narrowedToOne(clock);
		const order: number[] = [];
		const retrying = gate.ticket(); // an older request, back for its retry after newer ones queued
		const tickets = [gate.ticket(), gate.ticket(), gate.ticket()];
		const waits = [...tickets.slice().reverse(), retrying].map(async (ticket) => {
			const permit = await gate.acquire(ticket);
			order.push(ticket);
			await clock.sleep(10);
			gate.release(permit, { kind: 'ok' });
		});
		await settle();
		expect(order).toEqual([]);
		gate.release(held, { kind: 'ok' });
		await clock.runUntil(Promise.all(waits));
		expect(order).toEqual([retrying, ...tickets]);
	});

	it('a newcomer does not take a freed permit from a waiter', async () => {
		const clock = new FakeClock();
		const { gate, held } = await narrowedToOne(clock);
		const order: string[] = [];
		const waiter = gate.acquire().then((permit) => {
			order.push('waiter');
			return permit;
		});
		await settle();
		gate.release(held, { kind: 'ok' });
		const newcomer = gate.acquire().then((permit) => {
			order.push('newcomer');
			return permit;
		});
		gate.release(await waiter, { kind: 'ok' });
		gate.release(await newcomer, { kind: 'ok' });
		expect(order).toEqual(['waiter', 'newcomer']);
	});

	it('a waiter whose execution is cancelled leaves the queue; the next one gets the permit', async () => {
		const clock = new FakeClock();
		const { gate, held } = await narrowedToOne(clock);
		const controller = new AbortController();
		const cancelled = gate.acquire(undefined, controller.signal);
		const next = gate.acquire();
		await settle();
		expect(gate.queued).toBe(2);
		controller.abort();
		await expect(cancelled).rejects.toBeInstanceOf(Cancelled);
		expect(gate.queued).toBe(1);
		gate.release(held, { kind: 'ok' });
		gate.release(await next, { kind: 'ok' });
		expect(gate.queued).toBe(0);
		// Already cancelled: refused at once.
		await expect(gate.acquire(undefined, controller.signal)).rejects.toBeInstanceOf(Cancelled);
	});

	it("a 429's Retry-After holds every request to the account until then", async () => {
		const clock = new FakeClock();
		const gate = new RateGate(clock);
		const [refused, other] = await take(gate, 2);
		gate.release(refused, { kind: 'rateLimited', retryAfterMs: 2000 });
		gate.release(other, { kind: 'ok' });
		let granted = false;
		const waiting = gate.acquire().then((permit) => {
			granted = true;
			return permit;
		});
		await clock.advance(1999);
		expect(granted).toBe(false);
		await clock.advance(1);
		expect(granted).toBe(true);
		gate.release(await waiting, { kind: 'ok' });
	});

	it('shrinks by a quarter on 5xx or a dropped connection and by a tenth when latency rises, once per round', async () => {
		const gate = new RateGate(new FakeClock());
		const permits = await take(gate, 20);
		gate.release(permits[0], { kind: 'overloaded' });
		gate.release(permits[1], { kind: 'overloaded' });
		expect(gate.limit).toBe(Math.floor(INITIAL_LIMIT * 0.75));
		for (const permit of permits.slice(2)) gate.release(permit, { kind: 'ok', latencyMs: 100 });

		// Answers that used to take 100 ms now take 400: the API is queueing requests.
		const slow = await take(gate, 10);
		const before = Math.floor(gate.limit);
		for (const permit of slow) gate.release(permit, { kind: 'ok', latencyMs: 1000 });
		expect(gate.limit).toBe(Math.floor(before * 0.9));
	});

	it('grows to at most twice the most in flight lately', async () => {
		const gate = new RateGate(new FakeClock());
		for (let i = 0; i < 100; i++) {
			const permits = await take(gate, 5); // a run whose own ceiling is 5
			for (const permit of permits) gate.release(permit, { kind: 'ok', latencyMs: 100 });
		}
		expect(gate.limit).toBe(INITIAL_LIMIT);
	});

	// The weakness of the gate before permits were queued: under a sustained 429 an unlucky item
	// could lose the race for refilled capacity until its retries ran out. A token bucket (50 per
	// second, 20 at once) against 300 items, all 300 allowed at once (the pool's ceiling; the gate
	// starts lower), with the node's own retry policy; the jitter of the retries is seeded, and
	// every seed must get every item through.
	it.each(Array.from({ length: 40 }, (_, seed) => seed))('under a sustained rate limit no item runs out of retries (seed %i)', async (seed) => {
		const clock = new FakeClock();
		const gate = new RateGate(clock);
		let random = seed * 7919 + 1;
		const spy = jest.spyOn(Math, 'random').mockImplementation(() => {
			random = (random * 48271) % 2147483647;
			return random / 2147483647;
		});
		try {
			const bucket = { tokens: 20, at: clock.now() };
			const take429 = (): boolean => {
				const now = clock.now();
				bucket.tokens = Math.min(20, bucket.tokens + ((now - bucket.at) * 50) / 1000);
				bucket.at = now;
				if (bucket.tokens < 1) return true;
				bucket.tokens -= 1;
				return false;
			};
			let refusals = 0;
			const outcomes = runPool(300, 300, async () => {
				const counts: RetryCounts = freshCounts();
				const ticket = gate.ticket();
				let acceptedBefore = Number.NaN;
				for (;;) {
					const permit = await gate.acquire(ticket);
					if (Number.isNaN(acceptedBefore)) acceptedBefore = gate.accepted;
					await clock.sleep(5 + (seed % 3)); // on its way
					const limited = take429();
					await clock.sleep(5);
					if (!limited) {
						gate.release(permit, { kind: 'ok', latencyMs: 10 });
						return 'ok';
					}
					refusals++;
					gate.release(permit, { kind: 'rateLimited' });
					const failure = { status: 429, headers: {} } as unknown as Parameters<typeof nextRetry>[1];
					const decision = nextRetry(DEFAULT_RETRY, failure, counts, false);
					if (!decision.retry) return 'failed';
					countRetry(counts, decision.kind, gate.accepted > acceptedBefore);
					acceptedBefore = gate.accepted;
					await clock.sleep(decision.delayMs);
				}
			});
			await clock.runUntil(outcomes);
			const results = await outcomes;
			expect(results.filter((result) => result !== 'ok')).toEqual([]);
			expect(refusals).toBeGreaterThan(0);
		} finally {
			spy.mockRestore();
		}
	});
});

describe('retry policy: 429s while the account accepts others', () => {
	const refused = { status: 429, headers: {} } as unknown as Parameters<typeof nextRetry>[1];
	const retriesLeft = (moved: boolean[]): boolean => {
		const counts = freshCounts();
		for (const accountMoved of moved) {
			const decision = nextRetry(DEFAULT_RETRY, refused, counts, true);
			if (!decision.retry) return false;
			countRetry(counts, decision.kind, accountMoved);
		}
		return nextRetry(DEFAULT_RETRY, refused, counts, true).retry;
	};

	it('an item refused while other requests get through waits its turn instead of failing', () => {
		// Ten 429s, the account accepting others between each: still retried, with the first backoff.
		expect(retriesLeft(Array<boolean>(10).fill(true))).toBe(true);
		const counts = freshCounts();
		for (let i = 0; i < 10; i++) countRetry(counts, 'rateLimited', true);
		const decision = nextRetry(DEFAULT_RETRY, refused, counts, true);
		expect(decision.retry && decision.delayMs).toBeLessThanOrEqual(DEFAULT_RETRY.baseDelayMs * 1.25);
	});

	it('fails after six 429s during which the account accepted nothing, or after thirty in all', () => {
		const six = DEFAULT_RETRY.rateLimitRetries;
		expect(retriesLeft(Array<boolean>(six - 1).fill(false))).toBe(true);
		expect(retriesLeft(Array<boolean>(six).fill(false))).toBe(false);
		// Progress in between does not reset the count of refusals in vain.
		expect(retriesLeft([false, true, false, true, false, true, false, false, false])).toBe(false);
		const all = six * REFUSALS_PER_RETRY;
		expect(all).toBe(30);
		expect(retriesLeft(Array<boolean>(all - 1).fill(true))).toBe(true);
		expect(retriesLeft(Array<boolean>(all).fill(true))).toBe(false);
	});
});

describe('Pacer', () => {
	it('spaces starts 1000 / perSecond ms apart, timed from the previous actual start', async () => {
		const clock = new FakeClock();
		const pacer = new Pacer(20, clock);
		const starts: number[] = [];
		const waits = Array.from({ length: 5 }, async () => {
			await pacer.wait();
			starts.push(clock.now() - 1_000_000);
		});
		await clock.runUntil(Promise.all(waits));
		expect(starts).toEqual([0, 50, 100, 150, 200]);

		// A machine that stalled for a second: the waiters then still go 50 ms apart, no burst.
		const late = Array.from({ length: 3 }, async () => {
			await pacer.wait();
			starts.push(clock.now() - 1_000_000);
		});
		clock.time += 1000;
		await clock.runUntil(Promise.all(late));
		expect(starts.slice(5)).toEqual([1200, 1250, 1300]);
	});

	it('a cancelled execution stops waiting', async () => {
		const clock = new FakeClock();
		const pacer = new Pacer(1, clock);
		await pacer.wait();
		const controller = new AbortController();
		const waiting = pacer.wait(controller.signal);
		controller.abort();
		await expect(waiting).rejects.toBeInstanceOf(Cancelled);
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

describe('RateGate: pacing after a Retry-After pause', () => {
	/**
	 * `count` requests against a token bucket (CAPACITY at once, REFILL per second) that answers a
	 * 429 with `Retry-After: 1` on an empty bucket, each answer after LATENCY ms, on the fake clock.
	 * A refused request waits its Retry-After and asks again with its ticket, as the client does.
	 */
	async function bucketRun(count: number): Promise<{ refused: number; refusedAfterFirstPause: number; pauses: number; gate: RateGate }> {
		const CAPACITY = 20;
		const REFILL = 50;
		const LATENCY = 150;
		const clock = new FakeClock();
		const gate = new RateGate(clock);
		let tokens = CAPACITY;
		let filledAt = clock.now();
		let refused = 0;
		let firstPauseOver = Number.POSITIVE_INFINITY;
		let refusedAfterFirstPause = 0;
		// Whole-second pauses: 429s more than a second after the one that began the last pause.
		let pauses = 0;
		let pauseBegan = Number.NEGATIVE_INFINITY;
		const bucketTake = (): boolean => {
			const now = clock.now();
			tokens = Math.min(CAPACITY, tokens + ((now - filledAt) * REFILL) / 1000);
			filledAt = now;
			if (tokens < 1) return false;
			tokens -= 1;
			return true;
		};
		const one = async (): Promise<void> => {
			const ticket = gate.ticket();
			for (;;) {
				const permit = await gate.acquire(ticket);
				const accepted = bucketTake();
				await clock.sleep(LATENCY);
				if (accepted) {
					gate.release(permit, { kind: 'ok', latencyMs: LATENCY });
					return;
				}
				refused++;
				if (clock.now() > pauseBegan + 1000) {
					pauses++;
					pauseBegan = clock.now();
				}
				if (clock.now() > firstPauseOver) refusedAfterFirstPause++;
				if (!Number.isFinite(firstPauseOver)) firstPauseOver = clock.now() + 1000 + LATENCY;
				gate.release(permit, { kind: 'rateLimited', retryAfterMs: 1000 });
				await clock.sleep(1000);
			}
		};
		await clock.runUntil(Promise.all(Array.from({ length: count }, one)));
		return { refused, refusedAfterFirstPause, pauses, gate };
	}

	it('after the first 429 with Retry-After, paces starts near the rate the account accepts and meets few more', async () => {
		const { refused, refusedAfterFirstPause, gate } = await bucketRun(600);
		// The first round of INITIAL_LIMIT meets the empty bucket; after its pause the gate paces
		// (about 50/s here) instead of releasing bursts into the bucket again and again.
		expect(Number.isFinite(gate.pacedRate)).toBe(true);
		expect(gate.pacedRate).toBeLessThan(100);
		expect(refused).toBeGreaterThan(0);
		// Unpaced, every pause ends in a burst that the bucket refuses: hundreds of 429s.
		expect(refusedAfterFirstPause).toBeLessThan(60);
	});

	it('once it has met a 429 while paced, creeps up on the rate: few whole-second pauses in a long run', async () => {
		// 2,000 requests against the 50/s bucket take 40 s. Growing by 2/s per second after a paced
		// 429, a 20-request burst was gone about 4 s past the bucket's rate: a pause every 7 s, 8
		// in this run (each a second of nothing, 50 requests' worth). By 0.5/s per second: 4.
		const { pauses } = await bucketRun(2000);
		expect(pauses).toBeLessThanOrEqual(5);
	});

	it('paces from the accepted rate: starts after the pause are spaced, and an idle gate forgets it', async () => {
		const clock = new FakeClock();
		const gate = new RateGate(clock);
		// 21 requests in flight; a second later one is refused with "wait a second", 20 succeed.
		const permits = await take(gate, 21);
		await clock.advance(1000);
		gate.release(permits[20], { kind: 'rateLimited', retryAfterMs: 1000 });
		for (const permit of permits.slice(0, 20)) gate.release(permit, { kind: 'ok', latencyMs: 1000 });
		const granted: number[] = [];
		const waiting = Array.from({ length: 4 }, async () => {
			const permit = await gate.acquire();
			granted.push(clock.now());
			return permit;
		});
		await clock.advance(1000);
		// 20 successes over the 1 s measured: 20 starts per second, one at once, then 50 ms apart.
		expect(gate.pacedRate).toBe(20);
		expect(granted).toHaveLength(1);
		await clock.advance(49);
		expect(granted).toHaveLength(1);
		await clock.advance(1);
		expect(granted).toHaveLength(2);
		await clock.advance(50);
		await clock.advance(50);
		expect(granted).toHaveLength(4);
		expect(granted.map((at) => at - granted[0])).toEqual([0, 50, 100, 150]);
		for (const permit of await Promise.all(waiting)) gate.release(permit, { kind: 'ok', latencyMs: 50 });
		// A minute without requests: the gate starts over, unpaced.
		await clock.advance(61_000);
		const [fresh] = await take(gate, 1);
		expect(gate.pacedRate).toBe(Number.POSITIVE_INFINITY);
		gate.release(fresh, { kind: 'ok' });
	});
});
