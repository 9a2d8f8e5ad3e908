"""A burst of wrong password guesses against one user, and that user's own
login meanwhile.

Usage: guessing.py URL ADMIN_PASSWORD N
Creates users alice and bob (each then sets its own password, so that neither
is cached nor bound to change it), times bob's first login with nothing else
going on (the baseline), then sends N concurrent Basic requests with wrong
passwords for alice from 127.0.0.2 and, once they are all sent, times alice's
first login from 127.0.0.1. Reads steward_password_hashes_total from /metrics
before and after the burst. Prints JSON.
"""
import asyncio
import base64
import json
import sys
import time
from collections import Counter

url, admin_password, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
host, port = url.split("://")[1].split(":")
port = int(port)


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


async def request(method, path, auth, body=None, source=None, sent=None):
    reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0) if source else None)
    payload = json.dumps(body).encode() if body is not None else b""
    writer.write((f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: {auth}\r\n"
                  f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\nConnection: close\r\n\r\n").encode()
                 + payload)
    await writer.drain()
    if sent is not None:
        sent()
    data = await reader.read()
    writer.close()
    head, _, rest = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), rest


async def hashes():
    _, body = await request("GET", "/metrics", basic("admin", admin_password))
    # A manager from before issue 10 has no such counter: the hashes are then unknown (null).
    line = next((l for l in body.decode().splitlines() if l.startswith("steward_password_hashes_total ")), None)
    return int(float(line.split()[1])) if line else None


async def add_user(name):
    admin = basic("admin", admin_password)
    status, _ = await request("POST", "/web/v1/access/users", admin,
                              {"user_name": name, "role": "viewer", "password": "First-pass-1"})
    assert status == 200, f"creating {name}: {status}"
    status, _ = await request("POST", "/web/v1/access/modify_self_password", basic(name, "First-pass-1"),
                              {"old_password": "First-pass-1", "new_password": "Second-pass-2",
                               "confirm_password": "Second-pass-2"})
    assert status == 200, f"setting {name}'s password: {status}"


async def timed_login(name):
    start = time.perf_counter()
    status, _ = await request("GET", "/web/v1/ping", basic(name, "Second-pass-2"), source="127.0.0.1")
    return status, time.perf_counter() - start


async def main():
    await add_user("alice")
    await add_user("bob")
    baseline_status, baseline = await timed_login("bob")
    before = await hashes()
    all_sent = asyncio.Event()
    count = [0]

    def sent():
        count[0] += 1
        if count[0] == n:
            all_sent.set()

    start = time.perf_counter()
    guesses = [asyncio.create_task(request("GET", "/web/v1/ping", basic("alice", f"guess-{i}"), source="127.0.0.2", sent=sent))
               for i in range(n)]
    await all_sent.wait()
    login_status, login = await timed_login("alice")
    results = await asyncio.gather(*guesses, return_exceptions=True)
    burst = time.perf_counter() - start
    after = await hashes()
    statuses = Counter(r[0] if isinstance(r, tuple) else type(r).__name__ for r in results)
    print(json.dumps({
        "guesses": n,
        "guess_statuses": dict(sorted((str(k), v) for k, v in statuses.items())),
        "hashes_during_burst": after - before if after is not None and before is not None else None,
        "real_user_login_during_burst_s": round(login, 3),
        "real_user_login_status": login_status,
        "baseline_login_without_burst_s": round(baseline, 3),
        "baseline_login_status": baseline_status,
        "burst_wall_time_s": round(burst, 3),
    }, indent=2))


asyncio.run(main())
