# nbgrader reads this file from the current directory; the settings live in seqcourse.nbgrader_setup.
from pathlib import Path

from seqcourse.nbgrader_setup import configure

configure(get_config(), Path(__file__).parent)  # noqa: F821 (get_config is provided by nbgrader)
