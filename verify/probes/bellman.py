r"""Oracle side of :mod:`verify.catalogue.bellman`: the points and the measurements of its checks.

The operators are applied term by term from their definitions (:mod:`verify.oracles.mdp`),
policies are evaluated by exact linear solves and :math:`V^*`, :math:`Q^*` are found by
enumerating every deterministic policy, never by the value iteration under test.

* ``bellman.contraction-v``, ``-q``, ``bellman.optimality-contraction``: :class:`OperatorPoint`,
  :func:`operator_points` and :func:`image_distance` (the sup-norm distance of the two images);
* ``bellman.monotonicity``: :func:`monotone_gap`;
* ``bellman.contraction-tight``: :func:`witness_ratio` at the pair :math:`V, V + c\mathbf 1`;
* ``bellman.value-iteration-error``: :class:`VIPoint`, :func:`vi_points`, :func:`vi_iterates`
  (also used by the candidate's stopping bound) and :func:`vi_error`;
* ``bellman.greedy-policy-loss``: :class:`GreedyPoint`, :func:`greedy_points`,
  :func:`tight_greedy_instance`, :func:`greedy_loss`, :func:`greedy_scale`, :func:`greedy_coordinates`;
* ``bellman.optimality-relations``: :func:`relations_points`, :func:`relations_reference`,
  :func:`relations_scale`;
* ``bellman.policy-improvement``: :class:`PolicyPoint`, :func:`policy_points`, :func:`myopia_trap`
  and the property :func:`improvement_nonnegative`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .. import strategies as S
from ..oracles import mdp as O
from ..tolerances import tolerance

__all__ = ["OperatorPoint", "operator_points", "image_distance", "monotone_gap", "witness_ratio",
           "VIPoint", "vi_points", "vi_iterates", "vi_error",
           "GreedyPoint", "tight_greedy_instance", "greedy_points", "greedy_loss", "greedy_scale",
           "greedy_coordinates", "relations_points", "relations_reference", "relations_scale",
           "PolicyPoint", "myopia_trap", "policy_points", "improvement_nonnegative"]


class OperatorPoint(NamedTuple):
    mdp: S.FiniteMDP
    pi: np.ndarray  #: (S, A) stochastic policy
    X1: np.ndarray  #: (S,) values or (S, A) action values
    X2: np.ndarray

    def readable(self) -> dict:
        return {"mdp": self.mdp.readable(), "pi": self.pi.tolist(), "X1": self.X1.tolist(), "X2": self.X2.tolist()}


def _values(shape, lo, hi):
    return hnp.arrays(np.float64, shape, elements=S.grid_values(lo, hi, step=0.5))


@st.composite
def operator_points(draw, *, q=False, monotone=False, max_states=8):
    m = draw(S.finite_mdps(max_states=max_states))
    pi = draw(S.stochastic_policies(n_states=m.n_states, n_actions=m.n_actions))
    shape = (m.n_states, m.n_actions) if q else (m.n_states,)
    X1 = draw(_values(shape, -10, 10))
    D = draw(_values(shape, 0 if monotone else -10, 10))
    return OperatorPoint(m, pi, X1, X1 + D)


def _apply(p, X, *, op):
    m = p.mdp
    if op == "policy":
        return O.apply_policy_operator(m.P, m.r, m.gamma, p.pi, X)
    if op == "q":
        return O.apply_q_operator(m.P, m.r, m.gamma, p.pi, X)
    return O.apply_optimality_operator(m.P, m.r, m.gamma, X)


def image_distance(p, *, op):
    return float(np.abs(_apply(p, p.X1, op=op) - _apply(p, p.X2, op=op)).max())


# --- monotonicity ----------------------------------------------------------


def monotone_gap(p):
    return float((_apply(p, p.X2, op="policy") - _apply(p, p.X1, op="policy")).min())


# --- tightness of gamma ------------------------------------------------------


def witness_ratio(p):
    """||T V - T(V + c 1)|| / ||c 1|| at the witness pair, from the operator's definition."""
    c = 1.5
    m = p.mdp
    a = O.apply_policy_operator(m.P, m.r, m.gamma, p.pi, p.X1)
    b = O.apply_policy_operator(m.P, m.r, m.gamma, p.pi, p.X1 + c)
    return float(np.abs(a - b).max()) / c


# --- value iteration ---------------------------------------------------------


class VIPoint(NamedTuple):
    mdp: S.FiniteMDP
    V0: np.ndarray
    k: int
    which: str  #: "from-start" or "stopping"

    def readable(self) -> dict:
        return {"mdp": self.mdp.readable(), "V0": self.V0.tolist(), "k": self.k, "which": self.which}


@st.composite
def vi_points(draw):
    m = draw(S.finite_mdps(max_states=5, max_actions=3))
    return VIPoint(m, draw(_values((m.n_states,), -20, 20)), draw(st.integers(0, 12)),
                   draw(st.sampled_from(("from-start", "stopping"))))


def vi_iterates(p):
    m, V = p.mdp, p.V0.copy()
    out = [V]
    for _ in range(p.k + 1):
        V = O.apply_optimality_operator(m.P, m.r, m.gamma, V)
        out.append(V)
    return out


def vi_error(p):
    """||V_k - V*|| (from-start) or ||V_{k+1} - V*|| (stopping); V* by enumerating policies."""
    Vs, vstar = vi_iterates(p), O.optimal_values(p.mdp.P, p.mdp.r, p.mdp.gamma)
    return float(np.abs((Vs[p.k] if p.which == "from-start" else Vs[p.k + 1]) - vstar).max())


# --- greedy policy loss ------------------------------------------------------


class GreedyPoint(NamedTuple):
    mdp: S.FiniteMDP
    E: np.ndarray  #: V = V* + E

    def readable(self) -> dict:
        return {"mdp": self.mdp.readable(), "E": self.E.tolist()}


def tight_greedy_instance():
    r"""Two states, gamma = 0.9: 'stay' (reward -0.9, first action) or 'go' to an absorbing state paying 1.
    V* = (9, 10); with V = V* + (1, -1) the greedy policy stays and loses 2 gamma/(1-gamma) = 18."""
    P = np.zeros((2, 2, 2))
    P[0, 0, 0] = P[0, 1, 1] = P[1, :, 1] = 1.0
    return GreedyPoint(S.FiniteMDP(P, np.array([[-0.9 + 1e-9, 0.0], [1.0, 1.0]]), 0.9, np.array([0.5, 0.5])),
                       np.array([1.0, -1.0]))


@st.composite
def greedy_points(draw):
    m = draw(S.finite_mdps(max_states=5, max_actions=3))
    return GreedyPoint(m, draw(_values((m.n_states,), -3, 3)))


def greedy_loss(p):
    m = p.mdp
    vstar = O.optimal_values(m.P, m.r, m.gamma)
    pol = O.greedy(m.P, m.r, m.gamma, vstar + p.E)
    v = O.evaluate_policies(m.P, m.r, m.gamma, O.one_hot_policy(pol, m.n_actions)[None])[0]
    return float(np.abs(v - vstar).max())


def greedy_scale(p):
    """|V*| times cond(I - gamma P) <= (1 + gamma)/(1 - gamma): the roundoff of V^greedy - V* is that times eps."""
    m = p.mdp
    vmax = float(np.abs(m.r).max()) / (1 - m.gamma)
    return vmax * (1 + m.gamma) / (1 - m.gamma)


def greedy_coordinates(p):
    return p.E.copy(), lambda x: GreedyPoint(p.mdp, np.asarray(x, float))


# --- optimality relations (004 §3.1 c) ---------------------------------------


def relations_points():
    return S.finite_mdps(max_states=4, max_actions=3, max_gamma=0.99)


def relations_reference(m):
    vstar, qstar = O.optimal_values(m.P, m.r, m.gamma), O.optimal_q(m.P, m.r, m.gamma)
    return np.concatenate([vstar, qstar.ravel(), vstar, vstar])


def relations_scale(m):
    return 1.0 + float(np.abs(m.r).max()) / (1.0 - m.gamma)


# --- policy improvement --------------------------------------------------------


class PolicyPoint(NamedTuple):
    mdp: S.FiniteMDP
    pi: np.ndarray

    def readable(self) -> dict:
        return {"mdp": self.mdp.readable(), "pi": self.pi.tolist()}


def myopia_trap():
    """State 0: 'go' (reward 0) to an absorbing state paying 1, or 'stay' paying 1/2; gamma = 0.9.
    The optimal policy goes (V*(0) = 9); immediate reward says stay (5)."""
    P = np.zeros((2, 2, 2))
    P[0, 0, 1] = P[0, 1, 0] = P[1, :, 1] = 1.0
    m = S.FiniteMDP(P, np.array([[0.0, 0.5], [1.0, 1.0]]), 0.9, np.array([0.5, 0.5]))
    return PolicyPoint(m, O.one_hot_policy(np.array([0, 0]), 2))


@st.composite
def policy_points(draw):
    """Any stochastic policy, or (half the time, up to 6 states) an optimal one: improving on an
    optimal policy must not lose anything, which is where wrong rules show."""
    if draw(st.booleans()):
        m = draw(S.finite_mdps(max_states=8, max_actions=4))
        return PolicyPoint(m, draw(S.stochastic_policies(n_states=m.n_states, n_actions=m.n_actions)))
    m = draw(S.finite_mdps(max_states=6, max_actions=4))
    _, best = O.optimal_values(m.P, m.r, m.gamma, return_policy=True)
    return PolicyPoint(m, O.one_hot_policy(best, m.n_actions))


def improvement_nonnegative(p, v):
    """The property of the improvement ``v`` at ``p``: >= 0 up to roundoff."""
    return v >= -tolerance("bound.slack").atol
