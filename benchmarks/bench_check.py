"""Speed of `verify check`: median seconds per answer and a 50-answer file (target: < 1 s, < 30 s).

    python benchmarks/bench_check.py
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from verify.answers.bank import BANK  # noqa: E402
from verify.answers.judge import judge_with_budget  # noqa: E402
from verify.cli import main  # noqa: E402

ANSWERS = [
    ("hw4/1.1.1", "(1/4)**n"), ("hw4/1.1.1", "1/4"), ("hw4/1.1.2", "1"), ("hw4/1.2.1", "(1/2)**n"),
    ("hw4/1.3.1", "O(n**2*d)"), ("hw4/1.3.2", "n*k*d"), ("hw4/2.2", "log(p_z) - log(abs(det(J)))"),
    ("hw4/2.2", "log(p_z) + log(abs(det(J)))"), ("hw4/3.1b", "gamma"), ("hw4/3.1c.1", "max(q)"),
    ("hw4/3.1c.2", "r + gamma*sum(p*v)"), ("hw4/3.2.1", "E[g**2*R]/E[g**2]"), ("hw4/3.2.1", "E[R]"),
    ("paper/theorem-1", "inv(A) @ (eta**2*D + I) @ inv(A).T"), ("paper/theorem-5-explicit", "n/k*rho"),
    ("paper/corollary-2", "n/k"), ("hw4/3.1b", "__import__('os')"),
]


def main_bench():
    bank = {q.id: q for q in BANK}
    times = []
    for qid, ans in ANSWERS:
        t0 = time.perf_counter()
        judge_with_budget(bank[qid], answer=ans)
        times.append(time.perf_counter() - t0)
    print(f"median per answer: {statistics.median(times):.2f} s (max {max(times):.2f} s) over {len(times)}")
    items = (ANSWERS * 3)[:50]
    text = "\n".join(f'[[answer]]\nquestion = "{q}"\nanswer = "{a}"\n' for q, a in items)
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "answers.toml"
        f.write_text(text)
        t0 = time.perf_counter()
        main(["check", str(f), "--quiet"])
        total = time.perf_counter() - t0
    print(f"50 answers: {total:.1f} s (target < 30 s)")
    return 0 if statistics.median(times) < 1.0 and total < 30 else 1


if __name__ == "__main__":
    sys.exit(main_bench())
