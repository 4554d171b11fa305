/**
 * How Push DKYC Data behaves when the API fails: it creates a session, so a 5xx or a lost
 * connection is never answered by sending again; a 429 is (the API did not process it); and the
 * API's own 400 field lists reach the user the same way the node's own validation does.
 */
import type { IDataObject } from 'n8n-workflow';

import { TEST_PHONE, validDkycSections } from '../../sandbox/fixtures';
import { CREDENTIAL_ID } from '../../harness/harness';
import { dkycWorkflow, NODE, pinned, useDkycEnv } from './helpers';

const env = useDkycEnv();

const push = (userId: string, settings: { continueOnFail?: boolean } = {}) =>
	dkycWorkflow(
		{ userId, phoneNumber: TEST_PHONE, dataMode: 'json', sectionsJson: JSON.stringify(validDkycSections()) },
		settings,
	);

describe('API failures', () => {
	it('does not resend after a 500 that came after the session was created, and says so', async () => {
		env.sandbox.setFaults({ fail5xx: { count: 1, endpoint: 'push_user_data', kind: 'json', afterCreate: true } });

		const run = await env.harness.run(push('FAIL-500'));

		const error = run.error as unknown as { message: string; description: string; context: IDataObject };
		expect(error.message).toMatch(/server error \(500\)/);
		expect(env.sandbox.stats().requests.push_user_data).toBe(1);
		// The session does exist: resending would have made a second one. KwikID named it in
		// its answer (`track.session_id`), and the error passes that on.
		const sessions = env.sandbox.listSessions();
		expect(sessions.map((session) => session.user_id)).toEqual(['FAIL-500']);
		expect(error.description).toMatch(new RegExp(`KwikID created session ${sessions[0].session_id} before it failed`));
		expect(error.context).toMatchObject({ mayHaveCreatedSession: true, session_id: sessions[0].session_id });
	});

	it('marks the Continue On Fail item as possibly created after a dropped connection', async () => {
		env.sandbox.setFaults({ drop: { count: 1, endpoint: 'push_user_data' } });

		const run = await env.harness.run(push('DROP-1', { continueOnFail: true }), {
			pinData: pinned([{ json: {} }]),
		});

		expect(run.error).toBeUndefined();
		const [item] = run.output(NODE);
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.json).toMatchObject({ details: { mayHaveCreatedSession: true }, error: expect.stringMatching(/connection/) });
		expect(env.sandbox.stats().requests.push_user_data).toBe(1);
	});

	it('waits out 429 responses and then succeeds with exactly one session', async () => {
		env.sandbox.setFaults({ burst429: { count: 2, endpoint: 'push_user_data', retryAfterSec: 0 } });

		const run = await env.harness.run(push('RATE-1'));

		expect(run.error).toBeUndefined();
		expect(run.output(NODE)[0].json.success).toBe(true);
		expect(env.sandbox.stats().byEndpoint.push_user_data).toEqual({ '200': 1, '429': 2 });
		expect(env.sandbox.listSessions()).toHaveLength(1);
	});

	it("surfaces the API's own 400 field lists like its own validation, Continue On Fail included", async () => {
		// The documented 400 body, for a rule this node does not know (see cannedPushAnswer).
		env.cannedPushAnswer({
			status: 400,
			body: {
				msg: 'Invalid request format',
				status_code: 400,
				success: false,
				track: { user_id: null, session_id: null },
				errors: { missing_fields: ['PERMANENT_ADDRESS.perAddress2'], incorrect_formats: ['COMMUNICATION_ADDRESS.commpincode'] },
			},
		});

		const run = await env.harness.run(push('API-400', { continueOnFail: true }));

		expect(run.error).toBeUndefined();
		const [item] = run.output(NODE);
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.json).toMatchObject({
			error: 'KwikID rejected the data: missing PERMANENT_ADDRESS.perAddress2; wrong format in COMMUNICATION_ADDRESS.commpincode',
			details: {
				httpCode: '400',
				missing_fields: ['PERMANENT_ADDRESS.perAddress2'],
				incorrect_formats: ['COMMUNICATION_ADDRESS.commpincode'],
			},
		});
		expect(env.pushes).toHaveLength(1);
	});

	// A rule of the KwikID account the node cannot know (a tenant's own AMC codes): the real
	// sandbox refuses the value with the documented 400. n8n 1.x used to drop that body on the
	// first request of a credential (the one n8n's own helper sends), so both are run here.
	it.each([
		['the first request of a credential (no token stored)', true],
		['a later request (token stored)', false],
	])("names the fields KwikID's own code lists refuse, on %s", async (_, fresh) => {
		await env.harness.run(push('WARM-UP'));
		if (fresh) {
			const stored = env.harness.store.get(CREDENTIAL_ID);
			env.harness.store.update(CREDENTIAL_ID, { ...stored.data, token: '' });
		}
		env.sandbox.reset();
		env.sandbox.setTenantCodes({ 'BASIC_INFORMATION.amc': ['AMC-OURS'] });

		const run = await env.harness.run(push('TENANT-400'));

		const error = run.error as unknown as { message: string; context: IDataObject };
		expect(error.message).toBe('KwikID rejected the data: wrong format in BASIC_INFORMATION.amc');
		expect(error.context).toMatchObject({ missing_fields: [], incorrect_formats: ['BASIC_INFORMATION.amc'] });
		expect(env.sandbox.stats().requests.generate_token).toBe(fresh ? 1 : 0);
		expect(env.sandbox.stats().byEndpoint.push_user_data).toEqual({ '400': 1 });
	});

	it('puts the refused fields in the error output next to the row, on both n8n lines', async () => {
		env.sandbox.setTenantCodes({ 'BASIC_INFORMATION.amc': ['AMC-OURS'] });
		const workflow = push('TENANT-ROW');
		workflow.nodes = workflow.nodes.map((node) => (node.name === NODE ? { ...node, onError: 'continueErrorOutput' } : node));

		const run = await env.harness.run(workflow, { pinData: pinned([{ json: { row: 7 } }]) });

		expect(run.error).toBeUndefined();
		expect(run.output(NODE, 0)).toEqual([]);
		const [item] = run.output(NODE, 1);
		expect(item.json).toMatchObject({ row: 7, error: 'KwikID rejected the data: wrong format in BASIC_INFORMATION.amc' });
		expect(item.pairedItem).toEqual({ item: 0 });
	});
});
