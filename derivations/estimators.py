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

from .steps import Derivation, Step

__all__ = ["optimal_baseline", "gumbel_max_probabilities", "reparameterization_gradient",
           "baseline_derivation", "gumbel_derivation", "reparameterization_derivation"]


def optimal_baseline(g, R, prob) -> float:
    r""":math:`b^* = \mathbb E[g^2R]/\mathbb E[g^2]` over a finite distribution ``prob``."""
    from verify.errors import ValidationError

    g, R, prob = (np.asarray(a, dtype=float) for a in (g, R, prob))
    den = float(prob @ (g * g))
    if not den > 0:
        raise ValidationError("E[g^2] = 0: the score is zero almost surely, every baseline is optimal")
    return float(prob @ (g * g * R)) / den


def gumbel_max_probabilities(p) -> np.ndarray:
    """The law of the Gumbel-max sample: ``p`` itself (normalised)."""
    p = np.asarray(p, dtype=float)
    return p / p.sum()


def reparameterization_gradient(fprime, mu: float, sigma: float, nodes: int = 40):
    r"""``(E[f'(mu + sigma eps)], E[eps f'(mu + sigma eps)])`` by Gauss--Hermite quadrature
    (exact for polynomial ``f'`` of degree below ``2 nodes - 1``)."""
    x, w = np.polynomial.hermite_e.hermegauss(nodes)
    w = w / w.sum()
    v = fprime(mu + sigma * x)
    return float(w @ v), float(w @ (x * v))


def baseline_derivation() -> Derivation:
    return Derivation(
        (
            Step(r"\mathbb E[g]", r"\sum_\tau \pi_\theta(\tau)\,\partial_k\log\pi_\theta(\tau) = \partial_k\sum_\tau\pi_\theta(\tau) = 0",
                 "score identity"),
            Step(r"\mathbb E[g(R - b)]", r"\mathbb E[gR]", "so any constant baseline keeps the estimator unbiased"),
            Step(r"\mathrm{Var}[g(R-b)]", r"\mathbb E[g^2R^2] - 2b\,\mathbb E[g^2R] + b^2\mathbb E[g^2] - (\mathbb E[gR])^2",
                 "expand; the mean does not depend on $b$"),
            Step(r"\frac{d}{db}\mathrm{Var}", r"-2\mathbb E[g^2R] + 2b\,\mathbb E[g^2] = 0", "stationary point"),
            Step(r"b^*", r"\frac{\mathbb E[g^2R]}{\mathbb E[g^2]}", "solve; $\\frac{d^2}{db^2}\\mathrm{Var} = 2\\mathbb E[g^2] > 0$"),
        )
    )


def gumbel_derivation() -> Derivation:
    return Derivation(
        (
            Step(r"\Pr[\log p_i + G_i \le t]", r"\exp(-p_ie^{-t})", "Gumbel CDF $e^{-e^{-g}}$"),
            Step(r"\Pr[\arg\max_j = i]", r"\int p_ie^{-t}e^{-p_ie^{-t}}\prod_{j\ne i}e^{-p_je^{-t}}\,dt",
                 "density of the $i$-th term times the others below it"),
            Step(r"\Pr[\arg\max_j = i]", r"p_i\int e^{-t}e^{-e^{-t}\sum_jp_j}\,dt = \frac{p_i}{\sum_j p_j}",
                 "substitute $u = e^{-t}$"),
        )
    )


def reparameterization_derivation() -> Derivation:
    return Derivation(
        (
            Step(r"\mathbb E[f(x)],\ x \sim N(\mu,\sigma^2)", r"\mathbb E_\varepsilon[f(\mu + \sigma\varepsilon)]",
                 "$x = \\mu + \\sigma\\varepsilon$, $\\varepsilon\\sim N(0,1)$"),
            Step(r"\partial_\mu\mathbb E[f(\mu+\sigma\varepsilon)]", r"\mathbb E[f'(\mu+\sigma\varepsilon)]",
                 "differentiate under the integral (dominated convergence)"),
            Step(r"\partial_\sigma\mathbb E[f(\mu+\sigma\varepsilon)]", r"\mathbb E[\varepsilon f'(\mu+\sigma\varepsilon)]",
                 "chain rule"),
        )
    )
