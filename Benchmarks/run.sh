#!/usr/bin/env bash
# Steward benchmarks, against a release build, each figure a ratio to a
# baseline measured in the same run:
#  (a) requests/s of GET /web/v1/common/command/{id}/progress against the
#      server's trivial fixed-body route, 64 connections, Basic credentials on
#      every request (as scripts send them);
#  (b) wall time from POST to COMPLETE of a no-op start of one instance, as a
#      polling client sees it (and, for scale, of a real start).
# Needs: wrk (apt-get install wrk), python3 with requests.
# Usage: Benchmarks/run.sh [seconds-per-wrk-run (default 10)] [rounds (default 3)]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
ROUNDS=${2:-3}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
swift build -c release --product steward >/dev/null
BIN=$(swift build -c release --show-bin-path)/steward
source Benchmarks/lib.sh

echo "== (b) command latency (bench stack: one service, one instance)"
start_cluster "$BIN" "$WORK/b" "$PWD/Benchmarks/bench-stack.json" 1500 host-1
NOOP=$(python3 Benchmarks/command_latency.py "$URL" admin "$PASSWORD" Echo 50 noop)
REAL=$(python3 Benchmarks/command_latency.py "$URL" admin "$PASSWORD" Echo 20 real)
echo "no-op start: $NOOP"
echo "real start:  $REAL"
cleanup; WORK=$(mktemp -d /tmp/steward-bench.XXXXXX)

echo "== (a) progress endpoint vs trivial route (demo stack, 64 connections, ${DURATION}s x ${ROUNDS} rounds each, interleaved)"
start_cluster "$BIN" "$WORK/a" demo 1500 host-1 host-2 host-3
ID=$(finished_command "$URL")
BYTES=$(curl -s -u "admin:$PASSWORD" "$URL/web/v1/common/command/$ID/progress" | wc -c)
wrk -t2 -c64 -d2s "$URL/healthz" >/dev/null  # warm-up
base=(); auth=(); prog=()
for r in $(seq "$ROUNDS"); do
  base+=("$(rps "$URL/healthz")")
  auth+=("$(rps "$URL/web/v1/ping")")
  prog+=("$(rps "$URL/web/v1/common/command/$ID/progress")")
done
python3 - "$BYTES" "${base[*]}" "${auth[*]}" "${prog[*]}" <<'PY'
import statistics, sys
size = sys.argv[1]
base, auth, prog = ([float(x) for x in a.split()] for a in sys.argv[2:5])
mb, ma, mp = statistics.median(base), statistics.median(auth), statistics.median(prog)
print(f"trivial route /healthz (fixed 3-byte body): {mb:,.0f} req/s  (rounds: {', '.join(f'{x:,.0f}' for x in base)})")
print(f"authenticated /web/v1/ping (fixed envelope): {ma:,.0f} req/s  (rounds: {', '.join(f'{x:,.0f}' for x in auth)})")
print(f"progress of a 4-step command ({size} bytes): {mp:,.0f} req/s  (rounds: {', '.join(f'{x:,.0f}' for x in prog)})")
print(f"ratio progress / trivial route: {mp / mb:.2f}   (target >= 0.8)")
print(f"ratio progress / authenticated ping: {mp / ma:.2f}")
PY
