"""The web app: pages, the JSON API under ``/api/`` and the SPARQL endpoint, as one Starlette application.

Everything is read-only and served from this process: pages are rendered by
Jinja2 with autoescape on (every corpus string is escaped), their scripts are
static files (``kgraph/serve/static``, vis-network from pyvis's package) that
fetch JSON; no page holds an inline script, and the Content-Security-Policy
forbids them and any outside source. Requests are bounded (query string,
body, SPARQL text); every error is a JSON object ``{"error": ..., "status": ...}``
(an HTML page for a browser asking for a page), never a traceback.
docs/API.md lists the routes.
"""

from __future__ import annotations

from collections.abc import Iterable
import base64
import hashlib
import re
from http import HTTPStatus
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import query as q
from ..errors import ConfigError, KGraphError, RequestTooLarge
from ..graph import schema as s
from ..graph.analytics import CENTRALITY_MEASURES
from .site import ENTITY_TYPES, SEARCH_TYPES, NotFound, Site, node_href
from .sparql import Busy, QueryRefused, QueryTimeout, SparqlService, WorkerStopped, canned_queries, result_format

MAX_QUERY_STRING = 16 * 1024  # bytes of a URL's query string (a GET SPARQL query included)
MAX_BODY = 64 * 1024  # bytes of a request body (a POSTed SPARQL query)
MAX_PARAM = 500  # characters of a name or other parameter of a page or API call
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
_VENDOR = {  # files of vis-network, as pyvis ships them
    "vis-network.min.js": ("templates/lib/vis-9.1.2/vis-network.min.js", "text/javascript; charset=utf-8"),
    "vis-network.css": ("templates/lib/vis-9.1.2/vis-network.css", "text/css; charset=utf-8"),
}


def create_app(site: Site, *, sparql: SparqlService | None = None, sparql_note: str = "",
               queries: str | Path | None = None, allowed_hosts: Iterable[str] | None = None) -> Starlette:
    """The application serving ``site``; SPARQL through ``sparql`` (else ``sparql_note`` says why there is none).

    ``queries`` is a directory of canned ``.rq`` queries to link on the SPARQL
    page; ``allowed_hosts`` the names the ``Host`` header may give (``None``:
    any), which keeps pages of other sites from reaching a loopback server
    through DNS rebinding.
    """
    pages = _Pages(site, sparql, sparql_note, canned_queries(queries) if queries else [])
    static = resources.files("kgraph.serve").joinpath("static")
    routes = [
        Route("/", pages.home),
        Route("/search", pages.search),
        Route("/entity/{node:path}", pages.entity),
        Route("/paper/{paper:path}", pages.paper),
        Route("/map", pages.method_map),
        Route("/query", pages.questions),
        Route("/query/{question}", pages.questions),
        Route("/sparql", pages.sparql, methods=["GET", "POST"]),
        Route("/iri", pages.iri),
        Route("/api/", pages.api_index),
        Route("/api/stats", pages.api_stats),
        Route("/api/search", pages.api_search),
        Route("/api/resolve", pages.api_resolve),
        Route("/api/entity/{node:path}", pages.api_entity),
        Route("/api/paper/{paper:path}", pages.api_paper),
        Route("/api/neighbours/{node:path}", pages.api_neighbours),
        Route("/api/query/{question}", pages.api_question),
        Route("/api/queries", pages.api_queries),
        Route("/api/queries/{name}", pages.api_query_text),
        Route("/static/vendor/{name}", pages.vendor),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Mount("/static", StaticFiles(directory=str(static)), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={
        HTTPException: pages.http_error, KGraphError: pages.kgraph_error, Exception: pages.server_error,
    })
    app.add_middleware(_Guard, allowed_hosts=tuple(allowed_hosts) if allowed_hosts is not None else None)
    app.state.site = site
    return app


# --------------------------------------------------------------------------- middleware


class _Guard:
    """Bounds on each request, the Host check, and the security headers on every response."""

    def __init__(self, app: Any, allowed_hosts: tuple[str, ...] | None):
        self.app = app
        self.allowed = {h.lower() for h in allowed_hosts} if allowed_hosts is not None else None

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secured(message: dict) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *(h for h in SECURITY_HEADERS if h[0] not in names)]
            await send(message)

        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope.get("headers", [])}
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            status, message = refusal
            await _json_error(status, message)(scope, receive, send_secured)
            return
        await self.app(scope, receive, send_secured)

    def _refusal(self, scope: dict, headers: dict[str, str]) -> tuple[int, str] | None:
        if self.allowed is not None and _host_name(headers.get("host", "")) not in self.allowed:
            return 421, "this server answers only to the names it serves on (a loopback address)"
        if scope["method"] not in ("GET", "HEAD", "POST"):
            return 405, f"method {scope['method']} is not allowed: this server is read-only"
        if len(scope.get("query_string", b"")) > MAX_QUERY_STRING:
            return 414, f"the query string is longer than {MAX_QUERY_STRING} bytes; POST a long SPARQL query"
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            return 413, f"the request body is larger than {MAX_BODY} bytes"
        return None


def _host_name(host: str) -> str:
    """The name of a ``Host`` header, without the port: ``[::1]:8000`` -> ``[::1]``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _json_error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, "status": status, **extra}, status_code=status)


# --------------------------------------------------------------------------- the pages and API


class _Pages:
    def __init__(self, site: Site, sparql: SparqlService | None, sparql_note: str, examples: list[dict[str, Any]]):
        self.site = site
        self.sparql_service = sparql
        self.sparql_note = sparql_note or "no SPARQL store was given"
        self.examples = {ex["name"]: ex for ex in examples}
        self.stats = site.stats()
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("kgraph.serve", "templates"),
            autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        )
        self.env.globals.update(site_name=site.name, stats=self.stats)
        self._maps: dict[str, tuple[str, str]] = {}  # community ("" for all) -> (page, its policy)

    # ------------------------------------------------------------------ helpers

    def render(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("search_text", "")
        return HTMLResponse(self.env.get_template(template).render(**context), status_code=status_code)

    @staticmethod
    def param(request: Request, name: str, default: str | None = None, *, required: bool = False) -> str | None:
        value = request.query_params.get(name)
        if value is None or value.strip() == "":
            if required:
                raise ConfigError(f"give the parameter {name!r}")
            return default
        if len(value) > MAX_PARAM:
            raise ConfigError(f"the parameter {name!r} is longer than {MAX_PARAM} characters")
        return value

    def int_param(self, request: Request, name: str, default: int) -> int:
        value = self.param(request, name)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError:
            raise ConfigError(f"the parameter {name!r} must be a whole number, not {value!r}") from None

    def flag(self, request: Request, name: str, default: bool) -> bool:
        value = self.param(request, name)
        if value is None:
            return default
        return value.lower() in ("1", "true", "yes", "on")

    def type_param(self, request: Request) -> str | None:
        value = self.param(request, "type")
        if value is not None and value not in SEARCH_TYPES:
            raise ConfigError(f"unknown type {value!r}; expected one of {', '.join(SEARCH_TYPES)}")
        return value

    # ------------------------------------------------------------------ errors

    def _error(self, request: Request, status: int, message: str, suggestions: list[dict[str, Any]] | None = None
               ) -> Response:
        if _wants_html(request):
            reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
            return self.render("error.html", status, status=status, reason=reason, message=message,
                               suggestions=suggestions or [])
        extra = {"suggestions": suggestions} if suggestions is not None else {}
        return _json_error(status, message, **extra)

    async def http_error(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        message = {404: f"nothing at {request.url.path}", 405: f"method {request.method} is not allowed here"}.get(
            exc.status_code, str(exc.detail))
        return self._error(request, exc.status_code, message)

    async def kgraph_error(self, request: Request, exc: Exception) -> Response:
        status, suggestions = _status(exc), _suggestions(self.site, exc)
        return self._error(request, status, str(exc), suggestions)

    async def server_error(self, request: Request, exc: Exception) -> Response:
        return self._error(request, 500, f"internal error ({type(exc).__name__}); the server's log has the details")

    # ------------------------------------------------------------------ pages

    def home(self, request: Request) -> Response:
        return self.render("home.html", top=self.site.top(limit=15)["top"])

    def search(self, request: Request) -> Response:
        text = self.param(request, "q", "") or ""
        node_type = self.type_param(request)
        answer = self.site.search(text, type=node_type, limit=self.int_param(request, "limit", 20))
        return self.render("search.html", answer=answer, type=node_type or "", types=SEARCH_TYPES, search_text=text)

    def entity(self, request: Request) -> Response:
        node = request.path_params["node"]
        if node not in self.site.graph:
            found = self.site.resolve(node)  # a name in the address: to its node's page, or 404 with suggestions
            return RedirectResponse(found["href"], status_code=302)
        if self.site.graph.nodes[node].get(s.TYPE) == s.PAPER:
            return RedirectResponse(node_href(node), status_code=302)
        e = self.site.entity(node)
        top_count = max((y["count"] for y in e["papers_by_year"]), default=1)
        return self.render("entity.html", e=e, max_year_count=top_count)

    def paper(self, request: Request) -> Response:
        return self.render("paper.html", p=self.site.paper(request.path_params["paper"]))

    def questions(self, request: Request) -> Response:
        question = request.path_params.get("question")
        form = {name: self.param(request, name) for name in ("task", "subtasks", "source", "target", "name", "type",
                                                            "by", "years", "min_papers")}
        context: dict[str, Any] = {"question": question, "form": form, "answer": None, "error": None,
                                   "suggestions": [], "node_types": ENTITY_TYPES + (s.PAPER,),
                                   "measures": CENTRALITY_MEASURES, "entity_types": ENTITY_TYPES}
        status = 200
        if question is not None:
            try:
                context["answer"] = self.answer(question, request)
            except KGraphError as exc:
                status = _status(exc)
                context.update(error=str(exc), suggestions=_suggestions(self.site, exc) or [])
        return self.render("query.html", status, **context)

    async def sparql(self, request: Request) -> Response:
        if request.method == "GET" and "query" not in request.query_params and "update" not in request.query_params:
            if not _wants_html(request):
                return _json_error(400, "give a SPARQL query as the 'query' parameter (GET) or POST it")
            return self.sparql_page(request)
        if self.sparql_service is None:
            return self._error(request, 503, f"no SPARQL here: {self.sparql_note}")
        params = await _protocol_params(request)
        if "update" in params:
            raise QueryRefused("SPARQL Update is refused: this endpoint is read-only")
        if params.get("default-graph-uri") or params.get("named-graph-uri"):
            raise ConfigError("default-graph-uri and named-graph-uri are not supported: there is one graph")
        queries = params.get("query") or []
        if len(queries) != 1 or not queries[0].strip():
            raise ConfigError("give exactly one SPARQL query")
        formats = params.get("format") or [None]
        fmt = result_format(request.headers.get("accept"), formats[0])
        bindings = _bindings(params)
        answer = await run_in_threadpool(self.sparql_service.query, queries[0], bindings=bindings, format=fmt)
        media = answer.media_type + "; charset=utf-8"
        return Response(answer.body, media_type=media, headers={
            "X-Kgraph-Rows": str(answer.rows), "X-Kgraph-Truncated": "true" if answer.truncated else "false"})

    def sparql_page(self, request: Request) -> Response:
        name = self.param(request, "example")
        example = self.examples.get(name) if name else None
        if name and example is None:
            raise NotFound(f"no canned query named {name!r}")
        text = example["text"] if example else "SELECT ?entity ?label\nWHERE {\n  ?entity a kg:Method ; skos:prefLabel ?label .\n}\nORDER BY ?label\nLIMIT 20\n"
        service = self.sparql_service
        return self.render("sparql.html", available=service is not None, unavailable=self.sparql_note,
                           examples=list(self.examples.values()), example=example, query_text=text,
                           time_limit=f"{service.time_limit:g}" if service else "", max_query=MAX_BODY,
                           row_limit=service.row_limit if service else "")

    def iri(self, request: Request) -> Response:
        """A node's IRI (``.../method/dust3r``, as the RDF export mints them) to its page."""
        iri = self.param(request, "iri", required=True) or ""
        head, _, local = iri.rpartition("/")
        kind = head.rpartition("/")[2]
        node = f"{kind}:{unquote(local)}"
        if kind in SEARCH_TYPES and node in self.site.graph:
            return RedirectResponse(node_href(node), status_code=302)
        raise NotFound(f"{iri} is not the IRI of a node of this graph")

    def method_map(self, request: Request) -> Response:
        """The method map of kgraph's viewer (:func:`kgraph.export.html.dumps_html`), of the graph or one community.

        The page is the viewer's self-contained file: its inline scripts and
        styles are allowed by their SHA-256 hashes, nothing else (its data is
        JSON, which no policy runs).
        """
        community = self.param(request, "community")
        key = community or ""
        if key not in self._maps:
            if len(self._maps) >= 64:
                self._maps.clear()
            self._maps[key] = _hashed_page(self.site.map_page(community=community))
        page, policy = self._maps[key]
        return HTMLResponse(page, headers={"content-security-policy": policy})

    def vendor(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in _VENDOR:
            raise NotFound(f"nothing at {request.url.path}")
        path, media = _VENDOR[name]
        return Response(resources.files("pyvis").joinpath(path).read_bytes(), media_type=media,
                        headers={"Cache-Control": "public, max-age=86400"})

    # ------------------------------------------------------------------ JSON API

    def api_index(self, request: Request) -> Response:
        return JSONResponse({"name": self.site.name, "docs": "docs/API.md", "routes": API_ROUTES})

    def api_stats(self, request: Request) -> Response:
        return JSONResponse(self.stats)

    def api_search(self, request: Request) -> Response:
        text = self.param(request, "q", required=True) or ""
        return JSONResponse(self.site.search(text, type=self.type_param(request),
                                             limit=self.int_param(request, "limit", 20)))

    def api_resolve(self, request: Request) -> Response:
        return JSONResponse(self.site.resolve(self.param(request, "name", required=True) or "",
                                              type=self.type_param(request)))

    def api_entity(self, request: Request) -> Response:
        return JSONResponse(self.site.entity(request.path_params["node"]))

    def api_paper(self, request: Request) -> Response:
        return JSONResponse(self.site.paper(request.path_params["paper"]))

    def api_neighbours(self, request: Request) -> Response:
        return JSONResponse(self.site.neighbours(
            request.path_params["node"], depth=self.int_param(request, "depth", 1),
            papers=self.flag(request, "papers", False), limit=self.int_param(request, "limit", 60)))

    def api_question(self, request: Request) -> Response:
        return JSONResponse(self.answer(request.path_params["question"], request))

    def api_queries(self, request: Request) -> Response:
        return JSONResponse({"queries": [{k: v for k, v in ex.items() if k != "text"}
                                         for ex in self.examples.values()]})

    def api_query_text(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in self.examples:
            raise NotFound(f"no canned query named {name!r}")
        return JSONResponse(self.examples[name])

    def answer(self, question: str, request: Request) -> dict[str, Any]:
        """The answer to one of the questions of `kgraph query`, from the request's parameters."""
        site, param = self.site, self.param
        limit = self.int_param(request, "limit", 20)
        if question == "methods":
            return site.methods(param(request, "task", required=True) or "",
                                subtasks=self.flag(request, "subtasks", True), limit=limit)
        if question == "path":
            return site.path(param(request, "source", required=True) or "",
                             param(request, "target", required=True) or "")
        if question == "related":
            return site.related(param(request, "name", required=True) or "", limit=self.int_param(request, "limit", 10))
        if question == "top":
            by = param(request, "by", "degree") or "degree"
            node_type = param(request, "type")
            return site.top(by=by, type=node_type, limit=self.int_param(request, "limit", 10))
        if question == "trends":
            return site.trends(type=param(request, "type"), limit=limit)
        if question == "emerging":
            return site.emerging(years=self.int_param(request, "years", 3), type=param(request, "type"),
                                 min_papers=self.int_param(request, "min_papers", 3), limit=limit)
        raise NotFound(f"no question named {question!r}; the questions: {', '.join(QUESTIONS)}")


QUESTIONS = ("methods", "path", "related", "top", "trends", "emerging")
API_ROUTES = {
    "/api/stats": "counts of nodes by type and edges by relation",
    "/api/search?q=NAME[&type=T][&limit=N]": "entities and papers by name or alias, closest first",
    "/api/resolve?name=NAME[&type=T]": "the node a name stands for (404 with the closest names)",
    "/api/entity/ID": "an entity: aliases, papers by year, relations grouped by type with evidence",
    "/api/paper/PAPER_ID": "a paper: title, year, authors, abstract, links, relations, citations",
    "/api/neighbours/ID[?depth=1|2][&papers=1][&limit=N]": "a node's neighbourhood as nodes and edges",
    "/api/query/methods?task=T[&subtasks=0][&limit=N]": "methods used for a task (kgraph query methods)",
    "/api/query/path?source=A&target=B": "shortest chain of relations (kgraph query path)",
    "/api/query/related?name=E[&limit=N]": "most related entities with reasons (kgraph query related)",
    "/api/query/top?by=M[&type=T][&limit=N]": "most central nodes (kgraph query top)",
    "/api/query/trends?[type=T][&limit=N]": "papers per year of the most-named entities (kgraph query trends)",
    "/api/query/emerging?[years=N][&type=T][&min_papers=N][&limit=N]":
        "entities whose share of papers grew most (kgraph query emerging)",
    "/api/queries": "the canned SPARQL queries",
    "/api/queries/NAME": "one canned query's text and variables",
    "/sparql": "SPARQL 1.1 Protocol: query= by GET or POST; JSON, CSV or TSV results",
}


_INLINE = re.compile(r"<(script|style)(\s[^>]*)?>(.*?)</\1>", re.DOTALL | re.IGNORECASE)


def _hashed_page(page: str) -> tuple[str, str]:
    """A self-contained page and the policy that allows exactly its inline scripts and styles (CSP hashes).

    ``<script type="application/json">`` blocks are data: no policy runs them,
    none is listed.
    """
    scripts, styles = [], []
    for match in _INLINE.finditer(page):
        tag, attrs, body = match.group(1).lower(), match.group(2) or "", match.group(3)
        if tag == "script" and "application/json" in attrs:
            continue
        digest = "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode() + "'"
        (scripts if tag == "script" else styles).append(digest)
    policy = CONTENT_SECURITY_POLICY.replace("script-src 'self'", "script-src " + " ".join(scripts or ["'none'"]))
    policy = policy.replace("style-src 'self'", "style-src 'self' " + " ".join(styles))
    return page, policy


def _wants_html(request: Request) -> bool:
    """A browser asking for a page (not the API, not a script asking for data)."""
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def _status(exc: Exception) -> int:
    if isinstance(exc, (NotFound, q.EntityNotFound, q.NoPath)):
        return 404
    if isinstance(exc, QueryRefused):
        return 403
    if isinstance(exc, RequestTooLarge):
        return 413
    if isinstance(exc, (QueryTimeout, Busy, WorkerStopped)):
        return 503
    return 400


def _suggestions(site: Site, exc: Exception) -> list[dict[str, Any]] | None:
    """The closest names, for an error about a name that is not there; ``None`` for other errors."""
    if isinstance(exc, NotFound):
        return exc.suggestions
    if isinstance(exc, q.EntityNotFound):
        return [{**site.ref(sug.node.id), "matched": sug.name, "score": sug.score} for sug in exc.suggestions]
    return None


async def _protocol_params(request: Request) -> dict[str, list[str]]:
    """The parameters of a SPARQL Protocol request: query string, form body or a ``application/sparql-query`` body."""
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    if request.method != "POST":
        return params
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await _read_body(request)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError("the request body is not UTF-8") from None
    if media == "application/x-www-form-urlencoded":
        for key, value in parse_qsl(text, keep_blank_values=True, max_num_fields=200):
            params.setdefault(key, []).append(value)
    elif media == "application/sparql-query":
        params.setdefault("query", []).append(text)
    elif media == "application/sparql-update":
        params.setdefault("update", []).append(text)
    else:
        raise ConfigError(f"unsupported content type {media or 'none'!r}: POST application/x-www-form-urlencoded "
                          "or application/sparql-query")
    return params


async def _read_body(request: Request) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise RequestTooLarge(f"the request body is larger than {MAX_BODY} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _bindings(params: dict[str, list[str]]) -> dict[str, Any]:
    """``bind.NAME=VALUE`` parameters as RDF terms (``<IRI>`` an IRI, else a string literal), as ``kgraph sparql -b``."""
    from ..rdf.sparql import parse_binding

    bindings = {}
    for key, values in params.items():
        if key.startswith("bind."):
            name, term = parse_binding(f"{key[len('bind.'):]}={values[-1]}")
            bindings[name] = term
    return bindings
