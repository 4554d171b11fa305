/**
 * The item loop as a workflow sees it: expression-driven parameters over many items, one output
 * item per input item in order with `pairedItem`, Continue On Fail in the forms n8n saves it,
 * and a run that stops naming the item when it is off.
 */
import type { IDataObject, INode } from 'n8n-workflow';

import { getSessionWorkflow, jsonOf, KWIKID, pinned, sendLinkWorkflow, stopError, useSessionEnv } from './helpers';

const env = useSessionEnv();

/** Parameters a user maps from the incoming items. */
const mapped = {
	userId: '={{ $json.id }}',
	phoneNumber: '={{ $json.phone }}',
	linkType: '={{ $json.linkType ?? "free" }}',
};

/** Phone numbers as a CRM exports them: with +91, a leading 0, spaces and dashes. */
function formattedPhone(i: number): { raw: string; normalised: string } {
	const normalised = `9${String(876500000 + i)}`;
	const forms = [
		normalised,
		`+91 ${normalised.slice(0, 5)}-${normalised.slice(5)}`,
		`0${normalised}`,
		`91${normalised}`,
		`(${normalised.slice(0, 3)}) ${normalised.slice(3, 6)} ${normalised.slice(6)}`,
	];
	return { raw: forms[i % forms.length], normalised };
}

/** Whether any of these texts appears anywhere in the value. */
function leaks(value: unknown, secrets: string[]): string[] {
	const text = JSON.stringify(value);
	return secrets.filter((secret) => secret.length > 0 && text.includes(secret));
}

describe('many items through expressions', () => {
	it('sends 50 links, one per item, and outputs them in input order with pairedItem', async () => {
		const leads = Array.from({ length: 50 }, (_, i) => ({ id: `LEAD-${1000 + i}`, ...formattedPhone(i) }));

		const run = await env.harness.run(sendLinkWorkflow(mapped), {
			pinData: pinned(leads.map((lead) => ({ id: lead.id, phone: lead.raw }))),
		});

		expect(run.error).toBeUndefined();
		const output = run.output(KWIKID);
		expect(output).toHaveLength(50);
		output.forEach((item, i) => {
			expect(item.pairedItem).toEqual({ item: i });
			expect(item.json).toMatchObject({ user_id: leads[i].id, phone_number: leads[i].normalised });
		});
		expect(env.sendLinkBodies().map((body) => [body.user_id, body.phone_number])).toEqual(
			leads.map((lead) => [lead.id, lead.normalised]),
		);
		// Every link is its own session, holding that item's customer.
		const sessionIds = new Set(output.map((item) => item.json.session_id));
		expect(sessionIds.size).toBe(50);
		for (const [i, item] of output.entries()) {
			expect(env.sandbox.getSession(String(item.json.session_id))).toMatchObject({
				user_id: leads[i].id,
				phone_number: leads[i].normalised,
			});
		}
		expect(env.sandbox.stats().requests.sendLink).toBe(50);
	});

	it('reads each item its own session', async () => {
		const sessions = Array.from({ length: 5 }, (_, i) => env.sandbox.createSession({ user_id: `U-${i}` }));
		env.sandbox.setStatus(sessions[3].session_id, 'kyc_result_approved');

		const run = await env.harness.run(getSessionWorkflow({ sessionId: '={{ $json.sessionId }}' }), {
			pinData: pinned(sessions.map((session) => ({ sessionId: session.session_id }))),
		});

		expect(run.error).toBeUndefined();
		expect(jsonOf(run.output(KWIKID)).map((json) => [json.user_id, json.status])).toEqual([
			['U-0', 'waiting'],
			['U-1', 'waiting'],
			['U-2', 'waiting'],
			['U-3', 'kyc_result_approved'],
			['U-4', 'waiting'],
		]);
		expect(run.output(KWIKID).map((item) => item.pairedItem)).toEqual([0, 1, 2, 3, 4].map((item) => ({ item })));
	});
});

/** Good items and bad ones of every kind: validation, the API's 400, a server error. */
const mixed: IDataObject[] = [
	{ id: 'GOOD-1', phone: '9876500001' },
	{ id: 'BAD-PHONE', phone: '98765000021' },
	{ id: 'GOOD-2', phone: '+91 98765-00003' },
	{ id: '', phone: '9876500004' },
	{ id: 'BAD-TYPE', phone: '9876500005', linkType: 'FREE' },
	{ id: 'GOOD-3', phone: '9876500006' },
];

describe('Continue On Fail', () => {
	it.each<[string, Partial<INode>]>([
		['continueOnFail: true (older saved workflows)', { continueOnFail: true }],
		["onError: 'continueRegularOutput' (n8n 1.x/2.x)", { onError: 'continueRegularOutput' }],
	])('with %s: one output item per input, errors as items, good items go through', async (_form, setting) => {
		const run = await env.harness.run(sendLinkWorkflow(mapped, setting), { pinData: pinned(mixed) });

		expect(run.error).toBeUndefined();
		const output = run.output(KWIKID);
		expect(output).toHaveLength(mixed.length);
		expect(output.map((item) => item.pairedItem)).toEqual(mixed.map((_, item) => ({ item })));
		const json = jsonOf(output);

		for (const i of [0, 2, 5]) {
			expect(json[i].error).toBeUndefined();
			expect(json[i].user_id).toBe(mixed[i].id);
			expect(json[i].link_url).toMatch(/\/user\/\?l=/);
		}
		expect(json[1]).toMatchObject({ error: 'Phone Number is not a 10-digit mobile number' });
		expect(json[3]).toMatchObject({ error: 'User ID is empty', details: { description: expect.stringMatching(/item 3/) } });
		expect(json[4]).toMatchObject({
			error: 'KwikID refused the Send Link request as malformed (400 Bad Request)',
			details: { httpCode: '400' },
		});
		// Only items that passed validation were sent: the three good ones and the refused type.
		expect(env.sandbox.stats().requests.sendLink).toBe(4);
		expect(env.sandbox.listSessions().map((session) => session.user_id).sort()).toEqual(['GOOD-1', 'GOOD-2', 'GOOD-3']);
		// Error items never carry the phone number, the password or the token.
		expect(leaks([json[1], json[3], json[4]], ['98765000021', '9876500004', '9876500005', env.sandbox.password, env.token()])).toEqual([]);
	});

	it('with Get Session: unknown and implausible ids become error items, the others are read', async () => {
		const session = env.sandbox.createSession({ user_id: 'KNOWN' });
		const ids = [session.session_id, 'no-such-session', '../etc/passwd', session.session_id];

		const run = await env.harness.run(
			getSessionWorkflow({ sessionId: '={{ $json.sessionId }}' }, { onError: 'continueRegularOutput' }),
			{ pinData: pinned(ids.map((sessionId) => ({ sessionId }))) },
		);

		expect(run.error).toBeUndefined();
		const json = jsonOf(run.output(KWIKID));
		expect(json.map((item) => item.user_id ?? item.error)).toEqual([
			'KNOWN',
			'KwikID does not know the session id "no-such-session"',
			'Session ID is not a valid KwikID session id',
			'KNOWN',
		]);
		expect(run.output(KWIKID).map((item) => item.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
		// The implausible id never reached the API.
		expect(env.sandbox.stats().requests.get_details).toBe(3);
	});

	// n8n moves an item to the error output only when its json is error, or error and message
	// (n8n 1.x, and 2.x before 2.3x; handleNodeErrorOutput): anything else stays on the success
	// output, where the next node would treat a failure as a sent link. Runs on both lines.
	it("with onError: 'continueErrorOutput' failed items go to the error output, with the input row", async () => {
		const run = await env.harness.run(sendLinkWorkflow(mapped, { onError: 'continueErrorOutput' }), {
			pinData: pinned(mixed),
		});

		expect(run.error).toBeUndefined();
		expect(jsonOf(run.output(KWIKID, 0)).map((json) => json.user_id)).toEqual(['GOOD-1', 'GOOD-2', 'GOOD-3']);
		const errors = run.output(KWIKID, 1);
		expect(errors.map((item) => item.pairedItem)).toEqual([1, 3, 4].map((item) => ({ item })));
		// n8n puts the input row's fields beside error and message: a sheet of rows to fix.
		expect(errors[0].json).toMatchObject({ ...mixed[1], error: 'Phone Number is not a 10-digit mobile number' });
		expect(errors[0].json.details).toBeUndefined();
		expect(errors[2].json).toMatchObject({
			error: 'KwikID refused the Send Link request as malformed (400 Bad Request)',
			message: expect.stringMatching(/Link Type/),
		});
	});
});

describe('without Continue On Fail', () => {
	it('stops at the first bad item before sending anything, naming it', async () => {
		const run = await env.harness.run(sendLinkWorkflow(mapped), { pinData: pinned(mixed) });

		const error = stopError(run);
		expect(error.message).toBe('Phone Number is not a 10-digit mobile number');
		expect(error.context.itemIndex).toBe(1);
		// Every item is checked before any is sent: the good item 0 got no link, so a corrected
		// re-run cannot send its customer a second one.
		expect(env.sandbox.stats().requests.sendLink).toBe(0);
		expect(env.sandbox.listSessions()).toEqual([]);
		expect(run.output(KWIKID)).toEqual([]);
	});

	it('names the item the API refuses and lists the items already sent, with their sessions', async () => {
		const items = [mixed[0], mixed[2], mixed[4], mixed[5]];

		const run = await env.harness.run(sendLinkWorkflow(mapped), { pinData: pinned(items) });

		const error = stopError(run);
		expect(error.message).toBe(
			'KwikID refused the Send Link request as malformed (400 Bad Request) (3 other items were already sent: see the error details)',
		);
		expect(error.context.itemIndex).toBe(2);
		// All four were in flight together (default concurrency): the three good ones made sessions,
		// and the error names each, so none is sent twice.
		const sessions = env.sandbox.listSessions();
		expect(sessions.map((session) => session.user_id).sort()).toEqual(['GOOD-1', 'GOOD-2', 'GOOD-3']);
		const byUser = new Map(sessions.map((session) => [session.user_id, session.session_id]));
		expect(error.context.sentItems).toEqual([
			{ item: 0, session_id: byUser.get('GOOD-1'), user_id: 'GOOD-1' },
			{ item: 1, session_id: byUser.get('GOOD-2'), user_id: 'GOOD-2' },
			{ item: 3, session_id: byUser.get('GOOD-3'), user_id: 'GOOD-3' },
		]);
		for (const session of sessions) expect(error.description).toContain(session.session_id);
		expect(leaks(run.error, ['9876500005', env.sandbox.password, env.token()])).toEqual([]);
	});

	it('with one request at a time, stops starting items at the failure and says which were not sent', async () => {
		const items = [mixed[0], mixed[4], mixed[2], mixed[5]];

		const run = await env.harness.run(sendLinkWorkflow({ ...mapped, options: { maxConcurrency: 1 } }), {
			pinData: pinned(items),
		});

		const error = stopError(run);
		expect(error.context.itemIndex).toBe(1);
		expect(env.sandbox.stats().requests.sendLink).toBe(2);
		expect(error.context.sentItems).toEqual([
			{ item: 0, session_id: env.sandbox.listSessions()[0].session_id, user_id: 'GOOD-1' },
		]);
		expect(error.context.notSentItems).toEqual([2, 3]);
		expect(error.description).toMatch(/Not sent: 2 items, from item 2/);
	});

	it('with Get Session, a failed read stops the run without a list of sent items', async () => {
		const session = env.sandbox.createSession({ user_id: 'KNOWN' });
		const run = await env.harness.run(getSessionWorkflow({ sessionId: '={{ $json.sessionId }}' }), {
			pinData: pinned([{ sessionId: session.session_id }, { sessionId: 'no-such-session' }]),
		});

		const error = stopError(run);
		expect(error.message).toBe('KwikID does not know the session id "no-such-session"');
		expect(error.context.itemIndex).toBe(1);
		expect(error.context.sentItems).toBeUndefined();
	});
});
