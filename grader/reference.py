"""The reference implementation, read from the solution notebooks.

Each exercise is solved once, in `solutions/NN_topic/NN_topic.ipynb`. Hidden tests compare a
submission with the functions defined there: `load_reference(chapter)` executes the notebook's
setup cell (tagged `setup`) and its solution cells in a fresh namespace, and nothing else (no
demos). It runs in the grader's process only, never in a submission's sandbox; the code it
compiles carries file names starting with "<reference ", which the grader refuses to pass into a
sandbox. `tests/` proves these functions right against independent oracles.

Where the solution notebook comes from: the one `register`ed for the chapter (the grader ships it
with each grading task, so workers on other machines need no course folder), else the course folder
named by SEQCOURSE_COURSE, else the course folder around the working directory.
"""
import json
import os
from pathlib import Path
from types import SimpleNamespace

from instructor import course_root

COURSE_VARIABLE = "SEQCOURSE_COURSE"  # the course folder, for notebooks that run in a scratch folder
_registered: dict[str, str] = {}       # chapter -> solution notebook (JSON text)
_loaded: dict[tuple[str, int], SimpleNamespace] = {}


def register(chapter: str, notebook_json: str) -> None:
    """Use this solution notebook as the chapter's reference (in a grading worker)."""
    _registered[chapter] = notebook_json


def _is_reference_cell(cell: dict) -> bool:
    if cell["cell_type"] != "code":
        return False
    metadata = cell.get("metadata", {})
    return "setup" in metadata.get("tags", []) or bool(metadata.get("nbgrader", {}).get("solution"))


def _notebook(chapter: str) -> str:
    if chapter in _registered:
        return _registered[chapter]
    path = Path(os.environ.get(COURSE_VARIABLE) or course_root()) / "solutions" / chapter / f"{chapter}.ipynb"
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: the reference solutions live in the course "
                                "repository and are only needed for grading.")
    return path.read_text(encoding="utf-8")


def load_reference(chapter: str) -> SimpleNamespace:
    """The names defined by a chapter's setup and solution cells, e.g. `load_reference("03_rnn")`."""
    text = _notebook(chapter)
    key = (chapter, hash(text))
    if key not in _loaded:
        namespace = {"__name__": f"reference_{chapter}"}
        cells = json.loads(text)["cells"]  # plain JSON: nbformat's validation is slow
        for index, cell in enumerate(cells):
            if _is_reference_cell(cell):
                source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                exec(compile(source, f"<reference {chapter}, cell {index}>", "exec"), namespace)
        _loaded[key] = SimpleNamespace(**{k: v for k, v in namespace.items() if not k.startswith("__")})
    return _loaded[key]
