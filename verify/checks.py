r"""Check kinds: each binds an oracle and a strategy to a comparator.

A check is run against a *candidate* :class:`~verify.model.Formula` (the derived
result, or a mutant of it) and returns :class:`~verify.model.Evidence`. The oracle
side never evaluates the candidate: it differentiates, solves or samples primitive
definitions.

Kinds here: :class:`SymbolicIdentity` and :class:`NumericIdentity` (kind
``identity``), :class:`DerivativeCheck` (``derivative``), :class:`AsymptoticCheck`
(``asymptotic``), :class:`BoundCheck` (``bound``).
"""

from __future__ import annotations

import math
import time
import zlib
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .model import Evidence, Formula, RunContext
from .numerics import compare_arrays, complex_step_jacobian, richardson_jacobian
from .search import falsify
from .symbolic import prove_zero
from .tolerances import (ASYMPTOTIC_MIN_DECIDED, ASYMPTOTIC_SPREAD, ASYMPTOTIC_WINDOW, ROUNDOFF_MARGIN,
                         STOCHASTIC_DELTA, tolerance)

__all__ = [
    "SymbolicIdentity",
    "NumericIdentity",
    "DerivativeCheck",
    "MonteCarloCheck",
    "AsymptoticCheck",
    "BoundCheck",
    "ExpectationCheck",
    "DistributionCheck",
    "sub_seed",
    "readable",
]


def sub_seed(seed: int, *labels) -> int:
    """A stable per-check seed from the run seed and labels (claim id, check index)."""
    return zlib.crc32(("/".join(map(str, (seed,) + labels))).encode()) & 0x7FFFFFFF


def readable(point) -> Any:
    """Point -> JSON-ready plain data (lists, floats) for reports."""
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


def _digest(point) -> int:
    """A stable 32-bit digest of a point's numbers (seeds per-point Monte Carlo)."""
    crc = 0
    items = point if isinstance(point, (tuple, list)) else (point,)
    for x in items:
        if isinstance(x, np.ndarray):
            crc = zlib.crc32(np.ascontiguousarray(x).tobytes(), crc)
        elif isinstance(x, (tuple, list)):
            crc = zlib.crc32(_digest(x).to_bytes(4, "little"), crc)
        else:
            crc = zlib.crc32(repr(x).encode(), crc)
    return crc


def _skipped(kind, why):
    return Evidence(check=kind, method=why, verdict="skipped")


def _finish(kind, method, outcome, tol_desc, t0, details=None):
    """Evidence from a falsify() outcome."""
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


# ---------------------------------------------------------------------------
# identity
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SymbolicIdentity:
    """Prove ``candidate.sympy(size) == reference(size)`` for each size.

    ``sizes`` get the full ladder (random rational points, then a fraction-field
    normal form; ``"n"`` means matrix level); ``sample_sizes`` only the random
    rational points, for sizes where a normal form is too slow.
    """

    reference: Callable[[Any], Any]
    sizes: tuple = (2,)
    sample_sizes: tuple = ()
    description: str = ""
    kind: str = "identity"

    def run(self, candidate: Formula, ctx: RunContext, *, label: str = "") -> Evidence:
        t0 = time.perf_counter()
        if candidate.sympy is None:
            return _skipped(self.kind, "symbolic: candidate has no SymPy form")
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
            return Evidence(self.kind, "symbolic proof for sizes " + ", ".join(proved), "proved",
                            len(steps), details={"steps": steps}, seconds=seconds)
        if proved or any("rational points" in s["method"] for s in steps):
            method = "symbolic: proved for " + (", ".join(proved) or "none") + \
                "; zero at random rational points for " + ", ".join(sampled)
            return Evidence(self.kind, method, "proved" if not sampled else "consistent",
                            len(steps), details={"steps": steps}, seconds=seconds)
        return Evidence(self.kind, "symbolic: inconclusive", "skipped",
                        details={"steps": steps}, seconds=seconds)


@dataclass(frozen=True)
class NumericIdentity:
    """``candidate.numeric(point) == reference(point)`` at Hypothesis-drawn points.

    The reference is an oracle from primitive definitions. A disagreement is
    confirmed against ``reference_mp`` (mpmath, high precision) before it counts,
    and the worst point is always re-checked there.
    """

    reference: Callable[[Any], Any]
    strategy: Callable[[], Any]
    reference_mp: Callable[[Any], Any] | None = None
    scale: Callable[[Any], float] | None = None  #: size of the terms that cancel (reference side)
    tolerance_key: str = "identity.float64"
    part: str | None = None  #: compare ``candidate.numeric(point)[part]`` when the candidate returns parts
    max_examples: int | None = None  #: cap on the profile's examples (for expensive references)
    description: str = ""
    kind: str = "identity"

    def run(self, candidate: Formula, ctx: RunContext, *, label: str = "") -> Evidence:
        t0 = time.perf_counter()
        if candidate.numeric is None:
            return _skipped(self.kind, "numeric: candidate has no numeric form")
        tol = tolerance(self.tolerance_key)

        def _cand(point):
            value = candidate.numeric(point)
            return np.asarray(value if self.part is None else value[self.part], dtype=float)

        def _ref(point):
            """The reference may return ``(value, info)`` to report how it got there."""
            out = self.reference(point)
            if isinstance(out, tuple) and len(out) == 2 and isinstance(out[1], dict):
                return np.asarray(out[0], dtype=float), out[1]
            return np.asarray(out, dtype=float), {}
        mp_tol = tolerance("identity.mpmath")

        def _scale(point):
            return None if self.scale is None else float(self.scale(point))

        def _mp_compare(cand, point):
            ref_mp = np.asarray(self.reference_mp(point), dtype=float)
            return compare_arrays(cand, ref_mp, rtol=mp_tol.rtol, atol=mp_tol.atol, scale=_scale(point))

        def evaluate(point):
            cand = _cand(point)
            ref, ref_info = _ref(point)
            c = compare_arrays(cand, ref, rtol=tol.rtol, atol=tol.atol, scale=_scale(point))
            info = {"error": c.error, "tolerance": c.tolerance, "ratio": c.ratio,
                    "index": c.index, "candidate": c.candidate, "reference": c.reference, **ref_info}
            if c.ratio > 1 and self.reference_mp is not None:
                cm = _mp_compare(cand, point)
                return cm.ratio, dict(info, ratio=cm.ratio, error=cm.error, tolerance=cm.tolerance,
                                      confirmed_by="mpmath")
            return c.ratio, info

        examples = ctx.profile.max_examples if self.max_examples is None else min(self.max_examples,
                                                                                   ctx.profile.max_examples)
        out = falsify(self.strategy(), evaluate, seed=sub_seed(ctx.seed, label, "numeric"),
                      max_examples=examples)
        details = {}
        if out.counterexample is None and self.reference_mp is not None and out.worst_point is not None:
            cm = _mp_compare(_cand(out.worst_point), out.worst_point)
            details["mpmath_worst_point_ratio"] = cm.ratio
            if cm.ratio > 1:
                out.counterexample = (out.worst_point, {"error": cm.error, "tolerance": cm.tolerance,
                                                         "ratio": cm.ratio, "confirmed_by": "mpmath"})
        return _finish(self.kind, "numeric float64 at Hypothesis points, mpmath at the worst",
                       out, f"rtol={tol.rtol:g}, atol={tol.atol:g} x max|reference|", t0, details)


# ---------------------------------------------------------------------------
# derivative
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DerivativeCheck:
    """A derived Jacobian against complex-step (or Richardson) derivatives of a primitive.

    ``primitive(point)`` returns ``(f, x0)``: a batched function and the point at
    which to differentiate it; ``candidate.numeric(point)`` returns the derived
    Jacobian, shape ``(p, m)``. ``blocks(point, J_ref)`` lists ``(column slice,
    scale)`` pairs compared separately (e.g. ``w`` and ``F`` columns); ``scale`` is the
    size of the terms that cancel in that block's entries, computed from the
    reference, so that the absolute tolerance ``atol * scale`` matches roundoff. Above ``max_full`` columns the
    check compares ``v^T J u`` for random directions instead of full Jacobians.
    ``primitive_mp(point)`` gives ``(f_mp, x0)`` for the mpmath confirmation.
    """

    primitive: Callable[[Any], Any]
    strategy: Callable[[], Any]
    primitive_mp: Callable[[Any], Any] | None = None
    blocks: Callable[[Any], Any] | None = None
    complex_safe: bool = True
    max_full: int = 400
    directions: int = 4
    description: str = ""
    kind: str = "derivative"

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

    def run(self, candidate: Formula, ctx: RunContext, *, label: str = "") -> Evidence:
        t0 = time.perf_counter()
        if candidate.numeric is None:
            return _skipped(self.kind, "derivative: candidate has no numeric form")
        rng_seed = sub_seed(ctx.seed, label, "directions")

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

        out = falsify(self.strategy(), evaluate, seed=sub_seed(ctx.seed, label, "derivative"),
                      max_examples=ctx.profile.max_examples)
        details = {}
        if out.counterexample is None and self.primitive_mp is not None and out.worst_point is not None:
            J_cand = np.asarray(candidate.numeric(out.worst_point), dtype=float)
            ratio, info = self._confirm_mp(J_cand, out.worst_point, {})
            details["mpmath_worst_point_ratio"] = ratio
            if ratio > 1:
                out.counterexample = (out.worst_point, info)
        method = ("complex step" if self.complex_safe else "Richardson central differences") + \
            " of the primitive; mpmath (50 digits) at the worst point"
        tol = tolerance("derivative.complex_step" if self.complex_safe else "derivative.richardson")
        return _finish(self.kind, method, out,
                       f"rtol={tol.rtol:g}, atol={tol.atol:g} x max|block|", t0, details)

    def _confirm_mp(self, J_cand, point, info):
        from .numerics import mp_jacobian

        f_mp, x0 = self.primitive_mp(point)
        J_mp = np.array([[float(v) for v in row] for row in mp_jacobian(f_mp, x0)])
        ratio, info2 = self.compare(J_cand, J_mp, None, "derivative.complex_step", point)
        return ratio, dict(info2, confirmed_by="mpmath")

    def _directional(self, J_cand, f, x0, seed):
        rng = np.random.default_rng(seed)
        tol = tolerance("derivative.complex_step")
        worst = (0.0, {})
        for _ in range(self.directions):
            u = rng.standard_normal(J_cand.shape[1])
            v = rng.standard_normal(J_cand.shape[0])
            Ju = np.asarray(f((x0 + 1e-30j * u)[None, :])).imag[0] / 1e-30
            a, b = float(v @ (J_cand @ u)), float(v @ Ju)
            scale = float(np.abs(v).sum() * np.abs(Ju).max())
            t = tol.rtol * abs(b) + tol.atol * scale
            r = abs(a - b) / t if t > 0 else (0.0 if a == b else math.inf)
            if r >= worst[0]:
                worst = (r, {"error": abs(a - b), "tolerance": t, "ratio": r,
                             "candidate": a, "reference": b, "mode": "v^T J u"})
        return worst


# ---------------------------------------------------------------------------
# asymptotic
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AsymptoticCheck:
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
    """

    remainder: Callable[..., Any]
    strategy: Callable[[], Any]
    order: float = 2.0
    steps: int = 9
    max_steps: int = 48
    precise: bool = False
    description: str = ""
    kind: str = "asymptotic"

    EXTEND = 4

    def __post_init__(self):
        from .errors import ValidationError

        if not (isinstance(self.steps, int) and 4 <= self.steps <= self.max_steps):
            raise ValidationError(f"AsymptoticCheck steps={self.steps!r} must be an int in [4, max_steps={self.max_steps}]")
        if not math.isfinite(self.order):
            raise ValidationError(f"AsymptoticCheck order={self.order!r} must be finite")

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

    def run(self, candidate: Formula, ctx: RunContext, *, label: str = "") -> Evidence:
        t0 = time.perf_counter()
        if candidate.numeric is None:
            return _skipped(self.kind, "asymptotic: candidate has no numeric form")
        tol = tolerance("asymptotic.slope")
        counts = {"below": 0, "undecided": 0, "undecided_example": None}

        def evaluate(point):
            ratio, info = self.slope_at(candidate, point)
            counts["below"] += bool(info.get("below_floor"))
            if not info["decided"]:
                counts["undecided"] += 1
                counts["undecided_example"] = counts["undecided_example"] or {"point": readable(point), **info}
            return ratio, info

        out = falsify(self.strategy(), evaluate, seed=sub_seed(ctx.seed, label, "asymptotic"),
                      max_examples=ctx.profile.max_examples)
        details = {"points_below_roundoff_floor": counts["below"], "points_undecided": counts["undecided"],
                   "h_ladder": f"h0 * 2^-k, k < {self.steps}, extended to <= {self.max_steps} until "
                               f"{ASYMPTOTIC_WINDOW} local slopes agree within {ASYMPTOTIC_SPREAD:g}",
                   "roundoff_margin": ROUNDOFF_MARGIN}
        if counts["undecided_example"] is not None:
            details["undecided_example"] = counts["undecided_example"]
        ev = _finish(self.kind, f"converged local log-log slope of the remainder, order {self.order:g}", out,
                     f"converged slope >= {self.order:g} - {tol.atol:g}", t0, details)
        decided = out.examples - counts["undecided"]
        if ev.verdict == "consistent" and decided < ASYMPTOTIC_MIN_DECIDED * out.examples:
            ev.verdict = "undecided"
            ev.method += f" (only {decided} of {out.examples} points decided)"
        return ev


# ---------------------------------------------------------------------------
# expectation
# ---------------------------------------------------------------------------


def _stochastic_search(check, candidate, seed, max_examples):
    """Falsify with ``check.at`` and report the false-failure rates and the largest detectable discrepancy."""
    detectable = []

    def evaluate(point):
        ratio, info = check.at(candidate, point, seed)
        detectable.append(info["detectable"])
        return ratio, info

    out = falsify(check.strategy(), evaluate, seed=seed, max_examples=max_examples)
    return out, {"false_failure_rate_per_point": STOCHASTIC_DELTA,
                 "false_failure_rate_per_check_at_most": STOCHASTIC_DELTA * max(out.examples, 1),
                 "detectable_discrepancy_at_most": max(detectable) if detectable else None}


@dataclass(frozen=True)
class ExpectationCheck:
    r"""``candidate.numeric(point) == E_B[values(point, B)]`` over uniform minibatches ``B``.

    Exact when there are at most ``enumerate_max`` minibatches (every one is
    evaluated, vectorised, and the comparison uses ``identity.float64`` scaled by the
    largest sample). Otherwise Monte Carlo with ``samples`` minibatches drawn by a
    generator seeded from the run seed and the point, and a finite-sample radius
    (:func:`verify.stats.mean_radius`, samples confined to the a-priori
    ``value_range(point)``) at false-failure rate ``STOCHASTIC_DELTA`` per point.
    ``sizes(point) -> (n, k)``; ``values(point, batches) -> (C,)``.
    """

    values: Callable[..., Any]
    value_range: Callable[[Any], Any]
    sizes: Callable[[Any], Any]
    strategy: Callable[[], Any]
    enumerate_max: int = 5000
    samples: int = 20000
    description: str = ""
    kind: str = "expectation"

    def at(self, candidate: Formula, point, seed: int) -> tuple[float, dict]:
        from .oracles.sgd import minibatches, n_minibatches, sample_minibatches
        from .stats import mean_radius

        tol = tolerance("identity.float64")
        n, k = self.sizes(point)
        cand = float(candidate.numeric(point))
        if n_minibatches(n, k) <= self.enumerate_max:
            x = np.asarray(self.values(point, minibatches(n, k)), dtype=float)
            mean, radius, how = float(x.mean()), 0.0, f"all {x.size} minibatches"
        else:
            rng = np.random.default_rng([seed, _digest(point)])
            x = np.asarray(self.values(point, sample_minibatches(rng, n, k, self.samples)), dtype=float)
            lo, hi = self.value_range(point)
            mean = float(x.mean())
            radius = mean_radius(x, lo, hi, delta=STOCHASTIC_DELTA)
            how = f"{x.size} sampled minibatches"
        scale = max(float(np.abs(x).max()), abs(cand))
        allowed = radius + tol.rtol * abs(mean) + tol.atol * scale
        error = abs(cand - mean)
        ratio = error / allowed if allowed > 0 else (0.0 if error == 0 else math.inf)
        return ratio, {"error": error, "tolerance": allowed, "ratio": ratio, "candidate": cand,
                       "expectation": mean, "mc_radius": radius, "expectation_by": how,
                       "detectable": 2.0 * allowed}

    def run(self, candidate: Formula, ctx: RunContext, *, label: str = "") -> Evidence:
        t0 = time.perf_counter()
        if candidate.numeric is None:
            return _skipped(self.kind, "expectation: candidate has no numeric form")
        out, details = _stochastic_search(self, candidate, sub_seed(ctx.seed, label, "expectation"),
                                          ctx.profile.max_examples)
        return _finish(self.kind, "exact enumeration of minibatches, or Monte Carlo with an "
                       "empirical-Bernstein radius", out,
                       f"|E - candidate| <= MC radius (delta={STOCHASTIC_DELTA:g}) + float64 tolerance",
                       t0, details)


# ---------------------------------------------------------------------------
# Monte Carlo mean of a simulation
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MonteCarloCheck:
    r"""``candidate.numeric(point)[part] == E[X]`` where ``sample(point, rng, N)`` simulates ``N``
    i.i.d. draws of ``X`` from primitive definitions, confined to ``value_range(point)``.

    The comparison allows the finite-sample radius of :func:`verify.stats.mean_radius` at
    false-failure rate ``STOCHASTIC_DELTA`` per point, plus ``tolerance_key`` on the candidate's
    own numerics, plus ``candidate.numeric(point)[error_part]`` when the candidate reports its
    error (a quadrature estimate, say). With probability :math:`\ge 1-\delta` it refutes every
    discrepancy larger than twice that allowance (the ``detectable`` figure it reports).
    """

    sample: Callable[..., Any]
    value_range: Callable[[Any], Any]
    strategy: Callable[[], Any]
    samples: int = 200_000
    part: str | int | None = None
    error_part: str | None = None
    #: when set, ``sample(point, rng, N, claimed)`` simulates a quantity that depends on the claimed
    #: value (a stationarity condition, say) and its mean must equal ``claim_mean(point, claimed)``
    claim_mean: Callable[[Any, float], float] | None = None
    tolerance_key: str = "quadrature"
    max_examples: int | None = None
    description: str = ""
    kind: str = "monte-carlo"

    def at(self, candidate: Formula, point, seed: int) -> tuple[float, dict]:
        from .stats import mean_radius

        tol = tolerance(self.tolerance_key)
        value = candidate.numeric(point)
        cand = float(value if self.part is None else value[self.part])
        cand_err = 0.0 if self.error_part is None else float(value[self.error_part])
        rng = np.random.default_rng([seed, _digest(point)])
        if self.claim_mean is None:
            x = np.asarray(self.sample(point, rng, self.samples), dtype=float)
            lo, hi = self.value_range(point)
            target = cand
        else:
            x = np.asarray(self.sample(point, rng, self.samples, cand), dtype=float)
            lo, hi = self.value_range(point, cand)
            target = float(self.claim_mean(point, cand))
        mean = float(x.mean())
        radius = mean_radius(x, lo, hi, delta=STOCHASTIC_DELTA)
        allowed = radius + tol.rtol * abs(target) + tol.atol + cand_err
        error = abs(target - mean)
        ratio = error / allowed
        return ratio, {"error": error, "tolerance": allowed, "ratio": ratio, "candidate": cand,
                       "monte_carlo_mean": mean, "mc_radius": radius, "candidate_error": cand_err,
                       "detectable": 2.0 * allowed, "samples": x.size}

    def run(self, candidate: Formula, ctx: RunContext, *, label: str = "") -> Evidence:
        t0 = time.perf_counter()
        if candidate.numeric is None:
            return _skipped(self.kind, "monte carlo: candidate has no numeric form")
        examples = ctx.profile.max_examples if self.max_examples is None else min(self.max_examples,
                                                                                   ctx.profile.max_examples)
        out, details = _stochastic_search(self, candidate, sub_seed(ctx.seed, label, "monte-carlo"), examples)
        return _finish(self.kind, f"Monte Carlo simulation, {self.samples} draws per point", out,
                       f"|E - candidate| <= MC radius (delta={STOCHASTIC_DELTA:g}) + {self.tolerance_key}",
                       t0, details)


# ---------------------------------------------------------------------------
# distribution (goodness of fit of a sampler to claimed probabilities)
# ---------------------------------------------------------------------------


def _chi2_power(p, N, critical):
    """Power of the test against ``p`` perturbed by +-1% alternately (renormalised)."""
    from scipy.stats import ncx2

    q = p * np.where(np.arange(p.size) % 2 == 0, 1.01, 0.99)
    q = q / q.sum()
    lam = N * float(((q - p) ** 2 / p).sum())
    return float(ncx2.sf(critical, p.size - 1, lam))


def _detectable_chi2_distance(N, examples, k_max=5):
    r"""Smallest :math:`\sum_i(p_i-p'_i)^2/p_i` refuted with probability :math:`\ge 1-\delta` (for up to
    ``k_max`` categories): the non-centrality :math:`\lambda` at which the test's power reaches
    :math:`1-\delta`, divided by ``N``."""
    from scipy.optimize import brentq
    from scipy.stats import chi2, ncx2

    df = k_max - 1
    crit = float(chi2.isf(STOCHASTIC_DELTA, df))
    lam = brentq(lambda L: ncx2.sf(crit, df, L) - (1.0 - STOCHASTIC_DELTA), 1e-6, 1e6)
    return lam / N


@dataclass(frozen=True)
class DistributionCheck:
    r"""A sampler built from primitives draws categories; the candidate claims their law.

    ``sample(point, rng, N) -> counts`` (length ``k``). Pearson's :math:`\chi^2` against
    ``candidate.numeric(point)`` rejects when its upper tail probability is below
    ``STOCHASTIC_DELTA`` (asymptotic :math:`\chi^2_{k-1}`; expected counts are
    :math:`\ge 10^4` for the sizes used). Power against a perturbation ``p'`` follows
    from the non-centrality :math:`\lambda = N\sum_i(p_i - p'_i)^2/p'_i` and is reported.
    """

    sample: Callable[..., Any]
    strategy: Callable[[], Any]
    samples: int = 2_000_000
    max_examples: int = 8
    description: str = ""
    kind: str = "distribution"

    def at(self, candidate: Formula, point, seed: int) -> tuple[float, dict]:
        from scipy.stats import chi2

        p = np.asarray(candidate.numeric(point), dtype=float)
        rng = np.random.default_rng([seed, _digest(point)])
        counts = np.asarray(self.sample(point, rng, self.samples), dtype=float)
        k = counts.size
        if k < 2:
            return 0.0, {"note": "one category: nothing to test"}
        expected = self.samples * p
        if np.any(expected <= 0):
            bad = counts[expected <= 0].sum() > 0
            return (math.inf if bad else 0.0), {"error": "zero claimed probability with observed samples" if bad else None}
        stat = float(((counts - expected) ** 2 / expected).sum())
        critical = float(chi2.isf(STOCHASTIC_DELTA, k - 1))
        ratio = stat / critical
        return ratio, {"error": stat, "tolerance": critical, "ratio": ratio, "chi2": stat,
                       "power_against_1pct": _chi2_power(p, self.samples, critical),
                       "critical_value": critical, "samples": self.samples,
                       "empirical": (counts / self.samples).tolist(), "claimed": p.tolist()}

    def run(self, candidate: Formula, ctx: RunContext, *, label: str = "") -> Evidence:
        t0 = time.perf_counter()
        if candidate.numeric is None:
            return _skipped(self.kind, "distribution: candidate has no numeric form")
        seed = sub_seed(ctx.seed, label, "distribution")
        out = falsify(self.strategy(), lambda pt: self.at(candidate, pt, seed), seed=seed,
                      max_examples=min(self.max_examples, ctx.profile.max_examples))
        details = {"false_failure_rate_per_point": STOCHASTIC_DELTA,
                   "false_failure_rate_per_check_at_most": STOCHASTIC_DELTA * max(out.examples, 1),
                   "detectable_chi2_distance": _detectable_chi2_distance(self.samples, out.examples)}
        return _finish(self.kind, f"Pearson chi-square on {self.samples} samples per point", out,
                       f"reject when P(chi2 > stat) < {STOCHASTIC_DELTA:g}", t0, details)


# ---------------------------------------------------------------------------
# bound
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BoundCheck:
    r"""A bound attacked adversarially: ``oracle(point) >= candidate.numeric(point)``
    (``sense="lower"``, the candidate is a lower bound) or ``<=`` (``sense="upper"``).

    Hypothesis search (targeted at the tightness: bound / oracle for a lower bound,
    oracle / bound for an upper one) first; then local optimisation (Nelder--Mead)
    from the tightest points over the continuous coordinates exposed by
    ``coordinates(point) -> (x0, rebuild)``.
    """

    oracle: Callable[[Any], float]
    strategy: Callable[[], Any]
    coordinates: Callable[[Any], Any] | None = None
    effort: int = 1  #: multiplies the profile's Hypothesis examples (searches are cheap)
    sense: str = "lower"
    description: str = ""
    kind: str = "bound"

    def __post_init__(self):
        if self.sense not in ("lower", "upper"):
            raise ValueError(f"sense={self.sense!r} must be 'lower' or 'upper'")

    def _score(self, candidate, point):
        tol = tolerance("bound.slack")
        truth = float(self.oracle(point))
        bound = float(candidate.numeric(point))
        violation = bound - truth if self.sense == "lower" else truth - bound
        t = tol.rtol * abs(bound) + tol.atol
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

    def run(self, candidate: Formula, ctx: RunContext, *, label: str = "") -> Evidence:
        t0 = time.perf_counter()
        if candidate.numeric is None:
            return _skipped(self.kind, "bound: candidate has no numeric form")
        closest = []

        def evaluate(point):
            ratio, info, tightness = self._score(candidate, point)
            closest.append((tightness, point))
            closest.sort(key=lambda p: -p[0])
            del closest[ctx.profile.refine_starts:]
            # steer generation toward points where bound / oracle is largest
            return (ratio if ratio > 1 else max(0.0, min(tightness, 1.0))), info

        out = falsify(self.strategy(), evaluate, seed=sub_seed(ctx.seed, label, "bound"),
                      max_examples=ctx.profile.max_examples * self.effort)
        details = {"best_tightness": closest[0][0] if closest else None,
                   "tightness_means": "bound/oracle" if self.sense == "lower" else "oracle/bound"}
        if out.counterexample is None and not out.error and self.coordinates is not None:
            refined = self._refine(candidate, [p for _, p in closest])
            details["local_search_starts"] = len(closest)
            if refined is not None:
                r_ratio, r_info, r_point, r_tight = refined
                details["best_tightness_after_local_search"] = r_tight
                if r_ratio > 1:
                    out.counterexample = (r_point, dict(r_info, found_by="local optimisation"))
        ev = _finish(self.kind, "adversarial search: Hypothesis target() + Nelder-Mead", out,
                     "violation > 1e-9 |bound| + 1e-12", t0, details)
        if ev.verdict == "consistent" and closest:
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
