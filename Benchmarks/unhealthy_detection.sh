#!/usr/bin/env bash
# How long an instance killed with SIGKILL takes to show as not running in the
# manager's instance list (issue 12). Runs `steward demo` (a manager and three
# agents on loopback), starts the Coordinator service, then RUNS times: kill -9
# the process of CoordinatorServer@host-1 (its pid as the instance list shows
# it), and poll `GET /web/v1/cluster/1/instances` as fast as one client can
# until that instance is no longer STARTED; then start it again for the next
# run. Prints each run's milliseconds (kill to the first answer that shows it
# stopped) and the median. What bounds it: the agent looks at liveness every
# second and sends a heartbeat at once on a change, so expect about 0.5 s on
# average and at most about 1 s plus a heartbeat's trip.
# Usage: Benchmarks/unhealthy_detection.sh PATH/TO/steward [RUNS (10)] [PORT_SHIFT (2300)]
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 PATH/TO/steward [RUNS] [PORT_SHIFT]" >&2; exit 2; }
BIN=$(realpath "$1")
RUNS=${2:-10}
SHIFT=${3:-2300}
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
"$BIN" demo --data-dir "$WORK/demo" --port 0 --admin-password "$PASSWORD" --port-shift "$SHIFT" > "$WORK/demo.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 400); do [ -f "$WORK/demo/manager/manager.url" ] && break; sleep 0.05; done
URL=$(cat "$WORK/demo/manager/manager.url")
for _ in $(seq 400); do
  n=$(curl -s -u "admin:$PASSWORD" "$URL/web/v1/cluster/1/hosts" | grep -o '"CONNECTED"' | wc -l)
  [ "$n" -ge 3 ] && break; sleep 0.05
done
python3 - "$URL" "$PASSWORD" "$RUNS" <<'PY'
import json, os, signal, statistics, sys, time
import requests
url, password, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = requests.Session()
s.auth = ("admin", password)
name = "CoordinatorServer@host-1"

def instance():
    body = s.get(f"{url}/web/v1/cluster/1/instances", params={"service_name": "Coordinator"}).json()
    return next(i for i in body["res_obj"]["instances"] if i["name"] == name)

def start():
    cid = s.post(f"{url}/web/v1/maintain/cluster/1/service/Coordinator/start", json={"only_self": True}).json()["id"]
    while s.get(f"{url}/web/v1/common/command/{cid}/progress").json()["state"] == "IN_PROGRESS":
        time.sleep(0.02)
    deadline = time.monotonic() + 30
    while not (instance()["operational_status"] == "STARTED" and instance()["health_status"] == "GOOD"):
        assert time.monotonic() < deadline, "the instance did not come back"
        time.sleep(0.02)

figures = []
for run in range(runs):
    start()
    pid = instance()["pid"]
    t0 = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    polls = 0
    while instance()["operational_status"] == "STARTED":
        polls += 1
    ms = (time.monotonic() - t0) * 1000
    figures.append(ms)
    print(json.dumps({"run": run + 1, "pid": pid, "ms": round(ms, 1), "polls": polls}), flush=True)
print(json.dumps({"runs": runs, "median_ms": round(statistics.median(figures), 1), "min_ms": round(min(figures), 1),
                  "max_ms": round(max(figures), 1)}))
PY
