"""The measures of ``verify steps`` (issue 15), run on demand:

    python benchmarks/bench_steps.py

Judges every derivation in ``docs/examples/derivations/`` (TOML, LaTeX, Markdown) and reports: planted
wrong steps located exactly, steps refuted in correct derivations (false refutations), the fraction of
steps undecided, the time of the whole folder, and the median time of a 6-step chain with vectors of
length <= 5 (five runs). Exits 1 when a measure is missed: a planted step not located, a false
refutation, 10% or more undecided, the folder over 60 s or the chain's median over 2 s.
"""

import glob
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from verify.steps.command import read_derivations  # noqa: E402
from verify.steps.summary import judge_derivation  # noqa: E402
from verify.steps.toml_form import loads_toml  # noqa: E402

CHAIN = '''
[[derivation]]
id = "chain"
symbols = { x = "vector n", y = "vector n", A = "matrix n x n", c = "real", n = "integer in [1, 5]" }
steps = ["norm(A @ (x + y))**2", "= (x + y).T @ A.T @ A @ (x + y)",
         "= x.T @ A.T @ A @ x + 2 * x.T @ A.T @ A @ y + y.T @ A.T @ A @ y",
         "<= 2 * x.T @ A.T @ A @ x + 2 * y.T @ A.T @ A @ y", "= 2 * norm(A @ x)**2 + 2 * norm(A @ y)**2",
         "<= 2 * norm(A @ x)**2 + 2 * norm(A @ y)**2 + c**2", "= c**2 + 2 * (norm(A @ x)**2 + norm(A @ y)**2)"]
'''


def main() -> int:
    t0 = time.perf_counter()
    planted = located = false_refutations = steps = undecided = 0
    rows = []
    for path in sorted(glob.glob(os.path.join(ROOT, "docs", "examples", "derivations", "*.*"))):
        for der in read_derivations(path):
            res = judge_derivation(der)
            verdicts = [s.verdict for s in res.steps if s.verdict is not None]
            if any(s.error for s in der.steps) and path.endswith(".md"):
                continue  # the deliberately unreadable Markdown block
            steps += len(verdicts)
            undecided += verdicts.count("undecided")
            p = der.source.get("planted")
            if p is not None:
                planted += 1
                located += res.first_wrong_step == p
            else:
                false_refutations += verdicts.count("refuted")
            rows.append(f"{os.path.basename(path):32s} {der.id:42s} planted={p!s:5s} first_wrong={res.first_wrong_step!s:5s} "
                        f"{res.seconds:5.1f} s")
    folder = time.perf_counter() - t0
    (der,) = loads_toml(CHAIN)
    times = []
    for _ in range(5):
        t = time.perf_counter()
        judge_derivation(der)
        times.append(time.perf_counter() - t)
    chain = statistics.median(times)
    print("\n".join(rows))
    print(f"\nplanted wrong steps located: {located}/{planted}")
    print(f"steps refuted in correct derivations: {false_refutations}")
    print(f"undecided: {undecided}/{steps} steps ({100 * undecided / max(steps, 1):.1f}%)")
    print(f"examples folder: {folder:.1f} s; 6-step vector chain: median {chain:.2f} s")
    ok = located == planted and false_refutations == 0 and undecided < 0.1 * steps and folder <= 60 and chain <= 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
