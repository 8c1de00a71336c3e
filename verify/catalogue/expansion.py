r"""Claims of seed 001 §3.2: the Perron--Frobenius split, eq. (5) and the leading order of P.

Oracles (:mod:`verify.probes.expansion`): the stationary distribution from running the chain
(repeated squaring, :mod:`verify.oracles.markov`), :math:`A^{-1}` from a linear solve, and
:math:`P = JJ^\top` from the complex-step Jacobian of the constraint's solution. Candidates and
mutants: :mod:`verify.candidates.expansion`.
"""

from __future__ import annotations

from functools import partial

from derivations import expansion as E

from ..candidates import expansion as C
from ..checks import AsymptoticCheck, NumericIdentity, SymbolicIdentity
from ..model import Claim, Formula, Mutant
from ..probes import expansion as P

__all__ = ["CLAIMS"]

SOURCE = "seed 001 (Gehring et al., NeurIPS 2021), §3.2"
ASSUMPTIONS = (
    r"$F \in \mathbb{R}^{n\times n}$ finite, so $S = \sigma(F)$ has positive entries (primitive, not merely irreducible)",
    r"$\eta \in [0, 1)$",
)

PERRON = Claim(
    id="implicit.perron-frobenius-split",
    title="sigma(F) = 1 v^T + M with v^T 1 = 1, M 1 = 0, v^T M = 0, v stationary",
    source=SOURCE + ", display before eq. (5)",
    statement=(
        r"$\sigma(F) = \mathbf 1 v^\top + M$, $v^\top\mathbf 1 = 1$, $M\mathbf 1 = 0$, "
        r"$v^\top M = 0$, where $v$ is the stationary distribution of $\sigma(F)$."
    ),
    assumptions=ASSUMPTIONS[:1],
    derivation=E.perron_split_derivation(),
    candidate=Formula(r"v: (I - S + \mathbf 1\mathbf 1^\top)^\top v = \mathbf 1,\ M = S - \mathbf 1v^\top",
                      C.split_candidate, C.split_sym),
    checks=(
        SymbolicIdentity(reference=P.zeros, sizes=(2, 3),
                         description="the properties vanish identically for a symbolic stochastic S"),
        NumericIdentity(reference=P.split_reference, strategy=P.moderate_logits,
                        description="v against the rows of S^(2^m) (the chain run to stationarity)"),
    ),
    mutants=(
        Mutant("outer-product-transposed", r"$M = S - v\mathbf 1^\top$",
               Formula(r"M = S - v\mathbf 1^\top", partial(C.split_mutant, transpose=True),
                       partial(C.split_sym, transpose=True))),
        Mutant("v-is-average-row", r"$v = S^\top\mathbf 1/n$ (stationary only for doubly stochastic $S$)",
               Formula(r"v = S^\top\mathbf 1/n", partial(C.split_mutant, v_rule="column-mean"),
                       partial(C.split_sym, v_rule="column-mean"))),
        Mutant("v-is-uniform", r"$v = \mathbf 1/n$ (the right eigenvector, normalised)",
               Formula(r"v = \mathbf 1/n", partial(C.split_mutant, v_rule="uniform"),
                       partial(C.split_sym, v_rule="uniform"))),
    ),
    notes=(
        r"The paper says irreducibility gives `all other eigenvalues strictly smaller' in modulus; "
        r"irreducible periodic chains have other eigenvalues on the unit circle. What holds is "
        r"primitivity, which softmax gives because every entry of $\sigma(F)$ is positive."
    ),
)

INVERSE = Claim(
    id="implicit.inverse-expansion",
    title="Eq. (5): A^-1 = eta/(1-eta) 1 v^T + sum_k eta^k M^k, and A^-1 x = (1-eta)^-1 1 (v^T x) + O(1)",
    source=SOURCE + ", eq. (5) and the display before it",
    statement=(
        r"$A^{-1} = \frac{\eta}{1-\eta}\mathbf 1v^\top + \sum_{k\ge0}\eta^kM^k$ and, for fixed $F$ "
        r"and $x$, $A^{-1}x = \frac{1}{1-\eta}\mathbf 1(v^\top x) + O(1)$ as $\eta\to1$."
    ),
    assumptions=ASSUMPTIONS,
    derivation=E.inverse_expansion_derivation(),
    candidate=Formula(r"\frac{\eta}{1-\eta}\mathbf 1v^\top + (I-\eta M)^{-1}", C.expansion_candidate,
                      C.expansion_sym),
    checks=(
        SymbolicIdentity(reference=E.inverse_direct_sym, sizes=(2,), sample_sizes=(3,),
                         description="closed form against (I - eta S)^-1 for a symbolic stochastic S"),
        NumericIdentity(reference=P.inverse_reference, strategy=P.eq5_points, part="inverse",
                        scale=P.inverse_scale, description="closed form against a linear solve"),
        AsymptoticCheck(remainder=P.eq5_remainder, strategy=P.eq5_points, order=0.0, steps=24, precise=True,
                        description="the remainder of eq. (5) stays bounded as eta -> 1 (slope >= 0)"),
    ),
    mutants=(
        Mutant("coefficient-off-by-one", r"$\frac{1}{1-\eta}\mathbf 1v^\top + \sum_{k\ge0}\eta^kM^k$ (identity counted twice)",
               Formula(r"\frac{1}{1-\eta}\mathbf 1v^\top + (I-\eta M)^{-1}",
                       partial(C.expansion_mutant, coeff="one"), partial(C.expansion_sym, coeff="one"))),
        Mutant("outer-product-transposed", r"$\frac{\eta}{1-\eta}v\mathbf 1^\top + \dots$",
               Formula(r"\frac{\eta}{1-\eta}v\mathbf 1^\top + (I-\eta M)^{-1}",
                       partial(C.expansion_mutant, transpose=True), partial(C.expansion_sym, transpose=True))),
        Mutant("series-from-one", r"$\frac{\eta}{1-\eta}\mathbf 1v^\top + \sum_{k\ge1}\eta^kM^k$",
               Formula(r"\frac{\eta}{1-\eta}\mathbf 1v^\top + (I-\eta M)^{-1} - I",
                       partial(C.expansion_mutant, from_one=True), partial(C.expansion_sym, from_one=True))),
    ),
    notes=(
        r"The $O(1)$ in eq.~(5) is uniform only for $F$ in a compact set: its constant is "
        r"$\|(I - M)^{-1}\| + 1$, which grows without bound as $\sigma(F)$ approaches a reducible chain."
    ),
)

LEADING = Claim(
    id="implicit.preconditioner-leading-order",
    title="P = (1-eta)^-2 1 v^T (eta^2 D + I) v 1^T + O((1-eta)^-1) as eta -> 1",
    source=SOURCE + ", display after eq. (5)",
    statement=(
        r"With $w$ and $F$ held fixed, $P = \frac{1}{(1-\eta)^2}\mathbf 1v^\top(\eta^2D+I)v\mathbf 1^\top "
        r"+ O\bigl((1-\eta)^{-1}\bigr)$ as $\eta\to1$."
    ),
    assumptions=ASSUMPTIONS + (
        r"$w$ and $F$ fixed as $\eta\to1$: then $\hat\theta$ grows like $(1-\eta)^{-1}$ but only along "
        r"$\mathbf 1$, which $c_{kj}$ cancels, so $D = O(1)$",
    ),
    derivation=E.leading_order_derivation(),
    candidate=Formula(r"\frac{1}{(1-\eta)^2}\mathbf 1v^\top(\eta^2D+I)v\mathbf 1^\top", C.leading_candidate),
    checks=(
        AsymptoticCheck(remainder=P.leading_remainder, strategy=P.leading_points, order=-1.0, steps=16,
                        description="||P - leading|| grows no faster than (1-eta)^-1 (slope >= -1)"),
    ),
    mutants=(
        Mutant("one-power-of-1-minus-eta", r"$(1-\eta)^{-1}$ instead of $(1-\eta)^{-2}$",
               Formula(r"\frac{1}{1-\eta}\mathbf 1v^\top(\eta^2D+I)v\mathbf 1^\top",
                       partial(C.leading_mutant, power=1))),
        Mutant("outer-products-transposed", r"$\frac{1}{(1-\eta)^2}v\mathbf 1^\top(\eta^2D+I)\mathbf 1v^\top$",
               Formula(r"\frac{1}{(1-\eta)^2}v\mathbf 1^\top(\eta^2D+I)\mathbf 1v^\top",
                       partial(C.leading_mutant, transpose=True))),
        Mutant("D-dropped", r"$\frac{1}{(1-\eta)^2}\mathbf 1v^\top v\mathbf 1^\top$",
               Formula(r"\frac{1}{(1-\eta)^2}\mathbf 1v^\top v\mathbf 1^\top", partial(C.leading_mutant, with_D=False))),
    ),
    notes=(
        r"The paper's leading coefficient $(1-\eta)^{-2}$ could equally be $\eta^2(1-\eta)^{-2}$ (the "
        r"exact coefficient from eq.~(5)); the two differ by $(1+\eta)/(1-\eta) = O((1-\eta)^{-1})$, inside "
        r"the remainder. Holding $\hat\theta$ fixed instead of $w$ also works ($D$ is then constant)."
    ),
)

CLAIMS = (PERRON, INVERSE, LEADING)
