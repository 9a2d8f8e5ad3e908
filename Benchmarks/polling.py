"""CLIENTS pollers of command progress while a driver keeps commands running.

Usage: polling.py URL USER PASSWORD SERVICE CLIENTS SECONDS BASELINE_SECONDS INTERVAL
A driver restarts SERVICE in a loop, each restart waited for to its end, for
the whole run. First, for BASELINE_SECONDS, the CLIENTS poll the cheapest
authenticated route, GET /web/v1/ping (the baseline); then, for SECONDS,
GET /web/v1/common/command/{id}/progress: the driver's current command, or
one time in five one of its last 50 (finished) ones.
Each client holds one keep-alive connection and sends Basic credentials on
every request, as scripts do. INTERVAL > 0: each client sends one request
every INTERVAL seconds on a fixed schedule (a late answer makes the next
request go at once, so that slow answers are not hidden by fewer requests);
INTERVAL 0: each client sends its next request as soon as it has an answer.
An error is a non-200 answer, a broken connection, or a body whose envelope
is not OK: error_code not 0, or (progress) a state other than IN_PROGRESS or
COMPLETE, or another command's id.
With MANAGER_PID and AGENT_PIDS in the environment, each phase reports the
manager's CPU (% of one core) and RSS, and the agents' CPU. Each phase also
reports the manager's own latency histogram of its route from /metrics (from
a request's arrival to its response head: no socket or client time), to tell
the manager's time from the machine's. Prints JSON.
"""
import asyncio
import base64
import json
import os
import random
import sys
import time

from procstat import cpu, rss_mib

url, user, password, service = sys.argv[1:5]
clients, seconds, base_seconds, interval = int(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7]), float(sys.argv[8])
host, port = url.split("://")[1].split(":")
port = int(port)
AUTH = base64.b64encode(f"{user}:{password}".encode()).decode()
MANAGER = int(os.environ["MANAGER_PID"]) if os.environ.get("MANAGER_PID") else None
AGENTS = [int(p) for p in os.environ.get("AGENT_PIDS", "").split()]


class Connection:
    """One keep-alive HTTP/1.1 connection; answers must carry Content-Length (Steward's JSON answers do)."""

    def __init__(self):
        self.reader = self.writer = None

    async def request(self, method, path, body=b""):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(host, port)
        head = (f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Basic {AUTH}\r\n"
                f"Content-Length: {len(body)}\r\n")
        if body:
            head += "Content-Type: application/json\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        try:
            header = await self.reader.readuntil(b"\r\n\r\n")
            lines = header.decode("latin-1").split("\r\n")
            status = int(lines[0].split()[1])
            length = None
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if length is None:
                raise ValueError("answer without Content-Length")
            return status, await self.reader.readexactly(length)
        except Exception:
            self.close()
            raise

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Driver:
    """Restarts the service in a loop, each restart polled every 10 ms to its end."""

    def __init__(self):
        self.current = None
        self.recent = []
        self.ends = {}
        self.durations = []
        self.errors = []
        self.running = True

    async def run(self):
        conn = Connection()
        while self.running:
            t0 = time.perf_counter()
            try:
                status, body = await conn.request("POST", f"/web/v1/maintain/cluster/1/service/{service}/restart",
                                                  b'{"only_self":true}')
            except (OSError, ValueError, asyncio.IncompleteReadError) as e:
                status, body = 0, repr(e).encode()
            if status != 200:  # counted and shown; the pollers keep polling the last command meanwhile
                self.errors.append(f"{status} {body[:200]!r}")
                await asyncio.sleep(0.1)
                continue
            cid = json.loads(body)["id"]
            self.current = cid
            while True:
                try:
                    status, body = await conn.request("GET", f"/web/v1/common/command/{cid}/progress")
                except (OSError, ValueError, asyncio.IncompleteReadError) as e:
                    status, body = 0, repr(e).encode()
                state = json.loads(body)["state"] if status == 200 else "?"
                if status != 200:
                    self.errors.append(f"{status} {body[:200]!r}")
                if state not in ("IN_PROGRESS", "?"):
                    break
                await asyncio.sleep(0.01)
            self.durations.append(time.perf_counter() - t0)
            self.ends[state] = self.ends.get(state, 0) + 1
            self.recent = (self.recent + [cid])[-50:]
        conn.close()


def check(body, path, cid):
    """True when the body is an OK envelope (and, for progress, of the asked command)."""
    try:
        doc = json.loads(body)
    except ValueError:
        return False
    if doc.get("error_code") != 0:
        return False
    if cid is None:
        return True
    return doc.get("id") == cid and doc.get("state") in ("IN_PROGRESS", "COMPLETE")


async def client(driver, route, deadline, stats):
    conn = Connection()
    # Spread the clients' first requests over one interval, as independent pollers would be.
    await asyncio.sleep(random.random() * interval)
    next_at = time.perf_counter()
    while time.perf_counter() < deadline:
        cid = None
        if route == "ping":
            path = "/web/v1/ping"
        else:
            cid = random.choice(driver.recent) if driver.recent and random.random() < 0.2 else driver.current
            path = f"/web/v1/common/command/{cid}/progress"
        t0 = time.perf_counter()
        try:
            status, body = await conn.request("GET", path)
            ok = status == 200 and check(body, path, cid)
            if not ok and len(stats["examples"]) < 5:
                stats["examples"].append(f"at {t0 - stats['t0']:.1f} s: {status} {path} {body[:200]!r}")
        except Exception as e:  # a broken connection is an error; the next request reconnects
            ok = False
            if len(stats["examples"]) < 5:
                stats["examples"].append(f"at {t0 - stats['t0']:.1f} s: {path}: {e!r}"[:300])
        stats["samples"].append(time.perf_counter() - t0)
        stats["errors"] += 0 if ok else 1
        if interval > 0:
            next_at += interval
            delay = next_at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                next_at = time.perf_counter()  # late: go now, and keep the schedule from here
    conn.close()


async def server_histogram(route):
    """The manager's own latency histogram of GET `route` (2xx), from /metrics: cumulative counts by bound, and the sum."""
    conn = Connection()
    status, body = await conn.request("GET", "/metrics")
    conn.close()
    buckets, total = {}, 0.0
    for line in body.decode().splitlines():
        if not line.startswith("steward_http_request_duration_seconds") or 'method="GET"' not in line \
                or f'route="{route}"' not in line or 'status="2xx"' not in line:
            continue
        name, value = line.rsplit(" ", 1)
        if "_bucket" in name:
            buckets[name.split('le="')[1].split('"')[0]] = float(value)
        elif name.startswith("steward_http_request_duration_seconds_sum"):
            total = float(value)
    return buckets, total


def server_figures(before, after):
    """Between two histograms: requests, mean, the bucket bounds of p50 and p99, and how many took over 50 ms."""
    bounds = sorted((b for b in after[0] if b != "+Inf"), key=float) + ["+Inf"]
    counts = [after[0][b] - before[0].get(b, 0) for b in bounds]
    n = counts[-1]
    if n == 0:
        return {}
    bound = lambda q: next(b for b, c in zip(bounds, counts) if c >= q * n)
    over = n - counts[bounds.index("0.05")]
    return {"server_requests": int(n), "server_mean_ms": round(1000 * (after[1] - before[1]) / n, 3),
            "server_p50_at_most_s": bound(0.5), "server_p99_at_most_s": bound(0.99), "server_over_50ms": int(over)}


def percentile(sorted_samples, q):
    return sorted_samples[min(len(sorted_samples) - 1, int(len(sorted_samples) * q))]


async def loop_lag(until, lags):
    """How late this process's own event loop wakes a 10 ms sleep: the part of
    a measured latency that is the client's (or the machine's) and not the manager's."""
    while time.perf_counter() < until:
        t0 = time.perf_counter()
        await asyncio.sleep(0.01)
        lags.append(time.perf_counter() - t0 - 0.01)


async def phase(driver, route, length):
    stats = {"samples": [], "errors": 0, "examples": [], "t0": time.perf_counter()}
    label = "/web/v1/ping" if route == "ping" else "/web/v1/common/command/{command_id}/progress"
    histogram = await server_histogram(label)
    before = (cpu([MANAGER]) if MANAGER else 0, cpu(AGENTS), cpu([os.getpid()]), len(driver.durations))
    t0 = time.perf_counter()
    lags = []
    await asyncio.gather(loop_lag(t0 + length, lags), *(client(driver, route, t0 + length, stats) for _ in range(clients)))
    lags.sort()
    wall = time.perf_counter() - t0
    s = sorted(stats["samples"])
    ms = lambda x: round(x * 1000, 2)
    result = {
        "route": route, "clients": clients, "seconds": round(wall, 1), "requests": len(s),
        "errors": stats["errors"], "req_per_s": round(len(s) / wall),
        "p50_ms": ms(percentile(s, 0.5)), "p90_ms": ms(percentile(s, 0.9)),
        "p99_ms": ms(percentile(s, 0.99)), "max_ms": ms(s[-1]),
        "client_loop_lag_p50_ms": ms(percentile(lags, 0.5)), "client_loop_lag_p99_ms": ms(percentile(lags, 0.99)),
        "commands_ended": len(driver.durations) - before[3],
        "client_cpu_percent": round(100 * (cpu([os.getpid()]) - before[2]) / wall, 1),
    }
    result.update(server_figures(histogram, await server_histogram(label)))
    if MANAGER:
        result["manager_cpu_percent"] = round(100 * (cpu([MANAGER]) - before[0]) / wall, 1)
        result["manager_rss_mib_end"] = rss_mib(MANAGER)
        result["agents_cpu_percent"] = round(100 * (cpu(AGENTS) - before[1]) / wall, 1)
    if stats["examples"]:
        result["error_examples"] = stats["examples"][:5]
    return result


async def main():
    driver = Driver()
    task = asyncio.create_task(driver.run())
    while len(driver.durations) < 2:  # the driver is up, and there are finished commands to pick from
        await asyncio.sleep(0.05)
    baseline = await phase(driver, "ping", base_seconds)
    progress = await phase(driver, "progress", seconds)
    driver.running = False
    await task
    d = sorted(driver.durations)
    print(json.dumps({
        "interval_s": interval, "baseline": baseline, "progress": progress,
        "progress_p99_over_baseline_p99": round(progress["p99_ms"] / baseline["p99_ms"], 2),
        "driver": {"commands": len(d), "ends": driver.ends, "errors": len(driver.errors),
                   "error_examples": driver.errors[:3], "median_s": round(d[len(d) // 2], 3),
                   "max_s": round(d[-1], 3)},
    }, indent=1))

asyncio.run(main())
