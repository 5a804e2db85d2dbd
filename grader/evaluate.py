"""Grade one rebuilt notebook: its code runs in a sandboxed session, its tests run here.

The cells run in order. A cell of the notebook (the course's setup and demos, the student's
exercise cells and added cells) runs in the session, with a time limit. A test cell runs in the
grader's own process, in a fresh namespace: the names of the chapter's setup cell (numpy, torch,
the checks) are the grader's own, and every other name the cell uses is looked up in the session,
arriving as data or as a stand-in (grader/kernel.py). Random test inputs come from a salt the
session never sees (`seqcourse.checks.test_rng`). Hidden parts are compiled under a file name
that marks them, so that nothing defined there can be passed into the session, and the reference
(grader/reference.py) lives here only. A test passes when its code raises nothing: the verdict is
decided here, from data, whatever the notebook did to itself.

When the session dies or stops answering, a fresh one replays the cells that ran before and the
grading goes on; the cell that broke it is skipped. Time is bounded per cell, per test and for
the whole notebook.
"""
import ast
import builtins
import contextlib
import io
import time
import traceback
from dataclasses import dataclass, field

from grader.kernel import Kernel, SessionLost, Timeout
from grader.rebuild import HIDDEN_BEGIN, HIDDEN_END, Rebuilt

MAX_RESTARTS = 3
BUILTIN_NAMES = set(vars(builtins))


@dataclass
class Budgets:
    """Wall-clock seconds a submission may take."""
    cell: float = 20.0       # a cell of the notebook, or one call of the student's code
    test: float = 60.0       # a whole test cell
    notebook: float = 300.0  # everything


@dataclass
class CellRun:
    stdout: str = ""
    stderr: str = ""
    error: str = ""       # "" when the cell ran to its end
    note: str = ""        # a word from the grader: interrupted, skipped, ...
    seconds: float = 0.0


@dataclass
class TestRun:
    grade_id: str
    points: float
    passed: bool = False
    message: str = ""
    output: str = ""
    seconds: float = 0.0

    @property
    def score(self) -> float:
        return self.points if self.passed else 0.0


@dataclass
class Graded:
    cells: list                               # one CellRun or TestRun per cell of the rebuilt notebook
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    timings: dict = field(default_factory=dict)  # seconds: session start, notebook cells, tests

    @property
    def tests(self) -> dict[str, TestRun]:
        return {run.grade_id: run for run in self.cells if isinstance(run, TestRun)}


def split_hidden(source: str) -> tuple[str, str]:
    """(visible part, hidden part) of a test cell, each with the cell's line numbers."""
    visible, hidden, inside = [], [], False
    for line in source.splitlines():
        marker = line.strip()
        if marker in (HIDDEN_BEGIN, HIDDEN_END):
            inside = marker == HIDDEN_BEGIN
            visible.append("")
            hidden.append("")
        else:
            visible.append("" if inside else line)
            hidden.append(line if inside else "")
    return "\n".join(visible), "\n".join(hidden)


def names_used(*trees: ast.AST) -> set[str]:
    """Every name a piece of code reads, at any depth (functions and comprehensions included)."""
    return {node.id for tree in trees for node in ast.walk(tree) if isinstance(node, ast.Name)}


class Grader:
    """One submission's grading: the session, the trusted namespace of the setup cell, the clock."""

    def __init__(self, sandbox, rebuilt: Rebuilt, salt: int, withhold: list, chapter: str, budgets: Budgets = Budgets()):
        self.sandbox, self.rebuilt, self.salt, self.withhold, self.chapter = sandbox, rebuilt, salt, withhold, chapter
        self.budgets = budgets
        self.notes, self.ran, self.restarts = list(rebuilt.notes), [], 0
        self.start = time.monotonic()
        self.kernel = None
        self.setup_namespace = None
        self.tampering = []

    # -- the session
    def open(self) -> None:
        self.kernel = Kernel(self.sandbox, {"withhold": self.withhold})
        self.kernel.call_seconds = self.budgets.cell

    def close(self) -> None:
        if self.kernel is not None:
            left = self.kernel.close()
            if left:
                self.notes.append(f"Your notebook left {left} process(es) running; they were stopped.")
            self.kernel = None

    def restart(self, reason: str) -> bool:
        """A fresh session that has run the cells that ran before; False if that is not possible."""
        self.close()
        self.restarts += 1
        if self.restarts > MAX_RESTARTS or self.time_left() <= 0:
            return False
        self.open()
        for index in self.ran:
            try:
                self.kernel.run(self.rebuilt.cells[index].source, timeout=min(self.budgets.cell, self.time_left()))
            except (SessionLost, Timeout):
                return False
        return True

    def time_left(self) -> float:
        return self.budgets.notebook - (time.monotonic() - self.start)

    # -- the cells
    def grade(self) -> Graded:
        from seqcourse import checks

        runs, broken, timings = [], False, {"session": 0.0, "cells": 0.0, "tests": 0.0}
        started = time.monotonic()
        self.open()
        timings["session"] = time.monotonic() - started
        checks.GRADING_SALT = self.salt
        try:
            for index, cell in enumerate(self.rebuilt.cells):
                started = time.monotonic()
                if cell.kind == "test":
                    runs.append(self.run_test(cell, broken))
                    timings["tests"] += time.monotonic() - started
                elif cell.runs_in_notebook:
                    run = self.run_cell(index, cell) if not broken else CellRun(note="not run: the notebook could not go on")
                    broken = broken or run.note.startswith("the notebook could not")
                    runs.append(run)
                    if cell.kind == "setup" and self.setup_namespace is None:
                        self.setup_namespace = self.trusted_setup(cell.source)
                    timings["cells"] += time.monotonic() - started
                else:
                    runs.append(None)
        finally:
            checks.GRADING_SALT = None
            self.close()
        if self.tampering:
            self.notes.append("Your notebook changed " + ", ".join(sorted(set(self.tampering))[:8]) +
                              ". That does not change your grade: tests run outside your notebook.")
        return Graded(runs, self.notes, time.monotonic() - self.start, timings)

    def run_cell(self, index: int, cell) -> CellRun:
        if self.time_left() <= 0:
            return CellRun(note=f"not run: the notebook's {self.budgets.notebook:.0f} s were used up")
        try:
            reply = self.kernel.run(cell.source, timeout=min(self.budgets.cell, self.time_left()))
        except Timeout:
            self.ran.append(index)
            return CellRun(note=f"interrupted: it did not finish within {self.budgets.cell:.0f} s")
        except SessionLost as lost:
            note = f"skipped: it stopped the notebook's process ({lost})"
            if not self.restart(note):
                return CellRun(note="the notebook could not go on after this cell stopped its process")
            return CellRun(note=note)
        self.ran.append(index)
        tampered = reply.get("tampered")  # the session writes the reply: trust none of its shapes
        self.tampering += [t for t in tampered if isinstance(t, str)] if isinstance(tampered, list) else []
        error = reply.get("error") if isinstance(reply.get("error"), dict) else {}
        text = str(error.get("traceback", "")) if error.get("ename") not in (None, "SystemExit") else \
            f"SystemExit: {error.get('evalue', '')}" if error else ""
        seconds = reply.get("seconds") if isinstance(reply.get("seconds"), float) else 0.0
        return CellRun(str(reply.get("stdout", ""))[:200_000], str(reply.get("stderr", ""))[:200_000], text[-8000:],
                       seconds=seconds)

    def trusted_setup(self, source: str) -> dict:
        """The setup cell, run again here: the names tests get from it are the grader's own."""
        namespace = {"__name__": "__test__", "__builtins__": builtins}
        exec(compile(source, "<setup cell>", "exec"), namespace)
        return namespace

    def run_test(self, cell, broken: bool) -> TestRun:
        result = TestRun(cell.grade_id, cell.points)
        if broken or self.kernel is None:
            result.message = "not graded: the notebook could not be run this far"
            return result
        start = time.monotonic()
        visible, hidden = split_hidden(cell.source)
        trees = [ast.parse(visible), ast.parse(hidden)]
        codes = [compile(trees[0], f"<test {cell.grade_id}>", "exec"),
                 compile(trees[1], f"<hidden tests of {cell.grade_id}>", "exec")]
        namespace = dict(self.setup_namespace or {"__builtins__": builtins})
        namespace["__name__"] = "__test__"
        output = io.StringIO()
        self.kernel.deadline = time.monotonic() + min(self.budgets.test, max(1.0, self.time_left()))
        try:
            with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
                wanted = sorted(names_used(*trees) - set(namespace) - BUILTIN_NAMES)
                if wanted:
                    namespace.update(self.kernel.lookup(wanted))
                for code in codes:
                    exec(code, namespace)
            result.passed = True
        except Timeout as error:
            result.message = f"Your code {error}."
        except SessionLost as lost:
            result.message = f"Your code stopped the notebook's process ({lost}); the tests after this one were graded on a fresh start."
            if not self.restart(result.message):
                self.kernel = None
        except AssertionError as error:  # CheckFailed and plain asserts: the message names the mistake
            result.message = str(error) or "a check failed"
        except NameError as error:
            name = getattr(error, "name", None) or ""
            result.message = (f"{name} is not defined: the cell that should define it did not run to its end "
                              "(look at that cell's error or note above)" if name else _describe(error))
        except Exception as error:
            result.message = _describe(error)
        finally:
            if self.kernel is not None:
                self.kernel.deadline = None
        result.output = output.getvalue()[-20_000:]
        result.seconds = time.monotonic() - start
        return result


def _describe(error: Exception) -> str:
    """An unexpected error of a test: its type and message, and the line of the visible test that
    raised it (never a line of a hidden part)."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.startswith("<test ")]
    where = f" (test line {frames[-1].lineno})" if frames else ""
    return f"{error.__class__.__name__}: {error}{where}"
