/**
 * Dates from n8n parameters to epoch seconds. n8n's date picker gives wall-clock text without an
 * offset (e.g. "2024-03-31T00:00:00"), meant in the workflow's time zone, not the server's;
 * expressions may give ISO text with an offset, a Date, a Luxon DateTime, or epoch seconds
 * (the API's own format). Impossible dates (31 February) are refused, never rolled over.
 */

const ISO =
	/^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** Offset of `timeZone` from UTC at the instant `utcMs`, in ms (Asia/Kolkata: +19,800,000). */
function zoneOffsetMs(utcMs: number, timeZone: string): number {
	const parts = new Intl.DateTimeFormat('en-US', {
		timeZone,
		hourCycle: 'h23',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
		hour: '2-digit',
		minute: '2-digit',
		second: '2-digit',
	}).formatToParts(new Date(utcMs));
	const part = (type: Intl.DateTimeFormatPartTypes): number =>
		Number(parts.find((entry) => entry.type === type)?.value);
	const wallAsUtc = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
	return wallAsUtc - Math.floor(utcMs / 1000) * 1000;
}

function wallClockToUtcMs(wall: number, timeZone: string): number {
	// Two passes settle the offset around daylight-saving changes (India has none, others do).
	const first = wall - zoneOffsetMs(wall, timeZone);
	return wall - zoneOffsetMs(first, timeZone);
}

function isRealDate(year: number, month: number, day: number): boolean {
	const date = new Date(Date.UTC(year, month - 1, day));
	return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function fromIsoText(text: string, timeZone: string): number | undefined {
	const match = ISO.exec(text.trim());
	if (!match) return undefined;
	const [, y, mo, d, h = '0', mi = '0', s = '0', , zone] = match;
	const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number);
	if (!isRealDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
	const wall = Date.UTC(year, month - 1, day, hour, minute, second);
	if (!zone) return wallClockToUtcMs(wall, timeZone);
	if (zone.toUpperCase() === 'Z') return wall;
	const sign = zone.startsWith('-') ? -1 : 1;
	const digits = zone.slice(1).replace(':', '');
	return wall - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
}

function isTimeObject(value: unknown): value is { toMillis(): number } {
	return typeof value === 'object' && value !== null && typeof (value as { toMillis?: unknown }).toMillis === 'function';
}

/** Epoch seconds for a date parameter, or undefined when the value is not a real date. */
export function toEpochSeconds(value: unknown, timeZone: string): number | undefined {
	let ms: number | undefined;
	if (value instanceof Date) ms = value.getTime();
	else if (isTimeObject(value)) ms = value.toMillis();
	else if (typeof value === 'number' || (typeof value === 'string' && /^\d{9,10}(\.\d+)?$/.test(value.trim()))) {
		// Epoch seconds, the format KwikID itself uses (9-10 digits: 1973 to 2286).
		const seconds = Number(value);
		ms = Number.isFinite(seconds) && seconds >= 1e8 && seconds < 1e10 ? seconds * 1000 : undefined;
	} else if (typeof value === 'string') ms = fromIsoText(value, timeZone);
	return ms === undefined || Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}
