"""Grading a whole class: the same grades on SQLite and on a real PostgreSQL server, on local
workers and on a Dask cluster (also when one of its workers is killed mid-batch), a batch stopped
half way loses nothing and the next run completes it, the command grades the course it is run in,
and the class report shows the distributions, the most named mistakes and what could not be graded.
The PostgreSQL server and the Dask cluster are started and stopped by the tests (tests/servers.py)."""
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT, copy_course
from grader.grading import grade_all, gradebook
from instructor.nbgrader_setup import GRADEBOOK_VARIABLE
from instructor.samples import write_samples
from servers import dask_cluster, postgres_server

pytestmark = pytest.mark.slow
CHAPTER = "01_autoregressive"  # no torch: a class graded in seconds


def a_class(target: Path) -> Path:
    root = copy_course(target, [CHAPTER])
    (root / "autograde" / ".grading-secret").write_text("7" * 64)
    write_samples(root)
    broken = root / "autograde" / "submitted" / "broken-file" / CHAPTER
    broken.mkdir(parents=True)
    (broken / f"{CHAPTER}.ipynb").write_text('{"cells": [{"cell_type": "code", "source": "trunc')
    return root


def grades(root: Path) -> dict:
    with gradebook(root) as book:
        return {(s.student_id, g.name): g.score for s in book.find_assignment(CHAPTER).submissions
                for n in s.notebooks for g in n.grades}


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    root = a_class(tmp_path_factory.mktemp("local"))
    grade_all(root, workers=2, show_progress=False)
    return root, grades(root)


def test_postgres_gradebook_holds_the_same_grades(local, tmp_path, monkeypatch):
    root = a_class(tmp_path)
    with postgres_server() as url:
        monkeypatch.setenv(GRADEBOOK_VARIABLE, url)
        grade_all(root, workers=2, show_progress=False)
        assert grades(root) == local[1]
    assert not (root / "autograde" / "gradebook.db").exists(), "the SQLite gradebook was used instead"


def test_dask_cluster_gives_the_same_grades(local, tmp_path, monkeypatch):
    root = a_class(tmp_path)
    with postgres_server() as url, dask_cluster(2) as cluster:
        monkeypatch.setenv(GRADEBOOK_VARIABLE, url)
        grade_all(root, scheduler=cluster.scheduler_address, show_progress=False)
        assert grades(root) == local[1]


def test_a_killed_dask_worker_loses_nothing_and_grades_nothing_twice(local, tmp_path, monkeypatch):
    from distributed import Client

    root = a_class(tmp_path)
    records = root / "autograde" / "autograded"
    with postgres_server() as url, dask_cluster(2) as cluster:
        monkeypatch.setenv(GRADEBOOK_VARIABLE, url)
        with Client(cluster.scheduler_address) as client:
            pids = client.run(os.getpid)

        def kill_one_worker():
            while len(list(records.glob("*/*/grading.json"))) < 2:
                time.sleep(0.05)
            os.kill(next(iter(pids.values())), signal.SIGKILL)

        killer = threading.Thread(target=kill_one_worker)
        killer.start()
        outcomes = grade_all(root, scheduler=cluster.scheduler_address, show_progress=False)
        killer.join()
        students = [o.student_id for o in outcomes]
        assert len(students) == len(set(students)), "a submission was recorded twice"
        assert grades(root) == local[1]


def test_stopping_half_way_loses_nothing(local, tmp_path):
    root = a_class(tmp_path)
    command = [sys.executable, "-m", "instructor", "grade", "--workers", "2"]
    environment = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    grading = subprocess.Popen(command, cwd=root, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    records = root / "autograde" / "autograded"
    while len(list(records.glob("*/*/grading.json"))) < 3 and grading.poll() is None:
        time.sleep(0.05)
    grading.send_signal(signal.SIGINT)
    grading.wait(timeout=120)
    done = {p.parent.parent.name for p in records.glob("*/*/grading.json")}
    total = len(list((root / "autograde" / "submitted").iterdir()))
    assert 3 <= len(done) < total, f"{len(done)} of {total} were graded before the stop"
    again = grade_all(root, workers=2, show_progress=False)
    assert {o.student_id for o in again} == {p.name for p in (root / "autograde" / "submitted").iterdir()} - done
    assert grades(root) == local[1]


def test_the_command_grades_the_course_it_is_run_in(tmp_path):
    root = copy_course(tmp_path / "elsewhere", [CHAPTER])
    folder = root / "autograde" / "submitted" / "student" / CHAPTER
    folder.mkdir(parents=True)
    (folder / f"{CHAPTER}.ipynb").write_bytes((ROOT / "chapters" / CHAPTER / f"{CHAPTER}.ipynb").read_bytes())
    environment = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    result = subprocess.run([sys.executable, "-m", "instructor", "grade", "--workers", "1"], cwd=root / "autograde",
                            env=environment, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"grading the course in {root}" in result.stderr
    assert (root / "autograde" / "autograded" / "student" / CHAPTER / "grading.json").exists()
    assert not (ROOT / "autograde" / "autograded" / "student").exists()


def test_the_class_report(local):
    root, _ = local
    page = (root / "autograde" / "report.html").read_text()
    assert page.count("data:image/png;base64,") >= 1 + 4, "a plot per exercise and one of the total"
    assert "Mistakes the feedback named most often" in page and "Not graded" in page and "Slowest" in page
    assert "Content-Security-Policy" in page and "<script" not in page
    records = [json.loads(p.read_text()) for p in (root / "autograde" / "autograded").glob("*/*/grading.json")]
    failed = [r for r in records if r["status"] != "graded"]
    assert all(r["reason"] and r["reason"][:40] in page for r in failed)


def test_a_self_learner_grades_their_own_notebook(tmp_path, capsys):
    from instructor.mine import grade_mine

    root = copy_course(tmp_path / "clone", [CHAPTER])
    solved = ROOT / "solutions" / CHAPTER / f"{CHAPTER}.ipynb"  # a notebook with every exercise done
    score = grade_mine(solved, root)
    page = (root / "_build" / "feedback" / f"{CHAPTER}.html").read_text()
    assert score > 0 and f"Score: {score:g} / {score:g}" in page
    assert f"{CHAPTER}: {score:g} / {score:g}" in capsys.readouterr().out


def test_grading_stops_where_the_sandbox_cannot_be_made(tmp_path, monkeypatch):
    """Without bubblewrap, `grade` refuses and says what would be unprotected; the explicit flag grades anyway."""
    import shutil as shell_tools

    from grader import sandbox

    root = copy_course(tmp_path / "course", [CHAPTER])
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None if name == "bwrap" else shell_tools.which(name))
    with pytest.raises(SystemExit) as refused:
        grade_all(root, workers=1, show_progress=False)
    assert "bubblewrap is not installed" in str(refused.value) and "could read the solutions" in str(refused.value)
    assert "--unsafe-no-sandbox" in str(refused.value)
    assert sandbox.protections() and grade_all(root, workers=1, show_progress=False, unsafe_no_sandbox=True) == []
