#!/usr/bin/env python3
"""Writes Sources/FanoutServer/Resources/openapi.json, the API's OpenAPI 3.1 document.

The document is the API's contract: FanoutServerTests checks that every route the server has is
in it and every path in it is served, and schemathesis runs it against the live server in CI.
Run after changing a route: python3 tools/openapi.py
"""
import json, pathlib

def ref(name): return {"$ref": f"#/components/schemas/{name}"}

problem = {"description": "Problem details (RFC 9457)", "content": {"application/problem+json": {"schema": ref("Problem")}}}
def problems(*codes):
    texts = {"400": "Bad request", "405": "Method not allowed", "401": "No valid bearer token", "403": "Role or region does not allow it",
             "404": "No such action or participant", "409": "Conflicts with the action's state, or needs confirmation",
             "413": "Body or polygon too large", "422": "The body is not what the API takes",
             "429": "Rate limit", "503": "Not ready (loading or stopping)"}
    return {c: {"description": texts[c], "content": problem["content"]} for c in codes}
def ok(schema, desc="OK", code="200"):
    return {code: {"description": desc, "content": {"application/json": {"schema": schema}}}}
AUTH = ["401", "403", "429", "503"]
BODY = ["413", "422"]
id_param = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1, "maximum": 9007199254740991}}
pid_param = {"name": "pid", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1, "maximum": 9007199254740991}}
def body(schema):
    return {"required": True, "content": {"application/json": {"schema": schema}}}

lonlat = {"type": "object", "required": ["lon", "lat"], "properties": {
    "lon": {"type": "number", "minimum": 2.0, "maximum": 8.5}, "lat": {"type": "number", "minimum": 49.4, "maximum": 54.0}}}
circle = {"type": "object", "required": ["lon", "lat", "radius_m"], "properties": {
    "lon": {"type": "number", "minimum": 2.0, "maximum": 8.5}, "lat": {"type": "number", "minimum": 49.4, "maximum": 54.0},
    "radius_m": {"type": "number", "exclusiveMinimum": 0, "maximum": 500000}}}
geojson = {"type": "object", "description": "A GeoJSON Polygon or MultiPolygon geometry, or a Feature holding one (WGS84)",
           "required": ["type"], "properties": {"type": {"type": "string", "enum": ["Polygon", "MultiPolygon", "Feature"]}}}
area_common = {"incident": lonlat, "incident_type": {"type": "string", "minLength": 1, "maxLength": 100},
               "urgency": {"type": "string", "enum": ["low", "normal", "high", "critical"]},
               "channels": {"type": "array", "minItems": 1, "uniqueItems": True,
                            "items": {"type": "string", "enum": ["voice", "sms", "email", "app"]}}}
def area_body(extra=None, required=()):
    alts = []
    for key, schema in [("circle", circle), ("polygon", geojson), ("cap", {"type": "string", "description": "A CAP 1.2 alert (XML)"})]:
        props = dict(area_common); props[key] = schema
        if extra: props.update(extra)
        alts.append({"type": "object", "required": [key, *required], "properties": props})
    return {"oneOf": alts}

texts = {"type": "object", "minProperties": 1, "description": "Alert text per language (nl, en, de, fr)",
         "additionalProperties": {"type": "string", "minLength": 1, "maxLength": 2000}}
counts = {"type": "object", "additionalProperties": {"type": "integer"}}
schemas = {
    "Problem": {"type": "object", "required": ["type", "title", "status", "detail", "code"], "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "code": {"type": "string"}, "field": {"type": "string"},
        "request_id": {"type": "string"}}},
    "Warning": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string", "enum": ["empty", "larger_than_usual", "crosses_border", "needs_confirmation"]},
        "message": {"type": "string"}}},
    "Plan": {"type": "object", "required": ["recipients", "per_channel", "skipped", "last_recipient_at_seconds", "needs_confirmation"],
             "properties": {"incident_type": {"type": "string"}, "urgency": {"type": "string"},
                            "channels": {"type": "array", "items": {"type": "string"}},
                            "recipients": {"type": "integer"}, "per_channel": counts, "skipped": {"type": "integer"},
                            "last_recipient_at_seconds": {"type": "number"}, "exceeds_longest_estimate": {"type": "boolean"},
                            "last_per_channel_seconds": {"type": "object", "additionalProperties": {"type": "number"}},
                            "threshold": {"type": ["integer", "null"]}, "confirmed": {"type": "boolean"},
                            "needs_confirmation": {"type": "boolean"}}},
    "Selection": {"type": "object", "required": ["participants", "by_country", "area_m2", "incident", "plan", "warnings"],
                  "properties": {"participants": {"type": "integer"}, "by_country": counts, "area_m2": {"type": "number"},
                                 "incident": {"type": "object", "properties": {"lon": {"type": "number"}, "lat": {"type": "number"}}},
                                 "incident_source": {"type": "string"}, "registry_generation": {"type": ["integer", "null"]},
                                 "seconds": {"type": "number"}, "plan": ref("Plan"),
                                 "warnings": {"type": "array", "items": ref("Warning")}}},
    "ActionSummary": {"type": "object", "required": ["id", "state"], "properties": {
        "id": {"type": "integer"}, "state": {"type": "string", "enum": ["running", "stopped", "ended"]},
        "incident_type": {"type": "string"}, "included": {"type": "integer"}, "reached": {"type": "integer"},
        "rings": {"type": "array", "items": {"type": "object"}}}},
    "Action": {"type": "object", "required": ["action"], "properties": {
        "action": ref("ActionSummary"), "live": {"type": ["object", "null"]}}},
}

paths = {
    "/healthz": {"get": {"summary": "Liveness", "responses": ok({"type": "object", "properties": {"status": {"type": "string"}}})}},
    "/readyz": {"get": {"summary": "Readiness: index loaded and ledger resumed",
                        "responses": {**ok({"type": "object", "properties": {"status": {"type": "string"}}}), **problems("503")}}},
    "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {"200": {"description": "Prometheus text",
                  "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
    "/openapi.json": {"get": {"summary": "This document", "responses": ok({"type": "object"})}},
    "/v1/selections": {"post": {"summary": "Count an area's participants per country and plan an action on it (no personal data)",
                                "security": [{"bearer": []}], "requestBody": body(area_body()),
                                "responses": {**ok(ref("Selection")), **problems(*AUTH, *BODY)}}},
    "/v1/actions": {
        "post": {"summary": "Start an action", "security": [{"bearer": []}],
                 "requestBody": body(area_body({"texts": texts, "confirm": {"type": "boolean"},
                                                "photo_url": {"type": "string", "maxLength": 2000}}, required=("incident_type", "texts"))),
                 "responses": {**ok({"type": "object", "required": ["id", "selection"], "properties": {
                     "id": {"type": "integer"}, "selection": ref("Selection")}}, "Started", "201"),
                     **problems(*AUTH, *BODY, "409")}},
        "get": {"summary": "List actions", "security": [{"bearer": []}],
                "responses": {**ok({"type": "object", "required": ["actions"], "properties": {
                    "actions": {"type": "array", "items": ref("ActionSummary")}}}), **problems(*AUTH)}}},
    "/v1/actions/{id}": {"get": {"summary": "An action: status, per-channel counts, ring report", "security": [{"bearer": []}],
                                 "parameters": [id_param], "responses": {**ok(ref("Action")), **problems(*AUTH, "404")}}},
    "/v1/actions/{id}/enlarge": {"post": {"summary": "Enlarge a running action with a new area", "security": [{"bearer": []}],
                                          "parameters": [id_param], "requestBody": body(area_body({"confirm": {"type": "boolean"}})),
                                          "responses": {**ok({"type": "object", "required": ["added"], "properties": {
                                              "added": {"type": "integer"}, "enlargement": {"type": "object"}}}),
                                              **problems(*AUTH, *BODY, "404", "409")}}},
    "/v1/actions/{id}/stop": {"post": {"summary": "Stop an action: its queued alerts are cancelled", "security": [{"bearer": []}],
                                       "parameters": [id_param],
                                       "responses": {**ok({"type": "object", "required": ["id", "cancelled"], "properties": {
                                           "id": {"type": "integer"}, "cancelled": {"type": "integer"}}}),
                                           **problems(*AUTH, "404", "409")}}},
    "/v1/actions/{id}/end": {"post": {"summary": "End an action with its result: the end message goes to everyone reached",
                                      "security": [{"bearer": []}], "parameters": [id_param],
                                      "requestBody": body({"type": "object", "required": ["result"], "properties": {
                                          "result": {"type": "string", "minLength": 1, "maxLength": 2000}, "texts": texts}}),
                                      "responses": {**ok({"type": "object", "required": ["id", "end_messages"], "properties": {
                                          "id": {"type": "integer"}, "end_messages": {"type": "integer"}}}),
                                          **problems(*AUTH, *BODY, "404", "409")}}},
    "/v1/actions/{id}/participants/{pid}": {"get": {"summary": "Why a participant was or was not alerted",
                                                    "security": [{"bearer": []}], "parameters": [id_param, pid_param],
                                                    "responses": {**ok({"type": "object"}), **problems(*AUTH, "404")}}},
    "/v1/participants/{pid}": {
        "put": {"summary": "Register or move a participant (visible to the next selection)", "security": [{"bearer": []}],
                "parameters": [pid_param],
                "requestBody": body({"type": "object", "required": ["lon", "lat"], "properties": {
                    "lon": {"type": "number", "minimum": 2.0, "maximum": 8.5}, "lat": {"type": "number", "minimum": 49.4, "maximum": 54.0},
                    "phone": {"type": "string"}, "email": {"type": "string"}, "channels": {"type": "string"},
                    "language": {"type": "string"}, "quiet_hours": {"type": "string"}, "opt_out": {"type": "string"},
                    "person": {"type": "integer"}, "country": {"type": "string"}}}),
                "responses": {**ok({"type": "object", "required": ["id", "registered"], "properties": {
                    "id": {"type": "integer"}, "registered": {"type": "boolean"}}}), **problems(*AUTH, *BODY, "404")}},
        "delete": {"summary": "Remove a participant", "security": [{"bearer": []}], "parameters": [pid_param],
                   "responses": {"204": {"description": "Removed"}, **problems(*AUTH, "404")}}},
}

paths.update({
    "/v1/actions/{id}/cap": {"get": {"summary": "The action as a CAP 1.2 Alert, Update (enlarged) or Cancel (stopped, ended)",
                                     "security": [{"bearer": []}], "parameters": [id_param],
                                     "responses": {"200": {"description": "CAP 1.2 XML",
                                                           "content": {"application/cap+xml": {"schema": {"type": "string"}}}},
                                                   **problems(*AUTH, "404", "409")}}},
    "/v1/participants": {"post": {
        "summary": "Register many participants: newline-delimited JSON, one object per line, all or none",
        "security": [{"bearer": []}],
        "requestBody": {"required": True, "content": {"application/x-ndjson": {"schema": {"type": "string"}}}},
        "responses": {**ok({"type": "object", "required": ["registered"], "properties": {"registered": {"type": "integer"}}}),
                      **problems(*AUTH, *BODY)}}},
})
# --- The map page (Routes+Map.swift): public, no token; no personal data. ---
html = {"text/html": {"schema": {"type": "string"}}}
file_param = {"name": "file", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 100}}
def static(summary, types):
    return {"get": {"summary": summary, "parameters": [file_param],
                    "responses": {"200": {"description": "The file", "content": {t: {"schema": {"type": "string"}} for t in types}},
                                  **problems("404")}}}
paths.update({
    "/": {"get": {"summary": "The dispatcher's map page (HTML; asks for the token itself)",
                  "responses": {"200": {"description": "The page", "content": html},
                                "503": {"description": "Leaflet (Debian's libjs-leaflet) is not installed", "content": html}}}},
    "/static/map/{file}": static("The map page's scripts and styles", ["text/javascript", "text/css", "text/html"]),
    "/static/leaflet/{file}": static("Leaflet, from Debian's libjs-leaflet", ["text/javascript", "text/css"]),
    "/static/leaflet/images/{file}": static("Leaflet's images", ["image/png"]),
    "/layers/{name}": {"get": {"summary": "A vector layer for the map as WGS84 GeoJSON: borders (NL, BE, DE) or municipalities (NL)",
                               "parameters": [{"name": "name", "in": "path", "required": True,
                                               "schema": {"type": "string", "enum": ["borders", "municipalities"]}}],
                               "responses": {"200": {"description": "A FeatureCollection of MultiPolygons",
                                                     "content": {"application/geo+json": {"schema": {
                                                         "type": "object", "required": ["type", "features"],
                                                         "properties": {"type": {"const": "FeatureCollection"},
                                                                        "attribution": {"type": "string"},
                                                                        "license": {"type": "string"},
                                                                        "features": {"type": "array"}}}}}},
                                             **problems("404")}}},
})
for p in ("/static/leaflet/{file}", "/static/leaflet/images/{file}"):
    paths[p]["get"]["responses"]["503"] = {"description": "Leaflet (Debian's libjs-leaflet) is not installed",
                                           "content": problem["content"]}
# --- Audit (GET /v1/audit: the ledger's command log) ---------------------------------------------
rfc3339_utc = {"type": "string", "format": "date-time", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?[Zz]$",
               "description": "RFC 3339 in UTC (ending in Z), e.g. 2025-03-01T12:00:00Z"}
request_id_header = {"X-Request-Id": {"description": "The request's id (also in the command log and in problem details)",
                                      "schema": {"type": "string"}}}
schemas.update({
    "AuditRecord": {"type": "object",
                    "required": ["sequence", "command", "action", "participant", "operator", "role", "request_id",
                                 "wall_time", "dispatcher_seconds"],
                    "properties": {
                        "sequence": {"type": "integer", "description": "Position in the log (the cursor of a page ends here)"},
                        "command": {"type": "string", "enum": ["start", "enlarge", "stop", "end",
                                                               "participant-register", "participant-remove", "answer",
                                                               "publish", "withdraw"]},
                        "action": {"type": ["integer", "null"]}, "participant": {"type": ["integer", "null"]},
                        "operator": {"type": "string", "description": "Token subject, or the OS user of a CLI command"},
                        "role": {"type": ["string", "null"], "description": "The token's role (null: CLI)"},
                        "request_id": {"type": ["string", "null"], "description": "The service's request id (null: CLI)"},
                        "wall_time": {"type": "string", "format": "date-time", "description": "UTC, to the millisecond"},
                        "dispatcher_seconds": {"type": ["number", "null"], "description": "Dispatcher clock when applied"}}},
    "AuditPage": {"type": "object", "required": ["records", "next_cursor"], "properties": {
        "records": {"type": "array", "items": ref("AuditRecord")},
        "next_cursor": {"type": ["string", "null"], "description": "Pass as cursor for the next page; null: no more"}}},
})
paths.update({
    "/v1/audit": {"get": {
        "summary": "Who gave which command when (start, enlarge, stop, end, participant changes), oldest first, paginated",
        "security": [{"bearer": []}],
        "parameters": [
            {"name": "action", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 9007199254740991}},
            {"name": "operator", "in": "query", "schema": {"type": "string", "minLength": 1, "maxLength": 200}},
            {"name": "from", "in": "query", "description": "At or after this time", "schema": rfc3339_utc},
            {"name": "to", "in": "query", "description": "Before this time", "schema": rfc3339_utc},
            {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}},
            {"name": "cursor", "in": "query", "schema": {"type": "string", "pattern": "^[1-9][0-9]{0,17}$"}}],
        "responses": {"200": {"description": "OK", "headers": request_id_header,
                              "content": {"application/json": {"schema": ref("AuditPage")}}},
                      **problems(*AUTH, "422")}}},
})
# --- Event stream (GET /v1/actions/{id}/events; docs/serve.md "Event stream") ---
last_event_id = {"name": "Last-Event-ID", "in": "header", "required": False,
                 "description": "The id of the last event seen: the stream resumes after it (a<action>.v<n>.s<n>.r<rings>.c<n>)",
                 "schema": {"type": "string", "maxLength": 8192}}
paths.update({
    "/v1/actions/{id}/events": {"get": {
        "summary": "The action's progress as server-sent events, resumable with Last-Event-ID",
        "description": "Events: started, enlarged, ring, counts, stopped, ended, finished (then the stream closes). "
                       "Each is 'id: ...', 'event: ...', 'data: <one line of JSON with \"action\">' and a blank line. "
                       "The ids of the durable events derive from the ledger: a client that reconnects with Last-Event-ID "
                       "gets exactly the durable events after it, also after a restart of the service.",
        "security": [{"bearer": []}], "parameters": [id_param, last_event_id],
        "responses": {"200": {"description": "The event stream", "content": {"text/event-stream": {"schema": {"type": "string"}}}},
                      **problems(*AUTH, "404", "422")}}},
})

# --- Answers (Routes+Answers.swift; docs/serve.md "Answers") ---
answer_kinds = ["sighting", "acknowledgement", "stop"]
schemas.update({
    "AnswerInput": {"type": "object", "required": ["person", "kind"], "additionalProperties": False, "properties": {
        "person": {"type": "integer", "minimum": 1, "maximum": 9007199254740991},
        "kind": {"type": "string", "enum": answer_kinds},
        "channel": {"type": "string", "enum": ["voice", "sms", "email", "app"], "default": "voice"},
        "text": {"type": "string", "minLength": 1, "maxLength": 1000, "pattern": "\\S"}}},
    "AnswerRecorded": {"type": "object", "required": ["action", "person", "kind", "channel", "cancelled", "live"],
                       "properties": {"action": {"type": "integer"}, "person": {"type": "integer"},
                                      "kind": {"type": "string", "enum": answer_kinds}, "channel": {"type": "string"},
                                      "cancelled": {"type": "integer", "description": "Messages a stop cancelled"},
                                      "live": {"type": "boolean", "description": "Whether the dispatcher held the action"}}},
    "AnswerList": {"type": "object", "required": ["answers", "next_after"], "properties": {
        "answers": {"type": "array", "items": {"type": "object",
            "required": ["sequence", "person", "kind", "channel", "received_at", "distance_m", "text"],
            "properties": {"sequence": {"type": "integer"}, "person": {"type": "integer"},
                           "kind": {"type": "string", "enum": answer_kinds}, "channel": {"type": "string"},
                           "received_at": {"type": "string", "format": "date-time"},
                           "distance_m": {"type": ["number", "null"]},
                           "text": {"type": ["string", "null"], "description": "Masked unless unmasked=true"}}}},
        "next_after": {"type": ["integer", "null"]}}},
})
token_param = {"name": "token", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 512}}
paths.update({
    "/v1/actions/{id}/answers": {
        "post": {"summary": "Record a participant's answer the control room took (a call to the free number); a stop is honoured at once",
                 "security": [{"bearer": []}], "parameters": [id_param], "requestBody": body(ref("AnswerInput")),
                 "responses": {**ok(ref("AnswerRecorded"), "Recorded", "201"), **problems(*AUTH, *BODY, "404")}},
        "get": {"summary": "The answers to an action (sightings, acknowledgements, stops), oldest first; texts masked unless asked",
                "security": [{"bearer": []}],
                "parameters": [id_param,
                               {"name": "after", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                               {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 10000}},
                               {"name": "unmasked", "in": "query", "schema": {"type": "string", "enum": ["true", "false"]}}],
                "responses": {**ok(ref("AnswerList")), **problems(*AUTH, "404", "422")}}},
    "/reply/{token}": {
        "get": {"summary": "A participant's personal reply link (from a mail or an app): a page asking to confirm; records nothing",
                "parameters": [token_param],
                "responses": {"200": {"description": "The confirmation page", "content": html},
                              "404": {"description": "Not a valid link", "content": html}}},
        "post": {"summary": "Confirms the answer the link stands for (a sighting, an acknowledgement or a stop)",
                 "parameters": [token_param],
                 "responses": {"200": {"description": "Thank-you page", "content": html},
                               "404": {"description": "Not a valid link", "content": html}}}},
})

# --- The participants' app subscriptions (Routes+Push.swift). ---
paths.update({
    "/v1/participants/{pid}/push-subscription": {
        "put": {"summary": "Store the participant's app subscription (Web Push), as the browser's PushSubscription.toJSON() gives it",
                "security": [{"bearer": []}], "parameters": [pid_param],
                "requestBody": body({"type": "object", "required": ["endpoint", "keys"], "additionalProperties": False,
                                     "properties": {
                    "endpoint": {"type": "string", "maxLength": 2048, "description": "The push service's https URL"},
                    "expirationTime": {"type": ["number", "null"]},
                    "keys": {"type": "object", "required": ["p256dh", "auth"], "additionalProperties": False, "properties": {
                        "p256dh": {"type": "string", "maxLength": 200}, "auth": {"type": "string", "maxLength": 100}}}}}),
                "responses": {**ok({"type": "object", "required": ["id", "push_subscription"], "properties": {
                    "id": {"type": "integer"}, "push_subscription": {"type": "boolean"}}}), **problems(*AUTH, *BODY, "404")}},
        "delete": {"summary": "Remove the participant's app subscription", "security": [{"bearer": []}],
                   "parameters": [pid_param],
                   "responses": {"204": {"description": "Removed"}, **problems(*AUTH, "404")}}},
})

# --- The public feeds (Routes+PublicFeed.swift): released actions only, no token, no personal data. ---
xml_of = lambda t: {t: {"schema": {"type": "string"}}}
paths.update({
    "/v1/actions/{id}/publication": {"post": {
        "summary": "Release the action's public part to the public feeds (with a photo link), or withdraw it",
        "security": [{"bearer": []}], "parameters": [id_param],
        "requestBody": body({"type": "object", "additionalProperties": False, "properties": {
            "photo_url": {"type": "string", "maxLength": 2048, "description": "An http or https link to a photo"},
            "withdraw": {"type": "boolean", "description": "Take the action out of the public feeds"}}}),
        "responses": {**ok({"type": "object", "required": ["action", "released", "photo_url"], "properties": {
            "action": {"type": "integer"}, "released": {"type": "boolean"},
            "photo_url": {"type": ["string", "null"]}}}), **problems(*AUTH, *BODY, "404")}}},
    "/public/actions.atom": {"get": {
        "summary": "The released actions as an Atom feed, each entry holding its CAP 1.2 message",
        "responses": {"200": {"description": "Atom", "content": xml_of("application/atom+xml")},
                      "304": {"description": "Not modified (If-None-Match)"}, **problems("404")}}},
    "/public/actions.rss": {"get": {
        "summary": "The released actions as an RSS 2.0 feed",
        "responses": {"200": {"description": "RSS", "content": xml_of("application/rss+xml")},
                      "304": {"description": "Not modified (If-None-Match)"}, **problems("404")}}},
    "/public/actions/{file}": {"get": {
        "summary": "A released action's public CAP 1.2 message (ID.cap), signed when the service has a key",
        "parameters": [file_param],
        "responses": {"200": {"description": "CAP 1.2 XML", "content": xml_of("application/cap+xml")},
                      "304": {"description": "Not modified (If-None-Match)"}, **problems("404")}}},
})

doc = {"openapi": "3.1.0",
       "info": {"title": "fanout control-room service", "version": "1",
                "description": "Selections and actions for a citizen alert network. Every /v1 route needs a bearer token; "
                               "errors are RFC 9457 problem details with a stable code."},
       "servers": [{"url": "http://127.0.0.1:8080"}],
       "paths": paths,
       "components": {"schemas": schemas, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}}
out = pathlib.Path(__file__).resolve().parent.parent / "Sources/FanoutServer/Resources/openapi.json"
out.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
print(f"wrote {out}")
