"""The annotated arXiv abstracts (``silver.jsonl``): reading, the fixed splits, paper-level scoring.

Each line is one paper annotated under the silver guideline: its entities
(type, name, aliases, whether the paper proposes it, every mention's character
offsets) and the relations the paper states between them. The splits are
fixed by the paper number ``n``: papers with ``n % 10 == 0`` are the
**development split** (never trained on: models are selected and every number in
docs/BENCHMARKS.md is measured there); the rest train.

Scoring is at paper level, as the annotation is: a predicted entity counts
when one of its surface forms (its label or a mention's text) equals a gold
name or alias after :func:`norm` (case, hyphens and slashes, a leading
article, a plural s) and its type matches; a relation counts when both ends
matched gold entities and the type matches (``compared_with`` in either
order). ``lenient`` matching accepts half the content words shared.

>>> norm("The Diffusion-Models"), norm("an LLMs")
('diffusion model', 'llm')
>>> gold = [{"title": "T", "methods": [{"name": "BERT", "aliases": []}], "tasks": [{"name": "NER", "aliases": []}],
...          "datasets": [], "relations": [["BERT", "used_for", "NER"]]}]
>>> pred = [{"title": "T", "entities": [{"id": "m", "type": "method", "label": "BERT", "mentions": []},
...          {"id": "t", "type": "task", "label": "ner", "mentions": []}],
...          "relations": [{"head": "m", "relation": "used_for", "tail": "t"}]}]
>>> s = score_papers(pred, gold)
>>> s["any.strict"]["f1"], s["relations.strict"]["f1"]
(1.0, 1.0)
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, CorpusFormatError

TYPES = ("method", "task", "dataset")
RELATION_TYPES = ("used_for", "evaluated_on", "compared_with", "extends", "part_of")
DEV_MODULUS = 10
_STOP = {"the", "a", "an", "of", "for", "and", "in", "on", "to", "with", "via", "by"}
_LATEX = [(r'\\"\{?o\}?', "o"), (r"\\'\{?e\}?", "e"), (r"\\[a-zA-Z]+", " "), (r"[{}]", "")]


@dataclass(frozen=True, slots=True)
class SilverMention:
    field: str  # "title" or "abstract"
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class SilverEntity:
    type: str
    name: str
    aliases: tuple[str, ...]
    proposed: bool
    mentions: tuple[SilverMention, ...]


@dataclass(frozen=True, slots=True)
class SilverRelation:
    head: str
    relation: str
    tail: str
    evidence: tuple[tuple[str, int, int], ...]  # (field, start, end) sentences naming both ends


@dataclass(frozen=True, slots=True)
class SilverPaper:
    n: int
    title: str
    abstract: str
    entities: tuple[SilverEntity, ...]
    relations: tuple[SilverRelation, ...]

    @property
    def split(self) -> str:
        return split_of(self.n)


def split_of(n: int) -> str:
    """``"dev"`` for the development split (``n % 10 == 0``), else ``"train"``."""
    return "dev" if n % DEV_MODULUS == 0 else "train"


def iter_silver(path: Path, *, split: str | None = None) -> Iterator[SilverPaper]:
    """The papers of ``silver.jsonl`` (all, or one split), in file order.

    A malformed line raises :class:`~kgraph.errors.CorpusFormatError` naming file and line.
    """
    if split not in (None, "train", "dev"):
        raise ConfigError(f"unknown split {split!r}; expected 'train', 'dev' or None")
    path = Path(path)
    if path.is_dir():
        path = path / "silver.jsonl"
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise CorpusFormatError(path, None, f"cannot read the annotated papers ({exc.strerror or exc})") from None
    with handle:
        for line_no, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                paper = _paper(json.loads(line))
            except (ValueError, KeyError, TypeError) as exc:
                raise CorpusFormatError(path, line_no, f"not an annotated paper ({type(exc).__name__}: {exc})") from None
            if split is None or paper.split == split:
                yield paper


def _paper(obj: dict) -> SilverPaper:
    entities = tuple(
        SilverEntity(
            type=e["type"], name=e["name"], aliases=tuple(e.get("aliases", ())), proposed=bool(e.get("proposed")),
            mentions=tuple(SilverMention(m["field"], int(m["start"]), int(m["end"]), m["text"]) for m in e.get("mentions", ())),
        )
        for e in obj.get("entities", ())
    )
    for e in entities:
        if e.type not in TYPES:
            raise ValueError(f"entity {e.name!r} has type {e.type!r}; expected one of {TYPES}")
    relations = tuple(
        SilverRelation(r["head"], r["relation"], r["tail"],
                       tuple((v["field"], int(v["start"]), int(v["end"])) for v in r.get("evidence", ())))
        for r in obj.get("relations", ())
    )
    return SilverPaper(int(obj["n"]), obj["title"], obj.get("abstract", ""), entities, relations)


def as_guideline(paper: SilverPaper) -> dict:
    """A paper's annotation in the guideline's output shape (what :func:`score_papers` reads as gold)."""
    out: dict = {"n": paper.n, "title": paper.title,
                 "relations": [[r.head, r.relation, r.tail] for r in paper.relations]}
    for t in TYPES:
        out[t + "s"] = [{"name": e.name, "aliases": list(e.aliases), "proposed": e.proposed}
                        for e in paper.entities if e.type == t]
    return out


# ---------------------------------------------------------------- scoring
def norm(s: str) -> str:
    """A surface form as the scorer compares it."""
    for pat, rep in _LATEX:
        s = re.sub(pat, rep, s)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    s = re.sub(r"[-_/]", " ", s)
    s = re.sub(r"[^\w\s.+]", " ", s)
    toks = s.split()
    while toks and toks[0] in ("the", "a", "an"):
        toks = toks[1:]
    if toks and len(toks[-1]) > 3 and toks[-1].endswith("s") and not toks[-1].endswith("ss"):
        toks[-1] = toks[-1][:-1]
    return " ".join(toks)


def _content(s: str) -> set[str]:
    return {t for t in norm(s).split() if t not in _STOP}


def _forms_match(a: set[str], b: set[str], lenient: bool) -> bool:
    if a & b:
        return True
    if not lenient:
        return False
    for x in a:
        cx = _content(x)
        for y in b:
            cy = _content(y)
            if cx and cy and len(cx & cy) / len(cx | cy) >= 0.5:
                return True
    return False


def _match(pred: Sequence[set[str]], gold: Sequence[set[str]], lenient: bool) -> list[tuple[int, int]]:
    """Greedy one-to-one matching in prediction order."""
    pairs, used = [], set()
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            if j not in used and _forms_match(p, g, lenient):
                pairs.append((i, j))
                used.add(j)
                break
    return pairs


def _sym(r: tuple) -> tuple:
    return (min(r[0], r[2]), r[1], max(r[0], r[2])) if r[1] == "compared_with" else r


def _prf(tp: int, n_pred: int, n_gold: int) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 3), "r": round(r, 3), "f1": round(f, 3), "tp": tp, "pred": n_pred, "gold": n_gold}


def _predicted_forms(rec: dict) -> dict:
    """Predicted entity id -> (type, its normalized surface forms: label and mention texts)."""
    out = {}
    for e in rec.get("entities", []):
        forms = {norm(e.get("label", ""))} | {norm(m.get("text", "")) for m in e.get("mentions", [])}
        out[e.get("id")] = (e.get("type"), {x for x in forms if x})
    return out


def _gold_forms(g: dict, kind: str) -> list[tuple[str, set[str]]]:
    """(name, normalized name and aliases) of the gold entities of one type, or of all (``"any"``)."""
    return [(x["name"], {norm(x["name"])} | {norm(a) for a in x.get("aliases", [])})
            for tt in TYPES for x in g.get(tt + "s", []) if kind in (tt, "any")]


def _predicted_relations(rec: dict, pforms: dict, gid: dict) -> tuple[set[tuple], list[str]]:
    """The entity–entity relations of a record with their ends mapped to gold names (``?id`` for an
    end that matched none), and the type of each listed relation (a relation listed twice, twice)."""
    found, listed = set(), []
    for r in rec.get("relations", []):
        if pforms.get(r.get("head"), ("",))[0] not in TYPES or pforms.get(r.get("tail"), ("",))[0] not in TYPES:
            continue
        listed.append(r.get("relation"))
        h, t = gid.get(r.get("head")), gid.get(r.get("tail"))
        found.add(_sym((h or "?" + str(r.get("head")), r.get("relation"), t or "?" + str(r.get("tail")))))
    return found, listed


def score_papers(predictions: Iterable[dict], gold: Iterable[dict]) -> dict:
    """Paper-level precision, recall and F1 of extraction records against gold papers.

    ``predictions``: records as ``extractions.jsonl`` holds them (``title``,
    ``entities`` with ``id``/``type``/``label``/``mentions``, ``relations`` with
    ``head``/``relation``/``tail`` ids). ``gold``: papers in the guideline's shape
    (:func:`as_guideline`). Keys ``<type>.<mode>`` for each entity type and
    ``any``, ``relations.<mode>`` and ``relations.<type>.<mode>``, mode
    ``strict`` or ``lenient``.
    """
    preds = {norm(rec.get("title", "")): rec for rec in predictions}
    gold = list(gold)
    kinds = TYPES + ("any",)
    modes = ("strict", "lenient")
    counts = {(t, m): [0, 0, 0] for t in kinds for m in modes}
    rel = {(t, m): [0, 0, 0] for t in RELATION_TYPES + ("all",) for m in modes}
    proposed = [0, 0, 0]
    missing = 0
    for g in gold:
        rec = preds.get(norm(g["title"]))
        if rec is None:
            missing += 1
            rec = {"entities": [], "relations": []}
        pforms = _predicted_forms(rec)
        gold_proposed = [{norm(x["name"])} | {norm(a) for a in x.get("aliases", [])}
                         for tt in TYPES for x in g.get(tt + "s", []) if x.get("proposed")]
        pred_proposed = [pforms[e.get("id")][1] for e in rec.get("entities", [])
                         if e.get("proposed") and e.get("type") in TYPES]
        proposed[0] += len(_match(pred_proposed, gold_proposed, False))
        proposed[1] += len(pred_proposed)
        proposed[2] += len(gold_proposed)
        for mode in modes:
            lenient = mode == "lenient"
            gid: dict = {}
            for t in kinds:
                gl = _gold_forms(g, t)
                pl = [(k, f) for k, (pt, f) in pforms.items() if (t == "any" and pt in TYPES) or pt == t]
                pairs = _match([f for _, f in pl], [f for _, f in gl], lenient)
                c = counts[(t, mode)]
                c[0] += len(pairs)
                c[1] += len(pl)
                c[2] += len(gl)
                if t != "any":
                    for i, j in pairs:
                        gid[pl[i][0]] = gl[j][0]
            gold_rel = {_sym(tuple(r)) for r in g.get("relations", [])}
            pred_rel, listed = _predicted_relations(rec, pforms, gid)
            n_pred = {t: listed.count(t) for t in RELATION_TYPES}
            hits = pred_rel & gold_rel
            for t in RELATION_TYPES:
                c = rel[(t, mode)]
                c[0] += sum(1 for x in hits if x[1] == t)
                c[1] += n_pred[t]
                c[2] += sum(1 for x in gold_rel if x[1] == t)
            c = rel[("all", mode)]
            c[0] += len(hits)
            c[1] += sum(n_pred.values())
            c[2] += len(gold_rel)
    out: dict = {"papers": len(gold), "papers_missing": missing}
    for (t, mode), (tp, n_pred_, n_gold) in counts.items():
        out[f"{t}.{mode}"] = _prf(tp, n_pred_, n_gold)
    for (t, mode), (tp, n_pred_, n_gold) in rel.items():
        out[f"relations.{mode}" if t == "all" else f"relations.{t}.{mode}"] = _prf(tp, n_pred_, n_gold)
    out["proposed.strict"] = _prf(*proposed)
    return out


MISSED = ("end not found", "end found with another type", "ends found, not related",
          "ends found, related otherwise")
SPURIOUS = ("end not annotated", "ends annotated, not related", "ends annotated, related otherwise")


def relation_errors(predictions: Iterable[dict], gold: Iterable[dict]) -> dict[str, dict[str, int]]:
    """Where the strict relation score loses, counted by cause (same records and gold as :func:`score_papers`).

    ``missed``: each annotated relation not predicted, by why: an end no
    predicted entity matches (:data:`MISSED`: at all, or only with another
    type), or both ends matched and the pair not related, or related with
    another type or in the other direction. ``spurious``: each predicted
    entity–entity relation the annotation does not hold (:data:`SPURIOUS`): an
    end that matches no annotated entity of its type, or two annotated
    entities the annotation does not relate, or relates otherwise.
    """
    preds = {norm(rec.get("title", "")): rec for rec in predictions}
    missed = dict.fromkeys(MISSED, 0)
    spurious = dict.fromkeys(SPURIOUS, 0)
    for g in gold:
        rec = preds.get(norm(g["title"]), {"entities": [], "relations": []})
        pforms = _predicted_forms(rec)
        gid: dict = {}  # predicted entity id -> gold name, same type (as score_papers matches)
        for t in TYPES:
            gl = _gold_forms(g, t)
            pl = [(k, f) for k, (pt, f) in pforms.items() if pt == t]
            gid.update((pl[i][0], gl[j][0]) for i, j in _match([f for _, f in pl], [f for _, f in gl], False))
        gl = _gold_forms(g, "any")
        pl = [f for pt, f in pforms.values() if pt in TYPES]
        found_any = {gl[j][0] for _, j in _match(pl, [f for _, f in gl], False)}
        found = set(gid.values())
        gold_rel = {_sym(tuple(r)) for r in g.get("relations", [])}
        pred_rel, _ = _predicted_relations(rec, pforms, gid)
        gold_pairs = {frozenset((h, t)) for h, _, t in gold_rel}
        pred_pairs = {frozenset((h, t)) for h, _, t in pred_rel}
        for h, rel, t in gold_rel - pred_rel:
            if h not in found or t not in found:
                lost = [x for x in (h, t) if x not in found]
                missed[MISSED[1] if all(x in found_any for x in lost) else MISSED[0]] += 1
            else:
                missed[MISSED[3] if frozenset((h, t)) in pred_pairs else MISSED[2]] += 1
        for h, rel, t in pred_rel - gold_rel:
            if h.startswith("?") or t.startswith("?"):
                spurious[SPURIOUS[0]] += 1
            else:
                spurious[SPURIOUS[2] if frozenset((h, t)) in gold_pairs else SPURIOUS[1]] += 1
    return {"missed": missed, "spurious": spurious}


# ---------------------------------------------------------------- a pipeline on the split
def silver_papers(papers: Iterable[SilverPaper]):
    """The annotated papers as kgraph :class:`~kgraph.model.Paper` records (id ``silver-<n>``)."""
    from ..model import Paper

    return [Paper(id=f"silver-{p.n}", title=p.title, abstract=p.abstract) for p in papers]


def extraction_records(nlp, papers: Sequence[SilverPaper]) -> list[dict]:
    """What ``kgraph build`` writes to ``extractions.jsonl`` for these papers, made in this process."""
    from ..export.extractions import iter_extraction_records
    from ..nlp.extract import iter_extractions
    from ..resolve.entities import resolve

    extractions = list(iter_extractions(nlp, silver_papers(papers)))
    return list(iter_extraction_records(extractions, resolve(extractions)))


def evaluate_silver(path: Path, *, nlp=None, split: str = "dev", limit: int | None = None,
                    predictions: Path | None = None, records_out: list | None = None) -> dict:
    """Paper-level scores on a split of ``silver.jsonl``.

    The papers are extracted with ``nlp`` (default: the default pipeline) and
    resolved together, as ``kgraph build`` would; or, with ``predictions``, an
    ``extractions.jsonl`` already written is scored. ``records_out`` receives
    the extraction records when given.
    """
    papers = list(iter_silver(path, split=split if split != "all" else None))
    if limit is not None:
        papers = papers[:limit]
    if predictions is not None:
        records = []
        with Path(predictions).open(encoding="utf-8") as handle:
            for line_no, line in enumerate(handle, 1):
                if line.strip():
                    try:
                        records.append(json.loads(line))
                    except ValueError as exc:
                        raise CorpusFormatError(predictions, line_no, f"not a JSON record ({exc})") from None
    else:
        if nlp is None:
            from ..nlp.pipeline import load_pipeline

            nlp = load_pipeline()
        records = extraction_records(nlp, papers)
    if records_out is not None:
        records_out.extend(records)
    scores = score_papers(records, [as_guideline(p) for p in papers])
    scores["split"] = split
    return scores


def format_scores(scores: dict) -> str:
    """The scores as a table: precision, recall, F1 for each entity type and relation type."""
    lines = [f"silver {scores.get('split', '')} split: {scores['papers']} papers"
             + (f" ({scores['papers_missing']} without predictions)" if scores["papers_missing"] else ""),
             f"  {'':28} {'P':>6} {'R':>6} {'F1':>6} {'gold':>6} {'pred':>6}"]
    rows = [f"{t}.strict" for t in TYPES + ("any",)] + ["relations.strict"]
    rows += [f"relations.{t}.strict" for t in RELATION_TYPES] + ["any.lenient", "relations.lenient", "proposed.strict"]
    for key in rows:
        v = scores[key]
        name = key.replace(".strict", "").replace("any", "entities")
        lines.append(f"  {name:28} {100 * v['p']:6.1f} {100 * v['r']:6.1f} {100 * v['f1']:6.1f} {v['gold']:6} {v['pred']:6}")
    return "\n".join(lines)
