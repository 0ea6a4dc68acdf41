"""Train the relation and proposal model (:mod:`kgraph.nlp.pairs`) on the annotated arXiv abstracts.

The entity tagger is trained first; its int8 model then reads every paper of
the silver training split one paper at a time, as at run time, and gives
each word's vector. Over the annotated entities of each paper:

- relations: every ordered pair the schema allows (method -> task, dataset or
  method) is an example, labelled with the annotated relation or ``none``
  (``compared_with`` in both orders; ``extends`` and ``part_of`` in theirs,
  the reverse is ``none``), whether the two are named in one sentence or not;
- proposals: every entity, labelled with the annotation's ``proposed``.

Each is a one-hidden-layer network (torch, CPU), the epoch kept by the
development split's pair F1; the weights go to ``pairs.npz`` beside the
tagger, with ``pairs.json`` (classes, thresholds, history).

    python -m kgraph.training.pairs ../shared/silver kgraph/resources/ner/default
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..eval.silver import iter_silver
from ..nlp.encoder_ner import EncoderTagger
from ..nlp.pairs import CLASSES, PairEntity, candidate_pairs, entity_features, pair_features
from .silver import TokenPaper, add_settings_arguments, settings_from, token_papers, training_split


@dataclass(frozen=True, slots=True)
class PairSettings:
    hidden: int = 256
    proposal_hidden: int = 64
    epochs: int = 12
    batch_size: int = 256
    lr: float = 1e-3
    weight_decay: float = 1e-4
    dropout: float = 0.3
    seed: int = 0
    threads: int = 2
    fraction: float = 1.0  # share of the training papers used (learning curves)
    min_proposed: float = 0.5
    # the least probability of each relation type, written to pairs.json (chosen on the development
    # split by bench/silver_select.py)
    min_score: str = "used_for=0.5,evaluated_on=0.6,compared_with=0.35,extends=0.25,part_of=0.35"


@dataclass
class Examples:
    relation_x: np.ndarray
    relation_y: np.ndarray
    proposal_x: np.ndarray
    proposal_y: np.ndarray


def paper_examples(tagger: EncoderTagger, paper: TokenPaper):
    """(pair features, pair labels, entity features, proposal labels) of one paper."""
    _, vectors = tagger.tag_with_vectors([list(s) for s in paper.sentences])
    dims = next((v.shape[1] for v in vectors if v is not None), 1)
    vectors = [v if v is not None else np.zeros((len(s), dims), dtype=np.float32)
               for v, s in zip(vectors, paper.sentences)]
    keep = [k for k, e in enumerate(paper.entities) if e.spans]
    index = {k: i for i, k in enumerate(keep)}
    entities = [PairEntity(paper.entities[k].type, paper.entities[k].spans) for k in keep]
    labels: dict[tuple[int, int], str] = {}
    for h, rel, t in paper.relations:
        if h in index and t in index:
            labels[(index[h], index[t])] = rel
            if rel == "compared_with":
                labels[(index[t], index[h])] = rel
    pairs = candidate_pairs(entities)
    ents = entity_features(vectors, entities)
    x = pair_features(vectors, entities, pairs, ents)
    y = np.array([CLASSES.index(labels.get(p, "none")) if labels.get(p, "none") in CLASSES else 0 for p in pairs],
                 dtype=np.int64)
    proposed = np.array([paper.entities[k].proposed for k in keep], dtype=np.float32)
    return x, y, ents, proposed


def build_examples(tagger: EncoderTagger, papers: Sequence[TokenPaper], log=print) -> Examples:
    parts = []
    start = time.perf_counter()
    for k, paper in enumerate(papers):
        parts.append(paper_examples(tagger, paper))
        if k % 500 == 0:
            log(f"  vectors: {k}/{len(papers)} papers, {time.perf_counter() - start:.0f}s")
    dim = parts[0][0].shape[1] if parts else 0
    edim = parts[0][2].shape[1] if parts else 0
    return Examples(
        np.concatenate([p[0] for p in parts if len(p[0])] or [np.zeros((0, dim), np.float32)]),
        np.concatenate([p[1] for p in parts if len(p[1])] or [np.zeros(0, np.int64)]),
        np.concatenate([p[2] for p in parts if len(p[2])] or [np.zeros((0, edim), np.float32)]),
        np.concatenate([p[3] for p in parts if len(p[3])] or [np.zeros(0, np.float32)]),
    )


def _fit(x: np.ndarray, y: np.ndarray, dev_x: np.ndarray, dev_y: np.ndarray, *, n_out: int, hidden: int,
         settings: PairSettings, score, log) -> tuple[dict, list]:
    """A one-hidden-layer network; the epoch with the best ``score(dev logits, dev_y)`` is kept."""
    import torch

    torch.manual_seed(settings.seed)
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-4
    xt = torch.from_numpy((x - mean) / scale)
    dt = torch.from_numpy((dev_x - mean) / scale)
    net = torch.nn.Sequential(torch.nn.Dropout(settings.dropout / 2), torch.nn.Linear(x.shape[1], hidden),
                              torch.nn.ReLU(), torch.nn.Dropout(settings.dropout), torch.nn.Linear(hidden, n_out))
    optimizer = torch.optim.AdamW(net.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    if n_out == 1:
        loss_fn = torch.nn.BCEWithLogitsLoss()
        yt = torch.from_numpy(y.astype(np.float32)).unsqueeze(1)
    else:
        loss_fn = torch.nn.CrossEntropyLoss()
        yt = torch.from_numpy(y)
    rng = random.Random(settings.seed)
    best, best_state, history = -1.0, None, []
    for epoch in range(settings.epochs):
        net.train()
        order = list(range(len(xt)))
        rng.shuffle(order)
        total = 0.0
        for b in range(0, len(order), settings.batch_size):
            idx = torch.tensor(order[b : b + settings.batch_size])
            loss = loss_fn(net(xt[idx]), yt[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += float(loss.detach()) * len(idx)
        net.eval()
        with torch.no_grad():
            value = score(net(dt).numpy(), dev_y)
        history.append({"epoch": epoch, "loss": round(total / max(1, len(xt)), 4), "dev": round(value, 4)})
        log(f"  epoch {epoch}: loss {total / max(1, len(xt)):.4f}, dev {value:.4f}")
        if value > best:
            best = value
            best_state = {k: v.detach().clone() for k, v in net.state_dict().items()}
    net.load_state_dict(best_state)
    weights = {"mean": mean.astype(np.float32), "scale": scale.astype(np.float32),
               "w1": net[1].weight.detach().numpy().T.copy(), "b1": net[1].bias.detach().numpy().copy(),
               "w2": net[4].weight.detach().numpy().T.copy(), "b2": net[4].bias.detach().numpy().copy()}
    return weights, history


def relation_f1(logits: np.ndarray, y: np.ndarray) -> float:
    """Micro F1 of the non-``none`` classes, each pair's best class taken."""
    pred = logits.argmax(axis=1)
    tp = int(((pred == y) & (y != 0)).sum())
    n_pred, n_gold = int((pred != 0).sum()), int((y != 0).sum())
    return 2 * tp / max(1, n_pred + n_gold)


def proposal_f1(logits: np.ndarray, y: np.ndarray) -> float:
    pred = logits[:, 0] > 0
    tp = int((pred & (y > 0.5)).sum())
    return 2 * tp / max(1, int(pred.sum()) + int((y > 0.5).sum()))


def train(silver: Path, model_dir: Path, settings: PairSettings, log=print) -> dict:
    import torch

    torch.set_num_threads(settings.threads)
    start = time.perf_counter()
    tagger = EncoderTagger(model_dir, threads=settings.threads)
    if not tagger.has_vectors:
        raise SystemExit(f"{model_dir}: the tagger gives no word vectors; retrain it (make train-encoder)")
    train_papers = training_split(silver, fraction=settings.fraction, seed=settings.seed)
    log(f"pairs: {len(train_papers)} training papers")
    train_set = build_examples(tagger, list(token_papers(train_papers)), log)
    dev_set = build_examples(tagger, list(token_papers(iter_silver(silver, split="dev"))), log)
    log(f"relation examples: {len(train_set.relation_y)} train ({int((train_set.relation_y > 0).sum())} related), "
        f"{len(dev_set.relation_y)} dev")
    rel, rel_history = _fit(train_set.relation_x, train_set.relation_y, dev_set.relation_x, dev_set.relation_y,
                            n_out=len(CLASSES), hidden=settings.hidden, settings=settings, score=relation_f1, log=log)
    prop, prop_history = _fit(train_set.proposal_x, train_set.proposal_y, dev_set.proposal_x, dev_set.proposal_y,
                              n_out=1, hidden=settings.proposal_hidden, settings=settings, score=proposal_f1, log=log)
    arrays = {f"rel_{k}": v for k, v in rel.items()} | {f"prop_{k}": v for k, v in prop.items()}
    np.savez_compressed(model_dir / "pairs.npz", **arrays)
    meta = {
        "classes": list(CLASSES),
        "min_score": {k: float(v) for k, v in (x.split("=") for x in settings.min_score.split(",") if x)},
        "min_proposed": settings.min_proposed,
        "training": {
            "settings": {k: getattr(settings, k) for k in settings.__slots__},
            "train_papers": len(train_papers),
            "relation_examples": int(len(train_set.relation_y)),
            "relation_history": rel_history,
            "proposal_history": prop_history,
            "seconds": round(time.perf_counter() - start),
        },
    }
    (model_dir / "pairs.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kgraph.training.pairs", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("silver", type=Path, help="silver.jsonl or the folder holding it (../shared/silver)")
    parser.add_argument("model", type=Path, help="the trained tagger's directory; pairs.npz and pairs.json go there")
    add_settings_arguments(parser, PairSettings)
    args = parser.parse_args(argv)
    settings = settings_from(args, PairSettings)
    meta = train(args.silver, args.model, settings, log=lambda m: print(m, flush=True))
    print(json.dumps({k: v for k, v in meta["training"].items() if "history" not in k}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
