r"""Tabular domains of Gehring et al. (2021, §4), with the protocol of the authors' released code.

A :class:`Domain` is a finite MDP (``P[s, a, s']``, ``R[s, a]``), a fixed policy
``pi[s, a]``, a discount ``gamma`` and the states data may start from. Everything the
experiment needs follows from it: the exact :math:`V^\pi` (one linear solve) and
simulated trajectories.

>>> d = chain()
>>> d.n_states, float(d.pi[0, 0])
(11, 0.95)
>>> import numpy as np
>>> v = d.value(offset=0.0)
>>> bool(np.allclose(v, d.r_pi + d.gamma * d.P_pi @ v))
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

__all__ = ["Domain", "chain", "four_rooms", "DOMAINS", "simulate"]


@dataclass(frozen=True)
class Domain:
    name: str
    P: np.ndarray  #: (S, A, S) transition probabilities
    R: np.ndarray  #: (S, A) expected rewards (deterministic here)
    pi: np.ndarray  #: (S, A) the evaluated policy
    gamma: float
    starts: np.ndarray  #: states a trajectory may start from (uniformly)
    labels: tuple = ()  #: a readable name per state

    @property
    def n_states(self) -> int:
        return int(self.P.shape[0])

    @property
    def P_pi(self) -> np.ndarray:
        return np.einsum("sa,sat->st", self.pi, self.P)

    @property
    def r_pi(self) -> np.ndarray:
        return (self.pi * self.R).sum(axis=1)

    def value(self, offset: float = 0.0) -> np.ndarray:
        r"""Exact :math:`V^\pi` with ``offset`` added to every reward: :math:`(I-\gamma P_\pi)^{-1}(r_\pi + c)`."""
        n = self.n_states
        return np.linalg.solve(np.eye(n) - self.gamma * self.P_pi, self.r_pi + offset)


def _epsilon_greedy(greedy: np.ndarray, n_actions: int, epsilon: float) -> np.ndarray:
    pi = np.full((greedy.size, n_actions), epsilon / n_actions)
    pi[np.arange(greedy.size), greedy] += 1.0 - epsilon
    return pi


@lru_cache(maxsize=None)
def chain(epsilon: float = 0.1, gamma: float = 0.9) -> Domain:
    """11 states, actions ``next`` (0) and ``reset`` (1), deterministic; see the module docstring."""
    S, A = 11, 2
    P, R = np.zeros((S, A, S)), np.zeros((S, A))
    for i in range(S):
        if i <= 8:
            P[i, 0, i + 1] = 1.0
        else:
            P[i, 0, 0] = 1.0
        if i <= 9:
            P[i, 1, 10] = 1.0
        else:
            P[i, 1, 0] = 1.0
    R[9, 0], R[10, 1] = 10.0, 1.0
    pi = _epsilon_greedy(np.zeros(S, dtype=int), A, epsilon)
    return Domain("chain", P, R, pi, gamma, np.arange(S), tuple(str(i) for i in range(S)))


FOUR_ROOMS_WALLS = ((0, 5), (2, 5), (3, 5), (4, 5), (6, 4), (7, 4), (9, 4), (10, 4), (5, 0),
                    (5, 2), (5, 3), (5, 4), (5, 5), (5, 6), (5, 7), (5, 9), (5, 10))
FOUR_ROOMS_GOAL = (7, 1)


@lru_cache(maxsize=None)
def four_rooms(epsilon: float = 0.1, gamma: float = 0.9, success: float = 2.0 / 3.0) -> Domain:
    """11 x 11 grid with walls, goal (7, 1) leading to an absorbing terminal state with reward 1.

    Four actions (up, down, left, right); the intended move happens with probability
    ``success``, each other move with ``(1 - success)/3``; walls and the border leave the
    agent in place. The policy is epsilon-greedy on the optimal Q (value iteration to
    convergence, ties to the first action)."""
    cells = [(i, j) for i in range(11) for j in range(11) if (i, j) not in FOUR_ROOMS_WALLS]
    index = {c: k for k, c in enumerate(cells)}
    S, A = len(cells) + 1, 4
    terminal = S - 1
    moves = ((-1, 0), (1, 0), (0, -1), (0, 1))
    P, R = np.zeros((S, A, S)), np.zeros((S, A))
    for c, s in index.items():
        if c == FOUR_ROOMS_GOAL:
            P[s, :, terminal], R[s, :] = 1.0, 1.0
            continue
        for a in range(A):
            for m, (di, dj) in enumerate(moves):
                nxt = (c[0] + di, c[1] + dj)
                t = index.get(nxt, s)  # a wall or the border: stay
                P[s, a, t] += success if m == a else (1.0 - success) / 3.0
    P[terminal, :, terminal] = 1.0
    q = np.zeros((S, A))
    for _ in range(10_000):
        q_new = R + gamma * P @ q.max(axis=1)
        if np.abs(q_new - q).max() < 1e-13:
            break
        q = q_new
    pi = _epsilon_greedy(q.argmax(axis=1), A, epsilon)
    labels = tuple(f"({i},{j})" for i, j in cells) + ("terminal",)
    return Domain("four-rooms", P, R, pi, gamma, np.arange(len(cells)), labels)


DOMAINS = {"chain": chain, "four-rooms": four_rooms}


def simulate(domain: Domain, rng: np.random.Generator, n_trajectories: int, length: int):
    """Simulate ``n_trajectories`` of ``length`` steps under ``domain.pi`` from uniform start states.

    Returns ``(states, rewards)``, each ``(n_trajectories, length)``: the state at each step and the
    reward received on leaving it."""
    P, pi = domain.P, domain.pi
    s = domain.starts[rng.integers(0, domain.starts.size, n_trajectories)]
    states = np.empty((n_trajectories, length), dtype=np.intp)
    rewards = np.empty((n_trajectories, length))
    cum_pi, cum_P = np.cumsum(pi, axis=1), np.cumsum(P, axis=2)
    for t in range(length):
        states[:, t] = s
        a = np.minimum((cum_pi[s] < rng.random(n_trajectories)[:, None]).sum(axis=1), pi.shape[1] - 1)
        rewards[:, t] = domain.R[s, a]
        s = np.minimum((cum_P[s, a] < rng.random(n_trajectories)[:, None]).sum(axis=1), P.shape[2] - 1)
    return states, rewards
