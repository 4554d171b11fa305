/**
 * get_details answers in the shapes live KwikID installs send (API-NOTES, "What a live install
 * answers"), and hostile variants of them, shared by the Get Session and trigger tests.
 */
import type { IDataObject } from 'n8n-workflow';

export const SESSION = '8b19b5c9-36de-47a2-9cb8-1025f36da034';

/** The checker fields as a live install sends them before anyone has audited the session. */
export const NOT_AUDITED: IDataObject = {
	audit_id: '',
	audit_result: '',
	audit_lock: false,
	audit_init_time: '',
	audit_end_time: '',
	auditor_name: '',
	auditor_feedback: '',
	auditor_fdbk_code: '',
};
export const IN_REVIEW: IDataObject = { ...NOT_AUDITED, audit_id: 'AUD-7', audit_lock: true, audit_init_time: '1781840019.4368567', auditor_name: 'Meera' };
export const CHECKER_APPROVED: IDataObject = {
	...IN_REVIEW,
	audit_lock: false,
	audit_result: '1',
	audit_end_time: '1781840119.12',
	auditor_feedback: 'Approved',
};
export const CHECKER_REJECTED: IDataObject = {
	...IN_REVIEW,
	audit_lock: false,
	audit_result: '2',
	audit_end_time: '1781840119.12',
	auditor_feedback: 'Redo/Reopen - Audio not available (#A1) ... REJECT',
	auditor_fdbk_code: 'A1',
};


/** A get_details answer of a live install: the agent approved, then the auditor rejected. */
export function liveSession(host: string, overrides: IDataObject = {}): IDataObject {
	return {
		session_id: SESSION,
		user_id: 'LEAD-42',
		link_id: 'lnk-42',
		session_status: 'kyc_result_approved',
		session_type: 'VKYC',
		status: '1',
		agent_id: 'AGT-9',
		agent_region: 'west',
		init_time: '1781840000.1',
		start_time: '',
		agent_assignment_time: '1781840010.25',
		vkyc_start_time: '1781840019.4368567',
		end_time: '1781840319.5',
		video_duration: '300',
		number_of_videos_uploaded: '3',
		queue_position_at_init: '6',
		captured_images: '["selfie", "pan"]',
		extras: '{"session_type": "VKYC", "loan_ref": "LN-7"}',
		stage_data: '{"stage": "audit"}',
		location: '{"address": "Pune, MH", "latitude": "19.1", "longitude": 73.2}',
		feedback: '{"type": "Approve", "comment": "", "feedbackComment": "all documents clear"}',
		productCode: 'PL',
		lang: 'en',
		queue_id: 'Q1',
		stage: 'completed',
		audit_id: 'AUD-7',
		audit_result: '2',
		audit_lock: false,
		audit_init_time: '1781843000.5',
		audit_end_time: '1781843100.75',
		auditor_name: 'Meera',
		auditor_feedback: 'Redo/Reopen - Audio not available (#A1) ... REJECT',
		auditor_fdbk_code: 'A1',
		selfie_url: `${host}/v1/download_content/${SESSION}/selfie.png`,
		summary_pdf_url: `${host}/v1/download_content/${SESSION}/summary.pdf`,
		aadhaar_xml: `${host}/v1/download_content/${SESSION}/aadhaar.xml`,
		aadhaarpdf_url: `${host}/v1/download_content/${SESSION}/aadhaar.pdf`,
		zip_url: '',
		summary_data: { overall_summary: [null, { title: 'Pan Card', success: true }], docs: [{ name: 'Pan Card' }] },
		...overrides,
	};
}

/** Hostile shapes: each replaces or adds fields of a live answer. None may crash or approve wrongly. */
export const hostile: Array<[string, IDataObject, string]> = [
	['numbers for strings', { session_id: 12345, user_id: 42, session_type: 7, agent_id: 9 }, 'rejected'],
	['strings for numbers', { video_duration: 'five minutes', vkyc_start_time: 'yesterday' }, 'rejected'],
	['JSON text that does not parse', { captured_images: '["selfie",', extras: '{"a":', location: '{not json}', feedback: '{"type":' }, 'rejected'],
	['arrays for objects', { extras: ['a'], location: [1, 2], summary_data: [], feedback: ['x'] }, 'rejected'],
	['objects for strings (audit_result still says rejected)', { session_status: { value: 'kyc_result_approved' }, auditor_feedback: { text: 'REJECT' } }, 'rejected'],
	['objects for strings, no checker verdict', { session_status: { value: 'kyc_result_approved' }, audit_result: { v: '1' }, auditor_feedback: { text: 'Approved' } }, 'pending'],
	['missing summary_data', { summary_data: undefined }, 'rejected'],
	['summary_data as JSON text', { summary_data: '{"overall_summary":[{"title":"Pan Card","success":true}],"docs":[]}' }, 'rejected'],
	['null everywhere', Object.fromEntries(Object.keys(liveSession('')).map((key) => [key, null])), 'pending'],
	['empty strings everywhere', Object.fromEntries(Object.keys(liveSession('')).map((key) => [key, ''])), 'pending'],
	['media that are not links', { selfie_url: 'javascript:alert(1)', aadhaar_xml: '<xml>123412341234</xml>', summary_pdf_url: 42 }, 'rejected'],
	['times far out of range', { vkyc_start_time: '1e400', end_time: -5, audit_end_time: 'NaN' }, 'rejected'],
	['audit_lock as text, result undocumented', { audit_lock: 'yes', audit_result: 'x', auditor_feedback: '' }, 'pending'],
	['prototype keys', JSON.parse('{"__proto__": {"outcome": "approved"}, "constructor": "x"}') as IDataObject, 'rejected'],
];


/** A live answer with a hostile row's fields applied (undefined removes the field). */
export function hostileSession(host: string, overrides: IDataObject): IDataObject {
	const data = liveSession(host, overrides);
	for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete data[key];
	return data;
}
