#!/usr/bin/env bash
# Several managers on one PostgreSQL (issue 13), on a throwaway PostgreSQL 15
# (a child of this script, its data in a temporary directory):
#  1. takeover time: a command driven by manager 1 is running, manager 1 is
#     killed with SIGKILL; time from the kill to the next change of the
#     command's progress seen from manager 2 (RUNS runs; Benchmarks/ha.py);
#  2. cross-manager visibility: COMMANDS commands submitted to manager 1, each
#     followed on managers 1 and 2 with long polls; the delay of each state's
#     arrival on manager 2 after manager 1 (Benchmarks/ha.py);
#  3. the progress endpoint against the trivial route (wrk, as run.sh's (a)),
#     on two managers sharing PostgreSQL and, in the same run, one on SQLite;
#     with the statements PostgreSQL logged during each wrk round, to tell
#     whether a route touches the store.
# Usage: Benchmarks/ha.sh BIN [RUNS (10)] [COMMANDS (30)]
# Environment: DURATION (10 s per wrk run), ROUNDS (3), PG_PORT (a free port),
# PARTS ("12 3": which parts), and ha.py's TAKEOVER_DELAY_MS, KILL_AFTER_MS,
# VISIBILITY_DELAY_MS. Needs PostgreSQL 15 (/usr/lib/postgresql/15/bin), wrk,
# python3 (standard library only), root (runuser -u postgres).
set -euo pipefail
BIN=$(realpath "$1"); RUNS=${2:-10}; COMMANDS=${3:-30}
DURATION=${DURATION:-10}; ROUNDS=${ROUNDS:-3}; PARTS=${PARTS:-12 3}
HERE=$(cd "$(dirname "$0")" && pwd)
PGBIN=/usr/lib/postgresql/15/bin
[ -x "$PGBIN/postgres" ] || { echo "PostgreSQL 15 is needed: apt-get install postgresql-15" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
source "$HERE/lib.sh"
PG_PORT=${PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}

# The server's data, socket and log: a directory of its own, which the postgres user can enter.
PGROOT=$(mktemp -d /tmp/steward-bench-pg.XXXXXX)
chown postgres:postgres "$PGROOT"
PG=
stop_pg() {
  if [ -n "$PG" ]; then
    # runuser forwards no signal we can rely on: the postmaster, by its pid file (fast shutdown).
    kill -INT "$(head -1 "$PGROOT/data/postmaster.pid" 2>/dev/null)" 2>/dev/null || true
    wait "$PG" 2>/dev/null || true
  fi
  rm -rf "$PGROOT"
}
trap 'cleanup; stop_pg' EXIT
as_pg() { (cd / && runuser -u postgres -- "$@"); }
as_pg "$PGBIN/initdb" -D "$PGROOT/data" -U postgres -E UTF8 --locale=C.UTF-8 \
  --auth-local=trust --auth-host=scram-sha-256 > /dev/null
# PostgreSQL's defaults (fsync and synchronous_commit on), more connections for several managers' pools.
(cd / && exec runuser -u postgres -- "$PGBIN/postgres" -D "$PGROOT/data" -c listen_addresses=127.0.0.1 \
  -p "$PG_PORT" -k "$PGROOT" -c max_connections=300) > "$PGROOT/log" 2>&1 &
PG=$!
for _ in $(seq 600); do as_pg psql -h "$PGROOT" -p "$PG_PORT" -U postgres -Atqc 'select 1' > /dev/null 2>&1 && break; sleep 0.1; done
psql_pg() { as_pg psql -h "$PGROOT" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -Atq "$@"; }
psql_pg -c "CREATE ROLE steward LOGIN PASSWORD 'steward-pw'" \
  -c "CREATE DATABASE ha OWNER steward" -c "CREATE DATABASE prog OWNER steward" \
  -c "ALTER DATABASE prog SET log_statement = 'all'"
DB="postgres://steward:steward-pw@127.0.0.1:$PG_PORT"
echo "# PostgreSQL $(psql_pg -c 'show server_version') on port $PG_PORT; load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

if [[ $PARTS == *12* ]]; then
  echo "== (1) takeover, $RUNS runs; (2) cross-manager visibility, $COMMANDS commands (3 managers, 3 agents)"
  mkdir -p "$WORK/ha"
  python3 "$HERE/ha.py" "$BIN" "$WORK/ha" "$DB/ha" "$RUNS" "$COMMANDS" | tee "$WORK/ha.json"
  python3 - "$WORK/ha.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
t, v = r["takeover"]["ms"], r["visibility"]
print(f"takeover (kill -9 to the next progress change on manager 2), {t['n']} runs: min {t['min']} ms, "
      f"median {t['median']} ms, p90 {t['p90']} ms, max {t['max']} ms")
print("  each run: " + ", ".join(f"{x['takeover_ms']}" for x in r["takeover"]["each"]) + " ms")
d = v["transitions"]
print(f"visibility (arrival on manager 2 - arrival on manager 1), {d['n']} transitions of {v['commands']} commands: "
      f"min {d['min']} ms, median {d['median']} ms, p90 {d['p90']} ms, p99 {d['p99']} ms, max {d['max']} ms"
      f" ({v['unpaired_states']} states seen on one manager only)")
b = v["baseline_same_manager"]
print(f"  baseline, two followers of manager 1: median {b['median']} ms, p90 {b['p90']} ms, p99 {b['p99']} ms, max {b['max']} ms")
f = v["visible_on_m2_after_post_ms"]
print(f"  a new command readable on manager 2 after manager 1 answered its POST: median {f['median']} ms, max {f['max']} ms")
PY
fi

if [[ $PARTS == *3* ]]; then
  echo "== (3) progress endpoint vs trivial route: SQLite, and two managers on PostgreSQL (demo stack, 64 connections, ${DURATION}s x ${ROUNDS} rounds each, interleaved)"
  start_cluster "$BIN" "$WORK/sqlite" demo 1500 host-1 host-2 host-3
  URL_S=$URL; ID_S=$(finished_command "$URL_S")
  MANAGER_ARGS="--database $DB/prog --key-file $WORK/prog.key" start_cluster "$BIN" "$WORK/pg" demo 1800 host-1 host-2 host-3
  URL_P=$URL; ID_P=$(finished_command "$URL_P")
  # A second manager on the same database, without agents: it never drove the command.
  "$BIN" manager --data-dir "$WORK/pg/manager-2" --port 0 --admin-password "$PASSWORD" --stack demo --port-shift 1800 \
    --database "$DB/prog" --key-file "$WORK/prog.key" --log-level warning > "$WORK/pg/manager-2.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 600); do [ -f "$WORK/pg/manager-2/manager.url" ] && break; sleep 0.05; done
  URL_Q=$(cat "$WORK/pg/manager-2/manager.url")
  BYTES=$(curl -s -u "admin:$PASSWORD" "$URL_P/web/v1/common/command/$ID_P/progress" | wc -c)
  for u in "$URL_S/healthz" "$URL_P/healthz" "$URL_P/web/v1/common/command/$ID_P/progress" "$URL_Q/web/v1/common/command/$ID_P/progress"; do
    wrk -t2 -c64 -d2s -H "Authorization: Basic $(printf 'admin:%s' "$PASSWORD" | base64)" "$u" > /dev/null  # warm-up
  done
  # measure NAME URL: one wrk run; appends "NAME rps requests statements" (statements PostgreSQL logged for the database meanwhile).
  measure() {
    local before after out
    before=$(grep -c -E 'LOG:  (statement|execute)' "$PGROOT/log" || true)
    out=$(wrk -t2 -c64 -d"${DURATION}s" -H "Authorization: Basic $(printf 'admin:%s' "$PASSWORD" | base64)" "$2")
    after=$(grep -c -E 'LOG:  (statement|execute)' "$PGROOT/log" || true)
    echo "$1 $(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk '/requests in/ {print $1}' <<<"$out") $((after - before))" >> "$WORK/wrk.txt"
  }
  for r in $(seq "$ROUNDS"); do
    measure sqlite_healthz "$URL_S/healthz"
    measure sqlite_progress "$URL_S/web/v1/common/command/$ID_S/progress"
    measure pg_healthz "$URL_P/healthz"
    measure pg_ping "$URL_P/web/v1/ping"
    measure pg_progress "$URL_P/web/v1/common/command/$ID_P/progress"
    measure pg_progress_other "$URL_Q/web/v1/common/command/$ID_P/progress"
  done
  python3 - "$WORK/wrk.txt" "$BYTES" "$DURATION" <<'PY'
import collections, statistics, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, rps, n, stmts = line.split()
    rows[name].append((float(rps), int(n), int(stmts)))
size, duration = sys.argv[2], float(sys.argv[3])
med = {k: statistics.median(r for r, _, _ in v) for k, v in rows.items()}
labels = {
    "sqlite_healthz": "SQLite manager, /healthz (trivial route)",
    "sqlite_progress": "SQLite manager, progress",
    "pg_healthz": "PostgreSQL manager 1, /healthz (trivial route)",
    "pg_ping": "PostgreSQL manager 1, /web/v1/ping (authenticated)",
    "pg_progress": "PostgreSQL manager 1 (ran the command), progress",
    "pg_progress_other": "PostgreSQL manager 2 (never drove it), progress",
}
for k, label in labels.items():
    v = rows[k]
    stmts = sum(s for _, _, s in v) / len(v)
    per_1000 = 1000 * sum(s for _, _, s in v) / max(1, sum(n for _, n, _ in v))
    print(f"{label}: {med[k]:,.0f} req/s (rounds: {', '.join(f'{r:,.0f}' for r, _, _ in v)});"
          f" statements logged by PostgreSQL per round {stmts:,.0f} ({per_1000:.2f} per 1,000 requests)")
print(f"progress document: {size} bytes")
print(f"ratio progress / trivial route, SQLite: {med['sqlite_progress'] / med['sqlite_healthz']:.2f}")
print(f"ratio progress / trivial route, PostgreSQL manager 1: {med['pg_progress'] / med['pg_healthz']:.2f}   (target >= 0.8)")
print(f"ratio progress / trivial route, PostgreSQL manager 2: {med['pg_progress_other'] / med['pg_healthz']:.2f}")
print(f"ratio progress / authenticated ping, PostgreSQL manager 1: {med['pg_progress'] / med['pg_ping']:.2f}")
PY
fi
