"""Autograding the bundled sample submissions (autograde/samples/) with the course's grader, two
workers side by side: every sample gets the grade its spec says, feedback names the mistake
without quoting hidden tests, the batch always finishes, grading again skips what did not change,
and regrading some submissions leaves every other grade untouched."""
import csv
import json
from pathlib import Path

import pytest

from conftest import ROOT, copy_course
from grader.grading import exercises_and_tests, grade_all, gradebook
from instructor.samples import CORRECT_SAMPLE, load_samples, sample_chapters, write_samples
from leaks import html_text, leaked_lines

pytestmark = pytest.mark.slow
CASES = [(chapter, name) for chapter in sample_chapters() for name in load_samples(chapter)]


@pytest.mark.parametrize("chapter", sample_chapters())
def test_every_exercise_has_samples_that_lose_its_points(chapter):
    samples = load_samples(chapter)
    assert CORRECT_SAMPLE in samples and not samples[CORRECT_SAMPLE]["lost"]
    assert "untouched-stub" in samples and not samples["untouched-stub"]["cells"]
    wrong = [s for name, s in samples.items() if name != "untouched-stub" and s["lost"] and not s.get("failed")]
    release = json.loads((ROOT / "chapters" / chapter / f"{chapter}.ipynb").read_text())
    for exercise, tests in exercises_and_tests(release).items():
        catching = [s for s in wrong if s["lost"] & set(tests)]
        assert len(catching) >= 2, f"{chapter}: only {len(catching)} wrong samples lose points on {exercise}"
        assert all(s["says"] for s in catching), f"{chapter}: a wrong {exercise} sample checks no feedback words"


def test_the_course_bundles_broken_and_hostile_samples():
    """Robustness of the grading machinery does not depend on the chapter: one chapter covers it."""
    names = {name for chapter in sample_chapters() for name in load_samples(chapter)}
    assert {"syntax-error", "infinite-loop", "calls-sys-exit", "edits-test-cells",
            "kills-its-kernel", "corrupt-file"} <= names


SECRETS = ["5" * 64, "a7" * 32]  # two courses' grading secrets: two different sets of test inputs


@pytest.fixture(scope="module", params=SECRETS, ids=["inputs-a", "inputs-b"])
def graded(request, tmp_path_factory):
    """Every sample of every chapter, graded in one scratch course by two workers, once for each of two
    grading secrets, so that a grade holds whatever inputs test_rng draws: (the course, the outcomes
    by (chapter, student))."""
    root = copy_course(tmp_path_factory.mktemp("graded"))
    (root / "autograde").mkdir(exist_ok=True)
    (root / "autograde" / ".grading-secret").write_text(request.param)
    write_samples(root)
    outcomes = grade_all(root, workers=2, show_progress=False)
    return root, {(o.chapter, o.student_id): o for o in outcomes}


def per_cell_scores(root: Path, chapter: str, student_id: str) -> dict[str, tuple[float, float]]:
    """(score, max_score) of every graded test cell of one submission, from the gradebook."""
    with gradebook(root) as book:
        submission = book.find_submission_notebook(chapter, chapter, student_id)
        return {grade.name: (grade.score, grade.max_score) for grade in submission.grades}


@pytest.mark.parametrize("chapter, name", CASES)
def test_sample_gets_the_grade_it_deserves(graded, chapter, name):
    root, outcomes = graded
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
        record = json.loads((root / "autograde" / "autograded" / f"sample-{name}" / chapter / "grading.json").read_text())
        why = {cell: record["tests"].get(cell, {}).get("message", "")[:200] for cell in lost - sample["lost"]}
        assert lost == sample["lost"], f"lost {sorted(lost - sample['lost'])} ({why}), kept {sorted(sample['lost'] - lost)}"
        assert all(score == best for cell, (score, best) in scores.items() if cell not in lost)
    text = html_text(feedback.read_text(encoding="utf-8"))
    for words in sample["says"]:
        assert words in text, f"the feedback does not say {words!r}"


def test_feedback_never_quotes_hidden_tests(graded):
    root, _ = graded
    for solution in (root / "solutions").glob("*/*.ipynb"):
        chapter = solution.stem
        for page in (root / "autograde" / "feedback").glob(f"*/{chapter}/*.html"):
            text = html_text(page.read_text(encoding="utf-8"))
            assert "HIDDEN TESTS" not in text and "load_reference" not in text, page
            hidden = [line for line in leaked_lines(solution, text)
                      if line.startswith("###") or "reference" in line or "2024" in line]
            assert not hidden, f"{page} quotes hidden tests: {hidden}"


def test_grades_csv_lists_every_submission_with_a_column_per_exercise(graded):
    root, outcomes = graded
    with (root / "autograde" / "grades.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert {(r["chapter"], r["student_id"]) for r in rows} == set(outcomes)
    assert all(float(r["score"]) <= float(r["max_score"]) for r in rows)
    correct = next(r for r in rows if r["student_id"] == f"sample-{CORRECT_SAMPLE}" and r["chapter"] == "03_rnn")
    assert float(correct["rnn_forward"]) > 0 and float(correct["score"]) == float(correct["max_score"])


def test_grading_again_skips_unchanged_submissions(graded):
    root, _ = graded
    assert grade_all(root, workers=1, show_progress=False) == []


def test_regrading_broken_submissions_leaves_other_grades_untouched(graded):
    root, outcomes = graded
    broken = {(chapter, s) for (chapter, s), o in outcomes.items() if o.status == "failed"}
    assert broken, "no broken sample to regrade"
    others = [key for key, o in outcomes.items() if o.status == "graded"]
    before = {key: per_cell_scores(root, *key) for key in others}
    csv_before = (root / "autograde" / "grades.csv").read_text()
    students = sorted({s for _, s in broken})
    regraded = grade_all(root, students=students, force=True, workers=1, show_progress=False)
    assert {o.student_id for o in regraded} == set(students)
    assert all(o.score == 0 for o in regraded if (o.chapter, o.student_id) in broken)
    assert {key: per_cell_scores(root, *key) for key in others} == before
    assert (root / "autograde" / "grades.csv").read_text() == csv_before
