#!/usr/bin/env bash
# Builds fanout and runs every test (Swift Testing), then a 10 s libFuzzer pass per input reader
# (tools/fuzz.sh). Extra arguments go to `swift test`.
# Besides the build dependencies it installs the independent checkers the tests run against what
# fanout writes: GDAL's ogrinfo (gdal-bin), xmllint for the CAP XSD (libxml2-utils) and
# rsvg-convert for PNG maps (librsvg2-bin), and Kannel (bearerbox, smsbox, the fake SMSC) for the
# SMS adapter's tests, and Python's jsonschema (python3-jsonschema) for tools/validate-json.py, which checks
# every `--json` output against its schema in docs/schemas. The map page of `fanout serve` needs Leaflet
# (libjs-leaflet); its browser test runs headless Chromium (chromium, chromium-driver) from Python's selenium.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/ensure-deps.sh gdal-bin libxml2-utils librsvg2-bin kannel kannel-extras sqlite3 python3-jsonschema curl \
    libjs-leaflet chromium chromium-driver postfix python3-aiosmtpd openssl \
    sip-tester espeak-ng sox xmlsec1
# Selenium drives the map page's browser test (Tests/FanoutServerTests/Browser/map_page.py).
python3 -c 'import selenium' 2>/dev/null || python3 -m pip install --quiet selenium
# The Web Push adapter's push service on loopback (tools/push_service.py) checks every push with
# http_ece (decryption, RFC 8291) and py_vapid (the VAPID JWT, RFC 8292).
python3 -c 'import http_ece, py_vapid, cryptography' 2>/dev/null || python3 -m pip install --quiet http_ece py_vapid cryptography
# The public feeds' test reads them with feedparser, an independent Atom and RSS reader, and checks
# the signed CAP with xmlsec1.
python3 -c 'import feedparser' 2>/dev/null || python3 -m pip install --quiet feedparser
export FANOUT_REQUIRE_KANNEL=1  # the Kannel adapter tests run against a real Kannel; fail, never skip
export FANOUT_REQUIRE_PEERS=1  # the same for the other channels' peers (smtp-sink, aiosmtpd, SIPp with espeak-ng and sox, the Web Push service)
swift build --build-tests
if [ "$#" -gt 0 ]; then
    tools/test-pass.sh 2400 "$@"
else
    # Several passes. The Kannel tests wait on real time for a real Kannel and for the dispatcher's
    # task; in one parallel run with every CPU-bound suite, that task queued behind them on Swift
    # concurrency's cooperative pool (2 threads on a 2-core CI machine) for up to a minute, and a
    # 60 s wait ran out with nothing wrong. They run second, on their own.
    # The service's suites (each runs a live server with threads of its own) run in a pass of
    # their own too: in one run with every CPU-bound suite on 2 cores one took 333 s instead of 30.
    # Each pass has a time limit (tools/test-pass.sh): a pass that hangs ends with the names of the
    # tests still running instead of running into CI's overall limit silently.
    # The exit tests (`#expect(processExitsWith:)`) run first, in a process of their own: once one
    # has run, Swift Testing keeps a thread in waitid(P_ALL, WNOWAIT) for the rest of the process,
    # and a child that `fanout` tests start with Foundation's Process could then exit unnoticed:
    # seen in a clean-clone CI run as a pass that hung in Process.waitUntilExit beside a zombie
    # `fanout`, spinning one core, until the limit stopped it (gdb; most likely also the run that
    # CI stopped at 90 minutes in this pass).
    tools/test-pass.sh 600 --filter "EngineConcurrencyTests|GEOSContextTests"
    tools/test-pass.sh 1500 --skip ProviderAdapterTests --skip FanoutServerTests --skip EngineConcurrencyTests \
        --skip GEOSContextTests
    tools/test-pass.sh 900 --filter FanoutServerTests
    tools/test-pass.sh 900 --filter ProviderAdapterTests
fi
# schemathesis (PyPI) against a live `fanout serve` with the API's OpenAPI document: no 5xx, no
# response that violates the document, no schema-violating request accepted (tools/schemathesis.sh).
tools/schemathesis.sh 25
# A short libFuzzer pass over the input readers (docs/fuzzing.md): about 1.5 min of sanitizer
# build and 2.5 min of fuzzing on 2 cores. FANOUT_FUZZ_CI_SECONDS=0 skips it.
ci_seconds=${FANOUT_FUZZ_CI_SECONDS:-10}
if [ "$ci_seconds" -gt 0 ]; then
    FUZZ_SEED=1 FUZZ_CORPUS="$(mktemp -d)" tools/fuzz.sh "$ci_seconds"
fi
