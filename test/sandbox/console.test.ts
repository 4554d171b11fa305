/**
 * The console's routes over real HTTP: its files and state JSON under /__sandbox/console
 * (loopback only, masked), and the customer page behind Send Link's link_url. The page itself
 * is driven in a real browser in test/console/.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';

import { linkIdOf } from '../../sandbox/console/customer';
import { CONSOLE_SESSION_LIMIT, customerPath } from '../../sandbox/console/state';
import { handleControl } from '../../sandbox/control';
import { PATHS, call, getToken, obj, useSandbox, validSendLink } from './helpers';

const ctx = useSandbox();

interface StateJson {
	total_sessions: number;
	sessions: Array<Record<string, unknown>>;
	requests: Array<Record<string, unknown>>;
	faults: Record<string, unknown>;
	shape: Record<string, unknown>;
}

async function state(): Promise<StateJson> {
	const answer = await call(ctx.sb, 'GET', '/__sandbox/console/state');
	expect(answer.status).toBe(200);
	return answer.body as StateJson;
}

async function sendLink(overrides: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
	const auth = await getToken(ctx.sb);
	const answer = await call(ctx.sb, 'POST', PATHS.sendLink, { json: validSendLink(overrides), headers: { auth } });
	expect(answer.status).toBe(200);
	return obj(answer.body);
}

/** The path and query of a link_url, as a browser would request it. */
const pathOf = (linkUrl: unknown): string => String(linkUrl).replace(/^http:\/\/[^/]+/, '');

describe('console files', () => {
	it('serves the page, its script, style and icon from the sandbox itself, with a strict CSP', async () => {
		const page = await call(ctx.sb, 'GET', '/__sandbox/console');
		expect(page.status).toBe(200);
		expect(page.headers.get('content-type')).toMatch(/^text\/html/);
		expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
		expect(page.text).toContain('<script src="/__sandbox/console/console.js" defer></script>');

		for (const [path, type] of [
			['/__sandbox/console/console.js', /^text\/javascript/],
			['/__sandbox/console/console.css', /^text\/css/],
			['/__sandbox/console/favicon.svg', /^image\/svg\+xml/],
			['/__sandbox/console/', /^text\/html/],
		] as const) {
			const answer = await call(ctx.sb, 'GET', path);
			expect(answer.status).toBe(200);
			expect(answer.headers.get('content-type')).toMatch(type);
		}
	});

	it('loads nothing from the internet and writes no HTML from data', async () => {
		const files = await Promise.all(
			['/__sandbox/console', '/__sandbox/console/console.js', '/__sandbox/console/console.css'].map(
				async (path) => (await call(ctx.sb, 'GET', path)).text,
			),
		);
		for (const text of files) {
			expect(text).not.toMatch(/(src|href)="(https?:)?\/\//);
			expect(text).not.toMatch(/url\(|@import/);
		}
		const script = files[1];
		expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
	});

	it('is neither counted nor logged, and unknown console paths are the control 404', async () => {
		await call(ctx.sb, 'GET', '/__sandbox/console');
		await call(ctx.sb, 'GET', '/__sandbox/console/state');
		expect(ctx.sb.stats().total).toBe(0);
		expect(ctx.sb.requestLog()).toEqual([]);
		expect((await call(ctx.sb, 'GET', '/__sandbox/console/nope.js')).status).toBe(404);
		expect((await call(ctx.sb, 'POST', '/__sandbox/console')).status).toBe(404);
	});

	it('refuses callers that are not on this machine, like every control route', async () => {
		for (const path of ['/console', '/console/console.js', '/console/state']) {
			const socket = new Socket();
			Object.defineProperty(socket, 'remoteAddress', { value: '192.168.1.20' });
			const req = new IncomingMessage(socket);
			req.method = 'GET';
			req.url = `/__sandbox${path}`;
			const res = new ServerResponse(req);
			await handleControl(req, res, path, ctx.sb);
			expect(res.statusCode).toBe(403);
			socket.destroy();
		}
	});
});

describe('control routes and other sites', () => {
	it('refuse a request a page from another site sends, and take curl, tests and the console', async () => {
		const reset = (headers: Record<string, string>): ReturnType<typeof call> =>
			call(ctx.sb, 'POST', '/__sandbox/faults', { raw: '{"latencyMs":60000}', headers });
		const host = new URL(ctx.sb.url).host;
		for (const origin of ['http://evil.example', 'null', `http://${host}.evil.example`]) {
			const refused = await reset({ origin });
			expect(refused.status).toBe(403);
			expect(obj(refused.body).error).toMatch(/other sites/);
		}
		expect(ctx.sb.faults().latencyMs).toBe(0);

		expect((await reset({ origin: ctx.sb.url })).status).toBe(200);
		expect((await reset({})).status).toBe(200);
		expect(ctx.sb.faults().latencyMs).toBe(60_000);
		ctx.sb.clearFaults();
	});
});

describe('GET /__sandbox/console/state', () => {
	it('lists sessions newest first with masked phones, link expiry and the customer page', async () => {
		const first = await sendLink({ user_id: 'first', phone_number: '9123456780' });
		const second = await sendLink({ user_id: 'second', extras: { link_expires_in: '60' } });
		const dkyc = ctx.sb.createSession({ user_id: 'dkyc', session_type: 'DKYC', link_id: '', link_type: '' });

		const { sessions, total_sessions } = await state();
		expect(total_sessions).toBe(3);
		expect(sessions.map((s) => s.user_id)).toEqual(['dkyc', 'second', 'first']);
		expect(sessions[2]).toMatchObject({
			session_id: first.session_id,
			phone: 'XXXXXX6780',
			session_type: 'VKYC',
			status: 'waiting',
			is_final: false,
			feedback: null,
			customer_path: pathOf(first.link_url),
		});
		const s2 = sessions[1];
		expect(Number(s2.link_expires_at) - Number(s2.created_at)).toBe(60_000);
		expect(Number(s2.link_expires_at) / 1000).toBeCloseTo(Number(second.link_expiry_time), 2);
		expect(sessions[0]).toMatchObject({ session_id: dkyc.session_id, link_expires_at: null, customer_path: null });
		expect(JSON.stringify(sessions)).not.toContain('9123456780');
	});

	it('shows the result feedback and whether a status is final', async () => {
		const approved = ctx.sb.createSession();
		const rejected = ctx.sb.createSession();
		const odd = ctx.sb.createSession();
		ctx.sb.setStatus(approved.session_id, 'kyc_result_approved');
		ctx.sb.setStatus(rejected.session_id, 'kyc_result_rejected', 'PAN photo is blurred');
		ctx.sb.setStatus(odd.session_id, 'kyc_result_partial_update');

		const byId = new Map((await state()).sessions.map((s) => [s.session_id, s]));
		expect(byId.get(approved.session_id)).toMatchObject({ is_final: true, feedback: 'All Successful' });
		expect(byId.get(rejected.session_id)).toMatchObject({ is_final: true, feedback: 'PAN photo is blurred' });
		expect(byId.get(odd.session_id)).toMatchObject({ status: 'kyc_result_partial_update', is_final: false });
	});

	it("shows the checker's review and when the checker buttons apply, and the answer shape", async () => {
		const waiting = ctx.sb.createSession();
		const approved = ctx.sb.createSession({ status: 'kyc_result_approved' });
		const inReview = ctx.sb.createSession({ status: 'kyc_result_approved' });
		const rejected = ctx.sb.createSession({ status: 'kyc_result_approved' });
		ctx.sb.checkerStart(inReview.session_id);
		ctx.sb.checkerDecide(rejected.session_id, 'reject', 'Face not visible');

		const answer = await state();
		expect(answer.shape).toEqual({ shape: 'live', checkerStep: true });
		const byId = new Map(answer.sessions.map((s) => [s.session_id, s]));
		expect(byId.get(waiting.session_id)?.checker).toEqual({ state: 'awaiting', feedback: null, can_decide: false });
		expect(byId.get(approved.session_id)?.checker).toEqual({ state: 'awaiting', feedback: null, can_decide: true });
		expect(byId.get(inReview.session_id)?.checker).toEqual({ state: 'in_review', feedback: null, can_decide: true });
		expect(byId.get(rejected.session_id)?.checker).toEqual({
			state: 'rejected',
			feedback: 'Redo/Reopen - Face not visible (#A1) ... REJECT',
			can_decide: false,
		});

		ctx.sb.setShape({ shape: 'reference', checkerStep: false });
		const without = await state();
		expect(without.shape).toEqual({ shape: 'reference', checkerStep: false });
		expect(without.sessions.every((s) => s.checker === null)).toBe(true);
	});

	it('masks personal data callers put into user ids, paths and feedback', async () => {
		await sendLink({ user_id: 'ABCDE1234F' });
		const s = ctx.sb.createSession({ user_id: '9876501234' });
		ctx.sb.setStatus(s.session_id, 'kyc_result_rejected', 'Aadhaar 2345 6789 0124 does not match');
		await call(ctx.sb, 'GET', PATHS.details('234567890124'), { headers: { auth: await getToken(ctx.sb) } });

		const { sessions, requests } = await state();
		const text = JSON.stringify({ sessions, requests });
		expect(text).not.toMatch(/ABCDE1234F|9876501234|2345 6789 0124|234567890124/);
		expect(sessions.map((x) => x.user_id)).toEqual(['XXXXXX1234', 'XXXXX1234X']);
		expect(sessions[0].feedback).toBe('Aadhaar XXXXXXXX0124 does not match');
		expect(requests.find((r) => String(r.path).includes('get_details'))?.path).toBe(
			'/agentapi/v1/session/get_details/XXXXXXXX0124',
		);
	});

	it('gives the request log newest first, without bodies', async () => {
		await sendLink({ user_id: 'logged' });
		const { requests } = await state();
		expect(requests.map((r) => `${String(r.method)} ${String(r.path)} ${String(r.status)}`)).toEqual([
			'POST /agentapi/v1/agent/sendLink/ 200',
			'POST /agentapi/v1/agent/generate_token 200',
		]);
		expect(requests[0]).toMatchObject({ user_id: 'logged' });
		expect(Object.keys(requests[0]).sort()).toEqual(['at', 'method', 'ms', 'path', 'status', 'user_id']);
	});

	it('lists at most the newest CONSOLE_SESSION_LIMIT sessions, with the total', async () => {
		await call(ctx.sb, 'POST', '/__sandbox/sessions', { json: { count: CONSOLE_SESSION_LIMIT + 5 } });
		const newest = ctx.sb.createSession({ user_id: 'newest' });
		const { sessions, total_sessions } = await state();
		expect(total_sessions).toBe(CONSOLE_SESSION_LIMIT + 6);
		expect(sessions).toHaveLength(CONSOLE_SESSION_LIMIT);
		expect(sessions[0].session_id).toBe(newest.session_id);
	});

	it('carries the current faults', async () => {
		ctx.sb.setFaults({ latencyMs: 5, random: { share429: 0.25, share5xx: 0, shareDrop: 0, seed: 3 } });
		expect((await state()).faults).toMatchObject({ latencyMs: 5, random: { share429: 0.25 } });
	});
});

describe('customer page (link_url)', () => {
	it('opens from the link_url Send Link returns and shows only the masked phone', async () => {
		const link = await sendLink({ phone_number: '9123456780' });
		const page = await call(ctx.sb, 'GET', pathOf(link.link_url));
		expect(page.status).toBe(200);
		expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
		expect(page.text).toContain('Start video KYC');
		expect(page.text).toContain('XXXXXX6780');
		expect(page.text).not.toContain('9123456780');
		expect(page.text).not.toMatch(/<script/i);
	});

	it('"Start video KYC" moves a waiting session to vkyc_requested once, then redirects back', async () => {
		const link = await sendLink();
		const path = pathOf(link.link_url);
		const started = await call(ctx.sb, 'POST', path, { raw: '', redirect: 'manual' });
		expect(started.status).toBe(303);
		expect(started.headers.get('location')).toBe(path);
		const session = ctx.sb.getSession(String(link.session_id));
		expect(session?.status).toBe('vkyc_requested');

		const after = await call(ctx.sb, 'GET', path);
		expect(after.text).toContain('You are in the queue');
		expect(after.text).not.toContain('Start video KYC');

		// A late click on a session the agent already moved on changes nothing.
		ctx.sb.setStatus(String(link.session_id), 'kyc_result_approved');
		await call(ctx.sb, 'POST', path, { raw: '', redirect: 'manual' });
		expect(ctx.sb.getSession(String(link.session_id))?.status).toBe('kyc_result_approved');
		expect((await call(ctx.sb, 'GET', path)).text).toContain('Your video KYC is complete');
	});

	it('does not start an expired link', async () => {
		const session = ctx.sb.createSession({ validity_duration: 0.001 });
		await new Promise((resolve) => setTimeout(resolve, 5));
		const path = customerPath(session.link_id);
		expect((await call(ctx.sb, 'GET', path)).text).toContain('This link has expired');
		await call(ctx.sb, 'POST', path, { raw: '', redirect: 'manual' });
		expect(ctx.sb.getSession(session.session_id)?.status).toBe('waiting');
	});

	it('answers an unknown link with a 404 page and other methods with a 405', async () => {
		const unknown = await call(ctx.sb, 'GET', customerPath('NoSuchLink12'));
		expect(unknown.status).toBe(404);
		expect(unknown.text).toContain('This link is not valid');
		expect((await call(ctx.sb, 'GET', '/user/')).status).toBe(404);
		const session = ctx.sb.createSession();
		expect((await call(ctx.sb, 'DELETE', customerPath(session.link_id))).status).toBe(405);
		// DKYC sessions have no link: an empty link id finds nothing.
		ctx.sb.createSession({ session_type: 'DKYC', link_id: '' });
		expect((await call(ctx.sb, 'GET', customerPath(''))).status).toBe(404);
	});

	it('escapes what it writes into the page', async () => {
		const session = ctx.sb.createSession();
		ctx.sb.setStatus(session.session_id, '<img src=x onerror=alert(1)>');
		const page = await call(ctx.sb, 'GET', customerPath(session.link_id));
		expect(page.text).not.toContain('<img');
		expect(page.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
	});

	it('is KwikID\'s web app, not its API: not counted, logged or faulted', async () => {
		const session = ctx.sb.createSession();
		ctx.sb.setFaults({ fail5xx: { count: 5, kind: 'html' } });
		expect((await call(ctx.sb, 'GET', customerPath(session.link_id))).status).toBe(200);
		expect(ctx.sb.stats().total).toBe(0);
		expect(ctx.sb.stats().statusCodes).toEqual({});
		expect(ctx.sb.requestLog()).toEqual([]);
	});

	it('reads the link id from the encoded path as sent, or from a plain query', () => {
		expect(linkIdOf('/user/%3Fl%3DAbc123%26d%3D1%26s%3D0', '')).toBe('Abc123');
		expect(linkIdOf('/user/', '?l=Abc123&d=1')).toBe('Abc123');
		expect(linkIdOf('/user/%E0%A4', '')).toBeNull();
		expect(linkIdOf('/user/', '')).toBeNull();
	});
});
