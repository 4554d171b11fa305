/**
 * Get Session's Download Media option: files land in binary properties with the right type and
 * name, media a session does not have yet are skipped, the token goes along on the KwikID host
 * (and is refreshed there like any other call) but never to another host.
 */
import type { IBinaryData } from 'n8n-workflow';

import { binaryBytes, getSessionWorkflow, KWIKID, pinned, useSessionEnv } from './helpers';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const withMedia = (sessionId: string, downloadMedia: string[]) =>
	getSessionWorkflow({ sessionId, options: { downloadMedia } });

describe('Download Media on the KwikID host', () => {
	const env = useSessionEnv();

	function approvedSession(userId = 'MEDIA') {
		const session = env.sandbox.createSession({ user_id: userId });
		env.sandbox.setStatus(session.session_id, 'kyc_result_approved');
		return session;
	}

	it('downloads the chosen files into binary properties with their type and file name', async () => {
		const session = approvedSession();

		const run = await env.harness.run(withMedia(session.session_id, ['selfie', 'zip', 'summaryJson', 'userVideo']));

		expect(run.error).toBeUndefined();
		const [item] = run.output(KWIKID);
		expect(item.json).toMatchObject({ session_id: session.session_id, status: 'kyc_result_approved' });
		const binary = item.binary ?? {};
		expect(Object.keys(binary).sort()).toEqual(['selfie', 'summaryJson', 'userVideo', 'zip']);
		expect(binary.selfie).toMatchObject({ mimeType: 'image/png', fileName: `${session.session_id}_selfie.png`, fileExtension: 'png' });
		expect((await binaryBytes(binary.selfie)).subarray(0, 8)).toEqual(PNG_SIGNATURE);
		expect(binary.zip).toMatchObject({ mimeType: 'application/zip', fileName: `${session.session_id}_session.zip` });
		expect((await binaryBytes(binary.zip)).subarray(0, 4)).toEqual(Buffer.from('504b0506', 'hex'));
		expect(binary.userVideo).toMatchObject({ mimeType: 'video/mp4', fileName: `${session.session_id}_user_video.mp4` });
		expect(binary.summaryJson).toMatchObject({ mimeType: 'application/json' });
		expect(JSON.parse((await binaryBytes(binary.summaryJson)).toString('utf8'))).toMatchObject({ agent_id: 'AGT-SANDBOX-01' });

		// Only what was asked for, each with the credential's token.
		const mediaRequests = env.requests.filter((request) => request.path.startsWith('/media/'));
		expect(mediaRequests.map((request) => request.path).sort()).toEqual(
			['selfie.png', 'session.zip', 'summary.json', 'user_video.mp4'].map((file) => `/media/${session.session_id}/${file}`),
		);
		for (const request of mediaRequests) expect(request.headers.auth).toBe(env.token());
	});

	it('works with Simplify off too, and keeps each item its own files', async () => {
		const first = approvedSession('FIRST');
		const second = approvedSession('SECOND');

		const run = await env.harness.run(
			getSessionWorkflow({ sessionId: '={{ $json.id }}', simplify: false, options: { downloadMedia: ['selfie'] } }),
			{ pinData: pinned([{ id: first.session_id }, { id: second.session_id }]) },
		);

		expect(run.error).toBeUndefined();
		const output = run.output(KWIKID);
		expect(output.map((item) => [item.json.user_id, item.binary?.selfie.fileName])).toEqual([
			['FIRST', `${first.session_id}_selfie.png`],
			['SECOND', `${second.session_id}_selfie.png`],
		]);
		expect(output[0].json.IS_VIDO_UPLOADED).toBe(true);
	});

	it.each([['waiting'], ['agent_alloted']])('skips the media while the session is %s (none yet), without requests', async (status) => {
		const session = env.sandbox.createSession({ status });

		const run = await env.harness.run(withMedia(session.session_id, ['selfie', 'zip']));

		expect(run.error).toBeUndefined();
		const [item] = run.output(KWIKID);
		expect(item.json).toMatchObject({ status, media: {} });
		expect(item.binary).toBeUndefined();
		expect(env.sandbox.stats().requests.media).toBe(0);
	});

	it('downloads nothing when no media are chosen', async () => {
		const session = approvedSession();

		const run = await env.harness.run(withMedia(session.session_id, []));

		expect(run.error).toBeUndefined();
		expect(run.output(KWIKID)[0].binary).toBeUndefined();
		expect(env.sandbox.stats().requests.media).toBe(0);
	});

	it('logs in again when the token expired between runs, and the files still come', async () => {
		const session = approvedSession();
		await env.harness.run(withMedia(session.session_id, ['selfie']));
		const tokenCalls = env.sandbox.stats().requests.generate_token;
		const oldToken = env.token();

		env.sandbox.expireTokens();
		const run = await env.harness.run(withMedia(session.session_id, ['selfie', 'pan']));

		expect(run.error).toBeUndefined();
		expect(Object.keys(run.output(KWIKID)[0].binary ?? {}).sort()).toEqual(['pan', 'selfie']);
		expect(env.sandbox.stats().requests.generate_token).toBe(tokenCalls + 1);
		expect(env.token()).not.toBe(oldToken);
	});

	it('logs in again when the token expires between get_details and the download', async () => {
		const session = approvedSession();
		await env.harness.run(withMedia(session.session_id, [])); // a token in the credential
		env.sandbox.resetStats();
		env.sandbox.setFaults({ latencyMs: 100 });

		const running = env.harness.run(withMedia(session.session_id, ['selfie']));
		// The download has reached the sandbox, which checks its token after the latency.
		const deadline = Date.now() + 5000; // bounded: a broken run must not hang the suite
		while (env.sandbox.stats().requests.media < 1 && Date.now() < deadline) {
			await new Promise((resolve) => setTimeout(resolve, 2));
		}
		expect(env.sandbox.stats().requests.media).toBe(1);
		env.sandbox.expireTokens();
		const run = await running;

		expect(run.error).toBeUndefined();
		expect(run.output(KWIKID)[0].binary?.selfie.mimeType).toBe('image/png');
		// Refused once with the old token; n8n's probe (get_details of an id no session has) meets
		// the same 401, n8n logs in once and resends the probe; the download is resent on the
		// node's own path with the new token and succeeds.
		expect(env.sandbox.stats().byEndpoint.media).toEqual({ '401': 1, '200': 1 });
		expect(env.sandbox.stats().requests.generate_token).toBe(1);
		expect(env.sandbox.stats().byEndpoint.get_details).toEqual({ '200': 1, '401': 1, '400': 1 });
	});

	it('retries a download that failed with a server error', async () => {
		const session = approvedSession();
		env.sandbox.setFaults({ fail5xx: { count: 1, endpoint: 'media', kind: 'html' } });

		const run = await env.harness.run(withMedia(session.session_id, ['selfie']));

		expect(run.error).toBeUndefined();
		expect((await binaryBytes(run.output(KWIKID)[0].binary?.selfie as IBinaryData)).subarray(0, 8)).toEqual(PNG_SIGNATURE);
		expect(env.sandbox.stats().byEndpoint.media).toEqual({ '500': 1, '200': 1 });
	});
});

describe('Download Media from another host', () => {
	// The sandbox builds media URLs from the Host it was asked for: sending it its own host makes
	// them point at a different origin (port) than the credential's base URL.
	const env = useSessionEnv({ foreignMediaHost: true });

	const approvedWithMedia = async () => {
		const session = env.sandbox.createSession({});
		env.sandbox.setStatus(session.session_id, 'kyc_result_approved');
		return await env.harness.run(
			getSessionWorkflow(
				{ sessionId: session.session_id, options: { downloadMedia: ['selfie'] } },
				{ onError: 'continueRegularOutput' },
			),
		);
	};

	it('never sends the token there', async () => {
		const run = await approvedWithMedia();

		expect(run.error).toBeUndefined();
		const [item] = run.output(KWIKID);
		// The media host answered "Missing authorization header": the request carried no `auth`.
		// (With the token it would have answered 200: it is the same sandbox, on its own port.)
		expect(env.sandbox.stats().byEndpoint.media).toEqual({ '401': 1 });
		expect(env.requests.filter((request) => request.path.startsWith('/media/'))).toEqual([]);
		expect(item.json).toMatchObject({ error: expect.any(String), details: { httpCode: '401' } });
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.binary).toBeUndefined();
		expect(JSON.stringify(item)).not.toContain(env.token());
		// At most the one login get_details needed: none for the 401 of a host that is not KwikID.
		expect(env.sandbox.stats().requests.generate_token).toBeLessThanOrEqual(1);
	});

	// A 401 from a host that is not KwikID (no token was sent, no login happened) must not send the
	// user to the credential: the message names the file and the host.
	it('says which download failed, without blaming the credential', async () => {
		const run = await approvedWithMedia();

		const error = String(run.output(KWIKID)[0].json.error);
		expect(error).not.toMatch(/logging in again|credential/i);
		expect(error).toMatch(/selfie/i);
	});
});
