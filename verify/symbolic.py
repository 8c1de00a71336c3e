r"""Symbolic identity proofs, cheapest sound method first, under a time budget.

:func:`prove_zero` decides whether a SymPy expression (scalar, explicit matrix, or
matrix expression of symbolic size) is identically zero:

1. matrix expressions: ``expand().doit()`` closes noncommutative identities;
2. explicit entries: exact evaluation at random rational points. A non-zero value is
   a definite counterexample. (A non-zero rational function of degree ``d`` vanishes
   at a random point of a grid of size ``N`` with probability at most ``d/N``:
   Schwartz--Zippel.)
3. a proof-grade normal form in the fraction field ``QQ(x1, ..., xk)``.

>>> import sympy as sp
>>> x, y = sp.symbols("x y", positive=True)
>>> prove_zero(sp.Matrix([x / (x + y) + y / (x + y) - 1]), budget_s=5, seed=0).verdict
'proved'
>>> prove_zero(sp.Matrix([x / (x + y) - 1]), budget_s=5, seed=0).verdict
'refuted'
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr

__all__ = ["prove_zero", "SymbolicOutcome", "SYMBOLIC_MEMORY"]


#: bytes a symbolic proof may allocate beyond what its process holds (it runs in a child)
SYMBOLIC_MEMORY = 4 << 30

#: ``expand`` is tried on entries up to this size (it can blow up on large rational functions)
EXPAND_MAX_OPS = 400


@dataclass
class SymbolicOutcome:
    verdict: str  # proved | refuted | inconclusive
    method: str
    detail: dict = field(default_factory=dict)


def _random_rational(rng, positive):
    p, q = rng.randint(1, 997), rng.randint(1, 997)
    v = sp.Rational(p, q)
    if positive:
        return v
    return v if rng.random() < 0.5 else -v


def _entries(expr):
    if isinstance(expr, sp.MatrixBase):
        return list(expr)
    return [expr]


def prove_zero(
    expr, *, budget_s: float, seed: int, points: int = 3, normal_form: bool = True
) -> SymbolicOutcome:
    """Decide ``expr == 0``; see the module docstring for the method ladder.

    With ``normal_form=False`` only step 2 runs: the outcome is ``refuted`` or
    ``inconclusive`` (zero at every sampled point), never ``proved``.

    The work runs in a forked child (:func:`verify.isolation.run_isolated`: own
    process group, dies with its parent, memory cap) that is killed when ``budget_s``
    runs out; the outcome is then ``inconclusive``. Nothing relies on SIGALRM, which
    SymPy can swallow inside a finaliser or a lazy import.
    """
    from .isolation import IsolatedTimeout, run_isolated

    try:
        return run_isolated(_prove_zero, expr, seed, points, normal_form,
                            budget=min(float(budget_s), 600.0), memory=SYMBOLIC_MEMORY)
    except IsolatedTimeout:
        return SymbolicOutcome("inconclusive", f"time budget {budget_s:g} s exceeded (symbolic work killed)")
    except MemoryError:
        return SymbolicOutcome("inconclusive", "memory cap reached (symbolic work killed)")


def _prove_zero(expr, seed, points, normal_form) -> SymbolicOutcome:
    t0 = time.perf_counter()
    if isinstance(expr, MatrixExpr):
        z = expr.expand().doit()
        if z == 0 or isinstance(z, sp.ZeroMatrix) or (
            hasattr(z, "is_ZeroMatrix") and z.is_ZeroMatrix
        ):
            return SymbolicOutcome(
                "proved", "matrix-level expand().doit() (symbolic n)",
                {"seconds": round(time.perf_counter() - t0, 3)},
            )
        return SymbolicOutcome(
            "inconclusive", "matrix-level difference does not cancel", {"residual": str(z)}
        )

    entries = _entries(expr)
    for e in entries:  # never strings: sympify would evaluate Python
        if not isinstance(e, sp.Basic):
            raise TypeError(f"prove_zero takes SymPy expressions, got {type(e).__name__}")
    gens = sorted(set().union(*[e.free_symbols for e in entries]) if entries else set(), key=str)
    rng = random.Random(seed)
    used = 0
    transcendental = False
    try:
        # 1. exact evaluation at random rational points (definite counterexamples)
        tries = 0
        while used < points and tries < 10 * points:
            tries += 1
            subs = {g: _random_rational(rng, bool(g.is_positive)) for g in gens}
            vals = [e.xreplace(subs) for e in entries]  # exact rationals in, exact value out
            if any(v.has(sp.zoo, sp.nan, sp.oo) for v in vals):
                continue  # a pole of the rational function: draw another point
            used += 1
            for idx, v in enumerate(vals):
                if v != 0 and not v.is_Rational:
                    # transcendental constants (tanh(3/7)...): decide at 50 digits; a
                    # value below 1e-30 is a zero to that precision, not a counterexample
                    mag = abs(complex(v.evalf(50)))
                    if mag < 1e-30:
                        transcendental = True
                        continue
                    return SymbolicOutcome(
                        "refuted", "mpmath (50 digits) at a random rational point",
                        {"entry": idx, "value": f"{mag:.3g}",
                         "point": {str(g): str(subs[g]) for g in gens}},
                    )
                if v != 0:
                    return SymbolicOutcome(
                        "refuted",
                        "exact evaluation at a random rational point",
                        {
                            "entry": idx,
                            "value": str(v),
                            "point": {str(g): str(subs[g]) for g in gens},
                        },
                    )
        # an identity that holds term by term (transcendental pieces and all) expands to 0
        # (only for entries with transcendental functions: rational functions go to
        # the fraction field, and expanding them can take minutes)
        if any(e.has(sp.Function) for e in entries) and all(
                e.count_ops() <= EXPAND_MAX_OPS and sp.expand(e) == 0 for e in entries):
            return SymbolicOutcome(
                "proved", "expands to zero term by term",
                {"rational_points": used, "seconds": round(time.perf_counter() - t0, 3)},
            )
        if transcendental:
            return SymbolicOutcome(
                "inconclusive",
                f"below 1e-30 at 50 digits at {used} random rational points (transcendental; no proof)",
                {"rational_points": used},
            )
        if not normal_form:
            return SymbolicOutcome(
                "inconclusive",
                f"zero at {used} random rational points (Schwartz-Zippel; no normal form)",
                {"rational_points": used},
            )
        # 2. proof-grade normal form in the fraction field
        if gens:
            K = sp.QQ.frac_field(*gens)
            for e in entries:
                if K.from_sympy(e) != K.zero:
                    return SymbolicOutcome(
                        "inconclusive", "fraction field: non-zero normal form",
                        {"rational_points": used},
                    )
        else:
            if any(e != 0 for e in entries):
                return SymbolicOutcome("refuted", "exact constant evaluation", {})
    except (sp.PolynomialError, sp.CoercionFailed, NotImplementedError, ValueError) as exc:
        return SymbolicOutcome(
            "inconclusive", f"not a rational function ({type(exc).__name__})",
            {"rational_points": used},
        )
    return SymbolicOutcome(
        "proved",
        "zero normal form in the fraction field QQ(" + ", ".join(map(str, gens)) + ")",
        {"rational_points": used, "seconds": round(time.perf_counter() - t0, 3)},
    )
