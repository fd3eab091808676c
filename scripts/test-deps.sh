#!/usr/bin/env bash
# Make sure the programs the tests start are installed: redis-server and
# redis-sentinel (session store tests) and promtool (metrics and rules checks).
# On Debian as root the missing packages are installed; elsewhere the script
# stops with the command to run.
set -euo pipefail

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v redis-sentinel >/dev/null 2>&1 || missing+=(redis-sentinel)
{ command -v promtool && command -v prometheus; } >/dev/null 2>&1 || missing+=(prometheus)

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "test-deps: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	# Debian starts the services it installs; the tests start their own on
	# free ports, so stop the packaged ones where they started.
	for svc in prometheus redis-sentinel; do
		if command -v systemctl >/dev/null 2>&1; then systemctl stop "$svc" >/dev/null 2>&1 || true; fi
	done
	exit 0
fi

echo "test-deps: missing ${missing[*]}. Install them with:" >&2
echo "  sudo apt-get install -y ${missing[*]}" >&2
exit 1
