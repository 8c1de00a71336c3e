r"""Symbol domains: what a symbol may stand for, how instances are drawn, what SymPy may assume.

A question declares ``symbols = {name: domain}``. Scalars: ``real``, ``real in [a, b]`` (also open
``(a, b)``, half-open), ``positive``, ``negative``, ``nonnegative``, ``probability``, ``discount``,
``integer``, ``positive integer``, ``integer >= A``, ``integer in [A, B]`` (bounds may name an earlier
integer symbol). Arrays, with size labels (vectors are columns, ``n x 1``): ``vector [n]``,
``positive|nonnegative|probability|one-hot vector [n]``, ``matrix m x n`` and its flavours
``invertible``, ``symmetric``, ``positive definite``, ``diagonal``, ``diagonal nonnegative``,
``identity``, ``orthogonal``, ``row-stochastic``, ``full column rank``. ``random variable``: all
random variables share one finite distribution (rational probabilities).

A size label may be declared as an integer symbol (``n = "integer in [2, 4]"``); otherwise it is drawn
from 1 to 4. A vector without a label has the shared label ``""``.

**Sampling** (:func:`sample_instances`: distinct instances drawn in bulk by a seeded generator, the
same seed giving the same instances; :func:`instances` is the same distribution as a Hypothesis
strategy): a real is drawn from a mixture of quarters in [-10, 10], rationals p/q with denominators up
to 1000 (1/3, 5/7, 13/97, ...), integers, floats near irrationals (k sqrt 2, k pi / 7), tiny
magnitudes (10^-12 to 10^-3), large magnitudes (10^2 to 10^12) and the boundary values (0, +-1, the
ends of the domain), each clipped to the declared domain. Integers: small values next to the lower
bound, values up to 1000 above it, and up to 10^6 above it. Scalar values are exact (``int`` or
``Fraction``): every sampled point is a rational, evaluated exactly where the answer allows it.

>>> d = parse_domain("integer in [1, n]")
>>> d.kind, d.lo, d.hi
('integer', 1, 'n')
>>> parse_domain("matrix m x n").label
('m', 'n')
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from functools import lru_cache

import numpy as np
from hypothesis import strategies as st

from derivations.domains import (DOMAIN_HELP, MAX_SIZE, Domain, parse_domain, size_labels,  # noqa: F401
                                 sympy_symbol)

from .. import strategies as S

from ..errors import ValidationError
from .evaluate import RandomVariable

__all__ = ["Domain", "parse_domain", "instances", "sample_instances", "DOMAIN_HELP", "sympy_symbol", "size_labels", "MAX_SIZE"]

# ---------------------------------------------------------------------------
# drawing
# ---------------------------------------------------------------------------

_DENOMS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 17, 97, 100, 1000, 1024)
_IRRATIONAL = (math.sqrt(2), math.pi / 7, math.sqrt(3) / 2, math.e / 3, (1 + math.sqrt(5)) / 2)


def _clip(v: Fraction, d: Domain) -> Fraction:
    """``v`` moved into the domain (open ends: just inside)."""
    lo, hi = d.lo, d.hi
    if lo is not None and (v < lo or (v == lo and d.lo_open)):
        v = lo + (Fraction(1, 1000) * (min(1, hi - lo) if hi is not None else 1) if d.lo_open else 0)
        if d.lo_open and v - lo > 0 and hi is not None and v >= hi:
            v = (lo + hi) / 2
    if hi is not None and (v > hi or (v == hi and d.hi_open)):
        v = hi - (Fraction(1, 1000) * (min(1, hi - lo) if lo is not None else 1) if d.hi_open else 0)
        if lo is not None and (v < lo or (v == lo and d.lo_open)):
            v = (lo + hi) / 2
    return v


def _span(d: Domain):
    """The interval reals are drawn from: the domain's bounds, an unbounded side 10 beyond the other."""
    lo = d.lo if d.lo is not None else Fraction(-10)
    hi = d.hi if d.hi is not None else Fraction(10)
    if d.lo is None and d.hi is not None:
        lo = min(lo, hi - 10)
    if d.hi is None and d.lo is not None:
        hi = max(hi, lo + 10)
    return lo, hi


@lru_cache(maxsize=256)
def _reals(d: Domain):
    lo, hi = _span(d)
    span_lo, span_hi = math.floor(lo * 4), math.ceil(hi * 4)
    quarters = st.integers(span_lo, span_hi).map(lambda i: Fraction(i, 4))
    rationals = st.builds(lambda q, u: Fraction(math.floor(lo * q + Fraction(u, 1000) * (hi - lo) * q), q),
                          st.sampled_from(_DENOMS), st.integers(0, 1000))
    integers = st.integers(math.ceil(lo), math.floor(hi)).map(Fraction) if math.ceil(lo) <= math.floor(hi) \
        else quarters
    irrational = st.builds(lambda c, k, s: Fraction(s * k * c), st.sampled_from(_IRRATIONAL), st.integers(1, 7),
                           st.sampled_from((1, -1)))
    base = 0 if d.lo is None or d.hi is None or (d.lo <= 0 <= d.hi) else (d.lo if d.lo is not None else d.hi)
    tiny = st.builds(lambda k, s: Fraction(base) + s * Fraction(1, 10**k), st.integers(3, 12), st.sampled_from((1, -1)))
    big = st.builds(lambda k, s, m: s * m * Fraction(10) ** k, st.integers(2, 12), st.sampled_from((1, -1)),
                    st.sampled_from((1, 3, 7)))
    ends = [Fraction(v) for v in (0, 1, -1, Fraction(1, 2), 2)] + [b for b in (d.lo, d.hi) if b is not None]
    boundary = st.sampled_from(ends)
    return st.one_of(quarters, rationals, integers, irrational, tiny, big, boundary).map(lambda v: _clip(v, d))


def _integers(draw, lo, hi, unbounded_below=False):
    if hi is not None:
        if hi - lo <= 30:
            return draw(st.integers(lo, hi))
        return draw(st.one_of(st.integers(lo, lo + 12), st.integers(lo, min(hi, lo + 1000)), st.integers(lo, hi),
                              st.sampled_from((lo, hi))))
    if lo == -10 and unbounded_below:
        return draw(st.one_of(st.integers(-12, 12), st.integers(-1000, 1000), st.integers(-10**6, 10**6)))
    return draw(st.one_of(st.integers(lo, lo + 12), st.integers(lo, lo + 1000), st.integers(lo, lo + 10**6)))


@lru_cache(maxsize=256)
def _entries_strategy(size, lo, hi):
    return st.lists(st.one_of(S.grid_values(lo, hi),
                              st.builds(lambda p, q: min(max(p / q, lo), hi), st.integers(-50, 50),
                                        st.sampled_from((3, 7, 9, 11)))), min_size=size, max_size=size)


@lru_cache(maxsize=64)
def _invertible(n):
    return S.invertible_matrices(size=n, max_condition=20.0, min_abs_det=0.5 ** n)


@lru_cache(maxsize=64)
def _distributions(n):
    return S.finite_distributions(min_size=n, max_size=n)


class _HypothesisDraws:
    """The draws of :func:`_matrix` and :func:`_vector` through Hypothesis (shrinkable)."""

    def __init__(self, draw):
        self.draw = draw

    def entries(self, shape, lo, hi):
        vals = self.draw(_entries_strategy(int(np.prod(shape)), float(lo), float(hi)))
        return np.asarray(vals, dtype=float).reshape(shape)

    def invertible(self, n):
        return self.draw(_invertible(n))

    def distribution(self, n):
        return self.draw(_distributions(n))

    def choice(self, seq):
        return self.draw(st.sampled_from(seq))

    def integer(self, lo, hi):
        return self.draw(st.integers(lo, hi))

    def real(self, d):
        return self.draw(_reals(d))

    def integers(self, lo, hi, unbounded_below):
        return _integers(self.draw, lo, hi, unbounded_below=unbounded_below)

    def finite_distribution(self, lo, hi):
        return self.draw(S.finite_distributions(min_size=lo, max_size=hi))

    def grid_list(self, lo, hi, size):
        return np.asarray(self.draw(st.lists(S.grid_values(lo, hi), min_size=size, max_size=size)))


class _RandomDraws:
    """The same distributions drawn in bulk from a seeded :class:`random.Random` (no Hypothesis engine)."""

    def __init__(self, rng):
        self.rng = rng

    def entries(self, shape, lo, hi):
        rng, size = self.rng, int(np.prod(shape))
        glo, ghi = int(np.ceil(lo / 0.25)), int(np.floor(hi / 0.25))
        vals = [rng.randint(glo, ghi) * 0.25 if rng.random() < 0.5 else
                min(max(rng.randint(-50, 50) / rng.choice((3, 7, 9, 11)), lo), hi) for _ in range(size)]
        return np.asarray(vals, dtype=float).reshape(shape)

    def invertible(self, n):
        rng = self.rng
        diag = np.asarray([rng.choice((-2.0, -1.0, -0.5, 0.5, 1.0, 2.0)) for _ in range(n)])
        off = np.asarray([rng.randint(-2, 2) for _ in range(n * n)], dtype=float).reshape(n, n) / 4
        A = np.diag(diag) + off * (1 - np.eye(n))
        if abs(np.linalg.det(A)) < 0.5 ** n or np.linalg.cond(A) > 20.0:
            A = np.diag(diag)
        return A

    def distribution(self, n):
        w = np.asarray([self.rng.randint(1, 9) for _ in range(n)], dtype=float)
        return w / w.sum()

    def choice(self, seq):
        return self.rng.choice(seq)

    def integer(self, lo, hi):
        return self.rng.randint(lo, hi)

    def real(self, d):
        return _clip(_random_real(self.rng, d), d)

    def integers(self, lo, hi, unbounded_below):
        r = self.rng
        if hi is not None:
            if hi - lo <= 30:
                return r.randint(lo, hi)
            return r.choice((lambda: r.randint(lo, lo + 12), lambda: r.randint(lo, min(hi, lo + 1000)),
                             lambda: r.randint(lo, hi), lambda: r.choice((lo, hi))))()
        if lo == -10 and unbounded_below:
            k = r.choice((12, 1000, 10**6))
            return r.randint(-k, k)
        return lo + r.randint(0, r.choice((12, 1000, 10**6)))

    def finite_distribution(self, lo, hi):
        return self.distribution(self.rng.randint(lo, hi))

    def grid_list(self, lo, hi, size):
        return np.asarray([self.rng.randint(int(np.ceil(lo / 0.25)), int(np.floor(hi / 0.25))) * 0.25
                           for _ in range(size)])


def _random_real(rng, d: Domain) -> Fraction:
    """One draw of the mixture of :func:`_reals` (before clipping)."""
    lo, hi = _span(d)
    branch = rng.randrange(7)
    if branch == 2 and not math.ceil(lo) <= math.floor(hi):
        branch = 0
    if branch == 0:
        return Fraction(rng.randint(math.floor(lo * 4), math.ceil(hi * 4)), 4)
    if branch == 1:
        q, u = rng.choice(_DENOMS), rng.randint(0, 1000)
        return Fraction(math.floor(lo * q + Fraction(u, 1000) * (hi - lo) * q), q)
    if branch == 2:
        return Fraction(rng.randint(math.ceil(lo), math.floor(hi)))
    if branch == 3:
        return Fraction(rng.choice((1, -1)) * rng.randint(1, 7) * rng.choice(_IRRATIONAL))
    if branch == 4:
        base = 0 if d.lo is None or d.hi is None or (d.lo <= 0 <= d.hi) else (d.lo if d.lo is not None else d.hi)
        return Fraction(base) + rng.choice((1, -1)) * Fraction(1, 10 ** rng.randint(3, 12))
    if branch == 5:
        return rng.choice((1, -1)) * rng.choice((1, 3, 7)) * Fraction(10) ** rng.randint(2, 12)
    ends = [Fraction(v) for v in (0, 1, -1, Fraction(1, 2), 2)] + [b for b in (d.lo, d.hi) if b is not None]
    return rng.choice(ends)


def _entries(draw, shape, lo=-5.0, hi=5.0):
    return draw.entries(shape, lo, hi)


def _exact(a) -> np.ndarray:
    """Float entries drawn on small-denominator grids, as exact fractions (object array)."""
    a = np.asarray(a, dtype=float)
    return np.array([Fraction(v).limit_denominator(1000) for v in a.ravel().tolist()],
                    dtype=object).reshape(a.shape)


def _fr_inv(M):
    from .evaluate import _fr_det

    return _fr_det(M)[1]


def _matrix(draw, d: Domain, m: int, n: int):
    """An exactly structured matrix of fractions (an orthogonal matrix by the Cayley transform)."""
    fl = d.flavour
    eye = np.array([[Fraction(int(i == j)) for j in range(n)] for i in range(n)], dtype=object)
    if fl == "identity":
        return eye
    if fl == "diagonal nonnegative":
        return _diag(_exact(_entries(draw, (n,), 0.0, 4.0)), n)
    if fl == "diagonal":
        return _diag(_exact(_entries(draw, (n,), -4.0, 4.0)), n)
    if fl == "invertible":
        return _exact(draw.invertible(n))
    if fl == "symmetric":
        B = _exact(_entries(draw, (n, n), -3.0, 3.0))
        return (B + B.T) / 2
    if fl == "positive definite":
        B = _exact(_entries(draw, (n, n), -2.0, 2.0))
        return B @ B.T / n + eye * Fraction(draw.choice((1, 2, 4)), 4)
    if fl == "orthogonal":
        B = _exact(_entries(draw, (n, n), -2.0, 2.0))
        S_ = (B - B.T) / 2  # skew-symmetric: (I - S)(I + S)^-1 is exactly orthogonal
        Q = (eye - S_) @ _fr_inv(eye + S_)
        return Q * draw.choice((1, -1))
    if fl == "row-stochastic":
        return np.array([_exact(draw.distribution(n)).tolist() for _ in range(m)], dtype=object).reshape(m, n)
    if fl == "full column rank":
        A = _exact(_entries(draw, (m, n), -3.0, 3.0))
        if np.linalg.matrix_rank(A.astype(float)) < n:
            A[:n, :n] += eye * 4  # m >= n (the sizes are drawn so)
        return A
    return _exact(_entries(draw, (m, n), -3.0, 3.0))


def _diag(v, n):
    out = np.full((n, n), Fraction(0), dtype=object)
    for i in range(n):
        out[i, i] = v[i]
    return out


def _vector(draw, d: Domain, n: int):
    fl = d.flavour
    if fl == "probability":
        return _exact(draw.distribution(n)).reshape(n, 1)
    if fl == "one-hot":
        out = np.full((n, 1), Fraction(0), dtype=object)
        out[draw.integer(0, n - 1), 0] = Fraction(1)
        return out
    lo = {"positive": 0.25, "nonnegative": 0.0}.get(fl, -5.0)
    return _exact(_entries(draw, (n, 1), lo, 5.0))


def _draw_instance(D, domains: tuple):
    """One ``(env, probabilities)`` from drawer ``D`` (:class:`_HypothesisDraws` or :class:`_RandomDraws`)."""
    env = {}
    doms = dict(domains)
    probs = None
    if any(d.kind == "random" for _, d in domains):
        probs = D.finite_distribution(2, 6)
    for name, d in domains:  # scalars first: size labels may be integer symbols
        if d.kind == "real":
            env[name] = D.real(d)
        elif d.kind == "integer":
            lo, hi = _int_range(name, d, env)
            env[name] = D.integers(lo, hi, d.lo is None and d.hi is None)
    sizes = {}
    col_rank = {d.label for d in doms.values() if d.kind == "matrix" and d.flavour == "full column rank"}
    for lab in size_labels(doms):
        if lab in env:
            sizes[lab] = int(env[lab])
            if not 1 <= sizes[lab] <= MAX_SIZE:
                raise ValidationError(f"size label {lab} = {sizes[lab]}: an integer symbol used as a size must "
                                      f"lie in [1, {MAX_SIZE}]; declare it as integer in [1, {MAX_SIZE}]")
        elif re.fullmatch(r"\d+", lab):
            sizes[lab] = int(lab)
        else:
            sizes[lab] = D.integer(1, 4)
    for rows, cols in col_rank:
        if sizes[rows] < sizes[cols]:
            if rows in env or re.fullmatch(r"\d+", rows):
                raise ValidationError(f"a full column rank matrix {rows} x {cols} needs {rows} >= {cols}")
            sizes[rows] = sizes[cols] + D.integer(0, 2)
    for name, d in domains:
        if d.kind == "vector":
            env[name] = _vector(D, d, sizes[d.label])
        elif d.kind == "matrix":
            env[name] = _matrix(D, d, sizes[d.label[0]], sizes[d.label[1]])
        elif d.kind == "random":
            env[name] = RandomVariable(D.grid_list(-5.0, 5.0, probs.size))
    return env, probs


def _int_range(name, d, env):
    """The (lo, hi) an integer symbol is drawn from (hi None: unbounded above)."""
    lo = env[d.lo] if isinstance(d.lo, str) else d.lo
    hi = env[d.hi] if isinstance(d.hi, str) else d.hi
    if lo is None:
        lo = -10 if hi is None else min(-10, hi - 10)
    if hi is not None and hi < lo:
        raise ValidationError(f"symbol {name}: empty integer range [{lo}, {hi}]")
    return int(lo), None if hi is None else int(hi)


@st.composite
def _instances(draw, domains: tuple):
    return _draw_instance(_HypothesisDraws(draw), domains)


def _instance_key(point):
    env, probs = point
    parts = []
    for k, v in env.items():
        if isinstance(v, RandomVariable):
            v = tuple(v.values.tolist())
        elif isinstance(v, np.ndarray):
            v = (v.shape, tuple(v.ravel().tolist()))
        parts.append((k, v))
    return tuple(parts), None if probs is None else tuple(probs.tolist())


def _enumerate(domains: tuple, limit: int):
    """Every instance of a domain of bounded integers only (None when there are more than ``limit``)."""
    if not domains or any(d.kind != "integer" for _, d in domains):
        return None
    out = [{}]
    for name, d in domains:
        nxt = []
        for env in out:
            lo, hi = _int_range(name, d, env)
            if hi is None or hi - lo + 1 + len(nxt) > limit:
                return None
            nxt.extend(dict(env, **{name: v}) for v in range(lo, hi + 1))
        out = nxt
    return [(env, None) for env in out]


def sample_instances(domains: dict, count: int, seed: int = 0):
    """``(points, exhausted)``: ``count`` distinct instances drawn in bulk from the distributions of
    :func:`instances` with a generator seeded by ``seed`` (same seed, same points), or every instance of
    a small domain. ``exhausted``: the points are the whole domain (or no new instance turned up in
    ``8 * count`` draws)."""
    import random

    items = tuple(domains.items())
    every = _enumerate(items, count)
    if every is not None:
        return every, True
    D = _RandomDraws(random.Random(seed * 7919 + 104729))
    points, seen = [], set()
    for _ in range(8 * count):
        p = _draw_instance(D, items)
        k = _instance_key(p)
        if k not in seen:
            seen.add(k)
            points.append(p)
            if len(points) == count:
                return points, False
    return points, True


def instances(domains: dict, *, int_span: int = 12):
    """Hypothesis strategy of ``(env, probabilities)``; scalars drawn in declaration order, then arrays.
    (``int_span`` is kept for compatibility; integer draws are described in the module docstring.)"""
    return _instances(tuple(domains.items()))
