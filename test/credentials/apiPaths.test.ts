/**
 * Bank-hosted installs: the credential's Custom API Paths reach every request (the Test button,
 * the login, the token probe, Send Link, Get Session, Push DKYC, the trigger), a credential saved
 * before the switch existed keeps the standard paths, and bad prefixes are named.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { TEST_PHONE, validDkycSections } from '../../sandbox/fixtures';
import type { Sandbox } from '../../sandbox/server';
import { createSandbox } from '../../sandbox/server';
import { CREDENTIAL_ID, Harness } from '../../harness/harness';
import { PollRunner } from '../../harness/poll';
import { KWIKID, kwikIdWorkflow } from '../../harness/workflows';
import { resolveApiPrefixes } from '../../nodes/KwikId/shared/apiPaths';

const BANK_FIELDS = { customApiPaths: true, agentApiPrefix: '', appApiPrefix: '' };

function harnessFor(sandbox: Sandbox, fields: ICredentialDataDecryptedObject = {}): Harness {
	return new Harness().addKwikIdCredential({
		domain: sandbox.url,
		environment: 'test',
		username: sandbox.username,
		password: sandbox.password,
		...fields,
	});
}

const sendLink = (userId: string) =>
	kwikIdWorkflow({ resource: 'session', operation: 'sendLink', userId, phoneNumber: '9876543210' });
const getSession = (sessionId: string) => kwikIdWorkflow({ resource: 'session', operation: 'get', sessionId });
const pushDkyc = (userId: string) =>
	kwikIdWorkflow({
		resource: 'dkyc',
		operation: 'pushUserData',
		userId,
		phoneNumber: TEST_PHONE,
		dataMode: 'json',
		sectionsJson: JSON.stringify(validDkycSections()),
	});

/** The API paths the sandbox was asked for, in order, ids replaced by ":id". */
function pathsAsked(sandbox: Sandbox): string[] {
	return sandbox.requestLog().map((entry) => `${entry.method} ${entry.path.replace(/(get_details\/)[^/]+$/, '$1:id')} ${entry.status}`);
}

describe('a bank-hosted install (API under /v1, no prefix)', () => {
	let bank: Sandbox;
	beforeAll(async () => {
		bank = await createSandbox({ paths: 'bank' });
	});
	afterAll(async () => bank.close());
	beforeEach(() => bank.reset());

	it('passes the credential test with Custom API Paths on and empty prefixes', async () => {
		expect(await harnessFor(bank, BANK_FIELDS).testKwikIdCredential()).toEqual({ status: 'OK', message: 'Connection successful!' });
		// preAuthentication's login, then the test request's own.
		expect(pathsAsked(bank)).toEqual(['POST /v1/agent/generate_token 200', 'POST /v1/agent/generate_token 200']);
	});

	it('runs Send Link, Get Session and Push DKYC Data against it', async () => {
		const harness = harnessFor(bank, BANK_FIELDS);
		const linked = await harness.run(sendLink('BANK-LEAD-1'));
		expect(linked.error).toBeUndefined();
		const sessionId = String(linked.output(KWIKID)[0].json.session_id);
		const got = await harness.run(getSession(sessionId));
		expect(got.error).toBeUndefined();
		expect(got.output(KWIKID)[0].json).toMatchObject({ session_id: sessionId, user_id: 'BANK-LEAD-1' });
		const pushed = await harness.run(pushDkyc('BANK-LEAD-2'));
		expect(pushed.error).toBeUndefined();
		expect(pushed.output(KWIKID)[0].json).toMatchObject({ success: true });
		expect(bank.getSession(String(pushed.output(KWIKID)[0].json.session_id))?.session_type).toBe('DKYC');

		expect(pathsAsked(bank)).toEqual([
			'POST /v1/agent/generate_token 200',
			'POST /v1/agent/sendLink/ 200',
			'GET /v1/session/get_details/:id 200',
			'POST /v1/dkyc/push_user_data 200',
		]);
	});

	it('renews an expired token through the bank path (the probe too)', async () => {
		const harness = harnessFor(bank, BANK_FIELDS);
		const sessionId = bank.createSession().session_id;
		expect((await harness.run(getSession(sessionId))).error).toBeUndefined();
		bank.expireTokens();
		const again = await harness.run(getSession(sessionId));
		expect(again.error).toBeUndefined();
		expect(again.output(KWIKID)[0].json.session_id).toBe(sessionId);
		expect(bank.stats().requests.generate_token).toBe(2);
		// The refused read, n8n's probe (refused, then resent after the login), the read again.
		expect(pathsAsked(bank).slice(2)).toEqual([
			'GET /v1/session/get_details/:id 401',
			'GET /v1/session/get_details/:id 401',
			'POST /v1/agent/generate_token 200',
			'GET /v1/session/get_details/:id 400',
			'GET /v1/session/get_details/:id 200',
		]);
	});

	it('lets the trigger watch its sessions', async () => {
		const [a, b] = [bank.createSession().session_id, bank.createSession().session_id];
		const runner = new PollRunner(harnessFor(bank, BANK_FIELDS), { sessionIds: `${a}, ${b}` });
		expect(await runner.poll()).toEqual({ kind: 'none' });
		bank.setStatus(a, 'kyc_result_rejected');
		const items = await runner.items();
		expect(items.map((item) => [item.json.session_id, item.json.status])).toEqual([[a, 'kyc_result_rejected']]);
		expect(bank.stats().statusCodes['404']).toBeUndefined();
	});

	it('tells a credential with the standard paths where to look', async () => {
		const result = await harnessFor(bank).testKwikIdCredential();
		expect(result.status).toBe('Error');
		expect(result.message).toContain('404 on /agentapi/v1/agent/generate_token');
		expect(result.message).toContain('Custom API Paths');

		const run = await harnessFor(bank).run(getSession('any-session'));
		expect(run.error?.message).toContain('Custom API Paths');
	});
});

describe('the standard install', () => {
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await createSandbox();
	});
	afterAll(async () => sandbox.close());
	beforeEach(() => sandbox.reset());

	it.each([
		['saved before Custom API Paths existed (neither field)', {}],
		['Custom API Paths off, with prefixes left over from earlier', { customApiPaths: false, agentApiPrefix: '', appApiPrefix: '/x' }],
		['Custom API Paths on with the default prefixes', { customApiPaths: true, agentApiPrefix: '/agentapi', appApiPrefix: '/appapi/' }],
	])('uses /agentapi and /appapi for a credential %s', async (_case, fields) => {
		const harness = new Harness();
		// Stored exactly as given: no defaults filled in for the new fields.
		harness.store.add({
			id: CREDENTIAL_ID,
			name: 'KwikID account',
			type: 'kwikIdApi',
			data: { domain: sandbox.url, environment: 'test', username: sandbox.username, password: sandbox.password, ...fields },
		});
		expect(await harness.testKwikIdCredential()).toEqual({ status: 'OK', message: 'Connection successful!' });
		const linked = await harness.run(sendLink('STD-LEAD-1'));
		expect(linked.error).toBeUndefined();
		expect((await harness.run(getSession(String(linked.output(KWIKID)[0].json.session_id)))).error).toBeUndefined();
		expect((await harness.run(pushDkyc('STD-LEAD-2'))).error).toBeUndefined();
		expect(new Set(pathsAsked(sandbox))).toEqual(
			new Set([
				'POST /agentapi/v1/agent/generate_token 200',
				'POST /agentapi/v1/agent/sendLink/ 200',
				'GET /agentapi/v1/session/get_details/:id 200',
				'POST /appapi/v1/dkyc/push_user_data 200',
			]),
		);
	});

	it.each([
		['agentApiPrefix', 'agentapi', 'Agent API Path Prefix', /must start with "\/"/],
		['agentApiPrefix', '/a/../admin', 'Agent API Path Prefix', /must not contain "\." or "\.\." segments/],
		['agentApiPrefix', '/agentapi?debug=1', 'Agent API Path Prefix', /without "\?" or "#"/],
		['agentApiPrefix', '/agent api', 'Agent API Path Prefix', /may only hold letters, digits/],
		['agentApiPrefix', '//evil.example/x', 'Agent API Path Prefix', /may only hold letters, digits/],
		['appApiPrefix', '/app%2e%2e', 'App API Path Prefix', /may only hold letters, digits/],
		['appApiPrefix', 'https://other.example/appapi', 'App API Path Prefix', /must start with "\/"/],
	])('refuses %s "%s", naming the field, before any request', async (field, value, label, reason) => {
		const harness = harnessFor(sandbox, { customApiPaths: true, [field]: value });
		const tested = await harness.testKwikIdCredential();
		expect(tested.status).toBe('Error');
		expect(tested.message).toContain(`The KwikID credential's ${label} "${value}"`);
		expect(tested.message).toMatch(reason);

		const run = await harness.run(getSession('any-session'));
		expect(run.error?.message).toContain(label);
		expect(sandbox.stats().total).toBe(0);
	});
});

describe('resolveApiPrefixes', () => {
	it.each([
		[{}, { agent: '/agentapi', app: '/appapi' }],
		[{ customApiPaths: false, agentApiPrefix: '' }, { agent: '/agentapi', app: '/appapi' }],
		[{ customApiPaths: true }, { agent: '/agentapi', app: '/appapi' }],
		[{ customApiPaths: true, agentApiPrefix: '', appApiPrefix: ' / ' }, { agent: '', app: '' }],
		[{ customApiPaths: true, agentApiPrefix: '/kyc/agentapi/', appApiPrefix: '/kyc/appapi' }, { agent: '/kyc/agentapi', app: '/kyc/appapi' }],
	])('%j -> %j', (fields, prefixes) => {
		expect(resolveApiPrefixes(fields)).toEqual({ ok: true, prefixes });
	});
});
