/**
 * A session as KwikID describes it (statuses, ids) and the shaping of get_details' quirky answer
 * into something a workflow can use. The request itself is transport/sessionDetails.ts.
 */
import type { IDataObject } from 'n8n-workflow';

import { isPlainObject } from './objects';

/** Statuses after which KwikID changes nothing more (API-NOTES). */
export const FINAL_STATUSES: ReadonlySet<string> = new Set([
	'kyc_result_approved',
	'kyc_result_rejected',
	'kyc_rejected',
	'session_expired',
	'user_abandoned',
]);

/** The documented statuses, for dropdowns; unknown statuses still pass through everywhere. */
export const SESSION_STATUSES: ReadonlyArray<{ name: string; value: string; description: string }> = [
	{ name: 'Waiting', value: 'waiting', description: 'Link is sent' },
	{ name: 'Agent Alloted', value: 'agent_alloted', description: 'User opened the link for a preassigned call' },
	{ name: 'KYC Request Accepted', value: 'kyc_request_accepted', description: 'Agent accepted the call' },
	{ name: 'KYC Request Rejected', value: 'kyc_request_rejected', description: 'Agent rejected the call' },
	{ name: 'KYC Result Approved', value: 'kyc_result_approved', description: 'Agent approved the session (final)' },
	{ name: 'KYC Result Rejected', value: 'kyc_result_rejected', description: 'KYC result rejected, or auto-rejected after expiry (final)' },
	{ name: 'KYC Rejected', value: 'kyc_rejected', description: 'An older link was replaced by a new one (final)' },
	{ name: 'Session Expired', value: 'session_expired', description: 'Scheduled call cancelled or link expired (final)' },
	{ name: 'User Abandoned', value: 'user_abandoned', description: 'User disconnected for too long (final)' },
	{ name: 'VKYC Requested', value: 'vkyc_requested', description: 'User scheduled a call' },
];

export function isFinalStatus(status: unknown): boolean {
	return typeof status === 'string' && FINAL_STATUSES.has(status);
}

/** Session ids go into the URL path: anything but a plausible id is refused before a request. */
const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function isPlausibleSessionId(value: string): boolean {
	return SESSION_ID.test(value);
}

/** `feedback` arrives as JSON text (or empty): parse it, keep unparsable text as a comment. */
export function parseFeedback(value: unknown): IDataObject | null {
	if (isPlainObject(value)) return value;
	if (typeof value !== 'string' || value.trim() === '') return null;
	try {
		const parsed: unknown = JSON.parse(value);
		return isPlainObject(parsed) ? parsed : { comment: String(parsed) };
	} catch {
		return { comment: value };
	}
}

/**
 * The session as the node outputs it: as the API sent it, except `feedback` parsed into an
 * object and `null` entries removed from the summary lists. The status is never touched.
 */
export function normaliseSession(data: IDataObject): IDataObject {
	const out: IDataObject = { ...data, feedback: parseFeedback(data.feedback) };
	const summary = data.summary_data;
	if (isPlainObject(summary)) {
		const cleaned: IDataObject = { ...summary };
		for (const key of ['overall_summary', 'docs', 'qna']) {
			const list = summary[key];
			if (Array.isArray(list)) cleaned[key] = list.filter((entry) => entry !== null);
		}
		out.summary_data = cleaned;
	}
	return out;
}

/** Epoch seconds or milliseconds, as number or string, to ISO; anything else as it came. */
export function toIsoTime(value: unknown): string | null {
	if (value === null || value === undefined || value === '') return null;
	const number = typeof value === 'number' ? value : Number(value);
	if (Number.isFinite(number) && number > 0) {
		const ms = number < 1e12 ? number * 1000 : number;
		return new Date(ms).toISOString();
	}
	if (typeof value === 'string') {
		const parsed = Date.parse(value);
		return Number.isNaN(parsed) ? value : new Date(parsed).toISOString();
	}
	return null;
}

/** Media fields of a session and the binary property each one is downloaded into. */
export const MEDIA_FIELDS: ReadonlyArray<{ field: string; property: string; name: string }> = [
	{ field: 'selfie_url', property: 'selfie', name: 'Selfie' },
	{ field: 'pan_url', property: 'pan', name: 'PAN Image' },
	{ field: 'aadhaar_url', property: 'aadhaar', name: 'Aadhaar Front' },
	{ field: 'aadhaarback_url', property: 'aadhaarBack', name: 'Aadhaar Back' },
	{ field: 'user_video_url', property: 'userVideo', name: 'User Video' },
	{ field: 'agent_video_url', property: 'agentVideo', name: 'Agent Video' },
	{ field: 'agent_screen_url', property: 'agentScreen', name: 'Agent Screen Recording' },
	{ field: 'zip_url', property: 'zip', name: 'All Media (ZIP)' },
	{ field: 'summary_json_url', property: 'summaryJson', name: 'Summary JSON' },
];

function text(value: unknown): string | null {
	return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null;
}

/** A compact record: ids, status, finality, agent, times, feedback, document results, media. */
export function simplifySession(raw: IDataObject): IDataObject {
	const data = normaliseSession(raw);
	const summary = isPlainObject(data.summary_data) ? data.summary_data : {};
	const extras = isPlainObject(data.extras) ? data.extras : {};
	const overall = Array.isArray(summary.overall_summary) ? summary.overall_summary : [];
	const docs = Array.isArray(summary.docs) ? summary.docs : [];
	const results = new Map<string, boolean>();
	for (const entry of overall) {
		if (isPlainObject(entry) && typeof entry.title === 'string') results.set(entry.title, entry.success === true);
	}
	const documents: IDataObject[] = [];
	for (const doc of docs) {
		if (!isPlainObject(doc)) continue;
		const name = text(doc.name) ?? 'Document';
		const validator = isPlainObject(doc.validator) ? doc.validator : undefined;
		const entry: IDataObject = { name };
		if (results.has(name)) entry.success = results.get(name);
		else if (validator && typeof validator.success === 'boolean') entry.success = validator.success;
		if (doc.facematch_score !== undefined) entry.facematch_score = doc.facematch_score;
		documents.push(entry);
	}
	const media: IDataObject = {};
	for (const { field } of MEDIA_FIELDS) {
		const url = text(data[field]);
		if (url) media[field] = url;
	}
	const status = data.session_status;
	return {
		session_id: data.session_id ?? null,
		user_id: data.user_id ?? null,
		link_id: text(data.link_id),
		session_type: extras.session_type ?? null,
		status: status ?? null,
		is_final: isFinalStatus(status),
		// Before an agent takes the call KwikID sends "" here; null says "not yet" like the times do.
		agent_id: text(data.agent_id),
		agent_region: text(data.agent_region),
		started_at: toIsoTime(data.start_time),
		agent_assigned_at: toIsoTime(data.agent_assignment_time),
		vkyc_started_at: toIsoTime(data.vkyc_start_time),
		ended_at: toIsoTime(data.end_time),
		feedback: data.feedback ?? null,
		overall_summary: overall,
		documents,
		media,
	};
}
