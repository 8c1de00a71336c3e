r"""Candidate side of :mod:`verify.catalogue.bellman`: adapters to :mod:`derivations.bellman`, and
the mutants of its claims.

* ``bellman.contraction-v``, ``-q``, ``bellman.optimality-contraction``: :func:`contraction_candidate`
  -- :func:`derivations.bellman.contraction_bound`; its ``variant`` gives the mutants
  (:math:`\gamma^2`, the rms norm);
* ``bellman.monotonicity``: :func:`monotone_candidate` and :func:`monotone_mutant`;
* ``bellman.contraction-tight``: :func:`tight_candidate` and :func:`tight_mutant`;
* ``bellman.value-iteration-error``: :func:`vi_candidate` (one more power, no geometric sum);
* ``bellman.greedy-policy-loss``: :func:`greedy_candidate` (one gamma);
* ``bellman.optimality-relations``: :func:`relations_candidate` (mean over actions, gamma dropped, argmin);
* ``bellman.policy-improvement``: :func:`improvement` -- the improvement of the policy built by
  :func:`derivations.bellman.policy_improvement_rule` (myopic, argmin).
"""

from __future__ import annotations

import numpy as np

from derivations import bellman as B

from ..oracles import mdp as O
from ..probes.bellman import vi_iterates

__all__ = ["contraction_candidate", "monotone_candidate", "monotone_mutant", "tight_candidate", "tight_mutant",
           "vi_candidate", "greedy_candidate", "relations_candidate", "improvement"]


def contraction_candidate(p, *, variant="derived"):
    gamma, diff = p.mdp.gamma, p.X1 - p.X2
    if variant == "gamma-squared":
        return B.contraction_bound(gamma**2, float(np.abs(diff).max()))
    if variant == "rms-norm":
        return B.contraction_bound(gamma, float(np.sqrt(np.mean(diff**2))))
    return B.contraction_bound(gamma, float(np.abs(diff).max()))


# --- monotonicity ----------------------------------------------------------


def monotone_candidate(p):
    """The derived lower bound on min_s (T^pi X2 - T^pi X1)(s) for X2 - X1 >= 0."""
    return B.monotonicity_lower_bound(p.X2 - p.X1)


def monotone_mutant(p, *, variant):
    """Mutants: the gap kept without gamma, or gamma times the largest gap."""
    D = p.X2 - p.X1
    if variant == "gap-preserved":
        return float(D.min())
    return p.mdp.gamma * float(D.max())  # largest-gap


# --- tightness of gamma ------------------------------------------------------


def tight_candidate(p):
    """The derived contraction factor: the bound per unit distance."""
    return B.contraction_bound(p.mdp.gamma, 1.0)


def tight_mutant(p, *, variant):
    """Mutants: gamma^2, or 1 (non-expansive only)."""
    g = p.mdp.gamma
    return {"gamma-squared": g * g, "one": 1.0}[variant]


# --- value iteration ---------------------------------------------------------


def vi_candidate(p, *, variant="derived"):
    g = p.mdp.gamma
    if p.which == "from-start":
        vstar = O.optimal_values(p.mdp.P, p.mdp.r, g)
        k = p.k + 1 if variant == "one-more-power" else p.k
        return B.value_iteration_bound(g, k, float(np.abs(p.V0 - vstar).max()))
    Vs = vi_iterates(p)
    change = float(np.abs(Vs[p.k + 1] - Vs[p.k]).max())
    return g * change if variant == "no-geometric-sum" else B.stopping_bound(g, change)


# --- greedy policy loss ------------------------------------------------------


def greedy_candidate(p, *, variant="derived"):
    err, g = float(np.abs(p.E).max()), p.mdp.gamma
    if variant == "one-gamma":
        return g / (1 - g) * err
    return B.greedy_loss_bound(g, err)


# --- optimality relations (004 §3.1 c) ---------------------------------------


def relations_candidate(m, *, variant="derived"):
    """[v from q*, q from v*, value of argmax q*, value of argmax(r + gamma P v*)] from the relations."""
    vstar, qstar = O.optimal_values(m.P, m.r, m.gamma), O.optimal_q(m.P, m.r, m.gamma)
    v = qstar.mean(axis=1) if variant == "mean-over-actions" else B.v_from_q(qstar)
    q = B.q_from_v(m.P, m.r, 1.0 if variant == "gamma-dropped" else m.gamma, vstar)
    pick = (lambda x: np.argmin(x, axis=1)) if variant == "argmin" else B.greedy_from_q  # noqa: E731
    pols = np.stack([pick(qstar), pick(B.q_from_v(m.P, m.r, m.gamma, vstar))])
    vals = O.evaluate_policies(m.P, m.r, m.gamma, O.one_hot_policy(pols, m.n_actions))
    return np.concatenate([v, q.ravel(), vals.ravel()])


# --- policy improvement --------------------------------------------------------


def improvement(p, *, variant="derived"):
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
