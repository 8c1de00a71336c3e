r"""The base class of every check kind: the run skeleton, argument validation and shared helpers.

A check is run against a *candidate* :class:`~verify.model.Formula` (the derived result, or a
mutant of it) and returns :class:`~verify.model.Evidence`. :meth:`Check.run` is the skeleton
every kind shares:

1. skip when the candidate lacks the form the kind evaluates (``numeric`` or ``sympy``);
2. seed the attempt from the run seed, the label and the kind (:func:`sub_seed`);
3. :meth:`Check.judge`: by default, score every known instance in ``examples`` and then
   points drawn by Hypothesis (:func:`verify.search.falsify`) with the kind's
   :meth:`~Check.evaluator` (a ratio of error to tolerance, above 1 a failure), add the
   kind's :meth:`~Check.after_search` details, and turn the outcome into evidence
   (:func:`finish`), which :meth:`~Check.conclude` may amend.

Constructors validate their arguments: a misspelt tolerance key, an order that is not a
number or a ladder of one step raises :class:`~verify.errors.ValidationError` naming
``argument=value`` and what to pass instead.
"""

from __future__ import annotations

import math
import time
import zlib
from dataclasses import KW_ONLY, dataclass, field
from typing import Any, Callable, ClassVar

import numpy as np

from ..errors import ValidationError
from ..model import Evidence, Formula, RunContext
from ..search import SearchOutcome, falsify
from ..tolerances import TOLERANCES

__all__ = ["Check", "Attempt", "finish", "skipped", "sub_seed", "readable", "digest"]


def sub_seed(seed: int, *labels) -> int:
    """A stable per-check seed from the run seed and labels (claim id, check index).

    >>> sub_seed(0, "implicit.preconditioner/0", "numeric") == sub_seed(0, "implicit.preconditioner/0", "numeric")
    True
    """
    return zlib.crc32(("/".join(map(str, (seed,) + labels))).encode()) & 0x7FFFFFFF


def readable(point) -> Any:
    """Point -> JSON-ready plain data (lists, floats) for reports.

    >>> readable((np.array([1.0, 2.0]), np.float64(0.5), {"k": np.int64(3)}))
    [[1.0, 2.0], 0.5, {'k': 3}]
    """
    if hasattr(point, "readable"):
        return point.readable()
    if isinstance(point, np.ndarray):
        return point.tolist()
    if isinstance(point, (tuple, list)):
        return [readable(p) for p in point]
    if isinstance(point, dict):
        return {k: readable(v) for k, v in point.items()}
    if isinstance(point, (np.floating, np.integer)):
        return point.item()
    return point


def digest(point) -> int:
    """A stable 32-bit digest of a point's numbers (seeds per-point Monte Carlo)."""
    crc = 0
    items = point if isinstance(point, (tuple, list)) else (point,)
    for x in items:
        if isinstance(x, np.ndarray):
            crc = zlib.crc32(np.ascontiguousarray(x).tobytes(), crc)
        elif isinstance(x, (tuple, list)):
            crc = zlib.crc32(digest(x).to_bytes(4, "little"), crc)
        else:
            crc = zlib.crc32(repr(x).encode(), crc)
    return crc


def skipped(kind: str, why: str) -> Evidence:
    return Evidence(check=kind, method=why, verdict="skipped")


def finish(kind, method, outcome: SearchOutcome, tol_desc, t0, details=None) -> Evidence:
    """Evidence from a search outcome: error, refuted (the shrunk counterexample) or consistent."""
    details = dict(details or {})
    if outcome.error:
        return Evidence(kind, method, "error", outcome.examples, details={"error": outcome.error},
                        seconds=time.perf_counter() - t0)
    if outcome.counterexample is not None:
        point, info = outcome.counterexample
        verdict = "error" if "exception" in info and not info.get("counts_as_refutation") else "refuted"
        return Evidence(
            kind, method, verdict, outcome.examples,
            worst_error=info.get("error"), tolerance=info.get("tolerance"),
            worst_ratio=info.get("ratio", math.inf),
            counterexample={"point": readable(point), **{k: readable(v) for k, v in info.items()}},
            details=details, seconds=time.perf_counter() - t0,
        )
    info = outcome.worst_info or {}
    details.update({k: readable(v) for k, v in info.items() if k not in ("error", "tolerance", "ratio")})
    details["tolerance_rule"] = tol_desc
    return Evidence(
        kind, method, "consistent", outcome.examples,
        worst_error=info.get("error"), tolerance=info.get("tolerance"),
        worst_ratio=outcome.worst_ratio if outcome.examples else None,
        details=details, seconds=time.perf_counter() - t0,
    )


def score_examples(examples, evaluate) -> SearchOutcome:
    """Score the known instances in order, as :func:`~verify.search.falsify` scores a drawn point
    (an exception or a NaN counts as a failure of the point); stop at the first failure."""
    worst = (-math.inf, None, {})
    for i, point in enumerate(examples):
        try:
            ratio, info = evaluate(point)
        except Exception as exc:  # a candidate or oracle that cannot be evaluated
            ratio, info = math.inf, {"exception": f"{type(exc).__name__}: {exc}"}
        ratio = float(ratio)
        if math.isnan(ratio):
            ratio, info = math.inf, dict(info, nan="evaluation produced NaN")
        if ratio > worst[0]:
            worst = (ratio, point, info)
        if ratio > 1.0:
            return SearchOutcome(i + 1, ratio, point, info, (point, dict(info, found_at=f"examples[{i}]")))
    return SearchOutcome(len(examples), worst[0], worst[1], worst[2], None)


def merge(known: SearchOutcome, drawn: SearchOutcome) -> SearchOutcome:
    """The outcome of the known instances followed by the drawn points."""
    best = known if known.worst_ratio >= drawn.worst_ratio else drawn
    return SearchOutcome(known.examples + drawn.examples, best.worst_ratio, best.worst_point, best.worst_info,
                         drawn.counterexample, drawn.error)


# ---------------------------------------------------------------------------
# argument validation: one helper per rule, messages name argument=value and the fix
# ---------------------------------------------------------------------------


def _owner(check) -> str:
    return type(check).__name__


def require_callable(check, name: str, *, optional: bool = False, what: str = "a function") -> None:
    value = getattr(check, name)
    if value is None and optional:
        return
    if not callable(value):
        raise ValidationError(f"{_owner(check)}: {name}={value!r} must be {what}"
                              + ("; pass None to leave it out" if optional else ""))


def require_int(check, name: str, lo: int, hi: int | None = None, *, optional: bool = False,
                why: str = "") -> None:
    value = getattr(check, name)
    if value is None and optional:
        return
    in_range = isinstance(value, (int, np.integer)) and not isinstance(value, bool) and lo <= value and (
        hi is None or value <= hi)
    if not in_range:
        span = f"in [{lo}, {hi}]" if hi is not None else f">= {lo}"
        raise ValidationError(f"{_owner(check)}: {name}={value!r} must be an int {span}"
                              + (f" ({why})" if why else "") + ("; or None for the default" if optional else ""))


def require_bool(check, name: str) -> None:
    value = getattr(check, name)
    if not isinstance(value, (bool, np.bool_)):
        raise ValidationError(f"{_owner(check)}: {name}={value!r} must be True or False")


def require_real(check, name: str, *, finite: bool = True) -> None:
    value = getattr(check, name)
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not ok or (finite and not math.isfinite(value)):
        raise ValidationError(f"{_owner(check)}: {name}={value!r} must be a finite real number")


def require_choice(check, name: str, choices: tuple) -> None:
    value = getattr(check, name)
    if value not in choices:
        raise ValidationError(f"{_owner(check)}: {name}={value!r} must be one of {choices}")


def require_tolerance_key(check, name: str) -> None:
    value = getattr(check, name)
    if not isinstance(value, str) or value not in TOLERANCES:
        raise ValidationError(f"{_owner(check)}: {name}={value!r} is not a tolerance key; use one of "
                              f"{sorted(TOLERANCES)} (or add the key, with its reason, to verify/tolerances.py)")


# ---------------------------------------------------------------------------
# the base class
# ---------------------------------------------------------------------------


@dataclass
class Attempt:
    """One run of one check against one candidate; ``notes`` holds the kind's per-run state."""

    candidate: Formula
    ctx: RunContext
    label: str
    seed: int
    t0: float
    notes: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    """Base of every check kind: options shared by all kinds and the run skeleton.

    Options (keyword-only, on every kind that draws points):

    - ``description``: one line saying what the check compares (reports, LaTeX);
    - ``examples``: known instances (a tuple of points) scored, in order, before any drawn
      point; a failing one is the counterexample as given (it is not shrunk). Use it for the
      seed's featured instance instead of ``st.one_of(st.just(instance), ...)``;
    - ``max_examples``: a cap on the profile's number of drawn points (expensive oracles).

    Subclasses set the class attributes ``kind`` (the kind's name in reports), ``form``
    (the candidate form they evaluate), ``skip_method`` (the evidence text when the
    candidate lacks it) and ``seed_label``, and implement :meth:`evaluator`, or override
    :meth:`judge` entirely.
    """

    _: KW_ONLY
    description: str = ""
    #: not compared or hashed: points may hold arrays, and a claim (frozen) hashes its checks
    examples: tuple = field(default=(), compare=False)
    max_examples: int | None = None

    kind: ClassVar[str] = "check"
    form: ClassVar[str] = "numeric"
    skip_method: ClassVar[str] = "candidate has no numeric form"
    seed_label: ClassVar[str] = "check"
    #: whether the kind draws points (then it takes ``examples`` and ``max_examples``)
    draws_points: ClassVar[bool] = True
    #: what else may stand in for a strategy, in the error message (kinds that allow it)
    without_strategy: ClassVar[str] = ""

    def __post_init__(self):
        self.validate()

    # -- validation ---------------------------------------------------------------------------

    def validate(self) -> None:
        """Raise :class:`~verify.errors.ValidationError` for a bad argument; subclasses extend it."""
        if not isinstance(self.description, str):
            raise ValidationError(f"{_owner(self)}: description={self.description!r} must be a string")
        if isinstance(self.examples, list):
            object.__setattr__(self, "examples", tuple(self.examples))
        if not isinstance(self.examples, tuple):
            raise ValidationError(f"{_owner(self)}: examples={self.examples!r} must be a tuple of points "
                                  "(known instances); wrap a single point as (point,)")
        if not self.draws_points and self.examples:
            raise ValidationError(f"{_owner(self)}: examples={self.examples!r} is not used by this kind, "
                                  "which draws no points; leave it empty")
        require_int(self, "max_examples", 1, optional=True)
        if self.has_field("strategy"):
            if self.strategy is None and not self.may_omit_strategy():
                raise ValidationError(
                    f"{_owner(self)}: strategy=None: pass a Hypothesis strategy factory (a function of no "
                    f"arguments returning a strategy){self.without_strategy}")
            if self.strategy is not None and not callable(self.strategy):
                raise ValidationError(
                    f"{_owner(self)}: strategy={self.strategy!r} must be a function of no arguments returning a "
                    "Hypothesis strategy (strategy=lambda: ...), so that each run builds it afresh")

    def may_omit_strategy(self) -> bool:
        """Whether ``strategy=None`` is allowed (only the known ``examples`` are then judged)."""
        return False

    @classmethod
    def has_field(cls, name: str) -> bool:
        return name in cls.__dataclass_fields__

    # -- the run skeleton ---------------------------------------------------------------------

    def run(self, candidate: Formula, ctx: RunContext, *, label: str = "") -> Evidence:
        """Judge ``candidate``; ``label`` (claim id and check index) seeds the attempt."""
        t0 = time.perf_counter()
        if getattr(candidate, self.form) is None:
            return skipped(self.kind, self.skip_method)
        attempt = Attempt(candidate, ctx, label, sub_seed(ctx.seed, label, self.seed_label), t0)
        return self.judge(attempt)

    def judge(self, attempt: Attempt) -> Evidence:
        out = self.search(self.evaluator(attempt), attempt)
        details = self.after_search(attempt, out)
        ev = finish(self.kind, self.method(), out, self.rule(), attempt.t0, details)
        return self.conclude(attempt, out, ev)

    def examples_for(self, ctx: RunContext) -> int:
        """Drawn points: the profile's number, capped by ``max_examples``."""
        n = ctx.profile.max_examples
        return n if self.max_examples is None else min(self.max_examples, n)

    def search(self, evaluate, attempt: Attempt) -> SearchOutcome:
        """Score ``examples`` in order, then (unless one failed) points drawn from ``strategy``."""
        strategy = getattr(self, "strategy", None)
        if strategy is None and not self.examples:
            return SearchOutcome(0, -math.inf, None, {}, None,
                                 error=f"{_owner(self)}: strategy=None and examples=() leave no point to judge; "
                                       "pass strategy= or examples=")
        if not self.examples:
            return falsify(strategy(), evaluate, seed=attempt.seed, max_examples=self.examples_for(attempt.ctx))
        known = score_examples(self.examples, evaluate)
        if known.counterexample is not None or strategy is None:
            return known
        drawn = falsify(strategy(), evaluate, seed=attempt.seed, max_examples=self.examples_for(attempt.ctx))
        return merge(known, drawn)

    # -- hooks --------------------------------------------------------------------------------

    def evaluator(self, attempt: Attempt) -> Callable[[Any], tuple]:
        """``point -> (ratio, info)``: ratio of error to tolerance (above 1 fails) and what to report."""
        raise NotImplementedError

    def after_search(self, attempt: Attempt, out: SearchOutcome) -> dict:
        """Details to report; may confirm the worst point (setting ``out.counterexample``)."""
        return {}

    def method(self) -> str:
        return self.kind

    def rule(self) -> str:
        """The tolerance rule, in words, for a consistent verdict."""
        return ""

    def conclude(self, attempt: Attempt, out: SearchOutcome, ev: Evidence) -> Evidence:
        return ev
