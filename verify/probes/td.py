r"""Oracle side of :mod:`verify.catalogue.td` (seed 002): the points of its checks and the TD error
itself, differentiated by complex step through the two-layer network -- never the derived gradient.

* :class:`TDPoint` and :func:`points` -- drawn network weights, features, reward, discount and a
  direction in :math:`(\omega^{(1)}, \operatorname{vec}\omega^{(2)})`, for all three claims;
* :func:`primitive` -- the TD error as a batched function of :math:`(\omega^{(1)}, \operatorname{vec}\omega^{(2)})`
  (column-stacking vec) and the point's vector, for ``td.two-layer-gradient`` (and ``-as-written``);
* :func:`linearization_remainder` -- the first-order Taylor remainder along the drawn direction, for
  ``td.linearization-remainder``.
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import mpmath
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .. import strategies as S
from ..tolerances import EPS

__all__ = ["TDPoint", "points", "primitive", "linearization_remainder"]


class TDPoint(NamedTuple):
    w1: np.ndarray
    W2: np.ndarray
    h: np.ndarray
    hp: np.ndarray
    r: float
    gamma: float
    direction: np.ndarray  #: for the linearisation: a direction in (w1, vec W2)

    def readable(self) -> dict:
        return {k: (v.tolist() if isinstance(v, np.ndarray) else float(v)) for k, v in self._asdict().items()}


@st.composite
def points(draw):
    m, p = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    arr = lambda shape, b=2: draw(hnp.arrays(float, shape, elements=S.grid_values(-b, b)))  # noqa: E731
    gamma = draw(st.sampled_from((0.0, 0.5, 0.9, 0.99)))
    return TDPoint(arr((p,)), arr((m, p)), arr((m,)), arr((m,)), draw(S.grid_values(-2, 2)), gamma,
                   arr((p + m * p,), 1) + 0.25)


def _unpack(v, m, p):
    """``v = (w1, vec W2)`` batched ``(b, p + m p)`` -> ``w1 (b, p)``, ``W2 (b, m, p)`` (column-major vec)."""
    w1 = v[..., :p]
    W2 = v[..., p:].reshape(v.shape[:-1] + (p, m)).swapaxes(-1, -2)
    return w1, W2


def _td_error_batch(V, q):
    m, p = q.W2.shape
    w1, W2 = _unpack(V, m, p)
    a = np.einsum("bml,m->bl", W2, q.h)
    ap = np.einsum("bml,m->bl", W2, q.hp)
    e = (w1 * np.tanh(a)).sum(-1) - q.r - q.gamma * (w1 * np.tanh(ap)).sum(-1)
    return e[:, None]


def _vec(q):
    return np.concatenate([q.w1, q.W2.T.reshape(-1)])  # column-stacking vec of W2


def primitive(q):
    return partial(_td_error_batch, q=q), _vec(q)


def _td_error_mp(x, q):
    """The TD error at ``x = (w1, vec W2)`` (column-stacking vec) in mpmath at the working precision."""
    m, p = q.W2.shape
    w1, v = x[:p], x[p:]
    W2 = [[v[l * m + i] for l in range(p)] for i in range(m)]  # W2[i][l] = vec[l m + i]
    a = [mpmath.fsum(W2[i][l] * float(q.h[i]) for i in range(m)) for l in range(p)]
    ap = [mpmath.fsum(W2[i][l] * float(q.hp[i]) for i in range(m)) for l in range(p)]
    return (mpmath.fsum(w1[l] * mpmath.tanh(a[l]) for l in range(p)) - float(q.r)
            - float(q.gamma) * mpmath.fsum(w1[l] * mpmath.tanh(ap[l]) for l in range(p)))


def _linearization_remainder_mp(grad, q, hs, dps=60):
    """The same remainder with the TD error at 60 digits; the floor is the float64 roundoff of the
    candidate's gradient (relative 100 eps), which shrinks with h, so the ladder can go much deeper."""
    _, x0 = primitive(q)
    u = q.direction / np.linalg.norm(q.direction)
    rem, floor = [], []
    with mpmath.workdps(dps):
        x0m = [mpmath.mpf(float(v)) for v in x0]
        um = [mpmath.mpf(float(v)) for v in u]
        slope = mpmath.fsum(mpmath.mpf(float(g)) * b for g, b in zip(grad, um))
        e0 = _td_error_mp(x0m, q)
        for h in hs:
            hm = mpmath.mpf(float(h))
            e = _td_error_mp([a + hm * b for a, b in zip(x0m, um)], q)
            rem.append(float(abs(e - e0 - hm * slope)))
            floor.append(100 * EPS * float(h) * float(np.abs(grad) @ np.abs(u)) + 1e-300)
    return np.array(rem), np.array(floor)


def linearization_remainder(candidate, q, hs, precise=False):
    """``|e(w* + h u) - e(w*) - h grad . u|`` along the drawn unit direction ``u``: O(h^2) for the right
    gradient. Float64 by default (floor: 100 eps times the sizes of the terms); ``precise=True``
    evaluates the TD error at 60 digits (:func:`_linearization_remainder_mp`)."""
    if precise:
        return _linearization_remainder_mp(np.asarray(candidate.numeric(q), dtype=float)[0], q, hs)
    f, x0 = primitive(q)
    grad = np.asarray(candidate.numeric(q), dtype=float)[0]
    u = q.direction / np.linalg.norm(q.direction)
    X = x0[None, :] + hs[:, None] * u[None, :]
    e = f(X)[:, 0]
    e0 = f(x0[None, :])[0, 0]
    rem = np.abs(e - e0 - hs * (grad @ u))
    floor = 100 * EPS * (np.abs(e) + np.abs(e0) + hs * float(np.abs(grad) @ np.abs(u)) + 1.0)
    return rem, floor
