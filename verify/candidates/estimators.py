r"""The candidate side of the ``estimators.*`` claims (:mod:`verify.catalogue.estimators`): adapters from
a check's point to :mod:`derivations.estimators` (the optimal baseline, the Gumbel-max probabilities,
the reparameterization gradient, the importance-sampled REINFORCE estimators' exact means, the
Gumbel-softmax gap bound) and the mutants of each, selected by ``variant`` or ``rule``."""

from __future__ import annotations

import numpy as np

from derivations import estimators as D

from ..oracles import estimators as O
from ..oracles import implicit as OI
from ..probes import estimators as P

__all__ = ["baseline_candidate", "gumbel_candidate", "reparam_candidate", "estimator_mean", "gs_bound",
           "gs_mean_assumed"]


def baseline_candidate(pt, *, variant="derived"):
    pi, g = pt.parts()
    if variant == "mean-return":
        return float(pi @ pt.R)
    if variant == "rms":
        return float(np.sqrt((pi @ (g * g * pt.R**2)) / (pi @ (g * g))))
    return D.optimal_baseline(g, pt.R, pi)


def gumbel_candidate(p, *, variant="derived"):
    if variant == "softmax-of-p":  # argmax(p_i + G_i): p used where log p belongs
        e = np.exp(p - p.max())
        return e / e.sum()
    if variant == "one-percent":
        s = np.where(np.arange(len(p)) % 2 == 0, 1.01, 0.99)
        q = p * s
        return q / q.sum()
    return D.gumbel_max_probabilities(p)


def reparam_candidate(p, *, variant="derived"):
    if isinstance(p, P.SmoothPoint):
        fprime = P.SMOOTH[p.f][1]
    else:
        c = np.asarray(p.coeffs)
        dc = np.polynomial.polynomial.polyder(c) if len(c) > 1 else np.zeros(1)
        fprime = lambda x: np.polynomial.polynomial.polyval(x, dc)  # noqa: E731
    gm, gs = D.reparameterization_gradient(fprime, p.mu, p.sigma, adaptive=isinstance(p, P.SmoothPoint))
    if variant == "mu-scaled":  # the chain rule's factor d(mu + sigma eps)/d mu = 1 taken as sigma
        gm = p.sigma * gm
    if variant == "sigma-without-eps":
        gs = gm
    if variant == "sigma-scaled":
        gs = p.sigma * gm
    return np.array([gm, gs])


def estimator_mean(m, *, rule):
    """E over behaviour trajectories of the estimator (exact: every trajectory enumerated)."""
    S, A = m.theta.shape
    states, actions = O.enumerate_trajectories(*m.theta.shape, m.T)
    q = O.trajectory_probabilities(m.theta_b, m.p0, m.P, states, actions)
    pt, pb = OI.softmax_rows(m.theta), OI.softmax_rows(m.theta_b)
    N, T = states.shape
    scores = np.zeros((N, T, S * A))
    for t in range(T):  # d/d theta log softmax: e_(s,a) - pi(.|s) on row s
        s_t, a_t = states[:, t], actions[:, t]
        onehot = np.zeros((N, S, A))
        onehot[np.arange(N), s_t, :] -= pt[s_t]
        onehot[np.arange(N), s_t, a_t] += 1.0
        scores[:, t] = onehot.reshape(N, S * A)
    ratios = pt[states, actions] / pb[states, actions]
    est = D.importance_sampled_reinforce(scores, ratios, m.r[states, actions], rule=rule)
    return q @ est


def gs_bound(pt, *, variant="derived"):
    zs = np.sort(pt.z)
    gap = zs[-1] - zs[-2]
    k = len(pt.z)
    if variant == "factor-two-dropped":
        return (k - 1) * float(np.exp(-gap / pt.tau))
    if variant == "tau-multiplies":
        return 2.0 * (k - 1) * float(np.exp(-gap * pt.tau))
    return D.gumbel_softmax_gap_bound(pt.z, pt.tau)


def gs_mean_assumed(pt):
    r"""The assumption: the mean at every :math:`\tau` is the Gumbel-max law (the :math:`\tau \to 0` limit), entry 1."""
    return float(D.gumbel_max_probabilities([pt.p1, 1.0 - pt.p1])[0])
