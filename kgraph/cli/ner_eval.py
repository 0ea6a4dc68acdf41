"""`kgraph eval scier|tdmsci|scierc PATH`: entity recognition scores on public benchmarks.

Thin wrappers over :func:`kgraph.eval.ner_eval.evaluate_ner`. The commands
join the ``kgraph eval`` group (created here if no other module created it).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import KGraphError
from . import cli
from . import fail as _fail


def _eval_group() -> click.Group:
    group = cli.commands.get("eval")
    if group is None:
        @cli.group("eval")
        def group() -> None:
            """Score kgraph on public benchmarks (SciERC, SciER, TDMSci)."""
    return group


def _ner_options(func):
    func = click.option("--fast", is_flag=True, help="Score the fast pipeline (no tagger or parser).")(func)
    func = click.option("--rules", is_flag=True, help="Score the rules alone, without the trained recognizer.")(func)
    func = click.option("--model", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
                        help="Score a trained NER directory alone (no kgraph rules).")(func)
    func = click.option("--limit", type=int, default=None, help="Score only the first N documents.")(func)
    func = click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")(func)
    return func


def run_ner_eval(benchmark: str, path: Path, *, fast: bool, rules: bool, model: Path | None,
                 limit: int | None, as_json: bool) -> None:
    from ..eval.ner_eval import evaluate_ner, format_evaluation

    if fast and rules:
        _fail("--fast and --rules exclude each other")
    pipeline = "rules" if rules else "fast" if fast else "default"
    try:
        evaluation = evaluate_ner(benchmark, path, pipeline=pipeline, model=model, limit=limit)
    except KGraphError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{exc.filename or path}: {exc.strerror or exc}")
    if as_json:
        click.echo(json.dumps(evaluation.as_dict(), indent=2))
    else:
        click.echo(format_evaluation(evaluation))


_PATH = click.Path(exists=True, dir_okay=False, path_type=Path)
eval_group = _eval_group()


@eval_group.command("scier")
@click.argument("path", type=_PATH)
@_ner_options
def scier(path, fast, rules, model, limit, as_json) -> None:
    """Entity scores on a SciER PLM file (PLM/test.jsonl, PLM/test_ood.jsonl).

    Dataset, Method and Task, strict span+type and by overlap, in SciER's own
    tokens. SciER is GPL-3.0: kgraph never trains on it.
    """
    run_ner_eval("scier", path, fast=fast, rules=rules, model=model, limit=limit, as_json=as_json)


@eval_group.command("tdmsci")
@click.argument("path", type=_PATH)
@_ner_options
def tdmsci(path, fast, rules, model, limit, as_json) -> None:
    """Entity scores on a TDMSci CoNLL file (test_500_v2.conll).

    Task and Dataset make the overall score; Metric (found by the trained
    model, not kept in the graph) is reported beside it.
    """
    run_ner_eval("tdmsci", path, fast=fast, rules=rules, model=model, limit=limit, as_json=as_json)


def _scierc_entities(path, fast, rules, model, limit, as_json) -> None:
    """Entity scores on a SciERC file (test.json): Task and Method overall.

    Material (scored against kgraph's datasets and the model's materials) and
    Metric are reported beside it.
    """
    run_ner_eval("scierc", path, fast=fast, rules=rules, model=model, limit=limit, as_json=as_json)


if "scierc" not in eval_group.commands:
    eval_group.command("scierc")(click.argument("path", type=_PATH)(_ner_options(_scierc_entities)))
