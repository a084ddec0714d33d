#!/usr/bin/env bash
# The public top-level names `import FanoutEngine` offers, from the built module's symbol graph.
# Run after `swift build`: tools/public-surface.sh [count]
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
swift symbolgraph-extract -module-name FanoutEngine -I .build/debug/Modules -I Sources/CGEOS -I Sources/CPROJ \
    -I .build/checkouts/GRDB.swift/Sources/GRDBSQLite -target "$(uname -m)-unknown-linux-gnu" \
    -output-dir "$out" -minimum-access-level public
python3 - "$out/FanoutEngine.symbols.json" "${1:-list}" <<'PY'
import json, sys
symbols = json.load(open(sys.argv[1]))["symbols"]
kinds = {"swift.struct", "swift.class", "swift.enum", "swift.protocol", "swift.typealias", "swift.actor"}
names = sorted(s["pathComponents"][0] for s in symbols if len(s["pathComponents"]) == 1 and s["kind"]["identifier"] in kinds)
print(len(names) if sys.argv[2] == "count" else "\n".join(names))
PY
