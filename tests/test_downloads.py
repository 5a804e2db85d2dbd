"""The learner wheel and the student bundle: what they hold, what they never hold (no instructor
module, no solution line, no hidden test, no sample submission), dependencies as ranges, and the
same bytes when built twice."""
import re
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT
from instructor.downloads import BUNDLE, build_downloads
from instructor.release import chapters
from leaks import leaked_lines

INSTRUCTOR_MODULES = {"instructor", "grader", "reference", "release", "grading", "samples", "check", "bench",
                      "sandbox", "evaluate", "rebuild", "feedback", "nbgrader_setup", "downloads", "book"}


@pytest.fixture(scope="module")
def downloads(tmp_path_factory) -> tuple[Path, Path]:
    wheel, bundle = build_downloads(ROOT, tmp_path_factory.mktemp("downloads"))
    return wheel, bundle


def texts(archive: Path) -> dict[str, str]:
    with zipfile.ZipFile(archive) as opened:
        return {name: opened.read(name).decode("utf-8", "replace") for name in opened.namelist()}


def assert_no_answers(files: dict[str, str]) -> None:
    for chapter in chapters(ROOT):
        solution = ROOT / "solutions" / chapter / f"{chapter}.ipynb"
        for name, text in files.items():
            if not name.endswith(".whl"):
                leaked = leaked_lines(solution, text, 12 if name.endswith(".ipynb") else 30)
                assert not leaked, f"{name} holds lines of {chapter}'s solutions or hidden tests: {leaked[:3]}"


def test_wheel_holds_the_learner_package_only(downloads):
    wheel, _ = downloads
    files = texts(wheel)
    packages = {name.split("/")[0] for name in files}
    assert packages == {"seqcourse", wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".dist-info"}, packages
    modules = {Path(name).stem for name in files if name.endswith(".py")}
    assert not modules & INSTRUCTOR_MODULES, modules & INSTRUCTOR_MODULES
    assert {"checks", "runtime", "corpus", "rnn"} <= modules
    for name, text in files.items():
        assert "load_reference" not in text and "gradebook" not in text.lower(), name
    assert_no_answers(files)


def test_wheel_dependencies_are_ranges_not_the_lock(downloads):
    wheel, _ = downloads
    metadata = next(text for name, text in texts(wheel).items() if name.endswith("METADATA"))
    requires = re.findall(r"^Requires-Dist: (.+)$", metadata, re.M)
    assert {re.split(r"[<>=!~ ]", r)[0] for r in requires} == {"numpy", "torch", "matplotlib", "tqdm"}
    assert all(">=" in r and "==" not in r for r in requires), requires


def test_bundle_holds_chapters_wheel_requirements_and_a_readme_and_no_answers(downloads):
    wheel, bundle = downloads
    files = texts(bundle)
    for chapter in chapters(ROOT):
        assert f"sequence-models/chapters/{chapter}/{chapter}.ipynb" in files
    assert {f"sequence-models/{wheel.name}", "sequence-models/requirements-student.txt",
            "sequence-models/README.md"} <= set(files)
    assert not [n for n in files if "solutions/" in n or "autograde" in n or "samples" in n or "/tests/" in n]
    assert_no_answers(files)
    assert "torch==2.13.0" in files["sequence-models/requirements-student.txt"]


def test_downloads_are_deterministic(downloads, tmp_path):
    again = build_downloads(ROOT, tmp_path)
    for first, second in zip(downloads, again):
        assert first.read_bytes() == second.read_bytes(), first.name


def test_bundle_name_is_what_the_website_links():
    assert BUNDLE in (ROOT / "intro.md").read_text()
