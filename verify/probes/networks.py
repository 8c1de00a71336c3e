r"""Oracle side of :mod:`verify.catalogue.networks`: the points and the measurements of its checks.

The networks themselves are differentiated (complex step through the forward pass of
:mod:`verify.oracles.networks`), the operations of an evaluation are counted as it runs, and
products are multiplied out densely; nothing here evaluates a derived bound or closed form.

* ``networks.sigmoid-chain-bound``, ``networks.tanh-chain-bound``: :func:`chain_points`,
  :func:`chain_coordinates` and :func:`chain_derivative`;
* ``networks.rnn-jacobian-bound`` (and ``-corrected``): :func:`rnn_points`, :func:`rnn_coordinates`
  and :func:`rnn_sigma_max`;
* ``networks.rnn-jacobian``: :func:`rnn_jac_reference` (SymPy's own Jacobian of the unrolled map;
  only the symbols are taken from :func:`derivations.networks.rnn_jacobian_sym`), :func:`rnn_primitive`,
  :func:`rnn_blocks` and the nilpotent example :data:`NILPOTENT_RNN`;
* ``networks.attention-cost``: :func:`attention_sizes` and :func:`counted_attention`;
* ``networks.attention-low-rank``: :func:`low_rank_points`, :func:`low_rank_reference`, :func:`low_rank_scale`
  and :func:`counted_low_rank` (from :mod:`verify.oracles.networks`);
* ``networks.attention-projection``: :func:`projection_points`, :func:`projection_reference`,
  :func:`projection_scale`.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from derivations import networks as N

from ..numerics import complex_step_jacobian
from ..oracles import networks as ON
from ..oracles.networks import counted_low_rank

__all__ = ["chain_points", "chain_coordinates", "chain_derivative", "rnn_points", "rnn_sigma_max", "rnn_coordinates",
           "rnn_primitive", "rnn_blocks", "rnn_jac_reference", "NILPOTENT_RNN", "attention_sizes", "counted_attention",
           "low_rank_points", "low_rank_reference", "low_rank_scale", "counted_low_rank", "projection_points", "projection_reference",
           "projection_scale"]


# ---------------------------------------------------------------------------
# activation chains
# ---------------------------------------------------------------------------


def chain_points():
    return st.tuples(st.integers(1, 8), st.floats(-10.0, 10.0, allow_nan=False))


def chain_coordinates(p):
    n, x = p
    return np.array([x]), lambda v: (n, float(np.clip(v[0], -10.0, 10.0)))


def chain_derivative(p, act):
    n, x = p
    J, _ = complex_step_jacobian(lambda X: ON.activation_chain(X, n, act), np.array([x]))
    return abs(float(J[0, 0]))


# ---------------------------------------------------------------------------
# RNN Jacobian
# ---------------------------------------------------------------------------


@st.composite
def rnn_points(draw, min_n=2, max_n=6):
    d = draw(st.integers(1, 4))
    A = draw(hnp.arrays(float, (d, d), elements=st.integers(-4, 4).map(float)))
    s = np.linalg.norm(A, 2)
    W = 0.5 * np.eye(d) if s == 0 else 0.5 * A / s  # sigma_max(W) = 1/2 exactly (up to roundoff)
    x1 = draw(hnp.arrays(float, (d,), elements=st.integers(-12, 12).map(lambda i: i / 4)))
    n = draw(st.integers(min_n, max_n))
    return ON.RNNPoint(W, x1, n)


def rnn_sigma_max(p):
    J, _ = complex_step_jacobian(lambda X: ON.rnn_forward(X, p.W, p.n), p.x1)
    return float(np.linalg.norm(J, 2))


def rnn_coordinates(p):
    return p.x1.copy(), lambda v: p._replace(x1=np.clip(v, -3.0, 3.0))


def rnn_primitive(p):
    return (lambda X: ON.rnn_forward(X, p.W, p.n)), p.x1


def rnn_blocks(p, J_ref):
    """One block; its scale is the size of the products that cancel, max |W|^(n-1) entrywise (|tanh'| <= 1):
    a nilpotent W (thorough calibration, seed 1: W^2 = 0) has a Jacobian of exactly 0 computed as 1e-17."""
    return [(slice(None), float(np.linalg.matrix_power(np.abs(p.W), p.n - 1).max()))]


def rnn_jac_reference(size):
    """SymPy's own Jacobian of the unrolled map."""
    d, n = size
    _, W, x1 = N.rnn_jacobian_sym(d, n)
    x = x1
    for _ in range(n - 1):
        x = (W * x).applyfunc(sp.tanh)
    return x.jacobian(x1)


#: A nilpotent W (W^2 = 0): the Jacobian at n = 3 is exactly 0.
NILPOTENT_RNN = ON.RNNPoint(np.array([[-0.2, 0.4], [-0.1, 0.2]]), np.zeros(2), 3)


# ---------------------------------------------------------------------------
# attention
# ---------------------------------------------------------------------------


def attention_sizes():
    return st.tuples(st.integers(1, 40), st.integers(1, 16))


def counted_attention(p):
    n, d = p
    rng = np.random.default_rng(n * 1000 + d)
    Q, K, V = (rng.normal(size=(n, d)) for _ in range(3))
    return ON.counted_attention(Q, K, V).multiply_adds


@st.composite
def low_rank_points(draw):
    n = draw(st.integers(1, 12))
    k = draw(st.integers(1, n))
    d = draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**16))
    return ON.low_rank_instance(n, k, d, seed)


def low_rank_reference(p):
    """The dense product PV."""
    return p.P @ p.V


def low_rank_scale(p):
    return float(np.abs(p.P).sum(axis=1).max() * np.abs(p.V).max())


@st.composite
def projection_points(draw):
    n = draw(st.integers(2, 12))
    k = draw(st.integers(1, n - 1))
    d = draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**16))
    return ON.projection_instance(n, k, d, seed)


def projection_reference(p):
    """The dense product (QK^T)V."""
    return p.Q @ p.K.T @ p.V


def projection_scale(p):
    return float(np.abs(p.Q).max() * np.abs(p.K).sum(axis=0).max() * np.abs(p.V).sum(axis=0).max() + 1)
