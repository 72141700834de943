/* Transmission-chain graph (reports): draws the JSON of a cluster or a person's chain with
   sigma (WebGL) over a graphology graph. The layout comes computed from the server (x, y), so
   5,000 nodes draw at once and stay smooth to zoom and pan. Colours: F0 red, F1 orange,
   F2 yellow, F3 blue. Click a node: its name and a link to its page; double-click: open it.
   The search box finds a name or case code (accents ignored) and centres on it. */
(function () {
  "use strict";
  var el = document.getElementById("graph");
  if (!el) return;
  var statusEl = document.getElementById("graph-status");
  var texts = JSON.parse(document.getElementById("graph-texts").textContent);
  var COLORS = ["#c0392b", "#e67e22", "#e0b000", "#3b82c4"];
  var DIM = "#e4e8ed";
  var SIZES = [8, 4.5, 3.5, 3];

  function fold(text) {
    return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase().trim();
  }
  function say(text) { statusEl.textContent = text; statusEl.hidden = !text; }

  fetch(el.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
    .then(draw)
    .catch(function () { say(texts.failed); });

  function draw(data) {
    Object.keys(data.counts || {}).forEach(function (k) {
      var b = document.querySelector('[data-count="' + k + '"]');
      if (b) b.textContent = Number(data.counts[k]).toLocaleString(document.documentElement.lang || "vi");
    });
    if (!data.nodes.length) { say(texts.empty); return; }
    var graph = new graphology.Graph({ multi: false, allowSelfLoops: false });
    data.nodes.forEach(function (n) {
      graph.addNode(n.id, {
        x: n.x, y: -n.y, size: SIZES[n.level] || 3, color: COLORS[n.level] || "#888",
        label: n.label, level: n.level, url: n.url, inScope: n.in_scope, focus: n.focus,
        key: fold(n.label), zIndex: 3 - n.level
      });
    });
    data.edges.forEach(function (e) {
      if (e.source === e.target || graph.hasEdge(e.source, e.target) || graph.hasEdge(e.target, e.source)) return;
      graph.addEdge(e.source, e.target, {
        color: e.kind === "contact" ? "#c0392b" : "#b8c2cc", size: e.kind === "contact" ? 1.6 : 0.5, kind: e.kind
      });
    });

    var selected = null, neighbours = null;
    var renderer;
    try {
      renderer = new Sigma(graph, el, {
        zIndex: true,
        labelRenderedSizeThreshold: 7,
        labelDensity: 0.6,
        labelFont: "system-ui, sans-serif",
        minCameraRatio: 0.01,
        maxCameraRatio: 4,
        nodeReducer: function (node, attrs) {
          if (!selected) return attrs;
          var res = Object.assign({}, attrs);
          if (node === selected) { res.highlighted = true; res.size = attrs.size * 1.8; res.zIndex = 10; res.forceLabel = true; }
          else if (neighbours.has(node)) { res.forceLabel = graph.order < 400 || attrs.level === 0; res.zIndex = 5; }
          else { res.color = DIM; res.label = ""; res.zIndex = 0; }
          return res;
        },
        edgeReducer: function (edge, attrs) {
          if (!selected) return attrs;
          var ends = graph.extremities(edge);
          if (ends[0] === selected || ends[1] === selected) return Object.assign({}, attrs, { color: "#5f6b7a", size: 1.5 });
          return Object.assign({}, attrs, { hidden: true });
        }
      });
    } catch (err) {
      say(texts.nowebgl);
      return;
    }
    say(data.truncated ? texts.truncated : graph.order.toLocaleString(document.documentElement.lang || "vi") + " " + texts.shown);
    el.dataset.ready = "1";

    var info = document.getElementById("graph-info");
    var infoLabel = document.getElementById("graph-info-label");
    var infoLevel = document.getElementById("graph-info-level");
    var infoLink = document.getElementById("graph-info-link");
    var infoOut = document.getElementById("graph-info-out");

    function select(node, centre) {
      selected = node;
      neighbours = node ? new Set(graph.neighbors(node)) : null;
      if (!node) { info.hidden = true; renderer.refresh(); return; }
      var a = graph.getNodeAttributes(node);
      infoLabel.textContent = a.label;
      infoLevel.textContent = "F" + a.level;
      infoLevel.className = "flevel f" + a.level;
      infoLink.hidden = !a.url;
      if (a.url) infoLink.href = a.url;
      infoOut.hidden = a.inScope;
      info.hidden = false;
      renderer.refresh();
      if (centre) {
        var pos = renderer.getNodeDisplayData(node);
        if (pos) renderer.getCamera().animate({ x: pos.x, y: pos.y, ratio: Math.min(renderer.getCamera().ratio, 0.2) }, { duration: 400 });
      }
    }
    renderer.on("clickNode", function (e) { select(e.node, false); });
    renderer.on("doubleClickNode", function (e) {
      e.preventSigmaDefault();
      var url = graph.getNodeAttribute(e.node, "url");
      if (url) window.location.href = url;
    });
    renderer.on("clickStage", function () { select(null); });
    renderer.on("enterNode", function () { el.style.cursor = "pointer"; });
    renderer.on("leaveNode", function () { el.style.cursor = ""; });

    document.getElementById("graph-search").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var q = fold(document.getElementById("graph-q").value);
      if (!q) { select(null); return; }
      var exact = null, partial = null;
      graph.forEachNode(function (node, a) {
        if (exact) return;
        if (a.key === q || a.key.split(" · ")[0] === q) exact = node;
        else if (!partial && a.key.indexOf(q) !== -1) partial = node;
      });
      var found = exact || partial;
      if (found) { select(found, true); say(""); }
      else { select(null); say(texts.notfound); }
    });
    document.querySelectorAll("[data-zoom]").forEach(function (b) {
      b.addEventListener("click", function () {
        var cam = renderer.getCamera();
        if (b.dataset.zoom === "in") cam.animatedZoom({ duration: 250 });
        else if (b.dataset.zoom === "out") cam.animatedUnzoom({ duration: 250 });
        else cam.animatedReset({ duration: 250 });
      });
    });
    graph.forEachNode(function (node, a) { if (a.focus) select(node, true); });
    window.chainGraph = { graph: graph, renderer: renderer, select: select };
  }
})();
