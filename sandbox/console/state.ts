/**
 * What the console page shows, as one JSON answer (GET /__sandbox/console/state), so the page
 * polls one route. Masking happens here, on the server: a full phone number, or a PAN or
 * Aadhaar number someone used as a user id, never reaches the browser at all.
 */
import { maskPhone, redact } from '../../nodes/KwikId/shared/mask';
import type { Faults } from '../faults';
import type { Sandbox, ShapeSettings } from '../core';
import { urlWithoutQuery } from '../webhooks';
import { auditFields, FINAL_STATUSES, resultFeedback, type AuditState } from '../sessions';

/** Enough for a person to read; bulk-created thousands would only slow the page down. */
export const CONSOLE_SESSION_LIMIT = 200;

export interface ConsoleSession {
	session_id: string;
	/** Redacted: callers choose user ids, and some use a phone or PAN. */
	user_id: string;
	phone: string;
	session_type: string;
	status: string;
	is_final: boolean;
	/** Epoch milliseconds. */
	created_at: number;
	/** Epoch milliseconds; null for sessions without a link (DKYC). */
	link_expires_at: number | null;
	/** Path of the customer page (the path part of Send Link's link_url); null without a link. */
	customer_path: string | null;
	/** The result's feedback comment, redacted; null before a result. */
	feedback: string | null;
	/** The checker's review; null when the account has no checker step. */
	checker: ConsoleChecker | null;
}

export interface ConsoleChecker {
	/** `awaiting`: the agent has not decided yet, or nobody has started the review. */
	state: 'awaiting' | 'in_review' | 'approved' | 'rejected';
	/** auditor_feedback as get_details sends it, redacted; null before the decision. */
	feedback: string | null;
	/** The agent has decided and the checker has not: the checker buttons apply. */
	can_decide: boolean;
}

export interface ConsoleRequest {
	at: string;
	method: string;
	/** Redacted: a caller may put anything in a path. For webhooks: the URL without its query. */
	path: string;
	status: number | 'dropped' | 'no answer';
	ms: number;
	user_id?: string;
	/** Set for a webhook delivery the sandbox made (outgoing), e.g. "Checker Rejected · flat · attempt 2". */
	webhook?: string;
}

export interface ConsoleWebhook {
	id: string;
	url: string;
	events: string[];
	/** Header names only: values are often secrets. */
	headers: string[];
	shape: string;
}

export interface ConsoleState {
	/** The sandbox's clock, so ages and expiries do not depend on the browser's. */
	now: number;
	url: string;
	username: string;
	total_sessions: number;
	/** Newest first, at most CONSOLE_SESSION_LIMIT. */
	sessions: ConsoleSession[];
	faults: Faults;
	/** Newest first. */
	requests: ConsoleRequest[];
	/** get_details' shape and whether the account has a checker step. */
	shape: ShapeSettings;
	webhooks: ConsoleWebhook[];
}

const AGENT_DECIDED = new Set(['kyc_result_approved', 'kyc_result_rejected']);

function checkerOf(status: string, audit: AuditState | null): ConsoleChecker {
	const decision = audit?.decision ?? null;
	const state = decision ? (decision.result === 'approve' ? 'approved' : 'rejected') : audit ? 'in_review' : 'awaiting';
	const feedback = decision ? redact(String(auditFields(audit).auditor_feedback)) : null;
	return { state, feedback, can_decide: decision === null && AGENT_DECIDED.has(status) };
}

/** The path Send Link's link_url points at; its query part percent-encoded as the API sends it. */
export function customerPath(linkId: string): string {
	return `/user/${encodeURIComponent(`?l=${linkId}&d=1&s=0`)}`;
}

export function consoleState(sandbox: Sandbox, now = Date.now()): ConsoleState {
	const listed = sandbox.listSessions();
	const shape = sandbox.getShape();
	const sessions: ConsoleSession[] = [];
	// listSessions keeps creation order: walking it backwards gives newest first without a sort.
	for (let i = listed.length - 1; i >= 0 && sessions.length < CONSOLE_SESSION_LIMIT; i--) {
		const session = sandbox.getSession(listed[i].session_id);
		if (!session) continue;
		const feedback = resultFeedback(session.history);
		sessions.push({
			session_id: session.session_id,
			user_id: redact(session.user_id),
			phone: maskPhone(session.phone_number),
			session_type: session.session_type,
			status: session.status,
			is_final: FINAL_STATUSES.has(session.status),
			created_at: session.created_at,
			link_expires_at: session.link_id === '' ? null : session.created_at + session.validity_duration * 1000,
			customer_path: session.link_id === '' ? null : customerPath(session.link_id),
			feedback: feedback ? redact(feedback.comment) : null,
			checker: shape.checkerStep ? checkerOf(session.status, session.audit) : null,
		});
	}
	const requests = sandbox
		.requestLog()
		.reverse()
		.map((entry): ConsoleRequest => {
			const request: ConsoleRequest = {
				at: entry.at,
				method: entry.method,
				path: redact(entry.path),
				status: entry.status,
				ms: entry.ms,
			};
			if (entry.userId !== undefined) request.user_id = redact(entry.userId);
			if (entry.webhook) request.webhook = `${entry.webhook.event} · ${entry.webhook.shape} · attempt ${entry.webhook.attempt}`;
			return request;
		});
	return {
		now,
		url: sandbox.url,
		username: sandbox.username,
		total_sessions: listed.length,
		sessions,
		faults: sandbox.faults(),
		requests,
		shape,
		webhooks: sandbox.listWebhooks().map((webhook) => ({
			id: webhook.id,
			url: redact(urlWithoutQuery(webhook.url)),
			events: webhook.events,
			headers: Object.keys(webhook.headers),
			shape: webhook.shape,
		})),
	};
}
