"""What must never reach students: solution lines and hidden-test lines of the solution notebooks."""
import json
from functools import lru_cache
from pathlib import Path

import nbformat

from grader.grading import html_text  # noqa: F401 (the tests import it from here)

REGIONS = [("### BEGIN SOLUTION", "### END SOLUTION"), ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")]


@lru_cache(maxsize=None)
def secret_and_public_lines(solution: Path) -> tuple[frozenset[str], frozenset[str]]:
    """Lines inside solution or hidden-test regions, and every other line of the notebook."""
    markers = {marker for region in REGIONS for marker in region}
    secret, public = set(markers), set()
    for cell in nbformat.read(solution, as_version=4).cells:
        inside = False
        for line in cell.source.splitlines():
            stripped = line.strip()
            if stripped in markers:
                inside = stripped.startswith("### BEGIN")
            else:
                (secret if inside else public).add(stripped)
    return frozenset(secret), frozenset(public)


def leaked_lines(solution: Path, text: str, telling_length: int = 12) -> list[str]:
    """Secret lines of `solution` that stand as lines in `text` although they are not public anyway
    (in any chapter: `losses.append(loss.item())` may be an answer in one chapter and a demo in
    another). Markers count wherever they appear; other lines count when they are long enough to be
    telling (in code that is not a notebook, such as the learner package, short lines like
    `for step in range(k):` recur by chance, so a longer length tells)."""
    secret, public = secret_and_public_lines(solution)
    public = set(public)
    for other in solution.parent.parent.glob("*/*.ipynb"):
        public |= secret_and_public_lines(other)[1]
    telling = {line for line in secret - public if line.startswith("### ") or (
        len(line) >= telling_length and not _fragment(line))}
    present = lines_of(text)
    return sorted(line for line in telling if (line.startswith("### ") and line in text) or line in present)


def lines_of(text: str) -> set[str]:
    """The stripped lines of a text; of a notebook's JSON, the lines of every string in it (cell
    sources and outputs), unescaped, so that a line with quotes in it is found too."""
    try:
        strings = list(_strings(json.loads(text)))
    except ValueError:
        strings = [text]
    return {line.strip() for string in strings for line in string.splitlines()}


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        if all(isinstance(item, str) for item in value):  # a notebook's multi-line string, one item per line
            yield "".join(value)
        else:
            for item in value:
                yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def _fragment(line: str) -> bool:
    """The middle or tail of a wrapped call, such as `rtol=tolerance, atol=tolerance)` or `W_hh,`:
    such a piece recurs in any code and tells nothing."""
    unbalanced = any(line.count(opening) != line.count(closing) for opening, closing in ["()", "[]", "{}"])
    return unbalanced or line.endswith(",")
