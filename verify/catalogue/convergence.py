r"""Corollary 1 of seed 001: gradient descent on (w, F) reaches the least-squares optimum.

Oracle: gradient descent with a backtracking line search on the implicit parameters
(:mod:`verify.oracles.gd`), started from random ``(w, F)``; it knows nothing of the
normal equations. The number of iterations is reported.
"""

from __future__ import annotations

from functools import partial

from derivations.convergence import convergence_derivation

from ..candidates import convergence as C
from ..checks import NumericIdentity
from ..model import Claim, Formula, Mutant
from ..probes import convergence as P

__all__ = ["CLAIMS"]


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
    derivation=convergence_derivation(),
    candidate=Formula(r"\tfrac12\|(I-\phi\phi^+)y\|^2", C.candidate),
    checks=(
        NumericIdentity(reference=P.gd_reference, strategy=P.points, scale=P.scale, tolerance_key="simulation.gd",
                        max_examples=25,
                        description="run GD on (w, F) from the drawn initialization; compare the final loss"),
    ),
    mutants=(
        Mutant("interpolates", r"$L^* = 0$ (the model fits every target)", Formula(r"0", partial(C.candidate, variant="zero"))),
        Mutant("explained-part", r"$\frac12\|\phi\phi^+y\|^2$ (projection onto the wrong subspace)",
               Formula(r"\frac12\|\phi\phi^+y\|^2", partial(C.candidate, variant="complement"))),
    ),
    notes=(
        r"The corollary is about the loss value: with $\phi$ rank deficient the minimizers form an "
        r"affine set and which one is reached depends on the initialization."
    ),
)

CLAIMS = (GLOBAL,)
