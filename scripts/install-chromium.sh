#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the console's browser test
# (test/console/). `npm test` runs this before jest, so a fresh CI machine gets it too: in the
# test script itself, not as a pretest, because .npmrc's ignore-scripts=true skips pre-scripts.
#
#   bash scripts/install-chromium.sh
#
# Does nothing if /usr/bin/chromium is there. Otherwise installs the `chromium` package with
# apt-get, as root or through sudo. Fails with what to run if it cannot: the browser test is
# part of the suite and must never be skipped silently.
# Not `npx playwright install`: its browser download is not reachable from here, and Debian's
# build is what the test launches (playwright-core only drives it).
set -euo pipefail

CHROMIUM=/usr/bin/chromium

# KWIKID_CHROMIUM names another Chromium-based browser to use instead (e.g. GitHub's Ubuntu
# runners ship Google Chrome, and Ubuntu's chromium package is only a snap stub).
if [[ -n "${KWIKID_CHROMIUM:-}" ]]; then
	[[ -x "$KWIKID_CHROMIUM" ]] && exit 0
	echo "[install-chromium] KWIKID_CHROMIUM=$KWIKID_CHROMIUM is not an executable" >&2
	exit 1
fi

if [[ -x "$CHROMIUM" ]]; then
	exit 0
fi

log() { printf '[install-chromium] %s\n' "$*" >&2; }

if [[ $(id -u) -eq 0 ]]; then
	as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	as_root=(sudo -n)
else
	log "$CHROMIUM is missing and this user cannot install packages (not root, no passwordless sudo)."
	log "Install it once, then run npm test again:  sudo apt-get install -y chromium"
	exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
	log "$CHROMIUM is missing and there is no apt-get here. Install Chromium so that $CHROMIUM exists"
	log "(Debian/Ubuntu: apt-get install -y chromium), then run npm test again."
	exit 1
fi

log "installing Debian's chromium package (one time; a few minutes)"
started=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
# Quiet: apt's progress would bury the test output; errors still reach stderr. A failed update
# is not the end: the lists already on the machine may well have chromium.
if ! "${as_root[@]}" apt-get update -qq >/dev/null; then
	log "apt-get update failed; trying the install with the package lists already here"
fi
if ! "${as_root[@]}" apt-get install -y -qq chromium >/dev/null; then
	log "apt-get could not install chromium. Run this, then npm test again:"
	log "  sudo apt-get update && sudo apt-get install -y chromium"
	exit 1
fi
if [[ ! -x "$CHROMIUM" ]]; then
	log "the chromium package installed, but $CHROMIUM is not there; the browser test launches that path."
	exit 1
fi
log "chromium installed in $(($(date +%s) - started)) s: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
