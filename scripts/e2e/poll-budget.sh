#!/usr/bin/env bash
# The KwikID Trigger under n8n 2.x's durable poll scheduler (N8N_SCHEDULER_POLL_TRIGGERS_ENABLED),
# with a poll budget too small to read the whole watch list in one poll. Sourced by run.sh (line 2,
# after check_trigger); needs $RUN, $SANDBOX, the n8n line and $CRED_ID (prepare_line). Run alone:
#   bash scripts/e2e/poll-budget.sh          (builds, packs, prepares line 2, runs only this check)
#
# What n8n 2.41.1 does (packages/cli scheduling/poll-trigger-node, trigger-execution-context.factory):
# - the budget offered by getPollBudgetMs() is min(N8N_SCHEDULER_POLL_TIMEOUT, the lease) minus a
#   margin of max(20 %, 5 s) capped at half: 45 s -> 36 s by default, 4 s -> 2 s here; a poll still
#   running at the timeout is abandoned ("Poll exceeded its timeout and was abandoned"), and what
#   it read is lost;
# - every scheduled poll builds its workflow afresh from the database, so the trigger's static data
#   is what the last emitting poll saved: a poll that emits nothing saves nothing (unless
#   N8N_POLLER_DURABLE_CURSORS_ENABLED, off by default);
# - poll times under a minute are refused, but every Poll Times entry is its own scheduled job: ten
#   entries at seconds 0, 6, ... 54 poll every 6 s;
# - the activation poll (first registration only) runs outside the scheduler: no budget given
#   there (n8n-core's default, 5 minutes).
#
# The check: 90 sessions at 150 ms latency, Max Concurrent Requests 3 (about 20 reads fit in one
# poll's budget). After the activation poll records all 90, five sessions change (one at the head
# of the list, four at its tail: the polls between read only unchanged sessions and emit nothing),
# then two more once those five are emitted. Asserted: every change emitted exactly once, each
# scheduled poll read fewer than all 90, the polls went through the list in turns (no session read
# again before all were read once), and n8n abandoned no poll.

PB_WF=kwikidE2ePollBud
PB_SESSIONS=90
PB_CONCURRENCY=3
PB_LATENCY_MS=150
PB_POLL_TIMEOUT_S=4 # n8n's budget: 2 s (see above)
PB_WAIT_S=90        # for each round of changes to be emitted

# pb_items: every (session, previous, status) the trigger has emitted so far, one per line.
pb_items() {
	node "$HERE/executions.js" "$N8N_USER_FOLDER/.n8n/database.sqlite" "$PB_WF" "$CACHE/n8n-$N8N_VERSION" 2>/dev/null |
		jq -r '.[] | (.nodes["KwikID Trigger"] // [])[] | "\(.session_id) \(.previous_status) \(.status)"' | sort
}

# pb_wait_items <n>: until n items have been emitted (PB_WAIT_S at most).
pb_wait_items() {
	local waited=0
	while (($(pb_items | wc -l) < $1)); do
		kill -0 "$N8N_PID" 2>/dev/null || die "poll budget: n8n start exited (see $RUN/n8n-poll-budget.log)"
		((waited < PB_WAIT_S)) || {
			pb_items | sed 's/^/        emitted: /'
			die "poll budget: $(pb_items | wc -l) changes emitted after ${PB_WAIT_S}s, expected $1 (polls so far: $(pb_polls | jq -c '[.polls[] | .reads]'))"
		}
		sleep 2
		waited=$((waited + 2))
	done
}

pb_polls() {
	curl -fs "$SANDBOX/__sandbox/requests" >"$RUN/poll-budget-requests.json"
	node "$HERE/poll-reads.js" "$RUN/poll-budget-requests.json" "$RUN/poll-budget-ids.txt"
}

check_poll_budget() {
	local started=$SECONDS ids
	mapfile -t ids < <(curl -fs -X POST "$SANDBOX/__sandbox/sessions" -d "{\"count\":$PB_SESSIONS,\"user_id\":\"e2e-budget\"}" | jq -r '.sessions[].session_id')
	((${#ids[@]} == PB_SESSIONS)) || die "poll budget: the sandbox created ${#ids[@]} sessions"
	printf '%s\n' "${ids[@]}" >"$RUN/poll-budget-ids.txt"
	local times
	times="$(jq -nc '[range(0; 60; 6) | {mode: "custom", cronExpression: "\(.) * * * * *"}]')"
	fill "$FIXTURES/trigger-noop.json" "$RUN/poll-budget.json" \
		--arg id "$PB_WF" --arg ids "$(IFS=,; echo "${ids[*]}")" --argjson times "$times" --argjson c "$PB_CONCURRENCY" \
		'.id = $id | .name = "e2e: KwikID Trigger under the poll budget"
		| (.nodes[0].parameters) += {sessionIds: $ids, pollTimes: {item: $times}, options: {maxConcurrency: $c}}'
	n8n import:workflow --input="$RUN/poll-budget.json" >>"$RUN/n8n-cli.log" 2>&1 || die "import:workflow (poll budget) failed"
	activate_workflow "$PB_WF"
	curl -fs -X POST "$SANDBOX/__sandbox/faults" -d "{\"latencyMs\":$PB_LATENCY_MS}" >/dev/null || die "could not set the sandbox's latency"

	PATH="$(dirname "$NODE_BIN"):$PATH" N8N_PORT="$(free_port)" N8N_LOG_LEVEL=debug \
		N8N_SCHEDULER_ENABLED=true N8N_SCHEDULER_POLL_TRIGGERS_ENABLED=true \
		N8N_SCHEDULER_POLL_TIMEOUT=$PB_POLL_TIMEOUT_S N8N_SCHEDULER_EXECUTOR_INTERVAL=1 \
		"$NODE_BIN" "$N8N_JS" start >"$RUN/n8n-poll-budget.log" 2>&1 &
	N8N_PID=$!
	log "n8n start (pid $N8N_PID, log n8n-poll-budget.log) with the durable poll scheduler; $PB_SESSIONS sessions at ${PB_LATENCY_MS} ms, polls every 6 s"

	# The activation poll records all of them (no budget there).
	local waited=0
	local first
	while first="$(pb_polls | jq '.polls[0].distinct // 0')" && ((${first:-0} < PB_SESSIONS)); do
		kill -0 "$N8N_PID" 2>/dev/null || die "poll budget: n8n start exited (see $RUN/n8n-poll-budget.log)"
		((waited < 120)) || die "poll budget: no activation poll reading all $PB_SESSIONS sessions within 120 s"
		sleep 1
		waited=$((waited + 1))
	done
	sleep 1
	local head=2 tail=(70 75 80 85) middle=40 i
	for i in "$head" "${tail[@]}"; do set_status "${ids[$i]}" agent_alloted; done
	log "activation poll done after ${waited}s; sessions $head, ${tail[*]} (of 0-$((PB_SESSIONS - 1))) -> agent_alloted"
	pb_wait_items 5
	set_status "${ids[$head]}" kyc_request_accepted
	set_status "${ids[$middle]}" kyc_request_accepted
	log "those five emitted; sessions $head and $middle -> kyc_request_accepted"
	pb_wait_items 7
	sleep 7 # one more poll: nothing emitted twice
	stop_n8n
	curl -fs -X POST "$SANDBOX/__sandbox/faults" -d '{"latencyMs":0}' >/dev/null

	local want got polls
	want="$(for i in "$head" "${tail[@]}"; do echo "${ids[$i]} waiting agent_alloted"; done
		echo "${ids[$head]} agent_alloted kyc_request_accepted"
		echo "${ids[$middle]} waiting kyc_request_accepted")"
	want="$(sort <<<"$want")"
	got="$(pb_items)"
	[[ "$got" == "$want" ]] || {
		log "want: $(tr '\n' '|' <<<"$want")"
		log "got:  $(tr '\n' '|' <<<"$got")"
		die "poll budget: the emitted changes are not the seven made, each once"
	}
	polls="$(pb_polls)"
	log "polls (reads each): $(jq -c '[.polls[] | .reads]' <<<"$polls"); cycles: $(jq -c '[.cycles[] | .polls | length]' <<<"$polls")"
	jq -e --argjson n "$PB_SESSIONS" '.polls[0].reads == $n and (.polls | length) >= 4 and all(.polls[1:][]; .reads >= 1 and .reads < $n and .distinct == .reads)' <<<"$polls" >/dev/null ||
		die "poll budget: every scheduled poll should read some but not all $PB_SESSIONS sessions: $(jq -c '.polls' <<<"$polls")"
	jq -e '(.repeats | length) == 0 and (.cycles | length) >= 1' <<<"$polls" >/dev/null ||
		die "poll budget: the polls did not go through the list in turns: $(jq -c '{repeats, cycles}' <<<"$polls")"
	grep -q 'Poll exceeded its timeout' "$RUN/n8n-poll-budget.log" && die "poll budget: n8n abandoned a poll (see $RUN/n8n-poll-budget.log)"
	local handed empty
	handed="$(grep -c 'Poll returned new data' "$RUN/n8n-poll-budget.log" || true)"
	empty="$(grep -c 'Poll returned no new data' "$RUN/n8n-poll-budget.log" || true)"
	((handed + empty >= $(jq '.polls | length - 1' <<<"$polls"))) ||
		die "poll budget: n8n's log shows $handed + $empty scheduled polls, the sandbox $(jq '.polls | length - 1' <<<"$polls")"
	ok "poll budget: $(jq '.polls | length - 1' <<<"$polls") scheduled polls under a 2 s budget read $(jq -r '[.polls[1:][] | .reads] | "\(min)-\(max)"' <<<"$polls") of $PB_SESSIONS sessions each, in turns ($(jq '.cycles | length' <<<"$polls") full cycles, no session read twice within one); 7 changes emitted once each ($handed polls emitted, $empty emitted nothing); n8n abandoned none ($((SECONDS - started))s)"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
	set -euo pipefail
	source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
	for tool in node npm jq curl sqlite3 tar; do need "$tool"; done
	build_and_pack
	prepare_line 2
	check_poll_budget
	cleanup
	trap - EXIT
	if [[ "${KWIKID_E2E_KEEP:-}" == 1 ]]; then log "kept $RUN"; else rm -rf "$RUN"; fi
fi
