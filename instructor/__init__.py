"""instructor: what the course's authors and instructors run.

`python -m instructor COMMAND` (or the Makefile's targets):

- `release`   regenerate the student notebooks in `chapters/` from `solutions/`
- `samples`   write the bundled sample submissions into `autograde/submitted/`
- `grade`     grade every submission (the trusted grader, package `grader`)
- `bundle`    the student bundle: chapters, the learner wheel, student requirements
- `check`     one chapter released, validated and its samples graded, while writing it
- `bench`     timings of notebooks, grading and book builds

Everything here works on a course folder: the one the command is run in (or above it), never the
folder the package happens to be installed from.
"""
from pathlib import Path


def course_root(start: Path | None = None) -> Path:
    """The course folder that holds `start` (default: the working directory): the nearest folder,
    walking up, with both `_config.yml` and `solutions/`."""
    start = Path(start or Path.cwd()).resolve()
    for folder in [start, *start.parents]:
        if (folder / "_config.yml").is_file() and (folder / "solutions").is_dir():
            return folder
    raise FileNotFoundError(f"{start} is not inside a course folder (one with _config.yml and solutions/): "
                            "run the command from the course repository")


def resolve(root: Path | None) -> Path:
    """`root` if given, else the course folder around the working directory."""
    return Path(root).resolve() if root is not None else course_root()
