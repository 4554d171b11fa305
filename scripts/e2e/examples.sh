# The workflows in examples/, imported into the real n8n and run against the sandbox, each with
# its outcome asserted. Sourced by run.sh (and examples-only.sh) after lib.sh; check_examples
# runs after prepare_line, so $RUN, $SANDBOX, the n8n line and the credential $CRED_ID exist.
# The examples reference that credential id, so they import as they are; only placeholders
# (session ids, the Wait's length) are filled with jq. See scripts/e2e/README.md.

EXAMPLES="$REPO/examples"
source "$HERE/webhook-trigger.sh"
WEBHOOK_WAIT=180 # seconds for `n8n start` to answer on the webhook (slow on a busy machine)

# import_example <file> <id> [jq filter] [jq args...]: the example with an id (import:workflow
# needs one) and the filter applied, imported.
import_example() {
	local file=$1 id=$2 filter=${3:-.}
	shift 2
	(($# == 0)) || shift
	fill "$EXAMPLES/$file" "$RUN/example-$id.json" --arg id "$id" "$@" ".id = \$id | $filter"
	n8n import:workflow --input="$RUN/example-$id.json" >>"$RUN/n8n-cli.log" 2>&1 || die "import:workflow examples/$file failed (see $RUN/n8n-cli.log)"
}

# items <run> <node> [output]: the JSON of every item a node sent on one output, over all its runs.
items() { jq -c --arg n "$2" --argjson o "${3:-0}" '[.data.resultData.runData[$n] // [] | .[] | .data.main[$o] // [] | .[].json]' "$RUN/$1.json"; }
node_runs() { jq --arg n "$2" '.data.resultData.runData[$n] // [] | length' "$RUN/$1.json"; }
sandbox_stats() { curl -fs "$SANDBOX/__sandbox/stats"; }
# status_count <stats json> <endpoint> <status>
status_count() { jq --arg e "$2" --arg s "$3" '.byEndpoint[$e][$s] // 0' <<<"$1"; }
control() { curl -fs -X POST "$SANDBOX/__sandbox/$1" -H 'content-type: application/json' -d "$2" >/dev/null || die "sandbox control $1 $2 failed"; }

# ----------------------------------------------------------- rows -> Push DKYC Data (fields mode)

check_example_rows() {
	local started=$SECONDS before after pushed fix
	import_example rows-push-dkyc-error-output.json kwikidExRowsDkyc
	# The account's own AMC list: CUST-003's OTHER_AMC passes the node's checks, KwikID refuses it.
	control tenant-codes '{"BASIC_INFORMATION.amc":["TEST_AMC"]}'
	before="$(sandbox_stats)"
	execute_workflow kwikidExRowsDkyc ex-rows
	after="$(sandbox_stats)"
	control tenant-codes '{}'

	local ok200 bad400 sent
	ok200=$(($(status_count "$after" push_user_data 200) - $(status_count "$before" push_user_data 200)))
	bad400=$(($(status_count "$after" push_user_data 400) - $(status_count "$before" push_user_data 400)))
	sent=$(($(jq .requests.push_user_data <<<"$after") - $(jq .requests.push_user_data <<<"$before")))
	[[ $ok200 -eq 1 && $bad400 -eq 1 && $sent -eq 2 ]] ||
		die "rows: push_user_data should be 1 x 200 + 1 x 400 (2 requests), got $ok200 x 200, $bad400 x 400, $sent requests"
	# Which rows reached KwikID: the request log keeps the user_id of create calls (the rows'
	# customer ids; earlier checks pushed other user ids).
	local users
	users="$(curl -fs "$SANDBOX/__sandbox/requests" | jq -c '[.[] | select(.endpoint == "push_user_data" and (.userId // "" | startswith("CUST-"))) | .userId] | sort')"
	[[ "$users" == '["CUST-001","CUST-003"]' ]] || die "rows: push_user_data was sent for $users, expected CUST-001 and CUST-003 (never the bad-PAN CUST-002)"

	pushed="$(items ex-rows Pushed)"
	fix="$(items ex-rows 'Rows to fix')"
	[[ "$(jq length <<<"$pushed")" == 1 && "$(jq -r '.[0].session_id | type' <<<"$pushed")" == string ]] ||
		die "rows: Pushed should get one item with a session_id, got $pushed"
	[[ "$(jq -c '[.[].customer_id] | sort' <<<"$fix")" == '["CUST-002","CUST-003"]' ]] ||
		die "rows: Rows to fix should get CUST-002 and CUST-003, got $fix"
	jq -e '.[] | select(.customer_id == "CUST-002") | ((.error + " " + .message) | test("BASIC_INFORMATION.pan") and (test("ABCD1234F") | not))' <<<"$fix" >/dev/null ||
		die "rows: CUST-002's error should name BASIC_INFORMATION.pan (without echoing the PAN): $fix"
	jq -e '.[] | select(.customer_id == "CUST-003") | ((.error + " " + .message) | test("BASIC_INFORMATION.amc"))' <<<"$fix" >/dev/null ||
		die "rows: CUST-003's error should name BASIC_INFORMATION.amc (KwikID's incorrect_formats): $fix"
	ok "example rows-push-dkyc-error-output: push_user_data 1 x 200 (CUST-001, session $(jq -r '.[0].session_id' <<<"$pushed")) + 1 x 400 (CUST-003), nothing sent for CUST-002; Rows to fix got CUST-002 (BASIC_INFORMATION.pan) and CUST-003 (BASIC_INFORMATION.amc) ($((SECONDS - started))s)"
	log "      CUST-002: $(jq -r '.[] | select(.customer_id == "CUST-002") | .error + " | " + .message' <<<"$fix" | tr '\n' ' ' | cut -c1-220)"
	log "      CUST-003: $(jq -r '.[] | select(.customer_id == "CUST-003") | .error + " | " + .message' <<<"$fix" | tr '\n' ' ' | cut -c1-220)"
}

# ------------------------------------------------------------------ scheduled status sync

check_example_sync() {
	local started=$SECONDS ids s1 s2 s3 s4 s5 unknown=00000000-0000-4000-8000-00000000dead reads
	ids="$(curl -fs -X POST "$SANDBOX/__sandbox/sessions" -H 'content-type: application/json' -d '{"count":5,"user_id":"e2e-sync"}' | jq -c '[.sessions[].session_id]')"
	read -r s1 s2 s3 s4 s5 <<<"$(jq -r 'join(" ")' <<<"$ids")"
	# The sandbox answers like a live install with a checker step: s1 is approved by the agent
	# and the checker (final); s5 only by the agent, so it still waits for the checker.
	set_status "$s1" kyc_result_approved
	checker_decide "$s1" approve
	set_status "$s2" kyc_result_rejected
	set_status "$s3" agent_alloted
	set_status "$s5" kyc_result_approved
	# s4 stays waiting; $unknown is an id KwikID does not know.
	import_example scheduled-status-sync.json kwikidExStatSync \
		'(.nodes[] | select(.name == "Pending sessions") | .parameters.jsonOutput) = ({session_ids: ($ids + [$unknown])} | tojson)' \
		--argjson ids "$ids" --arg unknown "$unknown"
	reads="$(counter get_details)"
	execute_workflow kwikidExStatSync ex-sync
	reads=$(($(counter get_details) - reads))

	local final pending unread
	final="$(items ex-sync 'Update CRM' | jq -c 'map([.session_id, .status]) | sort')"
	pending="$(items ex-sync 'Still pending' | jq -c 'map([.session_id, .status]) | sort')"
	unread="$(items ex-sync 'Could not read')"
	[[ "$final" == "$(jq -nc --arg a "$s1" --arg b "$s2" '[[$a, "kyc_result_approved"], [$b, "kyc_result_rejected"]] | sort')" ]] ||
		die "sync: Update CRM should get $s1 (approved) and $s2 (rejected), got $final"
	[[ "$pending" == "$(jq -nc --arg c "$s3" --arg d "$s4" --arg e "$s5" '[[$c, "agent_alloted"], [$d, "waiting"], [$e, "kyc_result_approved"]] | sort')" ]] ||
		die "sync: Still pending should get $s3 (agent_alloted), $s4 (waiting) and $s5 (approved by the agent, not yet by the checker), got $pending"
	[[ "$(jq length <<<"$unread")" == 1 && "$(jq -r '.[0].session_id' <<<"$unread")" == "$unknown" ]] ||
		die "sync: Could not read should get the unknown id $unknown alone, got $unread"
	[[ $reads -eq 6 ]] || die "sync: 6 ids should cost 6 get_details, took $reads"
	ok "example scheduled-status-sync: Update CRM got the 2 final sessions (one approved by agent and checker), Still pending the 3 others (one approved by the agent only, awaiting the checker), Could not read the unknown id ($(jq -r '.[0].error' <<<"$unread" | cut -c1-80)); $reads get_details ($((SECONDS - started))s)"
}

# ------------------------------------------------------- Send Link -> Wait -> Get Session loop

check_example_wait_loop() {
	local started=$SECONDS sent finished
	# The Wait shortened to 2 s (under 65 s n8n waits in the process); the sandbox approves every
	# new session 5 s after creating it, so the loop goes round a few times and ends. The sandbox
	# answers like a live install, with a checker step: the approval is final once the checker
	# approves too, 2 s later.
	import_example send-link-wait-get-session.json kwikidExWaitLoop \
		'(.nodes[] | select(.type == "n8n-nodes-base.wait") | .parameters.amount) = 2'
	control auto-progress '{"afterMs":5000,"outcome":"approve","checker":"approve","checkerAfterMs":2000}'
	execute_workflow kwikidExWaitLoop ex-wait
	control auto-progress 'null'

	sent="$(node_json ex-wait 'KwikID Send Link')"
	finished="$(items ex-wait 'KYC Finished')"
	local sid loops
	sid="$(jq -r .session_id <<<"$sent")"
	loops="$(node_runs ex-wait 'KwikID Get Session')"
	[[ "$(jq -c 'map([.session_id, .status, .is_final])' <<<"$finished")" == "$(jq -nc --arg s "$sid" '[[$s, "kyc_result_approved", true]]')" ]] ||
		die "wait loop: KYC Finished should get $sid approved once, got $finished"
	((loops >= 2)) || die "wait loop: Get Session ran $loops time(s); the loop back to Wait was never taken"
	ok "example send-link-wait-get-session: $sid read $loops times (Wait 2 s), KYC Finished got it once as kyc_result_approved ($((SECONDS - started))s)"
}

# ---------------------------------------------------- CRM webhook -> Send Link -> respond

# post_lead <json>: POST to the production webhook; prints "<http code> <body>".
post_lead() {
	curl -s -o "$RUN/webhook-answer.json" -w '%{http_code}' -X POST "$WEBHOOK_URL" -H 'content-type: application/json' -d "$1" || echo 000
}

check_example_webhook() {
	local started=$SECONDS code answer sid port links_before
	import_example webhook-send-link-respond.json kwikidExWebhook
	activate_workflow kwikidExWebhook
	port="$(free_port)"
	WEBHOOK_URL="http://127.0.0.1:$port/webhook/kyc-link"
	links_before="$(counter sendLink)"
	PATH="$(dirname "$NODE_BIN"):$PATH" N8N_PORT="$port" "$NODE_BIN" "$N8N_JS" start >"$RUN/n8n-webhook.log" 2>&1 &
	N8N_PID=$!
	log "n8n start (pid $N8N_PID) on port $port; waiting for $WEBHOOK_URL"

	# A lead with a 9-digit phone: the node refuses it before any request, so it can be sent
	# until the webhook is registered (404 before) without creating anything.
	local waited=0
	while code="$(post_lead '{"lead_id":"E2E-LEAD-BAD","phone":"987654321","name":"Arjun Sharma"}')" && [[ "$code" != 422 ]]; do
		kill -0 "$N8N_PID" 2>/dev/null || die "n8n start exited (see $RUN/n8n-webhook.log)"
		((waited < WEBHOOK_WAIT)) || die "webhook: no 422 within ${WEBHOOK_WAIT}s (last HTTP $code: $(head -c 300 "$RUN/webhook-answer.json"))"
		sleep 1
		waited=$((waited + 1))
	done
	answer="$(cat "$RUN/webhook-answer.json")"
	jq -e '(.error + " " + (.message // "")) | test("Phone Number")' <<<"$answer" >/dev/null ||
		die "webhook: the 422 answer should name Phone Number: $answer"
	ok "webhook up after ${waited}s; bad phone answered 422: $(jq -c . <<<"$answer" | cut -c1-200)"

	code="$(post_lead '{"lead_id":"E2E-LEAD-42","phone":"+91 98765 43210","name":"Arjun Sharma"}')"
	answer="$(cat "$RUN/webhook-answer.json")"
	[[ "$code" == 200 ]] || die "webhook: a good lead answered HTTP $code: $answer"
	sid="$(jq -r '.session_id // empty' <<<"$answer")"
	[[ -n "$sid" && "$(jq -r '.link_url | type' <<<"$answer")" == string ]] || die "webhook: the answer should have session_id and link_url: $answer"
	local held
	held="$(curl -fs "$SANDBOX/__sandbox/sessions/$sid")" || die "webhook: the sandbox holds no session $sid"
	[[ "$(jq -r .user_id <<<"$held")" == E2E-LEAD-42 && "$(jq -r .phone_number <<<"$held")" == 9876543210 ]] ||
		die "webhook: session $sid has user_id/phone $(jq -c '[.user_id, .phone_number]' <<<"$held"), expected E2E-LEAD-42 / 9876543210"
	jq -e --arg l "$(jq -r .link_id <<<"$held")" '.link_url | contains($l)' <<<"$answer" >/dev/null ||
		die "webhook: link_url $(jq -r .link_url <<<"$answer") does not carry the session's link_id"
	[[ $(($(counter sendLink) - links_before)) -eq 1 ]] || die "webhook: sendLink should be called once (the bad lead never), was $(($(counter sendLink) - links_before))"
	stop_n8n
	ok "example webhook-send-link-respond: good lead answered 200 with session $sid (user E2E-LEAD-42 in the sandbox) and its link $(jq -r .link_url <<<"$answer"); one sendLink in all ($((SECONDS - started))s)"
}

check_examples() {
	local started=$SECONDS
	check_example_rows
	check_example_sync
	check_example_wait_loop
	check_example_webhook
	check_example_webhook_trigger
	ok "examples: 5 workflows from examples/ ran as asserted in $((SECONDS - started))s"
}
