r"""The shared part of the sampling kinds (``expectation``, ``monte-carlo``): each point is judged
by ``at(candidate, point, seed)`` with a finite-sample radius at false-failure rate
``STOCHASTIC_DELTA``; the evidence reports the false-failure rates and the largest discrepancy
the check would have detected."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..model import Formula
from ..search import SearchOutcome
from ..tolerances import STOCHASTIC_DELTA
from .base import Attempt, Check

__all__ = ["StochasticCheck"]


@dataclass(frozen=True)
class StochasticCheck(Check):
    """A check whose comparison at a point is statistical; ``at`` reports ``detectable`` (the
    smallest discrepancy refuted with probability at least 1 - STOCHASTIC_DELTA there)."""

    #: ``at`` is usable alone (benchmarks, notebooks): ``strategy=None`` is allowed, and ``run``
    #: then judges the ``examples`` only (an error when there are none)
    without_strategy: ClassVar[str] = ""

    def may_omit_strategy(self) -> bool:
        return True

    def at(self, candidate: Formula, point, seed: int) -> tuple[float, dict]:
        raise NotImplementedError

    def evaluator(self, attempt: Attempt):
        candidate, seed = attempt.candidate, attempt.seed
        detectable = attempt.notes["detectable"] = []

        def evaluate(point):
            ratio, info = self.at(candidate, point, seed)
            detectable.append(info["detectable"])
            return ratio, info
        return evaluate

    def after_search(self, attempt: Attempt, out: SearchOutcome) -> dict:
        detectable = attempt.notes["detectable"]
        return {"false_failure_rate_per_point": STOCHASTIC_DELTA,
                "false_failure_rate_per_check_at_most": STOCHASTIC_DELTA * max(out.examples, 1),
                "detectable_discrepancy_at_most": max(detectable) if detectable else None}
