"""What ``verify grade`` writes: grades, per-student feedback, a summary of the common mistakes.

- ``grades.csv``: one row per (student, question): verdict, score (1 for correct, else 0), message;
- ``scores.csv``: one row per student, one column per question (score), and the total;
- ``feedback/<student>.md``: each answer with its verdict and, when wrong, the counterexample;
- ``summary.md`` / ``summary.json``: per question the count of each verdict and the most frequent
  wrong answers (how many students wrote each, one counterexample); the input problems with their rows;
- ``summary.png``: a stacked bar chart per question (when matplotlib is installed).
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections import Counter, defaultdict

from ..answers.commands import escape, jsonable

__all__ = ["write_outputs", "safe_name", "VERDICT_ORDER"]

VERDICT_ORDER = ("correct", "incorrect", "invalid", "unknown", "error")
TOP_WRONG = 5


def safe_name(student: str) -> str:
    """A file name for a student id: letters, digits, ``._-`` kept; anything else (``/``, ``..``, control
    characters) replaced, with a short hash when the id had to change, so two ids never collide."""
    import hashlib

    clean = re.sub(r"[^A-Za-z0-9._-]", "_", student).strip(".") or "student"
    if clean != student:
        clean = f"{clean[:60]}-{hashlib.sha1(student.encode()).hexdigest()[:8]}"
    return clean[:80]


def _answer_text(sub) -> str:
    return sub.answer if sub.latex is None else f"(LaTeX) {sub.latex}"


def _counterexample_words(v: dict) -> str:
    ce = v.get("counterexample")
    if not ce:
        return ""
    return json.dumps(jsonable(ce), ensure_ascii=False, allow_nan=False)


def write_outputs(out: str, subs: list, verdicts: dict, problems: list, questions: list) -> dict:
    """``verdicts[(student, question)]`` -> verdict dict. Returns the summary (also written as JSON)."""
    os.makedirs(os.path.join(out, "feedback"), exist_ok=True)
    with open(os.path.join(out, "grades.csv"), "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["student", "question", "verdict", "score", "message"])
        for s in sorted(subs, key=lambda s: (s.student, s.question)):
            v = verdicts[(s.student, s.question)]
            w.writerow([s.student, s.question, v["verdict"], int(v["verdict"] == "correct"), v.get("message", "")])
    qids = sorted({s.question for s in subs})
    students = sorted({s.student for s in subs})
    score = {(s.student, s.question): int(verdicts[(s.student, s.question)]["verdict"] == "correct") for s in subs}
    with open(os.path.join(out, "scores.csv"), "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["student", *qids, "total"])
        for st in students:
            row = [score.get((st, q), 0) for q in qids]
            w.writerow([st, *row, sum(row)])
    by_student = defaultdict(list)
    for s in subs:
        by_student[s.student].append(s)
    for st, items in by_student.items():
        lines = [f"# Feedback for {escape(st)}", ""]
        total = sum(score[(st, s.question)] for s in items)
        lines += [f"{total} of {len(items)} answers correct.", ""]
        for s in sorted(items, key=lambda s: s.question):
            v = verdicts[(st, s.question)]
            lines += [f"## {escape(s.question)}: {v['verdict']}", "", f"Your answer: `{escape(_answer_text(s))}`", ""]
            if v.get("message"):
                lines += [escape(v["message"]), ""]
            ce = _counterexample_words(v)
            if ce:
                lines += [f"Counterexample: `{escape(ce)}`", ""]
        with open(os.path.join(out, "feedback", safe_name(st) + ".md"), "w") as fh:
            fh.write("\n".join(lines))
    summary = {"questions": {}, "problems": [p.to_json() for p in problems],
               "students": len(students), "answers": len(subs)}
    for qid in qids:
        items = [s for s in subs if s.question == qid]
        counts = Counter(verdicts[(s.student, qid)]["verdict"] for s in items)
        wrong = Counter()
        example = {}
        for s in items:
            v = verdicts[(s.student, qid)]
            if v["verdict"] in ("incorrect", "invalid"):
                text = _answer_text(s)
                wrong[text] += 1
                example.setdefault(text, v)
        summary["questions"][qid] = {
            "answers": len(items),
            "counts": {k: counts.get(k, 0) for k in VERDICT_ORDER},
            "common_wrong": [{"answer": a, "students": n, "verdict": example[a]["verdict"],
                              "message": example[a].get("message", ""),
                              "counterexample": jsonable(example[a].get("counterexample"))}
                             for a, n in wrong.most_common(TOP_WRONG)],
        }
    with open(os.path.join(out, "summary.json"), "w") as fh:
        json.dump(jsonable(summary), fh, indent=2, allow_nan=False)
    md = [f"# Grading summary: {len(students)} students, {len(subs)} answers", "",
          "| question | answers | " + " | ".join(VERDICT_ORDER) + " |", "|---|---:|" + "---:|" * len(VERDICT_ORDER)]
    for qid, s in summary["questions"].items():
        md.append(f"| {escape(qid)} | {s['answers']} | " + " | ".join(str(s["counts"][k]) for k in VERDICT_ORDER) + " |")
    for qid, s in summary["questions"].items():
        if s["common_wrong"]:
            md += ["", f"## Most frequent wrong answers to {escape(qid)}", ""]
            for c in s["common_wrong"]:
                ce = json.dumps(c["counterexample"], allow_nan=False) if c["counterexample"] else ""
                md.append(f"- `{escape(c['answer'])}` ({c['students']} student{'s' if c['students'] != 1 else ''}, "
                          f"{c['verdict']}): {escape(c['message'])}" + (f"; counterexample `{escape(ce)}`" if ce else ""))
    if problems:
        md += ["", "## Input problems (not graded)", ""]
        md += [f"- {escape(p.origin)}: {escape(p.student)} {escape(p.question)}: {escape(p.message)}" for p in problems]
    with open(os.path.join(out, "summary.md"), "w") as fh:
        fh.write("\n".join(md) + "\n")
    _plot(out, summary)
    return summary


def _plot(out: str, summary: dict) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    qids = list(summary["questions"])
    if not qids:
        return
    fig, ax = plt.subplots(figsize=(max(4.0, 0.6 * len(qids) + 2), 3.5))
    bottom = [0] * len(qids)
    colours = {"correct": "#2e7d32", "incorrect": "#c62828", "invalid": "#f9a825", "unknown": "#757575",
               "error": "#000000"}
    for k in VERDICT_ORDER:
        vals = [summary["questions"][q]["counts"][k] for q in qids]
        ax.bar(range(len(qids)), vals, bottom=bottom, label=k, color=colours[k])
        bottom = [b + v for b, v in zip(bottom, vals)]
    ax.set_xticks(range(len(qids)), qids, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("answers")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "summary.png"), dpi=120)
    plt.close(fig)
