/**
 * The trigger when things go wrong: rate limits, a dead host, lost or corrupt state,
 * overlapping polls, and a watch list large enough that concurrency matters.
 */
import { NodeApiError } from 'n8n-workflow';

import { POLL_RETRY } from '../../nodes/KwikId/trigger/poll';
import * as sessionDetails from '../../nodes/KwikId/transport/sessionDetails';
import { createSandbox } from '../../sandbox/server';
import { CREDENTIAL_ID, Harness } from '../../harness/harness';
import { PollRunner } from '../../harness/poll';
import { transitions, useTriggerFixture, watch } from './helpers';

const fx = useTriggerFixture();

/** Enough 429s in a row to exhaust a poll's retries for one request (Retry-After 0: no wait). */
const EXHAUST_ONE = POLL_RETRY.rateLimitRetries + 1;

describe('KwikID Trigger: rate limits and failures', () => {
	it('a 429 burst loses no transition: the session hit is caught up on the next poll', async () => {
		const ids = fx.sessions(3);
		// One request at a time, so the burst lands on exactly one session.
		const runner = fx.runner(watch(ids, { options: { maxConcurrency: 1 } }));
		await runner.items();
		for (const id of ids) fx.sandbox.setStatus(id, 'agent_alloted');

		fx.sandbox.setFaults({ burst429: { count: EXHAUST_ONE, endpoint: 'get_details', retryAfterSec: 0 } });
		// A session still rate-limited after its retries stops the poll: the account is being
		// limited, and the other sessions are read next time. Nothing was read, so it is an error.
		const first = await runner.poll();
		expect(first.kind).toBe('error');
		expect(fx.sandbox.stats().byEndpoint.get_details['429']).toBe(EXHAUST_ONE);
		// The baseline poll's three reads, then only the rate-limited session's attempts.
		expect(fx.sandbox.stats().requests.get_details).toBe(3 + EXHAUST_ONE);

		const second = await runner.items();
		expect(transitions(second)).toEqual(ids.map((id) => `${id}: waiting -> agent_alloted`).sort());
		expect(await runner.items()).toEqual([]);
	});

	it('a sustained 429 costs a poll a few requests per session in flight, not a retry round per session', async () => {
		const ids = fx.sessions(30);
		const runner = fx.runner(watch(ids));
		await runner.items();
		fx.sandbox.resetStats();

		fx.sandbox.setFaults({ burst429: { count: 10_000, endpoint: 'get_details', retryAfterSec: 0 } });
		const outcome = await runner.poll();

		expect(outcome.kind).toBe('error');
		// At most the default pool of 10 sessions started, each tried 1 + POLL_RETRY times; the
		// other 20 were left for the next poll (before: every session, 150 requests).
		const requests = fx.sandbox.stats().requests.get_details;
		expect(requests).toBeLessThanOrEqual(10 * EXHAUST_ONE);
		expect(requests).toBeGreaterThanOrEqual(EXHAUST_ONE);
	});

	it('a short burst is absorbed by the retries within the poll', async () => {
		const ids = fx.sessions(4);
		const runner = fx.runner(watch(ids));
		await runner.items();
		for (const id of ids) fx.sandbox.setStatus(id, 'vkyc_requested');
		fx.sandbox.setFaults({ burst429: { count: 3, endpoint: 'get_details', retryAfterSec: 0 } });
		expect(await runner.items()).toHaveLength(4);
	});

	it('when no session can be read, the poll fails with a clear error and loses nothing', async () => {
		const ids = fx.sessions(3);
		const runner = fx.runner(watch(ids));
		await runner.items();
		const before = runner.liveState();
		fx.sandbox.setStatus(ids[0], 'agent_alloted');

		fx.sandbox.setFaults({ burst429: { count: 1000, endpoint: 'get_details', retryAfterSec: 0 } });
		const outcome = await runner.poll();
		expect(outcome.kind).toBe('error');
		if (outcome.kind === 'error') {
			expect(outcome.error).toBeInstanceOf(NodeApiError);
			expect((outcome.error as NodeApiError).httpCode).toBe('429');
			expect(outcome.error.message).toMatch(/rate-limiting/);
			expect((outcome.error as NodeApiError).description).toMatch(/None of the 3 watched sessions could be read/);
		}
		// Every session's stored status as before (the state carries a new write mark, carry.ts).
		expect({ ...runner.liveState(), w: undefined }).toEqual({ ...before, w: undefined });

		fx.sandbox.clearFaults();
		expect(transitions(await runner.items())).toEqual([`${ids[0]}: waiting -> agent_alloted`]);
	});

	it('a host that is down is an error execution after one request, not a silent null', async () => {
		// n8n has a token cached from earlier polls; then the KwikID host goes away.
		const dead = await createSandbox();
		const { url, username, password } = dead;
		const token = dead.issueToken();
		await dead.close();
		const harness = new Harness().addKwikIdCredential({ domain: url, environment: 'test', username, password, token });
		const runner = new PollRunner(harness, watch(Array.from({ length: 50 }, (_, index) => `s-${index}`)));
		const requests = jest.spyOn(sessionDetails, 'fetchSessionData');
		try {
			const outcome = await runner.poll();
			expect(outcome.kind).toBe('error');
			if (outcome.kind === 'error') {
				expect(outcome.error.message).toMatch(/refused the connection|Cannot reach the KwikID server/);
				expect((outcome.error as NodeApiError).description).toMatch(/None of the 50 watched sessions could be read/);
			}
			// It stopped after the first failure instead of trying the 49 others: only the
			// sessions already in flight (the default pool of 10) were asked.
			expect(requests.mock.calls.length).toBeLessThanOrEqual(10);
		} finally {
			requests.mockRestore();
		}
		expect(runner.savedState()).toBeUndefined();
	});
});

describe('KwikID Trigger: lost and corrupt state', () => {
	it('the baseline recorded at activation is saved: a change made while n8n was down arrives once', async () => {
		const [a] = fx.sessions(1);
		const runner = fx.runner(watch([a]));
		expect(await runner.poll()).toEqual({ kind: 'none' });
		expect(runner.savedState()).toBeDefined(); // n8n saves the state once activated

		fx.sandbox.setStatus(a, 'agent_alloted');
		runner.restart();
		expect(transitions(await runner.items())).toEqual([`${a}: waiting -> agent_alloted`]);
		expect(await runner.items()).toEqual([]);
	});

	it('a baseline lost in a restart re-baselines: no transition is invented', async () => {
		const [a] = fx.sessions(1);
		const runner = fx.runner(watch([]));
		await runner.poll(); // activated watching nothing
		runner.reconfigure(watch([a]));
		expect(await runner.poll()).toEqual({ kind: 'none' }); // the new version's activation
		runner.replaceSavedState(undefined); // its saved state lost
		fx.sandbox.setStatus(a, 'agent_alloted');
		expect(await runner.items()).toEqual([]);
		fx.sandbox.setStatus(a, 'kyc_request_accepted');
		expect(transitions(await runner.items())).toEqual([`${a}: agent_alloted -> kyc_request_accepted`]);
	});

	it('after a restart, what was emitted is not emitted again', async () => {
		const [a, b] = fx.sessions(2);
		const runner = fx.runner(watch([a, b]));
		await runner.items();
		fx.sandbox.setStatus(a, 'agent_alloted');
		expect(await runner.items()).toHaveLength(1);
		expect(runner.saves).toBe(2); // at activation, and with the emit

		runner.restart();
		expect(await runner.items()).toEqual([]);
		fx.sandbox.setStatus(b, 'kyc_result_rejected');
		fx.sandbox.setStatus(a, 'kyc_request_accepted');
		expect(transitions(await runner.items())).toEqual(
			[`${a}: agent_alloted -> kyc_request_accepted`, `${b}: waiting -> kyc_result_rejected`].sort(),
		);
	});

	it('the state saved with an emit includes baselines recorded by earlier quiet polls', async () => {
		const [a, b] = fx.sessions(2);
		const runner = fx.runner(watch([a]));
		await runner.items();
		runner.reconfigure(watch([a, b])); // b baselined in a quiet poll below
		await runner.items();
		fx.sandbox.setStatus(a, 'agent_alloted');
		await runner.items(); // emits, saves
		fx.sandbox.setStatus(b, 'agent_alloted');
		runner.restart();
		expect(transitions(await runner.items())).toEqual([`${b}: waiting -> agent_alloted`]);
	});

	it.each([
		['a string', 'garbage'],
		['an array', [1, 2, 3]],
		['another version', { v: 99, fp: 'x', s: {} }],
		['entries of the wrong type', { v: 1, fp: '?', s: { x: { y: 1 } } }],
		['null', null],
	])('treats %s as empty state, without crashing or emitting', async (_label, corrupt) => {
		const [a] = fx.sessions(1);
		const runner = fx.runner(watch([a]));
		runner.replaceSavedState(corrupt);
		fx.sandbox.setStatus(a, 'agent_alloted');
		expect(await runner.poll()).toEqual({ kind: 'none' });
		fx.sandbox.setStatus(a, 'kyc_request_accepted');
		expect(transitions(await runner.items())).toEqual([`${a}: agent_alloted -> kyc_request_accepted`]);
	});

	it('drops single bad entries and keeps the good ones', async () => {
		const [a, b] = fx.sessions(2);
		const runner = fx.runner(watch([a, b]));
		await runner.items();
		fx.sandbox.setStatus(a, 'agent_alloted');
		await runner.items();
		const saved = runner.savedState() ?? {};
		runner.replaceSavedState({ ...saved, s: { ...(saved.s as object), [b]: 12345, constructor: 'x'.repeat(500) } });

		fx.sandbox.setStatus(a, 'kyc_request_accepted');
		fx.sandbox.setStatus(b, 'agent_alloted');
		// a continues from its saved status; b is unknown again, so only baselined.
		expect(transitions(await runner.items())).toEqual([`${a}: agent_alloted -> kyc_request_accepted`]);
	});
});

describe('KwikID Trigger: load', () => {
	it('skips a poll while the previous one is still running', async () => {
		const ids = fx.sessions(3);
		const runner = fx.runner(watch(ids));
		await runner.items();
		fx.sandbox.setFaults({ latencyMs: 150 });
		fx.sandbox.resetStats();
		const [slow, overlapping] = await Promise.all([runner.poll(), runner.poll()]);
		expect(slow).toEqual({ kind: 'none' });
		expect(overlapping).toEqual({ kind: 'none' });
		expect(fx.detailCalls()).toBe(3);
	});

	it('reads sessions in a bounded pool: concurrent, never more than Max Concurrent Requests', async () => {
		const ids = fx.sessions(101);
		const runner = fx.runner(watch(ids, { options: { maxConcurrency: 10 } }));
		fx.sandbox.setFaults({ latencyMs: 60 });
		await runner.items(); // token + baseline
		fx.sandbox.resetStats();
		await runner.items();
		// Counted by the sandbox, not timed: exactly 10 at once, every session read once.
		expect(fx.sandbox.stats().maxInFlightByEndpoint.get_details).toBe(10);
		expect(fx.detailCalls()).toBe(101);
	});

	it('caps Max Concurrent Requests at 20', async () => {
		// An account of its own: the 429 storms above narrowed this file's account, and how fast
		// its limiter widens again is not what this test is about.
		const own = await createSandbox();
		try {
			const ids = Array.from({ length: 41 }, () => own.createSession().session_id);
			const harness = new Harness().addKwikIdCredential({ domain: own.url, environment: 'test', username: own.username, password: own.password });
			const runner = fx.runner(watch(ids, { options: { maxConcurrency: 500 } }), { harness });
			own.setFaults({ latencyMs: 100 });
			await runner.items();
			own.resetStats();
			await runner.items();
			expect(own.stats().maxInFlightByEndpoint.get_details).toBe(20);
		} finally {
			await own.close();
		}
	});
});

describe('KwikID Trigger: the credential edited while the trigger is active', () => {
	it('the next poll reads from the new domain and starts its state afresh', async () => {
		const [a] = fx.sessions(1);
		const harness = fx.harness();
		const runner = fx.runner(watch([a]), { harness });
		await runner.items(); // baseline on the first tenant
		fx.sandbox.setStatus(a, 'agent_alloted');

		const other = await createSandbox();
		try {
			const before = fx.detailCalls();
			const stored = harness.store.get(CREDENTIAL_ID);
			// The user points the credential at another KwikID tenant (the token goes with the edit).
			harness.store.update(CREDENTIAL_ID, { ...stored.data, domain: other.url, token: '' });

			const outcome = await runner.poll();
			// The old tenant is not asked again; the new one is, and knows no such session.
			expect(fx.detailCalls()).toBe(before);
			expect(other.stats().requests.get_details).toBe(1);
			expect(outcome.kind).toBe('error');
			if (outcome.kind === 'error') expect(outcome.error.message).toMatch(/does not know the watched session/);
			// The first tenant's baseline is not compared with the new tenant: no transition invented.
			expect(await runner.items()).toEqual([]);
		} finally {
			await other.close();
		}
	});
});
