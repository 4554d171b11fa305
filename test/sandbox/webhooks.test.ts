/**
 * The webhook sender over real HTTP: a receiver on loopback records what the sandbox posts when
 * the agent or the checker decides. Waits on the sandbox's own counters (waitForWebhookDeliveries,
 * webhooksSettled), never on a clock.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

import { createSandbox, type Sandbox } from '../../sandbox/server';
import { call, obj } from './helpers';

interface Received {
	path: string;
	headers: IncomingHttpHeaders;
	body: string;
}

/** Answers each request with the next planned reply (then 200): a status, or 'drop' to hang up. */
interface Receiver {
	url: string;
	received: Received[];
	plan: Array<number | 'drop'>;
	close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
	const received: Received[] = [];
	const plan: Array<number | 'drop'> = [];
	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
			const next = plan.shift() ?? 200;
			if (next === 'drop') {
				req.socket.destroy();
				return;
			}
			if (next >= 300 && next < 400) res.setHeader('Location', receiverElsewhere);
			res.writeHead(next);
			res.end('ok');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	if (address === null || typeof address === 'string') throw new Error('no port');
	return {
		url: `http://127.0.0.1:${address.port}`,
		received,
		plan,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

let receiverElsewhere = '';
let receiver: Receiver;
let elsewhere: Receiver;
let sb: Sandbox;

beforeAll(async () => {
	receiver = await startReceiver();
	elsewhere = await startReceiver();
	receiverElsewhere = `${elsewhere.url}/stolen`;
	sb = await createSandbox({ webhookRetry: { baseMs: 5, attempts: 3 } });
});

afterEach(async () => {
	sb.reset();
	receiver.received.length = 0;
	receiver.plan.length = 0;
	elsewhere.received.length = 0;
});

afterAll(async () => {
	await sb.close();
	await receiver.close();
	await elsewhere.close();
});

const approved = (): string => {
	const session = sb.createSession({ user_id: 'LEAD-7' });
	sb.setStatus(session.session_id, 'kyc_result_approved');
	return session.session_id;
};

describe('webhook deliveries', () => {
	it('posts Maker Approved to the subscribed URL with its headers, and logs it without the query', async () => {
		sb.addWebhook({ url: `${receiver.url}/hook?token=secret123`, headers: { Authorization: 'Bearer s3cret' } });
		const sessionId = approved();
		const [delivery] = await sb.waitForWebhookDeliveries(1);

		expect(receiver.received).toHaveLength(1);
		const [request] = receiver.received;
		expect(request.path).toBe('/hook?token=secret123');
		expect(request.headers.authorization).toBe('Bearer s3cret');
		expect(request.headers['content-type']).toBe('application/json');
		const body = JSON.parse(request.body) as Record<string, unknown>;
		expect(body).toEqual({
			event: 'Maker Approved',
			session_id: sessionId,
			user_id: 'LEAD-7',
			session_status: 'kyc_result_approved',
			timestamp: expect.stringMatching(/^[0-9]+\.[0-9]+$/),
		});
		expect(delivery).toMatchObject({
			url: `${receiver.url}/hook`,
			event: 'Maker Approved',
			shape: 'flat',
			session_id: sessionId,
			status: 200,
			attempt: 1,
			ok: true,
			retrying: false,
		});
		const logged = sb.requestLog().filter((entry) => entry.endpoint === 'webhook');
		expect(logged).toEqual([
			expect.objectContaining({
				method: 'POST',
				path: `${receiver.url}/hook`,
				status: 200,
				webhook: { event: 'Maker Approved', shape: 'flat', attempt: 1, session_id: sessionId },
			}),
		]);
		expect(JSON.stringify(sb.requestLog())).not.toContain('secret123');
		// Webhooks are not API requests: the API counters do not move.
		expect(sb.stats().total).toBe(0);
	});

	it('sends only the events a subscription names, to each subscription', async () => {
		sb.addWebhook({ url: `${receiver.url}/maker`, events: ['Maker Approved', 'maker_rejected'] });
		sb.addWebhook({ url: `${receiver.url}/checker`, events: ['CHECKER-REJECTED', 'Checker Approved'] });
		const first = approved();
		const second = sb.createSession();
		sb.setStatus(second.session_id, 'kyc_result_rejected', 'PAN blurred');
		sb.checkerDecide(first, 'reject', 'Audio not available');
		await sb.waitForWebhookDeliveries(3);
		await sb.webhooksSettled();

		const seen = receiver.received.map((r) => `${r.path} ${String((JSON.parse(r.body) as { event: string }).event)}`).sort();
		expect(seen).toEqual(['/checker Checker Rejected', '/maker Maker Approved', '/maker Maker Rejected']);
	});

	it('setting the status a session already has, or a status that decides nothing, sends nothing', async () => {
		sb.addWebhook({ url: receiver.url });
		const sessionId = approved();
		sb.setStatus(sessionId, 'kyc_result_approved');
		sb.setStatus(sb.createSession().session_id, 'agent_alloted');
		await sb.waitForWebhookDeliveries(1);
		await sb.webhooksSettled();
		expect(receiver.received).toHaveLength(1);
	});

	it('speaks all five payload shapes', async () => {
		for (const shape of ['flat', 'nested', 'dashboard', 'form', 'text']) {
			sb.addWebhook({ url: `${receiver.url}/${shape}`, shape, events: ['Checker Rejected'] });
		}
		const sessionId = approved();
		sb.checkerDecide(sessionId, 'reject', 'Audio not available');
		await sb.waitForWebhookDeliveries(5);
		const byPath = new Map(receiver.received.map((r) => [r.path, r]));

		const flat = byPath.get('/flat');
		expect(flat?.headers['content-type']).toBe('application/json');
		expect(JSON.parse(flat?.body ?? '')).toMatchObject({ event: 'Checker Rejected', session_id: sessionId, session_status: 'kyc_result_approved' });

		const nested = JSON.parse(byPath.get('/nested')?.body ?? '') as Record<string, unknown>;
		expect(nested).toEqual({
			event_type: 'CHECKER_REJECTED',
			data: { sessionId, userId: 'LEAD-7', status: 'kyc_result_approved' },
			sent_at: expect.any(Number),
		});
		expect(Number.isInteger(nested.sent_at)).toBe(true);

		expect(JSON.parse(byPath.get('/dashboard')?.body ?? '')).toEqual({
			webhook: { name: 'checker_rejected' },
			payload: {
				session: {
					session_id: sessionId,
					session_status: 'kyc_result_approved',
					audit_result: '2',
					auditor_feedback: 'Redo/Reopen - Audio not available (#A1) ... REJECT',
				},
			},
		});

		const form = byPath.get('/form');
		expect(form?.headers['content-type']).toBe('application/x-www-form-urlencoded');
		expect(form?.body).toBe(`event=Checker+Rejected&session_id=${sessionId}&user_id=LEAD-7`);

		const text = byPath.get('/text');
		expect(text?.headers['content-type']).toBe('text/plain; charset=utf-8');
		expect(JSON.parse(text?.body ?? '')).toEqual(JSON.parse(flat?.body ?? ''));
	});

	it('rotate cycles through the five shapes, one per delivery', async () => {
		sb.addWebhook({ url: receiver.url, shape: 'rotate' });
		for (let i = 0; i < 6; i++) approved();
		const deliveries = await sb.waitForWebhookDeliveries(6);
		expect(deliveries.map((d) => d.shape)).toEqual(['flat', 'nested', 'dashboard', 'form', 'text', 'flat']);
		const types = receiver.received.map((r) => r.headers['content-type']);
		expect(new Set(types)).toEqual(new Set(['application/json', 'application/x-www-form-urlencoded', 'text/plain; charset=utf-8']));
	});

	it('retries a non-2xx answer or no answer with the same body, then stops once it is taken', async () => {
		sb.addWebhook({ url: `${receiver.url}/r`, shape: 'rotate' });
		receiver.plan.push(503, 'drop');
		const sessionId = approved();
		await sb.waitForWebhookDeliveries(3);
		await sb.webhooksSettled();

		const attempts = sb.webhookDeliveries();
		expect(attempts.map((d) => [d.attempt, d.status, d.ok, d.retrying])).toEqual([
			[1, 503, false, true],
			[2, 'no answer', false, true],
			[3, 200, true, false],
		]);
		// One delivery: one shape, one body, every try.
		expect(new Set(attempts.map((d) => d.delivery)).size).toBe(1);
		expect(new Set(attempts.map((d) => d.shape))).toEqual(new Set(['flat']));
		expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
		expect(JSON.parse(receiver.received[0].body)).toMatchObject({ session_id: sessionId });
		expect(sb.requestLog().filter((e) => e.endpoint === 'webhook').map((e) => e.status)).toEqual([503, 'no answer', 200]);
	});

	it('gives up after the configured number of attempts', async () => {
		sb.addWebhook({ url: receiver.url });
		receiver.plan.push(500, 500, 500, 500, 500);
		approved();
		await sb.waitForWebhookDeliveries(3);
		await sb.webhooksSettled();
		expect(sb.webhookDeliveries().map((d) => [d.attempt, d.status, d.retrying])).toEqual([
			[1, 500, true],
			[2, 500, true],
			[3, 500, false],
		]);
		expect(receiver.received).toHaveLength(3);
	});

	it('never follows a redirect: the configured URL is the only one it calls', async () => {
		sb.addWebhook({ url: receiver.url });
		receiver.plan.push(307, 307, 307);
		approved();
		await sb.waitForWebhookDeliveries(3);
		await sb.webhooksSettled();
		expect(sb.webhookDeliveries().map((d) => d.status)).toEqual([307, 307, 307]);
		expect(elsewhere.received).toHaveLength(0);
	});

	it('announces scripted decisions (auto-progress) when they happen, the checker included', async () => {
		sb.addWebhook({ url: receiver.url });
		sb.setAutoProgress({ afterMs: 20, outcome: 'approve', checker: 'reject', checkerAfterMs: 20 });
		const session = sb.createSession({ user_id: 'AUTO-1' });
		const deliveries = await sb.waitForWebhookDeliveries(2);
		expect(deliveries.map((d) => [d.event, d.session_id])).toEqual([
			['Maker Approved', session.session_id],
			['Checker Rejected', session.session_id],
		]);
		expect(receiver.received.map((r) => (JSON.parse(r.body) as { session_status: string }).session_status)).toEqual([
			'kyc_result_approved',
			'kyc_result_approved',
		]);
	});

	it('says when each decision happened: the scripted time, the same for every attempt', async () => {
		sb.addWebhook({ url: receiver.url });
		receiver.plan.push(503);
		sb.setAutoProgress({ afterMs: 10, outcome: 'reject' });
		const session = sb.createSession();
		const deliveries = await sb.waitForWebhookDeliveries(2);
		const decidedAt = new Date(session.created_at + 10).toISOString();
		expect(deliveries.map((d) => [d.event, d.attempt, d.decided_at])).toEqual([
			['Maker Rejected', 1, decidedAt],
			['Maker Rejected', 2, decidedAt],
		]);
	});

	it('a session created already decided announces nothing (nothing was decided)', async () => {
		sb.addWebhook({ url: receiver.url });
		sb.createSession({ status: 'kyc_result_approved' });
		approved();
		await sb.waitForWebhookDeliveries(1);
		await sb.webhooksSettled();
		expect(receiver.received).toHaveLength(1);
	});

	it('a scripted session control took over announces only what control does', async () => {
		sb.addWebhook({ url: receiver.url });
		sb.setAutoProgress({ afterMs: 60_000, outcome: 'approve' });
		const session = sb.createSession();
		sb.setStatus(session.session_id, 'kyc_result_rejected', 'Face mismatch');
		const deliveries = await sb.waitForWebhookDeliveries(1);
		expect(deliveries.map((d) => d.event)).toEqual(['Maker Rejected']);
	});

	it('reset() forgets added subscriptions and deliveries but keeps the ones given as options', async () => {
		const withOptions = await createSandbox({ webhooks: [{ url: `${receiver.url}/opt`, events: ['Maker Approved'] }] });
		try {
			withOptions.addWebhook({ url: `${receiver.url}/added` });
			expect(withOptions.listWebhooks().map((w) => new URL(w.url).pathname)).toEqual(['/opt', '/added']);
			withOptions.reset();
			expect(withOptions.listWebhooks().map((w) => new URL(w.url).pathname)).toEqual(['/opt']);
			expect(withOptions.webhookDeliveries()).toEqual([]);
		} finally {
			await withOptions.close();
		}
	});

	it('refuses bad subscriptions', () => {
		expect(() => sb.addWebhook({ url: 'ftp://example.com/x' })).toThrow(/http or https/);
		expect(() => sb.addWebhook({ url: 'not a url' })).toThrow(/not a URL/);
		expect(() => sb.addWebhook({ url: 'http://user:pw@127.0.0.1/x' })).toThrow(/header/);
		expect(() => sb.addWebhook({ url: receiver.url, events: ['Agent Approved'] })).toThrow(/unknown event/);
		expect(() => sb.addWebhook({ url: receiver.url, events: [] })).toThrow(/at least one/);
		expect(() => sb.addWebhook({ url: receiver.url, shape: 'xml' })).toThrow(/unknown shape/);
		expect(() => sb.addWebhook({ url: receiver.url, headers: { 'Bad Name': 'x' } })).toThrow(/not valid/);
		expect(() => sb.addWebhook({ url: receiver.url, headers: { 'X-A': 'a\r\nX-B: b' } })).toThrow(/one line/);
		expect(() => sb.addWebhook({ url: receiver.url, headers: { 'Content-Type': 'x' } })).toThrow(/set by the sender/);
		expect(sb.listWebhooks()).toEqual([]);
	});
});

describe('webhook control routes', () => {
	it('adds, lists (header values hidden), delivers on a control status change, and removes', async () => {
		const added = await call(sb, 'POST', '/__sandbox/webhooks', {
			json: { url: `${receiver.url}/c?key=abc`, events: ['Maker Rejected'], headers: ['Authorization: Bearer xyz'], shape: 'nested' },
		});
		expect(added.status).toBe(200);
		const subscription = obj(added.body);
		expect(subscription).toMatchObject({
			url: `${receiver.url}/c`,
			events: ['Maker Rejected'],
			headers: { Authorization: '(hidden)' },
			shape: 'nested',
		});
		const listed = await call(sb, 'GET', '/__sandbox/webhooks');
		expect(listed.text).not.toContain('xyz');
		expect(listed.text).not.toContain('abc');
		expect(sb.listWebhooks()[0].headers).toEqual({ Authorization: 'Bearer xyz' });

		const session = sb.createSession();
		const moved = await call(sb, 'POST', `/__sandbox/sessions/${session.session_id}/status`, {
			json: { status: 'kyc_result_rejected', comment: 'PAN blurred' },
		});
		expect(moved.status).toBe(200);
		await sb.waitForWebhookDeliveries(1);
		expect(receiver.received[0].headers.authorization).toBe('Bearer xyz');
		const deliveries = await call(sb, 'GET', '/__sandbox/webhooks/deliveries');
		expect(obj(deliveries.body).deliveries).toEqual([expect.objectContaining({ event: 'Maker Rejected', shape: 'nested', status: 200 })]);

		const removed = await call(sb, 'DELETE', `/__sandbox/webhooks/${String(subscription.id)}`);
		expect(removed.status).toBe(200);
		expect(sb.listWebhooks()).toEqual([]);
		expect((await call(sb, 'DELETE', `/__sandbox/webhooks/${String(subscription.id)}`)).status).toBe(404);
	});

	it('answers 400 for a bad subscription', async () => {
		for (const json of [{ url: 'ftp://x' }, { url: receiver.url, shape: 'xml' }, { url: receiver.url, color: 'red' }, { url: receiver.url, headers: 'x' }]) {
			const answer = await call(sb, 'POST', '/__sandbox/webhooks', { json });
			expect(answer.status).toBe(400);
		}
	});

	it('the console state lists subscriptions with header names only, and deliveries among the requests', async () => {
		sb.addWebhook({ url: `${receiver.url}/s?token=t0p`, headers: { Authorization: 'Bearer hidden-value' }, events: ['Maker Approved'] });
		approved();
		await sb.waitForWebhookDeliveries(1);
		const state = await call(sb, 'GET', '/__sandbox/console/state');
		const body = obj(state.body);
		expect(body.webhooks).toEqual([
			{ id: expect.any(String), url: `${receiver.url}/s`, events: ['Maker Approved'], headers: ['Authorization'], shape: 'flat' },
		]);
		expect(body.requests).toEqual([expect.objectContaining({ method: 'POST', path: `${receiver.url}/s`, webhook: 'Maker Approved · flat · attempt 1' })]);
		expect(state.text).not.toContain('hidden-value');
		expect(state.text).not.toContain('t0p');
	});
});
