r"""Candidate side of :mod:`verify.catalogue.convergence`: the adapter to :mod:`derivations.convergence`
and the mutants of its claim.

* ``implicit.global-convergence``: :func:`candidate` --
  :func:`derivations.convergence.least_squares_optimum`; its ``variant`` gives the mutants
  (``"zero"``: the model interpolates; ``"complement"``: the explained part of :math:`y`).
"""

from __future__ import annotations

from derivations import convergence as C

__all__ = ["candidate"]


def candidate(p, *, variant="normal-equations"):
    L_star = C.least_squares_optimum(p.phi, p.y)
    if variant == "zero":
        return 0.0
    if variant == "complement":
        return 0.5 * float(p.y @ p.y) - L_star  # the explained part, 1/2 ||phi phi^+ y||^2
    return L_star
