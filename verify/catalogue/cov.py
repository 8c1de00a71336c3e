r"""Claims about vec/Kronecker and the ELBO decomposition (seeds 002, 004 §2.1)."""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import mpmath
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from derivations import cov as C

from .. import strategies as S
from ..checks import AsymptoticCheck, BoundCheck, NumericIdentity, SymbolicIdentity
from ..model import Claim, Formula, Mutant
from ..numerics import complex_step_jacobian
from ..tolerances import MP_DPS

__all__ = ["CLAIMS"]


class MatrixTriple(NamedTuple):
    A: np.ndarray
    X: np.ndarray
    B: np.ndarray

    def readable(self) -> dict:
        return {"A": self.A.tolist(), "X": self.X.tolist(), "B": self.B.tolist()}


@st.composite
def _triples(draw):
    m, n, p, q = (draw(st.integers(1, 4)) for _ in range(4))
    ints = st.integers(-3, 3).map(float)
    return MatrixTriple(draw(hnp.arrays(float, (m, n), elements=ints)), draw(hnp.arrays(float, (n, p), elements=ints)),
                        draw(hnp.arrays(float, (p, q), elements=ints)))


def _kv(t, **kw):
    return C.kron_vec(t.A, t.X, t.B, **kw)


def _kv_vec_rows(t):
    """(B^T kron A) applied to the row-stacked vec(X)."""
    return np.kron(t.B.T, t.A) @ t.X.reshape(-1)


VEC_KRON = Claim(
    id="cov.vec-kronecker",
    title="vec(AXB) = (B^T kron A) vec(X) with column-stacking vec",
    source="seed 002 (vec operator), standard identity",
    statement=r"$\operatorname{vec}(AXB) = (B^\top\otimes A)\operatorname{vec}(X)$, $\operatorname{vec}$ stacking columns.",
    assumptions=(r"$A\in\mathbb{R}^{m\times n}$, $X\in\mathbb{R}^{n\times p}$, $B\in\mathbb{R}^{p\times q}$",),
    derivation=C.vec_kronecker_derivation(),
    candidate=Formula(r"(B^\top\otimes A)\operatorname{vec}(X)", _kv, C.kron_vec_sym),
    checks=(
        SymbolicIdentity(reference=C.vec_of_product_sym, sizes=((2, 2, 2, 2), (1, 2, 3, 2), (2, 3, 2, 1))),
        NumericIdentity(reference=lambda t: C.vec(t.A @ t.X @ t.B), strategy=_triples,
                        description="integer matrices of sizes 1..4"),
    ),
    mutants=(
        Mutant("row-stacking-formula", r"$(A\otimes B^\top)\operatorname{vec}(X)$",
               Formula(r"(A\otimes B^\top)\operatorname{vec}(X)", partial(_kv, row_stacking=True),
                       partial(C.kron_vec_sym, row_stacking=True))),
        Mutant("vec-X-by-rows", r"$(B^\top\otimes A)\operatorname{vec}_r(X)$",
               Formula(r"(B^\top\otimes A)\operatorname{vec}_r(X)", _kv_vec_rows)),
    ),
)


class LatentModel(NamedTuple):
    prior: np.ndarray
    likelihood: np.ndarray
    q: np.ndarray

    def readable(self) -> dict:
        return {"p(z)": self.prior.tolist(), "p(x|z)": self.likelihood.tolist(), "q(z|x)": self.q.tolist()}


@st.composite
def _latent(draw):
    k = draw(st.integers(1, 6))
    w = lambda lo: np.asarray(draw(st.lists(st.integers(lo, 9), min_size=k, max_size=k)), float)  # noqa: E731
    prior, q = w(1), w(1)
    like = np.asarray(draw(st.lists(st.integers(1, 9), min_size=k, max_size=k)), float) / 10.0
    return LatentModel(prior / prior.sum(), like, q / q.sum())


def _elbo_candidate(p, *, variant="derived"):
    a, b, kl = C.elbo_terms(p.prior, p.likelihood, p.q)
    if variant == "reversed-kl":
        post = p.prior * p.likelihood / (p.prior @ p.likelihood)
        kl = float(post @ np.log(post / p.q))
    if variant == "prior-dropped":
        a = 0.0
    return a + b + kl


def _log_evidence(p):
    return float(np.log(p.prior @ p.likelihood))


def _log_evidence_mp(p):
    with mpmath.workdps(MP_DPS):
        return float(mpmath.log(mpmath.fsum(mpmath.mpf(a) * mpmath.mpf(b) for a, b in zip(p.prior, p.likelihood))))


ELBO = Claim(
    id="cov.elbo-decomposition",
    title="log p(x) = E_q[log p(z)] + E_q[log p(x|z)/q(z|x)] + KL(q(z|x) || p(z|x))",
    source="seed 004 §2.1, eq. (2.1)",
    statement=(
        r"$\log p(x) = \mathbb E_q[\log p(z)] + \mathbb E_q[\log\frac{p(x|z)}{q(z|x)}] + "
        r"\mathbb E_q[\log\frac{q(z|x)}{p(z|x)}]$; the last term (the gap) is $\ge 0$."
    ),
    assumptions=(r"finite latent space; $q(z|x) > 0$ only where $p(z|x) > 0$",),
    derivation=C.elbo_derivation(),
    candidate=Formula(r"\mathbb E_q[\log p(z)] + \mathbb E_q[\log\frac{p(x|z)}{q}] + \mathrm{KL}(q\|p(z|x))", _elbo_candidate),
    checks=(
        NumericIdentity(reference=_log_evidence, reference_mp=_log_evidence_mp, strategy=_latent,
                        description="random finite latent models with rational probabilities; log p(x) by marginalising"),
    ),
    mutants=(
        Mutant("reversed-kl", r"gap $\mathrm{KL}(p(z|x)\,\|\,q)$", Formula(r"\mathrm{KL}(p\|q)", partial(_elbo_candidate, variant="reversed-kl"))),
        Mutant("prior-dropped", r"$\mathbb E_q[\log p(z)]$ left out", Formula(r"\cdots", partial(_elbo_candidate, variant="prior-dropped"))),
    ),
)

CLAIMS = (VEC_KRON, ELBO)


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


def _chains():
    q = S.grid_values
    a = st.one_of(q(0.25, 3), q(-3, -0.25))
    return st.builds(GaussianChain, q(-3, 3), a, q(-2, 2), q(0.25, 2), q(-1, 1), q(-1, 1), q(-2, 2))


def _log_evidence_gauss(c):
    var = c.a**2 + c.s**2
    return float(-0.5 * np.log(2 * np.pi * var) - 0.5 * (c.x - c.b) ** 2 / var)


def _bound_candidate(c, *, logdet_sign=-1.0):
    m, v = c.encoder()
    return C.gaussian_composition_bound(c.x, c.a, c.b, c.s, m, v, logdet_sign=logdet_sign)


def _chain_coordinates(c):
    x0 = np.array([c.dm, c.log_v_ratio])
    return x0, lambda z: c._replace(dm=float(np.clip(z[0], -3, 3)), log_v_ratio=float(np.clip(z[1], -3, 3)))


COMPOSITION = Claim(
    id="cov.composition-bound",
    title="log p(x) >= E_q[log p(z) + sum_t V_t] for bijective and stochastic layers, equality at the exact posterior",
    source="seed 004 §2.3",
    statement=(
        r"For $f = f_T\circ\cdots\circ f_1$ with bijective ($\mathcal V_t = \log|\det\partial f_t|^{-1}$) and "
        r"stochastic ($\mathcal V_t = \log\frac{p_t(x|z)}{q_t(z|x)}$) layers, "
        r"$\log p(x) \ge \mathbb E_q[\log p(z) + \sum_t\mathcal V_t]$, with equality when every $q_t$ is the exact posterior."
    ),
    assumptions=(r"Gaussian instance: $z\sim N(0,1)$, $y = az + b$, $x|y\sim N(y, s^2)$, $q(y|x) = N(m, v)$",),
    derivation=C.composition_bound_derivation(),
    candidate=Formula(r"\mathbb E_q[\log p(z) + \textstyle\sum_t\mathcal V_t]", _bound_candidate),
    checks=(
        BoundCheck(oracle=_log_evidence_gauss, strategy=_chains, coordinates=_chain_coordinates, effort=2,
                   description="log p(x) in closed form (x ~ N(b, a^2 + s^2)); search over encoders"),
    ),
    mutants=(
        Mutant("log-det-sign-flipped", r"$\mathcal V_{\rm bij} = +\log|\det\partial f|$",
               Formula(r"+\log|a|", partial(_bound_candidate, logdet_sign=1.0))),
    ),
)


def _pointwise_candidate(c):
    """log p(z) + sum V_t at ONE sample y ~ q (the official solution's reading)."""
    m, v = c.encoder()
    y = m + np.sqrt(v) * c.u
    z = (y - c.b) / c.a
    log_pz = -0.5 * np.log(2 * np.pi) - 0.5 * z * z
    log_lik = -0.5 * np.log(2 * np.pi * c.s**2) - 0.5 * (c.x - y) ** 2 / c.s**2
    log_q = -0.5 * np.log(2 * np.pi * v) - 0.5 * (y - m) ** 2 / v
    return float(log_pz - np.log(abs(c.a)) + log_lik - log_q)


POINTWISE = Claim(
    id="cov.composition-bound-pointwise",
    title="As written: log p(x) >= log p(z) + sum_t V_t for a sampled z ~ q",
    source="seed 004 §2.3 (official solution, z ~ q_t(z|x) inside V_t)",
    statement=r"$\log p(x) \ge \log p(z) + \sum_t\mathcal V_t$ with $z \sim q(z|x)$ a single sample.",
    assumptions=(r"Gaussian instance as in \texttt{cov.composition-bound}",),
    derivation=C.composition_bound_derivation(),
    candidate=Formula(r"\log p(z) + \textstyle\sum_t\mathcal V_t(z)", _pointwise_candidate),
    checks=(
        BoundCheck(oracle=_log_evidence_gauss, strategy=_chains,
                   description="log p(x) in closed form against the single-sample value"),
    ),
    expected="refuted",
    corrected_by="cov.composition-bound",
    notes=(
        r"With a stochastic layer, $\mathcal V_t$ depends on the sample; $\log p(z) + \sum_t\mathcal V_t = "
        r"\log p(x) + \log\frac{p(z|x)}{q(z|x)}$ exceeds $\log p(x)$ wherever $q(z|x) < p(z|x)$. "
        r"The bound holds in expectation over $q$ (the corrected claim)."
    ),
)


class DeltaPoint(NamedTuple):
    a: float  #: g(z) = a (z - c) + b tanh(z - c): monotone when a, b share a sign
    b: float
    c: float
    q: float  #: h(z) = (1 + q z^2) exp(-z^2 / 2)

    def readable(self) -> dict:
        return dict(self._asdict())


def _deltas():
    q = S.grid_values
    sign = st.sampled_from((1.0, -1.0))
    return st.builds(lambda s, a, b, c, qq: DeltaPoint(s * a, s * b, c, qq), sign, q(0.25, 2), q(0, 2), q(-1.5, 1.5), q(0, 2))


def _h(p, z):
    return (1.0 + p.q * z * z) * np.exp(-0.5 * z * z)


def _dirac_candidate(p, *, variant="derived"):
    slope = p.a + p.b  # g'(c)
    if variant == "no-abs":
        return _h(p, p.c) / slope
    if variant == "times-jacobian":
        return _h(p, p.c) * abs(slope)
    return _h(p, p.c) / abs(slope)


def _dirac_remainder(candidate, p, hs):
    r"""``|∫ N(g(z); 0, eps^2) h(z) dz - candidate|`` for ``eps = 0.2 h``: O(eps^2)."""
    from scipy.integrate import quad

    rem = []
    cand = float(candidate.numeric(p))
    for h in hs:
        eps = 0.2 * h

        def f(z):
            u = p.a * (z - p.c) + p.b * np.tanh(z - p.c)
            return np.exp(-0.5 * (u / eps) ** 2) / (eps * np.sqrt(2 * np.pi)) * _h(p, z)

        w = 12 * eps / abs(p.a + p.b) + 1e-300
        core, _ = quad(f, p.c - w, p.c + w, epsabs=1e-14, epsrel=1e-13, limit=200)
        rem.append(abs(core - cand))
    # quad runs at epsrel 1e-13 on a smooth integrand; 1e-11 (1 + |cand|) is 100x its error
    return np.array(rem), np.full(len(hs), 1e-11 * (1.0 + abs(cand)))


DIRAC = Claim(
    id="cov.dirac-delta-composition",
    title="int delta(g(z)) h(z) dz = h(z0)/|g'(z0)| (nascent Gaussian deltas, rate eps^2)",
    source="seed 004 §2.2, eq. (2.3)",
    statement=r"$\int\delta(g(z))h(z)\,dz = h(z_0)/|g'(z_0)|$ for monotone $g$ with root $z_0$; with $\delta_\varepsilon = N(0,\varepsilon^2)$ the error is $O(\varepsilon^2)$.",
    assumptions=(r"1-D; $g(z) = a(z-c) + b\tanh(z-c)$ with $ab \ge 0$, $a \ne 0$; $h(z) = (1+qz^2)e^{-z^2/2}$",),
    derivation=C.dirac_composition_derivation(),
    candidate=Formula(r"h(z_0)/|g'(z_0)|", _dirac_candidate),
    checks=(
        AsymptoticCheck(remainder=_dirac_remainder, strategy=_deltas, order=2.0, steps=8,
                        description="quadrature of the nascent-delta integral; slope of the error in eps"),
    ),
    mutants=(
        Mutant("absolute-value-dropped", r"$h(z_0)/g'(z_0)$", Formula(r"h/g'", partial(_dirac_candidate, variant="no-abs"))),
        Mutant("times-jacobian", r"$h(z_0)\,|g'(z_0)|$", Formula(r"h|g'|", partial(_dirac_candidate, variant="times-jacobian"))),
    ),
    notes=r"Only the 1-D case is checked here; eq. (2.3) in $d$ dimensions has $|\det\partial g/\partial z|$.",
)

CLAIMS = CLAIMS + (COMPOSITION, POINTWISE, DIRAC)


class FlowPoint(NamedTuple):
    layers: tuple
    x: np.ndarray  #: a point in data space
    box: tuple  #: (a, b) for 1-D box probabilities (ignored in 2-D)

    def readable(self) -> dict:
        return {"layers": [[l[0]] + [np.asarray(v).tolist() for v in l[1:]] for l in self.layers],
                "x": self.x.tolist(), "box": list(self.box)}


@st.composite
def _flows(draw, dims=(1, 2)):
    d = draw(st.sampled_from(dims))
    layers = []
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            layers.append(("sinh",))
        else:
            diag = np.asarray(draw(st.lists(st.sampled_from((-2.0, -1.0, -0.5, 0.5, 1.0, 2.0)), min_size=d, max_size=d)))
            off = np.asarray(draw(st.lists(st.integers(-2, 2).map(lambda i: i / 4), min_size=d * d, max_size=d * d))).reshape(d, d)
            A = np.diag(diag) + off * (1 - np.eye(d))
            if abs(np.linalg.det(A)) < 0.1 or np.linalg.cond(A) > 50:
                A = np.diag(diag)
            b = np.asarray(draw(st.lists(st.integers(-4, 4).map(lambda i: i / 4), min_size=d, max_size=d)))
            layers.append(("affine", A, b))
    x = np.asarray(draw(st.lists(st.integers(-12, 12).map(lambda i: i / 4), min_size=d, max_size=d)))
    a = draw(st.integers(-12, 11).map(lambda i: i / 4))
    w = draw(st.integers(1, 12).map(lambda i: i / 4))
    return FlowPoint(tuple(layers), x, (a, a + w))


def _flow_candidate(p, *, logdet_sign=-1.0, at_output=False):
    return C.flow_log_density(p.layers, p.x[None, :], logdet_sign=logdet_sign, at_output=at_output)[0]


def _flow_reference(p):
    """log N(f^-1(x)) - log|det J| with J the complex-step Jacobian of the forward flow at f^-1(x)."""
    z = C.flow_inverse(p.layers, p.x[None, :])[0]
    J, _ = complex_step_jacobian(lambda Z: C.flow_forward(p.layers, Z), z)
    d = len(z)
    return float(-0.5 * z @ z - 0.5 * d * np.log(2 * np.pi) - np.log(abs(np.linalg.det(J))))


def _box_candidate(p, **kw):
    """P(a < X < b) from the derived density, by quadrature (1-D)."""
    from scipy.integrate import quad

    f = lambda x: float(np.exp(C.flow_log_density(p.layers, [[x]], **kw)[0]))  # noqa: E731
    val, _ = quad(f, p.box[0], p.box[1], epsabs=0.0, epsrel=1e-11, limit=200)  # relative: tails are tiny
    return val


def _box_reference(p):
    """P(a < X < b) = |Phi(f^-1(b)) - Phi(f^-1(a))|: f is monotone in 1-D."""
    from scipy.special import ndtr

    za, zb = sorted(C.flow_inverse(p.layers, np.array([[p.box[0]], [p.box[1]]]))[:, 0])
    if za > 0:  # upper tail: difference of survival functions keeps relative accuracy
        return float(ndtr(-za) - ndtr(-zb))
    return float(ndtr(zb) - ndtr(za))


def _flow_any(p, **kw):
    return {"logpdf": _flow_candidate(p, **kw), "box": _box_candidate(p, **kw) if p.x.size == 1 else np.nan}


FLOW = Claim(
    id="cov.flow-log-density",
    title="log p_X(x) = log p_Z(f^-1(x)) - log|det df/dz|, log-dets of composed layers add",
    source="seed 004 §2.2, eq. (2.2)",
    statement=(
        r"For a bijective flow $f = f_L\circ\cdots\circ f_1$ and $Z\sim N(0, I)$, $\log p_X(x) = \log p_Z(f^{-1}(x)) - "
        r"\sum_l\log|\det J_{f_l}|$, each Jacobian at its layer's input."
    ),
    assumptions=(r"$d \in \{1, 2\}$; layers: invertible affine maps ($|\det A| \ge 0.1$, $\kappa(A) \le 50$) and elementwise $\sinh$",),
    derivation=C.flow_derivation(),
    candidate=Formula(r"\log p_Z(f^{-1}(x)) - \sum_l\log|\det J_l|", _flow_any),
    checks=(
        NumericIdentity(reference=_flow_reference, strategy=_flows, part="logpdf",
                        description="against the complex-step Jacobian of the forward flow at f^-1(x)"),
        NumericIdentity(reference=_box_reference, strategy=lambda: _flows(dims=(1,)), part="box",
                        tolerance_key="quadrature", max_examples=30,
                        description="1-D box probabilities: quadrature of the density vs the normal CDF at f^-1"),
    ),
    mutants=(
        Mutant("log-det-sign-flipped", r"$+\sum_l\log|\det J_l|$",
               Formula(r"+\log|\det J|", partial(_flow_any, logdet_sign=1.0))),
        Mutant("jacobian-at-output", r"$\sinh$ log-det evaluated at the layer's output",
               Formula(r"\log\cosh(\sinh u)", partial(_flow_any, at_output=True))),
    ),
    notes=r"Planar and radial flows and the 2-D Monte Carlo box test are not checked yet.",
)

CLAIMS = CLAIMS + (FLOW,)
