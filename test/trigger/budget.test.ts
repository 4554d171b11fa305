/**
 * n8n 2.x's poll budget (trigger/budget.ts): a poll stops starting reads well before the budget
 * runs out and the next poll starts where it stopped, so a watch list too long for one budget is
 * read in turns and every change is emitted exactly once. n8n-core 1.x has no budget: one poll
 * reads every session.
 * Nothing is timed: every read takes at least the sandbox's 100 ms, so a poll whose budget leaves
 * 150 ms for starting reads can start at most two rounds of 10 (a slow machine starts fewer).
 */
import { n8nCoreMajor } from '../../harness/n8nCore';
import { RESUME_KEY } from '../../nodes/KwikId/trigger/budget';
import { transitions, useTriggerFixture, watch } from './helpers';

const fx = useTriggerFixture();
const hasBudget = n8nCoreMajor() >= 2;

describe('KwikID Trigger: the poll budget', () => {
	it('reads a watch list too long for one budget in turns, and emits every change once', async () => {
		const ids = fx.sessions(60);
		fx.sandbox.setFaults({ latencyMs: 100 });
		const runner = fx.runner(watch(ids, { options: { maxConcurrency: 10 } }), { pollBudgetMs: 300 });

		// Baseline: polls until every session has a stored status.
		const known = (): number => Object.keys((runner.liveState().s as object | undefined) ?? {}).length;
		let baselinePolls = 0;
		while (known() < ids.length && baselinePolls < 30) {
			fx.sandbox.resetStats();
			await runner.items();
			baselinePolls++;
			// Never more than two rounds of 10 started in one budgeted poll.
			if (hasBudget) expect(fx.detailCalls()).toBeLessThanOrEqual(20);
		}
		expect(known()).toBe(ids.length);
		if (hasBudget) expect(baselinePolls).toBeGreaterThanOrEqual(3);
		else expect(baselinePolls).toBe(1);

		for (const id of ids) fx.sandbox.setStatus(id, 'agent_alloted');
		const seen: string[] = [];
		let polls = 0;
		while (seen.length < ids.length && polls < 30) {
			seen.push(...transitions(await runner.items()));
			polls++;
		}
		// Every session's change, exactly once, however many polls it took.
		expect(seen.sort()).toEqual(ids.map((id) => `${id}: waiting -> agent_alloted`).sort());
		expect(transitions(await runner.items())).toEqual([]);
		if (hasBudget) expect(polls).toBeGreaterThanOrEqual(3);
		else expect(polls).toBe(1);
	});

	// n8n 2.41's durable poll scheduler reloads the static data from the database for every poll
	// and saves it only when a poll emits: a poll that emitted nothing forgot where it stopped,
	// so the next one read the same sessions again and the end of the list was never reached
	// (found in a real n8n 2.41.1, scripts/e2e/poll-budget.sh).
	it('under the durable poll scheduler, polls that emit nothing still move on through the list', async () => {
		const ids = fx.sessions(60);
		fx.sandbox.setFaults({ latencyMs: 100 });
		const runner = fx.runner(watch(ids, { options: { maxConcurrency: 10 } }), { pollBudgetMs: 300, durableScheduler: true });
		// The activation poll (no budget there) records all sixty; n8n saves them.
		expect(await runner.items()).toEqual([]);
		expect(Object.keys(runner.savedState()?.s as object)).toHaveLength(60);

		// One change at the head of the list, two at its end: the polls between emit nothing.
		const changed = [ids[1], ids[45], ids[55]];
		for (const id of changed) fx.sandbox.setStatus(id, 'agent_alloted');
		const seen: string[] = [];
		const read: string[][] = [];
		while (seen.length < changed.length && read.length < 30) {
			fx.sandbox.resetStats();
			seen.push(...transitions(await runner.items()));
			read.push(fx.sandbox.requestLog().filter((entry) => entry.endpoint === 'get_details').map((entry) => entry.path));
		}
		expect(seen.sort()).toEqual(changed.map((id) => `${id}: waiting -> agent_alloted`).sort());
		expect(transitions(await runner.items())).toEqual([]);
		// In turns: no session read twice before every one was read once.
		const firstTurn = read.flat().slice(0, ids.length);
		expect(new Set(firstTurn).size).toBe(firstTurn.length);
		if (hasBudget) {
			expect(read.length).toBeGreaterThanOrEqual(3);
			for (const poll of read) expect(poll.length).toBeLessThanOrEqual(20);
		}
	});

	// n8n 2.41 registers a trigger's scheduled jobs before it runs the activation poll, and each
	// scheduled poll has its own static-data object: one started while the activation poll was
	// still reading (seen in a real n8n 2.41.1) was not held back and could emit the same change.
	it('under the durable poll scheduler, a poll started while the activation poll runs skips', async () => {
		const ids = fx.sessions(3);
		fx.sandbox.setFaults({ latencyMs: 100 });
		const runner = fx.runner(watch(ids, { options: { emitCurrentStatus: true } }), { pollBudgetMs: 60_000, durableScheduler: true });
		const [activation, scheduled] = await Promise.all([runner.poll(), runner.scheduledPoll()]);
		expect(activation.kind === 'emitted' ? activation.items : []).toHaveLength(3);
		expect(scheduled).toEqual({ kind: 'none' });
		expect(fx.detailCalls()).toBe(3);
	});

	it('a poll that reads everything leaves no resume point', async () => {
		const ids = fx.sessions(3);
		const runner = fx.runner(watch(ids), { pollBudgetMs: 60_000 });
		await runner.items();
		expect(runner.liveState()[RESUME_KEY]).toBeUndefined();
		expect(Object.keys(runner.liveState().s as object)).toHaveLength(3);
	});
});
