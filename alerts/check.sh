#!/usr/bin/env bash
# Checks every rule file under alerts/ with `promtool check rules` and runs the unit
# tests under alerts/tests/ and alerts/pending/tests/ with `promtool test rules`.
# Exits non-zero when promtool is missing, a rule file is invalid, a test fails or
# an alert has no test.
set -euo pipefail

cd "$(dirname -- "$0")"

if ! command -v promtool >/dev/null 2>&1; then
	echo "promtool not found. Install it with: apt-get install -y prometheus" >&2
	exit 1
fi

shopt -s nullglob
rule_files=(*.rules.yml pending/*.rules.yml)
test_files=(tests/*.yml pending/tests/*.yml)

if [ "${#rule_files[@]}" -eq 0 ] || [ "${#test_files[@]}" -eq 0 ]; then
	echo "no rule files or no test files found under $(pwd)" >&2
	exit 1
fi

promtool check rules "${rule_files[@]}"

# promtool does not report rules that no test evaluates, so list them here.
untested=0
for alert in $(sed -n 's/^ *- alert: *\([A-Za-z0-9_]*\).*/\1/p' "${rule_files[@]}"); do
	if ! grep -q "alertname: *${alert}\$" "${test_files[@]}"; then
		echo "alert ${alert} has no test in tests/ or pending/tests/" >&2
		untested=1
	fi
done

promtool test rules "${test_files[@]}"

if [ "${untested}" -ne 0 ]; then
	exit 1
fi
