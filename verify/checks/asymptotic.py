r"""Kind ``asymptotic``: a remainder is :math:`O(h^p)`, judged by the converged local log-log
slopes of a geometric ladder of steps (adaptive depth, optional high precision, ``undecided``
when the slopes never settle)."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from typing import Any, Callable, ClassVar

import numpy as np

from ..model import Evidence, Formula
from ..search import SearchOutcome
from ..tolerances import (ASYMPTOTIC_MIN_DECIDED, ASYMPTOTIC_SPREAD, ASYMPTOTIC_WINDOW, ROUNDOFF_MARGIN,
                          tolerance)
from .base import Attempt, Check, readable, require_bool, require_callable, require_int, require_real

__all__ = ["AsymptoticCheck"]

#: the smallest ladder whose local slopes can settle: ASYMPTOTIC_WINDOW slopes need one more rung
MIN_STEPS = 4
#: 2^-1022 is the smallest normal float64: a deeper ladder underflows
MAX_DEPTH = 1022


@dataclass(frozen=True)
class AsymptoticCheck(Check):
    """A remainder is :math:`O(h^p)`: the local log-log slopes of a geometric ladder converge to >= p.

    ``remainder(candidate, point, hs)`` returns ``(r, floor)``: remainder norms at the
    steps ``hs`` (``h0 * 2**-k``) and a roundoff bound for each. A rung is *usable* when
    its remainder exceeds ``ROUNDOFF_MARGIN`` times its floor. The local slope between
    two usable neighbours is ``log2(r_k / r_{k+1})``. The ladder starts with ``steps``
    rungs and is extended, ``EXTEND`` rungs at a time, until the last
    ``ASYMPTOTIC_WINDOW`` local slopes agree within ``ASYMPTOTIC_SPREAD`` (the slope has
    *converged*), up to ``max_steps`` rungs. Then, per point:

    - converged and the last slope >= ``order - tol``: consistent;
    - converged and below: refuted (the remainder has a lower order);
    - every rung below its floor: the remainder is roundoff at every step (consistent,
      counted as ``below_floor``);
    - at ``max_steps`` with unsettled slopes that all lie on one side of ``order - tol``
      over the window: decided by that side (the largest slope is reported);
    - otherwise (the floor, or ``max_steps`` with slopes on both sides, reached before
      the slopes settled): *undecided* -- no evidence either way, never counted as consistent.

    The check is ``undecided`` when fewer than ``ASYMPTOTIC_MIN_DECIDED`` of its points
    decided. ``remainder`` may also be called with ``precise=True`` (when
    ``precise=True`` is set on the check) to evaluate in high precision where float64's
    floor stops the ladder before the slopes settle.

    ``order`` may be 0 or negative (a remainder that stays bounded, or grows no faster than
    :math:`h^{p}`); ``MIN_STEPS <= steps <= max_steps <= MAX_DEPTH``.
    """

    remainder: Callable[..., Any]
    strategy: Callable[[], Any]
    _: KW_ONLY
    order: float = 2.0
    steps: int = 9
    max_steps: int = 48
    precise: bool = False

    kind: ClassVar[str] = "asymptotic"
    skip_method: ClassVar[str] = "asymptotic: candidate has no numeric form"
    seed_label: ClassVar[str] = "asymptotic"

    EXTEND: ClassVar[int] = 4

    def validate(self) -> None:
        require_real(self, "order")
        require_int(self, "max_steps", MIN_STEPS, MAX_DEPTH, why="the deepest rung of the ladder h0 * 2^-k")
        require_int(self, "steps", MIN_STEPS, self.max_steps,
                    why=f"the initial rungs; {ASYMPTOTIC_WINDOW} local slopes need {MIN_STEPS} rungs, "
                        "and steps may not exceed max_steps")
        require_bool(self, "precise")
        super().validate()
        require_callable(self, "remainder", what="a function (candidate, point, hs) -> (r, floor)")

    def _ladder(self, candidate, point, ks, precise):
        hs = 2.0 ** -np.asarray(ks, dtype=float)
        if precise:
            r, floor = self.remainder(candidate, point, hs, precise=True)
        else:
            r, floor = self.remainder(candidate, point, hs)
        return np.asarray(r, dtype=float), np.asarray(floor, dtype=float)

    def slope_at(self, candidate: Formula, point) -> tuple[float, dict]:
        """``(ratio, info)`` for one point; ratio > 1 means the converged slope is too low."""
        tol = tolerance("asymptotic.slope")
        precise = False
        ks = list(range(self.steps))
        r, floor = self._ladder(candidate, point, ks, precise)
        while True:
            usable = np.isfinite(r) & (r > ROUNDOFF_MARGIN * floor) & (r > 0)
            if not usable.any():
                if precise or not self.precise:
                    return 0.0, {"slope": None, "below_floor": True, "decided": True}
            # local slopes over the deepest run of consecutive usable rungs
            local = []
            idx = np.flatnonzero(usable)
            if idx.size:
                j = i = int(idx[-1])
                while i > 0 and usable[i - 1]:
                    i -= 1
                local = [(ks[k + 1], float(np.log2(r[k] / r[k + 1]))) for k in range(i, j)]
            tail = [s for _, s in local[-ASYMPTOTIC_WINDOW:]]
            if len(tail) == ASYMPTOTIC_WINDOW and max(tail) - min(tail) <= ASYMPTOTIC_SPREAD:
                slope = tail[-1]
                deficit = self.order - slope
                ratio = max(deficit, 0.0) / tol.atol
                return ratio, {"error": deficit, "tolerance": tol.atol, "ratio": ratio, "slope": slope,
                               "local_slopes": [round(s, 4) for s in tail], "expected_order": self.order,
                               "depth": int(ks[-1]) + 1, "precision": "mpmath" if precise else "float64",
                               "decided": True}
            deep_usable = bool(usable[-1])
            if deep_usable and len(ks) < self.max_steps:
                new = list(range(ks[-1] + 1, min(ks[-1] + 1 + self.EXTEND, self.max_steps)))
                r2, f2 = self._ladder(candidate, point, new, precise)
                ks, r, floor = ks + new, np.concatenate([r, r2]), np.concatenate([floor, f2])
                continue
            if not deep_usable and self.precise and not precise:
                precise = True  # float64's floor stopped the ladder: redo it in high precision
                r, floor = self._ladder(candidate, point, ks, precise)
                continue
            if deep_usable and len(tail) == ASYMPTOTIC_WINDOW and (
                    max(tail) < self.order - tol.atol or min(tail) >= self.order - tol.atol):
                # at the maximum depth, slopes that have not settled but lie on one side of the
                # threshold over the whole window decide: a remainder still not shrinking like
                # h^p after max_steps halvings is not O(h^p) on any ladder the check can afford
                slope = max(tail)
                deficit = self.order - slope
                ratio = max(deficit, 0.0) / tol.atol
                return ratio, {"error": deficit, "tolerance": tol.atol, "ratio": ratio, "slope": slope,
                               "local_slopes": [round(s, 4) for s in tail], "expected_order": self.order,
                               "depth": int(ks[-1]) + 1, "settled": False,
                               "precision": "mpmath" if precise else "float64", "decided": True}
            why = "maximum depth reached" if deep_usable else "roundoff floor reached"
            return 0.0, {"slope": tail[-1] if tail else None, "local_slopes": [round(s, 4) for s in tail],
                         "undecided": f"{why} before the local slopes settled", "depth": int(ks[-1]) + 1,
                         "decided": False}

    def evaluator(self, attempt: Attempt):
        candidate, counts = attempt.candidate, attempt.notes
        counts.update({"below": 0, "undecided": 0, "undecided_example": None})

        def evaluate(point):
            ratio, info = self.slope_at(candidate, point)
            counts["below"] += bool(info.get("below_floor"))
            if not info["decided"]:
                counts["undecided"] += 1
                counts["undecided_example"] = counts["undecided_example"] or {"point": readable(point), **info}
            return ratio, info
        return evaluate

    def after_search(self, attempt: Attempt, out: SearchOutcome) -> dict:
        counts = attempt.notes
        details = {"points_below_roundoff_floor": counts["below"], "points_undecided": counts["undecided"],
                   "h_ladder": f"h0 * 2^-k, k < {self.steps}, extended to <= {self.max_steps} until "
                               f"{ASYMPTOTIC_WINDOW} local slopes agree within {ASYMPTOTIC_SPREAD:g}",
                   "roundoff_margin": ROUNDOFF_MARGIN}
        if counts["undecided_example"] is not None:
            details["undecided_example"] = counts["undecided_example"]
        return details

    def method(self) -> str:
        return f"converged local log-log slope of the remainder, order {self.order:g}"

    def rule(self) -> str:
        return f"converged slope >= {self.order:g} - {tolerance('asymptotic.slope').atol:g}"

    def conclude(self, attempt: Attempt, out: SearchOutcome, ev: Evidence) -> Evidence:
        decided = out.examples - attempt.notes["undecided"]
        if ev.verdict == "consistent" and decided < ASYMPTOTIC_MIN_DECIDED * out.examples:
            ev.verdict = "undecided"
            ev.method += f" (only {decided} of {out.examples} points decided)"
        return ev
