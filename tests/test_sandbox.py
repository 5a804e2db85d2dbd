"""The sandbox's file system: a course checkout or virtual environment that lies under /tmp (as in a
CI runner's clone) is still visible inside, read-only, on top of the sandbox's own empty /tmp; the
rest of the grader's /tmp is not. Before the fix the writable /tmp was mounted last and hid the
course's Python: every session failed with "execvp ...: No such file or directory"."""
import shutil
import tempfile
from pathlib import Path

import pytest

from grader import sandbox
from grader.kernel import Kernel


@pytest.fixture
def course_under_tmp(monkeypatch):
    course = Path(tempfile.mkdtemp(prefix="course-", dir="/tmp"))
    private = Path(tempfile.mkdtemp(prefix="grader-", dir="/tmp"))
    course.chmod(0o755)  # as a clone's folder is; mkdtemp makes it 0700, unreadable to the session's user
    (course / "marker.txt").write_text("visible\n")
    (private / "secret.txt").write_text("hidden\n")
    real = sandbox._python_paths
    monkeypatch.setattr(sandbox, "_python_paths", lambda: [*real(), course])
    yield course, private
    shutil.rmtree(course), shutil.rmtree(private)


def test_folders_under_tmp_are_bound_read_only_and_the_rest_of_tmp_is_hidden(course_under_tmp):
    course, private = course_under_tmp
    box = sandbox.Sandbox()
    try:
        kernel = Kernel(box, {"withhold": []})
        try:
            source = (f"import os\nprint(open({str(course / 'marker.txt')!r}).read().strip())\n"
                      f"print(os.path.exists({str(private / 'secret.txt')!r}))\n"
                      f"try:\n    open({str(course / 'new.txt')!r}, 'w')\nexcept OSError:\n    print('read-only')\n")
            reply = kernel.run(source, timeout=20)
        finally:
            kernel.close()
    finally:
        box.close()
    assert not reply.get("error"), reply
    assert reply["stdout"].split() == ["visible", "False", "read-only"]
    assert not (course / "new.txt").exists()
