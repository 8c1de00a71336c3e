r"""Corollary 1 of seed 001: gradient flow on :math:`(w, F)` reaches a global minimum of L.

.. math::
   \frac{d}{dt}L(\hat\theta) = -\nabla L^\top P\,\nabla L \le -c\,\|\nabla L\|^2,
   \qquad c = (1 + \eta\sqrt d)^{-2}\ \text{(Theorem 1 and its lower bound for } \hat\theta \in \mathbb{R}^d\text{)},

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


# Plain forms (the answer language of ``verify steps``): theta = A^{-1} w in R^d (w in R^d, F in R^{d x d}),
# sigma(F) the row-wise softmax exp(F) / (exp(F) 1 1^T), L(theta) = ||phi theta - y||^2 / 2 with phi n x d,
# so grad L = phi^T (phi theta - y); Theorem 1's P and the lower bound c = (1 + eta sqrt(d))^{-2} are for
# theta in R^d. The time derivative along the flow is taken along a path (w + t dw, F + t dF) at its point.
_SUM_KJ = "sum(sum({}, (j, 0, d - 1)), (k, 0, d - 1))"


def convergence_derivation() -> Derivation:
    path = "th(W, G)"
    grad = "gradL(theta)"
    JF = "diff(theta, F[k, j])"
    flow = (f"{grad}.T @ (diff(theta, w) @ (-diff(theta, w).T @ {grad}) + "
            + _SUM_KJ.format(f"{JF} @ (-{JF}.T @ {grad})") + ")")
    c = "(1 + eta*sqrt(d))**(-2)"
    L_star = "0.5*norm((eye(n) - phi @ pinv(phi)) @ y)**2"
    return Derivation(
        (
            Step(r"\frac{d}{dt}L(\hat\theta)", r"\nabla L^\top\frac{d\hat\theta}{dt}", "chain rule",
                 plain=(f"diff(L({path}), t)", f"gradL({path}).T @ diff({path}, t)")),
            Step(r"\nabla L^\top\frac{d\hat\theta}{dt}", r"-\nabla L^\top P\,\nabla L",
                 "Theorem 1: $\\frac{d\\hat\\theta}{dt} = -P\\nabla L$ along the gradient flow on $(w, F)$",
                 plain=(flow, f"-{grad}.T @ P @ {grad}")),
            Step(r"-\nabla L^\top P\,\nabla L", r"-c\,\|\nabla L\|^2",
                 "$\\lambda_{\\min}(P) \\ge c = (1+\\eta\\sqrt d)^{-2}$, independent of $t$", relation=r"\le",
                 plain=(f"-{grad}.T @ P @ {grad}", f"-{c}*norm({grad})**2")),
            Step(r"\|\nabla L\|^2", r"2\mu\,(L - L^*)",
                 "$\\nabla L = \\phi^\\top r$ lies in the row space of $\\phi$; "
                 "$\\mu = \\lambda_{\\min}^{+}(\\phi^\\top\\phi)$",
                 relation=r"\ge",
                 unchecked="the step language lacks eigenvalues: mu is the smallest non-zero eigenvalue of "
                           "phi^T phi"),
            Step(r"L(t) - L^*", r"e^{-2c\mu t}\bigl(L(0) - L^*\bigr)",
                 "Gronwall inequality on $\\frac{d}{dt}(L - L^*) \\le -2c\\mu(L - L^*)$; the bound tends to 0",
                 relation=r"\le",
                 unchecked="the step language lacks solutions of the flow over time (an ODE in t) and the "
                           "constant mu (an eigenvalue)"),
            Step(r"L(\theta)", r"\tfrac12\|(I - \phi\phi^+)y\|^2",
                 "for every $\\theta$: $\\phi\\theta - y$ splits into orthogonal parts in $\\operatorname{range}\\phi$ "
                 "and its complement", relation=r"\ge",
                 plain=("L(u)", L_star)),
            Step(r"L(\phi^+y)", r"\tfrac12\|(I - \phi\phi^+)y\|^2",
                 "normal equations: $\\phi^+y$ solves $\\phi^\\top\\phi\\theta = \\phi^\\top y$, so this is "
                 "$L^* = \\min_\\theta L(\\theta)$",
                 plain=("L(pinv(phi) @ y)", L_star)),
        ),
        symbols={"n": "integer in [1, 5]", "d": "integer in [1, 4]", "phi": "matrix n x d", "y": "vector n",
                 "w": "vector d", "F": "matrix d x d", "eta": "real in [0, 1)", "dw": "vector d",
                 "dF": "matrix d x d", "t": "real in [-1, 1]", "u": "vector d"},
        define={"Sg(X)": "exp(X) / (exp(X) @ ones(d) @ ones(d).T)", "A(X)": "eye(d) - eta*Sg(X)",
                "th(v, X)": "inv(A(X)) @ v", "theta": "th(w, F)", "W": "w + t*dw", "G": "F + t*dF",
                "L(v)": "0.5*norm(phi @ v - y)**2", "gradL(v)": "phi.T @ (phi @ v - y)",
                "S": "Sg(F)", "Cm": "S * (ones(d) @ theta.T - (S @ theta) @ ones(d).T)",
                "P": "inv(A(F)) @ (eta**2*diag((Cm * Cm) @ ones(d)) + eye(d)) @ inv(A(F)).T"},
    )
