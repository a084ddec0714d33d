#!/usr/bin/env bash
# Builds fanout and runs every test (Swift Testing). Extra arguments go to `swift test`.
# Besides the build dependencies it installs the independent checkers the tests run against what
# fanout writes: GDAL's ogrinfo (gdal-bin), xmllint for the CAP XSD (libxml2-utils) and
# rsvg-convert for PNG maps (librsvg2-bin), and Kannel (bearerbox, smsbox, the fake SMSC) for the
# SMS adapter's tests.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/ensure-deps.sh gdal-bin libxml2-utils librsvg2-bin kannel kannel-extras
export FANOUT_REQUIRE_KANNEL=1  # the Kannel adapter tests run against a real Kannel; fail, never skip
swift build --build-tests
exec swift test --skip-build "$@"
