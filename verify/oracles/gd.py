r"""Full-batch gradient descent on the implicit parameters :math:`\psi = (w, F)`.

The loss is evaluated from its definition, :math:`L = \frac12\|\phi\hat\theta(\psi) - y\|^2`,
and its gradient with respect to :math:`\psi` by the chain rule through the
complex-step Jacobian of the constraint's solution. The step size comes from a
backtracking (Armijo) line search, so every iterate decreases :math:`L`.

>>> import numpy as np
>>> phi, y = np.eye(2), np.array([1.0, -1.0])
>>> out = implicit_gradient_descent(phi, y, np.zeros(2), np.zeros((2, 2)), 0.5)
>>> round(out.loss, 12), out.converged
(0.0, True)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import implicit as O

__all__ = ["GDResult", "implicit_gradient_descent"]

#: When the line search can no longer decrease L in float64, the run counts as converged
#: if the gradient is this small relative to 1 + ||phi^T y||: then L - L* <= ||grad||^2 / (2 mu)
#: is ~1e-10 relative, below the comparison tolerance (simulation.gd).
STALL_GTOL = 1e-5


class GDResult(NamedTuple):
    loss: float
    iterations: int
    gradient_norm: float  #: ||phi^T r|| at the end: the gradient with respect to theta-hat
    converged: bool


def implicit_gradient_descent(phi, y, w0, F0, eta, *, gtol: float = 1e-11, max_iter: int = 50_000) -> GDResult:
    """Run GD on ``(w, F)`` until ``||phi^T r|| <= gtol * (1 + ||phi^T y||)`` or ``max_iter``."""
    phi, y = np.asarray(phi, dtype=float), np.asarray(y, dtype=float)
    psi = O.pack(w0, F0).astype(float)

    def loss(p):
        r = phi @ O.theta_hat(p[None, :], eta=eta)[0] - y
        return 0.5 * float(r @ r), r

    L, r = loss(psi)
    target = gtol * (1.0 + float(np.linalg.norm(phi.T @ y)))
    step = 1.0
    for it in range(max_iter):
        g_theta = phi.T @ r
        if np.linalg.norm(g_theta) <= target:
            return GDResult(L, it, float(np.linalg.norm(g_theta)), True)
        J, _ = O.jacobian_oracle(psi, eta=eta)
        g = J.T @ g_theta
        gg = float(g @ g)
        while True:
            trial = psi - step * g
            L_new, r_new = loss(trial)
            if L_new <= L - 0.5 * step * gg or step < 1e-300:
                break
            step *= 0.5
        if L_new >= L:  # no progress possible at float64 resolution: stationary if the gradient is small
            gn = float(np.linalg.norm(g_theta))
            return GDResult(L, it, gn, gn <= STALL_GTOL * (1.0 + float(np.linalg.norm(phi.T @ y))))
        psi, L, r = trial, L_new, r_new
        step *= 2.0
    return GDResult(L, max_iter, float(np.linalg.norm(phi.T @ r)), False)
