r"""Implicit parameterization of linear values (Gehring et al., NeurIPS 2021, §2.3, §3).

The linear weights :math:`\hat\theta` solve the constraint (eq. 2)

.. math:: h(\hat\theta; w, F) = w + \eta\,\sigma(F)\hat\theta - \hat\theta = 0,
          \qquad \hat\theta = A^{-1} w,\quad A = I - \eta\,\sigma(F),

with :math:`\sigma` the row-wise softmax and :math:`\eta \in [0, 1)`.

This module holds the mathematics only:

* SymPy derivations (elementwise at small ``n``, matrix level for symbolic ``n``), each
  as a chain of justified :class:`~derivations.steps.Step` objects;
* the derived formulas evaluated numerically, with input validation:
  :func:`implicit_weights`, :func:`jacobian`, :func:`preconditioner`,
  :func:`preconditioner_lower_bound`.

Derived results (proofs in the step chains below):

.. math::
   \frac{\partial\hat\theta}{\partial w} = A^{-1},\qquad
   \frac{\partial\hat\theta_i}{\partial F_{kj}} = \eta\,[A^{-1}]_{ik}\,c_{kj},\qquad
   c_{kj} = \sigma_{kj}\bigl(\hat\theta_j - [\sigma\hat\theta]_k\bigr),

.. math:: P = J J^\top = A^{-1}(\eta^2 D + I)A^{-\top},\quad D = \operatorname{diag}(d),
          \ d_k = \textstyle\sum_j c_{kj}^2,
          \qquad \lambda_{\min}(P) \ge (1 + \eta\sqrt n)^{-2}.

>>> import numpy as np
>>> w, F = np.array([1.0, 0.0]), np.zeros((2, 2))
>>> implicit_weights(w, F, 0.5)
array([1.5, 0.5])
>>> P = preconditioner(w, F, 0.5)
>>> bool(np.linalg.eigvalsh(P).min() >= preconditioner_lower_bound(2, 0.5))
True
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np
import sympy as sp

from .errors import ValidationError
from .steps import Derivation, Step

__all__ = [
    "implicit_weights",
    "jacobian",
    "forward_backward",
    "preconditioner", "preconditioner_from_parts",
    "preconditioner_parts",
    "preconditioner_lower_bound",
    "ImplicitParts",
    "symbols",
    "softmax_sym",
    "softmax_derivative_sym",
    "softmax_derivative_closed_form",
    "paper_d_sym",
    "natural_d_sym",
    "ift_jacobian_sym",
    "direct_jacobian_sym",
    "A_sym",
    "theta_solution_sym",
    "jacobian_gram_sym",
    "preconditioner_sym",
    "matrix_symbols",
    "ift_matrix_level",
    "preconditioner_matrix_level",
    "jacobian_gram_matrix_level",
    "ift_jacobian_derivation",
    "softmax_symmetry_derivation",
    "preconditioner_derivation",
    "lower_bound_derivation",
]


# ---------------------------------------------------------------------------
# Input validation (the public numeric API's boundary)
# ---------------------------------------------------------------------------


def _validate(w, F, eta):

    w = np.asarray(w, dtype=float)
    F = np.asarray(F, dtype=float)
    if w.ndim != 1 or w.size == 0:
        raise ValidationError(f"w must be a non-empty vector, got shape={w.shape}")
    n = w.size
    if F.shape != (n, n):
        raise ValidationError(
            f"F must have shape (n, n) = ({n}, {n}) to match w, got shape={F.shape}"
        )
    if not np.all(np.isfinite(w)):
        raise ValidationError(f"w must be finite, got w={w!r}")
    if not np.all(np.isfinite(F)):
        raise ValidationError("F must be finite; replace inf logits by large finite ones")
    try:
        eta = float(eta)
    except (TypeError, ValueError):
        raise ValidationError(f"eta must be a real number in [0, 1), got eta={eta!r}") from None
    if not (0.0 <= eta < 1.0):
        raise ValidationError(
            f"eta={eta!r} is outside [0, 1): A = I - eta*softmax(F) is singular at eta=1"
        )
    return w, F, eta


def _softmax_rows(F: np.ndarray) -> np.ndarray:
    Z = F - F.max(axis=-1, keepdims=True)
    E = np.exp(Z)
    return E / E.sum(axis=-1, keepdims=True)


# ---------------------------------------------------------------------------
# Numeric forms of the derived formulas
# ---------------------------------------------------------------------------


class ImplicitParts(NamedTuple):
    """Intermediate quantities shared by the derived formulas."""

    S: np.ndarray  #: row-stochastic sigma(F)
    A_inv: np.ndarray  #: (I - eta S)^{-1}
    theta: np.ndarray  #: A^{-1} w
    C: np.ndarray  #: c_kj = sum_i dS_ki/dF_kj theta_i = S_kj (theta_j - (S theta)_k)
    d: np.ndarray  #: d_k = sum_j c_kj^2
    eta: float


def preconditioner_parts(w, F, eta) -> ImplicitParts:
    """The pieces of the derivation, evaluated numerically (validated inputs)."""
    w, F, eta = _validate(w, F, eta)
    n = w.size
    S = _softmax_rows(F)
    A_inv = np.linalg.inv(np.eye(n) - eta * S)
    theta = A_inv @ w
    C = S * (theta[None, :] - (S @ theta)[:, None])
    d = np.einsum("kj,kj->k", C, C)
    return ImplicitParts(S, A_inv, theta, C, d, eta)


def implicit_weights(w, F, eta) -> np.ndarray:
    r"""The implicitly parameterized weights :math:`\hat\theta = (I - \eta\sigma(F))^{-1} w`.

    Parameters
    ----------
    w : array, shape (n,)
        Rewards of the modelled Markov reward chain.
    F : array, shape (n, n)
        Unnormalised transition log-probabilities (logits), finite.
    eta : float in [0, 1)
        Internal discount factor.
    """
    w, F, eta = _validate(w, F, eta)
    return np.linalg.solve(np.eye(w.size) - eta * _softmax_rows(F), w)


def jacobian(w, F, eta):
    r"""Derived Jacobians ``(J_w, J_F)`` of :math:`\hat\theta` (implicit function theorem).

    ``J_w[i, l]`` is :math:`\partial\hat\theta_i/\partial w_l = [A^{-1}]_{il}` and
    ``J_F[i, k, j]`` is :math:`\partial\hat\theta_i/\partial F_{kj} = \eta [A^{-1}]_{ik} c_{kj}`.

    >>> J_w, J_F = jacobian([1.0, 2.0], [[0.0, 1.0], [2.0, 0.0]], 0.3)
    >>> J_w.shape, J_F.shape
    ((2, 2), (2, 2, 2))
    """
    p = preconditioner_parts(w, F, eta)
    J_F = p.eta * p.A_inv[:, :, None] * p.C[None, :, :]
    return p.A_inv, J_F


def forward_backward(w, F, eta, grad_theta_fn):
    r"""Batched forward pass and implicit-function-theorem backward pass.

    ``w`` is ``(..., n)``, ``F`` ``(..., n, n)``. Forward: :math:`\hat\theta = A^{-1}w`, one linear
    solve per batch entry. ``grad_theta_fn(theta)`` returns :math:`g = \partial L/\partial\hat\theta`;
    the backward pass is :math:`g^\top J` with :func:`jacobian`'s blocks,
    :math:`J_w = A^{-1}` and :math:`(J_F)_{ikj} = \eta[A^{-1}]_{ik}c_{kj}`:

    .. math:: \partial L/\partial w = u,\qquad \partial L/\partial F_{kj} = \eta\,u_k c_{kj},
              \qquad u = A^{-\top}g,\quad c_{kj} = \sigma_{kj}(\hat\theta_j - (\sigma\hat\theta)_k).

    Returns ``(theta, loss, grad_w, grad_F)`` where ``loss`` is whatever ``grad_theta_fn``
    returns first. No input validation: this is the inner loop of training.

    >>> import numpy as np
    >>> w, F = np.array([1.0, 2.0]), np.array([[0.0, 1.0], [2.0, 0.0]])
    >>> th, L, gw, gF = forward_backward(w, F, 0.3, lambda t: (0.5 * t @ t, t))
    >>> J_w, J_F = jacobian(w, F, 0.3)
    >>> bool(np.allclose(gw, th @ J_w) and np.allclose(gF, np.einsum("i,ikj->kj", th, J_F)))
    True
    """
    S = _softmax_rows(F)
    A = np.eye(w.shape[-1]) - eta * S
    theta = np.linalg.solve(A, w[..., None])[..., 0]
    loss, g = grad_theta_fn(theta)
    u = np.linalg.solve(np.swapaxes(A, -1, -2), g[..., None])[..., 0]
    C = S * (theta[..., None, :] - (S @ theta[..., None]))
    return theta, loss, u, eta * u[..., :, None] * C


def preconditioner(w, F, eta) -> np.ndarray:
    r"""Theorem 1's preconditioner :math:`P = A^{-1}(\eta^2 D + I)A^{-\top}`.

    Evaluated in the factorised form :math:`P = B B^\top`, :math:`B = A^{-1}G`,
    :math:`G = (\eta^2 D + I)^{1/2}` (the last step of
    :func:`preconditioner_derivation`), which costs one inverse and one symmetric
    rank-n product and is symmetric positive definite by construction.
    """
    p = preconditioner_parts(w, F, eta)
    return preconditioner_from_parts(p.A_inv, p.d, p.eta)


def preconditioner_from_parts(A_inv, d, eta) -> np.ndarray:
    r""":math:`P = A^{-1}(\eta^2 D + I)A^{-\top}` from :math:`A^{-1}` and the diagonal ``d`` of :math:`D`
    (as :math:`BB^\top`, :math:`B = A^{-1}(\eta^2D + I)^{1/2}`; no validation: the parts are the caller's).

    >>> preconditioner_from_parts(np.eye(2), np.array([1.0, 0.0]), 0.5).tolist()
    [[1.25, 0.0], [0.0, 1.0]]
    """
    B = A_inv * np.sqrt(eta**2 * d + 1.0)[None, :]
    return B @ B.T


def preconditioner_lower_bound(n: int, eta: float) -> float:
    r"""The derived constant :math:`c(n, \eta) = (1 + \eta\sqrt{n})^{-2} \le \lambda_{\min}(P)`.

    It depends on neither :math:`w` nor :math:`F`, hence not on time along any
    trajectory of gradient flow with fixed :math:`n, \eta`.

    >>> preconditioner_lower_bound(4, 0.5)
    0.25
    """

    if int(n) != n or n < 1:
        raise ValidationError(f"n={n!r} must be a positive integer")
    if not (0.0 <= float(eta) < 1.0):
        raise ValidationError(f"eta={eta!r} is outside [0, 1)")
    return float((1.0 + float(eta) * np.sqrt(n)) ** -2)


# ---------------------------------------------------------------------------
# Elementwise SymPy derivations (small n).  Logits enter as F = log u, u > 0, so
# every entry is a rational function (exact proofs in a fraction field).
# ---------------------------------------------------------------------------


@lru_cache(maxsize=None)
def symbols(n: int):
    """Symbols for size ``n``: ``u`` (n x n, u = exp F > 0), ``w``, ``t`` (theta), ``eta``."""
    u = sp.Matrix(n, n, lambda k, j: sp.Symbol(f"u_{k}{j}", positive=True))
    w = sp.Matrix(n, 1, lambda i, _: sp.Symbol(f"w_{i}", real=True))
    t = sp.Matrix(n, 1, lambda i, _: sp.Symbol(f"theta_{i}", real=True))
    eta = sp.Symbol("eta", positive=True)
    return {"u": u, "w": w, "t": t, "eta": eta}


@lru_cache(maxsize=None)
def softmax_sym(n: int) -> sp.Matrix:
    r""":math:`\sigma(F)_{kj} = u_{kj} / \sum_l u_{kl}` with :math:`u = e^F`."""
    u = symbols(n)["u"]
    return sp.Matrix(n, n, lambda k, j: u[k, j] / sum(u[k, l] for l in range(n)))


def _d_dF(expr, u_kj):
    """Derivative with respect to F_kj where u_kj = exp(F_kj): chain rule u * d/du."""
    return u_kj * sp.diff(expr, u_kj)


@lru_cache(maxsize=None)
def softmax_derivative_sym(n: int, k: int = 0) -> sp.Matrix:
    r"""``M[i, j]`` = :math:`\partial\sigma(F)_{ki}/\partial F_{kj}` by differentiation."""
    S, u = softmax_sym(n), symbols(n)["u"]
    return sp.Matrix(n, n, lambda i, j: sp.cancel(_d_dF(S[k, i], u[k, j])))


@lru_cache(maxsize=None)
def softmax_derivative_closed_form(n: int, k: int = 0) -> sp.Matrix:
    r"""The derived closed form :math:`\sigma_{ki}(\delta_{ij} - \sigma_{kj})`."""
    S = softmax_sym(n)
    return sp.Matrix(n, n, lambda i, j: S[k, i] * (sp.KroneckerDelta(i, j) - S[k, j]))


def paper_d_sym(n: int) -> sp.Matrix:
    r"""Theorem 1's :math:`d_k = \sum_i(\sum_j \partial\sigma_{ki}/\partial F_{kj}\,\theta_j)^2`."""
    t = symbols(n)["t"]
    out = []
    for k in range(n):
        M = softmax_derivative_sym(n, k)
        out.append(sum(sum(M[i, j] * t[j] for j in range(n)) ** 2 for i in range(n)))
    return sp.Matrix(out)


def natural_d_sym(n: int) -> sp.Matrix:
    r"""Chain-rule order :math:`d_k = \sum_j c_{kj}^2`, :math:`c_{kj} = \sum_i \partial\sigma_{ki}/\partial F_{kj}\theta_i`."""
    t = symbols(n)["t"]
    out = []
    for k in range(n):
        M = softmax_derivative_sym(n, k)
        out.append(sum(sum(M[i, j] * t[i] for i in range(n)) ** 2 for j in range(n)))
    return sp.Matrix(out)


@lru_cache(maxsize=None)
def A_sym(n: int) -> sp.Matrix:
    s = symbols(n)
    return sp.eye(n) - s["eta"] * softmax_sym(n)


@lru_cache(maxsize=None)
def theta_solution_sym(n: int) -> sp.Matrix:
    return A_sym(n).LUsolve(symbols(n)["w"])


@lru_cache(maxsize=None)
def ift_jacobian_sym(n: int, *, substitute_theta: bool = True) -> sp.Matrix:
    r"""The implicit-function-theorem Jacobian, ``n x (n + n^2)``, columns ``[w, F row-major]``.

    :math:`J = -(\partial h/\partial\theta)^{-1}\,\partial h/\partial\psi` with
    :math:`\partial h/\partial\theta = \eta\sigma(F) - I = -A`, evaluated by ``LUsolve``
    (never an explicit symbolic inverse). With ``substitute_theta`` the free
    :math:`\theta` symbols are replaced by the solution :math:`A^{-1}w`.
    """
    s = symbols(n)
    A, t, eta, w, u = A_sym(n), s["t"], s["eta"], s["w"], s["u"]
    h = w + eta * softmax_sym(n) * t - t
    dh_dpsi = sp.Matrix.hstack(
        h.jacobian(list(w)),
        sp.Matrix.hstack(*[_d_dF(h, u[k, j]) for k in range(n) for j in range(n)]),
    )
    J = A.LUsolve(dh_dpsi)  # -(-A)^{-1} dh/dpsi
    if substitute_theta:
        J = J.xreplace(dict(zip(list(t), list(theta_solution_sym(n)))))
    return J


@lru_cache(maxsize=None)
def direct_jacobian_sym(n: int) -> sp.Matrix:
    r"""Jacobian of the explicit solution :math:`A^{-1}w` by direct differentiation."""
    s = symbols(n)
    theta = theta_solution_sym(n)
    u = s["u"]
    cols = [theta.jacobian(list(s["w"]))]
    cols += [_d_dF(theta, u[k, j]) for k in range(n) for j in range(n)]
    return sp.Matrix.hstack(*cols)


@lru_cache(maxsize=None)
def preconditioner_sym(n: int) -> sp.Matrix:
    r"""Elementwise :math:`A^{-1}(\eta^2 D + I)A^{-\top}` in the symbols ``u, eta, t``."""
    s = symbols(n)
    A, eta = A_sym(n), s["eta"]
    Ainv = A.LUsolve(sp.eye(n))
    d = natural_d_sym(n)
    mid = sp.diag(*[eta**2 * d[k] + 1 for k in range(n)])
    return Ainv * mid * Ainv.T


def jacobian_gram_sym(n: int) -> sp.Matrix:
    """:math:`J J^\\top` from :func:`ift_jacobian_sym` (theta kept as free symbols)."""
    J = ift_jacobian_sym(n, substitute_theta=False)
    return J * J.T


# ---------------------------------------------------------------------------
# Matrix level (symbolic n)
# ---------------------------------------------------------------------------

_n = sp.Symbol("n", integer=True, positive=True)


@lru_cache(maxsize=None)
def matrix_symbols():
    r"""``A`` (n x n), ``C`` (n x n^2, :math:`C_{k,(k,j)} = c_{kj}`), ``dw``, ``dS``, ``theta``, ``eta``."""
    return {
        "n": _n,
        "A": sp.MatrixSymbol("A", _n, _n),
        "C": sp.MatrixSymbol("C", _n, _n**2),
        "D": sp.MatrixSymbol("D", _n, _n),
        "dw": sp.MatrixSymbol("dw", _n, 1),
        "dS": sp.MatrixSymbol("dS", _n, _n),
        "theta": sp.MatrixSymbol("theta", _n, 1),
        "eta": sp.Symbol("eta", positive=True),
    }


def ift_matrix_level():
    r"""Residual of the linearised constraint at :math:`d\theta = A^{-1}(dw + \eta\,dS\,\theta)`.

    :math:`A\,d\theta - dw - \eta\,dS\,\theta` (with :math:`A = I - \eta S`, so
    :math:`dh = dw + \eta\,dS\,\theta - A\,d\theta`) must vanish identically.
    """
    m = matrix_symbols()
    A, dw, dS, th, eta = m["A"], m["dw"], m["dS"], m["theta"], m["eta"]
    dtheta = A.I * (dw + eta * dS * th)
    return A * dtheta - dw - eta * dS * th


def jacobian_gram_matrix_level():
    r""":math:`J J^\top` with :math:`J = [A^{-1},\ \eta A^{-1} C]` (block structure from the IFT)."""
    m = matrix_symbols()
    A, C, eta = m["A"], m["C"], m["eta"]
    return A.I * A.I.T + (eta * A.I * C) * (eta * A.I * C).T


def preconditioner_matrix_level():
    r""":math:`A^{-1}(\eta^2 C C^\top + I)A^{-\top}`, using the lemma :math:`CC^\top = D`."""
    m = matrix_symbols()
    A, C, eta = m["A"], m["C"], m["eta"]
    mid = eta**2 * C * C.T + sp.Identity(m["n"])
    return A.I * mid * A.I.T


# ---------------------------------------------------------------------------
# Step chains (rendered to LaTeX by verify.latex)
# ---------------------------------------------------------------------------


# Plain forms (the answer language of ``verify steps``): the row-wise softmax of a matrix X is written
# ``exp(X) / (exp(X) @ ones(n) @ ones(n).T)`` (each entry divided by the sum of its row); theta is the
# solution A^{-1} w, not a free vector; a differential d(.) is the derivative along the path
# (w + t dw, F + t dF) at its point (W, G) (an identity at every point of every such path).
_SOFTMAX_DEFS = {
    "Sg(X)": "exp(X) / (exp(X) @ ones(n) @ ones(n).T)",
    "A(X)": "eye(n) - eta*Sg(X)",
    "th(u, X)": "inv(A(X)) @ u",
    "S": "Sg(F)",
    "theta": "th(w, F)",
}
_POINT_SYMBOLS = {
    "n": "integer in [1, 4]",
    "w": "vector n",
    "F": "matrix n x n",
    "eta": "real in [0, 1)",
}
_INDICES = {"i": "integer in [0, n - 1]", "j": "integer in [0, n - 1]", "k": "integer in [0, n - 1]"}
# c_kj = sigma_kj (theta_j - [sigma theta]_k) as the matrix Cm; C (n x n^2) has C[k, l n + j] = delta_kl c_kj
# (column (k, j) in row-major order): kron(eye(n), ones(1, n)) is delta_kl, kron(ones(1, n), Cm) is c_kj.
_C_DEFS = {
    "Cm": "S * (ones(n) @ theta.T - (S @ theta) @ ones(n).T)",
    "C": "kron(eye(n), ones(1, n)) * kron(ones(1, n), Cm)",
    "d": "(Cm * Cm) @ ones(n)",
    "D": "diag(d)",
}
_SUM_KJ = "sum(sum({}, (j, 0, n - 1)), (k, 0, n - 1))"


def ift_jacobian_derivation() -> Derivation:
    path = "th(W, G)"
    return Derivation(
        (
            Step(r"w + \eta\,\sigma(F)\,\hat\theta - \hat\theta", r"0",
                 "constraint (2), $h(\\hat\\theta; w, F) = 0$, defines $\\hat\\theta = A^{-1}w$",
                 plain=("w + eta*S @ theta - theta", "0*w")),
            Step(r"A\,d\hat\theta", r"dw + \eta\,d\sigma\,\hat\theta",
                 "differentiate the constraint: $0 = dw + \\eta\\,d\\sigma\\,\\hat\\theta - A\\,d\\hat\\theta$, "
                 "$A = I - \\eta\\sigma(F)$",
                 plain=(f"A(G) @ diff({path}, t)", f"dw + eta*diff(Sg(G), t) @ {path}")),
            Step(r"d\hat\theta", r"A^{-1}\bigl(dw + \eta\,d\sigma\,\hat\theta\bigr)",
                 "$A$ invertible: $\\|\\eta\\sigma(F)\\|_\\infty = \\eta < 1$",
                 plain=(f"diff({path}, t)", f"inv(A(G)) @ (dw + eta*diff(Sg(G), t) @ {path})")),
            Step(r"\frac{\partial \hat\theta}{\partial w}", r"A^{-1}",
                 "coefficient of $dw$", plain=("diff(theta, w)", "inv(A(F))")),
            Step(r"\frac{\partial\sigma_{ki}}{\partial F_{kj}}",
                 r"\sigma_{ki}\,(\delta_{ij} - \sigma_{kj})",
                 "quotient rule on $e^{F_{ki}}/\\sum_l e^{F_{kl}}$; other rows do not depend on $F_{kj}$",
                 plain=("diff(S[k, i], F[k, j])", "S[k, i]*(delta(i, j) - S[k, j])")),
            Step(r"\frac{\partial \hat\theta_i}{\partial F_{kj}}", r"\eta\,[A^{-1}]_{ik}\,c_{kj}",
                 "only row $k$ of $d\\sigma$ is non-zero; "
                 "$c_{kj} := \\sum_l \\frac{\\partial\\sigma_{kl}}{\\partial F_{kj}}\\hat\\theta_l$",
                 plain=("diff(theta[i], F[k, j])", "eta*inv(A(F))[i, k]*c(k, j)")),
            Step(r"c_{kj}", r"\sigma_{kj}\bigl(\hat\theta_j - [\sigma(F)\hat\theta]_k\bigr)",
                 "softmax derivative: $c_{kj} = \\sum_l \\sigma_{kl}(\\delta_{lj} - \\sigma_{kj})\\hat\\theta_l$",
                 plain=("c(k, j)", "S[k, j]*(theta[j] - (S @ theta)[k])")),
        ),
        symbols={**_POINT_SYMBOLS, **_INDICES, "dw": "vector n", "dF": "matrix n x n", "t": "real in [-1, 1]"},
        define={**_SOFTMAX_DEFS, "W": "w + t*dw", "G": "F + t*dF",
                "c(a, b)": "sum(diff(S[a, l], F[a, b])*theta[l], (l, 0, n - 1))"},
    )


def softmax_symmetry_derivation() -> Derivation:
    row_sum = "sum(exp(F[k, l]), (l, 0, n - 1))"
    quotient = (f"delta(i, j)*exp(F[k, i])/{row_sum} - exp(F[k, i])*exp(F[k, j])/{row_sum}**2")
    quotient_tex = (r"\frac{\delta_{ij}e^{F_{ki}}}{\sum_l e^{F_{kl}}} - "
                    r"\frac{e^{F_{ki}}e^{F_{kj}}}{(\sum_l e^{F_{kl}})^2}")
    paper = r"\sum_i\Bigl(\sum_j \frac{\partial\sigma_{ki}}{\partial F_{kj}}\theta_j\Bigr)^2"
    natural = r"\sum_j\Bigl(\sum_i \frac{\partial\sigma_{ki}}{\partial F_{kj}}\theta_i\Bigr)^2"
    return Derivation(
        (
            Step(r"\frac{\partial\sigma_{ki}}{\partial F_{kj}}", quotient_tex, "quotient rule",
                 plain=("diff(s(k, i), F[k, j])", quotient)),
            Step(quotient_tex, r"\sigma_{ki}\delta_{ij} - \sigma_{ki}\sigma_{kj}", "definition of $\\sigma$",
                 plain=(quotient, "s(k, i)*delta(i, j) - s(k, i)*s(k, j)")),
            Step(r"\frac{\partial\sigma_{ki}}{\partial F_{kj}}", r"\frac{\partial\sigma_{kj}}{\partial F_{ki}}",
                 "the right-hand side is symmetric in $(i, j)$",
                 plain=("diff(s(k, i), F[k, j])", "diff(s(k, j), F[k, i])")),
            Step(paper, natural, "rename $i \\leftrightarrow j$ and use the symmetry",
                 plain=("sum(sum(diff(s(k, a), F[k, b])*theta[b], (b, 0, n - 1))**2, (a, 0, n - 1))",
                        "sum(sum(diff(s(k, a), F[k, b])*theta[a], (a, 0, n - 1))**2, (b, 0, n - 1))")),
            Step(natural, r"\sum_j c_{kj}^2",
                 "definition $c_{kj} := \\sum_i \\frac{\\partial\\sigma_{ki}}{\\partial F_{kj}}\\theta_i$",
                 plain=("sum(sum(diff(s(k, a), F[k, b])*theta[a], (a, 0, n - 1))**2, (b, 0, n - 1))",
                        "sum(c(k, b)**2, (b, 0, n - 1))")),
        ),
        symbols={"n": "integer in [1, 4]", "F": "matrix n x n", "theta": "vector n", **_INDICES},
        define={"s(a, b)": "exp(F[a, b]) / sum(exp(F[a, l]), (l, 0, n - 1))",
                "c(a, b)": "sum(diff(s(a, m), F[a, b])*theta[m], (m, 0, n - 1))"},
    )


def preconditioner_derivation() -> Derivation:
    path = "th(W, G)"
    Jw, JF = "diff(theta, w)", "JF(k, j)"
    gram = f"{Jw} @ {Jw}.T + " + _SUM_KJ.format(f"{JF} @ {JF}.T")
    flow = (f"{Jw} @ (-{Jw}.T @ g) + " + _SUM_KJ.format(f"{JF} @ (-{JF}.T @ g)"))
    return Derivation(
        (
            Step(r"\frac{d\hat\theta}{dt}", r"J_w\frac{dw}{dt} + J_F\frac{dF}{dt}",
                 "chain rule along the flow",
                 plain=(f"diff({path}, t)",
                        f"diff({path}, w) @ dw + " + _SUM_KJ.format(f"diff({path}, F[k, j])*dF[k, j]"))),
            Step(r"J_w\frac{dw}{dt} + J_F\frac{dF}{dt}",
                 r"-\bigl(J_wJ_w^\top + J_FJ_F^\top\bigr)\nabla L(\hat\theta)",
                 "gradient flow: $\\dot\\psi = -J_\\psi^\\top\\nabla L(\\hat\\theta)$",
                 plain=(flow, f"-({gram}) @ g")),
            Step(r"J_wJ_w^\top + J_FJ_F^\top", r"A^{-1}A^{-\top} + \eta^2 A^{-1} C C^\top A^{-\top}",
                 "$J_w = A^{-1}$, $J_F = \\eta A^{-1}C$ with $C_{k,(k,j)} = c_{kj}$, zero elsewhere",
                 plain=(gram, "inv(A(F)) @ inv(A(F)).T + eta**2 * inv(A(F)) @ C @ C.T @ inv(A(F)).T")),
            Step(r"CC^\top", r"D",
                 "column $(k,j)$ of $C$ has one non-zero entry, in row $k$; "
                 "$D = \\operatorname{diag}(d)$, $d_k = \\sum_j c_{kj}^2$",
                 plain=("C @ C.T", "D")),
            Step(r"P", r"A^{-1}(\eta^2 D + I)A^{-\top}",
                 "collect terms, $P := J_wJ_w^\\top + J_FJ_F^\\top$ (matrix-level identity)",
                 plain=(gram, "inv(A(F)) @ (eta**2*D + eye(n)) @ inv(A(F)).T")),
            Step(r"P", r"(A^{-1}G)(A^{-1}G)^\top",
                 "factorised form used for evaluation, $G = (\\eta^2D + I)^{1/2}$",
                 plain=(gram, "(inv(A(F)) @ diag(sqrt(eta**2*d + 1))) @ (inv(A(F)) @ diag(sqrt(eta**2*d + 1))).T")),
        ),
        symbols={**_POINT_SYMBOLS, "dw": "vector n", "dF": "matrix n x n", "t": "real in [-1, 1]",
                 "g": "vector n"},
        define={**_SOFTMAX_DEFS, **_C_DEFS, "W": "w + t*dw", "G": "F + t*dF",
                "JF(a, b)": "diff(theta, F[a, b])"},
    )


def lower_bound_derivation() -> Derivation:
    # lambda_min and the spectral norm are written through quadratic forms: P >= A^{-1}A^{-T} is
    # x^T P x >= x^T A^{-1}A^{-T} x for every x, and sigma_max(A) <= 1 + eta ||sigma(F)||_2 is
    # ||A^T y|| <= ||y|| + eta ||sigma(F)^T y|| for every y (here y = A^{-T} x, so x = A^T y).
    col = "max(sum(abs(S[a, b]), (a, 0, n - 1)), (b, 0, n - 1))"  # ||sigma(F)||_1, the largest column sum
    row = "max(sum(abs(S[a, b]), (b, 0, n - 1)), (a, 0, n - 1))"  # ||sigma(F)||_inf, the largest row sum
    c = "(1 + eta*sqrt(n))**(-2)"
    return Derivation(
        (
            Step(r"x^\top P x", r"x^\top A^{-1}A^{-\top}x",
                 "for every $x$ ($P \\succeq A^{-1}A^{-\\top}$): $\\eta^2 x^\\top A^{-1} D A^{-\\top}x \\ge 0$ "
                 "since $D \\succeq 0$", relation=r"\ge",
                 plain=("x.T @ P @ x", "x.T @ inv(A(F)) @ inv(A(F)).T @ x")),
            Step(r"x^\top A^{-1}A^{-\top}x", r"\|y\|^2", "$y := A^{-\\top}x$",
                 plain=("x.T @ inv(A(F)) @ inv(A(F)).T @ x", "norm(y)**2")),
            Step(r"\|x\|", r"\|y\| + \eta\,\|\sigma(F)^\top y\|",
                 "$x = A^\\top y = y - \\eta\\sigma(F)^\\top y$; triangle inequality "
                 "($\\sigma_{\\max}(A) \\le 1 + \\eta\\|\\sigma(F)\\|_2$)", relation=r"\le",
                 plain=("norm(x)", "norm(y) + eta*norm(S.T @ y)")),
            Step(r"\|\sigma(F)^\top y\|", r"\sqrt{\|\sigma(F)\|_1\|\sigma(F)\|_\infty}\,\|y\|",
                 "$\\|M\\|_2^2 \\le \\|M\\|_1\\|M\\|_\\infty$ for $M = \\sigma(F)^\\top$", relation=r"\le",
                 plain=("norm(S.T @ y)", f"sqrt({col}*{row})*norm(y)")),
            Step(r"\sqrt{\|\sigma(F)\|_1\|\sigma(F)\|_\infty}\,\|y\|", r"\sqrt{n \cdot 1}\,\|y\|",
                 "column sums $\\le n$, row sums $= 1$", relation=r"\le",
                 plain=(f"sqrt({col}*{row})*norm(y)", "sqrt(n*1)*norm(y)")),
            Step(r"\|x\|", r"(1 + \eta\sqrt n)\,\|y\|", "the three lines above", relation=r"\le",
                 plain=("norm(x)", "(1 + eta*sqrt(n))*norm(y)")),
            Step(r"x^\top P x", r"(1 + \eta\sqrt n)^{-2}\,\|x\|^2",
                 "$x^\\top Px \\ge \\|y\\|^2$ and the line above", relation=r"\ge",
                 plain=("x.T @ P @ x", f"{c}*norm(x)**2")),
            Step(r"\lambda_{\min}(P)", r"(1 + \eta\sqrt n)^{-2}",
                 "Rayleigh quotient: the line above for every $x$; call it $c(n,\\eta)$, "
                 "independent of $w, F$, hence of $t$", relation=r"\ge",
                 unchecked="the step language lacks eigenvalues (lambda_min) and a minimum over x in a "
                           "continuous set; the line above is the same statement for every x"),
            Step(r"(1 + \eta\sqrt n)^{-2}", r"0", "$\\eta \\ge 0$", relation=">",
                 plain=(c, "0")),
        ),
        symbols={**_POINT_SYMBOLS, "x": "vector n"},
        define={**_SOFTMAX_DEFS, **_C_DEFS, "y": "inv(A(F)).T @ x",
                "P": "inv(A(F)) @ (eta**2*D + eye(n)) @ inv(A(F)).T"},
    )
