/**
 * Get Session through n8n-core against answers in the shapes live KwikID installs send
 * (API-NOTES, "What a live install answers"), served by the recording proxy in place of the
 * sandbox: the checker's review beside the agent's status, numbers and lists as text, epoch
 * text for times, media the reference does not list; then a table of hostile shapes, none of
 * which may crash the node or turn into an approval.
 */
import type { IDataObject } from 'n8n-workflow';

import { hostile, hostileSession, liveSession, SESSION } from '../support/liveAnswers';
import { GET_DETAILS_PATH, getSessionWorkflow, KWIKID, useSessionEnv } from './helpers';

const env = useSessionEnv();

function answer(sessionData: unknown, status = 200): void {
	env.canned.push({ path: GET_DETAILS_PATH, status, body: { session_data: sessionData, status: '200' } });
}

async function getSession(parameters: IDataObject = {}): Promise<IDataObject> {
	const run = await env.harness.run(getSessionWorkflow({ sessionId: SESSION, ...parameters }));
	expect(run.error).toBeUndefined();
	const output = run.output(KWIKID);
	expect(output).toHaveLength(1);
	return output[0].json;
}

describe('Get Session: what a live install answers', () => {
	it('an agent approval the checker rejected reads rejected, decided by the checker, with the raw review', async () => {
		answer(liveSession(env.url));

		const json = await getSession();

		expect(json).toMatchObject({
			status: 'kyc_result_approved',
			outcome: 'rejected',
			decided_by: 'checker',
			is_final: true,
			review: {
				maker: 'approved',
				checker: 'rejected',
				checker_result: '2',
				checker_comment: 'Redo/Reopen - Audio not available (#A1) ... REJECT',
				checker_code: 'A1',
				checker_name: 'Meera',
				checked_at: new Date(1781843100750).toISOString(),
			},
		});
	});

	it('the same session before the checker has looked is pending, not final, not approved', async () => {
		answer(liveSession(env.url, { audit_id: '', audit_result: '', audit_init_time: '', audit_end_time: '', auditor_name: '', auditor_feedback: '', auditor_fdbk_code: '' }));

		const json = await getSession();

		expect(json).toMatchObject({ status: 'kyc_result_approved', outcome: 'pending', decided_by: null, is_final: false, review: { checker: 'awaiting' } });
	});

	it('reads numbers, lists, objects and times sent as text; session_type at the top level; feedbackComment kept', async () => {
		answer(liveSession(env.url));

		const json = await getSession();

		expect(json).toMatchObject({
			session_type: 'VKYC',
			started_at: new Date(1781840000100).toISOString(),
			agent_assigned_at: new Date(1781840010250).toISOString(),
			vkyc_started_at: new Date(1781840019436.8567).toISOString(),
			ended_at: new Date(1781840319500).toISOString(),
			video_duration: 300,
			captured_images: ['selfie', 'pan'],
			location: { address: 'Pune, MH', latitude: 19.1, longitude: 73.2 },
			extras: { session_type: 'VKYC', loan_ref: 'LN-7' },
			feedback: { type: 'Approve', comment: '', feedbackComment: 'all documents clear' },
			overall_summary: [{ title: 'Pan Card', success: true }],
		});
	});

	it('lists every media link of the answer, the new ones included, and no empty ones', async () => {
		answer(liveSession(env.url));

		const json = await getSession();

		expect(json.media).toEqual({
			selfie_url: `${env.url}/v1/download_content/${SESSION}/selfie.png`,
			summary_pdf_url: `${env.url}/v1/download_content/${SESSION}/summary.pdf`,
			aadhaar_xml: `${env.url}/v1/download_content/${SESSION}/aadhaar.xml`,
			aadhaarpdf_url: `${env.url}/v1/download_content/${SESSION}/aadhaar.pdf`,
		});
	});

	it('Download Media fetches the summary PDF with the auth header, from the install\'s own host', async () => {
		answer(liveSession(env.url));
		env.canned.push({
			path: `/v1/download_content/${SESSION}/summary.pdf`,
			status: 200,
			body: '%PDF-1.4 summary',
			headers: { 'Content-Type': 'application/pdf' },
		});

		const run = await env.harness.run(getSessionWorkflow({ sessionId: SESSION, options: { downloadMedia: ['summaryPdf'] } }));

		expect(run.error).toBeUndefined();
		const [item] = run.output(KWIKID);
		expect(item.binary?.summaryPdf?.mimeType).toBe('application/pdf');
		const download = env.requests.find((request) => request.path.endsWith('/summary.pdf'));
		expect(download?.headers.auth).toBe(env.token());
	});

	it('Simplify off keeps KwikID\'s fields as sent', async () => {
		answer(liveSession(env.url));

		const json = await getSession({ simplify: false });

		expect(json).toMatchObject({
			session_status: 'kyc_result_approved',
			audit_result: '2',
			captured_images: '["selfie", "pan"]',
			location: '{"address": "Pune, MH", "latitude": "19.1", "longitude": 73.2}',
			vkyc_start_time: '1781840019.4368567',
			number_of_videos_uploaded: '3',
			productCode: 'PL',
		});
	});

	it('Checker Review "Always Wait for the Checker": an agent approval on an account without audit fields is pending', async () => {
		answer({ session_id: SESSION, session_status: 'kyc_result_approved' });
		const auto = await getSession();
		answer({ session_id: SESSION, session_status: 'kyc_result_approved' });
		const required = await getSession({ options: { checkerReview: 'required' } });

		expect([auto.outcome, auto.decided_by]).toEqual(['approved', 'agent']);
		expect([required.outcome, required.is_final]).toEqual(['pending', false]);
	});
});

describe('Get Session: hostile shapes never crash and never approve', () => {
	it.each(hostile)('%s', async (_name, overrides, outcome) => {
		answer(hostileSession(env.url, overrides));

		const json = await getSession();

		expect(json.outcome).toBe(outcome);
		expect(Array.isArray(json.captured_images)).toBe(true);
		expect(typeof json.media).toBe('object');
		for (const link of Object.values(json.media as IDataObject)) expect(String(link)).toMatch(/^https?:\/\//);
	});

	it('a session_data that is not an object is an error naming the problem, not a crash', async () => {
		for (const sessionData of ['{"session_status":"kyc_result_approved"}', ['kyc_result_approved'], null]) {
			answer(sessionData);
			const run = await env.harness.run(getSessionWorkflow({ sessionId: SESSION }));
			expect(run.error?.message).toMatch(/without session data/);
		}
	});
});
