"""Check one chapter while writing it: `python -m instructor.check CHAPTER [SAMPLE ...]`.

What `make test` proves for the whole course, for one chapter and in a few minutes:

1. release the chapter into `chapters/` (as `make release CHAPTER` would) and time it;
2. nbgrader's Validator: the solution scores full marks, the student notebook passes no test;
3. grade the chapter's samples (all, or those named) in a scratch course and compare each one's
   per-cell scores and feedback with what `autograde/samples/CHAPTER.py` says it deserves.

Exits 1 if anything is off. `--no-grade` stops after step 2.
"""
import shutil
import sys
import tempfile
import time
from pathlib import Path

from instructor import resolve
from instructor.scratch import copy_course
from grader.grading import grade_all, gradebook, html_text
from instructor.release import release
from seqcourse.runtime import environment, grading_environment
from instructor.samples import load_samples, write_samples


def validate(chapter: str) -> list[str]:
    """Problems found by nbgrader's Validator in the solution and the student notebook."""
    from nbgrader.validator import Validator

    problems = []
    with tempfile.TemporaryDirectory() as scratch:
        for folder, options in [("solutions", {"validate_all": True}), ("chapters", {"invert": True})]:
            notebook = Path(scratch) / f"{folder}.ipynb"
            shutil.copy(resolve(None) / folder / chapter / f"{chapter}.ipynb", notebook)
            with grading_environment(), environment(SEQCOURSE_COURSE=str(resolve(None))):
                result = Validator(**options).validate(str(notebook))
            if folder == "solutions":
                problems += [f"solution fails {f['source'][:60]!r}: {f['raw_error'][-300:]}" for f in result.get("failed", [])]
                problems += [f"solution: {key}" for key in set(result) - {"failed"}]
            else:
                problems += [f"stub passes {p['source'].splitlines()[0]!r}" for p in result.get("passed", [])]
    return problems


def grade_samples(chapter: str, names: list[str]) -> list[str]:
    """Grade the samples in a scratch course; one line per sample that does not get its grade."""
    root = copy_course(Path(tempfile.mkdtemp(prefix=f"check-{chapter}-")), [chapter])
    samples = load_samples(chapter, root)
    names = names or list(samples)
    write_samples(root)
    start = time.perf_counter()
    outcomes = {o.student_id: o for o in grade_all(root, [f"sample-{name}" for name in names], force=True)}
    print(f"graded {len(names)} samples in {time.perf_counter() - start:.1f} s (scratch course {root})")
    problems = []
    for name in names:
        sample, outcome = samples[name], outcomes[f"sample-{name}"]
        if sample.get("failed"):
            if outcome.status != "failed":
                problems.append(f"{name}: expected a failed grading, got {outcome.status}")
        else:
            with gradebook(root) as book:
                grades = book.find_submission_notebook(chapter, chapter, f"sample-{name}").grades
                lost = {g.name for g in grades if g.score == 0}
                partial = {g.name for g in grades if 0 < g.score < g.max_score}
            if lost != sample["lost"]:
                problems.append(f"{name}: also lost {sorted(lost - sample['lost'])}, kept {sorted(sample['lost'] - lost)}")
            if partial:
                problems.append(f"{name}: partial scores in {sorted(partial)}")
        page = root / "autograde" / "feedback" / f"sample-{name}" / chapter / f"{chapter}.html"
        text = html_text(page.read_text(encoding="utf-8")) if page.exists() else ""
        problems += [f"{name}: the feedback does not say {words!r}" for words in sample["says"] if words not in text]
    return problems


def main(argv: list[str]) -> int:
    if not argv or argv[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    chapter, names = argv[0], [a for a in argv[1:] if not a.startswith("--")]
    start = time.perf_counter()
    release(chapter)
    print(f"released {chapter} in {time.perf_counter() - start:.1f} s")
    problems = validate(chapter)
    if "--no-grade" not in argv:
        problems += grade_samples(chapter, names)
    for problem in problems:
        print("PROBLEM", problem)
    print("all good" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
