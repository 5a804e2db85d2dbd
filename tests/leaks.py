"""What must never reach students: solution lines and hidden-test lines of the solution notebooks."""
import re
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
    """Secret lines of `solution` that appear in `text` although they are not public anyway (in any
    chapter: `losses.append(loss.item())` may be an answer in one chapter and a demo in another).
    Markers always count; other lines count when they are long enough to be telling (in code that is
    not a notebook, such as the learner package, short lines like `for step in range(k):` recur by
    chance, so a longer length tells)."""
    secret, public = secret_and_public_lines(solution)
    public = set(public)
    for other in solution.parent.parent.glob("*/*.ipynb"):
        public |= secret_and_public_lines(other)[1]
    telling = {line for line in secret - public if line.startswith("### ") or (
        len(line) >= telling_length and _balanced(line))}
    return sorted(line for line in telling if line in text and _whole(line, text))


def _balanced(line: str) -> bool:
    """False for the tail of a wrapped call, such as `rtol=tolerance, atol=tolerance)`: such a fragment
    recurs in any code and tells nothing."""
    return all(line.count(opening) == line.count(closing) for opening, closing in ["()", "[]", "{}"])


def _whole(line: str, text: str) -> bool:
    """The line occurs in the text, not only inside a longer name (`torch_states.append(h)` holds
    `states.append(h)`)."""
    return re.search(r"(?<![\w.])" + re.escape(line) + r"(?!\w)", text) is not None
