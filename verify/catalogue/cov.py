r"""Claims about vec/Kronecker and the ELBO decomposition (seeds 002, 004 §2.1)."""

from __future__ import annotations

from functools import partial

from derivations import cov as D

from ..candidates import cov as C
from ..checks import AsymptoticCheck, BoundCheck, MonteCarloCheck, NumericIdentity, SymbolicIdentity
from ..model import Claim, Formula, Mutant
from ..probes import cov as P

__all__ = ["CLAIMS"]


VEC_KRON = Claim(
    id="cov.vec-kronecker",
    title="vec(AXB) = (B^T kron A) vec(X) with column-stacking vec",
    source="seed 002 (vec operator), standard identity",
    statement=r"$\operatorname{vec}(AXB) = (B^\top\otimes A)\operatorname{vec}(X)$, $\operatorname{vec}$ stacking columns.",
    assumptions=(r"$A\in\mathbb{R}^{m\times n}$, $X\in\mathbb{R}^{n\times p}$, $B\in\mathbb{R}^{p\times q}$",),
    derivation=D.vec_kronecker_derivation(),
    candidate=Formula(r"(B^\top\otimes A)\operatorname{vec}(X)", C.kv, D.kron_vec_sym),
    checks=(
        SymbolicIdentity(reference=D.vec_of_product_sym, sizes=((2, 2, 2, 2), (1, 2, 3, 2), (2, 3, 2, 1))),
        NumericIdentity(reference=P.vec_of_product, strategy=P.triples,
                        description="integer matrices of sizes 1..4"),
    ),
    mutants=(
        Mutant("row-stacking-formula", r"$(A\otimes B^\top)\operatorname{vec}(X)$",
               Formula(r"(A\otimes B^\top)\operatorname{vec}(X)", C.kv_row_stacking_formula,
                       C.kv_row_stacking_formula_sym)),
        Mutant("vec-X-by-rows", r"$(B^\top\otimes A)\operatorname{vec}_r(X)$",
               Formula(r"(B^\top\otimes A)\operatorname{vec}_r(X)", C.kv_vec_rows)),
    ),
)

ELBO = Claim(
    id="cov.elbo-decomposition",
    title="log p(x) = E_q[log p(z)] + E_q[log p(x|z)/q(z|x)] + KL(q(z|x) || p(z|x))",
    source="seed 004 §2.1, eq. (2.1)",
    statement=(
        r"$\log p(x) = \mathbb E_q[\log p(z)] + \mathbb E_q[\log\frac{p(x|z)}{q(z|x)}] + "
        r"\mathbb E_q[\log\frac{q(z|x)}{p(z|x)}]$; the last term (the gap) is $\ge 0$."
    ),
    assumptions=(r"finite latent space; $q(z|x) > 0$ only where $p(z|x) > 0$",),
    derivation=D.elbo_derivation(),
    candidate=Formula(r"\mathbb E_q[\log p(z)] + \mathbb E_q[\log\frac{p(x|z)}{q}] + \mathrm{KL}(q\|p(z|x))", C.elbo_candidate),
    checks=(
        NumericIdentity(reference=P.log_evidence, reference_mp=P.log_evidence_mp, strategy=P.latent,
                        description="random finite latent models with rational probabilities; log p(x) by marginalising"),
    ),
    mutants=(
        Mutant("reversed-kl", r"gap $\mathrm{KL}(p(z|x)\,\|\,q)$", Formula(r"\mathrm{KL}(p\|q)", partial(C.elbo_candidate, variant="reversed-kl"))),
        Mutant("prior-dropped", r"$\mathbb E_q[\log p(z)]$ left out", Formula(r"\cdots", partial(C.elbo_candidate, variant="prior-dropped"))),
    ),
)

COMPOSITION = Claim(
    id="cov.composition-bound",
    title="log p(x) >= E_q[log p(z) + sum_t V_t] for bijective and stochastic layers, equality at the exact posterior",
    source="seed 004 §2.3",
    statement=(
        r"For $f = f_T\circ\cdots\circ f_1$ with bijective ($\mathcal V_t = \log|\det\partial f_t|^{-1}$) and "
        r"stochastic ($\mathcal V_t = \log\frac{p_t(x|z)}{q_t(z|x)}$) layers, "
        r"$\log p(x) \ge \mathbb E_q[\log p(z) + \sum_t\mathcal V_t]$, with equality when every $q_t$ is the exact posterior."
    ),
    assumptions=(r"Gaussian instance: $z\sim N(0,1)$, $y = az + b$, $x|y\sim N(y, s^2)$, $q(y|x) = N(m, v)$",),
    derivation=D.composition_bound_derivation(),
    candidate=Formula(r"\mathbb E_q[\log p(z) + \textstyle\sum_t\mathcal V_t]", C.bound_candidate),
    checks=(
        BoundCheck(oracle=P.log_evidence_gauss, strategy=P.chains, coordinates=P.chain_coordinates, effort=2,
                   description="log p(x) in closed form (x ~ N(b, a^2 + s^2)); search over encoders"),
    ),
    mutants=(
        Mutant("log-det-sign-flipped", r"$\mathcal V_{\rm bij} = +\log|\det\partial f|$",
               Formula(r"+\log|a|", C.bound_logdet_sign_flipped)),
    ),
)

POINTWISE = Claim(
    id="cov.composition-bound-pointwise",
    title="As written: log p(x) >= log p(z) + sum_t V_t for a sampled z ~ q",
    source="seed 004 §2.3 (official solution, z ~ q_t(z|x) inside V_t)",
    statement=r"$\log p(x) \ge \log p(z) + \sum_t\mathcal V_t$ with $z \sim q(z|x)$ a single sample.",
    assumptions=(r"Gaussian instance as in \texttt{cov.composition-bound}",),
    derivation=D.composition_bound_derivation(),
    candidate=Formula(r"\log p(z) + \textstyle\sum_t\mathcal V_t(z)", C.pointwise_candidate),
    checks=(
        BoundCheck(oracle=P.log_evidence_gauss, strategy=P.chains,
                   description="log p(x) in closed form against the single-sample value"),
    ),
    expected="refuted",
    corrected_by="cov.composition-bound",
    notes=(
        r"With a stochastic layer, $\mathcal V_t$ depends on the sample; $\log p(z) + \sum_t\mathcal V_t = "
        r"\log p(x) + \log\frac{p(z|x)}{q(z|x)}$ exceeds $\log p(x)$ wherever $q(z|x) < p(z|x)$. "
        r"The bound holds in expectation over $q$ (the corrected claim)."
    ),
)

DIRAC = Claim(
    id="cov.dirac-delta-composition",
    title="int delta(g(z)) h(z) dz = h(z0)/|det dg/dz(z0)| (nascent Gaussian deltas, rate eps^2; 1-D and 2-D)",
    source="seed 004 §2.2, eq. (2.3)",
    statement=r"$\int\delta(g(z))h(z)\,dz = h(z_0)/|\det\partial g/\partial z(z_0)|$ for bijective $g$ with root $z_0$; with $\delta_\varepsilon = N(0,\varepsilon^2 I)$ the error is $O(\varepsilon^2)$.",
    assumptions=(r"1-D: $g(z) = a(z-c) + b\tanh(z-c)$ with $ab \ge 0$, $a \ne 0$; $h(z) = (1+qz^2)e^{-z^2/2}$",
                 r"2-D: $g(z) = M(u + b\odot\tanh u)$, $u = z - c$, $b \ge 0$, $\kappa(M) \le 6$; $h(z) = (1+qz_1z_2)e^{-\|z\|^2/2}$"),
    derivation=D.dirac_composition_derivation(),
    candidate=Formula(r"h(z_0)/|\det\partial g/\partial z(z_0)|", C.dirac_candidate),
    checks=(
        AsymptoticCheck(remainder=P.dirac_remainder, strategy=P.deltas, order=2.0, steps=8,
                        description="1-D: adaptive quadrature of the nascent-delta integral; slope of the error in eps"),
        AsymptoticCheck(remainder=P.dirac_remainder, strategy=P.deltas2, order=2.0, steps=8,
                        description="2-D: tensor Gauss-Legendre quadrature of the nascent-delta integral; slope in eps"),
    ),
    mutants=(
        Mutant("absolute-value-dropped", r"$h(z_0)/\det\partial g/\partial z$",
               Formula(r"h/\det J", partial(C.dirac_mutant, variant="no-abs"))),
        Mutant("times-jacobian", r"$h(z_0)\,|\det\partial g/\partial z|$",
               Formula(r"h|\det J|", partial(C.dirac_mutant, variant="times-jacobian"))),
        Mutant("diagonal-only", r"$h(z_0)/|\prod_i(\partial g/\partial z)_{ii}|$ (coupling ignored)",
               Formula(r"h/|\prod_i J_{ii}|", partial(C.dirac_mutant, variant="diagonal-only"))),
    ),
)

FLOW = Claim(
    id="cov.flow-log-density",
    title="log p_X(x) = log p_Z(f^-1(x)) - log|det df/dz|, log-dets of composed layers add",
    source="seed 004 §2.2, eq. (2.2)",
    statement=(
        r"For a bijective flow $f = f_L\circ\cdots\circ f_1$ and $Z\sim N(0, I)$, $\log p_X(x) = \log p_Z(f^{-1}(x)) - "
        r"\sum_l\log|\det J_{f_l}|$, each Jacobian at its layer's input."
    ),
    assumptions=(r"$d \in \{1, 2\}$; up to three layers: invertible affine maps ($|\det A| \ge 0.1$, $\kappa(A) \le 50$), "
                 r"elementwise $\sinh$, planar $u + v\tanh(w^\top u+b)$ ($w^\top v > -1$), radial "
                 r"$u + \beta(u-z_0)/(\alpha+\|u-z_0\|)$ ($\beta > -\alpha$)",),
    derivation=D.flow_derivation(),
    candidate=Formula(r"\log p_Z(f^{-1}(x)) - \sum_l\log|\det J_l|", C.flow_any),
    checks=(
        NumericIdentity(reference=P.flow_reference, strategy=P.flows, part="logpdf",
                        description="against the complex-step Jacobian of the forward flow at f^-1(x)"),
        NumericIdentity(reference=P.box_reference, strategy=partial(P.flows, dims=(1,)), part="box",
                        tolerance_key="quadrature", max_examples=30,
                        description="1-D box probabilities: quadrature of the density vs the normal CDF at f^-1"),
        MonteCarloCheck(sample=P.box_indicators, value_range=P.unit_interval, strategy=partial(P.flows, dims=(2,)),
                        samples=1_000_000, part="box2", error_part="box2_error", max_examples=12,
                        description="2-D box probabilities: quadrature of the density vs 1e6 simulated f(Z); "
                                    "false-failure rate 1e-9 per point, detects a box-mass error above ~0.01"),
    ),
    mutants=(
        Mutant("log-det-sign-flipped", r"$+\sum_l\log|\det J_l|$",
               Formula(r"+\log|\det J|", partial(C.flow_any, log_density=C.flow_log_density_sign_flipped))),
        Mutant("jacobian-at-output", r"$\sinh$ log-det evaluated at the layer's output",
               Formula(r"\log\cosh(\sinh u)", partial(C.flow_any, log_density=C.flow_log_density_jacobian_at_output))),
        Mutant("radial-power-off-by-one", r"radial layer: $(1+\beta h)^{d}$ instead of $(1+\beta h)^{d-1}$",
               Formula(r"d\log(1+\beta h)", partial(C.flow_any, log_density=C.flow_log_density_radial_power_d))),
    ),
    notes=r"The 2-D box test compares a quadrature of the derived density with a simulation of $f(Z)$; it states its false-failure rate ($10^{-9}$ per point) and its detectable discrepancy in the report.",
)

CLAIMS = (VEC_KRON, ELBO, COMPOSITION, POINTWISE, DIRAC, FLOW)
