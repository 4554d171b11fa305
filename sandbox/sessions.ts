/**
 * Session store, lifecycle and the rendering of get_details' `session_data`.
 *
 * A session keeps only its inputs and a list of status events. Everything get_details shows
 * (agent fields, media URLs, feedback, times) is derived from those events at read time, and
 * scripted progression (autoProgress) is computed from the creation time, so there is no timer
 * per session: thousands of sessions cost a Map entry each and the server closes instantly.
 */
import { randomBytes, randomUUID } from 'node:crypto';

import { isRecord, type JsonObject, type JsonValue } from './http';
import { liveShape } from './shapes';

/** Which answer get_details gives: KwikID's published reference, or what a live install sends. */
export type Shape = 'reference' | 'live';

export interface RenderView {
	shape: Shape;
	/** Whether the account has a checker step: the audit fields appear only then. */
	checkerStep: boolean;
}

export const REFERENCE_VIEW: RenderView = { shape: 'reference', checkerStep: false };

/** The documented values. Any other string may be set too (clients must pass unknown ones through). */
export const SESSION_STATUSES = [
	'waiting',
	'agent_alloted',
	'kyc_request_accepted',
	'kyc_request_rejected',
	'kyc_result_rejected',
	'kyc_result_approved',
	'session_expired',
	'user_abandoned',
	'vkyc_requested',
	'kyc_rejected',
	// Not in the reference: live installs report a session partly processed this way (not final).
	'kyc_result_partial_update',
] as const;

/** Statuses reached before any agent is involved. */
const BEFORE_AGENT = new Set<string>(['waiting', 'vkyc_requested', 'session_expired', 'user_abandoned']);
/** An agent is attached but no call took place. Anything not listed here or above means a call happened. */
const AGENT_WITHOUT_CALL = new Set<string>(['agent_alloted', 'kyc_request_rejected', 'kyc_rejected']);
/** No further change expected once a session is in one of these. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set<string>([
	'kyc_result_approved',
	'kyc_result_rejected',
	'kyc_rejected',
	'session_expired',
	'user_abandoned',
]);
const FINAL = FINAL_STATUSES;
const RESULT_TYPE: Record<string, { type: string; comment: string }> = {
	kyc_result_approved: { type: 'Approve', comment: 'All Successful' },
	kyc_result_rejected: { type: 'Reject', comment: 'Face does not match the PAN photo' },
};

export type Decision = 'approve' | 'reject';

export interface AutoProgress {
	/** The agent's result lands this long after creation. */
	afterMs: number;
	outcome: Decision;
	/** The checker's decision, if the script includes one (accounts with a checker step only). */
	checker?: Decision;
	/** The checker decides this long after the agent (default afterMs); it starts halfway. */
	checkerAfterMs?: number;
}

/** The webhook events KwikID's dashboard names. */
export type DecisionEvent = 'Maker Approved' | 'Maker Rejected' | 'Checker Approved' | 'Checker Rejected';

/** The checker's review of one session (epoch milliseconds). */
export interface AuditState {
	startedAt: number;
	auditId: string;
	decision: { at: number; result: Decision; reason: string } | null;
}

export const AUDITOR_NAME = 'Sandbox Auditor';
export const CHECKER_REJECT_CODE = 'A1';
const DEFAULT_CHECKER_REASON = 'Audio not available';

/** What a new session starts with; names follow the API's, like SessionSnapshot. */
export interface SessionInput {
	user_id?: string;
	phone_number?: string;
	/** Default "VKYC". */
	session_type?: string;
	/** Default "KWIKID_ID", as in the vendor's example. */
	origin?: string;
	extras?: JsonObject;
	link_type?: string;
	/** Link validity in seconds, default 900. */
	validity_duration?: number;
	/** Default: a random 12-character id; "" for sessions without a link (DKYC). */
	link_id?: string;
	/** Start in this status instead of "waiting" (no auto progression then). */
	status?: string;
}

export interface StatusEvent {
	status: string;
	/** Epoch milliseconds. */
	at: number;
	comment?: string;
}

/** A copy of one session's state; names follow the API's own (session_id, user_id, ...). */
export interface SessionSnapshot {
	session_id: string;
	/** "" for sessions without a link (DKYC). */
	link_id: string;
	user_id: string;
	phone_number: string;
	session_type: string;
	origin: string;
	extras: JsonObject;
	link_type: string;
	/** Link validity in seconds. */
	validity_duration: number;
	/** Epoch milliseconds. */
	created_at: number;
	status: string;
	history: StatusEvent[];
	/** The checker's review; null until a checker starts (always null without a checker step). */
	audit: AuditState | null;
}

interface SessionRecord {
	/** Creation order, for audit ids. */
	seq: number;
	sessionId: string;
	linkId: string;
	userId: string;
	phoneNumber: string;
	sessionType: string;
	origin: string;
	extras: JsonObject;
	linkType: string;
	validitySec: number;
	createdAt: number;
	/** Explicit events; ignored while `auto` is set. */
	history: StatusEvent[];
	/** Set by checkerStart/checkerDecide; ignored while `auto` is set. */
	audit: AuditState | null;
	/** Scripted progression captured at creation; dropped as soon as control sets a status. */
	auto?: AutoProgress;
}

/** A file behind one of the media URL fields. */
export interface MediaFile {
	field: string;
	name: string;
	contentType: string;
	/** Where it is served: the reference's storage links, or live installs' own host. */
	where: 'media' | 'download_content';
	/** Only live-shape answers list it. */
	liveOnly?: boolean;
}

export const MEDIA_FILES: readonly MediaFile[] = [
	{ field: 'selfie_url', name: 'selfie.png', contentType: 'image/png', where: 'media' },
	{ field: 'pan_url', name: 'pan.png', contentType: 'image/png', where: 'media' },
	{ field: 'aadhaar_url', name: 'aadhaar.png', contentType: 'image/png', where: 'media' },
	{ field: 'aadhaarback_url', name: 'aadhaarback.png', contentType: 'image/png', where: 'media' },
	{ field: 'user_video_url', name: 'user_video.mp4', contentType: 'video/mp4', where: 'media' },
	{ field: 'agent_video_url', name: 'agent_video.mp4', contentType: 'video/mp4', where: 'media' },
	{ field: 'agent_screen_url', name: 'agent_screen.mp4', contentType: 'video/mp4', where: 'media' },
	{ field: 'zip_url', name: 'session.zip', contentType: 'application/zip', where: 'media' },
	{ field: 'summary_json_url', name: 'summary.json', contentType: 'application/json', where: 'media' },
	{ field: 'summary_pdf_url', name: 'summary_report.pdf', contentType: 'application/pdf', where: 'download_content', liveOnly: true },
	{ field: 'aadhaar_xml', name: 'aadhaar.xml', contentType: 'application/xml', where: 'download_content', liveOnly: true },
	{ field: 'aadhaarpdf_url', name: 'aadhaar_redacted.pdf', contentType: 'application/pdf', where: 'download_content', liveOnly: true },
];

export function mediaPath(file: MediaFile, sessionId: string): string {
	return file.where === 'media' ? `/media/${sessionId}/${file.name}` : `/v1/download_content/${sessionId}/${file.name}`;
}

export class CheckerError extends Error {}

export class UnknownSessionError extends Error {
	constructor(id: string) {
		super(`unknown session ${id}`);
	}
}

const LINK_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function newLinkId(): string {
	return Array.from(randomBytes(12), (byte) => LINK_ID_ALPHABET[byte % LINK_ID_ALPHABET.length]).join('');
}

/** Python's str(time.time()) look: seconds as a string, always with a fraction. */
export function epochString(ms: number): string {
	const seconds = String(ms / 1000);
	return seconds.includes('.') ? seconds : `${seconds}.0`;
}

export class SessionStore {
	private readonly sessions = new Map<string, SessionRecord>();
	private autoProgress: AutoProgress | null;
	private created = 0;
	private scriptedListener: ((sessionId: string, decisions: Array<{ event: DecisionEvent; at: number }>) => void) | null = null;

	constructor(autoProgress: AutoProgress | null = null) {
		this.autoProgress = autoProgress;
	}

	/** Applies to sessions created from now on; existing ones keep their script. */
	setAutoProgress(value: AutoProgress | null): void {
		this.autoProgress = value;
	}

	getAutoProgress(): AutoProgress | null {
		return this.autoProgress;
	}

	/** Told the decisions a new scripted session will make, so a sender can act when they happen. */
	onScripted(listener: (sessionId: string, decisions: Array<{ event: DecisionEvent; at: number }>) => void): void {
		this.scriptedListener = listener;
	}

	/** True while the session still follows its script (control has not taken it over). */
	isScripted(id: string): boolean {
		return this.sessions.get(id)?.auto !== undefined;
	}

	clear(): void {
		this.sessions.clear();
	}

	get size(): number {
		return this.sessions.size;
	}

	create(input: SessionInput = {}, nowMs = Date.now()): SessionSnapshot {
		this.created += 1;
		const record: SessionRecord = {
			seq: this.created,
			audit: null,
			sessionId: randomUUID(),
			linkId: input.link_id ?? newLinkId(),
			userId: input.user_id ?? `sandbox-user-${this.created}`,
			phoneNumber: input.phone_number ?? '9876543210',
			sessionType: input.session_type || 'VKYC',
			origin: input.origin || 'KWIKID_ID',
			extras: structuredClone(input.extras ?? {}),
			linkType: input.link_type ?? 'free',
			validitySec: input.validity_duration ?? 900,
			createdAt: nowMs,
			history: [{ status: 'waiting', at: nowMs }],
		};
		if (input.status !== undefined && input.status !== 'waiting') {
			record.history.push(statusEvent(input.status, nowMs));
		} else if (input.status === undefined && this.autoProgress) {
			record.auto = { ...this.autoProgress };
		}
		this.sessions.set(record.sessionId, record);
		if (record.auto) this.scriptedListener?.(record.sessionId, this.scriptedDecisions(record.sessionId, nowMs));
		return snapshot(record, nowMs);
	}

	/** The session a customer link points at; DKYC sessions have no link and are never found. */
	findByLinkId(linkId: string, nowMs = Date.now()): SessionSnapshot | undefined {
		if (linkId === '') return undefined;
		for (const record of this.sessions.values()) {
			if (record.linkId === linkId) return snapshot(record, nowMs);
		}
		return undefined;
	}

	has(id: string): boolean {
		return this.sessions.has(id);
	}

	get(id: string, nowMs = Date.now()): SessionSnapshot | undefined {
		const record = this.sessions.get(id);
		return record && snapshot(record, nowMs);
	}

	list(nowMs = Date.now()): Array<{ session_id: string; status: string; user_id: string; session_type: string }> {
		return Array.from(this.sessions.values(), (record) => ({
			session_id: record.sessionId,
			status: currentStatus(events(record, nowMs)),
			user_id: record.userId,
			session_type: record.sessionType,
		}));
	}

	/** Any non-empty string is accepted. Freezes scripted progression where it stands. */
	setStatus(id: string, status: string, comment?: string, nowMs = Date.now()): SessionSnapshot {
		const record = this.sessions.get(id);
		if (!record) throw new UnknownSessionError(id);
		if (status === '') throw new Error('status must be a non-empty string');
		freeze(record, nowMs);
		record.history.push(statusEvent(status, nowMs, comment));
		return snapshot(record, nowMs);
	}

	/** An auditor opens the session: audit_lock, audit_init_time, auditor_name, audit_id. */
	checkerStart(id: string, nowMs = Date.now()): SessionSnapshot {
		const record = this.decided(id, nowMs);
		if (record.audit?.decision) throw new CheckerError(`the checker has already decided session ${id}`);
		record.audit ??= { startedAt: nowMs, auditId: auditIdOf(record), decision: null };
		return snapshot(record, nowMs);
	}

	/** The checker's decision; session_status stays what the agent made it (as on live installs). */
	checkerDecide(id: string, result: Decision, reason?: string, nowMs = Date.now()): SessionSnapshot {
		const record = this.decided(id, nowMs);
		if (record.audit?.decision) throw new CheckerError(`the checker has already decided session ${id}`);
		const audit = record.audit ?? { startedAt: nowMs, auditId: auditIdOf(record), decision: null };
		audit.decision = { at: nowMs, result, reason: reason?.trim() || (result === 'approve' ? '' : DEFAULT_CHECKER_REASON) };
		record.audit = audit;
		return snapshot(record, nowMs);
	}

	/** Decisions still to come from a session's script, for senders that must act on time (webhooks). */
	scriptedDecisions(id: string, nowMs = Date.now()): Array<{ event: DecisionEvent; at: number }> {
		const record = this.sessions.get(id);
		if (!record?.auto) return [];
		const { afterMs, outcome, checker, checkerAfterMs } = record.auto;
		const agentAt = record.createdAt + afterMs;
		const list: Array<{ event: DecisionEvent; at: number }> = [{ event: makerEvent(outcome), at: agentAt }];
		if (checker) list.push({ event: checkerEvent(checker), at: agentAt + (checkerAfterMs ?? afterMs) });
		return list.filter((item) => item.at >= nowMs);
	}

	/** The record of a session the agent has decided (approved or rejected), frozen at nowMs. */
	private decided(id: string, nowMs: number): SessionRecord {
		const record = this.sessions.get(id);
		if (!record) throw new UnknownSessionError(id);
		const status = currentStatus(events(record, nowMs));
		if (status !== 'kyc_result_approved' && status !== 'kyc_result_rejected') {
			throw new CheckerError(`session ${id} is ${status}: the checker reviews only after the agent's approval or rejection`);
		}
		freeze(record, nowMs);
		return record;
	}

	/** Media exist once the video call has started (see README). */
	mediaAvailable(id: string, nowMs = Date.now()): boolean {
		const record = this.sessions.get(id);
		return record !== undefined && facts(events(record, nowMs)).callAt !== null;
	}

	/**
	 * The `session_data` object of get_details, or undefined for an unknown id: the reference
	 * shape, or the live one (shapes.ts), with the checker's fields where the account has a
	 * checker step.
	 */
	render(id: string, baseUrl: string, nowMs = Date.now(), view: RenderView = REFERENCE_VIEW): JsonObject | undefined {
		const record = this.sessions.get(id);
		if (!record) return undefined;
		const history = events(record, nowMs);
		const status = currentStatus(history);
		const f = facts(history);
		const media = (field: string): string => {
			const file = MEDIA_FILES.find((m) => m.field === field);
			return f.callAt !== null && file ? `${baseUrl}${mediaPath(file, record.sessionId)}` : '';
		};
		const data = this.renderReference(record, history, status, f, media);
		const audit = view.checkerStep ? auditFields(auditOf(record, nowMs)) : {};
		if (view.shape === 'reference') return { ...data, ...audit };
		return {
			...liveShape(data, {
				sessionType: record.sessionType,
				lastEventAt: history[history.length - 1].at,
				callAt: f.callAt,
				resultAt: f.resultAt,
				location: record.extras.location ?? null,
				media,
			}),
			...audit,
		};
	}

	private renderReference(
		record: SessionRecord,
		history: StatusEvent[],
		status: string,
		f: Facts,
		media: (field: string) => string,
	): JsonObject {
		const agentId = f.agentAt !== null ? 'AGT-SANDBOX-01' : '';
		const videosUploaded = f.result !== null;
		return {
			IS_VIDO_UPLOADED: videosUploaded,
			// Not-yet-reached times are null; reached ones mix strings and numbers like the real API.
			aadhaar_request_time: f.callAt !== null ? epochString(f.callAt) : null,
			aadhaar_url: media('aadhaar_url'),
			aadhaarback_url: media('aadhaarback_url'),
			agent_assignment_time: f.agentAt !== null ? f.agentAt / 1000 : null,
			agent_id: agentId,
			agent_region: f.agentAt !== null ? 'west' : '',
			agent_screen_url: media('agent_screen_url'),
			agent_tl: null,
			agent_video_url: media('agent_video_url'),
			captured_images: f.callAt !== null ? ['selfie', 'pan', 'aadhaar', 'aadhaarback'] : [],
			client_name: 'KwikID Sandbox',
			customer_IP: f.callAt !== null ? '203.0.113.10' : '',
			end_time: FINAL.has(status) ? epochString(history[history.length - 1].at) : null,
			extras: { ...record.extras, session_status: status, session_type: record.sessionType },
			// JSON text, not an object: a documented quirk.
			feedback: f.result ? JSON.stringify({ type: f.result.type, comment: f.result.comment }) : '',
			link_id: record.linkId,
			number_of_videos_uploaded: videosUploaded ? 2 : 0,
			origin: record.origin,
			pan_request_time: f.callAt !== null ? epochString(f.callAt) : null,
			pan_url: media('pan_url'),
			phone_number: record.phoneNumber,
			selfie_request_time: f.callAt !== null ? epochString(f.callAt) : null,
			selfie_url: media('selfie_url'),
			session_id: record.sessionId,
			session_status: status,
			start_time: epochString(record.createdAt),
			summary_data: f.callAt !== null ? summaryData(record, agentId, f.result?.type === 'Reject', media) : {},
			summary_json_url: media('summary_json_url'),
			user_ack: f.agentAt !== null ? 1 : 0,
			user_id: record.userId,
			user_video_url: media('user_video_url'),
			vkyc_start_time: f.callAt !== null ? f.callAt / 1000 : null,
			zip_url: media('zip_url'),
		};
	}
}

/** The `feedback` get_details shows (as an object), or null while there is no result. */
export function resultFeedback(history: StatusEvent[]): { type: string; comment: string } | null {
	return facts(history).result;
}

function statusEvent(status: string, at: number, comment?: string): StatusEvent {
	return comment === undefined ? { status, at } : { status, at, comment };
}

/** The events that have happened by `nowMs`: scripted ones are computed, never stored. */
function events(record: SessionRecord, nowMs: number): StatusEvent[] {
	if (!record.auto) return record.history.map((e) => ({ ...e }));
	const { afterMs, outcome } = record.auto;
	const final = outcome === 'approve' ? 'kyc_result_approved' : 'kyc_result_rejected';
	const script = ['waiting', 'agent_alloted', 'kyc_request_accepted', final];
	// Spread the three transitions evenly: the result lands exactly afterMs after creation.
	return script
		.map((status, i) => ({ status, at: record.createdAt + (afterMs * i) / 3 }))
		.filter((event, i) => i === 0 || event.at <= nowMs);
}

function currentStatus(history: StatusEvent[]): string {
	return history[history.length - 1].status;
}

interface Facts {
	agentAt: number | null;
	callAt: number | null;
	result: { type: string; comment: string } | null;
	resultAt: number | null;
}

/** What the history implies. Unknown statuses count as "after the call started". */
function facts(history: StatusEvent[]): Facts {
	let agentAt: number | null = null;
	let callAt: number | null = null;
	for (const { status, at } of history) {
		if (BEFORE_AGENT.has(status)) continue;
		agentAt ??= at;
		if (!AGENT_WITHOUT_CALL.has(status)) callAt ??= at;
	}
	// The latest result event decides feedback, so a later unknown status keeps it.
	const last = [...history].reverse().find((event) => RESULT_TYPE[event.status] !== undefined);
	const preset = last && RESULT_TYPE[last.status];
	const result = last && preset ? { type: preset.type, comment: last.comment ?? preset.comment } : null;
	return { agentAt, callAt, result, resultAt: last && preset ? last.at : null };
}

function summaryData(
	record: SessionRecord,
	agentId: string,
	rejected: boolean,
	media: (field: string) => string,
): JsonObject {
	const text = (key: string, fallback: string): string => {
		const value = record.extras[key];
		return typeof value === 'string' && value !== '' ? value : fallback;
	};
	const location: JsonValue = record.extras.location ?? null;
	const where: Record<string, unknown> = isRecord(location) ? location : {};
	return {
		agent_id: agentId,
		client_name: 'KwikID Sandbox',
		docs: [
			{
				name: 'Pan Card',
				details: { name: text('applicant_name', 'SANDBOX USER'), pan_number: text('pan_number', 'ABCDE1234F') },
				front_url: media('pan_url'),
			},
			{
				name: 'Aadhaar Card',
				details: { name: text('applicant_name', 'SANDBOX USER'), uid: 'XXXXXXXX0124' },
				facematch_score: { score: rejected ? 41.2 : 92.5, success: !rejected },
				front_url: media('aadhaar_url'),
			},
			{ name: 'Signature Match', validator: { success: false, type: 'isSignatureVerify' } },
		],
		// The null entry is a documented quirk clients must survive.
		overall_summary: [
			{ success: true, title: 'Selfie' },
			{ success: true, title: 'Pan Card' },
			{ success: !rejected, title: 'Aadhaar Card' },
			null,
			{ success: true, title: 'Qna' },
		],
		qna: [
			{ q: 'Please confirm your full name.', a: text('applicant_name', 'Sandbox User') },
			{ q: 'Are you applying for this account yourself?', a: 'Yes' },
		],
		user_info: {
			location: typeof where.address === 'string' ? where.address : 'Andheri East, Mumbai, Maharashtra, India',
			latitude: typeof where.latitude === 'number' ? where.latitude : 19.10817,
			longitude: typeof where.longitude === 'number' ? where.longitude : 72.903107,
			user_id: record.userId,
		},
	};
}

/** Turns scripted progression into explicit state as it stands at nowMs, so control can take over. */
function freeze(record: SessionRecord, nowMs: number): void {
	if (!record.auto) return;
	record.history = events(record, nowMs);
	record.audit = auditOf(record, nowMs);
	delete record.auto;
}

function auditIdOf(record: SessionRecord): string {
	return String(700000 + record.seq);
}

function makerEvent(result: Decision): DecisionEvent {
	return result === 'approve' ? 'Maker Approved' : 'Maker Rejected';
}

function checkerEvent(result: Decision): DecisionEvent {
	return result === 'approve' ? 'Checker Approved' : 'Checker Rejected';
}

/** The decision event a status change makes, if any. */
export function statusDecisionEvent(status: string): DecisionEvent | null {
	if (status === 'kyc_result_approved') return 'Maker Approved';
	if (status === 'kyc_result_rejected') return 'Maker Rejected';
	return null;
}

export function checkerDecisionEvent(result: Decision): DecisionEvent {
	return checkerEvent(result);
}

/** The checker's review by nowMs: explicit, or computed from the script like the statuses. */
function auditOf(record: SessionRecord, nowMs: number): AuditState | null {
	const auto = record.auto;
	if (!auto) return record.audit ? structuredClone(record.audit) : null;
	if (!auto.checker) return null;
	const agentAt = record.createdAt + auto.afterMs;
	const after = auto.checkerAfterMs ?? auto.afterMs;
	const startedAt = agentAt + after / 2;
	if (nowMs < startedAt) return null;
	const decidedAt = agentAt + after;
	return {
		startedAt,
		auditId: auditIdOf(record),
		decision:
			nowMs >= decidedAt
				? { at: decidedAt, result: auto.checker, reason: auto.checker === 'approve' ? '' : DEFAULT_CHECKER_REASON }
				: null,
	};
}

/** What live installs send for the checker; "" and false before a checker starts. */
export function auditFields(audit: AuditState | null): JsonObject {
	const decision = audit?.decision ?? null;
	const rejected = decision?.result === 'reject';
	return {
		audit_id: audit ? audit.auditId : '',
		audit_init_time: audit ? epochString(audit.startedAt) : '',
		audit_end_time: decision ? epochString(decision.at) : '',
		// Held while the auditor works on it, released with the decision.
		audit_lock: audit !== null && decision === null,
		audit_result: decision ? (rejected ? '2' : '1') : '',
		auditor_fdbk_code: rejected ? CHECKER_REJECT_CODE : '',
		auditor_feedback: decision
			? rejected
				? `Redo/Reopen - ${decision.reason} (#${CHECKER_REJECT_CODE}) ... REJECT`
				: 'Approved'
			: '',
		auditor_name: audit ? AUDITOR_NAME : '',
	};
}

function snapshot(record: SessionRecord, nowMs: number): SessionSnapshot {
	const history = events(record, nowMs);
	return {
		session_id: record.sessionId,
		link_id: record.linkId,
		user_id: record.userId,
		phone_number: record.phoneNumber,
		session_type: record.sessionType,
		origin: record.origin,
		extras: structuredClone(record.extras),
		link_type: record.linkType,
		validity_duration: record.validitySec,
		created_at: record.createdAt,
		status: currentStatus(history),
		history,
		audit: auditOf(record, nowMs),
	};
}
