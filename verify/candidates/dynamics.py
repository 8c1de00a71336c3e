r"""Candidate side of :mod:`verify.catalogue.dynamics`: adapters to :mod:`derivations.dynamics` and
:mod:`derivations.bellman`, and the mutants of its claims.

* ``dynamics.gradient-flow-reparameterization``: :func:`step_terms` -- the first-order term
  :math:`-J_gJ_g^\top\nabla L` from the IFT Jacobian (:func:`derivations.implicit.jacobian`) and the
  curvature :math:`\frac12D^2g[v,v]` (:func:`derivations.dynamics.implicit_step_terms`); its
  ``variant`` gives the mutants (unpreconditioned, straight step, no half);
* ``dynamics.momentum-ema-limit`` (and ``-corrected``): :func:`momentum_candidate` --
  :func:`derivations.dynamics.momentum_coefficients` of a rule (the mutants are other rules);
* ``dynamics.policy-count``: :func:`count_candidate` -- :func:`derivations.bellman.policy_count`,
  with the swapped and product mutants.
"""

from __future__ import annotations

import numpy as np

from derivations import bellman as B
from derivations import dynamics as D
from derivations.implicit import jacobian as implicit_jacobian

from ..oracles import implicit as OI

__all__ = ["step_terms", "momentum_candidate", "count_candidate"]


def step_terms(p, *, variant="derived"):
    """Derived first- and second-order terms of theta(psi - h v) - theta(psi), v = J^T grad L."""
    theta = OI.theta_hat(p.psi[None], eta=p.eta)[0]
    J_w, J_F = implicit_jacobian(p.psi[:2], p.psi[2:].reshape(2, 2), p.eta)  # the IFT Jacobian, derived once
    J = np.hstack([J_w, J_F.reshape(2, 4)])
    grad = theta - p.y
    v = J.T @ grad
    _, curv = D.implicit_step_terms(p.psi, p.eta, v)
    first = -J @ v
    if variant == "unpreconditioned":
        first = -grad
    if variant == "straight":
        curv = np.zeros_like(curv)
    if variant == "no-half":
        curv = 2.0 * curv
    return {"first": first, "second": 0.5 * curv}


def momentum_candidate(p, *, rule="ema"):
    return D.momentum_coefficients(rule, p.gamma)


def count_candidate(p, *, variant="derived"):
    s, a = p
    return {"swapped": s**a, "product": s * a}.get(variant, B.policy_count(s, a))
