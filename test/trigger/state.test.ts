/** The trigger's pure parts: reading the Session IDs text, and the stored state format. */
import type { IDataObject } from 'n8n-workflow';

import { parseSessionIds } from '../../nodes/KwikId/trigger/parameters';
import {
	decodeStatus,
	encodeStatus,
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

	it('encodes every documented status in one or two characters, and round-trips', () => {
		for (const { value } of SESSION_STATUSES) {
			const code = encodeStatus(value);
			expect(typeof code).toBe('number');
			expect(JSON.stringify(code).length).toBeLessThanOrEqual(2);
			expect(decodeStatus(code)).toBe(value);
		}
	});

	it('keeps an unknown status as text (bounded)', () => {
		expect(encodeStatus('kyc_result_partial_update')).toBe('kyc_result_partial_update');
		expect(String(encodeStatus('x'.repeat(500))).length).toBe(64);
	});

	it('round-trips through JSON', () => {
		const bucket = {};
		const known = new Map<string, number | string>([
			['a-1', encodeStatus('waiting')],
			['constructor', encodeStatus('odd_status')],
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
