# A bank-hosted KwikID install (API under /v1, no /agentapi or /appapi prefix) and n8n 2.x's SSRF
# protection, in the real n8n. Sourced by run.sh after lib.sh (check_bank_paths runs after
# prepare_line: $RUN, the n8n line and the standard sandbox exist); run on its own for working on
# it:
#
#   bash scripts/e2e/bank.sh 1|2|all
#
# check_bank_paths: a second sandbox in bank mode (`--paths bank`), a second credential pointing at
# it with Custom API Paths on and both prefixes empty, and one execution of Send Link -> Get
# Session through it. On line 2 that execution runs with N8N_SSRF_PROTECTION_ENABLED=true and
# the allow entry, after one execution without it, which n8n must refuse (the sandbox listens on
# 127.0.0.1, a loopback address). See scripts/e2e/README.md.

BANK_CRED_ID=kwikidE2eCred02
WF_BANK=kwikidE2eBankSnd
# What lets 127.0.0.1 through in n8n 2.41.1: an IP range (a CIDR; a bare address is refused as
# invalid). N8N_SSRF_ALLOWED_HOSTNAMES is never consulted for an IP literal in the URL.
SSRF_ALLOW_LOOPBACK=127.0.0.1/32

BANK_SANDBOX=""
bank_counter() { curl -fs "$BANK_SANDBOX/__sandbox/stats" | jq ".requests.$1"; }

start_bank_sandbox() {
	local port pid
	port="$(free_port)"
	node "$REPO/.dev/sandbox/cli.js" --port "$port" --paths bank >"$RUN/bank-sandbox.log" 2>&1 &
	pid=$!
	EXTRA_PIDS+=("$pid")
	BANK_SANDBOX="http://127.0.0.1:$port"
	for _ in $(seq 1 50); do
		curl -fs "$BANK_SANDBOX/__sandbox/" >/dev/null 2>&1 && break
		sleep 0.2
	done
	curl -fs "$BANK_SANDBOX/__sandbox/" >/dev/null || die "bank-mode sandbox did not start: $(cat "$RUN/bank-sandbox.log")"
	log "bank-mode sandbox on $BANK_SANDBOX (pid $pid)"
}

# check_ssrf_refused: one execution with SSRF protection on and no allow entry; n8n must refuse it
# before anything reaches the sandbox. Prints what the user sees.
check_ssrf_refused() {
	local before error
	before="$(curl -fs "$BANK_SANDBOX/__sandbox/stats" | jq .total)"
	N8N_SSRF_PROTECTION_ENABLED=true EXECUTE_ALLOW_ERROR=1 execute_workflow "$WF_BANK" bank-ssrf-refused
	error="$(jq -c '.data.resultData.error | {message, description, node: .node.name}' "$RUN/bank-ssrf-refused.json")"
	[[ "$(jq -r .message <<<"$error")" != null ]] || die "ssrf: with N8N_SSRF_PROTECTION_ENABLED=true and no allow entry the execution succeeded: $(node_json bank-ssrf-refused 'KwikID Get Session')"
	jq -e --arg allow "N8N_SSRF_ALLOWED_IP_RANGES=$SSRF_ALLOW_LOOPBACK" '.message | contains("SSRF protection") and contains($allow)' <<<"$error" >/dev/null ||
		die "ssrf: the refusal does not say that n8n's SSRF protection refused it, or not the allow entry: $error"
	[[ "$(curl -fs "$BANK_SANDBOX/__sandbox/stats" | jq .total)" == "$before" ]] ||
		die "ssrf: a request reached the sandbox although n8n refused the address"
	ok "ssrf: N8N_SSRF_PROTECTION_ENABLED=true without an allow entry: refused before any request left n8n; the user sees $error"
}

check_bank_paths() {
	start_bank_sandbox
	fill "$FIXTURES/credential.json" "$RUN/bank-credential.json" --arg url "$BANK_SANDBOX" --arg id "$BANK_CRED_ID" \
		'.[0] += {id: $id, name: "KwikID bank-hosted sandbox (e2e)"} | .[0].data += {domain: $url, customApiPaths: true, agentApiPrefix: "", appApiPrefix: ""}'
	fill "$FIXTURES/send-link-get-session.json" "$RUN/bank-send-link.json" --arg id "$WF_BANK" --arg cred "$BANK_CRED_ID" \
		'.id = $id | .name = "e2e: bank-hosted Send Link -> Get Session" | (.nodes[] | select(.credentials.kwikIdApi) | .credentials.kwikIdApi) = {id: $cred, name: "KwikID bank-hosted sandbox (e2e)"}'
	n8n import:credentials --input="$RUN/bank-credential.json" >>"$RUN/n8n-cli.log" 2>&1 || die "import:credentials (bank-hosted) failed (see $RUN/n8n-cli.log)"
	n8n import:workflow --input="$RUN/bank-send-link.json" >>"$RUN/n8n-cli.log" 2>&1 || die "import:workflow (bank-hosted) failed"

	# n8n 1.x has no SSRF protection; on 2.x the execution that must pass runs with it on.
	local ssrf=""
	if [[ "$N8N_VERSION" != 1.* ]]; then
		check_ssrf_refused
		ssrf=" with N8N_SSRF_PROTECTION_ENABLED=true N8N_SSRF_ALLOWED_IP_RANGES=$SSRF_ALLOW_LOOPBACK"
		N8N_SSRF_PROTECTION_ENABLED=true N8N_SSRF_ALLOWED_IP_RANGES="$SSRF_ALLOW_LOOPBACK" execute_workflow "$WF_BANK" bank-send-link
	else
		execute_workflow "$WF_BANK" bank-send-link
	fi
	local sent got sid paths
	sent="$(node_json bank-send-link 'KwikID Send Link')"
	got="$(node_json bank-send-link 'KwikID Get Session')"
	sid="$(jq -r .session_id <<<"$got")"
	[[ "$sid" != null && "$sid" == "$(jq -r .session_id <<<"$sent")" ]] ||
		die "bank: Get Session returned session_id '$sid', Send Link returned $(jq -c .session_id <<<"$sent")"
	paths="$(curl -fs "$BANK_SANDBOX/__sandbox/requests" | jq -c '[.[] | "\(.method) \(.path | sub("get_details/.*"; "get_details/<id>")) \(.status)"]')"
	[[ "$paths" == '["POST /v1/agent/generate_token 200","POST /v1/agent/sendLink/ 200","GET /v1/session/get_details/<id> 200"]' ]] ||
		die "bank: the bank-mode sandbox saw $paths"
	ok "bank-hosted install (credential $BANK_CRED_ID: Custom API Paths on, prefixes empty)$ssrf: Send Link -> Get Session session_id $sid; requests $paths"
}

# Run on its own: the set-up of run.sh, then only this check.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
	set -euo pipefail
	source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
	case "${1:-}" in
		1 | 2) lines=("$1") ;;
		all) lines=(1 2) ;;
		*)
			echo "usage: bash scripts/e2e/bank.sh 1|2|all" >&2
			exit 2
			;;
	esac
	for tool in node npm jq curl tar; do need "$tool"; done
	build_and_pack
	failed=()
	for line in "${lines[@]}"; do
		set +e
		(
			set -e
			started=$SECONDS
			prepare_line "$line"
			check_bank_paths
			cleanup
			trap - EXIT
			ok "n8n $N8N_VERSION: bank-hosted check passed in $((SECONDS - started))s"
			if [[ "${KWIKID_E2E_KEEP:-}" == 1 ]]; then log "kept $RUN"; else rm -rf "$RUN"; fi
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
	log "bank-hosted check passed on line(s) ${lines[*]} in $((SECONDS - T0))s"
fi
