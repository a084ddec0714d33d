// Following a running action: the server's event stream (GET /v1/actions/{id}/events, SSE) read
// with fetch() so that the Authorization header can be sent (EventSource cannot), resumed with
// Last-Event-ID; and, whether or not the stream is there, GET /v1/actions/{id} every 2 s.
// Plain script, no build step: defines window.FanoutLive.
(function () {
  "use strict";

  const POLL_MS = 2000;
  /** Whether nothing more will happen: ended, and no longer held by the dispatcher. */
  function isOver(action, live) { return !!action && action.state === "ended" && !live; }

  /** Splits an SSE byte stream into events: feed text chunks, get {id, event, data} objects. */
  function createSSEParser(onEvent) {
    let buffer = "";
    let fields = { id: null, event: "message", data: [] };
    let lastId = null;
    function line(text) {
      if (text === "") {
        if (fields.data.length > 0) {
          if (fields.id !== null) lastId = fields.id;
          onEvent({ id: lastId, event: fields.event, data: fields.data.join("\n") });
        }
        fields = { id: null, event: "message", data: [] };
        return;
      }
      if (text.startsWith(":")) return; // a comment (keep-alive)
      const colon = text.indexOf(":");
      const name = colon < 0 ? text : text.slice(0, colon);
      let value = colon < 0 ? "" : text.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (name === "id") fields.id = value;
      else if (name === "event") fields.event = value;
      else if (name === "data") fields.data.push(value);
    }
    return {
      push(chunk) {
        buffer += chunk;
        let i;
        while ((i = buffer.search(/\r\n|\r|\n/)) >= 0) {
          if (i === buffer.length - 1 && buffer[i] === "\r") break; // a CRLF split between chunks
          const sep = buffer[i] === "\r" && buffer[i + 1] === "\n" ? 2 : 1;
          line(buffer.slice(0, i));
          buffer = buffer.slice(i + sep);
        }
      },
      get lastId() { return lastId; },
    };
  }

  /** Follows action `id`. `token()` gives the bearer token; `handlers` has
   *  onSummary(action, live) from polling, onEvent(event, data) from the stream, onMode(text),
   *  onError(text). Returns {stop()}. */
  function watchAction(id, token, handlers) {
    const controller = new AbortController();
    let stopped = false;
    let over = false;
    let streamMode = "connecting";
    let pollMode = "";

    function mode() { handlers.onMode(streamMode === "open" ? "live: event stream + polling every 2 s" : `live: polling every 2 s${pollMode}`); }

    async function poll() {
      while (!stopped) {
        try {
          const resp = await fetch(`/v1/actions/${id}`, { headers: { Authorization: `Bearer ${token()}` }, signal: controller.signal });
          const body = await resp.json().catch(() => ({}));
          if (resp.ok) {
            over = isOver(body.action, body.live);
            pollMode = "";
            handlers.onSummary(body.action, body.live);
            if (over) { pollMode = " (action over)"; mode(); stop(); return; }
          } else {
            pollMode = ` (last answer ${resp.status})`;
            handlers.onError(body.detail || `GET /v1/actions/${id}: ${resp.status}`);
          }
        } catch (e) {
          if (stopped) return;
          pollMode = " (no answer)";
        }
        mode();
        await sleep(POLL_MS, controller.signal);
      }
    }

    async function stream() {
      let lastId = null;
      let delay = 1000;
      let parser = null;
      while (!stopped) {
        const headers = { Authorization: `Bearer ${token()}`, Accept: "text/event-stream" };
        if (lastId !== null) headers["Last-Event-ID"] = lastId;
        try {
          const resp = await fetch(`/v1/actions/${id}/events`, { headers, signal: controller.signal });
          const type = resp.headers.get("content-type") || "";
          if (!resp.ok || !type.startsWith("text/event-stream")) {
            // No stream on this server (404), or not for this token: polling alone carries on.
            streamMode = `none (${resp.status})`;
            mode();
            return;
          }
          streamMode = "open";
          mode();
          delay = 1000;
          parser = createSSEParser((ev) => {
            let data = null;
            try { data = JSON.parse(ev.data); } catch (e) { return; }
            handlers.onEvent(ev.event, data);
          });
          const reader = resp.body.getReader();
          const decoder = new TextDecoder();
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            parser.push(decoder.decode(value, { stream: true }));
          }
        } catch (e) {
          if (stopped) return;
        }
        if (parser !== null && parser.lastId !== null) lastId = parser.lastId;
        if (over) return;
        streamMode = "reconnecting";
        mode();
        await sleep(delay, controller.signal);
        delay = Math.min(delay * 2, 15000);
      }
    }

    function stop() { stopped = true; controller.abort(); }

    mode();
    poll();
    stream();
    return { stop };
  }

  function sleep(ms, signal) {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      signal.addEventListener("abort", () => { clearTimeout(t); resolve(); }, { once: true });
    });
  }

  window.FanoutLive = { watchAction, createSSEParser };
})();
