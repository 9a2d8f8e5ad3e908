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
WORK=$(mktemp -d /tmp/steward-bench.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  for f in "$WORK"/*/instances/*/pid; do [ -f "$f" ] && kill -9 -- "-$(cat "$f")" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
PASSWORD=bench-password

start_cluster() { # $1 = stack, $2.. = hosts
  local stack=$1; shift
  rm -f "$WORK/manager/manager.url"
  "$BIN" manager --data-dir "$WORK/manager" --port 0 --admin-password "$PASSWORD" --stack "$stack" \
    --port-shift 1500 --log-level warning > "$WORK/manager.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 200); do [ -f "$WORK/manager/manager.url" ] && break; sleep 0.05; done
  URL=$(cat "$WORK/manager/manager.url")
  for h in "$@"; do
    "$BIN" agent --manager "$URL" --host "$h" --data-dir "$WORK/$h" --token-file "$WORK/manager/agent.token" \
      --stop-instances-on-exit --log-level warning > "$WORK/$h.log" 2>&1 &
    PIDS+=($!)
  done
  for _ in $(seq 200); do
    n=$(curl -s -u "admin:$PASSWORD" "$URL/web/v1/cluster/1/hosts" | grep -o '"CONNECTED"' | wc -l)
    [ "$n" -ge "$#" ] && break; sleep 0.05
  done
}

rps() { # $1 = path
  wrk -t2 -c64 -d"${DURATION}s" -H "Authorization: Basic $(printf 'admin:%s' "$PASSWORD" | base64)" "$URL$1" \
    | awk '/Requests\/sec/ {print $2}'
}

echo "== (b) command latency (bench stack: one service, one instance)"
start_cluster "$PWD/Benchmarks/bench-stack.json" host-1
NOOP=$(python3 Benchmarks/command_latency.py "$URL" admin "$PASSWORD" Echo 50 noop)
REAL=$(python3 Benchmarks/command_latency.py "$URL" admin "$PASSWORD" Echo 20 real)
echo "no-op start: $NOOP"
echo "real start:  $REAL"
cleanup; PIDS=(); WORK=$(mktemp -d /tmp/steward-bench.XXXXXX)

echo "== (a) progress endpoint vs trivial route (demo stack, 64 connections, ${DURATION}s x ${ROUNDS} rounds each, interleaved)"
start_cluster demo host-1 host-2 host-3
ID=$(curl -s -u "admin:$PASSWORD" -XPOST "$URL/web/v1/maintain/cluster/1/service/Gateway/start" -d '{"only_self":false}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
python3 - "$URL" "$PASSWORD" "$ID" <<'PY'
import sys, time, requests
url, pw, cid = sys.argv[1:4]
while requests.get(f"{url}/web/v1/common/command/{cid}/progress", auth=("admin", pw)).json()["state"] == "IN_PROGRESS":
    time.sleep(0.05)
PY
BYTES=$(curl -s -u "admin:$PASSWORD" "$URL/web/v1/common/command/$ID/progress" | wc -c)
wrk -t2 -c64 -d2s "$URL/healthz" >/dev/null  # warm-up
base=(); auth=(); prog=()
for r in $(seq "$ROUNDS"); do
  base+=("$(rps /healthz)")
  auth+=("$(rps /web/v1/ping)")
  prog+=("$(rps "/web/v1/common/command/$ID/progress")")
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
