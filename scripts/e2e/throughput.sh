#!/usr/bin/env bash
# The KwikID node against n8n's HTTP Request node, in a real n8n, doing the same Send Link calls
# against the same local sandbox in the same run. See bench/README.md ("In a real n8n").
#
#   bash scripts/e2e/throughput.sh 1|2|all [items] [repeats]     (defaults: 1000 items, 1 repeat)
#
# Each scenario imports one workflow (Start -> Leads -> Split Out -> Send, see
# throughput-workflow.js) and runs it with `n8n execute`; the figure is the Send node's own
# execution time from the run data, so n8n's start-up is not counted. With repeats > 1 the
# median is reported; the nodes compared in a scenario run in turn (http, kwikid, http, ...), so
# a slow moment of the machine falls on both. Prints one table per line; exits 0 whatever the
# figures are.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
T0=$SECONDS
ITEMS="${2:-1000}"
REPEATS="${3:-1}"

faults() { curl -fs -X POST "$SANDBOX/__sandbox/faults" -d "$1" >/dev/null || die "could not set faults $1"; }
reset_sandbox() { curl -fs -X POST "$SANDBOX/__sandbox/reset" >/dev/null; }
http_token() {
	curl -fs -X POST "$SANDBOX/agentapi/v1/agent/generate_token" -H 'content-type: application/json' \
		-d '{"username":"sandbox","password":"sandbox1234"}' | jq -r .Token
}

ROWS=()
SEQ=0
# run_once <label> <kind> <faults json> <node options json>: one run; sets RUN_MS and RUN_FACTS.
run_once() {
	local label=$1 kind=$2 faults_json=$3 options=$4 id name sessions users errors inflight logins status
	SEQ=$((SEQ + 1))
	id="$(printf 'kwikidTp%08d' "$SEQ")"
	name="tp-$SEQ"
	reset_sandbox
	faults "$faults_json"
	node "$HERE/throughput-workflow.js" "$id" "$kind" "$ITEMS" "$SANDBOX" "$options" "$TOKEN" >"$RUN/$name.workflow.json"
	n8n import:workflow --input="$RUN/$name.workflow.json" >>"$RUN/n8n-cli.log" 2>&1 || die "import:workflow $name failed"
	EXECUTE_ALLOW_ERROR=1 execute_workflow "$id" "$name"
	RUN_MS="$(jq -r '.data.resultData.runData.Send[0].executionTime // "null"' "$RUN/$name.json")"
	sessions="$(curl -fs "$SANDBOX/__sandbox/sessions" | jq 'if type == "array" then length else (.sessions | length) end')"
	users="$(curl -fs "$SANDBOX/__sandbox/sessions" | jq '(if type == "array" then . else .sessions end) | map(.user_id) | unique | length')"
	errors="$(jq '[.data.resultData.runData.Send[0].data.main[0][]? | select(.json.error != null)] | length' "$RUN/$name.json")"
	status="$(jq -r '.data.resultData.error.message // "ok"' "$RUN/$name.json" | cut -c1-60)"
	inflight="$(curl -fs "$SANDBOX/__sandbox/stats" | jq '.maxInFlightByEndpoint.sendLink')"
	logins="$(counter generate_token)"
	RUN_FACTS="$sessions|$users|$errors|$inflight|$status"
	log "$label, $kind: $RUN_MS ms, sessions $sessions for $users leads, error rows $errors, max in flight $inflight, logins $logins, $status"
}

# compare <label> <faults json> <kind[:node options json]>...: runs the kinds in turn, REPEATS
# rounds (http, kwikid, http, kwikid, ...: a slower or faster moment of the machine falls on
# both), and adds one row per kind with its median time and the facts of its last run.
compare() {
	local label=$1 faults_json=$2
	shift 2
	local variants=("$@") r i kind options median
	local -a times facts
	for ((r = 1; r <= REPEATS; r++)); do
		for i in "${!variants[@]}"; do
			kind="${variants[$i]%%:*}"
			options='{}'
			[[ "${variants[$i]}" == *:* ]] && options="${variants[$i]#*:}"
			run_once "$label" "$kind" "$faults_json" "$options"
			times[$i]="${times[$i]:-} $RUN_MS"
			facts[$i]="$RUN_FACTS"
		done
	done
	for i in "${!variants[@]}"; do
		kind="${variants[$i]%%:*}"
		median="$(printf '%s\n' ${times[$i]} | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
		ROWS+=("$label|$kind|$median|${facts[$i]}")
		log "$label, $kind: median ${median} ms (runs:${times[$i]})"
	done
}

print_table() {
	printf '\n### n8n %s (Node %s), %s items, median of %s\n\n' "$N8N_VERSION" "$("$NODE_BIN" -v)" "$ITEMS" "$REPEATS"
	printf '| scenario | node | ms | items/s | sessions | leads with a session | error rows | max in flight | execution |\n'
	printf '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n'
	local row label kind ms sessions users errors inflight status rate
	for row in "${ROWS[@]}"; do
		IFS='|' read -r label kind ms sessions users errors inflight status <<<"$row"
		rate="$(awk -v n="$ITEMS" -v ms="$ms" 'BEGIN { if (ms > 0) printf "%.0f", n / (ms / 1000); else print "-" }')"
		printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$kind" "$ms" "$rate" "$sessions" "$users" "$errors" "$inflight" "$status"
	done
}

run_line() {
	prepare_line "$1"
	TOKEN="$(http_token)"
	local z='{"latencyMs":0}' l20='{"latencyMs":20}'
	local r0='{"latencyMs":0,"random":{"share429":0.02,"seed":50,"endpoint":"sendLink"}}'
	local r20='{"latencyMs":20,"random":{"share429":0.02,"seed":50,"endpoint":"sendLink"}}'
	# The goals of issue 17 (bench/README.md): the HTTP Request node beside the KwikID node with
	# default settings at 0, 20, 150 and 300 ms; a token bucket (50/s, 20 at once) with and
	# without Retry-After; 1 call in 50 answered 429 at 150 ms against the clean 150 ms run.
	local l150='{"latencyMs":150}' l300='{"latencyMs":300}'
	local b150='{"latencyMs":150,"rateLimit":{"capacity":20,"refillPerSec":50}}'
	local b150ra='{"latencyMs":150,"rateLimit":{"capacity":20,"refillPerSec":50,"retryAfterSec":1}}'
	local r150='{"latencyMs":150,"random":{"share429":0.02,"seed":50,"endpoint":"sendLink"}}'
	if [[ -n "${KWIKID_TP_SCENARIOS:-}" ]]; then
		# Ad-hoc sweeps: KWIKID_TP_SCENARIOS='300 http kwikid kwikid:{"maxConcurrency":1000}|r150 kwikid'
		# (each: the latency in ms or the name of a fault set above, then the nodes to run in turn,
		# each optionally with its options as JSON without spaces).
		local spec ms rest faults_json
		local -a variants
		IFS='|' read -ra specs <<<"$KWIKID_TP_SCENARIOS"
		for spec in "${specs[@]}"; do
			read -r ms rest <<<"$spec"
			read -ra variants <<<"$rest"
			if [[ "$ms" =~ ^[0-9]+$ ]]; then faults_json="{\"latencyMs\":$ms}"; else faults_json="${!ms}"; fi
			compare "$ms" "$faults_json" "${variants[@]}"
		done
		print_table
		return
	fi
	compare "0 ms" "$z" http kwikid
	compare "20 ms" "$l20" http kwikid
	# The clean 150 ms run beside the 1-in-50 run, so the ratio between them is taken alike.
	compare "150 ms" "$l150" http kwikid
	compare "300 ms" "$l300" http kwikid
	compare "150 ms, bucket 50/s burst 20" "$b150" kwikid
	compare "150 ms, bucket 50/s burst 20, Retry-After 1" "$b150ra" kwikid
	compare "150 ms, 1 in 50 is 429" "$r150" http-retry kwikid
	if [[ "${KWIKID_TP_MORE:-}" == 1 ]]; then
		# The earlier sweep: fixed ceilings and n8n's own batching and retries.
		compare "20 ms, Batching 10" "$l20" http-batch
		compare "20 ms, concurrency 1" "$l20" 'kwikid:{"maxConcurrency":1}'
		compare "20 ms, concurrency 25" "$l20" 'kwikid:{"maxConcurrency":25}'
		compare "150 ms, concurrency 25" "$l150" 'kwikid:{"maxConcurrency":25}'
		compare "0 ms, 1 in 50 is 429" "$r0" http-retry kwikid
		compare "20 ms, 1 in 50 is 429" "$r20" kwikid
	fi
	print_table
	cleanup
	trap - EXIT
	if [[ "${KWIKID_E2E_KEEP:-}" == 1 ]]; then log "kept $RUN"; else rm -rf "$RUN"; fi
}

case "${1:-}" in
	1 | 2) lines=("$1") ;;
	all) lines=(1 2) ;;
	*)
		echo "usage: bash scripts/e2e/throughput.sh 1|2|all [items] [repeats]" >&2
		exit 2
		;;
esac
for tool in node npm jq curl tar; do need "$tool"; done
build_and_pack
for line in "${lines[@]}"; do
	(run_line "$line")
done
