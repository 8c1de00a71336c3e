r"""Bellman operators (homework 004 §3.1 and standard results).

Oracles apply the operators term by term from their definitions
(:mod:`verify.oracles.mdp`), evaluate policies by exact linear solves and find
:math:`V^*`, :math:`Q^*` by enumerating every deterministic policy, never by the value
iteration under test. Bounds are attacked by Hypothesis over finite MDPs (up to 8 states,
4 actions, :math:`\gamma \le 0.999`) and value functions.
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from derivations import bellman as B

from .. import strategies as S
from ..checks import BoundCheck, NumericIdentity, PropertyCheck
from ..model import Claim, Formula, Mutant
from ..oracles import mdp as O
from ..tolerances import tolerance

__all__ = ["CLAIMS"]

SOURCE = "seed 004 §3.1 and standard results"


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
def _operator_points(draw, *, q=False, monotone=False, max_states=8):
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


def _image_distance(p, *, op):
    return float(np.abs(_apply(p, p.X1, op=op) - _apply(p, p.X2, op=op)).max())


def _contraction_candidate(p, *, variant="derived"):
    gamma, diff = p.mdp.gamma, p.X1 - p.X2
    if variant == "gamma-squared":
        return B.contraction_bound(gamma**2, float(np.abs(diff).max()))
    if variant == "rms-norm":
        return B.contraction_bound(gamma, float(np.sqrt(np.mean(diff**2))))
    return B.contraction_bound(gamma, float(np.abs(diff).max()))


_CONTRACTION_MUTANTS = (
    Mutant("gamma-squared", r"$\gamma^2\|X_1 - X_2\|_\infty$",
           Formula(r"\gamma^2\|X_1 - X_2\|_\infty", partial(_contraction_candidate, variant="gamma-squared"))),
    Mutant("rms-norm", r"$\gamma\|X_1 - X_2\|_{2}/\sqrt{n}$ (the wrong norm on the right)",
           Formula(r"\gamma\,\mathrm{rms}(X_1 - X_2)", partial(_contraction_candidate, variant="rms-norm"))),
)


def _contraction_claim(cid, title, statement, op, q=False):
    return Claim(
        id=cid, title=title, source=SOURCE, statement=statement,
        assumptions=(r"finite MDP, $0 \le \gamma < 1$, any stochastic policy $\pi$; bounded $X_1, X_2$",),
        derivation=B.contraction_derivation(),
        candidate=Formula(r"\gamma\|X_1 - X_2\|_\infty", _contraction_candidate),
        checks=(BoundCheck(oracle=partial(_image_distance, op=op), strategy=partial(_operator_points, q=q),
                           sense="upper", effort=2,
                           description="operator applied term by term; search over MDPs, policies and values"),),
        mutants=_CONTRACTION_MUTANTS,
    )


CONTRACTION_V = _contraction_claim(
    "bellman.contraction-v", "||T^pi V1 - T^pi V2||_inf <= gamma ||V1 - V2||_inf",
    r"$\|T^\pi V_1 - T^\pi V_2\|_\infty \le \gamma\|V_1 - V_2\|_\infty$.", "policy")
CONTRACTION_Q = _contraction_claim(
    "bellman.contraction-q", "||T^pi Q1 - T^pi Q2||_inf <= gamma ||Q1 - Q2||_inf (004 §3.1 b)",
    r"$\|T^\pi Q_1 - T^\pi Q_2\|_\infty \le \gamma\|Q_1 - Q_2\|_\infty$ with "
    r"$(T^\pi Q)(s,a) = r(s,a) + \gamma\sum_{s'}P(s'|s,a)\sum_{a'}\pi(a'|s')Q(s',a')$.", "q", q=True)
CONTRACTION_OPT = _contraction_claim(
    "bellman.optimality-contraction", "||T* V1 - T* V2||_inf <= gamma ||V1 - V2||_inf",
    r"$\|T^*V_1 - T^*V_2\|_\infty \le \gamma\|V_1 - V_2\|_\infty$, $(T^*V)(s) = \max_a[r + \gamma PV](s,a)$.",
    "optimality")


# --- monotonicity ----------------------------------------------------------


def _monotone_gap(p):
    return float((_apply(p, p.X2, op="policy") - _apply(p, p.X1, op="policy")).min())


def _monotone_candidate(p):
    """The derived lower bound on min_s (T^pi X2 - T^pi X1)(s) for X2 - X1 >= 0."""
    return B.monotonicity_lower_bound(p.X2 - p.X1)


def _monotone_mutant(p, *, variant):
    """Mutants: the gap kept without gamma, or gamma times the largest gap."""
    D = p.X2 - p.X1
    if variant == "gap-preserved":
        return float(D.min())
    return p.mdp.gamma * float(D.max())  # largest-gap


MONOTONE = Claim(
    id="bellman.monotonicity",
    title="V1 <= V2 implies T^pi V1 <= T^pi V2",
    source=SOURCE,
    statement=r"$V_1 \le V_2$ entrywise $\Longrightarrow$ $T^\pi V_1 \le T^\pi V_2$: $\min_s(T^\pi V_2 - T^\pi V_1)(s) \ge 0$.",
    assumptions=(r"finite MDP, $0 \le \gamma < 1$, any stochastic policy",),
    derivation=B.monotonicity_derivation(),
    candidate=Formula(r"0", _monotone_candidate),
    checks=(BoundCheck(oracle=_monotone_gap, strategy=partial(_operator_points, monotone=True), sense="lower",
                       description="min_s (T^pi V2 - T^pi V1)(s) for V2 = V1 + D, D >= 0"),),
    mutants=(
        Mutant("gap-preserved", r"$T^\pi V_2 - T^\pi V_1 \ge \min_s(V_2 - V_1)$ (forgets $\gamma$)",
               Formula(r"\min(V_2 - V_1)", partial(_monotone_mutant, variant="gap-preserved"))),
        Mutant("largest-gap", r"$T^\pi V_2 - T^\pi V_1 \ge \gamma\max_s(V_2 - V_1)$",
               Formula(r"\gamma\max(V_2 - V_1)", partial(_monotone_mutant, variant="largest-gap"))),
    ),
)


# --- tightness of gamma ------------------------------------------------------


def _witness_ratio(p):
    """||T V - T(V + c 1)|| / ||c 1|| at the witness pair, from the operator's definition."""
    c = 1.5
    m = p.mdp
    a = O.apply_policy_operator(m.P, m.r, m.gamma, p.pi, p.X1)
    b = O.apply_policy_operator(m.P, m.r, m.gamma, p.pi, p.X1 + c)
    return float(np.abs(a - b).max()) / c


def _tight_candidate(p):
    """The derived contraction factor: the bound per unit distance."""
    return B.contraction_bound(p.mdp.gamma, 1.0)


def _tight_mutant(p, *, variant):
    """Mutants: gamma^2, or 1 (non-expansive only)."""
    g = p.mdp.gamma
    return {"gamma-squared": g * g, "one": 1.0}[variant]


TIGHT = Claim(
    id="bellman.contraction-tight",
    title="The contraction factor gamma cannot be lowered: V and V + c1 attain it",
    source=SOURCE,
    statement=(r"For every MDP and policy, $\sup_{V_1\ne V_2}\|T^\pi V_1 - T^\pi V_2\|_\infty/\|V_1 - V_2\|_\infty = \gamma$, "
               r"attained by $V_2 = V_1 + c\mathbf 1$ (004 §3.1 b asks for the smallest such constant)."),
    assumptions=(r"finite MDP, any stochastic policy",),
    derivation=B.contraction_derivation(),
    candidate=Formula(r"\gamma", _tight_candidate),
    checks=(NumericIdentity(reference=_witness_ratio, strategy=_operator_points,
                            description="the ratio at the witness pair, operator applied term by term"),),
    mutants=(
        Mutant("gamma-squared", r"$\gamma^2$", Formula(r"\gamma^2", partial(_tight_mutant, variant="gamma-squared"))),
        Mutant("non-expansive-only", r"$1$ (only non-expansive)", Formula(r"1", partial(_tight_mutant, variant="one"))),
    ),
)


# --- value iteration ---------------------------------------------------------


class VIPoint(NamedTuple):
    mdp: S.FiniteMDP
    V0: np.ndarray
    k: int
    which: str  #: "from-start" or "stopping"

    def readable(self) -> dict:
        return {"mdp": self.mdp.readable(), "V0": self.V0.tolist(), "k": self.k, "which": self.which}


@st.composite
def _vi_points(draw):
    m = draw(S.finite_mdps(max_states=5, max_actions=3))
    return VIPoint(m, draw(_values((m.n_states,), -20, 20)), draw(st.integers(0, 12)),
                   draw(st.sampled_from(("from-start", "stopping"))))


def _vi_iterates(p):
    m, V = p.mdp, p.V0.copy()
    out = [V]
    for _ in range(p.k + 1):
        V = O.apply_optimality_operator(m.P, m.r, m.gamma, V)
        out.append(V)
    return out


def _vi_error(p):
    """||V_k - V*|| (from-start) or ||V_{k+1} - V*|| (stopping); V* by enumerating policies."""
    Vs, vstar = _vi_iterates(p), O.optimal_values(p.mdp.P, p.mdp.r, p.mdp.gamma)
    return float(np.abs((Vs[p.k] if p.which == "from-start" else Vs[p.k + 1]) - vstar).max())


def _vi_candidate(p, *, variant="derived"):
    g = p.mdp.gamma
    if p.which == "from-start":
        vstar = O.optimal_values(p.mdp.P, p.mdp.r, g)
        k = p.k + 1 if variant == "one-more-power" else p.k
        return B.value_iteration_bound(g, k, float(np.abs(p.V0 - vstar).max()))
    Vs = _vi_iterates(p)
    change = float(np.abs(Vs[p.k + 1] - Vs[p.k]).max())
    return g * change if variant == "no-geometric-sum" else B.stopping_bound(g, change)


VI = Claim(
    id="bellman.value-iteration-error",
    title="Value iteration: ||V_k - V*|| <= gamma^k ||V_0 - V*|| and ||V_{k+1} - V*|| <= gamma/(1-gamma) ||V_{k+1} - V_k||",
    source=SOURCE,
    statement=(r"For $V_{k+1} = T^*V_k$: $\|V_k - V^*\|_\infty \le \gamma^k\|V_0 - V^*\|_\infty$ and "
               r"$\|V_{k+1} - V^*\|_\infty \le \frac{\gamma}{1-\gamma}\|V_{k+1} - V_k\|_\infty$."),
    assumptions=(r"finite MDP (up to 5 states, 3 actions), $0 \le \gamma < 1$, any $V_0$; $V^*$ by enumerating all deterministic policies",),
    derivation=B.value_iteration_derivation(),
    candidate=Formula(r"\gamma^k\|V_0 - V^*\|,\ \frac{\gamma}{1-\gamma}\|V_{k+1} - V_k\|", _vi_candidate),
    checks=(BoundCheck(oracle=_vi_error, strategy=_vi_points, sense="upper", effort=2,
                       description="value iteration applied term by term; V* by policy enumeration"),),
    mutants=(
        Mutant("one-more-power", r"$\gamma^{k+1}\|V_0 - V^*\|$", Formula(r"\gamma^{k+1}", partial(_vi_candidate, variant="one-more-power"))),
        Mutant("no-geometric-sum", r"$\gamma\|V_{k+1} - V_k\|$ (the geometric sum forgotten)",
               Formula(r"\gamma\|V_{k+1}-V_k\|", partial(_vi_candidate, variant="no-geometric-sum"))),
    ),
)


# --- greedy policy loss ------------------------------------------------------


class GreedyPoint(NamedTuple):
    mdp: S.FiniteMDP
    E: np.ndarray  #: V = V* + E

    def readable(self) -> dict:
        return {"mdp": self.mdp.readable(), "E": self.E.tolist()}


def _tight_greedy_instance():
    r"""Two states, gamma = 0.9: 'stay' (reward -0.9, first action) or 'go' to an absorbing state paying 1.
    V* = (9, 10); with V = V* + (1, -1) the greedy policy stays and loses 2 gamma/(1-gamma) = 18."""
    P = np.zeros((2, 2, 2))
    P[0, 0, 0] = P[0, 1, 1] = P[1, :, 1] = 1.0
    return GreedyPoint(S.FiniteMDP(P, np.array([[-0.9 + 1e-9, 0.0], [1.0, 1.0]]), 0.9, np.array([0.5, 0.5])),
                       np.array([1.0, -1.0]))


@st.composite
def _greedy_points(draw):
    m = draw(S.finite_mdps(max_states=5, max_actions=3))
    return GreedyPoint(m, draw(_values((m.n_states,), -3, 3)))


def _greedy_loss(p):
    m = p.mdp
    vstar = O.optimal_values(m.P, m.r, m.gamma)
    pol = O.greedy(m.P, m.r, m.gamma, vstar + p.E)
    v = O.evaluate_policies(m.P, m.r, m.gamma, O.one_hot_policy(pol, m.n_actions)[None])[0]
    return float(np.abs(v - vstar).max())


def _greedy_scale(p):
    """|V*| times cond(I - gamma P) <= (1 + gamma)/(1 - gamma): the roundoff of V^greedy - V* is that times eps."""
    m = p.mdp
    vmax = float(np.abs(m.r).max()) / (1 - m.gamma)
    return vmax * (1 + m.gamma) / (1 - m.gamma)


def _greedy_coordinates(p):
    return p.E.copy(), lambda x: GreedyPoint(p.mdp, np.asarray(x, float))


def _greedy_candidate(p, *, variant="derived"):
    err, g = float(np.abs(p.E).max()), p.mdp.gamma
    if variant == "one-gamma":
        return g / (1 - g) * err
    return B.greedy_loss_bound(g, err)


GREEDY = Claim(
    id="bellman.greedy-policy-loss",
    title="||V^{greedy(V)} - V*|| <= 2 gamma/(1 - gamma) ||V - V*||",
    source=SOURCE + " (Singh and Yee 1994)",
    statement=r"$\|V^{\mathrm{greedy}(V)} - V^*\|_\infty \le \frac{2\gamma}{1-\gamma}\|V - V^*\|_\infty$; the constant is attained.",
    assumptions=(r"finite MDP, $0 \le \gamma < 1$; greedy ties broken toward the first action",),
    derivation=B.greedy_loss_derivation(),
    candidate=Formula(r"\frac{2\gamma}{1-\gamma}\|V - V^*\|_\infty", _greedy_candidate),
    checks=(BoundCheck(oracle=_greedy_loss, strategy=_greedy_points, coordinates=_greedy_coordinates,
                       sense="upper", effort=2, examples=(_tight_greedy_instance(),), scale=_greedy_scale,
                       description="exact evaluation of the greedy policy; the tight 2-state instance, then a search"),),
    mutants=(
        Mutant("one-gamma", r"$\frac{\gamma}{1-\gamma}\|V - V^*\|$", Formula(r"\frac{\gamma}{1-\gamma}", partial(_greedy_candidate, variant="one-gamma"))),
    ),
)


# --- optimality relations (004 §3.1 c) ---------------------------------------


def _relations_points():
    return S.finite_mdps(max_states=4, max_actions=3, max_gamma=0.99)


def _relations_candidate(m, *, variant="derived"):
    """[v from q*, q from v*, value of argmax q*, value of argmax(r + gamma P v*)] from the relations."""
    vstar, qstar = O.optimal_values(m.P, m.r, m.gamma), O.optimal_q(m.P, m.r, m.gamma)
    v = qstar.mean(axis=1) if variant == "mean-over-actions" else B.v_from_q(qstar)
    q = B.q_from_v(m.P, m.r, 1.0 if variant == "gamma-dropped" else m.gamma, vstar)
    pick = (lambda x: np.argmin(x, axis=1)) if variant == "argmin" else B.greedy_from_q  # noqa: E731
    pols = np.stack([pick(qstar), pick(B.q_from_v(m.P, m.r, m.gamma, vstar))])
    vals = O.evaluate_policies(m.P, m.r, m.gamma, O.one_hot_policy(pols, m.n_actions))
    return np.concatenate([v, q.ravel(), vals.ravel()])


def _relations_reference(m):
    vstar, qstar = O.optimal_values(m.P, m.r, m.gamma), O.optimal_q(m.P, m.r, m.gamma)
    return np.concatenate([vstar, qstar.ravel(), vstar, vstar])


RELATIONS = Claim(
    id="bellman.optimality-relations",
    title="v* = max_a q*, q* = r + gamma P v*, argmax_a q* = argmax_a [r + gamma P v*] is optimal (004 §3.1 c.1-c.4)",
    source="seed 004 §3.1 c.1–c.4",
    statement=(r"$v^*(s) = \max_a q^*(s,a)$; $q^*(s,a) = r(s,a) + \gamma\sum_{s'}p(s'|s,a)v^*(s')$; "
               r"$a^*(s) = \arg\max_a q^*(s,a) = \arg\max_a[r(s,a) + \gamma\sum_{s'}p(s'|s,a)v^*(s')]$ is optimal."),
    assumptions=(r"finite MDP (up to 4 states, 3 actions), $\gamma \le 0.99$; $v^* = \max_\pi v^\pi$ and "
                 r"$q^* = \max_\pi q^\pi$ over all deterministic policies (exact solves)",),
    derivation=B.optimality_relations_derivation(),
    candidate=Formula(r"(\max_a q^*,\ r + \gamma Pv^*,\ v^{\arg\max q^*})", _relations_candidate),
    checks=(NumericIdentity(reference=_relations_reference, strategy=_relations_points,
                            scale=lambda m: 1.0 + float(np.abs(m.r).max()) / (1.0 - m.gamma), max_examples=40,
                            description="v*, q* by enumerating deterministic policies; greedy policies evaluated exactly"),),
    mutants=(
        Mutant("mean-over-actions", r"$v^*(s) = \frac1{|A|}\sum_a q^*(s,a)$ (c.1 wrong)",
               Formula(r"\mathrm{mean}_a q^*", partial(_relations_candidate, variant="mean-over-actions"))),
        Mutant("gamma-dropped", r"$q^* = r + Pv^*$ (c.2 wrong)", Formula(r"r + Pv^*", partial(_relations_candidate, variant="gamma-dropped"))),
        Mutant("argmin", r"$a^* = \arg\min_a q^*$ (c.3 wrong)", Formula(r"\arg\min", partial(_relations_candidate, variant="argmin"))),
    ),
)


# --- policy improvement --------------------------------------------------------


class PolicyPoint(NamedTuple):
    mdp: S.FiniteMDP
    pi: np.ndarray

    def readable(self) -> dict:
        return {"mdp": self.mdp.readable(), "pi": self.pi.tolist()}


def _myopia_trap():
    """State 0: 'go' (reward 0) to an absorbing state paying 1, or 'stay' paying 1/2; gamma = 0.9.
    The optimal policy goes (V*(0) = 9); immediate reward says stay (5)."""
    P = np.zeros((2, 2, 2))
    P[0, 0, 1] = P[0, 1, 0] = P[1, :, 1] = 1.0
    m = S.FiniteMDP(P, np.array([[0.0, 0.5], [1.0, 1.0]]), 0.9, np.array([0.5, 0.5]))
    return PolicyPoint(m, O.one_hot_policy(np.array([0, 0]), 2))


@st.composite
def _policy_points(draw):
    """Any stochastic policy, or (half the time, up to 6 states) an optimal one: improving on an
    optimal policy must not lose anything, which is where wrong rules show."""
    if draw(st.booleans()):
        m = draw(S.finite_mdps(max_states=8, max_actions=4))
        return PolicyPoint(m, draw(S.stochastic_policies(n_states=m.n_states, n_actions=m.n_actions)))
    m = draw(S.finite_mdps(max_states=6, max_actions=4))
    _, best = O.optimal_values(m.P, m.r, m.gamma, return_policy=True)
    return PolicyPoint(m, O.one_hot_policy(best, m.n_actions))


def _improvement(p, *, variant="derived"):
    """min_s (V^{pi'} - V^pi)(s) for the improved policy pi' built by the rule under test."""
    m = p.mdp
    v_pi = O.evaluate_policies(m.P, m.r, m.gamma, p.pi[None])[0]
    if variant == "myopic":  # greedy on the immediate reward only
        new = np.argmax(m.r, axis=1)
    elif variant == "argmin":
        new = np.argmin(B.q_from_v(m.P, m.r, m.gamma, v_pi), axis=1)
    else:
        new = B.policy_improvement_rule(m.P, m.r, m.gamma, v_pi)
    v_new = O.evaluate_policies(m.P, m.r, m.gamma, O.one_hot_policy(new, m.n_actions)[None])[0]
    scale = 1.0 + float(np.abs(v_pi).max())
    return float((v_new - v_pi).min()) / scale


IMPROVEMENT = Claim(
    id="bellman.policy-improvement",
    title="The greedy policy of V^pi is at least as good as pi in every state",
    source=SOURCE,
    statement=r"$\pi'(s) = \arg\max_a[r(s,a) + \gamma\sum_{s'}P(s'|s,a)V^\pi(s')]$ $\Longrightarrow$ $V^{\pi'} \ge V^\pi$.",
    assumptions=(r"finite MDP, any stochastic $\pi$; both values by exact linear solves",),
    derivation=B.policy_improvement_derivation(),
    candidate=Formula(r"\min_s(V^{\pi'} - V^\pi)(s)/(1 + \|V^\pi\|_\infty)", _improvement),
    checks=(PropertyCheck(lambda p, v: v >= -tolerance("bound.slack").atol, _policy_points, examples=(_myopia_trap(),),
                          description="the improvement of the rule's policy, min over states, is >= 0 (up to roundoff)"),),
    mutants=(
        Mutant("myopic", r"$\pi'(s) = \arg\max_a r(s,a)$ (no look-ahead)", Formula(r"\arg\max_a r", partial(_improvement, variant="myopic"))),
        Mutant("argmin", r"$\pi'(s) = \arg\min_a Q^\pi(s,a)$", Formula(r"\arg\min_a Q^\pi", partial(_improvement, variant="argmin"))),
    ),
    notes=r"The check's candidate is the improvement $\min_s(V^{\pi'} - V^\pi)(s)$ (relative), claimed $\ge 0$; a wrong rule for $\pi'$ makes it negative.",
)


CLAIMS = (MONOTONE, CONTRACTION_V, CONTRACTION_Q, CONTRACTION_OPT, TIGHT, VI, GREEDY, RELATIONS, IMPROVEMENT)
