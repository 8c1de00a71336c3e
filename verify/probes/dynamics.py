r"""Oracle side of :mod:`verify.catalogue.dynamics`: the points and the measurements of its checks.

* ``dynamics.gradient-flow-reparameterization``: :class:`FlowPoint`, :func:`flow_points`, and
  :func:`step_remainder` -- the step in :math:`\psi` taken on the implicit parameterization
  evaluated by linear solves (:func:`verify.oracles.implicit.theta_hat`, at 60 digits with
  ``precise=True``), with the gradient of the composite loss by complex step;
* ``dynamics.momentum-ema-limit`` (and ``-corrected``): :class:`MomentumPoint`,
  :func:`momentum_points` and :func:`momentum_remainder` -- the momentum recursion simulated
  step by step on the gradient of the primitive :math:`f`;
* ``dynamics.policy-count``: :func:`count_policies` -- every deterministic policy enumerated.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import mpmath
import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from ..numerics import complex_step_jacobian
from ..oracles import implicit as OI
from ..oracles import mdp as O
from ..tolerances import EPS

__all__ = ["FlowPoint", "flow_points", "step_remainder", "MomentumPoint", "momentum_points", "momentum_remainder",
           "count_policies"]


class FlowPoint(NamedTuple):
    psi: np.ndarray  #: [w (2), F (2x2) row-major]
    eta: float
    y: np.ndarray  #: L(theta) = 1/2 ||theta - y||^2

    def readable(self) -> dict:
        return {"w": self.psi[:2].tolist(), "F": self.psi[2:].reshape(2, 2).tolist(), "eta": self.eta, "y": self.y.tolist()}


def flow_points():
    vec = lambda k, lo, hi: st.lists(S.grid_values(lo, hi), min_size=k, max_size=k).map(np.asarray)  # noqa: E731
    return st.builds(lambda w, F, eta, y: FlowPoint(np.concatenate([w, F]), eta, y),
                     vec(2, -2, 2), vec(4, -2, 2), st.sampled_from((0.0, 0.3, 0.6, 0.9)), vec(2, -3, 3))


def _loss_gradient_psi(p):
    """grad_psi L(theta_hat(psi)) by complex step of the composite (primitive solve)."""
    f = lambda X: (0.5 * ((OI.theta_hat(X, eta=p.eta) - p.y) ** 2).sum(axis=1))[:, None]  # noqa: E731
    J, _ = complex_step_jacobian(f, p.psi)
    return J[0]


def step_remainder(candidate, p, hs, *, order, precise=False):
    """|| theta(psi - h grad_psi L) - theta(psi) - (h first + h^2 second [order 3]) ||; floor from roundoff.

    With ``precise=True`` the primitive side (theta and grad_psi L) is evaluated at 60 digits
    (mpmath solves and central differences); the floor is then only the float64 roundoff of the
    candidate's own terms, which shrinks with h, so the ladder can go much deeper."""
    terms = candidate.numeric(p)
    g = _loss_gradient_psi(p)
    h_scale = 0.2 / (1.0 + np.abs(g).max())
    if precise:
        return _step_remainder_mp(terms, p, hs * h_scale, order)
    theta0 = OI.theta_hat(p.psi[None], eta=p.eta)[0]
    rem, floor = [], []
    for h in hs * h_scale:
        moved = OI.theta_hat((p.psi - h * g)[None], eta=p.eta)[0] - theta0
        pred = h * terms["first"]
        if order == 3:
            pred = pred + h * h * terms["second"]
        rem.append(np.linalg.norm(moved - pred))
        floor.append(1e3 * EPS * (1.0 + np.abs(theta0).max()) / (1.0 - p.eta))
    return np.array(rem), np.array(floor)


def _step_remainder_mp(terms, p, hs, order, dps=60):
    with mpmath.workdps(dps):
        psi = [mpmath.mpf(float(v)) for v in p.psi]
        theta0 = OI.theta_hat_mp(psi, eta=p.eta)
        J = OI.jacobian_oracle_mp(p.psi, eta=p.eta, dps=dps)
        r = [t - float(y) for t, y in zip(theta0, p.y)]
        g = [mpmath.fsum(J[i][k] * r[i] for i in range(len(r))) for k in range(len(psi))]
        first = [mpmath.mpf(float(v)) for v in terms["first"]]
        second = [mpmath.mpf(float(v)) for v in terms["second"]]
        big1, big2 = float(np.abs(terms["first"]).max()), float(np.abs(terms["second"]).max())
        rem, floor = [], []
        for h in hs:
            hm = mpmath.mpf(float(h))
            moved = OI.theta_hat_mp([a - hm * b for a, b in zip(psi, g)], eta=p.eta)
            res = [m - t0 - hm * f1 - (hm * hm * f2 if order == 3 else 0)
                   for m, t0, f1, f2 in zip(moved, theta0, first, second)]
            rem.append(float(mpmath.sqrt(mpmath.fsum(x * x for x in res))))
            # the candidate's terms are float64 (relative error <= 1e3 eps cond(A), cond <= 2/(1-eta))
            floor.append(1e3 * EPS / (1.0 - p.eta) * (h * big1 + h * h * big2))
    return np.array(rem), np.array(floor)


# --- momentum -------------------------------------------------------------------------


class MomentumPoint(NamedTuple):
    a: np.ndarray  #: f(w) = sum_i c_i log cosh(w_i - a_i) + q/2 |w|^2
    c: np.ndarray
    q: float
    w0: np.ndarray
    gamma: float
    T: float

    def readable(self) -> dict:
        return {"a": self.a.tolist(), "c": self.c.tolist(), "q": self.q, "w0": self.w0.tolist(),
                "gamma": self.gamma, "T": self.T}


def momentum_points():
    vec = lambda lo, hi: st.lists(S.grid_values(lo, hi), min_size=2, max_size=2).map(np.asarray)  # noqa: E731
    return st.builds(MomentumPoint, vec(-2, 2), vec(0.25, 2), S.grid_values(0.0, 1.0), vec(-2, 2),
                     st.sampled_from((0.5, 0.75, 0.9)), st.sampled_from((0.5, 1.0)))


def momentum_remainder(candidate, p, hs):
    r"""|(1-gamma) m_{t+1} - grad f(w_t)| at t = ceil(T/eta), simulated from the average's steady
    state m_0 = grad f(w_0)/(1 - gamma) (from m_0 = 0 a start-up transient gamma^{t+1} adds to the
    O(eta) lag and dominates unless T/eta >> 1/(1 - gamma)).

    The ladder starts at eta_0 = 0.05 (1 - gamma) / L, L = q + max c the Lipschitz constant of
    grad f: the lag is gamma/(1 - gamma) steps over which grad f moves by ~eta L |grad f|, so the
    relative size of the next-order term is ~eta L / (1 - gamma) and eta_0 puts the first rung in
    the asymptotic regime. Scalar float loops on the gradient of the primitive f (the simulated
    system's definition, not the rule under test)."""
    a_m, a_g = candidate.numeric(p)
    lip = p.q + float(np.max(p.c))
    eta0 = 0.05 * (1.0 - p.gamma) / lip
    a, c, q, gamma = [float(x) for x in p.a], [float(x) for x in p.c], float(p.q), float(p.gamma)

    def grad(w):
        return [c[i] * math.tanh(w[i] - a[i]) + q * w[i] for i in range(2)]

    rem, floor = [], []
    for h in hs:
        eta = eta0 * float(h)
        w = [float(x) for x in p.w0]
        m = [gi / (1.0 - gamma) for gi in grad(w)]
        step = eta * (1.0 - gamma)
        for _ in range(int(np.ceil(p.T / eta))):
            g = grad(w)
            m = [a_m * m[i] + a_g * g[i] for i in range(2)]
            w = [w[i] - step * m[i] for i in range(2)]
        # the last m was built from the gradient at the previous w: compare with that one
        rem.append(math.hypot(*[(1.0 - gamma) * m[i] - g[i] for i in range(2)]))
        floor.append(1e3 * EPS * (1.0 + max(abs(x) for x in g)) * p.T / eta)
    return np.array(rem), np.array(floor)


# --- counting policies -----------------------------------------------------------


def count_policies(p):
    return len(O.all_deterministic_policies(*p))
