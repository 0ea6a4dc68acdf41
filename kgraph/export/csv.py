"""CSV node and edge tables: one row per node, one per edge, for spreadsheets and Neo4j.

``nodes.csv`` has a column ``:ID`` (the node id), ``:LABEL`` (``Paper``, or
``Method;Entity``, ``Task;Entity``, ``Dataset;Entity``) and one column per
node attribute; ``edges.csv`` has ``:START_ID``, ``:END_ID``, ``:TYPE`` (the
edge key: its relation) and one column per edge attribute. The headers are
those ``neo4j-admin database import`` reads: each attribute column is
``name:type``, the type inferred from the values of the whole column:

* ``int`` (``long`` where a value needs 64 bits), ``double``, ``boolean``,
  ``string``;
* ``string[]``, ``int[]`` (``long[]``): lists, their items joined by ``;``
  (Neo4j's array delimiter), a ``;`` or ``\\`` inside an item written ``\\;``
  or ``\\\\`` (Neo4j keeps such an item's backslashes and splits it; kgraph's
  lists rarely hold a ``;``);
* anything else (``evidence``: a list of objects; a column mixing types) as
  JSON text in a column ``<name>_json:string`` (so is any attribute whose
  name ends in ``_json``, to keep the names apart).

Every value is quoted; an absent value (``None``, or an attribute the node
does not have) is an empty unquoted field, so an empty string (``""``) stays
apart from no value, as Neo4j reads them. A text cell that a spreadsheet would
run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) starts with ``'`` instead, and so does one that starts with
``'``: :func:`loads_csv_tables` takes exactly that ``'`` off again. Rows are
sorted (nodes by id, edges by source, target and key), columns by name, so
the same graph gives the same bytes.

:func:`read_csv_tables` reads the two tables back into the graph they were
written from: each paper and entity gets the attributes
:func:`kgraph.graph.build_graph` gives it (``None`` where a cell is empty);
other empty cells are left out. Node ids and edge keys come back as strings,
and a list holding only an empty string comes back empty.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("method:gnn", type="method", label="GNN", aliases=["GNN", "a;b"], alias_counts=[2, 1])
>>> G.add_node("paper:1", type="paper", label="=1+1", year=2020)
>>> _ = G.add_edge("paper:1", "method:gnn", key="uses", relation="uses", support=1)
>>> print(dumps_csv_nodes(G), end="")
:ID,:LABEL,alias_counts:int[],aliases:string[],label:string,type:string,year:int
"method:gnn","Method;Entity","2;1","GNN;a\\;b","GNN","method",
"paper:1","Paper",,,"'=1+1","paper","2020"
>>> print(dumps_csv_edges(G), end="")
:START_ID,:END_ID,:TYPE,relation:string,support:int
"paper:1","method:gnn","uses","uses","1"
>>> H = loads_csv_tables(dumps_csv_nodes(G), dumps_csv_edges(G))
>>> H.nodes["paper:1"]["label"], H.nodes["method:gnn"]["aliases"]
('=1+1', ['GNN', 'a;b'])
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import networkx as nx

from ..errors import CorpusFormatError, ExportError
from ..graph import schema
from .atomic import atomic_open
from .ordering import iter_sorted_edges, sorted_nodes

NODE_ID, NODE_LABEL = ":ID", ":LABEL"
START_ID, END_ID, EDGE_TYPE = ":START_ID", ":END_ID", ":TYPE"
NODE_LABELS = {schema.PAPER: "Paper", "method": "Method;Entity", "task": "Task;Entity", "dataset": "Dataset;Entity"}
JSON_SUFFIX = "_json"
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ESCAPE = "'"
_INT32 = range(-(2**31), 2**31)
_TEXT_KINDS = frozenset({"string", "string[]", "json"})
_BAD_NAME = re.compile(r"[:,\"\s]")


def dumps_csv_nodes(G: nx.MultiDiGraph) -> str:
    """The node table of ``G`` as CSV text (see the module docstring)."""
    return "".join(_node_lines(G))


def write_csv_nodes(G: nx.MultiDiGraph, path: str | os.PathLike[str]) -> None:
    """Write :func:`dumps_csv_nodes` to ``path`` atomically, row by row."""
    _write_lines(path, _node_lines(G))


def dumps_csv_edges(G: nx.MultiDiGraph) -> str:
    """The edge table of ``G`` as CSV text (see the module docstring)."""
    return "".join(_edge_lines(G))


def write_csv_edges(G: nx.MultiDiGraph, path: str | os.PathLike[str]) -> None:
    """Write :func:`dumps_csv_edges` to ``path`` atomically, row by row."""
    _write_lines(path, _edge_lines(G))


def loads_csv_tables(nodes: str, edges: str, *, name: str | None = None,
                     source: str = "<string>") -> nx.MultiDiGraph:
    """The graph that a node table and an edge table (CSV text, as written here) describe.

    ``name`` is the graph's ``name`` attribute (the tables do not hold it).
    Malformed tables raise :class:`~kgraph.errors.CorpusFormatError` naming
    ``source``; an edge whose end is not in the node table is an error too.
    """
    graph = nx.MultiDiGraph() if name is None else nx.MultiDiGraph(name=name)
    node_columns, node_rows = _table(nodes, f"{source} (nodes)", (NODE_ID, NODE_LABEL))
    for line, row in node_rows:
        node = _text_cell(row[0])
        if node is None:
            raise CorpusFormatError(f"{source} (nodes)", line, f"no {NODE_ID}")
        attrs = _attributes(node_columns, row, f"{source} (nodes)", line)
        graph.add_node(node, **_with_absent(attrs, _node_attributes(attrs.get(schema.TYPE))))
    edge_columns, edge_rows = _table(edges, f"{source} (edges)", (START_ID, END_ID, EDGE_TYPE))
    for line, row in edge_rows:
        head, tail, key = (_text_cell(cell) for cell in row[:3])
        if head is None or tail is None or key is None:
            raise CorpusFormatError(f"{source} (edges)", line, f"an edge needs {START_ID}, {END_ID} and {EDGE_TYPE}")
        for end in (head, tail):
            if end not in graph:
                raise CorpusFormatError(f"{source} (edges)", line, f"edge end {end!r} is not in the node table")
        attrs = _attributes(edge_columns, row, f"{source} (edges)", line)
        graph.add_edge(head, tail, key=key, **_with_absent(attrs, ()))
    return graph


def read_csv_tables(nodes: str | os.PathLike[str], edges: str | os.PathLike[str], *,
                    name: str | None = None) -> nx.MultiDiGraph:
    """Read a graph from ``nodes.csv`` and ``edges.csv``, as :func:`write_csv_nodes` and :func:`write_csv_edges` wrote them.

    See :func:`loads_csv_tables`.
    """
    texts = []
    for path in (nodes, edges):
        try:
            with open(path, encoding="utf-8", newline="") as handle:
                texts.append(handle.read())
        except (OSError, UnicodeDecodeError) as exc:
            raise CorpusFormatError(str(path), None, f"cannot read: {exc}") from exc
    return loads_csv_tables(*texts, name=name, source=f"{nodes}, {edges}")


# --------------------------------------------------------------------------- writing


def _write_lines(path: str | os.PathLike[str], lines: Iterable[str]) -> None:
    with atomic_open(path, "w") as handle:
        for line in lines:
            handle.write(line)


def _node_lines(G: nx.MultiDiGraph) -> Iterator[str]:
    nodes = sorted_nodes(G)
    columns = _columns(G.nodes[node] for node in nodes)
    yield _header((NODE_ID, NODE_LABEL), columns)
    for node in nodes:
        attrs = G.nodes[node]
        yield _row((_text(node), _text(_node_label(attrs.get(schema.TYPE)))), columns, attrs)


def _edge_lines(G: nx.MultiDiGraph) -> Iterator[str]:
    nodes = sorted_nodes(G)
    columns = _columns(data for _, _, _, data in iter_sorted_edges(G, nodes))
    yield _header((START_ID, END_ID, EDGE_TYPE), columns)
    for head, tail, key, data in iter_sorted_edges(G, nodes):
        yield _row((_text(head), _text(tail), _text(key)), columns, data)


def _node_label(node_type: Any) -> str:
    """The Neo4j label(s) of a node of this type: ``Paper``, ``Method;Entity``, ...; ``Node`` for none."""
    if node_type in NODE_LABELS:
        return NODE_LABELS[node_type]
    name = re.sub(r"\W+", "", str(node_type or "").title())
    return name or "Node"


def _columns(rows: Iterable[dict]) -> list[tuple[str, str]]:
    """``(attribute, kind)`` of every attribute in ``rows``, sorted by name; kinds as the module docstring says."""
    kinds: dict[str, set[str]] = {}
    for attrs in rows:
        for name, value in attrs.items():
            found = kinds.setdefault(name, set())
            if value is not None:
                found.add(_kind(value))
    columns = []
    for name in sorted(kinds, key=str):
        if not isinstance(name, str) or not name or _BAD_NAME.search(name):
            raise ExportError(f"attribute name {name!r} cannot be a CSV column: "
                              "expected a name without ':', ',', '\"' or spaces")
        columns.append((name, _column_kind(name, kinds[name])))
    return columns


def _kind(value: Any) -> str:
    kind = type(value)
    if kind is bool:
        return "boolean"
    if kind is int:
        return "int" if value in _INT32 else "long"
    if kind is float:
        return "double"
    if kind is str:
        return "string"
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        if all(type(item) is str for item in value):
            return "string[]"
        if all(type(item) is int for item in value):
            return "int[]" if all(item in _INT32 for item in value) else "long[]"
    return "json"


def _column_kind(name: str, kinds: set[str]) -> str:
    if name.endswith(JSON_SUFFIX):
        return "json"
    if kinds <= {"int", "long"} and kinds:
        return "long" if "long" in kinds else "int"
    if kinds <= {"int[]", "long[]", "[]"} and kinds - {"[]"}:
        return "long[]" if "long[]" in kinds else "int[]"
    if kinds <= {"string[]", "[]"} and kinds:
        return "string[]"
    if len(kinds) == 1:
        return next(iter(kinds))
    return "string" if not kinds else "json"


def _header(fixed: tuple[str, ...], columns: list[tuple[str, str]]) -> str:
    names = [f"{name}{JSON_SUFFIX}:string" if kind == "json" else f"{name}:{kind}" for name, kind in columns]
    return ",".join((*fixed, *names)) + "\n"


def _row(fixed: tuple[str, ...], columns: list[tuple[str, str]], attrs: dict) -> str:
    cells = list(fixed)
    for name, kind in columns:
        value = attrs.get(name)
        cells.append("" if value is None else _ENCODERS[kind](value))
    return ",".join(cells) + "\n"


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _text(value: Any) -> str:
    """A text cell: quoted, with a ``'`` before a formula (or a ``'``) at its start."""
    text = str(value)
    if text.startswith(FORMULA_START) or text.startswith(_ESCAPE):
        text = _ESCAPE + text
    return _quoted(text)


def _list_item(value: Any) -> str:
    return str(value).replace("\\", "\\\\").replace(";", "\\;")


def _json(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ExportError(f"attribute value {value!r} cannot be written as JSON in a CSV cell: {exc}") from exc


_ENCODERS: dict[str, Callable[[Any], str]] = {
    "int": lambda v: _quoted(str(int(v))),
    "long": lambda v: _quoted(str(int(v))),
    "double": lambda v: _quoted(repr(float(v))),
    "boolean": lambda v: _quoted("true" if v else "false"),
    "string": _text,
    "string[]": lambda v: _text(";".join(map(_list_item, v))),
    "int[]": lambda v: _quoted(";".join(str(int(item)) for item in v)),
    "long[]": lambda v: _quoted(";".join(str(int(item)) for item in v)),
    "json": lambda v: _text(_json(v)),
}


# --------------------------------------------------------------------------- reading

# One field: quoted (group 1, doubled quotes inside) or bare (group 2, maybe empty).
_FIELD = re.compile(r'"([^"]*(?:""[^"]*)*)"|([^,"\r\n]*)')


class _Cell(str):
    """A field that was quoted: text, even when empty."""


def _rows(text: str, source: str) -> Iterator[tuple[int, list[_Cell | str | None]]]:
    """``(line, fields)`` of each row: a quoted field as :class:`_Cell`, a bare one as str, an empty bare one as None."""
    position, line, end = 0, 1, len(text)
    while position < end:
        start_line, row = line, []
        while True:
            match = _FIELD.match(text, position)
            if match.group(1) is not None:
                row.append(_Cell(match.group(1).replace('""', '"')))
                line += match.group(1).count("\n")
            else:
                row.append(match.group(2) or None)
            position = match.end()
            if position < end and text[position] == ",":
                position += 1
                continue
            if text.startswith("\r\n", position):
                position += 2
            elif position < end and text[position] == "\n":
                position += 1
            elif position < end:
                raise CorpusFormatError(source, line, f"malformed CSV field at {text[position:position + 20]!r}")
            line += 1
            break
        yield start_line, row


def _table(text: str, source: str, fixed: tuple[str, ...]) -> tuple[list[tuple[str, str] | None], Iterator]:
    """The columns of a table (None for the fixed ones) and its rows, checked for width."""
    rows = _rows(text, source)
    try:
        _, header = next(rows)
    except StopIteration:
        raise CorpusFormatError(source, 1, "empty table: no header") from None
    names = [str(cell or "") for cell in header]
    if tuple(names[: len(fixed)]) != fixed:
        raise CorpusFormatError(source, 1, f"the header must start with {','.join(fixed)}, got {','.join(names[:3])}")
    columns: list[tuple[str, str] | None] = [None] * len(fixed)
    for name in names[len(fixed):]:
        attribute, _, kind = name.rpartition(":")
        if kind not in _DECODERS or not attribute:
            raise CorpusFormatError(source, 1, f"column {name!r} is not name:type with a type of "
                                               f"{', '.join(sorted(t for t in _DECODERS if t != 'json'))}")
        if attribute.endswith(JSON_SUFFIX) and kind == "string":
            attribute, kind = attribute[: -len(JSON_SUFFIX)], "json"
        columns.append((attribute, kind))

    def checked() -> Iterator[tuple[int, list]]:
        for line, row in rows:
            if row == [None]:
                continue  # a blank line
            if len(row) != len(columns):
                raise CorpusFormatError(source, line, f"{len(row)} fields, the header has {len(columns)}")
            yield line, row

    return columns, checked()


def _text_cell(cell: str | None) -> str | None:
    if cell is None:
        return None
    return cell[1:] if cell.startswith(_ESCAPE) else str(cell)


def _attributes(columns: list[tuple[str, str] | None], row: list, source: str, line: int) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for column, cell in zip(columns, row):
        if column is None:
            continue
        name, kind = column
        if cell is None:
            attrs[name] = None
            continue
        try:
            attrs[name] = _DECODERS[kind](cell)
        except ValueError as exc:
            raise CorpusFormatError(source, line, f"column {name!r}: {cell!r} is not {kind}: {exc}") from None
    return attrs


def _node_attributes(node_type: Any) -> tuple[str, ...]:
    """The attributes a node of this type has even without a value (as build_graph makes it)."""
    if node_type == schema.PAPER:
        return schema.PAPER_ATTRIBUTES
    if node_type in NODE_LABELS:
        return schema.ENTITY_ATTRIBUTES
    return ()


def _with_absent(attrs: dict[str, Any], kept: tuple[str, ...]) -> dict[str, Any]:
    """``attrs`` without the empty cells, but for the attributes in ``kept``."""
    return {name: value for name, value in attrs.items() if value is not None or name in kept}


def _boolean(cell: str) -> bool:
    if cell not in ("true", "false"):
        raise ValueError("expected true or false")
    return cell == "true"


def _split_items(cell: str) -> list[str]:
    """The items of a ``;``-joined cell, ``\\;`` and ``\\\\`` read back."""
    if not cell:
        return []
    items, current, escaped = [], [], False
    for char in cell:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ";":
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return items


def _json_value(cell: str) -> Any:
    try:
        return json.loads(cell)
    except json.JSONDecodeError as exc:
        raise ValueError(str(exc)) from None


_DECODERS: dict[str, Callable[[str], Any]] = {
    "int": int,
    "long": int,
    "double": float,
    "float": float,
    "boolean": _boolean,
    "string": lambda cell: _text_cell(cell),
    "string[]": lambda cell: _split_items(_text_cell(cell)),
    "int[]": lambda cell: [int(item) for item in cell.split(";")] if cell else [],
    "long[]": lambda cell: [int(item) for item in cell.split(";")] if cell else [],
    "json": lambda cell: _json_value(_text_cell(cell)),
}
