// Drawing an action area on the Leaflet map: a circle (click the centre, give the radius) or a
// polygon (click the vertices). Plain script, no build step: defines window.FanoutDraw.
(function () {
  "use strict";

  /** Makes the drawer on `map`; `onChange(area)` is called with the area's request body part
   *  ({circle: {...}} or {polygon: GeoJSON}) or null whenever the drawing changes. */
  function createDrawer(map, radiusInput, onChange) {
    const state = { mode: "circle", centre: null, vertices: [] };
    const style = { color: "#2271b1", weight: 2, fillOpacity: 0.12 };
    const group = L.layerGroup().addTo(map);

    function radius() {
      const r = Number(radiusInput.value);
      return Number.isFinite(r) && r > 0 ? r : null;
    }

    function area() {
      if (state.mode === "circle") {
        const r = radius();
        if (!state.centre || r === null) return null;
        return { circle: { lon: round(state.centre.lng), lat: round(state.centre.lat), radius_m: r } };
      }
      if (state.vertices.length < 3) return null;
      const ring = state.vertices.map((p) => [round(p.lng), round(p.lat)]);
      ring.push(ring[0].slice());
      return { polygon: { type: "Polygon", coordinates: [ring] } };
    }

    function redraw() {
      group.clearLayers();
      if (state.mode === "circle" && state.centre) {
        L.circleMarker(state.centre, { radius: 4, color: "#1d2327", weight: 2, fillOpacity: 1 }).addTo(group);
        const r = radius();
        if (r !== null) L.circle(state.centre, Object.assign({ radius: r }, style)).addTo(group);
      } else if (state.mode === "polygon" && state.vertices.length > 0) {
        state.vertices.forEach((p) => L.circleMarker(p, { radius: 3, color: "#1d2327", weight: 1 }).addTo(group));
        if (state.vertices.length >= 3) L.polygon(state.vertices, style).addTo(group);
        else L.polyline(state.vertices, style).addTo(group);
      }
      onChange(area());
    }

    map.on("click", (e) => {
      if (state.mode === "circle") state.centre = e.latlng;
      else state.vertices.push(e.latlng);
      redraw();
    });
    radiusInput.addEventListener("input", redraw);

    return {
      area,
      /** Switches between "circle" and "polygon" (the drawing starts anew). */
      setMode(mode) { state.mode = mode; state.centre = null; state.vertices = []; redraw(); },
      undo() { state.vertices.pop(); redraw(); },
      clear() { state.centre = null; state.vertices = []; redraw(); },
      /** A text for the panel describing what is drawn. */
      describe() {
        const a = area();
        if (state.mode === "circle") {
          if (!state.centre) return "No area drawn: click the centre.";
          if (!a) return "Give a radius greater than 0.";
          return `Circle of ${a.circle.radius_m} m round ${a.circle.lat.toFixed(5)}, ${a.circle.lon.toFixed(5)}.`;
        }
        if (!a) return `Polygon: ${state.vertices.length} of at least 3 vertices.`;
        return `Polygon of ${state.vertices.length} vertices.`;
      },
    };
  }

  /** Degrees to 7 decimals (about 1 cm). */
  function round(x) { return Math.round(x * 1e7) / 1e7; }

  window.FanoutDraw = { createDrawer };
})();
