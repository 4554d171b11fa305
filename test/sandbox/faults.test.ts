import { createSandbox } from '../../sandbox/server';
import { buildDkycBody, validDkycSections } from '../../sandbox/fixtures';
import { PATHS, call, getToken, obj, sleep, useSandbox, validSendLink, within } from './helpers';

const ctx = useSandbox();
const RATE_LIMITED = { status: 429, message: 'Rate limit exceeded' };

describe('latency', () => {
	it('delays every API answer by latencyMs (+ jitter)', async () => {
		const auth = await getToken(ctx.sb);
		ctx.sb.setFaults({ latencyMs: 120, jitterMs: 40 });
		const started = Date.now();
		await call(ctx.sb, 'GET', PATHS.details('x'), { headers: { auth } });
		// A lower bound only: a busy machine can make an answer later, never earlier.
		expect(Date.now() - started).toBeGreaterThanOrEqual(115);
		const log = ctx.sb.requestLog();
		expect(log[log.length - 1].ms).toBeGreaterThanOrEqual(120);
		ctx.sb.clearFaults();
		await call(ctx.sb, 'GET', PATHS.details('x'), { headers: { auth } });
		expect(ctx.sb.faults().latencyMs).toBe(0);
	});

	it('close() does not wait for delayed answers', async () => {
		const sb = await createSandbox({ faults: { latencyMs: 10_000 } });
		const pending = fetch(`${sb.url}${PATHS.token}`, { method: 'POST' }).then(
			() => 'answered',
			() => 'failed',
		);
		await sleep(50);
		// close() must not wait out the 10 s latency: it wins a race against a 5 s timer.
		const closed = await within(sb.close().then(() => 'closed'), 5000, 'still waiting');
		expect(closed).toBe('closed');
		expect(await pending).toBe('failed');
	});
});

describe('burst429', () => {
	it('answers the next count calls with 429 (+ Retry-After), then recovers', async () => {
		const auth = await getToken(ctx.sb);
		ctx.sb.setFaults({ burst429: { count: 2, retryAfterSec: 3 } });
		for (let i = 0; i < 2; i++) {
			const answer = await call(ctx.sb, 'GET', PATHS.details('x'), { headers: { auth } });
			expect(answer.status).toBe(429);
			expect(answer.body).toEqual(RATE_LIMITED);
			expect(answer.headers.get('retry-after')).toBe('3');
		}
		expect((await call(ctx.sb, 'GET', PATHS.details('x'), { headers: { auth } })).status).toBe(400);
		expect(ctx.sb.faults().burst429?.count).toBe(0);
	});

	it('only hits the named endpoint', async () => {
		ctx.sb.setFaults({ burst429: { count: 1, endpoint: 'sendLink' } });
		const auth = await getToken(ctx.sb); // generate_token is not affected
		const limited = await call(ctx.sb, 'POST', PATHS.sendLink, { json: validSendLink(), headers: { auth } });
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBeNull();
		expect((await call(ctx.sb, 'POST', PATHS.sendLink, { json: validSendLink(), headers: { auth } })).status).toBe(200);
	});
});

describe('rateLimit (token bucket)', () => {
	it('allows capacity calls at once, then 429 until it refills', async () => {
		const auth = await getToken(ctx.sb);
		// A slow refill, so a loaded machine spreading the five calls out cannot refill one.
		ctx.sb.setFaults({ rateLimit: { capacity: 3, refillPerSec: 1, retryAfterSec: 1 } });
		const statuses = await Promise.all(
			Array.from({ length: 5 }, async () => (await call(ctx.sb, 'GET', PATHS.details('x'), { headers: { auth } })).status),
		);
		expect(statuses.filter((s) => s === 400)).toHaveLength(3);
		expect(statuses.filter((s) => s === 429)).toHaveLength(2);
		const limited = await call(ctx.sb, 'POST', PATHS.token, { json: {} });
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('1');
		await sleep(1100); // 1/s: at least one token back
		expect((await call(ctx.sb, 'GET', PATHS.details('x'), { headers: { auth } })).status).toBe(400);
	});

	it('is switched off with null', async () => {
		ctx.sb.setFaults({ rateLimit: { capacity: 0, refillPerSec: 0 } });
		expect((await call(ctx.sb, 'POST', PATHS.token, { json: {} })).status).toBe(429);
		ctx.sb.setFaults({ rateLimit: null });
		expect((await call(ctx.sb, 'POST', PATHS.token, { json: {} })).status).toBe(400);
	});
});

describe('fail5xx', () => {
	it('json: the documented {msg, status} body', async () => {
		const auth = await getToken(ctx.sb);
		ctx.sb.setFaults({ fail5xx: { count: 1, kind: 'json', endpoint: 'get_details' } });
		const answer = await call(ctx.sb, 'GET', PATHS.details('x'), { headers: { auth } });
		expect(answer.status).toBe(500);
		expect(answer.body).toEqual({ msg: 'error message', status: 500 });
		expect((await call(ctx.sb, 'GET', PATHS.details('x'), { headers: { auth } })).status).toBe(400);
	});

	it('html: the documented 500 page', async () => {
		ctx.sb.setFaults({ fail5xx: { count: 1, kind: 'html' } });
		const answer = await call(ctx.sb, 'POST', PATHS.token, { json: {} });
		expect(answer.status).toBe(500);
		expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
		expect(answer.text).toContain('<title>500 Internal Server Error</title>');
	});

	it('push_user_data has its own JSON 500 body with track', async () => {
		const auth = await getToken(ctx.sb);
		ctx.sb.setFaults({ fail5xx: { count: 1, kind: 'json' } });
		const answer = await call(ctx.sb, 'POST', PATHS.push, {
			json: buildDkycBody(validDkycSections(), { userId: 'dkyc-500' }),
			headers: { auth },
		});
		expect(answer.status).toBe(500);
		expect(answer.body).toEqual({
			msg: 'An internal error occurred',
			status_code: 500,
			success: false,
			track: { user_id: 'dkyc-500', session_id: null },
		});
		expect(ctx.sb.listSessions()).toHaveLength(0);
	});

	it('afterCreate: the session exists although the client saw a 500', async () => {
		const auth = await getToken(ctx.sb);
		ctx.sb.setFaults({ fail5xx: { count: 1, kind: 'json', endpoint: 'sendLink', afterCreate: true } });
		// A call that fails validation does not use the fault up.
		expect((await call(ctx.sb, 'POST', PATHS.sendLink, { json: validSendLink({ link_type: 'x' }), headers: { auth } })).status).toBe(400);
		const answer = await call(ctx.sb, 'POST', PATHS.sendLink, { json: validSendLink({ user_id: 'twice' }), headers: { auth } });
		expect(answer.status).toBe(500);
		expect(answer.body).toEqual({ msg: 'error message', status: 500 });
		expect(ctx.sb.listSessions()).toEqual([expect.objectContaining({ user_id: 'twice', status: 'waiting' })]);
	});

	it('afterCreate on push_user_data tells the session id in track', async () => {
		const auth = await getToken(ctx.sb);
		ctx.sb.setFaults({ fail5xx: { count: 1, kind: 'json', afterCreate: true } });
		const answer = await call(ctx.sb, 'POST', PATHS.push, {
			json: buildDkycBody(validDkycSections(), { userId: 'dkyc-ac' }),
			headers: { auth },
		});
		expect(answer.status).toBe(500);
		const track = obj(obj(answer.body).track);
		expect(track.user_id).toBe('dkyc-ac');
		expect(ctx.sb.getSession(String(track.session_id))).toMatchObject({ session_type: 'DKYC', status: 'waiting' });
	});
});

describe('drop', () => {
	it('destroys the socket without an answer: fetch rejects', async () => {
		ctx.sb.setFaults({ drop: { count: 1, endpoint: 'generate_token' } });
		await expect(
			fetch(`${ctx.sb.url}${PATHS.token}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ username: 'sandbox', password: 'sandbox1234' }),
			}),
		).rejects.toThrow();
		expect(await getToken(ctx.sb)).toMatch(/\./);
		expect(ctx.sb.stats()).toMatchObject({ dropped: 1, requests: { generate_token: 2 } });
	});
});

describe('counters', () => {
	it('count requests per endpoint (faulted ones too) and answers per status', async () => {
		const auth = await getToken(ctx.sb);
		ctx.sb.setFaults({ burst429: { count: 1, endpoint: 'get_details' } });
		await call(ctx.sb, 'GET', PATHS.details('x'), { headers: { auth } });
		await call(ctx.sb, 'GET', PATHS.details('x'), { headers: { auth } });
		await call(ctx.sb, 'GET', PATHS.details('x'));
		await call(ctx.sb, 'GET', '/nowhere');
		const stats = ctx.sb.stats();
		expect(stats.total).toBe(4);
		expect(stats.requests).toEqual({ generate_token: 1, sendLink: 0, get_details: 3, push_user_data: 0, media: 0 });
		expect(stats.statusCodes).toEqual({ '200': 1, '429': 1, '400': 1, '401': 1, '404': 1 });
		expect(stats.byEndpoint.get_details).toEqual({ '429': 1, '400': 1, '401': 1 });
		ctx.sb.resetStats();
		expect(ctx.sb.stats().total).toBe(0);
		expect(ctx.sb.stats().statusCodes).toEqual({});
	});

	it('reset() clears sessions, faults and counters', async () => {
		ctx.sb.createSession();
		ctx.sb.setFaults({ latencyMs: 5, drop: { count: 3, endpoint: 'media' } });
		await getToken(ctx.sb);
		ctx.sb.reset();
		expect(ctx.sb.listSessions()).toEqual([]);
		expect(ctx.sb.faults()).toEqual({
			latencyMs: 0,
			jitterMs: 0,
			rateLimit: null,
			burst429: null,
			fail5xx: null,
			drop: null,
			random: null,
			expireTokensEvery: 0,
		});
		expect(ctx.sb.requestLog()).toEqual([]);
		expect(ctx.sb.stats().total).toBe(0);
	});

	it('setFaults refuses nonsense', () => {
		expect(() => ctx.sb.setFaults({ drop: { count: -1 } })).toThrow(/count/);
		expect(() => ctx.sb.setFaults(JSON.parse('{"burst429":{"count":1,"endpoint":"nope"}}'))).toThrow(/endpoint/);
		expect(() => ctx.sb.setFaults(JSON.parse('{"slowness":1}'))).toThrow(/unknown fault/);
	});
});

describe('random shares', () => {
	async function outcomes(seed: number): Promise<Array<number | string>> {
		const auth = await getToken(ctx.sb);
		ctx.sb.setFaults({ random: { share429: 0.2, share5xx: 0.1, shareDrop: 0.1, seed, endpoint: 'get_details' } });
		const seen: Array<number | string> = [];
		for (let i = 0; i < 200; i++) {
			seen.push(
				await call(ctx.sb, 'GET', PATHS.details('x'), { headers: { auth } }).then(
					(answer) => answer.status,
					() => 'dropped',
				),
			);
		}
		ctx.sb.reset();
		return seen;
	}

	it('fails about the given share of calls, the same ones for the same seed', async () => {
		const first = await outcomes(7);
		const count = (value: number | string): number => first.filter((outcome) => outcome === value).length;
		// 200 draws: each share lands within a wide band around its expectation.
		expect(count(429)).toBeGreaterThan(20);
		expect(count(429)).toBeLessThan(60);
		expect(count(500)).toBeGreaterThan(5);
		expect(count('dropped')).toBeGreaterThan(5);
		expect(count(400)).toBe(200 - count(429) - count(500) - count('dropped'));
		expect(await outcomes(7)).toEqual(first);
		expect(await outcomes(8)).not.toEqual(first);
	});

	it('refuses shares that add up to more than 1', () => {
		expect(() => ctx.sb.setFaults({ random: { share429: 0.7, share5xx: 0.5, shareDrop: 0, seed: 1 } })).toThrow(
			/at most 1/,
		);
	});

	it('a 5xx or a drop from random shares creates no session', async () => {
		const auth = await getToken(ctx.sb);
		ctx.sb.setFaults({ random: { share429: 0, share5xx: 0.5, shareDrop: 0.5, seed: 3, endpoint: 'sendLink' } });
		for (let i = 0; i < 10; i++) {
			await call(ctx.sb, 'POST', PATHS.sendLink, { json: validSendLink(), headers: { auth } }).catch(() => undefined);
		}
		expect(ctx.sb.listSessions()).toEqual([]);
		expect(ctx.sb.stats().requests.sendLink).toBe(10);
	});
});

describe('expireTokensEvery', () => {
	it('revokes every token when the API call count reaches each multiple', async () => {
		const auth = await getToken(ctx.sb);
		ctx.sb.setFaults({ expireTokensEvery: 3 });
		const statuses: number[] = [];
		for (let i = 0; i < 3; i++) statuses.push((await call(ctx.sb, 'GET', PATHS.details('x'), { headers: { auth } })).status);
		// The third call is the one that expired the token: it is refused like every later one.
		expect(statuses).toEqual([400, 400, 401]);
		const fresh = await getToken(ctx.sb); // generate_token calls do not count
		expect((await call(ctx.sb, 'GET', PATHS.details('x'), { headers: { auth: fresh } })).status).toBe(400);
		expect(ctx.sb.stats().tokenExpiries).toBe(1);
	});
});

describe('in-flight counters and the request log', () => {
	it('counts the most requests handled at once', async () => {
		const auth = await getToken(ctx.sb);
		ctx.sb.setFaults({ latencyMs: 50 });
		await Promise.all(
			Array.from({ length: 6 }, async () => await call(ctx.sb, 'GET', PATHS.details('x'), { headers: { auth } })),
		);
		const stats = ctx.sb.stats();
		expect(stats.maxInFlight).toBe(6);
		expect(stats.maxInFlightByEndpoint.get_details).toBe(6);
		expect(stats.inFlight).toBe(0);
	});

	it('logs each API request with its status, without bodies', async () => {
		const auth = await getToken(ctx.sb);
		await call(ctx.sb, 'POST', PATHS.sendLink, { json: validSendLink({ user_id: 'LOG-1' }), headers: { auth } });
		ctx.sb.setFaults({ drop: { count: 1, endpoint: 'get_details' } });
		await call(ctx.sb, 'GET', PATHS.details('abc'), { headers: { auth } }).catch(() => undefined);

		const log = ctx.sb.requestLog();
		expect(log.map((entry) => [entry.endpoint, entry.status, entry.userId])).toEqual([
			['generate_token', 200, undefined],
			['sendLink', 200, 'LOG-1'],
			['get_details', 'dropped', undefined],
		]);
		expect(log[2].path).toBe('/agentapi/v1/session/get_details/abc');
		expect(JSON.stringify(log)).not.toContain('9876543210');
	});

	it('keeps only the last logLimit entries', async () => {
		const sb = await createSandbox({ logLimit: 3 });
		try {
			const auth = await getToken(sb);
			for (let i = 0; i < 5; i++) await call(sb, 'GET', PATHS.details(`s-${i}`), { headers: { auth } });
			expect(sb.requestLog().map((entry) => entry.path.split('/').pop())).toEqual(['s-2', 's-3', 's-4']);
		} finally {
			await sb.close();
		}
	});
});
