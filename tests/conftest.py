"""Shared fixtures: a scratch copy of the course, so tests never touch the instructor's gradebook."""
import shutil
from pathlib import Path

import pytest

from seqcourse import ROOT


def copy_course(target: Path) -> Path:
    """Copy what releasing and grading read: solutions, chapters and the sample submissions."""
    for folder in ["solutions", "chapters", "autograde/samples"]:
        shutil.copytree(ROOT / folder, target / folder)
    return target


@pytest.fixture(scope="session")
def course_copy(tmp_path_factory) -> Path:
    return copy_course(tmp_path_factory.mktemp("course"))
