"""nbgrader's configuration for this course, in one place.

`nbgrader_config.py` at the top of the repository calls `configure`, so the nbgrader command line
and the course's own commands (`python -m instructor release|grade`) use the same settings:
`solutions/` is the source folder, `chapters/` the release folder, and everything produced while
grading lives under `autograde/` (git-ignored). The course releases with nbgrader and keeps its
grades in nbgrader's gradebook; it grades with its own sandboxed grader (package `grader`).
nbgrader's own `autograde` still works with these settings (the benchmark compares the two), but
it runs every submission with the grader's rights and scores it inside the student's kernel.
"""
import os
from pathlib import Path

from traitlets.config import Config

# Warnings that correct code may trigger (a UserWarning from torch, a DeprecationWarning from a
# library) go to stderr, and nbgrader scores a test cell zero if it writes anything there.
# The pattern removes stderr output that consists of Python warnings before scoring. Each warning is
# "file:line: Category: message", up to three more lines of a multi-line message (torch's warning
# for float(loss) on a tensor that requires grad has two), and the indented source line if known.
_HEADER = r"[^\n]*:\d+: \w*Warning: [^\n]*\n"
_CONTINUATION = r"(?!  )(?!Traceback)(?!" + _HEADER + r")[^\n]*\n"
WARNING_PATTERN = r"^(?:" + _HEADER + "(?:" + _CONTINUATION + r"){0,3}(?:  [^\n]*\n)?)+$"

CELL_TIMEOUT_SECONDS = 20  # an infinite loop is interrupted after this; the rest still runs
# The gradebook's database: SQLite in autograde/ by default; a URL such as
# postgresql://grader@db.example.org/course puts it on a PostgreSQL server (one setting).
GRADEBOOK_VARIABLE = "SEQCOURSE_GRADEBOOK_URL"


def configure(c: Config, root: Path, release_directory: str = "chapters") -> Config:
    root = Path(root).resolve()
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.course_id = "sequence-models"
    c.CourseDirectory.source_directory = "solutions"
    c.CourseDirectory.release_directory = release_directory
    c.CourseDirectory.submitted_directory = "autograde/submitted"
    c.CourseDirectory.autograded_directory = "autograde/autograded"
    c.CourseDirectory.feedback_directory = "autograde/feedback"
    c.CourseDirectory.db_url = os.environ.get(GRADEBOOK_VARIABLE) or f"sqlite:///{root / 'autograde' / 'gradebook.db'}"
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__"]

    c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

    c.Execute.timeout = CELL_TIMEOUT_SECONDS
    c.Execute.interrupt_on_timeout = True
    c.IgnorePattern.pattern = WARNING_PATTERN
    c.IgnorePattern.enabled = True
    return c


def course_config(root: Path, release_directory: str = "chapters") -> Config:
    return configure(Config(), root, release_directory)
