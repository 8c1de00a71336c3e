r"""Kind ``monte-carlo``: a candidate value against the mean of a simulation from primitive
definitions, with a finite-sample radius at a stated false-failure rate."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from typing import Any, Callable, ClassVar

import numpy as np

from ..model import Formula
from ..tolerances import STOCHASTIC_DELTA, tolerance
from .base import digest, require_callable, require_int, require_tolerance_key
from .stochastic import StochasticCheck

__all__ = ["MonteCarloCheck"]


@dataclass(frozen=True)
class MonteCarloCheck(StochasticCheck):
    r"""``candidate.numeric(point)[part] == E[X]`` where ``sample(point, rng, N)`` simulates ``N``
    i.i.d. draws of ``X`` from primitive definitions, confined to ``value_range(point)``.

    The comparison allows the finite-sample radius of :func:`verify.stats.mean_radius` at
    false-failure rate ``STOCHASTIC_DELTA`` per point, plus ``tolerance_key`` on the candidate's
    own numerics, plus ``candidate.numeric(point)[error_part]`` when the candidate reports its
    error (a quadrature estimate, say). With probability :math:`\ge 1-\delta` it refutes every
    discrepancy larger than twice that allowance (the ``detectable`` figure it reports).

    With ``claim_mean``, ``sample(point, rng, N, claimed)`` simulates a quantity that depends on
    the claimed value (a stationarity condition, say) and its mean must equal
    ``claim_mean(point, claimed)``; ``value_range(point, claimed)`` then bounds it.
    """

    sample: Callable[..., Any]
    value_range: Callable[[Any], Any]
    strategy: Callable[[], Any]
    _: KW_ONLY
    samples: int = 200_000
    part: str | int | None = None
    error_part: str | int | None = None
    claim_mean: Callable[[Any, float], float] | None = None
    tolerance_key: str = "quadrature"

    kind: ClassVar[str] = "monte-carlo"
    skip_method: ClassVar[str] = "monte carlo: candidate has no numeric form"
    seed_label: ClassVar[str] = "monte-carlo"

    def validate(self) -> None:
        require_int(self, "samples", 2, why="simulated draws per point")
        require_tolerance_key(self, "tolerance_key")
        super().validate()
        require_callable(self, "sample", what="a function (point, rng, N[, claimed]) -> draws")
        require_callable(self, "value_range", what="a function point -> (lo, hi)")
        require_callable(self, "claim_mean", optional=True, what="a function (point, claimed) -> mean")

    def at(self, candidate: Formula, point, seed: int) -> tuple[float, dict]:
        from ..stats import mean_radius

        tol = tolerance(self.tolerance_key)
        value = candidate.numeric(point)
        cand = float(value if self.part is None else value[self.part])
        cand_err = 0.0 if self.error_part is None else float(value[self.error_part])
        rng = np.random.default_rng([seed, digest(point)])
        if self.claim_mean is None:
            x = np.asarray(self.sample(point, rng, self.samples), dtype=float)
            lo, hi = self.value_range(point)
            target = cand
        else:
            x = np.asarray(self.sample(point, rng, self.samples, cand), dtype=float)
            lo, hi = self.value_range(point, cand)
            target = float(self.claim_mean(point, cand))
        mean = float(x.mean())
        radius = mean_radius(x, lo, hi, delta=STOCHASTIC_DELTA)
        allowed = radius + tol.rtol * abs(target) + tol.atol + cand_err
        error = abs(target - mean)
        ratio = error / allowed
        return ratio, {"error": error, "tolerance": allowed, "ratio": ratio, "candidate": cand,
                       "monte_carlo_mean": mean, "mc_radius": radius, "candidate_error": cand_err,
                       "detectable": 2.0 * allowed, "samples": x.size}

    def method(self) -> str:
        return f"Monte Carlo simulation, {self.samples} draws per point"

    def rule(self) -> str:
        return f"|E - candidate| <= MC radius (delta={STOCHASTIC_DELTA:g}) + {self.tolerance_key}"
