"""Reproducible, quiet execution of the course notebooks.

Every notebook starts with `setup()`: fixed seeds and single-threaded numerics, so that running a
notebook twice gives the same numbers, figures and files. While nbgrader grades a submission
(`SEQCOURSE_GRADING=1`) demos shrink to a few steps, and progress bars are silent during grading
and release, because they write timings to stderr.
"""
import os
import random
import sys
from contextlib import contextmanager

import numpy as np


def grading() -> bool:
    """True while the autograder runs the notebook: demos may cut their work short."""
    return os.environ.get("SEQCOURSE_GRADING") == "1"


def quiet() -> bool:
    """True while grading or releasing: no progress bars, no timings in the outputs."""
    return grading() or os.environ.get("SEQCOURSE_RELEASE") == "1"


# Text in figures at least as large as the website's smallest body text once a figure of about
# 7 inches is shown in the text column (see instructor/figures.py): 11 pt at 100 dpi is 15 px.
FIGURE_STYLE = {"font.size": 11, "axes.titlesize": 12, "axes.labelsize": 11, "xtick.labelsize": 11,
                "ytick.labelsize": 11, "legend.fontsize": 11, "figure.titlesize": 12}


def setup(seed: int = 0) -> None:
    """Seed Python and numpy (and torch, if the notebook imported it) and use one thread, so
    results repeat exactly; set legible figure text. Chapters that do not need torch do not pay
    for importing it."""
    import matplotlib

    matplotlib.rcParams.update(FIGURE_STYLE)
    random.seed(seed)
    np.random.seed(seed)
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        torch.manual_seed(seed)
        torch.set_num_threads(1)
        torch.use_deterministic_algorithms(True)


def progress(iterable, **kwargs):
    """A tqdm progress bar for training loops, silent when `quiet()`."""
    from tqdm.auto import tqdm

    return tqdm(iterable, disable=quiet(), **kwargs)


@contextmanager
def environment(**settings: str):
    """Set environment variables for the kernels started inside the block, then restore them."""
    saved = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                del os.environ[name]
            else:
                os.environ[name] = value


def grading_environment():
    """For kernels that grade or validate: demos cut short, no progress bars, and matplotlib's
    non-interactive backend (nothing is drawn)."""
    return environment(SEQCOURSE_GRADING="1", MPLBACKEND="agg")


def release_environment():
    """For the kernel that produces the book's outputs: full demos, no progress bars."""
    return environment(SEQCOURSE_RELEASE="1")
