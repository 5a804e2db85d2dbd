"""The website: builds with zero warnings, contains no answers, and renders in a real browser
(Debian's headless Chromium): math typeset by the bundled MathJax, figures loaded, no error output."""
import functools
import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from leaks import html_text, leaked_lines
from conftest import ROOT
from instructor.release import chapters

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("book")
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    build = subprocess.run([str(jupyter_book), "build", str(ROOT), "-W", "-n", "--keep-going",
                            "--path-output", str(output)], capture_output=True, text=True, timeout=900)
    log = build.stdout + build.stderr
    assert build.returncode == 0, log[-3000:]
    assert "WARNING" not in log and "build succeeded" in log, log[-3000:]
    return output / "_build" / "html"


def test_book_has_the_preface_notation_and_every_chapter(site):
    for page in ["intro.html", "notation.html", *[f"chapters/{c}/{c}.html" for c in chapters()]]:
        assert (site / page).exists(), page
    assert not list(site.rglob("solutions")) and not list(site.rglob("autograde"))
    assert (site / "_static" / "mathjax" / "tex-chtml.js").exists()


def test_book_contains_no_solution_or_hidden_test(site):
    for chapter in chapters():
        solution = ROOT / "solutions" / chapter / f"{chapter}.ipynb"
        for page in site.rglob("*"):
            if page.is_file() and page.suffix in {".html", ".ipynb", ".txt", ".md", ".js"} and "mathjax" not in page.parts:
                text = page.read_text(encoding="utf-8", errors="replace")
                leaked = leaked_lines(solution, html_text(text) if page.suffix == ".html" else text)
                assert not leaked, f"{page.relative_to(site)} leaks {leaked[:5]}"


def test_download_button_serves_the_student_notebook(site):
    for chapter in chapters():
        page = (site / "chapters" / chapter / f"{chapter}.html").read_text(encoding="utf-8")
        assert f"_sources/chapters/{chapter}/{chapter}.ipynb" in page
        served = site / "_sources" / "chapters" / chapter / f"{chapter}.ipynb"
        assert served.read_bytes() == (ROOT / "chapters" / chapter / f"{chapter}.ipynb").read_bytes()


@pytest.fixture(scope="module")
def browser(site):
    from selenium import webdriver

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=1280,2000"]:
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService("/usr/bin/chromedriver"))
    driver.set_page_load_timeout(60)
    yield driver, f"http://127.0.0.1:{server.server_address[1]}"
    driver.quit()
    server.shutdown()


@pytest.mark.parametrize("chapter", chapters())
def test_chapter_page_renders_in_a_browser(browser, chapter):
    from selenium.webdriver.support.ui import WebDriverWait

    driver, base = browser
    driver.get(f"{base}/chapters/{chapter}/{chapter}.html")
    WebDriverWait(driver, 60).until(lambda d: d.execute_script(
        "return document.querySelectorAll('mjx-container').length > 0"
        " && document.querySelectorAll('.MathJax_Error, mjx-merror').length === 0"
        " && Array.from(document.images).every(i => i.complete)"))
    math = driver.execute_script("return document.querySelectorAll('mjx-container').length")
    assert math >= 20, f"only {math} formulas were typeset"
    assert driver.execute_script("return document.querySelectorAll('mjx-merror, .MathJax_Error').length") == 0
    figures = driver.execute_script(
        "return Array.from(document.querySelectorAll('.cell_output img')).map(i => i.naturalWidth)")
    assert len(figures) >= 4 and all(width > 100 for width in figures), figures
    outputs = driver.execute_script(
        "return Array.from(document.querySelectorAll('.cell_output')).map(o => o.innerText).join('\\n')")
    for error in ["Traceback", "Error", "CheckFailed", "Warning"]:
        assert error not in outputs, f"an output on the page shows {error}"
    assert not driver.find_elements("css selector", ".output.stderr, .output.traceback, .output.error")
    screenshots = os.environ.get("SEQCOURSE_SCREENSHOTS")  # set it to look at the pages yourself
    if screenshots:
        driver.save_screenshot(str(Path(screenshots) / f"{chapter}.png"))
