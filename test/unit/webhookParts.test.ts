/** The webhook trigger's small pure parts: event names, IP ranges, the repeat window. */
import { RecentDeliveries } from '../../nodes/KwikId/trigger/webhook/dedup';
import { normaliseEvent } from '../../nodes/KwikId/trigger/webhook/events';
import { isAllowed, parseAllowList, parseIp } from '../../nodes/KwikId/trigger/webhook/ip';

describe('event names', () => {
	it.each([
		['Maker Approved', 'maker_approved'],
		['MAKER_REJECTED', 'maker_rejected'],
		['checker.approved', 'checker_approved'],
		['CheckerRejected', 'checker_rejected'],
		['vkyc:auditor-reject', 'checker_rejected'],
		['Agent Approval', 'maker_approved'],
		['Maker Approved, Checker Rejected', 'unknown'],
		['approved', 'unknown'],
		['Checker', 'unknown'],
		['', 'unknown'],
		['makerapproved', 'unknown'],
	])('%s -> %s', (raw, event) => {
		expect(normaliseEvent(raw)).toBe(event);
	});
});

describe('Allowed IP Addresses', () => {
	const allowed = (list: string, address: string): boolean => {
		const parsed = parseAllowList(list);
		if (!parsed.ok) throw new Error(parsed.bad);
		return isAllowed(address, parsed.ranges);
	};

	it.each([
		['127.0.0.1', '127.0.0.1', true],
		['127.0.0.1', '127.0.0.2', false],
		['10.0.0.0/8', '10.255.1.2', true],
		['10.0.0.0/8', '11.0.0.1', false],
		['203.0.113.0/24', '::ffff:203.0.113.7', true],
		['::ffff:203.0.113.7', '203.0.113.7', true],
		['2001:db8::/32', '2001:db8:1::5', true],
		['2001:db8::/32', '2001:db9::5', false],
		['::1', '::1', true],
		['0.0.0.0/0', '198.51.100.1', true],
		['0.0.0.0/0', '2001:db8::1', false],
		['fe80::1', 'fe80::1%eth0', true],
	])('%s allows %s: %s', (list, address, expected) => {
		expect(allowed(list, address)).toBe(expected);
	});

	it('refuses an unreadable list and unreadable addresses', () => {
		expect(parseAllowList('10.0.0.0/33')).toEqual({ ok: false, bad: '10.0.0.0/33' });
		expect(parseAllowList('256.1.1.1').ok).toBe(false);
		expect(parseAllowList('1:2:3:4:5:6:7:8:9').ok).toBe(false);
		expect(parseAllowList('example.com').ok).toBe(false);
		expect(parseIp('1.2.3')).toBeUndefined();
		const parsed = parseAllowList('0.0.0.0/0');
		expect(parsed.ok && isAllowed(undefined, parsed.ranges)).toBe(false);
	});
});

describe('the repeat window', () => {
	it('remembers a delivery for the window, then forgets it', () => {
		let now = 1_000_000;
		const recent = new RecentDeliveries(100, () => now);
		expect(recent.seenRecently('a', 60_000)).toBe(false);
		now += 59_999;
		expect(recent.seenRecently('a', 60_000)).toBe(true);
		now += 1;
		expect(recent.seenRecently('a', 60_000)).toBe(false);
	});

	it('is bounded: the oldest deliveries are forgotten first', () => {
		const recent = new RecentDeliveries(3, () => 0);
		for (const key of ['a', 'b', 'c', 'd']) recent.seenRecently(key, 1000);
		expect(recent.size).toBe(3);
		expect(recent.seenRecently('d', 1000)).toBe(true);
		expect(recent.seenRecently('a', 1000)).toBe(false);
	});
});
