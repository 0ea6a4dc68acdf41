"""Run `kgraph build` whose graph.graphml writer stops half-way and waits to be killed.

    python killed_build.py READY_FILE build INPUTS... -o OUT

When the writer has written half of graph.graphml (to its temporary file), it
writes READY_FILE and sleeps; tests/test_reliability_outputs.py then kills the
process with SIGKILL, as a crash or an out-of-memory killer would, and checks
what is left in OUT.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path

from kgraph.cli import main
from kgraph.export.atomic import atomic_open
from kgraph.export.graphml import dumps_graphml
from kgraph.export.outputs import OUTPUTS

READY = Path(sys.argv[1])


def stalled_write_graphml(made, path) -> None:
    text = dumps_graphml(made.graph)
    with atomic_open(path) as handle:
        handle.write(text[: len(text) // 2])
        handle.flush()
        READY.write_text(str(path))
        time.sleep(600)
        handle.write(text[len(text) // 2 :])


OUTPUTS["graphml"] = dataclasses.replace(OUTPUTS["graphml"], write=stalled_write_graphml, fragments=None)
sys.argv = ["kgraph", *sys.argv[2:]]
main()
