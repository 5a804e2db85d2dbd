# nbgrader reads this file from the current directory; the settings live in instructor.nbgrader_setup.
from pathlib import Path

from instructor.nbgrader_setup import configure

configure(get_config(), Path(__file__).parent)  # noqa: F821 (get_config is provided by nbgrader)
