// The KwikID Trigger's reads in the sandbox's request log, grouped into polls (poll-budget.sh):
//
//   node scripts/e2e/poll-reads.js <requests.json> <watched ids, in list order, one per line>
//
// The first reads of the watched sessions, as many as there are, are the activation poll's. A
// later poll's reads come together (they start within its budget); polls are seconds apart, so a
// gap of more than GAP_MS between two reads starts a new poll. Prints JSON:
//   { polls: [{ reads, at, ids }], cycles: [...], repeats: [...] }
// where `repeats` lists every poll that read a session again before the cycle it was in had
// read every watched session once (the list must be read in turns, each session once a turn).
'use strict';

const fs = require('node:fs');

const GAP_MS = 1500;
const [logPath, idsPath] = process.argv.slice(2);
if (!logPath || !idsPath) {
	process.stderr.write('usage: poll-reads.js <requests.json> <ids file>\n');
	process.exit(2);
}
const watched = fs.readFileSync(idsPath, 'utf8').split('\n').filter(Boolean);
const position = new Map(watched.map((id, index) => [id, index]));
const log = JSON.parse(fs.readFileSync(logPath, 'utf8'));

const reads = log
	.filter((entry) => entry.endpoint === 'get_details')
	.map((entry) => ({ at: Date.parse(entry.at), id: watched.find((id) => entry.path.includes(id)) }))
	.filter((read) => read.id !== undefined)
	.sort((a, b) => a.at - b.at);

// The activation poll reads every session (no budget there); the scheduled polls follow.
if (reads.length === 0) {
	process.stdout.write(`${JSON.stringify({ polls: [], cycles: [], openCycle: { polls: [], distinct: 0 }, repeats: [] })}\n`);
	process.exit(0);
}
const polls = [{ at: reads[0]?.at, lastAt: reads[0]?.at, ids: reads.slice(0, watched.length).map((read) => read.id) }];
for (const read of reads.slice(watched.length)) {
	const last = polls[polls.length - 1];
	if (polls.length === 1 || read.at - last.lastAt > GAP_MS) polls.push({ at: read.at, lastAt: read.at, ids: [read.id] });
	else {
		last.ids.push(read.id);
		last.lastAt = read.at;
	}
}

// Cycles over the polls after the first (the activation poll, which reads everything).
const cycles = [];
const repeats = [];
let cycle = new Set();
let cyclePolls = [];
polls.slice(1).forEach((poll, index) => {
	const again = poll.ids.filter((id) => cycle.has(id));
	if (again.length > 0) {
		const union = new Set([...cycle, ...poll.ids]);
		// The cycle completed within this poll (it read the last sessions, then wrapped round).
		if (union.size < watched.length) repeats.push({ poll: index + 2, again: again.length, cycleHad: cycle.size });
		cycles.push({ polls: [...cyclePolls, index + 2], distinct: union.size });
		// The next cycle: what this poll read after wrapping round.
		cycle = new Set(again);
		cyclePolls = [index + 2];
		return;
	}
	poll.ids.forEach((id) => cycle.add(id));
	cyclePolls.push(index + 2);
});

process.stdout.write(
	`${JSON.stringify({
		polls: polls.map((poll) => ({
			reads: poll.ids.length,
			distinct: new Set(poll.ids).size,
			at: new Date(poll.at).toISOString(),
			from: position.get(poll.ids[0]),
			to: position.get(poll.ids[poll.ids.length - 1]),
		})),
		cycles,
		openCycle: { polls: cyclePolls, distinct: cycle.size },
		repeats,
	})}\n`,
);
