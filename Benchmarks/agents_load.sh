#!/usr/bin/env bash
# 5,000 agents on one manager: a stack of N hosts (host-1..N, one cluster, one
# small service on three of them), one release manager on loopback, and
# Benchmarks/agents_load.py speaking /agent/v1 as the N hosts (joining with the
# join token, then each host with its own credential: long poll, heartbeat at
# the welcome's interval, metrics, a success result for any task). Prints one
# JSON line per host count: the manager's CPU and RSS over a steady window,
# heartbeat round trips, false and true LOST hosts.
# Usage: Benchmarks/agents_load.sh PATH/TO/steward [hosts... (default 100 1000 5000)]
# Environment: WINDOW (steady window, s, default 60), QUIET (hosts that go quiet, default 5).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 PATH/TO/steward [hosts...]" >&2; exit 2; }
BIN=$(realpath "$1"); shift
COUNTS=("$@")
[ $# -ge 1 ] || COUNTS=(100 1000 5000)
WINDOW=${WINDOW:-60}
QUIET=${QUIET:-5}
cd "$(dirname "$0")/.."
# Two connections per host on each side (the long poll's and the rest's).
ulimit -n "$(ulimit -Hn)"
source Benchmarks/lib.sh

stack() {  # stack N FILE
  python3 - "$1" "$2" <<'PY'
import json, sys
n, path = int(sys.argv[1]), sys.argv[2]
hosts = [f"host-{i}" for i in range(1, n + 1)]
json.dump({
  "name": "agents", "version": "1.0", "description": f"{n} hosts for the agent load benchmark.",
  "cluster": {"id": 1, "name": "agents", "hosts": hosts},
  "services": [{"name": "Sleeper", "description": "One small role on three hosts.", "roles": [{
    "name": "Sleep", "hosts": hosts[:3],
    "process": {"start": ["/bin/sleep", "100000"], "check": {"type": "process"},
                "start_timeout_seconds": 30, "stop_timeout_seconds": 10},
    "configurations": [], "config_files": []}]}]}, open(path, "w"))
PY
}

for n in "${COUNTS[@]}"; do
  d="$WORK/n$n"; mkdir -p "$d"
  stack "$n" "$d/stack.json"
  "$BIN" manager --data-dir "$d/manager" --port 0 --admin-password "$PASSWORD" --stack "$d/stack.json" \
    --log-level warning > "$d/manager.log" 2>&1 &
  M=$!; PIDS+=("$M")
  for _ in $(seq 600); do [ -f "$d/manager/manager.url" ] && break; sleep 0.05; done
  URL=$(cat "$d/manager/manager.url")
  python3 Benchmarks/agents_load.py "$URL" "$d/manager/agent.token" "$M" "$n" "$WINDOW" "$QUIET" "$PASSWORD"
  kill "$M"; wait "$M" 2>/dev/null || true
done
