"""``extractions.jsonl``: what was found in each paper, one JSON object per line."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..model import Evidence, PaperExtraction, Relation
from ..resolve.entities import Resolution, paper_node
from .atomic import atomic_open


def iter_extraction_records(extractions: Sequence[PaperExtraction], resolution: Resolution) -> Iterator[dict]:
    """One record per paper, in input order, with graph node ids.

    Every mention's ``text`` equals ``record[field][start:end]``.
    """
    # (relation, evidence) pairs, not their records: the records of one paper are made when it is written
    by_paper: dict[str, list[tuple[Relation, Evidence]]] = defaultdict(list)
    for rel in resolution.relations:
        for ev in rel.evidence:
            by_paper[ev.paper_id].append((rel, ev))
    entities = {e.id: e for e in resolution.entities}
    for ex, entity_ids in zip(extractions, resolution.mention_entities):
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
                    "proposed": entity_id in proposed and paper_node(ex.paper.id) in entity.proposed_in,
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
            for rel, ev in by_paper.get(ex.paper.id, ())
        }
        relations = sorted(
            records.values(),
            key=lambda r: (r["evidence"]["field"] != "title", r["evidence"]["start"], r["head"], r["relation"], r["tail"]),
        )
        yield {
            "id": ex.paper.id,
            "title": ex.paper.title,
            "abstract": ex.paper.abstract,
            "entities": found,
            "relations": relations,
        }


def dumps_extraction_record(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=False, separators=(",", ":"))


def write_extractions(extractions: Sequence[PaperExtraction], resolution: Resolution, path: Path) -> Path:
    """Write ``extractions.jsonl`` atomically; returns the path."""
    with atomic_open(path, "w") as handle:
        for record in iter_extraction_records(extractions, resolution):
            handle.write(dumps_extraction_record(record))
            handle.write("\n")
    return Path(path)
