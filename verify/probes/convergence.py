r"""Oracle side of :mod:`verify.catalogue.convergence`: the points and the measurement of its check.

* ``implicit.global-convergence``: :func:`points` (over-determined least-squares problems with a
  random initial :math:`(w, F)`), :func:`gd_reference` -- gradient descent with a backtracking
  line search on the implicit parameters (:func:`verify.oracles.gd.implicit_gradient_descent`),
  which knows nothing of the normal equations -- and the error scale :func:`scale`.
"""

from __future__ import annotations

from .. import strategies as S
from ..oracles.gd import implicit_gradient_descent

__all__ = ["points", "gd_reference", "scale"]


def points():
    """Over-determined problems (n > d, so L* > 0 generically), moderate eta and logits."""
    return S.implicit_sgd_points(min_n=3, max_n=5, min_d=2, max_d=3, max_logit=2.0, max_eta=0.9).filter(
        lambda p: p.n > p.w.size)


def gd_reference(p):
    out = implicit_gradient_descent(p.phi, p.y, p.w, p.F, p.eta)
    if not out.converged:
        raise ArithmeticError(f"gradient descent did not converge in {out.iterations} iterations "
                              f"(gradient norm {out.gradient_norm:.3g})")
    return out.loss, {"gd_iterations": out.iterations, "gd_final_gradient": out.gradient_norm}


def scale(p):
    return 1.0 + 0.5 * float(p.y @ p.y)
