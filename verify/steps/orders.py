r"""Steps with O-terms: ``A + O(g) = B + O(g')`` holds when ``A - B`` and ``g`` are both ``O(g')`` as the
asymptotic variable (declared ``h = "real -> 0"`` or ``"-> oo"``) tends to its limit.

Judged as :class:`verify.checks.AsymptoticCheck` judges a remainder, by slopes, not at one ``h``: along the
ladder ``h = 2^-k`` (or ``2^k``), at 80 digits, the local slopes of ``log2(|A - B| + |g|) - log2|g'|`` per
step of ``log2 h`` must settle (three consecutive slopes within 0.25); settled at most 0.3: the ratio stays
bounded (``consistent``); settled at least 0.7: it grows like a power of ``h`` (``refuted``, with the slope);
otherwise ``undecided``. A difference that is zero at 80 digits on the whole ladder holds exactly.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np

from ..answers.evaluate import EvalError
from ..answers.extended import Undecidable, contains
from ..answers.language import Add, Mul, Neg, Order, Sub, unparse
from ..answers.sized_domains import sized_instances
from ..errors import ValidationError
from ..search import falsify
from .judge import Outcome, _counterexample, evaluate_at, readable

__all__ = ["judge_order_step", "split_orders", "DPS", "LADDER"]

DPS = 80
LADDER = tuple(range(4, 44, 3))  #: exponents k of h = 2^-k (h -> 0) or 2^k (h -> oo)
WINDOW, SPREAD, HOLD, FAIL = 3, 0.25, 0.3, 0.7
POINTS = 6  #: instances of the other symbols


class _PreviousUndefined(Exception):
    """The previous line is undefined at this instance: not an admissible instance."""


class _Bad(Exception):
    pass


def split_orders(node):
    """``(main, [g, ...])``: the expression without its O-terms and the arguments of those terms."""
    if isinstance(node, Order):
        return None, [node.a]
    if isinstance(node, (Add, Sub)):
        ma, oa = split_orders(node.a)
        mb, ob = split_orders(node.b)
        if mb is not None and isinstance(node, Sub):
            mb = Neg(mb)
        if ma is None:
            return mb, oa + ob
        if mb is None:
            return ma, oa + ob
        return (Add(ma, mb) if isinstance(node, Add) or isinstance(mb, Neg) else Sub(ma, mb)), oa + ob
    if isinstance(node, Neg):
        m, o = split_orders(node.a)
        return (Neg(m) if m is not None else None), o
    if isinstance(node, Mul) and (contains(node.a, Order) != contains(node.b, Order)):
        factor, inner = (node.a, node.b) if contains(node.b, Order) else (node.b, node.a)
        m, o = split_orders(inner)
        return (Mul(factor, m) if m is not None else None), [Mul(factor, g) for g in o]
    if contains(node, Order):
        raise _Bad(f"an O(...) term inside {unparse(node)[:60]} (only sums of terms, and constant multiples, may hold O-terms)")
    return node, []


def _abs_max(v):
    if isinstance(v, np.ndarray):
        return max((abs(mpmath.mpmathify(x)) for x in v.ravel()), default=mpmath.mpf(0))
    return abs(mpmath.mpmathify(v))


def _ladder(ctx, h, limit, prev, cur, env, probs):
    (mp_, op_), (mc, oc) = prev, cur
    rows = []
    for k in LADDER:
        hv = mpmath.mpf(2) ** (-k if limit == "0" else k)
        e = {**env, h: hv}
        with mpmath.workdps(DPS):
            a = evaluate_at(ctx, mp_, e, probs, mp=True, dps=DPS) if mp_ is not None else 0
            if any(mpmath.isnan(mpmath.mpmathify(x)) for x in np.ravel(np.asarray(a, dtype=object))):
                raise _PreviousUndefined()
            b = evaluate_at(ctx, mc, e, probs, mp=True, dps=DPS) if mc is not None else 0
            diff = _abs_max(np.asarray(a, dtype=object) - np.asarray(b, dtype=object)) if (
                isinstance(a, np.ndarray) or isinstance(b, np.ndarray)) else abs(mpmath.mpmathify(a - b))
            gp = max((_abs_max(evaluate_at(ctx, g, e, probs, mp=True, dps=DPS)) for g in op_), default=mpmath.mpf(0))
            gc = max((_abs_max(evaluate_at(ctx, g, e, probs, mp=True, dps=DPS)) for g in oc), default=mpmath.mpf(0))
            scale = max(_abs_max(a), _abs_max(b), mpmath.mpf(1))
        rows.append((k, diff, gp, gc, scale))
    return rows


def _slope_verdict(rows):
    """(verdict, slope, note) for the rows of one instance."""
    floor = lambda s: s * mpmath.mpf(10) ** (-(DPS - 15))  # noqa: E731
    if any(mpmath.isnan(x) for row in rows for x in row[1:]):  # the previous line is defined (see _ladder)
        return "fail", math.inf, "the new line is undefined on the ladder where the previous one is defined"
    if all(d <= floor(s) for _, d, gp, _, s in rows) and all(gp == 0 for _, _, gp, _, _ in rows):
        return "exact", 0.0, "the two sides agree at 80 digits on the whole ladder"
    pts = []
    for k, d, gp, gc, s in rows:
        if gc == 0:
            return "bad", math.inf, "the O-term of the new line vanishes"
        num = d + gp
        if num <= floor(s):
            continue  # below the 80-digit floor
        pts.append((k, float(mpmath.log(num, 2) - mpmath.log(gc, 2))))
    if len(pts) < WINDOW + 1:
        return "exact", 0.0, "the difference is below the 80-digit floor along the ladder"
    slopes = [(pts[i + 1][1] - pts[i][1]) / (pts[i + 1][0] - pts[i][0]) for i in range(len(pts) - 1)]
    last = slopes[-WINDOW:]
    if max(last) - min(last) <= SPREAD:
        s = last[-1]
        if s <= HOLD:
            return "hold", s, ""
        if s >= FAIL:
            return "fail", s, ""
    if all(x >= FAIL for x in last):
        return "fail", max(last), ""
    if all(x <= HOLD for x in last):
        return "hold", max(last), ""
    return "unsettled", last[-1], f"local slopes {', '.join(f'{x:.2f}' for x in last)} did not settle"


def judge_order_step(ctx, prev, cur, rel, *, seed=0) -> Outcome:
    if rel != "=":
        return Outcome("undecided", "O-terms", f"'{rel}' with O(...) terms is not judged; only '=' is")
    lim = ctx.limit_symbol
    if lim is None:
        return Outcome("invalid", "O-terms", 'O(...) needs an asymptotic variable: declare e.g. h = "real -> 0"')
    h, limit = lim
    try:
        sp, sc = split_orders(prev), split_orders(cur)
    except _Bad as exc:
        return Outcome("invalid", "O-terms", str(exc))
    if not sc[1]:
        if sp[1]:
            return Outcome("refuted", "O-terms", "the new line drops the O(...) term of the previous one: an "
                                                  "asymptotic equality cannot become an exact one")
        return Outcome("invalid", "O-terms", "no O-term on either side")
    from .judge import needed_domains

    doms = {k: v for k, v in needed_domains(ctx, [prev, cur]).items() if k != h}
    state = {"n": 0, "hold": [], "unsettled": [], "worst": None, "undefined": 0}

    def ratio(point):
        env, probs = point
        try:
            rows = _ladder(ctx, h, limit, sp, sc, env, probs)
        except _PreviousUndefined:
            state["undefined"] += 1
            return 0.0, {}
        except Undecidable as exc:
            state["unsettled"].append(str(exc))
            return 0.0, {}
        except EvalError:
            raise
        except (ZeroDivisionError, ValueError, ArithmeticError) as exc:
            state["unsettled"].append(f"undefined along the ladder ({type(exc).__name__})")
            return 0.0, {}
        verdict, slope, note = _slope_verdict(rows)
        state["n"] += 1
        if verdict in ("exact", "hold"):
            state["hold"].append(slope)
            return 0.0, {}
        if verdict == "unsettled":
            state["unsettled"].append(note)
            return 0.0, {}
        return 10.0 + min(slope, 1e6), {"slope": slope, "note": note, "rows": rows}

    try:
        out = falsify(sized_instances(doms, members=ctx.functions), ratio, seed=seed, max_examples=POINTS,
                      raise_errors=(EvalError,))
    except EvalError as exc:
        return Outcome("invalid", "O-terms", f"cannot be evaluated: {exc}")
    except ValidationError as exc:  # the declared domains cannot be drawn
        return Outcome("invalid", "domains", f"the symbols' domains: {exc}")
    side = f"{h} -> 0" if limit == "0" else f"{h} -> oo"
    if out.counterexample is not None:
        (env, probs), info = out.counterexample
        if "exception" in info:
            return Outcome("undecided", "O-terms", f"evaluation failed: {info['exception']}")
        if "note" in info and info["note"]:
            return Outcome("refuted", "O-terms", info["note"], _counterexample(env, probs))
        rows = info["rows"]
        k, d, gp, gc, _ = rows[-1]
        ce = _counterexample(env, probs, **{h: float(mpmath.mpf(2) ** (-k if limit == '0' else k)),
                                            "difference": float(d + gp), "O_term": float(gc)})
        return Outcome("refuted", f"O-term slopes ({side})",
                       f"the difference is not O({' , '.join(unparse(g) for g in sc[1])}): "
                       f"difference/O-term grows like {h}^-{info['slope']:.2f}" if limit == "0" else
                       f"the difference is not O({', '.join(unparse(g) for g in sc[1])}): ratio grows like "
                       f"{h}^{info['slope']:.2f}", ce)
    if state["hold"] and not state["unsettled"]:
        return Outcome("consistent", f"O-term slopes ({side})",
                       f"difference/O-term stays bounded at {len(state['hold'])} instance(s) of the other symbols "
                       f"(largest settled slope {max(state['hold']):.2f}, at most {HOLD} allowed; "
                       f"{len(LADDER)} rungs, {h} = 2^{'-' if limit == '0' else ''}{LADDER[0]}..2^{'-' if limit == '0' else ''}{LADDER[-1]})")
    why = state["unsettled"][0] if state["unsettled"] else (
        f"the sides are undefined at all {state['undefined']} instances drawn" if state["undefined"] else "too few instances")
    return Outcome("undecided", "O-terms", f"the slopes did not settle at {len(state['unsettled'])} instance(s): {why}")
