"""Autograding the bundled sample submissions (autograde/samples/): every sample gets the grade
its spec says, feedback names the mistake without quoting hidden tests, the batch always
finishes, and regrading broken submissions leaves every other grade untouched."""
import csv
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import pytest
from conftest import copy_course
from leaks import html_text, leaked_lines
from conftest import ROOT
from grader.grading import grade_all, gradebook
from instructor.samples import CORRECT_SAMPLE, load_samples, sample_chapters, write_samples

pytestmark = pytest.mark.slow
CASES = [(chapter, name) for chapter in sample_chapters() for name in load_samples(chapter)]


def exercises_and_their_tests(chapter: str) -> dict[str, set[str]]:
    """Each exercise's grade_id and the test cells that follow it in the student notebook."""
    notebook = nbformat.read(ROOT / "chapters" / chapter / f"{chapter}.ipynb", as_version=4)
    exercises, current = {}, None
    for cell in notebook.cells:
        grading = cell.metadata.get("nbgrader", {})
        if grading.get("solution"):
            current = grading["grade_id"]
            exercises[current] = set()
        elif grading.get("grade") and current:
            exercises[current].add(grading["grade_id"])
    return exercises


@pytest.mark.parametrize("chapter", sample_chapters())
def test_every_exercise_has_samples_that_lose_its_points(chapter):
    samples = load_samples(chapter)
    assert CORRECT_SAMPLE in samples and not samples[CORRECT_SAMPLE]["lost"]
    assert "untouched-stub" in samples and not samples["untouched-stub"]["cells"]
    wrong = [s for name, s in samples.items() if name != "untouched-stub" and s["lost"] and not s.get("failed")]
    for exercise, tests in exercises_and_their_tests(chapter).items():
        catching = [s for s in wrong if s["lost"] & tests]
        assert len(catching) >= 2, f"{chapter}: only {len(catching)} wrong samples lose points on {exercise}"
        assert all(s["says"] for s in catching), f"{chapter}: a wrong {exercise} sample checks no feedback words"


def test_the_course_bundles_broken_and_hostile_samples():
    """Robustness of the grading machinery does not depend on the chapter: one chapter covers it."""
    names = {name for chapter in sample_chapters() for name in load_samples(chapter)}
    assert {"syntax-error", "infinite-loop", "calls-sys-exit", "edits-test-cells",
            "kills-its-kernel", "corrupt-file"} <= names


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade every sample, in two scratch courses graded side by side (one per core), each with
    its own gradebook: (the course root of each chapter, the outcomes by (chapter, student))."""
    halves = ([], [])
    for chapter in sorted(sample_chapters(), key=lambda c: -len(load_samples(c))):
        min(halves, key=lambda half: sum(len(load_samples(c)) for c in half)).append(chapter)
    roots = [copy_course(tmp_path_factory.mktemp("graded"), half) for half in halves]
    for root in roots:
        write_samples(root)
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = list(pool.map(grade_all, roots))
    root_of = {chapter: root for root, half in zip(roots, halves) for chapter in half}
    outcomes = {(o.chapter, o.student_id): o for result in results for o in result}
    return root_of, outcomes


def per_cell_scores(root: Path, chapter: str, student_id: str) -> dict[str, tuple[float, float]]:
    """(score, max_score) of every graded test cell of one submission, from the gradebook."""
    with gradebook(root) as book:
        submission = book.find_submission_notebook(chapter, chapter, student_id)
        return {grade.name: (grade.score, grade.max_score) for grade in submission.grades}


@pytest.mark.parametrize("chapter, name", CASES)
def test_sample_gets_the_grade_it_deserves(graded, chapter, name):
    root_of, outcomes = graded
    root = root_of[chapter]
    sample = load_samples(chapter, root)[name]
    outcome = outcomes[(chapter, f"sample-{name}")]
    feedback = root / "autograde" / "feedback" / f"sample-{name}" / chapter / f"{chapter}.html"
    assert feedback.exists(), "every student gets a feedback page"
    if sample.get("failed"):
        assert outcome.status == "failed" and outcome.score == 0
    else:
        assert outcome.status == "graded", outcome.message
        scores = per_cell_scores(root, chapter, f"sample-{name}")
        lost = {cell for cell, (score, _) in scores.items() if score == 0}
        assert lost == sample["lost"], f"lost {sorted(lost - sample['lost'])}, kept {sorted(sample['lost'] - lost)}"
        assert all(score == best for cell, (score, best) in scores.items() if cell not in lost)
    text = html_text(feedback.read_text(encoding="utf-8"))
    for words in sample["says"]:
        assert words in text, f"the feedback does not say {words!r}"


def test_feedback_never_quotes_hidden_tests(graded):
    root_of, _ = graded
    for chapter, root in root_of.items():
        solution = root / "solutions" / chapter / f"{chapter}.ipynb"
        for page in (root / "autograde" / "feedback").glob(f"*/{chapter}/*.html"):
            text = html_text(page.read_text(encoding="utf-8"))
            assert "HIDDEN TESTS" not in text and "load_reference" not in text, page
            hidden = [line for line in leaked_lines(solution, text)
                      if line.startswith("###") or "reference" in line or "2024" in line]
            assert not hidden, f"{page} quotes hidden tests: {hidden}"


def test_grades_csv_lists_every_submission(graded):
    root_of, outcomes = graded
    rows = []
    for root in set(root_of.values()):
        with (root / "autograde" / "grades.csv").open() as handle:
            rows += list(csv.DictReader(handle))
    assert {(r["chapter"], r["student_id"]) for r in rows} == set(outcomes)
    assert all(float(r["score"]) <= float(r["max_score"]) for r in rows)


def test_regrading_broken_submissions_leaves_other_grades_untouched(graded):
    root_of, outcomes = graded
    broken = {(chapter, s) for (chapter, s), o in outcomes.items() if o.status == "failed"}
    assert broken, "no broken sample to regrade"
    for root in {root_of[chapter] for chapter, _ in broken}:
        others = [(c, s) for (c, s), o in outcomes.items() if root_of[c] == root and o.status == "graded"]
        before = {key: per_cell_scores(root, *key) for key in others}
        students = sorted({s for c, s in broken if root_of[c] == root})
        regraded = grade_all(root, students=students)
        assert {o.student_id for o in regraded} >= set(students)
        assert all(o.score == 0 for o in regraded if (o.chapter, o.student_id) in broken)
        assert {key: per_cell_scores(root, *key) for key in others} == before
