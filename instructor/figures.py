"""The size of the text in every figure of a chapter, measured while the release executes it.

The release runs the solution notebook with one extra cell first (never shown) that registers an
IPython `post_execute` callback, which runs before the inline backend turns the figures into PNG.
For every open figure it records the smallest font size of any visible text, in points, and the
figure's dpi. `attach` writes both into the PNG output's metadata in the student notebook
(`{"seqcourse": {"min_text_pt": 9.0, "dpi": 100.0}}`); the browser test turns them into the
pixel height at which the website shows the smallest text of each figure.
"""
import json
from pathlib import Path

import nbformat

AUDIT_SOURCE = '''\
_audited_cell = [None]

def _remember_cell(info):
    _audited_cell[0] = info.raw_cell  # the source of the cell about to run

def _audit_figures(log_path={path!r}):
    import json, sys
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is None:
        return
    from matplotlib.text import Text
    figures = []
    for number in pyplot.get_fignums():
        figure = pyplot.figure(number)
        sizes = [text.get_fontsize() for text in figure.findobj(Text) if text.get_visible() and text.get_text().strip()]
        figures.append({{"min_text_pt": min(sizes) if sizes else None, "dpi": float(figure.dpi)}})
    if figures:
        with open(log_path, "a") as log:
            log.write(json.dumps({{"source": _audited_cell[0], "figures": figures}}) + "\\n")

get_ipython().events.register("pre_run_cell", _remember_cell)
get_ipython().events.register("post_execute", _audit_figures)
'''


def audit_cell(log_path: Path) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(AUDIT_SOURCE.format(path=str(log_path)))


def read_audit(log_path: Path) -> list[tuple[str, list[dict]]]:
    """[(a cell's source, [one entry per figure it showed, in order])], in the order cells ran."""
    if not log_path.exists():
        return []
    return [(entry["source"], entry["figures"]) for entry in map(json.loads, log_path.read_text().splitlines())]


def attach(executed: nbformat.NotebookNode, audit: list[tuple[str, list[dict]]]) -> None:
    """Write each figure's measurements into the metadata of its PNG output."""
    pending = list(audit)
    for cell in executed.cells:
        if cell.cell_type != "code" or not pending or pending[0][0] != cell.source:
            continue
        images = [output for output in cell.outputs if "image/png" in output.get("data", {})]
        for output, figure in zip(images, pending.pop(0)[1]):
            output.setdefault("metadata", {})["seqcourse"] = figure


COLUMN_PX = 660       # the narrowest text column of the website at a 1280 px window (measured in Chromium)
SMALLEST_BODY_PX = 14  # the smallest body text of the website: code, 14 px


def shown_text_px(min_text_pt: float, dpi: float, natural_width: int, column: int = COLUMN_PX) -> float:
    """How high the smallest text of a figure appears on the website: PNG pixels of the text,
    scaled like the image, which shrinks to the column's width when it is wider."""
    return min_text_pt * dpi / 72 * min(1.0, column / natural_width)


def report(chapter: str, root: Path) -> list[str]:
    """One line per figure of a released chapter: its smallest text as shown, and whether it is legible."""
    import base64
    import struct

    notebook = nbformat.read(Path(root) / "chapters" / chapter / f"{chapter}.ipynb", as_version=4)
    lines = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if "image/png" not in output.get("data", {}):
                continue
            width = struct.unpack(">I", base64.b64decode(output.data["image/png"])[16:20])[0]
            size = output.metadata.get("seqcourse", {})
            meta = cell.metadata.get("mystnb", {})
            caption, alt = meta.get("figure", {}).get("caption", ""), meta.get("image", {}).get("alt", "")
            shown = shown_text_px(size["min_text_pt"], size["dpi"], width) if size.get("min_text_pt") else None
            verdict = "ok" if shown is None or shown >= SMALLEST_BODY_PX - 0.25 else "TOO SMALL"
            lines.append(f"cell {index:3d}: {width:5d} px wide, smallest text "
                         f"{'-' if shown is None else f'{shown:4.1f}'} px shown ({verdict}); "
                         f"caption {'yes' if caption else 'MISSING'}, alt {'yes' if alt else 'MISSING'}")
    return lines


if __name__ == "__main__":
    import sys

    from instructor import course_root

    for name in sys.argv[1:]:
        print(name, *report(name, course_root()), sep="\n  ")
