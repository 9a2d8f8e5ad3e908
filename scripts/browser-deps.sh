#!/usr/bin/env bash
# What the web UI tests need: Chromium from the OS packages (without
# recommends: 26 packages instead of 131, and no upgrades of the base system)
# and a venv with websocket-client (PyPI) for the CDP bridge. Idempotent.
# Prints the venv's python, for STEWARD_TEST_PYTHON.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${STEWARD_BROWSER_VENV:-$PWD/.build-ci/browser-venv}
if ! command -v chromium >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends --no-upgrade chromium >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends --no-upgrade chromium >/dev/null; }
fi
if ! "$VENV/bin/python3" -c 'import websocket' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q 'websocket-client>=1.8,<2' >&2
fi
echo "$VENV/bin/python3"
