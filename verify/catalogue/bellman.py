r"""Bellman operators (homework 004 §3.1 and standard results).

Oracles apply the operators term by term from their definitions
(:mod:`verify.oracles.mdp`), evaluate policies by exact linear solves and find
:math:`V^*`, :math:`Q^*` by enumerating every deterministic policy, never by the value
iteration under test. Bounds are attacked by Hypothesis over finite MDPs (up to 8 states,
4 actions, :math:`\gamma \le 0.999`) and value functions.
"""

from __future__ import annotations

from functools import partial

from derivations import bellman as B

from ..candidates import bellman as C
from ..checks import BoundCheck, NumericIdentity, PropertyCheck
from ..model import Claim, Formula, Mutant
from ..probes import bellman as P

__all__ = ["CLAIMS"]

SOURCE = "seed 004 §3.1 and standard results"

_CONTRACTION_ASSUMPTIONS = (r"finite MDP, $0 \le \gamma < 1$, any stochastic policy $\pi$; bounded $X_1, X_2$",)
_CONTRACTION_SEARCH = "operator applied term by term; search over MDPs, policies and values"
_CONTRACTION_MUTANTS = (
    Mutant("gamma-squared", r"$\gamma^2\|X_1 - X_2\|_\infty$",
           Formula(r"\gamma^2\|X_1 - X_2\|_\infty", partial(C.contraction_candidate, variant="gamma-squared"))),
    Mutant("rms-norm", r"$\gamma\|X_1 - X_2\|_{2}/\sqrt{n}$ (the wrong norm on the right)",
           Formula(r"\gamma\,\mathrm{rms}(X_1 - X_2)", partial(C.contraction_candidate, variant="rms-norm"))),
)

CONTRACTION_V = Claim(
    id="bellman.contraction-v", title="||T^pi V1 - T^pi V2||_inf <= gamma ||V1 - V2||_inf", source=SOURCE,
    statement=r"$\|T^\pi V_1 - T^\pi V_2\|_\infty \le \gamma\|V_1 - V_2\|_\infty$.",
    assumptions=_CONTRACTION_ASSUMPTIONS,
    derivation=B.contraction_derivation(),
    candidate=Formula(r"\gamma\|X_1 - X_2\|_\infty", C.contraction_candidate),
    checks=(BoundCheck(oracle=partial(P.image_distance, op="policy"), strategy=partial(P.operator_points, q=False),
                       sense="upper", effort=2, description=_CONTRACTION_SEARCH),),
    mutants=_CONTRACTION_MUTANTS,
)

CONTRACTION_Q = Claim(
    id="bellman.contraction-q", title="||T^pi Q1 - T^pi Q2||_inf <= gamma ||Q1 - Q2||_inf (004 §3.1 b)", source=SOURCE,
    statement=(r"$\|T^\pi Q_1 - T^\pi Q_2\|_\infty \le \gamma\|Q_1 - Q_2\|_\infty$ with "
               r"$(T^\pi Q)(s,a) = r(s,a) + \gamma\sum_{s'}P(s'|s,a)\sum_{a'}\pi(a'|s')Q(s',a')$."),
    assumptions=_CONTRACTION_ASSUMPTIONS,
    derivation=B.contraction_derivation(),
    candidate=Formula(r"\gamma\|X_1 - X_2\|_\infty", C.contraction_candidate),
    checks=(BoundCheck(oracle=partial(P.image_distance, op="q"), strategy=partial(P.operator_points, q=True),
                       sense="upper", effort=2, description=_CONTRACTION_SEARCH),),
    mutants=_CONTRACTION_MUTANTS,
)

CONTRACTION_OPT = Claim(
    id="bellman.optimality-contraction", title="||T* V1 - T* V2||_inf <= gamma ||V1 - V2||_inf", source=SOURCE,
    statement=r"$\|T^*V_1 - T^*V_2\|_\infty \le \gamma\|V_1 - V_2\|_\infty$, $(T^*V)(s) = \max_a[r + \gamma PV](s,a)$.",
    assumptions=_CONTRACTION_ASSUMPTIONS,
    derivation=B.contraction_derivation(),
    candidate=Formula(r"\gamma\|X_1 - X_2\|_\infty", C.contraction_candidate),
    checks=(BoundCheck(oracle=partial(P.image_distance, op="optimality"), strategy=partial(P.operator_points, q=False),
                       sense="upper", effort=2, description=_CONTRACTION_SEARCH),),
    mutants=_CONTRACTION_MUTANTS,
)

MONOTONE = Claim(
    id="bellman.monotonicity",
    title="V1 <= V2 implies T^pi V1 <= T^pi V2",
    source=SOURCE,
    statement=r"$V_1 \le V_2$ entrywise $\Longrightarrow$ $T^\pi V_1 \le T^\pi V_2$: $\min_s(T^\pi V_2 - T^\pi V_1)(s) \ge 0$.",
    assumptions=(r"finite MDP, $0 \le \gamma < 1$, any stochastic policy",),
    derivation=B.monotonicity_derivation(),
    candidate=Formula(r"0", C.monotone_candidate),
    checks=(BoundCheck(oracle=P.monotone_gap, strategy=partial(P.operator_points, monotone=True), sense="lower",
                       description="min_s (T^pi V2 - T^pi V1)(s) for V2 = V1 + D, D >= 0"),),
    mutants=(
        Mutant("gap-preserved", r"$T^\pi V_2 - T^\pi V_1 \ge \min_s(V_2 - V_1)$ (forgets $\gamma$)",
               Formula(r"\min(V_2 - V_1)", partial(C.monotone_mutant, variant="gap-preserved"))),
        Mutant("largest-gap", r"$T^\pi V_2 - T^\pi V_1 \ge \gamma\max_s(V_2 - V_1)$",
               Formula(r"\gamma\max(V_2 - V_1)", partial(C.monotone_mutant, variant="largest-gap"))),
    ),
)


TIGHT = Claim(
    id="bellman.contraction-tight",
    title="The contraction factor gamma cannot be lowered: V and V + c1 attain it",
    source=SOURCE,
    statement=(r"For every MDP and policy, $\sup_{V_1\ne V_2}\|T^\pi V_1 - T^\pi V_2\|_\infty/\|V_1 - V_2\|_\infty = \gamma$, "
               r"attained by $V_2 = V_1 + c\mathbf 1$ (004 §3.1 b asks for the smallest such constant)."),
    assumptions=(r"finite MDP, any stochastic policy",),
    derivation=B.contraction_derivation(),
    candidate=Formula(r"\gamma", C.tight_candidate),
    checks=(NumericIdentity(reference=P.witness_ratio, strategy=P.operator_points,
                            description="the ratio at the witness pair, operator applied term by term"),),
    mutants=(
        Mutant("gamma-squared", r"$\gamma^2$", Formula(r"\gamma^2", partial(C.tight_mutant, variant="gamma-squared"))),
        Mutant("non-expansive-only", r"$1$ (only non-expansive)", Formula(r"1", partial(C.tight_mutant, variant="one"))),
    ),
)


VI = Claim(
    id="bellman.value-iteration-error",
    title="Value iteration: ||V_k - V*|| <= gamma^k ||V_0 - V*|| and ||V_{k+1} - V*|| <= gamma/(1-gamma) ||V_{k+1} - V_k||",
    source=SOURCE,
    statement=(r"For $V_{k+1} = T^*V_k$: $\|V_k - V^*\|_\infty \le \gamma^k\|V_0 - V^*\|_\infty$ and "
               r"$\|V_{k+1} - V^*\|_\infty \le \frac{\gamma}{1-\gamma}\|V_{k+1} - V_k\|_\infty$."),
    assumptions=(r"finite MDP (up to 5 states, 3 actions), $0 \le \gamma < 1$, any $V_0$; $V^*$ by enumerating all deterministic policies",),
    derivation=B.value_iteration_derivation(),
    candidate=Formula(r"\gamma^k\|V_0 - V^*\|,\ \frac{\gamma}{1-\gamma}\|V_{k+1} - V_k\|", C.vi_candidate),
    checks=(BoundCheck(oracle=P.vi_error, strategy=P.vi_points, sense="upper", effort=2,
                       description="value iteration applied term by term; V* by policy enumeration"),),
    mutants=(
        Mutant("one-more-power", r"$\gamma^{k+1}\|V_0 - V^*\|$", Formula(r"\gamma^{k+1}", partial(C.vi_candidate, variant="one-more-power"))),
        Mutant("no-geometric-sum", r"$\gamma\|V_{k+1} - V_k\|$ (the geometric sum forgotten)",
               Formula(r"\gamma\|V_{k+1}-V_k\|", partial(C.vi_candidate, variant="no-geometric-sum"))),
    ),
)


GREEDY = Claim(
    id="bellman.greedy-policy-loss",
    title="||V^{greedy(V)} - V*|| <= 2 gamma/(1 - gamma) ||V - V*||",
    source=SOURCE + " (Singh and Yee 1994)",
    statement=r"$\|V^{\mathrm{greedy}(V)} - V^*\|_\infty \le \frac{2\gamma}{1-\gamma}\|V - V^*\|_\infty$; the constant is attained.",
    assumptions=(r"finite MDP, $0 \le \gamma < 1$; greedy ties broken toward the first action",),
    derivation=B.greedy_loss_derivation(),
    candidate=Formula(r"\frac{2\gamma}{1-\gamma}\|V - V^*\|_\infty", C.greedy_candidate),
    checks=(BoundCheck(oracle=P.greedy_loss, strategy=P.greedy_points, coordinates=P.greedy_coordinates,
                       sense="upper", effort=2, examples=(P.tight_greedy_instance(),), scale=P.greedy_scale,
                       description="exact evaluation of the greedy policy; the tight 2-state instance, then a search"),),
    mutants=(
        Mutant("one-gamma", r"$\frac{\gamma}{1-\gamma}\|V - V^*\|$", Formula(r"\frac{\gamma}{1-\gamma}", partial(C.greedy_candidate, variant="one-gamma"))),
    ),
)


RELATIONS = Claim(
    id="bellman.optimality-relations",
    title="v* = max_a q*, q* = r + gamma P v*, argmax_a q* = argmax_a [r + gamma P v*] is optimal (004 §3.1 c.1-c.4)",
    source="seed 004 §3.1 c.1–c.4",
    statement=(r"$v^*(s) = \max_a q^*(s,a)$; $q^*(s,a) = r(s,a) + \gamma\sum_{s'}p(s'|s,a)v^*(s')$; "
               r"$a^*(s) = \arg\max_a q^*(s,a) = \arg\max_a[r(s,a) + \gamma\sum_{s'}p(s'|s,a)v^*(s')]$ is optimal."),
    assumptions=(r"finite MDP (up to 4 states, 3 actions), $\gamma \le 0.99$; $v^* = \max_\pi v^\pi$ and "
                 r"$q^* = \max_\pi q^\pi$ over all deterministic policies (exact solves)",),
    derivation=B.optimality_relations_derivation(),
    candidate=Formula(r"(\max_a q^*,\ r + \gamma Pv^*,\ v^{\arg\max q^*})", C.relations_candidate),
    checks=(NumericIdentity(reference=P.relations_reference, strategy=P.relations_points,
                            scale=P.relations_scale, max_examples=40,
                            description="v*, q* by enumerating deterministic policies; greedy policies evaluated exactly"),),
    mutants=(
        Mutant("mean-over-actions", r"$v^*(s) = \frac1{|A|}\sum_a q^*(s,a)$ (c.1 wrong)",
               Formula(r"\mathrm{mean}_a q^*", partial(C.relations_candidate, variant="mean-over-actions"))),
        Mutant("gamma-dropped", r"$q^* = r + Pv^*$ (c.2 wrong)", Formula(r"r + Pv^*", partial(C.relations_candidate, variant="gamma-dropped"))),
        Mutant("argmin", r"$a^* = \arg\min_a q^*$ (c.3 wrong)", Formula(r"\arg\min", partial(C.relations_candidate, variant="argmin"))),
    ),
)


IMPROVEMENT = Claim(
    id="bellman.policy-improvement",
    title="The greedy policy of V^pi is at least as good as pi in every state",
    source=SOURCE,
    statement=r"$\pi'(s) = \arg\max_a[r(s,a) + \gamma\sum_{s'}P(s'|s,a)V^\pi(s')]$ $\Longrightarrow$ $V^{\pi'} \ge V^\pi$.",
    assumptions=(r"finite MDP, any stochastic $\pi$; both values by exact linear solves",),
    derivation=B.policy_improvement_derivation(),
    candidate=Formula(r"\min_s(V^{\pi'} - V^\pi)(s)/(1 + \|V^\pi\|_\infty)", C.improvement),
    checks=(PropertyCheck(P.improvement_nonnegative, P.policy_points, examples=(P.myopia_trap(),),
                          description="the improvement of the rule's policy, min over states, is >= 0 (up to roundoff)"),),
    mutants=(
        Mutant("myopic", r"$\pi'(s) = \arg\max_a r(s,a)$ (no look-ahead)", Formula(r"\arg\max_a r", partial(C.improvement, variant="myopic"))),
        Mutant("argmin", r"$\pi'(s) = \arg\min_a Q^\pi(s,a)$", Formula(r"\arg\min_a Q^\pi", partial(C.improvement, variant="argmin"))),
    ),
    notes=r"The check's candidate is the improvement $\min_s(V^{\pi'} - V^\pi)(s)$ (relative), claimed $\ge 0$; a wrong rule for $\pi'$ makes it negative.",
)


CLAIMS = (MONOTONE, CONTRACTION_V, CONTRACTION_Q, CONTRACTION_OPT, TIGHT, VI, GREEDY, RELATIONS, IMPROVEMENT)
