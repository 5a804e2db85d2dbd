"""The website: builds with zero warnings, contains no answers, publishes the learner wheel and the
student bundle, and reads like a book in a real browser (Debian's headless Chromium at 1280 px):
math typeset by the bundled MathJax and never wider than its column, no code line cut off,
every figure captioned, described for screen readers and legible, one citation style, one search
field, no doubled page title."""
import base64
import hashlib
import os
import re
import zipfile
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from instructor.downloads import BUNDLE
from instructor.release import chapters
from instructor.site import wheel_name
from leaks import html_text, leaked_lines

pytestmark = pytest.mark.slow
PAGES = ["intro.html", "notation.html", *[f"chapters/{c}/{c}.html" for c in chapters()]]
TITLE = "Sequence Models from Scratch"


def test_book_has_the_preface_notation_and_every_chapter(site):
    for page in PAGES:
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


def test_website_publishes_the_wheel_and_the_bundle(site):
    """Check that the wheel the notebooks' first cell fetches, and the student bundle, are at the site's root
    and linked from the preface."""
    wheel, bundle = site / wheel_name(ROOT), site / BUNDLE
    assert wheel.exists() and bundle.exists()
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
    assert f"sequence-models/{wheel.name}" in names and "sequence-models/requirements-student.txt" in names
    preface = (site / "intro.html").read_text(encoding="utf-8")
    assert f'href="{BUNDLE}"' in preface and f'href="{wheel.name}"' in preface


def test_bibliography_labels_are_the_in_text_citations(site):
    """Check that every in-text citation, "[Bengio et al., 1994]" or "Cho et al. [2014a]", shows the words
    of the label of the very entry it links to, including the a or b of two entries with one
    author-year (before: both of Cho et al.'s 2014 papers were cited as "2014")."""
    notation = (site / "notation.html").read_text(encoding="utf-8")
    labels = {anchor: html_text(label).replace("\xa0", " ") for anchor, label in re.findall(
        r'<div class="citation" id="(id\d+)"[^>]*>\s*<span class="label"><span class="fn-bracket">\[</span>(.*?)'
        r'<span class="fn-bracket">\]</span>', notation)}
    assert len(labels) >= 30, labels
    assert sum(label[-1].isalpha() for label in labels.values()) >= 4  # Gers 2000, Cho 2014, van den Oord 2016
    cited = set()
    for page in PAGES:
        text = (site / page).read_text(encoding="utf-8")
        for citation in re.findall(r'<span class="bibtex-citation"[^>]*>(.*?)</span>', text, flags=re.S):
            for anchor, words in re.findall(r'href="[^"]*notation\.html#(id\d+)"[^>]*>(.*?)</a>', citation):
                label, words = labels[anchor], html_text(words).replace("\xa0", " ")
                authors = html_text(citation.split("[", 1)[0]).replace("\xa0", " ").strip()
                shown = words if words == label or not authors else f"{authors}, {words}"
                assert shown == label, f"{page}: the citation {shown!r} links to the entry labelled {label!r}"
                cited.add(anchor)
    assert len(cited) >= 30


def test_page_titles_are_not_doubled(site):
    for page in PAGES:
        title = re.search(r"<title>(.*?)</title>", (site / page).read_text(encoding="utf-8")).group(1)
        assert html_text(title).count(TITLE) == 1, f"{page}: {title}"


def test_every_figure_in_the_chapters_is_measured():
    """Check that the release recorded the smallest text size of every figure (instructor.figures)."""
    for chapter in chapters():
        notebook = nbformat.read(ROOT / "chapters" / chapter / f"{chapter}.ipynb", as_version=4)
        images = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})]
        assert images and all(o.metadata.get("seqcourse", {}).get("dpi") for o in images), chapter


def figure_text_sizes() -> dict[str, dict]:
    """{sha256 of a PNG, the name MyST-NB gives its file: its text measurements}."""
    sizes = {}
    for chapter in chapters():
        notebook = nbformat.read(ROOT / "chapters" / chapter / f"{chapter}.ipynb", as_version=4)
        for cell in notebook.cells:
            for output in cell.get("outputs", []):
                if "image/png" in output.get("data", {}):
                    digest = hashlib.sha256(base64.b64decode(output.data["image/png"])).hexdigest()
                    sizes[digest] = output.metadata.get("seqcourse", {})
    return sizes


@pytest.fixture(scope="module")
def browser(served_site):
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=1280,2000"]:
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService("/usr/bin/chromedriver"))
    driver.set_page_load_timeout(60)
    yield driver, served_site
    driver.quit()


def open_page(browser, page):
    from selenium.webdriver.support.ui import WebDriverWait

    driver, base = browser
    driver.get(f"{base}/{page}")
    WebDriverWait(driver, 60).until(lambda d: d.execute_script(
        "return document.querySelectorAll('mjx-container').length > 0"
        " && !document.querySelector('mjx-container:empty')"
        " && Array.from(document.images).every(i => i.complete)"))
    return driver


@pytest.mark.parametrize("page", PAGES)
def test_page_layout_fits_the_column(browser, page):
    """Check that no display equation is wider than its column and no code block scrolls sideways, at 1280 px,
    and that the header holds no second search field."""
    driver = open_page(browser, page)
    assert driver.execute_script("return document.querySelectorAll('mjx-merror, .MathJax_Error').length") == 0
    wide = driver.execute_script("""
        return [...document.querySelectorAll('mjx-container[display="true"]')].filter(m => {
          const inner = m.firstElementChild.getBoundingClientRect().width;
          return inner > m.parentElement.getBoundingClientRect().width + 1 || m.scrollWidth > m.clientWidth + 1;
        }).map(m => m.textContent.slice(0, 80));""")
    assert not wide, f"display equations wider than the column: {wide}"
    scrolling = driver.execute_script("""
        return [...document.querySelectorAll('article pre')].filter(p => p.scrollWidth > p.clientWidth + 1)
          .map(p => p.textContent.slice(0, 80));""")
    assert not scrolling, f"code blocks that scroll sideways: {scrolling}"
    search = driver.execute_script("""
        return [...document.querySelectorAll('.search-button-field, .bd-search')].filter(e => e.offsetParent !== null).length;""")
    assert search == 1, f"{search} visible search fields"


@pytest.mark.parametrize("chapter", chapters())
def test_chapter_page_renders_in_a_browser(browser, chapter):
    driver = open_page(browser, f"chapters/{chapter}/{chapter}.html")
    math = driver.execute_script("return document.querySelectorAll('mjx-container').length")
    assert math >= 20, f"only {math} formulas were typeset"
    outputs = driver.execute_script(
        "return Array.from(document.querySelectorAll('.cell_output')).map(o => o.innerText).join('\\n')")
    for error in ["Traceback", "Error", "CheckFailed", "Warning"]:
        assert error not in outputs, f"an output on the page shows {error}"
    assert not driver.find_elements("css selector", ".output.stderr, .output.traceback, .output.error")
    tests = driver.execute_script("return document.querySelectorAll('details.hide.above-input').length")
    assert tests >= 8, f"only {tests} collapsed test cells"
    screenshots = os.environ.get("SEQCOURSE_SCREENSHOTS")  # set it to look at the pages yourself
    if screenshots:
        driver.save_screenshot(str(Path(screenshots) / f"{chapter}.png"))


@pytest.mark.parametrize("chapter", chapters())
def test_figures_are_captioned_described_and_legible(browser, chapter):
    """Check every figure: inside a <figure> with a caption, alt text that is words (not a file name), and its
    smallest text shown at least as large as the page's smallest body text (code, 14 px)."""
    driver = open_page(browser, f"chapters/{chapter}/{chapter}.html")
    images = driver.execute_script("""
        return [...document.querySelectorAll('.cell_output img')].map(i => ({
          file: i.getAttribute('src').split('/').pop(), alt: i.getAttribute('alt') || '', shown: i.clientWidth,
          natural: i.naturalWidth, caption: (i.closest('figure')?.querySelector('figcaption')?.innerText || '')}));""")
    smallest_body = driver.execute_script("""
        const sizes = [...document.querySelectorAll('article p, article li, article td, article pre, article code')]
          .filter(e => !e.closest('mjx-container')).map(e => parseFloat(getComputedStyle(e).fontSize));
        return Math.min(...sizes);""")
    measured = figure_text_sizes()
    assert len(images) >= 2, f"only {len(images)} figures: a chapter explains with a diagram and shows an experiment"
    problems = []
    for image in images:
        name = image["file"]
        if len(image["caption"].split()) < 5:
            problems.append(f"{name}: no caption")
        if len(image["alt"].split()) < 4 or image["alt"].endswith(".png"):
            problems.append(f"{name}: no alt text")
        size = measured.get(name.rsplit(".", 1)[0], {})
        if size.get("min_text_pt"):
            shown = size["min_text_pt"] * size["dpi"] / 72 * image["shown"] / image["natural"]
            if shown < smallest_body - 0.25:
                problems.append(f"{name}: its smallest text is shown {shown:.1f} px high, the body's smallest "
                                f"{smallest_body:.1f} px")
    assert not problems, "\n".join(problems)
