/**
 * Get Session through n8n-core against the sandbox: the simplified record at each stage of a
 * session, the full record with the API's quirks smoothed (feedback parsed, nulls removed),
 * ids refused before a request, and get_details' failures (it is safe to repeat, so 5xx and
 * dropped connections are retried).
 */
import type { IDataObject } from 'n8n-workflow';

import type { SessionSnapshot } from '../../sandbox/server';
import { getSessionWorkflow, KWIKID, pinned, readable, stopError, useSessionEnv } from './helpers';

// These assert the published reference's shape field for field; test/sandbox/liveShape.test.ts has the live one.
const env = useSessionEnv({ sandbox: { shape: 'reference' } });

async function getSession(sessionId: string, parameters: IDataObject = {}): Promise<IDataObject> {
	const run = await env.harness.run(getSessionWorkflow({ sessionId, ...parameters }));
	expect(run.error).toBeUndefined();
	const output = run.output(KWIKID);
	expect(output).toHaveLength(1);
	return output[0].json;
}

/** An ISO time no earlier than the session's creation and not in the future. */
function expectTimeAround(value: unknown, session: SessionSnapshot): void {
	expect(value).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
	const ms = Date.parse(String(value));
	expect(ms).toBeGreaterThanOrEqual(Math.floor(session.created_at / 1000) * 1000);
	expect(ms).toBeLessThanOrEqual(Date.now());
}

const mediaUrl = (session: SessionSnapshot, file: string) => `${env.url}/media/${session.session_id}/${file}`;

describe('Get Session: simplified output', () => {
	it('a waiting session: ids, status, not final, no agent, start time, nothing captured yet', async () => {
		const session = env.sandbox.createSession({ user_id: 'LEAD-1', session_type: 'VKYC' });

		const json = await getSession(session.session_id);

		expect(json).toMatchObject({
			session_id: session.session_id,
			user_id: 'LEAD-1',
			link_id: session.link_id,
			session_type: 'VKYC',
			status: 'waiting',
			is_final: false,
			agent_assigned_at: null,
			vkyc_started_at: null,
			ended_at: null,
			feedback: null,
			overall_summary: [],
			documents: [],
			media: {},
		});
		expectTimeAround(json.started_at, session);
		// The API sends "" for a missing agent; the record must not pretend there is one.
		expect(json.agent_id || null).toBeNull();
	});

	it('agent_alloted: the agent and the time of assignment, still no media', async () => {
		const session = env.sandbox.createSession({});
		env.sandbox.setStatus(session.session_id, 'agent_alloted');

		const json = await getSession(session.session_id);

		expect(json).toMatchObject({ status: 'agent_alloted', is_final: false, agent_id: 'AGT-SANDBOX-01', agent_region: 'west', media: {} });
		// agent_assignment_time arrives as a number (epoch seconds with a fraction).
		expectTimeAround(json.agent_assigned_at, session);
		expect(json.vkyc_started_at).toBeNull();
	});

	it('kyc_request_accepted: call start time, document results and media links, not final', async () => {
		const session = env.sandbox.createSession({ extras: { applicant_name: 'Asha Rao' } });
		env.sandbox.setStatus(session.session_id, 'kyc_request_accepted');

		const json = await getSession(session.session_id);

		expect(json).toMatchObject({ status: 'kyc_request_accepted', is_final: false, feedback: null, ended_at: null });
		expectTimeAround(json.vkyc_started_at, session);
		expect(json.documents).toEqual([
			{ name: 'Pan Card', success: true },
			{ name: 'Aadhaar Card', success: true, facematch_score: { score: 92.5, success: true } },
			{ name: 'Signature Match', success: false },
		]);
		// The API's null entry is gone.
		expect(json.overall_summary).toEqual([
			{ success: true, title: 'Selfie' },
			{ success: true, title: 'Pan Card' },
			{ success: true, title: 'Aadhaar Card' },
			{ success: true, title: 'Qna' },
		]);
		expect(json.media).toEqual({
			selfie_url: mediaUrl(session, 'selfie.png'),
			pan_url: mediaUrl(session, 'pan.png'),
			aadhaar_url: mediaUrl(session, 'aadhaar.png'),
			aadhaarback_url: mediaUrl(session, 'aadhaarback.png'),
			user_video_url: mediaUrl(session, 'user_video.mp4'),
			agent_video_url: mediaUrl(session, 'agent_video.mp4'),
			agent_screen_url: mediaUrl(session, 'agent_screen.mp4'),
			zip_url: mediaUrl(session, 'session.zip'),
			summary_json_url: mediaUrl(session, 'summary.json'),
		});
	});

	it('kyc_result_approved: final, feedback parsed into an object, end time', async () => {
		const session = env.sandbox.createSession({});
		env.sandbox.setStatus(session.session_id, 'kyc_request_accepted');
		env.sandbox.setStatus(session.session_id, 'kyc_result_approved', 'Documents verified, face matches');

		const json = await getSession(session.session_id);

		expect(json).toMatchObject({
			status: 'kyc_result_approved',
			is_final: true,
			feedback: { type: 'Approve', comment: 'Documents verified, face matches' },
		});
		expectTimeAround(json.ended_at, session);
		expect(Object.keys(json.media as IDataObject)).toHaveLength(9);
	});

	it('kyc_result_rejected: final, the failed face match shows in the documents', async () => {
		const session = env.sandbox.createSession({});
		env.sandbox.setStatus(session.session_id, 'kyc_result_rejected');

		const json = await getSession(session.session_id);

		expect(json).toMatchObject({ status: 'kyc_result_rejected', is_final: true, feedback: { type: 'Reject' } });
		expect(json.documents).toContainEqual({
			name: 'Aadhaar Card',
			success: false,
			facematch_score: { score: 41.2, success: false },
		});
	});

	it.each([['session_expired'], ['user_abandoned'], ['kyc_rejected']])('%s is final', async (status) => {
		const session = env.sandbox.createSession({ status });

		const json = await getSession(session.session_id);

		expect(json).toMatchObject({ status, is_final: true });
	});

	it.each([['vkyc_requested'], ['kyc_request_rejected']])('%s is not final', async (status) => {
		const session = env.sandbox.createSession({ status });

		const json = await getSession(session.session_id);

		expect(json).toMatchObject({ status, is_final: false });
	});

	it('an unknown status (kyc_result_partial_update) is passed through as it came, not final', async () => {
		const session = env.sandbox.createSession({});
		env.sandbox.setStatus(session.session_id, 'kyc_result_approved');
		env.sandbox.setStatus(session.session_id, 'kyc_result_partial_update');

		const json = await getSession(session.session_id);

		expect(json).toMatchObject({
			status: 'kyc_result_partial_update',
			is_final: false,
			feedback: { type: 'Approve', comment: 'All Successful' },
		});
	});
});

describe('Get Session: full output (Simplify off)', () => {
	it('keeps every field the API sends, parses feedback, removes null entries', async () => {
		const session = env.sandbox.createSession({ extras: { loan_amt: '250000' } });
		env.sandbox.setStatus(session.session_id, 'kyc_result_approved', 'All good');

		const json = await getSession(session.session_id, { simplify: false });

		expect(json).toMatchObject({
			session_id: session.session_id,
			session_status: 'kyc_result_approved',
			IS_VIDO_UPLOADED: true,
			number_of_videos_uploaded: 2,
			agent_tl: null,
			origin: 'KWIKID_ID',
			feedback: { type: 'Approve', comment: 'All good' },
			extras: { loan_amt: '250000', session_status: 'kyc_result_approved', session_type: 'VKYC' },
			selfie_url: mediaUrl(session, 'selfie.png'),
		});
		const summary = json.summary_data as IDataObject;
		expect(summary.overall_summary).toHaveLength(4);
		expect(summary.overall_summary).not.toContainEqual(null);
		expect((summary.docs as IDataObject[]).map((doc) => doc.name)).toEqual(['Pan Card', 'Aadhaar Card', 'Signature Match']);
		expect(summary.qna).toHaveLength(2);
		// Times stay as the API sent them in the full record.
		expect(typeof json.agent_assignment_time).toBe('number');
		expect(json.start_time).toMatch(/^\d+\.\d+$/);
	});

	it('a waiting session: empty feedback becomes null, IS_VIDO_UPLOADED false, empty summary', async () => {
		const session = env.sandbox.createSession({});

		const json = await getSession(session.session_id, { simplify: false });

		expect(json).toMatchObject({ session_status: 'waiting', feedback: null, IS_VIDO_UPLOADED: false, summary_data: {} });
	});
});

describe('Get Session: ids', () => {
	it('names the id KwikID does not know (its 400 "Invalid session id")', async () => {
		const run = await env.harness.run(getSessionWorkflow({ sessionId: '8b19b5c9-36de-47a2-9cb8-1025f36da034' }));

		const error = stopError(run);
		expect(error.message).toBe('KwikID does not know the session id "8b19b5c9-36de-47a2-9cb8-1025f36da034"');
		expect(error.description).toContain('KwikID said: "Invalid session id"');
		expect(readable(error)).not.toContain('list index out of range');
		expect(error.context.httpCode).toBe('400');
		// A 400 is an answer, not a hiccup: asked once.
		expect(env.sandbox.stats().byEndpoint.get_details).toEqual({ '400': 1 });
	});

	it.each([
		['a path', '../x'],
		['a space', 'abc def'],
		['a slash', 'a/b'],
		['a query', 'x?y=1'],
		['percent-encoding', '%2e%2e'],
		['a leading dash', '-leading-dash'],
		['129 characters', 'a'.repeat(129)],
	])('refuses an id with %s before any request', async (_case, sessionId) => {
		const run = await env.harness.run(getSessionWorkflow({ sessionId: '={{ $json.id }}' }), {
			pinData: pinned([{ id: sessionId }]),
		});

		const error = stopError(run);
		expect(error.message).toBe('Session ID is not a valid KwikID session id');
		expect(error.description).toMatch(/letters, digits and dashes/);
		expect(env.requests).toEqual([]);
	});

	it('trims spaces around a pasted id', async () => {
		const session = env.sandbox.createSession({});

		const json = await getSession(`  ${session.session_id}\n`);

		expect(json.session_id).toBe(session.session_id);
	});
});

describe('Get Session: failures are retried, it is safe to ask twice', () => {
	it.each([
		['an HTML 500', { fail5xx: { count: 1, endpoint: 'get_details' as const, kind: 'html' as const } }, { '500': 1, '200': 1 }],
		['a JSON 500', { fail5xx: { count: 1, endpoint: 'get_details' as const, kind: 'json' as const } }, { '500': 1, '200': 1 }],
		['a 429 burst', { burst429: { count: 3, endpoint: 'get_details' as const, retryAfterSec: 0 } }, { '429': 3, '200': 1 }],
	])('succeeds after %s', async (_case, faults, statuses) => {
		const session = env.sandbox.createSession({ user_id: 'RETRY' });
		env.sandbox.setFaults(faults);

		const json = await getSession(session.session_id);

		expect(json.user_id).toBe('RETRY');
		expect(env.sandbox.stats().byEndpoint.get_details).toEqual(statuses);
	});

	it('succeeds after a dropped connection', async () => {
		const session = env.sandbox.createSession({ user_id: 'DROP' });
		env.sandbox.setFaults({ drop: { count: 1, endpoint: 'get_details' } });

		const json = await getSession(session.session_id);

		expect(json.user_id).toBe('DROP');
		expect(env.sandbox.stats()).toMatchObject({ dropped: 1, requests: { get_details: 2 } });
	});

	it('gives up after two retries of a lasting HTML 500 and says so', async () => {
		const session = env.sandbox.createSession({});
		env.sandbox.setFaults({ fail5xx: { count: 10, endpoint: 'get_details', kind: 'html' } });

		const run = await env.harness.run(getSessionWorkflow({ sessionId: session.session_id }));

		const error = stopError(run);
		expect(error.message).toBe('KwikID had a server error (500): 500 Internal Server Error');
		expect(error.description).toMatch(/retried and still failed/);
		expect(readable(error)).not.toMatch(/<html|<!doctype/i);
		expect(env.sandbox.stats().byEndpoint.get_details).toEqual({ '500': 3 });
		const text = JSON.stringify(run.error);
		expect(text).not.toContain(env.sandbox.password);
		expect(text).not.toContain(env.token());
	});
});
