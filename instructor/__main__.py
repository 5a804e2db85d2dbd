"""The instructor's commands: `python -m instructor COMMAND ...` (see `instructor/__init__.py`)."""
import argparse
import os
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m instructor", description="The course's commands.")
    commands = parser.add_subparsers(dest="command", required=True)
    release = commands.add_parser("release", help="regenerate chapters/ from solutions/")
    release.add_argument("chapters", nargs="*")
    grade = commands.add_parser("grade", help="grade autograde/submitted/ (every student, or those named)")
    grade.add_argument("students", nargs="*")
    grade.add_argument("--force", action="store_true", help="grade again even submissions that did not change")
    grade.add_argument("--workers", type=int, default=None, help="submissions graded at once (default: one per core)")
    grade.add_argument("--scheduler", default=None, help="the address of a Dask scheduler: grade on its cluster")
    grade.add_argument("--gradebook", default=None,
                       help="the gradebook's database URL (default: SQLite in autograde/), e.g. postgresql://...")
    grade.add_argument("--unsafe-no-sandbox", action="store_true",
                       help="grade although the sandbox is incomplete on this machine (see the message)")
    mine = commands.add_parser("grade-mine", help="grade your own notebook, hidden tests included (self-study)")
    mine.add_argument("notebook")
    commands.add_parser("samples", help="copy the bundled sample submissions into autograde/submitted/")
    commands.add_parser("bundle", help="build the learner wheel and the student bundle into _build/downloads/")
    arguments = parser.parse_args(argv)

    from instructor import course_root

    root = course_root()
    if arguments.command == "release":
        from instructor.release import main as release_chapters

        release_chapters(arguments.chapters)
    elif arguments.command == "grade":
        from grader.grading import grade_all

        if arguments.gradebook:
            from instructor.nbgrader_setup import GRADEBOOK_VARIABLE

            os.environ[GRADEBOOK_VARIABLE] = arguments.gradebook
        print(f"grading the course in {root}", file=sys.stderr)
        outcomes = grade_all(root, students=arguments.students or None, force=arguments.force,
                             workers=arguments.workers, scheduler=arguments.scheduler,
                             unsafe_no_sandbox=arguments.unsafe_no_sandbox)
        failed = sum(o.status != "graded" for o in outcomes)
        print(f"graded {len(outcomes)} submission(s), {failed} could not be graded: autograde/grades.csv, "
              "autograde/feedback/, autograde/report.html", file=sys.stderr)
    elif arguments.command == "grade-mine":
        from instructor.mine import grade_mine

        grade_mine(Path(arguments.notebook), root)
    elif arguments.command == "samples":
        from instructor.samples import write_samples

        for path in write_samples(root):
            print(path)
    elif arguments.command == "bundle":
        from instructor.downloads import build_downloads

        for path in build_downloads(root, root / "_build" / "downloads"):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
