import { createSandbox } from '../../sandbox/server';
import { signToken, verifyToken } from '../../sandbox/jwt';
import { PATHS, call, getToken, obj, sleep, useSandbox } from './helpers';

const ctx = useSandbox();

describe('generate_token', () => {
	it('issues an HS256 JWT for the default credentials', async () => {
		const before = Date.now();
		const answer = await call(ctx.sb, 'POST', PATHS.token, { json: { username: 'sandbox', password: 'sandbox1234' } });
		const after = Date.now();
		expect(answer.status).toBe(200);
		expect(answer.headers.get('content-type')).toBe('application/json');
		const body = obj(answer.body);
		expect(Object.keys(body)).toEqual(['Token', 'status_code', 'success']);
		expect(body).toMatchObject({ status_code: 200, success: true });

		const [header, payload, signature] = String(body.Token).split('.');
		expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
		const claims = obj(JSON.parse(Buffer.from(payload, 'base64url').toString()));
		expect(claims.sub).toBe('sandbox');
		expect(claims.exp).toBe(Number(claims.iat) + 12 * 3600);
		// Issued during the call: between the moments just before and just after it (no timing bound).
		expect(Number(claims.iat)).toBeGreaterThanOrEqual(Math.floor(before / 1000));
		expect(Number(claims.iat)).toBeLessThanOrEqual(Math.ceil(after / 1000));
		expect(signature).toMatch(/^[A-Za-z0-9_-]{43}$/);
	});

	it('answers a wrong pair with 401 and the success:true quirk', async () => {
		const answer = await call(ctx.sb, 'POST', PATHS.token, { json: { username: 'sandbox', password: 'wrongpass1' } });
		expect(answer.status).toBe(401);
		expect(answer.body).toEqual({ msg: 'username/password did not match', status_code: 401, success: true });
	});

	it.each([
		['username too short', { username: 'ab', password: 'sandbox1234' }],
		['username too long', { username: 'a'.repeat(21), password: 'sandbox1234' }],
		['username not alphanumeric', { username: 'sand_box', password: 'sandbox1234' }],
		['password too short', { username: 'sandbox', password: 'short12' }],
		['password too long', { username: 'sandbox', password: 'p'.repeat(33) }],
		['password not alphanumeric', { username: 'sandbox', password: 'sandbox-1234' }],
		['password missing', { username: 'sandbox' }],
		['username a number', { username: 12345, password: 'sandbox1234' }],
		['empty object', {}],
	])('answers 400 with the success:true quirk: %s', async (_name, json) => {
		const answer = await call(ctx.sb, 'POST', PATHS.token, { json });
		expect(answer.status).toBe(400);
		expect(answer.body).toEqual({ msg: 'please provide valid username and password', status_code: 400, success: true });
	});

	it('answers a non-JSON body with the HTML 400 page', async () => {
		const answer = await call(ctx.sb, 'POST', PATHS.token, {
			raw: 'username=sandbox&password=sandbox1234',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
		});
		expect(answer.status).toBe(400);
		expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
		expect(answer.text).toContain('<title>400 Bad Request</title>');
	});

	it('accepts configured credentials and refuses impossible ones at start', async () => {
		const custom = await createSandbox({ username: 'acme', password: 'Secret12345' });
		try {
			expect((await call(custom, 'POST', PATHS.token, { json: { username: 'acme', password: 'Secret12345' } })).status).toBe(200);
			expect((await call(custom, 'POST', PATHS.token, { json: { username: 'sandbox', password: 'sandbox1234' } })).status).toBe(401);
		} finally {
			await custom.close();
		}
		await expect(createSandbox({ password: 'short' })).rejects.toThrow(/password/);
	});
});

describe('the auth header', () => {
	const someId = '8b19b5c9-36de-47a2-9cb8-1025f36da034';

	it('is required (and must be called auth)', async () => {
		const token = await getToken(ctx.sb);
		for (const headers of [{}, { authorization: token }, { auth: '' }] as Array<Record<string, string>>) {
			const answer = await call(ctx.sb, 'GET', PATHS.details(someId), { headers });
			expect(answer.status).toBe(401);
			expect(answer.body).toEqual({ message: 'Missing authorization header' });
		}
	});

	it('refuses garbage, a tampered signature and a foreign secret', async () => {
		const token = await getToken(ctx.sb);
		const [h, p, s] = token.split('.');
		const flipped = `${h}.${p}.${s.slice(0, -1)}${s.endsWith('A') ? 'B' : 'A'}`;
		const foreign = signToken('sandbox', 3600, Buffer.from('not the server secret'));
		for (const auth of ['garbage', `Bearer ${token}`, flipped, foreign, `${h}.${p}`]) {
			const answer = await call(ctx.sb, 'GET', PATHS.details(someId), { headers: { auth } });
			expect(answer.status).toBe(401);
			expect(answer.body).toEqual({ message: 'Token is invalid' });
		}
		// And the genuine token passes auth (then fails on the unknown id).
		expect((await call(ctx.sb, 'GET', PATHS.details(someId), { headers: { auth: token } })).status).toBe(400);
	});

	it('stops accepting a token once it expires', async () => {
		const shortLived = await createSandbox({ tokenTtlSec: 0.15 });
		try {
			const token = await getToken(shortLived);
			const claims = obj(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()));
			const remaining = Number(claims.exp) - Date.now() / 1000;
			expect(remaining).toBeGreaterThan(0);
			expect(remaining).toBeLessThan(0.151); // a fractional exp, not rounded up to a whole second
			expect((await call(shortLived, 'GET', PATHS.details(someId), { headers: { auth: token } })).status).toBe(400);
			await sleep(250);
			const answer = await call(shortLived, 'GET', PATHS.details(someId), { headers: { auth: token } });
			expect(answer.status).toBe(401);
			expect(answer.body).toEqual({ message: 'Token is invalid' });
		} finally {
			await shortLived.close();
		}
	});

	it('expireTokens() invalidates every token issued so far, new ones work', async () => {
		const first = await getToken(ctx.sb);
		const second = await getToken(ctx.sb);
		ctx.sb.expireTokens();
		for (const auth of [first, second]) {
			const answer = await call(ctx.sb, 'GET', PATHS.details(someId), { headers: { auth } });
			expect(answer.body).toEqual({ message: 'Token is invalid' });
		}
		const fresh = await getToken(ctx.sb);
		expect((await call(ctx.sb, 'GET', PATHS.details(someId), { headers: { auth: fresh } })).status).toBe(400);
	});
});

describe('jwt module', () => {
	const secret = Buffer.from('test-secret');

	it('round-trips and rejects expiry, algorithm swaps and payload edits', () => {
		const now = 1_700_000_000_000;
		const token = signToken('alice', 60, secret, now);
		expect(verifyToken(token, secret, now)).toEqual({ ok: true, payload: { sub: 'alice', iat: 1_700_000_000, exp: 1_700_000_060 } });
		expect(verifyToken(token, secret, now + 60_000).ok).toBe(false);

		const [, payload, signature] = token.split('.');
		const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
		expect(verifyToken(`${none}.${payload}.${signature}`, secret, now).ok).toBe(false);
		const edited = Buffer.from(JSON.stringify({ sub: 'mallory', iat: 1, exp: 9_999_999_999 })).toString('base64url');
		expect(verifyToken(`${token.split('.')[0]}.${edited}.${signature}`, secret, now).ok).toBe(false);
	});
});
