"""Times starting and stopping a whole service, POST to COMPLETE, as a client
polling the command's progress every 5 ms sees it.

Usage: scale_run.py URL USER PASSWORD SERVICE RUNS
Prints one JSON object: the start and stop wall times of each run, in seconds,
and, with MANAGER_PID and AGENT_PIDS (space-separated) in the environment, the
CPU seconds (user + system) the manager and all agents spent in each.
"""
import json
import os
import sys
import time

import requests

from procstat import cpu

url, user, password, service, runs = sys.argv[1:6]
s = requests.Session()
s.auth = (user, password)
base = f"{url}/web/v1"


MANAGER = [int(os.environ["MANAGER_PID"])] if os.environ.get("MANAGER_PID") else []
AGENTS = [int(p) for p in os.environ.get("AGENT_PIDS", "").split()]


def run(action):
    before = (cpu(MANAGER), cpu(AGENTS))
    t0 = time.perf_counter()
    r = s.post(f"{base}/maintain/cluster/1/service/{service}/{action}", json={"only_self": True})
    assert r.status_code == 200, r.text
    cid = r.json()["id"]
    while True:
        p = s.get(f"{base}/common/command/{cid}/progress").json()
        if p["state"] != "IN_PROGRESS":
            break
        time.sleep(0.005)
    elapsed = time.perf_counter() - t0
    assert p["state"] == "COMPLETE", json.dumps(p)[:2000]
    if MANAGER:
        result[f"{action}_cpu_manager_s"].append(round(cpu(MANAGER) - before[0], 2))
        result[f"{action}_cpu_agents_s"].append(round(cpu(AGENTS) - before[1], 2))
    return round(elapsed, 3)


result = {k: [] for k in ("start_s", "stop_s", "start_cpu_manager_s", "start_cpu_agents_s",
                          "stop_cpu_manager_s", "stop_cpu_agents_s")}
for _ in range(int(runs)):
    result["start_s"].append(run("start"))
    result["stop_s"].append(run("stop"))
print(json.dumps(result))
