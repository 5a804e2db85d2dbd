"""Benchmark: `python -m instructor.bench` (or `make bench`) prints a table of

- seconds to execute each solution notebook top to bottom (as a release does),
- seconds to autograde one submission of each chapter (the correct sample, with feedback),
- seconds for a cold and a warm build of the book.

Everything runs in a scratch copy of the course, so the instructor's gradebook is untouched.
"""
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from instructor import resolve
from grader.grading import ensure_in_gradebook, grade_all
from instructor.release import chapters, execute_solution
from instructor.samples import CORRECT_SAMPLE, build_notebook, load_samples


def _seconds(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _autograde_one(chapter: str, scratch: Path, root: Path) -> float:
    import nbformat

    for folder in ["solutions", "chapters"]:
        shutil.copytree(root / folder, scratch / folder, dirs_exist_ok=True)
    student = nbformat.read(root / "chapters" / chapter / f"{chapter}.ipynb", as_version=4)
    cells = load_samples(chapter)[CORRECT_SAMPLE]["cells"]
    folder = scratch / "autograde" / "submitted" / "bench-student" / chapter
    folder.mkdir(parents=True)
    nbformat.write(build_notebook(student, cells), folder / f"{chapter}.ipynb")
    ensure_in_gradebook(chapter, scratch)  # once per chapter, not part of one student's time
    return _seconds(lambda: grade_all(scratch, students=["bench-student"]))


def _build_book(output: Path, root: Path) -> None:
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    subprocess.run([str(jupyter_book), "build", str(root), "-W", "-n", "--keep-going", "--path-output", str(output)],
                   check=True, capture_output=True)


def main() -> None:
    root = resolve(None)
    rows = []
    for chapter in chapters():
        rows.append((f"execute solutions/{chapter}", _seconds(lambda: execute_solution(chapter))))
        with tempfile.TemporaryDirectory() as scratch:
            rows.append((f"autograde one {chapter} submission", _autograde_one(chapter, Path(scratch), root)))
    with tempfile.TemporaryDirectory() as output:
        rows.append(("book build, cold", _seconds(lambda: _build_book(Path(output), root))))
        rows.append(("book build, warm", _seconds(lambda: _build_book(Path(output), root))))
    print(f"\n{date.today()}, {platform.machine()}, {platform.python_version()}, "
          f"{len(os.sched_getaffinity(0))} cores\n")
    print("| step | seconds |\n|---|---:|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
