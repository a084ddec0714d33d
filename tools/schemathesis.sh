#!/usr/bin/env bash
# Runs schemathesis (PyPI) against a live `fanout serve` on loopback with the API's own OpenAPI
# document: every operation with generated valid and invalid data, as a dispatcher, a registrar
# and an auditor. Fails on any 5xx, any response that violates the document (status, content
# type, headers, body schema), any schema-violating request the server accepts, and any method
# it answers other than 405 for a declared path.
#
# Not checked: that every schema-valid request is accepted (schemathesis's
# positive_data_acceptance): the document cannot say that a polygon's rings must not cross or
# that a CAP string must hold an <alert>, so such requests are rightly refused with a 422
# problem. Nor is the event stream (GET /v1/actions/{id}/events): a running action's stream stays
# open, so it is tested by EventStreamTests instead; nor the bulk registration (POST /v1/participants):
# schemathesis has no serializer for application/x-ndjson (BulkImportTests covers it). Usage: tools/schemathesis.sh [max examples per operation, default 40]
set -euo pipefail
cd "$(dirname "$0")/.."
examples=${1:-40}
command -v schemathesis >/dev/null || python3 -m pip install --quiet "schemathesis==4.32.5"
swift build --product fanout >/dev/null
bin="$(swift build --show-bin-path)/fanout"
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; cp "$work"/st-*.log /tmp/ 2>/dev/null; rm -rf "$work"' EXIT
"$bin" demo --count 5000 --no-action --dir "$work" >/dev/null
db="$work/participants-v4-5000-2016.sqlite"
hash() { printf %s "$1" | sha256sum | cut -d' ' -f1; }
cat > "$work/serve.json" <<JSON
{"tokens": [
  {"subject": "st-dispatcher", "role": "dispatcher", "sha256": "$(hash st-dispatcher-token)"},
  {"subject": "st-registrar", "role": "registrar", "sha256": "$(hash st-registrar-token)"},
  {"subject": "st-auditor", "role": "auditor", "sha256": "$(hash st-auditor-token)"}],
 "limits": {"requests_per_minute": 1000000}}
JSON
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --db "$db" --config "$work/serve.json" --listen "127.0.0.1:$port" --simulation ideal \
    --log-level warning 2> "$work/serve.log" &
server=$!
for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.2
done
status=0
for who in dispatcher registrar auditor; do
    echo "schemathesis as $who"
    schemathesis run "http://127.0.0.1:$port/openapi.json" -H "Authorization: Bearer st-$who-token" \
        --checks all --exclude-checks positive_data_acceptance --max-examples "$examples" --seed 1 \
        --exclude-path '/v1/actions/{id}/events' --exclude-path /v1/participants --request-timeout 30 \
        --no-color 2>&1 | tee "$work/st-$who.log" > /dev/null || status=1; sed -n "/=== FAILURES/,/=== WARNINGS/p" "$work/st-$who.log" | head -80; sed -n "/SUMMARY/,$ p" "$work/st-$who.log" | grep -E "Failures|Errors|❌|🚫|generated"
done
grep -q "5[0-9][0-9]" "$work/serve.log" && { echo "server log:"; cat "$work/serve.log"; }
kill -TERM $server; wait $server || { echo "fanout serve did not stop cleanly"; status=1; }
exit $status
