#!/usr/bin/env bash
# Mail throughput of the SMTP adapter into Postfix's smtp-sink on loopback (docs/channel-smtp.md).
# Usage: tools/smtp-load.sh [--release] [count [connections [pipelining 1|0]]]
#   tools/smtp-load.sh                 # 50,000 mails, 4 connections, pipelining on (debug build)
#   tools/smtp-load.sh 20000 1 0       # 20,000 mails over one connection, commands one by one
#   tools/smtp-load.sh --release       # the same in a release build (in .build/smtp-release)
# Runs SMTPLoadTests, which starts smtp-sink itself, mails every participant through a real
# dispatcher and prints mails per second. Nothing about speed is asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
build=(swift build --build-tests)
if [ "${1:-}" = "--release" ]; then
    shift
    build=(swift build -c release --build-tests -Xswiftc -enable-testing --scratch-path .build/smtp-release)
fi
tools/ensure-deps.sh postfix
"${build[@]}" 2>&1 | grep -E "error:|Build complete" | tail -3
test=(swift test --skip-build --filter SMTPLoadTests)
[ "${build[2]:-}" = "-c" ] && test=(swift test -c release --skip-build --scratch-path .build/smtp-release --filter SMTPLoadTests)
FANOUT_SMTP_LOAD=1 FANOUT_SMTP_COUNT="${1:-50000}" FANOUT_SMTP_CONNECTIONS="${2:-4}" FANOUT_SMTP_PIPELINING="${3:-1}" \
    "${test[@]}" 2>&1 | grep -E "SMTP load:|✘|error:"
