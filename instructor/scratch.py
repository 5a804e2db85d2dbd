"""A scratch copy of the course: what releasing and grading read, so that checks, benchmarks and
tests never touch the instructor's gradebook or submissions."""
import shutil
from pathlib import Path

from instructor import resolve


def copy_course(target: Path, chapters: list[str] | None = None, root: Path | None = None) -> Path:
    """Copy the course settings, the learner package's version, and the solutions, student notebooks
    and sample submissions of every chapter (or only of `chapters`) into `target`."""
    from instructor.release import chapters as course_chapters

    root = resolve(root)
    target.mkdir(parents=True, exist_ok=True)
    for name in ["_config.yml", "nbgrader_config.py"]:
        shutil.copy(root / name, target / name)
    (target / "learner" / "seqcourse").mkdir(parents=True, exist_ok=True)
    shutil.copy(root / "learner" / "seqcourse" / "__init__.py", target / "learner" / "seqcourse" / "__init__.py")
    for chapter in chapters or course_chapters(root):
        for folder in ["solutions", "chapters"]:
            shutil.copytree(root / folder / chapter, target / folder / chapter, dirs_exist_ok=True)
        samples = root / "autograde" / "samples" / f"{chapter}.py"
        if samples.exists():
            (target / "autograde" / "samples").mkdir(parents=True, exist_ok=True)
            shutil.copy(samples, target / "autograde" / "samples")
    return target
