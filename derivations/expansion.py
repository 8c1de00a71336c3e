r"""Perron--Frobenius split of :math:`\sigma(F)` and the expansion of :math:`A^{-1}` (seed 001, §3.2).

For finite :math:`F` every entry of :math:`S = \sigma(F)` is positive, so :math:`S` is a
primitive row-stochastic matrix: eigenvalue 1 is simple with right eigenvector
:math:`\mathbf 1`, every other eigenvalue has modulus below 1, and the left
eigenvector :math:`v` with :math:`v^\top\mathbf 1 = 1` is the stationary distribution.

.. math::
   S = \mathbf 1 v^\top + M,\quad v^\top\mathbf 1 = 1,\ M\mathbf 1 = 0,\ v^\top M = 0,

.. math::
   A^{-1} = (I - \eta S)^{-1} = \frac{\eta}{1-\eta}\mathbf 1 v^\top + \sum_{k\ge 0}\eta^k M^k
          = \frac{\eta}{1-\eta}\mathbf 1 v^\top + (I - \eta M)^{-1},

.. math::
   P = \frac{1}{(1-\eta)^2}\,\mathbf 1\,v^\top(\eta^2 D + I)v\,\mathbf 1^\top
       + O\bigl((1-\eta)^{-1}\bigr)\quad (w, F \text{ fixed}, \eta \to 1).

>>> import numpy as np
>>> S = np.array([[0.5, 0.5], [0.25, 0.75]])
>>> v, M = perron_split(S)
>>> v
array([0.33333333, 0.66666667])
>>> np.allclose(M @ np.ones(2), 0) and np.allclose(v @ M, 0)
True
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from .implicit import _softmax_rows, _validate, preconditioner_parts
from .errors import ValidationError
from .steps import Derivation, Step

__all__ = [
    "stationary_distribution",
    "perron_split",
    "inverse_expansion",
    "inverse_series",
    "inverse_leading_action",
    "preconditioner_leading",
    "stochastic_sym",
    "stationary_sym",
    "inverse_expansion_sym",
    "inverse_direct_sym",
    "perron_split_derivation",
    "inverse_expansion_derivation",
    "leading_order_derivation",
]


def _validate_stochastic(S):

    S = np.asarray(S, dtype=float)
    if S.ndim != 2 or S.shape[0] != S.shape[1] or S.size == 0:
        raise ValidationError(f"S must be a non-empty square matrix, got shape={S.shape}")
    if not np.all(np.isfinite(S)) or np.any(S < 0):
        raise ValidationError("S must have finite non-negative entries")
    rows = S.sum(axis=1)
    if not np.allclose(rows, 1.0, rtol=0, atol=1e-12):
        i = int(np.argmax(np.abs(rows - 1)))
        raise ValidationError(f"S must be row-stochastic; row {i} sums to {rows[i]!r}, not 1")
    return S


# ---------------------------------------------------------------------------
# numeric forms of the derived formulas
# ---------------------------------------------------------------------------


def stationary_distribution(S) -> np.ndarray:
    r"""The :math:`v` with :math:`v^\top S = v^\top`, :math:`v^\top\mathbf 1 = 1`.

    Derived closed form: :math:`(I - S + \mathbf 1\mathbf 1^\top)^\top v = \mathbf 1`
    (the matrix is invertible when eigenvalue 1 of :math:`S` is simple).

    >>> stationary_distribution(np.array([[0.0, 1.0], [1.0, 0.0]]))
    array([0.5, 0.5])
    """
    S = _validate_stochastic(S)
    n = S.shape[0]
    return np.linalg.solve((np.eye(n) - S + np.ones((n, n))).T, np.ones(n))


def perron_split(S):
    r""":math:`(v, M)` with :math:`S = \mathbf 1 v^\top + M`."""
    v = stationary_distribution(S)
    return v, np.asarray(S, dtype=float) - np.outer(np.ones(len(v)), v)


def inverse_expansion(F, eta) -> np.ndarray:
    r"""Closed form :math:`\frac{\eta}{1-\eta}\mathbf 1 v^\top + (I - \eta M)^{-1}` of :math:`A^{-1}`."""
    _, F, eta = _validate(np.zeros(np.shape(F)[0]), F, eta)
    v, M = perron_split(_softmax_rows(F))
    n = len(v)
    return eta / (1 - eta) * np.outer(np.ones(n), v) + np.linalg.inv(np.eye(n) - eta * M)


def inverse_series(F, eta, terms: int) -> np.ndarray:
    r"""Truncated series :math:`\frac{\eta}{1-\eta}\mathbf 1 v^\top + \sum_{k<K}\eta^k M^k`."""

    if int(terms) != terms or terms < 1:
        raise ValidationError(f"terms={terms!r} must be a positive integer")
    _, F, eta = _validate(np.zeros(np.shape(F)[0]), F, eta)
    v, M = perron_split(_softmax_rows(F))
    n = len(v)
    total, power = np.zeros((n, n)), np.eye(n)
    for _ in range(int(terms)):
        total += power
        power = eta * (power @ M)
    return eta / (1 - eta) * np.outer(np.ones(n), v) + total


def inverse_leading_action(F, eta, x) -> np.ndarray:
    r"""Leading term of eq. (5): :math:`(1-\eta)^{-1}\mathbf 1 (v^\top x)`."""
    _, F, eta = _validate(np.zeros(np.shape(F)[0]), F, eta)
    v = stationary_distribution(_softmax_rows(F))
    return np.ones(len(v)) * (v @ np.asarray(x, dtype=float)) / (1 - eta)


def preconditioner_leading(w, F, eta) -> np.ndarray:
    r"""Leading term :math:`(1-\eta)^{-2}\,\mathbf 1 v^\top(\eta^2 D + I)v\mathbf 1^\top` of :math:`P`."""
    parts = preconditioner_parts(w, F, eta)
    v = stationary_distribution(parts.S)
    s = float(v @ ((eta**2 * parts.d + 1.0) * v))
    n = len(v)
    return s / (1 - eta) ** 2 * np.ones((n, n))


# ---------------------------------------------------------------------------
# SymPy forms: a general row-stochastic S (the identities hold for every S with
# a simple eigenvalue 1, so the softmax parameterization is not needed)
# ---------------------------------------------------------------------------


def stochastic_sym(n: int) -> sp.Matrix:
    """Row-stochastic ``S`` with free positive off-diagonal entries ``s_ij``."""
    S = sp.zeros(n, n)
    for i in range(n):
        for j in range(n):
            if i != j:
                S[i, j] = sp.Symbol(f"s_{i}{j}", positive=True)
        S[i, i] = 1 - sum(S[i, j] for j in range(n) if j != i)
    return S


def stationary_sym(S: sp.Matrix) -> sp.Matrix:
    r"""Solve :math:`(I - S + \mathbf 1\mathbf 1^\top)^\top v = \mathbf 1` by LU (no ``inv``)."""
    n = S.shape[0]
    return (sp.eye(n) - S + sp.ones(n, n)).T.LUsolve(sp.ones(n, 1))


def inverse_expansion_sym(n: int, *, eta_coeff=None, transpose_outer: bool = False) -> sp.Matrix:
    r"""The derived closed form of :math:`A^{-1}` for a symbolic stochastic ``S``."""
    eta = sp.Symbol("eta", positive=True)
    S = stochastic_sym(n)
    v = stationary_sym(S)
    one = sp.ones(n, 1)
    outer = v * one.T if transpose_outer else one * v.T
    M = S - one * v.T
    coeff = eta / (1 - eta) if eta_coeff is None else eta_coeff(eta)
    X = (sp.eye(n) - eta * M).LUsolve(sp.eye(n))
    return coeff * outer + X


def inverse_direct_sym(n: int) -> sp.Matrix:
    r""":math:`(I - \eta S)^{-1}` by LU: the reference side."""
    eta = sp.Symbol("eta", positive=True)
    S = stochastic_sym(n)
    return (sp.eye(n) - eta * S).LUsolve(sp.eye(n))


# ---------------------------------------------------------------------------
# step chains
# ---------------------------------------------------------------------------


# Plain forms (the answer language of ``verify steps``). S = sigma(F) is the row-wise softmax
# exp(F) / (exp(F) 1 1^T). The stationary distribution is computed as v^T = q^T (I - S + 1 q^T)^{-1} for a free
# probability vector q: any q with q^T 1 = 1 gives the same v when eigenvalue 1 of S is simple, so the steps
# check that this v is stationary and normalised, and the closed form of the last Perron step (q = 1) is
# checked against it, not assumed.
_SPLIT_SYMBOLS = {"n": "integer in [1, 4]", "F": "matrix n x n", "q": "probability vector n"}
_SPLIT_DEFS = {
    "S": "exp(F) / (exp(F) @ ones(n) @ ones(n).T)",
    "v": "inv(eye(n) - S + ones(n) @ q.T).T @ q",
    "M": "S - ones(n) @ v.T",
}
_ENTRY = {"i": "integer in [0, n - 1]", "j": "integer in [0, n - 1]"}


def perron_split_derivation() -> Derivation:
    entry = "exp(F[k, j])/sum(exp(F[k, l]), (l, 0, n - 1))"
    return Derivation(
        (
            Step(r"\sigma(F)_{kj}", r"e^{F_{kj}}/\textstyle\sum_l e^{F_{kl}}", "row-wise softmax",
                 plain=("S[k, j]", entry)),
            Step(r"e^{F_{kj}}/\textstyle\sum_l e^{F_{kl}}", r"0",
                 "finite $F$: every entry positive, so $S = \\sigma(F)$ is primitive", relation=">",
                 plain=(entry, "0")),
            Step(r"S\mathbf 1", r"\mathbf 1", "rows of a softmax sum to one",
                 plain=("S @ ones(n)", "ones(n)")),
            Step(r"v^\top S", r"v^\top",
                 "Perron--Frobenius: eigenvalue 1 simple, other $|\\lambda| < 1$; $v$ its left eigenvector",
                 plain=("v.T @ S", "v.T")),
            Step(r"v^\top\mathbf 1", r"1", "normalisation of $v$", plain=("v.T @ ones(n)", "1")),
            Step(r"v", r"0", "Perron--Frobenius: the eigenvector of a positive matrix is positive", relation=">",
                 plain=("v", "0*ones(n)")),
            Step(r"M", r"S - \mathbf 1 v^\top", "definition of $M$", plain=("M", "S - ones(n) @ v.T")),
            Step(r"M\mathbf 1", r"S\mathbf 1 - \mathbf 1(v^\top\mathbf 1)", "definition of $M$",
                 plain=("M @ ones(n)", "S @ ones(n) - ones(n) @ (v.T @ ones(n))")),
            Step(r"S\mathbf 1 - \mathbf 1(v^\top\mathbf 1)", r"0", "row sums and normalisation: $\\mathbf 1 - \\mathbf 1$",
                 plain=("S @ ones(n) - ones(n) @ (v.T @ ones(n))", "0*ones(n)")),
            Step(r"v^\top M", r"v^\top S - (v^\top\mathbf 1)v^\top", "definition of $M$",
                 plain=("v.T @ M", "v.T @ S - (v.T @ ones(n)) @ v.T")),
            Step(r"v^\top S - (v^\top\mathbf 1)v^\top", r"0", "stationarity and normalisation: $v^\\top - v^\\top$",
                 plain=("v.T @ S - (v.T @ ones(n)) @ v.T", "0*v.T")),
            Step(r"(I - S + \mathbf 1\mathbf 1^\top)^\top v", r"\mathbf 1",
                 "closed form used to compute $v$ (invertible: eigenvalue 1 is simple)",
                 plain=("(eye(n) - S + ones(n) @ ones(n).T).T @ v", "ones(n)")),
        ),
        symbols={**_SPLIT_SYMBOLS, "k": "integer in [0, n - 1]", "j": "integer in [0, n - 1]"},
        define=dict(_SPLIT_DEFS),
    )


def inverse_expansion_derivation() -> Derivation:
    one_v = "(ones(n) @ v.T)"
    S_series = "sum(eta**m * matrix_power(S, m)[i, j], (m, 0, oo))"
    M_series = "sum(eta**m * matrix_power(M, m)[i, j], (m, 0, oo))"
    split = (f"delta(i, j) + sum(eta**m * {one_v}[i, j], (m, 1, oo)) "
             f"+ sum(eta**m * matrix_power(M, m)[i, j], (m, 1, oo))")
    return Derivation(
        (
            Step(r"(\mathbf 1 v^\top)(\mathbf 1 v^\top)", r"\mathbf 1(v^\top\mathbf 1)v^\top", "associativity",
                 plain=(f"{one_v} @ {one_v}", "ones(n) @ (v.T @ ones(n)) @ v.T")),
            Step(r"\mathbf 1(v^\top\mathbf 1)v^\top", r"\mathbf 1 v^\top", "normalisation $v^\\top\\mathbf 1 = 1$",
                 plain=("ones(n) @ (v.T @ ones(n)) @ v.T", one_v)),
            Step(r"\mathbf 1 v^\top M", r"0", "$v^\\top M = 0$", plain=(f"{one_v} @ M", "0*eye(n)")),
            Step(r"M\mathbf 1 v^\top", r"0", "$M\\mathbf 1 = 0$", plain=(f"M @ {one_v}", "0*eye(n)")),
            Step(r"S^k", r"\mathbf 1 v^\top + M^k\quad (k \ge 1)", "binomial expansion: cross terms vanish",
                 plain=("matrix_power(S, k)", f"{one_v} + matrix_power(M, k)")),
            Step(r"A^{-1}", r"\sum_{k\ge0}\eta^k S^k", "Neumann series, $\\|\\eta S\\|_\\infty = \\eta < 1$",
                 plain=("inv(A)[i, j]", S_series)),
            Step(r"A^{-1}", r"I + \sum_{k\ge1}\eta^k\mathbf 1 v^\top + \sum_{k\ge1}\eta^k M^k",
                 "substitute $S^k$ for $k \\ge 1$", plain=("inv(A)[i, j]", split)),
            Step(r"A^{-1}", r"\frac{\eta}{1-\eta}\mathbf 1 v^\top + \sum_{k\ge0}\eta^k M^k",
                 "geometric sum; $I = \\eta^0 M^0$ joins the $M$ series",
                 plain=("inv(A)[i, j]", f"eta/(1 - eta) * {one_v}[i, j] + {M_series}")),
            Step(r"\sum_{k\ge0}\eta^k M^k", r"(I - \eta M)^{-1}",
                 "spectrum of $M$: $0$ and the eigenvalues of $S$ other than 1, all $|\\lambda| < 1$",
                 plain=(M_series, "inv(eye(n) - eta*M)[i, j]")),
            Step(r"A^{-1}x", r"\frac{1}{1-\eta}\mathbf 1(v^\top x) + \bigl[(I - \eta M)^{-1} - \mathbf 1v^\top\bigr]x",
                 "$\\frac{\\eta}{1-\\eta} = \\frac{1}{1-\\eta} - 1$",
                 plain=("inv(A) @ x", f"1/(1 - eta) * ones(n) @ (v.T @ x) + (inv(eye(n) - eta*M) - {one_v}) @ x")),
            Step(r"\bigl\|(I - \eta M)^{-1} - \mathbf 1 v^\top\bigr\|",
                 r"O(1)\quad(\eta\to1,\ F\ \text{fixed})",
                 "$I - M$ is invertible, so $(I - \\eta M)^{-1}$ stays bounded near $\\eta = 1$ ($h = 1 - \\eta$)",
                 plain=(f"norm(inv(eye(n) - (1 - h)*M) - {one_v})", "O(1)")),
        ),
        symbols={**_SPLIT_SYMBOLS, **_ENTRY, "eta": "real in [0, 1)", "k": "integer in [1, 12]",
                 "x": "vector n", "h": "positive -> 0"},
        define={**_SPLIT_DEFS, "A": "eye(n) - eta*S"},
    )


def leading_order_derivation() -> Derivation:
    # eta -> 1 is written eta = 1 - h, h -> 0 (w, F fixed): the O-steps evaluate the eta-dependent
    # quantities at e = 1 - h; the exact identity of the first step is checked at every eta in [0, 1).
    weights = "((1 - h)**2*D(1 - h) + eye(n))"
    return Derivation(
        (
            Step(r"A^{-1}", r"\frac{1}{1-\eta}\mathbf 1 v^\top + N(\eta)",
                 "eq. (5), $F$ fixed; $N(\\eta) := (I-\\eta M)^{-1} - \\mathbf 1 v^\\top$",
                 plain=("inv(A(eta))", "1/(1 - eta) * ones(n) @ v.T + N(eta)")),
            Step(r"N(\eta)", r"O(1)", "eq. (5): bounded as $\\eta \\to 1$ ($h = 1 - \\eta \\to 0$)",
                 plain=("N(1 - h)", "O(1)")),
            Step(r"\hat\theta", r"\frac{v^\top w}{1-\eta}\mathbf 1 + O(1)", "$\\hat\\theta = A^{-1}w$, $w$ fixed",
                 plain=("theta(1 - h)", "(v.T @ w)/h * ones(n) + O(1)")),
            Step(r"c_{kj}", r"O(1)",
                 "$c_{kj} = \\sigma_{kj}(\\hat\\theta_j - [\\sigma\\hat\\theta]_k)$: the $\\mathbf 1$ component "
                 "cancels, rows of $\\sigma$ sum to one", plain=("Cm(1 - h)", "O(1)")),
            Step(r"\eta^2 D + I", r"O(1)", "$d_k = \\sum_j c_{kj}^2$", plain=(weights, "O(1)")),
            Step(r"P",
                 r"\frac{1}{(1-\eta)^2}\mathbf 1 v^\top(\eta^2D+I)v\mathbf 1^\top + O\bigl((1-\eta)^{-1}\bigr)",
                 "$P = A^{-1}(\\eta^2D+I)A^{-\\top}$; expand the product: one $N$ factor costs one power of "
                 "$(1-\\eta)^{-1}$",
                 plain=(f"inv(A(1 - h)) @ {weights} @ inv(A(1 - h)).T",
                        f"(v.T @ {weights} @ v)/h**2 * ones(n) @ ones(n).T + O(1/h)")),
        ),
        symbols={**_SPLIT_SYMBOLS, "w": "vector n", "eta": "real in [0, 1)", "h": "positive -> 0"},
        define={**_SPLIT_DEFS, "A(e)": "eye(n) - e*S", "N(e)": "inv(eye(n) - e*M) - ones(n) @ v.T",
                "theta(e)": "inv(A(e)) @ w", "Cm(e)": "S * (ones(n) @ theta(e).T - (S @ theta(e)) @ ones(n).T)",
                "D(e)": "diag((Cm(e) * Cm(e)) @ ones(n))"},
    )
