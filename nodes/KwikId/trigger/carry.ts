/**
 * The trigger's state carried in memory from one poll to the next, for n8n 2.x's durable poll
 * scheduler (N8N_SCHEDULER_POLL_TRIGGERS_ENABLED).
 *
 * Under that scheduler n8n 2.41 builds every scheduled poll's workflow afresh from its database,
 * and saves static data only when a poll emits (unless N8N_POLLER_DURABLE_CURSORS_ENABLED, off by
 * default). Whatever a poll that emitted nothing wrote is gone at the next poll: where it stopped
 * (budget.ts), so a poll cut short by the budget started at the same place every time and never
 * reached the rest of the list (seen in a real n8n 2.41.1), and the first status of sessions it
 * saw for the first time, so their first change could be missed. n8n's own in-memory engine
 * keeps one static-data object per activation and has neither problem.
 *
 * So each poll's written state is also kept here, per trigger, and the next poll in this process
 * starts from it when the database's copy is still the one it grew from. Every written state
 * carries a mark (`MARK_KEY`); memory is used only while the database holds the mark memory
 * started from (nothing saved since: memory is newer). Any other mark means another n8n instance
 * (multi-main) saved a newer state since: the database's copy is used, so a change it emitted is
 * not emitted again. After a restart memory is empty and the saved copy is used, as before.
 */
import type { IDataObject } from 'n8n-workflow';

import type { StoredCode } from './state';
import { writeState } from './state';

/** The static-data key of the mark of the poll that wrote the state. */
export const MARK_KEY = 'w';

interface Carried {
	/** The database's mark when the poll that wrote this started. */
	base: string;
	mark: string;
	fp: string;
	known: Map<string, StoredCode>;
	extra: IDataObject;
}

const carried = new Map<string, Carried>();

let sequence = 0;
function newMark(): string {
	sequence = (sequence + 1) % 1_679_616;
	return `${Date.now().toString(36)}${sequence.toString(36)}${Math.floor(Math.random() * 1_296).toString(36)}`;
}

export interface Carry {
	/** Writes this poll's state into the bucket with a new mark, and keeps it for the next poll (unless a later poll already did). */
	write(bucket: IDataObject, fp: string, known: Map<string, StoredCode>, extra: IDataObject): void;
}

/**
 * At the start of a poll: brings the state this process's last poll of this trigger wrote into
 * the bucket when the database has not moved since, and returns how to record this poll's.
 */
export function carry(bucket: IDataObject, trigger: string): Carry {
	const stored = bucket[MARK_KEY];
	const base = typeof stored === 'string' ? stored : '';
	const last = carried.get(trigger);
	if (last && base === last.base && last.mark !== base) {
		writeState(bucket, last.fp, last.known, { ...last.extra, [MARK_KEY]: last.mark });
	}
	let mine = last;
	return {
		write(target, fp, known, extra) {
			const mark = newMark();
			writeState(target, fp, known, { ...extra, [MARK_KEY]: mark });
			if (carried.get(trigger) !== mine) return; // a poll that started later recorded first
			mine = { base, mark, fp, known, extra };
			carried.set(trigger, mine);
		},
	};
}

/** n8n restarted (tests): memory is gone. */
export function forgetCarried(): void {
	carried.clear();
}
