// The dispatcher's map page: token, area drawing, counts and plan before starting, and the
// action's commands and live progress. Talks only to this service's JSON API; no personal data
// is ever asked for or shown (the API gives none). Plain script, no build step.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const TOKEN_KEY = "fanout.token";
  const ACTION_KEY = "fanout.action";

  let current = null; // {id, incident: {lon, lat}} of the action followed
  let watcher = null;

  function token() { return sessionStorage.getItem(TOKEN_KEY) || ""; }

  /** Shows a message at the bottom of the panel (errors in red, `ok` in green). */
  function say(text, ok) {
    const p = document.createElement("p");
    p.textContent = text;
    if (ok) p.className = "ok";
    const box = $("messages");
    box.prepend(p);
    while (box.children.length > 4) box.lastChild.remove();
  }

  /** Calls the API with the token; throws an Error whose message is the problem's `detail`. */
  async function api(method, path, body) {
    const headers = { Authorization: `Bearer ${token()}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const resp = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const data = await resp.json().catch(() => ({}));
    if (!resp.ok) {
      const error = new Error(data.detail || `${method} ${path}: HTTP ${resp.status}`);
      error.status = resp.status;
      error.problem = data;
      throw error;
    }
    return data;
  }

  // MARK: - The map and its layers

  const map = L.map("map", { zoomSnap: 0.5 }).setView([52.2, 5.3], 8);
  map.attributionControl.setPrefix("Leaflet");
  // The layers' own panes, below the drawn area and the rings (overlayPane, 400), the filled
  // countries below the municipalities' lines whichever file arrives first.
  map.createPane("countries").style.zIndex = 340;
  map.createPane("municipalities").style.zIndex = 350;
  const countryFill = { NL: "#fbfbf6", BE: "#ebeae2", DE: "#ebeae2" };
  const overlays = {};
  const layerControl = L.control.layers(null, overlays, { collapsed: false }).addTo(map);

  async function loadLayer(name, title, style) {
    const pane = name === "borders" ? "countries" : "municipalities";
    try {
      const resp = await fetch(`/layers/${name}`);
      if (!resp.ok) throw new Error(`HTTP ${resp.status}`);
      const data = await resp.json();
      const layer = L.geoJSON(data, { pane, interactive: false, style, attribution: data.attribution || "" }).addTo(map);
      layerControl.addOverlay(layer, title);
      return layer;
    } catch (e) {
      say(`The ${title.toLowerCase()} layer could not be loaded: ${e.message}`);
      return null;
    }
  }
  loadLayer("borders", "Country borders", (f) => ({
    color: "#3c434a", weight: 1.5, fillColor: countryFill[f.properties.country] || "#eee", fillOpacity: 1,
  }));
  loadLayer("municipalities", "Municipalities", () => ({ color: "#8c8f94", weight: 0.6, fill: false }));

  // MARK: - Token

  function showToken() {
    const t = token();
    $("token-form").hidden = !!t;
    $("token-state").hidden = !t;
    $("token-hint").textContent = t ? `(…${t.slice(-4)})` : "";
    refreshButtons();
  }
  $("token-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("token").value.trim());
    $("token").value = "";
    try {
      await api("GET", "/v1/actions");
      say("Signed in.", true);
    } catch (err) {
      if (err.status === 401) sessionStorage.removeItem(TOKEN_KEY);
      say(err.message);
    }
    showToken();
  });
  $("token-clear").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    showToken();
  });

  // MARK: - Area and preview

  let preview = null; // {key, answer}: the last count, for the request it was made for
  const drawer = FanoutDraw.createDrawer(map, $("radius"), () => {
    $("area-state").textContent = drawer.describe();
    refreshButtons();
  });
  document.querySelectorAll("input[name=mode]").forEach((radio) =>
    radio.addEventListener("change", () => {
      drawer.setMode(radio.value);
      $("circle-tools").hidden = radio.value !== "circle";
      $("polygon-tools").hidden = radio.value !== "polygon";
    }));
  $("undo-vertex").addEventListener("click", () => drawer.undo());
  $("clear-area").addEventListener("click", () => drawer.clear());
  ["incident-type", "urgency"].forEach((id) => $(id).addEventListener("input", refreshButtons));

  /** The selection request for the drawn area and the incident fields, or null. */
  function selectionRequest() {
    const area = drawer.area();
    if (!area) return null;
    return Object.assign({}, area, { incident_type: $("incident-type").value.trim() || undefined, urgency: $("urgency").value });
  }

  function refreshButtons() {
    const request = selectionRequest();
    const signedIn = !!token();
    $("count").disabled = !signedIn || !request;
    const fresh = preview && request && preview.key === JSON.stringify(request);
    $("preview").classList.toggle("stale", !fresh);
    $("start-action").disabled = !signedIn || !fresh;
    $("enlarge").disabled = !signedIn || !drawer.area() || !current;
  }

  $("count").addEventListener("click", async () => {
    const request = selectionRequest();
    if (!request) return;
    try {
      const answer = await api("POST", "/v1/selections", request);
      preview = { key: JSON.stringify(request), answer };
      showPreview(answer);
    } catch (err) {
      say(err.message);
    }
    refreshButtons();
  });

  function showPreview(answer) {
    $("preview").hidden = false;
    $("participants").textContent = answer.participants;
    $("area-km2").textContent = (answer.area_m2 / 1e6).toFixed(2);
    const body = $("by-country").tBodies[0];
    body.replaceChildren();
    const countries = Object.keys(answer.by_country).sort();
    if (countries.length === 0) body.append(row(["—", "0"]));
    for (const c of countries) {
      const tr = row([c, String(answer.by_country[c])]);
      tr.dataset.country = c;
      body.append(tr);
    }
    const plan = answer.plan;
    const channels = Object.entries(plan.per_channel).filter(([, n]) => n > 0).map(([c, n]) => `${c} ${n}`).join(", ");
    const dl = $("plan");
    dl.replaceChildren();
    for (const [term, value, id] of [
      ["Recipients", String(plan.recipients), "plan-recipients"],
      ["Per channel", channels || "—", "plan-channels"],
      ["Last recipient", `after ${duration(plan.last_recipient_at_seconds)}`, "plan-last"],
      ["Threshold", plan.threshold === null ? "none" : String(plan.threshold), "plan-threshold"],
      ["Confirmation", plan.needs_confirmation ? "needed" : "not needed", "plan-confirmation"],
    ]) {
      const dt = document.createElement("dt");
      dt.textContent = term;
      const dd = document.createElement("dd");
      dd.textContent = value;
      dd.id = id;
      dl.append(dt, dd);
    }
    const ul = $("warnings");
    ul.replaceChildren();
    for (const w of answer.warnings) {
      const li = document.createElement("li");
      li.className = w.code;
      li.textContent = w.message;
      ul.append(li);
    }
    $("confirm").checked = false;
    $("confirm").parentElement.hidden = !plan.needs_confirmation;
  }

  // MARK: - Starting and commanding an action

  const ringLayer = L.layerGroup().addTo(map);
  const view = { action: null };

  $("start-action").addEventListener("click", async () => {
    const request = selectionRequest();
    const text = $("text-nl").value.trim();
    if (!request) return;
    if (!text) { say("Write the alert text first."); return; }
    if (preview.answer.plan.needs_confirmation && !$("confirm").checked) {
      say("The plan exceeds the threshold: tick Confirm to start."); return;
    }
    try {
      const answer = await api("POST", "/v1/actions", Object.assign({}, request, { texts: { nl: text }, confirm: $("confirm").checked }));
      say(`Action ${answer.id} started for ${answer.selection.plan.recipients} recipients.`, true);
      follow({ id: answer.id, incident: answer.selection.incident });
    } catch (err) {
      if (err.status === 409) $("confirm").parentElement.hidden = false;
      say(err.message);
    }
  });

  $("enlarge").addEventListener("click", async () => {
    const area = drawer.area();
    if (!current || !area) return;
    try {
      const answer = await api("POST", `/v1/actions/${current.id}/enlarge`, Object.assign({}, area, { confirm: $("enlarge-confirm").checked }));
      say(`Enlarged: ${answer.added} more persons.`, true);
    } catch (err) {
      say(err.message);
    }
  });

  $("stop").addEventListener("click", async () => {
    if (!current) return;
    try {
      const answer = await api("POST", `/v1/actions/${current.id}/stop`);
      say(`Stopped: ${answer.cancelled} queued alerts cancelled.`, true);
    } catch (err) {
      say(err.message);
    }
  });

  $("end").addEventListener("click", async () => {
    if (!current) return;
    const result = $("result").value.trim();
    if (!result) { say("Write the result first (what happened)."); return; }
    try {
      const answer = await api("POST", `/v1/actions/${current.id}/end`, { result });
      say(`Ended: ${answer.end_messages} end messages go out.`, true);
    } catch (err) {
      say(err.message);
    }
  });

  /** Follows an action: shows its panel and starts watching it. */
  function follow(action) {
    if (watcher) watcher.stop();
    current = action;
    sessionStorage.setItem(ACTION_KEY, JSON.stringify(action));
    view.action = {
      id: action.id, state: "running", included: 0, reached: 0, alerts: {}, alerts_by_channel: {}, rings: [],
      answers: {}, answerLog: [],
    };
    $("action").hidden = false;
    $("action-id").textContent = String(action.id);
    render();
    watcher = FanoutLive.watchAction(action.id, token, {
      onSummary(summary) { view.action = Object.assign(view.action, summary); render(); },
      onEvent(event, data) { apply(event, data); render(); },
      onMode(text) { $("live-mode").textContent = `(${text})`; },
      onError(text) { say(text); },
    });
    refreshButtons();
  }

  /** Applies one event of the stream to the view. */
  function apply(event, data) {
    const a = view.action;
    if (event === "counts") {
      for (const k of ["state", "included", "reached", "alerts", "alerts_by_channel", "answers"]) if (k in data) a[k] = data[k];
    } else if (event === "answer") {
      // Who and where are never sent: the kind, the channel, the time and the distance ring.
      a.answerLog = [data, ...(a.answerLog || [])].slice(0, 10);
    } else if (event === "ring") {
      const i = a.rings.findIndex((r) => r.inner_m === data.inner_m);
      const ring = { inner_m: data.inner_m, outer_m: data.outer_m, reached: data.reached, completed: data.completed };
      if (i >= 0) a.rings[i] = Object.assign(a.rings[i], ring); else a.rings.push(ring);
      a.rings.sort((x, y) => x.inner_m - y.inner_m);
    } else if (event === "stopped" || event === "ended" || event === "started") {
      a.state = event === "started" ? "running" : event;
    } else if (event === "enlarged") {
      if (typeof data.recipients === "number") a.included = Math.max(a.included, data.recipients);
    }
  }

  function render() {
    const a = view.action;
    const badge = $("action-state");
    badge.textContent = a.state;
    badge.className = `badge ${a.state}`;
    $("reached").textContent = String(a.reached);
    $("included").textContent = String(a.included);
    $("progress-bar").style.width = a.included > 0 ? `${Math.min(100, (100 * a.reached) / a.included)}%` : "0";
    const alerts = $("alerts").tBodies[0];
    alerts.replaceChildren();
    for (const [k, n] of Object.entries(a.alerts || {})) if (n > 0) alerts.append(row([k, String(n)]));
    for (const [k, n] of Object.entries(a.alerts_by_channel || {})) if (n > 0) alerts.append(row([`via ${k}`, String(n)]));
    const rings = $("rings").tBodies[0];
    rings.replaceChildren();
    ringLayer.clearLayers();
    for (const r of a.rings || []) {
      rings.append(row([`${Math.round(r.inner_m)}–${Math.round(r.outer_m)}`, String(r.reached), String(r.completed)]));
      if (current && current.incident) drawRing(r);
    }
    const answers = $("answers").tBodies[0];
    answers.replaceChildren();
    for (const [k, n] of Object.entries(a.answers || {})) if (n > 0) answers.append(row([k, String(n), "", ""]));
    for (const e of a.answerLog || []) {
      const ring = typeof e.inner_m === "number" ? `${Math.round(e.inner_m)}–${Math.round(e.outer_m)} m` : "";
      answers.append(row([e.kind, `via ${e.channel}`, (e.received_at || "").slice(11, 19), ring]));
      if (e.kind === "sighting" && current && current.incident && typeof e.inner_m === "number") drawSighting(e);
    }
    $("stop").disabled = a.state !== "running";
    $("end").disabled = a.state === "ended";
  }

  /** Draws a ring round the incident, filled by the share of its completed alerts that reached someone. */
  function drawRing(r) {
    const share = r.completed > 0 ? r.reached / r.completed : 0;
    const outer = circlePoints(current.incident, r.outer_m);
    const shape = r.inner_m > 0 ? [outer, circlePoints(current.incident, r.inner_m)] : [outer];
    L.polygon(shape, {
      color: "#00a32a", weight: 1, fillColor: "#00a32a", fillOpacity: 0.1 + 0.5 * share, interactive: false, smoothFactor: 0,
    })
      .addTo(ringLayer);
  }

  /** Outlines the ring a sighting came from (never the participant's address). */
  function drawSighting(e) {
    const shape = [circlePoints(current.incident, e.outer_m)];
    if (e.inner_m > 0) shape.push(circlePoints(current.incident, e.inner_m));
    L.polygon(shape, { color: "#d63638", weight: 2, dashArray: "6 4", fill: false, interactive: false }).addTo(ringLayer);
  }

  function circlePoints(c, metres) {
    const points = [];
    const dLat = metres / 111320;
    const dLon = metres / (111320 * Math.cos((c.lat * Math.PI) / 180));
    for (let k = 0; k < 72; k++) {
      const t = (2 * Math.PI * k) / 72;
      points.push([c.lat + dLat * Math.sin(t), c.lon + dLon * Math.cos(t)]);
    }
    return points;
  }

  // MARK: - Helpers

  function row(cells) {
    const tr = document.createElement("tr");
    cells.forEach((text, i) => {
      const td = document.createElement("td");
      td.textContent = text;
      if (i > 0) td.className = "n";
      tr.append(td);
    });
    return tr;
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "—";
    const s = Math.round(seconds);
    return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
  }

  showToken();
  $("area-state").textContent = drawer.describe();
  const saved = sessionStorage.getItem(ACTION_KEY);
  if (saved && token()) {
    try { follow(JSON.parse(saved)); } catch (e) { sessionStorage.removeItem(ACTION_KEY); }
  }
  // For tests and the curious: the map and the drawer.
  window.fanout = { map, drawer };
})();
