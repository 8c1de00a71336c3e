"""Benchmark `verify grade` on the synthetic class (benchmarks/synthetic_class.py).

Reports: the fraction of answers judged after deduplication; the whole class on 2 workers;
the speed-up from --jobs 1 to --jobs 2 on unique answers; a Dask LocalCluster with 2 workers
against --jobs 2; and an interrupted run (SIGINT half way) resumed: nothing judged twice,
nothing lost, identical grades.csv.

    python benchmarks/bench_grade.py --students 500            # targets: class < 300 s, speed-up >= 1.7,
                                                              # Dask within 15% of --jobs 2
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the repository, when not installed

from synthetic_class import write_class  # noqa: E402

COLS = "student=Username,question=Question,answer=Response,latex=TeX"


def _grade_cli(csv_path, qpath, out, jobs, extra=()):
    cmd = [sys.executable, "-m", "verify", "grade", csv_path, "--questions", qpath, "--out", out, "--columns", COLS,
           "--jobs", str(jobs), "--quiet", *extra]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    return time.perf_counter() - t0, p


def _unique_items(csv_path, qpath, n):
    from verify.grade.command import _load_questions
    from verify.grade.engine import WorkItem
    from verify.grade.inputs import parse_columns, read_submissions
    from verify.grade.normalise import answer_keys

    questions, specs, _ = _load_questions(qpath)
    subs, _ = read_submissions(csv_path, parse_columns(COLS))
    seen, items = set(), []
    by_q = {}
    for s in subs:
        if s.question in questions:
            by_q.setdefault(s.question, []).append((s.answer, s.latex))
    for qid, pairs in by_q.items():
        distinct = list(dict.fromkeys(pairs))
        for (a, t), k in zip(distinct, answer_keys(questions[qid], distinct)):
            if (qid, k) not in seen:
                seen.add((qid, k))
                items.append(WorkItem(len(items), specs[qid], a, t, 0, 5.0, 1 << 30))
    return items[:n]


def _time_items(items, **kw):
    from verify.grade.engine import run_items

    t0 = time.perf_counter()
    out = dict(run_items(items, **kw))
    return time.perf_counter() - t0, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--students", type=int, default=500)
    ap.add_argument("--unique", type=int, default=120, help="unique answers for the speed-up measurements")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-grade-")
    csv_path, qpath = write_class(os.path.join(tmp, "class"), a.students, 0)
    full = os.path.join(tmp, "full")
    secs, p = _grade_cli(csv_path, qpath, full, 2)
    print(p.stdout.strip())
    db = sqlite3.connect(os.path.join(full, "verdicts.sqlite"))
    judged = db.execute("SELECT COUNT(*) FROM judged").fetchone()[0]
    total = a.students * 20
    print(f"class of {a.students} x 20 = {total} answers: {judged} judged ({judged / total:.1%}), "
          f"{secs:.1f} s on 2 workers (exit {p.returncode})")

    items = _unique_items(csv_path, qpath, a.unique)
    t1, r1 = _time_items(items, jobs=1)
    t2, r2 = _time_items(items, jobs=2)
    print(f"{len(items)} unique answers: --jobs 1 {t1:.1f} s, --jobs 2 {t2:.1f} s, speed-up {t1 / t2:.2f}x; "
          f"same verdicts: {r1 == r2}")
    try:
        from distributed import Client, LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cl, \
                Client(cl) as client:
            # warm the workers as a pool's fork is warm (it inherits the parent's imports and its parsed
            # questions): judge one answer of each question on every worker before timing
            from verify.grade.engine import judge_batch

            firsts = list({it.qspec: it for it in items}.values())
            client.run(judge_batch, firsts)
            td, rd = _time_items(items, scheduler=client)
        print(f"Dask LocalCluster (2 workers): {td:.1f} s, {td / t2 - 1:+.0%} against --jobs 2; same verdicts: {rd == r1}")
    except ImportError:
        print("Dask distributed not installed: pip install '.[distributed]'")

    part = os.path.join(tmp, "part")
    cmd = [sys.executable, "-m", "verify", "grade", csv_path, "--questions", qpath, "--out", part, "--columns", COLS,
           "--jobs", "2", "--quiet"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    dbp = os.path.join(part, "verdicts.sqlite")
    while proc.poll() is None:
        time.sleep(0.5)
        if os.path.exists(dbp):
            try:
                n = sqlite3.connect(dbp).execute("SELECT COUNT(*) FROM judged").fetchone()[0]
            except sqlite3.Error:
                continue
            if n >= judged // 2:
                proc.send_signal(signal.SIGINT)
                break
    proc.wait()
    first = sqlite3.connect(dbp).execute("SELECT COUNT(*) FROM judged").fetchone()[0]
    secs2, p2 = _grade_cli(csv_path, qpath, part, 2)
    second = p2.stdout.split("judged now")[0].split(",")[-1].strip() if "judged now" in p2.stdout else "?"
    same = open(os.path.join(full, "grades.csv")).read() == open(os.path.join(part, "grades.csv")).read()
    print(f"interrupted at {first} of {judged} (exit {proc.returncode}); the rerun judged {second} more; "
          f"identical grades.csv: {same}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
