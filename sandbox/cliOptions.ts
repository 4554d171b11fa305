/**
 * Command-line options of `npm run sandbox` that need more than a number: auto-progress with the
 * checker, and webhook subscriptions. Pure functions (cli.ts prints and exits), so tests can
 * call them.
 */
import type { AutoProgress } from './sessions';
import { parseEvent, parseHeaderLine, parseShape, WebhookInputError, type WebhookInput } from './webhooks';

export class CliOptionError extends Error {}

/** `<ms>:approve|reject`, optionally `,checker-approve|checker-reject[@<ms>]`. */
export function parseAutoProgress(text: string): AutoProgress {
	const match = /^([0-9]+):(approve|reject)(?:,checker-(approve|reject)(?:@([0-9]+))?)?$/.exec(text);
	if (!match) {
		throw new CliOptionError(
			`--auto-progress wants <ms>:approve|reject[,checker-approve|checker-reject[@<ms>]], e.g. 60000:approve,checker-reject (got "${text}")`,
		);
	}
	const progress: AutoProgress = { afterMs: Number(match[1]), outcome: match[2] === 'approve' ? 'approve' : 'reject' };
	if (match[3]) progress.checker = match[3] === 'approve' ? 'approve' : 'reject';
	if (match[4]) progress.checkerAfterMs = Number(match[4]);
	return progress;
}

export function describeAutoProgress(progress: AutoProgress | null): string {
	if (!progress) return 'off (move sessions from the console)';
	const agent = `${progress.afterMs} ms -> ${progress.outcome}`;
	if (!progress.checker) return agent;
	return `${agent}, then the checker: ${progress.checker} ${progress.checkerAfterMs ?? progress.afterMs} ms later`;
}

/** One option as parseArgs' tokens give it, in command-line order. */
export interface OptionToken {
	name: string;
	value?: string;
}

export const WEBHOOK_OPTIONS = ['webhook', 'webhook-header', 'webhook-events', 'webhook-shape'] as const;

/**
 * `--webhook URL` starts a subscription; `--webhook-header 'Name: value'`, `--webhook-events
 * 'Checker Approved,Checker Rejected'` and `--webhook-shape rotate` after it apply to it, and
 * before the first `--webhook` to every subscription. Repeat `--webhook-header` for more headers.
 */
export function webhooksFromOptions(tokens: readonly OptionToken[]): WebhookInput[] {
	interface Draft {
		url?: string;
		events?: string[];
		headers: Record<string, string>;
		shape?: string;
	}
	const defaults: Draft = { headers: {} };
	const subscriptions: Draft[] = [];
	try {
		for (const { name, value } of tokens) {
			if (!(WEBHOOK_OPTIONS as readonly string[]).includes(name)) continue;
			if (value === undefined || value === '') throw new CliOptionError(`--${name} needs a value`);
			if (name === 'webhook') {
				subscriptions.push({ url: value, headers: {} });
				continue;
			}
			const target = subscriptions[subscriptions.length - 1] ?? defaults;
			if (name === 'webhook-header') {
				const [header, text] = parseHeaderLine(value);
				target.headers[header] = text;
			} else if (name === 'webhook-events') {
				target.events = value.split(',').map((event) => parseEvent(event));
			} else {
				target.shape = parseShape(value);
			}
		}
	} catch (error) {
		if (error instanceof WebhookInputError) throw new CliOptionError(error.message);
		throw error;
	}
	if (subscriptions.length === 0 && (defaults.events || defaults.shape || Object.keys(defaults.headers).length > 0)) {
		throw new CliOptionError('--webhook-header, --webhook-events and --webhook-shape need a --webhook URL');
	}
	return subscriptions.map((draft) => {
		const input: WebhookInput = { url: draft.url ?? '', headers: { ...defaults.headers, ...draft.headers } };
		const events = draft.events ?? defaults.events;
		const shape = draft.shape ?? defaults.shape;
		if (events) input.events = events;
		if (shape) input.shape = shape;
		return input;
	});
}
