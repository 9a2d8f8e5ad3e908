#!/usr/bin/env bash
# The manager's memory per connection (issue 11, part 3): one manager on
# loopback with a generated stack of N hosts, and Benchmarks/connection_memory.py
# holding N keep-alive connections to it: idle, after one GET each, after one
# JSON POST each (an agent registration), with a long poll parked on each, and
# closed again. Prints one JSON line per binary: VmRSS in MiB and KiB per
# connection over the manager's RSS before the first connection.
# Usage: Benchmarks/connection_memory.sh PATH/TO/steward [N (default 5000)]
# Environment: BASELINE=PATH/TO/steward measures that binary first, in the same run.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 PATH/TO/steward [N]" >&2; exit 2; }
BIN=$(realpath "$1")
N=${2:-5000}
BINS=("$BIN")
[ -n "${BASELINE:-}" ] && BINS=("$(realpath "$BASELINE")" "$BIN")
cd "$(dirname "$0")/.."
ulimit -n "$(ulimit -Hn)"
source Benchmarks/lib.sh

python3 - "$N" "$WORK/stack.json" <<'PY'
import json, sys
n, path = int(sys.argv[1]), sys.argv[2]
hosts = [f"host-{i}" for i in range(1, n + 1)]
json.dump({"name": "conns", "version": "1.0", "description": f"{n} hosts, no service.",
           "cluster": {"id": 1, "name": "conns", "hosts": hosts}, "services": []}, open(path, "w"))
PY

for i in "${!BINS[@]}"; do
  d="$WORK/m$i"
  # No heartbeats are sent: a long heartbeat timeout keeps the hosts (and their parked polls) CONNECTED.
  "${BINS[$i]}" manager --data-dir "$d" --port 0 --admin-password "$PASSWORD" --stack "$WORK/stack.json" \
    --heartbeat-timeout-ms 600000 --log-level warning > "$WORK/m$i.log" 2>&1 &
  M=$!; PIDS+=("$M")
  for _ in $(seq 600); do [ -f "$d/manager.url" ] && break; sleep 0.05; done
  printf '%s ' "${BINS[$i]}"
  python3 Benchmarks/connection_memory.py "$(cat "$d/manager.url")" "$d/agent.token" "$M" "$N"
  kill "$M"; wait "$M" 2>/dev/null || true
done
