/* kgraph serve: the pages' scripts. Data comes as JSON from /api/ and /sparql and
   enters the page only as text (textContent, element properties), never as markup. */
"use strict";

(function () {
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function getJSON(url) {
    return fetch(url, {headers: {Accept: "application/json"}}).then(function (resp) {
      return resp.json().then(function (data) { return {ok: resp.ok, data: data}; });
    });
  }

  function shorten(text, size) {
    text = String(text);
    return text.length <= size ? text : text.slice(0, size - 1) + "\u2026";
  }

  /* names for the search box, as one types */
  function setupSuggestions() {
    var box = document.getElementById("top-search");
    var list = document.getElementById("top-search-names");
    if (!box || !list) { return; }
    var timer = null;
    box.addEventListener("input", function () {
      clearTimeout(timer);
      var text = box.value.trim();
      if (text.length < 2) { list.replaceChildren(); return; }
      timer = setTimeout(function () {
        getJSON("/api/search?limit=8&q=" + encodeURIComponent(text)).then(function (answer) {
          if (!answer.ok || box.value.trim() !== text) { return; }
          list.replaceChildren();
          answer.data.entities.concat(answer.data.papers).slice(0, 10).forEach(function (hit) {
            var option = document.createElement("option");
            option.value = hit.label;
            list.appendChild(option);
          });
        }).catch(function () { list.replaceChildren(); });
      }, 150);
    });
  }

  /* the focus view of an entity page: its neighbours, fetched on demand */
  function setupFocus() {
    var box = document.getElementById("focus");
    if (!box) { return; }
    var note = document.getElementById("focus-note");
    var form = document.getElementById("focus-options");
    var network = null;
    function draw() {
      if (!window.vis || !window.vis.Network) { note.textContent = "The graph view needs vis-network."; return; }
      var url = box.dataset.src + "?depth=" + encodeURIComponent(form.elements.depth.value)
        + (form.elements.papers.checked ? "&papers=1" : "");
      box.dataset.state = "loading";
      getJSON(url).then(function (answer) {
        if (!answer.ok) { note.textContent = "Error: " + answer.data.error; box.dataset.state = "error"; return; }
        var data = answer.data;
        var nodes = new window.vis.DataSet(data.nodes.map(function (n) {
          return {id: n.id, label: shorten(n.label, 32), title: el("div", "tip", n.label + " (" + n.type + ")"),
                  color: n.color, shape: n.shape, size: n.depth === 0 ? 20 : 11, href: n.href,
                  font: {size: n.depth === 0 ? 15 : 12}};
        }));
        var edges = new window.vis.DataSet(data.edges.map(function (e, i) {
          return {id: i, from: e.from, to: e.to, color: {color: e.color},
                  arrows: e.relation === "compared_with" ? "" : "to",
                  title: el("div", "tip", e.relation.replace(/_/g, " ") + " (support " + e.support + ")")};
        }));
        if (network) { network.destroy(); }
        network = new window.vis.Network(box, {nodes: nodes, edges: edges}, {
          physics: {stabilization: {iterations: 200}, barnesHut: {springLength: 120}},
          interaction: {hover: true, tooltipDelay: 150},
          nodes: {borderWidth: 1}, edges: {smooth: false}
        });
        network.once("stabilizationIterationsDone", function () { network.setOptions({physics: false}); });
        network.on("click", function (params) {
          if (params.nodes.length && params.nodes[0] !== data.center) {
            window.location.href = nodes.get(params.nodes[0]).href;
          }
        });
        note.textContent = (data.nodes.length - 1) + " of " + data.total + " neighbours shown"
          + (data.truncated ? " (the nearest)" : "") + "; click one to open it.";
        box.dataset.state = "drawn";
        box.dataset.nodes = String(data.nodes.length);
      }).catch(function (err) { note.textContent = "Error: " + err; box.dataset.state = "error"; });
    }
    form.addEventListener("change", draw);
    form.addEventListener("submit", function (ev) { ev.preventDefault(); draw(); });
    draw();
  }

  /* the SPARQL page: run the query, show the results as a table or as text */
  var MEDIA = {json: "application/sparql-results+json", csv: "text/csv", tsv: "text/tab-separated-values"};

  function termCell(term) {
    var cell = el("td");
    if (!term) { return cell; }
    if (term.type === "uri") {
      var link = el("a", "iri", term.value);
      link.href = "/iri?iri=" + encodeURIComponent(term.value);
      cell.appendChild(link);
    } else {
      cell.textContent = term.value;
      if (term["xml:lang"]) { cell.appendChild(el("span", "lang", "@" + term["xml:lang"])); }
    }
    return cell;
  }

  function resultTable(data) {
    if (typeof data.boolean === "boolean") { return el("p", "boolean", data.boolean ? "true" : "false"); }
    var table = el("table", "rows");
    var head = el("tr");
    data.head.vars.forEach(function (v) { head.appendChild(el("th", null, "?" + v)); });
    table.appendChild(el("thead")).appendChild(head);
    var body = el("tbody");
    data.results.bindings.forEach(function (binding) {
      var row = el("tr");
      data.head.vars.forEach(function (v) { row.appendChild(termCell(binding[v])); });
      body.appendChild(row);
    });
    table.appendChild(body);
    return table;
  }

  function setupSparql() {
    var form = document.getElementById("sparql-form");
    if (!form) { return; }
    var status = document.getElementById("sparql-status");
    var results = document.getElementById("sparql-results");
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var body = new URLSearchParams(new FormData(form));
      var format = body.get("format") || "json";
      status.className = "note";
      status.textContent = "running\u2026";
      results.replaceChildren();
      var started = Date.now();
      fetch("/sparql", {method: "POST", body: body, headers: {Accept: MEDIA[format]}}).then(function (resp) {
        return resp.text().then(function (text) { return {resp: resp, text: text}; });
      }).then(function (got) {
        var resp = got.resp;
        if (!resp.ok) {
          var message = got.text;
          try { message = JSON.parse(got.text).error; } catch (e) { /* not JSON: shown as it is */ }
          status.className = "error";
          status.textContent = "Error " + resp.status + ": " + message;
          return;
        }
        var rows = resp.headers.get("X-Kgraph-Rows");
        var cut = resp.headers.get("X-Kgraph-Truncated") === "true";
        status.textContent = rows + " row" + (rows === "1" ? "" : "s") + (cut ? " (cut at the row limit)" : "")
          + " in " + (Date.now() - started) + " ms";
        var type = resp.headers.get("content-type") || "";
        if (type.indexOf("application/sparql-results+json") === 0) {
          results.appendChild(resultTable(JSON.parse(got.text)));
        } else {
          results.appendChild(el("pre", "raw", got.text));
        }
      }).catch(function (err) {
        status.className = "error";
        status.textContent = "Error: " + err;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupSuggestions();
    setupFocus();
    setupSparql();
  });
}());
