#!/usr/bin/env bash
# The kill -9 test at full size: 100,000 participants, 24 SIGKILLs of `fanout action run` at seeded
# random moments, then 0 lost and repeats within the in-flight window from the provider-side record.
# CI runs the same test scaled down (12,000 participants, 20 kills) in `swift test`.
#
#   tools/kill-test.sh [COUNT] [KILLS]          (SCRATCH=.build-x to use another build directory)
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-100000}"
kills="${2:-24}"
scratch="${SCRATCH:-.build}"
tools/ensure-deps.sh
swift build --scratch-path "$scratch" --build-tests
FANOUT_KILL_TEST_COUNT="$count" FANOUT_KILL_TEST_KILLS="$kills" FANOUT_KILL_TEST_SPEED="${FANOUT_KILL_TEST_SPEED:-40}" \
    swift test --scratch-path "$scratch" --skip-build --filter KillTests 2>&1 | grep -E "kill -9 test|✔|✘|passed|failed"
