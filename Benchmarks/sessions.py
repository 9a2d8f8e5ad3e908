"""The manager's memory under login traffic: RSS and the sessions it holds.

Usage: sessions.py URL USER PASSWORD MANAGER_PID SECONDS [THREADS]

Two phases of SECONDS each, THREADS (default 8) keep-alive clients:
  login_check: GET /web/v1/access/login_check, by turns with HTTP Basic and
               no cookie (a new session each time: the per-user cap holds
               them), with a CASTGC only (the CAS clients' call), and with
               the JSESSIONID of an earlier answer;
  cas_login:   GET /cas/login (a login ticket and a casSessionId each, most
               abandoned, as a flood of login pages leaves them) and, one
               time in four, the form POST with the right password (a CAS
               grant each).
Prints the manager's RSS at the start, every few seconds and at the end of
each phase, with the steward_sessions gauges of /metrics. Flat is the goal.
"""
import base64
import http.client
import re
import sys
import threading
import time
import urllib.parse

url, user, password, pid, seconds = sys.argv[1:6]
threads = int(sys.argv[6]) if len(sys.argv) > 6 else 8
pid, seconds = int(pid), float(seconds)
host, port = urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port
basic = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
LT = re.compile(r'name="lt" value="(LT-[A-Za-z0-9_-]+)"')


def rss_mib():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024


def cookies(response):
    out = {}
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            k, _, v = pair.partition("=")
            out[k] = v
    return out


def request(conn, method, path, headers=None, body=None):
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    r.read()
    return r


def sessions():
    conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.request("GET", "/metrics", headers={"Authorization": basic})
    text = conn.getresponse().read().decode()
    conn.close()
    return {m.group(1): int(float(m.group(2))) for m in re.finditer(r'steward_sessions\{kind="(\w+)"\} (\S+)', text)}


def cas_login(conn):
    page = request_page(conn)
    if page is None:
        return None
    cas_session, lt = page
    form = urllib.parse.urlencode({"username": user, "password": password, "lt": lt, "_eventId": "submit"})
    r = request(conn, "POST", "/cas/login", {"Content-Type": "application/x-www-form-urlencoded",
                                             "Cookie": f"casSessionId={cas_session}"}, form)
    return cookies(r).get("CASTGC")


def request_page(conn):
    conn.request("GET", "/cas/login")
    r = conn.getresponse()
    html = r.read().decode()
    m = LT.search(html)
    cas_session = cookies(r).get("casSessionId")
    return (cas_session, m.group(1)) if m and cas_session else None


def login_check_client(stop, counts):
    conn = http.client.HTTPConnection(host, port, timeout=30)
    tgt = cas_login(conn)
    first = request(conn, "GET", "/web/v1/access/login_check", {"Authorization": basic})
    token = cookies(first).get("JSESSIONID")
    ways = [{"Authorization": basic}, {"Cookie": f"CASTGC={tgt}"}, {"Cookie": f"JSESSIONID={token}"}]
    i = 0
    while not stop.is_set():
        r = request(conn, "GET", "/web/v1/access/login_check", ways[i % 3])
        counts[r.status] = counts.get(r.status, 0) + 1
        i += 1


def cas_login_client(stop, counts):
    conn = http.client.HTTPConnection(host, port, timeout=30)
    i = 0
    while not stop.is_set():
        if i % 4 == 3:
            ok = cas_login(conn) is not None
            counts["grant" if ok else "no-grant"] = counts.get("grant" if ok else "no-grant", 0) + 1
        else:
            counts["page"] = counts.get("page", 0) + (1 if request_page(conn) else 0)
        i += 1


def phase(name, client):
    print(f"== {name}: {seconds:.0f} s, {threads} clients")
    print(f"  start  RSS {rss_mib():7.1f} MiB  sessions {sessions()}")
    stop = threading.Event()
    counts = [dict() for _ in range(threads)]
    workers = [threading.Thread(target=client, args=(stop, counts[k])) for k in range(threads)]
    begun = time.monotonic()
    for w in workers:
        w.start()
    while time.monotonic() - begun < seconds:
        time.sleep(min(5, seconds - (time.monotonic() - begun)))
        print(f"  {time.monotonic() - begun:4.0f} s  RSS {rss_mib():7.1f} MiB  sessions {sessions()}")
    stop.set()
    for w in workers:
        w.join()
    total = {}
    for c in counts:
        for k, v in c.items():
            total[k] = total.get(k, 0) + v
    print(f"  end    RSS {rss_mib():7.1f} MiB  sessions {sessions()}  answers {total}")


phase("login_check", login_check_client)
phase("/cas/login", cas_login_client)
