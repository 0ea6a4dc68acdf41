"""Fuzz kgraph's input readers: no input may raise anything but a KGraphError, or hang.

Every fuzz input goes through each reader at both levels: as bytes in a file
(``iter_file`` for every format and ``.json`` documents,
``iter_arxiv`` for the arXiv snapshot reader, ``read_lines``), and decoded as
text (``iter_string`` for each format, ``clean_text``). Each record that comes
out must be a well-formed Paper or Problem (see ``check_records``).

With atheris installed (``pip install -e '.[fuzz]'``) the run is coverage-guided
(libFuzzer); otherwise Hypothesis generates the inputs. A failing input is
printed (and, with atheris, saved under ``--artifacts``) and the exit code is 1.

    python bench/fuzz_readers.py --seconds 60                # atheris if installed
    python bench/fuzz_readers.py --seconds 60 --engine hypothesis
    python bench/fuzz_readers.py --seconds 600 --corpus fuzz-corpus/   # keep atheris' corpus

``tests/test_reliability_properties.py`` runs it for a few seconds.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FORMATS = ("scraped", "jsonl", "csv", "bibtex", "ris", "openalex", "s2", "atom")
SUFFIXES = {"scraped": ".txt", "jsonl": ".jsonl", "csv": ".csv", "bibtex": ".bib", "ris": ".ris",
            "openalex": "-openalex.jsonl", "s2": "-s2.json", "atom": ".xml"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to fuzz (default 30)")
    parser.add_argument("--engine", choices=("auto", "atheris", "hypothesis"), default="auto")
    parser.add_argument("--max-len", type=int, default=4096, help="longest input in bytes (default 4096)")
    parser.add_argument("--artifacts", type=Path, default=None,
                        help="where atheris saves a crashing input (default: a temporary directory)")
    parser.add_argument("--corpus", type=Path, default=None, help="atheris corpus directory to read and extend")
    args = parser.parse_args(argv)
    engine = args.engine
    if engine == "auto":
        try:
            import atheris  # noqa: F401
        except ImportError:
            engine = "hypothesis"
        else:
            engine = "atheris"
    scratch = Path(tempfile.mkdtemp(prefix="kgraph-fuzz-"))
    print(f"fuzzing kgraph readers with {engine} for {args.seconds:g} s", file=sys.stderr)
    if engine == "atheris":
        return _run_atheris(args, scratch)
    return _run_hypothesis(args, scratch)


# --------------------------------------------------------------------------- the target


def one_input(data: bytes, scratch: Path) -> int:
    """Run every reader on ``data``; returns how many records came out. Raises on a bug."""
    from kgraph.errors import KGraphError
    from kgraph.ingest import clean_text, iter_file, iter_string
    from kgraph.ingest.arxiv import RecordFilter, iter_arxiv
    from kgraph.ingest.textfile import read_lines

    records = 0
    paths = []
    for input_format in FORMATS:
        path = scratch / f"input{SUFFIXES[input_format]}"
        path.write_bytes(data)
        paths.append((path, input_format))
    document = scratch / "input.json"
    document.write_bytes(data)
    paths.append((document, "jsonl"))
    text = data.decode("utf-8", "replace")
    try:
        for path, input_format in paths:
            records += check_records(iter_file(path, input_format))
        records += check_records(iter_arxiv(paths[1][0]))
        records += check_records(iter_arxiv(paths[1][0], RecordFilter(categories=("cs",))))
        records += sum(1 for _ in read_lines(paths[0][0]))
        for input_format in FORMATS:
            records += check_records(iter_string(text, input_format, name="fuzz"))
        cleaned = clean_text(text)
        assert clean_text(cleaned) == cleaned, "clean_text is not idempotent"
    except KGraphError:
        pass
    return records


def check_records(records) -> int:
    """Consume a reader's output; every record must be a well-formed Paper or Problem."""
    from kgraph.ingest import clean_text
    from kgraph.model import Paper, Problem

    count = 0
    for record in records:
        count += 1
        if isinstance(record, Problem):
            assert record.source.line >= 1, record
            assert record.severity in ("error", "warning"), record
            assert record.reason and "\n" not in record.reason, record
        elif isinstance(record, Paper):
            assert record.title and record.title == clean_text(record.title), record
            assert record.abstract == clean_text(record.abstract), record
            assert record.id and record.id == record.id.strip(), record
            assert not any(unicodedata.category(c) in ("Cc", "Cs") for c in record.id), record
            assert record.source is not None and record.source.line >= 1, record
        else:
            raise AssertionError(f"a reader yielded {record!r}")
    return count


# --------------------------------------------------------------------------- engines


def _run_atheris(args, scratch: Path) -> int:
    import atheris

    with atheris.instrument_imports(include=["kgraph"]):
        import kgraph.ingest  # noqa: F401
        import kgraph.ingest.arxiv  # noqa: F401

    def test_one_input(data: bytes) -> None:
        one_input(data, scratch)

    artifacts = args.artifacts or scratch / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    libfuzzer_args = [sys.argv[0], f"-max_total_time={max(1, int(args.seconds))}", f"-max_len={args.max_len}",
                      f"-artifact_prefix={artifacts}{os.sep}", "-print_final_stats=1"]
    if args.corpus is not None:
        args.corpus.mkdir(parents=True, exist_ok=True)
        libfuzzer_args.append(str(args.corpus))
    atheris.Setup(libfuzzer_args, test_one_input)
    atheris.Fuzz()  # exits the process: 0 when time is up, non-zero on a crash
    return 0


def _run_hypothesis(args, scratch: Path) -> int:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    inputs = st.one_of(
        st.binary(max_size=args.max_len),
        st.text(max_size=args.max_len // 4).map(lambda t: t.encode("utf-8", "surrogatepass")),
        _structured().map(lambda t: t.encode("utf-8", "surrogatepass")),
    )
    examples = 0

    # Rounds of fresh random examples until the time is up; a failure is shrunk and raised.
    @settings(max_examples=100, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(inputs)
    def fuzz(data: bytes) -> None:
        nonlocal examples
        examples += 1
        one_input(data, scratch)

    deadline = time.monotonic() + args.seconds
    try:
        while time.monotonic() < deadline:
            fuzz()
    except Exception as exc:  # noqa: BLE001 - report any failure, then fail
        print(f"FAILED after {examples} inputs: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"{examples} inputs, no failure", file=sys.stderr)
    return 0


def _structured():
    """Text shaped like the formats (JSON objects, CSV rows, title/abstract lines), with noise."""
    from hypothesis import strategies as st

    noise = st.lists(st.sampled_from(list('{}[]",:\\\n\r\t $~%&\x00\ufeff\u2028é') + ["\\u0000", "\\ud800"]),
                     max_size=20).map("".join)
    values = st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
        lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
        max_leaves=8,
    )
    keys = st.sampled_from(["title", "abstract", "id", "year", "authors", "url", "update_date", "categories", "Title"])
    import json

    json_line = st.dictionaries(keys, values, max_size=6).map(lambda d: json.dumps(d, ensure_ascii=False))
    csv_row = st.lists(st.text(max_size=15) | noise, min_size=1, max_size=5).map(
        lambda cells: ",".join('"' + c.replace('"', '""') + '"' if i % 2 else c for i, c in enumerate(cells)))
    line = st.one_of(json_line, csv_row, st.text(max_size=40), noise)
    header = st.sampled_from(["", "title,abstract\n", "id\ttitle\tabstract\n", "[", "Subscribe"])
    return st.tuples(header, st.lists(line, max_size=8), st.sampled_from(["\n", "\r\n"])).map(
        lambda t: t[0] + t[2].join(t[1]))


if __name__ == "__main__":
    sys.exit(main())
