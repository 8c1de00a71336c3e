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


def gradient_flow_derivation() -> Derivation:
    h = sp.Symbol("h", positive=True)
    return Derivation((
        Step(r"\dot\theta", r"J_g\dot\psi = -J_gJ_g^\top\nabla L(\theta)", r"chain rule; $\dot\psi = -J_g^\top\nabla L$"),
        Step(r"g(\psi - hv) - g(\psi)", r"-hJ_gv + \tfrac{h^2}{2}D^2g(\psi)[v,v] + O(h^3)", "Taylor in $h$"),
        Step(r"\tfrac{d^2}{dh^2}\hat\theta(\psi + hv)\big|_{h=0}", r"\bigl(\partial_\psi(J_gv)\bigr)v",
             r"SymPy, for $\hat\theta = (I - \eta\sigma(F))^{-1}w$, $n = 2$"),
        Step(h**2, r"\text{a non-zero term: the step is not straight in }\theta", "in general"),
    ))


def momentum_derivation() -> Derivation:
    return Derivation((
        Step(r"m_{t+1}", r"m_0 + \gamma\sum_{s=0}^t\nabla f(w_s)", r"seed eq. (10): nothing is forgotten"),
        Step(r"(1-\gamma)m_{t+1}", r"(1-\gamma)\gamma(t+1)\nabla f(w_0) + O(\eta t^2)",
             r"$w_s = w_0 + O(\eta s)$: grows with $t$, no limit $\nabla f$", relation=r"\approx"),
        Step(r"m_{t+1}", r"\gamma m_t + \nabla f(w_t) = \sum_{s=0}^t\gamma^{t-s}\nabla f(w_s) + \gamma^{t+1}m_0",
             "the corrected recursion (exponential moving average)"),
        Step(r"(1-\gamma)m_{t+1} - \nabla f(w_t)", r"O\Bigl(\eta\,\tfrac{\gamma}{1-\gamma}\Bigr) + O(\gamma^{t+1})",
             r"lag $" + sp.latex(momentum_lag_sym()) + r"$ steps of size $O(\eta)$; $t = T/\eta$",
             relation="="),
    ))
