"""Time the HTML viewer on synthetic kgraph-like graphs, in headless Chromium.

For each size: the time to make the page (selection, layout, JSON), its size,
and in the browser the time from navigation start to the first drawn frame
(``kgraph.timings.firstDraw``) and to a stable layout (``kgraph.timings.stable``;
the layout is precomputed and physics off, so that is the same frame), and the
time to draw one frame of the whole graph once
drawn, with edges and without them (as while dragging, when vis-network hides
them on large graphs). A first page is loaded and discarded to warm the browser
up; each page is then loaded three times and the medians are reported.
Network is blocked; nothing leaves the machine.

    .venv/bin/python bench/html_bench.py            # 200, 2000 and 10000 nodes
    .venv/bin/python bench/html_bench.py 500 5000   # other sizes

Needs Debian's chromium and chromium-driver and the selenium package (the dev
extra). Results go to standard output as a Markdown table.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

from kgraph.export.html import dumps_html

RELATIONS_FROM_PAPER = ("uses", "mentions")
REPEAT = 3  # browser measurements per size; the table shows medians


def synthetic_graph(n: int, seed: int = 0) -> nx.MultiDiGraph:
    """A graph shaped like kgraph's: a fifth papers, each linked to 3-8 entities.

    Entities are picked with Zipf-like popularity (a few hubs, a long tail of
    entities seen once); some method–task and method–dataset edges are added
    between entities the same paper links; every edge has evidence.
    """
    rng = random.Random(seed)
    papers = max(1, n // 5)
    entities = n - papers
    kinds = ["method"] * 7 + ["task"] * 2 + ["dataset"]
    G = nx.MultiDiGraph()
    entity_ids = []
    for i in range(entities):
        kind = kinds[i % len(kinds)]
        node = f"{kind}:e{i:05d}"
        entity_ids.append(node)
        G.add_node(node, type=kind, label=f"{kind} {i}", aliases=[f"{kind} {i}", f"E{i}"], alias_counts=[2, 1],
                   papers=[], proposed_in=[], mentions=0, known_id=None)
    weights = [1 / (rank + 1) ** 0.9 for rank in range(entities)]
    for p in range(papers):
        pid = f"paper:p{p:05d}"
        G.add_node(pid, type="paper", label=f"Paper {p}: a synthetic title about entity {p}",
                   abstract="We propose a synthetic method. " * 8, year=2020 + p % 5, authors=["A. Author"],
                   url=None, source=f"synthetic:{p}")
        chosen = {entity_ids[p % entities]} if entities else set()
        # every entity gets at least one paper; the rest follow popularity
        for extra in range(p + papers, entities, papers):
            chosen.add(entity_ids[extra])
        chosen.update(rng.choices(entity_ids, weights=weights, k=rng.randint(2, 6)) if entities else ())
        for j, node in enumerate(sorted(chosen)):
            relation = "proposes" if j == 0 and node.startswith("method") else (
                "addresses" if node.startswith("task") else rng.choice(RELATIONS_FROM_PAPER))
            sentence = f"In paper {p} we {relation} {G.nodes[node]['label']} because it works well."
            G.add_edge(pid, node, key=relation, relation=relation, support=1, extractors=["pattern"],
                       evidence=[{"paper": f"p{p:05d}", "field": "abstract", "start": 0, "end": len(sentence),
                                  "sentence": sentence, "extractor": "pattern"}])
            G.nodes[node]["papers"].append(pid)
            G.nodes[node]["mentions"] += 1
        methods = [m for m in sorted(chosen) if m.startswith("method")]
        for m in methods[:1]:
            for other in sorted(chosen):
                if other.startswith(("task", "dataset")):
                    relation = "used_for" if other.startswith("task") else "evaluated_on"
                    if G.has_edge(m, other, relation):
                        G.edges[m, other, relation]["support"] += 1
                    else:
                        G.add_edge(m, other, key=relation, relation=relation, support=1, extractors=["dependency"],
                                   evidence=[{"paper": f"p{p:05d}", "field": "abstract", "start": 0, "end": 10,
                                              "sentence": f"{m} is applied to {other}.", "extractor": "dependency"}])
    return G


def browser(user_data_dir: str):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=1400,900", f"--user-data-dir={user_data_dir}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*"]})
    return driver


def measure(driver, path: Path, timeout: float = 300.0) -> dict:
    driver.set_page_load_timeout(timeout)
    driver.get(path.as_uri())
    deadline = time.monotonic() + timeout
    timings = None
    while time.monotonic() < deadline:
        timings = driver.execute_script("return window.kgraph && window.kgraph.timings")
        if timings and timings.get("stable") is not None:
            break
        time.sleep(0.05)
    frames = driver.execute_script(
        """
        // one frame, drawn synchronously, at the fitted view: with edges (zooming, moving
        // the view programmatically) and without (while dragging: hideEdgesOnDrag)
        const r = window.kgraph.network.renderer;
        function frame() { const t = performance.now(); for (let i = 0; i < 5; i++) { r._redraw(); } return (performance.now() - t) / 5; }
        const full = frame();
        r.dragging = true;
        const dragging = frame();
        r.dragging = false;
        return [full, dragging];
        """
    )
    return {**timings, "frame_ms": frames[0], "drag_frame_ms": frames[1]}


def main(sizes: list[int]) -> None:
    if not (shutil.which("chromium") or os.path.exists("/usr/bin/chromium")):
        sys.exit("needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver)")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        driver = browser(os.path.join(tmp, "profile"))
        try:
            warm = Path(tmp) / "warm-up.html"
            warm.write_text(dumps_html(synthetic_graph(100)), encoding="utf-8")
            measure(driver, warm)
            for n in sizes:
                G = synthetic_graph(n)
                start = time.perf_counter()
                page = dumps_html(G, max_nodes=n)
                make_s = time.perf_counter() - start
                path = Path(tmp) / f"graph-{n}.html"
                path.write_text(page, encoding="utf-8")
                runs = [measure(driver, path) for _ in range(REPEAT)]
                result = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
                rows.append((n, G.number_of_edges(), make_s, len(page.encode()) / 1e6, result))
                print(json.dumps({"nodes": n, "edges": G.number_of_edges(), "make_s": round(make_s, 2), **result}),
                      file=sys.stderr)
        finally:
            driver.quit()
    print("| nodes | edges | page made (s) | page size (MB) | first draw (s) | stable layout (s) "
          "| frame (ms) | frame, dragging (ms) |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n, m, make_s, mb, r in rows:
        print(f"| {n:,} | {m:,} | {make_s:.1f} | {mb:.1f} | {r['firstDraw'] / 1000:.2f} | "
              f"{r['stable'] / 1000:.2f} | {r['frame_ms']:.0f} | {r['drag_frame_ms']:.0f} |")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [200, 2000, 10000])
