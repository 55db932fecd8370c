// The monitoring map: areas as proportional circles shaded by an indicator, households as points by risk.
// The tile server is a setting; without one (or when it is unreachable) the shapes draw on a plain background.
(function () {
  "use strict";
  const element = document.getElementById("monitoring-map");
  const source = document.getElementById("monitoring-map-config");
  if (!element || !source || typeof L === "undefined") return;
  const config = JSON.parse(source.textContent);
  const map = L.map(element, { zoomSnap: 0.25 }).setView([45.9, 24.9], 7);
  // Households always above the area circles, whichever layer arrives first.
  map.createPane("households").style.zIndex = 650;
  if (config.tiles) {
    L.tileLayer(config.tiles, { attribution: config.attribution, maxZoom: 18 }).addTo(map);
  }
  const riskColours = { high: "#b3261e", medium: "#d97706", low: "#2f855a", none: "#64748b", "": "#94a3b8" };
  const bounds = L.latLngBounds([]);

  function shade(value) {
    // White to deep blue over 0–100 %; grey when the value is hidden or missing.
    if (value === null || value === undefined) return "#cbd5e1";
    const t = Math.max(0, Math.min(1, value / 100));
    const mix = (a, b) => Math.round(a + (b - a) * t);
    return "rgb(" + mix(230, 0) + "," + mix(240, 70) + "," + mix(250, 140) + ")";
  }

  function text(value) {
    const span = document.createElement("span");
    span.textContent = value;
    return span.innerHTML;
  }

  function drawAreas(collection) {
    const largest = Math.max(1, ...collection.features.map((f) => f.properties.households || 0));
    L.geoJSON(collection, {
      pointToLayer: (feature, latlng) => {
        bounds.extend(latlng);
        const households = feature.properties.households || 0;
        return L.circleMarker(latlng, {
          radius: 8 + 22 * Math.sqrt(households / largest),
          color: "#1d2630", weight: 1, fillColor: shade(feature.properties.value), fillOpacity: 0.8,
        });
      },
      onEachFeature: (feature, layer) => {
        const p = feature.properties;
        layer.bindPopup(
          '<a href="' + encodeURI(p.url) + '">' + text(p.name) + "</a><br>" +
          text(config.households_label) + ": " + text(p.households_text) + "<br>" + text(p.value_text) + " %"
        );
      },
    }).addTo(map);
  }

  function drawHouseholds(collection) {
    // Thousands of SVG elements make panning sluggish on a tablet: many points go on one canvas instead.
    const renderer = collection.features.length > 2000 ? L.canvas({ pane: "households" }) : undefined;
    L.geoJSON(collection, {
      pointToLayer: (feature, latlng) => {
        bounds.extend(latlng);
        return L.circleMarker(latlng, {
          pane: "households", renderer: renderer, radius: 5, weight: 1, color: "#ffffff", fillColor: riskColours[feature.properties.risk] || "#94a3b8", fillOpacity: 0.95,
        });
      },
      onEachFeature: (feature, layer) => layer.bindTooltip(text(config.risk_labels[feature.properties.risk] || "")),
    }).addTo(map);
  }

  function load(url, draw) {
    if (!url) return Promise.resolve();
    return fetch(url, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(new Error(response.status))))
      .then(draw);
  }

  // One request after the other: the server answers each quickly, and the map is drawn once both are in.
  load(config.areas_url, drawAreas)
    .then(() => load(config.points_url, drawHouseholds))
    .catch((error) => console.error("map layer not loaded", error))
    .finally(() => {
      if (bounds.isValid()) map.fitBounds(bounds.pad(0.2), { maxZoom: 14, animate: false });
      element.dataset.ready = "true";
    });
})();
