r"""Kind ``identity``: two expressions are equal, symbolically (:class:`SymbolicIdentity`) or at
Hypothesis-drawn points with an mpmath confirmation (:class:`NumericIdentity`)."""

from __future__ import annotations

import time
from dataclasses import KW_ONLY, dataclass
from typing import Any, Callable, ClassVar

import numpy as np

from ..errors import ValidationError
from ..model import Evidence
from ..numerics import compare_arrays
from ..search import SearchOutcome
from ..symbolic import prove_zero
from ..tolerances import tolerance
from .base import Attempt, Check, require_callable, require_tolerance_key, sub_seed

__all__ = ["SymbolicIdentity", "NumericIdentity"]


@dataclass(frozen=True)
class SymbolicIdentity(Check):
    """Prove ``candidate.sympy(size) == reference(size)`` for each size.

    ``sizes`` get the full ladder (random rational points, then a fraction-field
    normal form; ``"n"`` means matrix level); ``sample_sizes`` only the random
    rational points, for sizes where a normal form is too slow.
    """

    reference: Callable[[Any], Any]
    _: KW_ONLY
    sizes: tuple = (2,)
    sample_sizes: tuple = ()

    kind: ClassVar[str] = "identity"
    form: ClassVar[str] = "sympy"
    skip_method: ClassVar[str] = "symbolic: candidate has no SymPy form"
    draws_points: ClassVar[bool] = False

    def validate(self) -> None:
        for name in ("sizes", "sample_sizes"):
            value = getattr(self, name)
            if not isinstance(value, tuple) or any(
                    isinstance(s, bool) or (isinstance(s, int) and s < 1) for s in value):
                raise ValidationError(f"SymbolicIdentity: {name}={value!r} must be a tuple of sizes (positive "
                                      "ints, tuples of them, or 'n' for the matrix level); write (2,) for one size")
        if not self.sizes and not self.sample_sizes:
            raise ValidationError("SymbolicIdentity: sizes=() and sample_sizes=() leave nothing to prove; "
                                  "give at least one size")
        if self.max_examples is not None:
            raise ValidationError(f"SymbolicIdentity: max_examples={self.max_examples!r} is not used by this "
                                  "kind, which draws no points; leave it None")
        super().validate()
        require_callable(self, "reference", what="a function of the size returning a SymPy expression")

    def judge(self, attempt: Attempt) -> Evidence:
        candidate, ctx, label, t0 = attempt.candidate, attempt.ctx, attempt.label, attempt.t0
        proved, sampled, steps = [], [], []
        for size, nf in [(s, True) for s in self.sizes] + [(s, False) for s in self.sample_sizes]:
            diff = candidate.sympy(size) - self.reference(size)
            out = prove_zero(
                diff, budget_s=ctx.profile.symbolic_budget_s, seed=sub_seed(ctx.seed, label, size),
                normal_form=nf,
            )
            steps.append({"size": str(size), "verdict": out.verdict, "method": out.method})
            if out.verdict == "refuted":
                return Evidence(
                    self.kind, f"symbolic (size {size}): {out.method}", "refuted", 1,
                    counterexample={"size": str(size), **out.detail},
                    details={"steps": steps}, seconds=time.perf_counter() - t0,
                )
            (proved if out.verdict == "proved" else sampled).append(str(size))
        seconds = time.perf_counter() - t0
        if proved and not sampled:
            return Evidence(self.kind, "symbolic: proved for " + _scope(proved), "proved",
                            len(steps), details={"steps": steps, "scope": "all" if "n" in proved else "sizes"},
                            seconds=seconds)
        if proved or any("rational points" in s["method"] for s in steps):
            method = "symbolic: proved for " + (_scope(proved) if proved else "no size") + \
                "; zero at random rational points (evidence, not proof) for " + _scope(sampled)
            return Evidence(self.kind, method, "proved" if not sampled else "consistent",
                            len(steps), details={"steps": steps, "scope": "all" if "n" in proved else "sizes"},
                            seconds=seconds)
        return Evidence(self.kind, "symbolic: inconclusive", "skipped",
                        details={"steps": steps}, seconds=seconds)


def _scope(sizes) -> str:
    """What a proof covers, in words: ``all n (matrix level)`` for the symbolic size, ``n = 2, 3`` otherwise."""
    parts = []
    if "n" in sizes:
        parts.append("all n (matrix level)")
    fixed = [s for s in sizes if s != "n"]
    if fixed:
        parts.append("size " + ", ".join(fixed) if any("(" in s for s in fixed) else "n = " + ", ".join(fixed))
    return " and ".join(parts)


@dataclass(frozen=True)
class NumericIdentity(Check):
    """``candidate.numeric(point) == reference(point)`` at Hypothesis-drawn points.

    The reference is an oracle from primitive definitions. A disagreement is
    confirmed against ``reference_mp`` (mpmath, high precision) before it counts,
    and the worst point is always re-checked there. ``scale(point)`` is the size of the
    terms that cancel (reference side); ``part`` compares ``candidate.numeric(point)[part]``
    when the candidate returns parts.
    """

    reference: Callable[[Any], Any]
    strategy: Callable[[], Any]
    _: KW_ONLY
    reference_mp: Callable[[Any], Any] | None = None
    scale: Callable[[Any], float] | None = None
    tolerance_key: str = "identity.float64"
    part: str | int | None = None

    kind: ClassVar[str] = "identity"
    skip_method: ClassVar[str] = "numeric: candidate has no numeric form"
    seed_label: ClassVar[str] = "numeric"

    def validate(self) -> None:
        require_tolerance_key(self, "tolerance_key")
        super().validate()
        require_callable(self, "reference", what="a function of the point (the oracle)")
        require_callable(self, "reference_mp", optional=True, what="a function of the point (mpmath oracle)")
        require_callable(self, "scale", optional=True, what="a function of the point returning a float")

    def _candidate(self, candidate, point):
        value = candidate.numeric(point)
        return np.asarray(value if self.part is None else value[self.part], dtype=float)

    def _reference(self, point):
        """The reference may return ``(value, info)`` to report how it got there."""
        out = self.reference(point)
        if isinstance(out, tuple) and len(out) == 2 and isinstance(out[1], dict):
            return np.asarray(out[0], dtype=float), out[1]
        return np.asarray(out, dtype=float), {}

    def _scale(self, point):
        return None if self.scale is None else float(self.scale(point))

    def _mp_compare(self, cand, point):
        mp_tol = tolerance("identity.mpmath")
        ref_mp = np.asarray(self.reference_mp(point), dtype=float)
        return compare_arrays(cand, ref_mp, rtol=mp_tol.rtol, atol=mp_tol.atol, scale=self._scale(point))

    def evaluator(self, attempt: Attempt):
        tol = tolerance(self.tolerance_key)
        candidate = attempt.candidate

        def evaluate(point):
            cand = self._candidate(candidate, point)
            ref, ref_info = self._reference(point)
            c = compare_arrays(cand, ref, rtol=tol.rtol, atol=tol.atol, scale=self._scale(point))
            info = {"error": c.error, "tolerance": c.tolerance, "ratio": c.ratio,
                    "index": c.index, "candidate": c.candidate, "reference": c.reference, **ref_info}
            if c.ratio > 1 and self.reference_mp is not None:
                cm = self._mp_compare(cand, point)
                return cm.ratio, dict(info, ratio=cm.ratio, error=cm.error, tolerance=cm.tolerance,
                                      confirmed_by="mpmath")
            return c.ratio, info
        return evaluate

    def after_search(self, attempt: Attempt, out: SearchOutcome) -> dict:
        details = {}
        if out.counterexample is None and self.reference_mp is not None and out.worst_point is not None:
            cm = self._mp_compare(self._candidate(attempt.candidate, out.worst_point), out.worst_point)
            details["mpmath_worst_point_ratio"] = cm.ratio
            if cm.ratio > 1:
                out.counterexample = (out.worst_point, {"error": cm.error, "tolerance": cm.tolerance,
                                                         "ratio": cm.ratio, "confirmed_by": "mpmath"})
        return details

    def method(self) -> str:
        return "numeric float64 at Hypothesis points, mpmath at the worst"

    def rule(self) -> str:
        tol = tolerance(self.tolerance_key)
        return f"rtol={tol.rtol:g}, atol={tol.atol:g} x max|reference|"
