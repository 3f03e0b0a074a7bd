"""The built documentation typesets its formulas without a network.

Needs a built site (``docs/_build/html``, which ``.ci/run`` builds before it
runs this file again) and a Chromium browser (Debian's ``chromium``); skips
with the reason otherwise.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

SITE = Path(__file__).resolve().parents[1] / "docs" / "_build" / "html"
PAGES = ["user_guide/backpropagation.html", "user_guide/deep_network.html"]
BROWSERS = ["chromium", "chromium-browser", "google-chrome", "chrome"]


def _browser():
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def _rendered_dom(browser, page):
    # Every request through a proxy that does not exist: no network at all
    # (file:// pages are read directly), and time enough for MathJax to run.
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--proxy-server=http://127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>",
        "--virtual-time-budget=20000",
        "--dump-dom",
        page.as_uri(),
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=120, check=False
    )
    return result.stdout


@pytest.mark.parametrize("name", PAGES)
def test_formulas_are_typeset_offline(name):
    page = SITE / name
    if not page.is_file():
        pytest.skip(f"the documentation is not built ({page} is missing)")
    browser = _browser()
    if browser is None:
        pytest.skip("no Chromium browser installed (apt-get install chromium)")
    source = page.read_text()
    assert "cdn.jsdelivr" not in source and "mathjax/tex-chtml.js" in source
    assert (SITE / "_static" / "mathjax" / "tex-chtml.js").is_file()
    n_formulas = len(re.findall(r'class="math', source))
    assert n_formulas > 5
    dom = _rendered_dom(browser, page)
    typeset = dom.count("<mjx-container")
    assert typeset >= n_formulas, (typeset, n_formulas, os.path.basename(name))
