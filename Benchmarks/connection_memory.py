#!/usr/bin/env python3
"""The manager's memory per open connection, phase by phase.

Opens N keep-alive TCP connections to the manager and reads its VmRSS after
each phase, once it has settled (two reads 0.5 s apart within 64 KiB, at most
15 s): the connections idle; after one GET /healthz on each; after one JSON
POST on each (an agent registration, host-i on connection i: this phase also
holds each host's own state in the manager, not only the connection's); with
a long poll parked on each (POST /agent/v1/poll with the host's credential,
left unanswered: the manager must run with a poll timeout longer than the
measurement); and once every connection is closed again (what the allocator
keeps). Requests go 64 at a time, as agents' requests arrive spread out (the
polls all at once: they stay parked). Prints one JSON object: MiB at each phase and KiB per connection over
the manager's RSS before the first connection.

Usage: connection_memory.py URL TOKEN_FILE MANAGER_PID N
"""
import asyncio
import json
import os
import resource
import sys
import time

URL, TOKEN_FILE, PID, N = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
ADDR, PORT = URL.split("://", 1)[1].rstrip("/").rsplit(":", 1)
PORT = int(PORT)


def rss_kib():
    for line in open(f"/proc/{PID}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def settled_kib():
    """VmRSS once two reads 0.5 s apart agree within 64 KiB (or after 15 s)."""
    last = rss_kib()
    for _ in range(30):
        await asyncio.sleep(0.5)
        now = rss_kib()
        if abs(now - last) <= 64:
            return now
        last = now
    return last


async def response(reader):
    """Reads one HTTP/1.1 response with a Content-Length (the manager's JSON answers)."""
    status = int((await reader.readuntil(b"\r\n")).split()[1])
    length = 0
    while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
        name, _, value = line.decode("latin-1").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    return status, await reader.readexactly(length)


def post(path, body, headers=""):
    data = json.dumps(body, separators=(",", ":")).encode()
    return (f"POST {path} HTTP/1.1\r\nHost: {ADDR}\r\nContent-Type: application/json\r\n{headers}"
            f"Content-Length: {len(data)}\r\n\r\n").encode() + data


async def main():
    token = open(TOKEN_FILE).read().strip()
    out = {"connections": N}
    base = await settled_kib()
    out["base_mib"] = round(base / 1024, 1)
    conns = []
    for _ in range(N):
        conns.append(await asyncio.open_connection(ADDR, PORT))

    async def phase(name, each, concurrency=64):
        if each is not None:
            gate = asyncio.Semaphore(concurrency)

            async def gated(i, r, w):
                async with gate:
                    await each(i, r, w)
            await asyncio.gather(*(gated(i, r, w) for i, (r, w) in enumerate(conns)))
        kib = await settled_kib()
        out[name] = {"mib": round(kib / 1024, 1), "kib_per_conn": round((kib - base) / N, 1)}

    await phase("idle", None)

    async def healthz(i, r, w):
        w.write(f"GET /healthz HTTP/1.1\r\nHost: {ADDR}\r\n\r\n".encode())
        status, _ = await response(r)
        assert status == 200, status
    await phase("after_get", healthz)

    credentials = {}

    async def register(i, r, w):
        host = f"host-{i + 1}"
        hello = {"host": host, "agentVersion": "0.1.0", "instances": [], "incarnation": os.urandom(16).hex()}
        w.write(post("/agent/v1/register", hello, f"Authorization: Bearer {token}\r\n"))
        status, payload = await response(r)
        assert status == 200, (status, payload[:200])
        credentials[i] = json.loads(payload)["res_obj"]["credential"]
    await phase("after_json_post", register)

    async def park(i, r, w):
        host = f"host-{i + 1}"
        w.write(post("/agent/v1/poll", {"host": host, "received": []},
                     f"Authorization: Bearer {credentials[i]}\r\nX-Steward-Host: {host}\r\n"))
    t0 = time.monotonic()
    await phase("poll_parked", park, concurrency=N)
    # A poll answered before the reading would not be a parked one.
    early = sum(1 for r, _ in conns if len(r._buffer) > 0)  # noqa: SLF001 (asyncio's read buffer)
    out["poll_parked"]["answered_early"] = early
    out["poll_parked"]["measured_after_s"] = round(time.monotonic() - t0, 1)

    for _, w in conns:
        w.close()
    await asyncio.gather(*(w.wait_closed() for _, w in conns), return_exceptions=True)
    conns = []
    kib = await settled_kib()
    out["closed_again"] = {"mib": round(kib / 1024, 1), "kib_per_conn": round((kib - base) / N, 1)}
    print(json.dumps(out))


resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
asyncio.run(main())
