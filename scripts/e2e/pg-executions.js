// Summarises one workflow's executions from n8n's PostgreSQL database (queue mode), as JSON on
// stdout: the same shape as executions.js (SQLite), plus start and stop times:
//   [{ id, status, mode, finished, startedAt, stoppedAt, error, nodes: { "<node name>": [<item json>, ...] } }, ...]
//
//   node scripts/e2e/pg-executions.js <workflowId> <n8n install dir> [--no-data]
//
// Connects with psql through the PG* environment variables (PGHOST, PGPORT, PGUSER, PGDATABASE)
// and decodes the stored run data with n8n's own `flatted`. --no-data skips the run data
// (ids, statuses and times only).
'use strict';

const { execFileSync } = require('node:child_process');
const path = require('node:path');

const { summariseExecution } = require('./run-data');

const [workflowId, n8nDir, flag] = process.argv.slice(2);
if (!workflowId || !n8nDir) {
	process.stderr.write('usage: pg-executions.js <workflowId> <n8n install dir> [--no-data]\n');
	process.exit(2);
}
const withData = flag !== '--no-data';
const flatted = require(require.resolve('flatted', { paths: [path.join(n8nDir, 'node_modules', 'n8n')] }));

const quoted = workflowId.replace(/'/g, "''");
const sql = `SELECT coalesce(json_agg(t ORDER BY t.id), '[]') FROM (
	SELECT e.id::int AS id, e.status, e.mode, e.finished, e."startedAt", e."stoppedAt"${withData ? ', d.data' : ''}
	FROM execution_entity e LEFT JOIN execution_data d ON d."executionId" = e.id
	WHERE e."workflowId" = '${quoted}') t`;
const out = execFileSync('psql', ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
	encoding: 'utf8',
	maxBuffer: 1024 * 1024 * 1024,
});
const rows = JSON.parse(out.trim() || '[]');

const summary = rows.map((row) => summariseExecution(row, flatted));
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
