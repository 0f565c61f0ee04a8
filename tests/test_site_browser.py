"""The documentation site as a reader sees it: every page in headless Chromium.

``mkdocs build --strict`` proves links resolve in Markdown; it cannot see a
script that throws, a table cut off on the right, a code highlighter fetched
from a CDN, or a long code spilling out of the contents sidebar. This test
builds the site, serves it on 127.0.0.1 and opens every page in Debian's
``chromium`` through ``chromedriver`` (Selenium; nothing is downloaded at test
time), at a desktop and a phone width. A page fails on:

- a console error (an uncaught exception, a resource that failed to load);
- a request to anywhere but the local server (other hosts do not resolve);
- a table or code block wider than the content area that is not inside its
  own horizontal scroll container, or a page that scrolls sideways;
- text of the contents sidebar spilling out of it, or body text under it;
- a link to a page, file or anchor the site does not have.

Full-page screenshots of the key pages are written to ``$LASH_SPEC_SCREENSHOTS``
(default: a temporary folder). Without Chromium, chromedriver, MkDocs or
Selenium the test skips and says what to install; ``.ci/run`` installs them and
sets ``LASH_SPEC_REQUIRE_BROWSER=1``, which turns that skip into a failure.
"""

from __future__ import annotations

import base64
import functools
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The pages a reviewer looks at first: screenshot name -> page path.
SCREENSHOTS = {
    "home": "",
    "turn-machine": "reference/turn-machine/",
    "error-codes": "reference/error-codes/",
    "write-your-adapter": "write-your-adapter/",
}
DESKTOP = (1280, 900)
PHONE = (390, 844)


# -- what is installed -------------------------------------------------------


def _missing() -> str | None:
    """Why the browser check cannot run here, or None."""
    need = []
    modules = []
    for module in ("mkdocs", "material", "selenium"):
        try:
            __import__(module)
        except ImportError:
            modules.append(module)
    if modules:
        need.append(f"{', '.join(modules)} (pip install -e '.[docs]')")
    if not _chromium() or not shutil.which("chromedriver"):
        need.append("chromium and chromedriver (apt-get install chromium chromium-driver)")
    return "; ".join(need) or None


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    why = _missing()
    if why:
        message = f"site browser check needs {why}"
        if os.environ.get("LASH_SPEC_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " (LASH_SPEC_REQUIRE_BROWSER=1)")
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(_chromium())
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        # only the local server resolves: any other request fails (and is reported)
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        f"--window-size={DESKTOP[0]},{DESKTOP[1]}",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # explicit paths: Selenium Manager (which downloads drivers) is never used
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


# -- building and serving ----------------------------------------------------


def build_site(config: Path, site: Path, *, strict: bool = True) -> None:
    cmd = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(site)]
    if strict:
        cmd.append("--strict")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, f"mkdocs build failed:\n{done.stdout}\n{done.stderr}"


@contextmanager
def serve(root: Path) -> Iterator[tuple[str, list[str]]]:
    """Serve ``root`` on 127.0.0.1; yield its base URL and the failed requests."""
    failures: list[str] = []

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            if str(code).isdigit() and int(code) >= 400:
                failures.append(f"{code} {self.path}")

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # a browser that stops reading (it moved on to the next page)

    server = Server(("127.0.0.1", 0), functools.partial(Handler, directory=root))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/", failures
    finally:
        server.shutdown()
        server.server_close()


def site_pages(site: Path) -> list[str]:
    """Page paths ("" for the home page, "reference/ops/" …) of a built site."""
    pages = []
    for index in sorted(site.rglob("index.html")):
        rel = index.parent.relative_to(site).as_posix()
        if rel.split("/")[0] in ("search", "assets"):
            continue
        pages.append("" if rel == "." else rel + "/")
    return pages


# -- what the browser sees ---------------------------------------------------

# Run in the page: layout problems as strings.
_LAYOUT_JS = r"""
const problems = [];
const main = document.querySelector('article') || document.querySelector('[role=main]')
  || document.body;
const box = main.getBoundingClientRect();
// the column the content sits in (Material lets scroll wrappers use its padding)
const column = (document.querySelector('.md-content') || main).getBoundingClientRect();
const root = document.scrollingElement;
if (root.scrollWidth > root.clientWidth + 1) {
  problems.push(
    `the page scrolls sideways (${root.scrollWidth}px in a ${root.clientWidth}px window)`);
}
const scrolls = (el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
// the nearest element from `el` up to the content area that scrolls sideways itself
function scroller(el) {
  for (let p = el; p && p !== main; p = p.parentElement) {
    if (scrolls(p) && p.getBoundingClientRect().right <= column.right + 1) return p;
  }
  return null;
}
const describe = (el) => {
  const text = (el.innerText || '').trim().replace(/\s+/g, ' ');
  return `${el.tagName.toLowerCase()} "${text.slice(0, 60)}"`;
};
const reported = [];
for (const el of main.querySelectorAll('table, pre')) {
  const r = el.getBoundingClientRect();
  if (r.width === 0) continue;
  const wide = Math.max(r.right, r.left + el.scrollWidth) > column.right + 1;
  if (!wide) continue;
  const inner = [...el.children].some((c) => scrolls(c) && c.scrollWidth > c.clientWidth);
  if (!inner && !scroller(el)) {
    reported.push(el);
    problems.push(`${describe(el)} is wider than the content area (${Math.round(
      Math.max(r.width, el.scrollWidth))}px > ${Math.round(column.width)}px) and does not scroll`);
  }
}
const toc = document.querySelector('.md-sidebar--secondary');
if (toc && toc.offsetParent !== null && getComputedStyle(toc).visibility !== 'hidden') {
  const side = toc.getBoundingClientRect();
  for (const link of toc.querySelectorAll('.md-nav__link, a')) {
    // a long word either runs past the sidebar or is cut off inside it
    const parts = [link, ...link.querySelectorAll('*')];
    const text = document.createRange();
    text.selectNodeContents(link);
    const bad = text.getBoundingClientRect().right > side.right + 1 || parts.some((e) => {
      const r = e.getBoundingClientRect();
      return r.width && (e.scrollWidth > e.clientWidth + 1 || r.right > side.right + 1);
    });
    if (bad) {
      problems.push(`contents entry "${link.innerText.trim()}" does not fit the sidebar`);
    }
  }
  for (const el of main.querySelectorAll('p, li, td, th, h1, h2, h3, h4, pre, table, img')) {
    const r = el.getBoundingClientRect();
    if (!r.width || r.right <= side.left + 1 || r.left >= side.right) continue;
    if (reported.some((w) => w.contains(el))) continue;
    const clip = scroller(el);
    if (clip && clip.getBoundingClientRect().right <= side.left + 1) continue;
    problems.push(`${describe(el)} runs under the contents sidebar`);
  }
}
return problems;
"""

_FACTS_JS = r"""
return {
  links: [...document.querySelectorAll('a[href]')].map((a) => a.href),
  media: [...document.querySelectorAll('img[src], script[src], link[href][rel=stylesheet]')]
    .map((e) => e.src || e.href),
  ids: [...document.querySelectorAll('[id]')].map((e) => e.id),
  requests: performance.getEntriesByType('resource').map((e) => e.name),
  ready: document.readyState,
};
"""


@dataclass
class Report:
    problems: dict[str, list[str]] = field(default_factory=dict)
    screenshots: list[Path] = field(default_factory=list)

    def add(self, page: str, problem: str) -> None:
        self.problems.setdefault(page or "(home)", []).append(problem)

    def text(self) -> str:
        return "\n".join(
            f"{page}:\n" + "\n".join(f"  - {p}" for p in problems)
            for page, problems in self.problems.items()
        )


def _load(driver: Any, url: str) -> dict[str, Any]:
    driver.get(url)
    deadline = time.monotonic() + 20
    facts: dict[str, Any] = driver.execute_script(_FACTS_JS)
    while facts["ready"] != "complete" and time.monotonic() < deadline:
        time.sleep(0.05)
        facts = driver.execute_script(_FACTS_JS)
    time.sleep(0.2)  # let the theme's scripts run (they start after load)
    driver.execute_script("window.scrollTo(0, document.body.scrollHeight / 2)")
    time.sleep(0.1)  # scroll handlers (the contents tracker) run now
    driver.execute_script("window.scrollTo(0, 0)")
    return dict(driver.execute_script(_FACTS_JS))


def _screenshot(driver: Any, path: Path) -> None:
    time.sleep(0.4)  # the header's title fades back after the scroll in _load
    width, height = driver.execute_script(
        "return [document.documentElement.clientWidth, document.scrollingElement.scrollHeight]"
    )
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": min(height, 16000), "scale": 1},
        },
    )
    path.write_bytes(base64.b64decode(shot["data"]))


def check_site(
    driver: Any, site: Path, shots: Path | None = None, names: dict[str, str] | None = None
) -> Report:
    """Open every page of the built ``site``; report every problem found."""
    report = Report()
    pages = site_pages(site)
    wanted = {page: name for name, page in (names or {}).items()}
    with serve(site) as (base, failed):
        origin = base.rstrip("/")
        ids: dict[str, set[str]] = {}
        links: dict[str, set[str]] = {}
        for width, height in (DESKTOP, PHONE):
            # exact viewport sizes (a headless window has a minimum width)
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            )
            for page in pages:
                driver.get_log("browser")  # drop what an earlier page left
                facts = _load(driver, base + page)
                label = f"at {width}px"
                for entry in driver.get_log("browser"):
                    if entry["level"] == "SEVERE":
                        report.add(page, f"console error {label}: {entry['message']}")
                layout = driver.execute_script(_LAYOUT_JS)
                for problem in layout[:10]:
                    report.add(page, f"{problem} ({label})")
                if len(layout) > 10:
                    report.add(page, f"… and {len(layout) - 10} more layout problems ({label})")
                for request in facts["requests"]:
                    if not request.startswith(origin) and not request.startswith("data:"):
                        report.add(page, f"request outside the site: {request}")
                if width == DESKTOP[0]:
                    ids[page] = set(facts["ids"])
                    links[page] = set(facts["links"]) | set(facts["media"])
                    if shots is not None and page in wanted:
                        path = shots / f"{wanted[page]}.png"
                        _screenshot(driver, path)
                        report.screenshots.append(path)
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        for request in failed:
            report.add("(server)", f"failed request: {request}")
        _check_links(report, base, ids, links)
    return report


def _check_links(
    report: Report, base: str, ids: dict[str, set[str]], links: dict[str, set[str]]
) -> None:
    status: dict[str, int] = {}
    for page, hrefs in links.items():
        for href in sorted(hrefs):
            if not href.startswith(base):
                continue  # links to other sites are followed by readers, not fetched here
            target, _, anchor = href[len(base) :].partition("#")
            target = urllib.parse.unquote(target)
            if target in ids:
                if anchor and urllib.parse.unquote(anchor) not in ids[target]:
                    report.add(page, f"broken anchor: {href}")
                continue
            if target not in status:
                try:
                    with urllib.request.urlopen(base + target, timeout=10) as reply:
                        status[target] = reply.status
                except urllib.error.HTTPError as err:
                    status[target] = err.code
            if status[target] != 200:
                report.add(page, f"broken link ({status[target]}): {href}")


# -- the tests ---------------------------------------------------------------


@pytest.fixture(scope="module")
def project_site(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This project's site, built once (after the browser: skip before building)."""
    site = tmp_path_factory.mktemp("site") / "site"
    build_site(ROOT / "mkdocs.yml", site)
    return site


def test_every_page_of_the_site_in_a_browser(
    browser: Any, project_site: Path, tmp_path: Path
) -> None:
    site = project_site
    shots = Path(os.environ.get("LASH_SPEC_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    report = check_site(browser, site, shots, SCREENSHOTS)
    assert len(site_pages(site)) >= 20
    assert not report.problems, "the site has problems in a browser:\n" + report.text()
    assert sorted(p.name for p in report.screenshots) == sorted(f"{n}.png" for n in SCREENSHOTS)
    for path in report.screenshots:
        assert path.stat().st_size > 10_000, f"{path} looks empty"


def test_contents_tracker_follows_headings_whose_ids_start_with_a_digit(
    browser: Any, project_site: Path
) -> None:
    """write-your-adapter's headings are numbered ("1. The loop" -> id
    ``1-the-loop``): the theme's scroll tracker must still mark the section
    being read (the previous theme's script threw on such ids)."""
    with serve(project_site) as (base, _):
        browser.get(base + "write-your-adapter/")
        browser.get_log("browser")
        ids = browser.execute_script(
            "return [...document.querySelectorAll('article h2[id]')].map((h) => h.id)"
        )
        numbered = [i for i in ids if i[:1].isdigit()]
        assert len(numbered) >= 3, ids
        target = numbered[len(numbered) // 2]
        browser.execute_script(f"document.getElementById('{target}').scrollIntoView()")
        deadline = time.monotonic() + 10
        active = None
        while active != f"#{target}" and time.monotonic() < deadline:
            time.sleep(0.2)
            active = browser.execute_script(
                "const a = document.querySelector("
                "'.md-sidebar--secondary a.md-nav__link--active');"
                "return a && a.getAttribute('href');"
            )
        assert active == f"#{target}"
        assert not [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def test_search_works_offline(browser: Any, project_site: Path) -> None:
    """The search index and its worker come from the site itself."""
    from selenium.webdriver.common.by import By

    with serve(project_site) as (base, failed):
        browser.get(base)
        browser.find_element(By.CSS_SELECTOR, "label.md-search__icon, .md-search__input")
        browser.execute_script("document.querySelector('.md-search__input').focus()")
        browser.find_element(By.CSS_SELECTOR, ".md-search__input").send_keys("redelivery")
        deadline = time.monotonic() + 20
        found: list[Any] = []
        while not found and time.monotonic() < deadline:
            time.sleep(0.2)
            found = browser.find_elements(By.CSS_SELECTOR, ".md-search-result__item")
        titles = " ".join(e.text for e in found)
        assert "Checkpoint and restore" in titles, titles
        assert not failed
        requests = browser.execute_script(
            "return performance.getEntriesByType('resource').map((e) => e.name)"
        )
        assert all(r.startswith(base.rstrip("/")) for r in requests), requests


_BROKEN = """\
# A broken page

<script>throw new Error("deliberately broken script");</script>

<table class="raw" style="width: 2400px"><tr><td>a table too wide for the page</td></tr></table>

<pre style="overflow: visible">{long}</pre>

<img src="https://cdn.example.com/highlight.js" alt="a request outside the site">

[a page that does not exist](nowhere.md), [an anchor that does not exist](index.md#nowhere)

## `{code}`

<style>.md-sidebar--secondary .md-nav__link * {{ {nowrap} }}</style>
"""


def test_the_check_fails_on_a_deliberately_broken_page(browser: Any, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "assets").mkdir(parents=True)
    shutil.copy(ROOT / "docs" / "assets" / "site.css", docs / "assets" / "site.css")
    (docs / "index.md").write_text("# Fine\n\nA page with nothing wrong: [broken](broken.md).\n")
    code = "host_configuration_needed:host_configuration_needed_and_then_some_more"
    # undo the site's fix: the contents entry neither wraps nor clips
    nowrap = "white-space: nowrap !important; overflow: visible !important;"
    (docs / "broken.md").write_text(_BROKEN.format(long="x" * 400, code=code, nowrap=nowrap))
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.split("\nnav:")[0].replace("strict: true", "strict: false")
    # without the site's hook (which lets long codes wrap in the contents)
    config = config.replace("hooks:\n  - mkdocs_hooks.py\n", "")
    (tmp_path / "mkdocs.yml").write_text(config + "\nnav:\n  - index.md\n  - broken.md\n")
    site = tmp_path / "site"
    build_site(tmp_path / "mkdocs.yml", site, strict=False)

    report = check_site(browser, site)
    assert "(home)" not in report.problems, report.text()
    found = "\n".join(report.problems["broken/"] + report.problems.get("(server)", []))
    for expected in (
        "deliberately broken script",  # the script error, from the console
        'table "a table too wide',  # not scrollable
        'pre "xxxx',  # ditto
        "request outside the site: https://cdn.example.com/highlight.js",
        "broken link (404)",
        "broken anchor",
        f'contents entry "{code}" does not fit the sidebar',
        "the page scrolls sideways",
    ):
        assert expected in found, f"{expected!r} not reported; report:\n{report.text()}"
