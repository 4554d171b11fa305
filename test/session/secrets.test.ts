/**
 * Nothing a user can see after a failure (the error that stops a run, the error items of
 * Continue On Fail) carries the password, the token, or a customer's full phone number, PAN or
 * Aadhaar number, even when KwikID's own error text echoes them.
 */
import type { IDataObject } from 'n8n-workflow';

import type { RecordedRequest } from './helpers';
import {
	GET_DETAILS_PATH,
	getSessionWorkflow,
	jsonOf,
	KWIKID,
	pinned,
	SEND_LINK_PATH,
	sendLinkWorkflow,
	stopError,
	useSessionEnv,
} from './helpers';

const env = useSessionEnv();

const PHONES = ['9876543210', '9876543211', '9876543212', '9876543213', '9876543214', '98765432109'];
const PAN = 'ABCDE1234F';
const AADHAAR = '2345 6789 0124';

/** Every secret or identifier that must not appear, with the texts it was found in. */
function leaked(value: unknown): string[] {
	const text = JSON.stringify(value);
	const secrets = [env.sandbox.password, env.token(), PAN, AADHAAR, AADHAAR.replace(/ /g, ''), ...PHONES];
	const found = secrets.filter((secret) => secret !== '' && text.includes(secret));
	if (/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\./.test(text)) found.push('a JWT');
	return found;
}

/** Makes sure the credential holds a token, so canned answers can echo the real one. */
async function loggedIn(): Promise<string> {
	await env.harness.run(getSessionWorkflow({ sessionId: env.sandbox.createSession({}).session_id }));
	const token = env.token();
	expect(token).toMatch(/^eyJ/);
	return token;
}

describe('no secrets or personal data in errors', () => {
	it('Send Link error items, whatever failed, including API texts that echo the data', async () => {
		const token = await loggedIn();
		env.requests.length = 0;
		// Item 2 is refused by the sandbox itself (FREE); items 3 and 4 get these answers.
		const forUser = (userId: string) => (request: RecordedRequest) => (request.body as IDataObject).user_id === userId;
		env.canned.push(
			{
				path: SEND_LINK_PATH,
				when: forUser('ECHO-500'),
				status: 500,
				body: { msg: `duplicate request for ${PHONES[3]} with token ${token}`, status: 500 },
			},
			{
				path: SEND_LINK_PATH,
				when: forUser('ECHO-400'),
				status: 400,
				body: { message: `user ${PHONES[4]} with PAN ${PAN} and Aadhaar ${AADHAAR} exists` },
			},
		);
		const items: IDataObject[] = [
			{ id: 'OK', phone: PHONES[0] },
			{ id: 'BAD-PHONE', phone: PHONES[5] },
			{ id: 'BAD-TYPE', phone: PHONES[2], linkType: 'FREE' },
			{ id: 'ECHO-500', phone: PHONES[3] },
			{ id: 'ECHO-400', phone: PHONES[4] },
		];

		const run = await env.harness.run(
			sendLinkWorkflow(
				{ userId: '={{ $json.id }}', phoneNumber: '={{ $json.phone }}', linkType: '={{ $json.linkType ?? "free" }}' },
				{ onError: 'continueRegularOutput' },
			),
			{ pinData: pinned(items) },
		);

		expect(run.error).toBeUndefined();
		const json = jsonOf(run.output(KWIKID));
		expect(json[0].error).toBeUndefined();
		const errors = json.slice(1);
		expect(errors.map((item) => typeof item.error)).toEqual(['string', 'string', 'string', 'string']);
		expect(leaked(errors)).toEqual([]);
		// What KwikID said still reaches the user, masked.
		expect(json[3].error).toBe('KwikID had a server error (500): duplicate request for XXXXXX3213 with token [token]');
		expect((json[4].details as IDataObject).description).toContain(`KwikID said: "user XXXXXX3214 with PAN XXXXX1234X and Aadhaar XXXXXXXX0124 exists"`);
		expect((json[1].details as IDataObject).description).toContain('XXXXXXX2109');
	});

	it('the error that stops a Send Link run', async () => {
		const token = await loggedIn();
		env.canned.push({ path: SEND_LINK_PATH, status: 500, body: { msg: `failed for ${PHONES[0]} (${token})`, status: 500 } });

		const run = await env.harness.run(sendLinkWorkflow({ userId: 'X', phoneNumber: '={{ $json.phone }}' }), {
			pinData: pinned([{ phone: PHONES[0] }]),
		});

		const error = stopError(run);
		expect(error.message).toBe('KwikID had a server error (500): failed for XXXXXX3210 ([token])');
		expect(leaked(run.error)).toEqual([]);
	});

	it('Get Session errors that echo the token or a phone number', async () => {
		const token = await loggedIn();
		env.canned.push({
			path: GET_DETAILS_PATH,
			status: 400,
			body: { e: `token ${token} phone ${PHONES[1]}`, msg: `Invalid session id for ${PHONES[1]}`, status: 400 },
		});

		const run = await env.harness.run(getSessionWorkflow({ sessionId: 'abc-123' }));

		const error = stopError(run);
		expect(error.message).toBe('KwikID does not know the session id "abc-123"');
		expect(error.description).toContain('KwikID said: "Invalid session id for XXXXXX3211"');
		expect(leaked(run.error)).toEqual([]);
	});

	it('errors after a failed re-login never carry the password', async () => {
		await loggedIn();
		env.sandbox.expireTokens();
		env.canned.push({
			path: '/agentapi/v1/agent/generate_token',
			status: 401,
			body: { msg: `password ${env.sandbox.password} did not match`, status_code: 401, success: true },
		});

		const run = await env.harness.run(getSessionWorkflow({ sessionId: env.sandbox.createSession({}).session_id }));

		const error = stopError(run);
		expect(error.message).toMatch(/did not accept the Username/);
		expect(leaked(run.error)).toEqual([]);
	});

	// Every message built from user input goes through `redact` (shared/mask.ts): a phone number
	// mapped into Session ID by mistake (a wrong column) must not appear in full.
	it.each([
		['plausible, so KwikID is asked and answers 400', '9876543210'],
		['implausible, so it is refused before a request', '+91 98765 43210'],
	])('a phone number mapped into Session ID by mistake (%s) is masked', async (_case, sessionId) => {
		const run = await env.harness.run(getSessionWorkflow({ sessionId: '={{ $json.id }}' }), {
			pinData: pinned([{ id: sessionId }]),
		});

		expect(stopError(run).message).toMatch(/session id/i);
		expect(JSON.stringify(run.error)).not.toMatch(/98765.?43210/);
	});
});
