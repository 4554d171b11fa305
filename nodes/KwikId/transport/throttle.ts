/**
 * How much is sent at once: the item pool of the node and the trigger, and the rate-limit gate
 * every request to one KwikID account passes.
 *
 * - `runPool` runs work over indexes with a fixed number in flight, in index order of start,
 *   and stops starting new work when asked to (first failure, cancelled execution).
 * - `RateGate` is shared per credential (base URL + username) by every execution and the
 *   trigger in this n8n process. Until KwikID answers 429 it lets everything through. A 429
 *   narrows the number of requests in flight to half of what was in flight (once per round of
 *   requests, as TCP does), successes widen it back to that level one request each and then
 *   beyond it by one request per round, and a
 *   Retry-After pauses every request to that account until then (without one, requests are
 *   spaced once the gate is down to one at a time). So a burst of 429s slows the batch instead
 *   of failing rows or hammering the API.
 * - `Pacer` spaces request starts for a user-set requests-per-second ceiling.
 *
 * Waits use n8n's `sleep`: community nodes may not use timers directly.
 */
import { sleep } from 'n8n-workflow';

/** What the gate hands out; give it back with `release`. */
export interface Permit {
	/** The narrowing round the request was sent in: a 429 from an older round narrows nothing. */
	readonly round: number;
}

export type Outcome = { kind: 'ok' } | { kind: 'rateLimited'; retryAfterMs?: number } | { kind: 'other' };

/** After this long without any request, a narrowed gate opens fully again. */
const IDLE_RESET_MS = 60_000;

export class RateGate {
	/** Requests allowed in flight; Infinity until the first 429. */
	private window = Number.POSITIVE_INFINITY;
	private inFlight = 0;
	private round = 0;
	private pausedUntil = 0;
	private lastActivity = 0;
	/** 429s since the last success. */
	private refusedInARow = 0;
	/** What was in flight when the gate last narrowed: regained quickly, probed past slowly. */
	private recoverTo = 0;
	private readonly waiting: Array<() => void> = [];

	constructor(private readonly now: () => number = Date.now) {}

	/** Requests currently allowed in flight (Infinity: not narrowed). For tests and logs. */
	get limit(): number {
		return this.window;
	}

	async acquire(): Promise<Permit> {
		for (;;) {
			const now = this.now();
			if (this.inFlight === 0 && now - this.lastActivity > IDLE_RESET_MS) this.window = Number.POSITIVE_INFINITY;
			const pause = this.pausedUntil - now;
			if (pause > 0) {
				await sleep(pause);
				continue;
			}
			if (this.inFlight < Math.max(1, Math.floor(this.window))) {
				this.inFlight++;
				this.lastActivity = now;
				return { round: this.round };
			}
			await new Promise<void>((resolve) => this.waiting.push(resolve));
		}
	}

	release(permit: Permit, outcome: Outcome): void {
		const inFlightBefore = this.inFlight;
		this.inFlight = Math.max(0, this.inFlight - 1);
		this.lastActivity = this.now();
		if (outcome.kind === 'rateLimited') {
			this.refusedInARow++;
			if (permit.round === this.round) {
				this.round++;
				const before = Math.min(this.window, inFlightBefore);
				this.recoverTo = Math.floor(before);
				this.window = Math.max(1, Math.floor(before / 2));
			}
			if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs > 0) {
				this.pause(outcome.retryAfterMs);
			} else if (this.window < 2) {
				// Down to one request at a time and still refused (no Retry-After, or "0"): one at a
				// time can still be faster than the account's rate, so requests are also spaced,
				// 25 ms doubling per 429 in a row, at most 1 s, until one succeeds.
				this.pause(Math.min(25 * 2 ** Math.min(this.refusedInARow - 1, 6), 1000));
			}
		} else if (outcome.kind === 'ok') {
			this.refusedInARow = 0;
			// Back to where it was one success at a time (a lone 429 costs little), then beyond
			// it by about one request per round of successes, probing the account's limit.
			if (Number.isFinite(this.window)) {
				this.window += this.window < this.recoverTo - 1 ? 1 : 1 / Math.max(1, Math.floor(this.window));
			}
		}
		this.wake();
	}

	private pause(ms: number): void {
		this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
	}

	private wake(): void {
		let free = Math.max(1, Math.floor(this.window)) - this.inFlight;
		while (free > 0 && this.waiting.length > 0) {
			this.waiting.shift()?.();
			free--;
		}
	}
}

const gates = new Map<string, RateGate>();

/** The gate of one KwikID account; the key holds no secret (base URL and username only). */
export function gateFor(baseUrl: string, username: string): RateGate {
	const key = `${baseUrl}\n${username}`;
	let gate = gates.get(key);
	if (!gate) {
		gate = new RateGate();
		gates.set(key, gate);
	}
	return gate;
}

/** Spaces request starts at least `1000 / perSecond` ms apart (0 or less: no ceiling). */
export class Pacer {
	private next = 0;

	constructor(
		private readonly perSecond: number,
		private readonly now: () => number = Date.now,
	) {}

	async wait(): Promise<void> {
		if (!(this.perSecond > 0)) return;
		const now = this.now();
		const at = Math.max(now, this.next);
		this.next = at + 1000 / this.perSecond;
		if (at > now) await sleep(at - now);
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
