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
source Benchmarks/lib.sh
start_cluster "$BIN" "$WORK/s" demo 1600 host-1
# A command that stays running: StorageMaster takes ten minutes to start.
curl -s -u "admin:$PASSWORD" -X POST "$URL/web/v1/config/cluster/1/save" -d '{"configurations_summary":{"components":[
  {"component_name":"Storage","children":[{"role_name":"StorageMaster","configurations":[{"name":"startup_delay_ms","value":"600000"}]}]}]}}' >/dev/null
ID=$(curl -s -u "admin:$PASSWORD" -X POST "$URL/web/v1/maintain/cluster/1/service/Storage/start" -d '{"only_self":true}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
python3 Benchmarks/idle_streams.py "$URL" admin "$PASSWORD" "$MANAGER" "$ID" "$N" "$SECONDS_WINDOW"
