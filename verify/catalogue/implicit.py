r"""Claims of seed 001 (Gehring et al. 2021), §2.3 and Theorem 1.

Each claim binds: the derivation (:mod:`derivations.implicit`), the candidate formula and its
mutants (:mod:`verify.candidates.implicit`), and the oracle and strategies its checks use
(:mod:`verify.probes.implicit`, built on :mod:`verify.oracles.implicit`, primitive definitions only).
"""

from __future__ import annotations

from functools import partial

from derivations import implicit as D

from ..candidates import implicit as C
from ..checks import AsymptoticCheck, BoundCheck, DerivativeCheck, NumericIdentity, SymbolicIdentity
from ..model import Claim, Formula, Mutant
from ..probes import implicit as P

__all__ = ["CLAIMS"]

SOURCE = "seed 001 (Gehring et al., NeurIPS 2021)"
ASSUMPTIONS = (
    r"$n \ge 1$; $w \in \mathbb{R}^n$; $F \in \mathbb{R}^{n\times n}$ finite",
    r"$\eta \in [0, 1)$",
    r"$\sigma$ is the row-wise softmax, so $\sigma(F)$ is row-stochastic and $A = I - \eta\sigma(F)$ is invertible",
)

IFT_JACOBIAN = Claim(
    id="implicit.ift-jacobian",
    title="Jacobians of the implicit weights by the implicit function theorem",
    source=SOURCE + ", §2.3 and eq. (2)",
    statement=(
        r"$\frac{\partial\hat\theta}{\partial w} = A^{-1}$ and "
        r"$\frac{\partial\hat\theta_i}{\partial F_{kj}} = \eta\,[A^{-1}]_{ik}\,c_{kj}$ with "
        r"$c_{kj} = \sigma_{kj}(\hat\theta_j - [\sigma(F)\hat\theta]_k)$."
    ),
    assumptions=ASSUMPTIONS,
    derivation=D.ift_jacobian_derivation(),
    candidate=Formula(latex=r"J = [A^{-1},\ \eta A^{-1}C]", numeric=C.jacobian_candidate, sympy=C.ift_sym),
    checks=(
        SymbolicIdentity(reference=P.ift_reference, sizes=("n", 2), sample_sizes=(3,),
                         description="IFT Jacobian equals direct differentiation of A^{-1}w (n=2 proof, "
                         "n=3 random rational points, linearised constraint at symbolic n)"),
        DerivativeCheck(primitive=P.primitive, primitive_mp=P.primitive_mp, strategy=P.implicit_points,
                        blocks=P.blocks, examples=(P.SATURATED_IFT,),
                        description="complex-step Jacobian of theta = solve(I - eta softmax(F), w)"),
    ),
    mutants=(
        Mutant("transposed-J_w", r"$\partial\hat\theta/\partial w = A^{-\top}$ (denominator layout)",
               Formula(r"[A^{-\top}, \eta A^{-1}C]", partial(C.jacobian_from_parts, transpose_w=True),
                       partial(C.ift_sym, transpose_w=True))),
        Mutant("dropped-eta", r"$\partial\hat\theta/\partial F = A^{-1}C$ (factor $\eta$ dropped)",
               Formula(r"[A^{-1}, A^{-1}C]", partial(C.jacobian_from_parts, with_eta=False),
                       partial(C.ift_sym, with_eta=False))),
        Mutant("diagonal-softmax-derivative",
               r"$c_{kj} = \sigma_{kj}\hat\theta_j$ (softmax Jacobian taken as $\mathrm{diag}(\sigma)$)",
               Formula(r"c_{kj} = \sigma_{kj}\hat\theta_j",
                       partial(C.jacobian_from_parts, full_softmax=False))),
    ),
)

SOFTMAX_SYMMETRY = Claim(
    id="implicit.softmax-jacobian-symmetry",
    title="The softmax Jacobian is symmetric, so Theorem 1's index order in d_k is harmless",
    source=SOURCE + ", Theorem 1 (definition of d)",
    statement=(
        r"$\frac{\partial\sigma(F)_{ki}}{\partial F_{kj}} = \frac{\partial\sigma(F)_{kj}}{\partial F_{ki}}$, "
        r"hence $\sum_i(\sum_j \frac{\partial\sigma_{ki}}{\partial F_{kj}}\theta_j)^2 = "
        r"\sum_j(\sum_i \frac{\partial\sigma_{ki}}{\partial F_{kj}}\theta_i)^2$."
    ),
    assumptions=(r"$F \in \mathbb{R}^{n\times n}$ finite, $\theta \in \mathbb{R}^n$",),
    derivation=D.softmax_symmetry_derivation(),
    candidate=Formula(latex=r"d_k^{\text{paper}}", numeric=C.paper_d, sympy=D.paper_d_sym),
    checks=(
        SymbolicIdentity(reference=D.natural_d_sym, sizes=(2, 3, 4),
                         description="paper-order d equals chain-rule-order d, exactly"),
        NumericIdentity(reference=P.natural_d, strategy=P.logits_and_values, scale=P.d_scale,
                        description="both orders from the complex-step softmax Jacobian"),
    ),
    mutants=(
        Mutant("theta-on-differentiated-index",
               r"$\sum_i(\sum_j \partial\sigma_{ki}/\partial F_{kj}\,\theta_i)^2$ (rows of the softmax Jacobian sum to 0)",
               Formula(r"\sum_i\theta_i^2(\sum_j\partial_{kj}\sigma_{ki})^2",
                       partial(C.paper_d, theta_on_row=True), C.paper_d_sym_mutant)),
        Mutant("column-softmax", r"softmax taken over columns: $\partial\sigma_{ik}/\partial F_{jk}$",
               Formula(r"d_k(F^\top)", C.paper_d_columnwise, C.paper_d_sym_columnwise)),
    ),
)

PRECONDITIONER = Claim(
    id="implicit.preconditioner",
    title="Theorem 1: gradient flow on (w, F) is preconditioned gradient flow on theta",
    source=SOURCE + ", Theorem 1, eq. (4)",
    statement=(
        r"$\frac{d}{dt}\hat\theta = -P\,\nabla L(\hat\theta)$ with "
        r"$P = A^{-1}(\eta^2 D + I)A^{-\top}$, $D = \operatorname{diag}(d)$, "
        r"$d_k = \sum_i(\sum_j \frac{\partial\sigma(F)_{ki}}{\partial F_{kj}}\hat\theta_j)^2$; "
        r"equivalently $P = J J^\top$, $J = \partial\hat\theta/\partial(w, F)$."
    ),
    assumptions=ASSUMPTIONS + (r"$L$ differentiable; here $L(\theta) = \frac12\|\theta - y\|^2$ in the step check",),
    derivation=D.preconditioner_derivation(),
    candidate=Formula(latex=r"A^{-1}(\eta^2 D + I)A^{-\top}", numeric=C.P_candidate, sympy=C.P_sym),
    checks=(
        SymbolicIdentity(reference=P.gram_reference_sym, sizes=("n", 2),
                         description="P = J J^T at matrix level (symbolic n) and elementwise at n=2"),
        NumericIdentity(reference=P.gram_oracle, reference_mp=P.gram_oracle_mp, strategy=P.implicit_points,
                        description="P against J J^T, J by complex step of the primitive"),
        AsymptoticCheck(remainder=P.gradient_step_remainder, strategy=P.points_with_targets, order=2.0, steps=16, precise=True,
                        examples=(P.SATURATED_STEP,),
                        description="one real gradient step on (w, F) moves theta by -a P grad L + O(a^2)"),
    ),
    mutants=(
        Mutant("eta-not-squared", r"$A^{-1}(\eta D + I)A^{-\top}$",
               Formula(r"A^{-1}(\eta D + I)A^{-\top}", partial(C.P_from_parts, eta_power=1),
                       C.P_sym_eta_not_squared)),
        Mutant("transposes-swapped", r"$A^{-\top}(\eta^2 D + I)A^{-1}$",
               Formula(r"A^{-\top}(\eta^2 D + I)A^{-1}", partial(C.P_from_parts, transpose_first=True),
                       C.P_sym_transposes_swapped)),
        Mutant("d-not-squared", r"$d_k = \sum_j c_{kj}$ (square dropped)",
               Formula(r"d_k = \sum_j c_{kj}", partial(C.P_from_parts, square=False))),
        Mutant("identity-dropped", r"$\eta^2 A^{-1} D A^{-\top}$ (the $w$-path $J_wJ_w^\top$ forgotten)",
               Formula(r"\eta^2A^{-1}DA^{-\top}", partial(C.P_from_parts, identity=False))),
    ),
)

LOWER_BOUND = Claim(
    id="implicit.preconditioner-lower-bound",
    title="Theorem 1: lambda_min(P) >= (1 + eta sqrt(n))^-2, a time-independent constant",
    source=SOURCE + ", Theorem 1 (lambda_min(P) >= c > 0)",
    statement=(
        r"$\lambda_{\min}(P) \ge c(n, \eta) = (1 + \eta\sqrt{n})^{-2}$ for all $w$ and $F$; "
        r"the paper asserts only some $c > 0$. The worst case $\sigma(F) \to \mathbf{1}e_1^\top$ "
        r"gives $\lambda_{\min} \approx 1/n$ as $\eta \to 1$, so $c$ has the right order in $n$."
    ),
    assumptions=ASSUMPTIONS,
    derivation=D.lower_bound_derivation(),
    candidate=Formula(latex=r"(1 + \eta\sqrt n)^{-2}", numeric=C.lower_bound),
    checks=(
        BoundCheck(oracle=P.lambda_min_oracle, strategy=P.bound_points, coordinates=P.F_coordinates, effort=5,
                   description="lambda_min of J J^T (J by complex step) against c, n <= 8"),
    ),
    mutants=(
        Mutant("no-inverse", r"$c = 1$ (from $\lambda_{\min}(\eta^2D + I) \ge 1$, forgetting $A^{-1}$)",
               Formula("1", C.bound_no_inverse)),
        Mutant("doubly-stochastic-norm", r"$c = (1 + \eta)^{-2}$ (assumes $\|\sigma(F)\|_2 \le 1$)",
               Formula(r"(1+\eta)^{-2}", C.bound_doubly_stochastic_norm)),
        Mutant("square-dropped", r"$c = (1 + \eta\sqrt n)^{-1}$ (exponent off by one)",
               Formula(r"(1+\eta\sqrt n)^{-1}", C.bound_square_dropped)),
    ),
)

CLAIMS = (IFT_JACOBIAN, SOFTMAX_SYMMETRY, PRECONDITIONER, LOWER_BOUND)
