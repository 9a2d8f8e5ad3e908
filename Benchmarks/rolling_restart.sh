#!/usr/bin/env bash
# The rolling restart's duration on the demo stack: Coordinator's three
# instances (one per host, real agents, real `steward role` processes),
# batch size 1, no pause; and, as the baseline in the same run, a plain
# restart of the same service (`only_self`: stop all, then start all).
# Durations are the manager's own: the command's end_time - create_time,
# and each batch's step end_time - start_time, from the progress document.
# Usage: Benchmarks/rolling_restart.sh BIN [RUNS (5)]
set -euo pipefail
BIN=$(realpath "$1"); RUNS=${2:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"

start_cluster "$BIN" "$WORK/demo" demo $((RANDOM % 20000 + 1000)) host-1 host-2 host-3
finished_command "$URL" Coordinator true > /dev/null

# run PATH BODY: one command to its end; prints its progress document.
run() {
  local id
  id=$(curl -s -u "admin:$PASSWORD" -XPOST "$URL/web/v1/maintain/cluster/1/service/Coordinator/$1" -d "$2" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  wait_command "$URL" "$id"
  curl -s -u "admin:$PASSWORD" "$URL/web/v1/common/command/$id/progress"
}

for i in $(seq "$RUNS"); do
  run rolling_restart '{"batch_size":1,"pause_seconds":0,"failure_tolerance":0}' > "$WORK/rolling-$i.json"
  run restart '{"only_self":true}' > "$WORK/restart-$i.json"
done

python3 - "$WORK" "$RUNS" <<'PY'
import json, statistics, sys
work, runs = sys.argv[1], int(sys.argv[2])
def load(kind, i):
    d = json.load(open(f"{work}/{kind}-{i}.json"))
    assert d["state"] == "COMPLETE", d
    r = d["res_obj"]
    return r["end_time"] - r["create_time"], [s["end_time"] - s["start_time"] for s in r["step_list"]]
rolling = [load("rolling", i) for i in range(1, runs + 1)]
plain = [load("restart", i) for i in range(1, runs + 1)]
med = lambda xs: statistics.median(xs)
print(json.dumps({
    "runs": runs,
    "rolling_restart_ms": [t for t, _ in rolling], "rolling_restart_median_ms": med([t for t, _ in rolling]),
    "batch_ms_median": med([b for _, bs in rolling for b in bs]),
    "plain_restart_ms": [t for t, _ in plain], "plain_restart_median_ms": med([t for t, _ in plain]),
}))
PY
