"""Writes the stack of Benchmarks/progress_size.sh: one cluster of N hosts
(no agent runs on any of them, so every task started fails at once, 14003)
and three services whose start is a finished command of a known size:

  Small  : SmallGate on host-1, then SmallRest on host-2..5      5 tasks: 1 failed, 4 skipped
  Big    : BigGate on host-1, then BigRest on host-2..N          N tasks: 1 failed, N-1 skipped
  Failing: Lost on host-1..N                                     N tasks: all failed

Small and Big have the same shape (one failure, the rest skipped), so their
documents differ only in how many tasks their second step has. Failing's
fail_entity_list (a reference field, unchanged) names all N instances.

Usage: progress_stack.py N > stack.json
"""
import json
import sys

n = int(sys.argv[1])
names = [f"host-{i}" for i in range(1, n + 1)]
process = {"start": ["/bin/sleep", "100000"], "check": {"type": "process"}}


def role(name, hosts):
    return {"name": name, "hosts": hosts, "process": process}


json.dump({
    "name": "progress",
    "version": "1.0",
    "description": f"{n} hosts without agents.",
    "cluster": {"id": 1, "name": "progress", "hosts": names},
    "services": [
        {"name": "Small", "roles": [role("SmallGate", names[:1]), role("SmallRest", names[1:5])]},
        {"name": "Big", "roles": [role("BigGate", names[:1]), role("BigRest", names[1:])]},
        {"name": "Failing", "roles": [role("Lost", names)]},
    ],
}, sys.stdout)
