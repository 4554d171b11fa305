import { PATHS, call, getToken, obj, useSandbox, validSendLink } from './helpers';

const ctx = useSandbox();

describe('sendLink', () => {
	it('creates a waiting session and answers the documented body', async () => {
		const auth = await getToken(ctx.sb);
		const before = Date.now() / 1000;
		const answer = await call(ctx.sb, 'POST', PATHS.sendLink, {
			json: validSendLink({ extras: { last_kyc_date: '1691154990', loan_amt: 50000 } }),
			headers: { auth, accept: 'application/json' },
		});
		expect(answer.status).toBe(200);
		const body = obj(answer.body);
		expect(Object.keys(body)).toEqual([
			'link_expiry_time',
			'link_id',
			'link_url',
			'phone_number',
			'session_id',
			'user_id',
			'validity_duration',
		]);
		expect(body.link_id).toMatch(/^[A-Za-z0-9]{12}$/);
		expect(body.link_url).toBe(`${ctx.sb.url}/user/%3Fl%3D${String(body.link_id)}%26d%3D1%26s%3D0`);
		expect(body.session_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		expect(body).toMatchObject({ phone_number: '9876543210', user_id: 'user-1', validity_duration: 900 });
		expect(body.link_expiry_time).toMatch(/^[0-9]+\.[0-9]+$/);
		expect(Number(body.link_expiry_time) - before).toBeGreaterThanOrEqual(899);
		expect(Number(body.link_expiry_time) - before).toBeLessThan(905);

		const session = ctx.sb.getSession(String(body.session_id));
		expect(session).toMatchObject({
			status: 'waiting',
			user_id: 'user-1',
			phone_number: '9876543210',
			session_type: 'VKYC',
			origin: 'KWIKID_ID',
			extras: { last_kyc_date: '1691154990', loan_amt: 50000 },
			link_id: body.link_id,
		});
	});

	it('takes the validity from extras.link_expires_in and keeps session_type and origin', async () => {
		const auth = await getToken(ctx.sb);
		const answer = await call(ctx.sb, 'POST', PATHS.sendLink, {
			json: validSendLink({ link_type: 'scheduled', session_type: 'RE_KYC', origin: 'CRM', extras: { link_expires_in: '3600' } }),
			headers: { auth },
		});
		expect(answer.status).toBe(200);
		const body = obj(answer.body);
		expect(body.validity_duration).toBe(3600);
		expect(ctx.sb.getSession(String(body.session_id))).toMatchObject({ session_type: 'RE_KYC', origin: 'CRM', validity_duration: 3600 });
	});

	it.each([
		['user_id missing', { user_id: undefined }],
		['user_id empty', { user_id: '' }],
		['user_id a number', { user_id: 42 }],
		['phone with 9 digits', { phone_number: '987654321' }],
		['phone with country code', { phone_number: '+919876543210' }],
		['phone a number', { phone_number: 9876543210 }],
		['send_notification 2', { send_notification: 2 }],
		['send_notification "1"', { send_notification: '1' }],
		['send_notification true', { send_notification: true }],
		['link_type wrong case', { link_type: 'Free' }],
		['link_type unknown', { link_type: 'instant' }],
		['link_type missing', { link_type: undefined }],
		['session_type a number', { session_type: 3 }],
		['extras an array', { extras: ['a'] }],
		['extras with an object value', { extras: { nested: { a: 1 } } }],
		['link_expires_in not a number', { extras: { link_expires_in: 'soon' } }],
	])('answers malformed input with the HTML 400 page: %s', async (_name, overrides) => {
		const auth = await getToken(ctx.sb);
		const answer = await call(ctx.sb, 'POST', PATHS.sendLink, { json: validSendLink(overrides), headers: { auth } });
		expect(answer.status).toBe(400);
		expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
		expect(answer.text).toContain('<h1>Bad Request</h1>');
		expect(ctx.sb.listSessions()).toHaveLength(0);
	});

	it('answers a non-JSON body (or no JSON content type) with the HTML 400 page', async () => {
		const auth = await getToken(ctx.sb);
		const broken = await call(ctx.sb, 'POST', PATHS.sendLink, {
			raw: '{"user_id": ',
			headers: { auth, 'content-type': 'application/json' },
		});
		expect(broken.status).toBe(400);
		expect(broken.text).toContain('Bad Request');
		const untyped = await call(ctx.sb, 'POST', PATHS.sendLink, { raw: JSON.stringify(validSendLink()), headers: { auth } });
		expect(untyped.status).toBe(400);
	});

	it('checks auth before the body', async () => {
		const answer = await call(ctx.sb, 'POST', PATHS.sendLink, { raw: 'not json' });
		expect(answer.status).toBe(401);
		expect(answer.body).toEqual({ message: 'Missing authorization header' });
	});

	it('redirects the path without the trailing slash with 308', async () => {
		const auth = await getToken(ctx.sb);
		const answer = await call(ctx.sb, 'POST', '/agentapi/v1/agent/sendLink?x=1', {
			json: validSendLink(),
			headers: { auth },
			redirect: 'manual',
		});
		expect(answer.status).toBe(308);
		expect(answer.headers.get('location')).toBe(`${ctx.sb.url}/agentapi/v1/agent/sendLink/?x=1`);
		expect(ctx.sb.listSessions()).toHaveLength(0);
		// 308 keeps method and body, so a client that follows it still succeeds.
		const followed = await call(ctx.sb, 'POST', '/agentapi/v1/agent/sendLink', { json: validSendLink(), headers: { auth } });
		expect(followed.status).toBe(200);
		expect(ctx.sb.stats().statusCodes).toMatchObject({ '308': 2, '200': 2 });
		expect(ctx.sb.stats().requests.sendLink).toBe(1);
	});
});

describe('routing', () => {
	it('answers unknown paths with the HTML 404 and wrong methods with 405', async () => {
		const missing = await call(ctx.sb, 'GET', '/agentapi/v1/agent/nothing');
		expect(missing.status).toBe(404);
		expect(missing.headers.get('content-type')).toMatch(/^text\/html/);
		expect(missing.text).toContain('Not Found');
		expect((await call(ctx.sb, 'GET', '/agentapi/v1/session/get_details/')).status).toBe(404);

		const wrongMethod = await call(ctx.sb, 'GET', PATHS.sendLink);
		expect(wrongMethod.status).toBe(405);
		expect(wrongMethod.headers.get('allow')).toBe('POST, OPTIONS');
	});
});
