"""The first code cell of every chapter: make the learner package available, wherever the
notebook was opened.

It uses `seqcourse` if a recent enough version is importable (a clone of the course, Binder, a
course venv, the grader's sandbox); otherwise it installs the wheel lying next to the notebook (or
in a folder above it, as in the student bundle) or, failing that, the wheel the website publishes
(Colab, a downloaded notebook). `release` writes the cell, from the course's settings, into the
solution and the student notebooks alike; `SEQCOURSE_SITE` overrides the website's address.
"""
from pathlib import Path

import nbformat

from instructor.site import learner_version, website_url, wheel_name

TAG = "bootstrap"

TEMPLATE = '''\
# Make the course's learner package available: use it if installed, else install its wheel from
# this folder (or one above it), else from the course website. Prints the version in use.
import importlib, importlib.metadata, os, subprocess, sys
from pathlib import Path

NEEDED, WHEEL = "{version}", "{wheel}"
SITE = os.environ.get("SEQCOURSE_SITE", "{site}")
source = "already installed"
try:
    installed = importlib.metadata.version("seqcourse")
except importlib.metadata.PackageNotFoundError:
    installed = "0"
if tuple(map(int, installed.split("."))) < tuple(map(int, NEEDED.split("."))):
    here = [folder / WHEEL for folder in [Path.cwd(), *Path.cwd().parents] if (folder / WHEEL).is_file()]
    wheel = str(here[0]) if here else f"{{SITE}}/{{WHEEL}}"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", wheel], check=True)
    importlib.invalidate_caches()
    source = f"installed from {{wheel}}"
import seqcourse
print(f"seqcourse {{seqcourse.__version__}}, {{source}}")'''


def bootstrap_source(root: Path) -> str:
    return TEMPLATE.format(version=learner_version(root), wheel=wheel_name(root), site=website_url(root))


def refresh_bootstrap(notebook: nbformat.NotebookNode, root: Path) -> bool:
    """Give the notebook its first code cell, up to date; True if anything changed."""
    source = bootstrap_source(root)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    if code and TAG in code[0].metadata.get("tags", []):
        if code[0].source == source:
            return False
        code[0].source = source
        return True
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": [TAG]})
    cell.id = TAG  # a fixed id, so that releasing twice gives the same file
    notebook.cells.insert(notebook.cells.index(code[0]) if code else len(notebook.cells), cell)
    return True
