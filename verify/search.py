"""Counterexample search driven by Hypothesis: seeded, targeted, shrinking.

:func:`falsify` draws points from a strategy, scores each with ``evaluate`` (a ratio
of error to tolerance; above 1 is a failure), steers generation toward high ratios
with :func:`hypothesis.target`, and on failure lets Hypothesis shrink to the
smallest failing point, which it replays last.

>>> from hypothesis import strategies as st
>>> out = falsify(st.integers(0, 1000), lambda x: (x / 500.0, {}), seed=1, max_examples=100)
>>> out.counterexample[0]
501
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from hypothesis import HealthCheck, Phase, Verbosity, given, seed as hseed, settings, target
from hypothesis.errors import Flaky, HypothesisException

__all__ = ["falsify", "SearchOutcome"]


class _Found(Exception):
    pass


@dataclass
class SearchOutcome:
    examples: int
    worst_ratio: float
    worst_point: object
    worst_info: dict
    counterexample: tuple | None  # (point, info) of the shrunk failure
    error: str | None = None


def falsify(strategy, evaluate, *, seed: int, max_examples: int, raise_errors: tuple = ()) -> SearchOutcome:
    """Search for a point where ``evaluate(point)[0] > 1``; return the shrunk one.

    Exceptions of the types in ``raise_errors`` propagate (after Hypothesis shrinks them);
    any other exception counts as a failure of the point."""
    state = {"n": 0, "worst": (-math.inf, None, {}), "last_fail": None}

    @settings(
        max_examples=max_examples,
        database=None,
        deadline=None,
        verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.generate, Phase.target, Phase.shrink),
        report_multiple_bugs=False,
        print_blob=False,
    )
    @hseed(seed)
    @given(strategy)
    def _prop(point):
        state["n"] += 1
        try:
            ratio, info = evaluate(point)
        except raise_errors:
            raise
        except Exception as exc:  # a candidate or oracle that cannot be evaluated
            ratio, info = math.inf, {"exception": f"{type(exc).__name__}: {exc}"}
        ratio = float(ratio)
        if math.isnan(ratio):
            ratio, info = math.inf, dict(info, nan="evaluation produced NaN")
        if ratio > state["worst"][0]:
            state["worst"] = (ratio, point, info)
        target(min(math.log10(ratio + 1e-300), 300.0), label="log10 error/tolerance")
        if ratio > 1.0:
            state["last_fail"] = (point, info)
            raise _Found

    err = None
    try:
        _prop()
    except _Found:
        pass
    except (Flaky, HypothesisException) as exc:
        err = f"{type(exc).__name__}: {exc}"
    worst_ratio, worst_point, worst_info = state["worst"]
    return SearchOutcome(
        examples=state["n"],
        worst_ratio=worst_ratio,
        worst_point=worst_point,
        worst_info=worst_info,
        counterexample=state["last_fail"],
        error=err,
    )
