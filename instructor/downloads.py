"""What the website offers for download: the learner wheel and the student bundle.

- The **learner wheel** (`seqcourse-<version>-py3-none-any.whl`), built from `learner/`: what a
  notebook's first cell installs when the package is missing.
- The **student bundle** (`sequence-models-student.zip`): `chapters/`, the wheel,
  `requirements-student.txt` and a short README for students. For a course run for credit, it is
  what students receive instead of the repository, which holds the solutions.

`python -m instructor bundle` builds both into `_build/downloads/`; the book's Sphinx extension
(`instructor.book`) builds them too and publishes them at the website's root. Both files are
deterministic: the same sources give the same bytes.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from instructor.site import LEARNER, wheel_name

BUNDLE = "sequence-models-student.zip"
FIXED_TIME = (2026, 1, 1, 0, 0, 0)  # zip entries' timestamp, so that a rebuild gives the same bytes
SOURCE_DATE_EPOCH = "1767225600"    # the same moment, for the wheel's own zip


def build_wheel(root: Path, output: Path) -> Path:
    """Build the learner wheel into `output` (from a scratch copy: no build/ left in learner/)."""
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / LEARNER
        shutil.copytree(Path(root) / LEARNER, source, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"))
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                        "--disable-pip-version-check", str(source), "-w", scratch],
                       check=True, env={**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH})
        built = Path(scratch) / wheel_name(root)
        shutil.copy(built, output / built.name)
    return output / built.name


def bundle_files(root: Path, wheel: Path) -> dict[str, Path]:
    """{path in the archive: file} for the student bundle."""
    root = Path(root)
    files = {f"sequence-models/{p.relative_to(root)}": p for p in sorted((root / "chapters").rglob("*"))
             if p.is_file() and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts}
    files["sequence-models/requirements-student.txt"] = root / "requirements-student.txt"
    files["sequence-models/README.md"] = Path(__file__).parent / "templates" / "student-README.md"
    files[f"sequence-models/{wheel.name}"] = wheel
    return files


def build_bundle(root: Path, output: Path, wheel: Path) -> Path:
    path = output / BUNDLE
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, file in sorted(bundle_files(root, wheel).items()):
            entry = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, file.read_bytes())
    return path


def build_downloads(root: Path, output: Path) -> list[Path]:
    """The wheel and the bundle, in `output`."""
    wheel = build_wheel(root, output)
    return [wheel, build_bundle(root, output, wheel)]
