"""kgraph serve: the JSON API, the SPARQL endpoint and the pages, over HTTP against a server on loopback.

The server runs in a thread of the test process on a free loopback port; one
test starts `kgraph serve` itself. The graph is kgraph.query's example graph
plus a hostile paper and method (``serve_dir`` in conftest.py), so every
answer is known; one test serves a real build of the hostile corpus.
"""

from __future__ import annotations

import doctest
import importlib
import re
import signal
import subprocess
import sys
import time
from functools import partial
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from click.testing import CliRunner

from kgraph import query as q
from kgraph.cli import cli
from kgraph.export.json import read_graph_json
from kgraph.serve import NotFound, Running, Site, is_loopback, open_served
from kgraph.serve.app import API_ROUTES, CONTENT_SECURITY_POLICY, MAX_BODY, MAX_QUERY_STRING

ROOT = Path(__file__).resolve().parents[1]
HOSTILE_CORPUS = Path(__file__).parent / "data" / "reliability"
CORPUS = ROOT / "data" / "000_6f416096fe93fe6b.txt"
FAST3R = "method:fast-3d-reconstruction"
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
KGRAPH = str(Path(sys.executable).parent / "kgraph")
TIME_LIMIT = 2.0
ROW_LIMIT = 50


@pytest.fixture(scope="module")
def served(serve_dir):
    served = open_served(serve_dir, workers=1, time_limit=TIME_LIMIT, row_limit=ROW_LIMIT)
    yield served
    served.close()


@pytest.fixture(scope="module")
def server(served):
    running = Running(served.app(queries=ROOT / "examples" / "queries"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=60) as http:
        yield http


@pytest.fixture(scope="module")
def G(serve_dir):
    return read_graph_json(serve_dir / "graph.json")


def _json(response: httpx.Response, status: int = 200):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize("module", ["kgraph.serve.site", "kgraph.serve.sparql", "kgraph.serve.server"])
def test_serve_docstring_examples_run(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def _variants(name: str) -> list[str]:
    return [name, name.upper(), name.lower(), name.replace(" ", "-"), f"  {name} "]


def _find_entity(G, name: str, *, type: str | None = None) -> dict:
    return {"id": q.find_entity(G, name, type=type).id}


def _found(resolve, name: str) -> str | None:
    """The id a resolver gives ``name``, or None where it finds nothing."""
    try:
        return resolve(name)["id"]
    except (NotFound, q.EntityNotFound):
        return None


def test_serve_site_resolves_every_name_as_kgraph_query_does(G):
    site = Site(G)
    for node, data in G.nodes(data=True):
        for name in [data.get("label") or "", *(data.get("aliases") or ())]:
            for variant in _variants(str(name)):
                if not variant.strip():
                    continue
                expected = _found(partial(_find_entity, G), variant.strip())
                assert _found(site.resolve, variant) == expected, variant
                for kind in ("method", "task", "dataset", "paper"):
                    expected = _found(partial(_find_entity, G, type=kind), variant.strip())
                    assert _found(partial(site.resolve, type=kind), variant) == expected, (variant, kind)
        assert site.resolve(node)["id"] == node


@pytest.fixture(scope="module")
def real_build(rules_nlp, tmp_path_factory) -> Path:
    """The hostile corpus, its harmless companion and the bundled corpus, built by the rule pipeline."""
    from kgraph.config import Config
    from kgraph.run import build

    out = tmp_path_factory.mktemp("serve-real")
    inputs = (HOSTILE_CORPUS / "hostile.jsonl", HOSTILE_CORPUS / "good.jsonl", CORPUS)
    build(config=Config(inputs=inputs, output_dir=out, outputs=("json", "nt"), processes=1, use_cache=False),
          nlp=rules_nlp)
    return out


def test_serve_site_resolves_a_real_build_as_kgraph_query_does(real_build):
    G = read_graph_json(real_build / "graph.json")
    site = Site(G)
    names = sorted({str(n) for _, d in G.nodes(data=True) for n in [d.get("label"), *(d.get("aliases") or ())] if n})
    for name in names[::15]:  # a sample of the names, in three variants: find_entity scans the whole graph
        for variant in _variants(name)[:3]:
            assert _found(site.resolve, variant) == _found(partial(_find_entity, G), variant), variant


# --------------------------------------------------------------------------- API


def test_serve_api_search_exact_and_typo_tolerant(client):
    exact = _json(client.get("/api/search", params={"q": "fast3r"}))
    assert exact["exact"]["id"] == FAST3R
    assert exact["entities"][0]["id"] == FAST3R
    typo = _json(client.get("/api/search", params={"q": "Fsat3R"}))
    assert typo["exact"] is None
    assert typo["entities"][0]["id"] == FAST3R
    assert {"method:dust3r", "method:must3r"} <= {hit["id"] for hit in typo["entities"]}
    papers = _json(client.get("/api/search", params={"q": "MUSt3R: Multi-view Network", "type": "paper"}))
    assert papers["papers"][0]["id"] == "paper:must3r" and papers["entities"] == []


def test_serve_api_resolve_and_unknown_names(client):
    assert _json(client.get("/api/resolve", params={"name": "Fast 3D reconstruction"}))["id"] == FAST3R
    missing = _json(client.get("/api/resolve", params={"name": "Fsat3R"}), 404)
    assert missing["error"] == str(pytest.raises(q.EntityNotFound, q.find_entity, q.example_graph(), "Fsat3R").value)
    assert missing["suggestions"][0]["id"] == FAST3R


def test_serve_api_entity_has_aliases_papers_by_year_and_grouped_relations(client, G):
    e = _json(client.get("/api/entity/method:dust3r"))
    assert e["node"] == {"id": "method:dust3r", "type": "method", "label": "DUSt3R", "href": "/entity/method:dust3r"}
    assert e["aliases"] == [{"name": "DUSt3R", "count": 3}]
    assert [(y["year"], y["count"]) for y in e["papers_by_year"]] == [(2025, 2)]
    assert {p["id"]: p["relation"] for p in e["papers_by_year"][0]["papers"]} == {
        "paper:fast3r": "mentions", "paper:must3r": "uses"}
    extends = next(g for g in e["relations"] if g["relation"] == "extends")
    heads = {st["head"]["id"] for st in extends["statements"]}
    assert heads == {FAST3R, "method:must3r", "method:xssnet"}
    fast3r = next(st for st in extends["statements"] if st["head"]["id"] == FAST3R)
    assert fast3r["sentence"] == "Fast 3D Reconstruction extends DUSt3R"
    assert fast3r["evidence"][0]["paper"]["href"] == "/paper/fast3r"
    assert fast3r["evidence"][0]["sentence"].startswith("We propose Fast 3D Reconstruction")
    assert e["neighbours"] == "/api/neighbours/method:dust3r"
    shown = q.show(G, "method:dust3r")
    assert sum(g["count"] for g in e["relations"]) == len(shown.relations)


def test_serve_api_paper_links_only_checked_urls(client):
    p = _json(client.get("/api/paper/fast3r"))
    assert p["node"]["label"].startswith("Fast3R") and p["year"] == 2025
    assert {g["relation"] for g in p["relations"]} == {"proposes", "addresses", "mentions"}
    hostile = _json(client.get("/api/paper/" + quote("xss <b>&amp;", safe="")))
    assert hostile["url"] is None  # javascript: is no link
    assert hostile["links"] == [{"kind": "doi", "url": "https://doi.org/10.1000/a%3Cb%3E%23c"}]
    assert hostile["node"]["href"] == "/paper/xss%20%3Cb%3E%26amp%3B"
    assert _json(client.get(hostile["node"]["href"].replace("/paper/", "/api/paper/")))["node"]["id"] == "paper:xss <b>&amp;"


def test_serve_api_neighbours_is_a_focus_view(client):
    n = _json(client.get("/api/neighbours/method:dust3r"))
    assert n["center"] == "method:dust3r"
    assert {node["id"] for node in n["nodes"]} == {"method:dust3r", FAST3R, "method:must3r", "method:xssnet"}
    assert all(node["color"].startswith("#") and node["href"] for node in n["nodes"])
    assert {(e["from"], e["relation"], e["to"]) for e in n["edges"]} == {
        (FAST3R, "extends", "method:dust3r"), ("method:must3r", "extends", "method:dust3r"),
        ("method:xssnet", "extends", "method:dust3r")}
    deeper = _json(client.get("/api/neighbours/method:dust3r", params={"depth": 2, "papers": 1, "limit": 3}))
    assert len(deeper["nodes"]) == 4 and deeper["truncated"]
    _json(client.get("/api/neighbours/method:dust3r", params={"depth": 5}), 400)


def test_serve_api_questions_answer_as_kgraph_query(client, G):
    methods = _json(client.get("/api/query/methods", params={"task": "3d reconstruction"}))
    assert [m["method"]["id"] for m in methods["methods"]] == [
        a.method.id for a in q.methods_for_task(G, "3D reconstruction")]
    path = _json(client.get("/api/query/path", params={"source": "MUSt3R", "target": "camera pose estimation"}))
    assert [st["sentence"] for st in path["steps"]] == [
        st.sentence for st in q.shortest_path(G, "MUSt3R", "camera pose estimation").steps]
    related = _json(client.get("/api/query/related", params={"name": "Fast3R", "limit": 3}))
    assert [(r["entity"]["id"], r["score"]) for r in related["related"]] == [
        (r.entity.id, r.score) for r in q.related(G, "Fast3R", limit=3)]
    top = _json(client.get("/api/query/top", params={"by": "support", "type": "method", "limit": 2}))
    assert [(r["node"]["id"], r["score"]) for r in top["top"]] == [
        (r.node.id, r.score) for r in q.top(G, by="support", type="method", limit=2)]
    assert "measure" in _json(client.get("/api/query/top", params={"by": "nonsense"}), 400)["error"]
    trends = _json(client.get("/api/query/trends", params={"type": "method", "limit": 2}))
    assert [(t["entity"]["id"], t["papers"], [(y["year"], y["papers"]) for y in t["by_year"]]) for t in trends["trends"]] \
        == [(t.entity.id, t.papers, list(t.by_year)) for t in q.trends(G, type="method", limit=2)]
    assert trends["years"] == [2024, 2025]
    emerging = _json(client.get("/api/query/emerging", params={"years": 1, "min_papers": 1}))
    assert [(e["entity"]["id"], e["growth"]) for e in emerging["emerging"]] == [
        (e.entity.id, e.growth) for e in q.emerging(G, years=1, min_papers=1, limit=20)]
    assert _json(client.get("/api/query/nonsense"), 404)["error"].startswith("no question named 'nonsense'")


def test_serve_api_index_and_docs_list_the_same_routes(client):
    index = _json(client.get("/api/"))
    assert index["routes"] == API_ROUTES
    docs = (ROOT / "docs" / "API.md").read_text(encoding="utf-8")
    for route in API_ROUTES:
        assert route.split("?")[0].split("[")[0] in docs, route


# --------------------------------------------------------------------------- safety


@pytest.mark.parametrize(("method", "path", "kwargs", "status"), [
    ("GET", "/api/nothing", {}, 404),
    ("GET", "/api/entity/method:none", {}, 404),
    ("GET", "/api/search", {}, 400),
    ("GET", "/api/search?q=x&limit=many", {}, 400),
    ("GET", "/api/search?q=x&type=person", {}, 400),
    ("GET", "/api/search?q=" + "x" * 600, {}, 400),
    ("GET", "/api/query/path?source=Fast3R", {}, 400),
    ("GET", "/api/query/path?source=Fast3R&target=zzzz", {}, 404),
    ("PUT", "/api/stats", {}, 405),
    ("DELETE", "/sparql", {}, 405),
    ("POST", "/api/stats", {}, 405),
    ("GET", "/api/stats?" + "a" * (MAX_QUERY_STRING + 10), {}, 414),
    ("POST", "/sparql", {"content": b"x" * (MAX_BODY + 1), "headers": {"content-type": "application/sparql-query"}},
     413),
    ("POST", "/sparql", {"content": b"query=ASK{}", "headers": {"content-type": "text/plain"}}, 400),
    ("GET", "/api/stats", {"headers": {"host": "attacker.example"}}, 421),
])
def test_serve_errors_are_json_with_a_message_never_a_traceback(client, method, path, kwargs, status):
    response = client.request(method, path, **kwargs)
    body = _json(response, status)
    assert body["status"] == status and body["error"]
    assert "Traceback" not in response.text and 'File "' not in response.text
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_serve_every_response_carries_the_security_headers(client):
    for path in ("/", "/static/serve.js", "/api/stats", "/sparql?query=ASK%7B%7D", "/nothing"):
        headers = client.get(path).headers
        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert "script-src 'self'" in CONTENT_SECURITY_POLICY and "unsafe" not in CONTENT_SECURITY_POLICY
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"


class _Tags(HTMLParser):
    """The tags and attributes of a page, as a browser's parser sees them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _check_inert(page: str) -> str:
    """Assert a page holds only kgraph's own markup; its text."""
    parser = _Tags()
    parser.feed(page)
    for tag, attrs in parser.tags:
        assert tag not in ("img", "iframe", "svg", "object", "embed", "style", "base", "b"), (tag, attrs)
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/"), attrs
        for name in ("href", "src", "action"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:", "vbscript:")), (tag, attrs)
    assert "<!-- x -->" not in page and "{{7*7}}" in "".join(parser.text) + "{{7*7}}"
    return "".join(parser.text)


def test_serve_pages_keep_hostile_corpus_text_inert(client):
    from conftest import SERVE_FLAG

    pages = ["/", "/entity/method:xssnet", "/paper/xss%20%3Cb%3E%26amp%3B", "/entity/method:dust3r",
             "/search?q=" + httpx.QueryParams({"x": SERVE_FLAG})["x"], "/query/related?name=XSSNet",
             "/query/methods?task=" + SERVE_FLAG, "/entity/" + SERVE_FLAG.replace("/", "%2F")]
    seen = []
    for path in pages:
        response = client.get(path, headers={"accept": "text/html"}, follow_redirects=True)
        assert response.status_code in (200, 404), (path, response.text)
        assert response.headers["content-type"].startswith("text/html")
        seen.append(_check_inert(response.text))
    text = "\n".join(seen)
    assert SERVE_FLAG in text and "window.kgraphXss=5" in text  # shown, as text
    assert "<script>window.kgraphXss" not in "".join(client.get("/entity/method:xssnet").text.split("&lt;"))


def test_serve_hostile_corpus_build_pages_are_inert(real_build):
    served = open_served(real_build, sparql=False)
    running = Running(served.app())
    G = served.site.graph
    hostile = {n for n, d in G.nodes(data=True) if d.get("source") and "hostile" in str(d.get("source"))}
    assert any("<script>" in str(G.nodes[n].get("label")) for n in hostile)
    shown = hostile | {other for n in hostile for other in (*G.successors(n), *G.predecessors(n))}
    try:
        with httpx.Client(base_url=running.url, timeout=60) as http:
            for node in sorted(shown):
                href = served.site.ref(node)["href"]
                response = http.get(href, headers={"accept": "text/html"})
                assert response.status_code == 200, (node, response.text)
                _check_inert(response.text)
                api = http.get(href.replace("/entity/", "/api/entity/").replace("/paper/", "/api/paper/"))
                assert api.json()["node"]["id"] == node
    finally:
        running.stop()
        served.close()


# --------------------------------------------------------------------------- SPARQL


def test_serve_sparql_protocol_get_and_post_in_json_csv_tsv(client):
    query = "SELECT ?label WHERE { ?m a kg:Method ; skos:prefLabel ?label } ORDER BY ?label"
    got = client.get("/sparql", params={"query": query}, headers={"accept": "application/sparql-results+json"})
    assert got.status_code == 200 and got.headers["content-type"].startswith("application/sparql-results+json")
    labels = [b["label"]["value"] for b in got.json()["results"]["bindings"]]
    assert "DUSt3R" in labels and "MUSt3R" in labels
    form = client.post("/sparql", data={"query": query}, headers={"accept": "text/csv"})
    assert form.headers["content-type"].startswith("text/csv")
    assert form.text.splitlines()[0] == "label" and "DUSt3R" in form.text.splitlines()
    direct = client.post("/sparql", content=query.encode(), headers={
        "content-type": "application/sparql-query", "accept": "text/tab-separated-values"})
    assert direct.headers["content-type"].startswith("text/tab-separated-values")
    assert direct.text.splitlines()[:1] == ["?label"] and '"DUSt3R"' in direct.text.splitlines()
    assert client.get("/sparql", params={"query": query, "format": "csv"}).text == form.text
    ask = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert ask.json() == {"head": {}, "boolean": True}
    construct = client.get("/sparql", params={
        "query": "CONSTRUCT { ?m skos:prefLabel ?l } WHERE { ?m a kg:Method ; skos:prefLabel ?l }"})
    assert construct.headers["content-type"].startswith("application/n-triples")
    assert '<https://w3id.org/kgraph/method/dust3r> <http://www.w3.org/2004/02/skos/core#prefLabel> "DUSt3R" .' \
        in construct.text.splitlines()


def test_serve_sparql_canned_query_with_a_bound_value(client):
    listed = _json(client.get("/api/queries"))["queries"]
    assert {"name": "methods-for-task", "title": "Methods for a task.", "variables": ["task_name"]} in listed
    text = _json(client.get("/api/queries/methods-for-task"))["text"]
    answer = client.post("/sparql", data={"query": text, "bind.task_name": "3D reconstruction"})
    labels = {b["label"]["value"] for b in answer.json()["results"]["bindings"]}
    assert {"Fast 3D Reconstruction", "MUSt3R"} <= labels
    hostile = client.post("/sparql", data={"query": text, "bind.task_name": '" } } ; DROP ALL #'})
    assert hostile.status_code == 200 and hostile.json()["results"]["bindings"] == []


@pytest.mark.parametrize(("request_kwargs", "status", "words"), [
    ({"method": "POST", "data": {"update": "INSERT DATA { <a:b> <a:c> <a:d> }"}}, 403, "read-only"),
    ({"method": "POST", "content": b"DROP ALL", "headers": {"content-type": "application/sparql-update"}}, 403,
     "read-only"),
    ({"method": "POST", "data": {"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}}, 403, "read-only"),
    ({"method": "GET", "params": {"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"}},
     400, "SERVICE"),
    ({"method": "GET", "params": {"query": "SELEC nothing"}}, 400, "query failed"),
    ({"method": "GET", "params": {"query": "ASK {}", "default-graph-uri": "http://x/"}}, 400, "not supported"),
    ({"method": "GET", "params": {"query": "ASK {}", "format": "xml"}}, 400, "result format"),
])
def test_serve_sparql_refuses_updates_service_and_bad_queries(client, request_kwargs, status, words):
    kwargs = dict(request_kwargs)
    response = client.request(kwargs.pop("method"), "/sparql", **kwargs)
    assert _json(response, status)["error"] and words in response.json()["error"]
    assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_serve_sparql_results_are_cut_at_the_row_limit(client):
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert len(response.json()["results"]["bindings"]) == ROW_LIMIT
    assert response.headers["x-kgraph-rows"] == str(ROW_LIMIT) and response.headers["x-kgraph-truncated"] == "true"
    small = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"})
    assert small.headers["x-kgraph-truncated"] == "false"


def test_serve_sparql_endless_query_is_stopped_at_the_time_limit(client):
    client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})  # the worker is up
    started = time.monotonic()
    response = client.post("/sparql", data={"query": ENDLESS})
    took = time.monotonic() - started
    body = _json(response, 503)
    assert "time limit" in body["error"]
    assert TIME_LIMIT <= took < TIME_LIMIT + 10
    # a fresh worker answers the next query
    assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_serve_sparql_on_a_store_directory(serve_dir, tmp_path, G):
    from kgraph.rdf import load_store

    store = tmp_path / "kg.oxigraph"
    load_store(serve_dir, store)
    served = open_served(store, workers=1, time_limit=TIME_LIMIT)
    try:
        assert served.store == store
        assert set(served.site.graph.nodes) == set(G.nodes)
        assert set(served.site.graph.edges(keys=True)) == set(G.edges(keys=True))
        answer = served.sparql.query("SELECT ?l WHERE { ?m a kg:Method ; skos:prefLabel ?l }", format="csv")
        assert "DUSt3R" in answer.body.splitlines()
    finally:
        served.close()
    assert store.is_dir()  # served, not touched


# --------------------------------------------------------------------------- pages, CLI


def test_serve_pages_render(client):
    home = client.get("/", headers={"accept": "text/html"})
    assert home.status_code == 200 and "DUSt3R" in home.text
    entity = client.get("/entity/method:dust3r")
    assert 'data-src="/api/neighbours/method:dust3r"' in entity.text and "We propose Fast 3D Reconstruction" in entity.text
    assert client.get("/entity/dust3r", follow_redirects=False).headers["location"] == "/entity/method:dust3r"
    assert client.get("/entity/paper:fast3r", follow_redirects=False).headers["location"] == "/paper/fast3r"
    missing = client.get("/entity/Fsat3R", headers={"accept": "text/html"})
    assert missing.status_code == 404 and "Fast 3D Reconstruction" in missing.text
    path = client.get("/query/path", params={"source": "MUSt3R", "target": "camera pose estimation"})
    assert path.text.count('class="statement"') == 3
    for question, params in (("trends", {"type": "method"}), ("emerging", {"years": 1, "min_papers": 1})):
        page = client.get(f"/query/{question}", params=params)
        assert page.status_code == 200 and 'id="answer"' in page.text and "DUSt3R" in page.text
    sparql = client.get("/sparql", params={"example": "methods-for-task"}, headers={"accept": "text/html"})
    assert 'name="bind.task_name"' in sparql.text and "kg:Task" in sparql.text
    assert client.get("/static/vendor/vis-network.min.js").status_code == 200
    assert client.get("/iri", params={"iri": "https://w3id.org/kgraph/method/dust3r"},
                      follow_redirects=False).headers["location"] == "/entity/method:dust3r"


def test_serve_method_map_runs_only_its_own_inline_code(client):
    page = client.get("/map")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    scripts = policy.split("script-src ", 1)[1].split(";")[0].split()
    assert scripts and all(s.startswith("'sha256-") for s in scripts) and "unsafe" not in policy
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy
    assert "\\u003cimg src=y" in page.text or "\\u003cimg" in page.text  # hostile labels travel as JSON data
    community = client.get("/map", params={"community": 0})
    assert community.status_code == 200 and community.headers["content-security-policy"].count("'sha256-") >= 2
    assert _json(client.get("/map", params={"community": "x"}), 400)["error"].startswith("community must be")
    assert _json(client.get("/map", params={"community": 999}), 404)["error"] == "no community numbered 999"


def test_serve_loopback_hosts():
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "192.0.2.1", "example.org"))


def test_serve_cli_help_and_a_missing_directory(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0 and "--host" in result.output and "loopback" in result.output
    result = runner.invoke(cli, ["serve", str(tmp_path / "none")])
    assert result.exit_code == 1 and "Error:" in result.output and "no such file" in result.output


def test_serve_cli_warns_before_serving_beyond_loopback(serve_dir):
    # 192.0.2.1 (TEST-NET-1) is no address of this machine: the warning comes, then listening fails
    result = subprocess.run([KGRAPH, "serve", str(serve_dir), "--host", "192.0.2.1", "--port", "8765", "--no-sparql"],
                            check=False, capture_output=True, text=True, timeout=120)
    assert "warning: serving on 192.0.2.1" in result.stderr
    assert result.returncode != 0


def test_serve_cli_serves_a_build_on_loopback(serve_dir):
    from kgraph.serve.server import free_port

    port = free_port()
    process = subprocess.Popen([KGRAPH, "serve", str(serve_dir), "--port",
                                str(port), "--sparql-timeout", "5"], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                stats = httpx.get(f"http://127.0.0.1:{port}/api/stats", timeout=5)
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        assert stats.json()["nodes"] == 11
        ask = httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=60)
        assert ask.json()["boolean"] is True
    finally:
        process.send_signal(signal.SIGINT)
        try:
            _, err = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            _, err = process.communicate()
    assert f"on http://127.0.0.1:{port}/" in err
    assert "warning" not in err and "Traceback" not in err


def test_serve_readme_documents_the_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Serve\n", 1)[1].split("\n## ", 1)[0]
    assert "kgraph serve" in section and "docs/API.md" in section
    assert re.search(r"127\.0\.0\.1", section)


def test_serve_broken_rdf_is_an_error_naming_the_file_and_leaves_no_temporary_store(serve_dir, tmp_path):
    import shutil
    import tempfile

    from kgraph.errors import CorpusFormatError

    broken = tmp_path / "broken"
    broken.mkdir()
    shutil.copy(serve_dir / "graph.json", broken / "graph.json")
    (broken / "graph.nt").write_text("<https://example.org/a> <https://example.org/b> .\n", encoding="utf-8")
    before = set(Path(tempfile.gettempdir()).glob("kgraph-serve-*"))
    with pytest.raises(CorpusFormatError) as caught:
        open_served(broken, workers=1)
    assert str(broken / "graph.nt") in str(caught.value)
    assert set(Path(tempfile.gettempdir()).glob("kgraph-serve-*")) == before
