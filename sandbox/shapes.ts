/**
 * The live shape of get_details' `session_data`: what public notes about one bank-hosted KwikID
 * install read from its live API (API-NOTES, "What a live install answers"), built from the
 * reference rendering so both shapes always tell the same story about a session.
 *
 * Numbers arrive as strings, lists and objects as JSON text, times as epoch-second strings with
 * fractions ("" when not reached), `session_type` at the top level, `feedback` with
 * `feedbackComment`, fields the reference does not list, and three more media links served from
 * the install's own host under /v1/download_content/.
 */
import type { JsonObject, JsonValue } from './http';

export interface LiveFacts {
	sessionType: string;
	/** Epoch milliseconds of the latest status change. */
	lastEventAt: number;
	callAt: number | null;
	resultAt: number | null;
	/** `extras.location` as the caller gave it, if any. */
	location: JsonValue;
	/** The URL of a media field, "" before the call. */
	media: (field: string) => string;
}

/** Time fields of the reference rendering: null (not reached), a number or a string of seconds. */
const TIME_FIELDS = [
	'aadhaar_request_time',
	'agent_assignment_time',
	'end_time',
	'pan_request_time',
	'selfie_request_time',
	'start_time',
	'vkyc_start_time',
] as const;

/** Python's str(time.time()) look, as in sessions.ts (kept here so this file imports no store). */
function seconds(ms: number): string {
	const text = String(ms / 1000);
	return text.includes('.') ? text : `${text}.0`;
}

function liveTime(value: JsonValue | undefined): string {
	if (value === null || value === undefined || value === '') return '';
	if (typeof value === 'number') return seconds(value * 1000);
	return String(value);
}

function liveFeedback(value: JsonValue | undefined): string {
	if (typeof value !== 'string' || value === '') return '';
	const parsed = JSON.parse(value) as { type?: string; comment?: string };
	return JSON.stringify({ type: parsed.type, comment: parsed.comment, feedbackComment: parsed.comment });
}

function defaultLocation(): JsonObject {
	return { address: 'Andheri East, Mumbai, Maharashtra, India', latitude: 19.10817, longitude: 72.903107 };
}

export function liveShape(reference: JsonObject, facts: LiveFacts): JsonObject {
	const data: JsonObject = { ...reference };
	for (const field of TIME_FIELDS) data[field] = liveTime(reference[field]);
	data.captured_images = JSON.stringify(reference.captured_images ?? []);
	data.extras = JSON.stringify(reference.extras ?? {});
	data.feedback = liveFeedback(reference.feedback);
	data.number_of_videos_uploaded = String(reference.number_of_videos_uploaded ?? 0);
	data.user_ack = String(reference.user_ack ?? 0);
	const called = facts.callAt !== null;
	const decided = facts.resultAt !== null;
	Object.assign(data, {
		session_type: facts.sessionType,
		init_time: data.start_time,
		last_active_timestamp: seconds(facts.lastEventAt),
		lang: 'en',
		productCode: 'VKYC_SANDBOX',
		queue_id: called ? 'Q-SANDBOX-1' : '',
		queue_position_at_init: called ? '6' : '',
		stage: decided ? 'completed' : called ? 'in_call' : 'pre_call',
		stage_data: JSON.stringify(called ? { selfie: 'done', pan: 'done', aadhaar: 'done' } : {}),
		location: JSON.stringify(called ? (facts.location ?? defaultLocation()) : {}),
		video_duration: decided && facts.callAt !== null && facts.resultAt !== null ? String((facts.resultAt - facts.callAt) / 1000) : '',
		summary_pdf_url: facts.media('summary_pdf_url'),
		aadhaar_xml: facts.media('aadhaar_xml'),
		aadhaarpdf_url: facts.media('aadhaarpdf_url'),
	});
	return data;
}
