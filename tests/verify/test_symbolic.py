import time

import sympy as sp

from verify.symbolic import prove_zero

x, y = sp.symbols("x y", positive=True)


def test_proves_rational_identity():
    out = prove_zero(sp.Matrix([(x**2 - y**2) / (x - y) - x - y]), budget_s=10, seed=0)
    assert out.verdict == "proved" and "fraction field" in out.method


def test_refutes_with_exact_point():
    out = prove_zero(sp.Matrix([x * y - y * x + x / 1000]), budget_s=10, seed=0)
    assert out.verdict == "refuted" and "point" in out.detail


def test_sample_only_never_proves():
    out = prove_zero(sp.Matrix([x - x]), budget_s=10, seed=0, normal_form=False)
    assert out.verdict in ("proved", "inconclusive")  # constant zero entries need no points
    out = prove_zero(sp.Matrix([x / (x + y) + y / (x + y) - 1]), budget_s=10, seed=0, normal_form=False)
    assert out.verdict == "inconclusive"


def test_matrix_level_identity():
    n = sp.Symbol("n", integer=True, positive=True)
    A, B = sp.MatrixSymbol("A", n, n), sp.MatrixSymbol("B", n, n)
    assert prove_zero((A * B).T - B.T * A.T, budget_s=5, seed=0).verdict == "proved"
    assert prove_zero((A * B).T - A.T * B.T, budget_s=5, seed=0).verdict == "inconclusive"


def test_budget_is_enforced():
    from derivations import implicit as D
    d = D.ift_jacobian_sym(3) - D.direct_jacobian_sym(3)
    t = time.perf_counter()
    out = prove_zero(d, budget_s=1.0, seed=0)
    assert time.perf_counter() - t < 10
    assert out.verdict == "inconclusive" and "budget" in out.method
