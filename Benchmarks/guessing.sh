#!/usr/bin/env bash
# Password guessing costs the guesser, not the manager: N concurrent wrong
# Basic guesses for one user from one source (127.0.0.2), against a manager at
# its production hash cost (PBKDF2, 600,000 rounds); how many hashes the
# manager computed for them (steward_password_hashes_total on /metrics), and
# how long that user's own first login from 127.0.0.1 took meanwhile, beside
# the same login with no burst. Targets: <= 10 hashes, login under 1 s.
# Usage: Benchmarks/guessing.sh PATH/TO/steward [guesses (default 600)]
# (the lead runs it on a release build: swift build -c release --product steward)
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 PATH/TO/steward [guesses]" >&2; exit 2; }
BIN=$(realpath "$1")
N=${2:-600}
cd "$(dirname "$0")/.."
ulimit -n 4096
source Benchmarks/lib.sh
# The manager alone (no agents are needed to log in), at its default hash cost.
mkdir -p "$WORK/g"
"$BIN" manager --data-dir "$WORK/g/manager" --port 0 --admin-password "$PASSWORD" --port-shift 1700 \
  --log-level warning > "$WORK/g/manager.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 600); do [ -f "$WORK/g/manager/manager.url" ] && break; sleep 0.05; done
URL=$(cat "$WORK/g/manager/manager.url")
python3 Benchmarks/guessing.py "$URL" "$PASSWORD" "$N"
