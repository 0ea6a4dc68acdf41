/* kgraph viewer: two views (the method map and the paper graph), filters, search,
 * neighbourhood highlighting and focus, and the side panel.
 *
 * Reads which views there are from <script type="application/json" id="kg-data">,
 * each view from id="kg-view-NAME" (parsed when the view is first shown) and the
 * vis-network options of each from id="kg-options". Corpus text only ever
 * reaches the document as text: textContent, plain-text tooltips, canvas text.
 * window.kgraph exposes the network and a few functions for tests and benches.
 */
(function () {
  "use strict";

  var LABEL_CHARS = 40;
  var PAPER_LABEL_CHARS = 32;
  var SUGGESTIONS = 12;
  var LIST_ITEMS = 30;
  var MAP_LABELS = 160;        // node labels drawn at most per frame on the map
  var MAP_LABEL_TRIES = 900;   // nodes tried for a label per frame, largest first
  var FOCUS_DEPTH = {map: 1, papers: 2};
  var RELATION_ORDER = ["extends", "part_of", "used_for", "evaluated_on", "compared_with", "studied_with",
                        "proposes", "addresses", "uses", "mentions", "cites"];
  var RELATION_NAMES = {studied_with: "studied together", used_for: "used for", evaluated_on: "evaluated on",
                        compared_with: "compared with", part_of: "part of"};
  var DIM_NODE = {background: "rgba(210,210,210,0.3)", border: "rgba(180,180,180,0.3)"};
  var DIM_FONT = {color: "rgba(60,60,60,0.06)", strokeWidth: 0};
  var DIM_EDGE = {color: "rgba(170,170,170,0.1)", highlight: "rgba(170,170,170,0.1)", hover: "rgba(170,170,170,0.1)"};
  var NEAR_PAPER_FONT = {color: "#1f3347", size: 15, strokeWidth: 4};  // paper titles around a selected node

  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var allOptions = JSON.parse(document.getElementById("kg-options").textContent);
  var timings = {firstDraw: null, stable: null};
  var views = {};
  var current = null;
  function hasView(name) { return data.views.indexOf(name) >= 0; }
  var network = null;

  // ------------------------------------------------------------------ text helpers
  function shorten(text, limit) {
    text = String(text);
    return text.length <= limit ? text : text.slice(0, limit - 1).trimEnd() + "\u2026";
  }
  function plural(n, noun) { return n + " " + noun + (n === 1 ? "" : "s"); }
  function has(object, key) { return Object.prototype.hasOwnProperty.call(object, key); }
  function fold(text) {
    return String(text).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/\s+/g, " ").trim();
  }
  function darker(hex) {
    var v = parseInt(hex.slice(1), 16);
    var c = [(v >> 16) & 255, (v >> 8) & 255, v & 255].map(function (x) { return Math.round(x * 0.7); });
    return "rgb(" + c.join(",") + ")";
  }
  function relationName(relation) { return has(RELATION_NAMES, relation) ? RELATION_NAMES[relation] : relation; }
  function otherAliases(n) {
    // the names a node is also written as: its aliases less its label, however cased
    var label = fold(n.label);
    return (n.aliases || []).filter(function (a) { return fold(a[0]) !== label; });
  }

  // ------------------------------------------------------------------ a view: one graph and its state
  function makeView(name) {
    var d = JSON.parse(document.getElementById("kg-view-" + name).textContent);
    var v = {
      name: name, data: d, isMap: name === "map", options: allOptions[name],
      typeStyle: {}, relationStyle: {}, nodeById: new Map(), edgeById: new Map(), incident: new Map(),
      communityById: new Map(), index: null, order: null,
      visible: {nodes: new Set(), edges: new Set()}, communityShown: new Map(),
      dimmedNodes: new Set(), nearPapers: new Set(), dimmedEdges: new Set(),
      drawn: {communities: [], labels: [], ms: 0},
      state: {types: {}, relations: {}, minSupport: d.minSupport || 1, hideIsolated: Boolean(d.hideIsolated),
              yearFrom: d.years ? d.years[0] : null, yearTo: d.years ? d.years[1] : null,
              pinned: null, selected: null, focusSet: null, focusId: null}
    };
    d.types.forEach(function (t) { v.typeStyle[t.name] = t; v.state.types[t.name] = true; });
    d.relations.forEach(function (r) { v.relationStyle[r.name] = r; v.state.relations[r.name] = true; });
    (d.communities || []).forEach(function (c) { v.communityById.set(c.id, c); });
    d.nodes.forEach(function (n) { v.nodeById.set(n.id, n); });
    d.edges.forEach(function (e) {
      v.edgeById.set(e.id, e);
      [e.from, e.to].forEach(function (end) {
        if (!v.incident.has(end)) { v.incident.set(end, []); }
        v.incident.get(end).push(e);
      });
    });
    if (!v.isMap) {
      // entities of the paper graph are sized through vis-network's value scaling
      var sizes = d.nodes.filter(function (n) { return n.type !== "paper"; }).map(function (n) { return n.size; });
      v.options.nodes.scaling = {
        min: Math.min.apply(null, sizes.concat([10])),
        max: Math.max.apply(null, sizes.concat([10])),
        label: {enabled: true, min: 12, max: 36, maxVisible: 20, drawThreshold: 6}
      };
    }
    if (v.isMap) {
      v.order = d.nodes.slice().sort(function (a, b) { return b.support - a.support || (a.id < b.id ? -1 : 1); });
    }
    computeVisibility(v);
    v.visNodes = new vis.DataSet(d.nodes.map(function (n) { return nodeItem(v, n); }));
    v.visEdges = new vis.DataSet(d.edges.map(function (e) { return edgeItem(v, e); }));
    v.nodeView = new vis.DataView(v.visNodes, {filter: function (item) { return v.visible.nodes.has(item.id); }});
    v.edgeView = new vis.DataView(v.visEdges, {filter: function (item) { return v.visible.edges.has(item.id); }});
    return v;
  }
  function view(name) {
    if (!views[name]) { views[name] = makeView(name); }
    return views[name];
  }
  function labelOf(v, id) {
    var n = v.nodeById.get(id);
    if (n) { return n.label; }
    return has(v.data.papers, id) ? v.data.papers[id].title : id;
  }

  // ------------------------------------------------------------------ filters
  function yearsFull(v) {
    var y = v.data.years;
    return !y || (v.state.yearFrom <= y[0] && v.state.yearTo >= y[1]);
  }
  function countIn(years, s) {
    var total = 0;
    (years || []).forEach(function (p) { if (p[0] >= s.yearFrom && p[0] <= s.yearTo) { total += p[1]; } });
    return total;
  }
  function computeVisibility(v) {
    var s = v.state;
    var full = yearsFull(v);
    var pass = new Set();
    v.data.nodes.forEach(function (n) {
      if (n.id === s.pinned) { pass.add(n.id); return; }
      if (s.focusSet && !s.focusSet.has(n.id)) { return; }
      if (s.types[n.type] === false) { return; }
      if ((full ? n.support : countIn(n.years, s)) < s.minSupport) { return; }
      pass.add(n.id);
    });
    var edges = new Set();
    var degree = new Map();
    v.data.edges.forEach(function (e) {
      if (s.relations[e.relation] === false || !pass.has(e.from) || !pass.has(e.to)) { return; }
      if (!v.isMap && e.support < s.minSupport) { return; }
      if (!full && e.years && countIn(e.years, s) === 0) { return; }
      edges.add(e.id);
      degree.set(e.from, (degree.get(e.from) || 0) + 1);
      degree.set(e.to, (degree.get(e.to) || 0) + 1);
    });
    var nodes = new Set();
    pass.forEach(function (id) {
      if (!s.hideIsolated || degree.get(id) || id === s.pinned || id === s.selected || id === s.focusId) {
        nodes.add(id);
      }
    });
    v.visible = {nodes: nodes, edges: edges};
    v.communityShown = new Map();
    if (v.isMap) {
      v.data.nodes.forEach(function (n) {
        if (nodes.has(n.id)) { v.communityShown.set(n.community, (v.communityShown.get(n.community) || 0) + 1); }
      });
    }
  }
  function nodeVisible(v, id) { return v.visible.nodes.has(id); }

  // ------------------------------------------------------------------ vis items
  function nodeTooltip(v, n) {
    var lines = [n.label];
    if (n.type === "paper") {
      lines.push("paper" + (n.year ? " \u00b7 " + n.year : "") + " \u00b7 degree " + n.degree);
      if (n.links && n.links.length) {
        lines.push(n.links.map(function (l) { return l[0]; }).join(" \u00b7 "));
      }
    } else {
      lines.push(n.type + " \u00b7 " + plural(n.support, "paper") + " \u00b7 degree " + n.degree);
      var also = otherAliases(n);
      if (also.length) {
        lines.push("also: " + also.slice(0, 5).map(function (a) { return a[0]; }).join(", "));
      }
      var community = v.communityById.get(n.community);
      if (community) { lines.push("community: " + community.name); }
    }
    return lines.join("\n");
  }
  function edgeTooltip(v, e) {
    var lines;
    if (e.relation === "studied_with") {
      lines = [shorten(labelOf(v, e.from), 60) + " and " + shorten(labelOf(v, e.to), 60),
               "named together by " + plural(e.support, "paper")];
    } else {
      lines = [shorten(labelOf(v, e.from), 60) + " \u2014" + relationName(e.relation) + "\u2192 " +
               shorten(labelOf(v, e.to), 60), "support " + e.support];
    }
    if (e.evidence.length) { lines.push("\u201c" + shorten(e.evidence[0].sentence, 240) + "\u201d"); }
    return lines.join("\n");
  }
  function nodeColour(v, n) {
    var fill = v.isMap ? n.color : (v.typeStyle[n.type] || {color: "#9e9e9e"}).color;
    return {background: fill, border: darker(fill),
            highlight: {background: fill, border: "#111111"}, hover: {background: fill, border: "#111111"}};
  }
  function edgeColour(v, e) {
    var colour = (v.relationStyle[e.relation] || {color: "#7f7f7f"}).color;
    return {color: colour, highlight: colour, hover: colour, opacity: v.isMap && e.relation === "studied_with" ? 0.6 : 0.85};
  }
  function nodeFont(n) {
    return n.type === "paper" ? {color: "#3b4a5a", size: 11, strokeWidth: 3} : {color: "#222222", strokeWidth: 3};
  }
  function nodeLabel(v, n) {
    if (v.isMap) { return ""; }  // the map draws its own labels (drawMapText)
    return shorten(n.label, n.type === "paper" ? PAPER_LABEL_CHARS : LABEL_CHARS);
  }
  function nodeItem(v, n) {
    var item = {
      id: n.id,
      label: nodeLabel(v, n),
      shape: (v.typeStyle[n.type] || {shape: "dot"}).shape,
      size: n.size,
      title: nodeTooltip(v, n),
      color: nodeColour(v, n),
      font: nodeFont(n),
      borderWidthSelected: 3
    };
    // entities of the paper graph are sized through vis-network's scaling (value), which also
    // grows their labels, so the labels of well-connected entities stay readable when zoomed out
    if (!v.isMap && n.type !== "paper") { item.value = n.size; }
    if (n.x !== undefined) { item.x = n.x; item.y = n.y; }
    return item;
  }
  function edgeItem(v, e) {
    var style = v.relationStyle[e.relation] || {dashes: null, arrows: "to"};
    var item = {
      id: e.id, from: e.from, to: e.to,
      color: edgeColour(v, e),
      width: Math.round((1 + Math.log2(e.support)) * 100) / 100,
      dashes: style.dashes || false,
      title: edgeTooltip(v, e)
    };
    if (!style.arrows) { item.arrows = {to: {enabled: false}}; }  // others follow options.edges.arrows
    if (e.bend) { item.smooth = {enabled: true, type: "curvedCW", roundness: e.bend}; }
    return item;
  }

  // ------------------------------------------------------------------ the network
  var container = document.getElementById("kg-graph");
  current = view(data.start);
  network = new vis.Network(container, {nodes: current.nodeView, edges: current.edgeView}, current.options);

  var refreshQueued = false;
  function refresh() {
    if (refreshQueued) { return; }
    refreshQueued = true;
    requestAnimationFrame(function () {
      refreshQueued = false;
      applyFilters();
    });
  }
  function applyFilters() {
    var v = current;
    computeVisibility(v);
    v.nodeView.refresh();
    v.edgeView.refresh();
    if (v.state.selected !== null && nodeVisible(v, v.state.selected)) {
      network.selectNodes([v.state.selected]);
      highlight(v.state.selected);
    } else if (v.state.selected !== null) {
      clearSelection();
    }
    network.redraw();
  }

  // ------------------------------------------------------------------ highlighting
  function highlight(id) {
    var v = current;
    var keepNodes = new Set([id]);
    var keepEdges = new Set();
    (v.incident.get(id) || []).forEach(function (e) {
      if (v.visible.edges.has(e.id)) {
        keepEdges.add(e.id);
        keepNodes.add(e.from);
        keepNodes.add(e.to);
      }
    });
    v.kept = keepNodes;
    var nodeUpdates = [];
    v.data.nodes.forEach(function (n) {
      var dim = !keepNodes.has(n.id);
      var near = !dim && n.type === "paper";
      if (dim !== v.dimmedNodes.has(n.id) || near !== v.nearPapers.has(n.id)) {
        if (dim) { v.dimmedNodes.add(n.id); } else { v.dimmedNodes.delete(n.id); }
        if (near) { v.nearPapers.add(n.id); } else { v.nearPapers.delete(n.id); }
        nodeUpdates.push(dim ? {id: n.id, color: DIM_NODE, font: DIM_FONT, label: ""}
          : {id: n.id, color: nodeColour(v, n), font: near ? NEAR_PAPER_FONT : nodeFont(n), label: nodeLabel(v, n)});
      }
    });
    var edgeUpdates = [];
    v.data.edges.forEach(function (e) {
      var dim = !keepEdges.has(e.id);
      if (dim !== v.dimmedEdges.has(e.id)) {
        if (dim) { v.dimmedEdges.add(e.id); } else { v.dimmedEdges.delete(e.id); }
        edgeUpdates.push({id: e.id, color: dim ? DIM_EDGE : edgeColour(v, e)});
      }
    });
    if (nodeUpdates.length) { v.visNodes.update(nodeUpdates); }
    if (edgeUpdates.length) { v.visEdges.update(edgeUpdates); }
  }
  function unhighlight() {
    var v = current;
    v.kept = null;
    if (v.dimmedNodes.size || v.nearPapers.size) {
      var ids = new Set([].concat(Array.from(v.dimmedNodes), Array.from(v.nearPapers)));
      v.visNodes.update(Array.from(ids, function (id) {
        var n = v.nodeById.get(id);
        return {id: id, color: nodeColour(v, n), font: nodeFont(n), label: nodeLabel(v, n)};
      }));
      v.dimmedNodes.clear();
      v.nearPapers.clear();
    }
    if (v.dimmedEdges.size) {
      v.visEdges.update(Array.from(v.dimmedEdges, function (id) {
        return {id: id, color: edgeColour(v, v.edgeById.get(id))};
      }));
      v.dimmedEdges.clear();
    }
  }

  // ------------------------------------------------------------------ the map's text: community names, labels
  // Drawn over the canvas in screen pixels, largest first, each only where it
  // overlaps nothing drawn before: community names, then the labels of the
  // selected node and its neighbours, then those of the largest nodes. Zooming
  // in spreads the nodes apart, so more labels fit.
  function Boxes(width, height) {
    this.cell = 48;
    this.cols = Math.max(1, Math.ceil(width / this.cell));
    this.cells = new Map();
  }
  Boxes.prototype.each = function (b, fn) {
    var c0 = Math.floor(b[0] / this.cell), c1 = Math.floor(b[2] / this.cell);
    var r0 = Math.floor(b[1] / this.cell), r1 = Math.floor(b[3] / this.cell);
    for (var r = r0; r <= r1; r++) {
      for (var c = c0; c <= c1; c++) {
        if (fn(r * 100000 + c) === false) { return false; }
      }
    }
    return true;
  };
  Boxes.prototype.free = function (b) {
    var cells = this.cells;
    return this.each(b, function (key) {
      var list = cells.get(key);
      if (!list) { return true; }
      for (var i = 0; i < list.length; i++) {
        var o = list[i];
        if (b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3]) { return false; }
      }
      return true;
    });
  };
  Boxes.prototype.add = function (b) {
    var cells = this.cells;
    this.each(b, function (key) {
      if (!cells.has(key)) { cells.set(key, []); }
      cells.get(key).push(b);
    });
  };
  function haloText(ctx, text, x, y, fill) {
    ctx.strokeText(text, x, y);
    ctx.fillStyle = fill;
    ctx.fillText(text, x, y);
  }
  function drawMapText(ctx) {
    var v = current;
    if (!v.isMap) { return; }
    var started = performance.now();
    var width = container.clientWidth, height = container.clientHeight;
    var scale = network.getScale();
    var origin = network.canvasToDOM({x: 0, y: 0});
    var ratio = ctx.canvas.width / Math.max(1, ctx.canvas.clientWidth || width);
    var boxes = new Boxes(width, height);
    var drawnCommunities = [];
    var drawnLabels = [];
    ctx.save();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "rgba(255,255,255,0.92)";
    var selecting = v.kept && v.kept.size;
    (v.data.communities || []).forEach(function (c) {
      if (!v.communityShown.get(c.id) || selecting) { return; }
      var px = Math.round(Math.max(12, Math.min(17, 10 + 1.5 * Math.log2(c.size + 1))));
      ctx.font = "600 " + px + "px system-ui, sans-serif";
      var w = ctx.measureText(c.label).width;
      // at its centre, moved in only as far as needed to keep the whole name on screen
      var x = Math.max(w / 2 + 4, Math.min(width - w / 2 - 4, origin.x + c.x * scale));
      var centre = origin.y + c.y * scale;
      var y = centre, box = null;
      // at the centre, else just above or below it where another name is in the way
      for (var shift = 0; shift < 5 && box === null; shift++) {
        y = centre + (shift % 2 ? -1 : 1) * Math.ceil(shift / 2) * px * 1.5;
        var tried = [x - w / 2 - 3, y - px * 0.7, x + w / 2 + 3, y + px * 0.7];
        if (tried[2] < 0 || tried[0] > width || tried[3] < 0 || tried[1] > height) { return; }
        if (boxes.free(tried)) { box = tried; }
      }
      if (box === null) { return; }
      boxes.add(box);
      ctx.lineWidth = 5;
      haloText(ctx, c.label, x, y, darker(c.color));
      drawnCommunities.push(c.label);
    });
    var positions = network.getPositions();
    var obstacles = 0;  // labels go around the nodes on screen (community names go over them)
    for (var k = 0; k < v.order.length && obstacles < 1500; k++) {
      var m = v.order[k];
      var q = positions[m.id];
      if (!q || !v.visible.nodes.has(m.id) || (selecting && !v.kept.has(m.id))) { continue; }
      var qx = origin.x + q.x * scale, qy = origin.y + q.y * scale, qr = m.size * scale;
      if (qx + qr < 0 || qx - qr > width || qy + qr < 0 || qy - qr > height) { continue; }
      boxes.add([qx - qr, qy - qr, qx + qr, qy + qr]);
      obstacles++;
    }
    var tried = 0;
    var candidates = v.kept && v.kept.size ? Array.from(v.kept, function (id) { return v.nodeById.get(id); })
      .sort(function (a, b) { return b.support - a.support; }) : [];
    candidates = candidates.concat(v.order);
    var labelled = new Set();
    ctx.lineWidth = 3.5;
    for (var i = 0; i < candidates.length && drawnLabels.length < MAP_LABELS && tried < MAP_LABEL_TRIES; i++) {
      var n = candidates[i];
      var p = positions[n.id];
      if (!p || labelled.has(n.id) || (selecting && !v.kept.has(n.id))) { continue; }
      labelled.add(n.id);
      var x = origin.x + p.x * scale, y = origin.y + p.y * scale;
      var r = n.size * scale;
      if (x < -200 || x > width + 200 || y < -40 || y > height + 40) { continue; }
      tried++;
      var size = Math.round(Math.max(11, Math.min(17, 10.5 + 1.3 * Math.log2(n.support + 1))));
      var text = shorten(n.label, LABEL_CHARS);
      ctx.font = (n.id === v.state.selected ? "700 " : "") + size + "px system-ui, sans-serif";
      var w = ctx.measureText(text).width;
      var h = size + 2;
      // below the node, else above, right or left of it: the first place that overlaps nothing
      var places = [[x - w / 2 - 2, y + r + 2], [x - w / 2 - 2, y - r - 2 - h], [x + r + 3, y - h / 2],
                    [x - r - 7 - w, y - h / 2]];
      var box = null;
      for (var j = 0; j < places.length && box === null; j++) {
        var b = [places[j][0], places[j][1], places[j][0] + w + 4, places[j][1] + h];
        if (b[0] >= 0 && b[2] <= width && boxes.free(b)) { box = b; }  // whole labels only
      }
      if (box === null) { continue; }
      boxes.add(box);
      haloText(ctx, text, (box[0] + box[2]) / 2, box[1] + h / 2, "#1d1d1d");
      drawnLabels.push(n.id);
    }
    ctx.restore();
    v.drawn = {communities: drawnCommunities, labels: drawnLabels, ms: performance.now() - started};
  }

  // ------------------------------------------------------------------ side panel
  var details = document.getElementById("kg-details");
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function nodeLink(id) {
    var v = current;
    if (!v.nodeById.has(id)) { return el("span", "kg-offview", shorten(labelOf(v, id), 160)); }
    var link = el("a", "kg-node-link", shorten(labelOf(v, id), 160));
    link.href = "#";
    link.setAttribute("role", "button");
    link.dataset.node = id;
    return link;
  }
  function outwardLinks(links, className) {
    // DOI, arXiv, OpenAlex, Semantic Scholar: minted by kgraph from checked ids; only http(s) is linked
    var line = el("span", className);
    links.forEach(function (l, i) {
      if (i) { line.appendChild(document.createTextNode(" \u00b7 ")); }
      if (/^https?:\/\//i.test(l[1])) {
        var a = el("a", null, l[0]);
        a.href = l[1];
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        line.appendChild(a);
      } else {
        line.appendChild(document.createTextNode(l[0]));
      }
    });
    return line;
  }
  function paperItem(parent, pid) {
    // a paper: a link to its node where it is drawn, else its title; then its year and outward links
    var v = current;
    var info = has(v.data.papers, pid) ? v.data.papers[pid] : null;
    parent.appendChild(nodeLink(pid));
    var year = info ? info.year : (v.nodeById.get(pid) || {}).year;
    if (year) { parent.appendChild(el("span", "kg-year", " (" + year + ")")); }
    var links = info ? info.links : (v.nodeById.get(pid) || {}).links;
    if (links && links.length) {
      parent.appendChild(document.createTextNode(" "));
      parent.appendChild(outwardLinks(links, "kg-links"));
    }
  }
  function section(title, items, render, more) {
    var frag = document.createDocumentFragment();
    if (!items || !items.length) { return frag; }
    frag.appendChild(el("h2", null, title + " (" + (items.length + (more || 0)) + ")"));
    var list = el("ul");
    items.slice(0, LIST_ITEMS).forEach(function (item) {
      var li = el("li");
      render(li, item);
      list.appendChild(li);
    });
    var left = items.length - Math.min(items.length, LIST_ITEMS) + (more || 0);
    if (left > 0) { list.appendChild(el("li", "kg-more", "and " + left + " more")); }
    frag.appendChild(list);
    return frag;
  }
  function markedSentence(item) {
    // the sentence as text, with the mentions of the edge's two entities in <mark> elements
    var quote = el("blockquote");
    var text = item.sentence;
    var at = 0;
    (item.marks || []).forEach(function (m) {
      if (m[0] < at || m[1] > text.length) { return; }
      quote.appendChild(document.createTextNode(text.slice(at, m[0])));
      quote.appendChild(el("mark", null, text.slice(m[0], m[1])));
      at = m[1];
    });
    quote.appendChild(document.createTextNode(text.slice(at)));
    return quote;
  }
  function evidenceBlock(parent, e) {
    var v = current;
    e.evidence.forEach(function (item) {
      var quote = markedSentence(item);
      if (item.paper && (v.nodeById.has(item.paper) || has(v.data.papers, item.paper))) {
        quote.appendChild(document.createTextNode(" \u2014 "));
        var cite = el("span", "kg-cite");
        paperItem(cite, item.paper);
        quote.appendChild(cite);
      }
      parent.appendChild(quote);
    });
    if (e.more) { parent.appendChild(el("div", "kg-more", "and " + plural(e.more, "more sentence"))); }
  }
  function yearChart(v, n) {
    // papers per year: one bar per year of the corpus, the years outside the chosen range pale
    var range = v.data.years;
    var counts = new Map(n.years);
    var years = [];
    for (var y = range[0]; y <= range[1]; y++) { years.push(y); }
    var top = Math.max.apply(null, [1].concat(n.years.map(function (p) { return p[1]; })));
    var ns = "http://www.w3.org/2000/svg";
    var barWidth = Math.max(3, Math.min(18, Math.floor(300 / years.length) - 2));
    var width = years.length * (barWidth + 2), height = 56;
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("class", "kg-years-chart");
    svg.setAttribute("width", String(width));
    svg.setAttribute("height", String(height + 14));
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "papers per year: " + n.years.map(function (p) { return p[0] + ": " + p[1]; }).join(", "));
    years.forEach(function (year, i) {
      var count = counts.get(year) || 0;
      var h = count ? Math.max(2, Math.round(height * count / top)) : 0;
      var bar = document.createElementNS(ns, "rect");
      bar.setAttribute("x", String(i * (barWidth + 2)));
      bar.setAttribute("y", String(height - h));
      bar.setAttribute("width", String(barWidth));
      bar.setAttribute("height", String(h));
      bar.setAttribute("class", year >= v.state.yearFrom && year <= v.state.yearTo ? "kg-bar" : "kg-bar kg-bar-out");
      bar.setAttribute("data-year", String(year));
      bar.setAttribute("data-count", String(count));
      var tip = document.createElementNS(ns, "title");
      tip.textContent = year + ": " + plural(count, "paper");
      bar.appendChild(tip);
      svg.appendChild(bar);
    });
    [0, years.length - 1].forEach(function (i) {
      var label = document.createElementNS(ns, "text");
      label.setAttribute("x", String(i ? width : 0));
      label.setAttribute("y", String(height + 12));
      label.setAttribute("text-anchor", i ? "end" : "start");
      label.textContent = String(years[i]);
      svg.appendChild(label);
    });
    return svg;
  }
  function relationGroups(v, id) {
    var groups = new Map();
    (v.incident.get(id) || []).forEach(function (e) {
      if (!groups.has(e.relation)) { groups.set(e.relation, []); }
      groups.get(e.relation).push(e);
    });
    var names = Array.from(groups.keys()).sort(function (a, b) {
      var i = RELATION_ORDER.indexOf(a), j = RELATION_ORDER.indexOf(b);
      return (i < 0 ? 99 : i) - (j < 0 ? 99 : j) || (a < b ? -1 : a > b ? 1 : 0);
    });
    return names.map(function (name) {
      return [name, groups.get(name).sort(function (a, b) {
        return b.support - a.support || (labelOf(v, a.from === id ? a.to : a.from) < labelOf(v, b.from === id ? b.to : b.from) ? -1 : 1);
      })];
    });
  }
  function relationItem(v, id, li, e) {
    var out = e.from === id;
    var symmetric = e.relation === "studied_with" || e.relation === "compared_with";
    li.appendChild(el("span", "kg-rel", symmetric ? "" : out ? "\u2192 " : "\u2190 "));
    li.appendChild(nodeLink(out ? e.to : e.from));
    if (e.relation === "studied_with") {
      li.appendChild(el("span", "kg-support", " \u00b7 " + plural(e.support, "paper") + " name both"));
      if (e.papers && e.papers.length) {
        var list = el("ul", "kg-papers-of");
        e.papers.slice(0, 3).forEach(function (pid) {
          var item = el("li");
          paperItem(item, pid);
          list.appendChild(item);
        });
        li.appendChild(list);
      }
    } else {
      li.appendChild(el("span", "kg-support", " \u00b7 support " + e.support));
      evidenceBlock(li, e);
    }
  }
  function showNode(id) {
    var v = current;
    var n = v.nodeById.get(id);
    details.textContent = "";
    details.appendChild(el("h3", null, n.label));
    details.appendChild(el("div", "kg-meta", [n.type, n.id].join(" \u00b7 ")));
    var actions = el("div", "kg-actions");
    var focusButton = el("button", null, v.state.focusId === id ? "Show all" : "Neighbourhood only");
    focusButton.type = "button";
    focusButton.id = "kg-focus-button";
    focusButton.addEventListener("click", function () {
      if (v.state.focusId === id) { showAll(); } else { showNeighbourhood(id); }
    });
    actions.appendChild(focusButton);
    var other = v.isMap ? "papers" : "map";
    if (hasView(other)) {
      var switchButton = el("button", null, v.isMap ? "In the paper graph" : "On the method map");
      switchButton.type = "button";
      switchButton.addEventListener("click", function () { switchView(other, id); });
      actions.appendChild(switchButton);
    }
    details.appendChild(actions);
    if (n.type === "paper") {
      var facts = [n.year, n.authors && n.authors.join(", "), "degree " + n.degree].filter(Boolean);
      details.appendChild(el("div", "kg-meta", facts.join(" \u00b7 ")));
      if (n.abstract) { details.appendChild(el("p", "kg-abstract", n.abstract)); }
      if (n.url) {
        var line = el("div", "kg-meta");
        if (/^https?:\/\//i.test(n.url)) {
          var a = el("a", null, n.url);
          a.href = n.url;
          a.target = "_blank";
          a.rel = "noopener noreferrer";
          line.appendChild(a);
        } else {
          line.textContent = n.url;
        }
        details.appendChild(line);
      }
      if (n.links && n.links.length) {
        var links = el("div", "kg-meta");
        links.appendChild(outwardLinks(n.links, "kg-links"));
        details.appendChild(links);
      }
      if (n.source) { details.appendChild(el("div", "kg-meta", "source: " + n.source)); }
    } else {
      var stats = [plural(n.support, "paper"), "degree " + n.degree];
      if (n.mentions !== undefined) { stats.push(plural(n.mentions, "mention")); }
      if (n.known_id) { stats.push("known id: " + n.known_id); }
      details.appendChild(el("div", "kg-meta", stats.join(" \u00b7 ")));
      var community = v.communityById.get(n.community);
      if (community) {
        var row = el("div", "kg-meta kg-community");
        var chip = el("span", "kg-swatch kg-shape-dot");
        chip.style.setProperty("--kg-colour", community.color);
        row.appendChild(chip);
        row.appendChild(document.createTextNode(" community: " + community.name));
        details.appendChild(row);
      }
      details.appendChild(section("Aliases", n.aliases, function (li, alias) {
        li.textContent = alias[0] + (alias[1] !== null && alias[1] !== undefined ? " (" + alias[1] + ")" : "");
      }));
      if (v.data.years && n.years && n.years.length) {
        details.appendChild(el("h2", null, "Papers per year"));
        details.appendChild(yearChart(v, n));
      }
      details.appendChild(section("Proposed in", n.proposed_in, function (li, pid) { paperItem(li, pid); }));
      details.appendChild(section("Papers", n.papers, function (li, pid) { paperItem(li, pid); }, n.morePapers));
    }
    var groups = relationGroups(v, id);
    if (groups.length) {
      var head = el("h2", "kg-relations-title", "Relations");
      details.appendChild(head);
    }
    groups.forEach(function (group) {
      var block = section(relationName(group[0]), group[1], function (li, e) { relationItem(v, id, li, e); });
      block.firstChild.className = "kg-relation-group";
      block.firstChild.dataset.relation = group[0];
      details.appendChild(block);
    });
  }
  function showEdge(id) {
    var v = current;
    var e = v.edgeById.get(id);
    details.textContent = "";
    var head = el("h3");
    head.appendChild(nodeLink(e.from));
    head.appendChild(document.createTextNode(e.relation === "studied_with" ? " and " : " \u2014" + relationName(e.relation) + "\u2192 "));
    head.appendChild(nodeLink(e.to));
    details.appendChild(head);
    var facts = [e.relation === "studied_with" ? "named together by " + plural(e.support, "paper") : "support " + e.support];
    if (e.extractors.length) { facts.push("extractors: " + e.extractors.join(", ")); }
    details.appendChild(el("div", "kg-meta", facts.join(" \u00b7 ")));
    if (e.evidence.length) { details.appendChild(el("h2", null, "Evidence")); }
    evidenceBlock(details, e);
    details.appendChild(section("Papers", e.papers, function (li, pid) { paperItem(li, pid); }));
  }
  details.addEventListener("click", function (event) {
    var link = event.target.closest("a.kg-node-link");
    if (link) {
      event.preventDefault();
      focusNode(link.dataset.node);
    }
  });

  // ------------------------------------------------------------------ selection and focus
  var panel = document.getElementById("kg-panel");
  function showDetails() {  // the panel scrolled to the selection's details, past the legend
    panel.scrollTop = Math.max(0, details.offsetTop - panel.offsetTop - 8);
  }
  function selectNode(id) {
    current.state.selected = id;
    highlight(id);
    showNode(id);
    showDetails();
  }
  function clearSelection() {
    var v = current;
    v.state.selected = null;
    network.unselectAll();
    unhighlight();
    details.textContent = "";
    if (v.state.pinned !== null) {
      v.state.pinned = null;
      refresh();
    }
  }
  function focusNode(id, animate) {
    var v = current;
    if (!v.nodeById.has(id)) { return false; }
    if (!nodeVisible(v, id)) {
      v.state.pinned = id;  // chosen explicitly: shown even where a filter hides it
      computeVisibility(v);
      v.nodeView.refresh();
      v.edgeView.refresh();
    }
    network.selectNodes([id]);
    selectNode(id);
    network.focus(id, {scale: Math.max(network.getScale(), 1.1),
                       animation: animate === false ? false : {duration: 450, easingFunction: "easeInOutQuad"}});
    return true;
  }
  var focusBar = document.getElementById("kg-focus-bar");
  var focusName = document.getElementById("kg-focus-name");
  function showNeighbourhood(id) {
    // the focus view: the node and what lies within FOCUS_DEPTH hops of it, the rest hidden
    var v = current;
    if (!v.nodeById.has(id)) { return false; }
    var seen = new Set([id]);
    var frontier = [id];
    for (var step = 0; step < FOCUS_DEPTH[v.name]; step++) {
      var next = [];
      frontier.forEach(function (node) {
        (v.incident.get(node) || []).forEach(function (e) {
          if (v.state.relations[e.relation] === false) { return; }
          [e.from, e.to].forEach(function (other) {
            if (!seen.has(other)) { seen.add(other); next.push(other); }
          });
        });
      });
      frontier = next;
    }
    v.state.focusSet = seen;
    v.state.focusId = id;
    v.state.selected = id;
    syncFocusBar();
    applyFilters();
    network.selectNodes([id]);
    selectNode(id);
    network.fit({nodes: Array.from(v.visible.nodes), animation: false});
    return true;
  }
  function showAll() {
    var v = current;
    var id = v.state.focusId;
    v.state.focusSet = null;
    v.state.focusId = null;
    syncFocusBar();
    applyFilters();
    if (id !== null && v.state.selected === id) { showNode(id); }
    network.fit({animation: false});
  }
  function syncFocusBar() {
    var v = current;
    focusBar.hidden = v.state.focusId === null;
    focusName.textContent = v.state.focusId === null ? "" : shorten(labelOf(v, v.state.focusId), 60);
  }
  document.getElementById("kg-focus-clear").addEventListener("click", showAll);

  // ------------------------------------------------------------------ network events
  network.on("click", function (params) {
    if (params.nodes.length) {
      selectNode(params.nodes[0]);
    } else if (params.edges.length) {
      current.state.selected = null;
      unhighlight();
      showEdge(params.edges[0]);
      showDetails();
    } else {
      clearSelection();
    }
  });
  network.on("dragEnd", function (params) {
    if (params.nodes.length) {  // keep dragged nodes where they were left when filters re-add them
      var moved = network.getPositions(params.nodes);
      current.visNodes.update(params.nodes.map(function (id) { return {id: id, x: moved[id].x, y: moved[id].y}; }));
    }
  });
  network.on("afterDrawing", drawMapText);

  // ------------------------------------------------------------------ search
  function buildIndex(v) {
    v.index = [];
    v.data.nodes.forEach(function (n) {
      var seen = new Set();
      [n.label].concat((n.aliases || []).map(function (a) { return a[0]; })).forEach(function (text) {
        var key = fold(text);
        if (key && !seen.has(key)) {
          seen.add(key);
          v.index.push({key: key, text: text, node: n});
        }
      });
      if (!seen.has(fold(n.id))) { v.index.push({key: fold(n.id), text: n.id, node: n}); }
    });
  }
  function search(query) {
    var v = current;
    var q = fold(query);
    if (!q) { return []; }
    if (v.index === null) { buildIndex(v); }
    var best = new Map();
    v.index.forEach(function (entry) {
      var at = entry.key.indexOf(q);
      if (at < 0) { return; }
      var rank = entry.key === q ? 0 : at === 0 ? 1 : /[\s\-_:(]/.test(entry.key.charAt(at - 1)) ? 2 : 3;
      var old = best.get(entry.node.id);
      if (!old || rank < old.rank || (rank === old.rank && entry.text === entry.node.label)) {
        best.set(entry.node.id, {rank: rank, node: entry.node, via: entry.text});
      }
    });
    return Array.from(best.values()).sort(function (a, b) {
      return a.rank - b.rank || (a.node.type === "paper") - (b.node.type === "paper") ||
        b.node.degree - a.node.degree || (a.node.label < b.node.label ? -1 : a.node.label > b.node.label ? 1 : 0);
    }).slice(0, SUGGESTIONS).map(function (hit) {
      return {id: hit.node.id, label: hit.node.label, type: hit.node.type,
              via: fold(hit.via) === fold(hit.node.label) ? null : hit.via};
    });
  }

  var input = document.getElementById("kg-search");
  var list = document.getElementById("kg-suggestions");
  var hits = [];
  var active = -1;
  function renderSuggestions() {
    list.textContent = "";
    if (!input.value.trim()) { list.hidden = true; return; }
    if (!hits.length) {
      list.appendChild(el("li", "kg-empty", "No node called that"));
    }
    hits.forEach(function (hit, i) {
      var li = el("li");
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", i === active ? "true" : "false");
      li.dataset.node = hit.id;
      var chip = el("span", "kg-type", hit.type);
      chip.style.background = (views.papers && views.papers.typeStyle[hit.type] || current.typeStyle[hit.type] ||
                               {color: "#9e9e9e"}).color;
      li.appendChild(chip);
      li.appendChild(el("span", "kg-label", shorten(hit.label, 80)));
      if (hit.via) { li.appendChild(el("span", "kg-via", "as \u201c" + shorten(hit.via, 40) + "\u201d")); }
      list.appendChild(li);
    });
    list.hidden = false;
  }
  function choose(i) {
    var hit = hits[i >= 0 ? i : 0];
    if (!hit) { return; }
    input.value = hit.label;
    list.hidden = true;
    focusNode(hit.id);
  }
  input.addEventListener("input", function () {
    hits = search(input.value);
    active = hits.length ? 0 : -1;
    renderSuggestions();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!hits.length) { return; }
      event.preventDefault();
      active = (active + (event.key === "ArrowDown" ? 1 : hits.length - 1)) % hits.length;
      renderSuggestions();
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (!hits.length) { hits = search(input.value); }
      choose(active);
    } else if (event.key === "Escape") {
      list.hidden = true;
    }
  });
  list.addEventListener("mousedown", function (event) {
    var li = event.target.closest("li[data-node]");
    if (li) {
      event.preventDefault();
      choose(hits.findIndex(function (hit) { return hit.id === li.dataset.node; }));
    }
  });
  input.addEventListener("blur", function () { list.hidden = true; });

  // ------------------------------------------------------------------ legend, filters and buttons
  var typeList = document.getElementById("kg-types");
  var relationList = document.getElementById("kg-relations");
  var communityList = document.getElementById("kg-communities");
  var communitySection = document.getElementById("kg-communities-section");
  var slider = document.getElementById("kg-min-support");
  var sliderValue = document.getElementById("kg-min-support-value");
  var isolated = document.getElementById("kg-hide-isolated");
  var yearRow = document.getElementById("kg-years-row");
  var yearFrom = document.getElementById("kg-year-from");
  var yearTo = document.getElementById("kg-year-to");
  var yearValue = document.getElementById("kg-years-value");
  var sizeBy = document.getElementById("kg-size-by");
  var note = document.getElementById("kg-note");
  function legendEntry(kind, entry, count) {
    var li = el("li");
    var label = el("label");
    var box = el("input");
    box.type = "checkbox";
    box.dataset[kind] = entry.name;
    box.checked = true;
    box.addEventListener("change", function () {
      if (kind === "type") { setTypeVisible(entry.name, box.checked); } else { setRelationVisible(entry.name, box.checked); }
    });
    label.appendChild(box);
    var swatch = el("span", kind === "type" ? "kg-swatch kg-shape-" + entry.shape
      : "kg-line" + (entry.dashes ? " kg-dashed" : "") + (entry.arrows ? " kg-arrow" : ""));
    swatch.style.setProperty("--kg-colour", kind === "type" && current.isMap ? "#8a8a8a" : entry.color);
    label.appendChild(swatch);
    label.appendChild(el("span", "kg-name", kind === "type" ? entry.name : relationName(entry.name)));
    label.appendChild(el("span", "kg-count", count));
    li.appendChild(label);
    return li;
  }
  function buildLegend() {
    var v = current;
    typeList.textContent = "";
    v.data.types.forEach(function (t) { typeList.appendChild(legendEntry("type", t, t.count)); });
    relationList.textContent = "";
    v.data.relations.forEach(function (r) { relationList.appendChild(legendEntry("relation", r, r.count)); });
    communityList.textContent = "";
    communitySection.hidden = !v.isMap || !(v.data.communities || []).length;
    (v.data.communities || []).forEach(function (c) {
      var li = el("li");
      var button = el("a", "kg-community-link");
      button.href = "#";
      button.setAttribute("role", "button");
      button.dataset.community = String(c.id);
      var chip = el("span", "kg-swatch kg-shape-dot");
      chip.style.setProperty("--kg-colour", c.color);
      button.appendChild(chip);
      button.appendChild(el("span", "kg-name", c.name));
      button.appendChild(el("span", "kg-count", c.size));
      button.addEventListener("click", function (event) {
        event.preventDefault();
        var members = v.data.nodes.filter(function (n) { return n.community === c.id && nodeVisible(v, n.id); })
          .map(function (n) { return n.id; });
        if (members.length) { network.fit({nodes: members, animation: {duration: 400, easingFunction: "easeInOutQuad"}}); }
      });
      li.appendChild(button);
      communityList.appendChild(li);
    });
    slider.max = String(v.data.maxSupport);
    slider.disabled = v.data.maxSupport <= 1;
    yearRow.hidden = !v.data.years;
    if (v.data.years) {
      [yearFrom, yearTo].forEach(function (input) {
        input.min = String(v.data.years[0]);
        input.max = String(v.data.years[1]);
      });
    }
    sizeBy.textContent = "size: " + (v.isMap ? "papers \u00b7 colour: community" : v.data.sizeBy);
    note.textContent = v.data.note;
    syncControls();
  }
  slider.addEventListener("input", function () { setMinSupport(Number(slider.value)); });
  isolated.addEventListener("change", function () { setHideIsolated(isolated.checked); });
  yearFrom.addEventListener("input", function () {
    setYears(Number(yearFrom.value), Math.max(Number(yearFrom.value), current.state.yearTo));
  });
  yearTo.addEventListener("input", function () {
    setYears(Math.min(current.state.yearFrom, Number(yearTo.value)), Number(yearTo.value));
  });
  function setTypeVisible(type, visible) { current.state.types[type] = Boolean(visible); syncControls(); refresh(); }
  function setRelationVisible(relation, visible) {
    current.state.relations[relation] = Boolean(visible);
    syncControls();
    refresh();
  }
  function setMinSupport(value) { current.state.minSupport = Math.max(1, Number(value) || 1); syncControls(); refresh(); }
  function setHideIsolated(value) { current.state.hideIsolated = Boolean(value); syncControls(); refresh(); }
  function setYears(from, to) {
    var v = current;
    if (!v.data.years) { return false; }
    v.state.yearFrom = Math.max(v.data.years[0], Math.min(from, to));
    v.state.yearTo = Math.min(v.data.years[1], Math.max(from, to));
    syncControls();
    refresh();
    if (v.state.selected !== null && v.nodeById.has(v.state.selected)) {
      requestAnimationFrame(function () { if (v.state.selected !== null) { showNode(v.state.selected); } });
    }
    return true;
  }
  function syncControls() {
    var s = current.state;
    typeList.querySelectorAll("input[data-type]").forEach(function (box) { box.checked = s.types[box.dataset.type] !== false; });
    relationList.querySelectorAll("input[data-relation]").forEach(function (box) {
      box.checked = s.relations[box.dataset.relation] !== false;
    });
    slider.value = String(s.minSupport);
    sliderValue.textContent = String(s.minSupport);
    isolated.checked = s.hideIsolated;
    if (current.data.years) {
      yearFrom.value = String(s.yearFrom);
      yearTo.value = String(s.yearTo);
      yearValue.textContent = s.yearFrom === s.yearTo ? String(s.yearFrom) : s.yearFrom + "\u2013" + s.yearTo;
    }
  }
  document.getElementById("kg-fit").addEventListener("click", function () {
    network.fit({animation: {duration: 400, easingFunction: "easeInOutQuad"}});
  });
  document.getElementById("kg-panel-toggle").addEventListener("click", function () {
    panel.classList.toggle("kg-hidden");
    network.setSize("100%", "100%");
    network.redraw();
  });

  // ------------------------------------------------------------------ switching views
  var viewButtons = document.querySelectorAll("#kg-views button[data-view]");
  function syncViewButtons() {
    viewButtons.forEach(function (button) {
      button.setAttribute("aria-pressed", button.dataset.view === current.name ? "true" : "false");
      button.disabled = !hasView(button.dataset.view);
    });
    input.placeholder = current.isMap ? "Find a method, task or dataset\u2026" : "Find a method, task, dataset or paper\u2026";
  }
  function switchView(name, select) {
    if (!hasView(name)) { return false; }
    var keep = select !== undefined ? select : current.state.selected;
    if (name !== current.name) {
      unhighlight();
      current.state.selected = null;
      network.unselectAll();
      current = view(name);
      network.setOptions(current.options);
      network.setData({nodes: current.nodeView, edges: current.edgeView});
      arrowsOn = current.options.edges.arrows.to.enabled;
      details.textContent = "";
      buildLegend();
      syncFocusBar();
      syncViewButtons();
      network.fit({animation: false});
    }
    if (keep !== null && keep !== undefined && current.nodeById.has(keep)) { focusNode(keep, false); }
    return true;
  }
  viewButtons.forEach(function (button) {
    button.addEventListener("click", function () { switchView(button.dataset.view); });
  });

  // ------------------------------------------------------------------ arrow heads on large graphs
  // Arrow heads cost canvas time and cannot be told apart from afar: large graphs
  // show them only once zoomed in.
  var ARROWS_FROM_SCALE = 0.6;
  var arrowsOn = current.options.edges.arrows.to.enabled;
  function updateArrows() {
    if (!current.data.large) { return; }
    var wanted = network.getScale() >= ARROWS_FROM_SCALE;
    if (wanted !== arrowsOn) {
      arrowsOn = wanted;
      network.setOptions({edges: {arrows: {to: {enabled: wanted}}}});
    }
  }
  network.on("afterDrawing", updateArrows);

  // ------------------------------------------------------------------ timings, start
  // The layout comes precomputed and physics is off: the first frame is the stable one.
  network.once("afterDrawing", function () {
    timings.firstDraw = timings.stable = performance.now();
  });
  buildLegend();
  syncViewButtons();
  if (data.focus !== null && current.nodeById.has(data.focus)) {
    network.selectNodes([data.focus]);
    selectNode(data.focus);
  }

  window.kgraphNetwork = network;
  window.kgraph = {
    network: network,
    get nodes() { return current.visNodes; },
    get edges() { return current.visEdges; },
    get nodeView() { return current.nodeView; },
    get edgeView() { return current.edgeView; },
    timings: timings,
    search: search,
    focusNode: focusNode,
    showNeighbourhood: showNeighbourhood,
    showAll: showAll,
    switchView: switchView,
    currentView: function () { return current.name; },
    setTypeVisible: setTypeVisible,
    setRelationVisible: setRelationVisible,
    setMinSupport: setMinSupport,
    setHideIsolated: setHideIsolated,
    setYears: setYears,
    visibleNodeIds: function () { return current.nodeView.getIds(); },
    visibleEdgeIds: function () { return current.edgeView.getIds(); },
    selectedNodeIds: function () { return network.getSelectedNodes(); },
    drawnCommunityNames: function () { return current.drawn.communities.slice(); },
    drawnLabels: function () { return current.drawn.labels.slice(); },
    textMs: function () { return current.drawn.ms; }
  };
})();
