r"""Corollary 1 of seed 001: gradient descent on (w, F) reaches the least-squares optimum.

Oracle: gradient descent with a backtracking line search on the implicit parameters
(:mod:`verify.oracles.gd`), started from random ``(w, F)``; it knows nothing of the
normal equations. The number of iterations is reported.
"""

from __future__ import annotations

from functools import partial

from derivations import convergence as C

from .. import strategies as S
from ..checks import NumericIdentity
from ..model import Claim, Formula, Mutant
from ..oracles.gd import implicit_gradient_descent

__all__ = ["CLAIMS"]


def _points():
    """Over-determined problems (n > d, so L* > 0 generically), moderate eta and logits."""
    return S.implicit_sgd_points(min_n=3, max_n=5, min_d=2, max_d=3, max_logit=2.0, max_eta=0.9).filter(
        lambda p: p.n > p.w.size)


def _gd_reference(p):
    out = implicit_gradient_descent(p.phi, p.y, p.w, p.F, p.eta)
    if not out.converged:
        raise ArithmeticError(f"gradient descent did not converge in {out.iterations} iterations "
                              f"(gradient norm {out.gradient_norm:.3g})")
    return out.loss, {"gd_iterations": out.iterations, "gd_final_gradient": out.gradient_norm}


def _candidate(p, *, variant="normal-equations"):
    L_star = C.least_squares_optimum(p.phi, p.y)
    if variant == "zero":
        return 0.0
    if variant == "complement":
        return 0.5 * float(p.y @ p.y) - L_star  # the explained part, 1/2 ||phi phi^+ y||^2
    return L_star


def _scale(p):
    return 1.0 + 0.5 * float(p.y @ p.y)


GLOBAL = Claim(
    id="implicit.global-convergence",
    title="Corollary 1: gradient descent on (w, F) converges to a global minimum of L",
    source="seed 001 (Gehring et al., NeurIPS 2021), §3, Corollary 1",
    statement=(
        r"From any initialization, gradient flow (here: gradient descent with a line search) on "
        r"$(w, F)$ drives $L(\hat\theta)$ to $L^* = \min_\theta L(\theta) = \frac12\|(I-\phi\phi^+)y\|^2$."
    ),
    assumptions=(
        r"$L(\theta) = \frac12\|\phi\theta - y\|^2$, $\phi \in \mathbb{R}^{n\times d}$, $\hat\theta = (I-\eta\sigma(F))^{-1}w$",
        r"$\eta \in [0, 1)$; random initial $(w, F)$; $n > d$ so that $L^* > 0$ in general",
    ),
    derivation=C.convergence_derivation(),
    candidate=Formula(r"\tfrac12\|(I-\phi\phi^+)y\|^2", _candidate),
    checks=(
        NumericIdentity(reference=_gd_reference, strategy=_points, scale=_scale, tolerance_key="simulation.gd",
                        max_examples=25,
                        description="run GD on (w, F) from the drawn initialization; compare the final loss"),
    ),
    mutants=(
        Mutant("interpolates", r"$L^* = 0$ (the model fits every target)", Formula(r"0", partial(_candidate, variant="zero"))),
        Mutant("explained-part", r"$\frac12\|\phi\phi^+y\|^2$ (projection onto the wrong subspace)",
               Formula(r"\frac12\|\phi\phi^+y\|^2", partial(_candidate, variant="complement"))),
    ),
    notes=(
        r"The corollary is about the loss value: with $\phi$ rank deficient the minimizers form an "
        r"affine set and which one is reached depends on the initialization."
    ),
)

CLAIMS = (GLOBAL,)
