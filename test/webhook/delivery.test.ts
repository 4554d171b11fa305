/**
 * Deliveries over time: KwikID down and back, repeats, concurrent copies of one call, the test
 * URL, activation without a secret, the credential's own test, and n8n 2.x's redaction mark.
 */
import type { ICredentialDataDecryptedObject, ICredentialTestFunctions, IHookFunctions, INode } from 'n8n-workflow';
import { HookContext } from 'n8n-core';

import { initN8nCore, n8nCoreMajor } from '../../harness/n8nCore';
import { WEBHOOK_TRIGGER_NAME } from '../../harness/webhook';
import { KwikIdWebhookTrigger } from '../../nodes/KwikId/KwikIdWebhookTrigger.node';
import { AUTH, SECRET, shapes, useWebhookFixture } from './helpers';

const fx = useWebhookFixture();

const down = (): void => fx.sandbox.setFaults({ fail5xx: { count: 1000, endpoint: 'get_details', kind: 'json' } });

describe('KwikID Webhook Trigger: deliveries', () => {
	it('answers 503 while KwikID is down (nothing emitted), and emits the delivery sent again once it is back, once', async () => {
		const id = fx.session('approved');
		const server = await fx.serve();
		down();
		const first = await server.post(shapes.flat(id), AUTH);
		expect(first.status).toBe(503);
		expect(first.headers['retry-after']).toBe('30');
		expect(server.executions).toHaveLength(0);

		fx.sandbox.clearFaults();
		expect((await server.post(shapes.flat(id), AUTH)).status).toBe(200);
		expect((await server.post(shapes.flat(id), AUTH)).status).toBe(200);
		expect(server.executions).toHaveLength(1);
		expect(server.executions[0].items[0].json).toMatchObject({ session_id: id, verified: true, outcome: 'approved' });
	});

	it('answers 503 while KwikID keeps rate-limiting (429) after a short retry', async () => {
		const id = fx.session();
		const server = await fx.serve();
		fx.sandbox.setFaults({ burst429: { count: 1000, endpoint: 'get_details', retryAfterSec: 0.05 } });
		const result = await server.post(shapes.flat(id), AUTH);
		expect(result.status).toBe(503);
		expect(server.executions).toHaveLength(0);
		// Two retries, not the node's long patience: the sender waits for this answer.
		expect(fx.detailCalls()).toBe(3);
	});

	it('answers 503 when KwikID refuses the KwikID credential (nothing emitted, nothing leaked)', async () => {
		const id = fx.session();
		const harness = fx.harness();
		harness.store.update('kwikid-cred-1', { ...harness.store.get('kwikid-cred-1').data, password: 'wrongpass99' });
		const server = await fx.serve({}, { harness });
		const result = await server.post(shapes.flat(id), AUTH);
		expect(result.status).toBe(503);
		expect(result.text).not.toContain('wrongpass99');
		expect(server.executions).toHaveLength(0);
	});

	it('with Emit Unverified, emits the call marked verified: false while KwikID is down, then the verified data once', async () => {
		const id = fx.session('approved');
		const server = await fx.serve({ options: { emitUnverified: true } });
		down();
		expect((await server.post(shapes.flat(id), AUTH)).status).toBe(200);
		expect((await server.post(shapes.flat(id), AUTH)).status).toBe(200);
		expect(server.executions).toHaveLength(1);
		const unverified = server.executions[0].items[0].json;
		expect(unverified).toMatchObject({ session_id: id, verified: false, outcome: 'pending', status: null, event: 'maker_approved' });
		expect(String(unverified.verify_error)).toMatch(/500/);

		fx.sandbox.clearFaults();
		await server.post(shapes.flat(id), AUTH);
		expect(server.executions).toHaveLength(2);
		expect(server.executions[1].items[0].json).toMatchObject({ verified: true, outcome: 'approved' });
	});

	it('never emits unverified calls when Outcomes or Statuses filter (they cannot be applied)', async () => {
		const id = fx.session();
		const server = await fx.serve({ outcomes: ['approved'], options: { emitUnverified: true } });
		down();
		expect((await server.post(shapes.flat(id), AUTH)).status).toBe(503);
		expect(server.executions).toHaveLength(0);
	});

	it('emits a repeated delivery once, but a new event or a changed session again', async () => {
		const id = fx.session('approved');
		const server = await fx.serve();
		for (let i = 0; i < 3; i++) expect((await server.post(shapes.flat(id, 'Maker Approved'), AUTH)).status).toBe(200);
		// The same delivery in another payload shape is still the same delivery.
		await server.post(shapes.nested(id, 'MAKER_APPROVED'), AUTH);
		expect(server.executions).toHaveLength(1);

		await server.post(shapes.flat(id, 'Checker Approved'), AUTH);
		expect(server.executions).toHaveLength(2);

		fx.sandbox.setStatus(id, 'kyc_result_rejected');
		await server.post(shapes.flat(id, 'Maker Approved'), AUTH);
		expect(server.executions).toHaveLength(3);
		expect(server.executions[2].items[0].json).toMatchObject({ outcome: 'rejected' });
	});

	it('emits one execution for five identical calls arriving at the same time', async () => {
		const id = fx.session();
		const server = await fx.serve();
		const results = await Promise.all(Array.from({ length: 5 }, async () => await server.post(shapes.flat(id), AUTH)));
		expect(results.map((result) => result.status)).toEqual([200, 200, 200, 200, 200]);
		expect(server.executions).toHaveLength(1);
	});

	it('emits every delivery with Ignore Repeats Within = 0', async () => {
		const id = fx.session();
		const server = await fx.serve({ options: { repeatWindow: 0 } });
		await server.post(shapes.flat(id), AUTH);
		await server.post(shapes.flat(id), AUTH);
		expect(server.executions).toHaveLength(2);
	});

	it('keeps repeats apart per session: twenty sessions decided give twenty executions', async () => {
		const ids = Array.from({ length: 20 }, (_, index) => fx.session(index % 2 === 0 ? 'approved' : 'kyc_result_rejected'));
		const server = await fx.serve();
		await Promise.all(ids.map(async (id, index) => await server.post(shapes.flat(id, index % 2 === 0 ? 'Maker Approved' : 'Maker Rejected'), AUTH)));
		expect(server.executions).toHaveLength(20);
		const emitted = server.executions.map((execution) => execution.items[0].json);
		expect(new Set(emitted.map((item) => item.session_id))).toEqual(new Set(ids));
		for (const item of emitted) expect(item.outcome).toBe(ids.indexOf(String(item.session_id)) % 2 === 0 ? 'approved' : 'rejected');
	});

	it('works on the test URL (Listen for test event) the same way', async () => {
		const id = fx.session();
		const server = await fx.serve({}, { mode: 'manual' });
		expect(server.url).toContain('/webhook-test/');
		expect((await server.post(shapes.flat(id), {})).status).toBe(401);
		expect((await server.post(shapes.flat(id), AUTH)).status).toBe(200);
		expect(server.executions).toHaveLength(1);
	});

	it('marks the secret header as consumed authentication where n8n offers it (2.x), so n8n redacts it', async () => {
		const id = fx.session();
		const server = await fx.serve();
		await server.post(shapes.flat(id), AUTH);
		const consumed = (server.lastRequest as unknown as Record<symbol, unknown>)[Symbol.for('n8n.consumedAuth')];
		if (n8nCoreMajor() >= 2) expect(consumed).toEqual(['authorization']);
		else expect(consumed).toBeUndefined();
	});
});

describe('KwikID Webhook Trigger: activation and the secret credential', () => {
	const node = new KwikIdWebhookTrigger();

	async function activate(secret: ICredentialDataDecryptedObject | null): Promise<boolean> {
		await initN8nCore();
		const harness = fx.harness(secret);
		const { WebhookServer } = await import('../../harness/webhook');
		const server = new WebhookServer(harness, {}, { withoutSecretCredential: secret === null });
		const workflow = harness.workflow({ name: 'activation', nodes: [server.node()], connections: {} });
		const trigger = workflow.getNode(WEBHOOK_TRIGGER_NAME) as INode;
		const description = node.description.webhooks?.[0];
		if (!description) throw new Error('no webhook');
		const additionalData = harness.additionalData();
		const context = new HookContext(workflow, trigger, additionalData, 'webhook', 'activate', {
			httpMethod: 'POST',
			node: trigger.name,
			path: 'kwikid',
			webhookDescription: description,
			workflowId: workflow.id,
			workflowExecuteAdditionalData: additionalData,
		});
		const methods = node.webhookMethods.default;
		// n8n asks checkExists, then create when it says no: create is where the secret is checked.
		expect(await methods.checkExists.call(context as IHookFunctions)).toBe(false);
		return await methods.create.call(context as IHookFunctions);
	}

	it('activates with a usable secret', async () => {
		expect(await activate({ headerName: 'Authorization', secret: SECRET })).toBe(true);
	});

	it('refuses to activate without a secret credential, or with a short one, saying why', async () => {
		await expect(activate(null)).rejects.toThrow(/No KwikID Webhook API credential/);
		await expect(activate({ headerName: 'Authorization', secret: 'abc' })).rejects.toThrow(/shorter than 16 characters/);
		await expect(activate({ headerName: 'Bad Header:', secret: SECRET })).rejects.toThrow(/not a valid HTTP header name/);
	});

	it("the credential's Test button checks the secret", async () => {
		const test = node.methods.credentialTest.webhookSecret;
		const run = async (data: ICredentialDataDecryptedObject) =>
			await test.call({} as ICredentialTestFunctions, { id: '1', name: 'secret', type: 'kwikIdWebhookApi', data });
		expect(await run({ headerName: 'Authorization', secret: SECRET })).toMatchObject({ status: 'OK' });
		expect(await run({ headerName: 'Authorization', secret: 'tiny' })).toMatchObject({ status: 'Error' });
		expect(await run({ headerName: '', secret: SECRET })).toMatchObject({ status: 'Error' });
	});
});
