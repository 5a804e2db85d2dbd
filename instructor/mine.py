"""Self-study: grade your own notebook the way an instructor would, hidden tests included.

`make grade-mine NOTEBOOK=chapters/03_rnn/03_rnn.ipynb` grades a copy of the notebook in a scratch
copy of the course, with the same sandbox and the same tests as `make grade`, prints the score of
every test and writes the feedback page to `_build/feedback/<chapter>.html`.
"""
import shutil
import sys
import tempfile
from pathlib import Path

from instructor.release import chapters
from instructor.scratch import copy_course


def grade_mine(notebook: Path, root: Path) -> float:
    from grader.grading import grade_all

    chapter = notebook.stem
    if chapter not in chapters(root):
        raise SystemExit(f"{notebook.name} is not a chapter notebook: its name should be one of {chapters(root)}")
    with tempfile.TemporaryDirectory(prefix="grade-mine-") as scratch:
        course = copy_course(Path(scratch), [chapter], root)
        folder = course / "autograde" / "submitted" / "me" / chapter
        folder.mkdir(parents=True)
        shutil.copy(notebook, folder / f"{chapter}.ipynb")
        (outcome,) = grade_all(course, workers=1, show_progress=False)
        target = root / "_build" / "feedback" / f"{chapter}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(course / "autograde" / "feedback" / "me" / chapter / f"{chapter}.html", target)
    print(f"{chapter}: {outcome.score:g} / {outcome.max_score:g}" + (f" ({outcome.message})" if outcome.message else ""))
    for exercise, score in outcome.exercises.items():
        print(f"  {exercise:<32} {score:g}")
    print(f"feedback: {target}", file=sys.stderr)
    return outcome.score
