r"""Matrix calculus: SymPy 1.14 defects found while building ``verify diff``, and the corrected results.

Each erratum runs SymPy live (so an upgrade that fixes a defect turns the erratum into a failing
expectation and is noticed); each corrected claim's candidate is what ``verify diff`` derives with its
own rule (:mod:`verify.diff.rules`). The oracle is the complex-step Jacobian of the function written
from primitive definitions (``np.linalg.det``, ``np.exp``), in the judge's layout: the gradient of a
scalar has the shape of the variable; a Jacobian is :math:`\partial\operatorname{vec}f/\partial
\operatorname{vec}(x)^\top`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from derivations.steps import Derivation, Step

from .. import strategies as S
from ..checks import NumericIdentity
from ..model import Claim, Formula, Mutant
from ..numerics import complex_step_jacobian

__all__ = ["CLAIMS"]


class SquarePoint(NamedTuple):
    X: np.ndarray

    def readable(self) -> dict:
        return {"X": self.X.tolist()}


class LinearPoint(NamedTuple):
    A: np.ndarray
    x: np.ndarray

    def readable(self) -> dict:
        return {"A": self.A.tolist(), "x": self.x.tolist()}


class VectorPoint(NamedTuple):
    z: np.ndarray

    def readable(self) -> dict:
        return {"z": self.z.tolist()}


@st.composite
def _invertible(draw):
    n = draw(st.integers(2, 4))
    return SquarePoint(np.asarray(draw(S.invertible_matrices(size=n, max_condition=20.0, min_abs_det=0.5 ** n))))


_quarters = st.integers(-12, 12).map(lambda k: k / 4)


@st.composite
def _linear(draw):
    m, n = draw(st.integers(2, 4)), draw(st.integers(2, 4))
    A = draw(hnp.arrays(float, (m, n), elements=_quarters))
    return LinearPoint(A, draw(hnp.arrays(float, (n,), elements=_quarters)))


@st.composite
def _vectors(draw):
    n = draw(st.integers(2, 4))
    return VectorPoint(draw(hnp.arrays(float, (n,), elements=_quarters)))


# --- oracles: complex-step derivatives of the functions written from primitive definitions -----------------

def _gradient_logdet(p):
    n = p.X.shape[0]

    def f(Z):
        d = np.linalg.det(Z.reshape(-1, n, n).transpose(0, 2, 1))  # column-major vec
        return np.log(d * np.sign(d.real))[:, None]

    J, _ = complex_step_jacobian(f, p.X.T.reshape(-1))
    return J.reshape(n, n).T


def _jacobian_linear(p):
    J, _ = complex_step_jacobian(lambda Z: Z @ p.A.T, p.x)
    return J


def _gradient_lse(p):
    J, _ = complex_step_jacobian(lambda Z: np.log(np.exp(Z).sum(axis=1))[:, None], p.z)
    return J[0]


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


def _sympy_logdet(p):
    expr, X = _sympy_answers()["logdet"]
    if _is_zero(expr):
        return np.zeros_like(p.X)
    import sympy as sp

    return np.asarray(sp.lambdify([X], expr, "numpy")(p.X), dtype=float) * np.ones_like(p.X)


def _sympy_layout(p):
    expr, (A, x) = _sympy_answers()["layout"]
    import sympy as sp

    return np.asarray(sp.lambdify([A, x], expr, "numpy")(p.A, p.x[:, None]), dtype=float)


def _sympy_lse(p):
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


def _derived_logdet(p):
    return _derived("log(det(X))", "X", 'X = "invertible matrix n x n"')[1](p.X)[1]


def _derived_linear(p):
    return _derived("A @ x", "x", 'A = "matrix m x n", x = "vector n"')[1](p.A, p.x)[1]


def _derived_lse(p):
    return _derived("logsumexp(z)", "z", 'z = "vector n"')[1](p.z)[1]


def _step(lhs, rhs, why, plain=None):
    return Step(lhs, rhs, why, plain=plain)


# The differential of f at X applied to the direction H (dX = H) is <grad f, H>: trace(diff(f, X).T @ H).
_LOGDET_SYMBOLS = {"n": "integer in [2, 4]", "X": "invertible matrix n x n", "H": "matrix n x n"}
# m >= 2: for m = 1 the judge reads the 1 x 1 product A x as a number, whose derivative has the shape of x.
_LINEAR_SYMBOLS = {"m": "integer in [2, 4]", "n": "integer in [1, 4]", "A": "matrix m x n", "x": "vector n",
                   "h": "vector n"}
_LSE_SYMBOLS = {"n": "integer in [1, 5]", "z": "vector n", "h": "vector n"}


LOGDET_CHECK = NumericIdentity(reference=_gradient_logdet, strategy=_invertible, max_examples=20,
                               description="complex-step gradient of log|det X| (np.linalg.det), X invertible 2x2..4x4")
LAYOUT_CHECK = NumericIdentity(reference=_jacobian_linear, strategy=_linear, max_examples=20,
                               description="complex-step Jacobian d(Ax)/dx^T, A of 2..4 x 2..4")
LSE_CHECK = NumericIdentity(reference=_gradient_lse, strategy=_vectors, max_examples=20,
                            description="complex-step gradient of log(sum(exp(z)))")

LOGDET = Claim(
    id="matcalc.logdet-gradient",
    title="d log|det X| / dX = X^{-T} (verify diff's rule)",
    source="The Matrix Cookbook (2012) eq. (57); verify/diff/rules.py rule 'logdet'",
    statement=r"$\frac{\partial \log|\det X|}{\partial X} = X^{-\top}$ for invertible $X$.",
    assumptions=(r"$X\in\mathbb R^{n\times n}$ invertible; entries independent (no symmetry constraint)",),
    derivation=Derivation((
        _step(r"d\log|\det X|", r"\operatorname{tr}(X^{-1}dX)", "Jacobi's formula, MC eq. (41)",
              plain=("trace(diff(log(abs(det(X))), X).T @ H)", "trace(inv(X) @ H)")),
        _step(r"\operatorname{tr}(X^{-1}dX)", r"\operatorname{tr}((X^{-\top})^\top dX)", r"$X^{-1} = (X^{-\top})^\top$",
              plain=("trace(inv(X) @ H)", "trace(inv(X).T.T @ H)")),
        _step(r"\frac{\partial \log|\det X|}{\partial X}", r"X^{-\top}", r"$df = \operatorname{tr}(G^\top dX)$ identifies $G$",
              plain=("diff(log(abs(det(X))), X)", "inv(X).T")),
    ), symbols=dict(_LOGDET_SYMBOLS)),
    candidate=Formula(r"X^{-\top}", _derived_logdet),
    checks=(LOGDET_CHECK,),
    mutants=(
        Mutant("sympy-zero", "SymPy 1.14's answer, 0", Formula("0", _sympy_logdet)),
        Mutant("missing-transpose", r"$X^{-1}$", Formula(r"X^{-1}", lambda p: np.linalg.inv(p.X))),
    ),
)

SYMPY_LOGDET = Claim(
    id="matcalc.sympy-logdet-zero",
    title="SymPy 1.14: log(Determinant(X)).diff(X) == 0",
    source="SymPy 1.14, sympy.matrices.expressions (measured)",
    statement=r"SymPy's $\frac{\partial}{\partial X}\log\det X$ for a MatrixSymbol $X$ is $0$.",
    assumptions=(r"$X$ a square MatrixSymbol of symbolic size $n$",),
    derivation=Derivation((_step(r"\texttt{log(Determinant(X)).diff(X)}", "0", "SymPy 1.14 output",
                                 plain=("diff(log(det(X)), X)", "0")),), symbols=dict(_LOGDET_SYMBOLS)),
    candidate=Formula("0", _sympy_logdet),
    checks=(LOGDET_CHECK,),
    expected="refuted",
    corrected_by="matcalc.logdet-gradient",
    notes=r"Any invertible $X$ refutes it: for $X = I_2$ the gradient is $I_2$. (\texttt{Determinant(X).diff(X)} stays unevaluated.)",
)

LINEAR = Claim(
    id="matcalc.linear-jacobian",
    title="d(Ax)/dx^T = A in numerator layout (verify diff's layout)",
    source="Magnus & Neudecker, Matrix Differential Calculus, ch. 9; The Matrix Cookbook eq. (69)",
    statement=r"$\frac{\partial (Ax)}{\partial x^\top} = A$.",
    assumptions=(r"$A\in\mathbb R^{m\times n}$, $x\in\mathbb R^n$",),
    derivation=Derivation((
        _step(r"d(Ax)", r"A\,dx", "linearity", plain=("diff(A @ x, x) @ h", "A @ h")),
        _step(r"\frac{\partial (Ax)}{\partial x^\top}", "A", "the coefficient of $dx$ (numerator layout)",
              plain=("diff(A @ x, x)", "A")),
    ), symbols=dict(_LINEAR_SYMBOLS)),
    candidate=Formula("A", _derived_linear),
    checks=(LAYOUT_CHECK,),
    mutants=(Mutant("sympy-denominator-layout", r"SymPy's $A^\top$ (denominator layout)", Formula(r"A^\top", _sympy_layout)),),
)

SYMPY_LAYOUT = Claim(
    id="matcalc.sympy-jacobian-layout",
    title="SymPy 1.14: (A*x).diff(x) == A.T, the denominator layout (its .jacobian uses numerator layout)",
    source="SymPy 1.14, sympy.matrices.expressions (measured)",
    statement=r"SymPy's derivative of $Ax$ by the vector $x$ is $A^\top$.",
    assumptions=(r"$A$, $x$ MatrixSymbols",),
    derivation=Derivation((_step(r"\texttt{(A*x).diff(x)}", r"A^\top", "SymPy 1.14 output",
                                 plain=("diff(A @ x, x)", "A.T")),), symbols=dict(_LINEAR_SYMBOLS)),
    candidate=Formula(r"A^\top", _sympy_layout),
    checks=(LAYOUT_CHECK,),
    expected="refuted",
    corrected_by="matcalc.linear-jacobian",
    notes=r"Read as the Jacobian $\partial(Ax)/\partial x^\top$ it is wrong for every non-symmetric (or non-square) $A$; "
          r"it is the transpose (the gradient layout).",
)

LSE = Claim(
    id="matcalc.logsumexp-gradient",
    title="d logsumexp(z)/dz = softmax(z) (verify diff's rule)",
    source="Boyd & Vandenberghe, Convex Optimization (2004) §3.1.5; verify/diff/rules.py rule 'lse'",
    statement=r"$\nabla_z \log\sum_i e^{z_i} = \operatorname{softmax}(z)$.",
    assumptions=(r"$z\in\mathbb R^n$",),
    derivation=Derivation((
        _step(r"d\log\mathbf 1^\top e^z", r"\frac{(e^z)^\top dz}{\mathbf 1^\top e^z}", "chain rule",
              plain=("diff(log(ones(n).T @ exp(z)), z).T @ h", "exp(z).T @ h/(ones(n).T @ exp(z))")),
        _step(r"\nabla_z\log\mathbf 1^\top e^z", r"\frac{e^z}{\mathbf 1^\top e^z}", "the coefficient of $dz$",
              plain=("diff(log(ones(n).T @ exp(z)), z)", "exp(z)/(ones(n).T @ exp(z))")),
        _step(r"\frac{e^z}{\mathbf 1^\top e^z}", r"\operatorname{softmax}(z)", "definition of softmax",
              plain=("exp(z)/(ones(n).T @ exp(z))", "softmax(z)")),
    ), symbols=dict(_LSE_SYMBOLS)),
    candidate=Formula(r"\operatorname{softmax}(z)", _derived_lse),
    checks=(LSE_CHECK,),
    mutants=(Mutant("sympy-zero", "SymPy 1.14's answer, 0", Formula("0", _sympy_lse)),
             Mutant("unnormalised", r"$e^z$", Formula(r"e^z", lambda p: np.exp(p.z)))),
)

SYMPY_LSE = Claim(
    id="matcalc.sympy-logsumexp-zero",
    title="SymPy 1.14: the gradient of log(1^T exp(x)) comes back as a silent 0",
    source="SymPy 1.14, sympy.matrices.expressions (measured)",
    statement=r"SymPy's $\frac{\partial}{\partial x}\log\operatorname{tr}(\mathbf 1^\top \exp(x))$ is $0$.",
    assumptions=(r"$x$ a MatrixSymbol $n\times 1$, $\exp$ applied element-wise (\texttt{applyfunc})",),
    derivation=Derivation((_step(r"\texttt{log(Trace(OneMatrix(1, n)*x.applyfunc(exp))).diff(x)}", "0", "SymPy 1.14 output",
                                 plain=("diff(log(trace(ones(n).T @ exp(x))), x)", "0")),),
                          symbols={"n": "integer in [1, 5]", "x": "vector n"}),
    candidate=Formula("0", _sympy_lse),
    checks=(LSE_CHECK,),
    expected="refuted",
    corrected_by="matcalc.logsumexp-gradient",
    notes=r"The gradient is $\operatorname{softmax}(x)$, never zero.",
)

CLAIMS = (LOGDET, SYMPY_LOGDET, LINEAR, SYMPY_LAYOUT, LSE, SYMPY_LSE)
