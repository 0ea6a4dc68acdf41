"""`kgraph eval`: scores on public benchmarks and on the annotated arXiv abstracts.

``scier``, ``tdmsci`` and ``scierc`` score entity recognition
(:func:`kgraph.eval.ner_eval.evaluate_ner`); ``scierc --relations`` scores
relations (:func:`kgraph.eval.relations.evaluate_scierc`); ``silver`` scores
entities and relations paper by paper (:func:`kgraph.eval.silver.evaluate_silver`).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import ConfigError
from . import cli

_PATH = click.Path(exists=True, dir_okay=False, path_type=Path)


@cli.group("eval")
def eval_group() -> None:
    """Score kgraph on public benchmarks (SciERC, SciER, TDMSci) and the annotated arXiv abstracts."""


# --------------------------------------------------------------------------- entities


def _ner_options(func):
    func = click.option("--fast", is_flag=True, help="Score the fast pipeline (no tagger or parser).")(func)
    func = click.option("--rules", is_flag=True, help="Score the rules alone, without the trained recognizer.")(func)
    func = click.option("--model", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
                        help="Score a trained NER directory alone (no kgraph rules).")(func)
    func = click.option("--limit", type=int, default=None, help="Score only the first N documents.")(func)
    func = click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")(func)
    return func


def _score_entities(benchmark: str, path: Path, *, fast: bool, rules: bool, model: Path | None,
                    limit: int | None, as_json: bool) -> None:
    from ..eval.ner_eval import evaluate_ner, format_evaluation

    if fast and rules:
        raise ConfigError("--fast and --rules exclude each other")
    pipeline = "rules" if rules else "fast" if fast else "default"
    evaluation = evaluate_ner(benchmark, path, pipeline=pipeline, model=model, limit=limit)
    click.echo(json.dumps(evaluation.as_dict(), indent=2) if as_json else format_evaluation(evaluation))


@eval_group.command("scier")
@click.argument("path", type=_PATH)
@_ner_options
def scier(path, fast, rules, model, limit, as_json) -> None:
    """Entity scores on a SciER PLM file (PLM/test.jsonl, PLM/test_ood.jsonl).

    Dataset, Method and Task, strict span+type and by overlap, in SciER's own
    tokens. SciER is GPL-3.0: kgraph never trains on it.
    """
    _score_entities("scier", path, fast=fast, rules=rules, model=model, limit=limit, as_json=as_json)


@eval_group.command("tdmsci")
@click.argument("path", type=_PATH)
@_ner_options
def tdmsci(path, fast, rules, model, limit, as_json) -> None:
    """Entity scores on a TDMSci CoNLL file (test_500_v2.conll).

    Task and Dataset make the overall score; Metric (found by the trained
    model, not kept in the graph) is reported beside it.
    """
    _score_entities("tdmsci", path, fast=fast, rules=rules, model=model, limit=limit, as_json=as_json)


# --------------------------------------------------------------------------- SciERC: entities or relations


@eval_group.command("scierc", short_help="Entity or relation scores on a SciERC file (test.json).")
@click.argument("path", type=_PATH)
@_ner_options
@click.option("--relations", is_flag=True, help="Score relations instead of entities.")
@click.option("--gold-entities", is_flag=True,
              help="With --relations: relate SciERC's gold Method/Task/Material entities (as method, task, "
                   "dataset) instead of kgraph's own mentions.")
@click.option("--extractor", type=click.Choice(["pipeline", "rules", "model"]), default="pipeline", show_default=True,
              help="With --relations: what relates the entities. pipeline: every relation the pipeline gives "
                   "(given gold entities: the learned pair model, as in the default pipeline); model: the "
                   "learned pair model (kgraph_pairs_v1) alone; rules: the sentence rules alone (end to end "
                   "they relate entities only with --rules or --fast, where the pair model does not run).")
def scierc(path, fast, rules, model, limit, as_json, relations, gold_entities, extractor) -> None:
    """Entity scores on a SciERC file (test.json): Task and Method overall.

    Material (scored against kgraph's datasets and the model's materials) and
    Metric are reported beside it.

    With --relations, SciERC relations mapped to kgraph's are scored, strict
    boundaries: USED-FOR -> used_for, EVALUATE-FOR -> evaluated_on (reversed),
    COMPARE -> compared_with (either order), HYPONYM-OF -> extends, PART-OF ->
    part_of; CONJUNCTION and FEATURE-OF have no counterpart and are not counted.
    End to end, kgraph's own mentions are related; with --gold-entities, SciERC's
    gold Method, Task and Material mentions are (the pair model reads the default
    tagger's vectors of SciERC's words; relations it finds across sentences are
    not scored, SciERC annotates none). See docs/BENCHMARKS.md.
    """
    if gold_entities and not relations:
        raise ConfigError("--gold-entities needs --relations (entities are never given)")
    if not relations:
        _score_entities("scierc", path, fast=fast, rules=rules, model=model, limit=limit, as_json=as_json)
        return
    if model:
        raise ConfigError("--model scores a recognizer alone; it does not go with --relations")
    _score_relations(path, gold_entities, extractor, as_json, limit=limit,
                     pipeline="fast" if fast else "rules" if rules else "default")


def _score_relations(path, gold_entities, extractor, as_json, *, limit=None, pipeline="default") -> None:
    from ..eval.relations import evaluate_scierc

    nlp = None
    if pipeline != "default" and not gold_entities:
        from ..nlp.pipeline import load_pipeline

        nlp = load_pipeline(fast=True) if pipeline == "fast" else load_pipeline(ner=None)
    report = evaluate_scierc(path, relations=True, gold_entities=gold_entities, extractor=extractor,
                             nlp=nlp, limit=limit)
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    click.echo(f"{report['what']} ({report['documents']} documents, {Path(path).name})")
    click.echo(f"  {'label':34} {'gold':>5} {'pred':>5} {'ok':>5} {'P':>6} {'R':>6} {'F1':>6}")
    for name, row in report["scores"].items():
        click.echo(f"  {name:34} {row['gold']:5} {row['predicted']:5} {row['correct']:5} "
                   f"{100 * row['precision']:6.1f} {100 * row['recall']:6.1f} {100 * row['f1']:6.1f}")
    for note in report.get("notes", []):
        click.echo(f"  note: {note}")


# --------------------------------------------------------------------------- the annotated arXiv abstracts


@eval_group.command(name="silver")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--split", type=click.Choice(["dev", "train", "all"]), default="dev", show_default=True,
              help="Which papers: the development split (n % 10 == 0), the training split, or all.")
@click.option("--fast", is_flag=True, help="Score the fast pipeline.")
@click.option("--relations", "relation_mode", type=click.Choice(["learned", "learned+rules", "rules"]),
              default="learned", show_default=True, help="How the default pipeline relates entities.")
@click.option("--predictions", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Score this extractions.jsonl instead of running a pipeline.")
@click.option("--save", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the extraction records scored (extractions.jsonl's shape).")
@click.option("--limit", type=int, default=None, help="Score only the first N papers of the split.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def silver(path, split, fast, relation_mode, predictions, save, limit, as_json) -> None:
    """Paper-level scores on the annotated arXiv abstracts (PATH: silver.jsonl or its folder).

    Entities count when a surface form matches a gold name or alias (case,
    hyphens, a leading article and a plural s aside) with the same type;
    relations when both ends and the type match (compared_with in either
    order). See docs/BENCHMARKS.md.
    """
    from ..eval.silver import evaluate_silver, format_scores

    nlp = None
    if predictions is None:
        from ..nlp.pipeline import load_pipeline

        nlp = load_pipeline(fast=fast, relations=relation_mode)
    records: list = []
    scores = evaluate_silver(path, nlp=nlp, split=split, limit=limit, predictions=predictions, records_out=records)
    if save is not None:
        from ..export.atomic import atomic_write_text

        atomic_write_text(save, "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records))
    click.echo(json.dumps(scores, indent=2) if as_json else format_scores(scores))
