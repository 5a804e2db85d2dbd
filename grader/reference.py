"""The reference implementation, read from the solution notebooks.

Each exercise is solved once, in `solutions/NN_topic/NN_topic.ipynb`. Hidden tests compare a
submission with the functions defined there: this module executes the notebook's setup cell
(tagged `setup`) and its solution cells in a fresh namespace, and nothing else (no demos).
`tests/` proves these functions right against independent oracles (PyTorch, autograd, closed forms).
"""
import json
import os
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

from instructor import course_root

COURSE_VARIABLE = "SEQCOURSE_COURSE"  # the course folder, for notebooks that run in a scratch folder


def _is_reference_cell(cell: dict) -> bool:
    if cell["cell_type"] != "code":
        return False
    metadata = cell.get("metadata", {})
    return "setup" in metadata.get("tags", []) or bool(metadata.get("nbgrader", {}).get("solution"))


@lru_cache(maxsize=None)
def load_reference(chapter: str) -> SimpleNamespace:
    """The names defined by a chapter's setup and solution cells, e.g. `load_reference("03_rnn")`."""
    path = Path(os.environ.get(COURSE_VARIABLE) or course_root()) / "solutions" / chapter / f"{chapter}.ipynb"
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: the reference solutions live in the course "
                                "repository and are only needed for grading.")
    namespace = {"__name__": f"reference_{chapter}"}
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]  # plain JSON: nbformat's validation is slow
    for index, cell in enumerate(cells):
        if _is_reference_cell(cell):
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            exec(compile(source, f"<{chapter} reference, cell {index}>", "exec"), namespace)
    return SimpleNamespace(**{k: v for k, v in namespace.items() if not k.startswith("__")})
