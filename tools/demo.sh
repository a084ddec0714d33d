#!/usr/bin/env bash
# The demo: builds fanout (release), a cached registry of 1.6M synthetic participants in
# ./demo-data, and runs two sample actions. Extra arguments go to `fanout demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/ensure-deps.sh
swift build -c release --product fanout
exec .build/release/fanout demo "$@"
