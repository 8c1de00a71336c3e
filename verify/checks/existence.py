r"""Kind ``existence``: some point of the domain is a witness, ``predicate(point,
candidate.numeric(point))`` true there (an instance where agent-by-agent optimal is not optimal,
a matrix with the claimed defect).

The witness comes from ``find_witness()`` (the derivation's construction, independent of the
candidate), else from the known ``examples``, else from a Hypothesis search of ``strategy``
(shrunk to the smallest witness). Verdicts:

- ``proved``: a witness found and verified by the predicate;
- ``refuted``: ``find_witness()`` offered a witness and the predicate rejects it for this
  candidate (the construction does not show what the candidate claims);
- ``undecided``: no witness found; absence of evidence is never ``consistent``.

>>> from hypothesis import strategies as st
>>> from verify.model import PROFILES, Formula, RunContext
>>> ctx = RunContext(seed=0, profile=PROFILES["quick"])
>>> root = ExistenceCheck(lambda: 2.0, lambda x, v: v == 0.0)          # x = 2 is a root
>>> root.run(Formula("x^2 - 4", lambda x: x * x - 4), ctx).verdict
'proved'
>>> root.run(Formula("x^2 + 4", lambda x: x * x + 4), ctx).verdict
'refuted'
>>> search = ExistenceCheck(None, lambda x, v: v < 0, strategy=lambda: st.integers(0, 100))
>>> search.run(Formula("x - 7", lambda x: x - 7), ctx).details["witness"]    # shrunk to the smallest
0
>>> search.run(Formula("x + 1", lambda x: x + 1), ctx).verdict
'undecided'
"""

from __future__ import annotations

import time
from dataclasses import KW_ONLY, dataclass
from typing import Any, Callable, ClassVar

from ..model import Evidence
from ..search import falsify
from .base import Attempt, Check, readable, require_callable
from .property import predicate_outcome

__all__ = ["ExistenceCheck"]


@dataclass(frozen=True)
class ExistenceCheck(Check):
    r"""A witness exists: ``predicate(point, candidate.numeric(point))`` is true at some point.

    ``find_witness()`` returns a point or ``None`` (no arguments: it is the construction of
    the derivation or an independent search, never the candidate); ``None`` for
    ``find_witness`` itself means there is no construction, only ``examples`` and the
    ``strategy`` search. The predicate returns a bool or ``(bool, info)``.

    An existence check refutes a mutant only through ``find_witness``: a witness offered
    and rejected. A search that finds nothing is ``undecided``.
    """

    find_witness: Callable[[], Any] | None
    predicate: Callable[[Any, Any], Any]
    _: KW_ONLY
    strategy: Callable[[], Any] | None = None

    kind: ClassVar[str] = "existence"
    skip_method: ClassVar[str] = "existence: candidate has no numeric form"
    seed_label: ClassVar[str] = "existence"
    without_strategy: ClassVar[str] = ""

    def may_omit_strategy(self) -> bool:
        return True

    def validate(self) -> None:
        super().validate()
        require_callable(self, "find_witness", optional=True, what="a function of no arguments returning a "
                         "witness point or None")
        require_callable(self, "predicate", what="a function (point, value) -> bool")
        if self.find_witness is None and not self.examples and self.strategy is None:
            from ..errors import ValidationError

            raise ValidationError("ExistenceCheck: find_witness=None, examples=() and strategy=None leave no "
                                  "way to find a witness; give at least one of them")

    def _verify(self, candidate, point):
        value = candidate.numeric(point)
        holds, info = predicate_outcome(self.predicate(point, value))
        return holds, value, info

    def judge(self, attempt: Attempt) -> Evidence:
        candidate, t0 = attempt.candidate, attempt.t0
        tried, raised = 0, []

        def evidence(verdict, method, **kw):
            return Evidence(self.kind, method, verdict, tried, seconds=time.perf_counter() - t0, **kw)

        def proved(point, value, info, found_by):
            return evidence("proved", f"witness from {found_by}, verified by the predicate",
                            details={"witness": readable(point), "value": readable(value), "found_by": found_by,
                                     **{k: readable(v) for k, v in info.items()}})

        if self.find_witness is not None:
            try:
                witness = self.find_witness()
                if witness is not None:
                    tried += 1
                    holds, value, info = self._verify(candidate, witness)
            except Exception as exc:  # the construction or the predicate broke: the check could not run
                return evidence("error", "find_witness or the predicate raised",
                                details={"error": f"{type(exc).__name__}: {exc}"})
            if witness is not None:
                if holds:
                    return proved(witness, value, info, "find_witness")
                return evidence("refuted", "the witness constructed by find_witness fails the predicate",
                                counterexample={"point": readable(witness), "value": readable(value),
                                                "found_by": "find_witness",
                                                **{k: readable(v) for k, v in info.items()}})

        for i, point in enumerate(self.examples):
            tried += 1
            try:
                holds, value, info = self._verify(candidate, point)
            except Exception as exc:
                raised.append({"point": readable(point), "exception": f"{type(exc).__name__}: {exc}"})
                continue
            if holds:
                return proved(point, value, info, f"examples[{i}]")

        if self.strategy is not None:
            def evaluate(point):
                try:
                    holds, value, info = self._verify(candidate, point)
                except Exception as exc:  # not a witness; reported, never mistaken for one
                    raised.append({"point": readable(point), "exception": f"{type(exc).__name__}: {exc}"})
                    return 0.0, {}
                return (2.0 if holds else 0.0), {"value": value, **info}

            out = falsify(self.strategy(), evaluate, seed=attempt.seed,
                          max_examples=self.examples_for(attempt.ctx))
            tried += out.examples
            if out.error:
                return evidence("error", "Hypothesis search for a witness", details={"error": out.error})
            if out.counterexample is not None:
                point, info = out.counterexample
                info = dict(info)
                return proved(point, info.pop("value", None), info, "Hypothesis search (shrunk)")

        sources = (["find_witness returned None"] if self.find_witness is not None else []) + \
            ([f"{len(self.examples)} known instances"] if self.examples else []) + \
            (["Hypothesis search"] if self.strategy is not None else [])
        details = {"searched": sources}
        if raised:
            details["points_that_raised"] = len(raised)
            details["first_raise"] = raised[0]
        return evidence("undecided", "no witness found (" + "; ".join(sources) + ")", details=details)
