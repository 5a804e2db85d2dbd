"""Shared fixtures: a scratch copy of the course, so tests never touch the instructor's gradebook."""
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent  # the course repository

from instructor.release import chapters as course_chapters


def copy_course(target: Path, chapters: list[str] | None = None) -> Path:
    """Copy what releasing and grading read (the course settings, the learner package's version,
    solutions, chapters and sample submissions) of every chapter, or only of `chapters`."""
    shutil.copy(ROOT / "_config.yml", target / "_config.yml")
    (target / "learner" / "seqcourse").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "learner" / "seqcourse" / "__init__.py", target / "learner" / "seqcourse" / "__init__.py")
    for chapter in chapters or course_chapters():
        for folder in ["solutions", "chapters"]:
            shutil.copytree(ROOT / folder / chapter, target / folder / chapter)
        samples = ROOT / "autograde" / "samples" / f"{chapter}.py"
        if samples.exists():
            (target / "autograde" / "samples").mkdir(parents=True, exist_ok=True)
            shutil.copy(samples, target / "autograde" / "samples")
    return target


@pytest.fixture(scope="session")
def course_copy(tmp_path_factory) -> Path:
    return copy_course(tmp_path_factory.mktemp("course"))
