r"""Optimisation dynamics (seed 000): steps under a reparameterization, momentum as an average.

Oracles: the implicit parameterization evaluated by linear solves
(:func:`verify.oracles.implicit.theta_hat`), gradients of the composite loss by complex
step, and the momentum recursion simulated step by step with complex-step gradients of
:math:`f`. Nothing here evaluates the derived Jacobian or Hessian to check themselves.
"""

from __future__ import annotations

import math
from functools import partial
from itertools import product
from typing import NamedTuple

import mpmath
import numpy as np
from hypothesis import strategies as st

from derivations import bellman as B
from derivations import dynamics as D
from derivations.implicit import jacobian as implicit_jacobian

from .. import strategies as S
from ..checks import AsymptoticCheck, CountCheck
from ..model import Claim, Formula, Mutant
from ..numerics import complex_step_jacobian
from ..oracles import implicit as OI
from ..oracles import mdp as O
from ..tolerances import EPS

__all__ = ["CLAIMS"]


class FlowPoint(NamedTuple):
    psi: np.ndarray  #: [w (2), F (2x2) row-major]
    eta: float
    y: np.ndarray  #: L(theta) = 1/2 ||theta - y||^2

    def readable(self) -> dict:
        return {"w": self.psi[:2].tolist(), "F": self.psi[2:].reshape(2, 2).tolist(), "eta": self.eta, "y": self.y.tolist()}


def _flow_points():
    vec = lambda k, lo, hi: st.lists(S.grid_values(lo, hi), min_size=k, max_size=k).map(np.asarray)  # noqa: E731
    return st.builds(lambda w, F, eta, y: FlowPoint(np.concatenate([w, F]), eta, y),
                     vec(2, -2, 2), vec(4, -2, 2), st.sampled_from((0.0, 0.3, 0.6, 0.9)), vec(2, -3, 3))


def _loss_gradient_psi(p):
    """grad_psi L(theta_hat(psi)) by complex step of the composite (primitive solve)."""
    f = lambda X: (0.5 * ((OI.theta_hat(X, eta=p.eta) - p.y) ** 2).sum(axis=1))[:, None]  # noqa: E731
    J, _ = complex_step_jacobian(f, p.psi)
    return J[0]


def _step_terms(p, *, variant="derived"):
    """Derived first- and second-order terms of theta(psi - h v) - theta(psi), v = J^T grad L."""
    theta = OI.theta_hat(p.psi[None], eta=p.eta)[0]
    J_w, J_F = implicit_jacobian(p.psi[:2], p.psi[2:].reshape(2, 2), p.eta)  # the IFT Jacobian, derived once
    J = np.hstack([J_w, J_F.reshape(2, 4)])
    grad = theta - p.y
    v = J.T @ grad
    _, curv = D.implicit_step_terms(p.psi, p.eta, v)
    first = -J @ v
    if variant == "unpreconditioned":
        first = -grad
    if variant == "straight":
        curv = np.zeros_like(curv)
    if variant == "no-half":
        curv = 2.0 * curv
    return {"first": first, "second": 0.5 * curv}


def _step_remainder(candidate, p, hs, *, order, precise=False):
    """|| theta(psi - h grad_psi L) - theta(psi) - (h first + h^2 second [order 3]) ||; floor from roundoff.

    With ``precise=True`` the primitive side (theta and grad_psi L) is evaluated at 60 digits
    (mpmath solves and central differences); the floor is then only the float64 roundoff of the
    candidate's own terms, which shrinks with h, so the ladder can go much deeper."""
    terms = candidate.numeric(p)
    g = _loss_gradient_psi(p)
    h_scale = 0.2 / (1.0 + np.abs(g).max())
    if precise:
        return _step_remainder_mp(terms, p, hs * h_scale, order)
    theta0 = OI.theta_hat(p.psi[None], eta=p.eta)[0]
    rem, floor = [], []
    for h in hs * h_scale:
        moved = OI.theta_hat((p.psi - h * g)[None], eta=p.eta)[0] - theta0
        pred = h * terms["first"]
        if order == 3:
            pred = pred + h * h * terms["second"]
        rem.append(np.linalg.norm(moved - pred))
        floor.append(1e3 * EPS * (1.0 + np.abs(theta0).max()) / (1.0 - p.eta))
    return np.array(rem), np.array(floor)


def _step_remainder_mp(terms, p, hs, order, dps=60):
    with mpmath.workdps(dps):
        psi = [mpmath.mpf(float(v)) for v in p.psi]
        theta0 = OI.theta_hat_mp(psi, eta=p.eta)
        J = OI.jacobian_oracle_mp(p.psi, eta=p.eta, dps=dps)
        r = [t - float(y) for t, y in zip(theta0, p.y)]
        g = [mpmath.fsum(J[i][k] * r[i] for i in range(len(r))) for k in range(len(psi))]
        first = [mpmath.mpf(float(v)) for v in terms["first"]]
        second = [mpmath.mpf(float(v)) for v in terms["second"]]
        big1, big2 = float(np.abs(terms["first"]).max()), float(np.abs(terms["second"]).max())
        rem, floor = [], []
        for h in hs:
            hm = mpmath.mpf(float(h))
            moved = OI.theta_hat_mp([a - hm * b for a, b in zip(psi, g)], eta=p.eta)
            res = [m - t0 - hm * f1 - (hm * hm * f2 if order == 3 else 0)
                   for m, t0, f1, f2 in zip(moved, theta0, first, second)]
            rem.append(float(mpmath.sqrt(mpmath.fsum(x * x for x in res))))
            # the candidate's terms are float64 (relative error <= 1e3 eps cond(A), cond <= 2/(1-eta))
            floor.append(1e3 * EPS / (1.0 - p.eta) * (h * big1 + h * h * big2))
    return np.array(rem), np.array(floor)


FLOW = Claim(
    id="dynamics.gradient-flow-reparameterization",
    title="theta = g(psi): gradient flow in psi moves theta by -J J^T grad L; a step in psi is curved in theta",
    source="seed 000 (topology and dynamics; 'a linear step ... is not necessarily a linear step')",
    statement=(r"$\dot\theta = -J_gJ_g^\top\nabla L(\theta)$ under $\dot\psi = -\nabla_\psi L$, and "
               r"$g(\psi - hv) - g(\psi) = -hJ_gv + \frac{h^2}{2}D^2g[v,v] + O(h^3)$ with a non-zero $h^2$ term."),
    assumptions=(r"$g$ the implicit parameterization $(I - \eta\sigma(F))^{-1}w$, $n = 2$; $L = \frac12\|\theta - y\|^2$",),
    derivation=D.gradient_flow_derivation(),
    candidate=Formula(r"-J_gJ_g^\top\nabla L,\ \tfrac12D^2g[v,v]", _step_terms),
    checks=(
        AsymptoticCheck(remainder=partial(_step_remainder, order=2), strategy=_flow_points, order=2.0, steps=8,
                        description="gradient step in psi (complex-step gradient, linear solves) vs the first-order term"),
        AsymptoticCheck(remainder=partial(_step_remainder, order=3), strategy=_flow_points, order=3.0, steps=8,
                        max_steps=30, precise=True,
                        description="the same step vs first plus second-order terms: remainder O(h^3)"),
    ),
    mutants=(
        Mutant("unpreconditioned", r"$\dot\theta = -\nabla L(\theta)$", Formula(r"-\nabla L", partial(_step_terms, variant="unpreconditioned"))),
        Mutant("straight-step", r"no $h^2$ term (a straight step in $\theta$)", Formula(r"0", partial(_step_terms, variant="straight"))),
        Mutant("no-half", r"$h^2D^2g[v,v]$ without the $\frac12$", Formula(r"h^2D^2g", partial(_step_terms, variant="no-half"))),
    ),
)


# --- momentum -------------------------------------------------------------------------


class MomentumPoint(NamedTuple):
    a: np.ndarray  #: f(w) = sum_i c_i log cosh(w_i - a_i) + q/2 |w|^2
    c: np.ndarray
    q: float
    w0: np.ndarray
    gamma: float
    T: float

    def readable(self) -> dict:
        return {"a": self.a.tolist(), "c": self.c.tolist(), "q": self.q, "w0": self.w0.tolist(),
                "gamma": self.gamma, "T": self.T}


def _momentum_points():
    vec = lambda lo, hi: st.lists(S.grid_values(lo, hi), min_size=2, max_size=2).map(np.asarray)  # noqa: E731
    return st.builds(MomentumPoint, vec(-2, 2), vec(0.25, 2), S.grid_values(0.0, 1.0), vec(-2, 2),
                     st.sampled_from((0.5, 0.75, 0.9)), st.sampled_from((0.5, 1.0)))


def _momentum_candidate(p, *, rule="ema"):
    return D.momentum_coefficients(rule, p.gamma)


def _momentum_remainder(candidate, p, hs):
    r"""|(1-gamma) m_{t+1} - grad f(w_t)| at t = ceil(T/eta), simulated from the average's steady
    state m_0 = grad f(w_0)/(1 - gamma) (from m_0 = 0 a start-up transient gamma^{t+1} adds to the
    O(eta) lag and dominates unless T/eta >> 1/(1 - gamma)).

    The ladder starts at eta_0 = 0.05 (1 - gamma) / L, L = q + max c the Lipschitz constant of
    grad f: the lag is gamma/(1 - gamma) steps over which grad f moves by ~eta L |grad f|, so the
    relative size of the next-order term is ~eta L / (1 - gamma) and eta_0 puts the first rung in
    the asymptotic regime. Scalar float loops on the gradient of the primitive f (the simulated
    system's definition, not the rule under test)."""
    a_m, a_g = candidate.numeric(p)
    lip = p.q + float(np.max(p.c))
    eta0 = 0.05 * (1.0 - p.gamma) / lip
    a, c, q, gamma = [float(x) for x in p.a], [float(x) for x in p.c], float(p.q), float(p.gamma)

    def grad(w):
        return [c[i] * math.tanh(w[i] - a[i]) + q * w[i] for i in range(2)]

    rem, floor = [], []
    for h in hs:
        eta = eta0 * float(h)
        w = [float(x) for x in p.w0]
        m = [gi / (1.0 - gamma) for gi in grad(w)]
        step = eta * (1.0 - gamma)
        for _ in range(int(np.ceil(p.T / eta))):
            g = grad(w)
            m = [a_m * m[i] + a_g * g[i] for i in range(2)]
            w = [w[i] - step * m[i] for i in range(2)]
        # the last m was built from the gradient at the previous w: compare with that one
        rem.append(math.hypot(*[(1.0 - gamma) * m[i] - g[i] for i in range(2)]))
        floor.append(1e3 * EPS * (1.0 + max(abs(x) for x in g)) * p.T / eta)
    return np.array(rem), np.array(floor)


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
    candidate=Formula(r"m_{t+1} = m_t + \gamma\nabla f(w_t)", partial(_momentum_candidate, rule="as-written")),
    checks=(AsymptoticCheck(remainder=_momentum_remainder, strategy=_momentum_points, order=1.0, steps=5, max_steps=10,
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
    candidate=Formula(r"m_{t+1} = \gamma m_t + \nabla f(w_t)", partial(_momentum_candidate, rule="ema")),
    checks=MOMENTUM_AS_WRITTEN.checks,
    mutants=(
        Mutant("normalised-ema", r"$m_{t+1} = \gamma m_t + (1-\gamma)\nabla f$ (then $m$, not $(1-\gamma)m$, tracks $\nabla f$)",
               Formula(r"\gamma m + (1-\gamma)\nabla f", partial(_momentum_candidate, rule="normalised-ema"))),
        Mutant("as-written", r"$m_{t+1} = m_t + \gamma\nabla f$ (the seed's)",
               Formula(r"m + \gamma\nabla f", partial(_momentum_candidate, rule="as-written"))),
    ),
    notes=r"The lag of the average is $\gamma/(1-\gamma)$ steps (SymPy), each of size $O(\eta)$; the start-up transient $\gamma^{t+1}$ is exponentially small in $T/\eta$.",
)

# --- counting policies -----------------------------------------------------------


def _count_policies(p):
    return len(O.all_deterministic_policies(*p))


def _count_candidate(p, *, variant="derived"):
    s, a = p
    return {"swapped": s**a, "product": s * a}.get(variant, B.policy_count(s, a))


COUNT = Claim(
    id="dynamics.policy-count",
    title="There are |A|^|S| deterministic policies",
    source="seed 000 (search spaces)",
    statement=r"The deterministic stationary policies of a finite MDP number $|A|^{|S|}$.",
    assumptions=(r"$1 \le |S| \le 6$, $1 \le |A| \le 4$",),
    derivation=B.policy_count_derivation(),
    candidate=Formula(r"|A|^{|S|}", _count_candidate),
    checks=(CountCheck(_count_policies, None, examples=tuple(product(range(1, 7), range(1, 5))),
                       description="enumerate every action assignment, at every (|S|, |A|) of the domain"),),
    mutants=(
        Mutant("swapped", r"$|S|^{|A|}$", Formula(r"|S|^{|A|}", partial(_count_candidate, variant="swapped"))),
        Mutant("product", r"$|S||A|$", Formula(r"|S||A|", partial(_count_candidate, variant="product"))),
    ),
)

CLAIMS = (FLOW, MOMENTUM_AS_WRITTEN, MOMENTUM, COUNT)
