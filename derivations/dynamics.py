r"""Optimisation dynamics under a reparameterization, and momentum as an average (seed 000).

**Gradient flow.** For :math:`\theta = g(\psi)` and a loss :math:`L(\theta)`,
:math:`\dot\psi = -\nabla_\psi L = -J_g^\top\nabla L(\theta)`, so :math:`\dot\theta = J_g\dot\psi =
-J_gJ_g^\top\nabla L(\theta)`. A gradient step of size :math:`h` in :math:`\psi` is a curve in
:math:`\theta`:

.. math:: g(\psi - hv) - g(\psi) = -hJ_gv + \tfrac{h^2}{2}D^2g(\psi)[v, v] + O(h^3),\qquad v = J_g^\top\nabla L,

and the :math:`h^2` term is not zero in general: one step in :math:`\psi` is not a straight step
in :math:`\theta`. Here :math:`g` is the implicit parameterization
:math:`\hat\theta = (I - \eta\sigma(F))^{-1}w` of seed 001 with :math:`n = 2`; SymPy derives
:math:`J_g` and :math:`D^2g[v, v]` (cached, lambdified).

**Momentum.** Seed 000 writes :math:`m_{t+1} = m_t + \gamma\nabla f(w_t)`,
:math:`w_{t+1} = w_t - \eta(1-\gamma)m_{t+1}` and claims :math:`(1-\gamma)m_{t+1} \to \nabla f(w_t)`
as :math:`\eta \to 0`. That recursion sums gradients without forgetting. The exponential moving
average :math:`m_{t+1} = \gamma m_t + \nabla f(w_t)` gives
:math:`(1-\gamma)m_{t+1} = (1-\gamma)\sum_{s\le t}\gamma^{t-s}\nabla f(w_s) + (1-\gamma)\gamma^{t+1}m_0`,
whose lag costs :math:`O(\eta)` at a fixed time :math:`T = t\eta`.

>>> J, curv = implicit_step_terms([1.0, 2.0, 0.0, 1.0, 2.0, 0.0], 0.5, [1, 0, 0, 0, 0, 0])
>>> J.shape, curv.shape
((2, 6), (2,))
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from .steps import Derivation, Step

__all__ = ["implicit_step_terms", "momentum_coefficients", "momentum_lag_sym", "gradient_flow_derivation",
           "momentum_derivation", "MOMENTUM_RULES"]


@lru_cache(maxsize=None)
def _implicit_terms_fn(n: int = 2):
    w = sp.symbols(f"w0:{n}")
    Fs = sp.symbols(f"F0:{n * n}")
    eta = sp.Symbol("eta")
    v = sp.symbols(f"v0:{n + n * n}")
    F = sp.Matrix(n, n, Fs)
    S = sp.Matrix(n, n, lambda i, j: sp.exp(F[i, j]) / sum(sp.exp(F[i, k]) for k in range(n)))
    theta = (sp.eye(n) - eta * S).LUsolve(sp.Matrix(w))
    psi = list(w) + list(Fs)
    J = theta.jacobian(psi)
    curv = (J * sp.Matrix(v)).jacobian(psi) * sp.Matrix(v)  # D^2 theta [v, v]
    return sp.lambdify((psi, eta, v), (J, curv), modules="numpy", cse=True)


def implicit_step_terms(psi, eta, v, n: int = 2):
    r"""Derived :math:`(J_g, D^2g[v, v])` of :math:`\hat\theta(w, F)` at ``psi = [w, F.ravel()]``."""
    J, curv = _implicit_terms_fn(n)(list(np.asarray(psi, float)), float(eta), list(np.asarray(v, float)))
    return np.asarray(J, float), np.asarray(curv, float).ravel()


#: (coefficient of m_t, coefficient of grad f) in m_{t+1}
MOMENTUM_RULES = {
    "as-written": lambda gamma: (1.0, gamma),  # seed 000 eq. (10)
    "ema": lambda gamma: (gamma, 1.0),  # the corrected recursion
    "normalised-ema": lambda gamma: (gamma, 1.0 - gamma),  # Adam-style average
}


def momentum_coefficients(rule: str, gamma: float):
    return MOMENTUM_RULES[rule](gamma)


@lru_cache(maxsize=None)
def momentum_lag_sym():
    r"""Steady-state lag of the average: :math:`(1-\gamma)\sum_{k\ge0}\gamma^k k = \gamma/(1-\gamma)` steps."""
    g = sp.Symbol("gamma", positive=True)
    k = sp.Symbol("k", integer=True, nonnegative=True)
    s = sp.summation(g**k * k, (k, 0, sp.oo))
    s = s.args[0][0] if isinstance(s, sp.Piecewise) else s
    return sp.simplify((1 - g) * s)


#: the implicit parameterization in the answer language: ``sm`` is the row-wise softmax, ``th(x, G)`` is
#: :math:`(I - \eta\sigma(G))^{-1}x`; ``g(u)`` is the line :math:`u \mapsto \hat\theta(\psi + uv)`, ``v = (vw, vF)``
_FLOW_SYMBOLS = {"n": "integer in [2, 3]", "w": "vector n", "F": "matrix n x n", "eta": "real in [0, 1)",
                 "a": "vector n", "B": "matrix n x n", "t": "real", "y": "vector n",
                 "vw": "vector n", "vF": "matrix n x n", "s": "real", "h": "positive -> 0"}
_FLOW_DEFINE = {
    "sm(G)": "diag(1 / (exp(G) @ ones(n))) @ exp(G)",
    "th(x, G)": "inv(eye(n) - eta * sm(G)) @ x",
    # J_g applied to a direction (x, G) at the point (w + t a, F + t B) of the curve psi(t)
    "J(x, G)": "diff(th(w + t*a, F + t*B), w) @ x + "
               "sum(sum(diff(th(w + t*a, F + t*B), F[k, j]) * G[k, j], (j, 0, n - 1)), (k, 0, n - 1))",
    # the two blocks of grad_psi L(theta_hat(psi)) = J_g^T grad L, L = ||theta - y||^2 / 2, at the curve point
    "gradLw": "diff(norm(th(w + t*a, F + t*B) - y)**2 / 2, w)",
    "gradLF": "diff(norm(th(w + t*a, F + t*B) - y)**2 / 2, F)",
    # J_g^T u by blocks: J_w^T u and sum_c u_c d theta_c / dF
    "JJt(u)": "J(diff(th(w + t*a, F + t*B), w).T @ u, sum(u[c] * diff(th(w + t*a, F + t*B)[c], F), (c, 0, n - 1)))",
    "g(u)": "th(w + u*vw, F + u*vF)",
    # J_g v at the point psi + s v, by partial derivatives in w and in each entry of F
    "Jv": "diff(th(w + s*vw, F + s*vF), w) @ vw + "
          "sum(sum(diff(th(w + s*vw, F + s*vF), F[k, j]) * vF[k, j], (j, 0, n - 1)), (k, 0, n - 1))",
    # the instance psi_0 = (e_1, 0), eta = 1/2, v_0 = (0, E_11), n = 2
    "e1": "eye(2)[0]", "e2": "eye(2)[1]",
    "g0(u)": "inv(eye(2) - (1/2) * diag(1 / (exp(u * outer(e1, e1)) @ ones(2))) @ exp(u * outer(e1, e1))) @ e1",
}


def gradient_flow_derivation() -> Derivation:
    r"""Steps checked on :math:`g = \hat\theta(w, F) = (I - \eta\sigma(F))^{-1}w` (the claim's :math:`g`) with
    :math:`n \in \{2, 3\}`, along the curve :math:`\psi(t) = (w + ta, F + tB)` (any velocity at any point)."""
    return Derivation((
        Step(r"\dot\theta", r"J_g\dot\psi", r"chain rule along $\psi(t)$",
             plain=("diff(th(w + t*a, F + t*B), t)", "J(a, B)")),
        Step(r"J_g\dot\psi", r"-J_gJ_g^\top\nabla L(\theta)",
             r"$\dot\psi = -\nabla_\psi L = -J_g^\top\nabla L$; $L = \frac12\|\theta - y\|^2$",
             plain=("J(-gradLw, -gradLF)", "-JJt(th(w + t*a, F + t*B) - y)")),
        Step(r"g(\psi - hv) - g(\psi)", r"-hJ_gv + \tfrac{h^2}{2}D^2g(\psi)[v,v] + O(h^3)",
             r"Taylor in $h$ ($J_gv$, $D^2g[v,v]$: first and second derivatives along $v$)",
             plain=("g(s - h) - g(s)", "-h*diff(g(s), s) + h**2/2 * diff(g(s), s, 2) + O(h**3)")),
        Step(r"\tfrac{d^2}{dh^2}\hat\theta(\psi + hv)\big|_{h=0}", r"\bigl(\partial_\psi(J_gv)\bigr)v",
             r"the derivative of $J_gv$ along $v$ (SymPy derives it for $n = 2$)",
             plain=("diff(g(s), s, 2)", "diff(Jv, s)")),
        Step(r"g(\psi_0 - hv_0) - g(\psi_0)", r"-\tfrac{h}{16}(3, 1)^\top + \tfrac{h^2}{128}(3, 1)^\top + O(h^3)",
             r"at $w = e_1$, $F = 0$, $\eta = \frac12$, $v_0 = (0, E_{11})$: the $h^2$ term is not zero, "
             r"so a step in $\psi$ is not straight in $\theta$",
             plain=("g0(-h) - g0(0)", "-h/16 * (3*e1 + e2) + h**2/128 * (3*e1 + e2) + O(h**3)")),
    ), symbols=dict(_FLOW_SYMBOLS), define=dict(_FLOW_DEFINE))


#: momentum on the claim's f(w) = sum_i c_i log cosh(w_i - a_i) + q |w|^2 / 2: gf is its gradient; M, W
#: the seed's recursion (10)-(11), M2, W2 the exponential moving average
_MOMENTUM_SYMBOLS = {"a": "vector 2", "c": "positive vector 2", "q": "real in [0, 1]", "w0": "vector 2",
                     "m0": "vector 2", "gamma": "real in (0, 1)", "eta": "positive -> 0", "t": "integer in [0, 12]"}
_MOMENTUM_DEFINE = {
    "gf(x)": "c * tanh(x - a) + q * x",
    "lip": "q + max(c[0], c[1])",
    "M[0]": "m0", "W[0]": "w0",
    "M[j + 1]": "M[j] + gamma * gf(W[j])", "W[j + 1]": "W[j] - eta * (1 - gamma) * M[j + 1]",
    "M2[0]": "m0", "W2[0]": "w0",
    "M2[j + 1]": "gamma * M2[j] + gf(W2[j])", "W2[j + 1]": "W2[j] - eta * (1 - gamma) * M2[j + 1]",
}


def momentum_derivation() -> Derivation:
    r"""The seed's recursion and the corrected average, with :math:`f` the claims' test function (its
    gradient ``gf``, Lipschitz constant ``lip``)."""
    lag = sp.latex(momentum_lag_sym())
    return Derivation((
        Step(r"m_{t+1}", r"m_0 + \gamma\sum_{s=0}^t\nabla f(w_s)",
             r"seed eq. (10), $m_{t+1} = m_t + \gamma\nabla f(w_t)$, unrolled: nothing is forgotten",
             plain=("M[t + 1]", "m0 + gamma * sum(gf(W[s]), (s, 0, t))")),
        Step(r"(1-\gamma)m_{t+1}", r"(1-\gamma)m_0 + (1-\gamma)\gamma(t+1)\nabla f(w_0) + O(\eta t^3)",
             r"$w_s - w_0 = O(\eta s^2)$ as $\eta \to 0$: grows with $t$, no limit $\nabla f$",
             plain=("(1 - gamma) * M[t + 1]",
                    "(1 - gamma) * m0 + (1 - gamma) * gamma * (t + 1) * gf(w0) + O(eta * t**3)")),
        Step(r"m_{t+1}", r"\sum_{s=0}^t\gamma^{t-s}\nabla f(w_s) + \gamma^{t+1}m_0",
             r"the corrected recursion $m_{t+1} = \gamma m_t + \nabla f(w_t)$ (exponential moving average), unrolled",
             plain=("M2[t + 1]", "sum(gamma**(t - s) * gf(W2[s]), (s, 0, t)) + gamma**(t + 1) * m0")),
        Step(r"(1-\gamma)m_{t+1} - \nabla f(w_t)",
             r"(1-\gamma)\sum_{s=0}^t\gamma^{t-s}\bigl(\nabla f(w_s) - \nabla f(w_t)\bigr)"
             r" + \gamma^{t+1}\bigl((1-\gamma)m_0 - \nabla f(w_t)\bigr)",
             r"$(1-\gamma)\sum_{s=0}^t\gamma^{t-s} = 1 - \gamma^{t+1}$",
             plain=("(1 - gamma) * M2[t + 1] - gf(W2[t])",
                    "(1 - gamma) * sum(gamma**(t - s) * (gf(W2[s]) - gf(W2[t])), (s, 0, t))"
                    " + gamma**(t + 1) * ((1 - gamma) * m0 - gf(W2[t]))")),
        Step(r"\|(1-\gamma)m_{t+1} - \nabla f(w_t)\|",
             r"\lambda\eta\gamma\max_{0\le j\le t}\|m_j\| + \gamma^{t+1}\|(1-\gamma)m_0 - \nabla f(w_t)\|",
             r"$\|\nabla f(w_s) - \nabla f(w_t)\| \le \lambda\eta(1-\gamma)(t-s)\max_j\|m_j\|$, "
             r"$\lambda = q + \max_i c_i$; $(1-\gamma)^2\sum_k k\gamma^k = \gamma$",
             relation=r"\le",
             plain=("norm((1 - gamma) * M2[t + 1] - gf(W2[t]))",
                    "lip * eta * gamma * max(norm(M2[j]), (j, 0, t)) + gamma**(t + 1) * norm((1 - gamma) * m0 - gf(W2[t]))")),
        Step(r"\lambda\eta\gamma\max_{0\le j\le t}\|m_j\| + \gamma^{t+1}\|(1-\gamma)m_0 - \nabla f(w_t)\|",
             r"O\Bigl(\eta\,\tfrac{\gamma}{1-\gamma}\Bigr) + O(\gamma^{t+1})",
             r"$(1-\gamma)m_j$ stays bounded for $t\eta \le T$; lag $" + lag + r"$ steps of size $O(\eta)$; $t = T/\eta$",
             unchecked="a joint limit: t = T/eta grows as eta -> 0 (the step language's O-terms take one variable "
                       "with the others fixed, and its sequences stop at 2000 terms), and the bound on "
                       "(1 - gamma) max_j ||m_j|| uniform in t <= T/eta is an argument, not an identity"),
    ), symbols=dict(_MOMENTUM_SYMBOLS), define=dict(_MOMENTUM_DEFINE))
