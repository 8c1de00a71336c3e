r"""Kind ``count``: a claimed count (of policies, of operations, of joint actions) equals the
count an enumeration finds, exactly, as integers.

>>> from itertools import product
>>> from hypothesis import strategies as st
>>> from verify.model import PROFILES, Formula, RunContext
>>> policies = lambda p: sum(1 for _ in product(range(p[1]), repeat=p[0]))   # |A|^|S| by enumeration
>>> check = CountCheck(policies, lambda: st.tuples(st.integers(1, 4), st.integers(1, 3)))
>>> ctx = RunContext(seed=0, profile=PROFILES["quick"])
>>> check.run(Formula("|A|^{|S|}", lambda p: p[1] ** p[0]), ctx).verdict
'consistent'
>>> ev = check.run(Formula("|S||A|", lambda p: p[0] * p[1]), ctx)
>>> ev.verdict, ev.counterexample["point"], ev.counterexample["counted"], ev.counterexample["candidate"]
('refuted', [2, 1], 1, 2)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, ClassVar

import numpy as np

from ..errors import ValidationError
from .base import Attempt, Check, require_callable

__all__ = ["CountCheck"]

#: float64 holds every integer up to 2^53 exactly; a larger count must be a Python int
EXACT_FLOAT = 2 ** 53


def _integers(value) -> tuple[tuple, list] | str:
    """``(shape, [int, ...])`` when every entry is an exact integer, else the reason it is not."""
    a = np.asarray(value)
    if a.dtype.kind == "b":
        return f"{value!r} is boolean, not a count"
    out = []
    for v in a.ravel().tolist():
        if isinstance(v, int) and not isinstance(v, bool):
            out.append(v)
        elif isinstance(v, float) and math.isfinite(v) and v.is_integer() and abs(v) <= EXACT_FLOAT:
            out.append(int(v))
        elif isinstance(v, float) and math.isfinite(v) and v.is_integer():
            return f"{v!r} is beyond 2^53, where float64 integers are inexact; return a Python int"
        else:
            return f"{v!r} is not an integer"
    return a.shape, out


@dataclass(frozen=True)
class CountCheck(Check):
    r"""``candidate.numeric(point) == count_fn(point)`` exactly, entry by entry, as integers.

    ``count_fn(point)`` counts by enumeration from primitive definitions (every policy
    listed, every operation of an implementation tallied); the candidate is the claimed
    closed form. There is no tolerance: a count off by one refutes, and so does a candidate
    value that is not an exact integer (``2.5``, or a float beyond :math:`2^{53}`). Points are
    the known ``examples`` then points drawn from ``strategy`` (counterexample shrunk);
    ``strategy=None`` enumerates the ``examples`` only. A ``count_fn`` that returns a
    non-integer is an error of the check.
    """

    count_fn: Callable[[Any], Any]
    strategy: Callable[[], Any] | None

    kind: ClassVar[str] = "count"
    skip_method: ClassVar[str] = "count: candidate has no numeric form"
    seed_label: ClassVar[str] = "count"
    without_strategy: ClassVar[str] = "; or list every point of a finite domain in examples="

    def may_omit_strategy(self) -> bool:
        return bool(self.examples)

    def validate(self) -> None:
        super().validate()
        require_callable(self, "count_fn", what="a function of the point returning the enumerated count(s)")

    def evaluator(self, attempt: Attempt):
        candidate = attempt.candidate

        def evaluate(point):
            counted = _integers(self.count_fn(point))
            if isinstance(counted, str):
                raise ValidationError(f"count_fn returned a non-count: {counted}")
            claimed = _integers(candidate.numeric(point))
            if isinstance(claimed, str):
                return math.inf, {"candidate_not_integer": claimed, "counted": _plain(*counted)}
            if claimed[0] != counted[0]:
                return math.inf, {"shape_mismatch": f"candidate shape {claimed[0]}, count shape {counted[0]}"}
            diffs = [abs(c - n) for c, n in zip(claimed[1], counted[1])]
            i = int(np.argmax(diffs)) if diffs else 0
            error = diffs[i] if diffs else 0
            ratio = error / 0.5
            info = {"error": error, "tolerance": 0.5, "ratio": ratio}
            if diffs:
                info.update(candidate=claimed[1][i], counted=counted[1][i])
                if len(diffs) > 1:
                    info["index"] = list(np.unravel_index(i, counted[0]))
            return ratio, info
        return evaluate

    def method(self) -> str:
        return "exact integer equality with an enumeration, at known instances and Hypothesis points"

    def rule(self) -> str:
        return "claimed == counted exactly (a difference of 1 is error/tolerance = 1/0.5 = 2)"


def _plain(shape, values):
    return values[0] if shape == () else values
