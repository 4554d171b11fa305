/**
 * A session as KwikID describes it (statuses, ids) and the shaping of get_details' quirky answer
 * into something a workflow can use. The request itself is transport/sessionDetails.ts.
 */
import type { IDataObject } from 'n8n-workflow';

import { jsonField, numberOf, objectField, text, toIsoTime } from './answer';
import { isPlainObject } from './objects';
import type { CheckerReview } from './review';
import { readReview } from './review';

export { toIsoTime } from './answer';

/** Statuses after which KwikID changes nothing more (API-NOTES); the checker may still review. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set([
	'kyc_result_approved',
	'kyc_result_rejected',
	'kyc_rejected',
	'session_expired',
	'user_abandoned',
]);

/** The documented statuses, and those live installs send, for dropdowns; unknown statuses still pass through everywhere. */
export const SESSION_STATUSES: ReadonlyArray<{ name: string; value: string; description: string }> = [
	{ name: 'Waiting', value: 'waiting', description: 'Link is sent' },
	{ name: 'Agent Alloted', value: 'agent_alloted', description: 'User opened the link for a preassigned call' },
	{ name: 'KYC Request Accepted', value: 'kyc_request_accepted', description: 'Agent accepted the call' },
	{ name: 'KYC Request Rejected', value: 'kyc_request_rejected', description: 'Agent rejected the call' },
	{ name: 'KYC Result Approved', value: 'kyc_result_approved', description: 'Agent approved the session; the checker may still reject it (see Outcomes)' },
	{ name: 'KYC Result Partial Update', value: 'kyc_result_partial_update', description: 'Session partly processed (not final)' },
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

/**
 * The media files the node can download into binary properties (Download Media). The simplified
 * output lists every media link the answer has (mediaLinks), these and any others.
 */
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
	{ field: 'summary_pdf_url', property: 'summaryPdf', name: 'Summary PDF' },
	{ field: 'aadhaar_xml', property: 'aadhaarXml', name: 'Aadhaar XML' },
	{ field: 'aadhaarpdf_url', property: 'aadhaarPdf', name: 'Aadhaar PDF (Redacted)' },
];

/** Links in an answer that are not files of the session (the customer's own KYC link and the like). */
const NOT_MEDIA = new Set(['link_url', 'redirect_url', 'callback_url', 'return_url', 'webhook_url']);
const MEDIA_KEY = /_url$|^aadhaar_xml$/;

/**
 * Every media link of the answer, by field name: the known ones and any other `*_url` KwikID adds.
 * Only http(s) links count: a field that holds the file itself (an Aadhaar XML document, say)
 * is not a link and is left to the full output.
 */
export function mediaLinks(data: IDataObject): IDataObject {
	const media: IDataObject = {};
	for (const [field, value] of Object.entries(data)) {
		if (!MEDIA_KEY.test(field) || NOT_MEDIA.has(field) || typeof value !== 'string') continue;
		const link = value.trim();
		if (/^https?:\/\/[^\s]+$/i.test(link)) media[field] = link;
	}
	return media;
}

/**
 * A compact record: ids, status, the agent's and the checker's decision (review.ts), agent,
 * times, feedback, document results, media. Every field is read defensively: KwikID's live
 * installs send numbers as text, lists and objects as JSON text and times as epoch text.
 */
export function simplifySession(raw: IDataObject, checkerReview: CheckerReview = 'auto'): IDataObject {
	const data = normaliseSession(raw);
	const summary = objectField(data.summary_data) ?? {};
	const extras = objectField(data.extras) ?? {};
	const overall = Array.isArray(summary.overall_summary) ? summary.overall_summary.filter(isPlainObject) : [];
	const docs = Array.isArray(summary.docs) ? summary.docs : [];
	const results = new Map<string, boolean>();
	for (const entry of overall) {
		if (typeof entry.title === 'string') results.set(entry.title, entry.success === true);
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
	const { outcome, decided_by, is_final, review } = readReview(data, checkerReview);
	const capturedImages = jsonField(data.captured_images);
	const location = objectField(data.location);
	return {
		session_id: text(data.session_id),
		user_id: text(data.user_id),
		link_id: text(data.link_id),
		session_type: text(data.session_type) ?? text(extras.session_type),
		status: text(data.session_status),
		outcome,
		decided_by,
		is_final,
		review,
		// Before an agent takes the call KwikID sends "" here; null says "not yet" like the times do.
		agent_id: text(data.agent_id),
		agent_region: text(data.agent_region),
		started_at: toIsoTime(data.start_time) ?? toIsoTime(data.init_time),
		agent_assigned_at: toIsoTime(data.agent_assignment_time),
		vkyc_started_at: toIsoTime(data.vkyc_start_time),
		ended_at: toIsoTime(data.end_time),
		video_duration: numberOf(data.video_duration),
		feedback: isPlainObject(data.feedback) ? data.feedback : null,
		captured_images: Array.isArray(capturedImages) ? capturedImages : [],
		location: location
			? { address: text(location.address), latitude: numberOf(location.latitude), longitude: numberOf(location.longitude) }
			: null,
		extras,
		overall_summary: overall,
		documents,
		media: mediaLinks(data),
	};
}
