"""``verify questions`` and ``verify check ANSWERS.toml``."""

from __future__ import annotations

import json
import sys
import time

from ..errors import ValidationError
from .bank import BANK, question_from_toml

__all__ = ["add_parsers", "questions_command", "check_command"]

EXAMPLE = '''example ANSWERS.toml:
  [[answer]]
  id = "alice-1"
  question = "hw4/3.2.1"
  answer = "E[g**2*R]/E[g**2]"

  [[answer]]
  question = "hw4/2.2"
  latex = '\\log p_z - \\log|\\det J|'

  [[question]]                       # a custom question
  id = "mine/1"
  prompt = "d/dx of x**3"
  symbols = { x = "real" }
  reference = "3*x**2"
  relation = "equal"                 # equal | upper_bound | lower_bound | same_order

exit status: 0 if every answer is correct, 1 otherwise, 2 if the file cannot be read.'''


def add_parsers(sub) -> None:
    import argparse

    qp = sub.add_parser("questions", help="list the question bank (ids, prompts, symbols and their domains)")
    qp.add_argument("--json", action="store_true", help="print JSON")
    cp = sub.add_parser("check", help="grade a TOML file of answers", epilog=EXAMPLE,
                        formatter_class=argparse.RawDescriptionHelpFormatter,
                        description="Grade answers: correct, incorrect (with a shrunk counterexample), invalid "
                                    "(with the problem and its position) or unknown (time budget).")
    cp.add_argument("file", metavar="ANSWERS.toml")
    cp.add_argument("--json", metavar="FILE", help="write the verdicts as JSON to FILE ('-' for stdout)")
    cp.add_argument("--budget", type=float, default=5.0, help="seconds per answer (default 5)")
    cp.add_argument("--seed", type=int, default=0, help="seed of the random instances (default 0)")
    cp.add_argument("--quiet", action="store_true", help="only the summary line")


def questions_command(args) -> int:
    rows = [q.describe() for q in BANK]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for r in rows:
        syms = "; ".join(f"{n}: {s['domain']} ({s['meaning']})" for n, s in r["symbols"].items())
        print(f"{r['id']:26s} [{r['relation']}] {r['prompt']}\n{'':26s} symbols: {syms}")
    return 0


def _load(path):
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ValidationError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"{path}: cannot be read: {exc}") from None


def check_command(args) -> int:
    from .judge import Verdict, judge_with_budget

    try:
        doc = _load(args.file)
    except ValidationError as exc:
        print(f"verify check: error: {exc}", file=sys.stderr)
        return 2
    if not (args.budget > 0):
        print(f"verify check: error: --budget {args.budget!r} must be positive", file=sys.stderr)
        return 2
    questions = {q.id: q for q in BANK}
    broken = {}
    for table in doc.get("question", []) or []:
        try:
            q = question_from_toml(table if isinstance(table, dict) else {})
            from .language import parse

            parse(q.reference, q.domains)
            questions[q.id] = q
        except Exception as exc:  # a custom question that cannot be used: its answers are invalid
            broken[str(table.get("id", "?")) if isinstance(table, dict) else "?"] = str(exc)
    answers = doc.get("answer", []) or []
    if not isinstance(answers, list):
        print("verify check: error: [[answer]] must be an array of tables", file=sys.stderr)
        return 2
    verdicts = []
    t0 = time.perf_counter()
    for i, a in enumerate(answers):
        vid = str(a.get("id", f"answer-{i + 1}")) if isinstance(a, dict) else f"answer-{i + 1}"
        qid = str(a.get("question", "")) if isinstance(a, dict) else ""
        if not isinstance(a, dict):
            v = Verdict(vid, qid, "invalid", "each [[answer]] must be a table")
        elif qid in broken:
            v = Verdict(vid, qid, "invalid", f"question {qid!r} is malformed: {broken[qid]}")
        elif qid not in questions:
            v = Verdict(vid, qid, "invalid", f"unknown question {qid!r}; `verify questions` lists the bank")
        else:
            unknown = sorted(set(a) - {"id", "question", "answer", "latex"})
            if unknown:
                v = Verdict(vid, qid, "invalid", f"unknown keys {unknown}; use id, question, answer or latex")
            else:
                v = judge_with_budget(questions[qid], budget=args.budget, answer=a.get("answer"),
                                      latex=a.get("latex"), vid=vid, seed=args.seed)
        verdicts.append(v)
        if not args.quiet:
            print(f"{v.id:16s} {v.question:26s} {v.verdict:9s} {v.message}")
            if v.counterexample:
                print(f"{'':16s} counterexample: {json.dumps(v.counterexample)}")
    counts = {k: sum(v.verdict == k for v in verdicts) for k in ("correct", "incorrect", "invalid", "unknown")}
    print(f"{len(verdicts)} answers in {time.perf_counter() - t0:.1f}s: "
          + ", ".join(f"{n} {k}" for k, n in counts.items()))
    if args.json:
        text = json.dumps([v.to_json() for v in verdicts], indent=2)
        if args.json == "-":
            print(text)
        else:
            with open(args.json, "w") as fh:
                fh.write(text)
    return 0 if verdicts and all(v.verdict == "correct" for v in verdicts) else 1
