/**
 * KwikID's final word on a session: the agent's decision (maker, `session_status`) and the
 * auditor's review of the recording (checker, the `audit_*` / `auditor_*` fields live installs
 * send), read together into one outcome a workflow can route on.
 *
 * KwikID documents neither the checker's fields nor their values (API-NOTES, "What a live install
 * answers"): `audit_result` "1" was seen for an approval, the feedback text "... REJECT" for a
 * rejection, and `session_status` stayed `kyc_result_approved` after the checker rejected. So:
 * - approved needs every reviewer present to approve: the agent, and the checker where there is one;
 * - a rejection by either wins, whatever the other said;
 * - a value this code does not understand is never an approval: the outcome stays pending and the
 *   raw values are kept so a person can look.
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { text, toIsoTime } from './answer';

export type Outcome = 'approved' | 'rejected' | 'pending' | 'closed';
export type MakerDecision = 'approved' | 'rejected' | 'closed' | 'pending';
/**
 * - `approved` / `rejected`: the checker decided, and the values say which.
 * - `in_review`: an auditor has the session open (locked or started, not ended).
 * - `awaiting`: the account has a checker step (the fields are there) and nobody has started it.
 * - `unclear`: something says the checker finished, but not in values this code understands.
 * - `null`: no checker fields at all: an account without a checker step (or one not reported).
 */
export type CheckerState = 'approved' | 'rejected' | 'in_review' | 'awaiting' | 'unclear' | null;
/**
 * The node and trigger option "Checker Review". `auto`: wait for the checker when KwikID's
 * answer has checker fields. `required`: always wait; an agent approval alone is pending.
 */
export type CheckerReview = 'auto' | 'required';

export interface ReviewDetails extends IDataObject {
	maker: MakerDecision;
	maker_status: string | null;
	checker: CheckerState;
	checker_result: string | null;
	checker_comment: string | null;
	checker_code: string | null;
	checker_name: string | null;
	check_started_at: string | null;
	checked_at: string | null;
	audit_id: string | null;
	audit_lock: boolean | null;
}

export interface Review extends IDataObject {
	outcome: Outcome;
	decided_by: 'agent' | 'checker' | null;
	is_final: boolean;
	review: ReviewDetails;
}

export const OUTCOMES: ReadonlyArray<{ name: string; value: Outcome; description: string }> = [
	{ name: 'Approved', value: 'approved', description: 'The agent approved, and the checker too where the account has one' },
	{ name: 'Rejected', value: 'rejected', description: 'The agent or the checker rejected the session' },
	{ name: 'Pending', value: 'pending', description: 'Not decided yet: in progress, waiting for the checker, or a value KwikID did not document' },
	{ name: 'Closed', value: 'closed', description: 'Ended without a decision: expired, abandoned, or replaced by a newer link' },
];

export const CHECKER_REVIEW_OPTIONS: ReadonlyArray<{ name: string; value: CheckerReview; description: string }> = [
	{
		name: 'Auto-Detect',
		value: 'auto',
		description:
			"Wait for the checker when KwikID's answer has checker (audit) fields; otherwise the agent's decision is final",
	},
	{
		name: 'Always Wait for the Checker',
		value: 'required',
		description: "An agent's approval is pending until the checker approves. Choose this if your KwikID account has a checker step.",
	},
];

/** The "Checker Review" option of Get Session and both triggers (one definition, one meaning). */
export const checkerReviewOption: INodeProperties = {
	displayName: 'Checker Review',
	name: 'checkerReview',
	type: 'options',
	options: CHECKER_REVIEW_OPTIONS.map(({ name, value, description }) => ({ name, value, description })),
	default: 'auto',
	description:
		'Whether an agent\'s approval needs the checker\'s (auditor\'s) approval before Outcome says approved. A checker\'s rejection always wins.',
};

/** Reads the option back; anything but 'required' (an old workflow has none) is 'auto'. */
export function checkerReviewOf(value: unknown): CheckerReview {
	return value === 'required' ? 'required' : 'auto';
}

/** The statuses that are the agent's decision, and those that end a session without one. */
const MAKER_OF_STATUS: Readonly<Record<string, MakerDecision>> = {
	kyc_result_approved: 'approved',
	kyc_result_rejected: 'rejected',
	session_expired: 'closed',
	user_abandoned: 'closed',
	// An older link replaced by a newer one: this session will not be decided.
	kyc_rejected: 'closed',
};

/** Every key a checker review can arrive under; any of them present means the account has one. */
const CHECKER_KEYS = [
	'audit_id',
	'audit_result',
	'audit_lock',
	'audit_init_time',
	'audit_end_time',
	'auditor_name',
	'auditor_feedback',
	'auditor_fdbk_code',
] as const;

const APPROVED_RESULTS = new Set(['1', 'approved', 'approve', 'true']);
/** "2" and the words are what the sandbox sends; KwikID's own values are not documented. */
const REJECTED_RESULTS = new Set(['2', 'rejected', 'reject']);
/** How the one real rejection read: "Redo/Reopen - Audio not available (#A1) ... REJECT". */
const REJECTION_TEXT = /\b(?:reject(?:ed)?|redo|reopen(?:ed)?)\b/i;
/** "Approved", or a note that starts by saying so ("Approved - clear video"). */
const APPROVAL_TEXT = /^\s*approved?\b/i;

/** A raw value kept as text (booleans too); null for nothing ("", null, missing) and for objects. */
function plain(value: unknown): string | null {
	return typeof value === 'boolean' ? String(value) : text(value);
}

/** true, "true", 1, "1" lock; false, "false", 0, "0", "" do not; anything else is unknown. */
function flag(value: unknown): boolean | null {
	if (value === true || value === 1) return true;
	if (value === false || value === 0) return false;
	if (typeof value === 'string') {
		const text = value.trim().toLowerCase();
		if (text === 'true' || text === '1') return true;
		if (text === 'false' || text === '0' || text === '') return false;
	}
	return null;
}

export function makerOf(status: unknown): MakerDecision {
	return typeof status === 'string' ? (MAKER_OF_STATUS[status] ?? 'pending') : 'pending';
}

function checkerOf(data: IDataObject, details: ReviewDetails): CheckerState {
	if (!CHECKER_KEYS.some((key) => key in data)) return null;
	const result = details.checker_result?.trim().toLowerCase() ?? null;
	const comment = details.checker_comment;
	const saysRejected = (result !== null && REJECTED_RESULTS.has(result)) || (comment !== null && REJECTION_TEXT.test(comment));
	if (saysRejected) return 'rejected';
	if (result !== null && APPROVED_RESULTS.has(result)) {
		// "1" beside a comment that does not say approved: for a person to read, not an approval.
		return comment === null || APPROVAL_TEXT.test(comment) ? 'approved' : 'unclear';
	}
	const ended = details.checked_at !== null || (result !== null && result !== '0') || comment !== null;
	if (ended) return 'unclear';
	if (details.audit_lock === true || details.check_started_at !== null) return 'in_review';
	return 'awaiting';
}

/** The review of one get_details `session_data`, whatever its shape. Never throws. */
export function readReview(data: IDataObject, checkerReview: CheckerReview = 'auto'): Review {
	const status = plain(data.session_status);
	const details: ReviewDetails = {
		maker: makerOf(status),
		maker_status: status,
		checker: null,
		checker_result: plain(data.audit_result),
		checker_comment: plain(data.auditor_feedback),
		checker_code: plain(data.auditor_fdbk_code),
		checker_name: plain(data.auditor_name),
		check_started_at: isoOrNull(data.audit_init_time),
		checked_at: isoOrNull(data.audit_end_time),
		audit_id: plain(data.audit_id),
		audit_lock: flag(data.audit_lock),
	};
	details.checker = checkerOf(data, details);
	const { outcome, decided_by } = decide(details.maker, details.checker, checkerReview);
	return { outcome, decided_by, is_final: outcome !== 'pending', review: details };
}

/** The outcome of a status and a checker state (as the trigger remembers them between polls). */
export function outcomeOf(status: string | null, checker: CheckerState, checkerReview: CheckerReview = 'auto'): Outcome {
	return decide(makerOf(status), checker, checkerReview).outcome;
}

function decide(
	maker: MakerDecision,
	checker: CheckerState,
	checkerReview: CheckerReview,
): Pick<Review, 'outcome' | 'decided_by'> {
	if (checker === 'rejected') return { outcome: 'rejected', decided_by: 'checker' };
	if (maker === 'rejected') return { outcome: 'rejected', decided_by: 'agent' };
	if (maker === 'closed') return { outcome: 'closed', decided_by: null };
	if (maker !== 'approved') return { outcome: 'pending', decided_by: null };
	if (checker === 'approved') return { outcome: 'approved', decided_by: 'checker' };
	if (checker === null && checkerReview === 'auto') return { outcome: 'approved', decided_by: 'agent' };
	return { outcome: 'pending', decided_by: null };
}

function isoOrNull(value: unknown): string | null {
	const iso = toIsoTime(value);
	// A time that is not a time stays out of checked_at (it is in the full output as sent).
	return iso !== null && /^\d{4}-\d\d-\d\dT/.test(iso) ? iso : null;
}
