r"""Samplers and exact expectations for gradient estimators, from their definitions.

>>> import numpy as np
>>> c = gumbel_max_counts(np.log([0.25, 0.75]), np.random.default_rng(0), 100_000)
>>> bool(abs(c[1] / 1e5 - 0.75) < 0.01)
True
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["gumbel_max_counts", "gaussian_expectation_poly", "enumerate_trajectories",
           "trajectory_probabilities", "expected_return", "sample_trajectories"]


def gumbel_max_counts(logits, rng: np.random.Generator, N: int, chunk: int = 1_000_000) -> np.ndarray:
    r"""Counts of :math:`\arg\max_i(\ell_i + G_i)` over ``N`` draws, :math:`G_i` i.i.d. standard Gumbel.

    :math:`G = -\log E` with :math:`E` standard exponential, so
    :math:`\arg\max_i(\ell_i + G_i) = \arg\min_i E_i e^{-\ell_i}`: the same sampler without
    the logarithms (float32 exponentials, chunked).
    """
    logits = np.asarray(logits, dtype=float)
    w = np.exp(-(logits - logits.max())).astype(np.float32)
    k = logits.size
    counts = np.zeros(k, dtype=np.int64)
    for s in range(0, N, chunk):
        m = min(chunk, N - s)
        E = rng.standard_exponential((m, k), dtype=np.float32)
        counts += np.bincount(np.argmin(E * w, axis=1), minlength=k)
    return counts


def gaussian_expectation_poly(coeffs, mu, sigma):
    r""":math:`\mathbb E[f(\mu + \sigma\varepsilon)]` for a polynomial :math:`f = \sum_n c_nx^n`,
    from the Gaussian moments :math:`\mathbb E[\varepsilon^j] = (j-1)!!` (``j`` even). Works for
    complex ``mu``/``sigma`` (complex-step differentiable)."""
    from math import comb

    total = 0.0
    for n, c in enumerate(coeffs):
        for j in range(0, n + 1, 2):
            moment = float(np.prod(np.arange(j - 1, 0, -2))) if j else 1.0
            total = total + c * comb(n, j) * mu ** (n - j) * sigma**j * moment
    return total


@lru_cache(maxsize=32)
def _trajectories(S: int, A: int, T: int):
    from itertools import product

    combos = np.array(list(product(range(S), range(A), repeat=T)), dtype=np.intp).reshape(-1, T, 2)
    states, actions = combos[:, :, 0].copy(), combos[:, :, 1].copy()
    states.setflags(write=False)
    actions.setflags(write=False)
    return states, actions


def enumerate_trajectories(S: int, A: int, T: int):
    """Every (s_1, a_1, ..., s_T, a_T) of a finite MDP with ``S`` states and ``A`` actions, as
    read-only integer arrays ``(N, T)`` of states and actions (cached per shape). Trajectories
    with zero probability under the dynamics are kept (their weight is 0)."""
    return _trajectories(int(S), int(A), int(T))


def trajectory_probabilities(logits, p0, P, states, actions):
    """``P(tau; theta)`` for softmax policy logits ``(S, A)`` (complex-safe)."""
    pi = np.exp(logits - np.real(logits).max(axis=1, keepdims=True))
    pi = pi / pi.sum(axis=1, keepdims=True)
    prob = p0[states[:, 0]] * pi[states[:, 0], actions[:, 0]]
    for t in range(1, states.shape[1]):
        prob = prob * P[states[:, t - 1], actions[:, t - 1], states[:, t]] * pi[states[:, t], actions[:, t]]
    return prob


def expected_return(logits, p0, P, r, T: int):
    """``J(theta) = sum_tau P(tau; theta) R(tau)`` by enumeration (complex-safe in ``logits``)."""
    states, actions = enumerate_trajectories(P.shape[0], P.shape[1], T)
    R = r[states, actions].sum(axis=1)
    return trajectory_probabilities(logits, p0, P, states, actions) @ R


def _categorical_rows(rng, probs):
    """One draw per row of ``probs`` (inverse CDF, vectorised)."""
    u = rng.random(len(probs))
    idx = (np.cumsum(probs, axis=1) < u[:, None]).sum(axis=1)
    return np.minimum(idx, probs.shape[1] - 1)


def sample_trajectories(logits, p0, P, r, T: int, rng: np.random.Generator, N: int):
    """Simulate ``N`` trajectories of a softmax policy: ``(states, actions, rewards)``, each ``(N, T)``."""
    pi = np.exp(logits - logits.max(axis=1, keepdims=True))
    pi = pi / pi.sum(axis=1, keepdims=True)
    states, actions = np.empty((N, T), dtype=np.intp), np.empty((N, T), dtype=np.intp)
    s = _categorical_rows(rng, np.broadcast_to(p0, (N, len(p0))))
    for t in range(T):
        a = _categorical_rows(rng, pi[s])
        states[:, t], actions[:, t] = s, a
        if t + 1 < T:
            s = _categorical_rows(rng, P[s, a])
    return states, actions, r[states, actions]
