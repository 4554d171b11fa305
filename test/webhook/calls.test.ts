/**
 * The KwikID Webhook Trigger as a caller meets it: real HTTP into n8n-core's WebhookContext,
 * the session read from the sandbox, executions counted as n8n starts them.
 *
 * One table of calls: what is sent, what is answered, whether an execution starts, and how
 * many times the KwikID API was asked.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import type { CallResult, WebhookServer } from '../../harness/webhook';
import { AUTH, SECRET, shapes, useWebhookFixture } from './helpers';

const fx = useWebhookFixture();

interface Case {
	name: string;
	/** The session's status in the sandbox before the call. */
	status?: string;
	parameters?: INodeParameters;
	secret?: ICredentialDataDecryptedObject | null;
	withoutSecretCredential?: boolean;
	/** The call, built from the session id. */
	body: (id: string) => string | IDataObject | unknown[];
	headers?: Record<string, string>;
	expectStatus: number;
	/** Whether an execution starts (exactly one) or none. */
	emits: boolean;
	/** get_details requests the call may cost. */
	apiCalls: number;
	/** Checks on the emitted item, or on the answer. */
	check?: (result: CallResult, emitted: IDataObject | undefined, id: string) => void;
}

const json = { 'content-type': 'application/json' };
const deep = (levels: number, id: string): IDataObject => {
	let body: IDataObject = { session_id: id };
	for (let i = 0; i < levels; i++) body = { nested: body };
	return { ...body, session_id: id };
};

const cases: Case[] = [
	// --- authentication, failing closed ---
	{
		name: 'a good call (flat JSON) starts one execution with the verified session',
		body: (id) => shapes.flat(id),
		headers: AUTH,
		expectStatus: 200,
		emits: true,
		apiCalls: 1,
		check: (result, item, id) => {
			expect(result.json).toEqual({ message: 'Workflow was started' });
			expect(item).toMatchObject({
				session_id: id,
				status: 'kyc_result_approved',
				outcome: 'approved',
				verified: true,
				event: 'maker_approved',
				event_name: 'Maker Approved',
			});
			expect(new Date(String(item?.received_at)).toISOString()).toBe(item?.received_at);
			expect(item?.body).toMatchObject({ event: 'Maker Approved', session_id: id });
		},
	},
	{
		name: 'no secret header: 401, no execution, KwikID not asked',
		body: (id) => shapes.flat(id),
		expectStatus: 401,
		emits: false,
		apiCalls: 0,
		check: (result) => expect(String(result.json?.message)).toMatch(/secret header is missing/),
	},
	{
		name: 'a wrong secret: 403, no execution',
		body: (id) => shapes.flat(id),
		headers: { authorization: 'Bearer wrong-wrong-wrong-wrong-wrong' },
		expectStatus: 403,
		emits: false,
		apiCalls: 0,
	},
	{
		name: 'the secret with one character changed: 403',
		body: (id) => shapes.flat(id),
		headers: { authorization: `${SECRET.slice(0, -1)}x` },
		expectStatus: 403,
		emits: false,
		apiCalls: 0,
	},
	{
		name: 'the secret in another header than the one configured: 401',
		body: (id) => shapes.flat(id),
		headers: { 'x-kwikid-secret': SECRET },
		expectStatus: 401,
		emits: false,
		apiCalls: 0,
	},
	{
		name: 'a custom header name (X-KwikID-Secret) configured and sent: accepted',
		secret: { headerName: 'X-KwikID-Secret', secret: 'a-long-random-secret-0123456789' },
		body: (id) => shapes.flat(id),
		headers: { 'x-kwikid-secret': 'a-long-random-secret-0123456789' },
		expectStatus: 200,
		emits: true,
		apiCalls: 1,
	},
	{
		name: 'no secret credential on the node: every call refused, saying why',
		withoutSecretCredential: true,
		body: (id) => shapes.flat(id),
		headers: AUTH,
		expectStatus: 500,
		emits: false,
		apiCalls: 0,
		check: (result) => expect(String(result.json?.message)).toMatch(/accepts no calls until it has a webhook secret/),
	},
	{
		name: 'an empty secret configured: refused (an empty header must not match it)',
		secret: { headerName: 'Authorization', secret: '' },
		body: (id) => shapes.flat(id),
		headers: { authorization: '' },
		expectStatus: 500,
		emits: false,
		apiCalls: 0,
	},
	{
		name: 'a secret shorter than 16 characters configured: refused, saying so',
		secret: { headerName: 'Authorization', secret: 'short' },
		body: (id) => shapes.flat(id),
		headers: { authorization: 'short' },
		expectStatus: 500,
		emits: false,
		apiCalls: 0,
		check: (result) => expect(String(result.json?.message)).toMatch(/shorter than 16/),
	},
	{
		name: 'Allowed IP Addresses containing the caller: accepted',
		parameters: { options: { allowedIps: '10.0.0.0/8, 127.0.0.1' } },
		body: (id) => shapes.flat(id),
		headers: AUTH,
		expectStatus: 200,
		emits: true,
		apiCalls: 1,
	},
	{
		name: 'Allowed IP Addresses not containing the caller: 403 even with the right secret',
		parameters: { options: { allowedIps: '203.0.113.0/24, 2001:db8::/32' } },
		body: (id) => shapes.flat(id),
		headers: AUTH,
		expectStatus: 403,
		emits: false,
		apiCalls: 0,
	},
	{
		name: 'Allowed IP Addresses unreadable: no call accepted',
		parameters: { options: { allowedIps: '127.0.0.1, not-an-address' } },
		body: (id) => shapes.flat(id),
		headers: AUTH,
		expectStatus: 403,
		emits: false,
		apiCalls: 0,
		check: (result) => expect(String(result.json?.message)).toMatch(/not-an-address/),
	},
	// --- every payload shape ---
	{
		name: 'nested JSON (event_type, data.sessionId)',
		status: 'kyc_result_rejected',
		body: (id) => shapes.nested(id, 'MAKER_REJECTED'),
		headers: AUTH,
		expectStatus: 200,
		emits: true,
		apiCalls: 1,
		check: (_result, item, id) =>
			expect(item).toMatchObject({ session_id: id, event: 'maker_rejected', event_name: 'MAKER_REJECTED', outcome: 'rejected' }),
	},
	{
		name: 'dashboard JSON (webhook.name, payload.session.session_id)',
		body: (id) => shapes.dashboard(id, 'checker_approved'),
		headers: AUTH,
		expectStatus: 200,
		emits: true,
		apiCalls: 1,
		check: (_result, item, id) => expect(item).toMatchObject({ session_id: id, event: 'checker_approved' }),
	},
	{
		name: 'form data',
		body: (id) => shapes.form(id, 'Checker Rejected'),
		headers: { ...AUTH, 'content-type': 'application/x-www-form-urlencoded' },
		expectStatus: 200,
		emits: true,
		apiCalls: 1,
		check: (_result, item, id) =>
			expect(item).toMatchObject({ session_id: id, event: 'checker_rejected', body: { session_id: id, event: 'Checker Rejected' } }),
	},
	{
		name: 'JSON sent as text/plain',
		body: (id) => JSON.stringify(shapes.flat(id)),
		headers: { ...AUTH, 'content-type': 'text/plain' },
		expectStatus: 200,
		emits: true,
		apiCalls: 1,
	},
	{
		name: 'JSON with a charset and a vendor type (application/vnd.kwikid+json; charset=utf-8)',
		body: (id) => JSON.stringify(shapes.flat(id)),
		headers: { ...AUTH, 'content-type': 'application/vnd.kwikid+json; charset=utf-8' },
		expectStatus: 200,
		emits: true,
		apiCalls: 1,
	},
	{
		name: 'camelCase event names and a session object (event.name, session.id)',
		body: (id) => ({ event: { name: 'CheckerApproved' }, session: { id } }),
		headers: AUTH,
		expectStatus: 200,
		emits: true,
		apiCalls: 1,
		check: (_result, item) => expect(item).toMatchObject({ event: 'checker_approved', event_name: 'CheckerApproved' }),
	},
	{
		name: 'Session ID Path and Event Path name where they are',
		parameters: { options: { sessionIdPath: 'meta.refs.0', eventPath: 'meta.what' } },
		body: (id) => ({ meta: { refs: [id], what: 'Maker Approved' } }),
		headers: AUTH,
		expectStatus: 200,
		emits: true,
		apiCalls: 1,
		check: (_result, item, id) => expect(item).toMatchObject({ session_id: id, event: 'maker_approved' }),
	},
	{
		name: 'an event name nobody knows: emitted as unknown, the raw name kept',
		body: (id) => ({ event: 'Session Reopened', session_id: id }),
		headers: AUTH,
		expectStatus: 200,
		emits: true,
		apiCalls: 1,
		check: (_result, item) => expect(item).toMatchObject({ event: 'unknown', event_name: 'Session Reopened' }),
	},
	// --- bodies that are refused ---
	{
		name: 'no session ID in the body: 400',
		body: () => ({ event: 'Maker Approved', user_id: 'lead-001' }),
		headers: AUTH,
		expectStatus: 400,
		emits: false,
		apiCalls: 0,
	},
	{
		name: 'Session ID Path pointing at nothing: 400 naming the path',
		parameters: { options: { sessionIdPath: 'payload.session.session_id' } },
		body: (id) => shapes.flat(id),
		headers: AUTH,
		expectStatus: 400,
		emits: false,
		apiCalls: 0,
		check: (result) => expect(String(result.json?.message)).toMatch(/payload\.session\.session_id/),
	},
	{
		name: 'an implausible session ID (a path): 400, KwikID not asked',
		body: () => ({ event: 'Maker Approved', session_id: '../../agentapi/v1/agent/sendLink/' }),
		headers: AUTH,
		expectStatus: 400,
		emits: false,
		apiCalls: 0,
	},
	{
		name: 'two different session IDs in one body: 400, not a guess',
		body: (id) => ({ session_id: id, data: { sessionId: 'another-session-0001' } }),
		headers: AUTH,
		expectStatus: 400,
		emits: false,
		apiCalls: 0,
	},
	{
		name: 'a form with session_id twice: 400',
		body: (id) => `session_id=${id}&session_id=other-session-0002&event=Maker+Approved`,
		headers: { ...AUTH, 'content-type': 'application/x-www-form-urlencoded' },
		expectStatus: 400,
		emits: false,
		apiCalls: 0,
	},
	{
		name: 'a huge body (over 256 KB): 413',
		body: (id) => ({ ...shapes.flat(id), padding: 'x'.repeat(300 * 1024) }),
		headers: AUTH,
		expectStatus: 413,
		emits: false,
		apiCalls: 0,
	},
	{
		name: 'a body nested 200 levels deep: 400',
		body: (id) => deep(200, id),
		headers: AUTH,
		expectStatus: 400,
		emits: false,
		apiCalls: 0,
	},
	{
		name: 'a JSON list: 400',
		body: (id) => [shapes.flat(id)],
		headers: AUTH,
		expectStatus: 400,
		emits: false,
		apiCalls: 0,
	},
	{
		name: 'broken JSON declared as JSON: refused (n8n itself answers 422)',
		body: (id) => `{"session_id": "${id}", `,
		headers: { ...AUTH, ...json },
		expectStatus: 422,
		emits: false,
		apiCalls: 0,
	},
	{
		name: 'text/plain that is not JSON: 400',
		body: (id) => `session ${id} was approved`,
		headers: { ...AUTH, 'content-type': 'text/plain' },
		expectStatus: 400,
		emits: false,
		apiCalls: 0,
	},
	{
		name: 'XML: 415',
		body: (id) => `<event><session_id>${id}</session_id></event>`,
		headers: { ...AUTH, 'content-type': 'application/xml' },
		expectStatus: 415,
		emits: false,
		apiCalls: 0,
	},
	{
		name: 'binary (application/octet-stream): 415',
		body: (id) => JSON.stringify(shapes.flat(id)),
		headers: { ...AUTH, 'content-type': 'application/octet-stream' },
		expectStatus: 415,
		emits: false,
		apiCalls: 0,
	},
	{
		name: 'an empty body: 400',
		body: () => '',
		headers: { ...AUTH, ...json },
		expectStatus: 400,
		emits: false,
		apiCalls: 0,
	},
	{
		name: 'a session ID only under __proto__: 400 (prototype keys are never read)',
		body: (id) => `{"__proto__": {"session_id": "${id}"}, "event": "Maker Approved"}`,
		headers: { ...AUTH, ...json },
		expectStatus: 400,
		emits: false,
		apiCalls: 0,
	},
	{
		name: 'prototype keys beside the real ID: ignored, and not copied into the item',
		body: (id) => `{"session_id": "${id}", "__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}`,
		headers: { ...AUTH, ...json },
		expectStatus: 200,
		emits: true,
		apiCalls: 1,
		check: (_result, item) => {
			const body = item?.body as IDataObject;
			expect(Object.keys(body)).toEqual(['session_id']);
			expect(({} as IDataObject).polluted).toBeUndefined();
		},
	},
	// --- the API is the truth ---
	{
		name: 'a session KwikID does not know: 422, no execution',
		body: () => shapes.flat('0b6f3a2e-1111-4d4d-9e9e-000000000000'),
		headers: AUTH,
		expectStatus: 422,
		emits: false,
		apiCalls: 1,
	},
	{
		name: 'a forged approval for a session the API reports rejected: the rejection is emitted',
		status: 'kyc_result_rejected',
		body: (id) => ({ ...shapes.flat(id, 'Checker Approved'), session_status: 'kyc_result_approved', outcome: 'approved' }),
		headers: AUTH,
		expectStatus: 200,
		emits: true,
		apiCalls: 1,
		check: (_result, item) => {
			expect(item).toMatchObject({ status: 'kyc_result_rejected', outcome: 'rejected', verified: true, event: 'checker_approved' });
			// What the call claimed stays under body, never over the API's fields.
			expect((item?.body as IDataObject).session_status).toBe('kyc_result_approved');
		},
	},
	{
		name: 'a forged checker approval for a session the checker rejected (status still kyc_result_approved): the rejection is emitted',
		status: 'checker_rejected',
		body: (id) => shapes.dashboard(id, 'checker_approved'),
		headers: AUTH,
		expectStatus: 200,
		emits: true,
		apiCalls: 1,
		check: (_result, item) => {
			expect(item).toMatchObject({ status: 'kyc_result_approved', outcome: 'rejected', decided_by: 'checker', event: 'checker_approved' });
			expect(item?.review).toMatchObject({ maker: 'approved', checker: 'rejected' });
		},
	},
	{
		name: 'an agent approval still waiting for the checker: emitted as pending, never approved',
		status: 'kyc_result_approved',
		body: (id) => shapes.flat(id, 'Maker Approved'),
		headers: AUTH,
		expectStatus: 200,
		emits: true,
		apiCalls: 1,
		check: (_result, item) => expect(item).toMatchObject({ status: 'kyc_result_approved', outcome: 'pending', event: 'maker_approved' }),
	},
	{
		name: 'Simplify off: the full session as KwikID sends it',
		parameters: { simplify: false },
		body: (id) => shapes.flat(id),
		headers: AUTH,
		expectStatus: 200,
		emits: true,
		apiCalls: 1,
		check: (_result, item, id) => expect(item).toMatchObject({ session_id: id, session_status: 'kyc_result_approved', verified: true }),
	},
	// --- filters ---
	{
		name: 'Events not including the call\'s event: 200, no execution, KwikID not asked',
		parameters: { events: ['checker_approved', 'checker_rejected'] },
		body: (id) => shapes.flat(id, 'Maker Approved'),
		headers: AUTH,
		expectStatus: 200,
		emits: false,
		apiCalls: 0,
	},
	{
		name: 'Events including the call\'s event: emitted',
		parameters: { events: ['checker_rejected'] },
		status: 'kyc_result_rejected',
		body: (id) => shapes.nested(id, 'CHECKER_REJECTED'),
		headers: AUTH,
		expectStatus: 200,
		emits: true,
		apiCalls: 1,
	},
	{
		name: 'Outcomes on the verified data: a rejected session with Outcomes = approved is not emitted',
		parameters: { outcomes: ['approved'] },
		status: 'kyc_result_rejected',
		body: (id) => shapes.flat(id, 'Maker Approved'),
		headers: AUTH,
		expectStatus: 200,
		emits: false,
		apiCalls: 1,
	},
	{
		name: 'Outcomes matching the verified data: emitted',
		parameters: { outcomes: ['rejected', 'closed'] },
		status: 'kyc_result_rejected',
		body: (id) => shapes.flat(id, 'Maker Rejected'),
		headers: AUTH,
		expectStatus: 200,
		emits: true,
		apiCalls: 1,
	},
	{
		name: 'Statuses on the verified data: a session still waiting is not emitted',
		parameters: { statuses: ['kyc_result_approved', 'kyc_result_rejected'] },
		status: 'waiting',
		body: (id) => shapes.flat(id, 'Maker Approved'),
		headers: AUTH,
		expectStatus: 200,
		emits: false,
		apiCalls: 1,
	},
	// --- personal data ---
	{
		name: 'personal data and secrets in the body are masked in the item',
		body: (id) => ({
			...shapes.flat(id),
			customer: { aadhaar: '2345 6789 0124', pan: 'ABCDE1234F', mobile: '9876543210', phone_number: 9876543210 },
			token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
			api_key: 'k-123',
		}),
		headers: AUTH,
		expectStatus: 200,
		emits: true,
		apiCalls: 1,
		check: (_result, item) => {
			const body = item?.body as IDataObject;
			expect(body.customer).toEqual({ aadhaar: 'XXXXXXXX0124', pan: 'XXXXX1234X', mobile: 'XXXXXX3210', phone_number: 'XXXXXX3210' });
			expect(body.token).toBe('[secret]');
			expect(body.api_key).toBe('[secret]');
		},
	},
];

describe('KwikID Webhook Trigger: calls', () => {
	it('has a table of at least 30 cases', () => {
		expect(cases.length).toBeGreaterThanOrEqual(30);
	});

	it.each(cases.map((entry) => [entry.name, entry] as const))('%s', async (_name, entry) => {
		const id = fx.session(entry.status);
		const server: WebhookServer = await fx.serve(entry.parameters ?? {}, {
			secret: entry.secret,
			withoutSecretCredential: entry.withoutSecretCredential,
		});
		fx.sandbox.resetStats();
		const result = await server.post(entry.body(id), entry.headers ?? {});
		expect({ status: result.status, executions: server.executions.length, failures: server.failures.map(String) }).toEqual({
			status: entry.expectStatus,
			executions: entry.emits ? 1 : 0,
			failures: [],
		});
		expect(fx.detailCalls()).toBe(entry.apiCalls);
		const emitted = server.executions[0];
		if (emitted) {
			// Exactly one item, and the node after the trigger received it.
			expect(emitted.items).toHaveLength(1);
			expect(emitted.after.map((item) => item.json)).toEqual(emitted.items.map((item) => item.json));
			// The secret never reaches the execution's data.
			expect(JSON.stringify(emitted.run)).not.toContain(SECRET);
		}
		entry.check?.(result, emitted?.items[0]?.json, id);
	});
});
