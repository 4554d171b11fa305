// Summarises one workflow's executions from n8n's SQLite database, as JSON on stdout:
//   [{ id, status, mode, finished, error, nodes: { "<node name>": [<item json>, ...] } }, ...]
//
//   node scripts/e2e/executions.js <database.sqlite> <workflowId> <n8n install dir>
//
// Reads with the sqlite3 CLI (run it only once n8n is stopped, or accept a slightly stale view)
// and decodes the stored run data with n8n's own `flatted` (n8n stores executions flatted).
'use strict';

const { execFileSync } = require('node:child_process');
const path = require('node:path');

const { summariseExecution } = require('./run-data');

const [dbPath, workflowId, n8nDir] = process.argv.slice(2);
if (!dbPath || !workflowId || !n8nDir) {
	process.stderr.write('usage: executions.js <database.sqlite> <workflowId> <n8n install dir>\n');
	process.exit(2);
}
const flatted = require(require.resolve('flatted', { paths: [path.join(n8nDir, 'node_modules', 'n8n')] }));

const quoted = workflowId.replace(/'/g, "''");
const sql = `SELECT e.id, e.status, e.mode, e.finished, d.data
	FROM execution_entity e LEFT JOIN execution_data d ON d.executionId = e.id
	WHERE e.workflowId = '${quoted}' ORDER BY e.id`;
const out = execFileSync('sqlite3', ['-readonly', '-json', dbPath, sql], { encoding: 'utf8' });
const rows = out.trim() === '' ? [] : JSON.parse(out);

const summary = rows.map((row) => summariseExecution(row, flatted));
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
