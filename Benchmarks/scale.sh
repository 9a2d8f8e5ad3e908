#!/usr/bin/env bash
# Starts and stops one service of HOSTS x PER_HOST real /bin/sleep instances
# (process check) on HOSTS real agents, and the same for 10 hosts x 10 as the
# baseline in the same run, so that the ratio shows whether time grows
# linearly with the work.
# Usage: Benchmarks/scale.sh BIN [HOSTS (100)] [PER_HOST (10)] [RUNS (3)]
set -euo pipefail
BIN=$(realpath "$1"); HOSTS=${2:-100}; PER_HOST=${3:-10}; RUNS=${4:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
# A manager holds a connection or two per agent, and each instance has files.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# measure NAME HOSTS PER_HOST: one cluster, RUNS start/stop pairs, then its end.
measure() {
  local name=$1 hosts=$2 per=$3 dir=$WORK/$1 list=()
  mkdir -p "$dir"
  python3 "$HERE/scale_stack.py" "$hosts" "$per" > "$dir/stack.json"
  for i in $(seq "$hosts"); do list+=("host-$i"); done
  local t0=$SECONDS
  start_cluster "$BIN" "$dir" "$dir/stack.json" $((RANDOM % 20000 + 1000)) "${list[@]}"
  # start_cluster gives up after 10 s; 100 agents on 2 cores may need longer.
  for _ in $(seq 600); do
    n=$(curl -s -u "admin:$PASSWORD" "$URL/web/v1/cluster/1/hosts" | grep -o '"CONNECTED"' | wc -l)
    [ "$n" -ge "$hosts" ] && break; sleep 0.1
  done
  echo "# $name: $n of $hosts hosts connected after $((SECONDS - t0)) s" >&2
  local out perf=
  # SCALE_PERF=FILE: a perf profile of the manager over the scale case's runs.
  if [ -n "${SCALE_PERF:-}" ] && [ "$name" = scale ]; then
    perf record -q -F 499 -g -p "$MANAGER" -o "$SCALE_PERF" > /dev/null 2>&1 & perf=$!
  fi
  # PIDS holds the manager, then the agents, of this cluster only.
  out=$(MANAGER_PID=$MANAGER AGENT_PIDS="${PIDS[*]:1}" python3 "$HERE/scale_run.py" "$URL" admin "$PASSWORD" Sleepers "$RUNS")
  if [ -n "$perf" ]; then kill -INT "$perf"; wait "$perf" || true; fi
  echo "{\"case\": \"$name\", \"hosts\": $hosts, \"instances\": $((hosts * per)), \"result\": $out}"
  [ -n "${SCALE_LOGS:-}" ] && cp "$dir/manager.log" "$SCALE_LOGS.$name.log"
  cleanup
}

measure baseline 10 10
measure scale "$HOSTS" "$PER_HOST"
