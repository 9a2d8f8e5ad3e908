"""Wall time of a command from POST to COMPLETE, as a polling client sees it.

Usage: command_latency.py URL USER PASSWORD SERVICE RUNS MODE
MODE noop: start an already running instance (the control path alone).
MODE real: stop, then time a start that spawns the process and waits for its health check.
Prints one JSON object with the samples in milliseconds.
"""
import json
import statistics
import sys
import time

import requests

url, user, password, service, runs, mode = sys.argv[1:7]
runs = int(runs)
s = requests.Session()
s.auth = (user, password)
base = f"{url}/web/v1"


def run(action):
    t0 = time.perf_counter()
    r = s.post(f"{base}/maintain/cluster/1/service/{service}/{action}", json={"only_self": True})
    body = r.json()
    assert r.status_code == 200, body
    cid = body["id"]
    while True:
        p = s.get(f"{base}/common/command/{cid}/progress").json()
        if p["state"] != "IN_PROGRESS":
            break
    elapsed = (time.perf_counter() - t0) * 1000
    assert p["state"] == "COMPLETE", p
    return elapsed


run("start")  # make sure it runs, and warm up
samples = []
for _ in range(runs):
    if mode == "real":
        run("stop")
    samples.append(run("start"))
samples.sort()
print(json.dumps({
    "mode": mode, "runs": runs,
    "median_ms": round(statistics.median(samples), 2),
    "p90_ms": round(samples[int(len(samples) * 0.9) - 1], 2),
    "min_ms": round(samples[0], 2), "max_ms": round(samples[-1], 2),
}))
