#!/usr/bin/env bash
# Memory of a manager under 30 s of login_check traffic and 30 s of /cas/login
# traffic (issue 10, part 4): its RSS at the start, every 5 s and at the end of
# each phase, and the sessions, grants and tickets it holds (steward_sessions).
# Flat is the goal: login_check reuses the caller's session, and every kind of
# session and ticket is capped per user and in all.
# Needs: python3. No agents: only the manager runs.
# Usage: Benchmarks/sessions.sh MANAGER_BINARY [seconds-per-phase (default 30)] [clients (default 8)]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:?usage: Benchmarks/sessions.sh MANAGER_BINARY [seconds] [clients]}
SECONDS_PER_PHASE=${2:-30}
CLIENTS=${3:-8}
source Benchmarks/lib.sh

mkdir -p "$WORK/m"
# Fewer hash rounds than the default: the /cas/login phase then logs in (and
# mints CAS grants) as fast as the clients can, the harder case for the caps.
"$BIN" manager --data-dir "$WORK/m/manager" --port 0 --admin-password "$PASSWORD" --log-level warning \
  --password-hash-rounds 10000 > "$WORK/m/manager.log" 2>&1 &
MANAGER=$!
PIDS+=("$MANAGER")
for _ in $(seq 200); do [ -f "$WORK/m/manager/manager.url" ] && break; sleep 0.05; done
URL=$(cat "$WORK/m/manager/manager.url")
echo "manager $BIN at $URL (pid $MANAGER)"
python3 Benchmarks/sessions.py "$URL" admin "$PASSWORD" "$MANAGER" "$SECONDS_PER_PHASE" "$CLIENTS"
