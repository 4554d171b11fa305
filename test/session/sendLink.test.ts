/**
 * Send Link through n8n-core against the sandbox: the body the node sends (seen through the
 * recording proxy), what the workflow gets back, and the session KwikID then holds.
 */
import { extras, KWIKID, pinned, sendLinkWorkflow, useSessionEnv } from './helpers';

const env = useSessionEnv();

describe('Send Link: success', () => {
	it('sends the documented body, with the phone number normalised and the notification flag as 1', async () => {
		const run = await env.harness.run(
			sendLinkWorkflow({ userId: 'LEAD-10293', phoneNumber: '+91 98765-43210', sendNotification: true, linkType: 'free' }),
		);

		expect(run.error).toBeUndefined();
		expect(env.sendLinkBodies()).toEqual([
			{ user_id: 'LEAD-10293', phone_number: '9876543210', send_notification: 1, link_type: 'free' },
		]);
		const [request] = env.requests.filter((r) => r.path.includes('sendLink'));
		expect(request.method).toBe('POST');
		expect(request.headers.auth).toMatch(/^eyJ/);
	});

	it('sends send_notification 0 when Send Notification is off', async () => {
		const run = await env.harness.run(
			sendLinkWorkflow({ userId: 'LEAD-1', phoneNumber: '9876543210', sendNotification: false, linkType: 'scheduled' }),
		);

		expect(run.error).toBeUndefined();
		expect(env.sendLinkBodies()).toEqual([
			{ user_id: 'LEAD-1', phone_number: '9876543210', send_notification: 0, link_type: 'scheduled' },
		]);
	});

	it('sends session type, origin, link expiry, last KYC date and custom extras, and the session holds them', async () => {
		const run = await env.harness.run(
			sendLinkWorkflow({
				userId: 'LOAN-77',
				phoneNumber: '09876543210',
				extras: extras([
					['applicant_name', 'Asha Rao'],
					['loan_amt', '250000'],
				]),
				options: {
					sessionType: ' RE_KYC ',
					origin: 'CRM',
					linkExpiresIn: 3600,
					lastKycDate: '2023-08-04T13:16:30.000Z',
				},
			}),
		);

		expect(run.error).toBeUndefined();
		const [body] = env.sendLinkBodies();
		expect(body).toEqual({
			user_id: 'LOAN-77',
			phone_number: '9876543210',
			send_notification: 1,
			link_type: 'free',
			session_type: 'RE_KYC',
			origin: 'CRM',
			// Documented as strings: seconds, and epoch seconds.
			extras: { applicant_name: 'Asha Rao', loan_amt: '250000', link_expires_in: '3600', last_kyc_date: '1691154990' },
		});

		const [item] = run.output(KWIKID);
		const session = env.sandbox.getSession(String(item.json.session_id));
		expect(session).toMatchObject({
			user_id: 'LOAN-77',
			phone_number: '9876543210',
			session_type: 'RE_KYC',
			origin: 'CRM',
			link_type: 'free',
			validity_duration: 3600,
			status: 'waiting',
			extras: { applicant_name: 'Asha Rao', loan_amt: '250000', link_expires_in: '3600', last_kyc_date: '1691154990' },
		});
		expect(item.json.validity_duration).toBe(3600);
	});

	it('outputs the API fields, a working link, the link as sent and the expiry as an ISO time', async () => {
		const before = Date.now();
		const run = await env.harness.run(sendLinkWorkflow({ userId: 'LEAD-2', phoneNumber: '9876543210' }));

		expect(run.error).toBeUndefined();
		const output = run.output(KWIKID);
		expect(output).toHaveLength(1);
		const json = output[0].json;
		expect(json).toMatchObject({
			user_id: 'LEAD-2',
			phone_number: '9876543210',
			validity_duration: 900,
			link_id: expect.stringMatching(/^[A-Za-z0-9]{12}$/),
			session_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
			link_expiry_time: expect.stringMatching(/^\d+\.\d+$/),
		});
		const linkId = String(json.link_id);
		expect(json.link_url_raw).toBe(`${env.url}/user/%3Fl%3D${linkId}%26d%3D1%26s%3D0`);
		expect(json.link_url).toBe(`${env.url}/user/?l=${linkId}&d=1&s=0`);
		expect(String(json.link_url)).not.toMatch(/%3F/i);
		// The link a customer opens: a query string a browser understands.
		expect(new URL(String(json.link_url)).searchParams.get('l')).toBe(linkId);

		const expiresAt = Date.parse(String(json.link_expires_at));
		expect(String(json.link_expires_at)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
		expect(expiresAt).toBe(Math.floor(Number(json.link_expiry_time) * 1000));
		expect(expiresAt - before).toBeGreaterThanOrEqual(899_000);
		expect(expiresAt - before).toBeLessThan(905_000);
		expect(env.sandbox.getSession(String(json.session_id))?.user_id).toBe('LEAD-2');
	});

	it('sends a numeric User ID from an expression as a string', async () => {
		const run = await env.harness.run(sendLinkWorkflow({ userId: '={{ 4711 }}', phoneNumber: '9876543210' }));

		expect(run.error).toBeUndefined();
		expect(env.sendLinkBodies()[0].user_id).toBe('4711');
	});

	it('leaves out extras, session type and origin when they are not set', async () => {
		const run = await env.harness.run(
			sendLinkWorkflow({ userId: 'LEAD-3', phoneNumber: '9876543210', options: { sessionType: '  ', origin: '' } }),
		);

		expect(run.error).toBeUndefined();
		expect(Object.keys(env.sendLinkBodies()[0]).sort()).toEqual(['link_type', 'phone_number', 'send_notification', 'user_id']);
	});

	// n8n does not coerce an expression's result: Send Notification mapped from a sheet or form
	// column holding the text "false" must still mean false, or KwikID texts the customer anyway.
	it('sends send_notification 0 when an expression gives the text "false"', async () => {
		const run = await env.harness.run(
			sendLinkWorkflow({ userId: 'LEAD-N', phoneNumber: '9876543210', sendNotification: '={{ $json.notify }}' }),
			{ pinData: pinned([{ notify: 'false' }]) },
		);

		expect(run.error).toBeUndefined();
		expect(env.sendLinkBodies()[0].send_notification).toBe(0);
	});

	it('sends send_notification from an expression giving a boolean or 0/1', async () => {
		const run = await env.harness.run(
			sendLinkWorkflow({ userId: 'LEAD-N', phoneNumber: '9876543210', sendNotification: '={{ $json.notify }}' }),
			{ pinData: pinned([{ notify: false }, { notify: true }, { notify: 0 }, { notify: 1 }]) },
		);

		expect(run.error).toBeUndefined();
		expect(env.sendLinkBodies().map((body) => body.send_notification)).toEqual([0, 1, 0, 1]);
	});

	// The date picker saves a local time without an offset ("2023-08-04T00:00:00"), meant in the
	// workflow's time zone (this.getTimezone()), not the server's (UTC here): a workflow set to
	// Asia/Kolkata must not send a time 5.5 hours off.
	it('reads a date-picker value in the workflow time zone', async () => {
		const workflow = sendLinkWorkflow({
			userId: 'LEAD-TZ',
			phoneNumber: '9876543210',
			options: { lastKycDate: '2023-08-04T00:00:00' },
		});
		workflow.settings = { executionOrder: 'v1', timezone: 'Asia/Kolkata' };

		const run = await env.harness.run(workflow);

		expect(run.error).toBeUndefined();
		// 2023-08-04T00:00:00+05:30
		expect(env.sendLinkBodies()[0].extras).toEqual({ last_kyc_date: String(Date.UTC(2023, 7, 3, 18, 30) / 1000) });
	});
});
