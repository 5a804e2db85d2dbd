"""Grading: autograde every submission under `autograde/submitted/`, one student at a time.

`python -m seqcourse grade` (or `make grade`) is the instructor's one command. For each
`autograde/submitted/<student_id>/<chapter>/<chapter>.ipynb` it runs nbgrader's autograde, which
restores the test cells (hidden tests included) from the gradebook, then writes HTML feedback.
A submission that cannot be graded at all (a corrupt file, a kernel that dies) scores zero with a
feedback page that says why; it never stops the batch, and other students' grades are untouched.
Results: the gradebook `autograde/gradebook.db`, `autograde/grades.csv` and
`autograde/feedback/<student_id>/<chapter>/<chapter>.html`.
"""
import csv
import html
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from nbgrader.preprocessors import ClearHiddenTests

from instructor import resolve
from instructor.nbgrader_setup import course_config
from instructor.release import chapters
from seqcourse.runtime import grading_environment

GRADING_RELEASE = "autograde/grading-release"  # where the gradebook's copy of a chapter is generated


class HideHiddenTests(ClearHiddenTests):
    """Feedback preprocessor: drop hidden tests from test cells, and the tracebacks that would
    quote their lines, keeping only the error's message (which names the mistake)."""

    def preprocess_cell(self, cell, resources, cell_index):
        if self._remove_hidden_test_region(cell):
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources


@dataclass
class Outcome:
    student_id: str
    chapter: str
    score: float
    max_score: float
    status: str  # "graded" or "failed"
    message: str = ""


def _api(root: Path):
    from nbgrader.apps import NbGraderAPI

    return NbGraderAPI(config=course_config(root, GRADING_RELEASE))


def gradebook(root: Path | None = None):
    """The course's nbgrader gradebook, as a context manager."""
    root = resolve(root)
    from nbgrader.api import Gradebook

    config = course_config(root, GRADING_RELEASE)
    return Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id)


def ensure_in_gradebook(chapter: str, root: Path | None = None) -> None:
    """Record a chapter's cells (tests included) in the gradebook, once, before grading it."""
    root = resolve(root)
    from nbgrader.api import MissingEntry

    with gradebook(root) as book:
        try:
            book.find_assignment(chapter)
            return
        except MissingEntry:
            pass
    result = _api(root).generate_assignment(chapter, force=True, create=True)
    if not result["success"]:
        raise RuntimeError(f"could not record {chapter} in the gradebook:\n{result.get('error', '')}")


def _max_score(chapter: str, root: Path) -> float:
    with gradebook(root) as book:
        return book.find_assignment(chapter).max_score


def _score(chapter: str, student_id: str, root: Path) -> float:
    with gradebook(root) as book:
        return book.find_submission(chapter, student_id).score


def _failure_reason(log: str, error: str) -> str:
    text = f"{log}\n{error}"
    if "NotJSONError" in text or "not valid JSON" in text or "Notebook does not appear to be JSON" in text:
        return "the submitted file is not a valid notebook (.ipynb); it could not be opened"
    if "DeadKernelError" in text or "Kernel died" in text or "UnresponsiveKernelError" in text:
        return "the notebook stopped its own kernel (for example with os._exit), so the tests could not run"
    return "the notebook could not be graded; ask your instructor to look at the grading log"


def _write_failure_feedback(path: Path, student_id: str, chapter: str, reason: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>Feedback</title></head><body>\n"
        f"<h1>{html.escape(chapter)}: {html.escape(student_id)}</h1>\n"
        f"<p>Score: 0. Your submission was not graded: {html.escape(reason)}.</p>\n"
        "<p>Download the chapter notebook again, copy your code into it and resubmit.</p>\n"
        "</body></html>\n", encoding="utf-8")


def grade_submission(api, chapter: str, student_id: str, root: Path) -> Outcome:
    feedback = root / "autograde" / "feedback" / student_id / chapter / f"{chapter}.html"
    result = api.autograde(chapter, student_id, force=True, create=True)
    if result["success"]:
        feedback_result = api.generate_feedback(chapter, student_id, force=True)
        if feedback_result["success"] and feedback.exists():
            return Outcome(student_id, chapter, _score(chapter, student_id, root), _max_score(chapter, root), "graded")
        result = feedback_result
    reason = _failure_reason(result.get("log", ""), result.get("error", ""))
    _write_failure_feedback(feedback, student_id, chapter, reason)
    return Outcome(student_id, chapter, 0.0, _max_score(chapter, root), "failed", reason)


def submissions(root: Path | None = None) -> list[tuple[str, str]]:
    """(student_id, chapter) for every folder autograde/submitted/<student_id>/<chapter>/."""
    root = resolve(root)
    submitted = root / "autograde" / "submitted"
    if not submitted.exists():
        return []
    return [(student.name, chapter.name)
            for student in sorted(submitted.iterdir()) if student.is_dir()
            for chapter in sorted(student.iterdir()) if chapter.is_dir()]


def grade_all(root: Path | None = None, students: list[str] | None = None) -> list[Outcome]:
    """Autograde every submission (or only those of `students`) and write grades.csv."""
    root = resolve(root)
    with grading_environment():
        outcomes = _grade(root, students)
    write_csv(outcomes, root / "autograde" / "grades.csv")
    return outcomes


def _grade(root: Path, students: list[str] | None) -> list[Outcome]:
    known = set(chapters(root))
    api = _api(root)
    outcomes = []
    for chapter in sorted({c for _, c in submissions(root)} & known):
        ensure_in_gradebook(chapter, root)
    for student_id, chapter in submissions(root):
        if students is not None and student_id not in students:
            continue
        if chapter not in known:
            outcomes.append(Outcome(student_id, chapter, 0.0, 0.0, "failed", f"no chapter named {chapter}"))
            continue
        outcome = grade_submission(api, chapter, student_id, root)
        outcomes.append(outcome)
        print(f"{student_id:<28} {chapter:<10} {outcome.score:5.1f} / {outcome.max_score:4.1f}  "
              f"{outcome.status} {outcome.message}", flush=True)
    return outcomes


def write_csv(outcomes: list[Outcome], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(Outcome.__dataclass_fields__))
        writer.writeheader()
        writer.writerows(asdict(o) for o in outcomes)


def html_text(page: str) -> str:
    """The text of an HTML page (a feedback page, a book page), tags removed and entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))
