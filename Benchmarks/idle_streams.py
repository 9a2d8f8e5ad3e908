"""Memory and CPU of a manager holding N idle progress event streams.

Usage: idle_streams.py URL USER PASSWORD MANAGER_PID COMMAND_ID N SECONDS
Measures the manager's RSS and CPU time over SECONDS with no stream open
(the baseline), then opens N streams on a running command, measures again
over SECONDS while they sit idle, then aborts the command and counts how
many streams received the final FAILED event and closed. Prints JSON.
"""
import asyncio
import base64
import json
import os
import sys
import time

url, user, password, pid, command_id, n, seconds = sys.argv[1:8]
pid, n, seconds = int(pid), int(n), float(seconds)
host, port = url.split("://")[1].split(":")
port = int(port)
auth = base64.b64encode(f"{user}:{password}".encode()).decode()
ticks = os.sysconf("SC_CLK_TCK")


def rss_kib():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])


def cpu_seconds():
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / ticks


async def window():
    r0, c0 = rss_kib(), cpu_seconds()
    await asyncio.sleep(seconds)
    return r0, rss_kib(), cpu_seconds() - c0


async def stream(results, opened):
    reader, writer = await asyncio.open_connection(host, port)
    writer.write((f"GET /web/v1/common/command/{command_id}/progress HTTP/1.1\r\nHost: {host}:{port}\r\n"
                  f"Authorization: Basic {auth}\r\nAccept: text/event-stream\r\n\r\n").encode())
    await writer.drain()
    data = b""
    while b"event: progress" not in data:
        data += await reader.read(65536)
    opened.append(1)
    while True:
        chunk = await reader.read(65536)
        if not chunk:
            break
        data += chunk
        # The response ends with the chunked body's terminator; the connection itself stays open.
        if data.endswith(b"\r\n0\r\n\r\n"):
            break
    results.append(b'"state":"FAILED"' in data)
    writer.close()


async def main():
    baseline = await window()
    results, opened = [], []
    tasks = [asyncio.create_task(stream(results, opened)) for _ in range(n)]
    while len(opened) < n:
        await asyncio.sleep(0.1)
    held = await window()
    t0 = time.perf_counter()
    reader, writer = await asyncio.open_connection(host, port)
    writer.write((f"POST /web/v1/common/command/{command_id}/abort HTTP/1.1\r\nHost: {host}:{port}\r\n"
                  f"Authorization: Basic {auth}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").encode())
    await writer.drain()
    await reader.read()
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=120)
    fanout = time.perf_counter() - t0
    print(json.dumps({
        "streams": n, "seconds": seconds,
        "baseline_rss_kib": baseline[1], "baseline_cpu_s": round(baseline[2], 3),
        "held_rss_kib": held[1], "held_cpu_s": round(held[2], 3),
        "rss_per_stream_kib": round((held[1] - baseline[1]) / n, 2),
        "idle_cpu_percent_with_streams": round(100 * held[2] / seconds, 2),
        "idle_cpu_percent_without": round(100 * baseline[2] / seconds, 2),
        "final_event_received": sum(results), "fanout_to_all_s": round(fanout, 3),
    }))

asyncio.run(main())
