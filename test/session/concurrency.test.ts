/**
 * Items in flight together: how many the node sends at once, that order and pairing survive
 * answers arriving out of order, one login for a run that meets an expired token, the
 * account's rate-limit gate, the requests-per-second ceiling and a cancelled execution.
 * Nothing here is timed: the sandbox counts requests in flight, and its request log gives the
 * order and spacing of arrivals (a slow machine can only spread them further apart).
 */
import type { IDataObject } from 'n8n-workflow';

import { DEFAULT_CONCURRENCY } from '../../nodes/KwikId/actions/common';
import { systemClock } from '../../nodes/KwikId/transport/throttle';
import type { SessionEnv } from './helpers';
import { getSessionWorkflow, KWIKID, pinned, sendLinkWorkflow, startSessionEnv, useSessionEnv } from './helpers';

const env = useSessionEnv();

const leads = (count: number, prefix = 'LEAD'): IDataObject[] =>
	Array.from({ length: count }, (_, i) => ({ id: `${prefix}-${i}`, phone: `98765${String(10000 + i)}` }));

const mapped = { userId: '={{ $json.id }}', phoneNumber: '={{ $json.phone }}', linkType: 'free' };

function sessionIds(count: number): IDataObject[] {
	return Array.from({ length: count }, (_, i) => ({
		sessionId: env.sandbox.createSession({ user_id: `U-${i}` }).session_id,
	}));
}

describe('requests in flight', () => {
	it('by default sends 500 at once, the next as answers come; outputs items in input order whatever order answers come in', async () => {
		// Slow enough that the first 500 are all out before any answer, even on a loaded machine;
		// jitter makes later requests often answer first.
		env.sandbox.setFaults({ latencyMs: 3000, jitterMs: 300 });
		const input = sessionIds(600);

		const run = await env.harness.run(getSessionWorkflow({ sessionId: '={{ $json.sessionId }}' }), {
			pinData: pinned(input),
		});

		expect(run.error).toBeUndefined();
		// The account's limiter starts at Max Concurrent Requests' default and had no reason to narrow.
		expect(env.sandbox.stats().maxInFlightByEndpoint.get_details).toBe(DEFAULT_CONCURRENCY);
		const output = run.output(KWIKID);
		expect(output.map((item) => item.json.user_id)).toEqual(input.map((_, i) => `U-${i}`));
		expect(output.map((item) => item.pairedItem)).toEqual(input.map((_, item) => ({ item })));
	});

	it.each([1, 3, 25])('keeps to Max Concurrent Requests = %i', async (maxConcurrency) => {
		// Slow enough answers that every slot fills before the first one comes back, even on a
		// loaded machine.
		env.sandbox.setFaults({ latencyMs: 500 });
		const input = leads(Math.max(6, 2 * maxConcurrency));

		const run = await env.harness.run(sendLinkWorkflow({ ...mapped, options: { maxConcurrency } }), {
			pinData: pinned(input),
		});

		expect(run.error).toBeUndefined();
		expect(env.sandbox.stats().maxInFlightByEndpoint.sendLink).toBe(maxConcurrency);
		expect(run.output(KWIKID).map((item) => item.json.user_id)).toEqual(input.map((lead) => lead.id));
		expect(env.sandbox.listSessions()).toHaveLength(input.length);
	});

	it('logs in once for a run whose items all start without a token', async () => {
		const fresh = await startSessionEnv();
		try {
			fresh.sandbox.setFaults({ latencyMs: 10 });
			const run = await fresh.harness.run(sendLinkWorkflow(mapped), { pinData: pinned(leads(30)) });
			expect(run.error).toBeUndefined();
			expect(fresh.sandbox.stats().requests.generate_token).toBe(1);
			expect(fresh.sandbox.listSessions()).toHaveLength(30);
		} finally {
			await fresh.close();
		}
	});

	it('logs in once per token expiry, however many items in flight meet it', async () => {
		await env.harness.run(sendLinkWorkflow(mapped), { pinData: pinned(leads(1, 'WARM')) }); // a stored token
		env.sandbox.reset();
		env.sandbox.setFaults({ latencyMs: 5, jitterMs: 10, expireTokensEvery: 60 });

		// 25 in flight: a token that lasts only 60 calls, with 100 or more in flight, is used up
		// before any answer to it comes back, and the node then cannot tell it from a token KwikID
		// refuses outright (it gives up after two such logins; see the next test).
		const run = await env.harness.run(sendLinkWorkflow({ ...mapped, options: { maxConcurrency: 25 } }), {
			pinData: pinned(leads(200)),
		});

		expect(run.error).toBeUndefined();
		const stats = env.sandbox.stats();
		expect(stats.tokenExpiries).toBeGreaterThanOrEqual(3);
		expect(stats.requests.generate_token).toBe(stats.tokenExpiries);
		// Every lead exactly one session: a 401 means KwikID did nothing, so resending is safe.
		const users = env.sandbox.listSessions().map((session) => session.user_id);
		expect(users.sort()).toEqual(leads(200).map((lead) => String(lead.id)).sort());
	});

	// One n8n process runs several executions at once (a queue-mode worker: --concurrency); each
	// has its own token holder. They must still share one login: at a cold start and at an expiry.
	it('several executions at once share one login, with no token stored and when it expires', async () => {
		const fresh = await startSessionEnv();
		try {
			fresh.sandbox.setFaults({ latencyMs: 20, jitterMs: 20 });
			const batch = (n: number): Promise<unknown>[] =>
				Array.from({ length: n }, (_, e) =>
					fresh.harness.run(sendLinkWorkflow(mapped), { pinData: pinned(leads(20, `E${e}`)) }),
				);
			await Promise.all(batch(5));
			expect(fresh.sandbox.stats().requests.generate_token).toBe(1);

			fresh.sandbox.resetStats();
			// One revocation while all five are sending (slow answers keep them in flight).
			fresh.sandbox.setFaults({ latencyMs: 100, jitterMs: 50 });
			const running = Promise.all(batch(5));
			const deadline = Date.now() + 20_000; // bounded: a broken run must not hang the suite
			while (fresh.sandbox.stats().requests.sendLink < 30 && Date.now() < deadline) {
				await new Promise((resolve) => setTimeout(resolve, 5));
			}
			fresh.sandbox.expireTokens();
			const runs = (await running) as Array<{ error?: unknown }>;
			expect(runs.map((run) => run.error)).toEqual([undefined, undefined, undefined, undefined, undefined]);
			// One renewal for the five: one probe (get_details of a made-up id, refused, then resent
			// with the new token) and one login. Each execution used to renew on its own: five
			// probes here, and in a real n8n worker up to one login each when their renewals did
			// not overlap (the credential shares only logins running at the same moment).
			const stats = fresh.sandbox.stats();
			expect(stats.byEndpoint.get_details).toEqual({ '401': 1, '400': 1 });
			expect(stats.requests.generate_token).toBe(1);
			expect(fresh.sandbox.listSessions()).toHaveLength(200);
		} finally {
			await fresh.close();
		}
	});

	it('when KwikID refuses every token, items fail with that reason after a bounded number of logins', async () => {
		// Every call revokes every token before it is checked: each login's token is refused at once.
		env.sandbox.setFaults({ expireTokensEvery: 1 });

		const run = await env.harness.run(sendLinkWorkflow(mapped, { onError: 'continueRegularOutput' }), {
			pinData: pinned(leads(30)),
		});

		expect(run.error).toBeUndefined();
		const errors = run.output(KWIKID).map((item) => item.json.error);
		expect(errors).toEqual(Array(30).fill(`KwikID rejected the credential's token even after logging in again ("Token is invalid")`));
		// Two logins whose tokens are refused before anything succeeds end the attempts for the run.
		expect(env.sandbox.stats().requests.generate_token).toBeGreaterThan(0);
		expect(env.sandbox.stats().requests.generate_token).toBeLessThanOrEqual(3);
		expect(env.sandbox.listSessions()).toEqual([]);
	});

	it('stops starting items when the execution is cancelled', async () => {
		env.sandbox.setFaults({ latencyMs: 30 });
		let cancel: (() => void) | undefined;
		const running = env.harness.run(sendLinkWorkflow({ ...mapped, options: { maxConcurrency: 2 } }), {
			pinData: pinned(leads(100)),
			onStarted: (stop) => {
				cancel = stop;
			},
		});
		const deadline = Date.now() + 5000; // bounded: a broken run must not hang the suite
		while (env.sandbox.stats().requests.sendLink < 4 && Date.now() < deadline) {
			await new Promise((resolve) => setTimeout(resolve, 2));
		}
		cancel?.();
		await running.catch(() => undefined);
		// Let whatever was still in flight arrive.
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(env.sandbox.stats().requests.sendLink).toBeLessThan(20);
	});
	it('a cancelled execution sends nothing that was still waiting its turn', async () => {
		await env.harness.run(sendLinkWorkflow(mapped), { pinData: pinned(leads(1, 'WARM')) }); // a stored token
		env.sandbox.reset();
		// Every lead starts at once and waits for Max Requests Per Second; the pacer's clock is
		// the test's, so they wait until the test lets them go (after the cancellation).
		const waits: Array<() => void> = [];
		const sleep = jest.spyOn(systemClock, 'sleep').mockImplementation(
			async () => await new Promise<void>((go) => waits.push(go)),
		);
		try {
			let cancel: (() => void) | undefined;
			const running = env.harness.run(sendLinkWorkflow({ ...mapped, options: { maxRequestsPerSecond: 1 } }), {
				pinData: pinned(leads(30)),
				onStarted: (stop) => {
					cancel = stop;
				},
			});
			const deadline = Date.now() + 10_000; // bounded: a broken run must not hang the suite
			while ((env.sandbox.stats().requests.sendLink < 1 || waits.length === 0) && Date.now() < deadline) {
				await new Promise((resolve) => setTimeout(resolve, 2));
			}
			cancel?.();
			for (const go of waits.splice(0)) go();
			await running.catch(() => undefined);
			await new Promise((resolve) => setTimeout(resolve, 100));
			// The first lead went before the cancellation; the 29 waiting behind it never did.
			expect(env.sandbox.stats().requests.sendLink).toBe(1);
			expect(env.sandbox.listSessions()).toHaveLength(1);
		} finally {
			sleep.mockRestore();
		}
	});
});

describe('the rate-limit gate and the ceiling', () => {
	let own: SessionEnv;
	// A sandbox of its own: the gate is per account (base URL + username), and these tests narrow it.
	beforeEach(async () => {
		own = await startSessionEnv();
	});
	afterEach(async () => {
		await own.close();
	});

	it('a 429 with Retry-After pauses every item until then', async () => {
		own.sandbox.setFaults({ latencyMs: 10, burst429: { count: 1, endpoint: 'sendLink', retryAfterSec: 1 } });

		const run = await own.harness.run(sendLinkWorkflow({ ...mapped, options: { maxConcurrency: 10 } }), {
			pinData: pinned(leads(40)),
		});

		expect(run.error).toBeUndefined();
		expect(own.sandbox.listSessions()).toHaveLength(40);
		const log = own.sandbox.requestLog().filter((entry) => entry.endpoint === 'sendLink');
		const limited = log.find((entry) => entry.status === 429);
		if (!limited) throw new Error('the 429 was not logged');
		const answeredAt = Date.parse(limited.at) + limited.ms;
		const inPause = log.filter((entry) => {
			const at = Date.parse(entry.at);
			return at > answeredAt && at < answeredAt + 950;
		});
		// During the second KwikID asked for, only requests already on their way when the 429
		// came back may arrive (at most the 9 other slots of the pool); without the pause the
		// other 30 leads would all have been sent in that second.
		expect(inPause.length).toBeLessThanOrEqual(9);
		expect(log.filter((entry) => Date.parse(entry.at) >= answeredAt + 950).length).toBeGreaterThanOrEqual(30);
	});

	it('429s without Retry-After are retried: no lead is lost or doubled', async () => {
		own.sandbox.setFaults({
			latencyMs: 10,
			random: { share429: 0.15, share5xx: 0, shareDrop: 0, seed: 11, endpoint: 'sendLink' },
		});

		const run = await own.harness.run(sendLinkWorkflow(mapped), { pinData: pinned(leads(150)) });

		expect(run.error).toBeUndefined();
		const byEndpoint = own.sandbox.stats().byEndpoint.sendLink;
		expect(byEndpoint['429']).toBeGreaterThan(5);
		expect(byEndpoint['200']).toBe(150);
		const users = own.sandbox.listSessions().map((session) => session.user_id);
		expect(new Set(users).size).toBe(150);
		// A 429 means nothing was created, so it is retried: never a second session for a lead.
		expect(byEndpoint['200']).toBe(new Set(users).size);
	});

	it.each([
		['Retry-After: 0', 0],
		['no Retry-After', undefined],
	])('a sustained rate limit answering %s fails no item: requests are spaced out instead', async (_, retryAfterSec) => {
		// A gateway's token bucket: 20 at once, then 20 per second. The first round alone (50 sent
		// at once) is more than the bucket holds, however slow the machine, and answers take no
		// time, so even one request at a time is faster than the bucket refills. (With permits
		// handed out in no particular order, one item in 200 now and then used up its six retries
		// on a loaded machine even at 50 per second; they are now first come, first served.)
		await own.harness.run(sendLinkWorkflow(mapped), { pinData: pinned(leads(1, 'WARM')) });
		own.sandbox.reset();
		own.sandbox.setFaults({
			rateLimit: { capacity: 20, refillPerSec: 20, ...(retryAfterSec === undefined ? {} : { retryAfterSec }) },
		});

		const run = await own.harness.run(sendLinkWorkflow(mapped, { onError: 'continueRegularOutput' }), {
			pinData: pinned(leads(120)),
		});

		expect(run.error).toBeUndefined();
		const errors = run.output(KWIKID).filter((item) => item.json.error !== undefined);
		expect(errors).toEqual([]);
		expect(own.sandbox.listSessions()).toHaveLength(120);
		// The bucket did refuse requests: the spacing, not luck, got every item through.
		expect(own.sandbox.stats().byEndpoint.sendLink['429']).toBeGreaterThan(5);
	});

	it('keeps to Max Requests Per Second', async () => {
		await own.harness.run(sendLinkWorkflow(mapped), { pinData: pinned(leads(1, 'WARM')) }); // a stored token
		own.sandbox.reset();
		// The pacer's clock is the test's: time moves only when a wait is let go, so what is
		// asserted is the order of waits and arrivals, never milliseconds.
		let time = 5_000_000;
		const waits: Array<{ ms: number; go: () => void }> = [];
		const now = jest.spyOn(systemClock, 'now').mockImplementation(() => time);
		const sleep = jest.spyOn(systemClock, 'sleep').mockImplementation(
			async (ms: number) => await new Promise<void>((go) => waits.push({ ms, go })),
		);
		const arrived = (): number => own.sandbox.requestLog().filter((entry) => entry.endpoint === 'sendLink').length;
		const until = async (what: () => boolean): Promise<void> => {
			const deadline = Date.now() + 10_000; // bounded: a broken run must not hang the suite
			while (!what() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
		};
		try {
			const running = own.harness.run(sendLinkWorkflow({ ...mapped, options: { maxRequestsPerSecond: 20 } }), {
				pinData: pinned(leads(6)),
			});
			const seen: Array<{ arrived: number; ms: number }> = [];
			for (let sent = 1; sent < 6; sent++) {
				// The next request waits for the pacer while the ones before it have arrived.
				await until(() => arrived() === sent && waits.length > 0);
				const wait = waits.shift();
				if (!wait) throw new Error(`no pacer wait after request ${sent}`);
				seen.push({ arrived: arrived(), ms: wait.ms });
				time += wait.ms;
				wait.go();
			}
			const run = await running;
			expect(run.error).toBeUndefined();
			// 20 per second: each start waited 50 ms of the pacer's time after the one before, and
			// no request arrived before its wait was over.
			expect(seen).toEqual([1, 2, 3, 4, 5].map((count) => ({ arrived: count, ms: 50 })));
			expect(arrived()).toBe(6);
			expect(waits).toEqual([]);
		} finally {
			now.mockRestore();
			sleep.mockRestore();
		}
	});
});
