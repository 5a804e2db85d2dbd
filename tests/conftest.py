"""Shared fixtures: a scratch copy of the course, so tests never touch the instructor's gradebook."""
from pathlib import Path

import pytest

from instructor.scratch import copy_course as _copy_course

ROOT = Path(__file__).resolve().parent.parent  # the course repository


def copy_course(target: Path, chapters: list[str] | None = None) -> Path:
    return _copy_course(target, chapters, ROOT)


@pytest.fixture(scope="session")
def course_copy(tmp_path_factory) -> Path:
    return copy_course(tmp_path_factory.mktemp("course"))
