#!/usr/bin/env node
/**
 * Prints the webhook workflow of scripts/e2e/queue.sh: Webhook (POST, production path, answers
 * at once) -> Leads (Set: the body's batch number and an array of `count` numbers) -> Split Out
 * (one item per number, batch kept) -> KwikID Send Link, one session per item.
 *
 *   node queue-workflow.js <id> <webhook path> [json-options]
 *
 * The lead (user_id) is `B<batch>I<index>E<execution id>`: the part before `E` names the lead,
 * the execution id says which execution sent it (and so, through the worker logs, which worker).
 * json-options go into the node's Options, e.g. {"maxConcurrency": 2}.
 */
const [id, webhookPath, optionsText] = process.argv.slice(2);
if (!id || !webhookPath) {
	console.error('usage: queue-workflow.js <id> <webhook path> [json-options]');
	process.exit(2);
}
const options = optionsText ? JSON.parse(optionsText) : {};
const uuid = (n) => `c1000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

const webhook = {
	id: uuid(1),
	name: 'Webhook',
	type: 'n8n-nodes-base.webhook',
	typeVersion: 2,
	position: [0, 0],
	webhookId: uuid(100),
	parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'onReceived', options: {} },
};
const leads = {
	id: uuid(2),
	name: 'Leads',
	type: 'n8n-nodes-base.set',
	typeVersion: 3.4,
	position: [200, 0],
	parameters: {
		mode: 'manual',
		assignments: {
			assignments: [
				{ id: uuid(21), name: 'batch', value: '={{ $json.body.batch }}', type: 'number' },
				{ id: uuid(22), name: 'ids', value: '={{ Array.from({ length: $json.body.count }, (_, i) => i) }}', type: 'array' },
			],
		},
		options: {},
	},
};
const split = {
	id: uuid(3),
	name: 'Split Out',
	type: 'n8n-nodes-base.splitOut',
	typeVersion: 1,
	position: [400, 0],
	parameters: { fieldToSplitOut: 'ids', include: 'allOtherFields', options: {} },
};
const send = {
	id: uuid(4),
	name: 'Send Link',
	type: 'n8n-nodes-kwikid.kwikId',
	typeVersion: 1,
	position: [600, 0],
	parameters: {
		resource: 'session',
		operation: 'sendLink',
		userId: "={{ 'B' + $json.batch + 'I' + $json.ids + 'E' + $execution.id }}",
		phoneNumber: "={{ '9' + String(800000000 + $json.batch * 1000 + $json.ids) }}",
		sendNotification: false,
		linkType: 'free',
		options,
	},
	credentials: { kwikIdApi: { id: 'kwikidE2eCred01', name: 'KwikID sandbox (e2e)' } },
};

const workflow = {
	id,
	name: `queue: webhook -> ${webhookPath}`,
	active: false,
	settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all', saveDataErrorExecution: 'all' },
	nodes: [webhook, leads, split, send],
	connections: {
		Webhook: { main: [[{ node: 'Leads', type: 'main', index: 0 }]] },
		Leads: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
		'Split Out': { main: [[{ node: 'Send Link', type: 'main', index: 0 }]] },
	},
};
process.stdout.write(`${JSON.stringify(workflow, null, 1)}\n`);
