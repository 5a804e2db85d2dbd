"""Benchmark: `python -m instructor.bench` (or `make bench`) prints, in one run on this machine,

- seconds to execute each solution notebook top to bottom (as a release does);
- seconds to grade one submission of each chapter (its correct sample) with the course's grader,
  and their parts: the session (forked from the warm sandbox), the notebook's cells, the tests;
  what the sandbox adds (the same grading without it) and what the trusted comparison adds (the same
  notebook with its test cells run inside the student's process instead);
- a class graded side by side: the same 24 submissions of chapter 03 (and of chapter 01, which
  does not import torch) with plain sequential `nbgrader autograde` + `generate_feedback`, and with
  the course's command on every core; the throughput ratio;
- seconds for a cold and a warm build of the book.

Everything runs in scratch copies of the course, so the instructor's gradebook is untouched.
"""
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import nbformat

from instructor import resolve
from instructor.release import chapters, execute_solution
from instructor.samples import CORRECT_SAMPLE, build_notebook, load_samples
from instructor.scratch import copy_course

CLASS_SIZE = 24
SLOW_OR_BROKEN = {"infinite-loop", "kills-its-kernel", "corrupt-file"}  # nbgrader times out or fails on them


def _seconds(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def submit(root: Path, chapter: str, student: str, cells: dict) -> None:
    student_notebook = nbformat.read(root / "chapters" / chapter / f"{chapter}.ipynb", as_version=4)
    folder = root / "autograde" / "submitted" / student / chapter
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(build_notebook(student_notebook, cells), folder / f"{chapter}.ipynb")


def a_class(root: Path, chapter: str) -> list[str]:
    """CLASS_SIZE submissions: the chapter's samples (but the pathological ones), topped up with
    copies of its correct sample."""
    samples = load_samples(chapter, root)
    chosen = [(name, s["cells"]) for name, s in samples.items() if name not in SLOW_OR_BROKEN and "raw" not in s]
    while len(chosen) < CLASS_SIZE:
        chosen.append((f"{CORRECT_SAMPLE}-{len(chosen)}", samples[CORRECT_SAMPLE]["cells"]))
    for name, cells in chosen[:CLASS_SIZE]:
        submit(root, chapter, name, cells)
    return [name for name, _ in chosen[:CLASS_SIZE]]


def one_submission(root: Path, chapter: str) -> dict:
    """The course's grader on one correct submission, warm: its parts and what sandbox and trusted
    comparison add."""
    from grader.evaluate import Grader
    from grader.grading import grade_task, load_chapter, Task, worker_sandbox
    from grader.rebuild import rebuild
    from seqcourse.runtime import grading_environment

    chapter_data = load_chapter(root, chapter)
    data = (root / "autograde" / "submitted" / "bench" / chapter / f"{chapter}.ipynb").read_bytes()
    task = Task("bench", chapter_data, data, 1, "bench")
    for isolated in (True, False):
        grade_task(task, isolated)  # warm: a worker starts its sandbox once, not once per student
    result, unsandboxed = grade_task(task), grade_task(task, isolated=False)
    # the same notebook with every test cell run inside the session, as nbgrader would run it
    rebuilt = rebuild(data, json.loads(chapter_data.release), json.loads(chapter_data.solution))
    for cell in rebuilt.cells:
        if cell.kind == "test":
            cell.kind = "code"
    with grading_environment(), _course_variable(root):
        inside = Grader(worker_sandbox(False), rebuilt, 1, [], chapter).grade()
    return {"total": result.seconds, **result.graded.timings, "no sandbox": unsandboxed.seconds,
            "tests inside": inside.seconds}


class _course_variable:
    def __init__(self, root):
        self.root = root

    def __enter__(self):
        os.environ["SEQCOURSE_COURSE"] = str(self.root)

    def __exit__(self, *exc):
        os.environ.pop("SEQCOURSE_COURSE", None)


def plain_nbgrader(root: Path, chapter: str) -> float:
    """Sequential `nbgrader autograde` then `nbgrader generate_feedback`, as nbgrader's users run them."""
    from grader.grading import ensure_in_gradebook

    ensure_in_gradebook(chapter, root)
    environment = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
                   "SEQCOURSE_GRADING": "1", "MPLBACKEND": "agg", "SEQCOURSE_COURSE": str(root)}
    nbgrader = str(Path(sys.executable).parent / "nbgrader")
    start = time.perf_counter()
    for step in ["autograde", "generate_feedback"]:
        subprocess.run([nbgrader, step, chapter, "--force"], cwd=root, env=environment, check=True, capture_output=True)
    return time.perf_counter() - start


def course_grader(root: Path) -> float:
    from grader.grading import grade_all

    return _seconds(lambda: grade_all(root, force=True, show_progress=False))


def first_cell(root: Path) -> float:
    """Seconds the bootstrap cell takes in a fresh Python where seqcourse is installed."""
    from instructor.bootstrap import bootstrap_source

    program = f"import time\nstart = time.perf_counter()\nexec({bootstrap_source(root)!r})\nprint(time.perf_counter() - start)"
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    return float(result.stdout.strip().splitlines()[-1])


def _build_book(output: Path, root: Path) -> None:
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    subprocess.run([str(jupyter_book), "build", str(root), "-W", "-n", "--keep-going", "--path-output", str(output)],
                   check=True, capture_output=True)


def main() -> None:
    root = resolve(None)
    print(f"{date.today()}, {platform.machine()}, {platform.python_version()}, "
          f"{len(os.sched_getaffinity(0))} cores\n\n| step | seconds |\n|---|---:|", flush=True)

    def row(name: str, seconds: str) -> None:
        print(f"| {name} | {seconds} |", flush=True)

    row("a notebook's first cell, the package already installed", f"{first_cell(root):.3f}")
    for chapter in chapters(root):
        row(f"execute solutions/{chapter}", f"{_seconds(lambda: execute_solution(chapter, root)):.1f}")
    for chapter in chapters(root):
        with tempfile.TemporaryDirectory() as scratch:
            course = copy_course(Path(scratch), [chapter], root)
            submit(course, chapter, "bench", load_samples(chapter, course)[CORRECT_SAMPLE]["cells"])
            parts = one_submission(course, chapter)
        row(f"grade one {chapter} submission (session, cells, tests; without sandbox; tests inside)",
            f"{parts['total']:.2f} ({parts['session']:.2f}, {parts['cells']:.2f}, {parts['tests']:.2f}; "
            f"{parts['no sandbox']:.2f}; {parts['tests inside']:.2f})")
    for chapter in ["03_rnn", "01_autoregressive"]:
        with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
            plain_course, our_course = copy_course(Path(first), [chapter], root), copy_course(Path(second), [chapter], root)
            a_class(plain_course, chapter)
            a_class(our_course, chapter)
            plain = plain_nbgrader(plain_course, chapter)
            ours = course_grader(our_course)
        row(f"a class of {CLASS_SIZE} {chapter}: plain nbgrader, the course's grader, ratio",
            f"{plain:.1f}, {ours:.1f}, {plain / ours:.1f}x")
    with tempfile.TemporaryDirectory() as output:
        row("book build, cold", f"{_seconds(lambda: _build_book(Path(output), root)):.1f}")
        row("book build, warm", f"{_seconds(lambda: _build_book(Path(output), root)):.1f}")


if __name__ == "__main__":
    main()
