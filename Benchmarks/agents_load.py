#!/usr/bin/env python3
"""N simulated agents against one manager, speaking /agent/v1 as the real agent does.

Each host joins once with the cluster's join token (answered its own
credential), then sends that credential with X-Steward-Host on everything:
a long poll always open (acknowledging the tasks of the previous answer), a
heartbeat every heartbeatIntervalMs of the welcome (with a metrics sample every
metricsIntervalMs, as Agent.heartbeatLoop does), and a success result for any
task it receives. Two keep-alive connections per host, like the real agent's
pool (the poll's and the rest's).

Then it measures, on the manager's pid: CPU (utime+stime from /proc/PID/stat)
and VmRSS over a steady window, heartbeat round trips (p50/p99), whether every
host stays CONNECTED in the hosts API, and how long a few hosts that go quiet
take to be shown LOST. Prints one JSON object.

Usage: agents_load.py URL TOKEN_FILE MANAGER_PID HOSTS [window_s] [quiet_hosts] [password]
"""
import asyncio
import base64
import json
import os
import random
import sys
import time

URL, TOKEN_FILE, PID, N = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
WINDOW = float(sys.argv[5]) if len(sys.argv) > 5 else 60.0
QUIET = int(sys.argv[6]) if len(sys.argv) > 6 else 5
PASSWORD = sys.argv[7] if len(sys.argv) > 7 else "bench-password"
HOSTPORT = URL.split("://", 1)[1].rstrip("/")
ADDR, PORT = HOSTPORT.rsplit(":", 1)
PORT = int(PORT)
CLK = os.sysconf("SC_CLK_TCK")


class Conn:
    """One HTTP/1.1 keep-alive connection; requests on it are sequential."""

    def __init__(self):
        self.reader = self.writer = None
        # One request at a time on a connection (HTTP/1.1): a result and a
        # heartbeat of one host must not interleave their responses.
        self.lock = asyncio.Lock()

    async def post(self, path, body, headers):
        async with self.lock:
            return await self._post(path, body, headers)

    async def _post(self, path, body, headers):
        data = json.dumps(body, separators=(",", ":")).encode()
        head = (f"POST {path} HTTP/1.1\r\nHost: {HOSTPORT}\r\nContent-Type: application/json\r\n"
                f"{headers}Content-Length: {len(data)}\r\n\r\n").encode()
        for attempt in (0, 1):
            try:
                if self.writer is None:
                    self.reader, self.writer = await asyncio.open_connection(ADDR, PORT)
                self.writer.write(head + data)
                status, payload = await self._response()
                return status, payload
            except (ConnectionError, asyncio.IncompleteReadError, OSError):
                self.close()
                if attempt:
                    raise
        raise ConnectionError("unreachable")

    async def get(self, path, headers):
        async with self.lock:
            return await self._get(path, headers)

    async def _get(self, path, headers):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(ADDR, PORT)
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {HOSTPORT}\r\n{headers}\r\n".encode())
        return await self._response()

    async def _response(self):
        line = await self.reader.readuntil(b"\r\n")
        status = int(line.split()[1])
        length, chunked, close = 0, False, False
        while True:
            h = await self.reader.readuntil(b"\r\n")
            if h == b"\r\n":
                break
            k, _, v = h.decode("latin-1").partition(":")
            k = k.strip().lower()
            if k == "content-length":
                length = int(v)
            elif k == "transfer-encoding" and "chunked" in v.lower():
                chunked = True
            elif k == "connection" and "close" in v.lower():
                close = True
        if chunked:
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")
                    break
                parts.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            payload = b"".join(parts)
        else:
            payload = await self.reader.readexactly(length) if length else b""
        if close:
            self.close()
        return status, payload

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Host:
    def __init__(self, name):
        self.name = name
        self.credential = None
        self.poll_conn, self.conn = Conn(), Conn()
        self.tasks = []
        self.received = []

    def headers(self):
        return f"Authorization: Bearer {self.credential}\r\nX-Steward-Host: {self.name}\r\n"


STATS = {"beats": [], "beat_errors": 0, "poll_errors": 0, "tasks": 0, "results_ok": 0, "measuring": False}


def now_ms():
    return int(time.time() * 1000)


async def register(host, token):
    hello = {"host": host.name, "agentVersion": "0.1.0", "instances": [], "incarnation": os.urandom(16).hex()}
    for _ in range(50):
        try:
            status, payload = await host.conn.post("/agent/v1/register", hello, f"Authorization: Bearer {token}\r\n")
        except OSError:
            await asyncio.sleep(0.5)
            continue
        if status == 200:
            welcome = json.loads(payload)["res_obj"]
            host.credential = welcome["credential"]
            return welcome
        await asyncio.sleep(0.5)
    raise RuntimeError(f"{host.name}: registration failed: {status} {payload[:200]!r}")


async def heartbeat_loop(host, interval_ms, metrics_ms):
    # A random phase, as agents started at different times would have.
    await asyncio.sleep(random.random() * interval_ms / 1000)
    last_sample = time.monotonic()
    while True:
        beat = {"host": host.name, "instances": []}
        if (time.monotonic() - last_sample) * 1000 >= metrics_ms:
            last_sample = time.monotonic()
            beat["metrics"] = {"time": now_ms(), "values": {
                "hm_cpu_used": random.random() * 10, "hm_cpu_core_num": 2, "hm_mem_total": 24000,
                "hm_mem_used": 8000, "hm_mem_usage": 33.3, "hm_disk_total": 100, "hm_disk_used": 40,
                "hm_disk_usage": 40, "hm_net_read": 1.5, "hm_net_write": 1.2}}
        t0 = time.perf_counter()
        try:
            status, _ = await host.conn.post("/agent/v1/heartbeat", beat, host.headers())
            if STATS["measuring"]:
                if status == 200:
                    STATS["beats"].append(time.perf_counter() - t0)
                else:
                    STATS["beat_errors"] += 1
        except OSError:
            if STATS["measuring"]:
                STATS["beat_errors"] += 1
        await asyncio.sleep(interval_ms / 1000)


async def answer(host, task):
    inst = task["instance"]
    result = {"host": host.name, "taskId": task["taskId"], "succeeded": True, "detail": "", "exitCode": 0,
              "outputTail": "", "instance": {
                  "service": inst["service"], "role": inst["role"],
                  "status": "STOPPED" if task["operation"] == "STOP" else "STARTED",
                  "health": "GOOD", "pid": 1, "configDigest": task.get("configDigest"),
                  "observedAt": int(time.time() * 1_000_000)}}
    status, _ = await host.conn.post("/agent/v1/result", result, host.headers())
    STATS["results_ok"] += status == 200


async def poll_loop(host):
    while True:
        try:
            status, payload = await host.poll_conn.post(
                "/agent/v1/poll", {"host": host.name, "received": host.received}, host.headers())
        except OSError:
            STATS["poll_errors"] += 1
            await asyncio.sleep(1)
            continue
        if status != 200:
            STATS["poll_errors"] += 1
            await asyncio.sleep(1)
            continue
        work = json.loads(payload)["res_obj"]
        host.received = [t["taskId"] for t in work["tasks"]]
        for task in work["tasks"]:
            STATS["tasks"] += 1
            asyncio.ensure_future(answer(host, task))


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK


def rss_mib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def self_cpu():
    t = os.times()
    return t.user + t.system


async def host_states(admin):
    status, payload = await admin.get("/web/v1/cluster/1/hosts", AUTH)
    body = json.loads(payload)["res_obj"]
    rows = body if isinstance(body, list) else body.get("hosts", body.get("list", []))
    return {r.get("host_name") or r.get("hostName") or r.get("name"): r.get("status") or r.get("state") for r in rows}


AUTH = "Authorization: Basic " + base64.b64encode(f"admin:{PASSWORD}".encode()).decode() + "\r\n"


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))] if xs else None


async def main():
    token = open(TOKEN_FILE).read().strip()
    hosts = [Host(f"host-{i}") for i in range(1, N + 1)]
    out = {"hosts": N}
    rss_before = rss_mib(PID)
    t0 = time.perf_counter()
    sem = asyncio.Semaphore(64)

    async def join(h):
        async with sem:
            return await register(h, token)

    welcomes = await asyncio.gather(*(join(h) for h in hosts))
    out["register_all_s"] = round(time.perf_counter() - t0, 2)
    w = welcomes[0]
    out["welcome"] = {k: w.get(k) for k in ("heartbeatIntervalMs", "heartbeatTimeoutMs", "pollTimeoutMs", "metricsIntervalMs")}
    loops = {}
    for h in hosts:
        loops[h.name] = [asyncio.ensure_future(poll_loop(h)),
                         asyncio.ensure_future(heartbeat_loop(h, w["heartbeatIntervalMs"], w["metricsIntervalMs"]))]
    admin = Conn()
    for _ in range(600):
        states = await host_states(admin)
        if sum(1 for h in hosts if states.get(h.name) == "CONNECTED") == N:
            break
        await asyncio.sleep(0.5)
    out["all_connected_s"] = round(time.perf_counter() - t0, 2)
    out["rss_idle_manager_before_mib"] = round(rss_before, 1)
    out["rss_all_connected_mib"] = round(rss_mib(PID), 1)
    # One command, so that tasks are answered too: start the small service (three hosts).
    c0 = time.perf_counter()
    status, payload = await admin.post("/web/v1/maintain/cluster/1/service/Sleeper/start", {"only_self": False}, AUTH)
    command = json.loads(payload)["id"]
    state = None
    for _ in range(600):
        status, payload = await admin.get(f"/web/v1/common/command/{command}/progress", AUTH)
        state = json.loads(payload)["state"]
        if state != "IN_PROGRESS":
            break
        await asyncio.sleep(0.05)
    out["start_command"] = {"state": state, "s": round(time.perf_counter() - c0, 3)}
    # Settle: every host has polled and beaten a few times.
    await asyncio.sleep(5)
    STATS["measuring"] = True
    c0, s0, w0 = cpu_seconds(PID), self_cpu(), time.perf_counter()
    rss_max, not_connected_max = 0.0, 0
    while time.perf_counter() - w0 < WINDOW:
        await asyncio.sleep(min(10, WINDOW - (time.perf_counter() - w0)))
        rss_max = max(rss_max, rss_mib(PID))
        states = await host_states(admin)
        not_connected_max = max(not_connected_max, sum(1 for h in hosts if states.get(h.name) != "CONNECTED"))
    c1, s1, w1 = cpu_seconds(PID), self_cpu(), time.perf_counter()
    STATS["measuring"] = False
    span = w1 - w0
    beats = STATS["beats"]
    out.update({
        "window_s": round(span, 1),
        "manager_cpu_pct_of_core": round(100 * (c1 - c0) / span, 2),
        "manager_cpu_pct_of_machine": round(100 * (c1 - c0) / span / os.cpu_count(), 2),
        "manager_rss_mib": round(rss_mib(PID), 1),
        "manager_rss_max_mib": round(rss_max, 1),
        "generator_cpu_pct_of_core": round(100 * (s1 - s0) / span, 1),
        "heartbeats": len(beats),
        "heartbeats_per_s": round(len(beats) / span, 1),
        "heartbeat_p50_ms": round(1000 * pct(beats, 0.5), 2) if beats else None,
        "heartbeat_p99_ms": round(1000 * pct(beats, 0.99), 2) if beats else None,
        "heartbeat_errors": STATS["beat_errors"],
        "poll_errors": STATS["poll_errors"],
        "max_not_connected_in_window": not_connected_max,
    })
    # Lost-host detection: a few hosts go quiet (their loops and connections end).
    quiet = random.sample(hosts, min(QUIET, N))
    for h in quiet:
        for t in loops[h.name]:
            t.cancel()
        h.poll_conn.close()
        h.conn.close()
    q0 = time.perf_counter()
    seen_lost = {}
    # The manager announces its timeout, which grows with the cluster (HeartbeatPolicy).
    give_up = (w.get("heartbeatTimeoutMs") or 5000) / 1000 + 30
    while len(seen_lost) < len(quiet) and time.perf_counter() - q0 < give_up:
        states = await host_states(admin)
        for h in quiet:
            if h.name not in seen_lost and states.get(h.name) == "LOST":
                seen_lost[h.name] = time.perf_counter() - q0
        await asyncio.sleep(0.1)
    states = await host_states(admin)
    lost_times = sorted(seen_lost.values())
    out.update({
        "quiet_hosts": len(quiet),
        "lost_detected": len(seen_lost),
        "lost_after_s_min": round(lost_times[0], 2) if lost_times else None,
        "lost_after_s_max": round(lost_times[-1], 2) if lost_times else None,
        "others_lost_meanwhile": sum(1 for h in hosts if h not in quiet and states.get(h.name) != "CONNECTED"),
        "tasks_answered": STATS["results_ok"],
    })
    print(json.dumps(out), flush=True)
    for ts in loops.values():
        for t in ts:
            t.cancel()


if __name__ == "__main__":
    asyncio.run(main())
