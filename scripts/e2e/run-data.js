// One execution row of n8n's database as the e2e checks read it, whichever database held it
// (executions.js: SQLite; pg-executions.js: PostgreSQL). n8n stores run data flatted; `flatted`
// is n8n's own copy, passed in by the caller.
'use strict';

/** { id, status, mode, finished, [startedAt, stoppedAt,] error, nodes: { name: [item json] } } */
function summariseExecution(row, flatted) {
	const data = row.data ? flatted.parse(row.data) : null;
	const runData = data?.resultData?.runData ?? {};
	const nodes = {};
	for (const [name, runs] of Object.entries(runData)) {
		nodes[name] = runs.flatMap((run) => (run.data?.main?.[0] ?? []).map((item) => item.json));
	}
	return {
		id: row.id,
		status: row.status,
		mode: row.mode,
		finished: Boolean(row.finished),
		...(row.startedAt !== undefined ? { startedAt: row.startedAt, stoppedAt: row.stoppedAt } : {}),
		error: data?.resultData?.error?.message ?? null,
		nodes,
	};
}

module.exports = { summariseExecution };
