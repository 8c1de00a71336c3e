r"""Finite MDPs from their definitions: Bellman operators as sums, exact policy evaluation by
linear solves (vectorised over policies) and :math:`V^*` by enumerating deterministic policies.

Conventions: ``P[s, a, s']``, ``r[s, a]``, stochastic policies ``pi[s, a]`` (rows sum to 1),
deterministic policies as an action index per state.

>>> import numpy as np
>>> P = np.array([[[1.0, 0.0], [0.0, 1.0]], [[0.0, 1.0], [0.0, 1.0]]])
>>> r = np.array([[0.0, 1.0], [2.0, 0.0]])
>>> optimal_values(P, r, 0.5).tolist()
[3.0, 4.0]
"""

from __future__ import annotations

from functools import lru_cache
from itertools import product

import numpy as np

__all__ = ["apply_policy_operator", "apply_q_operator", "apply_optimality_operator", "evaluate_policies",
           "evaluate_q", "all_deterministic_policies", "optimal_values", "optimal_q", "greedy", "one_hot_policy"]


def one_hot_policy(actions, n_actions: int) -> np.ndarray:
    """Deterministic policies (``(..., S)`` action indices) as stochastic ones ``(..., S, A)``."""
    return np.eye(n_actions)[np.asarray(actions)]


def apply_policy_operator(P, r, gamma, pi, V):
    r""":math:`(T^\pi V)(s) = \sum_a\pi(a|s)\,[r(s,a) + \gamma\sum_{s'}P(s'|s,a)V(s')]`: the sums as written
    (no :math:`P_\pi`, :math:`r_\pi` precomputed)."""
    return np.einsum("sa,sa->s", pi, r + gamma * np.einsum("sat,t->sa", P, V))


def apply_q_operator(P, r, gamma, pi, Q):
    r""":math:`(T^\pi Q)(s,a) = r(s,a) + \gamma\sum_{s'}P(s'|s,a)\sum_{a'}\pi(a'|s')Q(s',a')`."""
    return r + gamma * np.einsum("sat,t->sa", P, (pi * Q).sum(axis=1))


def apply_optimality_operator(P, r, gamma, V):
    r""":math:`(T^*V)(s) = \max_a[r(s,a) + \gamma\sum_{s'}P(s'|s,a)V(s')]`."""
    return (r + gamma * P @ V).max(axis=1)


def evaluate_policies(P, r, gamma, pis):
    r""":math:`V^\pi = (I - \gamma P_\pi)^{-1}r_\pi` for a stack of stochastic policies ``(K, S, A)``
    (one batched solve)."""
    pis = np.asarray(pis, dtype=float)
    P_pi = np.einsum("ksa,sat->kst", pis, P)
    r_pi = (pis * r[None]).sum(axis=2)
    S = r.shape[0]
    return np.linalg.solve(np.eye(S)[None] - gamma * P_pi, r_pi[..., None])[..., 0]


def evaluate_q(P, r, gamma, pi):
    r""":math:`Q^\pi` from the state-action system :math:`Q = r + \gamma P\Pi Q` (one solve of size SA)."""
    S, A = r.shape
    M = np.einsum("sat,tb->satb", P, pi).reshape(S * A, S * A)
    return np.linalg.solve(np.eye(S * A) - gamma * M, r.ravel()).reshape(S, A)


@lru_cache(maxsize=64)
def all_deterministic_policies(S: int, A: int) -> np.ndarray:
    """Every deterministic policy, ``(A**S, S)`` (read-only, cached)."""
    out = np.array(list(product(range(A), repeat=S)), dtype=np.intp).reshape(-1, S)
    out.setflags(write=False)
    return out


def _mdp_key(P, r, gamma):
    P, r = np.ascontiguousarray(P, dtype=float), np.ascontiguousarray(r, dtype=float)
    return P.shape, P.tobytes(), r.tobytes(), float(gamma)


def _unkey(key):
    shape, Pb, rb, gamma = key
    return np.frombuffer(Pb).reshape(shape), np.frombuffer(rb).reshape(shape[:2]), gamma


@lru_cache(maxsize=256)
def _optimal_values_cached(key):
    P, r, gamma = _unkey(key)
    S, A = r.shape
    pols = all_deterministic_policies(S, A)
    V = evaluate_policies(P, r, gamma, one_hot_policy(pols, A))
    best = V.max(axis=0)
    k = int(np.argmax(V.sum(axis=1)))
    scale = 1.0 + np.abs(best).max()
    assert np.all(V[k] >= best - 1e-9 * scale), "no deterministic policy is optimal in every state"
    best.setflags(write=False)
    return best, pols[k]


def optimal_values(P, r, gamma, *, return_policy: bool = False):
    r""":math:`V^* = \max_\pi V^\pi` over all :math:`|A|^{|S|}` deterministic policies (exact solves).

    The maximum is taken per state; an optimal policy attains it in every state at once,
    which is asserted (it is the theorem that makes :math:`V^*` well defined). Cached per MDP:
    a check's candidate and reference often need it at the same point."""
    best, pol = _optimal_values_cached(_mdp_key(P, r, gamma))
    return (best.copy(), pol) if return_policy else best.copy()


def optimal_q(P, r, gamma):
    r""":math:`Q^*(s,a) = \max_\pi Q^\pi(s,a)` over deterministic policies (state-action solves; cached per MDP)."""
    return _optimal_q_cached(_mdp_key(P, r, gamma)).copy()


@lru_cache(maxsize=256)
def _optimal_q_cached(key):
    P, r, gamma = _unkey(key)
    S, A = r.shape
    return np.max([evaluate_q(P, r, gamma, one_hot_policy(p, A)) for p in all_deterministic_policies(S, A)], axis=0)


def greedy(P, r, gamma, V) -> np.ndarray:
    """Greedy deterministic policy with respect to ``V`` (ties to the first action)."""
    return np.argmax(r + gamma * P @ V, axis=1)
