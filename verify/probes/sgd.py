r"""Oracle side of :mod:`verify.catalogue.sgd` (seed 001, Theorems 2--5 and Corollaries 2--3): the
points its checks draw and what they measure there, by simulating minibatch SGD from the loss's
definition (:mod:`verify.oracles.sgd`) -- every minibatch enumerated, or sampled.

* ``implicit.expected-loss-decrease-explicit`` (Theorem 2): :func:`small_linear`, :func:`large_linear`,
  :func:`t2_remainder`, :func:`first_order_explicit`, :func:`range_explicit`;
* ``implicit.expected-loss-decrease-implicit`` (Theorem 3): :func:`small_implicit`, :func:`large_implicit`,
  :func:`t3_remainder`, :func:`first_order_implicit`, :func:`range_implicit`;
* ``implicit.ones-direction-rate`` (Theorem 4): :func:`t4_points`, :func:`t4_remainder` along the path
  :data:`A0_PATH`, :data:`E0_PATH`;
* ``sgd.second-moment-ratio-explicit`` / ``-implicit`` (Theorem 5): :func:`ratio_points`,
  :func:`ratio_enumerated`, :func:`ratio_scale`; :func:`t5i_points`, :func:`t5i_remainder`;
* ``sgd.one-hot-ratio`` (and ``-corrected``): :func:`one_hot_strategy`, :func:`one_hot_enumerated`;
* ``sgd.balanced-residual-bound``: :func:`balanced_points`, :func:`balanced_limit_ratio`,
  :func:`balanced_coordinates`.

:func:`implicit_residual` (the implicit weights and their residuals) is shared with the candidates.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from derivations import implicit as D

from .. import strategies as S
from ..oracles import implicit as O
from ..oracles import sgd as SG
from ..tolerances import EPS

__all__ = ["t2_remainder", "first_order_explicit", "range_explicit", "minibatch_sizes", "large_linear", "small_linear",
           "implicit_residual", "t3_remainder", "first_order_implicit", "range_implicit", "large_implicit",
           "small_implicit", "A0_PATH", "E0_PATH", "t4_points", "t4_remainder", "ratio_points", "ratio_enumerated",
           "ratio_scale", "t5i_points", "t5i_remainder", "one_hot_strategy", "one_hot_enumerated", "balanced_points",
           "balanced_limit_ratio", "balanced_coordinates"]


def _alpha0(phi):
    return 0.5 / (1.0 + float(np.linalg.norm(phi, 2)) ** 2)


def t2_remainder(candidate, p, hs):
    r"""``|E[L(theta - a g_B)] - L(theta) - candidate(a)|`` by enumerating every minibatch: O(a^2)."""
    alphas = _alpha0(p.phi) * hs
    batches = SG.minibatches(p.n, p.k)
    dL = SG.explicit_loss_changes(p.phi, p.y, p.theta, batches, alphas).mean(axis=1)
    cand = np.array([candidate.numeric(p._replace(alpha=a)) for a in alphas])
    g = SG.minibatch_gradients(p.phi, p.y, p.theta, batches)
    first = alphas * float(np.abs(g @ (p.phi.T @ p.residual())).max())
    floor = 100 * EPS * p.n * (first + np.abs(cand))
    return np.abs(dL - cand), floor


def first_order_explicit(p, batches):
    r""":math:`\frac{d}{d\alpha}L(\theta - \alpha g_B)` at 0, by complex step in :math:`\alpha`."""
    g = SG.minibatch_gradients(p.phi, p.y, p.theta, batches)
    return SG.loss_change(p.phi, p.residual(), -1j * SG.H_CS * g).imag / SG.H_CS


def _singletons(n):
    return np.arange(n)[:, None]


def range_explicit(p):
    """The coefficient for a minibatch is the mean of the singletons' coefficients."""
    c = first_order_explicit(p, _singletons(p.n))
    return float(c.min()), float(c.max())


def minibatch_sizes(p):
    """``(n, k)`` of a point, for the Monte Carlo over minibatches."""
    return (p.n, p.k)


@st.composite
def large_linear(draw):
    """Large data sets from a drawn seed (Hypothesis shrinks the seed, n, d and k)."""
    n = draw(st.sampled_from((40, 300, 2000, 10_000)))
    d = draw(st.integers(1, 3))
    k = draw(st.integers(1, 32))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    phi = rng.normal(size=(n, d)) / np.sqrt(d)
    theta = rng.normal(size=d)
    y = phi @ theta + rng.normal(size=n) + draw(st.sampled_from((0.0, 1.0)))
    return S.LinearSGDPoint(phi, y, rng.normal(size=d), k)


def small_linear():
    return S.linear_sgd_points(min_n=2, max_n=6, max_d=3)


def implicit_residual(p):
    theta = D.implicit_weights(p.w, p.F, p.eta)
    return theta, p.phi @ theta - p.y


def t3_remainder(candidate, p, hs):
    r"""Exact expectation of the loss change after one implicit SGD step, minus the candidate: O(a^2)."""
    psi = O.pack(p.w, p.F)
    batches = SG.minibatches(p.n, p.k)
    theta, J, G_B = SG.implicit_parameter_steps(p.phi, p.y, psi, p.eta, batches)
    a0 = 0.25 / (1.0 + (float(np.linalg.norm(J, 2)) * float(np.linalg.norm(p.phi, 2))) ** 2)
    alphas = a0 * hs
    dtheta = SG.steps_to_theta_changes(psi, p.eta, G_B, alphas)  # J is computed once
    r = p.phi @ theta - p.y
    dL = SG.loss_change(p.phi, r, dtheta).mean(axis=1)
    cand = np.array([candidate.numeric(p._replace(alpha=a)) for a in alphas])
    cond = O.roundoff_amplification(p.F, p.eta)  # >= cond(A)
    first = np.abs(dtheta).max(axis=(1, 2)) * float(np.abs(p.phi.T @ r).sum())
    floor = 1000 * EPS * cond * (first + np.abs(cand))
    return np.abs(dL - cand), floor


def first_order_implicit(p, batches):
    r""":math:`\frac{d}{d\alpha}L(\hat\theta(\psi - \alpha G_B))` at 0: complex step through the constraint."""
    psi = O.pack(p.w, p.F)
    theta, _, G_B = SG.implicit_parameter_steps(p.phi, p.y, psi, p.eta, batches)
    moved = O.theta_hat(psi[None, :] - 1j * SG.H_CS * G_B, eta=p.eta)
    dtheta = moved.imag / SG.H_CS
    return dtheta @ (p.phi.T @ (p.phi @ theta - p.y))  # O(d) per minibatch, not O(n)


def range_implicit(p):
    c = first_order_implicit(p, _singletons(p.n))
    return float(c.min()), float(c.max())


@st.composite
def large_implicit(draw):
    n = draw(st.sampled_from((40, 300, 2000, 10_000)))
    d = draw(st.integers(2, 3))
    k = draw(st.integers(1, 32))
    seed = draw(st.integers(0, 2**16))
    eta = draw(S.discount_factors(max_value=0.95, near_one=False))
    rng = np.random.default_rng(seed)
    phi = rng.normal(size=(n, d)) / np.sqrt(d)
    return S.ImplicitSGDPoint(phi, rng.normal(size=n) + 1.0, rng.normal(size=d), rng.normal(size=(d, d)),
                              eta, k)


def small_implicit():
    return S.implicit_sgd_points(min_n=2, max_n=5, max_d=3, max_eta=0.95)


A0_PATH, E0_PATH = 0.05, 0.2  #: the path alpha = A0 h^4, 1 - eta = E0 h


def t4_points():
    return S.implicit_sgd_points(min_n=2, max_n=4, min_d=2, max_d=3, max_logit=2.0)


def _at_fixed_theta(p, eta, **changes):
    r"""The point with discount ``eta`` and :math:`w = (I - \eta\sigma(F))\,\theta` for the drawn
    ``p.w`` used as the fixed :math:`\hat\theta`: residuals and ``D`` stay put as ``eta`` moves."""
    w = (np.eye(len(p.w)) - eta * O.softmax_rows(p.F)) @ p.w
    return p._replace(w=w, eta=eta, **changes)


def t4_remainder(candidate, p, hs):
    r"""Along :math:`\alpha = a_0h^4`, :math:`1-\eta = e_0h` with :math:`\hat\theta, F` fixed: the
    leading term is :math:`O(h^2)`, the remainder :math:`O(\alpha/(1-\eta) + \alpha^2(1-\eta)^{-3}) = O(h^3 + h^5)`.

    (On the path :math:`\alpha = a_0h^3` the :math:`\alpha^2(1-\eta)^{-3}` term is also :math:`O(h^3)`
    against a leading :math:`O(h^2)` remainder, and its large constant hid the asymptotic slope
    behind a pre-asymptotic dip until :math:`h \approx 10^{-4}`.)

    (With ``w`` fixed instead, :math:`\hat\theta` and the residuals grow like :math:`(1-\eta)^{-1}`
    and the same path gives a leading term :math:`O(1)` and a remainder :math:`O(h)`.)"""
    batches = SG.minibatches(p.n, p.k)
    d = p.w.size
    rem, floor = [], []
    for h in hs:
        eta, alpha = 1.0 - E0_PATH * h, A0_PATH * h**4
        q = _at_fixed_theta(p, eta, alpha=alpha)
        psi = O.pack(q.w, q.F)
        theta, _, dtheta = SG.implicit_theta_changes(q.phi, q.y, psi, eta, batches, [alpha])
        d_par = (dtheta[0] @ (q.phi.T @ q.phi)).sum(axis=1) / d  # change of 1^T r / d per minibatch
        exact = float(d_par.mean())
        cand = float(candidate.numeric(q))
        cond = O.roundoff_amplification(q.F, eta)  # >= cond(A)
        rem.append(abs(exact - cand))
        # roundoff of theta_change is ~ eps cond relative to itself (measured <= 1.6 eps cond
        # for the gradient step of implicit.preconditioner); the floor is 10 eps cond, and
        # only remainders 10x above it are fitted (ROUNDOFF_MARGIN)
        floor.append(10 * EPS * cond * (float(np.abs(d_par).max()) + abs(cand)))
    return np.array(rem), np.array(floor)


def _bold_r_ok(p):
    U = p.residual()[:, None] * p.phi
    total = np.linalg.norm(U.sum(axis=0))
    return total > 1e-3 * max(1.0, float(np.abs(U).sum()))


def ratio_points():
    return S.linear_sgd_points(min_n=2, max_n=7, max_d=3).filter(_bold_r_ok)


def ratio_enumerated(p):
    r"""``E||Delta theta||^2 / ||E Delta theta||^2`` over every minibatch (step ``alpha`` cancels)."""
    batches = SG.minibatches(p.n, p.k)
    g = SG.minibatch_gradients(p.phi, p.y, p.theta, batches)
    mean = g.mean(axis=0)
    return float((g * g).sum(axis=1).mean() / (mean @ mean))


def ratio_scale(p):
    """The ratio is a quotient; its roundoff is relative to sum_i |u_i| squared over ||sum u_i||^2."""
    U = p.residual()[:, None] * p.phi
    return float(np.abs(U).sum() ** 2 / (U.sum(axis=0) @ U.sum(axis=0)))


def _implicit_ratio_ok(p):
    """The drawn ``w`` is used as the fixed theta-hat; the limit needs sum_i a_i != 0."""
    r = p.phi @ p.w - p.y
    a = r * p.phi.sum(axis=1)
    return abs(a.sum()) > 1e-2 * max(1.0, float(np.abs(a).sum()))


def t5i_points():
    return S.implicit_sgd_points(min_n=2, max_n=5, min_d=2, max_d=3, max_logit=2.0).filter(_implicit_ratio_ok)


def t5i_remainder(candidate, p, hs):
    r"""Ratio of first-order implicit updates, every minibatch enumerated, along :math:`1-\eta = e_0h`
    with :math:`\hat\theta` held at the drawn ``w`` (so the residuals are fixed): O(1-eta)."""
    batches = SG.minibatches(p.n, p.k)
    rem, floor = [], []
    for h in hs:
        eta = 1.0 - E0_PATH * h
        q = _at_fixed_theta(p, eta)
        psi = O.pack(q.w, q.F)
        _, _, G_B = SG.implicit_parameter_steps(q.phi, q.y, psi, eta, batches)
        moved = O.theta_hat(psi[None, :] - 1j * SG.H_CS * G_B, eta=eta)
        dtheta = moved.imag / SG.H_CS  # first-order update per minibatch (alpha cancels)
        mean = dtheta.mean(axis=0)
        exact = float((dtheta * dtheta).sum(axis=1).mean() / (mean @ mean))
        cand = float(candidate.numeric(q))
        cond = O.roundoff_amplification(q.F, eta)  # >= cond(A)
        rem.append(abs(exact - cand))
        floor.append(1000 * EPS * cond * max(exact, abs(cand)) * _ratio_scale_implicit(q))
    return np.array(rem), np.array(floor)


def _ratio_scale_implicit(q):
    _, r = implicit_residual(q)
    a = r * q.phi.sum(axis=1)
    return float(np.abs(a).sum() ** 2 / a.sum() ** 2)


@st.composite
def _one_hot_points(draw):
    n = draw(st.integers(2, 6))
    n_states = draw(st.integers(1, n))
    states = draw(S.one_hot_states(n=n, n_states=n_states))
    r = draw(hnp.arrays(np.float64, (n,), elements=st.integers(-4, 4).map(float)))
    k = draw(st.integers(1, n))
    return states, r, k


def _one_hot_ok(p):
    states, r, _ = p
    sums = np.bincount(states, weights=r)
    return float(sums @ sums) > 0


def one_hot_strategy():
    return _one_hot_points().filter(_one_hot_ok)


def one_hot_enumerated(p):
    """The explicit SGD ratio with one-hot features, every minibatch enumerated."""
    states, r, k = p
    n_states = int(states.max()) + 1
    phi = np.eye(n_states)[states]
    point = S.LinearSGDPoint(phi, -r, np.zeros(n_states), k)  # theta = 0, y = -r: residuals r
    return ratio_enumerated(point)


@st.composite
def balanced_points(draw):
    n = draw(st.integers(2, 8))
    r = draw(hnp.arrays(np.float64, (n,), elements=st.floats(0.1, 10.0, allow_nan=False)))
    k = draw(st.integers(1, n))
    return r, k


def balanced_limit_ratio(p):
    r"""The :math:`\eta\to1` ratio by enumeration: one-hot features make :math:`\langle\mathbf 1, g_B\rangle`
    the minibatch mean of the residuals."""
    r, k = p
    batches = SG.minibatches(len(r), k)
    m = r[batches].mean(axis=1)
    return float((m * m).mean() / m.mean() ** 2)


def balanced_coordinates(p):
    r, k = p
    x0 = np.log(r)

    def rebuild(x):
        return np.clip(np.exp(x), 0.1, 10.0), k

    return x0, rebuild
