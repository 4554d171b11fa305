/**
 * How much is sent at once: the item pool of the node and the trigger, and the limiter every
 * request to one KwikID account passes.
 *
 * - `runPool` runs work over indexes with at most a ceiling in flight (Max Concurrent
 *   Requests), in index order of start, and stops starting new work when asked to (first
 *   failure, cancelled execution).
 * - `RateGate` is the account's adaptive limiter, shared per credential (base URL + username)
 *   by every execution and the triggers in this n8n process. How many requests may be in flight
 *   is learnt, not set: KwikID's latency (100-300 ms) and the account's rate limit are unknown,
 *   and a fixed number is either too low for a slow API or too high for a small limit. It is
 *   AIMD with a latency check, as TCP does it:
 *   - it starts at `INITIAL_LIMIT` and, while answers succeed and latency stays flat, grows by
 *     one per success (doubling per round of requests: "slow start"); after the first sign of
 *     congestion by about one per round;
 *   - it shrinks once per round of requests: to half of what was in flight on a 429 when 429s
 *     are a tenth or more of the recent answers (a rate limit; a 429 here and there is only
 *     retried), by a quarter on 5xx, 408 or a dropped connection, by a tenth (not below 10) when latency rises
 *     well above the usual (the API is queueing the requests);
 *   - it grows to at most twice the most in flight lately, so a run capped lower by its own
 *     ceiling does not inflate it (TCP's "congestion window validation");
 *   - Retry-After (also of a 429 that was the item's last try) pauses every request to the
 *     account until then; without one, requests are spaced once it is down to one at a time.
 *   - after such a pause, request starts are also paced at the rate the account accepted in the
 *     second before it (a token bucket's refill rate, when the bucket was the limit), growing by
 *     half per second until the next 429 with Retry-After, then by 0.5 requests/s per second. A 429
 *     that pauses the whole account is costly (a second of nothing for Retry-After: 1, the
 *     smallest the header can say), so after the first one the gate avoids the next rather than
 *     finding the limit again by hitting it.
 *   Waiting requests get permits first-come-first-served by when they first asked, so an item
 *     retrying after a 429 goes before items that have not been sent yet and never loses the
 *     race for refilled capacity. A waiter whose execution is cancelled leaves the queue.
 * - `Pacer` spaces request starts for a user-set requests-per-second ceiling.
 *
 * Waits use n8n's `sleep` through `systemClock`: community nodes may not use timers directly,
 * and tests replace the clock to drive waits step by step.
 */
import { sleep } from 'n8n-workflow';

export interface Clock {
	now(): number;
	sleep(ms: number): Promise<void>;
}

/** The real clock. Tests replace its methods (jest.spyOn) to control time in a whole run. */
export const systemClock: Clock = {
	now: () => Date.now(),
	sleep: async (ms: number) => await sleep(ms),
};

/** Thrown to a request that was still waiting to be sent when its execution was cancelled. */
export class Cancelled extends Error {
	constructor() {
		super('The execution was cancelled before this request was sent');
		this.name = 'Cancelled';
	}
}

/** What the gate hands out; give it back with `release`. */
export interface Permit {
	/** The round of requests it was sent in: a signal from an older round shrinks nothing. */
	readonly round: number;
}

export type Outcome =
	| { kind: 'ok'; latencyMs?: number }
	| { kind: 'rateLimited'; retryAfterMs?: number }
	/** 5xx, 408, a dropped connection or a timeout: the API (or the way to it) is struggling. */
	| { kind: 'overloaded' }
	/** Anything that says nothing about load (a 4xx, a refused login, a cancelled read). */
	| { kind: 'other' };

/**
 * In flight before anything is known about the account: Max Concurrent Requests' default, so a
 * batch with default settings starts like the HTTP Request node (which sends the whole batch at
 * once) and the limiter only ever narrows it on a sign of trouble, or probes above it when the
 * user raises the ceiling. Learning upwards from less costs a round trip per doubling, and at
 * KwikID's 150-300 ms those rounds were what held a batch back (real n8n, 300 ms: 0.67x the HTTP
 * Request node starting at 50; in the harness, 1,000 Send Link at 300 ms: 2.1-2.4 s starting at
 * 200 or 300, 1.8-2.0 s at 500). A first round larger than a small rate limit is refused in part:
 * those items wait their turn (a 429 while the account accepts others does not use up an item's
 * retries, retry.ts) and the window halves per round until the account stops refusing.
 */
export const INITIAL_LIMIT = 500;
/** The highest ceiling a run may set (Max Concurrent Requests, 1,000); only bounds the arithmetic. */
const MAX_LIMIT = 1000;
/** After this long without any request, the gate starts over from `INITIAL_LIMIT`. */
const IDLE_RESET_MS = 60_000;
/** The lowest latency is remembered over two such windows, so a change of route is learnt. */
const MIN_LATENCY_WINDOW_MS = 30_000;
/**
 * The span the accepted rate is measured over: two seconds, so the burst a token bucket lets
 * through after a pause weighs half; at least one second, so a bucket's first burst is not read
 * as its rate.
 */
const RATE_WINDOW_MS = 2000;
const RATE_MIN_SPAN_MS = 1000;
/**
 * A paced account that met no 429 with Retry-After for this long may have had its limit raised:
 * the rate grows fast again. Longer than the slow growth takes to pass a bucket's rate.
 */
const RATE_FORGET_MS = 30_000;
/** Pacing never goes below this many starts per second (requests would crawl on a bad estimate). */
const MIN_RATE = 2;
/** After a paced 429: just under what the account took, and at least this much slower than before. */
const RATE_BACKOFF = 0.8;
const RATE_CUT = 0.85;
/**
 * Growth of the paced rate per second: by half before the first paced 429, then by 0.5/s (at 2/s
 * a token bucket's burst of 20 was gone about 4 s past its rate: a whole-second pause every 7 s).
 */
const RATE_FAST_GROWTH = 0.5;
const RATE_SLOW_GROWTH = 0.5;
/** Answers seen before rising latency counts. */
const LATENCY_SAMPLES = 24;
const LATENCY_FLOOR = 10;
/**
 * A 429 narrows the window only when 429s are at least this share of the last ANSWER_MEMORY
 * answers. A rate limit refuses many at once (a token bucket refuses everything above its rate);
 * a 429 here and there (a gateway's hiccup, one call in 50) is only retried: halving 500 in
 * flight for each of them kept a whole run near 100. The first answers are judged by what there
 * is: a first answer that is a 429 is all the evidence there is, and narrows.
 */
const RATE_LIMIT_SHARE = 0.1;
const ANSWER_MEMORY = 64;

interface Waiter {
	readonly ticket: number;
	grant(permit: Permit): void;
}

export class RateGate {
	/** Requests allowed in flight. */
	private window = INITIAL_LIMIT;
	/** Below this the window doubles per round; Infinity until the first sign of congestion. */
	private threshold = Number.POSITIVE_INFINITY;
	private inFlight = 0;
	/** The most in flight since the window last shrank: it grows to at most twice that. */
	private busiest = 0;
	private round = 0;
	private pausedUntil = 0;
	private wakeAt = 0;
	private lastActivity = 0;
	/** 429s since the last success. */
	private refusedInARow = 0;
	/** The last ANSWER_MEMORY answers that were a success or a 429 (true: a 429), oldest first. */
	private answers: boolean[] = [];
	private refusedAnswers = 0;
	/** Successes since the gate was made: an item refused while this grows is not refused in vain. */
	private acceptedTotal = 0;
	/** What was in flight when the gate last narrowed on a 429: regained quickly, probed past slowly. */
	private recoverTo = 0;
	private smoothedLatency = 0;
	/** The same over a long stretch: a lasting change of route or of KwikID's speed is learnt. */
	private usualLatency = 0;
	private latencySamples = 0;
	private minLatency = Number.POSITIVE_INFINITY;
	private previousMinLatency = Number.POSITIVE_INFINITY;
	private minLatencySince = 0;
	private tickets = 0;
	/** Request starts per second once a Retry-After paused the account; Infinity: not paced. */
	private rate = Number.POSITIVE_INFINITY;
	/** Whether a 429 with Retry-After came while paced: the rate then grows slowly. */
	private rateFound = false;
	/** A Retry-After pause ended: the rate is (re)estimated when the next permit is handed out. */
	private estimateRate = false;
	private nextStartAt = 0;
	/** Time spent paused by Retry-After, counting the part of the current pause still to come. */
	private pausedTotal = 0;
	/** Active times (clock minus pauses) of recent successes, oldest first. */
	private successes: number[] = [];
	/** Active time of the first request since the gate (re)started, and of the last rate cut. */
	private activeSince = Number.NaN;
	private rateCutAt = 0;
	/** Sorted by ticket: the oldest request first. */
	private readonly waiting: Waiter[] = [];

	constructor(private readonly clock: Clock = systemClock) {}

	/** Requests currently allowed in flight. For tests and logs. */
	get limit(): number {
		return this.window;
	}

	/** Request starts per second the gate paces at (Infinity: not paced). For tests and logs. */
	get pacedRate(): number {
		return this.rate;
	}

	/**
	 * Successes so far, for the retry policy: a 429 while the account accepted other requests says
	 * the account is busy, not that this item cannot get through (retry.ts, `countRetry`).
	 */
	get accepted(): number {
		return this.acceptedTotal;
	}

	/** Requests waiting for a permit. For tests. */
	get queued(): number {
		return this.waiting.length;
	}

	/** A place in the queue, kept by a request across its retries. */
	ticket(): number {
		return this.tickets++;
	}

	/** Resolves when the request may be sent; rejects with `Cancelled` when `signal` aborts first. */
	async acquire(ticket = this.ticket(), signal?: AbortSignal): Promise<Permit> {
		if (signal?.aborted) throw new Cancelled();
		this.resetIfIdle();
		return await new Promise<Permit>((resolve, reject) => {
			const onAbort = (): void => {
				const at = this.waiting.indexOf(waiter);
				if (at >= 0) this.waiting.splice(at, 1);
				reject(new Cancelled());
			};
			const waiter: Waiter = {
				ticket,
				grant: (permit) => {
					signal?.removeEventListener('abort', onAbort);
					resolve(permit);
				},
			};
			let at = this.waiting.length;
			while (at > 0 && this.waiting[at - 1].ticket > ticket) at--;
			this.waiting.splice(at, 0, waiter);
			signal?.addEventListener('abort', onAbort, { once: true });
			this.pump();
		});
	}

	release(permit: Permit, outcome: Outcome): void {
		const inFlightBefore = this.inFlight;
		this.inFlight = Math.max(0, this.inFlight - 1);
		const now = this.clock.now();
		this.lastActivity = now;
		const current = permit.round === this.round;
		if (outcome.kind === 'rateLimited') {
			this.refusedInARow++;
			this.remember(true);
			if (current && this.refusedAnswers >= RATE_LIMIT_SHARE * this.answers.length) {
				const before = Math.min(this.window, inFlightBefore);
				this.recoverTo = Math.floor(before);
				this.narrow(before / 2);
			}
			if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs > 0) {
				if (current || !Number.isFinite(this.rate)) {
					if (Number.isFinite(this.rate)) this.rateFound = true;
					this.estimateRate = true;
				}
				// Only a request sent since the last narrowing extends the pause. The others left in
				// the same burst as the 429 that set it and met the same limit; n8n works through a
				// burst's answers one by one (500 429s took it about a second), and each of them
				// pushing the pause on by its Retry-After stretched it well past what KwikID asked.
				// (Each item still waits its own Retry-After before it asks again.)
				if (current) this.pause(outcome.retryAfterMs);
			} else if (this.window < 2) {
				// Down to one request at a time and still refused (no Retry-After, or "0"): one at a
				// time can still be faster than the account's rate, so requests are also spaced,
				// 25 ms doubling per 429 in a row, at most 1 s, until one succeeds.
				this.pause(Math.min(25 * 2 ** Math.min(this.refusedInARow - 1, 6), 1000));
			}
		} else if (outcome.kind === 'overloaded') {
			// Of the window, not of what was in flight: a lone 5xx at the end of a batch must not
			// leave the account at one request at a time.
			if (current) this.narrow(this.window * 0.75);
		} else if (outcome.kind === 'ok') {
			this.refusedInARow = 0;
			this.acceptedTotal++;
			this.remember(false);
			this.countSuccess(now);
			if (outcome.latencyMs !== undefined && this.latencyRising(outcome.latencyMs, now)) {
				// Never below LATENCY_FLOOR for latency alone: a slow answer is not a refusal.
				if (current && this.window > LATENCY_FLOOR) this.narrow(Math.max(LATENCY_FLOOR, this.window * 0.9));
			} else if (2 * this.busiest >= Math.floor(this.window) + 1) {
				this.widen();
			}
		}
		this.pump();
	}

	private remember(refused: boolean): void {
		this.answers.push(refused);
		if (refused) this.refusedAnswers++;
		if (this.answers.length > ANSWER_MEMORY && this.answers.shift() === true) this.refusedAnswers--;
	}

	private widen(): void {
		if (this.window < this.threshold) this.window += 1;
		// Back to where it was before a 429 one success at a time (a lone 429 costs little), then
		// beyond it by about one request per round of successes, probing the account's limit.
		else this.window += this.window < this.recoverTo - 1 ? 1 : 1 / Math.max(1, Math.floor(this.window));
		this.window = Math.min(this.window, MAX_LIMIT);
	}

	private narrow(to: number): void {
		this.round++;
		this.window = Math.max(1, Math.floor(to));
		this.threshold = this.window;
		this.busiest = this.inFlight;
	}

	/**
	 * Whether answers now take much longer than usual: 50 ms more than both twice the fastest
	 * seen lately and one and a half times the long-run average, smoothed over several answers so one slow answer
	 * changes nothing.
	 */
	private latencyRising(latencyMs: number, now: number): boolean {
		if (now - this.minLatencySince > MIN_LATENCY_WINDOW_MS) {
			this.previousMinLatency = this.minLatency;
			this.minLatency = Number.POSITIVE_INFINITY;
			this.minLatencySince = now;
		}
		this.minLatency = Math.min(this.minLatency, latencyMs);
		this.smoothedLatency = this.smoothedLatency === 0 ? latencyMs : this.smoothedLatency * 0.875 + latencyMs * 0.125;
		this.usualLatency = this.usualLatency === 0 ? latencyMs : this.usualLatency * 0.98 + latencyMs * 0.02;
		// The first answers (new connections, a cold start) are slow: judge only once they weigh little.
		if (++this.latencySamples < LATENCY_SAMPLES) return false;
		const fastest = Math.min(this.minLatency, this.previousMinLatency);
		return this.smoothedLatency > Math.max(2 * fastest, 1.5 * this.usualLatency) + 50;
	}

	private pause(ms: number): void {
		const now = this.clock.now();
		const until = now + ms;
		if (until <= this.pausedUntil) return;
		this.pausedTotal += until - Math.max(this.pausedUntil, now);
		this.pausedUntil = until;
	}

	/** The clock without the time spent paused: rates are measured while requests could go. */
	private activeTime(now: number): number {
		return now - this.pausedTotal + Math.max(0, this.pausedUntil - now);
	}

	private countSuccess(now: number): void {
		const at = this.activeTime(now);
		this.successes.push(at);
		while (this.successes.length > 0 && this.successes[0] < at - RATE_WINDOW_MS) this.successes.shift();
		if (!Number.isFinite(this.rate)) return;
		if (this.rateFound && at - this.rateCutAt > RATE_FORGET_MS) this.rateFound = false;
		// Per success, so per second the rate grows by RATE_FAST_GROWTH of itself, or by RATE_SLOW_GROWTH.
		this.rate += this.rateFound ? RATE_SLOW_GROWTH / this.rate : RATE_FAST_GROWTH;
	}

	/**
	 * Successes per second over the last RATE_WINDOW_MS of active time: what the account accepted
	 * right before the pause.
	 */
	private acceptedRate(now: number): number {
		const active = this.activeTime(now);
		const recent = this.successes.filter((at) => at >= active - RATE_WINDOW_MS).length;
		const span = Math.min(RATE_WINDOW_MS, Math.max(RATE_MIN_SPAN_MS, active - this.activeSince));
		return (recent * 1000) / span;
	}

	private resetIfIdle(): void {
		if (this.inFlight > 0 || this.waiting.length > 0) return;
		if (this.lastActivity === 0 || this.clock.now() - this.lastActivity <= IDLE_RESET_MS) return;
		this.window = INITIAL_LIMIT;
		this.threshold = Number.POSITIVE_INFINITY;
		this.recoverTo = 0;
		this.busiest = 0;
		this.smoothedLatency = 0;
		this.usualLatency = 0;
		this.latencySamples = 0;
		this.minLatency = Number.POSITIVE_INFINITY;
		this.previousMinLatency = Number.POSITIVE_INFINITY;
		this.rate = Number.POSITIVE_INFINITY;
		this.rateFound = false;
		this.estimateRate = false;
		this.successes = [];
		this.activeSince = Number.NaN;
		this.answers = [];
		this.refusedAnswers = 0;
	}

	/** Wakes the gate at `at` (a pause's end, the next paced start) unless a wake comes sooner. */
	private wakeUpAt(at: number, now: number): void {
		if (this.wakeAt !== 0 && this.wakeAt <= at) return;
		this.wakeAt = at;
		void this.clock.sleep(at - now).then(() => {
			if (this.wakeAt === at) this.wakeAt = 0;
			this.pump();
		});
	}

	/** Hands permits to the oldest waiters while there is room and no pause. */
	private pump(): void {
		const now = this.clock.now();
		if (this.pausedUntil > now) {
			if (this.waiting.length > 0) this.wakeUpAt(this.pausedUntil, now);
			return;
		}
		if (this.estimateRate && this.waiting.length > 0) {
			this.estimateRate = false;
			const accepted = Math.max(MIN_RATE, this.acceptedRate(now));
			this.rate = this.rateFound ? Math.max(MIN_RATE, Math.min(this.rate * RATE_CUT, accepted * RATE_BACKOFF)) : accepted;
			this.rateCutAt = this.activeTime(now);
			this.nextStartAt = now;
		}
		while (this.waiting.length > 0 && this.inFlight < Math.max(1, Math.floor(this.window))) {
			if (Number.isFinite(this.rate)) {
				if (this.nextStartAt > now) {
					this.wakeUpAt(this.nextStartAt, now);
					return;
				}
				// A wake that came late keeps the pace; time without waiters is not saved up for a
				// burst (at most one start's worth).
				const interval = 1000 / this.rate;
				this.nextStartAt = Math.max(this.nextStartAt, now - interval) + interval;
			}
			const waiter = this.waiting.shift() as Waiter;
			if (Number.isNaN(this.activeSince)) this.activeSince = this.activeTime(now);
			this.inFlight++;
			this.busiest = Math.max(this.busiest, this.inFlight);
			this.lastActivity = now;
			waiter.grant({ round: this.round });
		}
	}
}

const gates = new Map<string, RateGate>();

/** The limiter of one KwikID account; the key holds no secret (base URL and username only). */
export function gateFor(baseUrl: string, username: string): RateGate {
	const key = `${baseUrl}\n${username}`;
	let gate = gates.get(key);
	if (!gate) {
		gate = new RateGate();
		gates.set(key, gate);
	}
	return gate;
}

/**
 * Spaces request starts at least `1000 / perSecond` ms apart (0 or less: no ceiling), one after
 * the other: each start is timed from the previous actual start, so a stalled machine never
 * releases a burst to catch up.
 */
export class Pacer {
	private last = Number.NEGATIVE_INFINITY;
	private queue: Promise<void> = Promise.resolve();

	constructor(
		private readonly perSecond: number,
		private readonly clock: Clock = systemClock,
	) {}

	async wait(signal?: AbortSignal): Promise<void> {
		if (!(this.perSecond > 0)) return;
		if (signal?.aborted) throw new Cancelled();
		let cancelled = false;
		const turn = this.queue.then(async () => {
			if (cancelled) return;
			const due = this.last + 1000 / this.perSecond - this.clock.now();
			if (due > 0) await this.clock.sleep(due);
			this.last = this.clock.now();
		});
		this.queue = turn;
		if (!signal) return await turn;
		await new Promise<void>((resolve, reject) => {
			const onAbort = (): void => {
				cancelled = true;
				reject(new Cancelled());
			};
			signal.addEventListener('abort', onAbort, { once: true });
			void turn.then(() => {
				signal.removeEventListener('abort', onAbort);
				if (cancelled) reject(new Cancelled());
				else resolve();
			});
		});
	}
}

/**
 * Runs `work(index)` for indexes 0..count-1 with at most `concurrency` in flight, starting them
 * in index order. `work` must not throw. Before each start `shouldStop()` is asked; once it says
 * yes nothing more starts, the running ones finish, and the skipped indexes stay undefined.
 */
export async function runPool<R>(
	count: number,
	concurrency: number,
	work: (index: number) => Promise<R>,
	shouldStop: () => boolean = () => false,
): Promise<Array<R | undefined>> {
	const results = new Array<R | undefined>(count);
	let next = 0;
	const worker = async (): Promise<void> => {
		while (next < count && !shouldStop()) {
			const index = next++;
			results[index] = await work(index);
		}
	};
	const workers = Math.max(1, Math.min(Math.floor(concurrency) || 1, count));
	await Promise.all(Array.from({ length: workers }, worker));
	return results;
}
