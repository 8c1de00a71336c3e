r"""Claims about gradient estimators: the optimal REINFORCE baseline (004 §3.2.1), the
Gumbel-max trick and the reparameterization gradient (seed 003)."""

from __future__ import annotations

from functools import partial

from derivations import estimators as D

from ..candidates import estimators as C
from ..checks import BoundCheck, DistributionCheck, MonteCarloCheck, NumericIdentity
from ..model import Claim, Formula, Mutant
from ..probes import estimators as P

__all__ = ["CLAIMS"]


BASELINE = Claim(
    id="estimators.optimal-baseline",
    title="b_k = E[g_k^2 R] / E[g_k^2] minimises Var[g_k (R - b_k)]",
    source="seed 004 §3.2.1",
    statement=(
        r"For $g = \partial_{\theta_k}\log\pi_\theta(\tau)$, $b_k^* = \mathbb E[g^2R]/\mathbb E[g^2]$ minimises "
        r"$\mathrm{Var}[g(R - b)]$; every constant $b$ leaves $\mathbb E[g(R-b)]$ unchanged."
    ),
    assumptions=(r"finite trajectory distribution from a softmax policy; $\mathbb E[g^2] > 0$",),
    derivation=D.baseline_derivation(),
    candidate=Formula(r"\frac{\mathbb E[g^2R]}{\mathbb E[g^2]}", C.baseline_candidate),
    checks=(
        NumericIdentity(reference=P.argmin_variance, strategy=P.score_points, tolerance_key="optimisation.argmin",
                        scale=P.baseline_scale,
                        description="Brent minimisation of the variance computed by enumeration"),
        MonteCarloCheck(sample=P.variance_slope_draws, value_range=P.variance_slope_range,
                        strategy=P.baseline_mdp_points, claim_mean=P.zero_slope_mean, samples=200_000,
                        tolerance_key="identity.float64", max_examples=15,
                        description="simulated trajectories of a softmax policy on a small MDP: the variance's "
                                    "slope E[2 g^2 (b - R)] vanishes at the claimed b"),
    ),
    mutants=(
        Mutant("mean-return", r"$b = \mathbb E[R]$ (the usual baseline, not the variance-optimal one)",
               Formula(r"\mathbb E[R]", partial(C.baseline_candidate, variant="mean-return"))),
        Mutant("root-mean-square", r"$b = \sqrt{\mathbb E[g^2R^2]/\mathbb E[g^2]}$",
               Formula(r"\sqrt{\cdots}", partial(C.baseline_candidate, variant="rms"))),
    ),
    notes=(
        r"The official solution's derivation is right. Its final line writes $g$ as the sum over "
        r"time of $\nabla_{\theta_k}\log\pi_\theta(a_t|s_t)$, which equals $\nabla_{\theta_k}\log\pi_\theta(\tau)$ "
        r"because the dynamics do not depend on $\theta$."
    ),
)

GUMBEL = Claim(
    id="estimators.gumbel-max",
    title="argmax_i (log p_i + G_i) ~ Categorical(p) for i.i.d. standard Gumbel G_i",
    source="seed 003 (Gumbel-max trick)",
    statement=r"$\Pr[\arg\max_i(\log p_i + G_i) = i] = p_i$.",
    assumptions=(r"$p_i > 0$, $\sum_ip_i = 1$; $G_i$ i.i.d. standard Gumbel",),
    derivation=D.gumbel_derivation(),
    candidate=Formula(r"p", C.gumbel_candidate),
    checks=(
        DistributionCheck(sample=P.gumbel_sample, strategy=P.categoricals, samples=4_000_000, max_examples=5,
                          description="4e6 Gumbel-max draws per point; power against a 1% perturbation "
                                      "(p_i x 1.01 / 0.99 alternately): non-centrality >= 4e6 * 1e-4 * min spread"),
    ),
    mutants=(
        Mutant("softmax-of-p", r"$\mathrm{softmax}(p)$ (adding the noise to $p$, not $\log p$)",
               Formula(r"\mathrm{softmax}(p)", partial(C.gumbel_candidate, variant="softmax-of-p"))),
        Mutant("one-percent-perturbation", r"$p_i(1 \pm 0.01)$, renormalised",
               Formula(r"p(1\pm0.01)", partial(C.gumbel_candidate, variant="one-percent"))),
    ),
)

REPARAM = Claim(
    id="estimators.reparameterization",
    title="d/dmu E[f(mu + sigma eps)] = E[f'(.)], d/dsigma E[f(mu + sigma eps)] = E[eps f'(.)]",
    source="seed 003 (reparameterization trick)",
    statement=(
        r"$\partial_\mu\mathbb E[f(\mu+\sigma\varepsilon)] = \mathbb E[f'(\mu+\sigma\varepsilon)]$ and "
        r"$\partial_\sigma\mathbb E[f(\mu+\sigma\varepsilon)] = \mathbb E[\varepsilon f'(\mu+\sigma\varepsilon)]$, "
        r"$\varepsilon\sim N(0,1)$."
    ),
    assumptions=(r"$f$ a polynomial of degree $\le 5$ (exact expectations), or $\sin$, $\tanh$ (Monte Carlo); $\sigma > 0$",),
    derivation=D.reparameterization_derivation(),
    candidate=Formula(r"(\mathbb E[f'],\ \mathbb E[\varepsilon f'])", C.reparam_candidate),
    checks=(
        NumericIdentity(reference=P.reparam_reference, strategy=P.poly_points,
                        scale=P.poly_scale,
                        description="complex step of the exact Gaussian expectation (moments)"),
        *(MonteCarloCheck(sample=partial(P.score_function_draws, which=i),
                          value_range=partial(P.score_function_range, which=i), strategy=P.smooth_points,
                          samples=1_000_000, part=i, max_examples=10,
                          description=f"f = sin, tanh: score-function (likelihood-ratio) Monte Carlo of the "
                                      f"{name}-gradient, 1e6 draws; detects a discrepancy above ~0.02/sigma")
          for i, name in ((0, "mu"), (1, "sigma"))),
    ),
    mutants=(
        Mutant("mu-scaled", r"$\partial_\mu = \sigma\mathbb E[f']$",
               Formula(r"\sigma\mathbb E[f']", partial(C.reparam_candidate, variant="mu-scaled"))),
        Mutant("sigma-without-eps", r"$\partial_\sigma = \mathbb E[f']$",
               Formula(r"\mathbb E[f']", partial(C.reparam_candidate, variant="sigma-without-eps"))),
        Mutant("sigma-scaled", r"$\partial_\sigma = \sigma\mathbb E[f']$",
               Formula(r"\sigma\mathbb E[f']", partial(C.reparam_candidate, variant="sigma-scaled"))),
    ),
)

IS_CHECKS = (
    NumericIdentity(reference=P.exact_gradient, strategy=P.mdps, scale=P.is_scale, examples=(P.is_example(),),
                    description="exact expectation over all trajectories vs the complex-step gradient of J"),
)

IS_ASSUMPTIONS = (
    r"finite MDP, horizon $T \le 3$, softmax target policy $\pi_\theta$ and behaviour policy $\pi_{\theta'}$ "
    r"with full support; $\rho_t = \pi_\theta(a_t|s_t)/\pi_{\theta'}(a_t|s_t)$",
)

IS_OFFICIAL = Claim(
    id="estimators.importance-sampled-reinforce",
    title="The official importance-sampled REINFORCE estimator (weights up to t, full reward-to-go) is unbiased",
    source="seed 004 §3.2.2 (official solution)",
    statement=(
        r"$\nabla_\theta J(\theta) = \mathbb E_{\tau\sim\pi_{\theta'}}\Bigl[\sum_t\nabla_\theta\log\pi_\theta(a_t|s_t)"
        r"\bigl(\prod_{t'\le t}\rho_{t'}\bigr)\sum_{t'\ge t}r(s_{t'}, a_{t'})\Bigr]$."
    ),
    assumptions=IS_ASSUMPTIONS,
    derivation=D.importance_sampling_derivation(),
    candidate=Formula(r"\mathbb E_{\theta'}[\text{official estimator}]", partial(C.estimator_mean, rule="official")),
    checks=IS_CHECKS,
    expected="refuted",
    corrected_by="estimators.importance-sampled-reinforce-corrected",
    notes=(
        r"Biased once $T \ge 2$ and the next state depends on the action: the reward $r_{t'}$, $t' > t$, is "
        r"weighted by $\prod_{t''\le t}\rho_{t''}$ only, so the actions after $t$ keep the behaviour "
        r"policy's law. Unbiased versions: weights $\prod_{t''\le t'}\rho_{t''}$ on each reward "
        r"(per-decision), or the full-trajectory weight."
    ),
)

IS_CORRECTED = Claim(
    id="estimators.importance-sampled-reinforce-corrected",
    title="Per-decision importance-sampled REINFORCE is unbiased",
    source="seed 004 §3.2.2 (corrected)",
    statement=(
        r"$\nabla_\theta J = \mathbb E_{\theta'}\bigl[\sum_t\nabla\log\pi_\theta(a_t|s_t)\sum_{t'\ge t}r_{t'}"
        r"\prod_{t''\le t'}\rho_{t''}\bigr]$."
    ),
    assumptions=IS_ASSUMPTIONS,
    derivation=D.importance_sampling_derivation(),
    candidate=Formula(r"\mathbb E_{\theta'}[\text{per-decision estimator}]", partial(C.estimator_mean, rule="per-decision")),
    checks=IS_CHECKS,
    mutants=(
        Mutant("official-solution", r"weights $\prod_{t'\le t}\rho_{t'}$ on the whole reward-to-go",
               Formula(r"\text{official}", partial(C.estimator_mean, rule="official"))),
        Mutant("no-importance-weights", r"plain REINFORCE on behaviour samples",
               Formula(r"\text{unweighted}", partial(C.estimator_mean, rule="unweighted"))),
    ),
)

IS_FULL = Claim(
    id="estimators.importance-sampled-reinforce-full-trajectory",
    title="Full-trajectory importance-sampled REINFORCE is unbiased",
    source="seed 004 §3.2.2 (corrected)",
    statement=r"$\nabla_\theta J = \mathbb E_{\theta'}\bigl[\prod_t\rho_t\sum_t\nabla\log\pi_\theta(a_t|s_t)\sum_{t'}r_{t'}\bigr]$.",
    assumptions=IS_ASSUMPTIONS,
    derivation=D.importance_sampling_derivation(),
    candidate=Formula(r"\mathbb E_{\theta'}[\text{full-trajectory estimator}]",
                      partial(C.estimator_mean, rule="full-trajectory")),
    checks=IS_CHECKS,
    mutants=(
        Mutant("official-solution", r"weights $\prod_{t'\le t}\rho_{t'}$ on the whole reward-to-go",
               Formula(r"\text{official}", partial(C.estimator_mean, rule="official"))),
    ),
)

GS_LIMIT = Claim(
    id="estimators.gumbel-softmax-limit",
    title="Gumbel-softmax samples approach one-hot(argmax): ||y - e||_1 <= 2(k-1) exp(-gap/tau)",
    source="seed 003 (Gumbel-softmax)",
    statement=(
        r"For $z = \log p + G$ and $y_\tau = \mathrm{softmax}(z/\tau)$: $\|y_\tau - e_{\arg\max z}\|_1 \le "
        r"2(k-1)e^{-\Delta/\tau}$ with $\Delta$ the gap between the two largest $z_j$; so $y_\tau \to$ the "
        r"Gumbel-max sample as $\tau\to0$."
    ),
    assumptions=(r"$k \ge 2$ categories; $\Delta > 0$ (true almost surely)",),
    derivation=D.gumbel_softmax_derivation(),
    candidate=Formula(r"2(k-1)e^{-\Delta/\tau}", C.gs_bound),
    checks=(
        BoundCheck(oracle=P.gs_distance, strategy=P.gs_points, sense="upper",
                   description="the softmax computed directly, over draws z and temperatures"),
    ),
    mutants=(
        Mutant("factor-two-dropped", r"$(k-1)e^{-\Delta/\tau}$", Formula(r"(k-1)e^{-\Delta/\tau}", partial(C.gs_bound, variant="factor-two-dropped"))),
        Mutant("tau-multiplies", r"$2(k-1)e^{-\Delta\tau}$", Formula(r"2(k-1)e^{-\Delta\tau}", partial(C.gs_bound, variant="tau-multiplies"))),
    ),
)

GS_MEAN = Claim(
    id="estimators.gumbel-softmax-mean",
    title="As often assumed: the Gumbel-softmax sample mean is p for every temperature",
    source="seed 003 (Gumbel-softmax, 'equivalent to the softmax over sampled points')",
    statement=r"$\mathbb E[\mathrm{softmax}((\log p + G)/\tau)] = p$ for $\tau > 0$.",
    assumptions=(r"$k = 2$, $p_1 \in (0, 1)$, $\tau > 0$",),
    derivation=D.gumbel_softmax_derivation(),
    candidate=Formula(r"p_1", C.gs_mean_assumed),
    checks=(
        NumericIdentity(reference=P.gs_mean_first, strategy=P.two_categories, tolerance_key="quadrature",
                        description="E[y_1] by quadrature over the logistic difference of two Gumbels"),
    ),
    expected="refuted",
    corrected_by="estimators.gumbel-softmax-limit",
    notes=(
        r"Only $\tau \to 0$ recovers $p$ (and $p = (\frac12, \frac12)$ by symmetry). Counterexample: "
        r"$p = (\frac14, \frac34)$, $\tau = 1$: $\mathbb E[y_1] \approx 0.3240 \ne 0.25$ (quadrature; Monte Carlo with $4\cdot10^6$ draws gives $0.3239 \pm 0.0001$)."
    ),
)

CLAIMS = (BASELINE, GUMBEL, REPARAM, IS_OFFICIAL, IS_CORRECTED, IS_FULL, GS_LIMIT, GS_MEAN)
