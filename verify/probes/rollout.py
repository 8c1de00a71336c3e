r"""Oracle side of :mod:`verify.catalogue.rollout`: the points and the measurements of its checks.

* ``rollout.cost-improvement``, ``rollout.multiagent-cost-improvement``,
  ``rollout.autonomous-can-fail``: :func:`costs` -- a policy's cost by exact linear solves
  (:func:`verify.oracles.mdp.evaluate_policies`, joint actions as the MDP's actions); the known
  instances :func:`myopia_trap` and :func:`coordination_trap`; the predicate :func:`no_worsening`;
  the smallest search shape :func:`smallest_multiagent_mdps`;
* ``rollout.search-space``: :func:`counted_sizes` -- Q-factor evaluations counted while the two
  rollout implementations run;
* ``rollout.spiders-and-flies``: :data:`FEATURED`, :func:`instances` and :func:`base_time` -- the
  base policy simulated from the game's rules (:mod:`verify.oracles.spiders`).
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from derivations import rollout as R

from .. import strategies as S
from ..oracles import mdp as O
from ..oracles import spiders as SF
from ..tolerances import tolerance

__all__ = ["costs", "myopia_trap", "coordination_trap", "no_worsening", "smallest_multiagent_mdps",
           "counted_sizes", "FEATURED", "instances", "base_time"]


def costs(ma: S.MultiAgentMDP, joint_actions):
    m = ma.mdp
    return O.evaluate_policies(m.P, m.r, m.gamma, O.one_hot_policy(joint_actions, m.n_actions)[None])[0]


def myopia_trap():
    """Two agents; in state 0 the base action (0, 0) costs 1 and leads to a free absorbing state, every
    other joint action costs 0 and leads to an absorbing state costing 3 per stage (gamma = 1/2)."""
    P = np.zeros((3, 4, 3))
    P[0, 0, 1] = 1.0
    P[0, 1:, 2] = 1.0
    P[1, :, 1] = P[2, :, 2] = 1.0
    cost = np.array([[1.0, 0.0, 0.0, 0.0], [0.0] * 4, [3.0] * 4])
    return S.MultiAgentMDP(S.FiniteMDP(P, cost, 0.5, np.full(3, 1 / 3)), 2, 2, np.zeros((3, 2), dtype=int))


def coordination_trap():
    """One state, two agents with actions {0, 1}, gamma = 1/2, costs g(0,0) = 1, g(0,1) = g(1,0) = 0,
    g(1,1) = 2, base (0, 0): each agent alone would switch to 1; together they pay 2 instead of 1."""
    m = S.FiniteMDP(np.ones((1, 4, 1)), np.array([[1.0, 0.0, 0.0, 2.0]]), 0.5, np.ones(1))
    return S.MultiAgentMDP(m, 2, 2, np.zeros((1, 2), dtype=int))


def no_worsening(p, v):
    """max_x (J_new - J_base)(x) <= 0 (up to roundoff) on the known instances, then on drawn MDPs."""
    return v <= tolerance("bound.slack").atol


def smallest_multiagent_mdps():
    """The smallest shape: one state, two agents, two actions."""
    return S.multiagent_mdps(max_states=1, max_agents=2, max_actions=2)


# --- search space ------------------------------------------------------------------


def counted_sizes(p):
    """Q-factor evaluations actually made by the two rollout implementations at one state."""
    U, m = p
    Q = np.zeros((1, U**m))
    c1, c2 = {}, {}
    R.standard_rollout(Q, m, U, counter=c1)
    R.agent_by_agent(Q, np.zeros((1, m), dtype=int), m, U, counter=c2)
    return np.array([c1[0], c2[0]])


# --- spiders and flies ----------------------------------------------------------------


FEATURED = SF.Instance(10, (3, 4), (0, 9))


@st.composite
def instances(draw):
    L = draw(st.integers(4, 12))
    pos = st.integers(0, L - 1)
    spiders = (draw(pos), draw(pos))
    flies = tuple(sorted(set(draw(st.lists(pos, min_size=2, max_size=2))) - set(spiders)))
    return SF.Instance(L, spiders, flies or (L - 1 if L - 1 not in spiders else 0,))


def base_time(inst):
    """The base policy's capture time, simulated (the bound of the check)."""
    return float(SF.base_time(inst))
