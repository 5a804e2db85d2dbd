"""The class at a glance: `autograde/report.html`, written after every grading run.

From the grading records (autograde/autograded/*/*/grading.json) and the chapters, for the
instructor: for each chapter, the distribution of the total score and of every exercise's score
(plots), the mistakes the feedback named most often and how many students made each, the
submissions that could not be graded and why, and the slowest submissions. The page is static and
safe to open like the feedback pages (no script; a Content-Security-Policy; everything escaped).
"""
import base64
import html
import io
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

from grader.feedback import POLICY, STYLE

NUMBER = re.compile(r"-?\d+(\.\d+)?(e[-+]?\d+)?")


def mistake(message: str) -> str:
    """A failure message with its numbers and shapes blurred, so that one mistake made on different
    inputs counts once."""
    return NUMBER.sub("#", message.split("\n")[0])[:160]


def _records(root: Path) -> list[dict]:
    records = []
    for path in sorted((root / "autograde" / "autograded").glob("*/*/grading.json")):
        record = json.loads(path.read_text())
        record["student_id"], record["chapter"] = path.parent.parent.name, path.parent.name
        records.append(record)
    return records


def _histogram(values: list[float], top: float, title: str) -> str:
    """A small bar chart of a score distribution, as an inline PNG."""
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(4.2, 2.4), dpi=100)
    bins = max(1, min(20, int(top) + 1))
    axes.hist(values, bins=bins, range=(0, max(top, 1e-9)), color="#4477aa", edgecolor="white")
    axes.set_title(title, fontsize=10)
    axes.set_xlabel("score", fontsize=9)
    axes.set_ylabel("students", fontsize=9)
    axes.tick_params(labelsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return f'<img alt="{html.escape(title)}" src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}">'


def write_report(root: Path) -> Path:
    records = _records(root)
    by_chapter = defaultdict(list)
    for record in records:
        by_chapter[record["chapter"]].append(record)
    parts = [f"<h1>The class at a glance</h1><p>{len(records)} submission(s), "
             f"{sum(r['status'] == 'graded' for r in records)} graded, "
             f"{sum(r['status'] != 'graded' for r in records)} could not be graded.</p>"]
    for chapter, group in sorted(by_chapter.items()):
        graded = [r for r in group if r["status"] == "graded"]
        parts.append(f"<h2>{html.escape(chapter)}</h2>")
        if graded:
            top = graded[0]["max_score"]
            mean = sum(r["score"] for r in graded) / len(graded)
            parts.append(f"<p>{len(graded)} graded; mean score {mean:.1f} / {top:g}.</p>")
            plots = [_histogram([r["score"] for r in graded], top, "total score")]
            tests_of = _exercises(root, chapter)
            for exercise in graded[0].get("exercises", {}):
                points = sum(v["points"] for k, v in graded[0]["tests"].items() if k in tests_of.get(exercise, []))
                plots.append(_histogram([r["exercises"].get(exercise, 0) for r in graded], points, exercise))
            parts.append("<div>" + "".join(plots) + "</div>")
            named = Counter()
            for record in graded:
                seen = {mistake(t["message"]) for t in record["tests"].values() if t["score"] < t["points"] and t["message"]}
                named.update(seen)
            if named:
                rows = "".join(f"<tr><td>{count}</td><td>{html.escape(text)}</td></tr>" for text, count in named.most_common(15))
                parts.append("<h3>Mistakes the feedback named most often</h3>"
                             f"<table><tr><th>students</th><th>message</th></tr>{rows}</table>")
        failed = [r for r in group if r["status"] != "graded"]
        if failed:
            rows = "".join(f"<tr><td>{html.escape(r['student_id'])}</td><td>{html.escape(r.get('reason', ''))}</td></tr>"
                           for r in failed)
            parts.append(f"<h3>Not graded</h3><table><tr><th>student</th><th>why</th></tr>{rows}</table>")
        slowest = sorted(group, key=lambda r: -r.get("seconds", 0))[:10]
        rows = "".join(f"<tr><td>{html.escape(r['student_id'])}</td><td>{r.get('seconds', 0):.1f} s</td></tr>" for r in slowest)
        parts.append(f"<h3>Slowest submissions</h3><table><tr><th>student</th><th>grading time</th></tr>{rows}</table>")
    page = ("<!DOCTYPE html>\n<html><head><meta charset='utf-8'>\n"
            f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">\n'
            f"<title>The class at a glance</title><style>{STYLE} td, th {{ padding: 0.2em 0.6em; text-align: left; }}"
            f" img {{ margin: 0.3em; }}</style></head>\n<body>\n" + "\n".join(parts) + "\n</body></html>\n")
    path = root / "autograde" / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def _exercises(root: Path, chapter: str) -> dict[str, list[str]]:
    from grader.grading import exercises_and_tests

    return exercises_and_tests(json.loads((root / "chapters" / chapter / f"{chapter}.ipynb").read_text()))
