#!/usr/bin/env bash
# Load run of `fanout serve` (issue: p99 <= 20 ms at 100 selections/s on 1.6M participants, 2 cores):
# a release build serves the demo registry (COUNT participants, cached in DEMO_DIR), an action of
# about 100,000 participants is started and dispatches on the real clock with the realistic
# simulated providers, and wrk sends POST /v1/selections at RATE a second for DURATION seconds
# (circles of 1-3 km round 20 towns, tools/serve-load.lua). Prints wrk's latency percentiles, the
# action's progress and the server's own request histogram for the route.
# Usage: tools/serve-load.sh   (COUNT=1600000 DURATION=60 RATE=100 CONNECTIONS=4 DEMO_DIR=demo-data)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${COUNT:-1600000}; duration=${DURATION:-60}; rate=${RATE:-100}; connections=${CONNECTIONS:-4}
dir=${DEMO_DIR:-demo-data}
command -v wrk >/dev/null || tools/ensure-deps.sh wrk
swift build -c release --product fanout >/dev/null
bin="$(swift build -c release --show-bin-path)/fanout"
"$bin" demo --count "$count" --no-action --dir "$dir" >/dev/null
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
cp "$dir/participants-v4-$count-2016.sqlite" "$work/registry.sqlite"
hash() { printf %s "$1" | sha256sum | cut -d' ' -f1; }
cat > "$work/serve.json" <<JSON
{"tokens": [
  {"subject": "load-dispatcher", "role": "dispatcher", "sha256": "$(hash load-dispatcher)"},
  {"subject": "load-gis", "role": "gis", "sha256": "$(hash load-gis)"}],
 "limits": {"requests_per_minute": 1000000}}
JSON
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
t0=$(date +%s.%N)
"$bin" serve --db "$work/registry.sqlite" --config "$work/serve.json" --listen "127.0.0.1:$port" \
    --log-level warning 2> "$work/serve.log" &
server=$!
until curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.1; done
echo "ready after $(python3 -c "print(round($(date +%s.%N) - $t0, 1))") s ($count participants)"
# The action: a circle round Amsterdam grown until it holds about 100,000 participants.
python3 - "$port" <<'PY'
import json, sys, urllib.request
port = sys.argv[1]
def post(path, body, token="load-dispatcher"):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req) as r:
        return json.load(r)
lo, hi = 1000.0, 60000.0
for _ in range(25):
    mid = (lo + hi) / 2
    n = post("/v1/selections", {"circle": {"lon": 4.8930, "lat": 52.3731, "radius_m": mid}})["participants"]
    if n < 100_000: lo = mid
    else: hi = mid
body = {"circle": {"lon": 4.8930, "lat": 52.3731, "radius_m": hi}, "incident_type": "missing-child",
        "texts": {"nl": "Vermist: jongen, 8 jaar, rode jas"}, "confirm": True}
started = post("/v1/actions", body)
print(f"action {started['id']}: {started['selection']['participants']} participants within {hi:.0f} m of Dam square")
PY
echo "wrk: $duration s at $rate selections/s over $connections connections"
TOKEN=load-gis RATE=$rate CONNECTIONS=$connections wrk -t2 -c"$connections" -d"${duration}s" --timeout 10s \
    -s tools/serve-load.lua "http://127.0.0.1:$port" | sed -n '/^requests:/,$p'
curl -fs -H "Authorization: Bearer load-dispatcher" "http://127.0.0.1:$port/v1/actions/1" | python3 -c '
import json, sys
a = json.load(sys.stdin)["action"]
inc, rea = a["included"], a["reached"]; out = sum(a["alerts"].values()) - a["alerts"].get("queued", 0); print(f"action 1 meanwhile: {inc} included, {out} handed over, {rea} reached")'
echo "server histogram of POST /v1/selections (seconds, cumulative):"
curl -fs "http://127.0.0.1:$port/metrics" | grep 'fanout_http_request_duration_seconds_bucket{route="/v1/selections",method="POST",status="200"' \
    | sed -E 's/.*le="([^"]+)"} ([0-9]+)/  <= \1: \2/'
