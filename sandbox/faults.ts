/**
 * Fault injection: latency, a token bucket, one-shot 429/500 bursts and dropped sockets.
 * Every fault is plain state decided per request, so tests can arm one, watch it fire exactly
 * `count` times and see the sandbox behave normally again.
 */
import { isRecord } from './http';

export const ENDPOINT_KEYS = ['generate_token', 'sendLink', 'get_details', 'push_user_data', 'media'] as const;
export type EndpointKey = (typeof ENDPOINT_KEYS)[number];

/** Endpoints that create a session, where a 500 "after create" makes sense. */
const CREATING: readonly EndpointKey[] = ['sendLink', 'push_user_data'];

export interface RateLimitFault {
	capacity: number;
	refillPerSec: number;
	retryAfterSec?: number;
}

export interface Burst429Fault {
	count: number;
	endpoint?: EndpointKey;
	retryAfterSec?: number;
}

export interface Fail5xxFault {
	count: number;
	endpoint?: EndpointKey;
	kind: 'json' | 'html';
	/** sendLink / push_user_data only: create the session, then answer 500 anyway. */
	afterCreate?: boolean;
}

export interface DropFault {
	count: number;
	endpoint?: EndpointKey;
}

/**
 * A steady share of requests that fail, decided by a seeded generator so a run can be repeated
 * exactly. The 5xx comes before the endpoint runs (nothing is created) and a drop destroys the
 * socket after the body was read (nothing is created either): what a client cannot tell apart
 * from a failure after creation, and so must never resend.
 */
export interface RandomFault {
	share429: number;
	share5xx: number;
	shareDrop: number;
	seed: number;
	endpoint?: EndpointKey;
}

export interface Faults {
	latencyMs: number;
	jitterMs: number;
	rateLimit: RateLimitFault | null;
	burst429: Burst429Fault | null;
	fail5xx: Fail5xxFault | null;
	drop: DropFault | null;
	random: RandomFault | null;
	/** Every token issued so far is revoked when the API request count reaches each multiple of this (0: never). */
	expireTokensEvery: number;
}

/** What to do with a request before the real handler runs. */
export type FaultDecision =
	| { kind: 'drop' }
	| { kind: 'rateLimited'; retryAfterSec?: number }
	| { kind: 'serverError'; html: boolean }
	/** Run the handler; if it creates a session, call `takeAfterCreate` to get the 500. */
	| { kind: 'pass'; afterCreateArmed: boolean };

export class FaultInputError extends Error {}

export function noFaults(): Faults {
	return {
		latencyMs: 0,
		jitterMs: 0,
		rateLimit: null,
		burst429: null,
		fail5xx: null,
		drop: null,
		random: null,
		expireTokensEvery: 0,
	};
}

export class FaultState {
	private faults: Faults = noFaults();
	private bucketTokens = 0;
	private bucketStamp = 0;
	private randomState = 0;

	constructor(initial?: Partial<Faults>) {
		if (initial) this.set(initial);
	}

	/** Replaces the given kinds only; `null` turns one off. A new rateLimit starts full. */
	set(input: unknown): void {
		const parsed = parseFaults(input);
		this.faults = { ...this.faults, ...parsed };
		if (parsed.rateLimit) {
			this.bucketTokens = parsed.rateLimit.capacity;
			this.bucketStamp = Date.now();
		}
		if (parsed.random) this.randomState = parsed.random.seed >>> 0;
	}

	clear(): void {
		this.faults = noFaults();
	}

	/** Current configuration, with the remaining counts of one-shot faults. */
	snapshot(): Faults {
		return structuredClone(this.faults);
	}

	get expireTokensEvery(): number {
		return this.faults.expireTokensEvery;
	}

	delayMs(): number {
		const { latencyMs, jitterMs } = this.faults;
		return latencyMs + (jitterMs > 0 ? Math.random() * jitterMs : 0);
	}

	/**
	 * Order mirrors where each fault would live in a real deployment: the network drops first,
	 * then the gateway rate-limits, then the application fails.
	 */
	decide(endpoint: EndpointKey, nowMs = Date.now()): FaultDecision {
		const { drop, burst429, rateLimit, fail5xx, random } = this.faults;
		if (drop && take(drop, endpoint)) return { kind: 'drop' };
		if (random && (random.endpoint === undefined || random.endpoint === endpoint)) {
			const roll = this.nextRandom();
			if (roll < random.shareDrop) return { kind: 'drop' };
			if (roll < random.shareDrop + random.share429) return { kind: 'rateLimited' };
			if (roll < random.shareDrop + random.share429 + random.share5xx) return { kind: 'serverError', html: false };
		}
		if (burst429 && take(burst429, endpoint)) {
			return { kind: 'rateLimited', retryAfterSec: burst429.retryAfterSec };
		}
		if (rateLimit && !this.takeBucketToken(rateLimit, nowMs)) {
			return { kind: 'rateLimited', retryAfterSec: rateLimit.retryAfterSec };
		}
		if (fail5xx && matches(fail5xx, endpoint)) {
			if (fail5xx.afterCreate && CREATING.includes(endpoint)) return { kind: 'pass', afterCreateArmed: true };
			take(fail5xx, endpoint);
			return { kind: 'serverError', html: fail5xx.kind === 'html' };
		}
		return { kind: 'pass', afterCreateArmed: false };
	}

	/**
	 * Called once a session was created under an armed afterCreate fault. Counted here rather
	 * than in `decide`, so a call that fails validation does not use the fault up.
	 * Returns null when concurrent calls already used it up.
	 */
	takeAfterCreate(endpoint: EndpointKey): { html: boolean } | null {
		const { fail5xx } = this.faults;
		if (!fail5xx?.afterCreate || !take(fail5xx, endpoint)) return null;
		return { html: fail5xx.kind === 'html' };
	}

	/** mulberry32: small, seeded, good enough to spread faults evenly. */
	private nextRandom(): number {
		this.randomState = (this.randomState + 0x6d2b79f5) >>> 0;
		let t = this.randomState;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	}

	/** Lazy refill: no timers, the bucket is topped up from the elapsed time when asked. */
	private takeBucketToken(limit: RateLimitFault, nowMs: number): boolean {
		const elapsedSec = Math.max(0, nowMs - this.bucketStamp) / 1000;
		this.bucketTokens = Math.min(limit.capacity, this.bucketTokens + elapsedSec * limit.refillPerSec);
		this.bucketStamp = nowMs;
		if (this.bucketTokens < 1) return false;
		this.bucketTokens -= 1;
		return true;
	}
}

function matches(fault: { count: number; endpoint?: EndpointKey }, endpoint: EndpointKey): boolean {
	return fault.count > 0 && (fault.endpoint === undefined || fault.endpoint === endpoint);
}

function take(fault: { count: number; endpoint?: EndpointKey }, endpoint: EndpointKey): boolean {
	if (!matches(fault, endpoint)) return false;
	fault.count -= 1;
	return true;
}

// ---- input validation: the same parser serves setFaults() and POST /__sandbox/faults ----

export function parseFaults(input: unknown): Partial<Faults> {
	if (!isRecord(input)) throw new FaultInputError('faults must be a JSON object');
	const known = new Set<string>([
		'latencyMs',
		'jitterMs',
		'rateLimit',
		'burst429',
		'fail5xx',
		'drop',
		'random',
		'expireTokensEvery',
	]);
	for (const key of Object.keys(input)) {
		if (!known.has(key)) throw new FaultInputError(`unknown fault "${key}"`);
	}
	const out: Partial<Faults> = {};
	if (input.latencyMs !== undefined) out.latencyMs = num(input.latencyMs, 'latencyMs');
	if (input.jitterMs !== undefined) out.jitterMs = num(input.jitterMs, 'jitterMs');
	if (input.rateLimit !== undefined) {
		out.rateLimit = nullable(input.rateLimit, 'rateLimit', (v) => ({
			capacity: num(v.capacity, 'rateLimit.capacity'),
			refillPerSec: num(v.refillPerSec, 'rateLimit.refillPerSec'),
			...optional(v.retryAfterSec, 'rateLimit.retryAfterSec'),
		}));
	}
	if (input.burst429 !== undefined) {
		out.burst429 = nullable(input.burst429, 'burst429', (v) => ({
			count: count(v.count, 'burst429.count'),
			...endpointOf(v.endpoint, 'burst429.endpoint'),
			...optional(v.retryAfterSec, 'burst429.retryAfterSec'),
		}));
	}
	if (input.fail5xx !== undefined) {
		out.fail5xx = nullable(input.fail5xx, 'fail5xx', (v) => {
			const kind = v.kind ?? 'json';
			if (kind !== 'json' && kind !== 'html') throw new FaultInputError('fail5xx.kind must be "json" or "html"');
			if (v.afterCreate !== undefined && typeof v.afterCreate !== 'boolean') {
				throw new FaultInputError('fail5xx.afterCreate must be a boolean');
			}
			return {
				count: count(v.count, 'fail5xx.count'),
				kind,
				...endpointOf(v.endpoint, 'fail5xx.endpoint'),
				...(v.afterCreate ? { afterCreate: true } : {}),
			};
		});
	}
	if (input.random !== undefined) {
		out.random = nullable(input.random, 'random', (v) => {
			const share = (value: unknown, name: string): number => {
				if (value === undefined) return 0;
				const n = num(value, name);
				if (n > 1) throw new FaultInputError(`${name} must be between 0 and 1`);
				return n;
			};
			const fault: RandomFault = {
				share429: share(v.share429, 'random.share429'),
				share5xx: share(v.share5xx, 'random.share5xx'),
				shareDrop: share(v.shareDrop, 'random.shareDrop'),
				seed: v.seed === undefined ? 1 : count(v.seed, 'random.seed'),
				...endpointOf(v.endpoint, 'random.endpoint'),
			};
			if (fault.share429 + fault.share5xx + fault.shareDrop > 1) {
				throw new FaultInputError('random shares must add up to at most 1');
			}
			return fault;
		});
	}
	if (input.expireTokensEvery !== undefined) out.expireTokensEvery = count(input.expireTokensEvery, 'expireTokensEvery');
	if (input.drop !== undefined) {
		out.drop = nullable(input.drop, 'drop', (v) => ({
			count: count(v.count, 'drop.count'),
			...endpointOf(v.endpoint, 'drop.endpoint'),
		}));
	}
	return out;
}

function nullable<T>(value: unknown, name: string, parse: (v: Record<string, unknown>) => T): T | null {
	if (value === null) return null;
	if (!isRecord(value)) throw new FaultInputError(`${name} must be an object or null`);
	return parse(value);
}

function num(value: unknown, name: string): number {
	if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
		throw new FaultInputError(`${name} must be a number >= 0`);
	}
	return value;
}

function count(value: unknown, name: string): number {
	const n = num(value, name);
	if (!Number.isInteger(n)) throw new FaultInputError(`${name} must be an integer`);
	return n;
}

function optional(value: unknown, name: string): { retryAfterSec?: number } {
	return value === undefined ? {} : { retryAfterSec: num(value, name) };
}

function endpointOf(value: unknown, name: string): { endpoint?: EndpointKey } {
	if (value === undefined) return {};
	const found = ENDPOINT_KEYS.find((key) => key === value);
	if (!found) throw new FaultInputError(`${name} must be one of ${ENDPOINT_KEYS.join(', ')}`);
	return { endpoint: found };
}
