r"""Claims of seed 001 §3.1--3.2 about SGD: Theorems 2--5 and Corollaries 2--3.

Oracles simulate minibatch SGD from the loss's definition
(:mod:`verify.oracles.sgd`, via :mod:`verify.probes.sgd`): every minibatch is enumerated (exact
expectations) or sampled (Monte Carlo with a finite-sample radius). Nothing here evaluates a derived
expectation to check a derived expectation; the candidates and mutants are in :mod:`verify.candidates.sgd`.
"""

from __future__ import annotations

from functools import partial

from derivations import sgd as G

from ..candidates import sgd as C
from ..checks import AsymptoticCheck, BoundCheck, ExpectationCheck, NumericIdentity, SymbolicIdentity
from ..model import Claim, Formula, Mutant
from ..probes import sgd as P

__all__ = ["CLAIMS"]

SOURCE = "seed 001 (Gehring et al., NeurIPS 2021)"
DATA = (
    r"$n \ge 2$ data points with features $\phi_i \in \mathbb{R}^d$, residuals $r_i = \phi_i^\top\theta - y_i$, "
    r"$L = \frac12\sum_i r_i^2$, $\mathbf r = \sum_i r_i\phi_i$",
    r"minibatches of size $1 \le k \le n$ drawn uniformly without replacement; "
    r"$L_B = \frac{1}{2k}\sum_{i\in B} r_i^2$",
)
IMPLICIT = (
    r"$\hat\theta = (I - \eta\sigma(F))^{-1}w \in \mathbb{R}^d$; SGD acts on $\psi = (w, F)$; $\eta \in [0, 1)$",
)


T2 = Claim(
    id="implicit.expected-loss-decrease-explicit",
    title="Theorem 2: E[L(theta_{t+1}) - L(theta_t)] = -(alpha/n)||r||^2 + O(alpha^2)",
    source=SOURCE + ", §3.1, Theorem 2",
    statement=(
        r"For SGD on the explicit parameterization, $\mathbb E[L(\theta_{t+1}) - L(\theta_t)\mid\theta_t] "
        r"= -\frac{\alpha}{n}\|\mathbf r(\theta_t)\|_2^2 + O(\alpha^2)$."
    ),
    assumptions=DATA,
    derivation=G.expected_decrease_derivation(implicit=False),
    candidate=Formula(r"-\frac{\alpha}{n}\|\mathbf r\|^2", C.t2_candidate),
    checks=(
        AsymptoticCheck(remainder=P.t2_remainder, strategy=P.small_linear, order=2.0, steps=10,
                        description="exact expectation over all minibatches; remainder O(alpha^2) by slope"),
        ExpectationCheck(values=P.first_order_explicit, value_range=P.range_explicit,
                         sizes=P.minibatch_sizes, strategy=P.large_linear, samples=4000,
                         description="first-order coefficient for n up to 10^4: Monte Carlo over minibatches"),
    ),
    mutants=(
        Mutant("k-instead-of-n", r"$-\frac{\alpha}{k}\|\mathbf r\|^2$",
               Formula(r"-\frac{\alpha}{k}\|\mathbf r\|^2", partial(C.t2_mutant, scale="k"))),
        Mutant("residual-vector-not-gradient", r"$-\frac{\alpha}{n}\sum_i r_i^2$ ($= -\frac{2\alpha}{n}L$)",
               Formula(r"-\frac{\alpha}{n}\sum_i r_i^2", partial(C.t2_mutant, use_gradient=False))),
        Mutant("full-batch-rate", r"$-\alpha\|\mathbf r\|^2$ (the $1/n$ dropped)",
               Formula(r"-\alpha\|\mathbf r\|^2", partial(C.t2_mutant, scale="one"))),
    ),
    notes=(
        r"The paper's second step, $\gtrsim -\frac{\alpha}{n}L(\theta) + O(\alpha^2)$, needs "
        r"$\|\mathbf r\|^2 \le c\,L$, i.e. $c = 2\|\phi^\top\phi\|_2$ (Assumption 1 makes it $O(1)$)."
    ),
)

T3 = Claim(
    id="implicit.expected-loss-decrease-implicit",
    title="Theorem 3: E[L(theta_{t+1}) - L(theta_t)] = -(alpha/n)<P r, r> + O(alpha^2)",
    source=SOURCE + ", §3.1, Theorem 3",
    statement=(
        r"For SGD on $(w, F)$, $\mathbb E[L(\hat\theta_{t+1}) - L(\hat\theta_t)\mid\hat\theta_t] "
        r"= -\frac{\alpha}{n}\langle P\mathbf r(\hat\theta_t), \mathbf r(\hat\theta_t)\rangle + O(\alpha^2)$."
    ),
    assumptions=DATA + IMPLICIT,
    derivation=G.expected_decrease_derivation(implicit=True),
    candidate=Formula(r"-\frac{\alpha}{n}\langle P\mathbf r, \mathbf r\rangle", C.t3_candidate),
    checks=(
        AsymptoticCheck(remainder=P.t3_remainder, strategy=P.small_implicit, order=2.0, steps=12,
                        description="real SGD steps on (w, F) for every minibatch; remainder O(alpha^2)"),
        ExpectationCheck(values=P.first_order_implicit, value_range=P.range_implicit,
                         sizes=P.minibatch_sizes, strategy=P.large_implicit, samples=4000,
                         description="first-order coefficient for n up to 10^4: Monte Carlo over minibatches"),
    ),
    mutants=(
        Mutant("explicit-rate", r"$-\frac{\alpha}{n}\|\mathbf r\|^2$ ($P$ forgotten)",
               Formula(r"-\frac{\alpha}{n}\|\mathbf r\|^2", partial(C.t3_mutant, P_rule="identity"))),
        Mutant("eta-not-squared", r"$P$ built with $\eta D$",
               Formula(r"-\frac{\alpha}{n}\langle P_\eta\mathbf r, \mathbf r\rangle", partial(C.t3_mutant, P_rule="eta"))),
        Mutant("k-instead-of-n", r"$-\frac{\alpha}{k}\langle P\mathbf r, \mathbf r\rangle$",
               Formula(r"-\frac{\alpha}{k}\langle P\mathbf r, \mathbf r\rangle", partial(C.t3_mutant, scale="k"))),
    ),
)

T4 = Claim(
    id="implicit.ones-direction-rate",
    title="Theorem 4: E[r_par(t+1) - r_par(t)] = -alpha r_par/(1-eta)^2 v^T(eta^2 D+I)v ||X^T 1||^2/n + remainder",
    source=SOURCE + ", §3.2, Theorem 4",
    statement=(
        r"With $\mathbf r = r^\parallel\mathbf 1 + \mathbf r^\perp$ (orthogonal split), "
        r"$\mathbb E[\Delta r^\parallel] = -\frac{\alpha r^\parallel}{(1-\eta)^2}v^\top(\eta^2D+I)v"
        r"\frac{\|X^\top\mathbf 1\|^2}{n} + O\bigl(\alpha^2 + \frac{\alpha}{1-\eta}\bigr)$ at a given "
        r"$\hat\theta_t$ (so $\hat\theta$ and $F$ are fixed as $\eta$ moves)."
    ),
    assumptions=DATA + IMPLICIT + (
        r"checked along $\alpha = a_0h^4$, $1-\eta = e_0h$, $h\to0$: leading term $O(h^2)$, remainder $O(h^3)$",
    ),
    derivation=G.ones_direction_derivation(),
    candidate=Formula(r"-\frac{\alpha r^\parallel}{(1-\eta)^2}v^\top(\eta^2D+I)v\frac{\|X^\top\mathbf 1\|^2}{n}",
                      C.t4_candidate),
    checks=(
        AsymptoticCheck(remainder=P.t4_remainder, strategy=P.t4_points, order=3.0, steps=20,
                        description="real implicit SGD steps, every minibatch, along the (alpha, eta) path"),
    ),
    mutants=(
        Mutant("one-power-of-1-minus-eta", r"$(1-\eta)^{-1}$ instead of $(1-\eta)^{-2}$",
               Formula(r"-\frac{\alpha r^\parallel}{1-\eta}\cdots", partial(C.t4_candidate, power=1))),
        Mutant("D-dropped", r"$v^\top v$ instead of $v^\top(\eta^2D+I)v$",
               Formula(r"-\frac{\alpha r^\parallel}{(1-\eta)^2}v^\top v\cdots", partial(C.t4_candidate, with_D=False))),
        Mutant("ones-norm-dropped", r"$\frac1n$ instead of $\frac{\|X^\top\mathbf 1\|^2}{n}$",
               Formula(r"-\frac{\alpha r^\parallel}{(1-\eta)^2}v^\top(\eta^2D+I)v\frac1n",
                       partial(C.t4_candidate, with_ones=False))),
    ),
    notes=(
        r"The paper's remainder $O(\alpha^2 + \frac{1}{1-\eta})$ drops a factor: the $P$-expansion error "
        r"enters multiplied by $\alpha$, so it is $O(\frac{\alpha}{1-\eta})$ (as written the remainder does "
        r"not vanish as $\alpha\to0$). Its second step, $\lesssim -\frac{\alpha r^\parallel}{(1-\eta)^2}$, "
        r"holds only for $r^\parallel > 0$; for $r^\parallel < 0$ the inequality reverses. The "
        r"$O(\alpha^2)$ constant grows like $(1-\eta)^{-3}$, so the two limits do not commute."
    ),
)

RATIO_SIZES = ((2, 1, 2), (3, 2, 2), (4, 2, 2), (4, 3, 1), (5, 2, 1))

T5_EXPLICIT = Claim(
    id="sgd.second-moment-ratio-explicit",
    title="Theorem 5.1: E||dtheta||^2 / ||E dtheta||^2 = n(k-1)/(k(n-1)) + n(n-k)/(k(n-1)) sum r_i^2||phi_i||^2/||r||^2",
    source=SOURCE + ", §3.2, Theorem 5 (1)",
    statement=(
        r"$\frac{\mathbb E\|\Delta\theta\|^2}{\|\mathbb E\Delta\theta\|^2} = \frac{n(k-1)}{k(n-1)} + "
        r"\frac{(n-k)n}{k(n-1)}\frac{\sum_i r_i^2\|\phi_i\|^2}{\|\mathbf r\|^2}$ exactly (not only to leading order)."
    ),
    assumptions=DATA + (r"$\mathbf r \ne 0$ (otherwise the mean update vanishes)",),
    derivation=G.second_moment_derivation(),
    candidate=Formula(r"\frac{n(k-1)}{k(n-1)} + \frac{n(n-k)}{k(n-1)}\frac{\sum_i\|u_i\|^2}{\|\sum_i u_i\|^2}",
                      C.ratio_explicit_candidate, C.ratio_sym),
    checks=(
        SymbolicIdentity(reference=G.second_moment_enumerated_sym, sizes=RATIO_SIZES,
                         description="symbolic sum over all minibatches, (n, k, d) as listed"),
        NumericIdentity(reference=P.ratio_enumerated, strategy=P.ratio_points, scale=P.ratio_scale,
                        description="every minibatch enumerated, gradients by complex step"),
    ),
    mutants=(
        Mutant("variance-not-second-moment", r"the ratio minus 1 (what `variance / mean square' would be)",
               Formula(r"\frac{\mathrm{Var}}{\|\mathbb E\|^2}", partial(C.ratio_explicit_candidate, variant="variance"),
                       partial(C.ratio_sym, variant="variance"))),
        Mutant("with-replacement", r"$1 + \frac1k\bigl(\frac{n\sum\|u_i\|^2}{\|U\|^2} - 1\bigr)$ (sampling with replacement)",
               Formula(r"1 + \frac1k(\cdots)", partial(C.ratio_explicit_candidate, variant="with-replacement"),
                       partial(C.ratio_sym, variant="with-replacement"))),
        Mutant("factor-n-dropped", r"$\frac{n-k}{k(n-1)}$ in the second term",
               Formula(r"\frac{n(k-1)}{k(n-1)} + \frac{n-k}{k(n-1)}\cdots", partial(C.ratio_explicit_candidate, variant="without-n"),
                       partial(C.ratio_sym, variant="without-n"))),
    ),
    notes=(
        r"The paper calls this the (variance)/(mean square) ratio; it is the second moment over the "
        r"squared mean, $1 + \mathrm{Var}/\|\mathbb E\Delta\theta\|^2$. The formula itself is exact."
    ),
)

T5_IMPLICIT = Claim(
    id="sgd.second-moment-ratio-implicit",
    title="Theorem 5.2: the implicit ratio -> n(k-1)/(k(n-1)) + n(n-k)/(k(n-1)) sum<1,r_i phi_i>^2/(sum<1,r_i phi_i>)^2 + O(1-eta)",
    source=SOURCE + ", §3.2, Theorem 5 (2)",
    statement=(
        r"To first order in $\alpha$, $\frac{\mathbb E\|\Delta\hat\theta\|^2}{\|\mathbb E\Delta\hat\theta\|^2} = "
        r"\frac{n(k-1)}{k(n-1)} + \frac{(n-k)n}{k(n-1)}\frac{\sum_i\langle\mathbf 1, r_i\phi_i\rangle^2}"
        r"{(\sum_i\langle\mathbf 1, r_i\phi_i\rangle)^2} + O(1-\eta)$ ($F$ and $\hat\theta$ fixed)."
    ),
    assumptions=DATA + IMPLICIT + (
        r"$\sum_i\langle\mathbf 1, r_i\phi_i\rangle \ne 0$; the update is taken to first order in $\alpha$ "
        r"(the ratio at finite $\alpha$ has an extra $O(\alpha)$)",
    ),
    derivation=G.implicit_ratio_derivation(),
    candidate=Formula(r"\frac{n(k-1)}{k(n-1)} + \frac{n(n-k)}{k(n-1)}\frac{\sum_i a_i^2}{(\sum_i a_i)^2}",
                      C.ratio_implicit_candidate),
    checks=(
        AsymptoticCheck(remainder=P.t5i_remainder, strategy=P.t5i_points, order=1.0, steps=20,
                        description="first-order implicit updates, all minibatches, as eta -> 1: remainder O(1-eta)"),
    ),
    mutants=(
        Mutant("explicit-formula", r"the explicit ratio ($\|u_i\|^2$ instead of $\langle\mathbf 1, u_i\rangle^2$)",
               Formula(r"\text{Theorem 5.1}", partial(C.ratio_implicit_candidate, variant="explicit-formula"))),
        Mutant("variance-not-second-moment", r"the ratio minus 1",
               Formula(r"\cdots - 1", partial(C.ratio_implicit_candidate, variant="variance"))),
    ),
    notes=(
        r"The left-hand side in the paper has $\Delta\theta$ in the numerator and $\Delta\hat\theta$ in the "
        r"denominator; both must be $\Delta\hat\theta$. The limit needs $\langle\mathbf 1, \mathbf r\rangle \ne 0$."
    ),
)

ONE_HOT = Claim(
    id="sgd.one-hot-ratio",
    title="Corollary 2 as written: with one-hot features the explicit ratio is n/k",
    source=SOURCE + ", §3.2, Corollary 2",
    statement=r"With one-hot features, $\frac{\mathbb E\|\Delta\theta\|^2}{\|\mathbb E\Delta\theta\|^2} = \frac nk$.",
    assumptions=DATA + (r"$\phi(x_i) = e_{s_i}$ (one-hot); states may repeat, as in the paper's own data (§4)",),
    derivation=G.one_hot_derivation(),
    candidate=Formula(r"\frac nk", C.one_hot_candidate),
    checks=(
        NumericIdentity(reference=P.one_hot_enumerated, strategy=P.one_hot_strategy,
                        description="every minibatch enumerated, one-hot features"),
    ),
    expected="refuted",
    corrected_by="sgd.one-hot-ratio-corrected",
    notes=(
        r"False when two data points share a state: then $\|\mathbf r\|^2 \ne \sum_i r_i^2$. Smallest "
        r"counterexample: $n = 2$ points in the same state, $k = 1$, equal residuals: the ratio is 1, not 2. "
        r"The unstated assumption is that the $n$ states are distinct (or $k = n$)."
    ),
)

ONE_HOT_CORRECTED = Claim(
    id="sgd.one-hot-ratio-corrected",
    title="Corollary 2 corrected: one-hot ratio with repeated states; n/k iff the states are distinct (or k = n)",
    source=SOURCE + ", §3.2, Corollary 2 (corrected)",
    statement=(
        r"With $\phi(x_i) = e_{s_i}$: $\frac{\mathbb E\|\Delta\theta\|^2}{\|\mathbb E\Delta\theta\|^2} = "
        r"\frac{n(k-1)}{k(n-1)} + \frac{n(n-k)}{k(n-1)}\frac{\sum_i r_i^2}{\sum_s(\sum_{i:s_i=s}r_i)^2}$, "
        r"which is $\frac nk$ when the states are distinct."
    ),
    assumptions=DATA + (r"$\phi(x_i) = e_{s_i}$; $\sum_s(\sum_{i:s_i=s}r_i)^2 > 0$",),
    derivation=G.one_hot_corrected_derivation(),
    candidate=Formula(r"\frac{n(k-1)}{k(n-1)} + \frac{n(n-k)}{k(n-1)}\frac{\sum_i r_i^2}{\sum_s(\sum_{i:s_i=s}r_i)^2}",
                      C.one_hot_corrected_candidate),
    checks=(
        NumericIdentity(reference=P.one_hot_enumerated, strategy=P.one_hot_strategy,
                        description="every minibatch enumerated, one-hot features, repeated states allowed"),
    ),
    mutants=(
        Mutant("paper-n-over-k", r"$\frac nk$ (Corollary 2 as written)", Formula(r"\frac nk", C.one_hot_candidate)),
        Mutant("variance-not-second-moment", r"the ratio minus 1",
               Formula(r"\cdots - 1", partial(C.one_hot_corrected_candidate, variant="variance"))),
    ),
)

BALANCED = Claim(
    id="sgd.balanced-residual-bound",
    title="Corollary 3: implicit ratio <= 1 + (1/k)(r_max/r_min)^2 (constant c = 1)",
    source=SOURCE + ", §3.2, Corollary 3",
    statement=(
        r"If $0 < r_{\min} \le r_i \le r_{\max}$, the $\eta\to1$ implicit ratio with one-hot features is "
        r"$\le 1 + \frac1k(r_{\max}/r_{\min})^2$: the paper's $\lesssim$ holds with constant $c = 1$."
    ),
    assumptions=DATA + (
        r"one-hot features (so $\langle\mathbf 1, r_i\phi_i\rangle = r_i$; repeated states allowed)",
        r"the $\eta\to1$ limit of Theorem 5.2",
    ),
    derivation=G.balanced_bound_derivation(),
    candidate=Formula(r"1 + \frac1k\Bigl(\frac{r_{\max}}{r_{\min}}\Bigr)^2", C.balanced_candidate),
    checks=(
        BoundCheck(oracle=P.balanced_limit_ratio, strategy=P.balanced_points, coordinates=P.balanced_coordinates,
                   sense="upper", effort=3,
                   description="adversarial search over residuals in [0.1, 10] and batch sizes"),
    ),
    mutants=(
        Mutant("ratio-inverted", r"$1 + \frac1k(r_{\min}/r_{\max})^2$",
               Formula(r"1 + \frac1k(r_{\min}/r_{\max})^2", partial(C.balanced_candidate, variant="inverted"))),
        Mutant("one-dropped", r"$\frac1k(r_{\max}/r_{\min})^2$",
               Formula(r"\frac1k(r_{\max}/r_{\min})^2", partial(C.balanced_candidate, variant="one-dropped"))),
        Mutant("rho-dropped", r"$1 + \frac1k$",
               Formula(r"1 + \frac1k", partial(C.balanced_candidate, variant="rho-dropped"))),
    ),
    notes=(
        r"Only the one-hot case is meaningful: for general features $\langle\mathbf 1, r_i\phi_i\rangle$ may "
        r"vanish or change sign and no bound in $r_{\max}/r_{\min}$ exists. The bound is loose: by "
        r"P\'olya--Szeg\H{o}, $(r_{\max}/r_{\min})^2$ can be replaced by $\frac{(r_{\max}+r_{\min})^2}{4r_{\max}r_{\min}}$."
    ),
)

CLAIMS = (T2, T3, T4, T5_EXPLICIT, T5_IMPLICIT, ONE_HOT, ONE_HOT_CORRECTED, BALANCED)
