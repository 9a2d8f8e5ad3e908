"""Several managers on one PostgreSQL (issue 13): takeover time and cross-manager visibility.

Usage: ha.py BIN ROOT DATABASE_URL RUNS COMMANDS
Starts three managers of BIN on loopback (all on DATABASE_URL, one key file)
and three agents that list all three (each in another order), with a stack of
one-role services whose role is `{steward} role` with `startup_delay_ms`:
T01..T<RUNS> (TAKEOVER_DELAY_MS, default 1500) and V01..V03 (VISIBILITY_DELAY_MS,
default 200). Data under ROOT (ROOT/host-N/instances/<role>/pid for the caller's
cleanup). Prints one JSON object; progress notes go to stderr.

1. Takeover (RUNS runs): `start` of T<i> is submitted to manager 1, so manager 1
   drives it. Once the agent has spawned the role's process (its pid file), and
   KILL_AFTER_MS (default 1000) later, that is TAKEOVER_DELAY_MS - KILL_AFTER_MS
   (500 ms) before the process listens and the task can end, manager 1 is
   killed with SIGKILL. The task then ends on the agent while its command has no
   driver: its result waits (in the agent, or in the store's inbox), and the
   stored command cannot change until another manager takes the lease over and
   applies it. So the next change of the progress document seen from manager 2
   (followed with long polls) is the takeover's doing; the time from the kill to
   that change is the takeover time. Manager 1 is started again between runs.
2. Visibility (COMMANDS commands, one after the other): `restart` of V01..V03
   in turn, submitted to manager 1; each followed on managers 1 and 2 at once
   with long polls (`?wait=10&version=V`, versions are per manager). Each
   distinct state (command state, total progress, each step's state and
   progress, task state counts) gets its arrival time on each manager; the delay
   is the arrival on manager 2 minus the arrival on manager 1, per transition.
   A third follower, on manager 1 too, gives the baseline in the same run: the
   same difference between two clients of one manager (the client's own noise).
   States a manager answered to a follower's first request (read, not
   announced) are left out; a state that one manager skipped (two changes
   published together) has no pair and is counted apart.
"""
import base64
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

BIN, ROOT, DATABASE = sys.argv[1:4]
RUNS, COMMANDS = int(sys.argv[4]), int(sys.argv[5])
PASSWORD = "bench-password"
AUTH = "Basic " + base64.b64encode(f"admin:{PASSWORD}".encode()).decode()
TAKEOVER_DELAY_MS = int(os.environ.get("TAKEOVER_DELAY_MS", "1500"))
KILL_AFTER_MS = int(os.environ.get("KILL_AFTER_MS", "1000"))
VISIBILITY_DELAY_MS = int(os.environ.get("VISIBILITY_DELAY_MS", "200"))
HOSTS = ["host-1", "host-2", "host-3"]


def note(text):
    print(f"# {time.strftime('%H:%M:%S')} {text}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One keep-alive connection to one manager, Basic credentials on every request."""

    def __init__(self, port, timeout=30):
        self.port, self.timeout, self.conn = port, timeout, None

    def request(self, method, path, body=None):
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                data = json.dumps(body).encode() if body is not None else None
                headers = {"Authorization": AUTH}
                if data is not None:
                    headers["Content-Type"] = "application/json"
                self.conn.request(method, path, body=data, headers=headers)
                r = self.conn.getresponse()
                return r.status, r.getheader("X-Progress-Version"), r.read()
            except (http.client.HTTPException, OSError):
                self.close()
                if attempt:
                    raise

    def close(self):
        if self.conn is not None:
            self.conn.close()
        self.conn = None


def stack_json():
    def service(name, role, host, port, delay):
        return {"name": name, "description": "HA benchmark service", "version": "1.0", "depends_on": [],
                "roles": [{"name": role, "description": "HA benchmark role", "hosts": [host],
                           "process": {"start": ["{steward}", "role", "--config", "{conf_dir}/role.json"],
                                       "check": {"type": "http", "port_parameter": "port", "path": "/health"},
                                       "start_timeout_seconds": 60, "stop_timeout_seconds": 10},
                           "configurations": [
                               {"name": "port", "type": "PORT", "default": str(port), "description": "port"},
                               {"name": "startup_delay_ms", "type": "INT", "default": str(delay), "min": 0,
                                "max": 600000, "description": "delay before listening"}],
                           "config_files": [{"name": "role.json", "format": "json"}]}]}
    # Every instance on host-1, whose agent lists manager 1 first: on main at 0be35bc a task for a host whose
    # agent is connected to another manager than the command's driver failed at once (14003, "no connected agent").
    services = [service(f"T{n:02d}", f"TR{n:02d}", HOSTS[0], free_port(), TAKEOVER_DELAY_MS)
                for n in range(1, RUNS + 1)]
    services += [service(f"V{n:02d}", f"VR{n:02d}", HOSTS[0], free_port(), VISIBILITY_DELAY_MS)
                 for n in range(1, 4)]
    return {"name": "ha-bench", "version": "1.0", "description": "One-role services for the HA benchmark.",
            "cluster": {"id": 1, "name": "ha-bench", "description": "HA benchmark", "hosts": HOSTS},
            "services": services}


class Cluster:
    def __init__(self):
        self.ports = [free_port() for _ in range(3)]
        self.managers, self.agents = {}, {}
        with open(f"{ROOT}/stack.json", "w") as f:
            json.dump(stack_json(), f)

    def url(self, i):
        return f"http://127.0.0.1:{self.ports[i - 1]}"

    def start_manager(self, i):
        d = f"{ROOT}/manager-{i}"
        os.makedirs(d, exist_ok=True)
        # One join token for the cluster: a manager keeps the agent.token it finds in its data directory.
        if i > 1 and not os.path.exists(f"{d}/agent.token"):
            shutil.copy(f"{ROOT}/manager-1/agent.token", f"{d}/agent.token")
        log = open(f"{ROOT}/manager-{i}.log", "a")
        self.managers[i] = subprocess.Popen(
            [BIN, "manager", "--database", DATABASE, "--key-file", f"{ROOT}/secret.key", "--data-dir", d,
             "--port", str(self.ports[i - 1]), "--admin-password", PASSWORD, "--stack", f"{ROOT}/stack.json",
             "--log-level", "warning"], stdout=log, stderr=subprocess.STDOUT)
        c = Client(self.ports[i - 1], timeout=5)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.managers[i].poll() is not None:
                raise SystemExit(f"manager {i} exited: see {ROOT}/manager-{i}.log")
            try:
                if c.request("GET", "/web/v1/ping")[0] == 200:
                    c.close()
                    return
            except OSError:
                pass
            time.sleep(0.02)
        raise SystemExit(f"manager {i} did not answer")

    def kill_manager(self, i):
        p = self.managers.pop(i)
        p.send_signal(signal.SIGKILL)
        p.wait()

    def start_agents(self):
        for k, host in enumerate(HOSTS):
            order = ",".join(self.url((j + k) % 3 + 1) for j in range(3))
            log = open(f"{ROOT}/{host}.log", "a")
            self.agents[host] = subprocess.Popen(
                [BIN, "agent", "--manager", order, "--host", host, "--data-dir", f"{ROOT}/{host}",
                 "--token-file", f"{ROOT}/manager-1/agent.token", "--stop-instances-on-exit", "--log-level", "warning"],
                stdout=log, stderr=subprocess.STDOUT)
        # Each manager lists as CONNECTED the hosts whose agents are connected to it: every host, on one of them.
        clients = [Client(p) for p in self.ports]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            connected = set()
            for c in clients:
                status, _, body = c.request("GET", "/web/v1/cluster/1/hosts")
                if status == 200:
                    connected |= {h["host_name"] for h in json.loads(body)["res_obj"]["hosts"] if h["status"] == "CONNECTED"}
            if connected >= set(HOSTS):
                return
            time.sleep(0.05)
        raise SystemExit("agents did not connect")

    @staticmethod
    def _end(processes):
        """SIGTERM to each, then waits for all: agents stop their instances, managers let go of their leases."""
        for p in processes.values():
            p.terminate()
        for p in processes.values():
            p.wait()
        processes.clear()

    def stop_agents(self):
        self._end(self.agents)

    def stop_managers(self):
        self._end(self.managers)

    def stop(self):
        self.stop_agents()
        self.stop_managers()


def submit(client, service, action):
    status, _, body = client.request("POST", f"/web/v1/maintain/cluster/1/service/{service}/{action}",
                                     {"only_self": True})
    doc = json.loads(body)
    if status != 200:
        raise SystemExit(f"{action} {service}: {status} {doc}")
    return doc["id"]


class Follower(threading.Thread):
    """Follows one command's progress on one manager with long polls until it ends
    (or `stop` is set); records (arrival time, version, document) for every answer."""

    def __init__(self, port, command):
        super().__init__(daemon=True)
        self.client, self.command = Client(port, timeout=20), command
        self.seen = []  # (monotonic seconds, version, parsed document)
        self.stop = False
        self.first_found = None

    def run(self):
        path = f"/web/v1/common/command/{self.command}/progress"
        version = 0
        while not self.stop:
            status, v, body = self.client.request("GET", f"{path}?wait=10&version={version}" if version else path)
            now = time.monotonic()
            if status == 404:  # not visible here yet
                time.sleep(0.002)
                continue
            if status != 200:
                raise SystemExit(f"progress {self.command}: {status} {body[:300]!r}")
            if self.first_found is None:
                self.first_found = now
            doc = json.loads(body)
            if int(v) != version:
                self.seen.append((now, int(v), doc))
                version = int(v)
            if doc["state"] not in ("PENDING", "IN_PROGRESS"):
                break
        self.client.close()


def fingerprint(doc):
    """What a client sees change: the command's state and progress, each step's state and progress, task counts."""
    r = doc.get("res_obj") or {}
    steps = tuple((s.get("state"), s.get("progress"), json.dumps(s.get("task_states"), sort_keys=True))
                  for s in r.get("step_list", []))
    return doc["state"], doc.get("total_progress"), steps


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, int(round(p / 100 * len(xs) + 0.5)) - 1))]


def summary(xs):
    return {"n": len(xs), "min": round(min(xs), 1), "median": round(statistics.median(xs), 1),
            "p90": round(pct(xs, 90), 1), "p99": round(pct(xs, 99), 1), "max": round(max(xs), 1)} if xs else {"n": 0}


def wait_file(path, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            return time.monotonic()
        time.sleep(0.002)
    raise SystemExit(f"no {path} within {timeout} s")


def takeover(cluster, i):
    m1, m2 = Client(cluster.ports[0]), cluster.ports[1]
    m1.request("GET", "/web/v1/ping")  # a fresh manager 1 checks the password once, not in the measured path
    service, role, host = f"T{i:02d}", f"TR{i:02d}", HOSTS[0]
    command = submit(m1, service, "start")
    watch = Follower(m2, command)
    watch.start()
    try:
        spawned = wait_file(f"{ROOT}/{host}/instances/{role}/pid", 60)
    except SystemExit:
        note(f"run {i}: command {command} as manager 2 shows it: {watch.seen[-1][2] if watch.seen else None}")
        raise
    time.sleep(max(0.0, spawned + KILL_AFTER_MS / 1000 - time.monotonic()))
    before = list(watch.seen)
    killed = time.monotonic()
    cluster.kill_manager(1)
    last_t, last_v, last_doc = before[-1]
    if last_doc["state"] != "IN_PROGRESS":
        raise SystemExit(f"run {i}: the command was {last_doc['state']} before the kill; lower KILL_AFTER_MS")
    watch.join(60)
    if watch.is_alive():
        watch.stop = True
        raise SystemExit(f"run {i}: command {command} did not end within 60 s of the kill")
    after = [(t, v, d) for t, v, d in watch.seen if v > last_v]
    first_version = after[0] if after else None
    changed = next(((t, v, d) for t, v, d in after if fingerprint(d) != fingerprint(last_doc)), None)
    end = watch.seen[-1]
    run = {
        "run": i, "command": command, "host": host,
        "takeover_ms": round((changed[0] - killed) * 1000, 1) if changed else None,
        "first_new_version_ms": round((first_version[0] - killed) * 1000, 1) if first_version else None,
        "complete_ms": round((end[0] - killed) * 1000, 1),
        "state": end[2]["state"],
        "last_change_before_kill_ms": round((killed - last_t) * 1000, 1),
        "change": f"{fingerprint(last_doc)[:2]} -> {fingerprint(changed[2])[:2]}" if changed else None,
    }
    note(f"takeover run {i}: {run}")
    # Every manager and agent starts again, managers first. On main at 0be35bc a manager that starts does
    # not learn where the agents connected to the others are (only from the notice of a later registration),
    # and an agent that started again went back to the manager it last used: restarting manager 1 alone left
    # it failing tasks for host-1 with 14003 "no connected agent". So that each run starts as the first did.
    cluster.stop_agents()
    cluster.stop_managers()
    for k in (1, 2, 3):
        cluster.start_manager(k)
    cluster.start_agents()
    m1.close()
    return run


def visibility(cluster):
    m1 = Client(cluster.ports[0])
    for n in range(1, 4):  # running, so that each restart has a stop and a start to show
        command = submit(m1, f"V{n:02d}", "start")
        f = Follower(cluster.ports[0], command)
        f.run()
    delays, baseline, unpaired, first_visible, per_command = [], [], 0, [], []
    for c in range(1, COMMANDS + 1):
        command = submit(m1, f"V{(c - 1) % 3 + 1:02d}", "restart")
        answered = time.monotonic()
        # f0: a second follower on manager 1, the baseline: what the client's own timing adds.
        f0, f1, f2 = (Follower(cluster.ports[k], command) for k in (0, 0, 1))
        for f in (f0, f1, f2):
            f.start()
        for f in (f0, f1, f2):
            f.join(120)
        if f0.is_alive() or f1.is_alive() or f2.is_alive():
            raise SystemExit(f"command {command} did not end within 120 s on both managers")
        first_visible.append((f2.first_found - answered) * 1000)
        arrivals = []
        for f in (f1, f2, f0):
            seen = {}
            for k, (t, _, d) in enumerate(f.seen):
                key = fingerprint(d)
                if key not in seen:
                    seen[key] = None if k == 0 else t  # the first answer was read, not announced
            arrivals.append(seen)
        mine = []
        for key in set(arrivals[0]) | set(arrivals[1]):
            a, b = arrivals[0].get(key), arrivals[1].get(key)
            if key in arrivals[0] and key in arrivals[1]:
                if a is not None and b is not None:
                    mine.append((b - a) * 1000)
            else:
                unpaired += 1
        delays += mine
        baseline += [(arrivals[2][k] - arrivals[0][k]) * 1000 for k in arrivals[0]
                     if arrivals[0][k] is not None and arrivals[2].get(k) is not None]
        per_command.append({"command": command, "states_m1": len(arrivals[0]), "states_m2": len(arrivals[1]),
                            "delays_ms": [round(x, 1) for x in sorted(mine)]})
        if c % 10 == 0:
            note(f"visibility: {c}/{COMMANDS} commands")
    return {"commands": COMMANDS, "transitions": summary(delays), "unpaired_states": unpaired,
            "baseline_same_manager": summary(baseline),
            "visible_on_m2_after_post_ms": summary(first_visible), "per_command": per_command}


def main():
    cluster = Cluster()
    try:
        for i in (1, 2, 3):
            cluster.start_manager(i)
        cluster.start_agents()
        note(f"three managers ({', '.join(cluster.url(i) for i in (1, 2, 3))}) and three agents up")
        runs = [takeover(cluster, i) for i in range(1, RUNS + 1)]
        times = [r["takeover_ms"] for r in runs if r["takeover_ms"] is not None]
        vis = visibility(cluster)
        print(json.dumps({
            "takeover": {"runs": RUNS, "kill_after_spawn_ms": KILL_AFTER_MS, "task_ends_after_spawn_ms": TAKEOVER_DELAY_MS,
                         "ms": summary(times), "each": runs},
            "visibility": vis,
        }, indent=1))
    finally:
        cluster.stop()


main()
