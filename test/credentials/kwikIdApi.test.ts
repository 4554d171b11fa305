/**
 * The KwikID API credential as n8n uses it: token fetched through preAuthentication, stored in
 * the expirable field, reused across items and executions, refreshed once on a 401; readable
 * errors that never carry the password or the token; the dialog's Test button.
 */
import type { IHttpRequestHelper, IHttpRequestOptions } from 'n8n-workflow';

import type { Sandbox } from '../../sandbox/server';
import { fetchToken } from '../../nodes/KwikId/transport/token';
import { resolveBaseUrl } from '../../nodes/KwikId/shared/baseUrl';
import type { Harness } from '../../harness/harness';
import { CREDENTIAL_ID } from '../../harness/harness';
import { KWIKID, kwikIdWorkflow, pinned, startSandboxHarness } from '../../harness/workflows';

let sandbox: Sandbox;
let harness: Harness;

beforeEach(async () => {
	({ sandbox, harness } = await startSandboxHarness());
});

afterEach(async () => {
	await sandbox.close();
});

const getSession = (sessionId: string) =>
	kwikIdWorkflow({ resource: 'session', operation: 'get', sessionId });

const sendLinks = () =>
	kwikIdWorkflow({
		resource: 'session',
		operation: 'sendLink',
		userId: '={{ $json.userId }}',
		phoneNumber: '={{ $json.phone }}',
	});

function leads(count: number) {
	return pinned(
		Array.from({ length: count }, (_, i) => ({ userId: `lead-${i}`, phone: `98765${String(i).padStart(5, '0')}` })),
	);
}

describe('token caching', () => {
	it('makes one token call for a 1,000-item run', async () => {
		const result = await harness.run(sendLinks(), { pinData: leads(1000) });

		expect(result.error).toBeUndefined();
		const output = result.output(KWIKID);
		expect(output).toHaveLength(1000);
		expect(output[999].pairedItem).toEqual({ item: 999 });
		expect(output[999].json.user_id).toBe('lead-999');
		expect(sandbox.stats().requests.generate_token).toBe(1);
		expect(sandbox.stats().requests.sendLink).toBe(1000);
	});

	it('reuses one stored token across ten executions', async () => {
		const session = sandbox.createSession({});
		for (let run = 0; run < 10; run++) {
			const result = await harness.run(getSession(session.session_id));
			expect(result.error).toBeUndefined();
			expect(result.output(KWIKID)[0].json.session_id).toBe(session.session_id);
		}
		expect(sandbox.stats().requests.generate_token).toBe(1);
		expect(sandbox.stats().requests.get_details).toBe(10);
		// What n8n keeps in its database between executions: the token in the hidden field.
		expect(harness.store.get(CREDENTIAL_ID).data.token).toMatch(/^eyJ/);
	});

	it('refreshes the token exactly once after a 401, and the run succeeds', async () => {
		const session = sandbox.createSession({});
		await harness.run(getSession(session.session_id));
		expect(sandbox.stats().requests.generate_token).toBe(1);
		const firstToken = harness.store.get(CREDENTIAL_ID).data.token;

		sandbox.expireTokens();
		const items = pinned(Array.from({ length: 10 }, () => ({ id: session.session_id })));
		const result = await harness.run(
			kwikIdWorkflow({ resource: 'session', operation: 'get', sessionId: '={{ $json.id }}' }),
			{ pinData: items },
		);

		expect(result.error).toBeUndefined();
		expect(result.output(KWIKID)).toHaveLength(10);
		expect(sandbox.stats().requests.generate_token).toBe(2);
		// Items run concurrently, so every request in flight with the old token is refused once
		// (10 items), plus the one n8n resends with it before logging in; none twice.
		expect(sandbox.stats().byEndpoint.get_details['401']).toBeLessThanOrEqual(11);
		expect(sandbox.stats().byEndpoint.get_details['200']).toBe(1 + 10); // the first run's read, then each item once
		expect(harness.store.get(CREDENTIAL_ID).data.token).not.toBe(firstToken);
	});

	it('survives a token expiring in the middle of a run with one new token call', async () => {
		const session = sandbox.createSession({});
		sandbox.setFaults({ latencyMs: 20 });
		const items = pinned(Array.from({ length: 12 }, () => ({ id: session.session_id })));
		const running = harness.run(
			kwikIdWorkflow({ resource: 'session', operation: 'get', sessionId: '={{ $json.id }}' }),
			{ pinData: items },
		);
		// Wait until the run is past its first requests (bounded: a broken run must not hang the
		// suite), then revoke every token.
		const deadline = Date.now() + 5000;
		while (sandbox.stats().requests.get_details < 4 && Date.now() < deadline) {
			await new Promise((resolve) => setTimeout(resolve, 5));
		}
		expect(sandbox.stats().requests.get_details).toBeGreaterThanOrEqual(4);
		sandbox.expireTokens();
		const result = await running;

		expect(result.error).toBeUndefined();
		expect(result.output(KWIKID)).toHaveLength(12);
		expect(sandbox.stats().requests.generate_token).toBe(2);
	});
});

describe('parallel logins', () => {
	it('shares one login between requests that need a token at the same moment', async () => {
		sandbox.setFaults({ latencyMs: 30 });
		const helper = {
			helpers: {
				httpRequest: async (options: IHttpRequestOptions) => {
					const response = await fetch(options.url, {
						method: options.method,
						headers: { 'content-type': 'application/json' },
						body: JSON.stringify(options.body),
					});
					return { statusCode: response.status, headers: {}, body: await response.json() };
				},
			},
		} as unknown as IHttpRequestHelper;
		const credentials = { domain: sandbox.url, username: sandbox.username, password: sandbox.password };

		const tokens = await Promise.all(Array.from({ length: 10 }, async () => await fetchToken(helper, credentials)));

		expect(new Set(tokens).size).toBe(1);
		expect(sandbox.stats().requests.generate_token).toBe(1);
		// Once it is done, the next login is a new one (a later 401 must get a fresh token).
		await fetchToken(helper, credentials);
		expect(sandbox.stats().requests.generate_token).toBe(2);
	});
});

describe('token errors a user can act on', () => {
	const secretsIn = (text: string) =>
		[sandbox.password, 'sandbox1234', harness.store.get(CREDENTIAL_ID).data.token]
			.filter((s): s is string => typeof s === 'string' && s.length > 0)
			.some((secret) => text.includes(secret));

	async function runWith(data: Record<string, string>) {
		harness.store.update(CREDENTIAL_ID, { ...harness.store.get(CREDENTIAL_ID).data, ...data });
		const session = sandbox.createSession({});
		return await harness.run(getSession(session.session_id));
	}

	it('says the username and password did not match, without the password', async () => {
		const result = await runWith({ password: 'wrongpass123' });
		const message = result.error?.message ?? '';
		expect(message).toMatch(/did not accept the Username "sandbox"/);
		expect(message).not.toContain('wrongpass123');
		expect(JSON.stringify(result.error)).not.toContain('wrongpass123');
	});

	it('explains the documented username and password rules on a 400', async () => {
		const result = await runWith({ username: 'ab', password: 'short' });
		expect(result.error?.message).toMatch(/3-20 letters or digits.*8-32/);
		expect(JSON.stringify(result.error)).not.toContain('"short"');
	});

	it('waits out a short 429 burst on the token call', async () => {
		sandbox.setFaults({ burst429: { count: 2, endpoint: 'generate_token', retryAfterSec: 0 } });
		const result = await runWith({});
		expect(result.error).toBeUndefined();
		expect(sandbox.stats().requests.generate_token).toBe(3);
	});

	it('gives up on a long 429 run with a rate-limit message', async () => {
		sandbox.setFaults({ burst429: { count: 50, endpoint: 'generate_token', retryAfterSec: 0 } });
		const result = await runWith({});
		expect(result.error?.message).toMatch(/rate-limiting logins/);
		expect(sandbox.stats().requests.generate_token).toBe(4);
	});

	it('says the host refused the connection when nothing listens there', async () => {
		const result = await runWith({ domain: 'http://127.0.0.1:1' });
		expect(result.error?.message).toMatch(/refused the connection/);
	});

	it('refuses plain http to a remote host before sending anything', async () => {
		const result = await runWith({ domain: 'http://kyc.example.com' });
		expect(result.error?.message).toMatch(/plain http is only allowed for a local sandbox/);
		expect(sandbox.stats().total).toBe(0);
	});

	it('never puts the token in an API error', async () => {
		const result = await harness.run(getSession('no-such-session'));
		expect(result.error?.message).toMatch(/does not know the session id "no-such-session"/);
		expect(secretsIn(JSON.stringify(result.error))).toBe(false);
	});
});

describe('the Test button', () => {
	it('says the connection works for a valid login', async () => {
		expect(await harness.testKwikIdCredential()).toEqual({ status: 'OK', message: 'Connection successful!' });
	});

	it('says why a wrong password fails, without echoing it', async () => {
		harness.store.update(CREDENTIAL_ID, { ...harness.store.get(CREDENTIAL_ID).data, password: 'wrongpass123' });
		const result = await harness.testKwikIdCredential();
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/did not accept/);
		expect(result.message).not.toContain('wrongpass123');
	});

	it('says what is wrong with a malformed domain', async () => {
		harness.store.update(CREDENTIAL_ID, { ...harness.store.get(CREDENTIAL_ID).data, domain: 'http://kyc.example.com' });
		const result = await harness.testKwikIdCredential();
		expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/plain http/) });
	});
});

describe('domain resolution', () => {
	it.each([
		['acme', 'test', 'https://acme.test.getkwikid.com'],
		['acme', 'app', 'https://acme.app.getkwikid.com'],
		['ACME ', 'test', 'https://acme.test.getkwikid.com'],
		['acme.test.getkwikid.com', 'app', 'https://acme.test.getkwikid.com'],
		['https://kyc.mybank.in/', 'test', 'https://kyc.mybank.in'],
		['https://kyc.mybank.in/kwikid', 'test', 'https://kyc.mybank.in/kwikid'],
		['http://127.0.0.1:8765', 'test', 'http://127.0.0.1:8765'],
		['http://localhost:8765/', 'app', 'http://localhost:8765'],
	])('%s (%s) -> %s', (domain, environment, url) => {
		expect(resolveBaseUrl(domain, environment)).toEqual({ ok: true, url });
	});

	it.each([
		['', /no Domain/],
		['http://kyc.mybank.in', /plain http/],
		['ftp://kyc.mybank.in', /only https/],
		['https://user:pw@kyc.mybank.in', /must not contain/],
		['https://kyc.mybank.in/?x=1', /must not contain/],
		['acme corp', /not a domain|invalid host/],
	])('refuses %j', (domain, reason) => {
		const result = resolveBaseUrl(domain, 'test');
		expect(result.ok).toBe(false);
		expect(result.ok ? '' : result.reason).toMatch(reason);
	});
});
