#!/usr/bin/env bash
# Only the examples check (check_examples from examples.sh) on one or both n8n lines, without
# run.sh's other checks: for working on examples/. Same set-up as run.sh.
#
#   bash scripts/e2e/examples-only.sh 1|2|all
#   KWIKID_EXAMPLES='webhook_trigger' bash scripts/e2e/examples-only.sh 2   only check_example_<name> ...
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$HERE/examples.sh"

case "${1:-}" in
	1 | 2) lines=("$1") ;;
	all) lines=(1 2) ;;
	*)
		echo "usage: bash scripts/e2e/examples-only.sh 1|2|all" >&2
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
		if [[ -n "${KWIKID_EXAMPLES:-}" ]]; then
			for example in $KWIKID_EXAMPLES; do "check_example_$example"; done
		else
			check_examples
		fi
		cleanup
		trap - EXIT
		ok "n8n $N8N_VERSION: examples passed in $((SECONDS - started))s"
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
log "examples passed on line(s) ${lines[*]} in $((SECONDS - T0))s"
