#!/usr/bin/env bash
# Benchmark (not a check, not in CI): the KwikID Webhook Trigger in a real n8n (SQLite, regular
# mode), against the sandbox's webhook sender.
#   1. Time from the sandbox's decision to the start of the execution, over N decisions (default
#      100, one every 150 ms), for the KwikID Webhook Trigger (secret check + get_details) and,
#      as the baseline in the same run, n8n's own Webhook node receiving the same deliveries.
#   2. Executions started by 1,000 calls without the secret (must be 0).
#
#   bash scripts/e2e/webhook-bench.sh 1|2 [decisions]
# Figures go to bench/README.md by hand.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$HERE/examples.sh"
T0=$SECONDS
LINE=${1:?usage: webhook-bench.sh 1|2 [decisions]}
COUNT=${2:-100}
WF_PLAIN=kwikidBenchPlain

build_and_pack
prepare_line "$LINE"
fill "$FIXTURES/webhook-credential.json" "$RUN/webhook-credential.json" --arg s "$HOOK_SECRET" '.[0].data.secret = $s'
n8n import:credentials --input="$RUN/webhook-credential.json" >>"$RUN/n8n-cli.log" 2>&1
import_example webhook-trigger-switch-on-outcome.json "$WF_HOOK"
cat >"$RUN/plain.json" <<JSON
{"id": "$WF_PLAIN", "name": "bench: n8n Webhook node", "settings": {"executionOrder": "v1"}, "connections": {},
 "nodes": [{"id": "0e6a3c1b-0000-4000-8000-00000000b001", "name": "Webhook", "type": "n8n-nodes-base.webhook", "typeVersion": 2,
   "position": [0, 0], "webhookId": "0e6a3c1b-0000-4000-8000-00000000b0aa", "parameters": {"httpMethod": "POST", "path": "bench-plain", "options": {}}}]}
JSON
n8n import:workflow --input="$RUN/plain.json" >>"$RUN/n8n-cli.log" 2>&1
activate_workflow "$WF_HOOK"
activate_workflow "$WF_PLAIN"
port="$(free_port)"
HOOK_URL="http://127.0.0.1:$port/webhook/$(jq -r '.nodes[0].webhookId' "$EXAMPLES/webhook-trigger-switch-on-outcome.json")/kwikid"
PATH="$(dirname "$NODE_BIN"):$PATH" N8N_PORT="$port" "$NODE_BIN" "$N8N_JS" start >"$RUN/n8n-bench.log" 2>&1 &
N8N_PID=$!
until [[ "$(hook_post 'content-type: application/json' -- '{}')" == 401 ]]; do sleep 1; done
log "n8n $N8N_VERSION up"

control webhooks "$(jq -nc --arg u "$HOOK_URL" --arg s "$HOOK_SECRET" '{url: $u, headers: {Authorization: $s}, shape: "flat"}')"
control webhooks "$(jq -nc --arg u "http://127.0.0.1:$port/webhook/bench-plain" '{url: $u, shape: "flat"}')"
mapfile -t ids < <(curl -fs -X POST "$SANDBOX/__sandbox/sessions" -H 'content-type: application/json' -d "{\"count\":$COUNT,\"user_id\":\"bench\"}" | jq -r '.sessions[].session_id')
: >"$RUN/decisions.tsv"
for id in "${ids[@]}"; do
	printf '%s\t%s\n' "$id" "$(date +%s%3N)" >>"$RUN/decisions.tsv"
	set_status "$id" kyc_result_rejected
	sleep 0.15
done
waited=0
until (($(hook_executions) >= COUNT)); do sleep 1; waited=$((waited + 1)); ((waited < 120)) || break; done
sleep 3

before="$(hook_executions)"
started=$SECONDS
seq 1 1000 | xargs -P 8 -I{} curl -s -o /dev/null -X POST "$HOOK_URL" -H 'content-type: application/json' -d '{"event":"Maker Approved","session_id":"s-{}"}'
unauth_s=$((SECONDS - started))
sleep 2
stop_n8n
after="$(hook_executions)"
result="$(node "$HERE/webhook-bench.js" "$N8N_USER_FOLDER/.n8n/database.sqlite" "$RUN/decisions.tsv" "$CACHE/n8n-$N8N_VERSION" "$WF_HOOK" "$WF_PLAIN")"
log "latency (ms from decision to execution start): $result"
log "1,000 calls without the secret in ${unauth_s}s: executions $before -> $after (started: $((after - before)))"
cleanup
trap - EXIT
rm -rf "$RUN"
