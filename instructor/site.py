"""The course's public address, held by one setting: `repository.url` in `_config.yml`.

Everything that needs an address reads it from there: Jupyter Book's launch and repository
buttons, the website's address (the repository's GitHub Pages site) and the first cell of every
notebook, which installs the learner package from the website when it is missing.
"""
import re
from pathlib import Path

import yaml

LEARNER = "learner"  # the learner package's folder in the course repository


def repository_url(root: Path) -> str:
    config = yaml.safe_load((Path(root) / "_config.yml").read_text(encoding="utf-8"))
    return config["repository"]["url"].rstrip("/")


def website_url(root: Path) -> str:
    """https://github.com/OWNER/NAME -> https://OWNER.github.io/NAME, where GitHub Pages serves it."""
    match = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+)", repository_url(root))
    if not match:
        raise ValueError(f"repository.url in _config.yml is not a GitHub repository: {repository_url(root)}")
    owner, name = match.groups()
    return f"https://{owner.lower()}.github.io/{name}"


def learner_version(root: Path) -> str:
    source = (Path(root) / LEARNER / "seqcourse" / "__init__.py").read_text(encoding="utf-8")
    return re.search(r'^__version__ = "([^"]+)"', source, re.M).group(1)


def wheel_name(root: Path) -> str:
    return f"seqcourse-{learner_version(root)}-py3-none-any.whl"
