/**
 * The review model alone: every combination of the agent's status and the checker's fields a
 * live install (or a hostile one) can send, and the outcome a Switch routes on. The rule under
 * test: approved only when every reviewer present approved; a rejection by either wins; a value
 * nobody documented is never an approval.
 */
import type { IDataObject } from 'n8n-workflow';

import type { CheckerReview, CheckerState, Outcome } from '../../nodes/KwikId/shared/review';
import { readReview } from '../../nodes/KwikId/shared/review';
import { CHECKER_APPROVED, CHECKER_REJECTED, IN_REVIEW, NOT_AUDITED } from '../support/liveAnswers';

type Row = [string, IDataObject, Outcome, CheckerState, 'agent' | 'checker' | null, CheckerReview?];

const table: Row[] = [
	// No checker fields at all: the account has no checker step, the agent's word is final (as before).
	['agent approved, no checker step', { session_status: 'kyc_result_approved' }, 'approved', null, 'agent'],
	['agent approved, no checker step, Checker Review required', { session_status: 'kyc_result_approved' }, 'pending', null, null, 'required'],
	['agent rejected, no checker step', { session_status: 'kyc_result_rejected' }, 'rejected', null, 'agent'],
	['in progress', { session_status: 'kyc_request_accepted' }, 'pending', null, null],
	['partly processed', { session_status: 'kyc_result_partial_update' }, 'pending', null, null],
	['expired', { session_status: 'session_expired' }, 'closed', null, null],
	['abandoned', { session_status: 'user_abandoned' }, 'closed', null, null],
	['replaced by a newer link', { session_status: 'kyc_rejected' }, 'closed', null, null],
	['a status nobody documented', { session_status: 'kyc_result_approved_v2' }, 'pending', null, null],
	['no status at all', {}, 'pending', null, null],
	// With a checker step.
	['agent approved, checker not started', { session_status: 'kyc_result_approved', ...NOT_AUDITED }, 'pending', 'awaiting', null],
	['agent approved, checker reviewing', { session_status: 'kyc_result_approved', ...IN_REVIEW }, 'pending', 'in_review', null],
	['agent approved, checker approved', { session_status: 'kyc_result_approved', ...CHECKER_APPROVED }, 'approved', 'approved', 'checker'],
	['agent approved, checker approved (number 1)', { session_status: 'kyc_result_approved', ...CHECKER_APPROVED, audit_result: 1 }, 'approved', 'approved', 'checker'],
	// The real case: session_status stays approved after the auditor rejected.
	['agent approved, checker rejected', { session_status: 'kyc_result_approved', ...CHECKER_REJECTED }, 'rejected', 'rejected', 'checker'],
	['checker rejection told only by the feedback', { session_status: 'kyc_result_approved', ...CHECKER_REJECTED, audit_result: '' }, 'rejected', 'rejected', 'checker'],
	['"1" beside a feedback that says REJECT', { session_status: 'kyc_result_approved', ...CHECKER_REJECTED, audit_result: '1' }, 'rejected', 'rejected', 'checker'],
	['"1" beside a note that does not say approved', { session_status: 'kyc_result_approved', ...CHECKER_APPROVED, auditor_feedback: 'See notes' }, 'pending', 'unclear', null],
	['an undocumented audit_result with an end time', { session_status: 'kyc_result_approved', ...CHECKER_APPROVED, audit_result: '7', auditor_feedback: '' }, 'pending', 'unclear', null],
	['an end time and nothing else', { session_status: 'kyc_result_approved', ...NOT_AUDITED, audit_end_time: '1781840119' }, 'pending', 'unclear', null],
	['checker approved, agent still in the call', { session_status: 'kyc_request_accepted', ...CHECKER_APPROVED }, 'pending', 'approved', null],
	['checker approved an agent rejection', { session_status: 'kyc_result_rejected', ...CHECKER_APPROVED }, 'rejected', 'approved', 'agent'],
	['checker rejected an expired session', { session_status: 'session_expired', ...CHECKER_REJECTED }, 'rejected', 'rejected', 'checker'],
	['audit_result as the word approved', { session_status: 'kyc_result_approved', ...CHECKER_APPROVED, audit_result: 'Approved' }, 'approved', 'approved', 'checker'],
	['audit_result as the word rejected', { session_status: 'kyc_result_approved', ...CHECKER_APPROVED, audit_result: 'rejected', auditor_feedback: '' }, 'rejected', 'rejected', 'checker'],
	// Hostile shapes: never an approval from something unreadable.
	['audit_result an object', { session_status: 'kyc_result_approved', ...NOT_AUDITED, audit_result: { value: 1 } }, 'pending', 'awaiting', null],
	['audit_result true (a boolean)', { session_status: 'kyc_result_approved', ...NOT_AUDITED, audit_result: true }, 'approved', 'approved', 'checker'],
	['audit fields all null', { session_status: 'kyc_result_approved', audit_result: null, audit_lock: null, auditor_feedback: null }, 'pending', 'awaiting', null],
	['only audit_lock present, locked as text', { session_status: 'kyc_result_approved', audit_lock: 'true' }, 'pending', 'in_review', null],
	['session_status a number', { session_status: 5, ...CHECKER_APPROVED }, 'pending', 'approved', null],
	['feedback an array', { session_status: 'kyc_result_approved', ...CHECKER_APPROVED, auditor_feedback: ['REJECT'] }, 'approved', 'approved', 'checker'],
];

// Every row with its Checker Review spelled out: jest would take a missing last argument of a
// row for a test's `done` callback.
const rows = table.map(([name, data, outcome, checker, decidedBy, mode]) => [name, data, outcome, checker, decidedBy, mode ?? 'auto'] as const);

describe('readReview', () => {
	it.each(rows)('%s', (_name, data, outcome, checker, decidedBy, mode) => {
		const review = readReview(data, mode);
		expect(review.outcome).toBe(outcome);
		expect(review.review.checker).toBe(checker);
		expect(review.decided_by).toBe(decidedBy);
		expect(review.is_final).toBe(outcome !== 'pending');
	});

	it('keeps the checker raw values and turns epoch text into ISO times', () => {
		const review = readReview({ session_status: 'kyc_result_approved', ...CHECKER_REJECTED });
		expect(review.review).toEqual({
			maker: 'approved',
			maker_status: 'kyc_result_approved',
			checker: 'rejected',
			checker_result: '2',
			checker_comment: 'Redo/Reopen - Audio not available (#A1) ... REJECT',
			checker_code: 'A1',
			checker_name: 'Meera',
			check_started_at: new Date(1781840019436.8567).toISOString(),
			checked_at: new Date(1781840119120).toISOString(),
			audit_id: 'AUD-7',
			audit_lock: false,
		});
	});

	it('never reads an approval from any single undocumented audit_result value', () => {
		for (const value of ['0', '3', '-1', 'yes', 'ok', 'pass', 'approve?', ' ', 'null', 'undefined', 2, 0, -1, 1.5]) {
			const review = readReview({ session_status: 'kyc_result_approved', ...NOT_AUDITED, audit_result: value, audit_end_time: '1781840119' });
			expect([value, review.outcome]).toEqual([value, value === 2 ? 'rejected' : 'pending']);
		}
	});
});
