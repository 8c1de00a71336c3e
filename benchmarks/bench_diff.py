"""Derive + verify timing of ``verify diff`` (issue 16 measure), run on demand:

    python benchmarks/bench_diff.py [--json OUT]

Gradients and Jacobians of expressions with at most 6 operations on matrices of sizes 1..4 (every
verification draws instances of sizes 1, 2, 3, 4), each timed cold (a fresh derivation and a full
verification: 6 instances, complex step or Richardson, mpmath at the worst). Target on 2 cores:
median <= 1 s, worst <= 5 s. Exits 1 when a target is missed or an expression fails to verify.
Also runs the identity catalogue (verify/diff/identities.toml) and reports its counts.
"""

import json
import sys
import time
import tomllib
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from verify.diff.api import NotDerivable, diff  # noqa: E402
from verify.diff.check import check_derivative  # noqa: E402
from verify.diff.symbols import parse_symbols  # noqa: E402

SQ = 'X = "invertible matrix n x n", A = "matrix n x n", B = "matrix n x n", a = "vector n", b = "vector n"'
CASES = [  # (function, wrt, symbols); at most 6 operations each
    ("log(det(X))", "X", SQ),
    ("det(X)", "X", SQ),
    ("trace(A @ inv(X) @ B)", "X", SQ),
    ("a.T @ inv(X) @ b", "X", SQ),
    ("trace(X @ X @ B) + logdet(X)", "X", SQ),
    ("trace(A @ X @ B @ X.T)", "X", SQ),
    ("x.T @ A @ x", "x", 'x = "vector n", A = "matrix n x n"'),
    ("(A @ x - b).T @ (A @ x - b)", "x", 'x = "vector n", A = "matrix m x n", b = "vector m"'),
    ("logsumexp(A @ x)", "x", 'x = "vector n", A = "matrix m x n"'),
    ("-y.T @ log(softmax(W @ x))", "W", 'W = "matrix k x n", x = "vector n", y = "probability vector k"'),
    ("sum(sigmoid(W @ x))", "W", 'W = "matrix m x n", x = "vector n"'),
    ("norm(A @ x - b)", "x", 'x = "vector n", A = "matrix m x n", b = "vector m"'),
    ("A @ X @ B", "X", 'A = "matrix m x n", X = "matrix n x p", B = "matrix p x q"'),
    ("inv(X)", "X", SQ),
    ("softmax(A @ x)", "x", 'x = "vector n", A = "matrix m x n"'),
    ("trace(matrix_power(X, 3)) + sum(X * X)", "X", SQ),
    ("-(x - mu).T @ inv(S) @ (x - mu)/2 - logdet(S)/2", "S",
     'x = "vector n", mu = "vector n", S = "positive definite matrix n x n"'),
    ("exp(A @ x) * sin(x)", "x", 'x = "vector n", A = "matrix n x n"'),
]


def catalogue_counts():
    entries = tomllib.loads((Path(__file__).resolve().parents[1] / "verify/diff/identities.toml").read_text())["identity"]
    derived = refs = variants = refuted = 0
    not_reached = []
    for e in entries:
        dom, order = parse_symbols(e["symbols"]), e.get("order", 1)
        try:
            r = diff(e["function"], e["wrt"], symbols=e["symbols"], order=order)
            derived += bool(r.verified and check_derivative(e["function"], e["wrt"], r.expr, dom, order=order).verified)
        except NotDerivable:
            not_reached.append(e["id"])
        refs += check_derivative(e["function"], e["wrt"], e["reference"], dom, order=order).verified
        for text, _ in e["variants"]:
            variants += 1
            refuted += not check_derivative(e["function"], e["wrt"], text, dom, order=order, instances=4).verified
    return {"identities": len(entries), "derived_and_equal": derived, "references_verified": refs,
            "variants": variants, "variants_refuted": refuted, "not_reached": not_reached}


def main(argv) -> int:
    times, rows, ok = [], [], True
    diff("trace(X)", "X", symbols='X = "matrix n x n"')  # imports, not timed
    for f, wrt, sym in CASES:
        t = time.perf_counter()
        r = diff(f, wrt, symbols=sym)
        dt = time.perf_counter() - t
        times.append(dt)
        ok &= r.verified
        rows.append({"function": f, "wrt": wrt, "seconds": round(dt, 3), "verified": r.verified, "derivative": r.expr})
        print(f"{dt:6.3f}s  {'ok ' if r.verified else 'FAIL'}  d/d{wrt} {f}  =  {r.expr}")
    med, worst = float(np.median(times)), float(np.max(times))
    print(f"\n{len(times)} expressions: median {med:.3f} s (target <= 1), worst {worst:.3f} s (target <= 5)")
    cat = catalogue_counts()
    print(f"catalogue: {cat['derived_and_equal']}/{cat['identities']} derived and judged equal, "
          f"{cat['references_verified']}/{cat['identities']} references verified, "
          f"{cat['variants_refuted']}/{cat['variants']} wrong variants refuted; not reached: {cat['not_reached'] or 'none'}")
    if "--json" in argv:
        Path(argv[argv.index("--json") + 1]).write_text(json.dumps(
            {"median_s": med, "worst_s": worst, "cases": rows, "catalogue": cat}, indent=2))
    return 0 if ok and med <= 1.0 and worst <= 5.0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
