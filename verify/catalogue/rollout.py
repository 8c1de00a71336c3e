r"""Rollout and one-agent-at-a-time rollout (seed 003; Bertsekas, arXiv:2002.04175).

The checks compute the cost of the policy a rule produces and of the base policy by exact
linear solves (:func:`verify.oracles.mdp.evaluate_policies`, joint actions as the MDP's
actions) and compare them state by state; the search runs over small multi-agent MDPs
(up to 3 states, 4 agents, 27 joint actions).
"""

from __future__ import annotations

from functools import partial
from itertools import product

from derivations import rollout as R

from .. import strategies as S
from ..candidates import rollout as C
from ..checks import BoundCheck, CountCheck, PropertyCheck
from ..model import Claim, Formula, Mutant
from ..probes import rollout as P

__all__ = ["CLAIMS"]

SOURCE = "seed 003 (Bertsekas, multi-agent rollout)"


STANDARD = Claim(
    id="rollout.cost-improvement",
    title="Standard rollout never does worse than its base policy: J_rollout <= J_base",
    source=SOURCE,
    statement=r"$\tilde\mu(x) \in \arg\min_u[g(x,u) + \gamma\sum_{x'}P(x'|x,u)J_\mu(x')]$ $\Longrightarrow$ $J_{\tilde\mu} \le J_\mu$.",
    assumptions=(r"finite MDP with costs, $0 \le \gamma < 1$, deterministic base policy $\mu$; joint minimisation",),
    derivation=R.rollout_derivation(),
    candidate=Formula(r"\max_x(J_{\tilde\mu} - J_\mu)(x)", partial(C.worsening, rule="standard")),
    checks=(PropertyCheck(P.no_worsening, S.multiagent_mdps, examples=(P.myopia_trap(), P.coordination_trap()),
                          description="exact costs of the rollout and base policies; search over small multi-agent MDPs"),),
    mutants=(
        Mutant("argmax", r"$\tilde\mu \in \arg\max_u Q_\mu(x, u)$", Formula(r"\arg\max", partial(C.worsening, rule="argmax"))),
        Mutant("myopic", r"$\tilde\mu \in \arg\min_u g(x, u)$ (no cost-to-go)", Formula(r"\arg\min g", partial(C.worsening, rule="myopic"))),
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
    candidate=Formula(r"\max_x(J_{\tilde\mu} - J_\mu)(x)", partial(C.worsening, rule="agent-by-agent")),
    checks=(PropertyCheck(P.no_worsening, S.multiagent_mdps, examples=(P.myopia_trap(), P.coordination_trap()),
                          description="exact costs; agents optimise in turn, seeing their predecessors' rollout choices"),),
    mutants=(
        Mutant("autonomous", r"each agent assumes the others play the base policy",
               Formula(r"\text{autonomous}", partial(C.worsening, rule="autonomous"))),
        Mutant("myopic", r"minimise the stage cost only", Formula(r"\arg\min g", partial(C.worsening, rule="myopic"))),
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
    candidate=Formula(r"\max_x(J_{\hat\mu} - J_\mu)(x)", partial(C.worsening, rule="autonomous")),
    checks=(PropertyCheck(P.no_worsening, P.smallest_multiagent_mdps, examples=(P.coordination_trap(),),
                          description="exact costs at the instance of the notes, then a search in the smallest shape "
                                      "(one state, two agents, two actions)"),),
    expected="refuted",
    corrected_by="rollout.multiagent-cost-improvement",
    notes=(r"Counterexample (the check's known instance; the search's shrunk one): one state, two agents with "
           r"actions $\{0, 1\}$, $\gamma = \frac12$, costs $g(0,0) = 1$, $g(0,1) = g(1,0) = 0$, $g(1,1) = 2$ (the "
           r"issue's example has this shape), base $(0, 0)$: each agent alone would switch to 1, together they pay "
           r"2 instead of 1."),
)


# --- search space ------------------------------------------------------------------

SEARCH = Claim(
    id="rollout.search-space",
    title="Joint rollout examines |U|^m joint actions per state, one-agent-at-a-time m|U| (5^15 vs 75)",
    source=SOURCE,
    statement=r"Standard rollout minimises over $|U|^m$ joint actions; agent-by-agent over $m|U|$ ($5^{15} \approx 3\cdot10^{10}$ against $75$).",
    assumptions=(r"$2 \le |U| \le 5$, $1 \le m \le 6$ (enumerated)",),
    derivation=R.search_space_derivation(),
    candidate=Formula(r"(|U|^m,\ m|U|)", C.sizes_candidate),
    checks=(CountCheck(P.counted_sizes, None, examples=tuple(product(range(2, 6), range(1, 7))),
                       description="count the Q-factor evaluations of the two implementations, every (|U|, m)"),),
    mutants=(
        Mutant("swapped-power", r"$m^{|U|}$ joint actions", Formula(r"m^{|U|}", partial(C.sizes_candidate, variant="swapped-power"))),
        Mutant("also-exponential", r"agent by agent: $|U|^m$", Formula(r"|U|^m", partial(C.sizes_candidate, variant="also-exponential"))),
    ),
)


# --- spiders and flies ----------------------------------------------------------------

SPIDERS = Claim(
    id="rollout.spiders-and-flies",
    title="Spiders and flies on a line: multi-agent rollout catches the flies no later than the base policy",
    source=SOURCE + " (spiders-and-flies example)",
    statement=(r"Two spiders, two resting flies on $\{0,\dots,L-1\}$; base policy: step toward the nearest surviving fly. "
               r"Capture time of one-agent-at-a-time rollout $\le$ that of the base policy. On $L = 10$, spiders at 3 and 4, "
               r"flies at 0 and 9: base 11 stages, rollout 5."),
    assumptions=(r"$4 \le L \le 12$; deterministic moves $-1, 0, +1$; ties to the base move",),
    derivation=R.multiagent_derivation(),
    candidate=Formula(r"T_{\rm rollout}", C.spider_candidate),
    checks=(BoundCheck(oracle=P.base_time, strategy=P.instances, sense="lower",
                       examples=(P.FEATURED,), description="simulate both policies; the base policy's time is the bound"),),
    mutants=(
        Mutant("lookahead-only", r"one-step look-ahead without the base policy's cost-to-go",
               Formula(r"T_{\rm lookahead}", partial(C.spider_candidate, variant="lookahead-only"))),
    ),
    notes=r"The check reads as $T_{\rm base} \ge T_{\rm rollout}$: the candidate is the rollout's capture time.",
)

CLAIMS = (STANDARD, MULTI, AUTONOMOUS, SEARCH, SPIDERS)
