"""The student's feedback page: their notebook as graded, with every test's verdict.

The page is safe to open whatever the notebook contained. It runs no script at all: a
Content-Security-Policy forbids scripts, frames, forms and every resource but inline styles and
inline images, and nothing from the notebook is inserted unescaped (markdown is rendered with raw
HTML disabled; outputs are text). It shows test cells without their hidden parts, and failures as
the check's message only, so no hidden test or reference line can reach it. The score at its top
is the gradebook's, passed in by the grader.
"""
import html

from markdown_it import MarkdownIt

from grader.evaluate import CellRun, TestRun

POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 920px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.5; }
pre { background: #f6f6f6; padding: 0.6em; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.9em; }
pre.error, .failed { background: #fdecea; } .passed { background: #e8f5e9; }
.verdict { padding: 0.4em 0.6em; margin: 0.3em 0; border-radius: 4px; }
.note { color: #555; font-style: italic; } .score { font-size: 1.4em; font-weight: bold; }
.cell { margin: 1em 0; } .added { border-left: 4px solid #999; padding-left: 0.6em; }
summary { cursor: pointer; color: #555; }
"""
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False})


def _pre(text: str, kind: str = "") -> str:
    return f'<pre class="{kind}">{html.escape(text)}</pre>' if text.strip() else ""


def render(chapter: str, student_id: str, rebuilt, graded, score: float, max_score: float) -> str:
    parts = [f"<h1>{html.escape(chapter)}: feedback for {html.escape(student_id)}</h1>",
             f'<p class="score">Score: {score:g} / {max_score:g}</p>']
    if graded.notes:
        parts.append("<ul>" + "".join(f'<li class="note">{html.escape(n)}</li>' for n in graded.notes) + "</ul>")
    for cell, run in zip(rebuilt.cells, graded.cells):
        parts.append(_cell(cell, run))
    body = "\n".join(parts)
    return ("<!DOCTYPE html>\n<html><head><meta charset='utf-8'>\n"
            f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">\n'
            f"<title>{html.escape(chapter)}: feedback</title><style>{STYLE}</style></head>\n"
            f"<body>\n{body}\n</body></html>\n")


def _cell(cell, run) -> str:
    if cell.kind in ("markdown", "answer", "added-markdown"):
        rendered = _markdown.render(cell.source)
        return f'<div class="cell{" added" if cell.kind == "added-markdown" else ""}">{rendered}</div>'
    if isinstance(run, TestRun):
        mark, css = ("passed", "passed") if run.passed else ("failed", "failed")
        verdict = f"Test {html.escape(run.grade_id)}: {mark}, {run.score:g} / {run.points:g} point(s)"
        if run.message:
            verdict += f": {html.escape(run.message)}"
        return (f'<div class="cell"><details><summary>the test cell {html.escape(run.grade_id)}</summary>'
                f"{_pre(cell.visible_source())}</details><div class='verdict {css}'>{verdict}</div>"
                f"{_pre(run.output)}</div>")
    run = run if isinstance(run, CellRun) else CellRun()
    label = {"solution": f"your exercise cell {cell.grade_id}", "added": "a cell you added"}.get(cell.kind, "")
    heading = f'<p class="note">{html.escape(label)}</p>' if label else ""
    note = f'<p class="note">{html.escape(run.note)}</p>' if run.note else ""
    return (f'<div class="cell{" added" if cell.kind == "added" else ""}">{heading}{_pre(cell.source)}{note}'
            f'{_pre(run.stdout)}{_pre(run.stderr)}{_pre(run.error, "error")}</div>')


def render_failure(chapter: str, student_id: str, reason: str) -> str:
    """The page of a submission that could not be graded at all."""
    return ("<!DOCTYPE html>\n<html><head><meta charset='utf-8'>\n"
            f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">\n'
            f"<title>{html.escape(chapter)}: feedback</title><style>{STYLE}</style></head>\n<body>\n"
            f"<h1>{html.escape(chapter)}: feedback for {html.escape(student_id)}</h1>\n"
            f'<p class="score">Score: 0</p>\n<p>Your submission was not graded: {html.escape(reason)}.</p>\n'
            "<p>Download the chapter notebook again, copy your code into it and resubmit.</p>\n</body></html>\n")
