/**
 * The trigger and the checker: KwikID's live answers report the auditor's review after the
 * agent's decision, and the agent's status can stay kyc_result_approved after the auditor
 * rejected (API-NOTES). The trigger must keep watching an agent approval until the checker
 * decides, fire on the checker's verdict, and never call a checker-rejected session approved.
 *
 * The answers come from the recording proxy in front of the sandbox (canned get_details in the
 * live shape), so each poll sees exactly the stage under test.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { Sandbox } from '../../sandbox/server';
import { createSandbox } from '../../sandbox/server';
import { Harness } from '../../harness/harness';
import { PollRunner } from '../../harness/poll';
import type { RecordingProxy } from '../support/recordingProxy';
import { startRecordingProxy } from '../support/recordingProxy';
import { CHECKER_APPROVED, CHECKER_REJECTED, hostile, hostileSession, IN_REVIEW, NOT_AUDITED } from '../support/liveAnswers';
import { json, useTriggerFixture, watch } from './helpers';

const DETAILS = '/agentapi/v1/session/get_details/';

const STAGES: Record<string, IDataObject> = {
	inCall: { session_status: 'kyc_request_accepted', ...NOT_AUDITED },
	agentApproved: { session_status: 'kyc_result_approved', ...NOT_AUDITED },
	checkerReviewing: { session_status: 'kyc_result_approved', ...IN_REVIEW },
	checkerApproved: { session_status: 'kyc_result_approved', ...CHECKER_APPROVED },
	checkerRejected: { session_status: 'kyc_result_approved', ...CHECKER_REJECTED },
	// The reference's shape: an account without a checker step has no audit fields at all.
	referenceApproved: { session_status: 'kyc_result_approved' },
	referenceInCall: { session_status: 'kyc_request_accepted' },
};

let sandbox: Sandbox;
let proxy: RecordingProxy;
beforeAll(async () => {
	sandbox = await createSandbox();
	proxy = await startRecordingProxy(sandbox.url);
});
afterAll(async () => {
	await proxy.close();
	await sandbox.close();
});
beforeEach(() => {
	sandbox.reset();
	proxy.requests.length = 0;
	proxy.canned.length = 0;
});

function runner(id: string, parameters: INodeParameters = {}): PollRunner {
	const harness = new Harness().addKwikIdCredential({
		domain: proxy.url,
		environment: 'test',
		username: sandbox.username,
		password: sandbox.password,
	});
	return new PollRunner(harness, watch([id], parameters));
}

/** The session's next get_details answers: one stage per poll. */
function answers(id: string, ...stages: string[]): void {
	for (const stage of stages) {
		proxy.canned.push({
			path: `${DETAILS}${id}`,
			status: 200,
			body: { session_data: { session_id: id, user_id: 'LEAD-1', session_type: 'VKYC', ...STAGES[stage] }, status: '200' },
		});
	}
}

const reads = (): number => proxy.requests.filter((request) => request.path.startsWith(DETAILS)).length;

describe('KwikID Trigger: the checker has the final word', () => {
	it('agent approval, then the checker rejects: two events, the second rejected, overturned, and then no more reads', async () => {
		const id = sandbox.createSession().session_id;
		const trigger = runner(id);
		answers(id, 'inCall', 'agentApproved', 'checkerReviewing', 'checkerRejected');

		expect(await trigger.items()).toEqual([]); // activation: baseline
		const approved = json(await trigger.items());
		expect(approved).toEqual([
			expect.objectContaining({ status: 'kyc_result_approved', previous_status: 'kyc_request_accepted', outcome: 'pending', is_final: false, change: 'status', overturned: false }),
		]);
		expect(approved[0].review).toMatchObject({ maker: 'approved', checker: 'awaiting' });
		expect(await trigger.items()).toEqual([]); // the checker opened it: no verdict yet
		const rejected = json(await trigger.items());
		expect(rejected).toEqual([
			expect.objectContaining({
				status: 'kyc_result_approved',
				previous_status: 'kyc_result_approved',
				outcome: 'rejected',
				previous_outcome: 'pending',
				decided_by: 'checker',
				is_final: true,
				change: 'checker',
				overturned: true,
			}),
		]);
		expect(rejected[0].review).toMatchObject({ checker: 'rejected', checker_comment: 'Redo/Reopen - Audio not available (#A1) ... REJECT', checker_code: 'A1' });
		expect(rejected[0].session).toMatchObject({ outcome: 'rejected', status: 'kyc_result_approved' });

		const before = reads();
		expect(await trigger.items()).toEqual([]);
		expect(reads()).toBe(before); // final: Stop Checking Final Sessions
	});

	it('Outcomes approved + rejected: nothing for the agent approval alone, one event for the checker approval', async () => {
		const id = sandbox.createSession().session_id;
		const trigger = runner(id, { outcomes: ['approved', 'rejected'] });
		answers(id, 'inCall', 'agentApproved', 'checkerApproved');

		expect(await trigger.items()).toEqual([]);
		expect(await trigger.items()).toEqual([]);
		expect(json(await trigger.items())).toEqual([
			expect.objectContaining({ outcome: 'approved', decided_by: 'checker', change: 'checker', overturned: false, previous_outcome: 'pending' }),
		]);
	});

	it('the agent approves and the checker rejects between two polls: one event, rejected', async () => {
		const id = sandbox.createSession().session_id;
		const trigger = runner(id);
		answers(id, 'inCall', 'checkerRejected');

		await trigger.items();
		expect(json(await trigger.items())).toEqual([
			expect.objectContaining({ previous_status: 'kyc_request_accepted', status: 'kyc_result_approved', outcome: 'rejected', change: 'status', overturned: true }),
		]);
	});

	it('an account without a checker step (no audit fields) works as before: approved by the agent, final', async () => {
		const id = sandbox.createSession().session_id;
		const trigger = runner(id);
		answers(id, 'referenceInCall', 'referenceApproved');

		await trigger.items();
		expect(json(await trigger.items())).toEqual([
			expect.objectContaining({ status: 'kyc_result_approved', outcome: 'approved', decided_by: 'agent', is_final: true }),
		]);
		const before = reads();
		await trigger.items();
		expect(reads()).toBe(before);
	});

	it('Checker Review "Always Wait for the Checker": the agent approval alone is pending and stays watched', async () => {
		const id = sandbox.createSession().session_id;
		const trigger = runner(id, { options: { checkerReview: 'required' } });
		answers(id, 'referenceInCall', 'referenceApproved', 'checkerRejected');

		await trigger.items();
		expect(json(await trigger.items())).toEqual([expect.objectContaining({ outcome: 'pending', is_final: false })]);
		expect(json(await trigger.items())).toEqual([expect.objectContaining({ outcome: 'rejected', overturned: true })]);
	});

	it('state saved before this version (a bare approved code): read once more; a checker rejection is reported, an approval is not repeated', async () => {
		const [a, b] = [sandbox.createSession().session_id, sandbox.createSession().session_id];
		const trigger = runner(a);
		answers(a, 'inCall');
		await trigger.items();
		const fp = trigger.liveState().fp;
		trigger.reconfigure(watch([a, b]));
		// What the previous version saved: status code 5 (kyc_result_approved), no checker.
		trigger.replaceSavedState({ v: 1, fp, s: { [a]: 5, [b]: 5 } });
		answers(a, 'checkerRejected');
		answers(b, 'checkerApproved');

		const items = json(await trigger.items());
		expect(items).toEqual([expect.objectContaining({ session_id: a, outcome: 'rejected', previous_outcome: 'approved', overturned: true })]);
		const before = reads();
		await trigger.items();
		expect(reads()).toBe(before); // both now settled: one decided, one approved by both
	});
});

describe('KwikID Trigger: hostile shapes never crash a poll and never approve', () => {
	it.each(hostile)('%s', async (_name, overrides, outcome) => {
		const id = sandbox.createSession().session_id;
		const trigger = runner(id, { options: { emitCurrentStatus: true } });
		proxy.canned.push({
			path: `${DETAILS}${id}`,
			status: 200,
			body: { session_data: hostileSession(proxy.url, overrides), status: '200' },
		});

		const result = await trigger.poll();

		if (result.kind === 'error') {
			// Only an answer without a readable session_status may fail the poll, and then as the
			// trigger's own "could not be read" error (the next poll tries again), not a crash.
			expect(typeof overrides.session_status === 'string' && overrides.session_status !== '').toBe(false);
			expect(result.error.message).toMatch(/session status|could not be read/i);
			return;
		}
		expect(result.kind).toBe('emitted');
		const [item] = result.kind === 'emitted' ? result.items : [];
		expect(item.json.outcome).toBe(outcome);
		expect(item.json.session).toMatchObject({ outcome });
	});
});

describe('KwikID Trigger against the sandbox playing a live install with a checker step', () => {
	const fx = useTriggerFixture({});

	it('the agent approves, the checker rejects: pending, then rejected and overturned, the status unchanged', async () => {
		const [a, b] = fx.sessions(2);
		const trigger = fx.runner(watch([a, b], { outcomes: ['approved', 'rejected'] }));
		await trigger.items();

		fx.sandbox.setStatus(a, 'kyc_result_approved', 'All clear');
		fx.sandbox.setStatus(b, 'kyc_result_approved', 'All clear');
		expect(await trigger.items()).toEqual([]); // both wait for the checker

		fx.sandbox.checkerDecide(a, 'reject', 'Audio not available');
		fx.sandbox.checkerDecide(b, 'approve');
		const verdicts = json(await trigger.items()).sort((x, y) => (x.session_id === a ? -1 : y.session_id === a ? 1 : 0));
		expect(verdicts).toEqual([
			expect.objectContaining({ session_id: a, status: 'kyc_result_approved', outcome: 'rejected', overturned: true, decided_by: 'checker' }),
			expect.objectContaining({ session_id: b, status: 'kyc_result_approved', outcome: 'approved', overturned: false, decided_by: 'checker' }),
		]);
		const reads = fx.detailCalls();
		expect(await trigger.items()).toEqual([]);
		expect(fx.detailCalls()).toBe(reads); // both decided: no longer read
	});
});
