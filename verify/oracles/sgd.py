r"""Minibatch SGD simulated from the primitive definitions, vectorised over minibatches.

Nothing here uses a derived expectation. Minibatches are enumerated (all
:math:`\binom nk` of them) or sampled uniformly without replacement; every update is
the gradient of the minibatch loss :math:`L_B(\theta) = \frac{1}{2k}\sum_{i\in B}
(\phi_i^\top\theta - y_i)^2` taken by complex step, and for the implicit
parameterization the update is applied to :math:`\psi = (w, F)` and pushed through
the constraint by :func:`verify.oracles.implicit.theta_change`.

>>> minibatches(4, 2).shape
(6, 2)
"""

from __future__ import annotations

from functools import lru_cache
from itertools import combinations
from math import comb

import numpy as np

from . import implicit as O

__all__ = [
    "minibatches",
    "n_minibatches",
    "sample_minibatches",
    "minibatch_gradients",
    "loss_change",
    "explicit_loss_changes",
    "implicit_parameter_steps",
    "implicit_theta_changes",
    "steps_to_theta_changes",
]

H_CS = 1e-30  #: complex-step size (no cancellation, so it can be tiny)


def n_minibatches(n: int, k: int) -> int:
    return comb(n, k)


@lru_cache(maxsize=64)
def _minibatches(n: int, k: int) -> np.ndarray:
    out = np.fromiter((i for B in combinations(range(n), k) for i in B), dtype=np.intp).reshape(-1, k)
    out.setflags(write=False)
    return out


def minibatches(n: int, k: int) -> np.ndarray:
    """All :math:`\\binom nk` minibatches as a read-only ``(C, k)`` index array (cached)."""
    return _minibatches(int(n), int(k))


def sample_minibatches(rng: np.random.Generator, n: int, k: int, N: int) -> np.ndarray:
    """``N`` minibatches drawn uniformly without replacement, as ``(N, k)`` indices.

    For ``k^2 <= n`` rows are drawn with replacement and rows with a repeated index
    are redrawn (rejection keeps the draw uniform over k-subsets, and a row is
    rejected with probability below 1/2). Otherwise the ``k`` smallest of ``n``
    uniform keys form the subset (chunked to bound memory).
    """
    if k * k <= n:
        out = rng.integers(0, n, size=(N, k))
        while True:
            srt = np.sort(out, axis=1)
            bad = np.flatnonzero((srt[:, 1:] == srt[:, :-1]).any(axis=1)) if k > 1 else np.array([], int)
            if bad.size == 0:
                return out
            out[bad] = rng.integers(0, n, size=(bad.size, k))
    out = np.empty((N, k), dtype=np.intp)
    chunk = max(1, 1_000_000 // max(n, 1))
    for s in range(0, N, chunk):
        m = min(chunk, N - s)
        keys = rng.random((m, n))
        out[s:s + m] = np.argpartition(keys, k - 1, axis=1)[:, :k] if k < n else np.arange(n)
    return out


def minibatch_gradients(phi, y, theta, batches) -> np.ndarray:
    r""":math:`\nabla L_B(\theta)` for every minibatch, by complex step: ``(C, d)``."""
    phi = np.asarray(phi, dtype=float)
    d = phi.shape[1]
    k = batches.shape[1]
    Theta = theta[None, :] + 1j * H_CS * np.eye(d)  # (d, d): row j perturbs coordinate j
    R = phi[batches] @ Theta.T - y[batches][:, :, None]  # (C, k, d)
    L = (R * R).sum(axis=1) / (2 * k)
    return L.imag / H_CS


def loss_change(phi, residual, delta) -> np.ndarray:
    r""":math:`L(\theta + \delta) - L(\theta) = (\phi^\top r)^\top\delta + \frac12\delta^\top\phi^\top\phi\,\delta`
    for a batch of ``delta`` (shape ``(..., d)``).

    The loss is quadratic, so this is exact; written this way it has no cancellation
    between two nearly equal losses, and costs O(d^2) per ``delta`` instead of O(n d).
    """
    phi = np.asarray(phi)
    delta = np.asarray(delta)
    grad = phi.T @ residual
    gram = phi.T @ phi
    return delta @ grad + 0.5 * np.einsum("...i,ij,...j->...", delta, gram, delta)


def explicit_loss_changes(phi, y, theta, batches, alphas) -> np.ndarray:
    """``(len(alphas), C)`` loss changes of one explicit SGD step per minibatch."""
    g = minibatch_gradients(phi, y, theta, batches)
    residual = phi @ theta - y
    delta = -np.asarray(alphas)[:, None, None] * g[None, :, :]
    return loss_change(phi, residual, delta)


def implicit_parameter_steps(phi, y, psi, eta, batches):
    r"""``(J, G)``: the primitive Jacobian :math:`J = \partial\hat\theta/\partial\psi` (complex
    step) and the minibatch gradients :math:`G_B = J^\top\nabla_\theta L_B` (chain rule)."""
    theta = O.theta_hat(psi[None, :], eta=eta)[0]
    J, _ = O.jacobian_oracle(psi, eta=eta)
    g = minibatch_gradients(phi, y, theta, batches)
    return theta, J, g @ J


def implicit_theta_changes(phi, y, psi, eta, batches, alphas):
    r"""``(theta, J, dtheta)`` with ``dtheta[a, B]`` the change of :math:`\hat\theta` after one
    SGD step of size ``alphas[a]`` on :math:`\psi` for minibatch ``B``."""
    theta, J, G = implicit_parameter_steps(phi, y, psi, eta, batches)
    return theta, J, steps_to_theta_changes(psi, eta, G, alphas)


def steps_to_theta_changes(psi, eta, G, alphas):
    """``dtheta[a, B]`` for parameter steps ``-alphas[a] * G[B]`` (``G`` from :func:`implicit_parameter_steps`)."""
    alphas = np.asarray(alphas, dtype=float)
    dpsi = -(alphas[:, None, None] * G[None, :, :]).reshape(-1, G.shape[1])
    return O.theta_change(psi, dpsi, eta=eta).reshape(len(alphas), G.shape[0], -1)
