/* kgraph viewer: filters, search, neighbourhood highlighting and the side panel.
 *
 * Reads the graph from <script type="application/json" id="kg-data"> and the
 * vis-network options from id="kg-options". Corpus text only ever reaches the
 * document as text: textContent, plain-text tooltips, canvas labels.
 * window.kgraph exposes the network and a few functions for tests and benches.
 */
(function () {
  "use strict";

  var LABEL_CHARS = 40;
  var PAPER_LABEL_CHARS = 32;
  var SUGGESTIONS = 12;
  var LIST_ITEMS = 30;
  var DIM_NODE = {background: "rgba(210,210,210,0.3)", border: "rgba(180,180,180,0.3)"};
  var DIM_FONT = {color: "rgba(60,60,60,0.06)", strokeWidth: 0};
  var DIM_EDGE = {color: "rgba(170,170,170,0.1)", highlight: "rgba(170,170,170,0.1)", hover: "rgba(170,170,170,0.1)"};
  var NEAR_PAPER_FONT = {color: "#1f3347", size: 15, strokeWidth: 4};  // paper titles around a selected node

  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var options = JSON.parse(document.getElementById("kg-options").textContent);
  var timings = {firstDraw: null, stable: null};

  var typeStyle = {};
  data.types.forEach(function (t) { typeStyle[t.name] = t; });
  var relationStyle = {};
  data.relations.forEach(function (r) { relationStyle[r.name] = r; });
  var nodeById = new Map();
  data.nodes.forEach(function (n) { nodeById.set(n.id, n); });
  var edgeById = new Map();
  var incident = new Map();
  data.edges.forEach(function (e) {
    edgeById.set(e.id, e);
    [e.from, e.to].forEach(function (end) {
      if (!incident.has(end)) { incident.set(end, []); }
      incident.get(end).push(e);
    });
  });

  var state = {types: {}, relations: {}, minSupport: 1, pinned: null, selected: null};
  data.types.forEach(function (t) { state.types[t.name] = true; });
  data.relations.forEach(function (r) { state.relations[r.name] = true; });

  // ------------------------------------------------------------------ text helpers
  function shorten(text, limit) {
    text = String(text);
    return text.length <= limit ? text : text.slice(0, limit - 1).trimEnd() + "\u2026";
  }
  function plural(n, noun) { return n + " " + noun + (n === 1 ? "" : "s"); }
  function labelOf(id) {
    var n = nodeById.get(id);
    if (n) { return n.label; }
    return Object.prototype.hasOwnProperty.call(data.papers, id) ? data.papers[id] : id;
  }
  function fold(text) {
    return String(text).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/\s+/g, " ").trim();
  }
  function darker(hex) {
    var v = parseInt(hex.slice(1), 16);
    var c = [(v >> 16) & 255, (v >> 8) & 255, v & 255].map(function (x) { return Math.round(x * 0.7); });
    return "rgb(" + c.join(",") + ")";
  }

  // ------------------------------------------------------------------ vis items
  function nodeTooltip(n) {
    var lines = [n.label];
    if (n.type === "paper") {
      lines.push("paper" + (n.year ? " \u00b7 " + n.year : "") + " \u00b7 degree " + n.degree);
      if (n.links && n.links.length) {
        lines.push(n.links.map(function (l) { return l[0]; }).join(" \u00b7 "));
      }
    } else {
      lines.push(n.type + " \u00b7 " + plural(n.support, "paper") + " \u00b7 degree " + n.degree);
      if (n.aliases && n.aliases.length > 1) {
        lines.push("also: " + n.aliases.slice(1, 6).map(function (a) { return a[0]; }).join(", "));
      }
    }
    return lines.join("\n");
  }
  function edgeTooltip(e) {
    var lines = [shorten(labelOf(e.from), 60) + " \u2014" + e.relation + "\u2192 " + shorten(labelOf(e.to), 60),
                 "support " + e.support];
    if (e.evidence.length) { lines.push("\u201c" + shorten(e.evidence[0].sentence, 240) + "\u201d"); }
    return lines.join("\n");
  }
  function nodeColour(n) {
    var fill = (typeStyle[n.type] || {color: "#9e9e9e"}).color;
    return {background: fill, border: darker(fill),
            highlight: {background: fill, border: "#111111"}, hover: {background: fill, border: "#111111"}};
  }
  function edgeColour(e) {
    var colour = (relationStyle[e.relation] || {color: "#7f7f7f"}).color;
    return {color: colour, highlight: colour, hover: colour, opacity: 0.85};
  }
  function nodeFont(n) {
    return n.type === "paper" ? {color: "#3b4a5a", size: 11, strokeWidth: 3} : {color: "#222222", strokeWidth: 3};
  }
  function nodeLabel(n) { return shorten(n.label, n.type === "paper" ? PAPER_LABEL_CHARS : LABEL_CHARS); }
  function nodeItem(n) {
    var item = {
      id: n.id,
      label: nodeLabel(n),
      shape: (typeStyle[n.type] || {shape: "dot"}).shape,
      size: n.size,
      title: nodeTooltip(n),
      color: nodeColour(n),
      font: nodeFont(n),
      borderWidthSelected: 3
    };
    // entities are sized through vis-network's scaling (value), which also grows their
    // labels, so the labels of well-connected entities stay readable when zoomed out
    if (n.type !== "paper") { item.value = n.size; }
    if (n.x !== undefined) { item.x = n.x; item.y = n.y; }
    return item;
  }
  function edgeItem(e) {
    var style = relationStyle[e.relation] || {dashes: null, arrows: "to"};
    var item = {
      id: e.id, from: e.from, to: e.to,
      color: edgeColour(e),
      width: Math.round((1 + Math.log2(e.support)) * 100) / 100,
      dashes: style.dashes || false,
      title: edgeTooltip(e)
    };
    if (!style.arrows) { item.arrows = {to: {enabled: false}}; }  // others follow options.edges.arrows
    if (e.bend) { item.smooth = {enabled: true, type: "curvedCW", roundness: e.bend}; }
    return item;
  }

  var entitySizes = data.nodes.filter(function (n) { return n.type !== "paper"; }).map(function (n) { return n.size; });
  options.nodes.scaling = {
    // value == size: the default linear scaling from [min, max] onto itself
    min: Math.min.apply(null, entitySizes.concat([10])),
    max: Math.max.apply(null, entitySizes.concat([10])),
    label: {enabled: true, min: 12, max: 36, maxVisible: 20, drawThreshold: 6}
  };
  var nodes = new vis.DataSet(data.nodes.map(nodeItem));
  var edges = new vis.DataSet(data.edges.map(edgeItem));

  // ------------------------------------------------------------------ filters
  function nodeVisible(n) {
    return n.id === state.pinned || (state.types[n.type] !== false && n.support >= state.minSupport);
  }
  function edgeVisible(e) {
    return state.relations[e.relation] !== false && e.support >= state.minSupport &&
      nodeVisible(nodeById.get(e.from)) && nodeVisible(nodeById.get(e.to));
  }
  var nodeView = new vis.DataView(nodes, {filter: function (item) { return nodeVisible(nodeById.get(item.id)); }});
  var edgeView = new vis.DataView(edges, {filter: function (item) { return edgeVisible(edgeById.get(item.id)); }});

  var container = document.getElementById("kg-graph");
  var network = new vis.Network(container, {nodes: nodeView, edges: edgeView}, options);

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
    nodeView.refresh();
    edgeView.refresh();
    if (state.selected !== null && nodeVisible(nodeById.get(state.selected))) {
      network.selectNodes([state.selected]);
      highlight(state.selected);
    } else if (state.selected !== null) {
      clearSelection();
    }
  }

  // ------------------------------------------------------------------ highlighting
  var dimmedNodes = new Set();
  var nearPapers = new Set();
  var dimmedEdges = new Set();
  function highlight(id) {
    var keepNodes = new Set([id]);
    var keepEdges = new Set();
    (incident.get(id) || []).forEach(function (e) {
      if (edgeVisible(e)) {
        keepEdges.add(e.id);
        keepNodes.add(e.from);
        keepNodes.add(e.to);
      }
    });
    var nodeUpdates = [];
    data.nodes.forEach(function (n) {
      var dim = !keepNodes.has(n.id);
      var near = !dim && n.type === "paper";
      if (dim !== dimmedNodes.has(n.id) || near !== nearPapers.has(n.id)) {
        if (dim) { dimmedNodes.add(n.id); } else { dimmedNodes.delete(n.id); }
        if (near) { nearPapers.add(n.id); } else { nearPapers.delete(n.id); }
        nodeUpdates.push(dim ? {id: n.id, color: DIM_NODE, font: DIM_FONT, label: ""}
          : {id: n.id, color: nodeColour(n), font: near ? NEAR_PAPER_FONT : nodeFont(n), label: nodeLabel(n)});
      }
    });
    var edgeUpdates = [];
    data.edges.forEach(function (e) {
      var dim = !keepEdges.has(e.id);
      if (dim !== dimmedEdges.has(e.id)) {
        if (dim) { dimmedEdges.add(e.id); } else { dimmedEdges.delete(e.id); }
        edgeUpdates.push({id: e.id, color: dim ? DIM_EDGE : edgeColour(e)});
      }
    });
    if (nodeUpdates.length) { nodes.update(nodeUpdates); }
    if (edgeUpdates.length) { edges.update(edgeUpdates); }
  }
  function unhighlight() {
    if (dimmedNodes.size || nearPapers.size) {
      nodes.update(Array.from(new Set([].concat(Array.from(dimmedNodes), Array.from(nearPapers))), function (id) {
        var n = nodeById.get(id);
        return {id: id, color: nodeColour(n), font: nodeFont(n), label: nodeLabel(n)};
      }));
      dimmedNodes.clear();
      nearPapers.clear();
    }
    if (dimmedEdges.size) {
      edges.update(Array.from(dimmedEdges, function (id) { return {id: id, color: edgeColour(edgeById.get(id))}; }));
      dimmedEdges.clear();
    }
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
    if (!nodeById.has(id)) { return el("span", "kg-offview", shorten(labelOf(id), 160)); }
    var link = el("a", "kg-node-link", shorten(labelOf(id), 160));
    link.href = "#";
    link.setAttribute("role", "button");
    link.dataset.node = id;
    return link;
  }
  function section(title, items, render) {
    var frag = document.createDocumentFragment();
    if (!items || !items.length) { return frag; }
    frag.appendChild(el("h2", null, title + " (" + items.length + ")"));
    var list = el("ul");
    items.slice(0, LIST_ITEMS).forEach(function (item) {
      var li = el("li");
      render(li, item);
      list.appendChild(li);
    });
    if (items.length > LIST_ITEMS) { list.appendChild(el("li", "kg-more", "and " + (items.length - LIST_ITEMS) + " more")); }
    frag.appendChild(list);
    return frag;
  }
  function evidenceBlock(parent, e) {
    e.evidence.forEach(function (item) {
      var quote = el("blockquote", null, item.sentence);
      if (item.paper && (nodeById.has(item.paper) || Object.prototype.hasOwnProperty.call(data.papers, item.paper))) {
        quote.appendChild(document.createTextNode(" \u2014 "));
        quote.appendChild(nodeLink(item.paper));
      }
      parent.appendChild(quote);
    });
    if (e.more) { parent.appendChild(el("div", "kg-more", "and " + plural(e.more, "more sentence"))); }
  }
  function showNode(id) {
    var n = nodeById.get(id);
    details.textContent = "";
    details.appendChild(el("h3", null, n.label));
    var meta = [n.type, n.id];
    details.appendChild(el("div", "kg-meta", meta.join(" \u00b7 ")));
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
        // outward links (DOI, arXiv, OpenAlex, Semantic Scholar), minted by kgraph from checked ids
        var links = el("div", "kg-meta kg-links");
        n.links.forEach(function (l, i) {
          if (i) { links.appendChild(document.createTextNode(" \u00b7 ")); }
          if (/^https?:\/\//i.test(l[1])) {
            var link = el("a", null, l[0]);
            link.href = l[1];
            link.target = "_blank";
            link.rel = "noopener noreferrer";
            links.appendChild(link);
          } else {
            links.appendChild(document.createTextNode(l[0]));
          }
        });
        details.appendChild(links);
      }
      if (n.source) { details.appendChild(el("div", "kg-meta", "source: " + n.source)); }
    } else {
      var stats = [plural(n.support, "paper"), "degree " + n.degree];
      if (n.mentions !== undefined) { stats.push(plural(n.mentions, "mention")); }
      if (n.known_id) { stats.push("known id: " + n.known_id); }
      details.appendChild(el("div", "kg-meta", stats.join(" \u00b7 ")));
      details.appendChild(section("Aliases", n.aliases, function (li, alias) {
        li.textContent = alias[0] + (alias[1] !== null && alias[1] !== undefined ? " (" + alias[1] + ")" : "");
      }));
      details.appendChild(section("Proposed in", n.proposed_in, function (li, pid) { li.appendChild(nodeLink(pid)); }));
      details.appendChild(section("Papers", n.papers, function (li, pid) { li.appendChild(nodeLink(pid)); }));
    }
    var own = (incident.get(id) || []).slice().sort(function (a, b) {
      return a.relation < b.relation ? -1 : a.relation > b.relation ? 1 : b.support - a.support;
    });
    details.appendChild(section("Relations", own, function (li, e) {
      var out = e.from === id;
      li.appendChild(el("span", "kg-rel", out ? e.relation + " \u2192 " : "\u2190 " + e.relation + " "));
      li.appendChild(nodeLink(out ? e.to : e.from));
      li.appendChild(el("span", "kg-support", " \u00b7 support " + e.support));
      evidenceBlock(li, e);
    }));
  }
  function showEdge(id) {
    var e = edgeById.get(id);
    details.textContent = "";
    var head = el("h3");
    head.appendChild(nodeLink(e.from));
    head.appendChild(document.createTextNode(" \u2014" + e.relation + "\u2192 "));
    head.appendChild(nodeLink(e.to));
    details.appendChild(head);
    var facts = ["support " + e.support];
    if (e.extractors.length) { facts.push("extractors: " + e.extractors.join(", ")); }
    details.appendChild(el("div", "kg-meta", facts.join(" \u00b7 ")));
    if (e.evidence.length) { details.appendChild(el("h2", null, "Evidence")); }
    evidenceBlock(details, e);
  }
  details.addEventListener("click", function (event) {
    var link = event.target.closest("a.kg-node-link");
    if (link) {
      event.preventDefault();
      focusNode(link.dataset.node);
    }
  });

  // ------------------------------------------------------------------ selection
  function selectNode(id) {
    state.selected = id;
    highlight(id);
    showNode(id);
  }
  function clearSelection() {
    state.selected = null;
    network.unselectAll();
    unhighlight();
    details.textContent = "";
    if (state.pinned !== null) {
      state.pinned = null;
      refresh();
    }
  }
  function focusNode(id, animate) {
    if (!nodeById.has(id)) { return false; }
    if (!nodeVisible(nodeById.get(id))) {
      state.pinned = id;  // chosen explicitly: shown even where a filter hides its kind
      nodeView.refresh();
      edgeView.refresh();
    }
    network.selectNodes([id]);
    selectNode(id);
    network.focus(id, {scale: Math.max(network.getScale(), 1.1),
                       animation: animate === false ? false : {duration: 450, easingFunction: "easeInOutQuad"}});
    return true;
  }
  network.on("click", function (params) {
    if (params.nodes.length) {
      selectNode(params.nodes[0]);
    } else if (params.edges.length) {
      state.selected = null;
      unhighlight();
      showEdge(params.edges[0]);
    } else {
      clearSelection();
    }
  });
  network.on("dragEnd", function (params) {
    if (params.nodes.length) {  // keep dragged nodes where they were left when filters re-add them
      var moved = network.getPositions(params.nodes);
      nodes.update(params.nodes.map(function (id) { return {id: id, x: moved[id].x, y: moved[id].y}; }));
    }
  });

  // ------------------------------------------------------------------ search
  var index = null;
  function buildIndex() {
    index = [];
    data.nodes.forEach(function (n) {
      var seen = new Set();
      [n.label].concat((n.aliases || []).map(function (a) { return a[0]; })).forEach(function (text) {
        var key = fold(text);
        if (key && !seen.has(key)) {
          seen.add(key);
          index.push({key: key, text: text, node: n});
        }
      });
      if (!seen.has(fold(n.id))) { index.push({key: fold(n.id), text: n.id, node: n}); }
    });
  }
  function search(query) {
    var q = fold(query);
    if (!q) { return []; }
    if (index === null) { buildIndex(); }
    var best = new Map();
    index.forEach(function (entry) {
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
      chip.style.background = (typeStyle[hit.type] || {color: "#9e9e9e"}).color;
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

  // ------------------------------------------------------------------ legend filters and buttons
  document.querySelectorAll("#kg-types input[data-type]").forEach(function (box) {
    box.addEventListener("change", function () { setTypeVisible(box.dataset.type, box.checked); });
  });
  document.querySelectorAll("#kg-relations input[data-relation]").forEach(function (box) {
    box.addEventListener("change", function () { setRelationVisible(box.dataset.relation, box.checked); });
  });
  var slider = document.getElementById("kg-min-support");
  var sliderValue = document.getElementById("kg-min-support-value");
  slider.addEventListener("input", function () { setMinSupport(Number(slider.value)); });
  function setTypeVisible(type, visible) { state.types[type] = Boolean(visible); syncControls(); refresh(); }
  function setRelationVisible(relation, visible) { state.relations[relation] = Boolean(visible); syncControls(); refresh(); }
  function setMinSupport(value) { state.minSupport = Math.max(1, Number(value) || 1); syncControls(); refresh(); }
  function syncControls() {
    document.querySelectorAll("#kg-types input[data-type]").forEach(function (box) {
      box.checked = state.types[box.dataset.type] !== false;
    });
    document.querySelectorAll("#kg-relations input[data-relation]").forEach(function (box) {
      box.checked = state.relations[box.dataset.relation] !== false;
    });
    slider.value = String(state.minSupport);
    sliderValue.textContent = String(state.minSupport);
  }
  document.getElementById("kg-fit").addEventListener("click", function () {
    network.fit({animation: {duration: 400, easingFunction: "easeInOutQuad"}});
  });
  var panel = document.getElementById("kg-panel");
  document.getElementById("kg-panel-toggle").addEventListener("click", function () {
    panel.classList.toggle("kg-hidden");
    network.setSize("100%", "100%");
    network.redraw();
  });

  // ------------------------------------------------------------------ arrow heads on large graphs
  // Arrow heads cost canvas time and cannot be told apart from afar: large graphs
  // show them only once zoomed in.
  var ARROWS_FROM_SCALE = 0.6;
  var arrowsOn = !data.large;
  function updateArrows() {
    var wanted = !data.large || network.getScale() >= ARROWS_FROM_SCALE;
    if (wanted !== arrowsOn) {
      arrowsOn = wanted;
      network.setOptions({edges: {arrows: {to: {enabled: wanted}}}});
    }
  }
  if (data.large) { network.on("afterDrawing", updateArrows); }

  // ------------------------------------------------------------------ timings, start
  // The layout comes precomputed and physics is off: the first frame is the stable one.
  network.once("afterDrawing", function () {
    timings.firstDraw = timings.stable = performance.now();
  });
  if (data.focus !== null && nodeById.has(data.focus)) {
    network.selectNodes([data.focus]);
    selectNode(data.focus);
  }

  window.kgraphNetwork = network;
  window.kgraph = {
    network: network,
    nodes: nodes,
    edges: edges,
    nodeView: nodeView,
    edgeView: edgeView,
    timings: timings,
    search: search,
    focusNode: focusNode,
    setTypeVisible: setTypeVisible,
    setRelationVisible: setRelationVisible,
    setMinSupport: setMinSupport,
    visibleNodeIds: function () { return nodeView.getIds(); },
    visibleEdgeIds: function () { return edgeView.getIds(); },
    selectedNodeIds: function () { return network.getSelectedNodes(); }
  };
})();
