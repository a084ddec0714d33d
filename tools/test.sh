#!/usr/bin/env bash
# Builds fanout and runs every test (Swift Testing). Extra arguments go to `swift test`.
# Besides the build dependencies it installs the independent checkers the tests run against what
# fanout writes: GDAL's ogrinfo (gdal-bin), xmllint for the CAP XSD (libxml2-utils) and
# rsvg-convert for PNG maps (librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/ensure-deps.sh gdal-bin libxml2-utils librsvg2-bin
swift build --build-tests
exec swift test --skip-build "$@"
