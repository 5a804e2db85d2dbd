"""Release: regenerate the student notebooks in `chapters/` from `solutions/`.

For each chapter:
1. the solution notebook's first cell, which makes the learner package available, is brought up
   to date with the course's settings (`instructor.bootstrap`);
2. nbgrader's `generate_assignment` (without a gradebook) strips the solutions and hidden tests;
3. the solution notebook is executed, quietly and deterministically;
4. its outputs are copied into the student notebook's cells that are neither solutions nor tests,
   so the website and the downloaded notebook show every demo's expected output while exercise
   cells show only the stub; test cells are tagged `hide-input`, so the website shows them
   collapsed behind a toggle (Jupyter ignores the tag).
Releasing twice gives identical files; the test suite checks that `chapters/` is up to date.
"""
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from instructor import figures, resolve
from instructor.bootstrap import refresh_bootstrap
from instructor.nbgrader_setup import course_config
from seqcourse.runtime import environment, release_environment

EXECUTION_TIMEOUT_SECONDS = 300


def chapters(root: Path | None = None) -> list[str]:
    """The chapter ids, e.g. ["03_rnn"]: folders of `solutions/` holding a notebook of that name."""
    root = resolve(root)
    return sorted(p.name for p in (root / "solutions").iterdir() if (p / f"{p.name}.ipynb").exists())


def execute_solution(chapter: str, root: Path | None = None) -> nbformat.NotebookNode:
    """Run a solution notebook top to bottom in a scratch copy of its folder and return it, each
    figure's smallest text size written into its output's metadata (`instructor.figures`)."""
    root = resolve(root)
    source = root / "solutions" / chapter
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch) / chapter
        shutil.copytree(source, workdir)
        notebook = nbformat.read(workdir / f"{chapter}.ipynb", as_version=4)
        log = Path(scratch) / "figures.jsonl"
        notebook.cells.insert(0, figures.audit_cell(log))
        with release_environment(), environment(SEQCOURSE_COURSE=str(root)):
            NotebookClient(notebook, timeout=EXECUTION_TIMEOUT_SECONDS, kernel_name="python3",
                           resources={"metadata": {"path": str(workdir)}}).execute()
        del notebook.cells[0]
        figures.attach(notebook, figures.read_audit(log))
    return notebook


def _is_exercise_cell(cell) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return bool(meta.get("solution") or meta.get("grade"))


def copy_demo_outputs(executed: nbformat.NotebookNode, student: nbformat.NotebookNode) -> None:
    """Give the student notebook the outputs of every cell that is not an exercise or a test."""
    if len(executed.cells) != len(student.cells):
        raise RuntimeError("the student notebook does not have the solution's cells")
    for ran, cell in zip(executed.cells, student.cells):
        if cell.cell_type != "code":
            continue
        cell.execution_count = None
        if _is_exercise_cell(cell):
            continue
        cell.outputs = coalesce_streams(ran.outputs)
        for output in cell.outputs:
            if "execution_count" in output:
                output.execution_count = None


def coalesce_streams(outputs: list) -> list:
    """Merge consecutive stdout (or stderr) outputs into one. How a kernel splits a cell's printing
    into messages depends on timing, and the released notebook must not."""
    merged = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (output.output_type == "stream" and previous is not None and previous.output_type == "stream"
                and previous.name == output.name):
            previous.text = "".join(previous.text) + "".join(output.text)
        else:
            merged.append(output)
    return merged


def generate_student_notebooks(chapter: str, root: Path, release_directory: str) -> None:
    """nbgrader generate_assignment --no-db --force for one chapter."""
    from nbgrader.apps import NbGraderAPI

    config = course_config(root, release_directory)
    config.GenerateAssignment.no_database = True
    config.SaveCells.enabled = False
    api = NbGraderAPI(config=config)
    result = api.generate_assignment(chapter, force=True, create=False)
    if not result["success"]:
        raise RuntimeError(f"nbgrader could not release {chapter}:\n{result.get('log', '')}\n{result.get('error', '')}")


def collapse_tests(notebook: nbformat.NotebookNode) -> None:
    """Tag every test cell `hide-input`: the website shows it behind a toggle."""
    for cell in notebook.cells:
        grading = cell.metadata.get("nbgrader", {})
        if grading.get("grade") and not grading.get("solution"):
            tags = cell.metadata.setdefault("tags", [])
            if "hide-input" not in tags:
                tags.append("hide-input")


def refresh_source(chapter: str, root: Path) -> None:
    """Bring the solution notebook's generated first cell up to date (written only if it changed)."""
    path = root / "solutions" / chapter / f"{chapter}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    if refresh_bootstrap(notebook, root):
        nbformat.write(notebook, path)


def release(chapter: str, root: Path | None = None, release_directory: str = "chapters") -> Path:
    """Regenerate `release_directory/chapter/` and return the student notebook's path."""
    root = resolve(root)
    refresh_source(chapter, root)
    generate_student_notebooks(chapter, root, release_directory)
    path = root / release_directory / chapter / f"{chapter}.ipynb"
    student = nbformat.read(path, as_version=4)
    copy_demo_outputs(execute_solution(chapter, root), student)
    collapse_tests(student)
    nbformat.write(student, path)
    return path


def main(names: list[str]) -> None:
    for chapter in names or chapters():
        print(f"releasing {chapter} ...", file=sys.stderr)
        print(release(chapter))
