r"""Gradients through stacked activations, an RNN Jacobian, and attention costs (seed 004 §1).

* Sigmoid chain :math:`f = \sigma^{\circ n}` (unit weights, no biases):
  :math:`|f'(x)| = \prod_{t=1}^n \sigma'(x_t) \le (1/4)^n`, attained only for
  :math:`n = 1` (every inner layer sees :math:`x_t = \sigma(\cdot) > 0`, where
  :math:`\sigma' < 1/4`).
* Tanh chain: :math:`|f'(x)| \le 1`, attained at :math:`x = 0` for every :math:`n`.
* RNN :math:`x_{t+1} = \tanh(Wx_t)`, :math:`\sigma_{\max}(W) = 1/2`:
  :math:`\partial x_n/\partial x_1` is a product of :math:`n - 1` layer Jacobians, so
  :math:`\sigma_{\max}(\partial x_n/\partial x_1) \le (1/2)^{n-1}`, attained at
  :math:`x_1 = 0`; the assignment's :math:`(1/2)^n` is false.
* Attention :math:`\mathrm{softmax}(QK^\top/\sqrt d)V` costs :math:`2n^2d` multiply-adds
  (plus :math:`n^2` exponentials); with the SVD of a rank-:math:`k` :math:`P`,
  :math:`PV = U_k(\Sigma_k(V_k^\top V))` costs :math:`2nkd + kd` (:func:`low_rank_cost`).

>>> sigmoid_chain_bound(2), tanh_chain_bound(5), rnn_jacobian_bound(3)
(0.0625, 1.0, 0.25)
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from .steps import Derivation, Step

__all__ = [
    "sigmoid_chain_bound",
    "tanh_chain_bound",
    "rnn_jacobian_bound",
    "rnn_jacobian_bound_as_written",
    "rnn_jacobian",
    "rnn_jacobian_sym",
    "attention_cost",
    "low_rank_cost",
    "low_rank_attention",
    "projection_matrices",
    "sigmoid_chain_derivation",
    "tanh_chain_derivation",
    "rnn_derivation",
    "attention_cost_derivation",
    "low_rank_derivation",
    "projection_derivation",
]


def sigmoid_chain_bound(n: int) -> float:
    """:math:`(1/4)^n`."""
    return 0.25 ** n


def tanh_chain_bound(n: int) -> float:
    """:math:`1` for every depth."""
    return 1.0


def rnn_jacobian_bound(n: int, s: float = 0.5) -> float:
    r"""Derived: :math:`s^{n-1}` for :math:`\sigma_{\max}(W) = s` (``n - 1`` layer Jacobians)."""
    return s ** (n - 1)


def rnn_jacobian_bound_as_written(n: int, s: float = 0.5) -> float:
    r"""The assignment's :math:`s^n`."""
    return s ** n


def rnn_jacobian(W, x1, n: int) -> np.ndarray:
    r""":math:`\partial x_n/\partial x_1 = \prod_{t=n-1}^{1}\operatorname{diag}(1 - x_{t+1}^2)\,W`."""
    W = np.asarray(W, dtype=float)
    x = np.asarray(x1, dtype=float)
    J = np.eye(len(x))
    for _ in range(n - 1):
        x = np.tanh(W @ x)
        J = (1.0 - x**2)[:, None] * (W @ J)
    return J


def rnn_jacobian_sym(d: int, n: int) -> tuple:
    """SymPy: the chain-rule product for symbolic ``W`` (d x d) and ``x_1``; returns (J, W, x1)."""
    W = sp.Matrix(d, d, lambda i, j: sp.Symbol(f"w_{i}{j}", real=True))
    x1 = sp.Matrix([sp.Symbol(f"x_{i}", real=True) for i in range(d)])
    x, J = x1, sp.eye(d)
    for _ in range(n - 1):
        x = (W * x).applyfunc(sp.tanh)
        J = sp.diag(*[1 - xi**2 for xi in x]) * W * J
    return J, W, x1


def attention_cost(n: int, d: int) -> dict:
    r"""Operation counts of :math:`\mathrm{softmax}(QK^\top/\sqrt d)V`, :math:`Q, K, V \in \mathbb R^{n\times d}`."""
    return {"multiply_adds": 2 * n * n * d, "exponentials": n * n, "divisions": n * n + n * n}


def low_rank_cost(n: int, k: int, d: int) -> dict:
    r"""Counts of :math:`U_k(\Sigma_k(V_k^\top V))` given the SVD factors: :math:`V_k^\top V` is
    :math:`knd`, scaling by :math:`\Sigma_k` is :math:`kd`, :math:`U_k(\cdot)` is :math:`nkd`."""
    return {"multiply_adds": 2 * n * k * d + k * d}


def low_rank_attention(U, s, Vt, V) -> np.ndarray:
    r""":math:`PV` from the SVD :math:`P = U\operatorname{diag}(s)V_t`, in :math:`O(nkd)`."""
    return U @ (s[:, None] * (Vt @ V))


def projection_matrices(P, k: int):
    r"""``C = D = Ṽᵀ`` (top-``k`` right singular vectors of ``P``, as ``k x n``)."""
    _, _, Vt = np.linalg.svd(P)
    return Vt[:k], Vt[:k]


# ---------------------------------------------------------------------------
# step chains
# ---------------------------------------------------------------------------


def sigmoid_chain_derivation() -> Derivation:
    return Derivation(
        (
            Step(r"f'(x)", r"\prod_{t=1}^{n}\sigma'(x_t),\quad x_1 = x,\ x_{t+1} = \sigma(x_t)", "chain rule, unit weights"),
            Step(r"\sigma'(u)", r"\sigma(u)(1-\sigma(u)) \le \tfrac14", "AM--GM; equality iff $u = 0$",
                 relation=r"\le"),
            Step(r"|f'(x)|", r"(1/4)^n", "multiply the $n$ factors", relation=r"\le"),
            Step(r"x_t", r"\sigma(x_{t-1}) > 0\quad (t \ge 2)", "so $\\sigma'(x_t) < 1/4$: attained only for $n = 1$",
                 relation=r"\Longrightarrow"),
        )
    )


def tanh_chain_derivation() -> Derivation:
    return Derivation(
        (
            Step(r"f'(x)", r"\prod_{t=1}^{n}\tanh'(x_t)", "chain rule, unit weights"),
            Step(r"\tanh'(u)", r"1 - \tanh^2(u) \le 1", "equality iff $u = 0$", relation=r"\le"),
            Step(r"|f'(x)|", r"1", "multiply", relation=r"\le"),
            Step(r"f'(0)", r"1", "$\\tanh(0) = 0$: every layer sees 0; the gradient need not vanish"),
        )
    )


def rnn_derivation() -> Derivation:
    return Derivation(
        (
            Step(r"\frac{\partial x_n}{\partial x_1}", r"\prod_{t=n-1}^{1}\frac{\partial x_{t+1}}{\partial x_t}",
                 "chain rule: $n - 1$ factors from $x_1$ to $x_n$"),
            Step(r"\frac{\partial x_{t+1}}{\partial x_t}", r"\operatorname{diag}\bigl(1 - x_{t+1}^2\bigr)\,W",
                 "derivative of elementwise $\\tanh$"),
            Step(r"\sigma_{\max}\Bigl(\frac{\partial x_{t+1}}{\partial x_t}\Bigr)", r"1\cdot\sigma_{\max}(W) = \tfrac12",
                 "$\\sigma_{\\max}(AB) \\le \\sigma_{\\max}(A)\\sigma_{\\max}(B)$", relation=r"\le"),
            Step(r"\sigma_{\max}\Bigl(\frac{\partial x_n}{\partial x_1}\Bigr)", r"(1/2)^{n-1}",
                 "submultiplicativity over $n - 1$ factors", relation=r"\le"),
            Step(r"\frac{\partial x_n}{\partial x_1}\Big|_{x_1 = 0}", r"W^{n-1}",
                 "$x_t = 0$ for all $t$; with $W = \\tfrac12 I$ the bound $(1/2)^{n-1}$ is attained, so $(1/2)^n$ is false"),
        )
    )


def attention_cost_derivation() -> Derivation:
    return Derivation(
        (
            Step(r"QK^\top", r"n \cdot n \cdot d\ \text{multiply-adds}", "$n^2$ entries, each a length-$d$ dot product"),
            Step(r"\mathrm{softmax}(\cdot/\sqrt d)", r"n^2\ \text{exponentials},\ 2n^2\ \text{divisions}",
                 "scale, exponentiate and normalise each entry"),
            Step(r"PV", r"n \cdot d \cdot n\ \text{multiply-adds}", "$nd$ entries, each a length-$n$ dot product"),
            Step(r"\text{total}", r"2n^2d + O(n^2) = \Theta(n^2 d)", "quadratic in the sequence length $n$"),
        )
    )


def low_rank_derivation() -> Derivation:
    return Derivation(
        (
            Step(r"P", r"U_k\Sigma_kV_k^\top", "rank $k$: the SVD keeps $k$ singular triplets"),
            Step(r"PV", r"U_k\bigl(\Sigma_k(V_k^\top V)\bigr)", "associativity"),
            Step(r"\text{cost}", r"knd + kd + nkd = O(nkd)", "$k\\times n$ by $n\\times d$; scale $k$ rows; $n\\times k$ by $k\\times d$"),
        )
    )


def projection_derivation() -> Derivation:
    return Derivation(
        (
            Step(r"P = QK^\top", r"\tilde U\Sigma\tilde V^\top,\ \tilde V^\top\tilde V = I_k", "rank-$k$ SVD"),
            Step(r"Q(CK)^\top DV", r"QK^\top C^\top DV", "transpose of a product"),
            Step(r"QK^\top C^\top DV", r"\tilde U\Sigma\tilde V^\top\tilde V\tilde V^\top V", "$C = D = \\tilde V^\\top$"),
            Step(r"\tilde U\Sigma\tilde V^\top\tilde V\tilde V^\top V", r"\tilde U\Sigma\tilde V^\top V = PV",
                 "orthonormal columns"),
            Step(r"\text{cost}", r"O(nkd)", "$CK$, $DV$: $knd$ each; $Q(CK)^\\top$: $ndk$; product: $nkd$"),
        )
    )
