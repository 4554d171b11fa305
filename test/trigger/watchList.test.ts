/**
 * What the trigger polls and remembers: final sessions stop costing requests, the watch list
 * can change without losing the rest, invalid ids are reported once and then left alone,
 * "Fetch Test Event" leaves the state untouched.
 */
import { NodeOperationError } from 'n8n-workflow';

import { json, transitions, useTriggerFixture, watch } from './helpers';

const fx = useTriggerFixture();

describe('KwikID Trigger: final sessions', () => {
	it('stops reading a session once it is final', async () => {
		const [a, b, c] = fx.sessions(3);
		const runner = fx.runner(watch([a, b, c]));
		await runner.items();

		fx.sandbox.setStatus(a, 'kyc_result_approved');
		fx.sandbox.setStatus(b, 'user_abandoned');
		expect(await runner.items()).toHaveLength(2);

		fx.sandbox.resetStats();
		await runner.items();
		await runner.items();
		expect(fx.detailCalls()).toBe(2); // only c, twice

		// Even if KwikID changed a final session afterwards, it is no longer looked at.
		fx.sandbox.setStatus(a, 'kyc_result_rejected');
		expect(await runner.items()).toEqual([]);
	});

	it('skips sessions already final at first sight', async () => {
		const [a, b] = fx.sessions(2);
		fx.sandbox.setStatus(a, 'session_expired');
		const runner = fx.runner(watch([a, b]));
		await runner.items();
		fx.sandbox.resetStats();
		await runner.items();
		expect(fx.detailCalls()).toBe(1);
	});

	it('keeps reading final sessions when the option is off', async () => {
		const [a] = fx.sessions(1);
		const runner = fx.runner(watch([a], { options: { stopWhenFinal: false } }));
		await runner.items();
		fx.sandbox.setStatus(a, 'kyc_result_rejected');
		expect(await runner.items()).toHaveLength(1);
		fx.sandbox.setStatus(a, 'kyc_result_approved');
		expect(transitions(await runner.items())).toEqual([`${a}: kyc_result_rejected -> kyc_result_approved`]);
		expect(fx.detailCalls()).toBe(3);
	});

	it('makes no request at all when every session is final', async () => {
		const [a, b] = fx.sessions(2);
		fx.sandbox.setStatus(a, 'kyc_rejected');
		fx.sandbox.setStatus(b, 'kyc_result_approved');
		const runner = fx.runner(watch([a, b]));
		await runner.items();
		fx.sandbox.resetStats();
		expect(await runner.poll()).toEqual({ kind: 'none' });
		expect(fx.sandbox.stats().total).toBe(0);
	});
});

describe('KwikID Trigger: changing the watch list', () => {
	it('adding ids keeps the others; removing ids drops them', async () => {
		const [a, b, c] = fx.sessions(3);
		const runner = fx.runner(watch([a, b]));
		await runner.items();

		// a changes while the user edits the list: the change is still seen after the edit.
		fx.sandbox.setStatus(a, 'agent_alloted');
		runner.reconfigure(watch([a, b, c]));
		expect(transitions(await runner.items())).toEqual([`${a}: waiting -> agent_alloted`]);
		expect(Object.keys(runner.liveState().s as object).sort()).toEqual([a, b, c].sort());

		runner.reconfigure(watch([c]));
		fx.sandbox.resetStats();
		await runner.items();
		expect(fx.detailCalls()).toBe(1);
		expect(Object.keys(runner.liveState().s as object)).toEqual([c]);
	});

	it('an id removed and added back is seen afresh (no transition from a stale status)', async () => {
		const [a, b] = fx.sessions(2);
		const runner = fx.runner(watch([a, b]));
		await runner.items();
		runner.reconfigure(watch([b]));
		await runner.items();
		fx.sandbox.setStatus(a, 'vkyc_requested');
		runner.reconfigure(watch([a, b]));
		expect(await runner.items()).toEqual([]);
	});

	it('an empty list (e.g. an empty variable) polls nothing and keeps the state', async () => {
		const [a] = fx.sessions(1);
		const runner = fx.runner({ sessionIds: '={{ $vars.KYC_SESSIONS }}' }, { variables: { KYC_SESSIONS: a } });
		await runner.items();
		const before = runner.liveState();
		runner.reconfigure({ sessionIds: '' });
		fx.sandbox.resetStats();
		expect(await runner.poll()).toEqual({ kind: 'none' });
		expect(fx.sandbox.stats().total).toBe(0);
		expect(runner.liveState()).toEqual(before);
	});

	it('a credential pointing at another KwikID domain resets the state', async () => {
		const [a] = fx.sessions(1);
		const harness = fx.harness();
		const runner = fx.runner(watch([a]), { harness });
		await runner.items();
		const fp = runner.liveState().fp;

		// Same sandbox reached under another host name: another base URL, another fingerprint.
		harness.store.add({
			id: 'kwikid-cred-1',
			name: 'KwikID account',
			type: 'kwikIdApi',
			data: {
				domain: fx.sandbox.url.replace('127.0.0.1', 'localhost'),
				environment: 'test',
				username: fx.sandbox.username,
				password: fx.sandbox.password,
			},
		});
		fx.sandbox.setStatus(a, 'agent_alloted');
		runner.restart();
		// Nothing known for this KwikID: a baseline, not a transition from the other one's status.
		expect(await runner.items()).toEqual([]);
		expect(runner.liveState().fp).not.toBe(fp);
	});
});

describe('KwikID Trigger: invalid session ids', () => {
	// n8n polls once when it activates the workflow, and an error there fails the activation:
	// n8n 1.x and 2.x then retry the activation, from the state saved before, for ever. So the
	// activation's poll only records the unknown id; the next poll reports it.
	it('records an unknown id at activation without failing it, reports it at the next poll, and asks KwikID once', async () => {
		const [a] = fx.sessions(1);
		const unknown = '00000000-0000-4000-8000-000000000000';
		const runner = fx.runner(watch([a, unknown]));

		expect(await runner.poll()).toEqual({ kind: 'none' }); // activation succeeds
		expect(fx.detailCalls()).toBe(2);
		expect(runner.savedState()).toBeDefined(); // n8n saved the state once activated

		fx.sandbox.resetStats();
		const first = await runner.poll();
		expect(first.kind).toBe('error');
		if (first.kind !== 'error') return;
		expect(first.error).toBeInstanceOf(NodeOperationError);
		expect(first.error.message).toContain(unknown);
		expect(await runner.poll()).toEqual({ kind: 'none' });
		expect(fx.detailCalls()).toBe(2); // a only, twice: never the unknown id again

		fx.sandbox.setStatus(a, 'agent_alloted');
		expect(transitions(await runner.items())).toEqual([`${a}: waiting -> agent_alloted`]);
	});

	it('never drops a transition to report an invalid id: it reports on the next quiet poll', async () => {
		const [a] = fx.sessions(1);
		const runner = fx.runner(watch([a]));
		await runner.items();

		fx.sandbox.setStatus(a, 'agent_alloted');
		runner.reconfigure(watch([a, 'bad/id!']));
		// This poll has a transition and a new invalid id: the transition wins.
		expect(transitions(await runner.items())).toEqual([`${a}: waiting -> agent_alloted`]);

		const next = await runner.poll();
		expect(next.kind).toBe('error');
		if (next.kind === 'error') {
			expect(next.error.message).toContain('"bad/id!" (not a session ID)');
		}
		expect(await runner.poll()).toEqual({ kind: 'none' });
	});

	it('reports several invalid ids in one error, implausible ones without a request', async () => {
		const [a] = fx.sessions(1);
		const runner = fx.runner(watch([a, 'x'.repeat(200), 'missing-1', 'missing-2']));
		expect(await runner.poll()).toEqual({ kind: 'none' }); // the activation's poll
		const outcome = await runner.poll();
		expect(outcome.kind).toBe('error');
		if (outcome.kind === 'error') {
			expect(outcome.error.message).toMatch(/does not know 3 watched sessions/);
			expect(outcome.error.message).toContain('"missing-1"');
			expect(outcome.error.message.length).toBeLessThan(300);
		}
		// a, missing-1, missing-2 at activation, then a: never the 200-char text, never again the missing ones
		expect(fx.detailCalls()).toBe(4);
		// The 200-char text is stored under a short hashed key, not as itself.
		expect(JSON.stringify(runner.liveState()).length).toBeLessThan(200);
		expect(await runner.poll()).toEqual({ kind: 'none' });
	});

	it('the report survives a restart only as a repeated notice, never as a transition', async () => {
		const [a] = fx.sessions(1);
		const runner = fx.runner(watch([a, 'missing-1']));
		expect(await runner.poll()).toEqual({ kind: 'none' }); // activation: recorded and saved
		expect((await runner.poll()).kind).toBe('error');
		runner.restart(); // the flip to "reported" was never saved
		expect(await runner.poll()).toEqual({ kind: 'none' }); // activation again: no error
		expect((await runner.poll()).kind).toBe('error');
		expect(await runner.poll()).toEqual({ kind: 'none' });
		// missing-1 was asked once, at the first activation; a, at each poll.
		expect(fx.detailCalls()).toBe(6);
	});
});

describe('KwikID Trigger: Fetch Test Event', () => {
	it('returns the first session as an event and does not touch the state', async () => {
		const [a, b] = fx.sessions(2);
		fx.sandbox.setStatus(a, 'kyc_request_accepted');
		const runner = fx.runner(watch([a, b]));
		await runner.items();
		fx.sandbox.setStatus(a, 'kyc_result_approved');
		const before = runner.liveState();

		const result = await runner.fetchTestEvent();
		expect(result).toHaveLength(1);
		const items = result?.[0] ?? [];
		expect(json(items)).toEqual([
			expect.objectContaining({ session_id: a, status: 'kyc_result_approved', previous_status: null, is_final: true }),
		]);
		expect(runner.liveState()).toEqual(before);

		// The real poll still sees (and emits) the change.
		expect(transitions(await runner.items())).toEqual([`${a}: kyc_request_accepted -> kyc_result_approved`]);
	});

	it('works before any poll, and never creates state', async () => {
		const [a] = fx.sessions(1);
		const runner = fx.runner(watch([a], { simplify: false }));
		const result = await runner.fetchTestEvent();
		expect((result?.[0]?.[0]?.json.session as Record<string, unknown>).session_status).toBe('waiting');
		expect(runner.liveState()).toEqual({});
		expect(runner.savedState()).toBeUndefined();
	});

	it('asks for session ids when there are none', async () => {
		const runner = fx.runner({ sessionIds: ' ,\n ' });
		await expect(runner.fetchTestEvent()).rejects.toThrow('No session IDs to watch');
	});

	it("passes KwikID's answer on for an unknown first id", async () => {
		const runner = fx.runner(watch(['missing-1']));
		await expect(runner.fetchTestEvent()).rejects.toThrow(/does not know the session id "missing-1"/);
	});
});
