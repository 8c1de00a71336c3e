r"""Corollary 1 of seed 001: gradient flow on :math:`(w, F)` reaches a global minimum of L.

.. math::
   \frac{d}{dt}L(\hat\theta) = -\nabla L^\top P\,\nabla L \le -c\,\|\nabla L\|^2,
   \qquad c = (1 + \eta\sqrt n)^{-2}\ \text{(Theorem 1 and its lower bound)},

and :math:`L` is a convex quadratic whose gradient lies in the row space of
:math:`\phi`, so :math:`L - L^* \le \|\nabla L\|^2 / (2\mu)` with :math:`\mu` the smallest
non-zero eigenvalue of :math:`\phi^\top\phi` (Polyak--Łojasiewicz). Hence
:math:`L - L^* \le e^{-2c\mu t}(L_0 - L^*)`, with

.. math:: L^* = \tfrac12\|(I - \phi\phi^+)y\|^2,

the normal-equations optimum.

>>> import numpy as np
>>> least_squares_optimum(np.array([[1.0], [1.0]]), np.array([0.0, 2.0]))
1.0
"""

from __future__ import annotations

import numpy as np

from .errors import ValidationError
from .steps import Derivation, Step

__all__ = ["least_squares_optimum", "convergence_derivation"]


def least_squares_optimum(phi, y) -> float:
    r""":math:`L^* = \min_\theta \frac12\|\phi\theta - y\|^2` from the normal equations (via ``lstsq``)."""

    phi, y = np.asarray(phi, dtype=float), np.asarray(y, dtype=float)
    if phi.ndim != 2 or y.shape != (phi.shape[0],):
        raise ValidationError(f"phi must be (n, d) and y (n,); got phi.shape={phi.shape}, y.shape={y.shape}")
    theta, *_ = np.linalg.lstsq(phi, y, rcond=None)
    r = phi @ theta - y
    return 0.5 * float(r @ r)


def convergence_derivation() -> Derivation:
    return Derivation(
        (
            Step(r"\frac{d}{dt}L(\hat\theta)", r"\nabla L^\top\frac{d\hat\theta}{dt} = -\nabla L^\top P\,\nabla L",
                 "chain rule and Theorem 1"),
            Step(r"-\nabla L^\top P\,\nabla L", r"-c\,\|\nabla L\|^2,\quad c = (1+\eta\sqrt n)^{-2}",
                 "$\\lambda_{\\min}(P) \\ge c$, independent of $t$", relation=r"\le"),
            Step(r"\|\nabla L\|^2", r"2\mu\,(L - L^*)",
                 "$\\nabla L = \\phi^\\top r$ lies in the row space of $\\phi$; $\\mu = \\lambda_{\\min}^{+}(\\phi^\\top\\phi)$",
                 relation=r"\ge"),
            Step(r"L(t) - L^*", r"e^{-2c\mu t}\bigl(L(0) - L^*\bigr) \to 0", "Gronwall inequality", relation=r"\le"),
            Step(r"L^*", r"\tfrac12\|(I - \phi\phi^+)y\|^2", "normal equations $\\phi^\\top\\phi\\theta = \\phi^\\top y$"),
        )
    )
