"""The HTML viewer in a real browser: headless Chromium (Debian's) driven by Selenium.

Every network request is blocked, so the page must work from the file alone.
Without /usr/bin/chromium and /usr/bin/chromedriver these tests are skipped
(loudly); under CI (``CI`` set) they fail instead, since `.ci/run` installs both.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import networkx as nx
import pytest

from kgraph.export.html import LARGE_GRAPH, write_html

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FIXTURE = Path(__file__).parent / "data" / "export" / "graph.json"
HOSTILE_PAPER = "paper:arXiv:2401.1 x/y"
HOSTILE_TITLE = "<img src=x onerror=alert(1)>"
FLAG_TITLE = '<img src=y onerror="window.kgraphXss=1"><script>window.kgraphXss=2</script>'

_missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.path.exists(path)]
try:
    import selenium  # noqa: F401
except ImportError:
    _missing.append("the selenium package (pip install -e '.[dev]')")
if _missing:
    message = (
        "BROWSER TESTS NOT RUN: missing " + ", ".join(_missing)
        + "; install with `apt-get install -y chromium chromium-driver` (.ci/run does)"
    )
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message, allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402



def hostile_graph() -> nx.MultiDiGraph:
    """The export fixture plus a paper whose title would set a flag if it ever ran."""
    G = nx.node_link_graph(json.loads(FIXTURE.read_text(encoding="utf-8")), edges="edges")
    G.add_node("paper:flag", type="paper", label=FLAG_TITLE, abstract=FLAG_TITLE, url="javascript:window.kgraphXss=3")
    G.add_edge("paper:flag", "method:phi-decoding", key="uses", relation="uses", support=1,
               evidence=[{"paper": "flag", "field": "title", "start": 0, "end": 5, "sentence": FLAG_TITLE}])
    return G


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tmp_path_factory.mktemp("chromium-profile")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=1280,800", f"--user-data-dir={profile}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*"]})
    # an alert() would leave a flag rather than a dialog
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                            {"source": "window.alert = function () { window.kgraphAlerted = true; };"})
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


def open_page(driver, path: Path) -> dict:
    """Load the page, wait until it is drawn and its layout stable; return the console messages."""
    driver.get_log("browser")  # drop earlier messages
    driver.get(path.as_uri())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        timings = driver.execute_script("return window.kgraph ? window.kgraph.timings : null")
        if timings and timings["stable"] is not None:
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"page not drawn within 60 s: {driver.get_log('browser')}")
    return {"timings": timings, "log": driver.get_log("browser")}


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pages") / "graph.html"
    write_html(hostile_graph(), path, title="hostile")
    return path


@pytest.fixture()
def loaded(driver, hostile_page):
    return open_page(driver, hostile_page)


def errors(log: list[dict]) -> list[dict]:
    return [entry for entry in log if entry["level"] in ("SEVERE", "WARNING")]


def test_browser_page_loads_offline_without_console_errors(driver, loaded):
    assert errors(loaded["log"]) == []
    assert driver.execute_script("return typeof vis") == "object"
    assert loaded["timings"]["firstDraw"] > 0


def test_browser_draws_every_node_and_edge(driver, loaded):
    G = hostile_graph()
    counts = driver.execute_script(
        "const n = window.kgraph.network;"
        "return [window.kgraph.visibleNodeIds().length, window.kgraph.visibleEdgeIds().length,"
        "        n.body.nodeIndices.length, n.body.edgeIndices.length];"
    )
    assert counts == [G.number_of_nodes(), G.number_of_edges(), G.number_of_nodes(), G.number_of_edges()]
    painted = driver.execute_script(
        "const c = document.querySelector('#kg-graph canvas');"
        "const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        "let n = 0; for (let i = 3; i < px.length; i += 4) { if (px[i] > 0) n++; } return n;"
    )
    assert painted > 500


def test_browser_hostile_text_does_not_run_and_shows_as_text(driver, loaded):
    assert driver.execute_script("return [window.kgraphXss, window.kgraphAlerted]") == [None, None]
    assert driver.find_elements(By.CSS_SELECTOR, "img") == []
    for node in (HOSTILE_PAPER, "paper:flag"):
        driver.execute_script("window.kgraph.focusNode(arguments[0], false)", node)
        heading = driver.find_element(By.CSS_SELECTOR, "#kg-details h3").text
        assert heading == {HOSTILE_PAPER: HOSTILE_TITLE, "paper:flag": FLAG_TITLE}[node]
    panel = driver.find_element(By.ID, "kg-details")
    assert FLAG_TITLE in panel.text  # the abstract, as text
    assert panel.find_elements(By.CSS_SELECTOR, "img, script") == []
    assert panel.find_elements(By.CSS_SELECTOR, "a[href^='javascript']") == []
    # the evidence sentences of phi-decoding's edges, the alias and the hover tooltips: all text
    driver.execute_script("window.kgraph.focusNode('method:phi-decoding', false)")
    assert "<script>alert(1)</script>" in panel.text
    assert "</script><script>alert(1)</script>" in panel.text
    search = driver.find_element(By.ID, "kg-search")
    search.send_keys("img src")
    suggestions = driver.find_element(By.ID, "kg-suggestions")
    assert HOSTILE_TITLE in suggestions.text
    assert suggestions.find_elements(By.CSS_SELECTOR, "img") == []
    titles = driver.execute_script("return window.kgraph.nodes.get().map(n => typeof n.title)")
    assert set(titles) == {"string"}  # vis-network shows string titles with innerText
    assert driver.execute_script("return [window.kgraphXss, window.kgraphAlerted]") == [None, None]
    assert errors(driver.get_log("browser")) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [("φ-Decoding", "method:phi-decoding"), ("phi decoding", "method:phi-decoding"),
     ("schrodinger", "task:schrodinger-equation"), ("GNN", "method:graph-neural-network")],
)
def test_browser_search_focuses_and_selects_the_node(driver, loaded, query, expected):
    label = driver.execute_script("return window.kgraph.nodes.get(arguments[0]).label", expected)
    search = driver.find_element(By.ID, "kg-search")
    search.send_keys(query)
    first = driver.find_element(By.CSS_SELECTOR, "#kg-suggestions li[data-node]")
    assert first.get_attribute("data-node") == expected
    search.send_keys(Keys.ENTER)
    assert driver.execute_script("return window.kgraph.selectedNodeIds()") == [expected]
    assert driver.find_element(By.CSS_SELECTOR, "#kg-details h3").text == label
    time.sleep(0.6)  # the focus animation
    centre = driver.execute_script(
        "const n = window.kgraph.network; const p = n.getPositions([arguments[0]])[arguments[0]];"
        "const v = n.getViewPosition(); return Math.hypot(p.x - v.x, p.y - v.y);", expected)
    assert centre < 5


def test_browser_click_highlights_the_neighbourhood_and_shows_evidence(driver, loaded):
    node = "method:phi-decoding"
    canvas = driver.find_element(By.CSS_SELECTOR, "#kg-graph canvas")
    x, y = driver.execute_script(
        "const n = window.kgraph.network; const p = n.canvasToDOM(n.getPositions([arguments[0]])[arguments[0]]);"
        "return [p.x, p.y];", node)
    ActionChains(driver).move_to_element_with_offset(canvas, x - canvas.size["width"] / 2,
                                                     y - canvas.size["height"] / 2).click().perform()
    assert driver.execute_script("return window.kgraph.selectedNodeIds()") == [node]
    G = hostile_graph()
    neighbourhood = {node, *G.successors(node), *G.predecessors(node)}
    dimmed = driver.execute_script(
        "return window.kgraph.nodes.get().filter(n => n.color.background.startsWith('rgba')).map(n => n.id)")
    assert set(dimmed) == set(G) - neighbourhood
    panel = driver.find_element(By.ID, "kg-details").text
    assert "ALIASES (3)" in panel and "phi decoding (1)" in panel
    assert "RELATIONS" in panel and "support" in panel
    # a paper in the panel links to that paper
    driver.find_element(By.CSS_SELECTOR, f"#kg-details a[data-node='{HOSTILE_PAPER}']").click()
    assert driver.execute_script("return window.kgraph.selectedNodeIds()") == [HOSTILE_PAPER]


def test_browser_type_filter_hides_nodes_and_their_edges(driver, loaded):
    G = hostile_graph()
    papers = [n for n, t in G.nodes(data="type") if t == "paper"]
    driver.find_element(By.CSS_SELECTOR, "#kg-types input[data-type='paper']").click()
    time.sleep(0.2)  # filters apply on the next animation frame
    visible = driver.execute_script("return window.kgraph.visibleNodeIds()")
    assert sorted(visible) == sorted(set(G) - set(papers))
    assert driver.execute_script("return window.kgraph.network.body.nodeIndices.length") == len(visible)
    edges = driver.execute_script("return window.kgraph.visibleEdgeIds().length")
    assert edges == sum(1 for u, v in G.edges() if u not in papers and v not in papers)
    driver.find_element(By.CSS_SELECTOR, "#kg-types input[data-type='paper']").click()
    time.sleep(0.2)
    assert len(driver.execute_script("return window.kgraph.visibleNodeIds()")) == G.number_of_nodes()


def test_browser_relation_and_support_filters(driver, loaded):
    G = hostile_graph()
    driver.find_element(By.CSS_SELECTOR, "#kg-relations input[data-relation='mentions']").click()
    time.sleep(0.2)
    edges = driver.execute_script("return window.kgraph.visibleEdgeIds().length")
    assert edges == sum(1 for _, _, k in G.edges(keys=True) if k != "mentions")
    driver.execute_script("window.kgraph.setMinSupport(2)")
    time.sleep(0.2)
    visible = set(driver.execute_script("return window.kgraph.visibleNodeIds()"))
    assert visible == {n for n, d in G.nodes(data=True) if d["type"] != "paper" and len(d.get("papers") or []) >= 2}
    assert driver.find_element(By.ID, "kg-min-support-value").text == "2"


def test_browser_search_reveals_a_node_hidden_by_a_filter(driver, loaded):
    driver.find_element(By.CSS_SELECTOR, "#kg-types input[data-type='task']").click()
    time.sleep(0.2)
    assert "task:schrodinger-equation" not in driver.execute_script("return window.kgraph.visibleNodeIds()")
    search = driver.find_element(By.ID, "kg-search")
    search.send_keys("Schrödinger equation", Keys.ENTER)
    assert driver.execute_script("return window.kgraph.selectedNodeIds()") == ["task:schrodinger-equation"]
    assert "task:schrodinger-equation" in driver.execute_script("return window.kgraph.visibleNodeIds()")


def test_browser_large_graph_is_drawn_at_once_with_physics_off(driver, tmp_path):
    G = nx.MultiDiGraph()
    for i in range(LARGE_GRAPH + 100):
        G.add_node(f"method:m{i}", type="method", label=f"m{i}", papers=[f"paper:p{i % 60}"])
        G.add_node(f"paper:p{i % 60}", type="paper", label=f"paper {i % 60}")
        G.add_edge(f"paper:p{i % 60}", f"method:m{i}", key="uses", relation="uses", support=1)
    path = tmp_path / "large.html"
    write_html(G, path)
    page = open_page(driver, path)
    assert errors(page["log"]) == []
    assert page["timings"]["stable"] == page["timings"]["firstDraw"]
    assert driver.execute_script("return window.kgraph.network.physics.options.enabled") is False
    assert driver.execute_script("return window.kgraph.network.body.nodeIndices.length") == G.number_of_nodes()


def test_browser_paper_panel_links_its_ids_and_lists_citations(driver, tmp_path):
    G = nx.MultiDiGraph()
    G.add_node("paper:W1", type="paper", label="Attention", year=2017, doi="10.48550/arxiv.1706.03762",
               arxiv_id="1706.03762", openalex_id="W1")
    G.add_node("paper:W2", type="paper", label="BERT", year=2019, openalex_id='W2"><img src=x onerror=alert(1)>')
    G.add_edge("paper:W2", "paper:W1", key="cites", relation="cites", support=1,
               extractors=["openalex referenced_works"], evidence=[{"paper": "W2", "field": "references", "start": 0, "end": 1, "sentence": "W1",
                          "extractor": "openalex referenced_works"}])
    path = tmp_path / "cites.html"
    write_html(G, path)
    page = open_page(driver, path)
    assert errors(page["log"]) == []
    driver.execute_script("window.kgraph.focusNode('paper:W1', false)")
    panel = driver.find_element(By.ID, "kg-details")
    links = [(a.text, a.get_attribute("href"), a.get_attribute("target"), a.get_attribute("rel"))
             for a in panel.find_elements(By.CSS_SELECTOR, ".kg-links a")]
    assert links == [
        ("DOI 10.48550/arxiv.1706.03762", "https://doi.org/10.48550/arxiv.1706.03762", "_blank", "noopener noreferrer"),
        ("arXiv 1706.03762", "https://arxiv.org/abs/1706.03762", "_blank", "noopener noreferrer"),
        ("OpenAlex W1", "https://openalex.org/W1", "_blank", "noopener noreferrer")]
    assert "CITES (1)" in panel.text.upper() and "\u2190 BERT" in panel.text  # relations grouped by type
    tooltip = driver.execute_script("return window.kgraph.nodes.get('paper:W1').title")
    assert "arXiv 1706.03762" in tooltip
    driver.execute_script("window.kgraph.focusNode('paper:W2', false)")  # an id that is none: no link at all
    assert panel.find_elements(By.CSS_SELECTOR, ".kg-links, img") == []
    assert driver.execute_script("return window.kgraphAlerted") is None


@pytest.mark.slow
def test_browser_bundled_corpus_page(driver, corpus_build):
    out = corpus_build.files[0].parent / "graph.html"
    page = open_page(driver, out)
    assert errors(page["log"]) == []
    assert driver.execute_script("return window.kgraph.currentView()") == "map"  # 119 papers
    drawn = driver.execute_script("return window.kgraph.network.body.nodeIndices")
    assert drawn and not [node for node in drawn if node.startswith("paper:")]
    assert {"method:dust3r", "method:fast-3d-reconstruction", "method:must3r", "method:panst3r"} <= set(drawn)
    assert len(driver.execute_script("return window.kgraph.drawnCommunityNames()")) >= 3
    hits = driver.execute_script("return window.kgraph.search('diffusion models')")
    assert hits[0]["label"] == "diffusion models"
    driver.execute_script("window.kgraph.switchView('papers')")
    drawn = driver.execute_script("return window.kgraph.network.body.nodeIndices.length")
    assert drawn == corpus_build.graph.number_of_nodes()


# ------------------------------------------------------------------ the method map


@pytest.fixture(scope="module")
def map_page(tmp_path_factory) -> Path:
    from conftest import build_yearly_graph

    path = tmp_path_factory.mktemp("map") / "graph.html"
    write_html(build_yearly_graph(), path, title="map")
    return path


@pytest.fixture()
def map_loaded(driver, map_page):
    return open_page(driver, map_page)


def visible_ids(driver) -> list[str]:
    return driver.execute_script("return window.kgraph.visibleNodeIds()")


def test_browser_map_is_the_default_and_shows_no_paper_nodes(driver, map_loaded):
    from conftest import build_yearly_graph

    assert errors(map_loaded["log"]) == []
    assert driver.execute_script("return window.kgraph.currentView()") == "map"
    assert driver.find_element(By.CSS_SELECTOR, "#kg-views button[data-view='map']").get_attribute(
        "aria-pressed") == "true"
    drawn = driver.execute_script("return window.kgraph.network.body.nodeIndices")
    assert sorted(drawn) == sorted(visible_ids(driver))
    G = build_yearly_graph()
    entities = {n for n, t in G.nodes(data="type") if t != "paper"}
    assert set(drawn) == entities - {"method:lonely"}  # no paper; the entity without a relation hidden
    driver.find_element(By.ID, "kg-hide-isolated").click()
    time.sleep(0.2)
    assert set(visible_ids(driver)) == entities
    assert driver.find_elements(By.CSS_SELECTOR, "#kg-types input[data-type='paper']") == []


def test_browser_map_year_control_changes_the_visible_nodes(driver, map_loaded):
    before = set(visible_ids(driver))
    assert driver.find_element(By.ID, "kg-years-value").text == "2019\u20132024"
    to_year = driver.find_element(By.ID, "kg-year-to")
    driver.execute_script("arguments[0].value = '2020'; arguments[0].dispatchEvent(new Event('input'));", to_year)
    time.sleep(0.2)
    after = set(visible_ids(driver))
    assert driver.find_element(By.ID, "kg-years-value").text == "2019\u20132020"
    # diffusion models and image generation are named from 2023 on
    assert before - after == {"method:diffusion", "task:image-generation"}
    edges = driver.execute_script("return window.kgraph.visibleEdgeIds().map(id => window.kgraph.edges.get(id))")
    assert all("method:diffusion" not in (e["from"], e["to"]) for e in edges)
    driver.execute_script("window.kgraph.setYears(2023, 2024)")
    time.sleep(0.2)
    assert "method:cnn" not in visible_ids(driver) and "method:diffusion" in visible_ids(driver)


def test_browser_map_draws_each_community_name_once(driver, map_loaded):
    driver.execute_script("window.kgraph.network.redraw()")
    time.sleep(0.2)
    names = driver.execute_script("return window.kgraph.drawnCommunityNames()")
    assert sorted(names) == ["Transformer / machine translation", "WMT / ImageNet"]
    labels = driver.execute_script("return window.kgraph.drawnLabels()")
    assert labels and len(labels) == len(set(labels))
    assert set(labels) <= set(visible_ids(driver))


def test_browser_map_click_shows_evidence_with_marked_mentions(driver, map_loaded):
    node = "method:diffusion"
    canvas = driver.find_element(By.CSS_SELECTOR, "#kg-graph canvas")
    x, y = driver.execute_script(
        "const n = window.kgraph.network; const p = n.canvasToDOM(n.getPositions([arguments[0]])[arguments[0]]);"
        "return [p.x, p.y];", node)
    ActionChains(driver).move_to_element_with_offset(canvas, x - canvas.size["width"] / 2,
                                                     y - canvas.size["height"] / 2).click().perform()
    assert driver.execute_script("return window.kgraph.selectedNodeIds()") == [node]
    panel = driver.find_element(By.ID, "kg-details")
    groups = [h.get_attribute("data-relation") for h in panel.find_elements(By.CSS_SELECTOR, "h2.kg-relation-group")]
    assert groups[0] == "used_for" and "studied_with" in groups
    quote = panel.find_element(By.CSS_SELECTOR, "blockquote")
    assert [m.text for m in quote.find_elements(By.TAG_NAME, "mark")] == ["Diffusion models", "image generation"]
    assert quote.text.startswith("Diffusion models are used for image generation.")
    link = quote.find_element(By.CSS_SELECTOR, ".kg-links a[href='https://arxiv.org/abs/2301.00032']")
    assert link.get_attribute("rel") == "noopener noreferrer"
    # papers per year: the numbers of `kgraph query trends`
    bars = {int(b.get_attribute("data-year")): int(b.get_attribute("data-count"))
            for b in panel.find_elements(By.CSS_SELECTOR, "svg.kg-years-chart rect")}
    assert bars == {2019: 0, 2020: 0, 2021: 0, 2022: 0, 2023: 8, 2024: 8}
    assert "ALIASES (2)" in panel.text and "DDPM" in panel.text


def test_browser_map_markup_in_a_label_stays_text(driver, map_loaded):
    driver.execute_script("window.kgraph.focusNode('method:boldnet', false)")
    panel = driver.find_element(By.ID, "kg-details")
    assert driver.find_element(By.CSS_SELECTOR, "#kg-details h3").text == "<b>Bold</b>Net"
    assert panel.find_elements(By.CSS_SELECTOR, "b, img, script") == []
    marks = [m.text for m in panel.find_elements(By.CSS_SELECTOR, "blockquote mark")]
    assert marks == ["<b>Bold</b>Net", "Transformer"]


def test_browser_map_tooltip_names_the_other_aliases(driver, map_loaded):
    title = driver.execute_script("return window.kgraph.nodes.get('method:fast3r').title")
    assert "also: Fast3R" in title and "also: Fast 3D Reconstruction" not in title
    assert "community: " in title


def test_browser_map_neighbourhood_and_view_switch(driver, map_loaded):
    driver.execute_script("window.kgraph.showNeighbourhood('method:fast3r')")
    time.sleep(0.2)
    shown = set(visible_ids(driver))
    edges = driver.execute_script("return window.kgraph.edges.get()")
    near = {e["to"] if e["from"] == "method:fast3r" else e["from"] for e in edges
            if "method:fast3r" in (e["from"], e["to"])}
    assert shown == near | {"method:fast3r"}
    assert driver.find_element(By.ID, "kg-focus-bar").is_displayed()
    driver.find_element(By.ID, "kg-focus-clear").click()
    time.sleep(0.2)
    assert len(visible_ids(driver)) > len(shown)
    # the paper graph, one click away, with the selection kept
    driver.execute_script("window.kgraph.focusNode('method:fast3r', false)")
    driver.find_element(By.CSS_SELECTOR, "#kg-views button[data-view='papers']").click()
    time.sleep(0.2)
    assert driver.execute_script("return window.kgraph.currentView()") == "papers"
    assert driver.execute_script("return window.kgraph.selectedNodeIds()") == ["method:fast3r"]
    papers = [i for i in visible_ids(driver) if i.startswith("paper:")]
    assert len(papers) == 48
    driver.find_element(By.CSS_SELECTOR, "#kg-views button[data-view='map']").click()
    time.sleep(0.2)
    assert not [i for i in driver.execute_script("return window.kgraph.network.body.nodeIndices") if i.startswith("paper:")]
    assert errors(driver.get_log("browser")) == []


def test_browser_map_page_loads_nothing_from_the_network(driver, map_loaded):
    # every request is blocked (the driver fixture): a page that asked for anything would log an error
    assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0
    assert errors(map_loaded["log"]) == []
    assert driver.execute_script("return typeof vis") == "object"
