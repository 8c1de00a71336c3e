r"""Claims about vec/Kronecker and the ELBO decomposition (seeds 002, 004 §2.1)."""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import mpmath
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from derivations import cov as C

from ..checks import NumericIdentity, SymbolicIdentity
from ..model import Claim, Formula, Mutant
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
