"""`kgraph eval scierc` (entities or relations) and `kgraph eval silver`."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import click

from ..errors import KGraphError
from . import cli
from . import fail as _fail


def _eval_group() -> click.Group:
    """The ``kgraph eval`` group, shared with the entity scorers (cli/ner_eval.py)."""
    group = cli.commands.get("eval")
    if group is None:
        @cli.group("eval")
        def group() -> None:
            """Score kgraph on public benchmarks (SciERC, SciER, TDMSci)."""
    return group


eval_group = _eval_group()


def _score_relations(path, gold_entities, extractor, as_json, *, limit=None, pipeline="default") -> None:
    from ..eval.relations import evaluate_scierc

    try:
        nlp = None
        if pipeline != "default" and not gold_entities:
            from ..nlp.pipeline import load_pipeline

            nlp = load_pipeline(fast=True) if pipeline == "fast" else load_pipeline(ner=None)
        report = evaluate_scierc(path, relations=True, gold_entities=gold_entities, extractor=extractor,
                                 nlp=nlp, limit=limit)
    except KGraphError as exc:
        _fail(str(exc))
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


def _score_mentions(path, as_json) -> None:
    from ..eval.relations import evaluate_scierc

    try:
        report = evaluate_scierc(path)
    except KGraphError as exc:
        _fail(str(exc))
    click.echo(json.dumps(report, indent=2) if as_json else "\n".join(
        [report["what"]] + [f"  {k:10} P {100 * v['precision']:5.1f}  R {100 * v['recall']:5.1f}  F1 {100 * v['f1']:5.1f}"
                            for k, v in report["scores"].items()]))


_RELATION_OPTIONS = [
    click.Option(["--relations"], is_flag=True, help="Score relations instead of entities."),
    click.Option(["--gold-entities"], is_flag=True,
                 help="With --relations: relate SciERC's gold Method/Task/Material entities (as method, task, "
                      "dataset) instead of kgraph's own mentions."),
    click.Option(["--extractor"], type=click.Choice(["pipeline", "rules", "model"]), default="pipeline",
                 show_default=True,
                 help="With --relations: what relates the entities. pipeline: every relation the pipeline gives "
                      "(given gold entities: the learned pair model, as in the default pipeline); model: the "
                      "learned pair model (kgraph_pairs_v1) alone; rules: the sentence rules alone (end to end "
                      "they relate entities only with --rules or --fast, where the pair model does not run)."),
]
_RELATIONS_HELP = """

With --relations, SciERC relations mapped to kgraph's are scored, strict
boundaries: USED-FOR -> used_for, EVALUATE-FOR -> evaluated_on (reversed),
COMPARE -> compared_with (either order), HYPONYM-OF -> extends, PART-OF ->
part_of; CONJUNCTION and FEATURE-OF have no counterpart and are not counted.
End to end, kgraph's own mentions are related; with --gold-entities, SciERC's
gold Method, Task and Material mentions are (the pair model reads the default
tagger's vectors of SciERC's words; relations it finds across sentences are
not scored, SciERC annotates none). See docs/BENCHMARKS.md.
"""


def _scierc_command(entities: click.Command | None) -> click.Command:
    """``kgraph eval scierc``: the entity scorer's command with ``--relations`` added."""
    if entities is not None:
        params = list(entities.params)
    else:
        params = [click.Argument(["path"], type=click.Path(exists=True, dir_okay=False, path_type=Path)),
                  click.Option(["--json", "as_json"], is_flag=True, help="Print the scores as JSON.")]
    taken = {p.name for p in params}
    params += [p for p in _RELATION_OPTIONS if p.name not in taken]

    def callback(path, relations, gold_entities, extractor, **rest):
        as_json = rest.get("as_json", False)
        if gold_entities and not relations:
            _fail("--gold-entities needs --relations (entities are never given)")
        if relations:
            if rest.get("model"):
                _fail("--model scores a recognizer alone; it does not go with --relations")
            pipeline = "fast" if rest.get("fast") else "rules" if rest.get("rules") else "default"
            _score_relations(path, gold_entities, extractor, as_json, limit=rest.get("limit"), pipeline=pipeline)
        elif entities is not None:
            entities.callback(path=path, **rest)
        else:
            _score_mentions(path, as_json)

    help_text = inspect.cleandoc(entities.help or "") if entities is not None else "Score kgraph on a SciERC split (e.g. test.json)."
    return click.Command("scierc", params=params, callback=callback, help=help_text.rstrip() + _RELATIONS_HELP,
                         short_help="Entity or relation scores on a SciERC file (test.json).")


eval_group.add_command(_scierc_command(eval_group.commands.get("scierc")))


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

    try:
        nlp = None
        if predictions is None:
            from ..nlp.pipeline import load_pipeline

            nlp = load_pipeline(fast=fast, relations=relation_mode)
        records: list = []
        scores = evaluate_silver(path, nlp=nlp, split=split, limit=limit, predictions=predictions,
                                 records_out=records)
    except KGraphError as exc:
        _fail(str(exc))
    if save is not None:
        from ..export.atomic import atomic_write_text

        atomic_write_text(save, "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records))
    click.echo(json.dumps(scores, indent=2) if as_json else format_scores(scores))
