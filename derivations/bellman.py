r"""Bellman operators: contraction, value-iteration error, greedy-policy loss, optimality relations.

The derived side: the bounds as formulas of their inputs, the relations between
:math:`v^*`, :math:`q^*` and greedy policies (004 §3.1 c.1–c.4), and the step chains that
justify them. The geometric sums are done by SymPy:

>>> import sympy as sp
>>> stopping_factor_sym()
-gamma/(gamma - 1)
>>> greedy_loss_factor_sym()
-2*gamma/(gamma - 1)
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from .steps import Derivation, Step

__all__ = ["gamma_sym", "stopping_factor_sym", "greedy_loss_factor_sym", "contraction_bound",
           "value_iteration_bound", "stopping_bound", "greedy_loss_bound", "v_from_q", "q_from_v",
           "greedy_from_q", "policy_improvement_rule", "policy_count", "contraction_derivation",
           "monotonicity_derivation", "value_iteration_derivation", "greedy_loss_derivation",
           "optimality_relations_derivation", "policy_improvement_derivation", "policy_count_derivation"]

gamma_sym = sp.Symbol("gamma", positive=True)
_j, _k = sp.symbols("j k", integer=True, nonnegative=True)


@lru_cache(maxsize=None)
def stopping_factor_sym():
    r""":math:`\sum_{j\ge1}\gamma^j = \gamma/(1-\gamma)` (SymPy summation, :math:`0<\gamma<1`)."""
    g = sp.Symbol("gamma", positive=True)
    s = sp.summation(g**_j, (_j, 1, sp.oo))
    s = sp.piecewise_fold(s).args[0][0] if isinstance(s, sp.Piecewise) else s  # the |gamma| < 1 branch
    return sp.simplify(s.subs(g, gamma_sym))


@lru_cache(maxsize=None)
def greedy_loss_factor_sym():
    r"""Solve :math:`\Delta \le \gamma\Delta + 2\gamma\varepsilon` for the loss :math:`\Delta` at equality."""
    D, e = sp.symbols("Delta epsilon", positive=True)
    return sp.simplify(sp.solve(sp.Eq(D, gamma_sym * D + 2 * gamma_sym * e), D)[0] / e)


def _factor(expr, gamma):
    return float(expr.subs(gamma_sym, gamma))


def contraction_bound(gamma, distance):
    r""":math:`\|TX_1 - TX_2\|_\infty \le \gamma\|X_1 - X_2\|_\infty`."""
    return gamma * distance


def value_iteration_bound(gamma, k, initial_error):
    r""":math:`\|V_k - V^*\|_\infty \le \gamma^k\|V_0 - V^*\|_\infty`."""
    return gamma**k * initial_error


def stopping_bound(gamma, last_change):
    r""":math:`\|V_{k+1} - V^*\|_\infty \le \frac{\gamma}{1-\gamma}\|V_{k+1} - V_k\|_\infty`."""
    return _factor(stopping_factor_sym(), gamma) * last_change


def greedy_loss_bound(gamma, error):
    r""":math:`\|V^{\mathrm{greedy}(V)} - V^*\|_\infty \le \frac{2\gamma}{1-\gamma}\|V - V^*\|_\infty`."""
    return _factor(greedy_loss_factor_sym(), gamma) * error


def v_from_q(q):
    """004 §3.1 c.1: :math:`v^*(s) = \\max_a q^*(s, a)`."""
    return np.max(q, axis=-1)


def q_from_v(P, r, gamma, v):
    """004 §3.1 c.2: :math:`q^*(s,a) = r(s,a) + \\gamma\\sum_{s'}p(s'|s,a)v^*(s')`."""
    return r + gamma * P @ v


def greedy_from_q(q):
    """004 §3.1 c.3–c.4: :math:`a^*(s) = \\arg\\max_a q^*(s,a)` (ties to the first action)."""
    return np.argmax(q, axis=-1)


def policy_improvement_rule(P, r, gamma, v_pi):
    r"""The improved policy :math:`\pi'(s) = \arg\max_a [r(s,a) + \gamma\sum_{s'}P(s'|s,a)V^\pi(s')]`."""
    return greedy_from_q(q_from_v(P, r, gamma, v_pi))


def policy_count(n_states: int, n_actions: int) -> int:
    """Deterministic stationary policies: one action per state, :math:`|A|^{|S|}`."""
    return int(n_actions) ** int(n_states)


# ---------------------------------------------------------------------------
# step chains
# ---------------------------------------------------------------------------


def contraction_derivation() -> Derivation:
    return Derivation((
        Step(r"|(T^\pi V_1 - T^\pi V_2)(s)|", r"\gamma\Bigl|\sum_a\pi(a|s)\sum_{s'}P(s'|s,a)(V_1 - V_2)(s')\Bigr|",
             "the rewards cancel"),
        Step(r"\gamma\Bigl|\sum_a\pi(a|s)\sum_{s'}P(s'|s,a)(V_1 - V_2)(s')\Bigr|", r"\gamma\|V_1 - V_2\|_\infty",
             r"a convex combination of entries is at most the largest", relation=r"\le"),
        Step(r"|(T^*V_1 - T^*V_2)(s)|", r"\max_a\gamma\Bigl|\sum_{s'}P(s'|s,a)(V_1-V_2)(s')\Bigr|",
             r"$|\max_a f - \max_a g| \le \max_a|f - g|$", relation=r"\le"),
        Step(r"\|T^\pi(V + c\mathbf 1) - T^\pi V\|_\infty", r"\gamma|c| = \gamma\|c\mathbf 1\|_\infty",
             r"rows of $P_\pi$ sum to one: the factor $\gamma$ is attained"),
    ))


def monotonicity_derivation() -> Derivation:
    return Derivation((
        Step(r"T^\pi V_2 - T^\pi V_1", r"\gamma P_\pi(V_2 - V_1)", "the rewards cancel"),
        Step(r"\gamma P_\pi(V_2 - V_1)", r"0", r"$P_\pi \ge 0$ entrywise and $V_2 - V_1 \ge 0$", relation=r"\ge"),
    ))


def value_iteration_derivation() -> Derivation:
    return Derivation((
        Step(r"\|V_k - V^*\|_\infty", r"\|T^*V_{k-1} - T^*V^*\|_\infty \le \gamma\|V_{k-1} - V^*\|_\infty",
             r"$V^* = T^*V^*$; contraction"),
        Step(r"\|V_k - V^*\|_\infty", r"\gamma^k\|V_0 - V^*\|_\infty", "induction", relation=r"\le"),
        Step(r"\|V_{k+1} - V^*\|_\infty", r"\sum_{j\ge1}\|V_{k+j+1} - V_{k+j}\|_\infty", "telescoping",
             relation=r"\le"),
        Step(r"\sum_{j\ge1}\|V_{k+j+1} - V_{k+j}\|_\infty", r"\sum_{j\ge1}\gamma^j\|V_{k+1} - V_k\|_\infty",
             "contraction, $j$ times", relation=r"\le"),
        Step(sp.Sum(gamma_sym**_j, (_j, 1, sp.oo)), stopping_factor_sym(), "geometric series (SymPy)"),
    ))


def greedy_loss_derivation() -> Derivation:
    return Derivation((
        Step(r"V^* - V^{\pi}", r"T^{*}V^* - T^{*}V + T^{\pi}V - T^{\pi}V^{\pi}",
             r"$\pi$ greedy for $V$: $T^\pi V = T^*V$; fixed points"),
        Step(r"\|V^* - V^{\pi}\|_\infty", r"\gamma\varepsilon + \gamma(\varepsilon + \|V^* - V^\pi\|_\infty)",
             r"contractions, $\varepsilon = \|V - V^*\|_\infty$, $\|V - V^\pi\| \le \varepsilon + \|V^* - V^\pi\|$",
             relation=r"\le"),
        Step(r"\|V^* - V^{\pi}\|_\infty", greedy_loss_factor_sym() * sp.Symbol("varepsilon"),
             "solve for the loss (SymPy)", relation=r"\le"),
    ))


def optimality_relations_derivation() -> Derivation:
    return Derivation((
        Step(r"v^*(s)", r"\max_a q^*(s,a)", r"c.1: an optimal policy may act greedily in $s$"),
        Step(r"q^*(s,a)", r"r(s,a) + \gamma\sum_{s'}p(s'|s,a)\,v^*(s')", "c.2: act $a$, then optimally"),
        Step(r"a^*(s)", r"\arg\max_a q^*(s,a) = \arg\max_a\Bigl[r(s,a) + \gamma\sum_{s'}p(s'|s,a)v^*(s')\Bigr]",
             "c.3–c.4: substitute c.2"),
    ))


def policy_improvement_derivation() -> Derivation:
    return Derivation((
        Step(r"T^{\pi'}V^\pi", r"T^*V^\pi \ge T^\pi V^\pi = V^\pi", r"$\pi'$ greedy for $V^\pi$", relation="="),
        Step(r"V^{\pi'}", r"\lim_k (T^{\pi'})^kV^\pi \ge V^\pi", r"monotonicity of $T^{\pi'}$, induction",
             relation="="),
    ))


def policy_count_derivation() -> Derivation:
    S, A = sp.symbols("|S| |A|", positive=True, integer=True)
    return Derivation((
        Step(r"\#\{\pi: S \to A\}", sp.Product(A, (sp.Symbol("s"), 1, S)), "one independent choice per state"),
        Step(sp.Product(A, (sp.Symbol("s"), 1, S)), A**S, "product of equal factors"),
    ))
