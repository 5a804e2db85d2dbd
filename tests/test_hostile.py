"""The grader under attack (tests/hostile.py): chapter 03 submissions that try to forge their
grade, harm other students or the grader, or exhaust the machine, graded in one batch beside correct
controls and a bystander graded before them. Every attack scores what its honest work deserves (it
implements nothing: 0), honest students whose notebooks used to break grading get full marks, the
bystander's grades and files are untouched, no process of a submission survives, the network is
out of reach, and a real browser opening every feedback page runs no script."""
import copy
import csv
import functools
import hashlib
import http.server
import json
import os
import socket
import threading
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT, copy_course
from grader.evaluate import Budgets
from grader.grading import grade_all, gradebook
from grader.sandbox import FIRST_SESSION_UID
from hostile import ATTACKS, HONEST, PAIRED
from instructor.samples import build_notebook, load_samples
from leaks import html_text, leaked_lines

pytestmark = pytest.mark.slow
CHAPTER = "03_rnn"
FORMULA_ID = '=HYPERLINK("https:attacker.example","regrade")'  # a student id a spreadsheet would run
BUDGETS = Budgets(cell=5.0, test=30.0, notebook=60.0)


def released() -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "chapters" / CHAPTER / f"{CHAPTER}.ipynb", as_version=4)


def with_added_cells(notebook, added: list, after: str = "rnn_step_forward") -> nbformat.NotebookNode:
    """`added` cells (code, or ("markdown", text)) inserted after the exercise cell `after`."""
    notebook = copy.deepcopy(notebook)
    index = next(i for i, c in enumerate(notebook.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == after)
    new = [nbformat.v4.new_markdown_cell(cell[1]) if isinstance(cell, tuple) else nbformat.v4.new_code_cell(cell)
           for cell in added]
    notebook.cells[index + 1:index + 1] = new
    return notebook


def honest(kind: str, correct: dict) -> nbformat.NotebookNode:
    notebook = build_notebook(released(), correct)
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in notebook.cells}
    if kind == "duplicate":
        return _insert(notebook, "rnn_forward", copy.deepcopy(by_id["rnn_step_forward_by_hand"]))
    if kind == "graded-cell":
        cell = nbformat.v4.new_code_cell("assert rnn_step_forward is not None\n", metadata={"nbgrader": {
            "grade": True, "grade_id": "my_own_test", "locked": False, "points": 5, "schema_version": 3,
            "solution": False, "task": False}})
        return _insert(notebook, "rnn_forward", cell)
    if kind == "retagged":
        by_id["rnn_forward"].metadata["nbgrader"].update(grade=True, points=3)
        return notebook
    if kind == "bare-except":
        return with_added_cells(notebook, ["import time\nfor i in range(10**6):\n    try:\n        time.sleep(0.05)\n"
                                           "    except:\n        pass\n"], "sample_with_temperature")
    if kind == "markers":
        return with_added_cells(notebook, [("markdown", "My notes.\n\n### BEGIN HIDDEN TESTS\nnothing here\n"
                                                        "### END HIDDEN TESTS\n")], "rnn_forward")
    raise ValueError(kind)


def _insert(notebook, after: str, cell) -> nbformat.NotebookNode:
    index = next(i for i, c in enumerate(notebook.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == after)
    notebook.cells.insert(index + 1, cell)
    return notebook


def submit(root: Path, student: str, notebook=None, raw: bytes | None = None) -> Path:
    folder = root / "autograde" / "submitted" / student / CHAPTER
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{CHAPTER}.ipynb"
    if raw is not None:
        path.write_bytes(raw)
    else:
        nbformat.write(notebook, path)
    return path


def processes_of_sessions(ancestor: int) -> list[str]:
    """Processes of a session's user (uid at least FIRST_SESSION_UID) that descend from `ancestor`."""
    def parent(pid: str) -> str:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1]

    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.stat(f"/proc/{entry}").st_uid < FIRST_SESSION_UID:
                continue
            pid = entry
            while pid not in ("0", "1", str(ancestor)):
                pid = parent(pid)
            if pid == str(ancestor):
                found.append(open(f"/proc/{entry}/cmdline").read().replace("\0", " ")[:80])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return found


def learner_digest() -> str:
    import seqcourse

    folder = Path(seqcourse.__file__).parent
    return hashlib.sha256(b"".join(p.read_bytes() for p in sorted(folder.rglob("*.py")))).hexdigest()


def gradebook_rows(root: Path, student: str) -> list:
    with gradebook(root) as book:
        grades = book.find_submission_notebook(CHAPTER, CHAPTER, student).grades
        return sorted((g.name, g.auto_score, g.manual_score, g.extra_credit) for g in grades)


def extra_credit_anywhere(root: Path) -> list:
    with gradebook(root) as book:
        return [(s.student_id, g.name, g.extra_credit) for s in book.find_assignment(CHAPTER).submissions
                for n in s.notebooks for g in n.grades if g.extra_credit]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = copy_course(tmp_path_factory.mktemp("hostile"), [CHAPTER])
    (root / "autograde").mkdir(exist_ok=True)
    (root / "autograde" / ".grading-secret").write_text("5" * 64)
    correct = load_samples(CHAPTER, root)["correct-alternative"]["cells"]
    submit(root, "bystander", build_notebook(released(), correct))
    grade_all(root, workers=1, show_progress=False)
    bystander = {"rows": gradebook_rows(root, "bystander"),
                 "files": {p: p.read_bytes() for p in (root / "autograde").rglob("*") if "bystander" in p.parts and p.is_file()},
                 "csv": [line for line in (root / "autograde" / "grades.csv").read_text().splitlines() if "bystander" in line]}

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    port, connections, stop = listener.getsockname()[1], [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                connections.append(listener.accept())
            except OSError:
                pass

    threading.Thread(target=accept, daemon=True).start()
    stub = released()
    for name, (cells, added) in ATTACKS.items():
        cells = {k: v.replace("{port}", str(port)) for k, v in cells.items()}
        submit(root, name, with_added_cells(build_notebook(stub, cells), added))
    for name, kind in HONEST.items():
        submit(root, name, honest(kind, correct))
    for name, (attack, control) in PAIRED.items():
        submit(root, name, build_notebook(stub, {**correct, **attack}))
        submit(root, f"{name}-control", build_notebook(stub, {**correct, **control}))
    submit(root, FORMULA_ID, build_notebook(stub, correct))
    submit(root, "control-correct", build_notebook(stub, correct))
    submit(root, "control-stub", stub)
    huge = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1", outputs=[nbformat.v4.new_output(
        "stream", name="stdout", text="y" * (25 * 2**20))])])
    submit(root, "submits-a-huge-file", raw=nbformat.writes(huge).encode())
    digest = learner_digest()
    outcomes = {o.student_id: o for o in grade_all(root, workers=2, show_progress=False, budgets=BUDGETS)}
    stop.set()
    return {"root": root, "outcomes": outcomes, "bystander": bystander, "connections": connections,
            "leftover": processes_of_sessions(os.getpid()), "digest": digest}


def record(batch, student: str) -> dict:
    return json.loads((batch["root"] / "autograde" / "autograded" / student / CHAPTER / "grading.json").read_text())


def feedback(batch, student: str) -> str:
    return (batch["root"] / "autograde" / "feedback" / student / CHAPTER / f"{CHAPTER}.html").read_text()


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_an_attack_scores_what_its_honest_work_deserves(batch, attack):
    outcome = batch["outcomes"][attack]
    assert outcome.status == "graded", outcome.message
    assert outcome.score == 0, {k: v for k, v in record(batch, attack)["tests"].items() if v["score"]}


@pytest.mark.parametrize("attack", sorted(PAIRED))
def test_an_attack_with_some_work_scores_what_the_work_alone_scores(batch, attack):
    outcome, control = batch["outcomes"][attack], batch["outcomes"][f"{attack}-control"]
    assert outcome.status == control.status == "graded", (outcome.message, control.message)
    assert control.score < control.max_score  # the work is not all correct: there is something to forge
    assert outcome.score == control.score, {k: v["score"] for k, v in record(batch, attack)["tests"].items()}


def test_a_broken_or_slow_reply_costs_its_sender_only_bounded_time(batch):
    for attack in ["trickles-a-reply", "sends-colliding-keys"]:
        assert record(batch, attack)["seconds"] < BUDGETS.notebook + 30, attack


def test_a_student_id_is_text_in_the_spreadsheet(batch):
    rows = list(csv.DictReader((batch["root"] / "autograde" / "grades.csv").open()))
    row = next(r for r in rows if r["student_id"].lstrip("'") == FORMULA_ID)
    assert row["student_id"] == "'" + FORMULA_ID and row["status"] == "graded"
    assert not any(value.startswith(("=", "+", "@")) for r in rows for value in r.values() if value)


@pytest.mark.parametrize("student", sorted(HONEST))
def test_an_honest_student_gets_the_grade_their_code_deserves(batch, student):
    outcome = batch["outcomes"][student]
    assert outcome.status == "graded", outcome.message
    assert outcome.score == outcome.max_score > 0, {k: v["message"] for k, v in record(batch, student)["tests"].items() if not v["score"]}


def test_controls_and_a_huge_file(batch):
    outcomes = batch["outcomes"]
    assert outcomes["control-correct"].score == outcomes["control-correct"].max_score > 0
    assert outcomes["control-stub"].score == 0
    assert outcomes["submits-a-huge-file"].status == "failed" and "over the limit" in outcomes["submits-a-huge-file"].message


def test_the_bystander_is_untouched(batch):
    root, before = batch["root"], batch["bystander"]
    assert gradebook_rows(root, "bystander") == before["rows"]
    for path, data in before["files"].items():
        assert path.read_bytes() == data, f"{path} changed"
    assert [line for line in (root / "autograde" / "grades.csv").read_text().splitlines() if "bystander" in line] == before["csv"]
    assert extra_credit_anywhere(root) == []
    assert "evil" not in (root / "autograde" / "grades.csv").read_text()


def test_the_course_and_its_package_are_untouched(batch):
    assert learner_digest() == batch["digest"]
    assert not (ROOT / "autograde" / "grades.csv").exists() or "evil" not in (ROOT / "autograde" / "grades.csv").read_text()


def test_no_process_of_a_submission_is_left_and_the_network_was_out_of_reach(batch):
    assert batch["leftover"] == [], batch["leftover"]
    assert "process(es) running; they were stopped" in feedback(batch, "leaves-a-daemon")
    assert batch["connections"] == []
    assert "no network" in feedback(batch, "uses-the-network")


def test_limits_hold(batch):
    assert len(feedback(batch, "floods-its-output")) < 3 * 2**20
    assert "cut here" in feedback(batch, "floods-its-output")
    assert "the first 100 were kept" in feedback(batch, "adds-three-thousand-cells")
    assert record(batch, "sleeps-in-every-cell")["seconds"] < BUDGETS.notebook + 30
    assert "were used up" in feedback(batch, "sleeps-in-every-cell")
    assert "stopped after" in feedback(batch, "forks-without-end")


@pytest.mark.parametrize("attack", ["rebinds-the-checks", "swaps-the-code-of-the-checks", "patches-numpy-and-the-package",
                                    "installs-an-input-transformer"])
def test_tampering_is_named_in_the_feedback(batch, attack):
    assert "That does not change your grade" in html_text(feedback(batch, attack))


def test_handing_back_the_package_copy_says_why(batch):
    text = html_text(feedback(batch, "hands-back-the-package-copy"))
    assert "course package's own copy" in text or "is what this chapter asks you to write" in text


def test_feedback_quotes_no_hidden_test_and_no_reference(batch):
    solution = batch["root"] / "solutions" / CHAPTER / f"{CHAPTER}.ipynb"
    for page in (batch["root"] / "autograde" / "feedback").rglob("*.html"):
        student = page.relative_to(batch["root"] / "autograde" / "feedback").parts[0]
        submitted = (batch["root"] / "autograde" / "submitted" / student / CHAPTER / f"{CHAPTER}.ipynb").read_text()
        text = html_text(page.read_text())
        assert "load_reference(\"03_rnn\")" not in text and "reference.rnn_forward" not in text, page
        hidden = [line for line in leaked_lines(solution, text)
                  if ("reference" in line or line.startswith("###")) and line not in submitted]  # not their own words
        assert not hidden, f"{page}: {hidden[:3]}"


def test_no_feedback_page_runs_a_script(batch):
    from selenium import webdriver

    folder = batch["root"] / "autograde" / "feedback"
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync"]:
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService("/usr/bin/chromedriver"))
    try:
        for page in sorted(folder.rglob("*.html")):
            student = page.relative_to(folder).parts[0]
            driver.get(f"http://127.0.0.1:{server.server_address[1]}/{page.relative_to(folder)}")
            ran = driver.execute_script("return [document.title, window.pwned === 1, !!document.getElementById('pwned'),"
                                        " [...document.querySelectorAll('.score')].map(e => e.innerText)]")
            title, flag, element, scores = ran
            assert "pwned" not in title and not flag and not element, f"{student}: a script ran"
            assert len(scores) == 1, f"{student}: {scores}"
            outcome = batch["outcomes"].get(student)
            if outcome is not None and outcome.status == "graded":
                assert scores[0] == f"Score: {outcome.score:g} / {outcome.max_score:g}", (student, scores)
    finally:
        driver.quit()
        server.shutdown()
