/**
 * The Allowed IP Addresses option: addresses and CIDR ranges, IPv4 and IPv6, matched without
 * any library (a community node may import nothing but n8n-workflow and a few others, not
 * `node:net`). An IPv4 address mapped into IPv6 (::ffff:203.0.113.10, how Node reports IPv4
 * callers on a dual-stack socket) is read as the IPv4 address.
 */

interface Range {
	bits: 32 | 128;
	value: bigint;
	prefix: number;
}

function ipv4(text: string): bigint | undefined {
	const parts = text.split('.');
	if (parts.length !== 4) return undefined;
	let value = 0n;
	for (const part of parts) {
		if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
		value = (value << 8n) | BigInt(Number(part));
	}
	return value;
}

function ipv6(text: string): bigint | undefined {
	let head = text;
	let tailV4: bigint | undefined;
	const lastColon = text.lastIndexOf(':');
	if (text.includes('.')) {
		tailV4 = ipv4(text.slice(lastColon + 1));
		if (tailV4 === undefined) return undefined;
		head = `${text.slice(0, lastColon + 1)}0:0`;
	}
	const halves = head.split('::');
	if (halves.length > 2) return undefined;
	const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
	const left = groups(halves[0]);
	const right = halves.length === 2 ? groups(halves[1]) : [];
	const missing = 8 - left.length - right.length;
	if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
	const all = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
	if (all.length !== 8) return undefined;
	let value = 0n;
	for (const group of all) {
		if (!/^[0-9a-f]{1,4}$/i.test(group)) return undefined;
		value = (value << 16n) | BigInt(parseInt(group, 16));
	}
	if (tailV4 !== undefined) value = (value & ~0xffffffffn) | tailV4;
	return value;
}

const MAPPED_PREFIX = 0xffffn << 32n;

/** An address as [bits, value]; an IPv4-mapped IPv6 address becomes IPv4. */
export function parseIp(text: string): { bits: 32 | 128; value: bigint } | undefined {
	const trimmed = text.trim().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
	const v4 = ipv4(trimmed);
	if (v4 !== undefined) return { bits: 32, value: v4 };
	const v6 = ipv6(trimmed);
	if (v6 === undefined) return undefined;
	if (v6 >> 32n === 0xffffn && (v6 & ~0xffffffffn) === MAPPED_PREFIX) return { bits: 32, value: v6 & 0xffffffffn };
	return { bits: 128, value: v6 };
}

function parseRange(entry: string): Range | undefined {
	const [address, prefixText, extra] = entry.split('/');
	if (extra !== undefined) return undefined;
	const ip = parseIp(address);
	if (!ip) return undefined;
	const prefix = prefixText === undefined ? ip.bits : /^\d{1,3}$/.test(prefixText.trim()) ? Number(prefixText) : Number.NaN;
	if (!Number.isInteger(prefix) || prefix < 0 || prefix > ip.bits) return undefined;
	return { ...ip, prefix };
}

export type AllowList = { ok: true; ranges: Range[] } | { ok: false; bad: string };

/** Parses the option; an entry that is not an address or range makes the whole list invalid. */
export function parseAllowList(text: string): AllowList {
	const ranges: Range[] = [];
	for (const entry of text.split(/[\s,;]+/).filter((part) => part !== '')) {
		const range = parseRange(entry);
		if (!range) return { ok: false, bad: entry.slice(0, 60) };
		ranges.push(range);
	}
	return { ok: true, ranges };
}

export function isAllowed(address: string | undefined, ranges: Range[]): boolean {
	const ip = address === undefined ? undefined : parseIp(address);
	if (!ip) return false;
	return ranges.some((range) => {
		if (range.bits !== ip.bits) return false;
		const shift = BigInt(range.bits - range.prefix);
		return ip.value >> shift === range.value >> shift;
	});
}
