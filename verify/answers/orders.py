"""``same_order`` questions: is the answer Theta of the reference as every symbol grows?

Decided along rays to infinity: every symbol ``v`` is set to ``2 t^e_v`` with exponents ``e_v`` in {0, 1, 2}
(not all 0), so both "n grows" and "n and d grow together, d like n^2" are seen, and ``t -> oo``.

1. **Limit** (as the best asymptotic graders do): SymPy's ``limit`` of ``answer / reference`` along each ray,
   in a forked child killed after :data:`LIMIT_SECONDS` (no alarm signal). A finite positive limit on every
   ray is ``correct``; a limit 0 or oo on some ray is ``incorrect``, with a partial message: "too loose"
   (the answer grows faster), "too small" (it grows slower), "an extra log factor" / "a missing log factor"
   when the ratio is Theta(log t) / Theta(1 / log t).
2. **High-precision rays** where SymPy finds no limit on some ray (it timed out, or the expression uses what
   it cannot take limits of): ``answer / reference`` at ``t = 2^50, 2^100, 2^200`` in mpmath at
   :data:`ORDER_DPS` digits (no overflow, no roundoff floor). The ratio must be positive and finite and change
   by at most :data:`~verify.tolerances.SAME_ORDER_DRIFT` between ``2^100`` and ``2^200``: a factor
   ``n^0.01`` changes it by 2, ``log(log(n))`` by 1.16, ``log(log(log(n)))`` by 1.105; lower-order terms
   (``n + n/log(n)`` against ``n``) by less than 1.01. What it cannot see: factors growing more slowly than
   ``log log log n`` and ``n^0.001``; oscillating ratios (``n (2 + sin n)``) are judged by their values there.
"""

from __future__ import annotations

import itertools
import math

import mpmath

from ..tolerances import SAME_ORDER_DRIFT
from .domains import sympy_symbol
from .evaluate import evaluate, overflowed, to_sympy

__all__ = ["judge_same_order", "LIMIT_SECONDS", "ORDER_DPS", "RAY_SCALES"]

LIMIT_SECONDS = 4.0  #: SymPy's limits of all rays together, in a child killed after this
ORDER_DPS = 60  #: digits of the high-precision rays
RAY_SCALES = (50, 100, 200)  #: t = 2^k along each ray; the drift is measured between the last two
#: closer scales, tried in turn when a side overflows 10^(10^6) far out (2^n, n!): 2^(2^20) still fits
FALLBACK_SCALES = ((10, 20, 40), (5, 10, 20), (3, 6, 12), (2, 4, 8))
_EXPONENTS = (0, 1, 2)


def _rays(names):
    """Exponent vectors, one per direction ((2, 2) is the ray (1, 1))."""
    return [e for e in itertools.product(_EXPONENTS, repeat=len(names)) if any(e) and math.gcd(*e) == 1]


def _describe_ray(names, e):
    if len(names) == 1:
        return f"as {names[0]} grows"
    grows = [f"{n} ~ t^{k}" if k != 1 else f"{n} ~ t" for n, k in zip(names, e) if k]
    fixed = [f"{n} = 2" for n, k in zip(names, e) if not k]
    return "along the ray " + ", ".join(grows + fixed) + ", t -> oo"


def _limits_in_child(a, r, names, syms, rays):
    """In the SymPy child: for each ray ``(class, detail)`` with class ok / low / high / log-low / log-high
    / unknown."""
    import sympy as sp

    t = sp.Symbol("t", positive=True)
    out = []
    for e in rays:
        try:
            sub = {syms[n]: (2 * t**k if k else sp.Integer(2)) for n, k in zip(names, e)}
            ratio = sp.simplify((a / r).subs(sub))
            lim = sp.limit(ratio, t, sp.oo)
            if lim.is_finite and lim.is_positive:
                out.append(("ok", str(lim)))
                continue
            if lim == 0 or lim in (sp.oo,):
                side = "low" if lim == 0 else "high"
                by_log = sp.limit(ratio * sp.log(t) if side == "low" else ratio / sp.log(t), t, sp.oo)
                if by_log.is_finite and by_log.is_positive:
                    out.append(("log-" + side, str(lim)))
                else:
                    out.append((side, str(lim)))
                continue
            out.append(("unknown", str(lim)))
        except Exception as exc:  # noqa: BLE001 (SymPy cannot take this limit: the rays decide)
            out.append(("unknown", type(exc).__name__))
    return out


def _sympy_limits(q, ans, ref, names, rays):
    from ..isolation import IsolatedTimeout, run_isolated
    from .evaluate import NotScalar

    syms = {n: sympy_symbol(n, d) for n, d in q.domains.items()}
    try:
        a, r = to_sympy(ans, syms), to_sympy(ref, syms)
    except (NotScalar, TypeError, ValueError, ZeroDivisionError, RecursionError):
        return None
    try:
        return run_isolated(_limits_in_child, a, r, names, syms, rays, budget=LIMIT_SECONDS)
    except IsolatedTimeout:
        return None
    except Exception:  # noqa: BLE001 (out of memory, a pickling problem: the rays decide)
        return None


_MESSAGES = {
    "high": "too loose: the answer grows faster than the reference (answer/reference -> oo {ray})",
    "low": "too small: the answer grows more slowly than the reference (answer/reference -> 0 {ray})",
    "log-high": "an extra log factor: answer/reference grows like log {ray}",
    "log-low": "a missing log factor: answer/reference decays like 1/log {ray}",
}


def _ray_values(q, ans, ref, names, e):
    """answer/reference at t = 2^k along ray e for the first scales of RAY_SCALES, FALLBACK_SCALES at which
    neither side overflows, in mpmath: rows (ratio, env, answer, reference, status), status one of ok,
    overflow, undefined (ratio None unless ok)."""
    for scales in (RAY_SCALES,) + FALLBACK_SCALES:
        rows = _ray_rows(q, ans, ref, names, e, scales)
        if not any(row[4] == "overflow" for row in rows):
            break
    return rows, scales


def _ray_rows(q, ans, ref, names, e, scales):
    from .judge import _ANSWER_FAILURES

    rows = []
    with mpmath.workdps(ORDER_DPS):
        for k in scales:
            env = {}
            for n, ex in zip(names, e):
                v = 2 * (2 ** (k * ex)) if ex else 2
                env[n] = v if q.domains[n].kind == "integer" else mpmath.mpf(v)
            try:
                a = evaluate(ans, env, mp=True)
                over = overflowed()
                r = evaluate(ref, env, mp=True)
                over = over or overflowed()
            except OverflowError:
                rows.append((None, env, None, None, "overflow"))
                continue
            except _ANSWER_FAILURES:
                rows.append((None, env, None, None, "undefined"))
                continue
            a, r = mpmath.mpf(_real(a)), mpmath.mpf(_real(r))
            if over or mpmath.isinf(a) or mpmath.isinf(r):
                rows.append((None, env, a, r, "overflow"))
            elif mpmath.isnan(a) or mpmath.isnan(r) or r == 0:
                rows.append((None, env, a, r, "undefined"))
            else:
                rows.append((a / r, env, a, r, "ok"))
    return rows


def _real(v):
    if isinstance(v, mpmath.mpc):
        if abs(v.imag) > 1e-30 * max(1, abs(v.real)):
            return mpmath.nan
        return v.real
    if v is None:
        return mpmath.nan
    if hasattr(v, "shape"):
        return v.reshape(()).item() if v.size == 1 else mpmath.nan
    return v


def judge_same_order(q, vid, ans, ref):
    from .judge import Verdict, _readable

    names = list(q.domains)
    if not all(d.scalar for d in q.domains.values()):
        return Verdict(vid, q.id, "invalid", f"question {q.id!r}: same_order needs scalar symbols")
    rays = _rays(names)
    limits = _sympy_limits(q, ans, ref, names, rays)
    if limits is not None:
        for e, (cls, detail) in zip(rays, limits):
            if cls in _MESSAGES:
                ce = {"ray": dict(zip(names, e)), "limit": detail}
                rows, _ = _ray_values(q, ans, ref, names, e)
                ratio, env, a, r, _status = rows[-1]
                ce["symbols"] = {k: _readable(v) for k, v in env.items()}
                if a is not None and r is not None:
                    ce.update(answer=mpmath.nstr(a, 12), reference=mpmath.nstr(r, 12))
                return Verdict(vid, q.id, "incorrect", _MESSAGES[cls].format(ray=_describe_ray(names, e)), ce)
        if all(cls == "ok" for cls, _ in limits):
            lims = sorted({d for _, d in limits})
            return Verdict(vid, q.id, "correct", "same order: answer/reference has a finite positive limit along "
                                                  f"every ray to infinity ({', '.join(lims[:4])}; SymPy's limit)")
    # the high-precision rays decide where SymPy found no limit
    todo = rays if limits is None else [e for e, (cls, _) in zip(rays, limits) if cls != "ok"]
    worst = None
    for e in todo:
        rows, scales = _ray_values(q, ans, ref, names, e)
        bad = next((row for row in rows if row[0] is None or not row[0] > 0), None)
        if bad is not None:
            ratio, env, a, r, status = bad
            if status == "overflow":
                return Verdict(vid, q.id, "unknown", "the answer or the reference cannot be evaluated far out "
                                                     f"{_describe_ray(names, e)} (a value beyond 10^(10^6) even at "
                                                     "t = 2^8) and SymPy found no limit")
            why = "undefined" if status == "undefined" else "not a positive multiple of the reference"
            return Verdict(vid, q.id, "incorrect", f"the answer is {why} far out {_describe_ray(names, e)}",
                           {"symbols": {k: _readable(v) for k, v in env.items()}, "answer": _readable(a),
                            "reference": _readable(r)})
        drift = abs(float(mpmath.log(rows[-1][0] / rows[-2][0])))
        if worst is None or drift > worst[0]:
            worst = (drift, e, rows, scales)
    if worst is None:
        return Verdict(vid, q.id, "correct", "same order along every ray to infinity")
    drift, e, rows, scales = worst
    r1, r2 = rows[-2][0], rows[-1][0]
    if drift > math.log(SAME_ORDER_DRIFT):
        word = "too loose: the answer grows faster" if r2 > r1 else "too small: the answer grows more slowly"
        return Verdict(vid, q.id, "incorrect",
                       f"not the same order ({word}): answer/reference goes from {mpmath.nstr(r1, 6)} at "
                       f"t = 2^{scales[-2]} to {mpmath.nstr(r2, 6)} at t = 2^{scales[-1]} "
                       f"{_describe_ray(names, e)}",
                       {"symbols": {k: _readable(v) for k, v in rows[-1][1].items()}, "ratio": mpmath.nstr(r2, 12),
                        "earlier_ratio": mpmath.nstr(r1, 12)})
    return Verdict(vid, q.id, "correct", "same order: answer/reference settles along every ray to infinity "
                                         f"(drift {math.exp(drift):.4g}x between t = 2^{scales[-2]} and "
                                         f"2^{scales[-1]}, at {ORDER_DPS} digits)")
