"""``extractions.jsonl``: what was found in each paper, one JSON object per line."""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterator, Sequence

from ..graph.schema import paper_node_id
from ..model import Entity, Evidence, PaperExtraction, Relation
from ..resolve.entities import Resolution
from .splice import Fragments, Splicer, code_salt, digest, write_fragments


def iter_extraction_records(extractions: Sequence[PaperExtraction], resolution: Resolution) -> Iterator[dict]:
    """One record per paper, in input order, with graph node ids.

    Every mention's ``text`` equals ``record[field][start:end]``.
    """
    by_paper = _relations_by_paper(resolution)
    entities = {e.id: e for e in resolution.entities}
    for ex, entity_ids in zip(extractions, resolution.mention_entities):
        yield _record(ex, entity_ids, entities, by_paper.get(ex.paper.id, ()))


def _relations_by_paper(resolution: Resolution) -> dict[str, list[tuple[Relation, Evidence]]]:
    # (relation, evidence) pairs, not their records: the records of one paper are made when it is written
    by_paper: dict[str, list[tuple[Relation, Evidence]]] = defaultdict(list)
    for rel in resolution.relations:
        for ev in rel.evidence:
            by_paper[ev.paper_id].append((rel, ev))
    return by_paper


def _record(ex: PaperExtraction, entity_ids: Sequence[str], entities: dict[str, Entity],
            pairs: Sequence[tuple[Relation, Evidence]]) -> dict:
    grouped: dict[str, list] = defaultdict(list)
    proposed: set[str] = set()
    for mention, entity_id in zip(ex.mentions, entity_ids):
        grouped[entity_id].append(
            {"field": mention.field, "start": mention.start, "end": mention.end, "text": mention.text}
        )
        if mention.proposed:
            proposed.add(entity_id)
    found = []
    for entity_id, mentions in grouped.items():
        entity = entities[entity_id]
        found.append(
            {
                "id": entity_id,
                "type": entity.type.value,
                "label": entity.label,
                "proposed": entity_id in proposed and paper_node_id(ex.paper.id) in entity.proposed_in,
                "mentions": sorted(mentions, key=lambda m: (m["field"] != "title", m["start"], m["end"])),
            }
        )
    found.sort(key=lambda e: (e["mentions"][0]["field"] != "title", e["mentions"][0]["start"], e["id"]))
    records = {  # one per (relation, place): a relation found twice in one sentence is listed once
        (rel.head, rel.relation.value, rel.tail, ev.field, ev.start, ev.end): {
            "head": rel.head,
            "relation": rel.relation.value,
            "tail": rel.tail,
            "evidence": {"field": ev.field, "start": ev.start, "end": ev.end},
        }
        for rel, ev in pairs
    }
    relations = sorted(
        records.values(),
        key=lambda r: (r["evidence"]["field"] != "title", r["evidence"]["start"], r["head"], r["relation"], r["tail"]),
    )
    return {
        "id": ex.paper.id,
        "title": ex.paper.title,
        "abstract": ex.paper.abstract,
        "entities": found,
        "relations": relations,
    }


def dumps_extraction_record(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=False, separators=(",", ":"))


def write_extractions(extractions: Sequence[PaperExtraction], resolution: Resolution,
                      path: str | os.PathLike[str]) -> None:
    """Write ``extractions.jsonl`` atomically, one line per paper (:func:`iter_extraction_records`)."""
    write_fragments(extraction_fragments(extractions, resolution), {"extractions": path})


def extraction_fragments(extractions: Sequence[PaperExtraction], resolution: Resolution, *,
                         extracted_by: str | None = None) -> Fragments:
    """``extractions.jsonl`` as fragments, one line per paper (:mod:`kgraph.export.splice`).

    With ``extracted_by``, each line has a digest, and the line of a paper
    that is the same as in the previous file can be copied from it rather
    than encoded again (:func:`~kgraph.export.splice.write_fragments`). A
    line's digest covers the paper (id, title, abstract), the entity ids of
    its mentions with those entities' types and labels, and its resolved
    relations; what was extracted from the text is named by
    ``extracted_by``, which must change whenever extraction could (the
    extraction cache's pipeline fingerprint), so give it only where the
    extractions come from that pipeline.
    """
    hashed = extracted_by is not None
    by_paper = _relations_by_paper(resolution)
    entities = {e.id: e for e in resolution.entities}

    def fill(splicer: Splicer) -> None:
        for ex, entity_ids in zip(extractions, resolution.mention_entities, strict=True):
            pairs = by_paper.get(ex.paper.id, ())
            line_digest = None
            if hashed:
                line_digest = digest((
                    ex.paper.id, ex.paper.title, ex.paper.abstract, entity_ids,
                    [(entities[e].type.value, entities[e].label) for e in dict.fromkeys(entity_ids)],
                    [(rel.head, rel.relation.value, rel.tail, ev.field, ev.start, ev.end) for rel, ev in pairs],
                ))
            splicer.element(line_digest, lambda ex=ex, entity_ids=entity_ids, pairs=pairs: {
                "extractions": dumps_extraction_record(_record(ex, entity_ids, entities, pairs)) + "\n"})

    return Fragments({"extractions": b""}, fill, salt=code_salt("extractions", extracted_by or ""), indexed=hashed)
