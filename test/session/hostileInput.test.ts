/**
 * Hostile input, as a table: every parameter of every operation given what expressions,
 * spreadsheets and careless pastes really produce. Each row must end in a clear error that names
 * the field, before any request leaves the node (the sandbox counts nothing, not even a login),
 * without a crash, and without echoing personal data unmasked.
 */
import type { IBinaryKeyData, IDataObject, INodeParameters } from 'n8n-workflow';

import { validDkycSections } from '../../sandbox/fixtures';
import { KWIKID, pinned, stopError, useSessionEnv } from './helpers';
import { kwikIdWorkflow } from '../../harness/workflows';
import { useTriggerFixture } from '../trigger/helpers';

const env = useSessionEnv();

const MEGABYTE = 'x'.repeat(1024 * 1024);
const PHONE = '9876543210';
const PAN = 'ABCDE1234F';
const AADHAAR = '234567890124';

type Operation = 'sendLink' | 'get' | 'dkyc';

interface Row {
	/** What the row gives. */
	case: string;
	operation: Operation;
	/** Parameters over the operation's valid ones; `={{ $json.v }}` reads `value` below. */
	parameters: INodeParameters;
	/** The input item's `v`, for rows that feed a parameter through an expression. */
	value?: unknown;
	binary?: IBinaryKeyData;
	/** The error's message must match. */
	error: RegExp;
}

const FROM_ITEM = '={{ $json.v }}';

const VALID: Record<Operation, INodeParameters> = {
	sendLink: { resource: 'session', operation: 'sendLink', userId: 'LEAD-1', phoneNumber: PHONE, linkType: 'free', sendNotification: true },
	get: { resource: 'session', operation: 'get', sessionId: '8b19b5c9-36de-47a2-9cb8-1025f36da034', simplify: true },
	dkyc: {
		resource: 'dkyc',
		operation: 'pushUserData',
		userId: 'LEAD-1',
		phoneNumber: PHONE,
		dataMode: 'json',
		sectionsJson: JSON.stringify(validDkycSections()),
	},
};

/** A JSON-mode record with one section's field replaced. */
function withField(section: string, field: string, value: unknown): INodeParameters {
	const sections = validDkycSections() as Record<string, IDataObject>;
	sections[section] = { ...sections[section], [field]: value as IDataObject[string] };
	return { sectionsJson: JSON.stringify(sections) };
}

function withSection(section: string, value: unknown): INodeParameters {
	const sections = validDkycSections() as Record<string, unknown>;
	sections[section] = value;
	return { sectionsJson: JSON.stringify(sections) };
}

const extra = (key: unknown, value: unknown): INodeParameters => ({ extras: { extra: [{ key, value }] } as unknown as INodeParameters });

const ROWS: Row[] = [
	// Send Link: User ID
	{ case: 'empty', operation: 'sendLink', parameters: { userId: FROM_ITEM }, value: '', error: /^User ID is empty$/ },
	{ case: 'whitespace', operation: 'sendLink', parameters: { userId: '  \t ' }, error: /^User ID is empty$/ },
	{ case: 'a megabyte', operation: 'sendLink', parameters: { userId: MEGABYTE }, error: /^User ID is longer than 255 characters$/ },
	{ case: 'an object', operation: 'sendLink', parameters: { userId: FROM_ITEM }, value: { id: 1 }, error: /^User ID must be text, not an object$/ },
	{ case: 'a list', operation: 'sendLink', parameters: { userId: FROM_ITEM }, value: ['a', 'b'], error: /^User ID must be text, not a list$/ },
	{ case: 'null', operation: 'sendLink', parameters: { userId: FROM_ITEM }, value: null, error: /^User ID is empty$/ },
	{ case: 'a boolean', operation: 'sendLink', parameters: { userId: FROM_ITEM }, value: true, error: /^User ID must be text, not true$/ },
	{ case: 'a line break', operation: 'sendLink', parameters: { userId: FROM_ITEM }, value: 'LEAD\n1', error: /^User ID contains a control character$/ },
	{ case: 'a NUL byte', operation: 'sendLink', parameters: { userId: FROM_ITEM }, value: 'LEAD\u00001', error: /^User ID contains a control character$/ },
	// Send Link: Phone Number
	{ case: 'empty', operation: 'sendLink', parameters: { phoneNumber: FROM_ITEM }, value: '', error: /^Phone Number is empty$/ },
	{ case: '5 digits', operation: 'sendLink', parameters: { phoneNumber: '98765' }, error: /^Phone Number is not a 10-digit mobile number$/ },
	{ case: '11 digits', operation: 'sendLink', parameters: { phoneNumber: '98765432101' }, error: /^Phone Number is not a 10-digit mobile number$/ },
	{ case: 'a US number', operation: 'sendLink', parameters: { phoneNumber: '+1 415 555 0100' }, error: /^Phone Number is not a 10-digit mobile number$/ },
	{ case: '9 digits after +91', operation: 'sendLink', parameters: { phoneNumber: '+91 98765 4321' }, error: /^Phone Number is not a 10-digit mobile number$/ },
	{ case: 'letters', operation: 'sendLink', parameters: { phoneNumber: 'call me maybe' }, error: /^Phone Number is not a 10-digit mobile number$/ },
	{ case: 'Devanagari digits', operation: 'sendLink', parameters: { phoneNumber: '९८७६५४३२१०' }, error: /^Phone Number is not a 10-digit mobile number$/ },
	{ case: 'two numbers', operation: 'sendLink', parameters: { phoneNumber: '9876543210, 9876543211' }, error: /^Phone Number is not a 10-digit mobile number$/ },
	{ case: 'a megabyte', operation: 'sendLink', parameters: { phoneNumber: MEGABYTE }, error: /^Phone Number is longer than 40 characters$/ },
	{ case: 'an object', operation: 'sendLink', parameters: { phoneNumber: FROM_ITEM }, value: { phone: PHONE }, error: /^Phone Number must be text, not an object$/ },
	{ case: 'a list', operation: 'sendLink', parameters: { phoneNumber: FROM_ITEM }, value: [PHONE], error: /^Phone Number must be text, not a list$/ },
	// Send Link: Link Type, Send Notification
	{ case: 'empty', operation: 'sendLink', parameters: { linkType: ' ' }, error: /^Link Type is empty$/ },
	{ case: 'a megabyte', operation: 'sendLink', parameters: { linkType: MEGABYTE }, error: /^Link Type is longer than 64 characters$/ },
	{ case: 'an object', operation: 'sendLink', parameters: { linkType: FROM_ITEM }, value: { type: 'free' }, error: /^Link Type must be text, not an object$/ },
	{ case: '"maybe"', operation: 'sendLink', parameters: { sendNotification: FROM_ITEM }, value: 'maybe', error: /^Send Notification must be true or false$/ },
	{ case: 'the number 2', operation: 'sendLink', parameters: { sendNotification: FROM_ITEM }, value: 2, error: /^Send Notification must be true or false$/ },
	{ case: 'an object', operation: 'sendLink', parameters: { sendNotification: FROM_ITEM }, value: {}, error: /^Send Notification must be true or false$/ },
	// Send Link: Extras
	{ case: 'an empty key', operation: 'sendLink', parameters: extra('', 'x'), error: /^Extra number 1 has no Key$/ },
	{ case: 'a reserved key', operation: 'sendLink', parameters: extra('link_expires_in', '60'), error: /^Extra "link_expires_in" has its own option$/ },
	{ case: 'a key with a line break', operation: 'sendLink', parameters: extra('a\nb', 'x'), error: /^Extra number 1 has an unusable Key$/ },
	{ case: 'a megabyte value', operation: 'sendLink', parameters: extra('note', MEGABYTE), error: /^Extra "note" is longer than 5000 characters$/ },
	{
		case: 'the same key twice',
		operation: 'sendLink',
		parameters: { extras: { extra: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }] } },
		error: /^Extra "a" is set twice$/,
	},
	// Send Link: Options
	{ case: 'Last KYC Date as 31/12/2024', operation: 'sendLink', parameters: { options: { lastKycDate: '31/12/2024' } }, error: /^Last KYC Date "31\/12\/2024" is not a date$/ },
	{ case: 'Last KYC Date 2024-02-31', operation: 'sendLink', parameters: { options: { lastKycDate: '2024-02-31' } }, error: /^Last KYC Date "2024-02-31" is not a date$/ },
	{ case: 'Last KYC Date 2024-13-01', operation: 'sendLink', parameters: { options: { lastKycDate: '2024-13-01' } }, error: /^Last KYC Date "2024-13-01" is not a date$/ },
	{ case: 'Last KYC Date "yesterday"', operation: 'sendLink', parameters: { options: { lastKycDate: 'yesterday' } }, error: /^Last KYC Date "yesterday" is not a date$/ },
	{ case: 'Last KYC Date an object', operation: 'sendLink', parameters: { options: { lastKycDate: FROM_ITEM } }, value: { d: 1 }, error: /^Last KYC Date "an object" is not a date$/ },
	{ case: 'Link Expires In 10', operation: 'sendLink', parameters: { options: { linkExpiresIn: 10 } }, error: /^Link Expires In must be a whole number of seconds, at least 60$/ },
	{ case: 'Link Expires In 90.5', operation: 'sendLink', parameters: { options: { linkExpiresIn: 90.5 } }, error: /^Link Expires In must be a whole number of seconds, at least 60$/ },
	{ case: 'Link Expires In a list', operation: 'sendLink', parameters: { options: { linkExpiresIn: FROM_ITEM } }, value: [900], error: /^Link Expires In must be a whole number of seconds, at least 60$/ },
	{ case: 'Origin an object', operation: 'sendLink', parameters: { options: { origin: FROM_ITEM } }, value: { o: 1 }, error: /^Origin must be text, not an object$/ },
	{ case: 'Session Type a megabyte', operation: 'sendLink', parameters: { options: { sessionType: MEGABYTE } }, error: /^Session Type is longer than 64 characters$/ },
	{ case: 'Max Concurrent Requests "lots"', operation: 'sendLink', parameters: { options: { maxConcurrency: FROM_ITEM } }, value: 'lots', error: /^Max Concurrent Requests must be a whole number from 1 to 1000$/ },
	{ case: 'Max Concurrent Requests 1001', operation: 'sendLink', parameters: { options: { maxConcurrency: FROM_ITEM } }, value: 1001, error: /^Max Concurrent Requests must be a whole number from 1 to 1000$/ },
	{ case: 'Max Requests Per Second -5', operation: 'sendLink', parameters: { options: { maxRequestsPerSecond: FROM_ITEM } }, value: -5, error: /^Max Requests Per Second must be a number, 0 or more$/ },
	// Get Session
	{ case: 'empty', operation: 'get', parameters: { sessionId: FROM_ITEM }, value: '', error: /^Session ID is empty$/ },
	{ case: 'a slash', operation: 'get', parameters: { sessionId: 'abc/def' }, error: /^Session ID is not a valid KwikID session id$/ },
	{ case: 'a path up', operation: 'get', parameters: { sessionId: '../etc/passwd' }, error: /^Session ID is not a valid KwikID session id$/ },
	{ case: 'just ..', operation: 'get', parameters: { sessionId: '..' }, error: /^Session ID is not a valid KwikID session id$/ },
	{ case: 'a query', operation: 'get', parameters: { sessionId: 'abc?admin=1' }, error: /^Session ID is not a valid KwikID session id$/ },
	{ case: 'a fragment', operation: 'get', parameters: { sessionId: 'abc#x' }, error: /^Session ID is not a valid KwikID session id$/ },
	{ case: 'an encoded slash', operation: 'get', parameters: { sessionId: 'abc%2Fdef' }, error: /^Session ID is not a valid KwikID session id$/ },
	{ case: 'unicode', operation: 'get', parameters: { sessionId: 'séance-1' }, error: /^Session ID is not a valid KwikID session id$/ },
	{ case: 'a line break', operation: 'get', parameters: { sessionId: FROM_ITEM }, value: 'abc\ndef', error: /^Session ID contains a control character$/ },
	{ case: 'a megabyte', operation: 'get', parameters: { sessionId: MEGABYTE }, error: /^Session ID is longer than 255 characters$/ },
	{ case: 'an object', operation: 'get', parameters: { sessionId: FROM_ITEM }, value: { session_id: 'x' }, error: /^Session ID must be text, not an object$/ },
	{ case: 'a list', operation: 'get', parameters: { sessionId: FROM_ITEM }, value: ['a', 'b'], error: /^Session ID must be text, not a list$/ },
	{ case: 'Simplify "perhaps"', operation: 'get', parameters: { simplify: FROM_ITEM }, value: 'perhaps', error: /^Simplify must be true or false$/ },
	{ case: 'Download Media of an unknown file', operation: 'get', parameters: { options: { downloadMedia: FROM_ITEM } }, value: ['selfie', 'passport'], error: /^Download Media has an unknown file "passport"$/ },
	// Push DKYC Data
	{ case: 'User ID an object', operation: 'dkyc', parameters: { userId: FROM_ITEM }, value: { id: 1 }, error: /^The DKYC data was not sent: wrong format in user_id$/ },
	{ case: 'Phone Number of 5 digits', operation: 'dkyc', parameters: { phoneNumber: '98765' }, error: /^The DKYC data was not sent: wrong format in phone_number$/ },
	{ case: 'empty Sections (JSON)', operation: 'dkyc', parameters: { sectionsJson: FROM_ITEM }, value: ' ', error: /^Sections \(JSON\) is empty$/ },
	{ case: 'Sections (JSON) that is not JSON', operation: 'dkyc', parameters: { sectionsJson: '{BASIC_INFORMATION:' }, error: /^Sections \(JSON\) is not valid JSON$/ },
	{ case: 'Sections (JSON) a list', operation: 'dkyc', parameters: { sectionsJson: '[]' }, error: /^Sections \(JSON\) must be an object keyed by section name$/ },
	{ case: 'Sections (JSON) a string', operation: 'dkyc', parameters: { sectionsJson: '"text"' }, error: /^Sections \(JSON\) must be an object keyed by section name$/ },
	{ case: 'Sections (JSON) a megabyte', operation: 'dkyc', parameters: { sectionsJson: MEGABYTE }, error: /^Sections \(JSON\) is not valid JSON$/ },
	{ case: 'an unknown section', operation: 'dkyc', parameters: withSection('BANK_DETAILS', {}), error: /^Sections \(JSON\) has unknown section: BANK_DETAILS$/ },
	{ case: 'a section that is text', operation: 'dkyc', parameters: withSection('BASIC_INFORMATION', 'x'), error: /wrong format in BASIC_INFORMATION/ },
	{ case: 'a section that is a list', operation: 'dkyc', parameters: withSection('PERSONAL_INFORMATION', [1]), error: /wrong format in PERSONAL_INFORMATION/ },
	{ case: 'a PAN that is a number', operation: 'dkyc', parameters: withField('BASIC_INFORMATION', 'pan', 12345), error: /wrong format in BASIC_INFORMATION\.pan$/ },
	{ case: 'a PAN that is an object', operation: 'dkyc', parameters: withField('BASIC_INFORMATION', 'pan', { pan: PAN }), error: /wrong format in BASIC_INFORMATION\.pan$/ },
	{ case: 'a date as 1990/01/05', operation: 'dkyc', parameters: withField('BASIC_INFORMATION', 'dob', '1990/01/05'), error: /wrong format in BASIC_INFORMATION\.dob$/ },
	{ case: 'a date as 05-01-1990', operation: 'dkyc', parameters: withField('BASIC_INFORMATION', 'dob', '05-01-1990'), error: /wrong format in BASIC_INFORMATION\.dob$/ },
	{ case: 'a date 31-FEB-1990', operation: 'dkyc', parameters: withField('BASIC_INFORMATION', 'dob', '31-FEB-1990'), error: /wrong format in BASIC_INFORMATION\.dob$/ },
	{ case: 'a date with a time zone', operation: 'dkyc', parameters: withField('BASIC_INFORMATION', 'dob', 'Fri Jan 05 1990 00:00:00 GMT+0530'), error: /wrong format in BASIC_INFORMATION\.dob$/ },
	{ case: 'an Aadhaar of 4 digits', operation: 'dkyc', parameters: withField('BASIC_INFORMATION', 'uidNo', '1234'), error: /wrong format in BASIC_INFORMATION\.uidNo$/ },
	{ case: 'a required field null', operation: 'dkyc', parameters: withField('PERSONAL_INFORMATION', 'gender', null), error: /missing PERSONAL_INFORMATION\.gender$/ },
	{ case: 'a code not in the list', operation: 'dkyc', parameters: withField('PERSONAL_INFORMATION', 'gender', 'Z'), error: /wrong format in PERSONAL_INFORMATION\.gender$/ },
	{ case: 'a document that is a number', operation: 'dkyc', parameters: withSection('DOCUMENT_COLLECTION', { docPhoto: 5 }), error: /DOCUMENT_COLLECTION\.docPhoto/ },
	{
		case: 'a binary property that does not exist',
		operation: 'dkyc',
		parameters: withSection('DOCUMENT_COLLECTION', { docPhoto: { binaryProperty: 'photo' } }),
		error: /the input item has no binary field "photo"/,
	},
	{
		case: 'an empty binary property',
		operation: 'dkyc',
		parameters: withSection('DOCUMENT_COLLECTION', { docPhoto: { binaryProperty: 'photo' } }),
		binary: { photo: { data: '', mimeType: 'image/png', fileName: 'p.png' } },
		error: /the binary field "photo" is empty/,
	},
];

/** Personal data the rows carry, which no error may show in full. */
const SECRETS = [PHONE, PAN, AADHAAR];

describe('hostile input: a clear error naming the field, and no request', () => {
	it('has at least 60 rows over the three operations', () => {
		expect(ROWS.length).toBeGreaterThanOrEqual(60);
		expect(new Set(ROWS.map((row) => row.operation))).toEqual(new Set(['sendLink', 'get', 'dkyc']));
	});

	it.each(ROWS.map((row) => [`${row.operation}: ${Object.keys(row.parameters).join(', ')} is ${row.case}`, row] as const))(
		'%s',
		async (_, row) => {
			const item: IDataObject = { v: row.value as IDataObject[string] };
			const input = row.binary ? [{ json: item, binary: row.binary }] : [item];
			const run = await env.harness.run(kwikIdWorkflow({ ...VALID[row.operation], ...row.parameters }), {
				pinData: pinned(input),
			});

			const error = stopError(run);
			expect(error.message).toMatch(row.error);
			// Not even a login: nothing left the node.
			expect(env.sandbox.stats().total).toBe(0);
			expect(run.output(KWIKID)).toEqual([]);
			const said = JSON.stringify({ message: error.message, description: error.description });
			expect(said.length).toBeLessThan(2000);
			for (const secret of SECRETS) expect(said).not.toContain(secret);
		},
	);
});

describe('hostile input to the KwikID Trigger: reported by name, never requested', () => {
	const fx = useTriggerFixture();

	it.each([
		['a slash', 'abc/def'],
		['a path up', '../etc/passwd'],
		['a query', 'abc?admin=1'],
		['an encoded slash', 'abc%2Fdef'],
		['unicode', 'séance-1'],
		['a control character', 'abc\u0007def'],
		['a megabyte', MEGABYTE],
	])('a watched id with %s is reported once and never requested; the others are watched', async (_, bad) => {
		const [good] = fx.sessions(1);
		const watching = fx.runner({ sessionIds: `${good}\n${bad}` });

		expect(await watching.poll()).toEqual({ kind: 'none' }); // activation: recorded, not failed
		const first = await watching.poll();
		expect(first.kind).toBe('error');
		if (first.kind === 'error') {
			expect(first.error.message).toMatch(/^KwikID does not know the watched session .*\(not a session ID\)$/);
			expect(first.error.message.length).toBeLessThan(300);
		}
		// Only the good id was requested.
		expect(fx.detailCalls()).toBe(2);
		fx.sandbox.setStatus(good, 'agent_alloted');
		expect((await watching.items()).map((item) => item.json.session_id)).toEqual([good]);
		expect(fx.detailCalls()).toBe(3);
	});

	it.each([
		['an object', { id: 1 }],
		['true', true],
	])('Session IDs from an expression that gives %s watch nothing and request nothing', async (_, value) => {
		const runner = fx.runner({ sessionIds: `={{ ${JSON.stringify(value)} }}` });
		expect(await runner.poll()).toEqual({ kind: 'none' });
		expect(fx.detailCalls()).toBe(0);
	});
});
