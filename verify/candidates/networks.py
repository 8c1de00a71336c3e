r"""Candidate side of :mod:`verify.catalogue.networks`: adapters to :mod:`derivations.networks`, and
the mutants of its claims.

* ``networks.sigmoid-chain-bound``, ``networks.tanh-chain-bound``: :func:`sigmoid_bound`,
  :func:`tanh_bound`; the mutants are :func:`power_bound` (``base^(n + shift)``);
* ``networks.rnn-jacobian-bound`` (and ``-corrected``): :func:`rnn_bound_as_written`, :func:`rnn_bound`;
  mutants :func:`rnn_bound_exponent_n` and :func:`rnn_bound_squared_norm`;
* ``networks.rnn-jacobian``: :func:`rnn_jacobian_candidate` and its SymPy form :func:`rnn_jac_sym`
  (``transpose=True`` is the mutant);
* ``networks.attention-cost``: :func:`attention_count` (one product, linear in n);
* ``networks.attention-low-rank``: :func:`low_rank_candidate` (sigma dropped, quadratic count);
* ``networks.attention-projection``: :func:`projection_candidate` and the mutant
  :func:`projection_left_vectors`.
"""

from __future__ import annotations

import numpy as np

from derivations import networks as N

__all__ = ["sigmoid_bound", "tanh_bound", "power_bound", "rnn_bound", "rnn_bound_as_written", "rnn_bound_exponent_n",
           "rnn_bound_squared_norm", "rnn_jacobian_candidate", "rnn_jac_sym", "attention_count", "low_rank_candidate",
           "projection_candidate", "projection_left_vectors"]


# ---------------------------------------------------------------------------
# activation chains
# ---------------------------------------------------------------------------


def sigmoid_bound(p):
    """The derived bound at the point ``(n, x)``."""
    return N.sigmoid_chain_bound(p[0])


def tanh_bound(p):
    """The derived bound at the point ``(n, x)``."""
    return N.tanh_chain_bound(p[0])


def power_bound(p, base, shift=0):
    """Mutants: ``base^(n + shift)``."""
    n, _ = p
    return base ** (n + shift)


# ---------------------------------------------------------------------------
# RNN Jacobian
# ---------------------------------------------------------------------------


def rnn_bound(p):
    """The derived bound at ``p`` (sigma_max(W) = 1/2)."""
    return N.rnn_jacobian_bound(p.n, 0.5)


def rnn_bound_as_written(p):
    """The assignment's bound at ``p``."""
    return N.rnn_jacobian_bound_as_written(p.n, 0.5)


def rnn_bound_exponent_n(p):
    """Mutant: ``(1/2)^n``, the assignment's exponent."""
    return 0.5 ** p.n


def rnn_bound_squared_norm(p):
    """Mutant: ``(1/4)^(n-1)``."""
    return 0.25 ** (p.n - 1)


def rnn_jacobian_candidate(p, *, transpose=False):
    J = N.rnn_jacobian(p.W, p.x1, p.n)
    return J.T if transpose else J


def rnn_jac_sym(size, *, transpose=False):
    d, n = size
    J, W, x1 = N.rnn_jacobian_sym(d, n)
    return J.T if transpose else J


# ---------------------------------------------------------------------------
# attention
# ---------------------------------------------------------------------------


def attention_count(p, *, variant="derived"):
    n, d = p
    if variant == "one-product":
        return n * n * d
    if variant == "linear":
        return 2 * n * d * d
    return N.attention_cost(n, d)["multiply_adds"]


def low_rank_candidate(p, *, variant="derived"):
    U, s, Vt = p.U, p.s, p.Vt
    if variant == "sigma-dropped":
        value = U @ (Vt @ p.V)
    else:
        value = N.low_rank_attention(U, s, Vt, p.V)
    n, k, d = p.sizes
    count = N.low_rank_cost(n, k, d)["multiply_adds"] if variant != "quadratic-count" else 2 * n * n * d
    return {"value": value, "count": count}


def _projection_product(p, C, D):
    return p.Q @ (C @ p.K).T @ (D @ p.V)


def projection_candidate(p):
    """``Q (CK)^T D V`` with the derived ``C = D = Ṽ^T`` of ``P = QK^T``."""
    C, D = N.projection_matrices(p.Q @ p.K.T, p.sizes[1])
    return _projection_product(p, C, D)


def projection_left_vectors(p):
    """Mutant: ``C = D = Ũ^T`` (left singular vectors)."""
    U, _, _ = np.linalg.svd(p.Q @ p.K.T)
    k = p.sizes[1]
    return _projection_product(p, U[:, :k].T, U[:, :k].T)
