#!/usr/bin/env bash
# The chaos test at full size: `fanout action run` SIGKILLed at seeded random moments while a second
# process sends enlarge/stop/end and a third imports; then, from the provider-side record, 0 lost,
# the end message to exactly those reached, repeats within the in-flight window, an intact registry.
# CI runs the same test scaled down (6,000 participants, 12 kills) in `swift test`.
#
#   tools/chaos-test.sh [COUNT] [KILLS]          (SCRATCH=.build-x to use another build directory)
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-100000}"
kills="${2:-24}"
scratch="${SCRATCH:-.build}"
tools/ensure-deps.sh sqlite3
swift build --scratch-path "$scratch" --build-tests
FANOUT_CHAOS_TEST_COUNT="$count" FANOUT_CHAOS_TEST_KILLS="$kills" FANOUT_KILL_TEST_SPEED="${FANOUT_KILL_TEST_SPEED:-40}" \
    swift test --scratch-path "$scratch" --skip-build --filter ChaosTests 2>&1 | grep -E "chaos test|✔|✘|passed|failed"
