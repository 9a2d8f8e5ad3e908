#!/usr/bin/env bash
# Builds the binary the project ships: release, with the Swift runtime and
# Foundation linked in (--static-swift-stdlib), so that it needs only libc,
# libm, libstdc++, libgcc_s and libz on the host, not the Swift toolchain, and
# starts without loading and binding twenty shared libraries; then stripped.
# Checks that `ldd` names no Swift library, and prints the stripped binary's path.
# A cold build takes 15-20 minutes on two busy cores; the tests keep using the
# debug build (`swift build`), and CI does not run this.
# Usage: scripts/build-release.sh [OUTPUT (default .build/steward-release/steward)]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-.build/steward-release/steward}
FLAGS=(-c release --static-swift-stdlib)
swift build "${FLAGS[@]}" --product steward
BIN="$(swift build "${FLAGS[@]}" --show-bin-path)/steward"
if ldd "$BIN" | grep -Ei 'swift|Foundation|dispatch|BlocksRuntime'; then
  echo "build-release: $BIN still loads a Swift library (above)" >&2
  exit 1
fi
mkdir -p "$(dirname "$OUT")"
strip -o "$OUT" "$BIN"
echo "$(realpath "$OUT") ($(du -m "$OUT" | cut -f1) MB, stripped; unstripped with symbols: $BIN)"
