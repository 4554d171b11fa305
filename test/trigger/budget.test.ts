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

	it('a poll that reads everything leaves no resume point', async () => {
		const ids = fx.sessions(3);
		const runner = fx.runner(watch(ids), { pollBudgetMs: 60_000 });
		await runner.items();
		expect(runner.liveState()[RESUME_KEY]).toBeUndefined();
		expect(Object.keys(runner.liveState().s as object)).toHaveLength(3);
	});
});
