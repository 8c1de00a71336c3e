r"""Rollout and multi-agent rollout (seed 003; Bertsekas 2020, arXiv:2002.04175).

Costs are minimised. With base policy :math:`\mu` and its cost :math:`J_\mu`, the Q-factors are
:math:`Q_\mu(x, u) = g(x, u) + \gamma\sum_{x'}P(x'|x,u)J_\mu(x')` and:

* standard rollout: :math:`\tilde\mu(x) \in \arg\min_{u = (u_1,\dots,u_m)} Q_\mu(x, u)`: :math:`|U|^m` Q-factors;
* one-agent-at-a-time: agent :math:`\ell` minimises over its own :math:`u_\ell` with agents
  :math:`1..\ell-1` at their rollout choices and :math:`\ell+1..m` at the base policy: :math:`m|U|`;
* autonomous ("signalling with the base policy"): every agent assumes the others play the base policy.

Ties go to the base action (so a failure of autonomous rollout is never an artefact of tie-breaking).

>>> import numpy as np
>>> Q = np.array([[1.0, 0.0, 0.0, 2.0]])           # one state, two agents, u in {0, 1}
>>> agent_by_agent(Q, np.array([[0, 0]]), 2, 2)[0].tolist(), autonomous(Q, np.array([[0, 0]]), 2, 2).tolist()
([[1, 0]], [[1, 1]])
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from .steps import Derivation, Step

__all__ = ["q_factors", "standard_rollout", "agent_by_agent", "autonomous", "search_space_sizes",
           "joint_index", "rollout_derivation", "multiagent_derivation", "search_space_derivation"]


def joint_index(actions, n_actions: int):
    """Joint action index of per-agent actions ``(..., m)``."""
    actions = np.asarray(actions)
    m = actions.shape[-1]
    return np.ravel_multi_index(tuple(np.moveaxis(actions, -1, 0)), (n_actions,) * m)


def q_factors(P, g, gamma, J):
    r""":math:`Q_\mu(x, u) = g(x,u) + \gamma\sum_{x'}P(x'|x,u)J_\mu(x')` for every state and joint action."""
    return g + gamma * P @ J


def standard_rollout(Q, n_agents: int, n_actions: int, counter=None):
    """Joint minimisation over all :math:`|U|^m` joint actions; returns ``(S, m)`` per-agent actions."""
    S = Q.shape[0]
    out = np.empty((S, n_agents), dtype=int)
    for s in range(S):
        best = None
        for j in range(n_actions**n_agents):
            if counter is not None:
                counter[s] = counter.get(s, 0) + 1
            if best is None or Q[s, j] < Q[s, best]:
                best = j
        out[s] = np.unravel_index(best, (n_actions,) * n_agents)
    return out


def agent_by_agent(Q, base, n_agents: int, n_actions: int, counter=None):
    """One agent at a time, each seeing its predecessors' rollout choices; ``(actions, evaluations)``."""
    S = Q.shape[0]
    out = np.array(base, dtype=int, copy=True)
    for s in range(S):
        for agent in range(n_agents):
            best_u, best_q = None, None
            for u in range(n_actions):
                trial = out[s].copy()
                trial[agent] = u
                q = Q[s, joint_index(trial, n_actions)]
                if counter is not None:
                    counter[s] = counter.get(s, 0) + 1
                if best_q is None or q < best_q or (q == best_q and u == base[s][agent]):
                    best_u, best_q = u, q  # ties go to the base action
            out[s, agent] = best_u
    return out, counter


def autonomous(Q, base, n_agents: int, n_actions: int):
    """Every agent minimises assuming all others play the base policy (no coordination)."""
    S = Q.shape[0]
    out = np.array(base, dtype=int, copy=True)
    for s in range(S):
        for agent in range(n_agents):
            trial = np.array(base[s], dtype=int)
            qs = []
            for u in range(n_actions):
                trial[agent] = u
                qs.append(Q[s, joint_index(trial, n_actions)])
            trial[agent] = base[s][agent]
            best = min(qs)
            out[s, agent] = base[s][agent] if qs[base[s][agent]] == best else int(np.argmin(qs))  # ties: base
    return out


def search_space_sizes(n_actions: int, n_agents: int):
    """Q-factors per state: :math:`(|U|^m, m|U|)` for standard and agent-by-agent rollout."""
    return n_actions**n_agents, n_agents * n_actions


def rollout_derivation() -> Derivation:
    return Derivation((
        Step(r"T_{\tilde\mu}J_\mu", r"\min_u Q_\mu(\cdot,u) = T J_\mu \le T_\mu J_\mu = J_\mu",
             r"$\tilde\mu$ attains the minimum; $\mu$ is one of the candidates", relation="="),
        Step(r"J_{\tilde\mu}", r"\lim_k T_{\tilde\mu}^kJ_\mu \le J_\mu", r"monotonicity of $T_{\tilde\mu}$, induction",
             relation="="),
    ))


def multiagent_derivation() -> Derivation:
    return Derivation((
        Step(r"Q_\mu(x, \tilde u_1, \dots, \tilde u_\ell, \mu_{\ell+1}, \dots)",
             r"Q_\mu(x, \tilde u_1, \dots, \tilde u_{\ell-1}, \mu_\ell, \mu_{\ell+1}, \dots)",
             r"agent $\ell$ may keep its base action, so its minimum is no larger", relation=r"\le"),
        Step(r"(T_{\tilde\mu}J_\mu)(x)", r"Q_\mu(x, \mu_1(x), \dots, \mu_m(x)) = J_\mu(x)",
             "chain the $m$ inequalities", relation=r"\le"),
        Step(r"J_{\tilde\mu}", r"J_\mu", "as for standard rollout", relation=r"\le"),
        Step(r"Q_\mu(x, \hat u_1, \hat u_2)", r"\text{anything}",
             r"autonomous choices $\hat u_\ell$ each assume the others keep $\mu$: no chain, no guarantee",
             relation="="),
    ))


def search_space_derivation() -> Derivation:
    U, m = sp.symbols("|U| m", positive=True, integer=True)
    return Derivation((
        Step(r"\#\{(u_1,\dots,u_m)\}", U**m, "joint minimisation"),
        Step(r"\sum_{\ell=1}^m\#\{u_\ell\}", m * U, "one agent at a time"),
        Step(sp.Integer(5)**15, sp.Integer(5**15), "the seed's 15 spiders with 5 moves each; agent by agent: 75"),
    ))
