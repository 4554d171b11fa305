/**
 * The trigger's core contract against the sandbox over real HTTP: first sight records, a change
 * emits exactly once, filters and options shape what is emitted.
 */
import { transitions, useTriggerFixture, watch } from './helpers';

const fx = useTriggerFixture();

describe('KwikID Trigger: transitions', () => {
	it('records the first status without emitting, then emits a change exactly once', async () => {
		const [a, b] = fx.sessions(2);
		const runner = fx.runner(watch([a, b]));

		expect(await runner.poll()).toEqual({ kind: 'none' });
		expect(fx.detailCalls()).toBe(2);

		fx.sandbox.setStatus(a, 'agent_alloted');
		const items = await runner.items();
		expect(transitions(items)).toEqual([`${a}: waiting -> agent_alloted`]);
		const event = items[0].json;
		expect(event).toMatchObject({ session_id: a, status: 'agent_alloted', previous_status: 'waiting', is_final: false });
		expect(new Date(String(event.detected_at)).toISOString()).toBe(event.detected_at);
		// The field's first name still works in saved workflows.
		expect(event.changed_at).toBe(event.detected_at);
		// Simplified by default: the compact record under `session`.
		expect(event.session).toMatchObject({ session_id: a, status: 'agent_alloted', is_final: false });
		expect(event.session).not.toHaveProperty('summary_data');

		expect(await runner.items()).toEqual([]);
		expect(await runner.items()).toEqual([]);
	});

	it('emits one item per changed session in one poll, and marks final statuses', async () => {
		const [a, b, c] = fx.sessions(3);
		const runner = fx.runner(watch([a, b, c]));
		await runner.items();

		fx.sandbox.setStatus(a, 'kyc_request_accepted');
		fx.sandbox.setStatus(c, 'kyc_result_approved');
		const items = await runner.items();
		expect(transitions(items)).toEqual(
			[`${a}: waiting -> kyc_request_accepted`, `${c}: waiting -> kyc_result_approved`].sort(),
		);
		expect(items.find((item) => item.json.session_id === c)?.json.is_final).toBe(true);
	});

	it('emits only changes into the selected statuses, and still tracks the others', async () => {
		const [a] = fx.sessions(1);
		const runner = fx.runner(watch([a], { statuses: ['kyc_result_approved', 'kyc_result_rejected'] }));
		await runner.items();

		fx.sandbox.setStatus(a, 'agent_alloted');
		expect(await runner.items()).toEqual([]);
		fx.sandbox.setStatus(a, 'kyc_request_accepted');
		expect(await runner.items()).toEqual([]);
		fx.sandbox.setStatus(a, 'kyc_result_approved');
		// previous_status is the last status seen, not the last one emitted.
		expect(transitions(await runner.items())).toEqual([`${a}: kyc_request_accepted -> kyc_result_approved`]);
	});

	it('emits the current status of newly watched sessions when asked to, once', async () => {
		const [a, b] = fx.sessions(2);
		fx.sandbox.setStatus(b, 'vkyc_requested');
		const runner = fx.runner(watch([a, b], { options: { emitCurrentStatus: true } }));

		expect(transitions(await runner.items())).toEqual(
			[`${a}: null -> waiting`, `${b}: null -> vkyc_requested`].sort(),
		);
		expect(await runner.items()).toEqual([]);
	});

	it('applies the statuses filter to first-sight emits too', async () => {
		const [a, b] = fx.sessions(2);
		fx.sandbox.setStatus(b, 'vkyc_requested');
		const runner = fx.runner(watch([a, b], { statuses: ['vkyc_requested'], options: { emitCurrentStatus: true } }));
		expect(transitions(await runner.items())).toEqual([`${b}: null -> vkyc_requested`]);
	});

	it('passes an undocumented status through, and a change away from it', async () => {
		const [a] = fx.sessions(1);
		const runner = fx.runner(watch([a]));
		await runner.items();

		fx.sandbox.setStatus(a, 'kyc_result_on_hold');
		const items = await runner.items();
		expect(transitions(items)).toEqual([`${a}: waiting -> kyc_result_on_hold`]);
		expect(items[0].json).toMatchObject({ is_final: false, outcome: 'pending' });
		expect(runner.liveState().s).toEqual({ [a]: ['kyc_result_on_hold', ''] });

		fx.sandbox.setStatus(a, 'kyc_result_approved');
		expect(transitions(await runner.items())).toEqual([`${a}: kyc_result_on_hold -> kyc_result_approved`]);
	});

	it('knows kyc_result_partial_update (not final) and stores it as a short code', async () => {
		const [a] = fx.sessions(1);
		const runner = fx.runner(watch([a]));
		await runner.items();

		fx.sandbox.setStatus(a, 'kyc_result_partial_update');
		const items = await runner.items();
		expect(transitions(items)).toEqual([`${a}: waiting -> kyc_result_partial_update`]);
		expect(items[0].json).toMatchObject({ is_final: false, outcome: 'pending' });
		expect(runner.liveState().s).toEqual({ [a]: [10, ''] });
	});

	it('returns every field KwikID sends when Simplify is off', async () => {
		const [a] = fx.sessions(1);
		const runner = fx.runner(watch([a], { simplify: false }));
		await runner.items();
		fx.sandbox.setStatus(a, 'kyc_result_approved', 'Looks good');
		const [item] = await runner.items();
		const session = item.json.session as Record<string, unknown>;
		expect(session.session_status).toBe('kyc_result_approved');
		expect(session).toHaveProperty('summary_data');
		// normalised: feedback parsed from its JSON text
		expect(typeof session.feedback === 'object' || session.feedback === null).toBe(true);
	});

	it('reads session ids from an expression over $vars, in any separator', async () => {
		const [a, b, c] = fx.sessions(3);
		const runner = fx.runner(
			{ sessionIds: '={{ $vars.KYC_SESSIONS }}' },
			{ variables: { KYC_SESSIONS: `${a},${b}\n ${c} ; ${a}` } },
		);
		await runner.items();
		expect(fx.detailCalls()).toBe(3);
		fx.sandbox.setStatus(c, 'agent_alloted');
		expect(transitions(await runner.items())).toEqual([`${c}: waiting -> agent_alloted`]);
	});

	it('fetches one token across many polls', async () => {
		const ids = fx.sessions(5);
		const runner = fx.runner(watch(ids));
		for (let poll = 0; poll < 6; poll++) {
			if (poll === 3) fx.sandbox.setStatus(ids[2], 'agent_alloted');
			await runner.items();
		}
		expect(fx.tokenCalls()).toBe(1);
		expect(fx.detailCalls()).toBe(30);
	});

	it('keeps the state small: one short code per session', async () => {
		const ids = fx.sessions(20);
		const runner = fx.runner(watch(ids));
		await runner.items();
		const state = runner.liveState();
		expect(Object.keys(state).sort()).toEqual(['fp', 's', 'v', 'w']);
		// 30 for {"v":1,"fp":"…","s":{}}, about 20 for the write mark "w" (carry.ts)
		const perSession = (JSON.stringify(state).length - 50) / ids.length;
		// a UUID (36 chars) + quotes, colon, comma and [status code, checker letter]: [0,""]
		expect(perSession).toBeLessThan(48);
	});
});
