/**
 * n8n 2.x's poll budget. n8n 2.41's durable poll scheduler (N8N_SCHEDULER_POLL_TRIGGERS_ENABLED)
 * drops a poll that runs past its budget (about 36 s by default), with whatever it read. The
 * poll context then offers `getPollBudgetMs()`; n8n 1.x has no such thing (feature-detected).
 *
 * A long watch list (10,000 sessions at 150 ms) cannot be read within one budget, so a poll
 * stops starting reads well before the budget runs out and the next poll starts where this one
 * stopped: the list is read in turns, every session is reached, and each change is emitted once
 * (a session not read keeps its stored status, so its change is emitted when it is read).
 *
 * Where to start is kept in the trigger's static data under `RESUME_KEY`: the session ID to read
 * first (an ID, not a position, so an edited list does not shift it), written with the state
 * (state.ts's writeState). n8n 2.41's scheduler saves it only when a poll emits; carry.ts keeps
 * it in memory between polls that emit nothing.
 */
import type { IDataObject } from 'n8n-workflow';

/** The static-data key of the resume point. */
export const RESUME_KEY = 'r';

/**
 * Share of the budget spent starting reads. The rest is left for reads in flight (with their
 * retries) and for comparing and saving: a poll cut off by n8n loses everything it read.
 */
const START_SHARE = 0.5;

export interface PollBudget {
	/** Whether a new read may still start. The first read of a poll always may: it must progress. */
	mayStart(started: number): boolean;
}

/** The budget of this poll, or none (n8n 1.x, or a budget that is not a positive number). */
export function pollBudget(context: object, now: () => number = Date.now): PollBudget | undefined {
	const read = (context as { getPollBudgetMs?: unknown }).getPollBudgetMs;
	if (typeof read !== 'function') return undefined;
	let budgetMs: unknown;
	try {
		budgetMs = (read as () => unknown).call(context);
	} catch {
		return undefined;
	}
	if (typeof budgetMs !== 'number' || !Number.isFinite(budgetMs) || budgetMs <= 0) return undefined;
	const stopAt = now() + budgetMs * START_SHARE;
	return { mayStart: (started) => started === 0 || now() < stopAt };
}

/** The IDs to read, starting at the stored resume point (if it is still among them). */
export function inTurn(ids: readonly string[], bucket: IDataObject): string[] {
	const resume = bucket[RESUME_KEY];
	const from = typeof resume === 'string' ? ids.indexOf(resume) : -1;
	return from <= 0 ? [...ids] : [...ids.slice(from), ...ids.slice(0, from)];
}

/** What to store beside the state for the next poll: the first ID not started in this one, or nothing. */
export function resumeAfter(order: readonly string[], started: number): IDataObject {
	return started < order.length ? { [RESUME_KEY]: order[started] } : {};
}
