/**
 * Trust at the edges: the token and the password never follow a redirect to another origin,
 * media links are fetched only where a KwikID file can be, and KwikID's answers are read for what
 * they say (a 200 that is a failure, a 500 that names the session it created, a 400 that is not
 * "unknown session").
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Socket } from 'node:net';

import type { IDataObject } from 'n8n-workflow';

import { Harness } from '../../harness/harness';
import { getSessionWorkflow, GET_DETAILS_PATH, KWIKID, sendLinkWorkflow, stopError, useSessionEnv } from './helpers';
import { kwikIdWorkflow } from '../../harness/workflows';
import { validDkycSections } from '../../sandbox/fixtures';

const env = useSessionEnv();

/** Another origin on this machine that records what reaches it. */
interface Elsewhere {
	url: string;
	hits: Array<{ path: string; headers: IncomingHttpHeaders; body: string }>;
	/** Whether every connection made to it is closed (by either side) within `ms`: a deadline, not a timing. */
	disconnected(ms: number): Promise<boolean>;
	close(): Promise<void>;
}

/** `hold`: the answer is never finished, as from a server still sending a large file. */
async function elsewhere(answer: { status: number; body: string; headers?: Record<string, string>; hold?: boolean }): Promise<Elsewhere> {
	const hits: Elsewhere['hits'] = [];
	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			hits.push({ path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
			res.writeHead(answer.status, answer.headers ?? { 'Content-Type': 'image/png' });
			if (answer.hold) res.write(answer.body);
			else res.end(answer.body);
		});
	});
	const open = new Set<Socket>();
	let onIdle: (() => void) | undefined;
	server.on('connection', (socket: Socket) => {
		open.add(socket);
		socket.on('close', () => {
			open.delete(socket);
			if (open.size === 0) onIdle?.();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	if (address === null || typeof address === 'string') throw new Error('no port');
	return {
		url: `http://127.0.0.1:${address.port}`,
		hits,
		disconnected: async (ms) =>
			await new Promise<boolean>((resolve) => {
				if (open.size === 0) return resolve(true);
				const timer = setTimeout(() => resolve(false), ms);
				onIdle = () => {
					clearTimeout(timer);
					resolve(true);
				};
			}),
		close: async () =>
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

const SESSION = '8b19b5c9-36de-47a2-9cb8-1025f36da034';
const validLink = { userId: 'LEAD-EDGE', phoneNumber: '9876543210', linkType: 'free' };

describe('redirects', () => {
	it('a get_details redirected to another origin is not followed, and the token never reaches it', async () => {
		const other = await elsewhere({ status: 200, body: '{}' });
		try {
			env.canned.push({ path: GET_DETAILS_PATH, status: 302, body: '', headers: { Location: `${other.url}/steal` } });
			const run = await env.harness.run(getSessionWorkflow({ sessionId: SESSION }));

			const error = stopError(run);
			expect(error.message).toBe(`KwikID answered with a redirect (302) to ${other.url}, which was not followed`);
			expect(error.description).toMatch(/the token did not leave it/);
			expect(other.hits).toEqual([]);
		} finally {
			await other.close();
		}
	});

	it('a redirect within KwikID\'s own origin is followed', async () => {
		const session = env.sandbox.createSession({ user_id: 'MOVED' });
		env.canned.push({
			path: `${GET_DETAILS_PATH}old-${session.session_id}`,
			status: 308,
			body: '',
			headers: { Location: `${GET_DETAILS_PATH}${session.session_id}` },
		});

		const run = await env.harness.run(getSessionWorkflow({ sessionId: `old-${session.session_id}` }));

		expect(run.error).toBeUndefined();
		expect(run.output(KWIKID)[0].json.user_id).toBe('MOVED');
	});

	it('the login is not redirected: the password stays', async () => {
		const other = await elsewhere({ status: 200, body: '{"Token":"x"}', headers: { 'Content-Type': 'application/json' } });
		const harness = new Harness().addKwikIdCredential({
			domain: env.url,
			environment: 'test',
			username: env.sandbox.username,
			password: env.sandbox.password,
		});
		try {
			env.canned.push({
				path: '/agentapi/v1/agent/generate_token',
				status: 307,
				body: '',
				headers: { Location: `${other.url}/agentapi/v1/agent/generate_token` },
			});
			const run = await harness.run(sendLinkWorkflow(validLink));

			const error = stopError(run);
			expect(error.message).toMatch(new RegExp(`redirect \\(307\\) to ${other.url}.*password was not sent there`));
			expect(other.hits).toEqual([]);
			expect(env.sandbox.listSessions()).toEqual([]);
		} finally {
			await other.close();
		}
	});
});

describe('media links', () => {
	/** A Get Session answer whose selfie link is `link`. */
	function sessionWithSelfie(link: string): void {
		env.canned.push({
			path: GET_DETAILS_PATH,
			status: 200,
			body: { status: 200, session_data: { session_id: SESSION, session_status: 'kyc_result_approved', selfie_url: link } },
		});
	}

	const withSelfie = (options: IDataObject = {}): ReturnType<typeof getSessionWorkflow> =>
		getSessionWorkflow({ sessionId: SESSION, options: { downloadMedia: ['selfie'], ...options } });

	it.each([
		['plain http to a remote host', 'http://files.example.com/selfie.png', /plain http would move KYC files in clear text/],
		['the cloud metadata address', 'https://169.254.169.254/latest/meta-data/', /private or internal address/],
		['a private network address', 'https://10.0.0.5/selfie.png', /private or internal address/],
		['an IPv6 unique-local address', 'https://[fd00::1]/selfie.png', /private or internal address/],
		['a file: link', 'file:///etc/passwd', /"file:" links are not downloaded/],
		['a link with a password', 'https://user:secret@files.example.com/selfie.png', /user name or password/],
	])('refuses %s before any request', async (_, link, reason) => {
		sessionWithSelfie(link);
		const before = env.requests.length;

		const run = await env.harness.run(withSelfie());

		const error = stopError(run);
		expect(error.message).toMatch(/^Did not download the session file/);
		expect(error.message).toMatch(reason);
		expect(error.message).not.toContain('secret');
		// Only the get_details call went out.
		expect(env.requests.length - before).toBe(1);
	});

	it('follows a redirect from KwikID to another host without the token', async () => {
		const other = await elsewhere({ status: 200, body: 'PNGDATA', headers: { 'Content-Type': 'image/png' } });
		try {
			sessionWithSelfie(`${env.url}/media/${SESSION}/selfie.png`);
			env.canned.push({ path: `/media/${SESSION}/selfie.png`, status: 302, body: '', headers: { Location: `${other.url}/signed/selfie.png` } });

			const run = await env.harness.run(withSelfie());

			expect(run.error).toBeUndefined();
			expect(other.hits).toHaveLength(1);
			expect(other.hits[0].headers.auth).toBeUndefined();
			// The request to KwikID's own origin did carry it.
			const own = env.requests.find((request) => request.path.startsWith('/media/'));
			expect(own?.headers.auth).toBe(env.token());
			expect(run.output(KWIKID)[0].binary?.selfie.mimeType).toBe('image/png');
		} finally {
			await other.close();
		}
	});

	it('takes a literal % in a file name as it is, with one request', async () => {
		const other = await elsewhere({
			status: 200,
			body: 'PNGDATA',
			headers: { 'Content-Type': 'image/png', 'Content-Disposition': 'attachment; filename="100% me.png"' },
		});
		try {
			sessionWithSelfie(`${other.url}/selfie.png`);
			const run = await env.harness.run(withSelfie());

			expect(run.error).toBeUndefined();
			expect(run.output(KWIKID)[0].binary?.selfie.fileName).toBe('100% me.png');
			expect(other.hits).toHaveLength(1);
		} finally {
			await other.close();
		}
	});

	it.each([
		['announces its size', { 'Content-Length': String(3 * 1024 * 1024) }, 'it is 3 MB, over the Max File Size of 1 MB'],
		['comes without a size (chunked)', {}, 'it is over the Max File Size of 1 MB'],
	])('refuses a file over Max File Size that %s, saying so', async (_, headers, reason) => {
		const other = await elsewhere({
			status: 200,
			body: 'x'.repeat(2 * 1024 * 1024),
			headers: { 'Content-Type': 'video/mp4', ...headers },
			hold: true,
		});
		try {
			sessionWithSelfie(`${other.url}/video.mp4`);
			const run = await env.harness.run(withSelfie({ maxFileSizeMb: 1 }));

			const error = stopError(run);
			expect(error.message).toBe(`Did not download the session file "video.mp4" from ${other.url}: ${reason}`);
			// The node closes the refused download's connection (the server, still sending, never
			// would): it is not left open in n8n's process.
			expect(await other.disconnected(10_000)).toBe(true);
		} finally {
			await other.close();
		}
	});
});

describe('answers read right', () => {
	it('Push DKYC: a 500 naming the session it created says which session, and it is not resent', async () => {
		env.sandbox.setFaults({ fail5xx: { count: 1, kind: 'json', endpoint: 'push_user_data', afterCreate: true } });
		const run = await env.harness.run(
			kwikIdWorkflow(
				{
					resource: 'dkyc',
					operation: 'pushUserData',
					userId: 'LEAD-500',
					phoneNumber: '9876543210',
					dataMode: 'json',
					sectionsJson: JSON.stringify(validDkycSections()),
				},
				{ onError: 'continueRegularOutput' },
			),
		);

		const [created] = env.sandbox.listSessions();
		expect(created).toBeDefined();
		const item = run.output(KWIKID)[0].json;
		expect(item.error).toBe(`KwikID had a server error (500) after creating session ${created.session_id}: An internal error occurred`);
		expect(item.details).toMatchObject({ mayHaveCreatedSession: true, session_id: created.session_id, httpCode: '500' });
		expect(env.sandbox.stats().requests.push_user_data).toBe(1);
	});

	it('Push DKYC: a 200 with success false is an error, not a session', async () => {
		env.canned.push({
			path: '/appapi/v1/dkyc/push_user_data',
			status: 200,
			body: { success: false, msg: 'Duplicate application', track: { user_id: 'LEAD-DUP', session_id: null } },
		});
		const run = await env.harness.run(
			kwikIdWorkflow({
				resource: 'dkyc',
				operation: 'pushUserData',
				userId: 'LEAD-DUP',
				phoneNumber: '9876543210',
				dataMode: 'json',
				sectionsJson: JSON.stringify(validDkycSections()),
			}),
		);

		const error = stopError(run);
		expect(error.message).toBe('KwikID did not confirm the DKYC record: Duplicate application');
		expect(error.context.mayHaveCreatedSession).toBe(true);
	});

	it('Get Session: a 200 without session_data is an error naming what came back', async () => {
		env.canned.push({ path: GET_DETAILS_PATH, status: 200, body: { status: 200, msg: 'ok' } });
		const run = await env.harness.run(getSessionWorkflow({ sessionId: SESSION }));

		const error = stopError(run);
		expect(error.message).toBe('KwikID answered get_details without session data: ok');
		expect(error.description).toMatch(/with the fields: status, msg/);
	});

	it('Get Session: only "Invalid session id" is worded as an unknown session; another 400 says what KwikID said', async () => {
		env.canned.push({ path: GET_DETAILS_PATH, status: 400, body: { msg: 'Session is locked for review', status: 400 } });
		const run = await env.harness.run(getSessionWorkflow({ sessionId: SESSION }));

		const error = stopError(run);
		expect(error.message).toBe('KwikID rejected the request: Session is locked for review');

		const unknown = await env.harness.run(getSessionWorkflow({ sessionId: 'no-such-session' }));
		expect(stopError(unknown).message).toBe('KwikID does not know the session id "no-such-session"');
	});

	it('Send Link: a 200 without a session is an error that says one may exist', async () => {
		env.canned.push({ path: '/agentapi/v1/agent/sendLink/', status: 200, body: { msg: 'queued' } });
		const run = await env.harness.run(sendLinkWorkflow(validLink));

		const error = stopError(run);
		expect(error.message).toBe('KwikID did not return a session for the link: queued');
		expect(error.context.mayHaveCreatedSession).toBe(true);
		expect(env.requests.filter((request) => request.path === '/agentapi/v1/agent/sendLink/')).toHaveLength(1);
	});
});
