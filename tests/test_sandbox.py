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


SHARED_MEMORY = """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype, libc.shmat.argtypes = ctypes.c_void_p, [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
segment = libc.shmget(0, 8 * 2**20, 0o1000 | 0o600)  # IPC_CREAT: 8 MB that outlive the process
ctypes.memset(libc.shmat(segment, None, 0), 1, 8 * 2**20)
libc.msgget(0, 0o1000 | 0o600)  # and a message queue
print(os.getuid())
"""
CREATORS = """
for kind in ["shm", "msg"]:
    with open(f"/proc/sysvipc/{kind}") as table:
        header, *rows = [line.split() for line in table]
    print(kind, *sorted({row[header.index("cuid")] for row in rows}))
"""


def test_shared_memory_and_message_queues_of_a_session_end_with_it():
    """System V objects outlive their processes and are charged to the sandbox's memory: a notebook
    that leaves some behind must not take memory from the students graded after it."""
    box = sandbox.Sandbox()
    try:
        first = Kernel(box, {"withhold": []})
        made = first.run(SHARED_MEMORY, timeout=20)
        uid = made["stdout"].split()[-1]
        during = first.run(CREATORS, timeout=20)["stdout"].splitlines()
        first.close()
        later = Kernel(box, {"withhold": []})
        after = later.run(CREATORS, timeout=20)["stdout"].splitlines()
        later.close()
    finally:
        box.close()
    assert not made.get("error"), made
    assert all(uid in line.split()[1:] for line in during), during  # the objects existed: the check can fail
    assert not any(uid in line.split()[1:] for line in after), after
