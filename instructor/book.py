"""The course book's Sphinx extension (listed in `_config.yml`).

- **MathJax offline.** Jupyter Book loads MathJax from a CDN; the book instead copies the MathJax 3
  files of the pinned `django-static-mathjax` package into `_static/mathjax/` (`mathjax_path` in
  `_config.yml` points there), so math renders without a network.
- **Downloads.** The learner wheel and the student bundle (`instructor.downloads`) are built
  into `_build/downloads/` and published at the site's root, where the notebooks' first cell finds
  the wheel. `{{ wheel }}` in the pages is the wheel's file name, `{{ wheel_link }}` a link to it.
- **One citation style.** In-text citations read "[Bengio et al., 1994]" or "Cho et al. [2014a]";
  the bibliography's labels are the same words (a pybtex label style), including the a, b, ... that
  tell apart two entries with one author-year, so a reader finds the cited entry by its label.
- **Reading comfort.** `static/course.css`: code wraps instead of scrolling sideways. One search
  field (in the sidebar), not a second one in the header.
"""
import hashlib
import shutil
from pathlib import Path

from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.template import join, node
from sphinxcontrib.bibtex.plugin import register_plugin as register_bibtex_plugin
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle
from sphinxcontrib.bibtex.style.referencing.basic_author_year import (
    BasicAuthorYearParentheticalReferenceStyle, BasicAuthorYearTextualReferenceStyle)
from sphinxcontrib.bibtex.style.template import join2, post_text, pre_text, reference

from instructor.downloads import build_downloads
from instructor.site import wheel_name

STATIC = Path(__file__).parent / "static"


class AuthorYearLabels(BaseLabelStyle):
    """Labels in the words of an author-year citation: "Elman, 1990", "Gal and Ghahramani, 2016",
    "Bengio et al., 1994", with a, b, ... when two entries would share a label."""

    def format_labels(self, sorted_entries):
        labels = [self._label(entry) for entry in sorted_entries]
        seen = {}
        for label in labels:
            if labels.count(label) > 1:
                seen[label] = seen.get(label, 0) + 1
                label += "abcdefghijklmnopqrstuvwxyz"[seen[label] - 1]
            yield label

    @staticmethod
    def _label(entry) -> str:
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        surnames = [" ".join(person.prelast_names + person.last_names).replace("{", "").replace("}", "")
                    for person in people]
        if not surnames:
            names = entry.fields.get("key", entry.key)
        elif len(surnames) == 1:
            names = surnames[0]
        elif len(surnames) == 2:
            names = f"{surnames[0]} and {surnames[1]}"
        else:
            names = f"{surnames[0]} et al."
        return f"{names}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearStyle(UnsrtStyle):
    default_label_style = "course-author-year"
    default_sorting_style = "author_year_title"


@node
def label_year(children, data) -> Text:
    """The year as the entry's label writes it: "2014a" when two entries are "Cho et al., 2014"."""
    assert not children
    return Text(data["formatted_entry"].label.rsplit(", ", 1)[-1])


class LabelYearParenthetical(BasicAuthorYearParentheticalReferenceStyle):
    """[Cho et al., 2014a]: the author-year citation with the label's year."""

    def inner(self, role_name: str):
        authors = self.person.author_or_editor_or_title(full="s" in role_name)
        return join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
            pre_text, reference[join(sep=self.author_year_sep)[authors, label_year]], post_text]


class LabelYearTextual(BasicAuthorYearTextualReferenceStyle):
    """Cho et al. [2014a]: the textual citation with the label's year."""

    def inner(self, role_name: str):
        authors = self.person.author_or_editor_or_title(full="s" in role_name)
        cited = join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[pre_text, reference[label_year], post_text]
        return join(sep=self.text_reference_sep)[authors, join[self.bracket.left, cited, self.bracket.right]]


class AuthorYearReferences(AuthorYearReferenceStyle):
    """sphinxcontrib-bibtex's author_year references, with years that carry the label's a, b, ..."""

    def __post_init__(self):
        super().__post_init__()
        for style in [LabelYearParenthetical(bracket=self.bracket_parenthetical, person=self.person,
                                             author_year_sep=self.author_year_sep, pre_text_sep=self.pre_text_sep,
                                             post_text_sep=self.post_text_sep),
                      LabelYearTextual(bracket=self.bracket_textual, person=self.person,
                                       text_reference_sep=self.text_reference_sep, pre_text_sep=self.pre_text_sep,
                                       post_text_sep=self.post_text_sep)]:
            self.role_style.update((role_name, style) for role_name in style.role_names())


def _digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _build_downloads(app) -> None:
    """Build the wheel and the bundle unless their sources are unchanged since the last build."""
    root = Path(app.confdir)
    output = Path(app.outdir).parent / "downloads"
    sources = [p for folder in ["learner", "chapters"] for p in (root / folder).rglob("*")
               if p.is_file() and "__pycache__" not in p.parts and ".egg-info" not in str(p)]
    sources += [root / "requirements-student.txt", Path(__file__).parent / "templates" / "student-README.md"]
    stamp = output / ".sources.sha256"
    digest = _digest(sources)
    if not (stamp.exists() and stamp.read_text() == digest and (output / wheel_name(root)).exists()):
        shutil.rmtree(output, ignore_errors=True)
        build_downloads(root, output)
        stamp.write_text(digest)
    app.config.html_extra_path = [*app.config.html_extra_path, str(output)]


def _configure(app, config) -> None:
    config.html_theme_options.setdefault("navbar_persistent", [])  # the sidebar holds the search field
    wheel = wheel_name(Path(app.confdir))
    config.myst_substitutions = {**config.myst_substitutions, "wheel": wheel,
                                 "wheel_link": f'<a href="{wheel}">{wheel}</a>'}
    config.html_static_path = [*config.html_static_path, str(STATIC)]


def _mathjax_source() -> Path:
    import mathjax  # the django-static-mathjax package

    return Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"


def _copy_mathjax(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        target = Path(app.outdir) / "_static" / "mathjax"
        if not (target / "tex-chtml.js").exists():
            shutil.copytree(_mathjax_source(), target, dirs_exist_ok=True)


def setup(app):
    register_plugin("pybtex.style.labels", "course-author-year", AuthorYearLabels)
    register_plugin("pybtex.style.formatting", "course-author-year", AuthorYearStyle)
    register_bibtex_plugin("sphinxcontrib.bibtex.style.referencing", "course-author-year", AuthorYearReferences)
    app.connect("config-inited", _configure)
    app.connect("builder-inited", _build_downloads)
    app.connect("build-finished", _copy_mathjax)
    app.add_css_file("course.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
