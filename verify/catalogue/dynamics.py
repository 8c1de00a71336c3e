r"""Optimisation dynamics (seed 000): steps under a reparameterization, momentum as an average.

Oracles: the implicit parameterization evaluated by linear solves
(:func:`verify.oracles.implicit.theta_hat`), gradients of the composite loss by complex
step, and the momentum recursion simulated step by step with complex-step gradients of
:math:`f`. Nothing here evaluates the derived Jacobian or Hessian to check themselves.
"""

from __future__ import annotations

from functools import partial
from itertools import product

from derivations import bellman as B
from derivations import dynamics as D

from ..candidates import dynamics as C
from ..checks import AsymptoticCheck, CountCheck
from ..model import Claim, Formula, Mutant
from ..probes import dynamics as P

__all__ = ["CLAIMS"]


FLOW = Claim(
    id="dynamics.gradient-flow-reparameterization",
    title="theta = g(psi): gradient flow in psi moves theta by -J J^T grad L; a step in psi is curved in theta",
    source="seed 000 (topology and dynamics; 'a linear step ... is not necessarily a linear step')",
    statement=(r"$\dot\theta = -J_gJ_g^\top\nabla L(\theta)$ under $\dot\psi = -\nabla_\psi L$, and "
               r"$g(\psi - hv) - g(\psi) = -hJ_gv + \frac{h^2}{2}D^2g[v,v] + O(h^3)$ with a non-zero $h^2$ term."),
    assumptions=(r"$g$ the implicit parameterization $(I - \eta\sigma(F))^{-1}w$, $n = 2$; $L = \frac12\|\theta - y\|^2$",),
    derivation=D.gradient_flow_derivation(),
    candidate=Formula(r"-J_gJ_g^\top\nabla L,\ \tfrac12D^2g[v,v]", C.step_terms),
    checks=(
        AsymptoticCheck(remainder=partial(P.step_remainder, order=2), strategy=P.flow_points, order=2.0, steps=8,
                        description="gradient step in psi (complex-step gradient, linear solves) vs the first-order term"),
        AsymptoticCheck(remainder=partial(P.step_remainder, order=3), strategy=P.flow_points, order=3.0, steps=8,
                        max_steps=30, precise=True,
                        description="the same step vs first plus second-order terms: remainder O(h^3)"),
    ),
    mutants=(
        Mutant("unpreconditioned", r"$\dot\theta = -\nabla L(\theta)$", Formula(r"-\nabla L", partial(C.step_terms, variant="unpreconditioned"))),
        Mutant("straight-step", r"no $h^2$ term (a straight step in $\theta$)", Formula(r"0", partial(C.step_terms, variant="straight"))),
        Mutant("no-half", r"$h^2D^2g[v,v]$ without the $\frac12$", Formula(r"h^2D^2g", partial(C.step_terms, variant="no-half"))),
    ),
)


# --- momentum -------------------------------------------------------------------------

_MOMENTUM_STATEMENT = r"As $\eta \to 0$ with $t\eta = T$ fixed, $(1-\gamma)m_{t+1} \to \nabla f(w_t)$ at rate $O(\eta)$"

MOMENTUM_AS_WRITTEN = Claim(
    id="dynamics.momentum-ema-limit",
    title="Seed 000 eqs. (10)-(11): (1 - gamma) m_{t+1} -> grad f(w_t) as eta -> 0, with m_{t+1} = m_t + gamma grad f [false]",
    source="seed 000, eqs. (10)–(12)",
    statement=(r"With $m_{t+1} = m_t + \gamma\nabla f(w_t)$, $w_{t+1} = w_t - \eta(1-\gamma)m_{t+1}$: "
               r"$(1-\gamma)m_{t+1} \to \nabla f(w_t)$ as $\eta \to 0$."),
    assumptions=(r"$f(w) = \sum_ic_i\log\cosh(w_i - a_i) + \frac q2\|w\|^2$, $w\in\mathbb R^2$; "
                 r"$m_0 = \nabla f(w_0)/(1-\gamma)$ (the average at rest; from $m_0 = 0$ add a transient $\gamma^{t+1}$); "
                 r"$t = \lceil T/\eta\rceil$",),
    derivation=D.momentum_derivation(),
    candidate=Formula(r"m_{t+1} = m_t + \gamma\nabla f(w_t)", partial(C.momentum_candidate, rule="as-written")),
    checks=(AsymptoticCheck(remainder=P.momentum_remainder, strategy=P.momentum_points, order=1.0, steps=5, max_steps=10,
                            description="simulate the recursion; |(1-gamma) m - grad f| must shrink like eta"),),
    expected="refuted",
    corrected_by="dynamics.momentum-ema-limit-corrected",
    notes=(r"As written, $m$ sums every gradient: $(1-\gamma)m_{t+1} \approx (1-\gamma)\gamma(t+1)\nabla f$, which "
           r"grows as $\eta \to 0$. Smallest counterexample: $f(w) = w$, $m_0 = 0$, $t = 0$, $\gamma = \frac12$: "
           r"$(1-\gamma)m_1 = \frac14 \ne 1 = \nabla f$, for every $\eta$. Corrected: $m_{t+1} = \gamma m_t + \nabla f(w_t)$."),
)

MOMENTUM = Claim(
    id="dynamics.momentum-ema-limit-corrected",
    title="With m_{t+1} = gamma m_t + grad f(w_t): (1 - gamma) m_{t+1} - grad f(w_t) = O(eta) at fixed T = t eta",
    source="seed 000, eqs. (10)–(12), corrected",
    statement=_MOMENTUM_STATEMENT + r" for $m_{t+1} = \gamma m_t + \nabla f(w_t)$, $w_{t+1} = w_t - \eta(1-\gamma)m_{t+1}$.",
    assumptions=MOMENTUM_AS_WRITTEN.assumptions,
    derivation=D.momentum_derivation(),
    candidate=Formula(r"m_{t+1} = \gamma m_t + \nabla f(w_t)", partial(C.momentum_candidate, rule="ema")),
    checks=MOMENTUM_AS_WRITTEN.checks,
    mutants=(
        Mutant("normalised-ema", r"$m_{t+1} = \gamma m_t + (1-\gamma)\nabla f$ (then $m$, not $(1-\gamma)m$, tracks $\nabla f$)",
               Formula(r"\gamma m + (1-\gamma)\nabla f", partial(C.momentum_candidate, rule="normalised-ema"))),
        Mutant("as-written", r"$m_{t+1} = m_t + \gamma\nabla f$ (the seed's)",
               Formula(r"m + \gamma\nabla f", partial(C.momentum_candidate, rule="as-written"))),
    ),
    notes=r"The lag of the average is $\gamma/(1-\gamma)$ steps (SymPy), each of size $O(\eta)$; the start-up transient $\gamma^{t+1}$ is exponentially small in $T/\eta$.",
)


# --- counting policies -----------------------------------------------------------

COUNT = Claim(
    id="dynamics.policy-count",
    title="There are |A|^|S| deterministic policies",
    source="seed 000 (search spaces)",
    statement=r"The deterministic stationary policies of a finite MDP number $|A|^{|S|}$.",
    assumptions=(r"$1 \le |S| \le 6$, $1 \le |A| \le 4$",),
    derivation=B.policy_count_derivation(),
    candidate=Formula(r"|A|^{|S|}", C.count_candidate),
    checks=(CountCheck(P.count_policies, None, examples=tuple(product(range(1, 7), range(1, 5))),
                       description="enumerate every action assignment, at every (|S|, |A|) of the domain"),),
    mutants=(
        Mutant("swapped", r"$|S|^{|A|}$", Formula(r"|S|^{|A|}", partial(C.count_candidate, variant="swapped"))),
        Mutant("product", r"$|S||A|$", Formula(r"|S||A|", partial(C.count_candidate, variant="product"))),
    ),
)

CLAIMS = (FLOW, MOMENTUM_AS_WRITTEN, MOMENTUM, COUNT)
