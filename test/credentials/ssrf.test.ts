/**
 * n8n 2.x's SSRF protection (N8N_SSRF_PROTECTION_ENABLED) refuses loopback and private
 * addresses for every node. A KwikID install on one (the sandbox here, a bank's private network
 * in production) must then fail with words that say so and name the allow entry, not "could not
 * reach the server". n8n-core 1.x has no such protection: these run on 2.x only.
 */
import { SsrfProtectionConfig } from '@n8n/config';
import { Container } from '@n8n/di';

import type { Sandbox } from '../../sandbox/server';
import { createSandbox } from '../../sandbox/server';
import { Harness } from '../../harness/harness';
import { n8nCoreMajor } from '../../harness/n8nCore';
import { KWIKID, kwikIdWorkflow } from '../../harness/workflows';

const onLine2 = n8nCoreMajor() >= 2 ? describe : describe.skip;

onLine2('with N8N_SSRF_PROTECTION_ENABLED', () => {
	let sandbox: Sandbox;
	let harness: Harness;
	/** n8n reads the switch on every request; the allow lists once, and none are set here. */
	const protect = (enabled: boolean): void => {
		Container.get(SsrfProtectionConfig).enabled = enabled;
	};

	beforeAll(async () => {
		sandbox = await createSandbox();
	});
	afterAll(async () => {
		protect(false);
		await sandbox.close();
	});
	beforeEach(() => {
		sandbox.reset();
		harness = new Harness().addKwikIdCredential({
			domain: sandbox.url,
			environment: 'test',
			username: sandbox.username,
			password: sandbox.password,
		});
	});
	afterEach(() => protect(false));

	const getSession = (sessionId: string) => kwikIdWorkflow({ resource: 'session', operation: 'get', sessionId });
	const ALLOW = 'N8N_SSRF_ALLOWED_IP_RANGES=127.0.0.1/32';

	it('says n8n refused the loopback address, and which allow entry lets it through', async () => {
		protect(true);
		const tested = await harness.testKwikIdCredential();
		expect(tested.status).toBe('Error');
		expect(tested.message).toContain("n8n's SSRF protection (N8N_SSRF_PROTECTION_ENABLED) refused to connect to 127.0.0.1");
		expect(tested.message).toContain(ALLOW);

		const run = await harness.run(getSession(sandbox.createSession().session_id));
		expect(run.error?.message).toContain(ALLOW);
		// Not "correct the credential": the allow entry is n8n's setting.
		expect(run.error?.description).toMatch(/credential need not change/);
		expect(sandbox.stats().total).toBe(0);
	});

	it('says so for a request sent with a stored token too', async () => {
		const sessionId = sandbox.createSession().session_id;
		expect((await harness.run(getSession(sessionId))).error).toBeUndefined();
		const before = sandbox.stats().total;

		protect(true);
		const run = await harness.run(getSession(sessionId));
		expect(run.error?.message).toContain("n8n's SSRF protection");
		expect(run.error?.message).toContain(ALLOW);
		expect(run.error?.description).toMatch(/credential need not change/);
		expect(sandbox.stats().total).toBe(before);

		protect(false);
		const again = await harness.run(getSession(sessionId));
		expect(again.output(KWIKID)[0].json.session_id).toBe(sessionId);
	});
});
