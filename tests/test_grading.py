"""Autograding the bundled sample submissions (autograde/samples/): every sample gets the grade
its spec says, feedback names the mistake without quoting hidden tests, the batch always
finishes, and regrading broken submissions leaves every other grade untouched."""
import csv
from pathlib import Path

import pytest
from leaks import html_text, leaked_lines
from seqcourse.grading import grade_all, gradebook
from seqcourse.samples import CORRECT_SAMPLE, load_samples, sample_chapters, write_samples

pytestmark = pytest.mark.slow
CASES = [(chapter, name) for chapter in sample_chapters() for name in load_samples(chapter)]


def test_every_chapter_bundles_correct_wrong_and_broken_samples():
    for chapter in sample_chapters():
        samples = load_samples(chapter)
        assert CORRECT_SAMPLE in samples and not samples[CORRECT_SAMPLE]["lost"]
        assert any(s.get("failed") for s in samples.values()), f"{chapter} has no broken samples"
        assert len([s for s in samples.values() if s["lost"] and not s.get("failed")]) >= 10


@pytest.fixture(scope="module")
def graded(course_copy):
    write_samples(course_copy)
    outcomes = {(o.chapter, o.student_id): o for o in grade_all(course_copy)}
    return course_copy, outcomes


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
        assert lost == sample["lost"], f"lost {sorted(lost - sample['lost'])}, kept {sorted(sample['lost'] - lost)}"
        assert all(score == best for cell, (score, best) in scores.items() if cell not in lost)
    text = html_text(feedback.read_text(encoding="utf-8"))
    for words in sample["says"]:
        assert words in text, f"the feedback does not say {words!r}"


def test_feedback_never_quotes_hidden_tests(graded):
    root, _ = graded
    for chapter in sample_chapters():
        solution = root / "solutions" / chapter / f"{chapter}.ipynb"
        for page in (root / "autograde" / "feedback").glob(f"*/{chapter}/*.html"):
            text = html_text(page.read_text(encoding="utf-8"))
            assert "HIDDEN TESTS" not in text and "load_reference" not in text, page
            hidden = [line for line in leaked_lines(solution, text)
                      if line.startswith("###") or "reference" in line or "2024" in line]
            assert not hidden, f"{page} quotes hidden tests: {hidden}"


def test_grades_csv_lists_every_submission(graded):
    root, outcomes = graded
    with (root / "autograde" / "grades.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert {(r["chapter"], r["student_id"]) for r in rows} == set(outcomes)
    assert all(float(r["score"]) <= float(r["max_score"]) for r in rows)


def test_regrading_broken_submissions_leaves_other_grades_untouched(graded):
    root, outcomes = graded
    others = [student for (_, student), o in outcomes.items() if o.status == "graded"]
    before = {s: per_cell_scores(root, chapter, s) for chapter, s in outcomes if s in others}
    broken = [student for (_, student), o in outcomes.items() if o.status == "failed"]
    regraded = grade_all(root, students=broken)
    assert {o.student_id for o in regraded} == set(broken)
    assert all(o.score == 0 for o in regraded)
    after = {s: per_cell_scores(root, chapter, s) for chapter, s in outcomes if s in others}
    assert after == before
