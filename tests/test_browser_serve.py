"""kgraph serve's pages in a real browser: headless Chromium (Debian's) driven by Selenium.

Search, open an entity, see its neighbours drawn, follow a relation, run a
SPARQL query, and check that hostile corpus text never runs and that the
Content-Security-Policy is never broken by kgraph's own pages. Every host but
loopback is unresolvable for the browser. Without /usr/bin/chromium and
/usr/bin/chromedriver these tests are skipped (loudly); under CI (``CI``
set) they fail instead, as in test_browser_viewer.py.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kgraph.serve import Running, open_served

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ROOT = Path(__file__).resolve().parents[1]

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
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

TIME_LIMIT = 2.0


@pytest.fixture(scope="module")
def server(serve_dir):
    served = open_served(serve_dir, workers=1, time_limit=TIME_LIMIT, row_limit=100)
    running = Running(served.app(queries=ROOT / "examples" / "queries"))
    yield running
    running.stop()
    served.close()


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tmp_path_factory.mktemp("chromium-profile-serve")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=1280,900", f"--user-data-dir={profile}",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    # an alert() would leave a flag rather than a dialog
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                            {"source": "window.alert = function () { window.kgraphAlerted = true; };"})
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _wait(driver, condition, timeout: float = 20):
    return WebDriverWait(driver, timeout).until(condition)


def _problems(driver) -> list[str]:
    """Console messages that say a script failed or the page broke its own policy."""
    return [entry["message"] for entry in driver.get_log("browser")
            if entry["level"] == "SEVERE" and ("Content Security Policy" in entry["message"]
                                               or "Uncaught" in entry["message"])]


def _flags(driver) -> dict:
    return driver.execute_script("return {xss: window.kgraphXss, alerted: window.kgraphAlerted};")


def test_browser_serve_search_open_an_entity_and_follow_a_relation(driver, server):
    driver.get(server.url + "/")
    box = driver.find_element(By.ID, "top-search")
    box.send_keys("Fsat3R")  # a typo
    box.submit()
    _wait(driver, EC.presence_of_element_located((By.ID, "entity-results")))
    first = driver.find_element(By.CSS_SELECTOR, "#entity-results li a.node")
    assert first.text == "Fast 3D Reconstruction"
    first.click()
    _wait(driver, EC.text_to_be_present_in_element((By.ID, "entity-label"), "Fast 3D Reconstruction"))
    focus = driver.find_element(By.ID, "focus")
    _wait(driver, lambda d: focus.get_attribute("data-state") in ("drawn", "error"))
    assert focus.get_attribute("data-state") == "drawn", driver.find_element(By.ID, "focus-note").text
    assert int(focus.get_attribute("data-nodes")) >= 3  # itself, DUSt3R and its tasks
    assert driver.find_elements(By.CSS_SELECTOR, "#focus canvas")
    assert "neighbours shown" in driver.find_element(By.ID, "focus-note").text
    # follow the relation "Fast 3D Reconstruction extends DUSt3R"
    link = driver.find_element(By.CSS_SELECTOR, "#rel-extends li.statement .sentence a.node-method[href='/entity/method:dust3r']")
    link.click()
    _wait(driver, EC.text_to_be_present_in_element((By.ID, "entity-label"), "DUSt3R"))
    # its evidence links to the paper
    paper = driver.find_element(By.CSS_SELECTOR, "#rel-extends a.paper-link[href='/paper/fast3r']")
    paper.click()
    _wait(driver, EC.text_to_be_present_in_element((By.ID, "paper-title"), "Fast3R: Towards 3D Reconstruction"))
    assert _problems(driver) == []


def test_browser_serve_questions_form(driver, server):
    driver.get(server.url + "/query")
    form = driver.find_element(By.ID, "form-path")
    form.find_element(By.NAME, "source").send_keys("MUSt3R")
    form.find_element(By.NAME, "target").send_keys("camera pose estimation")
    form.find_element(By.CSS_SELECTOR, "button").click()
    _wait(driver, EC.presence_of_element_located((By.ID, "answer")))
    steps = driver.find_elements(By.CSS_SELECTOR, "#answer li.statement .sentence")
    assert [s.text for s in steps] == ["MUSt3R extends DUSt3R", "Fast 3D Reconstruction extends DUSt3R",
                                       "Fast 3D Reconstruction used for camera pose estimation"]
    assert _problems(driver) == []


def test_browser_serve_runs_a_canned_sparql_query_and_stops_an_endless_one(driver, server):
    driver.get(server.url + "/sparql")
    driver.find_element(By.LINK_TEXT, "methods-for-task").click()
    binding = _wait(driver, EC.presence_of_element_located((By.NAME, "bind.task_name")))
    binding.send_keys("3D reconstruction")
    driver.find_element(By.ID, "sparql-run").click()
    _wait(driver, EC.presence_of_element_located((By.CSS_SELECTOR, "#sparql-results table tbody tr")))
    cells = [c.text for c in driver.find_elements(By.CSS_SELECTOR, "#sparql-results td")]
    assert "Fast 3D Reconstruction" in cells and "MUSt3R" in cells
    assert "rows" in driver.find_element(By.ID, "sparql-status").text
    # an IRI in the results opens its node's page
    iri = driver.find_element(By.CSS_SELECTOR, "#sparql-results a.iri")
    assert iri.text.startswith("https://w3id.org/kgraph/method/")
    # an endless query is stopped at the time limit
    area = driver.find_element(By.ID, "sparql-query")
    area.clear()
    area.send_keys("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }")
    driver.execute_script("document.querySelectorAll('.binding').forEach(function (b) { b.remove(); });")
    driver.find_element(By.ID, "sparql-run").click()
    _wait(driver, EC.text_to_be_present_in_element((By.ID, "sparql-status"), "Error 503"), timeout=30)
    assert "time limit" in driver.find_element(By.ID, "sparql-status").text
    iri_page = server.url + "/iri?iri=https://w3id.org/kgraph/method/dust3r"
    driver.get(iri_page)
    _wait(driver, EC.text_to_be_present_in_element((By.ID, "entity-label"), "DUSt3R"))
    assert _problems(driver) == []


def test_browser_serve_method_map_draws_under_its_policy(driver, server):
    driver.get(server.url + "/entity/method:dust3r")
    driver.find_element(By.ID, "community-map").click()
    _wait(driver, lambda d: d.execute_script("return document.readyState") == "complete")
    _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "canvas"))
    assert _flags(driver) == {"xss": None, "alerted": None}
    driver.get(server.url + "/map")
    _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "canvas"))
    assert _flags(driver) == {"xss": None, "alerted": None}
    assert _problems(driver) == []


def test_browser_serve_hostile_text_is_shown_and_never_runs(driver, server):
    from conftest import SERVE_FLAG

    for path in ("/entity/method:xssnet", "/paper/xss%20%3Cb%3E%26amp%3B", "/search?q=XSSNet",
                 "/query/related?name=XSSNet"):
        driver.get(server.url + path)
        _wait(driver, lambda d: d.execute_script("return document.readyState") == "complete")
        if path.startswith("/entity/"):
            _wait(driver, lambda d: d.find_element(By.ID, "focus").get_attribute("data-state") in ("drawn", "error"))
        body = driver.find_element(By.TAG_NAME, "main")
        assert not body.find_elements(By.CSS_SELECTOR, "img, iframe, svg, b, script")
        assert _flags(driver) == {"xss": None, "alerted": None}, path
    driver.get(server.url + "/entity/method:xssnet")
    assert SERVE_FLAG in driver.find_element(By.TAG_NAME, "main").text  # the text is shown, as text
    assert "window.kgraphXss=5" in driver.find_element(By.ID, "entity-label").text
    assert _problems(driver) == []
