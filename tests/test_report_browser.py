"""The trial report laid out by a real headless Chromium: no sideways scrolling at laptop
width or on an A4 page, and the accessibility basics a screen reader relies on.

Skipped when no browser can be had (CI installs none): it uses Playwright when a browser
launches through it, else a system ``chromium`` / ``chromium-headless-shell`` run with
``--dump-dom``. Set ``MTORSIM_CHROMIUM`` to a browser binary to choose one. The structural
checks that need no browser are in ``test_trial_report.py``.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from mtorsim.report.html import trial_report
from mtorsim.trials import run_trial

WIDTH = 1280
A4_WIDTH = 718  # A4 at 96 px/inch less Chromium's default print margins

#: Run in the page after it loaded; everything the test asserts on, as one JSON object.
PROBE = """JSON.stringify({
  scrollWidth: document.documentElement.scrollWidth,
  lang: document.documentElement.lang,
  alts: [...document.images].map(i => i.getAttribute('alt') || ''),
  loaded: [...document.images].every(i => i.complete && i.naturalWidth > 0),
  landmarks: ['header', 'main', 'footer'].filter(t => document.querySelector(t)),
  sections: [...document.querySelectorAll('section')].map(s =>
    !!document.getElementById(s.getAttribute('aria-labelledby') || '')),
  wraps: [...document.querySelectorAll('.table-wrap')].map(w =>
    getComputedStyle(w).overflowX),
})"""

_BINARIES = ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome")


def _system_browser() -> str | None:
    chosen = os.environ.get("MTORSIM_CHROMIUM")
    if chosen:
        return chosen
    return next((p for p in map(shutil.which, _BINARIES) if p), None)


def _with_playwright(page_path: Path, binary: str | None) -> dict[str, dict] | None:
    """Probe at screen width and as printed on A4; ``None`` when Playwright has no browser."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        return None
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=binary, args=["--no-sandbox"] if binary else []
            )
            page = browser.new_page(viewport={"width": WIDTH, "height": 900})
            page.goto(page_path.as_uri(), wait_until="load")
            screen = json.loads(page.evaluate(PROBE))
            page.emulate_media(media="print")
            page.set_viewport_size({"width": A4_WIDTH, "height": 1000})
            printed = json.loads(page.evaluate(PROBE))
            browser.close()
    except Error:
        return None
    return {"screen": screen, "print": printed}


def _with_dump_dom(page_path: Path, binary: str) -> dict[str, dict]:
    """Probe at screen width by injecting a script and reading its answer from the DOM."""
    text = page_path.read_text()
    script = (
        "<script>window.addEventListener('load', () => "
        f"document.documentElement.setAttribute('data-probe', {PROBE}));</script>"
    )
    probed = page_path.with_name("probed.html")
    probed.write_text(text.replace("</body>", script + "</body>", 1))
    out = subprocess.run(
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--window-size={WIDTH},900",
            "--virtual-time-budget=5000",
            "--dump-dom",
            probed.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    found = re.search(r'data-probe="([^"]*)"', out.stdout)
    if out.returncode != 0 or not found:
        pytest.skip(f"{binary} did not render the page (rc {out.returncode}): {out.stderr[-300:]}")
    return {"screen": json.loads(html.unescape(found.group(1)))}


@pytest.fixture(scope="module")
def probes(tmp_path_factory) -> dict[str, dict]:
    binary = _system_browser()
    try:
        import playwright  # noqa: F401
    except ImportError:
        if binary is None:
            pytest.skip(
                "no headless browser: install playwright and run "
                "'python -m playwright install chromium', or install chromium"
            )
    path = tmp_path_factory.mktemp("browser") / "report.html"
    trial_report(run_trial("RECORD-1", n_patients=60, seed=1), path)
    found = _with_playwright(path, binary)
    if found is None and binary is not None:
        found = _with_dump_dom(path, binary)
    if found is None:
        pytest.skip("playwright is installed but has no browser: run 'playwright install chromium'")
    return found


def test_report_does_not_scroll_sideways_at_laptop_width(probes) -> None:
    screen = probes["screen"]
    assert screen["scrollWidth"] <= WIDTH, "the page scrolls horizontally"
    assert screen["wraps"] and set(screen["wraps"]) == {"auto"}  # tables scroll in their box
    assert screen["loaded"], "an embedded figure did not decode"


def test_report_accessibility_basics_in_a_browser(probes) -> None:
    screen = probes["screen"]
    assert screen["lang"] == "en"
    assert len(screen["alts"]) >= 5 and all(a.strip() for a in screen["alts"])
    assert screen["landmarks"] == ["header", "main", "footer"]
    assert screen["sections"] and all(screen["sections"])


def test_printed_report_fits_an_a4_page(probes) -> None:
    if "print" not in probes:
        pytest.skip("print media needs playwright (the --dump-dom fallback lays out for screen)")
    printed = probes["print"]
    assert printed["scrollWidth"] <= A4_WIDTH, "printed tables or figures are cut at the edge"
    assert set(printed["wraps"]) == {"visible"}
