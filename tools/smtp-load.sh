#!/usr/bin/env bash
# Mail throughput of the SMTP adapter into Postfix's smtp-sink on loopback (docs/channel-smtp.md).
# Usage: tools/smtp-load.sh [count [connections [pipelining 1|0]]]
#   tools/smtp-load.sh                 # 50,000 mails, 4 connections, pipelining on
#   tools/smtp-load.sh 20000 1 0       # 20,000 mails over one connection, commands one by one
# Builds the tests (debug, as CI does) and runs SMTPLoadTests, which starts smtp-sink itself,
# mails every participant through a real dispatcher and prints mails per second.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/ensure-deps.sh postfix
swift build --build-tests 2>&1 | grep -E "error:|Compiling|Build complete" | tail -3
FANOUT_SMTP_LOAD=1 FANOUT_SMTP_COUNT="${1:-50000}" FANOUT_SMTP_CONNECTIONS="${2:-4}" FANOUT_SMTP_PIPELINING="${3:-1}" \
    swift test --skip-build --filter SMTPLoadTests 2>&1 | grep -E "SMTP load:|error|failed|passed" 
