#!/usr/bin/env bash
# Runs one `swift test --skip-build` pass with a time limit, for tools/test.sh.
#
#   tools/test-pass.sh SECONDS [swift test arguments...]
#
# A pass that hangs would otherwise run into CI's overall limit and say nothing about where it
# hung. Past SECONDS the pass is stopped, and the tests that started but never finished are listed
# (from Swift Testing's "◇ Test … started." and "✔/✘ Test … passed/failed" lines), so the run ends
# with the names to look at. The pass's exit status is kept; a stopped pass exits 124.
set -uo pipefail
limit=$1
shift
log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$(date +%s)
timeout --kill-after=30 "$limit" swift test --skip-build "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
echo "test-pass: swift test $* took $(($(date +%s) - start)) s (exit $status)" >&2
if [ "$status" -ne 0 ]; then
    [ "$status" -eq 124 ] && echo "test-pass: stopped after $limit s; tests started and not finished:" >&2
    python3 - "$log" >&2 <<'PY'
import re, sys
started, ended = {}, set()
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    m = re.search(r"◇ Test (.+?) started\.", line)
    if m:
        started.setdefault(m.group(1), line.strip())
        continue
    m = re.search(r"[✔✘] Test (.+?) (passed|failed|recorded an issue)", line)
    if m:
        name = m.group(1)
        name = re.sub(r" with \d+ test cases?$", "", name)
        ended.add(name)
        # parameterised cases end with the function's name only
        ended.add(name.split(" with ")[0])
open_ = [n for n in started if n not in ended and n.split(" with ")[0] not in ended
         and not n.startswith("case passing")]
for n in open_[:40]:
    print("  still running:", n)
PY
fi
exit "$status"
