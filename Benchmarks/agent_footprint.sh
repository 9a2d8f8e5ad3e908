#!/usr/bin/env bash
# An idle agent's footprint and the binary's start time: one manager with the
# bench stack, one real agent for host-1, its VmRSS after IDLE seconds idle
# (default 30); then the median wall time of RUNS (default 50) runs of
# `steward --version` (a no-op) beside `/bin/true` timed the same way (Python's
# subprocess cost, the baseline). Targets (issue 11): agent <= 20 MB, start <= 5 ms.
# Usage: Benchmarks/agent_footprint.sh PATH/TO/steward
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 PATH/TO/steward" >&2; exit 2; }
BIN=$(realpath "$1")
IDLE=${IDLE:-30}
RUNS=${RUNS:-50}
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
start_cluster "$BIN" "$WORK/f" Benchmarks/bench-stack.json 1800 host-1
AGENT=${PIDS[1]}
sleep "$IDLE"
rss() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
echo "{\"idle_s\": $IDLE, \"agent_rss_mib\": $(rss "$AGENT"), \"manager_rss_mib\": $(rss "$MANAGER")}"
python3 - "$BIN" "$RUNS" <<'PY'
import json, resource, statistics, subprocess, sys, time
bin_, runs = sys.argv[1], int(sys.argv[2])
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
    return statistics.median(wall), statistics.median(used)
timed([bin_, "--version"])  # warm the page cache
rounds = []
for _ in range(3):  # interleaved, so that both see the same noise
    (tw, tc), (sw, sc) = timed(["/bin/true"]), timed([bin_, "--version"])
    rounds.append({"true_wall_ms": round(tw, 2), "steward_version_wall_ms": round(sw, 2),
                   "steward_minus_true_ms": round(sw - tw, 2), "true_cpu_ms": round(tc, 1),
                   "steward_version_cpu_ms": round(sc, 1)})
print(json.dumps({"runs_per_round": runs, "rounds": rounds}))
PY
