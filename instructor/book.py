"""A Sphinx extension for the course book: serve MathJax 3 from the built site.

Jupyter Book loads MathJax from a CDN by default; the book instead copies the MathJax 3 files of
the pinned `django-static-mathjax` package into `_static/mathjax/`, so math renders without a
network (in the browser test, offline, and on mirrors). `_config.yml` sets `mathjax_path`.
"""
import shutil
from pathlib import Path


def _mathjax_source() -> Path:
    import mathjax  # the django-static-mathjax package

    return Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"


def _copy_mathjax(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        target = Path(app.outdir) / "_static" / "mathjax"
        if not (target / "tex-chtml.js").exists():
            shutil.copytree(_mathjax_source(), target, dirs_exist_ok=True)


def setup(app):
    app.connect("build-finished", _copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
