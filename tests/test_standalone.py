"""A chapter runs wherever a student opens it: a fresh virtual environment made from
requirements-student.txt alone, an empty folder outside the repository holding only the notebook
the website's download button serves, and the built website served on 127.0.0.1. The notebook's
first cell installs the learner package from that website; then every cell runs, and the only
errors are the stubs' "not implemented yet", never an import or setup error."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from instructor.release import chapters

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def student_python(tmp_path_factory) -> Path:
    """A fresh venv with requirements-student.txt only, and a Jupyter kernel spec that runs it."""
    folder = tmp_path_factory.mktemp("student")
    subprocess.run([Path(sys.base_prefix) / "bin" / "python3", "-m", "venv", folder / "venv"], check=True)
    python = folder / "venv" / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r",
                    ROOT / "requirements-student.txt"], check=True, timeout=1800)
    kernels = folder / "kernels" / "student"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "student", "language": "python"}))
    return python


def installed(python: Path) -> list[str]:
    listing = subprocess.run([python, "-m", "pip", "list", "--format=freeze", "--disable-pip-version-check"],
                             capture_output=True, text=True, check=True).stdout
    return [line.split("==")[0].lower() for line in listing.splitlines()]


def test_the_student_environment_is_small(student_python):
    packages = installed(student_python)
    assert {"numpy", "torch", "matplotlib", "tqdm", "ipykernel"} <= set(packages)
    assert not {"nbgrader", "jupyter-book", "sphinx", "selenium", "seqcourse"} & set(packages)


SETUP_ERRORS = {"ModuleNotFoundError", "ImportError", "FileNotFoundError", "PermissionError", "OSError",
                "ConnectionError", "URLError", "CalledProcessError"}


def failures(notebook) -> list[str]:
    """Every error in the executed notebook but a stub's "not implemented yet" and what follows from
    it (a later demo that uses what the stub's cell would have computed). That the demos themselves
    are right is proved by the solution's run at release; here no error may be one of setting up: an
    import, a missing file, the network, the package's installation."""
    problems, after_a_stub = [], False
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.output_type != "error":
                continue
            stub = output.ename == "NotImplementedError" or (
                output.ename == "CheckFailed" and "not implemented yet" in output.evalue)
            if output.ename in SETUP_ERRORS or "seqcourse" in output.evalue or not (stub or after_a_stub):
                problems.append(f"cell {index}: {output.ename}: {output.evalue[:200]}")
            after_a_stub = after_a_stub or stub
    return problems


@pytest.mark.parametrize("chapter", chapters(ROOT))
def test_a_downloaded_chapter_runs_on_its_own(chapter, student_python, served_site, site, tmp_path):
    from nbclient import NotebookClient

    subprocess.run([student_python, "-m", "pip", "uninstall", "--quiet", "-y", "seqcourse"], capture_output=True)
    folder = tmp_path / "downloads"
    folder.mkdir()
    downloaded = folder / f"{chapter}.ipynb"
    downloaded.write_bytes((site / "_sources" / "chapters" / chapter / f"{chapter}.ipynb").read_bytes())
    notebook = nbformat.read(downloaded, as_version=4)
    environment = {"SEQCOURSE_SITE": served_site, "JUPYTER_PATH": str(student_python.parent.parent.parent),
                   "MPLBACKEND": "agg", "OMP_NUM_THREADS": "1", "PATH": f"{student_python.parent}:/usr/bin:/bin"}
    saved = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)
    start = time.perf_counter()
    try:
        NotebookClient(notebook, kernel_name="student", timeout=300, allow_errors=True,
                       resources={"metadata": {"path": str(folder)}}).execute()
    finally:
        for name, value in saved.items():
            os.environ.pop(name) if value is None else os.environ.__setitem__(name, value)
    seconds = time.perf_counter() - start
    bootstrap = next(c for c in notebook.cells if c.cell_type == "code")
    first = "".join(o.get("text", "") for o in bootstrap.outputs)
    assert f"installed from {served_site}/" in first, first
    assert failures(notebook) == [], failures(notebook)
    stubs = [c for c in notebook.cells if any(o.output_type == "error" for o in c.get("outputs", []))]
    assert stubs, "no test failed: are the exercise stubs in place?"
    print(f"{chapter} ran on its own in {seconds:.1f} s")
    assert "seqcourse" in installed(student_python)
