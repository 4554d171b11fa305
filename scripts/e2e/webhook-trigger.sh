# The KwikID Webhook Trigger in a real n8n: examples/webhook-trigger-switch-on-outcome.json
# active, the sandbox posting KwikID-like webhooks (all payload shapes, in turn) to its
# production URL. Sourced by examples.sh; needs $RUN, $SANDBOX, the n8n line and $CRED_ID
# (prepare_line). One `n8n start` for every check:
#   1. twenty decisions (ten agent approvals, then five checker approvals and five checker
#      rejections) give exactly twenty executions, each with the API's verified data, each down
#      the Switch branch of its outcome;
#   2. calls without the secret (401) or with a wrong one (403) start no execution;
#   3. a forged body claiming approval for a session the API reports rejected emits the rejection;
#   4. a delivery answered 503 while the API fails is delivered again by the sandbox and emitted once.

WF_HOOK=kwikidExHookTrig
HOOK_SECRET="Bearer e2e-$(node -e 'console.log(require("crypto").randomBytes(18).toString("hex"))')"

# hook_executions: how many executions of the workflow n8n has saved so far.
hook_executions() { sqlite3 -readonly "$N8N_USER_FOLDER/.n8n/database.sqlite" "SELECT count(*) FROM execution_entity WHERE workflowId = '$WF_HOOK' AND finished = 1" 2>/dev/null || echo 0; }

# wait_hook_executions <n>: until n executions are saved (60 s at most).
wait_hook_executions() {
	local waited=0
	while (($(hook_executions) < $1)); do
		((waited < 120)) || die "webhook trigger: $(hook_executions) executions after 60 s, expected $1 (see $RUN/n8n-hook.log)"
		sleep 0.5
		waited=$((waited + 1))
	done
}

# hook_post <headers...> -- <body>: POST to the production URL; prints the HTTP code.
hook_post() {
	local args=()
	while [[ $1 != -- ]]; do args+=(-H "$1"); shift; done
	curl -s -o "$RUN/hook-answer.json" -w '%{http_code}' -X POST "$HOOK_URL" "${args[@]}" -d "$2" || echo 000
}

checker() { control "sessions/$1/checker" "{\"decision\":\"$2\",\"reason\":\"e2e\"}"; }

check_example_webhook_trigger() {
	local started=$SECONDS port
	fill "$FIXTURES/webhook-credential.json" "$RUN/webhook-credential.json" --arg s "$HOOK_SECRET" '.[0].data.secret = $s'
	n8n import:credentials --input="$RUN/webhook-credential.json" >>"$RUN/n8n-cli.log" 2>&1 || die "import:credentials (webhook secret) failed"
	import_example webhook-trigger-switch-on-outcome.json "$WF_HOOK" '.settings += {saveDataSuccessExecution: "all", saveDataErrorExecution: "all"}'
	activate_workflow "$WF_HOOK"
	port="$(free_port)"
	HOOK_URL="http://127.0.0.1:$port/webhook/$(jq -r '.nodes[0].webhookId' "$EXAMPLES/webhook-trigger-switch-on-outcome.json")/kwikid"
	PATH="$(dirname "$NODE_BIN"):$PATH" N8N_PORT="$port" "$NODE_BIN" "$N8N_JS" start >"$RUN/n8n-hook.log" 2>&1 &
	N8N_PID=$!
	log "n8n start (pid $N8N_PID) on port $port; waiting for $HOOK_URL"

	# 2. No secret: 404 until the webhook is registered, then 401; a wrong one: 403.
	local code waited=0 body
	body="$(jq -nc --arg s 00000000-0000-4000-8000-000000000000 '{event: "Maker Approved", session_id: $s}')"
	while code="$(hook_post 'content-type: application/json' -- "$body")" && [[ "$code" != 401 ]]; do
		kill -0 "$N8N_PID" 2>/dev/null || die "n8n start exited (see $RUN/n8n-hook.log)"
		((waited < WEBHOOK_WAIT)) || die "webhook trigger: no 401 within ${WEBHOOK_WAIT}s (last HTTP $code: $(head -c 300 "$RUN/hook-answer.json"))"
		sleep 1
		waited=$((waited + 1))
	done
	code="$(hook_post 'content-type: application/json' 'authorization: Bearer not-the-secret-0123456789' -- "$body")"
	[[ "$code" == 403 ]] || die "webhook trigger: a wrong secret answered $code, expected 403"
	ok "webhook trigger up after ${waited}s: no secret 401, wrong secret 403"

	# 1. Twenty decisions through the sandbox's sender, payload shapes in turn.
	control webhooks "$(jq -nc --arg u "$HOOK_URL" --arg s "$HOOK_SECRET" '{url: $u, headers: {Authorization: $s}, shape: "rotate"}')"
	local ids
	mapfile -t ids < <(curl -fs -X POST "$SANDBOX/__sandbox/sessions" -H 'content-type: application/json' -d '{"count":11,"user_id":"e2e-hook"}' | jq -r '.sessions[].session_id')
	for i in $(seq 0 9); do set_status "${ids[$i]}" kyc_result_approved; done
	wait_hook_executions 10
	for i in 0 1 2 3 4; do checker "${ids[$i]}" approve; done
	for i in 5 6 7 8 9; do checker "${ids[$i]}" reject; done
	wait_hook_executions 20
	[[ "$(hook_executions)" == 20 ]] || die "webhook trigger: 20 decisions gave $(hook_executions) executions (401/403 calls must start none)"

	# 3. A forged approval of a session the checker rejected (its status still says approved).
	body="$(jq -nc --arg s "${ids[5]}" '{event: "Checker Approved", session_id: $s, session_status: "kyc_result_approved", audit_result: "1"}')"
	code="$(hook_post 'content-type: application/json' "authorization: $HOOK_SECRET" -- "$body")"
	[[ "$code" == 200 ]] || die "webhook trigger: the forged call answered $code"
	wait_hook_executions 21

	# 4. The API failing: the first attempt of the delivery is answered 503, the sandbox sends it
	#    again (1 s later), and it is emitted once.
	control faults '{"fail5xx":{"count":2,"endpoint":"get_details","kind":"json"}}'
	set_status "${ids[10]}" kyc_result_rejected
	wait_hook_executions 22
	local attempts
	for _ in $(seq 1 20); do
		attempts="$(curl -fs "$SANDBOX/__sandbox/webhooks/deliveries" | jq -c --arg s "${ids[10]}" '[.deliveries[] | select(.session_id == $s) | .status]')"
		[[ "$attempts" == '[503,200]' ]] && break
		sleep 0.5
	done
	[[ "$attempts" == '[503,200]' ]] || die "webhook trigger: the delivery during the API failure should be answered 503 then 200, got $attempts"
	sleep 2
	stop_n8n

	node "$HERE/executions.js" "$N8N_USER_FOLDER/.n8n/database.sqlite" "$WF_HOOK" "$CACHE/n8n-$N8N_VERSION" >"$RUN/hook-executions.json"
	local rows
	rows="$(jq -c '[.[] | {status, mode, item: .nodes["KwikID Webhook Trigger"][0],
		branch: ([.nodes | to_entries[] | select(.key != "KwikID Webhook Trigger" and .key != "Switch on Outcome" and (.value | length) > 0) | .key] | join(","))}
		| {status, mode, branch, s: .item.session_id, event: .item.event, outcome: .item.outcome, verified: .item.verified, checker: .item.review.checker}]' "$RUN/hook-executions.json")"
	[[ "$(jq length <<<"$rows")" == 22 ]] || die "webhook trigger: $(jq length <<<"$rows") executions in all, expected 22: $rows"
	jq -e 'all(.status == "success" and .mode == "webhook" and .verified == true)' <<<"$rows" >/dev/null ||
		die "webhook trigger: every execution should be a successful webhook execution with verified data: $rows"
	local want got
	want="$(jq -nc --args '[$ARGS.positional[0:10][] | {s: ., event: "maker_approved", outcome: "pending", branch: "Pending: waiting for the checker"}]
		+ [$ARGS.positional[0:5][] | {s: ., event: "checker_approved", outcome: "approved", branch: "Approved: update CRM"}]
		+ [$ARGS.positional[5:10][] | {s: ., event: "checker_rejected", outcome: "rejected", branch: "Rejected: send rejection e-mail"}]
		| sort' "${ids[@]:0:10}")"
	got="$(jq -c '[.[0:20][] | {s, event, outcome, branch}] | sort' <<<"$rows")"
	[[ "$got" == "$want" ]] || { log "want $want"; log "got  $got"; die "webhook trigger: the twenty executions do not match the twenty decisions"; }
	ok "webhook trigger: 20 decisions (all five payload shapes) -> exactly 20 executions, verified, each down its outcome's branch; no execution for the 401/403 calls"
	jq -e --arg s "${ids[5]}" '.[20] | .s == $s and .event == "checker_approved" and .outcome == "rejected" and .checker == "rejected" and .branch == "Rejected: send rejection e-mail"' <<<"$rows" >/dev/null ||
		die "webhook trigger: the forged approval should emit the API's rejection: $(jq -c '.[20]' <<<"$rows")"
	ok "webhook trigger: a forged 'Checker Approved' for a checker-rejected session emitted outcome rejected (the API's word)"
	jq -e --arg s "${ids[10]}" '[.[] | select(.s == $s)] | length == 1 and .[0].outcome == "rejected"' <<<"$rows" >/dev/null ||
		die "webhook trigger: the delivery retried after a 503 should be emitted once: $rows"
	grep -q "$HOOK_SECRET" "$RUN/hook-executions.json" && die "webhook trigger: the secret is in the saved executions"
	ok "webhook trigger: the delivery answered 503 while the API failed was sent again and emitted once; the secret is in no saved execution ($((SECONDS - started))s)"
}
