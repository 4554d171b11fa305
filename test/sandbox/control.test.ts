import { buildDkycBody, validDkycSections } from '../../sandbox/fixtures';
import { isLoopback } from '../../sandbox/http';
import { PATHS, call, getToken, obj, useSandbox, within } from './helpers';

const ctx = useSandbox();

const control = (method: string, path: string, json?: unknown): ReturnType<typeof call> =>
	call(ctx.sb, method, `/__sandbox${path}`, json === undefined ? {} : { json });

describe('/__sandbox control endpoint', () => {
	it('lists its routes', async () => {
		const answer = await control('GET', '/');
		expect(answer.status).toBe(200);
		expect(Object.keys(obj(obj(answer.body).routes))).toContain('POST /__sandbox/faults');
	});

	it('creates sessions, lists them, sets a status', async () => {
		const created = await control('POST', '/sessions', { count: 3, user_id: 'bulk', extras: { loan_amt: '5000' } });
		expect(created.status).toBe(200);
		const sessions = obj(created.body).sessions as Array<Record<string, unknown>>;
		expect(sessions).toHaveLength(3);
		expect(sessions[0]).toMatchObject({ user_id: 'bulk', status: 'waiting', extras: { loan_amt: '5000' } });

		const id = String(sessions[1].session_id);
		const set = await control('POST', `/sessions/${id}/status`, { status: 'kyc_result_partial_update' });
		expect(set.status).toBe(200);
		expect(obj(set.body).status).toBe('kyc_result_partial_update');
		expect(obj((await control('GET', `/sessions/${id}`)).body).status).toBe('kyc_result_partial_update');

		const listed = obj((await control('GET', '/sessions')).body).sessions;
		expect(listed).toHaveLength(3);
		expect(listed).toContainEqual({ session_id: id, status: 'kyc_result_partial_update', user_id: 'bulk', session_type: 'VKYC' });

		expect((await control('POST', '/sessions/unknown/status', { status: 'waiting' })).status).toBe(404);
		expect((await control('POST', `/sessions/${id}/status`, { status: '' })).status).toBe(400);
		expect((await control('POST', '/sessions', { count: 0 })).status).toBe(400);
		expect(obj((await control('POST', '/sessions', { userId: 'camel' })).body).error).toMatch(/unknown field "userId"/);
	});

	it("sets the account's own code lists, which push_user_data then enforces with the documented 400", async () => {
		expect((await control('POST', '/tenant-codes', { amc: ['X'] })).status).toBe(400);
		expect((await control('POST', '/tenant-codes', { 'BASIC_INFORMATION.amc': 'AMC1' })).status).toBe(400);
		const set = await control('POST', '/tenant-codes', { 'BASIC_INFORMATION.amc': ['AMC1'] });
		expect(set.body).toEqual({ 'BASIC_INFORMATION.amc': ['AMC1'] });

		const token = await getToken(ctx.sb);
		const pushed = await call(ctx.sb, 'POST', PATHS.push, { headers: { auth: token }, json: buildDkycBody(validDkycSections()) });
		expect(pushed.status).toBe(400);
		expect(obj(pushed.body).errors).toEqual({ missing_fields: [], incorrect_formats: ['BASIC_INFORMATION.amc'] });

		await control('POST', '/tenant-codes', {});
		expect((await call(ctx.sb, 'POST', PATHS.push, { headers: { auth: token }, json: buildDkycBody(validDkycSections()) })).status).toBe(200);
	});

	it('sets and clears faults, validating them', async () => {
		const set = await control('POST', '/faults', { burst429: { count: 1 } });
		expect(set.status).toBe(200);
		expect(obj(set.body).burst429).toEqual({ count: 1 });
		expect((await call(ctx.sb, 'POST', PATHS.token, { json: {} })).status).toBe(429);

		expect((await control('POST', '/faults', { burst429: { count: 'lots' } })).status).toBe(400);
		await control('POST', '/faults', { fail5xx: { count: 5, kind: 'html' } });
		const cleared = await control('DELETE', '/faults');
		expect(obj(cleared.body).fail5xx).toBeNull();
		expect((await call(ctx.sb, 'POST', PATHS.token, { json: {} })).status).toBe(400);
	});

	it('is neither counted nor faulted', async () => {
		// A minute of latency: a control call that waited for it would lose the race below.
		await control('POST', '/faults', { drop: { count: 10 }, latencyMs: 60_000 });
		const answered = await within(
			Promise.all([control('GET', '/stats'), control('GET', '/sessions')]).then((answers) => answers.map((a) => a.status)),
			10_000,
			'delayed',
		);
		expect(answered).toEqual([200, 200]);
		expect(obj((await control('GET', '/stats')).body).total).toBe(0);
		await control('DELETE', '/faults');
	});

	it('expires tokens, resets stats and everything', async () => {
		const auth = await getToken(ctx.sb);
		expect((await control('POST', '/tokens/expire')).body).toEqual({ ok: true });
		const answer = await call(ctx.sb, 'GET', PATHS.details('x'), { headers: { auth } });
		expect(answer.body).toEqual({ message: 'Token is invalid' });

		expect(obj((await control('GET', '/stats')).body).total).toBe(2);
		await control('POST', '/stats/reset');
		expect(obj((await control('GET', '/stats')).body).total).toBe(0);

		ctx.sb.createSession();
		await control('POST', '/reset');
		expect(ctx.sb.listSessions()).toHaveLength(0);
	});

	it('switches auto-progress on and off', async () => {
		const on = await control('POST', '/auto-progress', { afterMs: 0, outcome: 'approve' });
		expect(obj(on.body).autoProgress).toEqual({ afterMs: 0, outcome: 'approve' });
		expect(ctx.sb.createSession().status).toBe('kyc_result_approved');
		expect((await control('POST', '/auto-progress', { afterMs: 10, outcome: 'maybe' })).status).toBe(400);
		expect(obj((await call(ctx.sb, 'POST', '/__sandbox/auto-progress', { raw: 'null' })).body).autoProgress).toBeNull();
		expect(ctx.sb.createSession().status).toBe('waiting');
	});

	it('answers unknown control routes with a JSON 404', async () => {
		const answer = await control('GET', '/nope');
		expect(answer.status).toBe(404);
		expect(obj(answer.body).error).toMatch(/no control route/);
	});
});

describe('loopback check', () => {
	it('lets only local callers control the sandbox', () => {
		expect(['127.0.0.1', '127.0.0.53', '::1', '::ffff:127.0.0.1'].every(isLoopback)).toBe(true);
		expect(['10.0.0.5', '192.168.1.2', '::ffff:10.0.0.5', 'fe80::1', undefined].some(isLoopback)).toBe(false);
	});
});
