#!/usr/bin/env node
/**
 * Prints one benchmark workflow for scripts/e2e/throughput.sh: Start -> Leads (Set: an array of
 * N numbers) -> Split Out (N items) -> the node under test, which sends one Send Link per item.
 *
 *   node throughput-workflow.js <id> <kwikid|http|http-batch|http-retry> <items> <sandboxUrl> [json-options]
 *
 * "kwikid" is the packed KwikID node with the imported credential; the "http" variants are n8n's
 * HTTP Request node (v4.2) posting the same body with the token in the `auth` header, as a user
 * would build it today: plain, with Batching (10 per batch), or with Retry On Fail (3 tries).
 * json-options (kwikid only) goes into the node's Options, e.g. {"maxConcurrency": 4}.
 */
const [id, kind, itemsText, sandbox, optionsText, token] = process.argv.slice(2);
const items = Number(itemsText);
if (!id || !kind || !(items > 0) || !sandbox) {
	console.error('usage: throughput-workflow.js <id> <kind> <items> <sandboxUrl> [json-options] [token]');
	process.exit(2);
}
const options = optionsText ? JSON.parse(optionsText) : {};
const USER_ID = "={{ 'LEAD-' + $json.ids }}";
const PHONE = "={{ '9' + String(800000000 + $json.ids) }}";

const start = { id: 'a0000000-0000-4000-8000-000000000001', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} };
const leads = {
	id: 'a0000000-0000-4000-8000-000000000002',
	name: 'Leads',
	type: 'n8n-nodes-base.set',
	typeVersion: 3.4,
	position: [200, 0],
	parameters: {
		mode: 'manual',
		assignments: {
			assignments: [
				{ id: 'a0000000-0000-4000-8000-0000000000a1', name: 'ids', value: `={{ Array.from({ length: ${items} }, (_, i) => i) }}`, type: 'array' },
			],
		},
		options: {},
	},
};
const split = {
	id: 'a0000000-0000-4000-8000-000000000003',
	name: 'Split Out',
	type: 'n8n-nodes-base.splitOut',
	typeVersion: 1,
	position: [400, 0],
	parameters: { fieldToSplitOut: 'ids', options: {} },
};

let subject;
if (kind === 'kwikid') {
	subject = {
		id: 'a0000000-0000-4000-8000-000000000004',
		name: 'Send',
		type: 'n8n-nodes-kwikid.kwikId',
		typeVersion: 1,
		position: [600, 0],
		parameters: { resource: 'session', operation: 'sendLink', userId: USER_ID, phoneNumber: PHONE, sendNotification: false, linkType: 'free', options },
		credentials: { kwikIdApi: { id: 'kwikidE2eCred01', name: 'KwikID sandbox (e2e)' } },
	};
} else {
	if (!token) {
		console.error('the http variants need the token as the 6th argument');
		process.exit(2);
	}
	subject = {
		id: 'a0000000-0000-4000-8000-000000000004',
		name: 'Send',
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [600, 0],
		parameters: {
			method: 'POST',
			url: `${sandbox}/agentapi/v1/agent/sendLink/`,
			sendHeaders: true,
			headerParameters: { parameters: [{ name: 'auth', value: token }] },
			sendBody: true,
			specifyBody: 'json',
			jsonBody:
				"={{ JSON.stringify({ user_id: 'LEAD-' + $json.ids, phone_number: '9' + String(800000000 + $json.ids), send_notification: 0, link_type: 'free' }) }}",
			options: kind === 'http-batch' ? { batching: { batch: { batchSize: 10, batchInterval: 0 } } } : {},
		},
		...(kind === 'http-retry' ? { retryOnFail: true, maxTries: 3, waitBetweenTries: 1000 } : {}),
	};
}

const workflow = {
	id,
	name: `throughput ${kind} ${items}`,
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [start, leads, split, subject],
	connections: {
		Start: { main: [[{ node: 'Leads', type: 'main', index: 0 }]] },
		Leads: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
		'Split Out': { main: [[{ node: 'Send', type: 'main', index: 0 }]] },
	},
};
process.stdout.write(`${JSON.stringify(workflow, null, 1)}\n`);
