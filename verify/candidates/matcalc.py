r"""The candidate side of the ``matcalc.*`` claims (:mod:`verify.catalogue.matcalc`): SymPy 1.14's
answers, computed live (the candidates of the errata and the mutants of the corrected claims), and
``verify diff``'s answers, derived with its rules (:mod:`verify.diff.rules`) and evaluated by the
generated NumPy code (the candidates of the corrected claims), plus the hand-written mutants."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = [
    "sympy_logdet", "sympy_layout", "sympy_lse",
    "derived_logdet", "derived_linear", "derived_lse",
    "missing_transpose", "unnormalised",
]


# --- SymPy's answers (computed live, once) -------------------------------------------------------------------

@lru_cache(maxsize=None)
def _sympy_answers():
    import sympy as sp

    n = sp.Symbol("n", integer=True, positive=True)
    X, A, x = sp.MatrixSymbol("X", n, n), sp.MatrixSymbol("A", n, n), sp.MatrixSymbol("x", n, 1)
    return {
        "logdet": (sp.log(sp.Determinant(X)).diff(X), X),
        "layout": ((A * x).diff(x), (A, x)),
        "lse": (sp.log(sp.Trace(sp.OneMatrix(1, n) * x.applyfunc(sp.exp))).diff(x), x),
    }


def _is_zero(expr) -> bool:
    return expr == 0 or bool(getattr(expr, "is_ZeroMatrix", False))


def sympy_logdet(p):
    expr, X = _sympy_answers()["logdet"]
    if _is_zero(expr):
        return np.zeros_like(p.X)
    import sympy as sp

    return np.asarray(sp.lambdify([X], expr, "numpy")(p.X), dtype=float) * np.ones_like(p.X)


def sympy_layout(p):
    expr, (A, x) = _sympy_answers()["layout"]
    import sympy as sp

    return np.asarray(sp.lambdify([A, x], expr, "numpy")(p.A, p.x[:, None]), dtype=float)


def sympy_lse(p):
    expr, x = _sympy_answers()["lse"]
    if _is_zero(expr):
        return np.zeros_like(p.z)
    import sympy as sp

    return np.asarray(sp.lambdify([x], expr, "numpy")(p.z[:, None]), dtype=float).reshape(-1)


# --- verify diff's answers (derived with the rules, then evaluated by the generated NumPy code) -------------------

@lru_cache(maxsize=None)
def _derived(function, wrt, symbols):
    from ..diff.codegen import compile_source, numpy_source
    from ..diff.derive import derive
    from ..diff.symbols import parse_symbols

    der = derive(function, wrt, parse_symbols(symbols))
    return der.plain, compile_source(numpy_source(der))


def derived_logdet(p):
    return _derived("log(det(X))", "X", 'X = "invertible matrix n x n"')[1](p.X)[1]


def derived_linear(p):
    return _derived("A @ x", "x", 'A = "matrix m x n", x = "vector n"')[1](p.A, p.x)[1]


def derived_lse(p):
    return _derived("logsumexp(z)", "z", 'z = "vector n"')[1](p.z)[1]


# --- hand-written mutants -------------------------------------------------------------------------------------

def missing_transpose(p):
    """Mutant of ``matcalc.logdet-gradient``: :math:`X^{-1}`."""
    return np.linalg.inv(p.X)


def unnormalised(p):
    """Mutant of ``matcalc.logsumexp-gradient``: :math:`e^z`."""
    return np.exp(p.z)
