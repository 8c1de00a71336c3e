r"""TD error of a two-layer Q network and its linearisation (seed 002).

The network, with the seed's slips corrected (its :math:`\hat Q` writes
:math:`\omega^{(2)}` twice, and its TD error drops :math:`\gamma`):

.. math:: \hat Q(z) = \omega^{(1)\top}\varphi^{(1)}\bigl(\omega^{(2)\top}\varphi^{(2)}(z)\bigr),\qquad
          e = \hat Q(z) - r(z) - \gamma\hat Q(z_+),

with :math:`\omega^{(1)} \in \mathbb R^p`, :math:`\omega^{(2)} \in \mathbb R^{m\times p}`,
:math:`h = \varphi^{(2)}(z) \in \mathbb R^m` and :math:`\varphi^{(1)} = \tanh` elementwise. Then

.. math:: \nabla_{\omega^{(1)}}e = g = \varphi^{(1)}(a) - \gamma\varphi^{(1)}(a_+),\quad a = \omega^{(2)\top}h,

.. math:: \nabla_{\operatorname{vec}\omega^{(2)}}e = G\,\omega^{(1)},\quad
          G = (I_p \otimes h)\operatorname{diag}(\varphi^{(1)\prime}(a))
            - \gamma\,(I_p \otimes h_+)\operatorname{diag}(\varphi^{(1)\prime}(a_+)),

with column-stacking :math:`\operatorname{vec}` (``vec(W)[i + m*l] = W[i, l]``).

>>> import numpy as np
>>> grad = td_gradient(np.ones(1), np.zeros((1, 1)), np.ones(1), np.ones(1), 0.9)
>>> grad.tolist()  # g = tanh(0) - 0.9 tanh(0) = 0;  G w1 = (1 - 0.9) * 1
[0.0, 0.09999999999999998]
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from .steps import Derivation, Step

__all__ = ["td_error", "td_gradient", "G_matrix", "td_gradient_sym", "td_error_sym", "td_derivation",
           "linearization_derivation"]


def td_error(w1, W2, h, hp, r, gamma):
    """``e = w1^T tanh(W2^T h) - r - gamma w1^T tanh(W2^T h_+)``."""
    return float(w1 @ np.tanh(W2.T @ h) - r - gamma * (w1 @ np.tanh(W2.T @ hp)))


def G_matrix(W2, h, hp, gamma):
    r""":math:`G = (I_p\otimes h)\operatorname{diag}(\tanh'(a)) - \gamma(I_p\otimes h_+)\operatorname{diag}(\tanh'(a_+))`."""
    p = W2.shape[1]
    a, ap = W2.T @ h, W2.T @ hp
    d, dp = 1 - np.tanh(a) ** 2, 1 - np.tanh(ap) ** 2
    I = np.eye(p)
    return np.kron(I, h[:, None]) * d[None, :] - gamma * np.kron(I, hp[:, None]) * dp[None, :]


def td_gradient(w1, W2, h, hp, gamma):
    r"""``[g; G w1]``: the gradient of ``e`` with respect to ``(w1, vec W2)`` (column-stacking vec)."""
    g = np.tanh(W2.T @ h) - gamma * np.tanh(W2.T @ hp)
    gw2 = G_matrix(W2, h, hp, gamma) @ w1
    return np.concatenate([g, gw2])


def _syms(m, p):
    w1 = sp.Matrix([sp.Symbol(f"v_{l}", real=True) for l in range(p)])
    W2 = sp.Matrix(m, p, lambda i, l: sp.Symbol(f"W_{i}{l}", real=True))
    h = sp.Matrix([sp.Symbol(f"h_{i}", real=True) for i in range(m)])
    hp = sp.Matrix([sp.Symbol(f"k_{i}", real=True) for i in range(m)])
    return w1, W2, h, hp, sp.Symbol("gamma", positive=True), sp.Symbol("r", real=True)


def td_error_sym(m: int, p: int):
    w1, W2, h, hp, gamma, r = _syms(m, p)
    q = lambda x: (w1.T * (W2.T * x).applyfunc(sp.tanh))[0]  # noqa: E731
    return q(h) - r - gamma * q(hp)


def td_gradient_sym(size):
    """The derived ``[g; G w1]`` in SymPy for ``size = (m, p)``."""
    m, p = size
    w1, W2, h, hp, gamma, _ = _syms(m, p)
    a, ap = W2.T * h, W2.T * hp
    g = a.applyfunc(sp.tanh) - gamma * ap.applyfunc(sp.tanh)
    G = sp.zeros(m * p, p)
    for l in range(p):
        for i in range(m):
            G[i + m * l, l] = h[i] * (1 - sp.tanh(a[l]) ** 2) - gamma * hp[i] * (1 - sp.tanh(ap[l]) ** 2)
    return sp.Matrix.vstack(g, G * w1)


def td_gradient_reference_sym(size):
    """SymPy's own gradient of ``e`` with respect to ``(w1, vec W2)`` (column-stacking)."""
    m, p = size
    w1, W2, *_ = _syms(m, p)
    e = td_error_sym(m, p)
    variables = list(w1) + [W2[i, l] for l in range(p) for i in range(m)]
    return sp.Matrix([sp.diff(e, v) for v in variables])


#: the network in the step language: ``w1`` is :math:`\omega^{(1)}`, ``W2`` is :math:`\omega^{(2)}`, ``h`` and
#: ``hp`` are :math:`h = \varphi^{(2)}(z)` and :math:`h_+`; :math:`\varphi^{(1)} = \tanh`
TD_SYMBOLS = {"m": "integer in [2, 4]", "p": "integer in [2, 4]", "w1": "vector p", "W2": "matrix m x p",
              "h": "vector m", "hp": "vector m", "r": "real", "gamma": "discount"}
_E = "w1.T @ tanh(W2.T @ h) - r - gamma*(w1.T @ tanh(W2.T @ hp))"  # Q(z) - r - gamma Q(z_+)
_SUM = "sum(w1[c]*vecm(diff(g[c], W2)), (c, 0, p - 1))"
_G = "kron(eye(p), h) @ diag(1 - tanh(a)**2) - gamma*kron(eye(p), hp) @ diag(1 - tanh(ap)**2)"


def td_derivation() -> Derivation:
    return Derivation(
        (
            Step(r"e", r"\omega^{(1)\top}g - r",
                 r"$g = \varphi^{(1)}(a) - \gamma\varphi^{(1)}(a_+)$, $a = \omega^{(2)\top}h$; the seed's "
                 r"$\sum_\ell\omega^{(2)}_\ell g_\ell$ should read $\omega^{(1)}_\ell$; $\gamma$ restored",
                 plain=(_E, "w1.T @ g - r")),
            Step(r"\nabla_{\omega^{(1)}}e", r"g", "$g$ does not depend on $\\omega^{(1)}$",
                 plain=(f"diff({_E}, w1)", "g")),
            Step(r"\frac{\partial g_\ell}{\partial\omega^{(2)}_{i\ell'}}",
                 r"\delta_{\ell\ell'}\bigl(h_i\varphi^{(1)\prime}(a_\ell) - \gamma h_{+,i}\varphi^{(1)\prime}(a_{+,\ell})\bigr)",
                 "$a_\\ell$ depends only on column $\\ell$ of $\\omega^{(2)}$",
                 plain=("diff(g[l], W2[i, lc])",
                        "delta(l, lc)*(h[i]*(1 - tanh(a[l])**2) - gamma*hp[i]*(1 - tanh(ap[l])**2))")),
            Step(r"\nabla_{\operatorname{vec}\omega^{(2)}}e", r"\sum_\ell\omega^{(1)}_\ell\nabla_{\operatorname{vec}\omega^{(2)}}g_\ell",
                 "linearity", plain=(f"vecm(diff({_E}, W2))", _SUM)),
            Step(r"\sum_\ell\omega^{(1)}_\ell\nabla_{\operatorname{vec}\omega^{(2)}}g_\ell", r"G\,\omega^{(1)}",
                 "column $\\ell$ of $G$ is $\\nabla_{\\operatorname{vec}\\omega^{(2)}} g_\\ell$", plain=(_SUM, "G @ w1")),
            Step(r"G", r"(I_p\otimes h)\operatorname{diag}(\varphi^{(1)\prime}(a)) - \gamma(I_p\otimes h_+)\operatorname{diag}(\varphi^{(1)\prime}(a_+))",
                 "column-stacking vec: index $i + m\\ell$", plain=("G", _G)),
        ),
        symbols={**TD_SYMBOLS, "i": "integer in [0, m - 1]", "l": "integer in [0, p - 1]", "lc": "integer in [0, p - 1]"},
        define={"a": "W2.T @ h", "ap": "W2.T @ hp", "g": "tanh(a) - gamma*tanh(ap)",
                # column-stacking vec of an m x p matrix: column cc of X is row cc of X.T
                "vecm(X)": "sum(kron(eye(p)[cc], X.T[cc]), (cc, 0, p - 1))",
                # G: the mp x p matrix whose column c is vec of the gradient of g_c with respect to W2
                "G": "sum(vecm(diff(g[cc2], W2)) @ eye(p)[cc2].T, (cc2, 0, p - 1))"},
    )


def linearization_derivation() -> Derivation:
    # omega = omega^* + t (d1, D2): a fixed direction, ||vec(omega - omega^*)|| proportional to t -> 0
    grad = "t*(d1.T @ diff(err(w1, W2), w1) + trace(D2.T @ diff(err(w1, W2), W2)))"
    return Derivation(
        (
            Step(r"e(\omega)", r"e(\omega^*) + \nabla e(\omega^*)^\top\operatorname{vec}(\tilde\omega) + O(\|\tilde\omega\|^2)",
                 r"Taylor's theorem, $\tilde\omega = \omega - \omega^*$: the remainder is at most "
                 r"$\tfrac12\sup\|\nabla^2e\|\,\|\operatorname{vec}(\tilde\omega)\|^2$, $e$ smooth ($\tanh$ layers)",
                 plain=("err(w1 + t*d1, W2 + t*D2)", f"err(w1, W2) + {grad} + O(t**2)")),
        ),
        symbols={**TD_SYMBOLS, "d1": "vector p", "D2": "matrix m x p", "t": "real -> 0"},
        define={"err(u, U)": "u.T @ tanh(U.T @ h) - r - gamma*(u.T @ tanh(U.T @ hp))"},
    )
