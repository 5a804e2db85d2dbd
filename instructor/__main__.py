"""The instructor's commands: `python -m seqcourse release|grade|samples [names...]`."""
import sys

USAGE = """usage: python -m seqcourse COMMAND [NAMES...]
  release [CHAPTER...]   regenerate chapters/ from solutions/ (all chapters by default)
  grade [STUDENT...]     autograde autograde/submitted/ (all students by default)
  samples                copy the bundled sample submissions into autograde/submitted/"""


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"release", "grade", "samples"}:
        print(USAGE, file=sys.stderr)
        return 2
    command, names = argv[0], argv[1:]
    if command == "release":
        from instructor.release import main as release

        release(names)
    elif command == "grade":
        from grader.grading import grade_all

        outcomes = grade_all(students=names or None)
        print(f"graded {len(outcomes)} submissions: autograde/grades.csv, autograde/feedback/")
    else:
        from instructor.samples import write_samples

        for path in write_samples():
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
