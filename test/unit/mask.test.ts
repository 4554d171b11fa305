import { maskAadhaar, maskPan, maskPhone, redact, redactSecrets } from '../../nodes/KwikId/shared/mask';

describe('redact', () => {
	it.each([
		['call 9876543210 now', 'call XXXXXX3210 now'],
		['call +91 98765 43210 now', 'call XXXXXXXX3210 now'],
		['call 098765-43210', 'call XXXXXXX3210'],
		['aadhaar 2345 6789 0124', 'aadhaar XXXXXXXX0124'],
		['aadhaar 234567890124.', 'aadhaar XXXXXXXX0124.'],
		['pan abcde1234f', 'pan XXXXX1234X'],
		['token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl used', 'token [token] used'],
	])('masks %j', (input, output) => {
		expect(redact(input)).toBe(output);
	});

	it('keeps session ids (UUIDs) readable even where their digit groups look like Aadhaar', () => {
		const id = '00000000-0000-4000-8000-000000000000';
		expect(redact(`session "${id}" for 9876543210`)).toBe(`session "${id}" for XXXXXX3210`);
	});

	it('leaves a literal placeholder-like text alone', () => {
		expect(redact('{uuid#7}')).toBe('{uuid#7}');
	});

	it('removes given secrets wherever they appear', () => {
		expect(redactSecrets('pw=hunter2secret!', ['hunter2secret'])).toBe('pw=[secret]!');
	});

	it('masks to the documented shapes', () => {
		expect(maskAadhaar('234567890124')).toBe('XXXXXXXX0124');
		expect(maskPan('ABCDE1234F')).toBe('XXXXX1234X');
		expect(maskPhone('9876543210')).toBe('XXXXXX3210');
	});
});
