"""Grading a class: `python -m instructor grade` (or `make grade`), in the course folder it is run in.

Each `autograde/submitted/<student_id>/<chapter>/<chapter>.ipynb` is

1. rebuilt from the released chapter with the student's answers put in by grade_id (grader/rebuild.py);
2. run in a sandbox (grader/sandbox.py), one fresh session per submission, while every test cell runs
   in the grader and decides its verdict from data (grader/evaluate.py);
3. recorded: the gradebook (nbgrader's, `autograde/gradebook.db`; only this process writes it) gets
   every test's score; the student gets a feedback page that is safe to open
   (`autograde/feedback/<student_id>/<chapter>/<chapter>.html`); `autograde/autograded/<student_id>/
   <chapter>/grading.json` keeps what the class report needs; `autograde/grades.csv` is written from
   those records, one row per submission and a column per exercise.

A submission that cannot be graded costs only its own grade, with a reason an instructor can act
on. A submission whose file has not changed since it was graded is not graded again (`force`
grades it anyway). Test inputs come from a salt derived from a secret of the course
(`autograde/.grading-secret`) and the submission's content: regrading the same file gives the same
grade, and no notebook can know its inputs in advance.
"""
import ast
import csv
import hashlib
import hmac
import json
import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from instructor import resolve
from instructor.nbgrader_setup import course_config

GRADING_RELEASE = "autograde/grading-release"  # where the gradebook's copy of a chapter is generated
SECRET = "autograde/.grading-secret"


@dataclass
class Chapter:
    """What a worker needs to grade one chapter, with no course folder of its own."""
    id: str
    release: str                      # the student notebook (JSON)
    solution: str                     # the solution notebook (JSON): tests with hidden parts, the reference
    withhold: list                    # [(module, name)] of the learner package that this chapter teaches
    exercises: dict                   # exercise grade_id -> [its test grade_ids]


@dataclass
class Task:
    student_id: str
    chapter: Chapter
    submission: bytes
    salt: int
    sha256: str
    budgets: object = None            # grader.evaluate.Budgets, or the defaults


@dataclass
class Result:
    student_id: str
    chapter: str
    sha256: str
    status: str                       # graded or failed
    reason: str = ""
    rebuilt: object = None
    graded: object = None
    seconds: float = 0.0


@dataclass
class Outcome:
    """One row of grades.csv."""
    student_id: str
    chapter: str
    score: float
    max_score: float
    status: str
    message: str = ""
    exercises: dict = field(default_factory=dict)


# ------------------------------------------------------------------------------------------ a task

_sandboxes = {}  # one per worker process (and kind), reused: sessions are forked from it


def worker_sandbox(isolated: bool = True):
    """This process's sandbox, started on first use and again if it died."""
    from grader.sandbox import Sandbox

    if isolated not in _sandboxes or not _sandboxes[isolated].alive():
        _sandboxes[isolated] = Sandbox(isolated=isolated)
    return _sandboxes[isolated]


def _discard_sandbox(isolated: bool) -> None:
    """Close this process's sandbox (it stopped, or a submission broke its own grading): the next
    submission starts a fresh one, in case this one was left in a state nobody should inherit."""
    sandbox = _sandboxes.pop(isolated, None)
    if sandbox is not None:
        try:
            sandbox.close()
        except Exception:
            pass


def grade_task(task: Task, isolated: bool = True) -> Result:
    """Grade one submission (in a worker process). Pure: it writes no file of the course."""
    from grader import reference
    from grader.evaluate import Grader
    from grader.rebuild import NotGradable, rebuild
    from grader.sandbox import SandboxError
    from seqcourse.runtime import grading_environment

    start = time.monotonic()
    chapter = task.chapter
    reference.register(chapter.id, chapter.solution)
    try:
        rebuilt = rebuild(task.submission, json.loads(chapter.release), json.loads(chapter.solution))
    except NotGradable as error:
        return Result(task.student_id, chapter.id, task.sha256, "failed", str(error), seconds=time.monotonic() - start)
    handed_back = package_copies(rebuilt, chapter)
    for attempt in range(2):
        try:
            with grading_environment():
                graded = Grader(worker_sandbox(isolated), rebuilt, task.salt, chapter.withhold, chapter.id,
                                **({"budgets": task.budgets} if task.budgets else {})).grade()
            break
        except SandboxError as error:  # the sandbox itself went away (out of memory, say): one more try
            reason = f"the sandbox stopped while grading ({error})"
            _discard_sandbox(isolated)
        except Exception as error:  # anything else this submission broke: it alone is not graded
            reason = f"the grader could not grade this notebook ({type(error).__name__}: {str(error)[:300]})"
            _discard_sandbox(isolated)
            return Result(task.student_id, chapter.id, task.sha256, "failed", reason, seconds=time.monotonic() - start)
    else:
        return Result(task.student_id, chapter.id, task.sha256, "failed", reason, seconds=time.monotonic() - start)
    for exercise, module in handed_back.items():
        for grade_id in chapter.exercises.get(exercise, []):
            run = graded.tests.get(grade_id)
            if run is not None:
                run.passed = False
                run.message = (f"Your exercise cell {exercise} uses {module}, the course package's own copy of what "
                               "this chapter asks you to write: its tests score zero. Write the function yourself.")
    return Result(task.student_id, chapter.id, task.sha256, "graded", rebuilt=rebuilt, graded=graded,
                  seconds=time.monotonic() - start)


def package_copies(rebuilt, chapter: Chapter) -> dict[str, str]:
    """Exercise cells that import or name a learner module holding this chapter's own solutions
    (for example `from seqcourse.rnn import rnn_forward` in chapter 03): {exercise: module}."""
    modules = {module for module, _ in chapter.withhold}
    found = {}
    for grade_id, source in rebuilt.solutions().items():
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                named = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                named = [alias.name for alias in node.names]
            elif isinstance(node, ast.Attribute):
                named = [ast.unparse(node)]
            else:
                continue
            hits = [module for module in modules for name in named if name == module or name.startswith(module + ".")]
            if hits:
                found[grade_id] = hits[0]
    return found


# ---------------------------------------------------------------------------------------- a class

def load_chapter(root: Path, chapter: str) -> Chapter:
    import seqcourse  # noqa: F401 (the learner modules are imported to find what they teach)

    release = (root / "chapters" / chapter / f"{chapter}.ipynb").read_text(encoding="utf-8")
    solution = (root / "solutions" / chapter / f"{chapter}.ipynb").read_text(encoding="utf-8")
    return Chapter(chapter, release, solution, taught_in(chapter), exercises_and_tests(json.loads(release)))


def taught_in(chapter: str) -> list[list[str]]:
    """[(module, name)] of the learner package's functions and classes that `chapter` teaches: those of
    every module whose TAUGHT_IN is the chapter."""
    import importlib
    import pkgutil

    import seqcourse

    names = []
    for info in pkgutil.iter_modules(seqcourse.__path__):
        module = importlib.import_module(f"seqcourse.{info.name}")
        if getattr(module, "TAUGHT_IN", None) == chapter:
            names += [[module.__name__, name] for name, value in vars(module).items()
                      if not name.startswith("_") and getattr(value, "__module__", None) == module.__name__
                      and callable(value)]
    return names


def exercises_and_tests(notebook: dict) -> dict[str, list[str]]:
    """Each exercise's grade_id and the test cells that follow it, in the notebook's order."""
    exercises, current = {}, None
    for cell in notebook["cells"]:
        grading = cell.get("metadata", {}).get("nbgrader", {})
        if grading.get("solution"):
            current = grading["grade_id"]
            exercises[current] = []
        elif grading.get("grade") and current:
            exercises[current].append(grading["grade_id"])
    return exercises


def submissions(root: Path | None = None) -> list[tuple[str, str]]:
    """(student_id, chapter) for every folder autograde/submitted/<student_id>/<chapter>/."""
    root = resolve(root)
    submitted = root / "autograde" / "submitted"
    if not submitted.exists():
        return []
    return [(student.name, chapter.name)
            for student in sorted(submitted.iterdir()) if student.is_dir()
            for chapter in sorted(student.iterdir()) if chapter.is_dir()]


def course_secret(root: Path) -> bytes:
    path = root / SECRET
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(os.urandom(32).hex())
        path.chmod(0o600)
    return bytes.fromhex(path.read_text().strip())


def salt_for(secret: bytes, sha256: str) -> int:
    return int.from_bytes(hmac.new(secret, sha256.encode(), "sha256").digest()[:8], "big")


def _paths(root: Path, student_id: str, chapter: str) -> dict[str, Path]:
    return {"submission": root / "autograde" / "submitted" / student_id / chapter / f"{chapter}.ipynb",
            "feedback": root / "autograde" / "feedback" / student_id / chapter / f"{chapter}.html",
            "record": root / "autograde" / "autograded" / student_id / chapter / "grading.json"}


def plan(root: Path, students: list[str] | None, force: bool, budgets=None) -> tuple[list[Task], list[Result]]:
    """The tasks to run, and the results already known (missing files, unknown chapters)."""
    from instructor.release import chapters

    known, secret, loaded = set(chapters(root)), course_secret(root), {}
    tasks, known_results = [], []
    for student_id, chapter in submissions(root):
        if students is not None and student_id not in students:
            continue
        paths = _paths(root, student_id, chapter)
        if chapter not in known:
            known_results.append(Result(student_id, chapter, "", "failed", f"there is no chapter named {chapter}"))
            continue
        if not paths["submission"].is_file():
            known_results.append(Result(student_id, chapter, "", "failed", f"no file {chapter}.ipynb was submitted"))
            continue
        data = paths["submission"].read_bytes()
        sha256 = hashlib.sha256(data).hexdigest()
        if not force and paths["record"].exists():
            record = json.loads(paths["record"].read_text())
            if record.get("sha256") == sha256:
                continue  # graded before, and unchanged since
        if chapter not in loaded:
            loaded[chapter] = load_chapter(root, chapter)
        tasks.append(Task(student_id, loaded[chapter], data, salt_for(secret, sha256), sha256, budgets))
    return tasks, known_results


def gradebook(root: Path | None = None):
    """The course's nbgrader gradebook, as a context manager."""
    from nbgrader.api import Gradebook

    config = course_config(resolve(root), GRADING_RELEASE)
    return Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id)


def ensure_in_gradebook(chapter: str, root: Path | None = None) -> None:
    """Record a chapter's cells (tests and their points) in the gradebook, once, before grading it."""
    from nbgrader.api import MissingEntry
    from nbgrader.apps import NbGraderAPI

    root = resolve(root)
    with gradebook(root) as book:
        try:
            book.find_assignment(chapter)
            return
        except MissingEntry:
            pass
    result = NbGraderAPI(config=course_config(root, GRADING_RELEASE)).generate_assignment(chapter, force=True, create=True)
    if not result["success"]:
        raise RuntimeError(f"could not record {chapter} in the gradebook:\n{result.get('error', '')}")


def record(root: Path, result: Result) -> Outcome:
    """Write one result into the gradebook, the feedback page and the grading record (in this, the
    only process that writes them)."""
    from grader.feedback import render, render_failure

    paths = _paths(root, result.student_id, result.chapter)
    tests = result.graded.tests if result.graded is not None else {}
    with warnings.catch_warnings(), gradebook(root) as book:
        warnings.simplefilter("ignore", category=Warning)  # nbgrader's own SQLAlchemy usage warns, harmlessly
        book.update_or_create_student(result.student_id)
        submission = book.update_or_create_submission(result.chapter, result.student_id)
        for grade in book.find_submission_notebook(result.chapter, result.chapter, result.student_id).grades:
            run = tests.get(grade.name)
            grade.auto_score = run.score if run is not None else 0.0
        book.db.commit()
        score, max_score = float(submission.score), float(submission.max_score)
    page = render(result.chapter, result.student_id, result.rebuilt, result.graded, score, max_score) \
        if result.status == "graded" else render_failure(result.chapter, result.student_id, result.reason)
    paths["feedback"].parent.mkdir(parents=True, exist_ok=True)
    paths["feedback"].write_text(page, encoding="utf-8")
    exercises = exercises_and_tests(json.loads((root / "chapters" / result.chapter / f"{result.chapter}.ipynb").read_text()))
    entry = {"sha256": result.sha256, "status": result.status, "reason": result.reason, "score": score,
             "max_score": max_score, "seconds": round(result.seconds, 2),
             "timings": {k: round(v, 3) for k, v in (result.graded.timings if result.graded else {}).items()},
             "notes": result.graded.notes if result.graded is not None else [],
             "tests": {k: {"score": v.score, "points": v.points, "message": v.message} for k, v in tests.items()},
             "exercises": {e: sum(tests[t].score for t in ts if t in tests) for e, ts in exercises.items()}}
    paths["record"].parent.mkdir(parents=True, exist_ok=True)
    paths["record"].write_text(json.dumps(entry, indent=1), encoding="utf-8")
    return Outcome(result.student_id, result.chapter, score, max_score, result.status, result.reason, entry["exercises"])


def grade_all(root: Path | None = None, students: list[str] | None = None, force: bool = False,
              workers: int | None = None, scheduler: str | None = None, unsafe_no_sandbox: bool = False,
              show_progress: bool = True, budgets=None) -> list[Outcome]:
    """Grade every submission (or those of `students`) that changed since it was graded, and write
    grades.csv: `workers` processes on this machine (default: one per core), or the workers of the
    Dask cluster at `scheduler`. Refuses to run without a complete sandbox unless `unsafe_no_sandbox`."""
    from grader.batch import run_tasks
    from grader.report import write_report
    from grader.sandbox import protections
    from instructor.release import chapters

    root = resolve(root)
    missing = protections()
    if missing and not unsafe_no_sandbox:
        raise SystemExit("refusing to grade without a complete sandbox:\n- " + "\n- ".join(missing) +
                         "\n(pass --unsafe-no-sandbox to grade anyway, with these protections missing)")
    for chapter in sorted({c for _, c in submissions(root)} & set(chapters(root))):
        ensure_in_gradebook(chapter, root)
    tasks, known = plan(root, students, force, budgets)
    outcomes = [record(root, result) for result in known]
    try:
        for result in run_tasks(tasks, workers, scheduler, not unsafe_no_sandbox, show_progress):
            outcomes.append(record(root, result))
    finally:
        write_csv(root)  # what was graded is kept, even if the batch is stopped half way
        write_report(root)
    return outcomes


def _cell(text: str) -> str:
    """A text cell that a spreadsheet shows as text: one starting with =, +, -, @ or a control
    character would be read as a formula (a student id such as =HYPERLINK(...), say)."""
    text = str(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_csv(root: Path) -> Path:
    """grades.csv from the grading records of every submission: one row each, a column per exercise."""
    rows, columns = [], []
    for student_id, chapter in submissions(root):
        path = _paths(root, student_id, chapter)["record"]
        entry = json.loads(path.read_text()) if path.exists() else {"status": "not graded", "score": 0, "max_score": 0}
        exercises = entry.get("exercises", {})
        columns += [c for c in exercises if c not in columns]
        rows.append({"student_id": _cell(student_id), "chapter": chapter, "score": entry.get("score", 0),
                     "max_score": entry.get("max_score", 0), "status": entry.get("status"),
                     "message": _cell(entry.get("reason", "")), **exercises})
    path = root / "autograde" / "grades.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["student_id", "chapter", "score", "max_score", "status", "message",
                                                    *columns], restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def html_text(page: str) -> str:
    """The text of an HTML page (a feedback page, a book page), tags removed and entities decoded."""
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", page))

