/**
 * `npm run demo`: the package's main job, end to end, on the embedded sandbox. No KwikID
 * account, no network. It runs the real node, trigger and credential classes through n8n-core's
 * workflow engine, the way n8n runs them, and prints what a user would see:
 *
 * 1. A CRM hands over three leads: KwikID Send Link sends each a KYC link.
 * 2. The KwikID Trigger watches those sessions; the sandbox's agent approves or rejects them,
 *    then its checker (auditor) approves one agent approval and overturns the other.
 * 3. KwikID Get Session reads the outcome (simplified) for the next CRM/email/Slack step.
 * 4. A complete digital-KYC record is pushed, and a broken one is caught before sending.
 * 5. The KwikID Webhook Trigger: the sandbox calls it as KwikID's dashboard webhook does when the
 *    agent and then the checker decide; each call is checked against the API before it starts
 *    the workflow, and a call without the secret starts nothing.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { createSandbox } from '../sandbox/server';
import { validDkycSections } from '../sandbox/fixtures';
import { Harness } from '../harness/harness';
import { PollRunner } from '../harness/poll';
import { WebhookServer } from '../harness/webhook';
import { KWIKID, kwikIdWorkflow, pinned } from '../harness/workflows';

const say = (text = ''): void => {
	process.stdout.write(`${text}\n`);
};

function check(condition: unknown, what: string): void {
	if (!condition) {
		say(`\nDEMO FAILED: ${what}`);
		process.exitCode = 1;
		throw new Error(what);
	}
}

/** A demo that waits forever helps nobody: fail saying what did not happen. */
async function within<T>(promise: Promise<T>, what: string, ms = 30_000): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s waiting for ${what}`)), ms);
	});
	try {
		return await Promise.race([promise, timeout]);
	} finally {
		clearTimeout(timer);
	}
}

function rows(items: INodeExecutionData[], pick: (json: IDataObject) => string): void {
	for (const item of items) say(`   ${pick(item.json)}`);
}

async function main(): Promise<void> {
	const sandbox = await createSandbox();
	const harness = new Harness().addKwikIdCredential({
		domain: sandbox.url,
		environment: 'test',
		username: sandbox.username,
		password: sandbox.password,
	});
	try {
		say(`KwikID sandbox on ${sandbox.url} (user "${sandbox.username}")\n`);

		say('1. Send Link for three CRM leads');
		const leads = [
			{ lead: 'LEAD-1001', name: 'Asha Rao', phone: '+91 98765 43210' },
			{ lead: 'LEAD-1002', name: 'Vikram Shah', phone: '09812345678' },
			{ lead: 'LEAD-1003', name: 'Meera Iyer', phone: '7012345678' },
		];
		const sent = await harness.run(
			kwikIdWorkflow({
				resource: 'session',
				operation: 'sendLink',
				userId: '={{ $json.lead }}',
				phoneNumber: '={{ $json.phone }}',
				sendNotification: true,
				linkType: 'free',
				extras: { extra: [{ key: 'applicant_name', value: '={{ $json.name }}' }] },
				options: { linkExpiresIn: 1800 },
			}),
			{ pinData: pinned(leads) },
		);
		check(!sent.error, `Send Link failed: ${sent.error?.message}`);
		const links = sent.output(KWIKID);
		check(links.length === 3, 'one output item per lead');
		rows(links, (j) => `${String(j.user_id)}  session ${String(j.session_id)}\n     link ${String(j.link_url)}`);
		const sessionIds = links.map((item) => String(item.json.session_id));

		say('\n2. KwikID Trigger watches the sessions');
		const trigger = new PollRunner(harness, { sessionIds: sessionIds.join('\n'), simplify: true });
		const baseline = await trigger.poll();
		check(baseline.kind === 'none', 'the first poll records a baseline without emitting');
		say('   first poll: baseline recorded, nothing emitted');
		sandbox.setStatus(sessionIds[0], 'kyc_result_approved', 'All documents verified');
		sandbox.setStatus(sessionIds[1], 'kyc_result_rejected', 'PAN name mismatch');
		sandbox.setStatus(sessionIds[2], 'kyc_result_approved', 'Looks fine');
		const event = (j: IDataObject): string =>
			`${String(j.session_id)}: ${String(j.previous_status)} -> ${String(j.status)}, outcome ${String(j.outcome)}` +
			`${j.decided_by ? ` (by the ${j.decided_by === 'agent' ? 'agent' : 'checker'})` : ''}${j.overturned ? ', OVERTURNED' : ''}`;
		const events = await trigger.items();
		check(events.length === 3, 'one event per status change');
		rows(events, event);
		check(
			events.filter((item) => item.json.outcome === 'pending').length === 2,
			'an agent approval waits for the checker (outcome pending, not final)',
		);
		say('   the two agent approvals wait for the checker: outcome pending, not final');
		sandbox.checkerDecide(sessionIds[0], 'approve');
		sandbox.checkerDecide(sessionIds[2], 'reject', 'Audio not available');
		const verdicts = await trigger.items();
		check(verdicts.length === 2, "one event per checker's verdict");
		rows(verdicts, (j) => `${event(j)}${j.overturned ? `: "${String((j.review as IDataObject).checker_comment)}"` : ''}`);
		const overturned = verdicts.find((item) => item.json.session_id === sessionIds[2])?.json;
		check(
			overturned?.status === 'kyc_result_approved' && overturned.outcome === 'rejected' && overturned.overturned === true,
			'the checker rejection is reported rejected although the agent status stays approved',
		);
		const quiet = await trigger.poll();
		check(quiet.kind === 'none', 'no event when nothing changed');
		say('   next poll: nothing changed, nothing emitted (decided sessions are no longer read)');

		say('\n3. Get Session (simplified) for the CRM update');
		const details = await harness.run(
			kwikIdWorkflow({ resource: 'session', operation: 'get', sessionId: '={{ $json.session_id }}', simplify: true }),
			{ pinData: pinned(links.map((item) => item.json)) },
		);
		check(!details.error, `Get Session failed: ${details.error?.message}`);
		rows(details.output(KWIKID), (j) => {
			const feedback = (j.feedback ?? {}) as IDataObject;
			const comment = feedback.comment ?? feedback.feedbackComment;
			return `${String(j.user_id)}: outcome ${String(j.outcome)} (agent status ${String(j.status)}${comment ? `, "${String(comment)}"` : ''})`;
		});
		check(
			details.output(KWIKID).map((item) => item.json.outcome).join() === 'approved,rejected,rejected',
			'Get Session: approved by both, rejected by the agent, overturned by the checker',
		);

		say('\n4. Push DKYC Data: one complete record, one with mistakes (Continue On Fail)');
		const good = validDkycSections();
		const broken = validDkycSections();
		broken.BASIC_INFORMATION.pan = 'ABCD1234';
		broken.BASIC_INFORMATION.dob = '1990-13-45';
		delete broken.PERSONAL_INFORMATION.gender;
		const pushed = await harness.run(
			kwikIdWorkflow(
				{
					resource: 'dkyc',
					operation: 'pushUserData',
					userId: '={{ $json.userId }}',
					phoneNumber: '9876543210',
					dataMode: 'json',
					sectionsJson: '={{ $json.sections }}',
				},
				{ continueOnFail: true },
			),
			{ pinData: pinned([{ userId: 'DKYC-1', sections: good }, { userId: 'DKYC-2', sections: broken }]) },
		);
		check(!pushed.error, `Push DKYC Data failed: ${pushed.error?.message}`);
		const [ok, failed] = pushed.output(KWIKID);
		check(ok?.json.session_id, 'the complete record creates a session');
		check(failed?.json.error, 'the broken record becomes an error item');
		say(`   DKYC-1: session ${String(ok.json.session_id)}`);
		say(`   DKYC-2: ${String(failed.json.error)}`);
		const reasons = (failed.json.details ?? {}) as IDataObject;
		say(`           missing_fields: ${JSON.stringify(reasons.missing_fields)}`);
		say(`           incorrect_formats: ${JSON.stringify(reasons.incorrect_formats)}`);

		say('\n5. KwikID Webhook Trigger: decisions arrive as KwikID\'s dashboard webhook calls');
		const secret = 'Bearer demo-0f3a9c2e7b5d4e1f8a6c';
		harness.addWebhookSecret({ headerName: 'Authorization', secret });
		const hook = await new WebhookServer(harness, { simplify: true }).start();
		try {
			say(`   production URL ${hook.url}`);
			sandbox.addWebhook({ url: hook.url, headers: { Authorization: secret }, shape: 'rotate' });
			// A new lead's session: the three above are decided already (a decision is announced once).
			const lead = sandbox.createSession({ user_id: 'LEAD-1004' }).session_id;
			sandbox.setStatus(lead, 'kyc_result_approved', 'Documents verified');
			await within(sandbox.waitForWebhookDeliveries(1), 'the agent\'s decision to be posted');
			sandbox.checkerDecide(lead, 'reject', 'Face not clear in the video');
			await within(sandbox.waitForWebhookDeliveries(2), 'the checker\'s decision to be posted');
			await hook.settled();
			check(hook.executions.length === 2, 'one execution per decision');
			rows(
				hook.executions.map((execution) => execution.items[0]),
				(j) => `${String(j.event_name)} -> outcome ${String(j.outcome)} (verified: ${String(j.verified)}, decided by ${String(j.decided_by)})`,
			);
			const forged = await hook.post({ event: 'Checker Approved', session_id: lead }, {});
			check(forged.status === 401 && hook.executions.length === 2, 'a call without the secret starts nothing');
			say(`   a call without the secret header: HTTP ${forged.status}, no execution`);
		} finally {
			await hook.close();
		}

		const stats = sandbox.stats();
		say('\nRequests the sandbox saw:');
		say(`   ${JSON.stringify(stats.requests)}`);
		check(stats.requests.generate_token === 1, 'one token for the whole demo');
		check(stats.requests.push_user_data === 1, 'the broken record was never sent');
		say('   one login for everything: n8n stored the token and reused it.');
		say('\nDemo OK');
	} finally {
		await sandbox.close();
	}
}

main().catch((error: unknown) => {
	if (!process.exitCode) say(`\nDEMO FAILED: ${error instanceof Error ? error.stack : String(error)}`);
	process.exitCode = 1;
});
