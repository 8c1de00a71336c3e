"""``verify grade SUBMISSIONS --questions QUESTIONS.toml --out DIR``.

Exit status: 0 when grading completed (whatever the grades), 1 when some answers could
not be judged (``unknown`` or ``error``), 2 when the input or an option is unusable,
130 when interrupted (what was judged is kept; rerun the same command to resume).
"""

from __future__ import annotations

import json
import os
import sys
import time

from ..errors import ValidationError

__all__ = ["add_parser", "grade_command", "grade"]

EXAMPLE = """examples:
  verify grade docs/examples/class/answers.csv --questions docs/examples/class/questions.toml --out graded
  verify grade docs/examples/class/students --questions docs/examples/class/questions.toml --out graded --jobs 2
  verify grade export.csv --columns student=Username,question=Question,answer=Response --out graded
  verify grade export.csv --out graded --scheduler tcp://127.0.0.1:8786     # a running Dask cluster

outputs in DIR: grades.csv, scores.csv, feedback/<student>.md, summary.md, summary.json, summary.png,
verdicts.sqlite (rerunning the same command skips what is already judged).
exit status: 0 graded, 1 some answers could not be judged (unknown/error), 2 unusable input, 130 interrupted."""


def add_parser(sub) -> None:
    import argparse

    from ..answers.commands import _budget, _memory

    gp = sub.add_parser("grade", help="grade a whole class (CSV export or a folder of answers files)",
                        epilog=EXAMPLE, formatter_class=argparse.RawDescriptionHelpFormatter,
                        description="Grade every student's answers with the judge of `verify check`; each distinct "
                                    "(question, answer) is judged once, in parallel, and stored so a rerun resumes.")
    gp.add_argument("submissions", metavar="SUBMISSIONS",
                    help="a CSV file (one row per answer) or a folder of TOML answers files (file name = student id)")
    gp.add_argument("--questions", metavar="FILE", help="custom questions ([[question]] tables); the bank is always "
                                                        "available")
    gp.add_argument("--out", metavar="DIR", required=True, help="output folder (created if needed)")
    gp.add_argument("--columns", metavar="MAP", help="CSV columns: student=...,question=...,answer=...[,latex=...] "
                                                     "(default student,question,answer)")
    gp.add_argument("--latex", action="store_true", help="the CSV's answer cells are LaTeX")
    gp.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                    help="worker processes on this machine (default: the number of cores)")
    gp.add_argument("--scheduler", metavar="ADDRESS", help="a Dask distributed scheduler, e.g. tcp://host:8786 "
                                                           "(pip install '.[distributed]')")
    gp.add_argument("--budget", type=_budget, default=5.0, help="seconds per answer (default 5, at most 600)")
    gp.add_argument("--memory", type=_memory, default="1024",
                    help="memory cap of each judging child: MiB or with a unit (512M, 2G); default 1024")
    gp.add_argument("--seed", type=int, default=0, help="seed of the judge's instances (default 0)")
    gp.add_argument("--quiet", action="store_true", help="no progress on standard error")


class _Progress:
    """A progress line on standard error: a bar when it is a terminal, plain lines every 10% otherwise."""

    def __init__(self, total: int, quiet: bool):
        self.total, self.quiet, self.done = total, quiet, 0
        self.t0 = time.monotonic()
        self.tty = sys.stderr.isatty()
        self.next_pct = 10

    def step(self, n: int = 1):
        self.done += n
        if self.quiet or not self.total:
            return
        elapsed = time.monotonic() - self.t0
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else float("inf")
        eta = f"{left:.0f}s" if left != float("inf") else "?"
        if self.tty:
            width = 30
            fill = int(width * self.done / self.total)
            print(f"\r[{'#' * fill}{'.' * (width - fill)}] {self.done}/{self.total} {rate:.1f}/s, {eta} left ",
                  end="", file=sys.stderr, flush=True)
            if self.done >= self.total:
                print(file=sys.stderr)
        elif 100 * self.done >= self.next_pct * self.total or self.done == self.total:
            print(f"judged {self.done}/{self.total} ({100 * self.done // self.total}%), {rate:.1f}/s, {eta} left",
                  file=sys.stderr, flush=True)
            self.next_pct = 100 * self.done // self.total // 10 * 10 + 10


def _load_questions(path):
    """Bank plus custom questions: (questions, qspecs, broken)."""
    from ..answers.bank import BANK
    from ..answers.commands import _custom_questions, _read_toml, _validate

    questions = {q.id: q for q in BANK}
    specs = {q.id: ("bank", q.id) for q in BANK}
    broken = {}
    if path:
        doc = _read_toml(path, ("question",))
        tables = doc.get("question", [])
        bank = {q.id: f"bank question {q.id!r}" for q in BANK}
        qs, br = _custom_questions(tables, path, bank)
        _validate(qs, br, 30.0, 1 << 30)
        for t in tables:
            if isinstance(t, dict) and str(t.get("id")) in qs:
                specs[str(t["id"])] = ("toml", json.dumps(t, sort_keys=True, default=str))
        questions.update(qs)
        broken.update(br)
    return questions, specs, broken


def grade(submissions: str, *, out: str, questions_file: str | None = None, columns: str | None = None,
          latex: bool = False, jobs: int = 1, scheduler=None, budget: float = 5.0, memory: int = 1 << 30,
          seed: int = 0, quiet: bool = True) -> dict:
    """Grade a class (the Python form of ``verify grade``); returns the run's figures. ``scheduler`` may be
    an address or a ``distributed.Client``. Raises :class:`~verify.grade.inputs.InputError` for unusable input."""
    from .engine import WorkItem, run_items
    from .inputs import Problem, parse_columns, read_submissions
    from .normalise import answer_keys
    from .outputs import write_outputs
    from .store import Store, fingerprint

    t0 = time.monotonic()
    questions, specs, broken = _load_questions(questions_file)
    subs, problems = read_submissions(submissions, parse_columns(columns), latex=latex)
    verdicts = {}
    gradable = []
    for s in subs:
        if s.question in broken:
            verdicts[(s.student, s.question)] = {"verdict": "invalid", "message": f"question {s.question!r} is "
                                                 f"broken: {broken[s.question]}", "counterexample": None}
        elif s.question not in questions:
            problems.append(Problem(s.origin, s.student, s.question, f"unknown question {s.question!r}"))
        else:
            gradable.append(s)
    keep = set(gradable)
    subs = [s for s in subs if (s.student, s.question) in verdicts or s in keep]
    os.makedirs(out, exist_ok=True)
    store = Store(os.path.join(out, "verdicts.sqlite"))
    # one key per distinct answer of each question
    by_q = {}
    for s in gradable:
        by_q.setdefault(s.question, []).append(s)
    key_of, first_of = {}, {}
    for qid, items in by_q.items():
        distinct = list(dict.fromkeys((s.answer, s.latex) for s in items))
        keys = dict(zip(distinct, answer_keys(questions[qid], distinct)))
        for s in items:
            k = keys[(s.answer, s.latex)]
            key_of[(s.student, qid)] = k
            first_of.setdefault((qid, k), s)
    fps = {qid: fingerprint(questions[qid], budget=budget) for qid in by_q}
    known = {}
    for qid in by_q:
        ks = sorted({k for (q, k) in first_of if q == qid})
        for k, v in store.get_many(fps[qid], ks, seed).items():
            known[(qid, k)] = v
    todo = [pair for pair in first_of if pair not in known]
    items = [WorkItem(i, specs[qid], first_of[(qid, k)].answer, first_of[(qid, k)].latex, seed, budget, memory)
             for i, (qid, k) in enumerate(todo)]
    progress = _Progress(len(items), quiet)
    if not quiet:
        print(f"{len(gradable)} answers, {len(first_of)} distinct; {len(known)} already judged, {len(items)} to judge"
              + (f" on {scheduler}" if scheduler else f" with {max(jobs, 1)} worker(s)"), file=sys.stderr, flush=True)
    interrupted = False
    try:
        for index, v in run_items(items, jobs=jobs, scheduler=scheduler):
            qid, k = todo[index]
            known[(qid, k)] = v
            store.put(fps[qid], k, seed, v)
            progress.step()
    except KeyboardInterrupt:
        interrupted = True
    finally:
        store.close()
    if interrupted:
        raise KeyboardInterrupt
    for s in gradable:
        v = dict(known[(s.question, key_of[(s.student, s.question)])])
        v["id"] = s.student
        verdicts[(s.student, s.question)] = v
    summary = write_outputs(out, subs, verdicts, problems, sorted(by_q))
    counts = {}
    for v in verdicts.values():
        counts[v["verdict"]] = counts.get(v["verdict"], 0) + 1
    return {"answers": len(subs), "distinct": len(first_of), "judged_now": len(items), "reused": len(known) - len(items),
            "problems": len(problems), "counts": counts, "seconds": time.monotonic() - t0, "summary": summary}


def grade_command(args) -> int:
    from ..answers.commands import _FileError
    from .inputs import InputError

    if args.jobs < 1:
        print(f"verify grade: error: --jobs {args.jobs} must be at least 1", file=sys.stderr)
        return 2
    try:
        r = grade(args.submissions, out=args.out, questions_file=args.questions, columns=args.columns,
                  latex=args.latex, jobs=args.jobs, scheduler=args.scheduler, budget=args.budget,
                  memory=args.memory, seed=args.seed, quiet=args.quiet)
    except (InputError, _FileError, ValidationError) as exc:
        print(f"verify grade: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"verify grade: error: {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("verify grade: interrupted; what was judged is kept in the output folder: rerun the same command "
              "to resume", file=sys.stderr)
        return 130
    c = r["counts"]
    print(f"{r['answers']} answers ({r['distinct']} distinct, {r['judged_now']} judged now, {r['reused']} reused) "
          f"in {r['seconds']:.1f}s: " + ", ".join(f"{c.get(k, 0)} {k}" for k in ("correct", "incorrect", "invalid",
                                                                                 "unknown", "error") if c.get(k) or
                                                  k in ("correct", "incorrect"))
          + (f"; {r['problems']} input problem(s), see summary.md" if r["problems"] else "")
          + f"; wrote {args.out}/grades.csv, scores.csv, feedback/, summary.md")
    return 1 if c.get("unknown") or c.get("error") else 0
