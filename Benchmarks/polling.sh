#!/usr/bin/env bash
# Issue 11, part 5: CLIENTS clients polling command progress while a driver
# keeps commands starting and ending (a restart of a service of HOSTS x
# PER_HOST real /bin/sleep instances on real agents, in a loop), against
# the same clients polling GET /web/v1/ping, the cheapest authenticated
# route, for BASE_SECONDS in the same run as the baseline.
# Usage: Benchmarks/polling.sh BIN [CLIENTS (200)] [SECONDS (60)]
# Environment: INTERVAL (0.1 s between one client's requests; 0 = as fast as
# it can), BASE_SECONDS (15), HOSTS (4), PER_HOST (2),
# POLLING_PERF=FILE (a perf profile of the manager over the progress phase).
# Needs python3 (no packages beyond the standard library).
set -euo pipefail
BIN=$(realpath "$1"); CLIENTS=${2:-200}; DURATION=${3:-60}
INTERVAL=${INTERVAL:-0.1}; BASE_SECONDS=${BASE_SECONDS:-15}; HOSTS=${HOSTS:-4}; PER_HOST=${PER_HOST:-2}
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

python3 "$HERE/scale_stack.py" "$HOSTS" "$PER_HOST" > "$WORK/stack.json"
list=(); for i in $(seq "$HOSTS"); do list+=("host-$i"); done
start_cluster "$BIN" "$WORK/c" "$WORK/stack.json" $((RANDOM % 20000 + 1000)) "${list[@]}"
# The first restart needs running instances to be a real restart.
finished_command "$URL" Sleepers true > /dev/null
perf=
if [ -n "${POLLING_PERF:-}" ]; then
  # Starts with the baseline phase's end, roughly: the profile is of the progress phase.
  (sleep "$BASE_SECONDS"; exec perf record -q -F 499 -g -p "$MANAGER" -o "$POLLING_PERF" -- sleep "$DURATION") \
    > /dev/null 2>&1 & perf=$!
fi
echo "# $HOSTS hosts x $PER_HOST instances, $CLIENTS clients, interval $INTERVAL s; load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
MANAGER_PID=$MANAGER AGENT_PIDS="${PIDS[*]:1}" \
  python3 "$HERE/polling.py" "$URL" admin "$PASSWORD" Sleepers "$CLIENTS" "$DURATION" "$BASE_SECONDS" "$INTERVAL"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
if [ -n "$perf" ]; then wait "$perf" || true; fi
