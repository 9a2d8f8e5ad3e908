#!/usr/bin/env python3
"""A ZooKeeper client for the rolling-restart test, speaking ZooKeeper's own
wire protocol (jute over TCP) with nothing but the standard library.

Every --interval seconds it writes once: it opens a session on the first
member that takes it (a member restarting refuses or drops the connection; a
member without a quorum cannot open a session) and creates a sequential node.
As ZooKeeper's own clients do with a connection loss, it tries the members
again until the write is taken or the session timeout it asks for
(--session-timeout, 10 s) has passed: only then has the write failed. An
ensemble that keeps its quorum takes every write within an election's time
(restarting the leader makes the others elect one); one that lost its quorum
takes none until enough members are back. It stops when --stop-file exists
and prints {"writes": N, "failed": M, "max_latency_ms": L, "failures": [...]}.
"""
import argparse, json, os, socket, struct, sys, time

def frame(payload):
    return struct.pack(">i", len(payload)) + payload

def zk_string(s):
    b = s.encode()
    return struct.pack(">i", len(b)) + b

def read_frame(sock):
    head = read_exact(sock, 4)
    (n,) = struct.unpack(">i", head)
    return read_exact(sock, n)

def read_exact(sock, n):
    out = b""
    while len(out) < n:
        chunk = sock.recv(n - len(out))
        if not chunk:
            raise ConnectionError("closed by the server")
        out += chunk
    return out

def write_once(server, path, data, timeout):
    host, port = server.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.settimeout(timeout)
        connect = struct.pack(">iqiq", 0, 0, 10000, 0) + struct.pack(">i", 16) + b"\0" * 16 + b"\0"
        sock.sendall(frame(connect))
        reply = read_frame(sock)
        _, session_timeout, session = struct.unpack(">iiq", reply[:16])
        if session == 0 or session_timeout <= 0:
            raise ConnectionError("no session")
        acl = struct.pack(">i", 1) + struct.pack(">i", 31) + zk_string("world") + zk_string("anyone")
        create = struct.pack(">ii", 1, 1) + zk_string(path) + struct.pack(">i", len(data)) + data + acl + struct.pack(">i", 2)
        sock.sendall(frame(create))
        reply = read_frame(sock)
        xid, _, err = struct.unpack(">iqi", reply[:16])
        sock.sendall(frame(struct.pack(">ii", 2, -11)))  # closeSession
        if err != 0:
            raise RuntimeError(f"error {err}")

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--servers", required=True)
    p.add_argument("--path", default="/rolling-w-")
    p.add_argument("--interval", type=float, default=0.1)
    p.add_argument("--timeout", type=float, default=2.0)
    p.add_argument("--session-timeout", type=float, default=10.0)
    p.add_argument("--stop-file", required=True)
    p.add_argument("--ready-file")
    a = p.parse_args()
    servers = a.servers.split(",")
    writes, failures, max_latency = 0, [], 0.0
    while not os.path.exists(a.stop_file):
        began = time.monotonic()
        errors, done = [], False
        while not done and time.monotonic() - began < a.session_timeout:
            for server in servers:
                try:
                    write_once(server, a.path, str(writes).encode(), a.timeout)
                    done = True
                    break
                except Exception as e:  # refused, dropped, no session, or an error from ZooKeeper
                    errors.append(f"{server}: {e}")
            if not done:
                time.sleep(0.05)
        if done:
            max_latency = max(max_latency, time.monotonic() - began)
        else:
            failures.append({"write": writes, "at": time.time(), "errors": errors[-3:]})
        writes += 1
        if a.ready_file and writes == 1:
            open(a.ready_file, "w").close()
        time.sleep(max(0.0, a.interval - (time.monotonic() - began)))
    print(json.dumps({"writes": writes, "failed": len(failures), "max_latency_ms": round(max_latency * 1000),
                      "failures": failures[:20]}))

if __name__ == "__main__":
    main()
