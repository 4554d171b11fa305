/**
 * Send Link when KwikID fails. It creates a session and texts the customer, so after a 5xx or a
 * lost connection it must never send again (the customer would get two links) and must say so;
 * a 429 means nothing was processed, so that one is waited out and retried.
 */
import type { IDataObject } from 'n8n-workflow';

import { DEFAULT_RETRY } from '../../nodes/KwikId/transport';

import type { RunError } from './helpers';
import { KWIKID, pinned, readable, sendLinkWorkflow, stopError, useSessionEnv } from './helpers';


const env = useSessionEnv();

const PHONE = '9876543210';

const sendLink = (linkType = 'free', node: IDataObject = {}) =>
	sendLinkWorkflow({ userId: 'LEAD-ERR', phoneNumber: '={{ $json.phone }}', linkType }, node);

const input = pinned([{ phone: PHONE }]);

/** Neither the password, the token nor the phone number may appear anywhere in what the user sees. */
function expectNoSecrets(value: unknown): void {
	const text = JSON.stringify(value);
	expect(text).not.toContain(env.sandbox.password);
	expect(text).not.toContain(env.token());
	expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]+\./);
	expect(text).not.toContain(PHONE);
}

function expectNotResent(error: RunError): void {
	expect(error.description).toMatch(/may already have created the session/);
	expect(error.description).toMatch(/not sent again/);
	expect(error.context.mayHaveCreatedSession).toBe(true);
	expect(env.sandbox.stats().requests.sendLink).toBe(1);
}

describe('Send Link: the API refuses the request', () => {
	it('explains the HTML 400 for a link type KwikID does not know (case-sensitive)', async () => {
		const run = await env.harness.run(sendLink('FREE'), { pinData: input });

		const error = stopError(run);
		expect(error.message).toBe('KwikID refused the Send Link request as malformed (400 Bad Request)');
		expect(error.description).toMatch(/Link Type \(case-sensitive/);
		expect(error.description).toContain('KwikID said: "400 Bad Request"');
		// No raw HTML in front of the user.
		expect(readable(error)).not.toMatch(/<html|<!doctype/i);
		expect(error.context.httpCode).toBe('400');
		expect(env.sandbox.stats().byEndpoint.sendLink).toEqual({ '400': 1 });
		expect(env.sandbox.listSessions()).toEqual([]);
		expectNoSecrets(run.error);
	});
});

describe('Send Link: server errors and lost connections are never resent', () => {
	it.each([
		['JSON', 'json' as const, /^KwikID had a server error \(500\): error message$/],
		['HTML', 'html' as const, /^KwikID had a server error \(500\): 500 Internal Server Error$/],
	])('a %s 500 before the session was created', async (_kind, kind, message) => {
		env.sandbox.setFaults({ fail5xx: { count: 5, endpoint: 'sendLink', kind } });

		const run = await env.harness.run(sendLink(), { pinData: input });

		const error = stopError(run);
		expect(error.message).toMatch(message);
		expectNotResent(error);
		expectNoSecrets(run.error);
	});

	it.each([
		['JSON', 'json' as const],
		['HTML', 'html' as const],
	])('a %s 500 after the session was created: it exists once, and the user is told to check', async (_kind, kind) => {
		env.sandbox.setFaults({ fail5xx: { count: 1, endpoint: 'sendLink', kind, afterCreate: true } });

		const run = await env.harness.run(sendLink(), { pinData: input });

		const error = stopError(run);
		expect(error.message).toMatch(/server error \(500\)/);
		expectNotResent(error);
		expect(env.sandbox.listSessions().map((session) => session.user_id)).toEqual(['LEAD-ERR']);
	});

	it('a dropped connection', async () => {
		env.sandbox.setFaults({ drop: { count: 5, endpoint: 'sendLink' } });

		const run = await env.harness.run(sendLink(), { pinData: input });

		const error = stopError(run);
		expect(error.message).toMatch(/connection/i);
		expectNotResent(error);
		expect(env.sandbox.stats().dropped).toBe(1);
		expectNoSecrets(run.error);
	});

	// n8n-workflow's NodeApiError swaps a message holding a Node error code (ECONNRESET) for its
	// generic "...You can retry the request immediately...": exactly the resend the description
	// warns against (a second link to the customer). The node's own headline must survive.
	it('a dropped connection: the headline is the node\'s own and does not invite a retry', async () => {
		env.sandbox.setFaults({ drop: { count: 1, endpoint: 'sendLink' } });

		const run = await env.harness.run(sendLink(), { pinData: input });

		const error = stopError(run);
		expect(error.message).not.toMatch(/retry/i);
		expect(error.message).toMatch(/^The connection to KwikID failed before it answered/);
	});

	it('with Continue On Fail the error item says the session may exist, and the next item still runs', async () => {
		env.sandbox.setFaults({ fail5xx: { count: 1, endpoint: 'sendLink', kind: 'json', afterCreate: true } });

		const run = await env.harness.run(
			sendLinkWorkflow(
				{ userId: '={{ $json.id }}', phoneNumber: '={{ $json.phone }}' },
				{ onError: 'continueRegularOutput' },
			),
			{ pinData: pinned([{ id: 'A', phone: PHONE }, { id: 'B', phone: '9876543211' }]) },
		);

		expect(run.error).toBeUndefined();
		const [first, second] = run.output(KWIKID);
		expect(first.pairedItem).toEqual({ item: 0 });
		expect(first.json).toMatchObject({
			error: 'KwikID had a server error (500): error message',
			details: {
				httpCode: '500',
				mayHaveCreatedSession: true,
				description: expect.stringMatching(/not sent again/),
			},
		});
		expect(second.pairedItem).toEqual({ item: 1 });
		expect(second.json.user_id).toBe('B');
		// One request per item: the failed one was not repeated.
		expect(env.sandbox.stats().requests.sendLink).toBe(2);
		expect(env.sandbox.listSessions().map((session) => session.user_id).sort()).toEqual(['A', 'B']);
		expectNoSecrets(first.json);
	});
});

describe('Send Link: rate limits', () => {
	it('waits out a short 429 burst and then creates exactly one session', async () => {
		env.sandbox.setFaults({ burst429: { count: 3, endpoint: 'sendLink', retryAfterSec: 0 } });

		const run = await env.harness.run(sendLink(), { pinData: input });

		expect(run.error).toBeUndefined();
		expect(run.output(KWIKID)[0].json.user_id).toBe('LEAD-ERR');
		expect(env.sandbox.stats().byEndpoint.sendLink).toEqual({ '200': 1, '429': 3 });
		expect(env.sandbox.listSessions()).toHaveLength(1);
	});

	it('gives up on a long 429 run with a rate-limit message and advice', async () => {
		env.sandbox.setFaults({ burst429: { count: 50, endpoint: 'sendLink', retryAfterSec: 0 } });

		const run = await env.harness.run(sendLink(), { pinData: input });

		const error = stopError(run);
		const retries = DEFAULT_RETRY.rateLimitRetries;
		expect(error.message).toBe(`KwikID kept rate-limiting the requests (429) after ${retries} retries`);
		expect(error.description).toMatch(/Send fewer items at once/);
		expect(error.context.httpCode).toBe('429');
		expect(env.sandbox.stats().byEndpoint.sendLink).toEqual({ '429': retries + 1 });
		expect(env.sandbox.listSessions()).toEqual([]);
	});
});
