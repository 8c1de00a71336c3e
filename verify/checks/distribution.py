r"""Kind ``distribution``: goodness of fit (Pearson :math:`\chi^2`) of a sampler built from
primitives to the category probabilities a candidate claims."""

from __future__ import annotations

import math
from dataclasses import KW_ONLY, dataclass
from typing import Any, Callable, ClassVar

import numpy as np

from ..model import Formula
from ..search import SearchOutcome
from ..tolerances import STOCHASTIC_DELTA
from .base import Attempt, Check, digest, require_callable, require_int

__all__ = ["DistributionCheck"]


def _chi2_power(p, N, critical):
    """Power of the test against ``p`` perturbed by +-1% alternately (renormalised)."""
    from scipy.stats import ncx2

    q = p * np.where(np.arange(p.size) % 2 == 0, 1.01, 0.99)
    q = q / q.sum()
    lam = N * float(((q - p) ** 2 / p).sum())
    return float(ncx2.sf(critical, p.size - 1, lam))


def _detectable_chi2_distance(N, examples, k_max=5):
    r"""Smallest :math:`\sum_i(p_i-p'_i)^2/p_i` refuted with probability :math:`\ge 1-\delta` (for up to
    ``k_max`` categories): the non-centrality :math:`\lambda` at which the test's power reaches
    :math:`1-\delta`, divided by ``N``."""
    from scipy.optimize import brentq
    from scipy.stats import chi2, ncx2

    df = k_max - 1
    crit = float(chi2.isf(STOCHASTIC_DELTA, df))
    lam = brentq(lambda L: ncx2.sf(crit, df, L) - (1.0 - STOCHASTIC_DELTA), 1e-6, 1e6)
    return lam / N


@dataclass(frozen=True)
class DistributionCheck(Check):
    r"""A sampler built from primitives draws categories; the candidate claims their law.

    ``sample(point, rng, N) -> counts`` (length ``k``). Pearson's :math:`\chi^2` against
    ``candidate.numeric(point)`` rejects when its upper tail probability is below
    ``STOCHASTIC_DELTA`` (asymptotic :math:`\chi^2_{k-1}`; expected counts are
    :math:`\ge 10^4` for the sizes used). Power against a perturbation ``p'`` follows
    from the non-centrality :math:`\lambda = N\sum_i(p_i - p'_i)^2/p'_i` and is reported.
    At most ``max_examples`` (default 8) points: each costs ``samples`` draws.
    """

    sample: Callable[..., Any]
    strategy: Callable[[], Any]
    _: KW_ONLY
    samples: int = 2_000_000
    max_examples: int | None = 8

    kind: ClassVar[str] = "distribution"
    skip_method: ClassVar[str] = "distribution: candidate has no numeric form"
    seed_label: ClassVar[str] = "distribution"

    def may_omit_strategy(self) -> bool:
        return True  # ``at`` is usable alone; ``run`` then judges the examples only

    def validate(self) -> None:
        require_int(self, "samples", 1, why="draws per point")
        super().validate()
        require_callable(self, "sample", what="a function (point, rng, N) -> counts per category")

    def at(self, candidate: Formula, point, seed: int) -> tuple[float, dict]:
        from scipy.stats import chi2

        p = np.asarray(candidate.numeric(point), dtype=float)
        rng = np.random.default_rng([seed, digest(point)])
        counts = np.asarray(self.sample(point, rng, self.samples), dtype=float)
        k = counts.size
        if k < 2:
            return 0.0, {"note": "one category: nothing to test"}
        expected = self.samples * p
        if np.any(expected <= 0):
            bad = counts[expected <= 0].sum() > 0
            return (math.inf if bad else 0.0), {"error": "zero claimed probability with observed samples" if bad else None}
        stat = float(((counts - expected) ** 2 / expected).sum())
        critical = float(chi2.isf(STOCHASTIC_DELTA, k - 1))
        ratio = stat / critical
        return ratio, {"error": stat, "tolerance": critical, "ratio": ratio, "chi2": stat,
                       "power_against_1pct": _chi2_power(p, self.samples, critical),
                       "critical_value": critical, "samples": self.samples,
                       "empirical": (counts / self.samples).tolist(), "claimed": p.tolist()}

    def evaluator(self, attempt: Attempt):
        return lambda point: self.at(attempt.candidate, point, attempt.seed)

    def after_search(self, attempt: Attempt, out: SearchOutcome) -> dict:
        return {"false_failure_rate_per_point": STOCHASTIC_DELTA,
                "false_failure_rate_per_check_at_most": STOCHASTIC_DELTA * max(out.examples, 1),
                "detectable_chi2_distance": _detectable_chi2_distance(self.samples, out.examples)}

    def method(self) -> str:
        return f"Pearson chi-square on {self.samples} samples per point"

    def rule(self) -> str:
        return f"reject when P(chi2 > stat) < {STOCHASTIC_DELTA:g}"
