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


# The step checker cannot differentiate through a recursion: with ``define X[j + 1] = sigmoid(X[j])``,
# ``diff(X[n], x)`` evaluates to 0 (its sequence cache is shared by the perturbed evaluations of the finite
# difference), and a composition of depth n has no other plain form. The chain-rule steps say so.
_CHAIN_RULE_GAP = ("the step language cannot differentiate a depth-$n$ composition: the only plain form of "
                   "$x_n(x_1)$ is a recursion (define X[j + 1] = ...), and diff(X[n], x) through a "
                   "recursion evaluates to 0 in the step checker (its sequence cache ignores the perturbed x)")

# Chains of n unit-weight layers, 0-based: X[j] is the input after j layers, so x_t = X[t - 1] and f(x) = X[n].
_CHAIN_SYMBOLS = {"x": "real", "u": "real", "n": "integer in [1, 8]", "t": "integer in [2, 12]"}


def _chain_derivation(act: str, act_tex: str, dact: str, tail: tuple, extra_define: dict) -> Derivation:
    """The chain rule through ``n`` unit-weight layers ``act``, then ``tail``.

    ``dact(e)`` is the plain form of act'(e). The chain rule is checked in two steps: through one layer (the input
    x_t of layer t is an abstract smooth function g of x) and then unrolled: D[j] is dx_{j+1}/dx computed with that
    rule from dx_1/dx = 1, and must equal the product of the n factors.
    """
    g = "g(x)"
    return Derivation(
        (
            Step(r"\frac{dx_{t+1}}{dx}", rf"{act_tex}'(x_t)\,\frac{{dx_t}}{{dx}}",
                 rf"chain rule through layer $t$, unit weight: $x_{{t+1}} = {act_tex}(x_t)$",
                 plain=(f"diff({act}({g}), x)", f"{dact(g)}*diff({g}, x)")),
            Step(r"f'(x)", rf"\prod_{{t=1}}^{{n}}{act_tex}'(x_t)", r"unroll from $x_1 = x$ to $f = x_{n+1}$",
                 plain=("D[n]", f"prod({dact('X[k - 1]')}, (k, 1, n))")),
        ) + tail,
        symbols=dict(_CHAIN_SYMBOLS),
        functions={"g": "smooth"},
        define={"X[0]": "x", "X[j + 1]": f"{act}(X[j])", "D[0]": "1", "D[j + 1]": f"{dact('X[j]')}*D[j]",
                **extra_define},
    )


def _dsig(e: str) -> str:
    return f"sigmoid({e})*(1 - sigmoid({e}))"


def _dtanh(e: str) -> str:
    return f"(1 - tanh({e})**2)"


def sigmoid_chain_derivation() -> Derivation:
    prod = f"abs(prod({_dsig('X[k - 1]')}, (k, 1, n)))"
    return _chain_derivation("sigmoid", r"\sigma", _dsig, (
        Step(r"\sigma'(u)", r"\sigma(u)\bigl(1-\sigma(u)\bigr)", "derivative of the logistic function",
             plain=("diff(sigmoid(u), u)", "sigmoid(u)*(1 - sigmoid(u))")),
        Step(r"\sigma(u)\bigl(1-\sigma(u)\bigr)", r"\tfrac14", "AM--GM; equality iff $u = 0$", relation=r"\le",
             plain=("sigmoid(u)*(1 - sigmoid(u))", "1/4")),
        Step(r"\Bigl|\prod_{t=1}^{n}\sigma'(x_t)\Bigr|", r"(1/4)^n", "multiply the $n$ factors, each in $(0, 1/4]$",
             relation=r"\le", plain=(prod, "(1/4)**n")),
        Step(r"x_t", "0", r"$x_t = \sigma(x_{t-1})$ for $t \ge 2$", relation=">", plain=("X[t - 1]", "0")),
        Step(r"x_t > 0", r"\sigma'(x_t) < \tfrac14", "equality in AM--GM only at $0$", relation=r"\Longrightarrow",
             plain=("X[t - 1] > 0", f"{_dsig('X[t - 1]')} < 1/4")),
        Step(r"n \ge 2", r"\Bigl|\prod_{t=1}^{n}\sigma'(x_t)\Bigr| < (1/4)^n",
             "the factor $t = 2$ is $< 1/4$: the bound is attained only for $n = 1$", relation=r"\Longrightarrow",
             plain=("n >= 2", f"{prod} < (1/4)**n")),
        Step(r"\sigma'(0)", r"\tfrac14", "so for $n = 1$ the bound is attained, at $x = 0$",
             plain=(_dsig("0"), "1/4")),
    ), {})


def tanh_chain_derivation() -> Derivation:
    return _chain_derivation("tanh", r"\tanh", _dtanh, (
        Step(r"\tanh'(u)", r"1 - \tanh^2(u)", "derivative of $\\tanh$", plain=("diff(tanh(u), u)", "1 - tanh(u)**2")),
        Step(r"1 - \tanh^2(u)", r"1", "equality iff $u = 0$", relation=r"\le", plain=("1 - tanh(u)**2", "1")),
        Step(r"\Bigl|\prod_{t=1}^{n}\tanh'(x_t)\Bigr|", r"1", "multiply the $n$ factors, each in $(0, 1]$",
             relation=r"\le", plain=(f"abs(prod({_dtanh('X[k - 1]')}, (k, 1, n)))", "1")),
        Step(r"x_t\big|_{x = 0}", "0", "$\\tanh(0) = 0$: every layer sees 0", plain=("Z[t - 1]", "0")),
        Step(r"\prod_{t=1}^{n}\tanh'(x_t)\Big|_{x = 0}", r"1", "$\\tanh'(0) = 1$: so $f'(0) = 1$, the gradient need not vanish",
             plain=(f"prod({_dtanh('Z[k - 1]')}, (k, 1, n))", "1")),
    ), {"Z[0]": "0", "Z[j + 1]": "tanh(Z[j])"})


def _cayley(B: str) -> str:
    """Plain form of the Cayley transform of ``B``'s skew part: an exactly orthogonal matrix."""
    return f"(eye(d) - ({B} - {B}.T)/2) @ inv(eye(d) + ({B} - {B}.T)/2)"


def rnn_derivation() -> Derivation:
    # W = U diag(s) V^T with U, V orthogonal (Cayley transforms) and singular values s = p / (2 max p): every W with
    # sigma_max(W) = max(s) = 1/2. sigma_max(M) <= c is written "||M v|| <= c ||v|| for every vector v".
    # 0-based sequences: X[j] = x_{j+1}; J[j] = prod_{t=j}^{1} diag(1 - x_{t+1}^2) W (so J[n - 1] is the product for
    # dx_n/dx_1); Z, K: the same at x_1 = 0. The one-layer steps write x_t as a free vector y.
    jac = "diag(ones(d) - tanh(W @ y)**2) @ W"
    return Derivation(
        (
            Step(r"\frac{\partial x_n}{\partial x_1}", r"\prod_{t=n-1}^{1}\frac{\partial x_{t+1}}{\partial x_t}",
                 "chain rule: $n - 1$ factors from $x_1$ to $x_n$",
                 unchecked=_CHAIN_RULE_GAP),
            Step(r"\frac{\partial x_{t+1}}{\partial x_t}", r"\operatorname{diag}\bigl(1 - x_{t+1}^2\bigr)\,W",
                 "derivative of elementwise $\\tanh$", plain=("diff(tanh(W @ y), y)", jac)),
            Step(r"\sigma_{\max}\Bigl(\frac{\partial x_{t+1}}{\partial x_t}\Bigr)",
                 r"\sigma_{\max}\bigl(\operatorname{diag}(1 - x_{t+1}^2)\bigr)\,\sigma_{\max}(W)",
                 "$\\sigma_{\\max}(AB) \\le \\sigma_{\\max}(A)\\sigma_{\\max}(B)$", relation=r"\le",
                 plain=(f"norm({jac} @ v)", "max(ones(d) - tanh(W @ y)**2)*max(s)*norm(v)")),
            Step(r"\sigma_{\max}\bigl(\operatorname{diag}(1 - x_{t+1}^2)\bigr)\,\sigma_{\max}(W)", r"1\cdot\sigma_{\max}(W)",
                 "$0 < 1 - x_{t+1}^2 \\le 1$", relation=r"\le",
                 plain=("max(ones(d) - tanh(W @ y)**2)*max(s)", "1*max(s)")),
            Step(r"1\cdot\sigma_{\max}(W)", r"\tfrac12", "assumption", plain=("1*max(s)", "1/2")),
            Step(r"\sigma_{\max}\Bigl(\frac{\partial x_n}{\partial x_1}\Bigr)", r"(1/2)^{n-1}",
                 "submultiplicativity over $n - 1$ factors", relation=r"\le",
                 plain=("norm(J[n - 1] @ v)", "(1/2)**(n - 1)*norm(v)")),
            Step(r"x_t\big|_{x_1 = 0}", "0", "$\\tanh(W\\cdot 0) = 0$ for all $t$", plain=("Z[t - 1]", "0*ones(d)")),
            Step(r"\frac{\partial x_n}{\partial x_1}\Big|_{x_1 = 0}", r"W^{n-1}",
                 "every factor is $\\operatorname{diag}(1 - 0)\\,W$", plain=("K[n - 1]", "matrix_power(W, n - 1)")),
            Step(r"\sigma_{\max}\bigl((\tfrac12 I)^{n-1}\bigr)", r"(1/2)^{n-1}",
                 "with $W = \\tfrac12 I$ the bound is attained", plain=("norm(matrix_power(eye(d)/2, n - 1) @ v)",
                                                                         "(1/2)**(n - 1)*norm(v)")),
            Step(r"(1/2)^{n-1}", r"(1/2)^n", "so the assignment's $(1/2)^n$ is false", relation=">",
                 plain=("(1/2)**(n - 1)", "(1/2)**n")),
        ),
        symbols={"d": "integer in [1, 4]", "n": "integer in [2, 6]", "t": "integer in [1, n]", "x": "vector d",
                 "y": "vector d", "v": "vector d", "A": "matrix d x d", "B": "matrix d x d", "p": "positive vector d"},
        define={"U": _cayley("A"), "V": _cayley("B"), "s": "p/(2*max(p))", "W": "U @ diag(s) @ V.T",
                "X[0]": "x", "X[j + 1]": "tanh(W @ X[j])",
                "J[0]": "eye(d)", "J[j + 1]": "diag(ones(d) - X[j + 1]**2) @ W @ J[j]",
                "Z[0]": "0*x", "Z[j + 1]": "tanh(W @ Z[j])",
                "K[0]": "eye(d)", "K[j + 1]": "diag(ones(d) - Z[j + 1]**2) @ W @ K[j]"},
    )


def attention_cost_derivation() -> Derivation:
    return Derivation(
        (
            Step(r"\textstyle\sum_{i=1}^{n}\sum_{j=1}^{n} d", r"n^2 d",
                 "multiply-adds of $QK^\\top$: $n^2$ entries, each a length-$d$ dot product",
                 plain=("sum(sum(d, (j, 1, n)), (i, 1, n))", "n**2*d")),
            Step(r"\textstyle\sum_{i=1}^{n}\sum_{j=1}^{n} 1", r"n^2",
                 "exponentials: one per entry of $QK^\\top/\\sqrt d$",
                 plain=("sum(sum(1, (j, 1, n)), (i, 1, n))", "n**2")),
            Step(r"n^2 + n^2", r"2n^2", "divisions: scale each entry by $\\sqrt d$, then normalise it",
                 plain=("n**2 + n**2", "2*n**2")),
            Step(r"\textstyle\sum_{i=1}^{n}\sum_{j=1}^{d} n", r"n^2 d",
                 "multiply-adds of $PV$: $nd$ entries, each a length-$n$ dot product",
                 plain=("sum(sum(n, (j, 1, d)), (i, 1, n))", "n**2*d")),
            Step(r"n^2d + n^2d", r"2n^2d", "multiply-adds in all", plain=("n**2*d + n**2*d", "2*n**2*d")),
            Step(r"2n^2d + n^2 + 2n^2", r"5n^2d", "all operations; $d \\ge 1$: $O(n^2d)$", relation=r"\le",
                 plain=("2*n**2*d + n**2 + 2*n**2", "5*n**2*d")),
            Step(r"2n^2d + n^2 + 2n^2", r"2n^2d", "so $\\Theta(n^2 d)$: quadratic in the sequence length $n$",
                 relation=r"\ge", plain=("2*n**2*d + n**2 + 2*n**2", "2*n**2*d")),
        ),
        symbols={"n": "integer in [1, 1000]", "d": "integer in [1, 1000]"},
    )


# Sizes for the SVD steps: E (n x k) selects the first k columns, so U E and R E have orthonormal columns when U, R
# are orthogonal (Cayley transforms of the skew parts of A, B).
_SELECT = "sum(outer(eye(n)[i], eye(k)[i]), (i, 0, k - 1))"


def _cayley_n(B: str) -> str:
    return f"(eye(n) - ({B} - {B}.T)/2) @ inv(eye(n) + ({B} - {B}.T)/2)"


def low_rank_derivation() -> Derivation:
    # P = U Sigma R^T, the full SVD of a rank-k P: Sigma = E diag(sk) E^T has k non-zero singular values sk.
    return Derivation(
        (
            Step(r"P", r"U_k\Sigma_kV_k^\top",
                 "rank $k$: in the SVD $P = U\\Sigma V^\\top$ only $k$ singular values are non-zero; keep those triplets",
                 plain=("P", "Uk @ diag(sk) @ Vk.T")),
            Step(r"PV", r"U_k\bigl(\Sigma_k(V_k^\top V)\bigr)", "associativity",
                 plain=("Uk @ diag(sk) @ Vk.T @ V", "Uk @ (diag(sk) @ (Vk.T @ V))")),
            Step(r"knd + kd + nkd", r"2nkd + kd",
                 "cost: $k\\times n$ by $n\\times d$; scale $k$ rows; $n\\times k$ by $k\\times d$",
                 plain=("k*n*d + k*d + n*k*d", "2*n*k*d + k*d")),
            Step(r"2nkd + kd", r"3nkd", "$n \\ge 1$: $O(nkd)$", relation=r"\le",
                 plain=("2*n*k*d + k*d", "3*n*k*d")),
        ),
        symbols={"n": "integer in [1, 4]", "k": "integer in [1, n]", "d": "integer in [1, 4]",
                 "A": "matrix n x n", "B": "matrix n x n", "sk": "positive vector k", "V": "matrix n x d"},
        define={"E": _SELECT, "U": _cayley_n("A"), "R": _cayley_n("B"),
                "P": "U @ (E @ diag(sk) @ E.T) @ R.T", "Uk": "U @ E", "Vk": "R @ E"},
    )


def projection_derivation() -> Derivation:
    # Ut, Vt: n x k with orthonormal columns; F (d x k) selects the first k of d coordinates (F^T F = I_k) and M is
    # invertible: Q = Ut diag(sg) F^T M, K = Vt F^T M^{-T}, so QK^T = Ut diag(sg) Vt^T has rank k (k <= d).
    # C = D = Vt^T.
    return Derivation(
        (
            Step(r"QK^\top", r"\tilde U\Sigma\tilde V^\top",
                 "rank-$k$ SVD of $P = QK^\\top$, $\\tilde U, \\tilde V \\in \\mathbb R^{n\\times k}$",
                 plain=("Q @ K.T", "Ut @ diag(sg) @ Vt.T")),
            Step(r"\tilde V^\top\tilde V", r"I_k", "orthonormal columns", plain=("Vt.T @ Vt", "eye(k)")),
            Step(r"Q(CK)^\top DV", r"QK^\top C^\top DV", "transpose of a product",
                 plain=("Q @ (C @ K).T @ D @ V", "Q @ K.T @ C.T @ D @ V")),
            Step(r"QK^\top C^\top DV", r"\tilde U\Sigma\tilde V^\top\tilde V\tilde V^\top V", "$C = D = \\tilde V^\\top$",
                 plain=("Q @ K.T @ C.T @ D @ V", "Ut @ diag(sg) @ Vt.T @ Vt @ Vt.T @ V")),
            Step(r"\tilde U\Sigma\tilde V^\top\tilde V\tilde V^\top V", r"\tilde U\Sigma\tilde V^\top V",
                 "orthonormal columns", plain=("Ut @ diag(sg) @ Vt.T @ Vt @ Vt.T @ V", "Ut @ diag(sg) @ Vt.T @ V")),
            Step(r"\tilde U\Sigma\tilde V^\top V", r"PV", "the SVD of $P$", plain=("Ut @ diag(sg) @ Vt.T @ V", "Q @ K.T @ V")),
            Step(r"knd + knd + ndk + nkd", r"4nkd",
                 "cost: $CK$, $DV$: $knd$ each; $Q(CK)^\\top$: $ndk$; the product: $nkd$; so $O(nkd)$",
                 plain=("k*n*d + k*n*d + n*d*k + n*k*d", "4*n*k*d")),
        ),
        symbols={"n": "integer in [2, 4]", "k": "integer in [1, n - 1]", "d": "integer in [k, 4]",
                 "A": "matrix n x n", "B": "matrix n x n", "sg": "positive vector k", "M": "invertible matrix d x d",
                 "V": "matrix n x d"},
        define={"E": _SELECT, "Ut": _cayley_n("A") + " @ E", "Vt": _cayley_n("B") + " @ E",
                "F": "sum(outer(eye(d)[i], eye(k)[i]), (i, 0, k - 1))",
                "Q": "Ut @ diag(sg) @ F.T @ M", "K": "Vt @ F.T @ inv(M).T", "C": "Vt.T", "D": "Vt.T"},
    )
