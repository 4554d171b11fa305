/**
 * Repeats: KwikID (like any sender) sends a call again when it saw no 2xx in time, so the same
 * decision can arrive twice. A delivery already emitted within the window is answered 200 and
 * not emitted again.
 *
 * In memory, per n8n process: bounded (oldest forgotten first), lost on restart, and not shared
 * between several webhook processes (queue mode), where a repeat reaching another process is
 * emitted once more. n8n gives webhook contexts no shared store (its deduplication helpers exist
 * only in execute contexts, and are not atomic either).
 */
import { createHash } from 'node:crypto';

export const MAX_REMEMBERED = 10_000;

export class RecentDeliveries {
	private readonly seen = new Map<string, number>();

	constructor(
		private readonly limit = MAX_REMEMBERED,
		private readonly now: () => number = Date.now,
	) {}

	/**
	 * Whether `key` was recorded within `windowMs`; if not, records it now. Synchronous, so two
	 * identical calls verified at the same time cannot both see the key as new.
	 */
	seenRecently(key: string, windowMs: number): boolean {
		const now = this.now();
		const at = this.seen.get(key);
		if (at !== undefined && now - at < windowMs) return true;
		this.seen.delete(key);
		this.seen.set(key, now);
		while (this.seen.size > this.limit) {
			const oldest = this.seen.keys().next().value;
			if (oldest === undefined) break;
			this.seen.delete(oldest);
		}
		return false;
	}

	get size(): number {
		return this.seen.size;
	}
}

/** One store for the process; keys name the workflow and node, so triggers never share entries. */
export const recentDeliveries = new RecentDeliveries();

/** A digest, so session ids and state are not kept in memory as text. */
export function deliveryKey(parts: ReadonlyArray<string | number | boolean | null>): string {
	return createHash('sha256').update(JSON.stringify(parts)).digest('base64');
}
