r"""Rollout and one-agent-at-a-time rollout (seed 003; Bertsekas, arXiv:2002.04175).

The checks compute the cost of the policy a rule produces and of the base policy by exact
linear solves (:func:`verify.oracles.mdp.evaluate_policies`, joint actions as the MDP's
actions) and compare them state by state; the search runs over small multi-agent MDPs
(up to 3 states, 4 agents, 27 joint actions).
"""

from __future__ import annotations

from functools import partial
from itertools import product

import numpy as np
from hypothesis import strategies as st

from derivations import rollout as R

from .. import strategies as S
from ..checks import BoundCheck, CountCheck, PropertyCheck
from ..model import Claim, Formula, Mutant
from ..oracles import mdp as O
from ..oracles import spiders as SF
from ..tolerances import tolerance

__all__ = ["CLAIMS"]

SOURCE = "seed 003 (Bertsekas, multi-agent rollout)"


def _costs(ma: S.MultiAgentMDP, joint_actions):
    m = ma.mdp
    return O.evaluate_policies(m.P, m.r, m.gamma, O.one_hot_policy(joint_actions, m.n_actions)[None])[0]


def _worsening(ma: S.MultiAgentMDP, *, rule="agent-by-agent"):
    """max_s (J_rule - J_base)(s) / (1 + max|J_base|): positive means the rule made some state worse."""
    m = ma.mdp
    base_joint = R.joint_index(ma.base, ma.n_actions)
    J = _costs(ma, base_joint)
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
    J_new = _costs(ma, R.joint_index(acts, ma.n_actions))
    return float((J_new - J).max()) / (1.0 + float(np.abs(J).max()))


def _myopia_trap():
    """Two agents; in state 0 the base action (0, 0) costs 1 and leads to a free absorbing state, every
    other joint action costs 0 and leads to an absorbing state costing 3 per stage (gamma = 1/2)."""
    P = np.zeros((3, 4, 3))
    P[0, 0, 1] = 1.0
    P[0, 1:, 2] = 1.0
    P[1, :, 1] = P[2, :, 2] = 1.0
    cost = np.array([[1.0, 0.0, 0.0, 0.0], [0.0] * 4, [3.0] * 4])
    return S.MultiAgentMDP(S.FiniteMDP(P, cost, 0.5, np.full(3, 1 / 3)), 2, 2, np.zeros((3, 2), dtype=int))


def _coordination_trap():
    """One state, two agents with actions {0, 1}, gamma = 1/2, costs g(0,0) = 1, g(0,1) = g(1,0) = 0,
    g(1,1) = 2, base (0, 0): each agent alone would switch to 1; together they pay 2 instead of 1."""
    m = S.FiniteMDP(np.ones((1, 4, 1)), np.array([[1.0, 0.0, 0.0, 2.0]]), 0.5, np.ones(1))
    return S.MultiAgentMDP(m, 2, 2, np.zeros((1, 2), dtype=int))


def _improvement_check(description, strategy=S.multiagent_mdps, examples=None):
    """max_x (J_new - J_base)(x) <= 0 (up to roundoff) on the known instances, then on drawn MDPs."""
    return PropertyCheck(lambda p, v: v <= tolerance("bound.slack").atol, strategy, description=description,
                         examples=examples if examples is not None else (_myopia_trap(), _coordination_trap()))


STANDARD = Claim(
    id="rollout.cost-improvement",
    title="Standard rollout never does worse than its base policy: J_rollout <= J_base",
    source=SOURCE,
    statement=r"$\tilde\mu(x) \in \arg\min_u[g(x,u) + \gamma\sum_{x'}P(x'|x,u)J_\mu(x')]$ $\Longrightarrow$ $J_{\tilde\mu} \le J_\mu$.",
    assumptions=(r"finite MDP with costs, $0 \le \gamma < 1$, deterministic base policy $\mu$; joint minimisation",),
    derivation=R.rollout_derivation(),
    candidate=Formula(r"\max_x(J_{\tilde\mu} - J_\mu)(x)", partial(_worsening, rule="standard")),
    checks=(_improvement_check("exact costs of the rollout and base policies; search over small multi-agent MDPs"),),
    mutants=(
        Mutant("argmax", r"$\tilde\mu \in \arg\max_u Q_\mu(x, u)$", Formula(r"\arg\max", partial(_worsening, rule="argmax"))),
        Mutant("myopic", r"$\tilde\mu \in \arg\min_u g(x, u)$ (no cost-to-go)", Formula(r"\arg\min g", partial(_worsening, rule="myopic"))),
    ),
    notes=r"The check's candidate is the largest worsening $\max_x(J_{\tilde\mu} - J_\mu)(x)$ (relative), claimed $\le 0$.",
)

MULTI = Claim(
    id="rollout.multiagent-cost-improvement",
    title="One-agent-at-a-time rollout keeps cost improvement: J_rollout <= J_base",
    source=SOURCE + ", eqs. (3)-(5)",
    statement=(r"Agent $\ell$ picks $\tilde u_\ell \in \arg\min_{u_\ell}Q_\mu(x, \tilde u_1, \dots, \tilde u_{\ell-1}, u_\ell, "
               r"\mu_{\ell+1}(x), \dots, \mu_m(x))$; then $J_{\tilde\mu} \le J_\mu$ everywhere."),
    assumptions=(r"finite multi-agent MDP with costs, up to 4 agents, deterministic base policy; $Q_\mu$ built from $J_\mu$",),
    derivation=R.multiagent_derivation(),
    candidate=Formula(r"\max_x(J_{\tilde\mu} - J_\mu)(x)", partial(_worsening, rule="agent-by-agent")),
    checks=(_improvement_check("exact costs; agents optimise in turn, seeing their predecessors' rollout choices"),),
    mutants=(
        Mutant("autonomous", r"each agent assumes the others play the base policy",
               Formula(r"\text{autonomous}", partial(_worsening, rule="autonomous"))),
        Mutant("myopic", r"minimise the stage cost only", Formula(r"\arg\min g", partial(_worsening, rule="myopic"))),
    ),
    notes=(r"The seed's eqs. (3)–(5) write $J^*$ inside the minimisations; the rollout uses the base policy's "
           r"$J_\mu$ (the seed itself notes $J^*$ is very hard to find), and the cost-improvement property is "
           r"about $J_\mu$. The seed's 'just a reformulation of standard rollout' means: standard rollout of a "
           r"reformulated problem with intermediate states, not the same policy."),
)

AUTONOMOUS = Claim(
    id="rollout.autonomous-can-fail",
    title="Autonomous rollout (base-policy guesses for the other agents) keeps cost improvement [false]",
    source=SOURCE + " ('use base policy controls for signaling (this may work poorly)')",
    statement=(r"If agent $\ell$ picks $\hat u_\ell \in \arg\min_{u_\ell}Q_\mu(x, \mu_1(x), \dots, u_\ell, \dots, \mu_m(x))$, "
               r"then $J_{\hat\mu} \le J_\mu$. (False: cost improvement can fail.)"),
    assumptions=(r"as for one-agent-at-a-time rollout",),
    derivation=R.multiagent_derivation(),
    candidate=Formula(r"\max_x(J_{\hat\mu} - J_\mu)(x)", partial(_worsening, rule="autonomous")),
    checks=(_improvement_check("exact costs at the instance of the notes, then a search in the smallest shape "
                               "(one state, two agents, two actions)",
                               lambda: S.multiagent_mdps(max_states=1, max_agents=2, max_actions=2),
                               examples=(_coordination_trap(),)),),
    expected="refuted",
    corrected_by="rollout.multiagent-cost-improvement",
    notes=(r"Counterexample (the check's known instance; the search's shrunk one): one state, two agents with "
           r"actions $\{0, 1\}$, $\gamma = \frac12$, costs $g(0,0) = 1$, $g(0,1) = g(1,0) = 0$, $g(1,1) = 2$ (the "
           r"issue's example has this shape), base $(0, 0)$: each agent alone would switch to 1, together they pay "
           r"2 instead of 1."),
)


# --- search space ------------------------------------------------------------------


def _counted_sizes(p):
    """Q-factor evaluations actually made by the two rollout implementations at one state."""
    U, m = p
    Q = np.zeros((1, U**m))
    c1, c2 = {}, {}
    R.standard_rollout(Q, m, U, counter=c1)
    R.agent_by_agent(Q, np.zeros((1, m), dtype=int), m, U, counter=c2)
    return np.array([c1[0], c2[0]])


def _sizes_candidate(p, *, variant="derived"):
    U, m = p
    if variant == "swapped-power":
        return np.array([m**U, m * U])
    if variant == "also-exponential":
        return np.array([U**m, U ** (m - 1) * U])
    return np.array(R.search_space_sizes(U, m))


SEARCH = Claim(
    id="rollout.search-space",
    title="Joint rollout examines |U|^m joint actions per state, one-agent-at-a-time m|U| (5^15 vs 75)",
    source=SOURCE,
    statement=r"Standard rollout minimises over $|U|^m$ joint actions; agent-by-agent over $m|U|$ ($5^{15} \approx 3\cdot10^{10}$ against $75$).",
    assumptions=(r"$2 \le |U| \le 5$, $1 \le m \le 6$ (enumerated)",),
    derivation=R.search_space_derivation(),
    candidate=Formula(r"(|U|^m,\ m|U|)", _sizes_candidate),
    checks=(CountCheck(_counted_sizes, None, examples=tuple(product(range(2, 6), range(1, 7))),
                       description="count the Q-factor evaluations of the two implementations, every (|U|, m)"),),
    mutants=(
        Mutant("swapped-power", r"$m^{|U|}$ joint actions", Formula(r"m^{|U|}", partial(_sizes_candidate, variant="swapped-power"))),
        Mutant("also-exponential", r"agent by agent: $|U|^m$", Formula(r"|U|^m", partial(_sizes_candidate, variant="also-exponential"))),
    ),
)


# --- spiders and flies ----------------------------------------------------------------


FEATURED = SF.Instance(10, (3, 4), (0, 9))


@st.composite
def _instances(draw):
    L = draw(st.integers(4, 12))
    pos = st.integers(0, L - 1)
    spiders = (draw(pos), draw(pos))
    flies = tuple(sorted(set(draw(st.lists(pos, min_size=2, max_size=2))) - set(spiders)))
    return SF.Instance(L, spiders, flies or (L - 1 if L - 1 not in spiders else 0,))


def _spider_candidate(inst, *, variant="derived"):
    if variant == "lookahead-only":
        return float(SF.lookahead_only_time(inst))
    return float(SF.rollout_time(inst))


SPIDERS = Claim(
    id="rollout.spiders-and-flies",
    title="Spiders and flies on a line: multi-agent rollout catches the flies no later than the base policy",
    source=SOURCE + " (spiders-and-flies example)",
    statement=(r"Two spiders, two resting flies on $\{0,\dots,L-1\}$; base policy: step toward the nearest surviving fly. "
               r"Capture time of one-agent-at-a-time rollout $\le$ that of the base policy. On $L = 10$, spiders at 3 and 4, "
               r"flies at 0 and 9: base 11 stages, rollout 5."),
    assumptions=(r"$4 \le L \le 12$; deterministic moves $-1, 0, +1$; ties to the base move",),
    derivation=R.multiagent_derivation(),
    candidate=Formula(r"T_{\rm rollout}", _spider_candidate),
    checks=(BoundCheck(oracle=lambda inst: float(SF.base_time(inst)), strategy=_instances, sense="lower",
                       examples=(FEATURED,), description="simulate both policies; the base policy's time is the bound"),),
    mutants=(
        Mutant("lookahead-only", r"one-step look-ahead without the base policy's cost-to-go",
               Formula(r"T_{\rm lookahead}", partial(_spider_candidate, variant="lookahead-only"))),
    ),
    notes=r"The check reads as $T_{\rm base} \ge T_{\rm rollout}$: the candidate is the rollout's capture time.",
)

CLAIMS = (STANDARD, MULTI, AUTONOMOUS, SEARCH, SPIDERS)
