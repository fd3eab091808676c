#!/usr/bin/env bash
# Runs the simulated FortiGate and one exporter against it, with the session in
# memory (no Redis). Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

sim_addr=${SIM_ADDR:-127.0.0.1:8443}
listen=${LISTEN:-127.0.0.1:9743}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

# A throwaway password for the simulator's admin account.
head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$work/password"
chmod 600 "$work/password"

./fortigate-sim --web.listen-address="$sim_addr" --username=admin \
	--password-file="$work/password" --tls.write-ca-file="$work/sim-ca.pem" \
	>"$work/sim.log" 2>&1 &

for _ in $(seq 1 100); do
	[ -s "$work/sim-ca.pem" ] && break
	sleep 0.1
done
if [ ! -s "$work/sim-ca.pem" ]; then
	echo "demo: the simulator did not start:" >&2
	cat "$work/sim.log" >&2
	exit 1
fi

FORTIGATE_HOST="https://$sim_addr" FORTIGATE_USERNAME=admin \
	FORTIGATE_PASSWORD_FILE="$work/password" FORTIGATE_CA_FILE="$work/sim-ca.pem" \
	./fortigate_session_exporter --web.listen-address="$listen" &

echo
echo "Simulated FortiGate: https://$sim_addr (log: $work/sim.log)"
echo "FortiGate metrics:   http://$listen/metrics"
echo "Session metadata:    http://$listen/session?target=default"
echo "Press Ctrl-C to stop."
wait
