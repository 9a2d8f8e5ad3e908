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
# Some modules (Hummingbird's) are compiled again for the static link, and
# their objects then name static-only libraries: those objects are removed
# afterwards, so that the next ordinary build compiles them again.
touch .build-ci/static-build.start
trap 'find .build -name "*.o" -newer .build-ci/static-build.start -delete' EXIT
# The executable's own module is compiled again in the static mode, so that
# its objects name the libraries a static Foundation needs (its ICU data and
# shims), which objects compiled for a dynamic link do not name.
touch Sources/steward/*.swift
swift build --product steward --static-swift-stdlib > .build-ci/static-build.log 2>&1 || { cat .build-ci/static-build.log; exit 1; }
BIN="$(swift build --show-bin-path)/steward"
if ldd "$BIN" | grep -Ei 'swift|Foundation|dispatch|BlocksRuntime'; then
  echo "toolchain-free-test: $BIN still loads a Swift library (above)" >&2
  exit 1
fi
OUT="$PWD/.build-ci/steward-static"
strip -o "$OUT" "$BIN"
STEWARD_STATIC_BINARY="$OUT" swift test --skip-build --filter agentWithoutToolchain
