/**
 * Send Link refuses what KwikID would refuse (or silently misread) before anything is sent:
 * each message names the field, a phone number is never echoed in full, and the sandbox sees
 * no sendLink request at all.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { extras, pinned, readable, sendLinkWorkflow, stopError, useSessionEnv } from './helpers';

const env = useSessionEnv();

const valid: INodeParameters = { userId: 'LEAD-1', phoneNumber: '9876543210', linkType: 'free' };

/**
 * Runs Send Link and expects it to stop before sending. Values that vary per customer come from
 * the input item through an expression, as in a real workflow: a literal empty required field
 * never reaches the node (n8n itself refuses to start the workflow), and a literal phone number
 * would sit in the node's parameters, which n8n attaches to every error.
 */
async function refused(parameters: INodeParameters, input: IDataObject = {}) {
	const run = await env.harness.run(sendLinkWorkflow({ ...valid, ...parameters }), { pinData: pinned([input]) });
	const error = stopError(run);
	expect(env.sandbox.stats().requests.sendLink).toBe(0);
	expect(env.requests.filter((r) => r.path.includes('sendLink'))).toEqual([]);
	return error;
}

describe('Send Link: validation before sending', () => {
	it.each([
		['empty', ''],
		['only spaces', '   '],
		['missing from the item', undefined],
	])('refuses a User ID that is %s, naming the field', async (_case, userId) => {
		const error = await refused({ userId: '={{ $json.userId }}' }, userId === undefined ? {} : { userId });
		expect(error.message).toBe('User ID is empty');
		expect(error.description).toMatch(/item 0/);
	});

	it.each([
		['9 digits', '987654321', 9],
		['11 digits', '98765432101', 11],
		['12 digits without a +91 prefix', '829876543210', 12],
	])('refuses a phone number with %s and masks it in the message', async (_case, phoneNumber, digits) => {
		const error = await refused({ phoneNumber: '={{ $json.phone }}' }, { phone: phoneNumber });
		expect(error.message).toBe('Phone Number is not a 10-digit mobile number');
		expect(error.description).toContain(`(${digits} digits)`);
		expect(error.description).toContain(`XXXXX${phoneNumber.slice(-4)}`);
		expect(JSON.stringify(error)).not.toContain(phoneNumber);
		// Nor any long run of its digits.
		expect(readable(error)).not.toContain(phoneNumber.slice(0, 6));
	});

	it('refuses an empty Phone Number, naming the field', async () => {
		const error = await refused({ phoneNumber: '={{ $json.phone }}' }, { phone: '' });
		expect(error.message).toBe('Phone Number is empty');
	});

	it('refuses an empty Link Type, naming the field', async () => {
		const error = await refused({ linkType: '={{ $json.linkType }}' }, { linkType: ' ' });
		expect(error.message).toBe('Link Type is empty');
	});

	it('refuses an extra without a key, saying which one', async () => {
		const error = await refused({ extras: extras([['applicant_name', 'Asha'], ['  ', 'x']]) });
		expect(error.message).toBe('Extra number 2 has no Key');
	});

	it('refuses the same extra key twice', async () => {
		const error = await refused({ extras: extras([['loan_amt', '1'], ['loan_amt', '2']]) });
		expect(error.message).toBe('Extra "loan_amt" is set twice');
	});

	it.each([
		['link_expires_in', 'Link Expires In (Seconds)'],
		['last_kyc_date', 'Last KYC Date'],
	])('refuses the reserved key %s as an extra and points to its option', async (key, option) => {
		const error = await refused({ extras: extras([[key, '900']]) });
		expect(error.message).toBe(`Extra "${key}" has its own option`);
		expect(error.description).toContain(`"${option}"`);
	});

	it.each([[59], [0], [-5], [90.5]])('refuses Link Expires In of %s seconds', async (linkExpiresIn) => {
		const error = await refused({ options: { linkExpiresIn } });
		expect(error.message).toMatch(/^Link Expires In must be a whole number of seconds, at least 60/);
	});

	it('accepts Link Expires In of exactly 60 seconds', async () => {
		const run = await env.harness.run(sendLinkWorkflow({ ...valid, options: { linkExpiresIn: 60 } }));
		expect(run.error).toBeUndefined();
		expect(env.sendLinkBodies()[0].extras).toEqual({ link_expires_in: '60' });
	});

	it.each([['yesterday-ish'], ['31/03/2024'], ['2024-13-45']])('refuses Last KYC Date "%s", naming the field', async (lastKycDate) => {
		const error = await refused({ options: { lastKycDate } });
		expect(error.message).toBe(`Last KYC Date "${lastKycDate}" is not a date`);
	});

	// Date.parse would roll impossible dates over and read a bare number as a month of 2001, so
	// the wrong date would reach KwikID without a word: the date is parsed strictly.
	it.each([
		['2024-02-31', 'an impossible calendar date (sent as 2 March 2024 today)'],
		['12', 'a bare number (sent as 1 December 2001 today)'],
	])('refuses Last KYC Date "%s": %s', async (lastKycDate) => {
		const error = await refused({ options: { lastKycDate } });
		expect(error.message).toMatch(/Last KYC Date/);
	});

	it('says which item failed when an expression gives one item a bad value', async () => {
		const run = await env.harness.run(sendLinkWorkflow({ ...valid, phoneNumber: '={{ $json.phone }}' }), {
			pinData: pinned([{ phone: '9876543210' }, { phone: '98765' }, { phone: '9876543211' }]),
		});
		const error = stopError(run);
		expect(error.message).toBe('Phone Number is not a 10-digit mobile number');
		expect(error.context.itemIndex).toBe(1);
		// Every item is checked before any is sent: neither good item got a link.
		expect(env.sandbox.stats().requests.sendLink).toBe(0);
		expect(JSON.stringify(error)).not.toContain('98765"');
	});
});
