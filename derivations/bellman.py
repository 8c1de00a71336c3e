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

from .errors import ValidationError
from .steps import Derivation, Step

__all__ = ["gamma_sym", "stopping_factor_sym", "greedy_loss_factor_sym", "contraction_bound", "monotonicity_lower_bound",
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


def monotonicity_lower_bound(difference) -> float:
    r"""Monotonicity of :math:`T^\pi`: :math:`V_2 - V_1 \ge 0` entrywise gives
    :math:`\min_s(T^\pi V_2 - T^\pi V_1)(s) = \min_s\gamma(P^\pi(V_2 - V_1))(s) \ge 0`; returns that lower bound, 0.

    ``difference`` is :math:`V_2 - V_1` (or :math:`Q_2 - Q_1`); it must be entrywise nonnegative (the hypothesis).

    >>> monotonicity_lower_bound([0.0, 2.5])
    0.0
    """
    d = np.asarray(difference, dtype=float)
    if d.size == 0 or not np.all(np.isfinite(d)) or d.min() < 0:
        raise ValidationError("difference = V2 - V1 must be finite, non-empty and entrywise >= 0")
    return 0.0


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


#: a finite MDP in the step language: ``S`` states, ``A`` actions, ``P[s*A + a, t] = P(t|s,a)`` (rows of a
#: stochastic matrix; the rows past ``S*A`` are unused), ``r[s*A + a] = r(s,a)``, ``pi[s, a] = pi(a|s)``;
#: 2 or 3 states (``eye(1)[0]`` would be a number), up to 3 actions, so that the 27 deterministic policies can be enumerated for ``V^*``
MDP_SYMBOLS = {"S": "integer in [2, 3]", "A": "integer in [1, 3]", "P": "stochastic matrix 9 x S", "r": "vector 9",
               "gamma": "discount", "pi": "stochastic matrix S x A"}
MDP_DEFINE = {
    # Q-value of action a in state s against the values U
    "Qv(U, s, a)": "r[s*A + a] + gamma*dot(P[s*A + a], U)",
    # (T^pi U)(s) = sum_a pi(a|s) Q(U, s, a); (T^* U)(s) = max_a Q(U, s, a) (as vectors, state by state)
    "Tpi(U)": "sum(eye(S)[ss] * sum(pi[ss, aa]*Qv(U, ss, aa), (aa, 0, A - 1)), (ss, 0, S - 1))",
    "Tstar(U)": "sum(eye(S)[ss] * max(Qv(U, ss, aa), (aa, 0, A - 1)), (ss, 0, S - 1))",
    "Ppi": "sum(sum(pi[ss, aa] * eye(S)[ss] @ P[ss*A + aa].T, (aa, 0, A - 1)), (ss, 0, S - 1))",
    "rpi": "sum(eye(S)[ss] * sum(pi[ss, aa]*r[ss*A + aa], (aa, 0, A - 1)), (ss, 0, S - 1))",
    "Vpi": "inv(eye(S) - gamma*Ppi) @ rpi",
    # deterministic policy number p: action act(p, s) = digit s of p in base A
    "act(p, s)": "floor(p / A**s) - A*floor(p / A**(s + 1))",
    "Pp(p)": "sum(eye(S)[ss] @ P[ss*A + act(p, ss)].T, (ss, 0, S - 1))",
    "rp(p)": "sum(eye(S)[ss] * r[ss*A + act(p, ss)], (ss, 0, S - 1))",
    # V^* = max_pi V^pi (entrywise, over the A^S deterministic policies: one of them is optimal everywhere)
    "Vs": "max(inv(eye(S) - gamma*Pp(pp)) @ rp(pp), (pp, 0, A**S - 1))",
    # the greedy action for U in state s (the first maximiser), its transition matrix, rewards, operator, value
    "gr(U, s)": "min(aa + A*sign(max(Qv(U, s, bb), (bb, 0, A - 1)) - Qv(U, s, aa)), (aa, 0, A - 1))",
    "Pg(U)": "sum(eye(S)[ss] @ P[ss*A + gr(U, ss)].T, (ss, 0, S - 1))",
    "rg(U)": "sum(eye(S)[ss] * r[ss*A + gr(U, ss)], (ss, 0, S - 1))",
    "Tg(U, X)": "rg(U) + gamma*Pg(U) @ X",
    "Vg(U)": "inv(eye(S) - gamma*Pg(U)) @ rg(U)",
}


def _mdp(steps, symbols=None, define=None) -> Derivation:
    return Derivation(tuple(steps), symbols={**MDP_SYMBOLS, **(symbols or {})}, define={**MDP_DEFINE, **(define or {})})


_STATE = {"s": "integer in [0, S - 1]"}
_GAP = "gamma*abs(sum(pi[s, a]*sum(P[s*A + a, t]*(V1[t] - V2[t]), (t, 0, S - 1)), (a, 0, A - 1)))"


def contraction_derivation() -> Derivation:
    return _mdp((
        Step(r"|(T^\pi V_1 - T^\pi V_2)(s)|", r"\gamma\Bigl|\sum_a\pi(a|s)\sum_{s'}P(s'|s,a)(V_1 - V_2)(s')\Bigr|",
             "the rewards cancel", plain=("abs(Tpi(V1)[s] - Tpi(V2)[s])", _GAP)),
        Step(r"\gamma\Bigl|\sum_a\pi(a|s)\sum_{s'}P(s'|s,a)(V_1 - V_2)(s')\Bigr|", r"\gamma\|V_1 - V_2\|_\infty",
             r"a convex combination of entries is at most the largest", relation=r"\le",
             plain=(_GAP, "gamma*norm(V1 - V2, oo)")),
        Step(r"|(T^*V_1 - T^*V_2)(s)|", r"\max_a\gamma\Bigl|\sum_{s'}P(s'|s,a)(V_1-V_2)(s')\Bigr|",
             r"$|\max_a f - \max_a g| \le \max_a|f - g|$", relation=r"\le",
             plain=("abs(Tstar(V1)[s] - Tstar(V2)[s])",
                    "max(gamma*abs(sum(P[s*A + a, t]*(V1[t] - V2[t]), (t, 0, S - 1))), (a, 0, A - 1))")),
        Step(r"\|T^\pi(V + c\mathbf 1) - T^\pi V\|_\infty", r"\gamma|c|",
             r"rows of $P_\pi$ sum to one: the factor $\gamma$ is attained",
             plain=("norm(Tpi(V + c*ones(S)) - Tpi(V), oo)", "gamma*abs(c)")),
        Step(r"\gamma|c|", r"\gamma\|c\mathbf 1\|_\infty", r"$\|c\mathbf 1\|_\infty = |c|$",
             plain=("gamma*abs(c)", "gamma*norm(c*ones(S), oo)")),
    ), symbols={**_STATE, "V1": "vector S", "V2": "vector S", "V": "vector S", "c": "real"})


def monotonicity_derivation() -> Derivation:
    return _mdp((
        Step(r"T^\pi V_2 - T^\pi V_1", r"\gamma P_\pi(V_2 - V_1)", "the rewards cancel",
             plain=("Tpi(V2) - Tpi(V1)", "gamma*Ppi @ (V2 - V1)")),
        Step(r"\gamma P_\pi(V_2 - V_1)", r"0", r"$P_\pi \ge 0$ entrywise and $V_2 - V_1 \ge 0$", relation=r"\ge",
             plain=("gamma*Ppi @ (V2 - V1)", "0*ones(S)")),
    ), symbols={"V1": "vector S", "D": "nonnegative vector S"}, define={"V2": "V1 + D"})


def value_iteration_derivation() -> Derivation:
    return _mdp((
        Step(r"\|V_k - V^*\|_\infty", r"\|T^*V_{k-1} - T^*V^*\|_\infty", r"$V_k = T^*V_{k-1}$, $V^* = T^*V^*$",
             plain=("norm(V[k] - Vs, oo)", "norm(Tstar(V[k - 1]) - Tstar(Vs), oo)")),
        Step(r"\|T^*V_{k-1} - T^*V^*\|_\infty", r"\gamma\|V_{k-1} - V^*\|_\infty", "contraction", relation=r"\le",
             plain=("norm(Tstar(V[k - 1]) - Tstar(Vs), oo)", "gamma*norm(V[k - 1] - Vs, oo)")),
        Step(r"\|V_k - V^*\|_\infty", r"\gamma^k\|V_0 - V^*\|_\infty", "induction", relation=r"\le",
             plain=("norm(V[k] - Vs, oo)", "gamma**k*norm(V[0] - Vs, oo)")),
        Step(r"\|V_{k+1} - V^*\|_\infty", r"\sum_{j\ge1}\|V_{k+j+1} - V_{k+j}\|_\infty", "telescoping",
             relation=r"\le",
             plain=("norm(V[k + 1] - Vs, oo)", "sum(norm(V[k + j + 1] - V[k + j], oo), (j, 1, oo))")),
        Step(r"\sum_{j\ge1}\|V_{k+j+1} - V_{k+j}\|_\infty", r"\sum_{j\ge1}\gamma^j\|V_{k+1} - V_k\|_\infty",
             "contraction, $j$ times", relation=r"\le",
             plain=("sum(norm(V[k + j + 1] - V[k + j], oo), (j, 1, oo))",
                    "sum(gamma**j*norm(V[k + 1] - V[k], oo), (j, 1, oo))")),
        Step(sp.Sum(gamma_sym**_j, (_j, 1, sp.oo)), stopping_factor_sym(), "geometric series (SymPy)",
             plain=("sum(gamma**j, (j, 1, oo))", "-gamma/(gamma - 1)")),
    ), symbols={"V0": "vector S", "k": "integer in [1, 6]"}, define={"V[0]": "V0", "V[j + 1]": "Tstar(V[j])"})


def greedy_loss_derivation() -> Derivation:
    loss = "norm(Vs - Vg(V), oo)"
    return _mdp((
        Step(r"V^* - V^{\pi}", r"T^{*}V^* - T^{*}V + T^{\pi}V - T^{\pi}V^{\pi}",
             r"$\pi$ greedy for $V$: $T^\pi V = T^*V$; fixed points",
             plain=("Vs - Vg(V)", "Tstar(Vs) - Tstar(V) + Tg(V, V) - Tg(V, Vg(V))")),
        Step(r"\|V^* - V^{\pi}\|_\infty", r"\gamma\varepsilon + \gamma(\varepsilon + \|V^* - V^\pi\|_\infty)",
             r"contractions, $\varepsilon = \|V - V^*\|_\infty$, $\|V - V^\pi\| \le \varepsilon + \|V^* - V^\pi\|$",
             relation=r"\le", plain=(loss, f"gamma*eps + gamma*(eps + {loss})")),
        Step(r"\|V^* - V^{\pi}\|_\infty", greedy_loss_factor_sym() * sp.Symbol("varepsilon"),
             "solve for the loss (SymPy)", relation=r"\le", plain=(loss, "-2*gamma/(gamma - 1)*eps")),
    ), symbols={"V": "vector S"}, define={"eps": "norm(V - Vs, oo)"})


def optimality_relations_derivation() -> Derivation:
    first_max = "min(aa + A*sign(max({q}, (bb, 0, A - 1)) - {qa}), (aa, 0, A - 1))"
    by_q = first_max.format(q="qs(s, bb)", qa="qs(s, aa)")
    by_v = first_max.format(q="qr(s, bb)", qa="qr(s, aa)")
    return _mdp((
        Step(r"v^*(s)", r"\max_a q^*(s,a)", r"c.1: an optimal policy may act greedily in $s$",
             plain=("Vs[s]", "max(qs(s, a), (a, 0, A - 1))")),
        Step(r"q^*(s,a)", r"r(s,a) + \gamma\sum_{s'}p(s'|s,a)\,v^*(s')", "c.2: act $a$, then optimally",
             plain=("qs(s, a)", "r[s*A + a] + gamma*sum(P[s*A + a, t]*Vs[t], (t, 0, S - 1))")),
        Step(r"\arg\max_a q^*(s,a)", r"\arg\max_a\Bigl[r(s,a) + \gamma\sum_{s'}p(s'|s,a)v^*(s')\Bigr]",
             "c.4: substitute c.2 (the first maximiser on both sides)", plain=(by_q, by_v)),
        Step(r"v^{a^*}", r"v^*",
             r"c.3: $a^*(s) = \arg\max_a q^*(s,a)$ attains the maximum of c.1, so $v^*$ is the fixed point of $T^{a^*}$",
             plain=("inv(eye(S) - gamma*Pa) @ ra", "Vs")),
    ), symbols={**_STATE, "a": "integer in [0, A - 1]"}, define={
        # q^* = max_pi q^pi entrywise over the deterministic policies, q^pi(s, a) = r(s,a) + gamma P(.|s,a) V^pi
        "qs(s, a)": "max(Qv(inv(eye(S) - gamma*Pp(pp)) @ rp(pp), s, a), (pp, 0, A**S - 1))",
        "qr(s, a)": "r[s*A + a] + gamma*sum(P[s*A + a, t]*Vs[t], (t, 0, S - 1))",
        "astar(s)": first_max.format(q="qs(s, bb)", qa="qs(s, aa)"),
        "Pa": "sum(eye(S)[ss] @ P[ss*A + astar(ss)].T, (ss, 0, S - 1))",
        "ra": "sum(eye(S)[ss] * r[ss*A + astar(ss)], (ss, 0, S - 1))",
    })


def policy_improvement_derivation() -> Derivation:
    limit = "Vpi[s] + sum(W[j + 1][s] - W[j][s], (j, 0, oo))"
    return _mdp((
        Step(r"T^{\pi'}V^\pi", r"T^*V^\pi", r"$\pi'$ greedy for $V^\pi$", plain=("rn + gamma*Pn @ Vpi", "Tstar(Vpi)")),
        Step(r"T^*V^\pi", r"T^\pi V^\pi", r"a maximum is at least any average", relation=r"\ge",
             plain=("Tstar(Vpi)", "Tpi(Vpi)")),
        Step(r"T^\pi V^\pi", r"V^\pi", r"$V^\pi$ is the fixed point of $T^\pi$", plain=("Tpi(Vpi)", "Vpi")),
        Step(r"V^{\pi'}(s)", r"\lim_k \bigl((T^{\pi'})^kV^\pi\bigr)(s)", r"$T^{\pi'}$ is a $\gamma$-contraction",
             plain=("(inv(eye(S) - gamma*Pn) @ rn)[s]", limit)),
        Step(r"\lim_k \bigl((T^{\pi'})^kV^\pi\bigr)(s)", r"V^\pi(s)",
             r"monotonicity of $T^{\pi'}$, induction: $(T^{\pi'})^{k+1}V^\pi \ge (T^{\pi'})^kV^\pi$", relation=r"\ge",
             plain=(limit, "Vpi[s]")),
    ), symbols=_STATE, define={
        # V^pi and pi' = greedy(V^pi) as one-term sequences: evaluated once per instance (a plain name is inlined)
        "Vpi": "Vc[0]", "Vc[0]": "inv(eye(S) - gamma*Ppi) @ rpi",
        "Pn": "Pc[0]", "Pc[0]": "Pg(Vpi)", "rn": "rc[0]", "rc[0]": "rg(Vpi)",
        "W[0]": "Vpi", "W[j + 1]": "rn + gamma*Pn @ W[j]"})


def policy_count_derivation() -> Derivation:
    S, A = sp.symbols("|S| |A|", positive=True, integer=True)
    return Derivation((
        Step(r"\#\{\pi: S \to A\}", sp.Product(A, (sp.Symbol("s"), 1, S)), "one independent choice per state",
             unchecked="a counting argument: the step language has no cardinality of a set of maps"),
        Step(sp.Product(A, (sp.Symbol("s"), 1, S)), A**S, "product of equal factors",
             plain=("prod(nA, (s, 1, nS))", "nA**nS")),
    ), symbols={"nS": "positive integer", "nA": "positive integer"})
