"""Sample submissions: write the bundled samples into nbgrader's submitted folder.

The samples of a chapter are described in `autograde/samples/NN_topic.py` (correct alternatives,
realistic mistakes, broken and hostile notebooks, with the grades they deserve). Each one starts
from the released student notebook, so the samples follow the chapter whenever it changes.
"""
import copy
import importlib.util
import shutil
from pathlib import Path

import nbformat

from instructor import resolve

CORRECT_SAMPLE = "correct-alternative"  # every chapter bundles one: a correct solution in another style


def load_samples(chapter: str, root: Path | None = None) -> dict:
    """The SAMPLES dictionary of `autograde/samples/<chapter>.py`."""
    root = resolve(root)
    path = root / "autograde" / "samples" / f"{chapter}.py"
    spec = importlib.util.spec_from_file_location(f"samples_{chapter}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SAMPLES


def variants_of(correct: dict[str, str]):
    """`wrong(**cells)` and `mistake(cell, *edits)` for a chapter's correct alternative, so each
    wrong sample is written as its difference from correct code: whole cells replaced, or one
    cell edited, each edit an (old text, new text) pair that must occur in the correct cell."""
    def wrong(**cells):
        return {**correct, **cells}

    def mistake(cell, *edits):
        source = correct[cell]
        for old, new in edits:
            assert old in source, f"{old!r} is not in the correct {cell}"
            source = source.replace(old, new)
        return wrong(**{cell: source})

    return wrong, mistake


def sample_chapters(root: Path | None = None) -> list[str]:
    root = resolve(root)
    return sorted(p.stem for p in (root / "autograde" / "samples").glob("*.py"))


def build_notebook(student: nbformat.NotebookNode, cells: dict[str, str]) -> nbformat.NotebookNode:
    """The student notebook with the cells named by grade_id replaced."""
    notebook = copy.deepcopy(student)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in cells:
            cell.source = cells[grade_id]
    return notebook


def write_samples(root: Path | None = None) -> list[Path]:
    """Write every sample to autograde/submitted/sample-<name>/<chapter>/<chapter>.ipynb."""
    root = resolve(root)
    written = []
    for chapter in sample_chapters(root):
        student = nbformat.read(root / "chapters" / chapter / f"{chapter}.ipynb", as_version=4)
        for name, sample in load_samples(chapter, root).items():
            folder = root / "autograde" / "submitted" / f"sample-{name}" / chapter
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            path = folder / f"{chapter}.ipynb"
            if "raw" in sample:
                path.write_text(sample["raw"], encoding="utf-8")
            else:
                nbformat.write(build_notebook(student, sample["cells"]), path)
            written.append(path)
    return written
