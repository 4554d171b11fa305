import { createSandbox } from '../../sandbox/server';
import { SESSION_STATUSES, SessionStore } from '../../sandbox/sessions';
import { PATHS, call, getToken, obj, sleep, useSandbox, validSendLink, within } from './helpers';

// The published reference, field for field (live-shape tests set their own).
const ctx = useSandbox({ shape: 'reference' });

const MEDIA_FIELDS = [
	'selfie_url',
	'pan_url',
	'aadhaar_url',
	'aadhaarback_url',
	'user_video_url',
	'agent_video_url',
	'agent_screen_url',
	'zip_url',
	'summary_json_url',
];

/** Every field of the documented session_data example, in its (sorted) order. */
const DOCUMENTED_FIELDS = [
	'IS_VIDO_UPLOADED',
	'aadhaar_request_time',
	'aadhaar_url',
	'aadhaarback_url',
	'agent_assignment_time',
	'agent_id',
	'agent_region',
	'agent_screen_url',
	'agent_tl',
	'agent_video_url',
	'captured_images',
	'client_name',
	'customer_IP',
	'end_time',
	'extras',
	'feedback',
	'link_id',
	'number_of_videos_uploaded',
	'origin',
	'pan_request_time',
	'pan_url',
	'phone_number',
	'selfie_request_time',
	'selfie_url',
	'session_id',
	'session_status',
	'start_time',
	'summary_data',
	'summary_json_url',
	'user_ack',
	'user_id',
	'user_video_url',
	'vkyc_start_time',
	'zip_url',
];

async function details(id: string, auth: string): Promise<Record<string, unknown>> {
	const answer = await call(ctx.sb, 'GET', PATHS.details(id), { headers: { auth } });
	expect(answer.status).toBe(200);
	const body = obj(answer.body);
	expect(body.status).toBe(200);
	return obj(body.session_data);
}

describe('get_details', () => {
	it('answers an unknown id with the documented 400', async () => {
		const auth = await getToken(ctx.sb);
		const answer = await call(ctx.sb, 'GET', PATHS.details('no-such-session'), { headers: { auth } });
		expect(answer.status).toBe(400);
		expect(answer.body).toEqual({ e: 'list index out of range', msg: 'Invalid session id', status: 400 });
	});

	it('renders a waiting session from sendLink: no agent, no media, empty feedback', async () => {
		const auth = await getToken(ctx.sb);
		const sent = obj(
			(
				await call(ctx.sb, 'POST', PATHS.sendLink, {
					json: validSendLink({ extras: { applicant_name: 'Arjun Sharma', link_expires_in: '900' } }),
					headers: { auth },
				})
			).body,
		);
		const data = await details(String(sent.session_id), auth);
		expect(Object.keys(data)).toEqual(DOCUMENTED_FIELDS);
		expect(data).toMatchObject({
			session_id: sent.session_id,
			session_status: 'waiting',
			link_id: sent.link_id,
			user_id: 'user-1',
			phone_number: '9876543210',
			origin: 'KWIKID_ID',
			feedback: '',
			agent_id: '',
			agent_region: '',
			agent_assignment_time: null,
			agent_tl: null,
			IS_VIDO_UPLOADED: false,
			number_of_videos_uploaded: 0,
			captured_images: [],
			summary_data: {},
			end_time: null,
			user_ack: 0,
		});
		for (const field of MEDIA_FIELDS) expect(data[field]).toBe('');
		expect(data.extras).toEqual({
			applicant_name: 'Arjun Sharma',
			link_expires_in: '900',
			session_status: 'waiting',
			session_type: 'VKYC',
		});
		expect(data.start_time).toMatch(/^[0-9]+\.[0-9]+$/);
	});

	it('renders an approved session with all documented quirks', async () => {
		const auth = await getToken(ctx.sb);
		const session = ctx.sb.createSession({ user_id: 'u-approved', extras: { pan_number: 'ABCDE1234F' } });
		ctx.sb.setStatus(session.session_id, 'agent_alloted');
		ctx.sb.setStatus(session.session_id, 'kyc_request_accepted');
		ctx.sb.setStatus(session.session_id, 'kyc_result_approved');
		const data = await details(session.session_id, auth);

		expect(data.session_status).toBe('kyc_result_approved');
		expect(typeof data.feedback).toBe('string');
		expect(JSON.parse(String(data.feedback))).toEqual({ type: 'Approve', comment: 'All Successful' });
		expect(data).toMatchObject({ agent_id: 'AGT-SANDBOX-01', agent_tl: null, IS_VIDO_UPLOADED: true, user_ack: 1 });
		// Times: a mix of strings and numbers, as the real API sends them.
		expect(typeof data.agent_assignment_time).toBe('number');
		expect(typeof data.vkyc_start_time).toBe('number');
		expect(typeof data.start_time).toBe('string');
		expect(typeof data.end_time).toBe('string');
		for (const field of MEDIA_FIELDS) expect(data[field]).toMatch(new RegExp(`^${ctx.sb.url}/media/${session.session_id}/`));

		const summary = obj(data.summary_data);
		const docs = summary.docs as Array<Record<string, unknown>>;
		expect(docs.map((d) => d.name)).toEqual(['Pan Card', 'Aadhaar Card', 'Signature Match']);
		expect(docs[1].facematch_score).toBeDefined();
		expect(docs[2].validator).toEqual({ success: false, type: 'isSignatureVerify' });
		expect(summary.overall_summary).toContain(null);
		expect(Array.isArray(summary.qna)).toBe(true);
		expect(obj(summary.user_info).user_id).toBe('u-approved');
	});

	it('fills feedback with the given comment on a rejection', async () => {
		const auth = await getToken(ctx.sb);
		const session = ctx.sb.createSession();
		ctx.sb.setStatus(session.session_id, 'kyc_result_rejected', 'Blurry PAN');
		const data = await details(session.session_id, auth);
		expect(data.feedback).toBe('{"type":"Reject","comment":"Blurry PAN"}');
		expect(data.agent_id).toBe('AGT-SANDBOX-01');
	});

	it('fills agent fields from agent_alloted on, media only once the call started', async () => {
		const auth = await getToken(ctx.sb);
		const session = ctx.sb.createSession();
		ctx.sb.setStatus(session.session_id, 'agent_alloted');
		const allotted = await details(session.session_id, auth);
		expect(allotted.agent_id).toBe('AGT-SANDBOX-01');
		expect(typeof allotted.agent_assignment_time).toBe('number');
		expect(allotted.selfie_url).toBe('');
		expect(allotted.feedback).toBe('');
	});

	it('accepts every documented status and passes unknown ones through', async () => {
		const auth = await getToken(ctx.sb);
		for (const status of [...SESSION_STATUSES, 'kyc_result_partial_update']) {
			const session = ctx.sb.createSession();
			expect(ctx.sb.setStatus(session.session_id, status).status).toBe(status);
			const data = await details(session.session_id, auth);
			expect(data.session_status).toBe(status);
			expect(obj(data.extras).session_status).toBe(status);
		}
	});

	it('refuses to set a status on an unknown session', () => {
		expect(() => ctx.sb.setStatus('nope', 'waiting')).toThrow(/unknown session/);
	});
});

describe('autoProgress', () => {
	it('walks waiting -> agent_alloted -> kyc_request_accepted -> result, spread over afterMs', () => {
		// The status is a pure function of the clock, so the walk can be checked at exact instants.
		const store = new SessionStore({ afterMs: 300, outcome: 'approve' });
		const t0 = 1_700_000_000_000;
		const { session_id: id } = store.create({}, t0);
		const at = (ms: number): string | undefined => store.get(id, t0 + ms)?.status;
		expect([at(0), at(99), at(100), at(199), at(200), at(299), at(300), at(10_000)]).toEqual([
			'waiting',
			'waiting',
			'agent_alloted',
			'agent_alloted',
			'kyc_request_accepted',
			'kyc_request_accepted',
			'kyc_result_approved',
			'kyc_result_approved',
		]);
		expect(store.get(id, t0 + 300)?.history.map((e) => e.at - t0)).toEqual([0, 100, 200, 300]);
		expect(store.render(id, 'http://x', t0 + 150)?.agent_assignment_time).toBe((t0 + 100) / 1000);
		expect(store.render(id, 'http://x', t0 + 150)?.selfie_url).toBe('');
	});

	it('progresses in real time over HTTP too', async () => {
		// The first of the three steps comes a third of afterMs after creation: a second here, so
		// one local GET reads the session before it even on a loaded machine (450 ms, with the
		// login in between, read `agent_alloted` once).
		const sb = await createSandbox({ shape: 'reference', autoProgress: { afterMs: 3000, outcome: 'approve' } });
		try {
			const auth = await getToken(sb);
			const session = sb.createSession();
			const read = async (): Promise<unknown> =>
				obj(obj((await call(sb, 'GET', PATHS.details(session.session_id), { headers: { auth } })).body).session_data)
					.session_status;
			expect(await read()).toBe('waiting');
			await sleep(3100);
			expect(await read()).toBe('kyc_result_approved');
		} finally {
			await sb.close();
		}
	});

	it('can reject, is settable at run time, and a set status freezes the script', async () => {
		ctx.sb.setAutoProgress({ afterMs: 0, outcome: 'reject' });
		const rejected = ctx.sb.createSession();
		expect(ctx.sb.getSession(rejected.session_id)?.status).toBe('kyc_result_rejected');
		const auth = await getToken(ctx.sb);
		expect(JSON.parse(String((await details(rejected.session_id, auth)).feedback))).toMatchObject({ type: 'Reject' });

		ctx.sb.setAutoProgress({ afterMs: 60_000, outcome: 'approve' });
		const frozen = ctx.sb.createSession();
		ctx.sb.setStatus(frozen.session_id, 'user_abandoned');
		expect(ctx.sb.getSession(frozen.session_id)?.status).toBe('user_abandoned');

		ctx.sb.setAutoProgress(null);
		expect(ctx.sb.getSession(ctx.sb.createSession().session_id)?.status).toBe('waiting');
	});

	it('costs nothing per session: thousands of sessions, instant close', async () => {
		const sb = await createSandbox({ shape: 'reference', autoProgress: { afterMs: 1000, outcome: 'approve' } });
		for (let i = 0; i < 5000; i++) sb.createSession();
		expect(sb.listSessions()).toHaveLength(5000);
		// No timer per session: close() does not wait for auto-progress (a race with 5 s, not a timing).
		const closed = await within(sb.close().then(() => 'closed'), 5000, 'waiting');
		expect(closed).toBe('closed');
		expect(sb.listSessions()).toHaveLength(5000);
	});
});

describe('media', () => {
	it('serves each media URL with the auth header and a proper type', async () => {
		const auth = await getToken(ctx.sb);
		const session = ctx.sb.createSession();
		ctx.sb.setStatus(session.session_id, 'kyc_result_approved');
		const data = await details(session.session_id, auth);
		const expected: Record<string, string> = {
			selfie_url: 'image/png',
			user_video_url: 'video/mp4',
			zip_url: 'application/zip',
			summary_json_url: 'application/json',
		};
		for (const [field, type] of Object.entries(expected)) {
			const response = await fetch(String(data[field]), { headers: { auth } });
			expect(response.status).toBe(200);
			expect(response.headers.get('content-type')).toBe(type);
			expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="[^"]+"$/);
			const bytes = Buffer.from(await response.arrayBuffer());
			expect(bytes.length).toBeGreaterThan(0);
			if (type === 'image/png') expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
			if (type === 'application/zip') expect(bytes.subarray(0, 2).toString()).toBe('PK');
			if (type === 'application/json') expect(obj(JSON.parse(bytes.toString())).docs).toBeDefined();
		}
	});

	it('needs auth and a session that has media', async () => {
		const auth = await getToken(ctx.sb);
		const session = ctx.sb.createSession();
		const url = `${ctx.sb.url}/media/${session.session_id}/selfie.png`;
		expect((await fetch(url)).status).toBe(401);
		expect((await fetch(url, { headers: { auth: 'bad.token.here' } })).status).toBe(401);
		expect((await fetch(url, { headers: { auth } })).status).toBe(404); // still waiting
		ctx.sb.setStatus(session.session_id, 'kyc_request_accepted');
		expect((await fetch(url, { headers: { auth } })).status).toBe(200);
		expect((await fetch(`${ctx.sb.url}/media/${session.session_id}/secret.txt`, { headers: { auth } })).status).toBe(404);
		expect(ctx.sb.stats().requests.media).toBe(5);
	});
});
