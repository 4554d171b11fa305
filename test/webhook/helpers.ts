/** Shared set-up of the webhook trigger tests: one sandbox per file, a trigger served over HTTP per test. */
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import type { Sandbox } from '../../sandbox/server';
import { createSandbox } from '../../sandbox/server';
import { Harness } from '../../harness/harness';
import type { WebhookServerOptions } from '../../harness/webhook';
import { WebhookServer } from '../../harness/webhook';

export const SECRET = 'Bearer 7d1f0c9a2b8e4f6a9c3d5e7f1a2b4c6d';
export const AUTH = { authorization: SECRET };

export interface WebhookFixture {
	readonly sandbox: Sandbox;
	/** Starts the trigger with these parameters; closed after the test. */
	serve(parameters?: INodeParameters, options?: WebhookServerOptions & { secret?: ICredentialDataDecryptedObject | null; harness?: Harness }): Promise<WebhookServer>;
	harness(secret?: ICredentialDataDecryptedObject | null): Harness;
	/**
	 * A session in the sandbox: 'approved' (agent and checker approved, the default),
	 * 'checker_rejected' (agent approved, checker rejected), or any session status.
	 */
	session(state?: string): string;
	detailCalls(): number;
}

export function useWebhookFixture(): WebhookFixture {
	let sandbox: Sandbox | undefined;
	const servers: WebhookServer[] = [];
	beforeAll(async () => {
		sandbox = await createSandbox();
	});
	afterEach(async () => {
		await Promise.all(servers.splice(0).map(async (server) => await server.close()));
		sandbox?.reset();
	});
	afterAll(async () => {
		await sandbox?.close();
	});
	const sb = (): Sandbox => {
		if (!sandbox) throw new Error('sandbox not started');
		return sandbox;
	};
	const harness = (secret: ICredentialDataDecryptedObject | null = { headerName: 'Authorization', secret: SECRET }): Harness => {
		const made = new Harness().addKwikIdCredential({
			domain: sb().url,
			environment: 'test',
			username: sb().username,
			password: sb().password,
		});
		if (secret !== null) made.addWebhookSecret(secret);
		return made;
	};
	return {
		get sandbox() {
			return sb();
		},
		harness,
		async serve(parameters = {}, options = {}) {
			const server = new WebhookServer(options.harness ?? harness(options.secret), parameters, options);
			servers.push(server);
			return await server.start();
		},
		session(state = 'approved') {
			const id = sb().createSession().session_id;
			if (state === 'approved' || state === 'checker_rejected') {
				sb().setStatus(id, 'kyc_result_approved');
				sb().checkerDecide(id, state === 'approved' ? 'approve' : 'reject', 'Face not clear');
			} else if (state !== 'waiting') sb().setStatus(id, state);
			return id;
		},
		detailCalls: () => sb().stats().requests.get_details,
	};
}

/** The payload shapes of CONTRACT 3 (what the sandbox sends, and what KwikID may). */
export const shapes = {
	flat: (sessionId: string, event = 'Maker Approved'): IDataObject => ({
		event,
		session_id: sessionId,
		user_id: 'lead-001',
		session_status: 'kyc_result_approved',
		timestamp: '1781840019.4368567',
	}),
	nested: (sessionId: string, event = 'MAKER_APPROVED'): IDataObject => ({
		event_type: event,
		data: { sessionId, userId: 'lead-001', status: 'kyc_result_approved' },
		sent_at: 1781840019,
	}),
	dashboard: (sessionId: string, event = 'maker_approved'): IDataObject => ({
		webhook: { name: event },
		payload: { session: { session_id: sessionId, session_status: 'kyc_result_approved', audit_result: '', auditor_feedback: '' } },
	}),
	form: (sessionId: string, event = 'Maker Approved'): string =>
		new URLSearchParams({ event, session_id: sessionId, user_id: 'lead-001' }).toString(),
};
