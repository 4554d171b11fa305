// Latency of the KwikID Webhook Trigger in a real n8n, from the e2e run folder of
// webhook-bench.sh: for every decision (session -> when it was made, ms since epoch, in
// decisions.tsv) the start of the execution it caused, in the KwikID workflow and in the
// baseline workflow (n8n's own Webhook node on the same deliveries). Prints JSON.
//
//   node scripts/e2e/webhook-bench.js <database.sqlite> <decisions.tsv> <n8n install dir> <hook wf> <plain wf>
'use strict';

const { execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const path = require('node:path');

const [dbPath, decisionsPath, n8nDir, hookWf, plainWf] = process.argv.slice(2);
const flatted = require(require.resolve('flatted', { paths: [path.join(n8nDir, 'node_modules', 'n8n')] }));

const decided = new Map(
	readFileSync(decisionsPath, 'utf8')
		.trim()
		.split('\n')
		.map((line) => line.split('\t'))
		.map(([session, ms]) => [session, Number(ms)]),
);

function startsOf(workflowId, sessionOf) {
	const sql = `SELECT e.startedAt, d.data FROM execution_entity e JOIN execution_data d ON d.executionId = e.id
		WHERE e.workflowId = '${workflowId}' ORDER BY e.id`;
	const out = execFileSync('sqlite3', ['-readonly', '-json', dbPath, sql], { encoding: 'utf8', maxBuffer: 1 << 28 });
	const rows = out.trim() === '' ? [] : JSON.parse(out);
	const starts = new Map();
	for (const row of rows) {
		const data = flatted.parse(row.data);
		const first = Object.values(data.resultData.runData)[0]?.[0]?.data?.main?.[0]?.[0]?.json;
		const session = first && sessionOf(first);
		// n8n stores UTC without a zone.
		if (session) starts.set(session, Date.parse(`${String(row.startedAt).replace(' ', 'T')}Z`));
	}
	return starts;
}

function summary(starts) {
	const ms = [...decided].filter(([s]) => starts.has(s)).map(([s, at]) => starts.get(s) - at).sort((a, b) => a - b);
	const pick = (q) => ms[Math.min(ms.length - 1, Math.floor(q * (ms.length - 1)))];
	return { executions: ms.length, median: pick(0.5), p90: pick(0.9), worst: ms[ms.length - 1], best: ms[0] };
}

const hook = summary(startsOf(hookWf, (json) => json.session_id));
const plain = summary(startsOf(plainWf, (json) => json.body?.session_id));
process.stdout.write(`${JSON.stringify({ decisions: decided.size, kwikidWebhookTrigger: hook, n8nWebhookNode: plain })}\n`);
