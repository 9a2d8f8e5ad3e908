#!/usr/bin/env bash
# Time for the `lab` stack's start-all: `steward demo --stack lab` (a manager
# and three agents on 127.0.1.1-3), then RUNS times (default 5): every service
# stopped, then ZooKeeper, Redis and Nginx started at once (`steward service
# start NAME --wait`, three in parallel), timed from the first request until
# all three commands are COMPLETE, i.e. every instance passed its health check
# (ZooKeeper: its client port, or "Mode: leader|follower" where the check sends
# `srvr`), and until all three ZooKeeper members answer `srvr` with a mode. Needs zookeeper, redis-server and nginx installed, and the standard
# ports (2181, 2888, 3888, 6379, 80) free on 127.0.1.1-3.
# Usage: Benchmarks/lab_start_all.sh PATH/TO/steward [RUNS]
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 PATH/TO/steward [RUNS]" >&2; exit 2; }
BIN=$(realpath "$1")
RUNS=${2:-5}
WORK=$(mktemp -d /tmp/steward-lab.XXXXXX)
export STEWARD_PASSWORD=bench-password STEWARD_ADMIN_PASSWORD=bench-password
"$BIN" demo --stack lab --data-dir "$WORK/data" --port 0 > "$WORK/demo.log" 2>&1 &
DEMO=$!
trap 'kill $DEMO 2>/dev/null; wait $DEMO 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 600); do grep -q "Web UI" "$WORK/demo.log" && break; sleep 0.1; done
export STEWARD_MANAGER=$(awk '/Web UI:/ {print $3}' "$WORK/demo.log" | sed 's#/$##')
for _ in $(seq 200); do
  [ "$("$BIN" hosts | grep -c CONNECTED)" -ge 3 ] && break; sleep 0.1
done
SERVICES=(ZooKeeper Redis Nginx)
each() {  # each start|stop: the three services at once, each waited for
  local pids=()
  for s in "${SERVICES[@]}"; do "$BIN" service "$1" "$s" --only-self --wait > "$WORK/$1-$s.out" 2>&1 & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || { echo "$1 failed:"; cat "$WORK/$1"-*.out; exit 1; }; done
}
echo "lab start-all, $RUNS runs ($BIN)"
for run in $(seq "$RUNS"); do
  each stop
  t0=$(date +%s.%N)
  each start
  t1=$(date +%s.%N)
  # And until the ensemble serves: a leader and two followers (what the srvr check waits for).
  # (bash's /dev/tcp: ZooKeeper closes after answering; `nc -q1` would wait a second per probe)
  until [ "$(for n in 1 2 3; do timeout 2 bash -c "exec 3<>/dev/tcp/127.0.1.$n/2181 && printf srvr >&3 && cat <&3" 2>/dev/null; done | grep -c '^Mode: ')" = 3 ]; do sleep 0.05; done
  t2=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" -v c="$t2" -v r="$run" \
    'BEGIN {printf "run %d: %.2f s all commands COMPLETE, %.2f s ZooKeeper has a leader and two followers\n", r, b - a, c - a}'
done
each stop
