"""Release: chapters/ is generated from solutions/, deterministically, without leaking answers."""
import filecmp

import nbformat
import pytest

from leaks import leaked_lines
from conftest import ROOT
from instructor.release import chapters, coalesce_streams, release

CHAPTERS = chapters()


def test_every_chapter_is_released():
    assert CHAPTERS, "no chapter found in solutions/"
    for chapter in CHAPTERS:
        assert (ROOT / "chapters" / chapter / f"{chapter}.ipynb").exists(), f"{chapter} was never released"


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapters_are_in_sync_and_release_is_deterministic(chapter, course_copy):
    """Releasing again (in a scratch copy) reproduces the committed student notebook byte for byte."""
    fresh = release(chapter, root=course_copy)
    committed = ROOT / "chapters" / chapter / f"{chapter}.ipynb"
    assert filecmp.cmp(fresh, committed, shallow=False), (
        f"chapters/{chapter} is stale or release is not deterministic: run `make release` and commit")
    released_files = sorted(p.name for p in fresh.parent.iterdir())
    assert released_files == sorted(p.name for p in committed.parent.iterdir())


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_solution_or_hidden_test_in_chapters(chapter):
    solution = ROOT / "solutions" / chapter / f"{chapter}.ipynb"
    for path in (ROOT / "chapters" / chapter).rglob("*"):
        if path.is_file():
            leaked = leaked_lines(solution, path.read_text(encoding="utf-8", errors="replace"))
            assert not leaked, f"{path} contains solution or hidden-test lines: {leaked[:5]}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_student_notebook_shows_stubs_and_the_demos_outputs(chapter):
    notebook = nbformat.read(ROOT / "chapters" / chapter / f"{chapter}.ipynb", as_version=4)
    exercises = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("solution")]
    tests = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert len(exercises) >= 4 and len(tests) >= 2 * len(exercises)
    for cell in exercises:
        assert "raise NotImplementedError()" in cell.source and not cell.outputs
    for cell in tests:
        assert cell.source.startswith('"""Check'), f"{cell.metadata.nbgrader.grade_id} lacks its docstring"
        assert not cell.outputs
    demos = [c for c in notebook.cells if c.cell_type == "code" and "nbgrader" not in c.metadata]
    outputs = [o for c in demos for o in c.outputs]
    assert any("image/png" in o.get("data", {}) for o in outputs), "no figure in the released notebook"
    for output in outputs:
        assert output.output_type != "error", f"a demo failed in the solution run: {output.get('evalue')}"
        assert output.get("name") != "stderr", f"a demo wrote to stderr: {output.get('text', '')[:200]}"
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.execution_count is None for c in code_cells), "execution counts should be cleared"
    assert all(o.get("execution_count") is None for c in code_cells for o in c.outputs)


def test_consecutive_prints_become_one_output_whatever_the_timing():
    stream = lambda name, text: nbformat.v4.new_output("stream", name=name, text=text)  # noqa: E731
    merged = coalesce_streams([stream("stdout", "a\n"), stream("stdout", "b\n"), stream("stderr", "!\n"),
                               stream("stdout", "c\n"), nbformat.v4.new_output("display_data", data={"text/plain": "x"}),
                               stream("stdout", "d\n")])
    assert [(o.output_type, o.get("name"), o.get("text")) for o in merged] == [
        ("stream", "stdout", "a\nb\n"), ("stream", "stderr", "!\n"), ("stream", "stdout", "c\n"),
        ("display_data", None, None), ("stream", "stdout", "d\n")]


PROPERTIES = ["float32", "float64", "batch of one", "one step", "non-square", "unchanged", "large", "new array",
              "generator"]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_hidden_property_has_a_visible_counterpart(chapter):
    """No traps: each property a hidden test names in its docstring is named where the student sees it
    checked too: by a visible test cell of the same exercise, or by the visible part of a test cell
    (its code and comments, as in `for dtype in (np.float32, np.float64):  # a batch of one`)."""
    from grader.evaluate import split_hidden
    from grader.grading import exercises_and_tests

    solution = nbformat.read(ROOT / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)
    cells = {c.metadata.nbgrader["grade_id"]: c.source for c in solution.cells if c.metadata.get("nbgrader", {}).get("grade")}
    missing = []
    for exercise, tests in exercises_and_tests(solution).items():
        hidden = [t for t in tests if "### BEGIN HIDDEN TESTS" in cells[t]]
        seen = " ".join(split_hidden(cells[t])[0].split("\n", 1)[-1] if t in hidden else cells[t] for t in tests).lower()
        for test in hidden:
            named = cells[test].split("\n", 1)[0].lower()
            missing += [f"{test}: {word!r}" for word in PROPERTIES if word in named and word not in seen]
    assert not missing, f"hidden properties no visible test names: {missing}"


def test_numbers_quoted_across_chapters_are_what_their_chapters_print():
    """seqcourse.reported holds the perplexities one chapter measures and others quote; each must be what
    its chapter's released notebook prints (so that no chapter quotes a stale number)."""
    from seqcourse.reported import CORPUS_NATS, CORPUS_PERPLEXITY

    printed = {chapter: "".join(o.get("text", "") for c in nbformat.read(ROOT / "chapters" / chapter / f"{chapter}.ipynb",
                                                                            as_version=4).cells
                                for o in c.get("outputs", []))
               for chapter in ["02_markov", "03_rnn"]}
    measured_in = {"ngram_add_alpha_best": "02_markov", "ngram_interpolated": "02_markov", "rnn": "03_rnn"}
    for name, value in CORPUS_PERPLEXITY.items():
        assert f"{value:.2f}" in printed[measured_in[name]], f"{measured_in[name]} does not print {name} = {value}"
    for name, value in CORPUS_NATS.items():
        assert f"{value:.3f}" in printed[measured_in[name]], f"{measured_in[name]} does not print {name} = {value} nats"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_leak_check_finds_a_leak(chapter):
    """The check above can fail: on the solution notebook itself, and on a feedback-like text quoting one
    solution line, it reports what leaked."""
    solution = ROOT / "solutions" / chapter / f"{chapter}.ipynb"
    leaked = leaked_lines(solution, solution.read_text(encoding="utf-8"))
    assert "### BEGIN SOLUTION" in leaked and len(leaked) > 10
    quoted = next(line for line in leaked if not line.startswith("###"))
    assert leaked_lines(solution, f"<pre>some text\n    {quoted}\nmore</pre>") == [quoted]
