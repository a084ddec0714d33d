#!/usr/bin/env bash
# Builds fanout and runs every test (Swift Testing). Extra arguments go to `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/ensure-deps.sh
swift build --build-tests
exec swift test --skip-build "$@"
