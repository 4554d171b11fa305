#!/usr/bin/env bash
# The packed package in n8n's queue mode: one main and two workers sharing Redis and PostgreSQL,
# against the local KwikID sandbox. See scripts/e2e/README.md ("Queue mode").
#
#   bash scripts/e2e/queue.sh               the check (CI): webhook batches, token expiry on both
#                                           workers, the trigger on main, a worker killed mid-run
#   bash scripts/e2e/queue.sh throughput    1 worker vs 2 workers on the same 1,000 leads, and
#                                           429s under an account rate limit (not in CI)
#
# n8n 2.41.1 only (on Node 24, see install-n8n.sh). Redis, PostgreSQL (15 on Debian 12, 16 on
# Ubuntu 24.04) and jq come from the distribution's packages (apt-get, first run only), run on
# free loopback ports with throwaway data dirs, and are stopped with everything else on exit,
# also on failure.
#
# Environment: KWIKID_E2E_CACHE (n8n installs), KWIKID_E2E_KEEP=1 (keep the run folder),
#              KWIKID_QUEUE_CONCURRENCY (worker --concurrency, default 5),
#              KWIKID_QUEUE_REPEATS (throughput: rounds of 1 worker / 2 workers, default 2).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
T0=$SECONDS
LINE_TAG=queue

MODE="${1:-check}"
CONCURRENCY="${KWIKID_QUEUE_CONCURRENCY:-5}"
REPEATS="${KWIKID_QUEUE_REPEATS:-2}"
WF_BATCH=kwikidQueueBatch1
WF_SLOW=kwikidQueueSlow01
WF_TRIGGER=kwikidE2eTrigger
WF_HOOK=kwikidQueueHook01
HOOK_SECRET="Bearer queue-$(node -e 'console.log(require("crypto").randomBytes(18).toString("hex"))')"
HOOK_BATCH=kwikid-queue-batch
HOOK_SLOW=kwikid-queue-slow
POLL_TIMEOUT=80 # seconds to wait for one poll (the trigger polls every minute)

# --------------------------------------------------------------------- n8n processes

declare -A PID=()     # n8n process per name: main, worker1, worker2
declare -A PORTS=()   # its HTTP port (main: editor + webhooks; workers: health server)
declare -A SPAWNED=() # pids of children n8n started (the task runner), to stop them too

# n8n_proc <name> <args...>: one n8n process with its own user folder, as on its own host; all
# share the database, Redis and the encryption key. Not through n8n(): $! must be n8n's own pid.
n8n_proc() {
	local name=$1
	shift
	PORTS[$name]="$(free_port)"
	N8N_USER_FOLDER="$RUN/$name" N8N_PORT="${PORTS[$name]}" QUEUE_HEALTH_CHECK_PORT="${PORTS[$name]}" \
		N8N_RUNNERS_BROKER_PORT="$(free_port)" PATH="$(dirname "$NODE_BIN"):$PATH" \
		"$NODE_BIN" "$N8N_JS" "$@" >>"$RUN/$name.log" 2>&1 &
	PID[$name]=$!
}

# wait_log <name> <pattern> <seconds>: until the process's log shows the pattern.
wait_log() {
	local name=$1 pattern=$2 limit=$3 waited=0
	until grep -q "$pattern" "$RUN/$name.log" 2>/dev/null; do
		kill -0 "${PID[$name]}" 2>/dev/null || die "$name exited: $(tail -n 20 "$RUN/$name.log")"
		((waited < limit * 2)) || die "$name: no '$pattern' within ${limit}s (see $RUN/$name.log)"
		sleep 0.5
		waited=$((waited + 1))
	done
}

start_main() {
	n8n_proc main start
	wait_log main 'Editor is now accessible' 120
	curl -fs "http://127.0.0.1:${PORTS[main]}/healthz/readiness" >/dev/null || die "main is not ready"
	SPAWNED[main]="$(pgrep -P "${PID[main]}" | tr '\n' ' ' || true)"
	log "main on 127.0.0.1:${PORTS[main]} (pid ${PID[main]})"
}

# count_in <pattern> <file>: lines of the file with the pattern (0 when there is no file yet).
count_in() {
	local n
	n="$(grep -c "$1" "$2" 2>/dev/null)" || true
	echo "${n:-0}"
}

# start_worker <name>...: `n8n worker --concurrency=$CONCURRENCY` for each, started together,
# then waits until each takes jobs.
start_worker() {
	local name
	declare -A from=()
	for name in "$@"; do
		from[$name]="$(count_in 'n8n worker is now ready' "$RUN/$name.log")"
		n8n_proc "$name" worker --concurrency="$CONCURRENCY"
	done
	for name in "$@"; do
		local waited=0
		while (($(count_in 'n8n worker is now ready' "$RUN/$name.log") <= from[$name])); do
			kill -0 "${PID[$name]}" 2>/dev/null || die "$name exited: $(tail -n 20 "$RUN/$name.log")"
			((waited < 240)) || die "$name did not get ready (see $RUN/$name.log)"
			sleep 0.5
			waited=$((waited + 1))
		done
		SPAWNED[$name]="$(pgrep -P "${PID[$name]}" | tr '\n' ' ' || true)"
		log "$name ready, --concurrency=$CONCURRENCY (pid ${PID[$name]})"
	done
}

# stop_proc <name> [KILL]: SIGTERM (n8n finishes or hands back its jobs) or SIGKILL; then the
# children it spawned, which a killed n8n leaves behind.
stop_proc() {
	local name=$1 signal=${2:-TERM} pid=${PID[$1]:-}
	[[ -n "$pid" ]] || return 0
	kill "-$signal" "$pid" 2>/dev/null || true
	for _ in $(seq 1 80); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.5
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	local child
	for child in ${SPAWNED[$name]:-}; do kill -KILL "$child" 2>/dev/null || true; done
	PID[$name]=""
	SPAWNED[$name]=""
}

teardown() {
	local rc=$?
	set +e
	for name in worker1 worker2 main; do stop_proc "$name"; done
	if [[ -n "$SANDBOX_PID" ]]; then
		kill "$SANDBOX_PID" 2>/dev/null
		wait "$SANDBOX_PID" 2>/dev/null
	fi
	stop_redis
	stop_postgres
	[[ -z "$PACK_DIR" ]] || rm -rf "$PACK_DIR"
	if [[ -n "${RUN:-}" ]]; then
		if [[ $rc -eq 0 && "${KWIKID_E2E_KEEP:-}" != 1 ]]; then rm -rf "$RUN"; else log "kept $RUN"; fi
	fi
	exit "$rc"
}

# ----------------------------------------------------------------------------- sandbox

# A long request log: the token-expiry scenario reads which leads met a 401.
sandbox_up() { start_sandbox --log-limit 200000; }
faults() { curl -fs -X POST "$SANDBOX/__sandbox/faults" -d "$1" >/dev/null || die "could not set faults $1"; }
stats() { curl -fs "$SANDBOX/__sandbox/stats"; }
# sessions_json: every session's user_id, as a JSON array.
sessions_json() { curl -fs "$SANDBOX/__sandbox/sessions" | jq -c '(if type == "array" then . else .sessions end) | map(.user_id)'; }

# ------------------------------------------------------------------------ executions

# executions <workflow id> [--no-data]: that workflow's executions from Postgres (pg-executions.js).
executions() { node "$HERE/pg-executions.js" "$1" "$CACHE/n8n-$N8N_VERSION" "${2:-}"; }
max_execution_id() { psql -X -A -t -q -c "SELECT coalesce(max(id), 0) FROM execution_entity"; }
# finished_since <after id> <workflow>: executions of the workflow after the id that ended.
finished_since() {
	psql -X -A -t -q -c "SELECT count(*) FROM execution_entity WHERE id > $1 AND \"workflowId\" = '$2'
		AND status NOT IN ('new', 'running', 'waiting')"
}
# worker_of <execution id>: the worker whose log says it started the execution ("-" if none).
worker_of() {
	local name
	for name in worker1 worker2; do
		grep -q "Worker started execution $1 (" "$RUN/$name.log" 2>/dev/null && {
			echo "$name"
			return
		}
	done
	echo -
}

BATCH_SEQ=0
# fire <webhook path> <batches> <items>: POSTs to the production webhook, one execution each.
# Sets BATCHES to the batch numbers used.
fire() {
	local hook=$1 count=$2 items=$3 b
	BATCHES=()
	for ((b = 0; b < count; b++)); do
		BATCH_SEQ=$((BATCH_SEQ + 1))
		BATCHES+=("$BATCH_SEQ")
		curl -fs -X POST "http://127.0.0.1:${PORTS[main]}/webhook/$hook" -H 'content-type: application/json' \
			-d "{\"batch\":$BATCH_SEQ,\"count\":$items}" >/dev/null || die "webhook $hook refused batch $BATCH_SEQ"
	done
}

# wait_finished <after id> <workflow> <count> <seconds>
wait_finished() {
	local after=$1 wf=$2 want=$3 limit=$4 waited=0 done_
	while done_="$(finished_since "$after" "$wf")" && ((done_ < want)); do
		((waited < limit)) || die "only $done_ of $want executions of $wf ended within ${limit}s"
		sleep 1
		waited=$((waited + 1))
	done
}

# lead_report <batches...>: for the given batch numbers, JSON {sessions, leads, duplicated}
# from the sandbox's sessions (a lead is B<batch>I<index>; the E<execution> suffix is dropped).
lead_report() {
	sessions_json | jq -c --argjson batches "$(printf '%s\n' "$@" | jq -s 'map(tostring)')" '
		map(select(test("^B[0-9]+I[0-9]+E")) | capture("^B(?<b>[0-9]+)I(?<i>[0-9]+)E(?<e>[0-9]+)$"))
		| map(select(.b as $b | $batches | index($b)))
		| {sessions: length, leads: (map(.b + "/" + .i) | unique | length),
		   duplicated: (group_by(.b + "/" + .i) | map(select(length > 1) | .[0].b + "/" + .[0].i))}'
}

# ------------------------------------------------------------------------------ set-up

setup() {
	ensure_debian_packages
	for tool in node npm jq curl tar psql redis-server redis-cli; do need "$tool"; done
	build_and_pack
	select_line 2
	log "n8n $N8N_VERSION on Node $("$NODE_BIN" -v), queue mode: main + workers, worker --concurrency=$CONCURRENCY"
	RUN="$(mktemp -d /tmp/kwikid-queue.XXXXXX)"
	trap teardown EXIT
	log "run folder $RUN"

	export N8N_EXPRESSION_ENGINE=legacy N8N_RUNNERS_ENABLED=false N8N_DIAGNOSTICS_ENABLED=false
	export N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS=false N8N_LISTEN_ADDRESS=127.0.0.1
	export N8N_VERSION_NOTIFICATIONS_ENABLED=false N8N_TEMPLATES_ENABLED=false N8N_PERSONALIZATION_ENABLED=false
	export GENERIC_TIMEZONE=UTC
	# One key for all three, as n8n requires in queue mode: credentials are decrypted by workers.
	export N8N_ENCRYPTION_KEY="$(node -e 'console.log(require("crypto").randomBytes(24).toString("hex"))')"
	export EXECUTIONS_MODE=queue QUEUE_BULL_REDIS_HOST=127.0.0.1
	export DB_TYPE=postgresdb DB_POSTGRESDB_HOST=127.0.0.1 DB_POSTGRESDB_DATABASE=n8n
	export DB_POSTGRESDB_USER=postgres DB_POSTGRESDB_PASSWORD=unused DB_POSTGRESDB_POOL_SIZE=10
	# A dead worker's job is detected sooner than with the defaults (lock 60 s, check every 30 s);
	# the leader main's sweep for executions left running without a job runs every minute, not 3 h.
	export QUEUE_WORKER_LOCK_DURATION=15000 QUEUE_WORKER_LOCK_RENEW_TIME=3000 QUEUE_WORKER_STALLED_INTERVAL=5000
	export N8N_EXECUTIONS_QUEUE_RECOVERY_INTERVAL=1
	export QUEUE_HEALTH_CHECK_ACTIVE=true N8N_METRICS=false

	start_postgres
	start_redis "$RUN/redis"
	export QUEUE_BULL_REDIS_PORT="$REDIS_PORT" DB_POSTGRESDB_PORT="$PGPORT"
	local name
	for name in main worker1 worker2; do
		N8N_USER_FOLDER="$RUN/$name" install_package >/dev/null
	done
	ok "installed the packed package for main, worker1 and worker2 (one user folder each, the way n8n does)"
	sandbox_up

	# The CLI runs as the main host (its user folder); it creates the schema on first use.
	export N8N_USER_FOLDER="$RUN/main"
	fill "$FIXTURES/credential.json" "$RUN/credential.json" --arg url "$SANDBOX" '.[0].data.domain = $url'
	n8n import:credentials --input="$RUN/credential.json" >>"$RUN/n8n-cli.log" 2>&1 || die "import:credentials failed (see $RUN/n8n-cli.log)"
	node "$HERE/queue-workflow.js" "$WF_BATCH" "$HOOK_BATCH" >"$RUN/batch.json"
	# Slow enough to be killed in the middle: 2 requests at a time at the sandbox's latency.
	node "$HERE/queue-workflow.js" "$WF_SLOW" "$HOOK_SLOW" '{"maxConcurrency":2}' >"$RUN/slow.json"
	local wf
	for wf in batch slow; do
		n8n import:workflow --input="$RUN/$wf.json" >>"$RUN/n8n-cli.log" 2>&1 || die "import:workflow $wf failed"
	done
	activate_workflow "$WF_BATCH"
	activate_workflow "$WF_SLOW"
	[[ "$MODE" == check ]] || return 0

	# The trigger watches three sessions; published now, main activates it when it starts.
	local ids
	ids="$(curl -fs -X POST "$SANDBOX/__sandbox/sessions" -d '{"count":3,"user_id":"queue-trigger"}' | jq -r '[.sessions[].session_id] | join(", ")')"
	read -r TRIGGER_S1 TRIGGER_S2 TRIGGER_S3 <<<"${ids//,/}"
	fill "$FIXTURES/trigger-noop.json" "$RUN/trigger.json" \
		--arg ids "$ids" '(.nodes[] | select(.type | endswith("kwikIdTrigger")) | .parameters.sessionIds) = $ids'
	n8n import:workflow --input="$RUN/trigger.json" >>"$RUN/n8n-cli.log" 2>&1 || die "import:workflow (trigger) failed"
	activate_workflow "$WF_TRIGGER"

	# The webhook trigger example with its secret; main receives its calls.
	fill "$FIXTURES/webhook-credential.json" "$RUN/webhook-credential.json" --arg s "$HOOK_SECRET" '.[0].data.secret = $s'
	n8n import:credentials --input="$RUN/webhook-credential.json" >>"$RUN/n8n-cli.log" 2>&1 || die "import:credentials (webhook secret) failed"
	fill "$REPO/examples/webhook-trigger-switch-on-outcome.json" "$RUN/hook.json" --arg id "$WF_HOOK" \
		'.id = $id | .settings += {saveDataSuccessExecution: "all", saveDataErrorExecution: "all"}'
	n8n import:workflow --input="$RUN/hook.json" >>"$RUN/n8n-cli.log" 2>&1 || die "import:workflow (webhook trigger) failed"
	activate_workflow "$WF_HOOK"
}

start_cluster() {
	start_main
	start_worker worker1 worker2
}

# --------------------------------------------------------------------- the trigger on main

# wait_for_poll <reads>: until the trigger has read <reads> more sessions than at the last call
# (one poll), then lets its execution be queued and run.
READS=0
wait_for_poll() {
	local want=$((READS + $1)) waited=0 now
	while now="$(counter get_details)" && ((now < want)); do
		((waited < POLL_TIMEOUT)) || die "no poll within ${POLL_TIMEOUT}s (get_details $now, wanted $want); see $RUN/main.log"
		sleep 1
		waited=$((waited + 1))
	done
	sleep 4
	READS="$(counter get_details)"
	((READS == want)) || die "the trigger read $((READS - want + $1)) sessions in one poll, expected $1 (more than one poller?)"
	POLLS_SEEN+=("$1")
}

# The KwikID Trigger is published before main starts, so main activates it (its first poll
# records the statuses and emits nothing). Then two changes of status, one poll each.
scenario_trigger() {
	local ids s1 s2 s3 after
	POLLS_SEEN=()
	# The activation poll (and a minute's poll, if one came while the workers started): no change yet.
	READS=0
	local waited=0
	while (($(counter get_details) < 3)); do
		((waited < POLL_TIMEOUT)) || die "the trigger did not poll at activation; see $RUN/main.log"
		sleep 1
		waited=$((waited + 1))
	done
	sleep 2
	READS="$(counter get_details)"
	((READS % 3 == 0)) || die "the trigger read $READS sessions before any change, not a multiple of 3"
	POLLS_SEEN+=("$READS")
	after="$(max_execution_id)"
	s1="$TRIGGER_S1" s2="$TRIGGER_S2" s3="$TRIGGER_S3"
	set_status "$s1" agent_alloted
	log "trigger: activation poll read the 3 sessions; $s1 -> agent_alloted"
	wait_for_poll 3
	set_status "$s1" kyc_result_approved
	set_status "$s2" kyc_result_rejected
	set_status "$s3" kyc_result_approved
	log "trigger: poll 2 done; $s1 -> kyc_result_approved, $s2 -> kyc_result_rejected, $s3 -> kyc_result_approved"
	wait_for_poll 3
	wait_finished "$after" "$WF_TRIGGER" 2 60
	sleep 2
	executions "$WF_TRIGGER" >"$RUN/trigger-executions.json"
	local summary expected
	summary="$(jq -c '[.[] | {status, mode, items: [(.nodes["KwikID Trigger"] // [])[] | [.session_id, .previous_status, .status]] | sort, noop: ((.nodes["No Operation"] // []) | length)}]' \
		"$RUN/trigger-executions.json")"
	expected="$(jq -nc --arg s1 "$s1" --arg s2 "$s2" --arg s3 "$s3" '[
		{status: "success", mode: "trigger", items: [[$s1, "waiting", "agent_alloted"]], noop: 1},
		{status: "success", mode: "trigger", items: ([[$s1, "agent_alloted", "kyc_result_approved"], [$s2, "waiting", "kyc_result_rejected"], [$s3, "waiting", "kyc_result_approved"]] | sort), noop: 3}
	]')"
	[[ "$summary" == "$expected" ]] || {
		log "expected: $expected"
		log "got:      $summary"
		die "trigger executions do not match the status changes made"
	}
	local where=() id
	for id in $(jq -r '.[].id' "$RUN/trigger-executions.json"); do where+=("$id:$(worker_of "$id")"); done
	[[ "${where[*]}" != *:-* ]] || die "a trigger execution ran on no worker (execution:worker ${where[*]})"
	ok "3. trigger on main: ${POLLS_SEEN[0]} session reads before any change (the activation poll, plus a minute tick if one came while the workers started), then 3 per poll (one poller, workers never poll), 2 executions with 1 + 3 items = one per status change (4 changes), each emitted once; run on workers (execution:worker ${where[*]})"
}

# ------------------------------------------------------ webhook batches and token expiry

# by_worker <executions json file>: {"worker1": n, "worker2": m} over its executions.
by_worker() {
	local id
	for id in $(jq -r '.[].id' "$1"); do worker_of "$id"; done | sort | uniq -c | awk '{printf "%s%s:%s", (NR > 1 ? " " : ""), $2, $1}'
}

# 20 executions of 50 Send Link items through the production webhook, on two workers, with the
# token revoked by the sandbox in the middle of the run (expireTokensEvery: at the 700th API
# call, while both workers have requests in flight).
scenario_batches() {
	local batches=20 items=50 every=700
	curl -fs -X POST "$SANDBOX/__sandbox/reset" >/dev/null
	# Warm-up: the imported credential holds no token yet; one execution logs in, n8n stores it.
	local after t0 t1
	t0="$(counter generate_token)"
	after="$(max_execution_id)"
	fire "$HOOK_BATCH" 1 1
	wait_finished "$after" "$WF_BATCH" 1 90
	t1="$(counter generate_token)"
	log "warm-up: 1 execution of 1 item, generate_token $t0 -> $t1 (from here on a token is stored in the credential, in Postgres)"

	faults "{\"latencyMs\":20,\"expireTokensEvery\":$every}"
	local s0 s1
	s0="$(stats)"
	after="$(max_execution_id)"
	fire "$HOOK_BATCH" "$batches" "$items"
	local mine=("${BATCHES[@]}")
	log "fired $batches webhook calls (batches ${mine[0]}..${mine[-1]}, $items leads each)"
	wait_finished "$after" "$WF_BATCH" "$batches" 300
	s1="$(stats)"
	executions "$WF_BATCH" | jq --argjson after "$after" '[.[] | select(.id > $after)]' >"$RUN/batches.json"

	local statuses spread leads logins expiries unauthorized failed_rows
	statuses="$(jq -c 'group_by(.status) | map({key: .[0].status, value: length}) | from_entries' "$RUN/batches.json")"
	spread="$(by_worker "$RUN/batches.json")"
	leads="$(lead_report "${mine[@]}")"
	logins=$(($(jq '.requests.generate_token' <<<"$s1") - $(jq '.requests.generate_token' <<<"$s0")))
	expiries=$(($(jq '.tokenExpiries' <<<"$s1") - $(jq '.tokenExpiries' <<<"$s0")))
	unauthorized=$(($(jq '.statusCodes["401"] // 0' <<<"$s1") - $(jq '.statusCodes["401"] // 0' <<<"$s0")))
	failed_rows="$(jq '[.[] | (.nodes["Send Link"] // [])[] | select(.error != null)] | length' "$RUN/batches.json")"
	log "executions $statuses by worker {$spread}; sessions/leads $leads; logins $logins; token expiries $expiries; 401 answers $unauthorized"

	[[ "$(jq -r '.success // 0' <<<"$statuses")" == "$batches" ]] || die "batches: not all $batches executions succeeded: $statuses ($(jq -r '[.[] | select(.status != "success") | .error] | unique | join("; ")' "$RUN/batches.json"))"
	[[ "$(jq '[.[] | (.nodes["Send Link"] // []) | length] | add' "$RUN/batches.json")" == $((batches * items)) && $failed_rows == 0 ]] ||
		die "batches: Send Link did not output $((batches * items)) items without error ($failed_rows error rows)"
	[[ "$spread" == *worker1:* && "$spread" == *worker2:* && "$spread" != *-:* ]] || die "batches: executions not spread over both workers ($spread)"
	[[ "$(jq -c . <<<"$leads")" == "{\"sessions\":$((batches * items)),\"leads\":$((batches * items)),\"duplicated\":[]}" ]] ||
		die "batches: every lead must have exactly one session: $leads"
	((expiries >= 1 && unauthorized >= 1)) || die "batches: the sandbox never expired the token mid-run (expiries $expiries, 401s $unauthorized)"

	# Which workers met the revoked token: the sandbox's request log names the lead of every
	# 401'd Send Link; the lead's E<execution> names the execution, its worker log the worker.
	curl -fs "$SANDBOX/__sandbox/requests" >"$RUN/requests.json"
	local met_ids met met_count
	met_ids="$(jq -r --argjson from "${mine[0]}" --argjson to "${mine[-1]}" '
		.[] | select(.endpoint == "sendLink" and .status == 401 and (.userId // "" | test("^B[0-9]+I[0-9]+E[0-9]+$")))
		| .userId | capture("^B(?<b>[0-9]+)I[0-9]+E(?<e>[0-9]+)$") | select((.b | tonumber) >= $from and (.b | tonumber) <= $to) | .e' \
		"$RUN/requests.json" | sort -u)"
	met_count="$(wc -w <<<"$met_ids")"
	met="$(for id in $met_ids; do worker_of "$id"; done | sort | uniq -c | awk '{printf "%s%s:%s", (NR > 1 ? " " : ""), $2, $1}')"
	log "executions that met the revoked token, by worker: {$met}; login times vs 401s: $(jq -c '[.[] | select(.endpoint == "generate_token") | .at[11:23]] as $l
		| [.[] | select(.status == 401) | .at[11:23]] as $u | {logins: $l, first401: ($u | min), last401: ($u | max)}' "$RUN/requests.json")"
	# The package's bound: executions of one process share a login (a renewal running in the
	# process, or a token another worker already stored), so one expiry costs at most one login
	# per worker.
	ok "1. $batches webhook executions x $items Send Link: all success, by worker {$spread}, $((batches * items)) sessions for $((batches * items)) leads (none twice), 0 failed items; token revoked $expiries time(s) mid-run, $unauthorized requests answered 401"
	[[ "$met" == *worker1:* && "$met" == *worker2:* ]] ||
		die "2. the token expiry was not met by both workers at once (executions with a 401, by worker: {$met})"
	((logins >= 1 && logins <= 2 * expiries)) ||
		die "2. token expiry met by both workers at once ({$met}): $logins logins for $expiries expiry(ies), more than one per worker"
	ok "2. token expiry met by both workers at once ({$met}, $met_count executions): $logins login(s) for $expiries expiry(ies), within one per worker"

	# The credential ends with a valid token: one more execution logs in no more and meets no 401.
	# The sandbox merges fault settings, so the revocation is switched off by name: left on, the
	# check's own requests can reach the next multiple of $every (1 + 1,000 + the 401'd retries
	# + 5 = 1,400 in one CI run) and revoke the token in the middle of the check.
	faults '{"latencyMs":0,"expireTokensEvery":0}'
	local s2 s3
	s2="$(stats)"
	after="$(max_execution_id)"
	fire "$HOOK_BATCH" 1 5
	wait_finished "$after" "$WF_BATCH" 1 90
	s3="$(stats)"
	local more_logins more_401 last
	more_logins=$(($(jq '.requests.generate_token' <<<"$s3") - $(jq '.requests.generate_token' <<<"$s2")))
	more_401=$(($(jq '.statusCodes["401"] // 0' <<<"$s3") - $(jq '.statusCodes["401"] // 0' <<<"$s2")))
	last="$(executions "$WF_BATCH" --no-data | jq -r --argjson after "$after" '[.[] | select(.id > $after)][0].status')"
	[[ "$last" == success && $more_logins == 0 && $more_401 == 0 ]] ||
		die "2. after the expiry the credential's stored token is not valid (next execution $last, $more_logins logins, $more_401 401s)"
	ok "2. after the expiry the credential holds a valid token: the next execution made 0 logins and met 0 401s"
	LOGINS_BATCHES=$logins
}

# ------------------------------------------------------------- a worker killed mid-run

# One execution of 300 leads, 2 requests at a time at 50 ms: the worker running it gets
# `kill -9` after about 30 sessions. n8n does not run the job again (its Bull queue allows a
# job to stall 0 times); main records the execution as failed once the job's lock expires.
scenario_kill() {
	local items=300 after id="" victim waited=0
	faults '{"latencyMs":50}'
	local c0
	c0="$(counter sendLink)"
	after="$(max_execution_id)"
	fire "$HOOK_SLOW" 1 "$items"
	local batch=${BATCHES[0]}
	while (($(counter sendLink) < c0 + 30)); do
		((waited < 120)) || die "kill: the slow execution did not start sending within 60s"
		sleep 0.5
		waited=$((waited + 1))
	done
	id="$(psql -X -A -t -q -c "SELECT max(id) FROM execution_entity WHERE id > $after AND \"workflowId\" = '$WF_SLOW'")"
	victim="$(worker_of "$id")"
	[[ "$victim" == worker* ]] || die "kill: execution $id is on no known worker"
	stop_proc "$victim" KILL
	local at_kill
	at_kill=$(($(counter sendLink) - c0))
	log "kill -9 $victim while it ran execution $id ($at_kill of $items Send Link requests made)"

	local status="" waited=0
	while status="$(psql -X -A -t -q -c "SELECT status FROM execution_entity WHERE id = $id")" && [[ "$status" == running || "$status" == new ]]; do
		((waited < 150)) || die "kill: execution $id still '$status' ${waited}s after its worker died"
		sleep 1
		waited=$((waited + 1))
	done
	local marked_after=$waited
	sleep 15 # would anything pick the job up again?
	local later leads error
	later=$(($(counter sendLink) - c0))
	leads="$(lead_report "$batch")"
	executions "$WF_SLOW" | jq --argjson id "$id" '[.[] | select(.id == $id)]' >"$RUN/killed.json"
	error="$(jq -r '.[0].error // "none"' "$RUN/killed.json")"
	log "execution $id: status '$status' ${marked_after}s after the kill, error: $error; Send Link items in its stored run data: $(jq '[.[0].nodes["Send Link"] // [] | length] | add' "$RUN/killed.json")"
	log "sandbox: $later Send Link requests for this execution (at the kill: $at_kill), sessions/leads $leads"
	[[ "$status" == crashed || "$status" == error ]] || die "kill: execution $id ended '$status', expected crashed or error"
	((later <= at_kill + 2)) || die "kill: $((later - at_kill)) Send Link requests after the kill (only the 2 in flight may still land): someone resumed the execution"
	[[ "$(jq -c .duplicated <<<"$leads")" == "[]" ]] || die "kill: a lead got two sessions: $leads"
	(($(jq .sessions <<<"$leads") < items)) || die "kill: all $items leads were sent although the worker died"
	local runs
	runs=$(($(count_in "Worker started execution $id (" "$RUN/worker1.log") + $(count_in "Worker started execution $id (" "$RUN/worker2.log")))
	[[ "$runs" == 1 ]] || die "kill: execution $id was started $runs times"
	ok "4. kill -9 of $victim mid-execution: n8n marked execution $id '$status' after ${marked_after}s and did not run it again (started once, $later requests, none after the kill); $(jq .sessions <<<"$leads") of $items leads have a session, none twice; the other $((items - $(jq .sessions <<<"$leads"))) were never sent"
	start_worker "$victim"
	VICTIM=$victim
}

# ------------------------------------------------------------------ throughput (not in CI)

# span_ms <executions json file>: first start to last stop over its executions, in ms.
span_ms() {
	node -e 'const e = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
		const t = (k, f) => f(...e.map((x) => Date.parse(x[k])));
		console.log(t("stoppedAt", Math.max) - t("startedAt", Math.min));' "$1"
}

TP_ROWS=()
# tp_round <workers> <label> <faults json>: 20 webhook executions x 50 leads (the same 1,000 leads
# every round, new sessions each time), with 1 or 2 workers running.
tp_round() {
	local workers=$1 label=$2 faults_json=$3
	if ((workers == 2)) && [[ -z "${PID[worker2]:-}" ]]; then start_worker worker2; fi
	if ((workers == 1)) && [[ -n "${PID[worker2]:-}" ]]; then
		stop_proc worker2
		log "worker2 stopped"
	fi
	curl -fs -X POST "$SANDBOX/__sandbox/reset" >/dev/null
	faults "$faults_json"
	local after s1
	after="$(max_execution_id)"
	BATCH_SEQ=0 # the same leads every round
	fire "$HOOK_BATCH" 20 50
	wait_finished "$after" "$WF_BATCH" 20 600
	s1="$(stats)"
	executions "$WF_BATCH" --no-data | jq --argjson after "$after" '[.[] | select(.id > $after)]' >"$RUN/tp.json"
	local ms ok_count spread sessions r429 logins inflight
	ms="$(span_ms "$RUN/tp.json")"
	ok_count="$(jq '[.[] | select(.status == "success")] | length' "$RUN/tp.json")"
	spread="$(by_worker "$RUN/tp.json")"
	sessions="$(sessions_json | jq 'length')"
	r429="$(jq '.statusCodes["429"] // 0' <<<"$s1")"
	logins="$(jq '.requests.generate_token' <<<"$s1")"
	inflight="$(jq '.maxInFlightByEndpoint.sendLink' <<<"$s1")"
	TP_ROWS+=("$label|$workers|$ms|$ok_count|$sessions|$r429|$logins|$inflight|$spread")
	log "$label, $workers worker(s): ${ms} ms, $ok_count/20 executions ok, $sessions sessions, 429s $r429, logins $logins, max in flight $inflight, by worker {$spread}, load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
}

tp_table() {
	printf '\n### n8n %s queue mode, 20 webhook executions x 50 leads, worker --concurrency=%s, node defaults\n\n' "$N8N_VERSION" "$CONCURRENCY"
	printf '| scenario | workers | ms (each round) | median ms | items/s | vs 1 worker | executions ok | sessions | 429 answers | max in flight |\n'
	printf '| --- | ---: | --- | ---: | ---: | ---: | --- | --- | --- | --- |\n'
	local label workers base
	for label in "${TP_LABELS[@]}"; do
		base=""
		for workers in 1 2; do
			local rows=() row ms_list=() oks=() sess=() r429s=() infl=() median rate
			for row in "${TP_ROWS[@]}"; do
				IFS='|' read -r l w ms okc s r lg inf sp <<<"$row"
				[[ "$l" == "$label" && "$w" == "$workers" ]] || continue
				ms_list+=("$ms") oks+=("$okc") sess+=("$s") r429s+=("$r") infl+=("$inf")
			done
			((${#ms_list[@]})) || continue
			median="$(printf '%s\n' "${ms_list[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')"
			rate="$(awk -v ms="$median" 'BEGIN { printf "%.0f", 1000 / (ms / 1000) }')"
			[[ -n "$base" ]] || base=$median
			printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$workers" "${ms_list[*]}" "$median" "$rate" \
				"$(awk -v b="$base" -v m="$median" 'BEGIN { printf "%.2fx", b / m }')" "${oks[*]}" "${sess[*]}" "${r429s[*]}" "${infl[*]}"
		done
	done
}

throughput() {
	setup
	start_main
	start_worker worker1
	# The credential holds no token yet: one execution logs in first, so no round pays for it.
	local after
	after="$(max_execution_id)"
	BATCH_SEQ=1000
	fire "$HOOK_BATCH" 1 1
	wait_finished "$after" "$WF_BATCH" 1 90
	# The account limit: a token bucket of 20 requests refilled at 100 per second, below what one
	# worker sends at 20 ms; each worker's rate-limit gate learns it on its own.
	TP_LABELS=("20 ms" "20 ms, limit 100/s")
	local -A spec=(["20 ms"]='{"latencyMs":20}' ["20 ms, limit 100/s"]='{"latencyMs":20,"rateLimit":{"capacity":20,"refillPerSec":100}}')
	local r order w label
	for ((r = 1; r <= REPEATS; r++)); do
		# 1 2 then 2 1: each configuration is measured early and late in the run.
		if ((r % 2)); then order=(1 2); else order=(2 1); fi
		for w in "${order[@]}"; do
			for label in "${TP_LABELS[@]}"; do tp_round "$w" "$label" "${spec[$label]}"; done
		done
	done
	tp_table
	ok "throughput done in $((SECONDS - T0))s"
}

# ------------------------------------------------------------ the webhook trigger on main

# KwikID-like webhook calls (the sandbox's sender) reach main's production URL; main checks and
# verifies them, the executions run on the workers. A call without the secret starts none.
scenario_webhook_trigger() {
	local url after ids code
	url="http://127.0.0.1:${PORTS[main]}/webhook/$(jq -r '.nodes[0].webhookId' "$RUN/hook.json")/kwikid"
	after="$(max_execution_id)"
	code="$(curl -s -o /dev/null -w '%{http_code}' -X POST "$url" -H 'content-type: application/json' -d '{"event":"Maker Approved","session_id":"x-1"}')"
	[[ "$code" == 401 ]] || die "webhook trigger: a call without the secret answered $code, expected 401"
	curl -fs -X POST "$SANDBOX/__sandbox/webhooks" -d "$(jq -nc --arg u "$url" --arg s "$HOOK_SECRET" '{url: $u, headers: {Authorization: $s}, shape: "rotate"}')" >/dev/null ||
		die "could not subscribe the webhook trigger"
	mapfile -t ids < <(curl -fs -X POST "$SANDBOX/__sandbox/sessions" -d '{"count":4,"user_id":"queue-hook"}' | jq -r '.sessions[].session_id')
	set_status "${ids[0]}" kyc_result_approved
	set_status "${ids[1]}" kyc_result_approved
	set_status "${ids[2]}" kyc_result_rejected
	set_status "${ids[3]}" kyc_result_rejected
	wait_finished "$after" "$WF_HOOK" 4 60
	sleep 2
	executions "$WF_HOOK" >"$RUN/hook-executions.json"
	local got want where=() id
	got="$(jq -c '[.[] | {status, mode, s: .nodes["KwikID Webhook Trigger"][0].session_id, outcome: .nodes["KwikID Webhook Trigger"][0].outcome, verified: .nodes["KwikID Webhook Trigger"][0].verified}] | sort_by(.s)' "$RUN/hook-executions.json")"
	want="$(jq -nc --args '[$ARGS.positional | to_entries[] | {status: "success", mode: "webhook", s: .value, outcome: (if .key < 2 then "pending" else "rejected" end), verified: true}] | sort_by(.s)' "${ids[@]}")"
	[[ "$got" == "$want" ]] || { log "want $want"; log "got  $got"; die "webhook trigger: 4 decisions should give 4 verified webhook executions (none for the call without the secret)"; }
	for id in $(jq -r '.[].id' "$RUN/hook-executions.json"); do where+=("$id:$(worker_of "$id")"); done
	[[ "${where[*]}" != *:-* ]] || die "a webhook trigger execution ran on no worker (execution:worker ${where[*]})"
	curl -fs -X DELETE "$SANDBOX/__sandbox/webhooks/$(curl -fs "$SANDBOX/__sandbox/webhooks" | jq -r '.webhooks[0].id')" >/dev/null || true
	ok "webhook trigger in queue mode: 4 decisions posted to main -> 4 verified executions (2 pending for the checker, 2 rejected), run on workers (execution:worker ${where[*]}); no secret: 401, no execution"
}

# ------------------------------------------------------------------------------ the run

check() {
	setup
	start_cluster
	scenario_trigger
	scenario_webhook_trigger
	scenario_batches
	scenario_kill
	# The restarted worker takes work again.
	local after
	after="$(max_execution_id)"
	faults '{"latencyMs":0}'
	fire "$HOOK_BATCH" 4 5
	wait_finished "$after" "$WF_BATCH" 4 90
	ok "after the restart of $VICTIM: 4 more executions ended ($(finished_since "$after" "$WF_BATCH") of 4)"
	ok "queue mode passed in $((SECONDS - T0))s"
}

case "$MODE" in
	check) check ;;
	throughput) throughput ;;
	*)
		echo "usage: bash scripts/e2e/queue.sh [check|throughput]" >&2
		exit 2
		;;
esac
