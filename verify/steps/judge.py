r"""Judge one step: a relation between two expressions, or one statement implied by another, on the
derivation's domains.

Order of the judgement, as in :mod:`verify.answers.judge`: identical trees after expanding the
definitions (``proved``); a symbolic proof by SymPy for steps whose symbols are all scalars, in a child
process killed after ``symbolic_seconds`` (``proved``, the method named); otherwise random instances drawn
by Hypothesis (fixed seed, targeted toward large violations, shrunk), every float64 violation that could be
roundoff re-checked at 50 digits, and the final counterexample always re-checked at 50 digits before it
counts (``refuted``). No counterexample at :data:`MIN_COMPARED` admissible instances is ``consistent``;
fewer is ``undecided``. A proven difference is never overruled by a tolerance: the tolerance only decides
which float64 disagreements are re-checked.
"""

from __future__ import annotations

import math
import re
import time

import mpmath
import numpy as np

from ..answers.evaluate import EvalError, NotScalar, RandomVariable, evaluate, to_sympy
from ..answers.extended import Undecidable, contains, expand_defs, free_vars
from ..answers.language import Order, unparse
from ..answers.sized_domains import sized_instances, sympy_symbol_sized
from ..errors import ValidationError
from ..search import falsify
from ..tolerances import ANSWER_MP_CONFIRM, tolerance

__all__ = ["judge_step", "Outcome", "MIN_COMPARED", "MAX_EXAMPLES", "evaluate_at", "readable"]

_TOL = tolerance("answers.equal")
RTOL, ATOL = _TOL.rtol, _TOL.atol
MIN_COMPARED = 30  #: as verify.answers.judge: a wrong step true on a fraction f of the domain passes with chance f^30
MAX_EXAMPLES = 50
RETRIES = 2  #: further searches (4x the instances, other seeds) when fewer than MIN_COMPARED were admissible
MP_DPS = 50
MP_FLOOR = mpmath.mpf(10) ** -30  #: absolute floor of the 50-digit comparison (see _mp_violated)
GROSS = 1e4
MAX_GROSS_CHECKS = 5  #: gross float64 failures re-checked during the search (then only the final one)
STEP_BUDGET = 30.0  #: seconds of numeric search per step; then undecided (never consistent)  #: float64 violations beyond this many tolerances are not roundoff; re-checked once, at the end
_FAILURES = (np.linalg.LinAlgError, ZeroDivisionError, OverflowError, FloatingPointError)


class Outcome:
    def __init__(self, verdict, method="", evidence="", counterexample=None):
        self.verdict, self.method, self.evidence, self.counterexample = verdict, method, evidence, counterexample

    def __repr__(self):
        return f"Outcome({self.verdict!r}, {self.method!r}, {self.evidence!r})"


def readable(v, digits=8):
    if isinstance(v, RandomVariable):
        return {"values": readable(v.values)}
    if isinstance(v, np.ndarray):
        if v.ndim == 2 and v.shape[1] == 1:
            v = v[:, 0]  # a column vector reads as a list
        return [readable(x, digits) for x in v.tolist()] if v.ndim else readable(v.item(), digits)
    if isinstance(v, list):
        return [readable(x, digits) for x in v]
    if isinstance(v, (bool, str)) or v is None:
        return v
    if isinstance(v, (int, np.integer)):
        return int(v)
    try:
        f = float(v)
    except (TypeError, ValueError, OverflowError):
        return str(v)
    if math.isfinite(f) and f == round(f) and abs(f) < 1e15:
        return int(f) if f != 0 else 0
    return float(f"{f:.{digits}g}") if math.isfinite(f) else str(f)


def evaluate_at(ctx, node, env, probs, *, mp=False, dps=MP_DPS):
    kinds = {n: d.kind for n, d in ctx.domains.items() if d.kind in ("vector", "matrix")}
    env = {**env, "__seqs__": ctx.seqdefs, "__cache__": {}, "__kinds__": kinds}
    if mp:
        with mpmath.workdps(dps):
            return evaluate(node, env, probabilities=probs, mp=True)
    with np.errstate(all="ignore"):
        return evaluate(node, env, probabilities=probs)


def _arr(x):
    if isinstance(x, np.ndarray) and x.dtype == object:
        return np.array([_f(v) for v in x.ravel()]).reshape(x.shape)
    return np.asarray(x, dtype=float) if not isinstance(x, np.ndarray) else x.astype(float)


def _f(v):
    try:
        return float(v)
    except OverflowError:
        return math.inf if v > 0 else -math.inf
    except TypeError:
        return math.nan


# ---------------------------------------------------------------------------
# what a relation means numerically
# ---------------------------------------------------------------------------

_FLIP = {">=": "<=", ">": "<"}


def _violation(rel, a, b):
    """(ratio, why): ratio > 1 means the relation ``a rel b`` fails beyond tolerance in float64."""
    a, b = _arr(a), _arr(b)
    if rel in _FLIP:
        rel, a, b = _FLIP[rel], b, a
    if a.shape != b.shape and a.size != 1 and b.size != 1:
        return math.inf, f"shapes differ: {a.shape} and {b.shape}"
    if not np.all(np.isfinite(a)):
        return None, "undefined"
    if not np.all(np.isfinite(b)):
        return math.inf, "the new line is not finite where the previous one is"
    scale = max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(b), initial=0.0)))
    tol = RTOL * scale + ATOL
    if rel == "=":
        return float(np.max(np.abs(a - b), initial=0.0)) / tol, ""
    return max(float(np.max(a - b, initial=-math.inf)) / tol, 0.0), ""


def _mp_violated(rel, a, b) -> bool:
    """At 50 digits: is ``a rel b`` violated by more than ANSWER_MP_CONFIRM relative?"""
    a = np.atleast_1d(np.asarray(a, dtype=object)).ravel()
    b = np.atleast_1d(np.asarray(b, dtype=object)).ravel()
    if rel in _FLIP:
        rel, a, b = _FLIP[rel], b, a
    if a.size != b.size:
        if a.size == 1:
            a = np.repeat(a, b.size)
        elif b.size == 1:
            b = np.repeat(b, a.size)
        else:
            return True
    a = [mpmath.mpmathify(x) for x in a]
    b = [mpmath.mpmathify(x) for x in b]
    if not all(mpmath.isfinite(x) for x in a):
        return False
    if not all(mpmath.isfinite(x) for x in b):
        return True
    # the floor: values below 1e-30 are zero at 50 digits (derivatives by differences are exact to ~1e-50,
    # and terms of size 1 that cancel leave ~1e-50): a true difference of a derivation is not that small
    scale = max(max(abs(x) for x in a), max(abs(x) for x in b)) + MP_FLOOR
    if rel == "=":
        return max(abs(x - y) for x, y in zip(a, b)) / scale > ANSWER_MP_CONFIRM
    if rel == "<":
        return any(x - y >= 0 for x, y in zip(a, b)) and max(x - y for x, y in zip(a, b)) / scale > -ANSWER_MP_CONFIRM
    return max(x - y for x, y in zip(a, b)) / scale > ANSWER_MP_CONFIRM


def _stmt_value(ctx, stmt, env, probs, mp=False):
    _, op, lhs, rhs = stmt
    op = "=" if op == "==" else op  # an equation holds when both sides are equal (not when lhs <= rhs)
    return op, evaluate_at(ctx, lhs, env, probs, mp=mp), evaluate_at(ctx, rhs, env, probs, mp=mp)


# ---------------------------------------------------------------------------
# symbolic stage
# ---------------------------------------------------------------------------

def _sympy_forms(ctx, a, b):
    names = free_vars(a) | free_vars(b)
    if not names <= set(ctx.domains) or not all(ctx.domains[n].scalar for n in names):
        return None
    if any(contains(x, Order) for x in (a, b)):
        return None
    syms = {n: sympy_symbol_sized(n, d) for n, d in ctx.domains.items() if d.scalar}
    try:
        return to_sympy(a, syms), to_sympy(b, syms), syms
    except (NotScalar, TypeError, ValueError, ZeroDivisionError, RecursionError, KeyError, AttributeError):
        return None


def _prove_in_child(a, b, rel, bounds):
    import sympy as sp

    d = a - b
    if rel == "=":
        if sp.simplify(d) == 0:
            return "SymPy: simplify(previous - current) = 0"
        if sp.expand(d) == 0:
            return "SymPy: expand(previous - current) = 0"
        return None
    s = sp.simplify(d)
    if rel in ("<=", "<"):
        s = -s  # current - previous
    if rel in ("<=", ">=") and (s.is_nonnegative or s == 0):
        return "SymPy: the difference simplifies to a nonnegative expression under the domains' assumptions"
    if rel in ("<", ">") and s.is_positive:
        return "SymPy: the difference simplifies to a positive expression under the domains' assumptions"
    return None


def _symbolic(ctx, a, b, rel, seconds):
    if seconds <= 0:
        return None
    forms = _sympy_forms(ctx, a, b)
    if forms is None:
        return None
    from ..isolation import IsolatedTimeout, run_isolated

    try:
        return run_isolated(_prove_in_child, forms[0], forms[1], rel, None, budget=seconds)
    except (IsolatedTimeout, MemoryError):
        return None
    except Exception:  # noqa: BLE001 (SymPy gave up: no proof)
        return None


# ---------------------------------------------------------------------------
# numeric stage
# ---------------------------------------------------------------------------

def _point_key(env):
    return repr(sorted((k, readable(v)) for k, v in env.items() if not k.startswith("__")))


def _counterexample(env, probs, **values):
    out = {"symbols": {k: readable(v) for k, v in env.items() if not k.startswith("__")}}
    if "__fns__" in env:
        out["functions"] = dict(env["__fns__"])
    if probs is not None:
        out["probabilities"] = readable(probs)
    out.update({k: readable(v) for k, v in values.items()})
    return out


class _Invalid(Exception):
    pass


class _Budget(Exception):
    pass


def _numeric(ctx, prev, cur, rel, *, seed, max_examples):
    """Search for an instance where ``prev rel cur`` fails (statements: where ``prev`` holds and ``cur`` not)."""
    compared, unsettled, notes = set(), [], {"worst": 0.0}
    implication = rel == "==>"

    def values(point, mp=False):
        env, probs = point
        if implication:
            return None, _stmt_value(ctx, cur, env, probs, mp)
        return evaluate_at(ctx, prev, env, probs, mp=mp), evaluate_at(ctx, cur, env, probs, mp=mp)

    def check_mp(point):
        env, probs = point
        with mpmath.workdps(MP_DPS):
            if implication:
                op, l, r = _stmt_value(ctx, cur, env, probs, mp=True)
                return _mp_violated(op, l, r)
            a = evaluate_at(ctx, prev, env, probs, mp=True)
            try:
                b = evaluate_at(ctx, cur, env, probs, mp=True)
            except _FAILURES:
                return True
            return _mp_violated(rel, a, b)

    deadline = time.monotonic() + STEP_BUDGET

    def ratio(point):
        env, probs = point
        if time.monotonic() > deadline:
            raise _Budget()
        try:
            if implication:
                if prev is not None:
                    op, l, r = _stmt_value(ctx, prev, env, probs)
                    pr, why = _violation(op, l, r)
                    if pr is None or pr > 1.0:
                        return 0.0, {"skipped": "the previous statement does not hold here"}
                try:
                    op, l, r = _stmt_value(ctx, cur, env, probs)
                except _FAILURES:
                    return 0.0, {"skipped": "undefined"}
                rr, why = _violation(op, l, r)
                if rr is None:
                    return 0.0, {"skipped": "undefined"}
                info = {"why": why, "lhs": l, "rhs": r}
            else:
                try:
                    a = evaluate_at(ctx, prev, env, probs)
                except _FAILURES:
                    return 0.0, {"skipped": "previous undefined"}
                if not np.all(np.isfinite(_arr(a))):
                    return 0.0, {"skipped": "previous undefined"}
                try:
                    b = evaluate_at(ctx, cur, env, probs)
                except _FAILURES as exc:
                    compared.add(_point_key(env))
                    return math.inf, {"why": f"the new line is undefined here ({type(exc).__name__})",
                                      "previous": a, "current": "undefined"}
                rr, why = _violation(rel, a, b)
                if rr is None:
                    return 0.0, {"skipped": "undefined"}
                info = {"why": why, "previous": a, "current": b}
        except Undecidable as exc:
            unsettled.append(str(exc))
            return 0.0, {"skipped": str(exc)}
        except EvalError as exc:
            raise _Invalid(str(exc)) from None
        compared.add(_point_key(env))
        gross_check = rr >= GROSS and (notes.setdefault("gross_checks", 0) < MAX_GROSS_CHECKS or "not finite" in why)
        if gross_check:  # overflow in float64 is always re-checked: mpmath does not overflow
            notes["gross_checks"] += 1  # a few gross float64 failures (overflow) are re-checked at once too
        if rr > 1.0 and not why.startswith("shape") and (rr < GROSS or gross_check):
            try:
                if not check_mp(point):
                    return 0.0, {"why": "equal at 50 digits"}
            except Undecidable as exc:
                unsettled.append(str(exc))
                return 0.0, {"skipped": str(exc)}
            info["confirmed"] = True
        notes["worst"] = max(notes["worst"], rr if math.isfinite(rr) else notes["worst"])
        return rr, info

    members = {f: ms for f, ms in ctx.functions.items()}
    strategy = sized_instances(needed_domains(ctx, _nodes(prev, cur)), members=members)
    try:
        out = falsify(strategy, ratio, seed=seed, max_examples=max_examples,
                      raise_errors=(_Invalid, _Budget, MemoryError, RecursionError))
        for extra in range(RETRIES):  # a premise (or a domain) that rarely holds: more instances, never fewer
            if out.counterexample is not None or len(compared) >= MIN_COMPARED or out.examples < max_examples:
                break
            out = falsify(strategy, ratio, seed=seed + 7919 * (extra + 1), max_examples=4 * max_examples,
                          raise_errors=(_Invalid, _Budget, MemoryError, RecursionError))
    except _Budget:
        return Outcome("undecided", "budget", f"the time budget of {STEP_BUDGET:g} s per step ran out after "
                                              f"{len(compared)} instances without a counterexample")
    except _Invalid as exc:
        return Outcome("invalid", "evaluation", f"cannot be evaluated: {exc}")
    except ValidationError as exc:  # the declared domains cannot be drawn (an empty range, a size below 1)
        return Outcome("invalid", "domains", f"the symbols' domains: {exc}")
    except (MemoryError, RecursionError) as exc:
        return Outcome("undecided", "evaluation", f"ran out of resources ({type(exc).__name__})")
    if out.counterexample is not None:
        point, info = out.counterexample
        if "exception" in info:
            return Outcome("undecided", "evaluation", f"evaluation failed: {info['exception']}")
        env, probs = point
        confirmed = info.get("confirmed") or info.get("why", "").startswith("shape")
        if not confirmed:
            try:
                confirmed = check_mp(point)
            except Undecidable as exc:
                return Outcome("undecided", "numeric", f"a float64 counterexample could not be re-checked ({exc})")
            except _FAILURES:
                confirmed = True
        if not confirmed:
            return Outcome("undecided", "numeric", "a float64 disagreement was not confirmed at 50 digits")
        try:
            hp = values(point, mp=True)
        except Exception:  # noqa: BLE001 (values for the report only)
            hp = None
        why = info.get("why", "")
        if implication:
            op, l, r = hp[1] if hp else (None, info.get("lhs"), info.get("rhs"))
            ce = _counterexample(env, probs, lhs=l, rhs=r)
            msg = f"the statement fails here (lhs {readable(l, 6)}, rhs {readable(r, 6)})"
            if prev is not None:
                msg += " although the previous statement holds"
        else:
            a, b = hp if hp else (info.get("previous"), info.get("current"))
            ce = _counterexample(env, probs, previous=a, current=b)
            msg = f"previous {readable(a, 6)} {rel} current {readable(b, 6)} fails" + (f" ({why})" if why else "")
        return Outcome("refuted", "counterexample", msg + "; found by a Hypothesis search, shrunk, re-checked at 50 digits", ce)
    n = len(compared)
    if n >= MIN_COMPARED or (out.examples < max_examples and n >= 3):
        extra = ""
        if unsettled:
            extra = f"; {len(unsettled)} instance(s) skipped: {unsettled[0]}"
        quad = " expectations under N(mu, s2) by Gauss-Hermite quadrature (40 and 80 nodes agree);" \
            if any(contains(x, _normal_types()) for x in _nodes(prev, cur)) else ""
        return Outcome("consistent", "random instances",
                       f"no counterexample at {n} admissible instances;{quad} worst error {notes['worst']:.2g} x "
                       f"tolerance (rtol {RTOL:g}, atol {ATOL:g}); float64 violations re-checked at 50 digits; "
                       f"a wrong step true on a fraction f of the domain passes with chance f^{n}" + extra)
    why = f"only {n} admissible instances (a verdict needs {MIN_COMPARED})"
    if unsettled:
        why += f"; {len(unsettled)} skipped: {unsettled[0]}"
    elif implication and prev is not None:
        why += "; the previous statement rarely holds at random instances"
    return Outcome("undecided", "random instances", why)


def needed_domains(ctx, nodes) -> dict:
    """The declared domains a step needs: its free symbols (through sequences too), the integer symbols
    that size them or bound them, in declaration order."""
    names = set()
    for n in nodes:
        names |= free_vars(n)
    for sd in ctx.seqdefs.values():  # recursions may name any symbol
        if any(contains(n, _seq_type()) for n in nodes):
            if sd.body is not None:
                names |= free_vars(sd.body) - {sd.var}
            for _, b in sd.bases:
                names |= free_vars(b)
    changed = True
    while changed:
        changed = False
        for name in list(names):
            d = ctx.domains.get(name)
            if d is None:
                continue
            refs = {re.match(r"\w+", x).group() for x in (*getattr(d, "sizes", ()), d.lo, d.hi) if isinstance(x, str)}
            refs &= set(ctx.domains)
            if not refs <= names:
                names |= refs
                changed = True
    return {k: v for k, v in ctx.domains.items() if k in names}


def _seq_type():
    from ..answers.extended import Seq

    return Seq


def _normal_types():
    from ..answers.extended import Normal

    return Normal


def _nodes(prev, cur):
    out = []
    for x in (prev, cur):
        if isinstance(x, tuple):
            out.extend(x[2:])
        elif x is not None:
            out.append(x)
    return out


def judge_step(ctx, prev, cur, rel, *, seed=0, max_examples=MAX_EXAMPLES, symbolic_seconds=1.5) -> Outcome:
    """Judge ``prev rel cur`` (``rel`` one of = <= < >= > ==>); ``prev``/``cur`` parsed lines."""
    prev_stmt = isinstance(prev, tuple)
    cur_stmt = isinstance(cur, tuple)
    if rel == "<=>":  # an equivalence: each statement implies the other
        if not (prev_stmt and cur_stmt):
            return Outcome("invalid", "form", "\\iff joins two statements (lhs = rhs, lhs \\le rhs, ...)")
        fwd = judge_step(ctx, prev, cur, "==>", seed=seed, max_examples=max_examples)
        if fwd.verdict in ("refuted", "invalid"):
            fwd.evidence = "==> fails: " + fwd.evidence
            return fwd
        back = judge_step(ctx, cur, prev, "==>", seed=seed + 1, max_examples=max_examples)
        if back.verdict in ("refuted", "invalid", "undecided"):
            back.evidence = "<== (the converse) fails: " + back.evidence if back.verdict == "refuted" else \
                "<== (the converse): " + back.evidence
            return back
        if fwd.verdict == "undecided":
            return fwd
        return Outcome("consistent", fwd.method, f"both directions: ==> {fwd.evidence}; <== {back.evidence}")
    if rel == "==>":
        if not cur_stmt:
            return Outcome("invalid", "form", "after ==> write a statement (lhs == rhs, lhs <= rhs, ...)")
        if not prev_stmt:
            prev = None  # an expression implies nothing: the statement must hold on the whole domain
        if any(contains(x, Order) for x in _nodes(prev, cur)):
            return Outcome("undecided", "form", "statements with O(...) terms are not judged yet")
        if prev is None or prev == cur:
            pass
        return _numeric(ctx, prev, cur, rel, seed=seed, max_examples=max_examples)
    if prev_stmt or cur_stmt:
        return Outcome("invalid", "form", f"'{rel}' joins two expressions; a statement follows ==>")
    if contains(prev, Order) or contains(cur, Order):
        from .orders import judge_order_step

        return judge_order_step(ctx, prev, cur, rel, seed=seed)
    if expand_defs(prev) == expand_defs(cur) and rel in ("=", "<=", ">="):
        return Outcome("proved", "identical", "the two sides are the same expression after expanding definitions")
    proof = _symbolic(ctx, prev, cur, rel, symbolic_seconds)
    if proof:
        return Outcome("proved", "symbolic", proof)
    return _numeric(ctx, prev, cur, rel, seed=seed, max_examples=max_examples)


def describe(node) -> str:
    try:
        return unparse(node)
    except Exception:  # noqa: BLE001
        return repr(node)
