"""Writes a stack with one cluster of N hosts and one service, Sleepers, that
puts K instances of /bin/sleep (a `process` check) on every host.

Usage: scale_stack.py HOSTS PER_HOST > stack.json
Roles Sleeper1..K each sit on all hosts (a role has one instance per host).
SCALE_ROLE_ORDER=sequential|parallel (default parallel): the service's
role_order, so one step per role or one step for all of them.
"""
import json
import os
import sys

hosts, per_host = int(sys.argv[1]), int(sys.argv[2])
names = [f"host-{i}" for i in range(1, hosts + 1)]
roles = [{
    "name": f"Sleeper{k}",
    "hosts": names,
    "process": {
        "start": ["/bin/sleep", "100000"],
        "check": {"type": "process"},
        "start_timeout_seconds": 60,
        "stop_timeout_seconds": 10,
    },
} for k in range(1, per_host + 1)]
json.dump({
    "name": "scale",
    "version": "1.0",
    "description": f"{hosts} hosts, {per_host} sleeping instances on each.",
    "cluster": {"id": 1, "name": "scale", "hosts": names},
    "services": [{"name": "Sleepers", "description": "Sleeping processes.",
                  "role_order": os.environ.get("SCALE_ROLE_ORDER", "parallel"), "roles": roles}],
}, sys.stdout, indent=1)
