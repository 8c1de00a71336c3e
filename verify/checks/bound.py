r"""Kind ``bound``: ``lhs <= rhs`` on a domain, attacked adversarially (Hypothesis ``target()``,
then Nelder--Mead from the tightest points); reports the tightness it reached."""

from __future__ import annotations

import math
from dataclasses import KW_ONLY, dataclass
from typing import Any, Callable, ClassVar

import numpy as np

from ..model import Evidence
from ..search import SearchOutcome
from ..tolerances import tolerance
from .base import Attempt, Check, require_callable, require_choice, require_int

__all__ = ["BoundCheck"]


@dataclass(frozen=True)
class BoundCheck(Check):
    r"""A bound attacked adversarially: ``oracle(point) >= candidate.numeric(point)``
    (``sense="lower"``, the candidate is a lower bound) or ``<=`` (``sense="upper"``).

    Hypothesis search (targeted at the tightness: bound / oracle for a lower bound,
    oracle / bound for an upper one) first; then local optimisation (Nelder--Mead)
    from the tightest points over the continuous coordinates exposed by
    ``coordinates(point) -> (x0, rebuild)``. ``effort`` multiplies the profile's
    Hypothesis examples (searches are cheap).

    A claim that a quantity has a sign (``candidate >= 0`` everywhere) is a
    :class:`~verify.checks.PropertyCheck`, not a bound against ``lambda p: 0.0``.
    """

    oracle: Callable[[Any], float]
    strategy: Callable[[], Any]
    _: KW_ONLY
    coordinates: Callable[[Any], Any] | None = None
    effort: int = 1
    sense: str = "lower"
    #: size of the terms that cancel inside the oracle (e.g. |V*| cond(I - gamma P) for a difference of two
    #: value functions): the absolute slack is ``atol * scale(point)``, so roundoff of the oracle's own
    #: solves is never reported as a violation (calibration: a greedy loss of exactly 0 computed as 1.2e-12)
    scale: Callable[[Any], float] | None = None

    kind: ClassVar[str] = "bound"
    skip_method: ClassVar[str] = "bound: candidate has no numeric form"
    seed_label: ClassVar[str] = "bound"

    def validate(self) -> None:
        require_choice(self, "sense", ("lower", "upper"))
        require_int(self, "effort", 1, why="a multiple of the profile's Hypothesis examples")
        super().validate()
        require_callable(self, "oracle", what="a function of the point returning the true value")
        require_callable(self, "coordinates", optional=True,
                         what="a function point -> (x0, rebuild) for local optimisation")
        require_callable(self, "scale", optional=True,
                         what="a function of the point returning the size of the terms that cancel in the oracle")

    def examples_for(self, ctx) -> int:
        return super().examples_for(ctx) * self.effort

    def _score(self, candidate, point):
        tol = tolerance("bound.slack")
        truth = float(self.oracle(point))
        bound = float(candidate.numeric(point))
        violation = bound - truth if self.sense == "lower" else truth - bound
        t = tol.rtol * abs(bound) + tol.atol * max(1.0, float(self.scale(point)) if self.scale else 1.0)
        ratio = violation / t if violation > 0 else 0.0
        info = {"error": violation, "tolerance": t, "ratio": ratio, "oracle": truth, "bound": bound,
                "sense": self.sense, "margin": -violation / abs(bound) if bound else -violation}
        # tightness 1 + (signed violation) / |reference side|: bound/oracle (lower) or
        # oracle/bound (upper) for positive quantities, and meaningful for any sign
        if self.sense == "lower":
            tight = 1.0 + (bound - truth) / abs(truth) if truth != 0 else (math.inf if bound > 0 else 1.0)
        else:
            tight = 1.0 + (truth - bound) / abs(bound) if bound != 0 else (math.inf if truth > 0 else 1.0)
        return ratio, info, tight

    def evaluator(self, attempt: Attempt):
        candidate, keep = attempt.candidate, attempt.ctx.profile.refine_starts
        closest = attempt.notes["closest"] = []

        def evaluate(point):
            ratio, info, tightness = self._score(candidate, point)
            closest.append((tightness, point))
            closest.sort(key=lambda p: -p[0])
            del closest[keep:]
            # steer generation toward points where bound / oracle is largest
            return (ratio if ratio > 1 else max(0.0, min(tightness, 1.0))), info
        return evaluate

    def after_search(self, attempt: Attempt, out: SearchOutcome) -> dict:
        closest = attempt.notes["closest"]
        details = {"best_tightness": closest[0][0] if closest else None,
                   "tightness_means": "bound/oracle" if self.sense == "lower" else "oracle/bound"}
        if out.counterexample is None and not out.error and self.coordinates is not None:
            refined = self._refine(attempt.candidate, [p for _, p in closest])
            details["local_search_starts"] = len(closest)
            if refined is not None:
                r_ratio, r_info, r_point, r_tight = refined
                details["best_tightness_after_local_search"] = r_tight
                if r_ratio > 1:
                    out.counterexample = (r_point, dict(r_info, found_by="local optimisation"))
        return details

    def method(self) -> str:
        return "adversarial search: Hypothesis target() + Nelder-Mead"

    def rule(self) -> str:
        return "violation > 1e-9 |bound| + 1e-12"

    def conclude(self, attempt: Attempt, out: SearchOutcome, ev: Evidence) -> Evidence:
        if ev.verdict == "consistent" and attempt.notes["closest"]:
            ev.worst_ratio = 0.0
        return ev

    def _refine(self, candidate, starts):
        from scipy.optimize import minimize

        best = None
        for point in starts:
            x0, rebuild = self.coordinates(point)

            def objective(x):
                try:
                    _, _, tight = self._score(candidate, rebuild(x))
                except Exception:
                    return 0.0
                return -tight if np.isfinite(tight) else -1e300

            res = minimize(objective, x0, method="Nelder-Mead",
                           options={"maxfev": 400 * len(x0), "xatol": 1e-6, "fatol": 1e-12})
            p = rebuild(res.x)
            ratio, info, tight = self._score(candidate, p)
            if best is None or tight > best[3]:
                best = (ratio, info, p, tight)
            if ratio > 1:
                break
        return best
