/** The sandbox's bank-hosted path mode: the API without /agentapi and /appapi, the usual paths 404. */
import { createSandbox, type Sandbox } from '../../sandbox/server';
import { call, PATHS, validSendLink } from './helpers';

let sandbox: Sandbox;

beforeAll(async () => {
	sandbox = await createSandbox({ paths: 'bank' });
});
afterAll(async () => sandbox.close());
beforeEach(() => sandbox.reset());

async function bankToken(): Promise<string> {
	const answer = await call(sandbox, 'POST', '/v1/agent/generate_token', {
		json: { username: sandbox.username, password: sandbox.password },
	});
	expect(answer.status).toBe(200);
	return String((answer.body as { Token: unknown }).Token);
}

describe('sandbox paths: bank', () => {
	it('serves login, sendLink, get_details and push_user_data under /v1 with no prefix', async () => {
		const auth = await bankToken();
		const link = await call(sandbox, 'POST', '/v1/agent/sendLink/', { json: validSendLink(), headers: { auth } });
		expect(link.status).toBe(200);
		const sessionId = String((link.body as { session_id: unknown }).session_id);
		const details = await call(sandbox, 'GET', `/v1/session/get_details/${sessionId}`, { headers: { auth } });
		expect(details.status).toBe(200);
		expect((details.body as { session_data: { session_id: unknown } }).session_data.session_id).toBe(sessionId);
		// Reached the endpoint (an empty body is refused by the endpoint, not the router).
		expect((await call(sandbox, 'POST', '/v1/dkyc/push_user_data', { json: {}, headers: { auth } })).status).toBe(400);
		expect(sandbox.stats().requests).toMatchObject({ generate_token: 1, sendLink: 1, get_details: 1, push_user_data: 1 });
	});

	it('answers the standard paths 404, as an install that does not serve them', async () => {
		for (const path of [PATHS.token, PATHS.sendLink, PATHS.push]) {
			expect((await call(sandbox, 'POST', path, { json: {} })).status).toBe(404);
		}
		expect((await call(sandbox, 'GET', PATHS.details('abc'))).status).toBe(404);
		expect(sandbox.stats().total).toBe(0);
	});

	it('redirects sendLink without its trailing slash to the bank path', async () => {
		const answer = await call(sandbox, 'POST', '/v1/agent/sendLink?x=1', { json: validSendLink(), redirect: 'manual' });
		expect(answer.status).toBe(308);
		expect(answer.headers.get('location')).toBe(`${sandbox.url}/v1/agent/sendLink/?x=1`);
	});

	it('refuses an unknown path mode', async () => {
		await expect(createSandbox({ paths: 'other' as 'bank' })).rejects.toThrow(/paths must be 'standard' or 'bank'/);
	});
});
