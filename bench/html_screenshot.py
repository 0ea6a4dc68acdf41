"""Save a screenshot of a kgraph page in headless Chromium: how docs/map.png and docs/screenshot.png are made.

    .venv/bin/kgraph build data/ -o /tmp/corpus
    .venv/bin/kgraph html /tmp/corpus -o /tmp/corpus/graph.html --title "kgraph: bundled corpus (119 abstracts)"
    .venv/bin/python bench/html_screenshot.py /tmp/corpus/graph.html docs/map.png --size 1600x1000
    .venv/bin/python bench/html_screenshot.py /tmp/corpus/graph.html docs/screenshot.png --size 1600x1000 \
        --select "3D reconstruction" --scale 1.2

The page opens on its default view (the method map for the bundled corpus).

``--select NAME`` searches the page for NAME, selects the first hit and zooms to
it (``--scale``). Needs Debian's chromium and chromium-driver and selenium.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from html_bench import browser  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--select", help="name or alias of a node to select and zoom to")
    parser.add_argument("--scale", type=float, default=0.85)
    parser.add_argument("--size", default="1600x1100", help="browser window, WIDTHxHEIGHT")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory() as profile:
        driver = browser(profile)
        try:
            driver.set_window_size(width, height)
            driver.get(args.page.resolve().as_uri())
            deadline = time.monotonic() + 120
            while not driver.execute_script("return window.kgraph && window.kgraph.timings.stable"):
                if time.monotonic() > deadline:
                    sys.exit("the page did not draw within 120 s")
                time.sleep(0.1)
            if args.select:
                found = driver.execute_script(
                    """
                    const hits = window.kgraph.search(arguments[0]);
                    if (!hits.length) { return null; }
                    const id = hits[0].id, net = window.kgraph.network;
                    window.kgraph.focusNode(id, false);
                    net.moveTo({position: net.getPositions([id])[id], scale: arguments[1]});
                    return id;
                    """,
                    args.select, args.scale,
                )
                if found is None:
                    sys.exit(f"no node called {args.select!r} in the page")
                time.sleep(0.5)
            problems = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
            if problems:
                sys.exit(f"console errors: {problems}")
            timings = driver.execute_script("return window.kgraph.timings")
            shown = driver.execute_script("return window.kgraph.nodeView.length")
            driver.save_screenshot(str(args.output))
        finally:
            driver.quit()
    print(f"{args.output}: first frame {timings.get('firstDraw', 0):.0f} ms after navigation start, "
          f"{shown} nodes drawn")


if __name__ == "__main__":
    main()
