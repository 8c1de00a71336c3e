r"""Matrix calculus results checked by the catalogue's ``matcalc`` claims: the derivations behind
``verify diff``'s rules (log-determinant, numerator layout, log-sum-exp) and, for the errata, the
SymPy 1.14 outputs they correct, each as a chain of steps in the answer language.

>>> len(logdet_gradient_derivation().steps)
3
"""

from __future__ import annotations

from .steps import Derivation, Step

__all__ = ["logdet_gradient_derivation", "sympy_logdet_derivation", "linear_jacobian_derivation",
           "sympy_layout_derivation", "logsumexp_gradient_derivation", "sympy_logsumexp_derivation"]

# The differential of f at X applied to the direction H (dX = H) is <grad f, H>: trace(diff(f, X).T @ H).
LOGDET_SYMBOLS = {"n": "integer in [2, 4]", "X": "invertible matrix n x n", "H": "matrix n x n"}
# m >= 2: for m = 1 the judge reads the 1 x 1 product A x as a number, whose derivative has the shape of x.
LINEAR_SYMBOLS = {"m": "integer in [2, 4]", "n": "integer in [1, 4]", "A": "matrix m x n", "x": "vector n",
                  "h": "vector n"}
LSE_SYMBOLS = {"n": "integer in [1, 5]", "z": "vector n", "h": "vector n"}


def logdet_gradient_derivation() -> Derivation:
    """Jacobi's formula: d log|det X| / dX = X^{-T} (The Matrix Cookbook eqs. (41), (57))."""
    return Derivation((
        Step(r"d\log|\det X|", r"\operatorname{tr}(X^{-1}dX)", "Jacobi's formula, MC eq. (41)",
             plain=("trace(diff(log(abs(det(X))), X).T @ H)", "trace(inv(X) @ H)")),
        Step(r"\operatorname{tr}(X^{-1}dX)", r"\operatorname{tr}((X^{-\top})^\top dX)", r"$X^{-1} = (X^{-\top})^\top$",
             plain=("trace(inv(X) @ H)", "trace(inv(X).T.T @ H)")),
        Step(r"\frac{\partial \log|\det X|}{\partial X}", r"X^{-\top}", r"$df = \operatorname{tr}(G^\top dX)$ identifies $G$",
             plain=("diff(log(abs(det(X))), X)", "inv(X).T")),
    ), symbols=dict(LOGDET_SYMBOLS))


def sympy_logdet_derivation() -> Derivation:
    """SymPy 1.14's output for log(Determinant(X)).diff(X), as a one-step claim (an erratum)."""
    return Derivation((Step(r"\texttt{log(Determinant(X)).diff(X)}", "0", "SymPy 1.14 output",
                            plain=("diff(log(det(X)), X)", "0")),), symbols=dict(LOGDET_SYMBOLS))


def linear_jacobian_derivation() -> Derivation:
    """d(Ax)/dx^T = A in numerator layout (Magnus & Neudecker ch. 9)."""
    return Derivation((
        Step(r"d(Ax)", r"A\,dx", "linearity", plain=("diff(A @ x, x) @ h", "A @ h")),
        Step(r"\frac{\partial (Ax)}{\partial x^\top}", "A", "the coefficient of $dx$ (numerator layout)",
             plain=("diff(A @ x, x)", "A")),
    ), symbols=dict(LINEAR_SYMBOLS))


def sympy_layout_derivation() -> Derivation:
    """SymPy 1.14's output for (A*x).diff(x): A^T, the denominator layout (an erratum)."""
    return Derivation((Step(r"\texttt{(A*x).diff(x)}", r"A^\top", "SymPy 1.14 output",
                            plain=("diff(A @ x, x)", "A.T")),), symbols=dict(LINEAR_SYMBOLS))


def logsumexp_gradient_derivation() -> Derivation:
    """The gradient of log-sum-exp is softmax (chain rule on 1^T e^z)."""
    return Derivation((
        Step(r"d\log\mathbf 1^\top e^z", r"\frac{(e^z)^\top dz}{\mathbf 1^\top e^z}", "chain rule",
             plain=("diff(log(ones(n).T @ exp(z)), z).T @ h", "exp(z).T @ h/(ones(n).T @ exp(z))")),
        Step(r"\nabla_z\log\mathbf 1^\top e^z", r"\frac{e^z}{\mathbf 1^\top e^z}", "the coefficient of $dz$",
             plain=("diff(log(ones(n).T @ exp(z)), z)", "exp(z)/(ones(n).T @ exp(z))")),
        Step(r"\frac{e^z}{\mathbf 1^\top e^z}", r"\operatorname{softmax}(z)", "definition of softmax",
             plain=("exp(z)/(ones(n).T @ exp(z))", "softmax(z)")),
    ), symbols=dict(LSE_SYMBOLS))


def sympy_logsumexp_derivation() -> Derivation:
    """SymPy 1.14's output for the gradient of log(1^T exp(x)): a silent 0 (an erratum)."""
    return Derivation((Step(r"\texttt{log(Trace(OneMatrix(1, n)*x.applyfunc(exp))).diff(x)}", "0",
                            "SymPy 1.14 output", plain=("diff(log(trace(ones(n).T @ exp(x))), x)", "0")),),
                      symbols={"n": "integer in [1, 5]", "x": "vector n"})
