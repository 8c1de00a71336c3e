r"""Kind ``property``: a predicate holds at every point of a domain, searched by Hypothesis; a
counterexample is shrunk to the smallest failing point.

>>> from hypothesis import strategies as st
>>> from verify.model import PROFILES, Formula, RunContext
>>> check = PropertyCheck(lambda x, v: v >= 0, lambda: st.floats(-10, 10))
>>> ctx = RunContext(seed=0, profile=PROFILES["quick"])
>>> check.run(Formula("x^2", lambda x: x * x), ctx).verdict
'consistent'
>>> ev = check.run(Formula("x^2 - 1", lambda x: x * x - 1), ctx)
>>> ev.verdict, ev.counterexample["point"]
('refuted', 0.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, ClassVar

import numpy as np

from ..errors import ValidationError
from .base import Attempt, Check, require_callable

__all__ = ["PropertyCheck", "predicate_outcome"]


def predicate_outcome(out) -> tuple[bool, dict]:
    """A predicate's answer, ``bool`` or ``(bool, info)``, as ``(holds, info)``; anything else raises."""
    info = {}
    if isinstance(out, tuple) and len(out) == 2 and isinstance(out[1], dict):
        out, info = out
    if not isinstance(out, (bool, np.bool_)):
        raise ValidationError(f"predicate returned {out!r}; it must return True or False, or (bool, info dict) "
                              "(reduce an array with np.all or np.any)")
    return bool(out), dict(info)


@dataclass(frozen=True)
class PropertyCheck(Check):
    r"""``predicate(point, candidate.numeric(point))`` holds at every point of the domain.

    Points are the known ``examples`` (in order), then points drawn from ``strategy`` by
    Hypothesis; the first point where the predicate is false is shrunk to the smallest one
    and reported with the candidate's value there. ``strategy=None`` judges the ``examples``
    only (a finite domain enumerated). The predicate returns ``True``/``False`` or
    ``(bool, info)`` with ``info`` reported alongside; any other answer is an error of the
    check, not a refutation.

    Use it for a sign or a structural fact of a derived quantity (an improvement
    :math:`\min_s(V^{\pi'} - V^\pi)(s) \ge 0`, a matrix that is stochastic) instead of a
    :class:`~verify.checks.BoundCheck` against ``lambda p: 0.0``.
    """

    predicate: Callable[[Any, Any], Any]
    strategy: Callable[[], Any] | None

    kind: ClassVar[str] = "property"
    skip_method: ClassVar[str] = "property: candidate has no numeric form"
    seed_label: ClassVar[str] = "property"
    without_strategy: ClassVar[str] = "; or list every point of a finite domain in examples="

    def may_omit_strategy(self) -> bool:
        return bool(self.examples)

    def validate(self) -> None:
        super().validate()
        require_callable(self, "predicate", what="a function (point, value) -> bool")

    def evaluator(self, attempt: Attempt):
        candidate = attempt.candidate

        def evaluate(point):
            value = candidate.numeric(point)
            holds, info = predicate_outcome(self.predicate(point, value))
            return (0.0 if holds else 2.0), {"holds": holds, "value": value, **info}
        return evaluate

    def method(self) -> str:
        return "predicate at known instances and Hypothesis points, counterexample shrunk"

    def rule(self) -> str:
        return "the predicate holds at every point"
