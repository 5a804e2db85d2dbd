"""The reference implementation, read from the solution notebooks.

Each exercise is solved once, in `solutions/NN_topic/NN_topic.ipynb`. Hidden tests compare a
submission with the functions defined there: this module executes the notebook's setup cell
(tagged `setup`) and its solution cells in a fresh namespace, and nothing else (no demos).
`tests/` proves these functions right against independent oracles (PyTorch, autograd, closed forms).
"""
from functools import lru_cache
from types import SimpleNamespace

import nbformat

from seqcourse import ROOT


def _is_reference_cell(cell) -> bool:
    if cell.cell_type != "code":
        return False
    tags = cell.metadata.get("tags", [])
    return "setup" in tags or bool(cell.metadata.get("nbgrader", {}).get("solution"))


@lru_cache(maxsize=None)
def load_reference(chapter: str) -> SimpleNamespace:
    """The names defined by a chapter's setup and solution cells, e.g. `load_reference("03_rnn")`."""
    path = ROOT / "solutions" / chapter / f"{chapter}.ipynb"
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: the reference solutions live in the course "
                                "repository and are only needed for grading.")
    namespace = {"__name__": f"reference_{chapter}"}
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if _is_reference_cell(cell):
            exec(compile(cell.source, f"<{chapter} reference, cell {index}>", "exec"), namespace)
    return SimpleNamespace(**{k: v for k, v in namespace.items() if not k.startswith("__")})
