#!/usr/bin/env bash
# Issue 11, part 2: a big command's progress costs about what a small one's
# does. One release manager, no agents (every started task fails at once with
# 14003), three finished commands: Small (5 tasks), Big (N tasks, one failed,
# the rest skipped: the same shape as Small) and Failing (N tasks, all failed,
# so its fail_entity_list names N instances). Prints each document's size,
# then wrk's req/s on each progress URL (64 connections, DURATION s each,
# ROUNDS rounds, the order rotated each round) and Big/Small, Failing/Small
# paired by round.
# Usage: Benchmarks/progress_size.sh BIN [tasks (default 10000)] [seconds per wrk run (default 10)] [rounds (default 3)]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$1
N=${2:-10000}
DURATION=${3:-10}
ROUNDS=${4:-3}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
source Benchmarks/lib.sh
python3 Benchmarks/progress_stack.py "$N" > "$WORK/stack.json"
# The manager alone: no agent, so start_cluster's wait for connected hosts does not apply.
mkdir -p "$WORK/p"
"$BIN" manager --data-dir "$WORK/p/manager" --port 0 --admin-password "$PASSWORD" --stack "$WORK/stack.json" \
  --log-level warning > "$WORK/p/manager.log" 2>&1 &
MANAGER=$!
PIDS+=("$MANAGER")
for _ in $(seq 600); do [ -f "$WORK/p/manager/manager.url" ] && break; sleep 0.05; done
URL=$(cat "$WORK/p/manager/manager.url")

# start SERVICE: the id of its start, waited to its end (lib.sh), and how long that took.
start() {
  local id t0 t1
  t0=$(date +%s.%N)
  id=$(finished_command "$URL" "$1" true)
  t1=$(date +%s.%N)
  echo "start $1: command $id ended in $(python3 -c "print(f'{$t1 - $t0:.1f}')") s" >&2
  echo "$id"
}
SMALL=$(start Small); BIG=$(start Big); FAILING=$(start Failing)

size() { curl -s -u "admin:$PASSWORD" "$URL/web/v1/common/command/$1/progress" | wc -c; }
SUMMARY=$(cat <<'PY'
import json, sys
d = json.load(sys.stdin)["res_obj"]
steps = d["step_list"]
counts = [s.get("task_count", len(s["tasks"])) for s in steps]
listed = sum(len(s["tasks"]) for s in steps)
print(f"{len(steps)} steps of {counts} tasks, {listed} listed, {len(d['fail_entity_list'])} fail entities")
PY
)
summary() { curl -s -u "admin:$PASSWORD" "$URL/web/v1/common/command/$1/progress" | python3 -c "$SUMMARY"; }
for c in "Small $SMALL" "Big $BIG" "Failing $FAILING"; do
  set -- $c
  echo "$1 (command $2): $(size "$2") bytes; $(summary "$2")"
done

url() { echo "$URL/web/v1/common/command/$1/progress"; }
wrk -t2 -c64 -d2s "$(url "$SMALL")" -H "Authorization: Basic $(printf 'admin:%s' "$PASSWORD" | base64)" >/dev/null
small=(); big=(); failing=()
orders=("S B F" "B F S" "F S B")
for r in $(seq "$ROUNDS"); do
  for side in ${orders[$(((r - 1) % 3))]}; do
    case $side in
      S) small+=("$(rps "$(url "$SMALL")")") ;;
      B) big+=("$(rps "$(url "$BIG")")") ;;
      F) failing+=("$(rps "$(url "$FAILING")")") ;;
    esac
  done
done
python3 - "$BIN" "$N" "${small[*]}" "${big[*]}" "${failing[*]}" <<'PY'
import statistics, sys
binary, n = sys.argv[1], int(sys.argv[2])
s, b, f = ([float(x) for x in a.split()] for a in sys.argv[3:6])
print(f"binary {binary}, {n:,} tasks")
for name, runs in (("Small (5 tasks)", s), (f"Big ({n:,} tasks, 1 failed)", b), (f"Failing ({n:,} tasks, all failed)", f)):
    print(f"  {name}: median {statistics.median(runs):,.0f} req/s (rounds: {', '.join(f'{x:,.0f}' for x in runs)})")
for name, runs in (("Big / Small", b), ("Failing / Small", f)):
    ratios = [x / y for x, y in zip(runs, s)]
    print(f"  {name}: median of rounds {statistics.median(ratios):.2f} (rounds: {', '.join(f'{r:.2f}' for r in ratios)})")
PY
