r"""The oracle side of the ``cov.*`` claims (:mod:`verify.catalogue.cov`): point types, strategies and
references for vec/Kronecker, the ELBO decomposition, the composition bound, the Dirac-delta
composition and the flow log-density -- products of matrices, marginal likelihoods by summation,
closed-form Gaussian evidence, quadratures of nascent deltas, complex-step Jacobians, the normal CDF
and simulations of the flow."""

from __future__ import annotations

from typing import NamedTuple

import mpmath
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from derivations import cov as C

from .. import strategies as S
from ..numerics import complex_step_jacobian, gauss_legendre_box
from ..tolerances import MP_DPS

__all__ = [
    "MatrixTriple", "triples", "vec_of_product",
    "LatentModel", "latent", "log_evidence", "log_evidence_mp",
    "GaussianChain", "chains", "log_evidence_gauss", "chain_coordinates",
    "DeltaPoint", "deltas", "h1", "DeltaPoint2", "deltas2", "h2", "dirac_remainder",
    "FlowPoint", "flows", "flow_reference", "box_reference", "box_indicators", "unit_interval",
]


class MatrixTriple(NamedTuple):
    A: np.ndarray
    X: np.ndarray
    B: np.ndarray

    def readable(self) -> dict:
        return {"A": self.A.tolist(), "X": self.X.tolist(), "B": self.B.tolist()}


@st.composite
def triples(draw):
    m, n, p, q = (draw(st.integers(1, 4)) for _ in range(4))
    ints = st.integers(-3, 3).map(float)
    return MatrixTriple(draw(hnp.arrays(float, (m, n), elements=ints)), draw(hnp.arrays(float, (n, p), elements=ints)),
                        draw(hnp.arrays(float, (p, q), elements=ints)))


def vec_of_product(t):
    """vec(AXB): the product formed first, then its columns stacked."""
    return C.vec(t.A @ t.X @ t.B)


class LatentModel(NamedTuple):
    prior: np.ndarray
    likelihood: np.ndarray
    q: np.ndarray

    def readable(self) -> dict:
        return {"p(z)": self.prior.tolist(), "p(x|z)": self.likelihood.tolist(), "q(z|x)": self.q.tolist()}


@st.composite
def latent(draw):
    prior = draw(S.finite_distributions(max_size=6))
    k = prior.size
    q = draw(S.finite_distributions(min_size=k, max_size=k))
    like = np.asarray(draw(st.lists(st.integers(1, 9), min_size=k, max_size=k)), float) / 10.0
    return LatentModel(prior, like, q)


def log_evidence(p):
    return float(np.log(p.prior @ p.likelihood))


def log_evidence_mp(p):
    with mpmath.workdps(MP_DPS):
        return float(mpmath.log(mpmath.fsum(mpmath.mpf(a) * mpmath.mpf(b) for a, b in zip(p.prior, p.likelihood))))


class GaussianChain(NamedTuple):
    """z ~ N(0,1) -> y = a z + b (bijective) -> x ~ N(y, s^2) (stochastic); encoder N(m, v); a sample y."""

    x: float
    a: float
    b: float
    s: float
    dm: float  #: encoder mean offset from the exact posterior mean
    log_v_ratio: float  #: log of encoder variance over the posterior variance
    u: float  #: the sample y = m + sqrt(v) u

    def readable(self) -> dict:
        return dict(self._asdict())

    def encoder(self):
        m, v = C.gaussian_posterior(self.x, self.a, self.b, self.s)
        return m + self.dm, v * float(np.exp(self.log_v_ratio))


def chains():
    q = S.grid_values
    a = st.one_of(q(0.25, 3), q(-3, -0.25))
    return st.builds(GaussianChain, q(-3, 3), a, q(-2, 2), q(0.25, 2), q(-1, 1), q(-1, 1), q(-2, 2))


def log_evidence_gauss(c):
    var = c.a**2 + c.s**2
    return float(-0.5 * np.log(2 * np.pi * var) - 0.5 * (c.x - c.b) ** 2 / var)


def chain_coordinates(c):
    x0 = np.array([c.dm, c.log_v_ratio])
    return x0, lambda z: c._replace(dm=float(np.clip(z[0], -3, 3)), log_v_ratio=float(np.clip(z[1], -3, 3)))


class DeltaPoint(NamedTuple):
    a: float  #: g(z) = a (z - c) + b tanh(z - c): monotone when a, b share a sign
    b: float
    c: float
    q: float  #: h(z) = (1 + q z^2) exp(-z^2 / 2)

    def readable(self) -> dict:
        return dict(self._asdict())


def deltas():
    q = S.grid_values
    sign = st.sampled_from((1.0, -1.0))
    return st.builds(lambda s, a, b, c, qq: DeltaPoint(s * a, s * b, c, qq), sign, q(0.25, 2), q(0, 2), q(-1.5, 1.5), q(0, 2))


def h1(p, z):
    return (1.0 + p.q * z * z) * np.exp(-0.5 * z * z)


class DeltaPoint2(NamedTuple):
    M: np.ndarray  #: g(z) = M (u + b * tanh(u)), u = z - c: bijective (b >= 0, M invertible)
    b: np.ndarray
    c: np.ndarray
    q: float  #: h(z) = (1 + q z1 z2) exp(-|z|^2 / 2)

    def readable(self) -> dict:
        return {"M": self.M.tolist(), "b": self.b.tolist(), "c": self.c.tolist(), "q": self.q}


def deltas2():
    q = S.grid_values
    vec = lambda lo, hi: st.lists(q(lo, hi), min_size=2, max_size=2).map(np.asarray)  # noqa: E731
    return st.builds(DeltaPoint2, S.invertible_matrices(size=2, max_condition=6.0), vec(0, 2), vec(-1, 1), q(-1, 1))


def h2(p, Z):
    return (1.0 + p.q * Z[:, 0] * Z[:, 1]) * np.exp(-0.5 * (Z * Z).sum(axis=1))


def _nascent_2d(p, eps, panels):
    r""":math:`\int N_2(g(z); 0, \varepsilon^2 I)\,h(z)\,dz` by a tensor Gauss-Legendre rule in z.

    Where :math:`|g(z)| \le 9\varepsilon`, :math:`|u_i| \le |(M^{-1}g)_i| \le 9\varepsilon\|(M^{-1})_{i,:}\|`
    (the elementwise map only stretches), so that box holds all but :math:`e^{-40}` of the mass."""
    half = 9.0 * eps * np.linalg.norm(np.linalg.inv(p.M), axis=1)
    box = [(p.c[i] - half[i], p.c[i] + half[i]) for i in range(2)]

    def f(Z):
        U = Z - p.c
        G = (U + p.b * np.tanh(U)) @ p.M.T
        return np.exp(-0.5 * (G * G).sum(axis=1) / eps**2) / (2 * np.pi * eps**2) * h2(p, Z)

    return gauss_legendre_box(f, box, panels=panels, order=20)


def dirac_remainder(candidate, p, hs):
    r"""``|∫ N(g(z); 0, eps^2 I) h(z) dz - candidate|`` for ``eps = 0.2 h``: O(eps^2).

    1-D: adaptive quadrature at epsrel 1e-13, floor 1e-11 (1 + |cand|). 2-D: composite
    Gauss-Legendre with 8x8 panels of 20x20 nodes; the floor is 10x its difference from
    6x6 panels plus 1e-12 (1 + |cand|)."""
    from scipy.integrate import quad

    rem, floor = [], []
    cand = float(candidate.numeric(p))
    for h in hs:
        eps = 0.2 * h
        if isinstance(p, DeltaPoint2):
            fine, coarse = _nascent_2d(p, eps, 8), _nascent_2d(p, eps, 6)
            rem.append(abs(fine - cand))
            floor.append(10.0 * abs(fine - coarse) + 1e-12 * (1.0 + abs(cand)))
            continue

        def f(z):
            u = p.a * (z - p.c) + p.b * np.tanh(z - p.c)
            return np.exp(-0.5 * (u / eps) ** 2) / (eps * np.sqrt(2 * np.pi)) * h1(p, z)

        w = 12 * eps / abs(p.a + p.b) + 1e-300
        core, _ = quad(f, p.c - w, p.c + w, epsabs=1e-14, epsrel=1e-13, limit=200)
        rem.append(abs(core - cand))
        # quad runs at epsrel 1e-13 on a smooth integrand; 1e-11 (1 + |cand|) is 100x its error
        floor.append(1e-11 * (1.0 + abs(cand)))
    return np.array(rem), np.array(floor)


class FlowPoint(NamedTuple):
    layers: tuple
    x: np.ndarray  #: a point in data space
    box: tuple  #: ((lo, hi), ...) per coordinate, for box probabilities

    def readable(self) -> dict:
        return {"layers": [[l[0]] + [np.asarray(v).tolist() for v in l[1:]] for l in self.layers],
                "x": self.x.tolist(), "box": [list(b) for b in self.box]}


@st.composite
def flows(draw, dims=(1, 2)):
    d = draw(st.sampled_from(dims))
    layers = draw(S.flow_layers(dim=d))
    x = np.asarray(draw(st.lists(S.grid_values(-3.0, 3.0), min_size=d, max_size=d)))
    if d == 1:
        a = draw(S.grid_values(-3.0, 2.75))
        return FlowPoint(layers, x, ((a, a + draw(S.grid_values(0.25, 3.0))),))
    # 2-D: a box around the image of a typical latent point, so it carries probability
    centre = C.flow_forward(layers, np.asarray(draw(st.lists(S.grid_values(-1.0, 1.0), min_size=2, max_size=2))))[0]
    half = [draw(S.grid_values(0.25, 1.5)) for _ in range(2)]
    return FlowPoint(layers, x, tuple((float(c - h), float(c + h)) for c, h in zip(centre, half)))


def flow_reference(p):
    """log N(f^-1(x)) - log|det J| with J the complex-step Jacobian of the forward flow at f^-1(x)."""
    z = C.flow_inverse(p.layers, p.x[None, :])[0]
    J, _ = complex_step_jacobian(lambda Z: C.flow_forward(p.layers, Z), z)
    d = len(z)
    return float(-0.5 * z @ z - 0.5 * d * np.log(2 * np.pi) - np.log(abs(np.linalg.det(J))))


def box_reference(p):
    """P(a < X < b) = |Phi(f^-1(b)) - Phi(f^-1(a))|: f is monotone in 1-D."""
    from scipy.special import ndtr

    za, zb = sorted(C.flow_inverse(p.layers, np.array([[p.box[0][0]], [p.box[0][1]]]))[:, 0])
    if za > 0:  # upper tail: difference of survival functions keeps relative accuracy
        return float(ndtr(-za) - ndtr(-zb))
    return float(ndtr(zb) - ndtr(za))


def box_indicators(p, rng, N):
    """Simulation from the primitives: Z ~ N(0, I), X = f(Z), the indicator of X in the box."""
    with np.errstate(over="ignore", invalid="ignore"):  # sinh of sinh overflows far out: outside the box anyway
        X = C.flow_forward(p.layers, rng.standard_normal((N, p.x.size)))
    inside = np.ones(N, dtype=bool)
    for j, (lo, hi) in enumerate(p.box):
        inside &= (X[:, j] > lo) & (X[:, j] < hi)
    return inside.astype(float)


def unit_interval(p):
    """The range of an indicator: [0, 1]."""
    return (0.0, 1.0)
