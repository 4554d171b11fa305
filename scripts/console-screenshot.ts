/**
 * Makes docs/console.png, the console screenshot the READMEs show: a sandbox with a few sessions
 * in different statuses (one approval the checker overturned, one waiting for the checker), some
 * API traffic, a webhook and its deliveries, and a fault switched on, captured in Chromium and
 * stored as a palette PNG (scripts/pngPalette.ts) to stay small.
 *
 *   npm run build:dev && node .dev/scripts/console-screenshot.js [out.png]
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

import { createSandbox, type Sandbox } from '../sandbox/server';
import { launchChromium } from './chromium';
import { toPalettePng } from './pngPalette';

async function api(sandbox: Sandbox, path: string, body?: unknown, auth?: string): Promise<Record<string, unknown>> {
	const headers: Record<string, string> = { 'content-type': 'application/json' };
	if (auth) headers.auth = auth;
	const response = await fetch(`${sandbox.url}${path}`, {
		method: body === undefined ? 'GET' : 'POST',
		headers,
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	return (await response.json()) as Record<string, unknown>;
}

async function main(): Promise<void> {
	const out = process.argv[2] ?? join(__dirname, '../../docs/console.png');
	const sandbox = await createSandbox();
	const chromium = await launchChromium();
	try {
		const { Token } = await api(sandbox, '/agentapi/v1/agent/generate_token', {
			username: sandbox.username,
			password: sandbox.password,
		});
		const auth = String(Token);
		// A stand-in for n8n's webhook URL, so the deliveries in the log have answers.
		const receiver = createServer((req, res) => {
			req.resume();
			req.on('end', () => res.end('ok'));
		});
		await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
		const address = receiver.address();
		const port = typeof address === 'object' && address ? address.port : 0;
		sandbox.addWebhook({
			url: `http://127.0.0.1:${port}/webhook/kwikid`,
			headers: { Authorization: 'Bearer example' },
			shape: 'rotate',
		});
		const leads: Array<[string, string, string?, string?]> = [
			['LOAN-1041', '9876501234', 'kyc_result_approved'],
			['LOAN-1042', '9876543210', 'kyc_result_approved'],
			['LOAN-1043', '9123456780', 'kyc_result_rejected', 'Face does not match the PAN photo'],
			['LOAN-1044', '9988776655', 'agent_alloted'],
			['LOAN-1045', '9812345678', 'vkyc_requested'],
			['LOAN-1046', '9822334455'],
		];
		for (const [userId, phone, status, comment] of leads) {
			const link = await api(
				sandbox,
				'/agentapi/v1/agent/sendLink/',
				{ user_id: userId, phone_number: phone, send_notification: 1, link_type: 'free' },
				auth,
			);
			const id = String(link.session_id);
			await api(sandbox, `/agentapi/v1/session/get_details/${id}`, undefined, auth);
			if (status) sandbox.setStatus(id, status, comment);
		}
		const [checkerRejected, checkerApproved] = sandbox.listSessions();
		sandbox.checkerDecide(checkerRejected.session_id, 'reject', 'Audio not available');
		sandbox.checkerStart(checkerApproved.session_id);
		await sandbox.webhooksSettled();
		receiver.close();
		const old = sandbox.createSession({ user_id: 'LOAN-0999', phone_number: '9800011122', validity_duration: 0.001 });
		sandbox.setStatus(old.session_id, 'session_expired');
		sandbox.setFaults({ latencyMs: 200, random: { share429: 0.1, share5xx: 0, shareDrop: 0, seed: 7 } });
		for (let i = 0; i < 2; i++) await api(sandbox, '/agentapi/v1/session/get_details/not-a-session', undefined, auth);

		const page = await chromium.browser.newPage({ viewport: { width: 1240, height: 1400 } });
		await page.goto(`${sandbox.url}/__sandbox/console`);
		await page.locator('#sessions tbody tr').nth(leads.length).waitFor();
		await page.locator('#faults-active.on').waitFor();
		const png = toPalettePng(await page.screenshot());
		writeFileSync(out, png);
		process.stdout.write(`wrote ${out} (${Math.round(png.length / 1024)} KB)\n`);
	} finally {
		await chromium.close();
		await sandbox.close();
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
});
