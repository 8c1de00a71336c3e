r"""Candidate side of :mod:`verify.catalogue.rollout`: adapters to :mod:`derivations.rollout` and the
mutants of its claims.

* ``rollout.cost-improvement``, ``rollout.multiagent-cost-improvement``,
  ``rollout.autonomous-can-fail``: :func:`worsening` -- the policy a rule of
  :mod:`derivations.rollout` produces (standard, agent by agent, autonomous; the mutants argmax and
  myopic), scored by its largest relative worsening over the base policy;
* ``rollout.search-space``: :func:`sizes_candidate` -- :func:`derivations.rollout.search_space_sizes`,
  with the swapped-power and also-exponential mutants;
* ``rollout.spiders-and-flies``: :func:`spider_candidate` --
  :func:`derivations.rollout.spiders_and_flies_rollout_time`; the mutant is the one-step look-ahead
  without the base policy's cost-to-go (:func:`verify.oracles.spiders.lookahead_only_time`).
"""

from __future__ import annotations

import numpy as np

from derivations import rollout as R

from .. import strategies as S
from ..oracles import spiders as SF
from ..probes.rollout import costs

__all__ = ["worsening", "sizes_candidate", "spider_candidate"]


def worsening(ma: S.MultiAgentMDP, *, rule="agent-by-agent"):
    """max_s (J_rule - J_base)(s) / (1 + max|J_base|): positive means the rule made some state worse."""
    m = ma.mdp
    base_joint = R.joint_index(ma.base, ma.n_actions)
    J = costs(ma, base_joint)
    Q = R.q_factors(m.P, m.r, m.gamma, J)
    if rule == "standard":
        acts = R.standard_rollout(Q, ma.n_agents, ma.n_actions)
    elif rule == "agent-by-agent":
        acts, _ = R.agent_by_agent(Q, ma.base, ma.n_agents, ma.n_actions)
    elif rule == "autonomous":
        acts = R.autonomous(Q, ma.base, ma.n_agents, ma.n_actions)
    elif rule == "argmax":
        acts = np.array([np.unravel_index(j, (ma.n_actions,) * ma.n_agents) for j in Q.argmax(axis=1)])
    elif rule == "myopic":  # minimise the stage cost only
        acts = np.array([np.unravel_index(j, (ma.n_actions,) * ma.n_agents) for j in m.r.argmin(axis=1)])
    else:
        raise ValueError(rule)
    J_new = costs(ma, R.joint_index(acts, ma.n_actions))
    return float((J_new - J).max()) / (1.0 + float(np.abs(J).max()))


def sizes_candidate(p, *, variant="derived"):
    U, m = p
    if variant == "swapped-power":
        return np.array([m**U, m * U])
    if variant == "also-exponential":
        return np.array([U**m, U ** (m - 1) * U])
    return np.array(R.search_space_sizes(U, m))


def spider_candidate(inst, *, variant="derived"):
    if variant == "lookahead-only":
        return float(SF.lookahead_only_time(inst))
    return float(R.spiders_and_flies_rollout_time(inst.length, inst.spiders, inst.flies))
