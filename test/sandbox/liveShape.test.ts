/**
 * The live shape (the default) and the checker step, over real HTTP: what a live install answers
 * (API-NOTES, "What a live install answers"), and the reference shape still one switch away.
 */
import { createSandbox } from '../../sandbox/server';
import { SessionStore } from '../../sandbox/sessions';
import { PATHS, call, getToken, obj, useSandbox } from './helpers';

const ctx = useSandbox();

async function details(id: string): Promise<{ top: Record<string, unknown>; data: Record<string, unknown> }> {
	const auth = await getToken(ctx.sb);
	const answer = await call(ctx.sb, 'GET', PATHS.details(id), { headers: { auth } });
	expect(answer.status).toBe(200);
	const top = obj(answer.body);
	return { top, data: obj(top.session_data) };
}

const AUDIT_FIELDS = [
	'audit_end_time',
	'audit_id',
	'audit_init_time',
	'audit_lock',
	'audit_result',
	'auditor_fdbk_code',
	'auditor_feedback',
	'auditor_name',
];

describe('live shape (default)', () => {
	it('sends numbers as strings, JSON text, epoch strings ("" before), session_type on top and a string status', async () => {
		const waiting = ctx.sb.createSession({ extras: { loan_amt: 250000 } });
		const before = await details(waiting.session_id);
		expect(before.top.status).toBe('200');
		expect(before.data).toMatchObject({
			number_of_videos_uploaded: '0',
			captured_images: '[]',
			vkyc_start_time: '',
			agent_assignment_time: '',
			end_time: '',
			session_type: 'VKYC',
			feedback: '',
			video_duration: '',
			summary_pdf_url: '',
		});
		expect(JSON.parse(String(before.data.extras))).toMatchObject({ loan_amt: 250000, session_status: 'waiting' });
		expect(String(before.data.start_time)).toMatch(/^[0-9]+\.[0-9]+$/);

		ctx.sb.setStatus(waiting.session_id, 'kyc_request_accepted');
		ctx.sb.setStatus(waiting.session_id, 'kyc_result_approved', 'Documents verified');
		const after = (await details(waiting.session_id)).data;
		expect(after.number_of_videos_uploaded).toBe('2');
		expect(JSON.parse(String(after.captured_images))).toEqual(['selfie', 'pan', 'aadhaar', 'aadhaarback']);
		expect(JSON.parse(String(after.feedback))).toEqual({
			type: 'Approve',
			comment: 'Documents verified',
			feedbackComment: 'Documents verified',
		});
		for (const field of ['vkyc_start_time', 'agent_assignment_time', 'end_time', 'aadhaar_request_time']) {
			expect(String(after[field])).toMatch(/^[0-9]+\.[0-9]+$/);
		}
		expect(JSON.parse(String(after.location))).toMatchObject({ latitude: expect.any(Number), longitude: expect.any(Number) });
		expect(typeof JSON.parse(String(after.stage_data))).toBe('object');
		expect(after).toMatchObject({ lang: 'en', productCode: expect.any(String), stage: 'completed', queue_position_at_init: '6' });
		expect(String(after.video_duration)).toMatch(/^[0-9.]+$/);
	});

	it('serves summary_pdf_url, aadhaar_xml and aadhaarpdf_url under /v1/download_content on its own origin, with auth only', async () => {
		const session = ctx.sb.createSession({ status: 'kyc_result_approved' });
		const { data } = await details(session.session_id);
		const auth = await getToken(ctx.sb);
		const expected = { summary_pdf_url: '%PDF', aadhaarpdf_url: '%PDF', aadhaar_xml: '<?xml' };
		for (const [field, magic] of Object.entries(expected)) {
			const url = new URL(String(data[field]));
			expect(url.origin).toBe(ctx.sb.url);
			expect(url.pathname).toMatch(new RegExp(`^/v1/download_content/${session.session_id}/`));
			const without = await call(ctx.sb, 'GET', url.pathname);
			expect(without.status).toBe(401);
			const withAuth = await call(ctx.sb, 'GET', url.pathname, { headers: { auth } });
			expect(withAuth.status).toBe(200);
			expect(withAuth.text.startsWith(magic)).toBe(true);
		}
		// The reference's storage paths do not serve them.
		const wrongPlace = await call(ctx.sb, 'GET', `/media/${session.session_id}/summary_report.pdf`, { headers: { auth } });
		expect(wrongPlace.status).toBe(404);
	});

	it('has the checker fields, empty and false before the checker starts', async () => {
		const session = ctx.sb.createSession({ status: 'kyc_result_approved' });
		const { data } = await details(session.session_id);
		expect(data).toMatchObject({
			audit_id: '',
			audit_result: '',
			audit_lock: false,
			audit_init_time: '',
			audit_end_time: '',
			auditor_name: '',
			auditor_feedback: '',
			auditor_fdbk_code: '',
		});
	});

	it('the reference shape is one switch away (option, control route), without audit fields unless a checker step is on', async () => {
		const session = ctx.sb.createSession({ status: 'kyc_result_approved' });
		const set = await call(ctx.sb, 'POST', '/__sandbox/shape', { json: { shape: 'reference' } });
		expect(set.body).toEqual({ shape: 'reference', checkerStep: true });
		await call(ctx.sb, 'POST', '/__sandbox/shape', { json: { checkerStep: false } });
		const reference = await details(session.session_id);
		expect(reference.top.status).toBe(200);
		expect(Array.isArray(reference.data.captured_images)).toBe(true);
		expect(reference.data).not.toHaveProperty('session_type');
		expect(reference.data).not.toHaveProperty('summary_pdf_url');
		for (const field of AUDIT_FIELDS) expect(reference.data).not.toHaveProperty(field);

		ctx.sb.setShape({ checkerStep: true });
		const withChecker = await details(session.session_id);
		for (const field of AUDIT_FIELDS) expect(withChecker.data).toHaveProperty(field);

		const bad = await call(ctx.sb, 'POST', '/__sandbox/shape', { json: { shape: 'real' } });
		expect(bad.status).toBe(400);
		// reset() goes back to the options' shape.
		ctx.sb.reset();
		expect(ctx.sb.getShape()).toEqual({ shape: 'live', checkerStep: true });
	});

	it('createSandbox({ shape: "reference" }) has no checker step unless asked', async () => {
		const sb = await createSandbox({ shape: 'reference' });
		try {
			expect(sb.getShape()).toEqual({ shape: 'reference', checkerStep: false });
			const session = sb.createSession({ status: 'kyc_result_approved' });
			expect(() => sb.checkerDecide(session.session_id, 'reject', 'x')).toThrow(/no checker step/);
			const answer = await call(sb, 'POST', `/__sandbox/sessions/${session.session_id}/checker`, { json: { decision: 'approve' } });
			expect(answer.status).toBe(409);
		} finally {
			await sb.close();
		}
		const withStep = await createSandbox({ shape: 'reference', checkerStep: true });
		expect(withStep.getShape()).toEqual({ shape: 'reference', checkerStep: true });
		await withStep.close();
	});
});

describe('checker step', () => {
	it('checker reject after the agent approved: audit fields filled, session_status stays kyc_result_approved', async () => {
		const session = ctx.sb.createSession({ status: 'kyc_result_approved' });
		ctx.sb.checkerStart(session.session_id);
		const started = (await details(session.session_id)).data;
		expect(started).toMatchObject({ audit_lock: true, auditor_name: expect.any(String), audit_result: '', audit_end_time: '' });
		expect(String(started.audit_id)).not.toBe('');
		expect(String(started.audit_init_time)).toMatch(/^[0-9]+\.[0-9]+$/);

		const answer = await call(ctx.sb, 'POST', `/__sandbox/sessions/${session.session_id}/checker`, {
			json: { decision: 'reject', reason: 'Audio not available' },
		});
		expect(answer.status).toBe(200);
		const data = (await details(session.session_id)).data;
		expect(data).toMatchObject({
			session_status: 'kyc_result_approved',
			audit_result: '2',
			auditor_feedback: 'Redo/Reopen - Audio not available (#A1) ... REJECT',
			auditor_fdbk_code: 'A1',
			audit_lock: false,
			audit_id: started.audit_id,
			audit_init_time: started.audit_init_time,
		});
		expect(String(data.audit_end_time)).toMatch(/^[0-9]+\.[0-9]+$/);
	});

	it('checker approve: audit_result "1", feedback "Approved"; also after an agent rejection', async () => {
		for (const status of ['kyc_result_approved', 'kyc_result_rejected']) {
			const session = ctx.sb.createSession({ status });
			ctx.sb.checkerDecide(session.session_id, 'approve');
			const data = (await details(session.session_id)).data;
			expect(data).toMatchObject({ session_status: status, audit_result: '1', auditor_feedback: 'Approved', auditor_fdbk_code: '' });
		}
	});

	it('refuses before the agent decided, a second decision, an unknown session and a bad body', async () => {
		const waiting = ctx.sb.createSession();
		const early = await call(ctx.sb, 'POST', `/__sandbox/sessions/${waiting.session_id}/checker`, { json: { decision: 'approve' } });
		expect(early.status).toBe(409);
		expect(String(obj(early.body).error)).toMatch(/after the agent/);

		const done = ctx.sb.createSession({ status: 'kyc_result_approved' });
		ctx.sb.checkerDecide(done.session_id, 'approve');
		const again = await call(ctx.sb, 'POST', `/__sandbox/sessions/${done.session_id}/checker`, { json: { decision: 'reject' } });
		expect(again.status).toBe(409);

		const unknown = await call(ctx.sb, 'POST', '/__sandbox/sessions/nope/checker', { json: { decision: 'approve' } });
		expect(unknown.status).toBe(404);
		const bad = await call(ctx.sb, 'POST', `/__sandbox/sessions/${done.session_id}/checker`, { json: { decision: 'maybe' } });
		expect(bad.status).toBe(400);
	});

	it('kyc_result_partial_update can be set, and the checker still waits for a decision', async () => {
		const session = ctx.sb.createSession();
		const answer = await call(ctx.sb, 'POST', `/__sandbox/sessions/${session.session_id}/status`, {
			json: { status: 'kyc_result_partial_update' },
		});
		expect(answer.status).toBe(200);
		expect((await details(session.session_id)).data.session_status).toBe('kyc_result_partial_update');
		expect(() => ctx.sb.checkerDecide(session.session_id, 'approve')).toThrow(/after the agent/);
	});

	it('auto-progress can include the checker: agent approves, the checker starts halfway and then rejects', () => {
		// The script is computed from the creation time; the store takes the clock as an argument.
		const store = new SessionStore({ afterMs: 300, outcome: 'approve', checker: 'reject', checkerAfterMs: 200 });
		const scripted = store.create({}, 1_000_000);
		const at = (ms: number): Record<string, unknown> =>
			store.render(scripted.session_id, 'http://sb', 1_000_000 + ms, { shape: 'live', checkerStep: true }) ?? {};
		expect(at(299)).toMatchObject({ session_status: 'kyc_request_accepted', audit_lock: false, audit_init_time: '' });
		expect(at(300)).toMatchObject({ session_status: 'kyc_result_approved', audit_lock: false, audit_result: '' });
		expect(at(400)).toMatchObject({ session_status: 'kyc_result_approved', audit_lock: true, audit_init_time: '1000.4', audit_result: '' });
		expect(at(500)).toMatchObject({
			session_status: 'kyc_result_approved',
			audit_lock: false,
			audit_result: '2',
			audit_end_time: '1000.5',
			auditor_fdbk_code: 'A1',
		});
		expect(store.scriptedDecisions(scripted.session_id, 1_000_000)).toEqual([
			{ event: 'Maker Approved', at: 1_000_300 },
			{ event: 'Checker Rejected', at: 1_000_500 },
		]);
		// Control taking over freezes the checker where the script had it.
		store.setStatus(scripted.session_id, 'kyc_result_approved', undefined, 1_000_450);
		expect(store.get(scripted.session_id, 1_000_999)?.audit).toMatchObject({ startedAt: 1_000_400, decision: null });
	});
});
