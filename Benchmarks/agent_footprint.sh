#!/usr/bin/env bash
# An idle agent's footprint and the binary's start time, for BIN and, when
# given, BASELINE_BIN in the same run: one manager with the bench stack and one
# real agent for host-1 per binary, both clusters up at once; the agent's
# memory after IDLE seconds idle (default 30): VmRSS, and what it is made of
# (anonymous, i.e. private to the process; file pages, i.e. the binary's and
# libraries' pages it has touched, shared with every process mapping them; PSS,
# its fair share of those) and its thread count. Then the median wall time of
# RUNS (default 50) runs of `steward --version` (a no-op) per binary, beside
# `/bin/true` timed the same way (Python's subprocess cost, the baseline), in 3
# interleaved rounds. Targets (issue 11): agent <= 20 MB, start <= 5 ms.
# Usage: Benchmarks/agent_footprint.sh PATH/TO/steward [PATH/TO/baseline-steward]
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 PATH/TO/steward [PATH/TO/baseline-steward]" >&2; exit 2; }
BINS=("$(realpath "$1")")
[ $# -ge 2 ] && BINS+=("$(realpath "$2")")
IDLE=${IDLE:-30}
RUNS=${RUNS:-50}
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
AGENTS=()
MANAGERS=()
for i in "${!BINS[@]}"; do
  start_cluster "${BINS[$i]}" "$WORK/f$i" Benchmarks/bench-stack.json $((1800 + 100 * i)) host-1
  AGENTS+=("${PIDS[-1]}")
  MANAGERS+=("$MANAGER")
done
sleep "$IDLE"
kib() { awk -v k="$2:" '$1 == k {print $2}' "$1"; }
mib() { awk -v x="$1" 'BEGIN {printf "%.1f", x / 1024}'; }
for i in "${!BINS[@]}"; do
  a=${AGENTS[$i]}
  r=/proc/$a/smaps_rollup
  echo "{\"binary\": \"${BINS[$i]}\", \"idle_s\": $IDLE," \
    "\"agent_rss_mib\": $(mib "$(kib "$r" Rss)"), \"agent_anon_mib\": $(mib "$(kib "$r" Anonymous)")," \
    "\"agent_file_mib\": $(mib $(( $(kib "$r" Rss) - $(kib "$r" Anonymous) )))," \
    "\"agent_pss_mib\": $(mib "$(kib "$r" Pss)"), \"agent_threads\": $(ls "/proc/$a/task" | wc -l)," \
    "\"manager_rss_mib\": $(mib "$(kib "/proc/${MANAGERS[$i]}/smaps_rollup" Rss)")}"
done
python3 - "$RUNS" "${BINS[@]}" <<'PY'
import json, resource, statistics, subprocess, sys, time
runs, bins = int(sys.argv[1]), sys.argv[2:]
def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
def timed(argv):
    wall, used = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), cpu()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall.append((time.perf_counter() - t) * 1000)
        used.append((cpu() - c) * 1000)
    return round(statistics.median(wall), 2), round(statistics.median(used), 1)
for b in bins:
    timed([b, "--version"])  # warm the page cache
for _ in range(3):  # interleaved, so that all see the same noise
    tw, tc = timed(["/bin/true"])
    row = {"true_wall_ms": tw, "true_cpu_ms": tc}
    for i, b in enumerate(bins):
        w, c = timed([b, "--version"])
        name = "steward" if i == 0 else "baseline"
        row.update({f"{name}_version_wall_ms": w, f"{name}_minus_true_ms": round(w - tw, 2), f"{name}_version_cpu_ms": c})
    print(json.dumps({"runs_per_round": runs, **row}))
PY
