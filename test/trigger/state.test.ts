/** The trigger's pure parts: reading the Session IDs text, and the stored state format. */
import type { IDataObject } from 'n8n-workflow';

import { parseSessionIds } from '../../nodes/KwikId/trigger/parameters';
import type { StoredCode } from '../../nodes/KwikId/trigger/state';
import {
	decodeSeen,
	encodeSeen,
	fingerprint,
	INVALID_PENDING,
	readState,
	stateKey,
	writeState,
} from '../../nodes/KwikId/trigger/state';
import { SESSION_STATUSES } from '../../nodes/KwikId/shared/session';

describe('parseSessionIds', () => {
	it('splits on commas, spaces, new lines and semicolons, keeps order, drops duplicates', () => {
		expect(parseSessionIds(' a-1,b-2\n\tc-3 ;; a-1 ,,\r\nd-4 ')).toEqual(['a-1', 'b-2', 'c-3', 'd-4']);
	});

	it('accepts a JSON array as text, or as an array from an expression', () => {
		expect(parseSessionIds('["a-1", "b-2"]')).toEqual(['a-1', 'b-2']);
		expect(parseSessionIds(['a-1', ['b-2', 'c-3'], 42, null])).toEqual(['a-1', 'b-2', 'c-3', '42']);
	});

	it('reads nothing from empty or non-text values', () => {
		expect(parseSessionIds('')).toEqual([]);
		expect(parseSessionIds(' , \n')).toEqual([]);
		expect(parseSessionIds(undefined)).toEqual([]);
		expect(parseSessionIds({ id: 'a-1' })).toEqual([]);
	});
});

describe('stored state', () => {
	const fp = fingerprint('http://127.0.0.1:8765');

	it('encodes every listed status with every checker state in at most 8 characters, and round-trips', () => {
		for (const { value } of SESSION_STATUSES) {
			for (const checker of [null, 'awaiting', 'in_review', 'approved', 'rejected', 'unclear'] as const) {
				const code = encodeSeen(value, checker);
				expect(JSON.stringify(code).length).toBeLessThanOrEqual(8);
				expect(decodeSeen(code)).toEqual({ status: value, checker });
			}
		}
	});

	it('keeps an unknown status as text (bounded)', () => {
		expect(encodeSeen('kyc_result_new_kind', null)).toEqual(['kyc_result_new_kind', '']);
		expect(String((encodeSeen('x'.repeat(500), null) as [string, string])[0]).length).toBe(64);
	});

	it('reads a bare status code (saved before the checker was read) with the checker unknown', () => {
		const bucket = { v: 1, fp, s: { 'a-1': 5, 'b-2': 'odd_status' } };
		const known = readState(bucket, fp);
		expect(decodeSeen(known.get('a-1') as StoredCode)).toEqual({ status: 'kyc_result_approved', checker: undefined });
		expect(decodeSeen(known.get('b-2') as StoredCode)).toEqual({ status: 'odd_status', checker: undefined });
	});

	it('round-trips through JSON', () => {
		const bucket = {};
		const known = new Map<string, StoredCode>([
			['a-1', encodeSeen('waiting', null)],
			['b-2', encodeSeen('kyc_result_approved', 'rejected')],
			['constructor', encodeSeen('odd_status', 'unclear')],
			[stateKey('not an id!'), INVALID_PENDING],
		]);
		writeState(bucket, fp, known);
		expect(readState(JSON.parse(JSON.stringify(bucket)), fp)).toEqual(known);
	});

	it('reads nothing from another KwikID, another version or a broken shape', () => {
		const bucket = {};
		writeState(bucket, fp, new Map([['a-1', 0]]));
		expect(readState(bucket, fingerprint('https://acme.app.getkwikid.com')).size).toBe(0);
		expect(readState({ ...bucket, v: 2 }, fp).size).toBe(0);
		expect(readState({ v: 1, fp, s: [0, 1] }, fp).size).toBe(0);
		expect(readState({ v: 1, fp, s: 'a-1' }, fp).size).toBe(0);
		expect(readState({ v: 1, fp, s: { a: 99, b: -7, c: 1.5, d: '', e: true, f: 3 } }, fp)).toEqual(
			new Map([['f', 3]]),
		);
		expect(
			readState({ v: 1, fp, s: { a: [5], b: [5, 'z'], c: [-1, ''], d: [5, 1], e: [5, 'r', 'x'], g: [5, 'r'] } }, fp),
		).toEqual(new Map([['g', [5, 'r']]]));
	});

	it('removes unknown top-level keys when writing', () => {
		const bucket: IDataObject = { legacy: 'x'.repeat(1000) };
		writeState(bucket, fp, new Map());
		expect(Object.keys(bucket).sort()).toEqual(['fp', 's', 'v']);
	});

	it('stores text that is not an id under a short key that cannot be an id', () => {
		expect(stateKey('8b19b5c9-36de-47a2-9cb8-1025f36da034')).toBe('8b19b5c9-36de-47a2-9cb8-1025f36da034');
		expect(stateKey('__proto__')).toMatch(/^![0-9a-z]+$/);
		expect(stateKey('x'.repeat(10_000)).length).toBeLessThan(10);
	});

	it('fingerprints the base URL, not its spelling', () => {
		expect(fingerprint('HTTPS://Acme.test.getkwikid.com/')).toBe(fingerprint('https://acme.test.getkwikid.com'));
		expect(fingerprint('https://acme.test.getkwikid.com')).not.toBe(fingerprint('https://acme.app.getkwikid.com'));
	});
});
