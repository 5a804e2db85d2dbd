"""Every solution notebook scores full marks (hidden tests included) and runs without errors or
stderr; every student notebook passes no test at all. Uses nbgrader's Validator class, because
`nbgrader validate` exits 0 even when tests fail."""
import shutil

import pytest
from nbgrader.validator import Validator

from conftest import ROOT
from instructor.release import chapters
from seqcourse.runtime import environment, grading_environment

pytestmark = pytest.mark.slow


def validate(path, **options):
    with grading_environment(), environment(SEQCOURSE_COURSE=str(ROOT)):
        return Validator(**options).validate(str(path))


@pytest.mark.parametrize("chapter", chapters())
def test_solution_passes_every_test_and_runs_clean(chapter, tmp_path):
    notebook = tmp_path / f"{chapter}.ipynb"
    shutil.copy(ROOT / "solutions" / chapter / f"{chapter}.ipynb", notebook)
    result = validate(notebook, validate_all=True)
    failures = [f"{f['source'][:80]!r}: {f['raw_error'][-300:]}" for f in result.get("failed", [])]
    assert result == {}, "\n".join(failures) or result


@pytest.mark.parametrize("chapter", chapters())
def test_student_notebook_passes_no_test(chapter, tmp_path):
    notebook = tmp_path / f"{chapter}.ipynb"
    shutil.copy(ROOT / "chapters" / chapter / f"{chapter}.ipynb", notebook)
    result = validate(notebook, invert=True)
    passed = [p["source"].splitlines()[0] for p in result.get("passed", [])]
    assert "changed" not in result and not passed, f"tests that pass on the stub: {passed}"
