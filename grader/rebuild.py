"""A submission is rebuilt, not trusted: the notebook that is graded is the chapter's own, with the
student's answers put in by grade_id.

From the submitted file only three things are taken: the source of each exercise cell (code, or a
written answer), found by its nbgrader grade_id; and the code cells the student added, kept where
they stood relative to the chapter's cells. Everything else (the course's text, demos, setup and
test cells, metadata, kernelspecs, outputs) comes from the released chapter and, for the test cells
with their hidden parts, from the solution notebook. So copied, duplicated, deleted, retagged or
edited cells cannot break grading or change a test, and a file that is not a notebook, or is too
large, is refused with a reason.
"""
import json
from dataclasses import dataclass, field

MAX_FILE_BYTES = 20 * 2**20
MAX_ADDED_CELLS = 100
MAX_CELL_CHARACTERS = 200_000
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


class NotGradable(Exception):
    """The file cannot be graded at all; the message says why, in words for the student."""


@dataclass
class Cell:
    kind: str          # markdown, setup, code (the course's), solution, answer, test, added, added-markdown
    source: str
    grade_id: str = ""
    points: float = 0.0

    @property
    def runs_in_notebook(self) -> bool:
        return self.kind in ("setup", "code", "solution", "added")

    def visible_source(self) -> str:
        """A test cell as students see it: without its hidden part."""
        return strip_hidden(self.source)


@dataclass
class Rebuilt:
    cells: list[Cell]
    notes: list[str] = field(default_factory=list)

    def solutions(self) -> dict[str, str]:
        return {c.grade_id: c.source for c in self.cells if c.kind == "solution"}


def strip_hidden(source: str) -> str:
    lines, inside = [], False
    for line in source.splitlines():
        if line.strip() == HIDDEN_BEGIN:
            inside = True
        elif line.strip() == HIDDEN_END:
            inside = False
        elif not inside:
            lines.append(line)
    return "\n".join(lines).rstrip() + ("\n" if source.endswith("\n") else "")


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(part for part in source if isinstance(part, str))
    return source if isinstance(source, str) else ""


def _grading(cell: dict) -> dict:
    metadata = cell.get("metadata")
    grading = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    return grading if isinstance(grading, dict) else {}


def read_submission(data: bytes) -> list[dict]:
    """The cells of a submitted file, or NotGradable."""
    if len(data) > MAX_FILE_BYTES:
        raise NotGradable(f"the file is {len(data) / 2**20:.0f} MB, over the limit of {MAX_FILE_BYTES // 2**20} MB "
                          "(clear the outputs of your notebook and submit it again)")
    try:
        notebook = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise NotGradable("the submitted file is not a valid notebook (.ipynb); it could not be opened") from None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise NotGradable("the submitted file is not a valid notebook (.ipynb): it has no list of cells")
    return [cell for cell in cells if isinstance(cell, dict) and cell.get("cell_type") in ("code", "markdown")]


def rebuild(submission: bytes, release: dict, solution: dict) -> Rebuilt:
    """The notebook to grade: the released chapter with the student's answers and added code."""
    student = read_submission(submission)
    full_tests = {_grading(c).get("grade_id"): _source(c) for c in solution["cells"] if _grading(c).get("grade")}
    chapter, by_id, by_source, notes = [], {}, {}, []
    for index, cell in enumerate(release["cells"]):
        grading = _grading(cell)
        tags = cell.get("metadata", {}).get("tags", [])
        grade_id, source = grading.get("grade_id", ""), _source(cell)
        if grading.get("solution"):
            kind = "solution" if cell["cell_type"] == "code" else "answer"
        elif grading.get("grade"):
            kind, source = "test", full_tests.get(grade_id, source)
        elif cell["cell_type"] == "markdown":
            kind = "markdown"
        else:
            kind = "setup" if "setup" in tags else "code"
        chapter.append(Cell(kind, source, grade_id, float(grading.get("points", 0) or 0)))
        if isinstance(cell.get("id"), str):
            by_id[cell["id"]] = index
        by_source.setdefault(source, index)
    exercise_ids = {c.grade_id: i for i, c in enumerate(chapter) if c.kind in ("solution", "answer")}
    test_ids = {c.grade_id for c in chapter if c.kind == "test"}

    answers, added, anchor, seen = {}, {}, -1, {}
    for cell in student:
        grade_id, source = _grading(cell).get("grade_id"), _source(cell)
        if isinstance(grade_id, str) and grade_id in exercise_ids:
            index = exercise_ids[grade_id]
            kind_ok = (cell["cell_type"] == "code") == (chapter[index].kind == "solution")
            if kind_ok:
                seen[grade_id] = seen.get(grade_id, 0) + 1
                answers[grade_id] = source[:MAX_CELL_CHARACTERS]
                anchor = index
                continue
        if isinstance(grade_id, str) and grade_id in test_ids:
            anchor = next(i for i, c in enumerate(chapter) if c.grade_id == grade_id)
            continue  # a test cell, perhaps edited or copied: the chapter's own is graded
        known = by_id.get(cell.get("id")) if isinstance(cell.get("id"), str) else None
        known = known if known is not None else by_source.get(source)
        if known is not None and chapter[known].kind not in ("solution", "answer"):
            anchor = known
            continue  # one of the chapter's own cells: graded as released
        if not source.strip():
            continue
        added.setdefault(anchor, []).append(Cell("added" if cell["cell_type"] == "code" else "added-markdown",
                                                 source[:MAX_CELL_CHARACTERS]))

    for grade_id, count in seen.items():
        if count > 1:
            notes.append(f"The exercise cell {grade_id} appears {count} times in your notebook; the last one was graded.")
    for grade_id in exercise_ids:
        if grade_id not in answers:
            notes.append(f"The exercise cell {grade_id} is missing from your notebook; its empty stub was graded.")
    total_added = sum(len(cells) for cells in added.values())
    cells, kept = [], 0
    for index, cell in [(-1, None), *enumerate(chapter)]:
        if cell is not None:
            if cell.grade_id in answers:
                cell.source = answers[cell.grade_id]
            cells.append(cell)
        for extra in added.get(index, []):
            if kept < MAX_ADDED_CELLS:
                cells.append(extra)
                kept += 1
    if total_added:
        notes.append(f"Your notebook adds {total_added} cell(s) of its own; "
                     + ("they were kept and run where you put them." if total_added <= MAX_ADDED_CELLS
                        else f"the first {MAX_ADDED_CELLS} were kept and run, the others ignored."))
    return Rebuilt(cells, notes)
