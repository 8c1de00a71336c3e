r"""Kind ``expectation``: a derived expectation over uniform minibatches against exact
enumeration of every minibatch, or Monte Carlo with an empirical-Bernstein radius."""

from __future__ import annotations

import math
from dataclasses import KW_ONLY, dataclass
from typing import Any, Callable, ClassVar

import numpy as np

from ..model import Formula
from ..tolerances import STOCHASTIC_DELTA, tolerance
from .base import digest, require_callable, require_int
from .stochastic import StochasticCheck

__all__ = ["ExpectationCheck"]


@dataclass(frozen=True)
class ExpectationCheck(StochasticCheck):
    r"""``candidate.numeric(point) == E_B[values(point, B)]`` over uniform minibatches ``B``.

    Exact when there are at most ``enumerate_max`` minibatches (every one is
    evaluated, vectorised, and the comparison uses ``identity.float64`` scaled by the
    largest sample). Otherwise Monte Carlo with ``samples`` minibatches drawn by a
    generator seeded from the run seed and the point, and a finite-sample radius
    (:func:`verify.stats.mean_radius`, samples confined to the a-priori
    ``value_range(point)``) at false-failure rate ``STOCHASTIC_DELTA`` per point.
    ``sizes(point) -> (n, k)``; ``values(point, batches) -> (C,)``.
    """

    values: Callable[..., Any]
    value_range: Callable[[Any], Any]
    sizes: Callable[[Any], Any]
    strategy: Callable[[], Any]
    _: KW_ONLY
    enumerate_max: int = 5000
    samples: int = 20000

    kind: ClassVar[str] = "expectation"
    skip_method: ClassVar[str] = "expectation: candidate has no numeric form"
    seed_label: ClassVar[str] = "expectation"

    def validate(self) -> None:
        require_int(self, "enumerate_max", 1, why="the most minibatches enumerated exactly")
        require_int(self, "samples", 2, why="Monte Carlo minibatches per point")
        super().validate()
        require_callable(self, "values", what="a function (point, batches) -> values")
        require_callable(self, "value_range", what="a function point -> (lo, hi)")
        require_callable(self, "sizes", what="a function point -> (n, k)")

    def at(self, candidate: Formula, point, seed: int) -> tuple[float, dict]:
        from ..oracles.sgd import minibatches, n_minibatches, sample_minibatches
        from ..stats import mean_radius

        tol = tolerance("identity.float64")
        n, k = self.sizes(point)
        cand = float(candidate.numeric(point))
        if n_minibatches(n, k) <= self.enumerate_max:
            x = np.asarray(self.values(point, minibatches(n, k)), dtype=float)
            mean, radius, how = float(x.mean()), 0.0, f"all {x.size} minibatches"
        else:
            rng = np.random.default_rng([seed, digest(point)])
            x = np.asarray(self.values(point, sample_minibatches(rng, n, k, self.samples)), dtype=float)
            lo, hi = self.value_range(point)
            mean = float(x.mean())
            radius = mean_radius(x, lo, hi, delta=STOCHASTIC_DELTA)
            how = f"{x.size} sampled minibatches"
        scale = max(float(np.abs(x).max()), abs(cand))
        allowed = radius + tol.rtol * abs(mean) + tol.atol * scale
        error = abs(cand - mean)
        ratio = error / allowed if allowed > 0 else (0.0 if error == 0 else math.inf)
        return ratio, {"error": error, "tolerance": allowed, "ratio": ratio, "candidate": cand,
                       "expectation": mean, "mc_radius": radius, "expectation_by": how,
                       "detectable": 2.0 * allowed}

    def method(self) -> str:
        return "exact enumeration of minibatches, or Monte Carlo with an empirical-Bernstein radius"

    def rule(self) -> str:
        return f"|E - candidate| <= MC radius (delta={STOCHASTIC_DELTA:g}) + float64 tolerance"
