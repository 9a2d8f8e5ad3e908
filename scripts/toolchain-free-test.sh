#!/usr/bin/env bash
# Links the steward binary with the Swift runtime and Foundation inside it
# (--static-swift-stdlib, as scripts/build-release.sh does for the release
# build), strips it, and runs the test that starts an agent from it with the
# toolchain hidden (an empty tmpfs over the toolchain's directory, in a mount
# namespace of its own: needs root). Run it after `swift test`: it relinks the
# debug build's objects, which is quick, instead of a release build's 15 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .build-ci
swift build --product steward --static-swift-stdlib > .build-ci/static-build.log 2>&1 || { cat .build-ci/static-build.log; exit 1; }
BIN="$(swift build --show-bin-path)/steward"
if ldd "$BIN" | grep -Ei 'swift|Foundation|dispatch|BlocksRuntime'; then
  echo "toolchain-free-test: $BIN still loads a Swift library (above)" >&2
  exit 1
fi
OUT="$PWD/.build-ci/steward-static"
strip -o "$OUT" "$BIN"
STEWARD_STATIC_BINARY="$OUT" swift test --skip-build --filter agentWithoutToolchain
