#!/usr/bin/env bash
# Runs the simulated FortiGate and one exporter against it, with the session in
# memory (no Redis). Ctrl-C stops both. SIM_ADDR and LISTEN change the
# addresses (defaults 127.0.0.1:8443 and 127.0.0.1:9743).
set -euo pipefail
cd "$(dirname "$0")/.."

sim_addr=${SIM_ADDR:-127.0.0.1:8443}
listen=${LISTEN:-127.0.0.1:9743}
work=$(mktemp -d)
sim_pid=""
exporter_pid=""

stop() {
	# The exporter goes first, so it can log its session out while the
	# simulator still runs.
	if [ -n "$exporter_pid" ]; then kill "$exporter_pid" 2>/dev/null || true; wait "$exporter_pid" 2>/dev/null || true; fi
	if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap stop EXIT
trap 'exit 130' INT TERM

# A throwaway password for the simulator's admin account.
head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$work/password"
chmod 600 "$work/password"

# setsid keeps Ctrl-C, which the terminal sends to the whole process group,
# away from the simulator, so stop() can end it after the exporter.
setsid ./fortigate-sim --web.listen-address="$sim_addr" --username=admin \
	--password-file="$work/password" --tls.write-ca-file="$work/sim-ca.pem" \
	>"$work/sim.log" 2>&1 &
sim_pid=$!

for _ in $(seq 1 100); do
	[ -s "$work/sim-ca.pem" ] && break
	kill -0 "$sim_pid" 2>/dev/null || break
	sleep 0.1
done
if [ ! -s "$work/sim-ca.pem" ]; then
	echo "demo: the simulator did not start on $sim_addr (set SIM_ADDR to use another address):" >&2
	cat "$work/sim.log" >&2
	exit 1
fi

FORTIGATE_HOST="https://$sim_addr" FORTIGATE_USERNAME=admin \
	FORTIGATE_PASSWORD_FILE="$work/password" FORTIGATE_CA_FILE="$work/sim-ca.pem" \
	./fortigate_session_exporter --web.listen-address="$listen" &
exporter_pid=$!

healthy=""
for _ in $(seq 1 100); do
	kill -0 "$exporter_pid" 2>/dev/null || break
	if (exec 3<>"/dev/tcp/${listen%:*}/${listen##*:}") 2>/dev/null; then
		healthy=yes
		break
	fi
	sleep 0.1
done
if [ -z "$healthy" ]; then
	echo "demo: the exporter did not start on $listen (set LISTEN to use another address)" >&2
	exit 1
fi

echo
echo "Simulated FortiGate: https://$sim_addr (log: $work/sim.log)"
echo "FortiGate metrics:   http://$listen/metrics"
echo "Session metadata:    http://$listen/session?target=default"
echo "Press Ctrl-C to stop."

# Stop when either process ends.
wait -n "$sim_pid" "$exporter_pid" || true
echo "demo: a process ended; stopping" >&2
