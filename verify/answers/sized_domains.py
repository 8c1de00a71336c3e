r"""Domains with sizes and limits, for derivations (vectors are columns, ``n x 1``, as in the judge) (an extension of :mod:`verify.answers.domains`).

Adds ``"vector K"`` / ``"probability vector K"`` / ``"positive vector 3"`` / ``"one-hot vector K"`` (the length
a declared integer symbol, a number or a shared label), ``"matrix m x n"``, ``"stochastic matrix K x K"`` /
``"row-stochastic matrix m x n"`` (rows are probability vectors), ``"symmetric"`` / ``"positive definite"`` /
``"invertible"`` / ``"diagonal"`` / ``"identity"`` / ``"orthogonal matrix n x n"``, ``"full column rank matrix
m x k"`` (m >= k), ``"real in [a, b]"`` (a < b) and the asymptotic variables ``"real -> 0"``,
``"positive -> 0"``, ``"real -> oo"``; everything else is :func:`verify.answers.domains.parse_domain`.

>>> d = parse_sized("probability vector K")
>>> d.kind, d.flavour, d.sizes
('vector', 'probability', ('K',))
"""

from __future__ import annotations

import re

import numpy as np
from hypothesis import assume, strategies as st

from derivations.domains import (DEFAULT_VECTOR, SIZED_HELP, Domain, _bound_name, parse_sized,  # noqa: F401
                                 sympy_symbol_sized)

from .. import strategies as S
from ..errors import ValidationError

__all__ = ["SizedDomain", "parse_sized", "sized_instances", "SIZED_HELP", "sympy_symbol_sized"]

SizedDomain = Domain  #: one Domain type (:mod:`derivations.domains`) for questions, derivations and the book


def _real_range(d):
    """(lo, hi, step) of the grid a real symbol is drawn from (unbounded sides stop at +-10)."""
    lo = -10.0 if d.lo is None else float(d.lo)
    hi = 10.0 if d.hi is None else float(d.hi)
    if d.flavour == "interval":
        return lo, hi, (hi - lo) / 40
    step = 0.25 if hi - lo > 2 else (hi - lo) / 40
    return lo + (step if d.lo_open else 0.0), hi - (step if d.hi_open else 0.0), step


def _resolve(bound, env):
    if not isinstance(bound, str):
        return bound
    m = re.fullmatch(r"(\w+)\s*(?:([-+])\s*(\d+))?", bound)
    v = env[m.group(1)]
    return v + (int(m.group(3)) if m.group(2) == "+" else -int(m.group(3))) if m.group(2) else v


def _matrix(draw, d: SizedDomain, r: int, c: int):
    fl = d.flavour
    if fl == "identity":
        return np.eye(r)
    if fl == "stochastic":
        return _weights(draw, r, c)
    if fl.startswith("diagonal"):
        return np.diag(np.asarray(draw(st.lists(S.grid_values(0.0 if fl.endswith("nonnegative") else -3.0, 3.0),
                                                min_size=r, max_size=r))))
    if fl == "invertible":
        return draw(S.invertible_matrices(size=r, max_condition=20.0, min_abs_det=0.5 ** r))
    if fl == "row-stochastic":
        return _weights(draw, r, c)
    B = np.asarray(draw(st.lists(S.grid_values(-2.0, 2.0), min_size=r * c, max_size=r * c)), dtype=float).reshape(r, c)
    if fl == "symmetric":
        return (B + B.T) / 2
    if fl == "positive definite":
        return B @ B.T + 0.5 * np.eye(r)
    if fl == "orthogonal":  # the Cayley transform of a skew-symmetric matrix, times +-1
        K = (B - B.T) / 2
        Q = np.linalg.solve((np.eye(r) + K).T, (np.eye(r) - K).T).T  # (I - K) (I + K)^-1
        return Q * draw(st.sampled_from((1.0, -1.0)))
    if fl == "full column rank":  # r >= c (the sizes are drawn so)
        if np.linalg.matrix_rank(B) < c or np.linalg.cond(B) > 1e6:  # made diagonally dominant on top
            B[:c, :c] += (np.abs(B[:c, :c]).sum(axis=1).max() + 1) * np.eye(c)
        return B
    return B


def _weights(draw, r, c):
    """``r`` probability rows of length ``c`` (integer weights 1..9, one draw; shrinks toward uniform)."""
    w = np.asarray(draw(st.lists(st.integers(1, 9), min_size=r * c, max_size=r * c)), dtype=float).reshape(r, c)
    return w / w.sum(axis=1, keepdims=True)


@st.composite
def _instances(draw, domains: tuple, members: tuple, int_span: int):
    env = {}
    pending = [(n, d) for n, d in domains if d.kind == "integer"]
    for _ in range(len(pending) + 1):  # integers first, in an order their bounds allow
        left = []
        for name, d in pending:
            if any(isinstance(b, str) and _bound_name(b) not in env for b in (d.lo, d.hi)):
                left.append((name, d))
                continue
            lo = _resolve(d.lo, env)
            hi = _resolve(d.hi, env) if d.hi is not None else lo + int_span
            if hi < lo:
                raise ValidationError(f"symbol {name}: empty integer range [{lo}, {hi}]")
            env[name] = draw(st.integers(lo, hi))
        pending = left
    if pending:
        raise ValidationError(f"symbols {[n for n, _ in pending]}: integer bounds name an undeclared or circular symbol")
    sizes = {}

    def size(label):
        if isinstance(label, int):
            return label
        if label in env:
            v = env[label]
            if not isinstance(v, (int, np.integer)) or v < 1:
                raise ValidationError(f"size {label} = {v}: sizes must be positive integers")
            return int(v)
        if label not in sizes:
            sizes[label] = draw(st.integers(1, 5 if label == DEFAULT_VECTOR else 3))
        return sizes[label]

    probs = None
    if any(d.kind == "random" for _, d in domains):
        probs = draw(S.finite_distributions(min_size=2, max_size=6))
    for name, d in domains:  # a full column rank m x k: a free row label m is drawn at least k
        if d.kind == "matrix" and d.flavour == "full column rank":
            lab, c = d.sizes[0], size(d.sizes[1])
            if not isinstance(lab, int) and lab not in env and lab not in sizes:
                sizes[lab] = c + draw(st.integers(0, 2))
    for name, d in domains:
        if d.kind == "real":
            lo, hi, step = _real_range(d)
            env[name] = float(draw(S.grid_values(lo, hi, step=step)))
            if d.flavour == "nonzero" and env[name] == 0.0:
                env[name] = step  # a nonzero real: 0 is outside the domain
        elif d.kind == "vector":
            n = size(d.sizes[0])
            if d.flavour == "probability":
                env[name] = _weights(draw, 1, n).reshape(n, 1)
            elif d.flavour == "unit":  # a nonzero draw, normalised
                v = np.asarray(draw(st.lists(S.grid_values(-5.0, 5.0), min_size=n, max_size=n)), dtype=float)
                v[0] = v[0] if np.any(v) else 1.0
                env[name] = (v / np.linalg.norm(v)).reshape(n, 1)
            elif d.flavour == "one-hot":
                env[name] = np.zeros((n, 1))
                env[name][draw(st.integers(0, n - 1)), 0] = 1.0
            else:
                lo = {"positive": 0.25, "nonnegative": 0.0}.get(d.flavour, -5.0)
                env[name] = np.asarray(draw(st.lists(S.grid_values(lo, 5.0), min_size=n, max_size=n)), dtype=float).reshape(n, 1)
        elif d.kind == "matrix":
            r, c = size(d.sizes[0]), size(d.sizes[1])
            if d.flavour == "full column rank":
                assume(r >= c)  # declared sizes with m < k: outside the domain
            env[name] = _matrix(draw, d, r, c)
        elif d.kind == "random":
            from .evaluate import RandomVariable

            env[name] = RandomVariable(np.asarray(draw(st.lists(S.grid_values(-5.0, 5.0), min_size=probs.size,
                                                                max_size=probs.size))))
    if members:
        env["__fns__"] = {fname: draw(st.sampled_from(names)) for fname, names in members}
    return env, probs


def sized_instances(domains: dict, *, members: dict | None = None, int_span: int = 12):
    """Hypothesis strategy of ``(env, probabilities)``: integers first, then the rest in declaration
    order; ``members``: abstract function name -> the concrete members to pick from."""
    return _instances(tuple(domains.items()), tuple((members or {}).items()), int_span)
