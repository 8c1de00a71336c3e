r"""The oracle side of the ``estimators.*`` claims (:mod:`verify.catalogue.estimators`): point types,
strategies, references and scales for the optimal baseline, Gumbel-max, the reparameterization
gradient, importance-sampled REINFORCE and Gumbel-softmax -- variances by enumeration and Brent
minimisation, simulated trajectories, Gumbel-max draws, score-function draws, complex-step
derivatives of exact expectations, direct softmaxes and quadratures."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from .. import strategies as S
from ..numerics import complex_step_jacobian
from ..oracles import estimators as O
from ..oracles import implicit as OI

__all__ = [
    "ScorePoint", "score_points", "BaselineMDPPoint", "baseline_mdp_points", "variance_slope_draws",
    "variance_slope_range", "zero_slope_mean", "argmin_variance", "baseline_scale",
    "categoricals", "gumbel_sample",
    "PolyPoint", "poly_points", "SmoothPoint", "SMOOTH", "smooth_points", "score_function_draws",
    "score_function_range", "reparam_reference", "poly_scale",
    "MDPPoint", "mdps", "exact_gradient", "is_scale", "is_example",
    "GumbelSoftmaxPoint", "gs_points", "gs_distance",
    "TwoCategory", "two_categories", "gs_mean_first",
]


class ScorePoint(NamedTuple):
    """A softmax policy over ``k`` trajectories, returns ``R`` and the gradient component ``j``."""

    theta: np.ndarray
    R: np.ndarray
    j: int

    def readable(self) -> dict:
        return {"theta": self.theta.tolist(), "R": self.R.tolist(), "j": int(self.j)}

    def parts(self):
        pi = OI.softmax_rows(self.theta)
        g = (np.arange(len(pi)) == self.j).astype(float) - pi[self.j]  # d/d theta_j log pi(tau)
        return pi, g


@st.composite
def score_points(draw):
    k = draw(st.integers(2, 6))
    theta = np.asarray(draw(st.lists(st.integers(-8, 8).map(lambda i: i / 4), min_size=k, max_size=k)))
    R = np.asarray(draw(st.lists(st.integers(-5, 5).map(float), min_size=k, max_size=k)))
    return ScorePoint(theta, R, draw(st.integers(0, k - 1)))


class BaselineMDPPoint(NamedTuple):
    """Component ``theta[s, a]`` of a softmax policy's gradient on a finite-horizon MDP."""

    mdp: "MDPPoint"
    s: int
    a: int

    def readable(self) -> dict:
        return {"mdp": self.mdp.readable(), "s": int(self.s), "a": int(self.a)}

    def _score(self, states, actions):
        pi = OI.softmax_rows(self.mdp.theta)
        return ((states == self.s) * ((actions == self.a) - pi[self.s, self.a])).sum(axis=1).astype(float)

    @property
    def R(self):
        m = self.mdp
        states, actions = O.enumerate_trajectories(*m.theta.shape, m.T)
        return m.r[states, actions].sum(axis=1)

    def parts(self):
        """(trajectory probabilities, g = d log pi(tau)/d theta[s, a]) over every trajectory."""
        m = self.mdp
        states, actions = O.enumerate_trajectories(*m.theta.shape, m.T)
        return O.trajectory_probabilities(m.theta, m.p0, m.P, states, actions), self._score(states, actions)


@st.composite
def baseline_mdp_points(draw):
    m = draw(mdps())
    S_, A_ = m.theta.shape
    return BaselineMDPPoint(m, draw(st.integers(0, S_ - 1)), draw(st.integers(0, A_ - 1)))


def variance_slope_draws(pt, rng, N, b):
    """Simulated draws of d/db [g (R - b)]^2 = 2 g^2 (b - R): their mean vanishes at the minimiser."""
    m = pt.mdp
    states, actions, rewards = O.sample_trajectories(m.theta, m.p0, m.P, m.r, m.T, rng, N)
    g = pt._score(states, actions)
    return 2.0 * g * g * (b - rewards.sum(axis=1))


def variance_slope_range(pt, b):
    T, rmax = pt.mdp.T, float(np.abs(pt.mdp.r).max())
    bound = 2.0 * T * T * (abs(b) + T * rmax)  # |g| <= T, |R| <= T max|r|
    return -bound, bound


def zero_slope_mean(pt, b):
    """The mean of the variance's slope at a minimiser: 0."""
    return 0.0


def _variance(pt, b):
    pi, g = pt.parts()
    x = g * (pt.R - b)
    return float(pi @ (x * x) - (pi @ x) ** 2)


def argmin_variance(pt):
    """Minimise the variance of the estimator numerically (Brent), by enumeration."""
    pi, g = pt.parts()
    scale = 1.0 + float(np.abs(pt.R).max())
    res = minimize_scalar(lambda b: _variance(pt, b), bracket=(-scale, scale),
                          options={"xtol": 1e-12, "maxiter": 500})
    return float(res.x), {"minimal_variance": float(res.fun)}


def baseline_scale(pt):
    """Size of the returns: 1 + max|R|."""
    return 1.0 + float(np.abs(pt.R).max())


@st.composite
def categoricals(draw):
    k = draw(st.integers(2, 5))
    w = np.asarray(draw(st.lists(st.integers(1, 20), min_size=k, max_size=k)), float)
    return w / w.sum()


def gumbel_sample(p, rng, N):
    return O.gumbel_max_counts(np.log(p), rng, N)


class PolyPoint(NamedTuple):
    coeffs: tuple
    mu: float
    sigma: float

    def readable(self) -> dict:
        return {"coeffs": list(self.coeffs), "mu": self.mu, "sigma": self.sigma}


@st.composite
def poly_points(draw):
    coeffs = tuple(draw(st.lists(st.integers(-3, 3).map(float), min_size=1, max_size=6)))
    mu = draw(st.integers(-8, 8).map(lambda i: i / 4))
    sigma = draw(st.integers(1, 12).map(lambda i: i / 4))
    return PolyPoint(coeffs, mu, sigma)


class SmoothPoint(NamedTuple):
    f: str  #: "sin" or "tanh": bounded, so score-function draws have an a-priori range
    mu: float
    sigma: float

    def readable(self) -> dict:
        return dict(self._asdict())


SMOOTH = {"sin": (np.sin, np.cos), "tanh": (np.tanh, lambda x: 1.0 - np.tanh(x) ** 2)}
_EPS_CLIP = 8.5  #: P(|eps| > 8.5) = 1.9e-17 per draw, 2e-11 over 1e6 draws: charged to the error rate


def smooth_points():
    return st.builds(SmoothPoint, st.sampled_from(tuple(SMOOTH)), S.grid_values(-2.0, 2.0), S.grid_values(0.25, 3.0))


def score_function_draws(p, rng, N, *, which):
    r"""Likelihood-ratio draws from the Gaussian density alone: :math:`\partial_\mu\mathbb E f(X) =
    \mathbb E[f(X)\varepsilon/\sigma]`, :math:`\partial_\sigma\mathbb E f(X) = \mathbb E[f(X)(\varepsilon^2-1)/\sigma]`."""
    eps = np.clip(rng.standard_normal(N), -_EPS_CLIP, _EPS_CLIP)
    fx = SMOOTH[p.f][0](p.mu + p.sigma * eps)
    return fx * (eps if which == 0 else eps * eps - 1.0) / p.sigma


def score_function_range(p, *, which):
    bound = (_EPS_CLIP if which == 0 else _EPS_CLIP**2 - 1.0) / p.sigma  # |f| <= 1
    return -bound, bound


def reparam_reference(p):
    """Complex-step derivatives of the exact expectation (Gaussian moments) in mu and sigma."""
    f = lambda X: np.array([[O.gaussian_expectation_poly(p.coeffs, x[0], x[1])] for x in X])  # noqa: E731
    J, _ = complex_step_jacobian(f, np.array([p.mu, p.sigma]))
    return J[0]


def poly_scale(p):
    """Size of the polynomial's values over mu +- 3 sigma."""
    return 1.0 + sum(abs(c) for c in p.coeffs) * (abs(p.mu) + 3 * p.sigma + 1) ** 5


class MDPPoint(NamedTuple):
    """A finite-horizon MDP with a target (``theta``) and a behaviour (``theta_b``) softmax policy."""

    p0: np.ndarray
    P: np.ndarray  #: (S, A, S)
    r: np.ndarray  #: (S, A)
    theta: np.ndarray  #: (S, A) logits of the target policy
    theta_b: np.ndarray  #: (S, A) logits of the behaviour policy
    T: int

    def readable(self) -> dict:
        return {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in self._asdict().items()}


@st.composite
def mdps(draw):
    m = draw(S.finite_mdps(max_states=3, min_actions=2, max_actions=3))
    logits = S.policy_logits(n_states=m.n_states, n_actions=m.n_actions)
    return MDPPoint(m.p0, m.P, m.r, draw(logits), draw(logits), draw(st.integers(1, 3)))


def exact_gradient(m):
    """Complex-step gradient of J(theta), J computed by enumerating trajectories."""
    S, A = m.theta.shape

    def f(X):
        return np.array([[O.expected_return(x.reshape(S, A), m.p0, m.P, m.r, m.T)] for x in X])

    J, _ = complex_step_jacobian(f, m.theta.ravel())
    return J[0]


def is_scale(m):
    """Size of the terms summed into the gradient: |score| <= 2, rewards and weights."""
    rho = OI.softmax_rows(m.theta) / OI.softmax_rows(m.theta_b)
    return 2.0 * m.T * (1.0 + float(np.abs(m.r).max())) * max(1.0, float(rho.max())) ** m.T


def is_example():
    """A fixed two-step instance where the estimators differ (calibration seed 22 drew none: T = 1 makes the
    official, per-decision and full-trajectory estimators coincide)."""
    P = np.array([[[0.7, 0.3], [0.2, 0.8]], [[0.4, 0.6], [0.9, 0.1]]])
    r = np.array([[1.0, -0.5], [0.25, 0.75]])
    return MDPPoint(np.array([0.5, 0.5]), P, r, np.array([[0.5, -1.0], [1.5, 0.0]]),
                    np.array([[-0.5, 0.25], [0.0, 1.0]]), 2)


class GumbelSoftmaxPoint(NamedTuple):
    z: np.ndarray  #: log p + G, one draw
    tau: float

    def readable(self) -> dict:
        return {"z": self.z.tolist(), "tau": self.tau}


@st.composite
def gs_points(draw):
    k = draw(st.integers(2, 6))
    z = np.asarray(draw(st.lists(st.integers(-40, 40).map(lambda i: i / 8), min_size=k, max_size=k,
                                 unique=True)))
    tau = draw(st.sampled_from((0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0)))
    return GumbelSoftmaxPoint(z, tau)


def gs_distance(pt):
    y = OI.softmax_rows((pt.z / pt.tau)[None, :])[0]
    e = np.zeros_like(y)
    e[np.argmax(pt.z)] = 1.0
    return float(np.abs(y - e).sum())


class TwoCategory(NamedTuple):
    p1: float
    tau: float

    def readable(self) -> dict:
        return {"p": [self.p1, 1 - self.p1], "tau": self.tau}


def two_categories():
    return st.builds(TwoCategory, st.sampled_from((0.5, 0.25, 0.1, 0.75, 0.9)),
                     st.sampled_from((1.0, 0.5, 2.0, 0.1)))


def gs_mean_first(pt):
    r""":math:`\mathbb E[y_1]` for ``k = 2``: :math:`y_1 = \sigma((\mathrm{logit}\,p_1 + X)/\tau)`, :math:`X = G_1 - G_2`
    standard logistic; by adaptive quadrature (error ~1e-12)."""
    from scipy.integrate import quad

    a = np.log(pt.p1) - np.log1p(-pt.p1)

    def integrand(x):
        s = 0.5 * (1.0 + np.tanh(0.5 * (a + x) / pt.tau))  # logistic without overflow
        return s * np.exp(-np.abs(x)) / (1.0 + np.exp(-np.abs(x))) ** 2

    val, _ = quad(integrand, -np.inf, np.inf, epsabs=1e-13, epsrel=1e-12, limit=200)
    return val
