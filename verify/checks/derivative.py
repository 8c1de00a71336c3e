r"""Kind ``derivative``: a derived Jacobian against complex-step (or Richardson) derivatives of
the primitive function, blockwise, confirmed in mpmath; random directions :math:`v^\top J u`
for Jacobians too wide to form."""

from __future__ import annotations

import math
from dataclasses import KW_ONLY, dataclass
from typing import Any, Callable, ClassVar

import numpy as np

from ..numerics import compare_arrays, complex_step_jacobian, directional_derivative, richardson_jacobian
from ..search import SearchOutcome
from ..tolerances import tolerance
from .base import Attempt, Check, require_bool, require_callable, require_int, sub_seed

__all__ = ["DerivativeCheck"]


@dataclass(frozen=True)
class DerivativeCheck(Check):
    r"""A derived Jacobian against complex-step (or Richardson) derivatives of a primitive.

    ``primitive(point)`` returns ``(f, x0)``: a batched function and the point at
    which to differentiate it; ``candidate.numeric(point)`` returns the derived
    Jacobian, shape ``(p, m)``. ``blocks(point, J_ref)`` lists ``(column slice,
    scale)`` pairs compared separately (e.g. ``w`` and ``F`` columns); ``scale`` is the
    size of the terms that cancel in that block's entries, computed from the
    reference, so that the absolute tolerance ``atol * scale`` matches roundoff.
    ``primitive_mp(point)`` gives ``(f_mp, x0)`` for the mpmath confirmation.

    Above ``max_full`` columns the check does not form the reference Jacobian: it compares
    :math:`v^\top J u` with :math:`v^\top (Ju)` for ``directions`` random Gaussian pairs
    ``(u, v)`` (the same at every point of a run), :math:`Ju` by one complex step (or a
    Richardson ladder when ``complex_safe=False``); blocks and the mpmath confirmation
    do not apply there.
    """

    primitive: Callable[[Any], Any]
    strategy: Callable[[], Any]
    _: KW_ONLY
    primitive_mp: Callable[[Any], Any] | None = None
    blocks: Callable[[Any], Any] | None = None
    complex_safe: bool = True
    max_full: int = 400
    directions: int = 4

    kind: ClassVar[str] = "derivative"
    skip_method: ClassVar[str] = "derivative: candidate has no numeric form"
    seed_label: ClassVar[str] = "derivative"

    def validate(self) -> None:
        require_bool(self, "complex_safe")
        require_int(self, "max_full", 1, why="columns above which random directions replace the full Jacobian")
        require_int(self, "directions", 1, why="random direction pairs per point")
        super().validate()
        require_callable(self, "primitive", what="a function of the point returning (f, x0)")
        require_callable(self, "primitive_mp", optional=True,
                         what="a function of the point returning (f_mp, x0)")
        require_callable(self, "blocks", optional=True,
                         what="a function (point, J_ref) -> [(column slice, scale), ...]")

    @property
    def _key(self) -> str:
        return "derivative.complex_step" if self.complex_safe else "derivative.richardson"

    def _reference(self, point):
        f, x0 = self.primitive(point)
        if self.complex_safe:
            return complex_step_jacobian(f, x0)[0], None, "derivative.complex_step"
        J, err = richardson_jacobian(f, x0)
        return J, err, "derivative.richardson"

    def compare(self, J_cand, J_ref, err, key, point):
        """Blockwise comparison; returns ``(ratio, info)``."""
        tol = tolerance(key)
        blocks = self.blocks(point, J_ref) if self.blocks else [(slice(None), None)]
        worst = None
        for b, scale in blocks:
            c = compare_arrays(J_cand[:, b], J_ref[:, b], rtol=tol.rtol, atol=tol.atol,
                               extra=None if err is None else err[:, b], scale=scale)
            if worst is None or c.ratio > worst[0].ratio:
                worst = (c, b)
        c, b = worst
        return c.ratio, {"error": c.error, "tolerance": c.tolerance, "ratio": c.ratio,
                         "entry": [c.index[0], (b.start or 0) + c.index[1]] if c.index else [],
                         "candidate": c.candidate, "reference": c.reference}

    def evaluator(self, attempt: Attempt):
        candidate = attempt.candidate
        rng_seed = sub_seed(attempt.ctx.seed, attempt.label, "directions")

        def evaluate(point):
            J_cand = np.asarray(candidate.numeric(point), dtype=float)
            f, x0 = self.primitive(point)
            if J_cand.shape[1] > self.max_full:
                return self._directional(J_cand, f, x0, rng_seed)
            J_ref, err, key = self._reference(point)
            ratio, info = self.compare(J_cand, J_ref, err, key, point)
            if ratio > 1 and self.primitive_mp is not None:
                ratio, info = self._confirm_mp(J_cand, point, info)
            return ratio, info
        return evaluate

    def after_search(self, attempt: Attempt, out: SearchOutcome) -> dict:
        details = {}
        if out.counterexample is None and self.primitive_mp is not None and out.worst_point is not None:
            J_cand = np.asarray(attempt.candidate.numeric(out.worst_point), dtype=float)
            if J_cand.shape[1] > self.max_full:
                details["mpmath_worst_point"] = f"not run: {J_cand.shape[1]} columns > max_full={self.max_full}"
                return details
            ratio, info = self._confirm_mp(J_cand, out.worst_point, {})
            details["mpmath_worst_point_ratio"] = ratio
            if ratio > 1:
                out.counterexample = (out.worst_point, info)
        return details

    def method(self) -> str:
        return ("complex step" if self.complex_safe else "Richardson central differences") + \
            " of the primitive; mpmath (50 digits) at the worst point"

    def rule(self) -> str:
        tol = tolerance(self._key)
        return f"rtol={tol.rtol:g}, atol={tol.atol:g} x max|block|"

    def _confirm_mp(self, J_cand, point, info):
        from ..numerics import mp_jacobian

        f_mp, x0 = self.primitive_mp(point)
        J_mp = np.array([[float(v) for v in row] for row in mp_jacobian(f_mp, x0)])
        ratio, info2 = self.compare(J_cand, J_mp, None, "derivative.complex_step", point)
        return ratio, dict(info2, confirmed_by="mpmath")

    def _directional(self, J_cand, f, x0, seed):
        r"""Worst of ``directions`` comparisons of :math:`v^\top J_{cand} u` with :math:`v^\top (J u)`."""
        rng = np.random.default_rng(seed)
        tol = tolerance(self._key)
        method = "complex" if self.complex_safe else "richardson"
        worst = (0.0, {})
        for _ in range(self.directions):
            u = rng.standard_normal(J_cand.shape[1])
            v = rng.standard_normal(J_cand.shape[0])
            Ju = np.asarray(directional_derivative(f, x0, u, method=method), dtype=float)
            a, b = float(v @ (J_cand @ u)), float(v @ Ju)
            scale = float(np.abs(v).sum() * np.abs(Ju).max())
            t = tol.rtol * abs(b) + tol.atol * scale
            r = abs(a - b) / t if t > 0 else (0.0 if a == b else math.inf)
            if r >= worst[0]:
                worst = (r, {"error": abs(a - b), "tolerance": t, "ratio": r,
                             "candidate": a, "reference": b, "mode": "v^T J u"})
        return worst
