r"""The oracle side of the ``matcalc.*`` claims (:mod:`verify.catalogue.matcalc`): the point types and
strategies (invertible square matrices, linear maps with a vector, vectors on a quarter grid) and the
references -- complex-step derivatives of the functions written from primitive definitions
(``np.linalg.det``, ``np.exp``) in the judge's layout: the gradient of a scalar has the shape of the
variable; a Jacobian is :math:`\partial\operatorname{vec}f/\partial\operatorname{vec}(x)^\top`."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .. import strategies as S
from ..numerics import complex_step_jacobian

__all__ = [
    "SquarePoint", "LinearPoint", "VectorPoint", "invertible", "linear", "vectors",
    "gradient_logdet", "jacobian_linear", "gradient_lse",
]


class SquarePoint(NamedTuple):
    X: np.ndarray

    def readable(self) -> dict:
        return {"X": self.X.tolist()}


class LinearPoint(NamedTuple):
    A: np.ndarray
    x: np.ndarray

    def readable(self) -> dict:
        return {"A": self.A.tolist(), "x": self.x.tolist()}


class VectorPoint(NamedTuple):
    z: np.ndarray

    def readable(self) -> dict:
        return {"z": self.z.tolist()}


@st.composite
def invertible(draw):
    n = draw(st.integers(2, 4))
    return SquarePoint(np.asarray(draw(S.invertible_matrices(size=n, max_condition=20.0, min_abs_det=0.5 ** n))))


_quarters = st.integers(-12, 12).map(lambda k: k / 4)


@st.composite
def linear(draw):
    m, n = draw(st.integers(2, 4)), draw(st.integers(2, 4))
    A = draw(hnp.arrays(float, (m, n), elements=_quarters))
    return LinearPoint(A, draw(hnp.arrays(float, (n,), elements=_quarters)))


@st.composite
def vectors(draw):
    n = draw(st.integers(2, 4))
    return VectorPoint(draw(hnp.arrays(float, (n,), elements=_quarters)))


# --- oracles: complex-step derivatives of the functions written from primitive definitions -----------------

def gradient_logdet(p):
    n = p.X.shape[0]

    def f(Z):
        d = np.linalg.det(Z.reshape(-1, n, n).transpose(0, 2, 1))  # column-major vec
        return np.log(d * np.sign(d.real))[:, None]

    J, _ = complex_step_jacobian(f, p.X.T.reshape(-1))
    return J.reshape(n, n).T


def jacobian_linear(p):
    J, _ = complex_step_jacobian(lambda Z: Z @ p.A.T, p.x)
    return J


def gradient_lse(p):
    J, _ = complex_step_jacobian(lambda Z: np.log(np.exp(Z).sum(axis=1))[:, None], p.z)
    return J[0]
