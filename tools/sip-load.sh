#!/usr/bin/env bash
# Measures the SIP voice adapter against SIPp (sip-tester) on loopback and prints the figures
# (docs/channel-sip.md has them for the 2-core build machine):
#   - calls set up per second: FANOUT_SIP_LOAD_CALLS calls (default 2000) on FANOUT_SIP_LOAD_LINES
#     lines (default 200), SIPp answering each and hanging up right after the ACK;
#   - calls held at once: FANOUT_SIP_LOAD_HELD calls (default 500) on as many lines, SIPp holding each
#     for FANOUT_SIP_LOAD_HOLD_MS (default 15000, under the message's 25 s) while the adapter streams the message to it (50 RTP packets a second per call); it
#     prints how many packets went out more than 40 ms late and the CPU the process used.
# Usage: tools/sip-load.sh [extra swift test arguments]
#   FANOUT_SIP_LOAD_CALLS=5000 FANOUT_SIP_LOAD_LINES=300 FANOUT_SIP_LOAD_HELD=800 tools/sip-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
tools/ensure-deps.sh sip-tester espeak-ng sox
# The held test opens 2 sockets a call (SIP is shared; RTP per call) in this process and SIPp.
ulimit -n 65536 2>/dev/null || true
swift build --build-tests
FANOUT_SIP_LOAD=1 FANOUT_REQUIRE_PEERS=1 swift test --skip-build --filter SIPLoadTests "$@" 2>&1 |
    grep -E "SIP load|^  |✘|error|passed|failed" || true
