"""Speed of `verify check`: median seconds per answer (target <= 0.25 s), per `derivative` answer with
matrices up to 4 x 4 (target <= 1 s), and a file of 100 mixed answers (target <= 40 s on 2 cores).

    python benchmarks/bench_check.py
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from verify.answers.bank import BANK, Question  # noqa: E402
from verify.answers.judge import judge_with_budget  # noqa: E402
from verify.cli import main  # noqa: E402

ANSWERS = [
    ("hw4/1.1.1", "(1/4)**n"), ("hw4/1.1.1", "1/4"), ("hw4/1.1.2", "1"), ("hw4/1.2.1", "(1/2)**n"),
    ("hw4/1.3.1", "O(n**2*d)"), ("hw4/1.3.2", "n*k*d"), ("hw4/2.2", "log(p_z) - log(abs(det(J)))"),
    ("hw4/2.2", "log(p_z) + log(abs(det(J)))"), ("hw4/3.1b", "gamma"), ("hw4/3.1c.1", "max(q)"),
    ("hw4/3.1c.2", "r + gamma*sum(p*v)"), ("hw4/3.2.1", "E[g**2*R]/E[g**2]"), ("hw4/3.2.1", "E[R]"),
    ("paper/theorem-1", "inv(A) @ (eta**2*D + I) @ inv(A).T"), ("paper/theorem-5-explicit", "n/k*rho"),
    ("paper/corollary-2", "n/k"), ("hw4/3.1b", "__import__('os')"), ("hw4/3.1b", "0.99999999999*gamma"),
]
DERIVATIVES = [
    ("calc/softmax-jacobian", "diag(softmax(z)) - softmax(z) @ softmax(z).T"),
    ("hw4/2.2-logdet-gradient", "inv(J).T"), ("hw4/2.2-logdet-gradient", "inv(J)"),
    ("paper/implicit-weights-gradient", "inv(eye(n) - eta*S)"),
    ("td/gradient-w1", "tanh(W2.T @ a) - gamma*tanh(W2.T @ b)"),
    ("td/gradient-W2", "a @ (w1 * (1 - tanh(W2.T @ a)**2)).T - gamma * b @ (w1 * (1 - tanh(W2.T @ b)**2)).T"),
]
SCALAR = Question("bench/x", "", {"x": "real", "y": "positive"}, "sin(x)**2 + log(y)", "equal")
SCALARS = ["1 - cos(x)**2 + log(y)", "sin(x)**2 + log(y) + 10**-30", "sin(x)*sin(x) + 2*log(sqrt(y))",
           "sin(x)**2 + log(abs(y))"]


def _median(items, bank):
    times = []
    for qid, ans in items:
        q = bank[qid] if isinstance(qid, str) else qid
        t0 = time.perf_counter()
        judge_with_budget(q, answer=ans, budget=30)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), max(times)


def main_bench():
    bank = {q.id: q for q in BANK}
    mixed = ANSWERS + [(SCALAR, a) for a in SCALARS]
    med, worst = _median(mixed, bank)
    print(f"median per answer: {med:.2f} s (max {worst:.2f} s) over {len(mixed)} (target <= 0.25 s)")
    dmed, dworst = _median(DERIVATIVES, bank)
    print(f"median per derivative answer: {dmed:.2f} s (max {dworst:.2f} s) over {len(DERIVATIVES)} (target <= 1 s)")
    items = [(q, a) for q, a in (ANSWERS + DERIVATIVES) * 5][:100]
    text = "\n".join(f"[[answer]]\nquestion = \"{q}\"\nanswer = '''{a}'''\n" for q, a in items)
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "answers.toml"
        f.write_text(text)
        t0 = time.perf_counter()
        main(["check", str(f), "--quiet"])
        total = time.perf_counter() - t0
    print(f"100 mixed answers: {total:.1f} s (target <= 40 s)")
    return 0 if med <= 0.25 and dmed <= 1.0 and total <= 40 else 1


if __name__ == "__main__":
    sys.exit(main_bench())
