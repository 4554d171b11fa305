#!/usr/bin/env bash
# The credential dialog's Test button in a real n8n, for a bank-hosted install: the packed
# credential is tested through n8n's REST API (POST /rest/credentials/test, what the button
# calls) against a sandbox in bank mode. Not run by CI (it needs `n8n start` and an owner
# account, about 1.5 minutes per line); see scripts/e2e/README.md.
#
#   bash scripts/e2e/credential-test.sh 1|2|all
#   KWIKID_E2E_ENGINE=default bash scripts/e2e/credential-test.sh 2   # n8n's default expression engine
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$HERE/bank.sh"

OWNER='{"email":"owner@example.com","firstName":"KwikID","lastName":"Check","password":"Passw0rd-Kwikid1"}'

# test_credential <label> <jq filter on the credential's data> <expected status> <expected text>
test_credential() {
	local label=$1 filter=$2 want_status=$3 want_text=$4 body answer
	body="$(jq -c --arg url "$BANK_SANDBOX" "{credentials: {id: \"$BANK_CRED_ID\", name: \"bank\", type: \"kwikIdApi\",
		data: ({domain: \$url, environment: \"test\", username: \"sandbox\", password: \"sandbox1234\"} | $filter)}}" <<<'{}')"
	answer="$(curl -s -b "$RUN/cookies" -H 'browser-id: kwikid-e2e' -H 'content-type: application/json' \
		-X POST "$N8N_URL/rest/credentials/test" -d "$body")"
	jq -e --arg s "$want_status" --arg t "$want_text" '.data.status == $s and (.data.message | contains($t))' <<<"$answer" >/dev/null ||
		die "Test button, $label: wanted $want_status containing \"$want_text\", got $answer"
	ok "Test button, $label: $(jq -c .data <<<"$answer")"
}

check_line() {
	prepare_line "$1"
	[[ "${KWIKID_E2E_ENGINE:-}" != default ]] || unset N8N_EXPRESSION_ENGINE
	log "expression engine: ${N8N_EXPRESSION_ENGINE:-the n8n default}"
	start_bank_sandbox
	fill "$FIXTURES/credential.json" "$RUN/bank-credential.json" --arg url "$BANK_SANDBOX" --arg id "$BANK_CRED_ID" \
		'.[0] += {id: $id, name: "bank"} | .[0].data.domain = $url'
	n8n import:credentials --input="$RUN/bank-credential.json" >>"$RUN/n8n-cli.log" 2>&1 || die "import:credentials failed"

	local port waited=0
	port="$(free_port)"
	N8N_URL="http://127.0.0.1:$port"
	PATH="$(dirname "$NODE_BIN"):$PATH" N8N_PORT="$port" "$NODE_BIN" "$N8N_JS" start >"$RUN/n8n-start.log" 2>&1 &
	N8N_PID=$!
	# n8n 1.x answers its readiness check before the REST routes exist: wait for those.
	until curl -fs "$N8N_URL/rest/settings" >/dev/null 2>&1; do
		kill -0 "$N8N_PID" 2>/dev/null || die "n8n start exited (see $RUN/n8n-start.log)"
		((waited < 240)) || die "n8n not ready within 240s"
		sleep 1
		waited=$((waited + 1))
	done
	# On a busy machine the owner route may still refuse for a moment after /rest/settings answers.
	local answer=""
	for _ in $(seq 1 30); do
		answer="$(curl -s -c "$RUN/cookies" -H 'browser-id: kwikid-e2e' -H 'content-type: application/json' \
			-X POST "$N8N_URL/rest/owner/setup" -d "$OWNER")"
		jq -e '.data.email' <<<"$answer" >/dev/null 2>&1 && break
		sleep 1
	done
	jq -e '.data.email' <<<"$answer" >/dev/null 2>&1 || die "owner setup failed: ${answer:0:300}"
	curl -fs -c "$RUN/cookies" -b "$RUN/cookies" -H 'browser-id: kwikid-e2e' -H 'content-type: application/json' -X POST "$N8N_URL/rest/login" \
		-d "$(jq -c '{emailOrLdapLoginId: .email, email, password}' <<<"$OWNER")" >/dev/null || die "login failed"

	test_credential 'Custom API Paths on, prefixes empty' '. + {customApiPaths: true, agentApiPrefix: "", appApiPrefix: ""}' OK 'Connection successful'
	test_credential 'saved without the new fields' '.' Error '404 on /agentapi/v1/agent/generate_token'
	test_credential 'Custom API Paths off, an empty prefix left over' '. + {customApiPaths: false, agentApiPrefix: ""}' Error 'turn on Custom API Paths'
	test_credential 'a prefix without its slash' '. + {customApiPaths: true, agentApiPrefix: "v1"}' Error "Agent API Path Prefix \"v1\" must start with \"/\""
	test_credential 'a wrong password' '. + {customApiPaths: true, agentApiPrefix: "", password: "wrongpass99"}' Error 'did not accept the Username'
	local paths
	paths="$(curl -fs "$BANK_SANDBOX/__sandbox/requests" | jq -c '[.[] | "\(.method) \(.path) \(.status)"]')"
	# The good one logs in twice (preAuthentication, then the test request itself); the wrong
	# password once; the others never reach it (404 elsewhere, or refused before sending).
	[[ "$paths" == '["POST /v1/agent/generate_token 200","POST /v1/agent/generate_token 200","POST /v1/agent/generate_token 401"]' ]] ||
		die "the bank-mode sandbox saw $paths"
	ok "bank-mode sandbox saw $paths"
}

case "${1:-}" in
	1 | 2) lines=("$1") ;;
	all) lines=(1 2) ;;
	*)
		echo "usage: bash scripts/e2e/credential-test.sh 1|2|all" >&2
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
		check_line "$line"
		cleanup
		trap - EXIT
		ok "n8n $N8N_VERSION: the Test button passed in $((SECONDS - started))s"
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
log "the Test button passed on line(s) ${lines[*]} in $((SECONDS - T0))s"
