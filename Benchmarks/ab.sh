#!/usr/bin/env bash
# An A/B of two steward binaries on the progress benchmark: both clusters run
# side by side (idle but for the one measured), and each round measures both,
# in alternating order, so that the machine's drift falls on both alike.
# Reports each binary's progress and trivial-route req/s and their ratio.
# Usage: Benchmarks/ab.sh BIN_A BIN_B [seconds-per-wrk-run (default 10)] [rounds (default 5)]
set -euo pipefail
cd "$(dirname "$0")/.."
A=$1; B=$2
DURATION=${3:-10}
ROUNDS=${4:-5}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
source Benchmarks/lib.sh

start_cluster "$A" "$WORK/A" demo 1500 host-1 host-2 host-3
URL_A=$URL; ID_A=$(finished_command "$URL_A")
start_cluster "$B" "$WORK/B" demo 1800 host-1 host-2 host-3
URL_B=$URL; ID_B=$(finished_command "$URL_B")
wrk -t2 -c64 -d2s "$URL_A/healthz" >/dev/null
wrk -t2 -c64 -d2s "$URL_B/healthz" >/dev/null
a_base=(); a_prog=(); b_base=(); b_prog=()
for r in $(seq "$ROUNDS"); do
  if [ $((r % 2)) -eq 1 ]; then order="A B"; else order="B A"; fi
  for side in $order; do
    if [ "$side" = A ]; then
      a_base+=("$(rps "$URL_A/healthz")"); a_prog+=("$(rps "$URL_A/web/v1/common/command/$ID_A/progress")")
    else
      b_base+=("$(rps "$URL_B/healthz")"); b_prog+=("$(rps "$URL_B/web/v1/common/command/$ID_B/progress")")
    fi
  done
done
python3 - "$A" "$B" "${a_base[*]}" "${a_prog[*]}" "${b_base[*]}" "${b_prog[*]}" <<'PY'
import statistics, sys
a, b = sys.argv[1:3]
ab, ap, bb, bp = ([float(x) for x in s.split()] for s in sys.argv[3:7])
def show(name, base, prog):
    mb, mp = statistics.median(base), statistics.median(prog)
    ratios = [p / t for p, t in zip(prog, base)]
    print(f"{name}: /healthz {mb:,.0f} req/s, progress {mp:,.0f} req/s; progress / trivial: median of rounds"
          f" {statistics.median(ratios):.2f} (rounds: {', '.join(f'{r:.2f}' for r in ratios)})")
    return mb, mp
print(f"A = {a}\nB = {b}")
show("A", ab, ap)
show("B", bb, bp)
# Paired by round: B and A ran back to back, on the same machine state.
paired = [q / p for p, q in zip(ap, bp)]
print(f"progress B / A: median of rounds {statistics.median(paired):.2f} (rounds: {', '.join(f'{r:.2f}' for r in paired)})")
PY
