/**
 * The sandbox console in a real browser: Debian's Chromium (scripts/install-chromium.sh, run by
 * `npm test` first) driven by playwright-core. The KwikID node sends links through the harness
 * (real node class, real HTTP to the sandbox); the test then does what a person building a
 * workflow would: watch the session appear, click it along, open the customer link, switch
 * faults on and off, read the request log, and see the KwikID Trigger emit the change.
 * Everything waits for what the page shows; nothing depends on how long it takes.
 */
import { createServer } from 'node:http';

import type { IDataObject } from 'n8n-workflow';
import type { Locator, Page } from 'playwright-core';

import type { Harness } from '../../harness/harness';
import { PollRunner } from '../../harness/poll';
import { KWIKID, kwikIdWorkflow, startSandboxHarness } from '../../harness/workflows';
import type { Sandbox } from '../../sandbox/server';
import { launchChromium, type LaunchedBrowser } from '../../scripts/chromium';

// A cold browser start on a busy two-core machine; each step below still waits on the page.
jest.setTimeout(90_000);

let sandbox: Sandbox;
let harness: Harness;
let chromium: LaunchedBrowser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
	({ sandbox, harness } = await startSandboxHarness());
	chromium = await launchChromium();
	page = await chromium.browser.newPage({ viewport: { width: 1400, height: 900 } });
	page.on('pageerror', (error) => pageErrors.push(error.message));
	await page.goto(`${sandbox.url}/__sandbox/console`);
	await page.locator('#base-url', { hasText: sandbox.url }).waitFor();
});

afterEach(async () => {
	expect(pageErrors).toEqual([]);
	sandbox.reset();
	// Back to an empty console, so each test starts from what a fresh `npm run sandbox` shows.
	await page.locator('#sessions tbody tr').first().waitFor({ state: 'detached' });
});

afterAll(async () => {
	await chromium?.close();
	await sandbox?.close();
});

const row = (sessionId: string): Locator => page.locator(`#sessions tr[data-session-id="${sessionId}"]`);
const button = (sessionId: string, action: string): Locator => row(sessionId).locator(`button[data-action="${action}"]`);

/** Waits (on the event loop, not a clock) until the page's action has reached the sandbox. */
async function until(check: () => boolean): Promise<void> {
	for (let i = 0; i < 400 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
	expect(check()).toBe(true);
}

async function waitForStatus(sessionId: string, status: string): Promise<void> {
	await row(sessionId).locator('.badge', { hasText: new RegExp(`^${status}$`) }).waitFor();
}

/** Send Link through the KwikID node, as a workflow would. */
async function sendLink(userId: string, phoneNumber = '9876543210'): Promise<{ session_id: string; link_url: string }> {
	const run = await harness.run(
		kwikIdWorkflow({ resource: 'session', operation: 'sendLink', userId, phoneNumber, sendNotification: true, linkType: 'free' }),
	);
	expect(run.error).toBeUndefined();
	const json = run.output(KWIKID)[0].json;
	return { session_id: String(json.session_id), link_url: String(json.link_url) };
}

/** Get Session through the KwikID node: the simplified record, or the error the run stopped with. */
async function getSession(sessionId: string): Promise<{ json?: IDataObject; error?: string }> {
	const run = await harness.run(kwikIdWorkflow({ resource: 'session', operation: 'get', sessionId, simplify: true }));
	if (run.error) return { error: `${run.error.message} ${run.error.description ?? ''}` };
	return { json: run.output(KWIKID)[0].json };
}

describe('sandbox console in Chromium', () => {
	it('shows links sent by the node, newest first, with the phone masked, and their requests in the log', async () => {
		const first = await sendLink('LEAD-1', '9876543210');
		const second = await sendLink('LEAD-2', '9123456780');

		await row(first.session_id).waitFor();
		await row(second.session_id).waitFor();
		const order = await page
			.locator('#sessions tbody tr')
			.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-session-id')));
		expect(order).toEqual([second.session_id, first.session_id]);

		const r = row(first.session_id);
		expect(await r.locator('td.user').textContent()).toBe('LEAD-1');
		expect(await r.locator('td.phone').textContent()).toBe('XXXXXX3210');
		expect(await r.locator('td.type').textContent()).toBe('VKYC');
		expect(await r.locator('.badge').textContent()).toBe('waiting');
		// Send Link's default validity is 900 s.
		expect(await r.locator('td.expiry').textContent()).toMatch(/^in 1[45] min$/);
		expect(await page.locator('#session-count').textContent()).toBe('2 sessions');

		const log = page.locator('#requests tbody tr');
		await log.filter({ hasText: '/agentapi/v1/agent/sendLink/' }).nth(1).waitFor();
		const newest = await log.first().locator('td').allTextContents();
		expect(newest.slice(1, 4)).toEqual(['POST', '/agentapi/v1/agent/sendLink/', '200']);
		expect(newest[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3}$/);
		expect(newest[4]).toMatch(/^\d+$/);
		expect(await log.filter({ hasText: 'generate_token' }).count()).toBe(1);

		const html = await page.content();
		expect(html).not.toContain('9876543210');
		expect(html).not.toContain('9123456780');
		expect(html).not.toContain(sandbox.password);
	});

	it('approves by click: the row, Get Session and a KwikID Trigger poll all see it', async () => {
		// An account without a checker step: the agent's approval is the final word (the checker's
		// turn is the test further down).
		sandbox.setShape({ checkerStep: false });
		const link = await sendLink('LEAD-APPROVE');
		const trigger = new PollRunner(harness, { sessionIds: link.session_id });
		expect(await trigger.poll()).toEqual({ kind: 'none' }); // first sight is recorded, not emitted

		await button(link.session_id, 'approve').click();
		await waitForStatus(link.session_id, 'kyc_result_approved');
		expect(await row(link.session_id).locator('.feedback').textContent()).toBe('Feedback: All Successful');
		// A finished session cannot be moved again: its buttons give way to a note.
		await row(link.session_id).locator('.finished', { hasText: 'Finished' }).waitFor();
		expect(await button(link.session_id, 'reject').isVisible()).toBe(false);

		const items = await trigger.items();
		expect(items.map((item) => item.json)).toEqual([
			expect.objectContaining({
				session_id: link.session_id,
				previous_status: 'waiting',
				status: 'kyc_result_approved',
				is_final: true,
			}),
		]);
		expect((await getSession(link.session_id)).json).toMatchObject({
			status: 'kyc_result_approved',
			feedback: { type: 'Approve', comment: 'All Successful' },
		});
	});

	it('rejects with a reason typed in the dialog, and the reason lands in feedback', async () => {
		const kept = await sendLink('LEAD-KEPT');
		const rejected = await sendLink('LEAD-REJECT');
		await row(rejected.session_id).waitFor();

		// Cancel first: nothing is sent.
		await button(kept.session_id, 'reject').click();
		await page.locator('#reject-dialog').waitFor({ state: 'visible' });
		await page.locator('#reject-dialog button[value="cancel"]').click();
		await page.locator('#reject-dialog').waitFor({ state: 'hidden' });
		await button(kept.session_id, 'assign').click();
		await waitForStatus(kept.session_id, 'agent_alloted');
		expect(sandbox.getSession(kept.session_id)?.history.map((event) => event.status)).toEqual(['waiting', 'agent_alloted']);

		const reason = 'Face does not match the PAN photo';
		await button(rejected.session_id, 'reject').click();
		expect(await page.locator('#reject-session').textContent()).toBe(rejected.session_id);
		await page.locator('#reject-reason').fill(reason);
		await page.locator('#reject-confirm').click();
		await waitForStatus(rejected.session_id, 'kyc_result_rejected');
		await row(rejected.session_id).locator('.feedback', { hasText: `Feedback: ${reason}` }).waitFor();

		expect((await getSession(rejected.session_id)).json).toMatchObject({
			status: 'kyc_result_rejected',
			is_final: true,
			feedback: { type: 'Reject', comment: reason },
		});
	});

	it('opens the link_url on a customer page whose Start button moves the session like a customer joining', async () => {
		const link = await sendLink('LEAD-CUSTOMER', '9988776655');
		const trigger = new PollRunner(harness, { sessionIds: link.session_id });
		await trigger.poll();
		await row(link.session_id).waitFor();
		// The node hands the link over decoded (/user/?l=...); the console links the path as the API
		// sent it (/user/%3Fl%3D...). Both open the same page.
		const href = await row(link.session_id).locator('a', { hasText: 'Customer page' }).getAttribute('href');
		const linkUrl = new URL(link.link_url);
		expect(decodeURIComponent(href ?? '')).toBe(`${linkUrl.pathname}${linkUrl.search}`);

		const customer = await chromium.browser.newPage();
		try {
			await customer.goto(link.link_url);
			expect(await customer.locator('body').textContent()).toContain('XXXXXX6655');
			expect(await customer.content()).not.toContain('9988776655');
			await customer.getByRole('button', { name: 'Start video KYC' }).click();
			await customer.locator('#state', { hasText: 'You are in the queue' }).waitFor();
			expect(await customer.locator('#status').textContent()).toBe('vkyc_requested');
			expect(await customer.getByRole('button', { name: 'Start video KYC' }).count()).toBe(0);

			await waitForStatus(link.session_id, 'vkyc_requested');
			expect(await button(link.session_id, 'join').isDisabled()).toBe(true);
			expect((await trigger.items()).map((item) => item.json)).toEqual([
				expect.objectContaining({ previous_status: 'waiting', status: 'vkyc_requested' }),
			]);

			// The agent's side, from the console; the customer's page follows on reload.
			await button(link.session_id, 'assign').click();
			await waitForStatus(link.session_id, 'agent_alloted');
			await customer.reload();
			expect(await customer.locator('#state').textContent()).toBe('Your video KYC is in progress.');
		} finally {
			await customer.close();
		}
	});

	it('switches faults from the panel: the workflow feels them, the log shows them, Clear ends them', async () => {
		const link = await sendLink('LEAD-FAULTS');
		const active = page.locator('#faults-active');

		await page.locator('#fault-5xx').fill('100');
		await page.locator('#apply-faults').click();
		await active.filter({ hasText: 'Active faults: 5xx on 100% of calls' }).waitFor();
		const failed = await getSession(link.session_id);
		expect(failed.error).toMatch(/500/);
		await page
			.locator('#requests tbody tr', { hasText: '/agentapi/v1/session/get_details/' })
			.filter({ has: page.locator('td.status', { hasText: /^500$/ }) })
			.first()
			.waitFor();

		await page.locator('#fault-5xx').fill('0');
		await page.locator('#fault-429').fill('100');
		await page.locator('#apply-faults').click();
		await active.filter({ hasText: 'Active faults: 429 on 100% of calls' }).waitFor();
		expect((await fetch(`${sandbox.url}/agentapi/v1/agent/generate_token`, { method: 'POST' })).status).toBe(429);

		await page.locator('#fault-429').fill('0');
		await page.locator('#fault-drop').fill('100');
		await page.locator('#apply-faults').click();
		await active.filter({ hasText: 'Active faults: 100% of calls dropped' }).waitFor();
		await expect(fetch(`${sandbox.url}/agentapi/v1/agent/generate_token`, { method: 'POST' })).rejects.toThrow();
		await page.locator('#requests tbody td.status', { hasText: 'dropped' }).first().waitFor();

		await page.locator('#clear-faults').click();
		await active.filter({ hasText: /^Active faults: none$/ }).waitFor();
		expect(await page.locator('#fault-drop').inputValue()).toBe('0');
		expect((await getSession(link.session_id)).json).toMatchObject({ status: 'waiting' });

		// Latency: every answer now takes at least that long, and the log's durations say so.
		await page.locator('#fault-latency').fill('300');
		await page.locator('#apply-faults').click();
		await active.filter({ hasText: 'Active faults: latency 300 ms' }).waitFor();
		const slow = await sendLink('LEAD-SLOW');
		const slowRow = page.locator('#requests tbody tr', { hasText: '/agentapi/v1/agent/sendLink/' }).first();
		await row(slow.session_id).waitFor();
		// A floor, not a stopwatch: a slow machine only adds. 250, as a timer may fire a millisecond
		// or so early by the wall clock the log measures with.
		expect(Number(await slowRow.locator('td.ms').textContent())).toBeGreaterThanOrEqual(250);
		await page.locator('#clear-faults').click();
		await active.filter({ hasText: /^Active faults: none$/ }).waitFor();
	});

	it('expires every token from the panel: the node logs in again by itself', async () => {
		const link = await sendLink('LEAD-TOKEN');
		await page.locator('#expire-tokens').click();
		await page.locator('#message', { hasText: 'Every token issued so far is now invalid' }).waitFor();

		expect((await getSession(link.session_id)).json).toMatchObject({ session_id: link.session_id });
		const log = page.locator('#requests tbody tr');
		const details = `/agentapi/v1/session/get_details/${link.session_id}`;
		await log.filter({ hasText: details }).filter({ has: page.locator('td.status', { hasText: /^200$/ }) }).first().waitFor();
		const rows = await log.evaluateAll((trs) =>
			trs.map((tr) => `${tr.children[2].textContent ?? ''} ${tr.children[3].textContent ?? ''}`),
		);
		// Newest first: the refused call, then a login, then the same call answered. (Whatever else
		// the node does around its login is its own business.)
		const refused = rows.indexOf(`${details} 401`);
		const login = rows.indexOf('/agentapi/v1/agent/generate_token 200');
		const answered = rows.indexOf(`${details} 200`);
		expect(answered).toBeGreaterThanOrEqual(0);
		expect(login).toBeGreaterThan(answered);
		expect(refused).toBeGreaterThan(login);
	});

	it('shows user ids from API callers as text, never as markup', async () => {
		const hostile = '<img src=x onerror="globalThis.xssRan=true"><b>bold</b>';
		const session = sandbox.createSession({ user_id: hostile });
		await row(session.session_id).waitFor();
		expect(await row(session.session_id).locator('td.user').textContent()).toBe(hostile);
		expect(await page.locator('#sessions img, #sessions b').count()).toBe(0);
		expect(await page.evaluate(() => 'xssRan' in globalThis)).toBe(false);
	});

	it('plays the checker after the agent: Checker reject… overturns an approval the workflow then reads as rejected', async () => {
		const link = await sendLink('LEAD-CHECKER');
		const other = await sendLink('LEAD-CHECKER-OK');
		await row(link.session_id).waitFor();
		// No checker buttons before the agent's decision.
		expect(await button(link.session_id, 'checker-reject').isVisible()).toBe(false);

		await button(link.session_id, 'approve').click();
		await waitForStatus(link.session_id, 'kyc_result_approved');
		await row(link.session_id).locator('.checker', { hasText: 'Checker: not started' }).waitFor();
		expect((await getSession(link.session_id)).json).toMatchObject({ outcome: 'pending', review: { checker: 'awaiting' } });

		await button(link.session_id, 'checker-reject').click();
		expect(await page.locator('#checker-session').textContent()).toBe(link.session_id);
		await page.locator('#checker-reason').fill('Audio not available');
		await page.locator('#checker-confirm').click();
		await row(link.session_id)
			.locator('.checker', { hasText: 'Checker: rejected \u2014 Redo/Reopen - Audio not available (#A1) ... REJECT' })
			.waitFor();
		await button(link.session_id, 'checker-reject').waitFor({ state: 'hidden' });
		// The agent's status stays; the workflow sees the checker's word.
		await waitForStatus(link.session_id, 'kyc_result_approved');
		expect((await getSession(link.session_id)).json).toMatchObject({
			status: 'kyc_result_approved',
			outcome: 'rejected',
			decided_by: 'checker',
			review: { checker: 'rejected', checker_code: 'A1' },
		});

		await button(other.session_id, 'approve').click();
		await button(other.session_id, 'checker-approve').click();
		await row(other.session_id).locator('.checker', { hasText: 'Checker: approved \u2014 Approved' }).waitFor();
		expect((await getSession(other.session_id)).json).toMatchObject({ outcome: 'approved', decided_by: 'checker' });
	});

	it('switches the answer shape and the checker step from the header', async () => {
		const session = sandbox.createSession({ status: 'kyc_result_approved' });
		await row(session.session_id).locator('.checker', { hasText: 'Checker: not started' }).waitFor();
		await page.locator('#shape').selectOption('reference');
		await until(() => sandbox.getShape().shape === 'reference');
		await page.locator('#checker-step').uncheck();
		await until(() => !sandbox.getShape().checkerStep);
		// Without a checker step there is no checker to play, and the session is simply finished.
		await button(session.session_id, 'checker-approve').waitFor({ state: 'hidden' });
		await row(session.session_id).locator('.finished').waitFor();
		expect(await row(session.session_id).locator('.checker').textContent()).toBe('');
		await page.locator('#checker-step').check();
		await page.locator('#shape').selectOption('live');
		await until(() => sandbox.getShape().shape === 'live' && sandbox.getShape().checkerStep);
		await button(session.session_id, 'checker-approve').waitFor();
	});

	it('adds a webhook from the panel: decisions made by click are posted to it, and the log shows them', async () => {
		const received: Array<{ authorization?: string; body: string }> = [];
		const receiver = createServer((req, res) => {
			let body = '';
			req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
			req.on('end', () => {
				received.push({ authorization: req.headers.authorization, body });
				res.end('ok');
			});
		});
		await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
		const address = receiver.address();
		const hookUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/webhook/kwikid`;
		try {
			await page.locator('#webhook-url').fill(hookUrl);
			await page.locator('input[name="webhook-event"][value="Maker Rejected"]').uncheck();
			await page.locator('#webhook-header').fill('Authorization: Bearer console-secret');
			await page.locator('#webhook-shape').selectOption('dashboard');
			await page.locator('#add-webhook').click();
			const listed = page.locator('#webhooks tbody tr');
			await listed.first().waitFor();
			expect(await listed.locator('td.url').textContent()).toBe(hookUrl);
			expect(await listed.locator('td.events').textContent()).toBe('Maker Approved, Checker Approved, Checker Rejected');
			expect(await listed.locator('td.headers').textContent()).toBe('Authorization');
			expect(await page.content()).not.toContain('console-secret');

			const link = await sendLink('LEAD-HOOK');
			await row(link.session_id).waitFor();
			await button(link.session_id, 'approve').click();
			await sandbox.waitForWebhookDeliveries(1);
			await button(link.session_id, 'checker-reject').click();
			await page.locator('#checker-reason').fill('Face not visible');
			await page.locator('#checker-confirm').click();
			await sandbox.waitForWebhookDeliveries(2);
			expect(received.map((r) => r.authorization)).toEqual(['Bearer console-secret', 'Bearer console-secret']);
			expect(received.map((r) => (JSON.parse(r.body) as { webhook: { name: string } }).webhook.name)).toEqual([
				'maker_approved',
				'checker_rejected',
			]);
			await page.locator('#requests tbody tr.webhook', { hasText: 'Checker Rejected \u00b7 dashboard \u00b7 attempt 1' }).waitFor();

			await listed.locator('button[data-action="remove-webhook"]').click();
			await page.locator('#no-webhooks').waitFor({ state: 'visible' });
			expect(sandbox.listWebhooks()).toEqual([]);
		} finally {
			await new Promise<void>((resolve) => receiver.close(() => resolve()));
		}
	});

	it('adds a test session, and resets the sandbox after asking', async () => {
		await page.locator('#add-session').click();
		await page.locator('#sessions tbody tr').first().waitFor();
		expect(sandbox.listSessions()).toHaveLength(1);

		page.once('dialog', (dialog) => void dialog.accept());
		await page.locator('#reset-sandbox').click();
		await page.locator('#no-sessions').waitFor({ state: 'visible' });
		expect(sandbox.listSessions()).toHaveLength(0);
	});
});
