r"""Gradient estimators: the variance-minimising REINFORCE baseline (004 §3.2.1), the
Gumbel-max trick and the reparameterization gradient (seed 003).

* Baseline: for one gradient component :math:`g = \partial_{\theta_k}\log\pi_\theta(\tau)` and
  return :math:`R`, :math:`\mathrm{Var}[g(R - b)]` is minimised by
  :math:`b^* = \mathbb E[g^2R]/\mathbb E[g^2]` (second derivative :math:`2\mathbb E[g^2] > 0`), and
  :math:`\mathbb E[g(R - b)] = \mathbb E[gR]` for every constant ``b`` because :math:`\mathbb E[g] = 0`.
* Gumbel-max: :math:`\arg\max_i(\log p_i + G_i) \sim \mathrm{Categorical}(p)` for i.i.d.
  standard Gumbel :math:`G_i`.
* Reparameterization: :math:`\partial_\mu\mathbb E[f(\mu + \sigma\varepsilon)] = \mathbb E[f'(\mu+\sigma\varepsilon)]`,
  :math:`\partial_\sigma\mathbb E[f(\mu+\sigma\varepsilon)] = \mathbb E[\varepsilon f'(\mu+\sigma\varepsilon)]`,
  :math:`\varepsilon \sim N(0, 1)`.

>>> optimal_baseline(np.array([-1.0, 1.0]), np.array([0.0, 2.0]), np.array([0.5, 0.5]))
1.0
"""

from __future__ import annotations

import numpy as np

from .errors import ValidationError
from .steps import Derivation, Step

__all__ = ["optimal_baseline", "gumbel_max_probabilities", "reparameterization_gradient",
           "importance_sampled_reinforce", "importance_sampling_derivation", "gumbel_softmax_gap_bound",
           "gumbel_softmax_derivation",
           "baseline_derivation", "gumbel_derivation", "reparameterization_derivation"]


def optimal_baseline(g, R, prob) -> float:
    r""":math:`b^* = \mathbb E[g^2R]/\mathbb E[g^2]` over a finite distribution ``prob``."""

    g, R, prob = (np.asarray(a, dtype=float) for a in (g, R, prob))
    den = float(prob @ (g * g))
    if not den > 0:
        raise ValidationError("E[g^2] = 0: the score is zero almost surely, every baseline is optimal")
    return float(prob @ (g * g * R)) / den


def gumbel_max_probabilities(p) -> np.ndarray:
    """The law of the Gumbel-max sample: ``p`` itself (normalised)."""
    p = np.asarray(p, dtype=float)
    return p / p.sum()


def reparameterization_gradient(fprime, mu: float, sigma: float, nodes: int = 40, *, adaptive: bool = False):
    r"""``(E[f'(mu + sigma eps)], E[eps f'(mu + sigma eps)])`` by Gauss--Hermite quadrature
    (exact for polynomial ``f'`` of degree below ``2 nodes - 1``), or with ``adaptive=True`` by
    adaptive quadrature against the normal density on [-12, 12] (for smooth non-polynomial
    ``f'``: 40 Gauss--Hermite nodes are off by 5e-3 for tanh at sigma = 3)."""
    if adaptive:
        from scipy.integrate import quad

        dens = lambda e: np.exp(-0.5 * e * e) / np.sqrt(2 * np.pi)  # noqa: E731
        kw = dict(epsabs=1e-13, epsrel=1e-12, limit=400, points=(0.0,))
        m = quad(lambda e: fprime(mu + sigma * e) * dens(e), -12.0, 12.0, **kw)[0]
        s = quad(lambda e: e * fprime(mu + sigma * e) * dens(e), -12.0, 12.0, **kw)[0]
        return float(m), float(s)
    x, w = np.polynomial.hermite_e.hermegauss(nodes)
    w = w / w.sum()
    v = fprime(mu + sigma * x)
    return float(w @ v), float(w @ (x * v))


def baseline_derivation() -> Derivation:
    # a softmax distribution pi = softmax(theta) over K trajectories, returns R, the score component
    # g(a) = d log pi[a] / d theta[k]
    e = lambda body: f"E[{body}, (a, pi)]"  # noqa: E731
    var = "Var[g(a)*(R[a] - b), (a, pi)]"
    d1 = f"-2*{e('g(a)**2*R[a]')} + 2*b*{e('g(a)**2')}"
    return Derivation(
        (
            Step(r"\mathbb E[g]", r"\sum_\tau \pi_\theta(\tau)\,\partial_k\log\pi_\theta(\tau)", "score identity",
                 plain=(e("g(a)"), "sum(pi[a]*diff(log(softmax(theta)[a]), theta[k]), (a, 0, K - 1))")),
            Step(r"\sum_\tau \pi_\theta(\tau)\,\partial_k\log\pi_\theta(\tau)", r"\partial_k\sum_\tau\pi_\theta(\tau)",
                 r"$\pi\,\partial_k\log\pi = \partial_k\pi$",
                 plain=("sum(pi[a]*diff(log(softmax(theta)[a]), theta[k]), (a, 0, K - 1))",
                        "diff(sum(softmax(theta)[a], (a, 0, K - 1)), theta[k])")),
            Step(r"\partial_k\sum_\tau\pi_\theta(\tau)", r"0", "the probabilities sum to one",
                 plain=("diff(sum(softmax(theta)[a], (a, 0, K - 1)), theta[k])", "0")),
            Step(r"\mathbb E[g(R - b)]", r"\mathbb E[gR]", "so any constant baseline keeps the estimator unbiased",
                 plain=(e("g(a)*(R[a] - b)"), e("g(a)*R[a]"))),
            Step(r"\mathrm{Var}[g(R-b)]", r"\mathbb E[g^2R^2] - 2b\,\mathbb E[g^2R] + b^2\mathbb E[g^2] - (\mathbb E[gR])^2",
                 "expand; the mean does not depend on $b$",
                 plain=(var, f"{e('g(a)**2*R[a]**2')} - 2*b*{e('g(a)**2*R[a]')} + b**2*{e('g(a)**2')}"
                             f" - {e('g(a)*R[a]')}**2")),
            Step(r"\frac{d}{db}\mathrm{Var}", r"-2\mathbb E[g^2R] + 2b\,\mathbb E[g^2]", "differentiate in $b$",
                 plain=(f"diff({var}, b)", d1)),
            Step(r"-2\mathbb E[g^2R] + 2b\,\mathbb E[g^2]", r"2\mathbb E[g^2]\,(b - b^*)",
                 r"with $b^* = \mathbb E[g^2R]/\mathbb E[g^2]$, the only stationary point",
                 plain=(d1, f"2*{e('g(a)**2')}*(b - bs)")),
            Step(r"\frac{d^2}{db^2}\mathrm{Var}", r"2\mathbb E[g^2]", "differentiate again",
                 plain=(f"diff({var}, b, 2)", f"2*{e('g(a)**2')}")),
            Step(r"2\mathbb E[g^2]", r"0", r"$\mathbb E[g^2] > 0$: the variance is a convex parabola in $b$", relation=">",
                 plain=(f"2*{e('g(a)**2')}", "0")),
            Step(r"\mathrm{Var}[g(R-b)]", r"\mathrm{Var}[g(R-b^*)]", "so $b^*$ minimises the variance", relation=r"\ge",
                 plain=(var, "Var[g(a)*(R[a] - bs), (a, pi)]")),
        ),
        symbols={"K": "integer in [2, 6]", "theta": "vector K", "R": "vector K", "k": "integer in [0, K - 1]",
                 "b": "real in [-5, 5]"},
        define={"pi": "softmax(theta)", "g(a)": "diff(log(softmax(theta)[a]), theta[k])",
                "bs": "E[g(a)**2*R[a], (a, pi)]/E[g(a)**2, (a, pi)]"},
    )


_NO_GUMBEL = ("the step language lacks the Gumbel distribution (expectations are over probability vectors and "
              "N(mu, s2) only) and integrals over the real line of non-Gaussian integrands")


def gumbel_derivation() -> Derivation:
    prod_others = "prod(exp(-p[j]*exp(-t)*(1 - delta(i, j))), (j, 0, K - 1))"  # prod over j != i
    return Derivation(
        (
            Step(r"\Pr[\log p_i + G_i \le t]", r"\exp(-p_ie^{-t})", "Gumbel CDF $e^{-e^{-g}}$",
                 # the standard Gumbel CDF at g = t - log p_i
                 plain=("exp(-exp(-(t - log(p[i]))))", "exp(-p[i]*exp(-t))")),
            Step(r"\Pr[\arg\max_j = i]", r"\int p_ie^{-t}e^{-p_ie^{-t}}\prod_{j\ne i}e^{-p_je^{-t}}\,dt",
                 "density of the $i$-th term times the others below it", unchecked=_NO_GUMBEL),
            Step(r"\int p_ie^{-t}e^{-p_ie^{-t}}\prod_{j\ne i}e^{-p_je^{-t}}\,dt", r"p_i\int e^{-t}e^{-e^{-t}\sum_jp_j}\,dt",
                 "collect the exponentials",
                 # the integrands agree at every t
                 plain=(f"p[i]*exp(-t)*exp(-p[i]*exp(-t))*{prod_others}",
                        "p[i]*exp(-t)*exp(-exp(-t)*sum(p[j], (j, 0, K - 1)))")),
            Step(r"p_i\int e^{-t}e^{-e^{-t}\sum_jp_j}\,dt", r"\frac{p_i}{\sum_j p_j}", "substitute $u = e^{-t}$",
                 unchecked=_NO_GUMBEL),
        ),
        symbols={"K": "integer in [2, 6]", "p": "probability vector K", "i": "integer in [0, K - 1]",
                 "t": "real in [-4, 6]"},
    )


def reparameterization_derivation() -> Derivation:
    # f'(mu + sigma eps) is written d/dmu f(mu + sigma eps)
    ef = "E[f(mu + sigma*e), (e, N(0, 1))]"
    return Derivation(
        (
            Step(r"\mathbb E[f(x)],\ x \sim N(\mu,\sigma^2)", r"\mathbb E_\varepsilon[f(\mu + \sigma\varepsilon)]",
                 "$x = \\mu + \\sigma\\varepsilon$, $\\varepsilon\\sim N(0,1)$",
                 plain=("E[f(x), (x, N(mu, sigma**2))]", ef)),
            Step(r"\partial_\mu\mathbb E[f(\mu+\sigma\varepsilon)]", r"\mathbb E[f'(\mu+\sigma\varepsilon)]",
                 "differentiate under the integral (dominated convergence)",
                 plain=(f"diff({ef}, mu)", "E[diff(f(mu + sigma*e), mu), (e, N(0, 1))]")),
            Step(r"\partial_\sigma\mathbb E[f(\mu+\sigma\varepsilon)]", r"\mathbb E[\varepsilon f'(\mu+\sigma\varepsilon)]",
                 "chain rule",
                 plain=(f"diff({ef}, sigma)", "E[e*diff(f(mu + sigma*e), mu), (e, N(0, 1))]")),
        ),
        symbols={"mu": "real in [-2, 2]", "sigma": "real in (0, 3]"},
        functions={"f": "smooth"},
    )


def importance_sampled_reinforce(scores, ratios, rewards, *, rule: str = "per-decision"):
    r"""Per-trajectory importance-sampled REINFORCE estimates, vectorised over trajectories.

    ``scores[n, t]`` is :math:`\nabla_\theta\log\pi_\theta(a_t|s_t)` (shape ``(N, T, P)``),
    ``ratios[n, t] = \pi_\theta(a_t|s_t)/\pi_{\theta'}(a_t|s_t)`` and ``rewards[n, t]``.

    * ``"per-decision"`` (unbiased): :math:`\sum_t\nabla\log\pi_t\sum_{t'\ge t}r_{t'}\prod_{t''\le t'}\rho_{t''}`;
    * ``"full-trajectory"`` (unbiased): :math:`\prod_t\rho_t\sum_t\nabla\log\pi_t\sum_{t'}r_{t'}`;
    * ``"official"`` (the 004 solution, biased): :math:`\sum_t\nabla\log\pi_t\bigl(\prod_{t'\le t}\rho_{t'}\bigr)\sum_{t'\ge t}r_{t'}`;
    * ``"unweighted"``: :math:`\sum_t\nabla\log\pi_t\sum_{t'\ge t}r_{t'}` (no correction).
    """
    cum = np.cumprod(ratios, axis=1)  # prod_{t'' <= t'}
    if rule == "per-decision":
        weighted = cum * rewards
        togo = np.cumsum(weighted[:, ::-1], axis=1)[:, ::-1]
        return np.einsum("ntp,nt->np", scores, togo)
    if rule == "full-trajectory":
        return np.einsum("ntp,n->np", scores, cum[:, -1] * rewards.sum(axis=1))
    togo = np.cumsum(rewards[:, ::-1], axis=1)[:, ::-1]
    if rule == "official":
        return np.einsum("ntp,nt->np", scores, cum * togo)
    if rule == "unweighted":
        return np.einsum("ntp,nt->np", scores, togo)
    raise ValueError(f"rule={rule!r} must be 'per-decision', 'full-trajectory', 'official' or 'unweighted'")


def importance_sampling_derivation() -> Derivation:
    # horizon T = 2 on a finite MDP: s0 ~ p0, a_t ~ softmax(theta[s_t]) (target) or softmax(thb[s_t]) (behaviour),
    # s1 ~ softmax(W[s0] + U[a0]) (the next state depends on the action); trajectory (s, a, u, c) = (s0, a0, s1, a1)
    def eb(body):  # E over behaviour trajectories
        return f"E[E[E[E[{body}, (c, softmax(thb[u]))], (u, Pd(s, a))], (a, softmax(thb[s]))], (s, p0)]"

    grad = "diff(J, theta)"
    official = eb("sc(s, a)*rho(s, a)*(r[s, a] + r[u, c]) + sc(u, c)*rho(s, a)*rho(u, c)*r[u, c]")
    return Derivation(
        (
            Step(r"\nabla_\theta J", r"\mathbb E_{\tau\sim\theta'}\Bigl[\frac{P(\tau;\theta)}{P(\tau;\theta')}\nabla_\theta\log P(\tau;\theta)R(\tau)\Bigr]",
                 "importance sampling, dynamics cancel in the ratio",
                 plain=(grad, eb("Pt(s, a, u, c)/Pb(s, a, u, c)*diff(log(Pt(s, a, u, c)), theta)*(r[s, a] + r[u, c])"))),
            Step(r"\nabla_\theta J", r"\mathbb E_{\theta'}\Bigl[\prod_t\rho_t\sum_t\nabla\log\pi_t\sum_{t'}r_{t'}\Bigr]", "full-trajectory form",
                 plain=(grad, eb("rho(s, a)*rho(u, c)*(sc(s, a) + sc(u, c))*(r[s, a] + r[u, c])"))),
            Step(r"\nabla_\theta J", r"\mathbb E_{\theta'}\Bigl[\sum_t\nabla\log\pi_t\sum_{t'\ge t}r_{t'}\prod_{t''\le t'}\rho_{t''}\Bigr]",
                 "causality: $r_{t'}$ with $t' < t$ is uncorrelated with the score at $t$; $r_{t'}$ needs the weights up to $t'$",
                 plain=(grad, eb("sc(s, a)*(r[s, a]*rho(s, a) + r[u, c]*rho(s, a)*rho(u, c))"
                                 " + sc(u, c)*r[u, c]*rho(s, a)*rho(u, c)"))),
            Step(r"\mathbb E_{\theta'}\Bigl[\sum_t\nabla\log\pi_t\bigl(\prod_{t'\le t}\rho_{t'}\bigr)\sum_{t'\ge t}r_{t'}\Bigr]",
                 r"\nabla_\theta J + \mathbb E_{\theta'}\Bigl[\sum_t\nabla\log\pi_t\prod_{t''\le t}\rho_{t''}\sum_{t'>t}r_{t'}\Bigl(1 - \prod_{t<t''\le t'}\rho_{t''}\Bigr)\Bigr]",
                 "the official estimator: rewards after $t$ keep the behaviour policy's distribution of $a_{t+1}, \\dots$, "
                 "so the last term (its bias) is nonzero in general",
                 plain=(official, f"{grad} + " + eb("sc(s, a)*rho(s, a)*r[u, c]*(1 - rho(u, c))"))),
        ),
        symbols={"S": "integer in [2, 2]", "A": "integer in [2, 3]", "p0": "probability vector S", "W": "matrix S x S",
                 "U": "matrix A x S", "r": "matrix S x A", "theta": "matrix S x A", "thb": "matrix S x A"},
        define={
            "pi(s, a)": "softmax(theta[s])[a]", "pib(s, a)": "softmax(thb[s])[a]", "Pd(s, a)": "softmax(W[s] + U[a])",
            "rho(s, a)": "pi(s, a)/pib(s, a)", "sc(s, a)": "diff(log(pi(s, a)), theta)",
            "Pt(s, a, u, c)": "p0[s]*pi(s, a)*Pd(s, a)[u]*pi(u, c)", "Pb(s, a, u, c)": "p0[s]*pib(s, a)*Pd(s, a)[u]*pib(u, c)",
            "J": "E[E[E[E[r[s, a] + r[u, c], (c, softmax(theta[u]))], (u, Pd(s, a))], (a, softmax(theta[s]))], (s, p0)]",
        },
    )


def gumbel_softmax_gap_bound(z, tau: float) -> float:
    r""":math:`\|\mathrm{softmax}(z/\tau) - e_{\arg\max z}\|_1 \le 2(k-1)e^{-\Delta/\tau}`, :math:`\Delta` the gap
    between the two largest entries of ``z`` (``z = log p + G``)."""
    z = np.sort(np.asarray(z, dtype=float))
    return 2.0 * (len(z) - 1) * float(np.exp(-(z[-1] - z[-2]) / tau))


def gumbel_softmax_derivation() -> Derivation:
    # z = log p + G with its largest entry at i: z = x + (max(x) - x[i] + D) e_i covers every such z (D > 0);
    # gap = z_i minus the largest other entry; jn runs over the indices other than i
    y = "softmax(z/tau)"
    ratio = "exp((z[jn] - z[i])/tau)/sum(exp((z[l] - z[i])/tau), (l, 0, K - 1))"
    others = f"2*sum({y}[l]*(1 - delta(l, i)), (l, 0, K - 1))"
    return Derivation(
        (
            Step(r"y_j", r"\frac{e^{(z_j - z_i)/\tau}}{\sum_l e^{(z_l - z_i)/\tau}}", "divide by $e^{z_i/\\tau}$",
                 plain=(f"{y}[jn]", ratio)),
            Step(r"\frac{e^{(z_j - z_i)/\tau}}{\sum_l e^{(z_l - z_i)/\tau}}", r"e^{-\Delta/\tau}\quad(j\ne i)",
                 "$i = \\arg\\max z$; the denominator is $\\ge 1$", relation=r"\le",
                 plain=(ratio, "exp(-gap/tau)")),
            Step(r"\|y - e_i\|_1", r"2(1 - y_i)", "entries sum to one",
                 plain=(f"norm({y} - eye(K)[i], 1)", f"2*(1 - {y}[i])")),
            Step(r"2(1 - y_i)", r"2\sum_{j\ne i}y_j", "entries sum to one",
                 plain=(f"2*(1 - {y}[i])", others)),
            Step(r"2\sum_{j\ne i}y_j", r"2(k-1)e^{-\Delta/\tau}", "the bound above for each $j \\ne i$", relation=r"\le",
                 plain=(others, "2*(K - 1)*exp(-gap/tau)")),
            Step(r"y_\tau", r"e_{\arg\max_j(\log p_j + G_j)} + O(\tau)",
                 "as $\\tau\\to0$, since $\\Delta > 0$ almost surely (the error is below $2(k-1)e^{-\\Delta/\\tau}$)",
                 plain=(y, "eye(K)[i] + O(tau)")),
            Step(r"\lim_{\tau\to0}\mathbb E[y_\tau]", r"p",
                 "the Gumbel-max trick; for $\\tau > 0$ the mean differs from $p$ in general",
                 unchecked="the step language lacks the Gumbel distribution (expectations are over probability "
                           "vectors and N(mu, s2) only), so E[y_tau] over Gumbel noise cannot be written"),
        ),
        symbols={"K": "integer in [2, 6]", "x": "vector K", "D": "positive", "i": "integer in [0, K - 1]",
                 "j": "integer in [0, K - 2]", "tau": "positive -> 0"},
        define={"z": "x + (max(x[l], (l, 0, K - 1)) - x[i] + D)*eye(K)[i]",
                "gap": "z[i] - max(z[l] - delta(l, i)*(z[i] - min(z[m], (m, 0, K - 1))), (l, 0, K - 1))",
                "jn": "i + 1 + j - K*floor((i + 1 + j)/K)"},
    )
