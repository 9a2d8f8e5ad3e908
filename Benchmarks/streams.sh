#!/usr/bin/env bash
# Thousands of idle progress watchers cost the manager almost nothing:
# RSS and CPU of a release manager over an idle window with no stream open
# (the baseline) and with N event streams open on a running command; then
# the time for the command's final event to reach all N.
# Usage: Benchmarks/streams.sh [streams (default 2000)] [seconds per window (default 20)]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2000}
SECONDS_WINDOW=${2:-20}
ulimit -n 16384
swift build -c release --product steward >/dev/null
BIN=$(swift build -c release --show-bin-path)/steward
WORK=$(mktemp -d /tmp/steward-streams.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  for f in "$WORK"/*/instances/*/pid; do [ -f "$f" ] && kill -9 -- "-$(cat "$f")" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
PASSWORD=bench-password
"$BIN" manager --data-dir "$WORK/manager" --port 0 --admin-password "$PASSWORD" --port-shift 1600 --log-level warning \
  > "$WORK/manager.log" 2>&1 &
MANAGER=$!; PIDS+=($MANAGER)
for _ in $(seq 200); do [ -f "$WORK/manager/manager.url" ] && break; sleep 0.05; done
URL=$(cat "$WORK/manager/manager.url")
"$BIN" agent --manager "$URL" --host host-1 --data-dir "$WORK/host-1" --token-file "$WORK/manager/agent.token" \
  --stop-instances-on-exit --log-level warning > "$WORK/agent.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 200); do curl -s -u "admin:$PASSWORD" "$URL/web/v1/cluster/1/hosts" | grep -q CONNECTED && break; sleep 0.05; done
# A command that stays running: StorageMaster takes ten minutes to start.
curl -s -u "admin:$PASSWORD" -X POST "$URL/web/v1/config/cluster/1/save" -d '{"configurations_summary":{"components":[
  {"component_name":"Storage","children":[{"role_name":"StorageMaster","configurations":[{"name":"startup_delay_ms","value":"600000"}]}]}]}}' >/dev/null
ID=$(curl -s -u "admin:$PASSWORD" -X POST "$URL/web/v1/maintain/cluster/1/service/Storage/start" -d '{"only_self":true}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
python3 Benchmarks/idle_streams.py "$URL" admin "$PASSWORD" "$MANAGER" "$ID" "$N" "$SECONDS_WINDOW"
