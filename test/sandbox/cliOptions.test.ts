/** The sandbox CLI's option parsing: auto-progress with the checker, and repeatable webhook options. */
import { CliOptionError, describeAutoProgress, parseAutoProgress, webhooksFromOptions } from '../../sandbox/cliOptions';

describe('--auto-progress', () => {
	it('keeps the old syntax and adds the checker', () => {
		expect(parseAutoProgress('60000:approve')).toEqual({ afterMs: 60000, outcome: 'approve' });
		expect(parseAutoProgress('5000:reject')).toEqual({ afterMs: 5000, outcome: 'reject' });
		expect(parseAutoProgress('60000:approve,checker-reject')).toEqual({ afterMs: 60000, outcome: 'approve', checker: 'reject' });
		expect(parseAutoProgress('100:approve,checker-approve@30')).toEqual({
			afterMs: 100,
			outcome: 'approve',
			checker: 'approve',
			checkerAfterMs: 30,
		});
		expect(describeAutoProgress(parseAutoProgress('100:approve,checker-reject'))).toBe(
			'100 ms -> approve, then the checker: reject 100 ms later',
		);
		for (const bad of ['approve', '10:maybe', '10:approve,checker', '10:approve,reject', '10:approve,checker-reject@']) {
			expect(() => parseAutoProgress(bad)).toThrow(CliOptionError);
		}
	});
});

describe('--webhook options', () => {
	const opt = (name: string, value?: string): { name: string; value?: string } => ({ name, value });

	it('options after a --webhook apply to it; before the first one, to all', () => {
		const inputs = webhooksFromOptions([
			opt('port', '8765'),
			opt('webhook-header', 'Authorization: Bearer shared'),
			opt('webhook', 'http://127.0.0.1:5678/webhook/a'),
			opt('webhook-events', 'Checker Approved,checker_rejected'),
			opt('webhook-shape', 'rotate'),
			opt('webhook', 'http://127.0.0.1:5678/webhook/b'),
			opt('webhook-header', 'X-Env: test'),
			opt('webhook-header', 'Authorization: Bearer own'),
		]);
		expect(inputs).toEqual([
			{
				url: 'http://127.0.0.1:5678/webhook/a',
				headers: { Authorization: 'Bearer shared' },
				events: ['Checker Approved', 'Checker Rejected'],
				shape: 'rotate',
			},
			{ url: 'http://127.0.0.1:5678/webhook/b', headers: { Authorization: 'Bearer own', 'X-Env': 'test' } },
		]);
	});

	it('names the mistake', () => {
		expect(() => webhooksFromOptions([opt('webhook', 'http://x/'), opt('webhook-events', 'Agent Approved')])).toThrow(/unknown event/);
		expect(() => webhooksFromOptions([opt('webhook', 'http://x/'), opt('webhook-shape', 'xml')])).toThrow(/unknown shape/);
		expect(() => webhooksFromOptions([opt('webhook', 'http://x/'), opt('webhook-header', 'no colon')])).toThrow(/Name: value/);
		expect(() => webhooksFromOptions([opt('webhook-shape', 'flat')])).toThrow(/need a --webhook URL/);
		expect(webhooksFromOptions([opt('port', '1')])).toEqual([]);
	});
});
