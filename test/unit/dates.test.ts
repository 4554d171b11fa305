import { toEpochSeconds } from '../../nodes/KwikId/shared/dates';

const KOLKATA = 'Asia/Kolkata';

describe('toEpochSeconds', () => {
	it('reads a date-picker value (no offset) in the workflow time zone', () => {
		// Midnight 1 Aug 2023 in India is 18:30 UTC on 31 July.
		expect(toEpochSeconds('2023-08-01T00:00:00', KOLKATA)).toBe(Date.UTC(2023, 6, 31, 18, 30) / 1000);
		expect(toEpochSeconds('2023-08-01', 'UTC')).toBe(Date.UTC(2023, 7, 1) / 1000);
	});

	it('honours an explicit offset or Z', () => {
		expect(toEpochSeconds('2023-08-01T00:00:00Z', KOLKATA)).toBe(Date.UTC(2023, 7, 1) / 1000);
		expect(toEpochSeconds('2023-08-01T05:30:00+05:30', 'UTC')).toBe(Date.UTC(2023, 7, 1) / 1000);
	});

	it('handles daylight saving in zones that have it', () => {
		// 30 Mar 2025 02:30 does not exist in Berlin; 10:00 that day is CEST (+02:00).
		expect(toEpochSeconds('2025-03-30T10:00:00', 'Europe/Berlin')).toBe(Date.UTC(2025, 2, 30, 8) / 1000);
		expect(toEpochSeconds('2025-01-15T10:00:00', 'Europe/Berlin')).toBe(Date.UTC(2025, 0, 15, 9) / 1000);
	});

	it('accepts epoch seconds (the API format), Dates and Luxon-like objects', () => {
		expect(toEpochSeconds('1691154990', KOLKATA)).toBe(1691154990);
		expect(toEpochSeconds(1691154990, KOLKATA)).toBe(1691154990);
		expect(toEpochSeconds(new Date(Date.UTC(2023, 7, 1)), KOLKATA)).toBe(Date.UTC(2023, 7, 1) / 1000);
		expect(toEpochSeconds({ toMillis: () => 1_691_154_990_000 }, KOLKATA)).toBe(1691154990);
	});

	it.each(['2024-02-30', '2023-02-29', '2024-13-01', '2024-01-01T24:00:00', '12', '31/03/2024', 'soon', ''])(
		'refuses %j',
		(value) => {
			expect(toEpochSeconds(value, KOLKATA)).toBeUndefined();
		},
	);

	it('accepts 29 February in a leap year', () => {
		expect(toEpochSeconds('2024-02-29', 'UTC')).toBe(Date.UTC(2024, 1, 29) / 1000);
	});
});
