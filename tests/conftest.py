"""Shared fixtures: a scratch copy of the course, so tests never touch the instructor's gradebook,
and the website, built once for the tests that read or serve it."""
import functools
import http.server
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from instructor.scratch import copy_course as _copy_course

ROOT = Path(__file__).resolve().parent.parent  # the course repository


def copy_course(target: Path, chapters: list[str] | None = None) -> Path:
    return _copy_course(target, chapters, ROOT)


@pytest.fixture(scope="session")
def course_copy(tmp_path_factory) -> Path:
    return copy_course(tmp_path_factory.mktemp("course"))


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The book, built with -W -n --keep-going into a scratch folder: the folder of its HTML."""
    output = tmp_path_factory.mktemp("book")
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    build = subprocess.run([str(jupyter_book), "build", str(ROOT), "-W", "-n", "--keep-going",
                            "--path-output", str(output)], capture_output=True, text=True, timeout=900)
    log = build.stdout + build.stderr
    assert build.returncode == 0, log[-3000:]
    assert "WARNING" not in log and "build succeeded" in log, log[-3000:]
    return output / "_build" / "html"


@pytest.fixture(scope="session")
def served_site(site):
    """The built website served on 127.0.0.1 by a local HTTP server: its base URL."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
