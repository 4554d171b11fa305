#!/usr/bin/env bash
# Pictures of the examples' canvases for the README (docs/examples/<name>.png): builds and
# packs the package, starts n8n 2.41.1 with it and the examples imported (the e2e's set-up,
# lib.sh), and screenshots each workflow in the editor with headless Chromium (screenshots.js).
#
#   KWIKID_PLAYWRIGHT_DIR=/tmp/pw bash scripts/e2e/screenshots.sh [example name ...]
#
# playwright-core is not a dependency of this package: install it anywhere
# (mkdir /tmp/pw && cd /tmp/pw && npm install playwright-core) and point KWIKID_PLAYWRIGHT_DIR
# there. Chromium: /usr/bin/chromium (Debian's package) or CHROMIUM=<path>.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

names=("$@")
if ((${#names[@]} == 0)); then
	for file in "$REPO"/examples/*.json; do names+=("$(basename "$file" .json)"); done
fi
for tool in node npm jq curl tar; do need "$tool"; done
build_and_pack
prepare_line 2
# prepare_line's EXIT trap replaces build_and_pack's, which removed the pack folder.
trap 'cleanup; rm -rf "$PACK_DIR"' EXIT
# The webhook trigger example's second credential, so its node shows no credential issue.
fill "$FIXTURES/webhook-credential.json" "$RUN/webhook-credential.json" '.[0].data.secret = "screenshot-secret-0123456789"'
n8n import:credentials --input="$RUN/webhook-credential.json" >>"$RUN/n8n-cli.log" 2>&1 || die "import:credentials (webhook secret) failed"
pairs=()
for name in "${names[@]}"; do
	id="kwikidPic$(printf '%s' "$name" | md5sum | cut -c1-8)"
	fill "$REPO/examples/$name.json" "$RUN/$name.json" --arg id "$id" '.id = $id'
	n8n import:workflow --input="$RUN/$name.json" >>"$RUN/n8n-cli.log" 2>&1 || die "import:workflow $name failed"
	pairs+=("$id=$name")
done
port="$(free_port)"
PATH="$(dirname "$NODE_BIN"):$PATH" N8N_PORT="$port" "$NODE_BIN" "$N8N_JS" start >"$RUN/n8n-start.log" 2>&1 &
N8N_PID=$!
waited=0
until curl -fs "http://127.0.0.1:$port/healthz/readiness" >/dev/null 2>&1; do
	kill -0 "$N8N_PID" 2>/dev/null || die "n8n start exited (see $RUN/n8n-start.log)"
	((waited < 240)) || die "n8n not ready within 240s"
	sleep 1
	waited=$((waited + 1))
done
log "n8n editor on http://127.0.0.1:$port after ${waited}s"
mkdir -p "$REPO/docs/examples"
node "$HERE/screenshots.js" "http://127.0.0.1:$port" "$REPO/docs/examples" "${pairs[@]}"
cleanup
trap - EXIT
rm -rf "$RUN" "$PACK_DIR"
ok "pictures in docs/examples/ (check each is under ~120 KB and shows the canvas)"
