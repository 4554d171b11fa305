#!/usr/bin/env bash
# Installs the Debian packages the real-n8n checks need, when their commands are missing:
#
#   bash scripts/e2e/deps.sh jq sqlite3 curl
#
# Each argument is a command; the package is the command's name unless mapped below. Needs root
# or passwordless sudo (CI machines and GitHub's runners have one of them); otherwise it says
# what to install and fails.
set -euo pipefail

package_of() {
	case "$1" in
		redis-server | redis-cli) echo redis-server ;;
		pg_ctl | initdb | postgres) echo postgresql ;;
		*) echo "$1" ;;
	esac
}

missing=()
for command in "$@"; do
	command -v "$command" >/dev/null 2>&1 || missing+=("$(package_of "$command")")
done
((${#missing[@]})) || exit 0

if [[ $(id -u) -eq 0 ]]; then
	as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
	as_root=(sudo -n)
else
	echo "[deps] missing: ${missing[*]}; install them (apt-get install ${missing[*]}) or run as root" >&2
	exit 1
fi
echo "[deps] apt-get install ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq >/dev/null
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
