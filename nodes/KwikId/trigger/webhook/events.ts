/**
 * The four events KwikID's dashboard can call a webhook for, and reading an event name however a
 * sender spells it ("Checker Rejected", "CHECKER_REJECTED", "checker.rejected", "CheckerRejected").
 */
export type WebhookEvent = 'maker_approved' | 'maker_rejected' | 'checker_approved' | 'checker_rejected' | 'unknown';

export const WEBHOOK_EVENTS: ReadonlyArray<{ name: string; value: Exclude<WebhookEvent, 'unknown'>; description: string }> = [
	{ name: 'Maker Approved', value: 'maker_approved', description: 'The agent approved the session' },
	{ name: 'Maker Rejected', value: 'maker_rejected', description: 'The agent rejected the session' },
	{ name: 'Checker Approved', value: 'checker_approved', description: "The checker (auditor) approved the agent's decision" },
	{ name: 'Checker Rejected', value: 'checker_rejected', description: "The checker (auditor) rejected the agent's decision" },
];

const ROLE = /\b(maker|agent)\b|\b(checker|auditor|audit)\b/g;
const DECISION = /\b(approve|approved|approval)\b|\b(reject|rejected|rejection)\b/g;

/** One of the four events, or 'unknown' (a name naming two roles or two decisions is unknown too). */
export function normaliseEvent(raw: string): WebhookEvent {
	const words = raw
		.replace(/([a-z])([A-Z])/g, '$1 $2')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, ' ');
	const roles = new Set<string>();
	const decisions = new Set<string>();
	for (const match of words.matchAll(ROLE)) roles.add(match[1] ? 'maker' : 'checker');
	for (const match of words.matchAll(DECISION)) decisions.add(match[1] ? 'approved' : 'rejected');
	if (roles.size !== 1 || decisions.size !== 1) return 'unknown';
	return `${[...roles][0]}_${[...decisions][0]}` as WebhookEvent;
}
