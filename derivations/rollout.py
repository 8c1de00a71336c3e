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

from functools import lru_cache

import numpy as np
import sympy as sp

from .steps import Derivation, Step

__all__ = ["q_factors", "standard_rollout", "agent_by_agent", "autonomous", "search_space_sizes",
           "joint_index", "spiders_and_flies_rollout_time", "rollout_derivation", "multiagent_derivation",
           "search_space_derivation"]


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


#: a spider's moves per stage on the spiders-and-flies line (left, stay, right)
SPIDER_MOVES = (-1, 0, 1)


def _spiders_step(length: int, spiders: tuple, flies: tuple, moves) -> tuple:
    """Every spider moves (clipped to the line); a fly is caught when a spider ends the stage on it."""
    spiders = tuple(min(max(p + d, 0), length - 1) for p, d in zip(spiders, moves))
    return spiders, tuple(f for f in flies if f not in spiders)


def _spiders_base_moves(spiders: tuple, flies: tuple) -> tuple:
    """The base policy: each spider steps toward the nearest surviving fly (ties to the lower position)."""
    moves = []
    for p in spiders:
        if not flies:
            moves.append(0)
            continue
        target = min(flies, key=lambda f: (abs(f - p), f))
        moves.append((target > p) - (target < p))
    return tuple(moves)


def _spiders_time(length: int, spiders: tuple, flies: tuple, policy, horizon: int) -> int:
    """Stages until every fly is caught under ``policy(spiders, flies)`` (``horizon`` if not by then)."""
    t = 0
    while flies and t < horizon:
        spiders, flies = _spiders_step(length, spiders, flies, policy(spiders, flies))
        t += 1
    return t if not flies else horizon


@lru_cache(maxsize=100_000)
def _spiders_base_time(length: int, spiders: tuple, flies: tuple, horizon: int) -> int:
    r""":math:`J_\mu`: stages the base policy needs (deterministic, so one simulation is exact)."""
    return _spiders_time(length, spiders, flies, _spiders_base_moves, horizon)


def spiders_and_flies_rollout_time(length: int, spiders, flies, horizon: int = 200) -> int:
    r"""Capture time of one-agent-at-a-time rollout in seed 003's spiders and flies, on a line.

    Positions ``0 .. length-1``; each stage every spider moves by -1, 0 or +1 (clipped to the line)
    and a fly is caught when a spider ends the stage on it; flies do not move. The cost is one per
    stage until every fly is caught. The base policy :math:`\mu` steps each spider toward the nearest
    surviving fly (ties to the lower position); :math:`J_\mu` is its capture time. At every stage the
    spiders choose by :func:`agent_by_agent` (ties to the base move) on the Q-factors
    :math:`Q_\mu(x, u) = 1 + J_\mu(x')` of the joint moves :math:`u` (:math:`x'` the next state,
    :math:`J_\mu(x') = 0` once no fly is left). Returns the number of stages, ``horizon`` if some fly
    is still free then.

    >>> spiders_and_flies_rollout_time(10, (3, 4), (0, 9))   # the base policy needs 11 stages
    5
    """
    n_moves = len(SPIDER_MOVES)

    def policy(spiders, flies):
        m = len(spiders)
        Q = np.empty((1, n_moves**m))
        for j in range(n_moves**m):
            moves = [SPIDER_MOVES[u] for u in np.unravel_index(j, (n_moves,) * m)]
            nxt_spiders, nxt_flies = _spiders_step(length, spiders, flies, moves)
            Q[0, j] = 1 + (_spiders_base_time(length, nxt_spiders, nxt_flies, horizon) if nxt_flies else 0)
        base = [[SPIDER_MOVES.index(d) for d in _spiders_base_moves(spiders, flies)]]
        acts, _ = agent_by_agent(Q, base, m, n_moves)
        return tuple(SPIDER_MOVES[int(u)] for u in acts[0])

    return _spiders_time(int(length), tuple(int(p) for p in spiders), tuple(int(f) for f in flies), policy, horizon)


#: a multi-agent MDP with costs in the step language: ``S`` states, ``m`` agents with ``U`` actions each, joint
#: actions ``u = sum_l u_l U^l`` (``N = U^m`` of them), ``P[s*N + u, t] = P(t|s,u)`` (rows of a stochastic
#: matrix; rows past ``S*N`` unused), ``g[s*N + u] = g(s,u)``; the deterministic base policy ``mu(s)`` is digit
#: ``s`` of ``b`` in base ``N`` (every base policy is some ``b``)
MDP_SYMBOLS = {"S": "integer in [2, 3]", "m": "integer in [1, 3]", "U": "integer in [1, 3]",
               "P": "stochastic matrix 81 x S", "g": "vector 81", "gamma": "discount", "b": "integer in [0, 19682]"}
MDP_DEFINE = {
    "N": "U**m",
    "mu(s)": "floor(b / N**s) - N*floor(b / N**(s + 1))",
    "Qf(J, s, u)": "g[s*N + u] + gamma*dot(P[s*N + u], J)",  # Q-factor of joint action u in state s against J
    "Pmu": "sum(eye(S)[ss] @ P[ss*N + mu(ss)].T, (ss, 0, S - 1))",
    "gmu": "sum(eye(S)[ss] * g[ss*N + mu(ss)], (ss, 0, S - 1))",
    "Jmu": "Jc[0]", "Jc[0]": "inv(eye(S) - gamma*Pmu) @ gmu",  # a one-term sequence: evaluated once per instance
    "T(J)": "sum(eye(S)[ss] * min(Qf(J, ss, uu), (uu, 0, N - 1)), (ss, 0, S - 1))",
    "Tmu(J)": "gmu + gamma*Pmu @ J",
}


def _policy(choice: str) -> dict:
    """Transition matrix, costs, operator and cost of the deterministic policy ``choice(s)`` (cached)."""
    return {"Pt": "Ptc[0]", "Ptc[0]": f"sum(eye(S)[ss] @ P[ss*N + {choice}].T, (ss, 0, S - 1))",
            "gt": "gtc[0]", "gtc[0]": f"sum(eye(S)[ss] * g[ss*N + {choice}], (ss, 0, S - 1))",
            "Tt(J)": "gt + gamma*Pt @ J", "Jt": "Jtc[0]", "Jtc[0]": "inv(eye(S) - gamma*Pt) @ gt"}


_STATE = {"x": "integer in [0, S - 1]"}
#: standard rollout needs no agent structure: N joint actions (up to 4, so that the limit is summed in time)
_JOINT = {"N": "integer in [1, 4]", "P": "stochastic matrix 12 x S", "g": "vector 12", "b": "integer in [0, 63]"}
_LIMIT = "Jmu[x] + sum(W[j + 1][x] - W[j][x], (j, 0, oo))"


def _improvement_steps():
    return (
        Step(r"J_{\tilde\mu}(x)", r"\lim_k \bigl(T_{\tilde\mu}^kJ_\mu\bigr)(x)", r"$T_{\tilde\mu}$ is a $\gamma$-contraction",
             plain=("Jt[x]", _LIMIT)),
        Step(r"\lim_k \bigl(T_{\tilde\mu}^kJ_\mu\bigr)(x)", r"J_\mu(x)",
             r"monotonicity of $T_{\tilde\mu}$, induction: $T_{\tilde\mu}^{k+1}J_\mu \le T_{\tilde\mu}^kJ_\mu$",
             relation=r"\le", plain=(_LIMIT, "Jmu[x]")),
    )


def rollout_derivation() -> Derivation:
    # standard rollout: the first minimiser of Q_mu(s, .) over the N joint actions
    choice = "min(uu + N*sign(Qf(Jmu, ss, uu) - min(Qf(Jmu, ss, vv), (vv, 0, N - 1))), (uu, 0, N - 1))"
    return Derivation((
        Step(r"T_{\tilde\mu}J_\mu", r"TJ_\mu", r"$\tilde\mu$ attains the minimum $\min_u Q_\mu(\cdot,u) = TJ_\mu$",
             plain=("Tt(Jmu)", "T(Jmu)")),
        Step(r"TJ_\mu", r"T_\mu J_\mu", r"$\mu$ is one of the candidates", relation=r"\le",
             plain=("T(Jmu)", "Tmu(Jmu)")),
        Step(r"T_\mu J_\mu", r"J_\mu", r"$J_\mu$ is the fixed point of $T_\mu$", plain=("Tmu(Jmu)", "Jmu")),
        *_improvement_steps(),
    ), symbols={**{k: v for k, v in MDP_SYMBOLS.items() if k not in ("m", "U")}, **_STATE, **_JOINT},
        define={**{k: v for k, v in MDP_DEFINE.items() if k != "N"}, **_policy(choice), "W[0]": "Jmu", "W[j + 1]": "Tt(W[j])"})


def multiagent_derivation() -> Derivation:
    # K[l][s]: the joint action in state s once agents 0..l-1 have made their rollout choices (the rest at mu);
    # agent l picks the first minimiser of Q_mu(s, .) over its own action, the others fixed
    moved = "k + (vv - dig(k, l))*U**l"
    return Derivation((
        Step(r"Q_\mu(x, \tilde u_1, \dots, \tilde u_\ell, \mu_{\ell+1}, \dots)",
             r"Q_\mu(x, \tilde u_1, \dots, \tilde u_{\ell-1}, \mu_\ell, \mu_{\ell+1}, \dots)",
             r"agent $\ell$ may keep its base action, so its minimum is no larger", relation=r"\le",
             plain=("Qf(Jmu, x, K[l][x])", "Qf(Jmu, x, K[l - 1][x])")),
        Step(r"(T_{\tilde\mu}J_\mu)(x)", r"Q_\mu(x, \mu_1(x), \dots, \mu_m(x))", "chain the $m$ inequalities",
             relation=r"\le", plain=("Tt(Jmu)[x]", "Qf(Jmu, x, mu(x))")),
        Step(r"Q_\mu(x, \mu_1(x), \dots, \mu_m(x))", r"J_\mu(x)", r"$J_\mu = T_\mu J_\mu$",
             plain=("Qf(Jmu, x, mu(x))", "Jmu[x]")),
        Step(r"J_{\tilde\mu}", r"J_\mu", "as for standard rollout", relation=r"\le", plain=("Jt", "Jmu")),
        Step(r"Q_\mu(x, \hat u_1, \hat u_2)", r"Q_\mu(x, \mu_1(x), \mu_2(x))",
             r"autonomous choices $\hat u_\ell$ each assume the other keeps $\mu$: when $\mu(x) = (0, 0)$ and "
             r"$Q_\mu(x,1,0) = Q_\mu(x,0,1) < Q_\mu(x,0,0) < Q_\mu(x,1,1)$ (the seed's $1, 0, 0, 2$) both switch; no chain, "
             r"no guarantee",
             relation=">", plain=("Qx[uh1 + 2*uh2]", "Qx[0]")),
    ), symbols={**MDP_SYMBOLS, **_STATE, "l": "integer in [1, m]", "q00": "real", "d1": "positive", "d2": "positive"},
        define={
        **MDP_DEFINE, **_policy("K[m][ss]"),
        "dig(k, l)": "floor(k / U**l) - U*floor(k / U**(l + 1))",
        "ch(k, s, l)": f"min(vv + U*sign(Qf(Jmu, s, {moved}) - min(Qf(Jmu, s, {moved.replace('vv', 'ww')}), "
                       f"(ww, 0, U - 1))), (vv, 0, U - 1))",
        "K[0]": "sum(eye(S)[ss] * mu(ss), (ss, 0, S - 1))",
        "K[j + 1]": "sum(eye(S)[ss] * (K[j][ss] + (ch(K[j][ss], ss, j) - dig(K[j][ss], j))*U**j), (ss, 0, S - 1))",
        # the autonomous failure: two agents, joint index u_1 + 2 u_2, Q_mu(x, .) = (q00, q00 - d1, q00 - d1, q00 + d2)
        "Qx": "q00*eye(4)[0] + (q00 - d1)*(eye(4)[1] + eye(4)[2]) + (q00 + d2)*eye(4)[3]",
        "uh1": "min(vv + 2*sign(Qx[vv] - min(Qx[ww], (ww, 0, 1))), (vv, 0, 1))",
        "uh2": "min(vv + 2*sign(Qx[2*vv] - min(Qx[2*ww], (ww, 0, 1))), (vv, 0, 1))",
    })


def search_space_derivation() -> Derivation:
    U, m = sp.symbols("|U| m", positive=True, integer=True)
    return Derivation((
        Step(r"\#\{(u_1,\dots,u_m)\}", U**m, "joint minimisation: $|U|$ independent choices per agent",
             unchecked="a counting argument: the step language has no cardinality of a set of tuples"),
        Step(r"\sum_{\ell=1}^m\#\{u_\ell\}", m * U, r"one agent at a time, $\#\{u_\ell\} = |U|$",
             plain=("sum(nU, (l, 1, m))", "m*nU")),
        Step(sp.Pow(5, 15, evaluate=False), sp.Integer(5**15), "the seed's 15 spiders with 5 moves each, jointly",
             plain=("5**15", "30517578125")),
        Step(sp.Mul(15, 5, evaluate=False), sp.Integer(75), "agent by agent", plain=("15*5", "75")),
    ), symbols={"nU": "positive integer", "m": "positive integer"})
