r"""Judge one answer against a question: random instances drawn in bulk (a seeded generator:
:func:`verify.answers.domains.sample_instances`), both sides evaluated in float64 at each, every
float64 disagreement (and a fixed third of the agreements) decided exactly or at 50/1100 digits, the
first failure shrunk deterministically toward simple values (:func:`_shrink`); SymPy, in a child process
killed when its share of the budget runs out, only looks for a constant difference below the numeric
resolution; bounds are attacked by search; orders compared along rays to infinity. :func:`judge_with_budget` runs the judgement in a child process with a time budget
and a memory cap, in its own process group, and kills the group when the budget runs out, on Ctrl-C,
on SIGTERM and when the parent exits; the child also dies with its parent (``PR_SET_PDEATHSIG``).

The verdict classes:

- ``correct``: SymPy proved the answer equal to the reference, or it agreed at no fewer than
  :data:`MIN_COMPARED` instances where the reference is defined (or at every instance of a small domain).
- ``incorrect``: with a counterexample. An answer that is undefined (a singular matrix) or not finite
  where the reference is finite is incorrect there.
- ``invalid``: the answer is not in the language, is too large to compute, or cannot be evaluated
  (a matrix where a number belongs); or its question is broken.
- ``unknown``: a resource ran out (the time budget or the memory cap), or too few instances could be
  compared.
- ``error``: a failure of this program (a bug): the message asks for a report.

The symbolic stage may only prove equality; whether it finishes in time never changes the verdict,
because the numeric stage recomputes every float64 disagreement (and every non-finite value) at 50
digits before it counts.

>>> from verify.answers.bank import BANK
>>> q = {x.id: x for x in BANK}["hw4/3.2.1"]
>>> judge(q, answer="E[R*g**2]/E[g*g]").verdict
'correct'
>>> v = judge(q, answer="E[g*R]/E[g]")
>>> v.verdict, sorted(v.counterexample)
('incorrect', ['answer', 'probabilities', 'reference', 'symbols'])
"""

from __future__ import annotations

import math
import os
import select
from dataclasses import asdict, dataclass
from fractions import Fraction

import numpy as np

from ..isolation import (DEFAULT_MEMORY, MAX_BUDGET, PIDFILE_ENV, IsolatedTimeout,  # noqa: F401 (re-exported)
                         _die_with_parent, _kill_and_reap, run_isolated, validate_budget, validate_memory)
from ..tolerances import ANSWER_MP_CONFIRM, tolerance
from .domains import instances, sympy_symbol
from .evaluate import EvalError, NotScalar, RandomVariable, evaluate, to_sympy
from .language import AnswerError, Order, Sym, parse, parse_latex

__all__ = ["Verdict", "VERDICTS", "judge", "judge_with_budget", "run_isolated", "IsolatedTimeout",
           "MIN_COMPARED", "MAX_BUDGET", "DEFAULT_MEMORY", "validate_budget", "validate_memory", "BUG_REPORT"]

_TOL = tolerance("answers.equal")  # reasons in verify/tolerances.py
RTOL, ATOL = _TOL.rtol, _TOL.atol
SYMBOLIC_SECONDS = 2.0  #: at most this (and 40% of the budget) for SymPy before the numeric judge runs
VERDICTS = ("correct", "incorrect", "invalid", "unknown", "error")

#: A numeric ``correct`` needs the answer compared with the reference at no fewer than this many of the
#: 150 instances (where the reference is defined), unless the domain has fewer distinct instances and
#: all of them were compared. 30 agreeing random instances leave a wrong answer that agrees on a
#: fraction f of the domain a chance f^30 to pass (f = 0.9: 4%; f = 0.5: 1e-9).
MIN_COMPARED = 30


BUG_REPORT = ("this is a bug in verify, not a problem with the answer: please report it with the answers "
              "file and the command line")


@dataclass
class Verdict:
    id: str
    question: str
    verdict: str  #: correct | incorrect | invalid | unknown | error
    message: str
    counterexample: dict | None = None

    def to_json(self) -> dict:
        return asdict(self)


def _readable(v):
    if isinstance(v, RandomVariable):
        return {"values": v.values.tolist()}
    if isinstance(v, np.ndarray):
        return [_readable(x) for x in v.tolist()] if v.dtype == object else v.tolist()
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    if isinstance(v, Fraction):
        if v.denominator == 1:
            return v.numerator
        if v.denominator & (v.denominator - 1) == 0 and v.denominator < 2**60:
            return float(v)  # a dyadic rational: the float is exact
        return f"{v.numerator}/{v.denominator}"
    if isinstance(v, (int, str)) or v is None:
        return v
    if isinstance(v, list):
        return [_readable(x) for x in v]
    try:
        return float(v)
    except (TypeError, ValueError, OverflowError):
        return str(v)


def _float(x) -> float:
    try:
        return float(x)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


def _as_array(x):
    if isinstance(x, Fraction):
        return np.asarray(_float(x))
    if isinstance(x, np.ndarray) and x.dtype == object:
        return np.array([_float(v) for v in x.ravel()]).reshape(x.shape)
    if isinstance(x, int) and not isinstance(x, bool):
        return np.asarray(_float(x))
    return np.asarray(x, dtype=float)


def _compare(a, r):
    """error / tolerance (inf when the shapes differ or the answer is not finite where the reference is)."""
    a, r = _as_array(a), _as_array(r)
    if a.shape != r.shape:
        return math.inf, f"shape {a.shape} where {r.shape} is expected"
    if not np.all(np.isfinite(r)):
        return 0.0, "reference undefined here"
    if not np.all(np.isfinite(a)):
        return math.inf, "the answer is not finite here"
    scale = max(float(np.abs(r).max(initial=0.0)), float(np.abs(a).max(initial=0.0)))
    with np.errstate(all="ignore"):
        err = float(np.abs(a - r).max(initial=0.0))
    if not math.isfinite(err):  # two finite values whose difference overflows: relative difference instead
        return (0.0 if np.array_equal(a, r) else math.inf), ""
    return err / (RTOL * scale + ATOL), ""


#: Answer failures at an instance: the answer is undefined there (incorrect, with the instance).
_ANSWER_FAILURES = (np.linalg.LinAlgError, ZeroDivisionError, OverflowError, FloatingPointError)


def _mp_difference(ans, ref, env, probs, dps=50):
    """Relative difference of answer and reference at ``dps`` digits (inf when the answer is undefined)."""
    import mpmath

    with mpmath.workdps(dps):
        try:
            a = evaluate(ans, env, probabilities=probs, mp=True)
        except _ANSWER_FAILURES:
            return math.inf
        r = evaluate(ref, env, probabilities=probs, mp=True)
        a, r = np.atleast_1d(np.asarray(a, dtype=object)), np.atleast_1d(np.asarray(r, dtype=object))
        if a.shape != r.shape:
            return math.inf
        a = [mpmath.mpmathify(x) for x in a.ravel()]
        r = [mpmath.mpmathify(x) for x in r.ravel()]
        if not all(mpmath.isfinite(y) for y in r):
            return 0.0  # the reference is undefined here too
        if not all(mpmath.isfinite(x) for x in a):
            return math.inf
        diff = max((abs(x - y) for x, y in zip(a, r)), default=mpmath.mpf(0))
        scale = max((abs(y) for y in r), default=mpmath.mpf(0)) + max((abs(x) for x in a), default=0)
        out = diff / (scale + mpmath.mpf(10) ** -40)
        return float(out) if out < 1e300 else math.inf


def _confirmed_difference(ans, ref, env, probs) -> float:
    """The 50-digit difference; when it is not negligible, recomputed at 1100 digits (constants have at
    most 1000, so cancellation between them is exact there) before it counts."""
    d = _mp_difference(ans, ref, env, probs)
    if d <= ANSWER_MP_CONFIRM:
        return d
    return _mp_difference(ans, ref, env, probs, dps=1100)


def _counterexample(env, probs, **values):
    out = {"symbols": {k: _readable(v) for k, v in env.items()}}
    if probs is not None:
        out["probabilities"] = probs.tolist()
    out.update({k: _readable(v) for k, v in values.items()})
    return out


def _symbolic_difference(q, ans, ref, seconds: float):
    """SymPy's simplified ``ans - ref`` when it is a number (``"0"``: proved equal where both are defined;
    another number: a constant difference), else None. Scalar questions only; skipped for expansions
    beyond MAX_EXPANSION. SymPy runs in a forked child killed after ``seconds`` (no alarm signal)."""
    return _symbolic_finish(_symbolic_start(q, ans, ref, seconds), seconds)


def _symbolic_start(q, ans, ref, seconds: float):
    """Fork the SymPy child of :func:`_symbolic_difference` (it runs while the numeric stage does);
    returns a handle for :func:`_symbolic_finish` / :func:`_symbolic_cancel`, or None."""
    import time

    from .language import MAX_EXPANSION, expansion_cost

    if seconds <= 0 or not all(d.scalar for d in q.domains.values()):
        return None
    if max(expansion_cost(ans), expansion_cost(ref)) > math.log10(MAX_EXPANSION):
        return None
    import sympy as sp  # imported before the fork: the child starts at once

    syms = {n: sympy_symbol(n, d) for n, d in q.domains.items()}
    a = r = None
    if not (_has_binder(ans) or _has_binder(ref)):  # sums: converted (Sum(...).doit()) in the child only
        try:
            a, r = to_sympy(ans, syms), to_sympy(ref, syms)
        except (NotScalar, TypeError, ValueError, ZeroDivisionError, RecursionError):
            return None
    parent = os.getpid()
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (runs in the child)
        try:
            os.close(rfd)
            _die_with_parent(parent)
            try:
                if a is None:
                    a, r = to_sympy(ans, syms), to_sympy(ref, syms)
                text = _sympy_constant(a, r)
            except Exception:  # SymPy gave up: unknown
                text = ""
            os.write(wfd, text.encode() or b"?")
        finally:
            os._exit(0)
    os.close(wfd)
    return {"pid": pid, "rfd": rfd, "t0": time.monotonic(), "open": True}


def _sympy_constant(a, r) -> str:
    """In the SymPy child: ``"0"`` when ``a - r`` simplifies to zero, the constant when it simplifies to a
    non-zero number, else ``""``. Cheap rewritings first (expand, trigsimp): a zero or a number found by
    them is final."""
    import sympy as sp

    d = a - r
    for step in (sp.expand, sp.trigsimp, sp.simplify):
        if d == 0 or d.is_number:
            break
        d = step(d)
    if d == 0:
        return "0"
    if d.is_number and d.is_finite and d.is_zero is False and not d.has(sp.nan, sp.zoo):
        return str(d)[:200]
    return ""


def _symbolic_finish(handle, seconds: float):
    """The child's answer (waiting at most until ``seconds`` after it started), then the child is killed."""
    import time

    if handle is None or not handle["open"]:
        return None
    try:
        ready, _, _ = select.select([handle["rfd"]], [], [], max(0.0, seconds - (time.monotonic() - handle["t0"])))
        got = os.read(handle["rfd"], 4096) if ready else b""
    finally:
        _symbolic_cancel(handle)
    text = got.decode(errors="replace")
    return text if text and text != "?" else None


def _symbolic_cancel(handle):
    if handle is not None and handle["open"]:
        handle["open"] = False
        os.close(handle["rfd"])
        _kill_and_reap(handle["pid"], group=False)


_RATIONAL_CALLS = frozenset({"abs", "sign", "floor", "ceil", "factorial", "binomial", "max", "min"})


def _inexact(node) -> bool:
    """Whether ``node`` may need inexact (mpmath) arithmetic: a transcendental or irrational function,
    pi or e, a power whose exponent is not a literal integer."""
    from .language import Call, Const, Neg, Num, Pow

    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Const):
            return True
        if isinstance(n, Call) and n.func not in _RATIONAL_CALLS:
            return True
        if isinstance(n, Pow):
            b = n.b.a if isinstance(n.b, Neg) else n.b
            if not (isinstance(b, Num) and Fraction(b.value).denominator == 1):
                return True
        stack.extend(v for v in vars(n).values() if hasattr(v, "__dict__") and not isinstance(v, (str, Fraction)))
        for v in vars(n).values():
            if isinstance(v, (list, tuple)):
                stack.extend(x for x in v if hasattr(x, "__dict__"))
    return False


def _parse_answer(q, answer, latex):
    if (answer is None) == (latex is None):
        raise AnswerError("give exactly one of answer = '...' and latex = '...'")
    if answer is not None:
        return parse_plain(answer, q.domains, relation=q.relation)
    return parse_latex(latex, q.domains, q.array_names, relation=q.relation)


# ---------------------------------------------------------------------------
# sums and products: sum(expr, (k, lo, hi)), prod(expr, (k, lo, hi)) in plain answers and references
# ---------------------------------------------------------------------------

import re as _re  # noqa: E402

from . import extended as _ext  # noqa: E402 (registers the extension evaluators)
from . import evaluate as _evaluate_module  # noqa: E402
from .evaluate import MAX_JUDGE_TERMS, NotExact, TooManyTerms, count_terms  # noqa: E402,F401

_BINDER = _re.compile(r"\b(sum|prod)\s*\(")


class JudgeOver(_ext.Over):
    """``sum``/``prod`` over ``var`` in ``[lo, hi]`` (inclusive) in a ``verify check`` answer: evaluated by
    :mod:`verify.answers.extended` in float64 and mpmath, in exact rationals here, and capped at
    :data:`~verify.answers.evaluate.MAX_JUDGE_TERMS` terms per evaluation (beyond: :class:`TooManyTerms`)."""


def _core_types():
    from . import language as L

    return (L.Num, L.Const, L.Sym, L.Add, L.Sub, L.Mul, L.Div, L.Pow, L.MatMul, L.Neg, L.Call, L.Transpose,
            L.Expect, L.Order)


def _only_binders(node):
    """``node`` with its extended ``sum``/``prod`` nodes as :class:`JudgeOver`; any other extension (E[..., (a, p)],
    diff, indexing, oo, max over a range, functions of the extensions) is an :class:`AnswerError`."""
    core = _core_types()
    if isinstance(node, _ext.Over):
        if node.kind not in ("sum", "prod"):
            raise AnswerError(f"{node.kind}(expr, (k, lo, hi)) is not in the answer language; only sum(...) and "
                              "prod(...) take a range")
        return JudgeOver(node.kind, _only_binders(node.body), node.var, _only_binders(node.lo), _only_binders(node.hi))
    if not isinstance(node, core):
        what = {"Inf": "oo (a sum to infinity)", "Index": "indexing", "Fn": f"the function {getattr(node, 'name', '')}",
                "ExpectOver": "E[expr, (a, p)]", "Diff": "diff(...)", "DiffAt": "diff(...)"}.get(type(node).__name__,
                                                                                          type(node).__name__)
        raise AnswerError(f"{what} is not in the answer language (only sum(expr, (k, lo, hi)) and "
                          "prod(expr, (k, lo, hi)) are added to it)")
    fields = {}
    for f, v in vars(node).items():
        if isinstance(v, tuple):
            fields[f] = tuple(_only_binders(x) if hasattr(x, "__dict__") else x for x in v)
        elif hasattr(v, "__dict__") and not isinstance(v, Fraction):
            fields[f] = _only_binders(v)
        else:
            fields[f] = v
    return type(node)(**fields)


def parse_plain(text, symbols, *, relation=None):
    """:func:`verify.answers.language.parse`, and when it rejects a text with ``sum(`` or ``prod(``, the
    extended parser restricted to the core language plus ``sum(expr, (k, lo, hi))`` and
    ``prod(expr, (k, lo, hi))`` (``hi`` inclusive; the bounds are integers at each instance).

    >>> parse_plain("sum(g**k, (k, 0, n - 1))", {"g", "n"}).kind
    'sum'
    """
    try:
        return parse(text, symbols, relation=relation)
    except AnswerError as exc:
        if not isinstance(text, str) or not _BINDER.search(text):
            raise
        first = exc
    try:
        node = _ext.parse_extended(text, symbols)
    except AnswerError:
        raise first from None
    except (RecursionError, MemoryError):
        raise first from None
    if not _has_binder(node):
        raise first
    return _only_binders(node)


def _has_binder(node) -> bool:
    if isinstance(node, _ext.Over):
        return True
    for v in vars(node).values():
        if isinstance(v, tuple):
            if any(hasattr(x, "__dict__") and _has_binder(x) for x in v):
                return True
        elif hasattr(v, "__dict__") and not isinstance(v, Fraction) and _has_binder(v):
            return True
    return False


EXACT_SUM_DIGITS = 2000  #: exact evaluation of a sum gives up (mpmath decides) when its value passes this


def _ev_judge_over(node, env, probs, be, ev):
    lo = _ext._as_int(ev(node.lo), f"the lower bound of {node.kind}")
    hi = _ext._as_int(ev(node.hi), f"the upper bound of {node.kind}")
    if isinstance(lo, float) or isinstance(hi, float):  # an infinite bound
        raise TooManyTerms(f"{node.kind} over an infinite range")
    count_terms(hi - lo + 1)
    if getattr(be, "kind", None) != "exact":
        with np.errstate(all="ignore"):  # an overflow is a value (inf), judged like any other
            return _ext._ev_over(node, env, probs, be, ev)
    out = Fraction(0 if node.kind == "sum" else 1)
    limit = EXACT_SUM_DIGITS * 3.33
    for k in range(lo, hi + 1):
        v = ev(node.body, _ext._bound(env, node.var, k))
        if isinstance(v, np.ndarray) or isinstance(v, RandomVariable):
            raise NotExact("a sum of arrays")
        if isinstance(v, float):
            raise NotExact("an inexact term")
        out = out + v if node.kind == "sum" else out * v
        if isinstance(out, Fraction) and out.numerator.bit_length() + out.denominator.bit_length() > limit:
            raise NotExact("a sum too large for exact arithmetic")
    return out


_evaluate_module.EXTENSIONS[JudgeOver] = _ev_judge_over
_evaluate_module.SYMPY_EXTENSIONS[JudgeOver] = _ext._sp_over


class _JudgeBug(Exception):
    """A failure of our own code found inside the search (reported as the verdict ``error``)."""


def _enough(out, compared: set, max_examples: int):
    """None when enough instances were compared for ``correct``, else the reason."""
    if len(compared) >= MIN_COMPARED or (out.exhausted and compared):
        return None
    where = "it is undefined elsewhere"
    if _TERMS_SKIPPED[0]:
        where += (f", or {_TERMS_SKIPPED[0]} instances needed a sum or product over more than {MAX_JUDGE_TERMS} "
                  "terms (MAX_JUDGE_TERMS)")
    return (f"only {len(compared)} instances could be compared with the reference ({where}); "
            f"a verdict needs at least {MIN_COMPARED}")


_TERMS_SKIPPED = [0]  #: instances of the current judgement skipped for a sum over too many terms


def _answer_value(ans, env, probs):
    """(value, None), or (None, why) when the answer is undefined at this instance."""
    try:
        return evaluate(ans, env, probabilities=probs), None
    except _ANSWER_FAILURES as exc:
        return None, f"the answer is undefined here ({_failure(exc)})"


def _failure(exc) -> str:
    if isinstance(exc, np.linalg.LinAlgError):
        return "a singular matrix is inverted" if "ingular" in str(exc) else str(exc)
    return f"{type(exc).__name__}: {exc}"


def _key(point):
    env, probs = point
    return repr(sorted((k, _readable(v)) for k, v in env.items())) + repr(None if probs is None else probs.tolist())


#: A point is decided in exact rational arithmetic when both sides allow it; otherwise at 50 digits,
#: where a relative difference above MP_FLAG (roundoff there is ~1e-48 even after cancellation of a few
#: digits) is recomputed at 1100 digits and counts when it stays above MP_DIFFER there.
MP_FLAG = 1e-40
MP_DIFFER = "1e-1000"  #: a string: as a float it would underflow to 0
#: An instance is decided exactly or at high precision whenever the float64 values differ at all, and
#: otherwise when it falls in a fixed third of the instances (by a hash of the instance, so that the
#: decision does not depend on the order of the search): a difference below float64 resolution (an
#: added 1e-30) is then still decided at a third of the instances.
PRECISE_SHARE = 3


def _must_be_precise(a, r, point) -> bool:
    A, R = _as_array(a), _as_array(r)
    if A.shape != R.shape or not np.array_equal(A, R):
        return True
    return _precise_share(point)


def _precise_share(point) -> bool:
    import zlib

    return zlib.crc32(_key(point).encode()) % PRECISE_SHARE == 0
NEAR_POINTS = 4  #: nearby points that must all be undefined for a point of one-sided definedness to count


def _mp_values(node, env, probs, dps):
    import mpmath

    from .evaluate import max_magnitude

    with mpmath.workdps(dps):
        v = evaluate(node, env, probabilities=probs, mp=True)
        arr = np.atleast_1d(np.asarray(v, dtype=object)).ravel()
        _LAST_MAG[0] = max_magnitude()
        return [mpmath.mpmathify(x) for x in arr], np.shape(v)


_LAST_MAG = [0.0]
MAX_DIGITS = 5_000  #: precision is raised up to this to resolve cancellation of huge intermediates


def _classify(node, env, probs):
    """``("ok", value)``, ``("undefined", why)`` or ``("overflow", why)`` at an instance. A float64
    failure or non-finite value is rechecked at 50 digits: nan, a complex value or an exception there is
    undefined; a size beyond 10^100000 (or a float64 overflow confirmed) is an overflow."""
    import mpmath

    why = "not finite in float64"
    try:
        v = evaluate(node, env, probabilities=probs)
        if np.all(np.isfinite(_as_array(v))):
            return "ok", v
    except TooManyTerms as exc:  # not admissible here: skipped, never a counterexample
        _TERMS_SKIPPED[0] += 1
        return "range", str(exc)
    except _ANSWER_FAILURES as exc:
        why = _failure(exc)
    try:
        vals, _ = _mp_values(node, env, probs, 50)
    except TooManyTerms as exc:
        return "range", str(exc)
    except _ANSWER_FAILURES as exc:
        return "undefined", _failure(exc)
    except (TypeError, ValueError) as exc:
        if isinstance(exc, EvalError):
            raise
        return "undefined", f"{type(exc).__name__}: {exc}"
    if any(isinstance(x, mpmath.mpc) or mpmath.isnan(x) for x in vals):
        from .evaluate import overflowed

        if overflowed():  # inf - inf after a value beyond 10^100000: out of range, not undefined
            return "range", "an intermediate value beyond 10^100000"
        return "undefined", why if why != "not finite in float64" else "not a real number"
    if any(mpmath.isinf(x) for x in vals):
        return "overflow", "larger than 10^100000"
    return "ok", evaluate(node, env, probabilities=probs, mp=True)


def _continuous(domains) -> bool:
    return any(d.kind in ("real", "vector", "matrix", "random") and d.flavour not in ("identity", "one-hot")
               for d in domains.values())


def _nearby(q, env, k: int):
    """The ``k``-th point near ``env``: every continuous symbol moved by a relative 1e-3 or 1e-5 (inside its
    domain; arrays keep their structure), integers unchanged."""
    from fractions import Fraction

    from .domains import _clip

    rng = np.random.default_rng(1000 + k)
    step = (1e-3, 1e-5)[k % 2]
    out = dict(env)
    for name, d in q.domains.items():
        v = env[name]
        if d.kind == "real":
            delta = Fraction(step) * (1 if rng.random() < 0.5 else -1) * max(1, abs(Fraction(v)))
            w = _clip(Fraction(v) + delta, d)
            if w == v:
                w = _clip(Fraction(v) - delta, d)
            out[name] = w
        elif d.kind in ("vector", "matrix"):
            fl = d.flavour
            v = np.asarray(v, dtype=float)
            n = v.shape[0]
            if fl in ("identity", "one-hot", "orthogonal"):
                continue
            if fl in ("probability", "row-stochastic"):
                u = np.full(v.shape, 1.0 / (v.shape[0] if fl == "probability" else v.shape[1]))
                out[name] = (1 - step) * v + step * u
                continue
            E = rng.standard_normal(v.shape) * step * max(1.0, float(np.abs(v).max(initial=0.0)))
            if fl in ("diagonal", "diagonal nonnegative"):
                E = np.diag(np.abs(np.diag(E))) if fl.endswith("nonnegative") else np.diag(np.diag(E))
            elif fl in ("symmetric", "positive definite"):
                E = (E + E.T) / 2
            elif fl in ("positive", "nonnegative"):
                E = np.abs(E)
            out[name] = v + E if n else v
        elif d.kind == "random":
            out[name] = RandomVariable(v.values + rng.standard_normal(v.values.shape) * step)
    return out


def _undefined_nearby(q, node, env, probs) -> bool:
    """Whether ``node`` is undefined on a neighbourhood of ``env`` (every instance counts on discrete domains)."""
    if not _continuous(q.domains):
        return True
    for k in range(NEAR_POINTS):
        try:
            state, _ = _classify(node, _nearby(q, env, k), probs)
        except EvalError:
            return True
        if state != "undefined":
            return False
    return True


def _exact_or_mp_difference(ans, ref, env, probs, ref_env=None):
    """``(differs, how, noise)``: exact rational arithmetic where both sides allow it (``noise`` is then the
    pair of exact values), else 50 digits then 1100 digits (``noise`` is True when a non-zero difference
    below MP_FLAG was seen at 50 digits)."""
    import mpmath

    from .evaluate import NotExact

    renv = env if ref_env is None else ref_env
    try:
        a = evaluate(ans, env, probabilities=probs, exact=True)
        r = evaluate(ref, renv, probabilities=probs, exact=True)
        av, rv = np.atleast_1d(np.asarray(a, dtype=object)).ravel(), np.atleast_1d(np.asarray(r, dtype=object)).ravel()
        if len(av) == len(rv) and all(isinstance(x, (int, Fraction)) for x in list(av) + list(rv)):
            return any(x != y for x, y in zip(av, rv)), "exact rational arithmetic", (a, r)
    except (NotExact, ZeroDivisionError, OverflowError, np.linalg.LinAlgError):
        pass
    except (TypeError, ValueError) as exc:
        if isinstance(exc, EvalError):
            raise
    noise = False
    rels, values = [], []
    precisions = [(50, MP_FLAG), (1100, MP_DIFFER), (1300, MP_DIFFER)]
    k = 0
    while k < len(precisions):
        dps, thresh = precisions[k]
        k += 1
        try:
            av, ash = _mp_values(ans, env, probs, dps)
            mag = _LAST_MAG[0]
            rv, rsh = _mp_values(ref, renv, probs, dps)
            mag = max(mag, _LAST_MAG[0])
        except _ANSWER_FAILURES:
            return True, f"{dps} digits", noise
        if k == 2:  # intermediates of size 10^mag cancel to results of size >= 10^low: that many digits more
            import mpmath as _m

            with _m.workdps(30):
                low = min([float(_m.log10(abs(x))) for x in av + rv if x and _m.isfinite(x)] or [0.0])
            need = int(mag - min(low, 0.0) + max(0.0, mag - low)) + 200
            if need > MAX_DIGITS:
                return False, "undecided (cancellation beyond MAX_DIGITS)", noise
            if need > dps:
                precisions[1:] = [(need, MP_DIFFER), (need + 200, MP_DIFFER)]
                k = 1
                continue
        if len(av) != len(rv):
            return True, "shape", noise
        with mpmath.workdps(dps):
            if any(isinstance(x, mpmath.mpc) or not mpmath.isfinite(x) for x in av + rv):
                return False, f"{dps} digits", noise  # out of range at this precision: not decided here
            diff = max((abs(x - y) for x, y in zip(av, rv)), default=mpmath.mpf(0))
            scale = max((abs(y) for y in rv + av), default=mpmath.mpf(0))
            rel = diff / scale if scale else diff
            if rel <= mpmath.mpf(thresh):
                noise = noise or (dps == 50 and rel > 0)
                return False, f"{dps} digits", noise
            rels.append(rel)
            values.append(av + rv)
    # a true difference is seen by values that agree at the two last precisions; values that move between
    # the two precisions (cancellation beyond 1100 digits) decide nothing
    with mpmath.workdps(60):
        moved = any(abs(x - y) > mpmath.mpf("1e-30") * max(abs(y), mpmath.mpf("1e-300"))
                    for x, y in zip(values[1], values[2]))
    if moved:
        return False, "undecided (cancellation beyond the working precision)", noise
    return True, f"{precisions[1][0]} digits", noise


def _tolerance_difference(ans, ref, a, r, env, probs, tol):
    """The opt-in numeric tolerance of the question (``{relative = ...}`` or ``{absolute = ...}``)."""
    rt, at = float(tol.get("relative", 0.0)), float(tol.get("absolute", 0.0))
    A, R = _as_array(a), _as_array(r)
    if A.size != R.size:
        return True
    with np.errstate(all="ignore"):
        bad = np.abs(A.ravel() - R.ravel()) > rt * np.abs(R.ravel()) + at
    if not bad.any():
        return False
    av, _ = _mp_values(ans, env, probs, 50)
    rv, _ = _mp_values(ref, env, probs, 50)
    return any(abs(x - y) > rt * abs(y) + at for x, y in zip(av, rv))


def _where(env) -> str:
    return ", ".join(f"{k} = {_show(v)}" for k, v in env.items())


def _show(v):
    from fractions import Fraction

    if isinstance(v, Fraction):
        return str(v.numerator) if v.denominator == 1 else (f"{v.numerator}/{v.denominator}"
                                                            if len(str(v)) < 30 else f"{float(v):.17g}")
    if isinstance(v, np.ndarray):
        return str(np.round(v.astype(float), 6).tolist())
    if isinstance(v, RandomVariable):
        return str(v.values.tolist())
    return str(v)


def _shape_of(x):
    """The shape, with a 1 x 1 array (x.T @ y) identified with a number."""
    return () if np.size(x) == 1 else np.shape(x)


def _equal(q, vid, ans, ref, seed, max_examples, symbolic_seconds):
    compared, ref_defined, pending, total = [], [0], [], [0]
    noise = [False]
    tol = getattr(q, "tolerance", None)

    def ratio(point):
        env, probs = point
        total[0] += 1
        rs = _classify(ref, env, probs)
        if rs[0] == "ok":
            ref_defined[0] += 1
        a_s = _classify(ans, env, probs)  # EvalError propagates: an ill-typed answer
        if (rs[0] == "undefined" and a_s[0] == "undefined") or "range" in (rs[0], a_s[0]):
            return 0.0, {"skipped": "both undefined, or beyond the range of the evaluation"}
        if rs[0] == "undefined":
            if _undefined_nearby(q, ref, env, probs):
                pending.append((env, probs, a_s[1] if a_s[0] == "ok" else None, rs[1]))
            return 0.0, {"skipped": "reference undefined"}
        if a_s[0] == "undefined":
            if not _undefined_nearby(q, ans, env, probs):
                return 0.0, {"skipped": "answer undefined at an isolated point"}
            compared.append(point)
            return math.inf, {"why": f"the answer is undefined at {_where(env)} where the reference is defined "
                                     f"({a_s[1]})", "answer": "undefined", "reference": rs[1]}
        if (rs[0] == "overflow" and a_s[0] == "overflow") or "range" in (rs[0], a_s[0]):
            return 0.0, {"skipped": "beyond the range of the evaluation"}
        compared.append(point)
        if rs[0] == "overflow" or a_s[0] == "overflow":
            which = "the answer" if a_s[0] == "overflow" else "the reference"
            return math.inf, {"why": f"{which} is larger than 10^100000 where the other is not",
                              "answer": a_s[1] if a_s[0] == "ok" else "inf", "reference": rs[1] if rs[0] == "ok" else "inf"}
        a, r = a_s[1], rs[1]
        if _shape_of(a) != _shape_of(r):
            return math.inf, {"why": f"shape {_shape_of(a)} where {_shape_of(r)} is expected", "answer": a,
                              "reference": r}
        if tol:
            if _tolerance_difference(ans, ref, a, r, env, probs, tol):
                return math.inf, {"why": f"beyond the question's tolerance {tol}", "answer": a, "reference": r}
            return 0.0, {}
        if not _must_be_precise(a, r, point):  # float64 equal and not in the always-precise subset
            return 0.0, {}
        differs, how, tiny = _exact_or_mp_difference(ans, ref, env, probs)
        if isinstance(tiny, tuple):  # the exact values
            a, r = tiny
            tiny = False
        noise[0] = noise[0] or tiny
        if differs:
            return math.inf, {"why": f"different values, decided in {how}", "answer": a, "reference": r}
        return 0.0, {}

    def agreeing(points):
        """The instances float64 already decides: both sides finite with identical values, outside the
        always-precise share. Each counts as compared (the reference is defined there)."""
        done = set()
        for i, point in enumerate(points):
            env, probs = point
            try:
                with np.errstate(all="ignore"):
                    fenv = _float_env(env)
                    A = _as_array(evaluate(ans, fenv, probabilities=probs))
                    R = _as_array(evaluate(ref, fenv, probabilities=probs))
            except Exception:  # noqa: BLE001 (the full check at this instance decides and reports)
                continue
            if A.dtype == object or R.dtype == object or A.shape != R.shape or not np.array_equal(A, R) \
                    or not np.all(np.isfinite(R)) or _precise_share(point):
                continue
            done.add(i)
            total[0] += 1
            ref_defined[0] += 1
            compared.append(point)
        return done

    sym = _symbolic_start(q, ans, ref, symbolic_seconds) \
        if (not tol and symbolic_seconds > 0 and (_inexact(ans) or _inexact(ref))) else None
    try:
        out = _search(q, ratio, seed, max_examples, skip=agreeing)
        if isinstance(out, _Outcome) and out.counterexample is None:  # then the instances near singularities
            extra = _near_singularities(q, ans, ref, out.points)
            if extra:
                more = _search(q, ratio, seed, max_examples, points=(extra, False))
                if isinstance(more, _Outcome):
                    out = _Outcome(out.examples + more.examples, out.exhausted, more.counterexample,
                                   out.points + more.points)
        return _equal_verdict(q, vid, ans, ref, out, compared, ref_defined, pending, total, noise, tol,
                              symbolic_seconds, sym)
    finally:
        _symbolic_cancel(sym)


#: Instances near the singularities of either side: for each real symbol s, the real zeros (and sign changes
#: through infinity) in s of the denominators, the bases of negative powers and the arguments of logarithms
#: of the reference and of the answer, with the other symbols at a sampled instance, are located in float64
#: (a scan of a grid, then bisection; a root p/q with q <= 10^6 is recognised exactly), and the instances
#: s = root +- 10^-k for k in POLE_OFFSETS (exact rationals, inside the domain) are judged after the sampled ones.
POLE_OFFSETS = (3, 6, 9)
MAX_POLES = 4  #: at most this many singular points (so at most 24 more instances)
MAX_FACTORS = 24  #: at most this many distinct denominators are scanned


def _node_children(node):
    for v in vars(node).values():
        if isinstance(v, tuple):
            yield from (x for x in v if hasattr(x, "__dict__") and not isinstance(x, Fraction))
        elif hasattr(v, "__dict__") and not isinstance(v, Fraction):
            yield v


def _singular_factors(node) -> list:
    """Subexpressions whose zeros are singular points of ``node``: the factors of denominators, the bases of
    negative powers, the arguments of logarithms (each at most once, in the order found)."""
    from .language import Call, Div, Mul, Neg, Num, Pow

    out = []

    def factors(b):
        if isinstance(b, Mul):
            factors(b.a)
            factors(b.b)
        elif isinstance(b, Neg):
            factors(b.a)
        elif isinstance(b, Div):
            factors(b.a)
        elif isinstance(b, Pow) and isinstance(b.b, Num) and b.b.value > 0:
            factors(b.a)
        elif not isinstance(b, Num) and b not in out:
            out.append(b)

    stack = [node]
    while stack and len(out) < MAX_FACTORS:
        n = stack.pop()
        if isinstance(n, Div):
            factors(n.b)
        elif isinstance(n, Pow) and (isinstance(n.b, Neg) or (isinstance(n.b, Num) and n.b.value < 0)):
            factors(n.a)
        elif isinstance(n, Call) and n.func == "log":
            factors(n.args[0])
        stack.extend(reversed(list(_node_children(n))))
    return out[:MAX_FACTORS]


def _names(node) -> set:
    out, stack = set(), [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Sym):
            out.add(n.name)
        stack.extend(_node_children(n))
    return out


def _roots_in(q, f, name, env, probs):
    """Real points in ``name`` (the other symbols at ``env``) where ``f`` is zero or changes sign (through 0
    or through infinity): a grid scan in float64, then bisection; exact rationals when recognised."""
    d = q.domains[name]
    lo = float(d.lo) if d.lo is not None else -1e3
    hi = float(d.hi) if d.hi is not None else 1e3
    lo, hi = max(lo, -1e3), min(hi, 1e3)
    if not lo < hi:
        return []
    grid = np.unique(np.clip(np.concatenate([np.linspace(lo, hi, 2001), np.linspace(-10, 10, 4001)]), lo, hi))
    fenv = _float_env(env)

    def at(xs):
        with np.errstate(all="ignore"):
            v = _evaluate_module._ev(f, dict(fenv, **{name: RandomVariable(np.asarray(xs, dtype=float))}), probs,
                                     _evaluate_module._Backend())  # vectorised: one value per grid point
        v = v.values if isinstance(v, RandomVariable) else np.full(len(xs), _float(v) if np.ndim(v) == 0 else np.nan)
        return np.asarray(v, dtype=float).reshape(len(xs))

    v = at(grid)
    sg = np.sign(v)
    ok = np.isfinite(v)
    cands = list(grid[ok & (v == 0)])
    change = np.nonzero(ok[:-1] & ok[1:] & (sg[:-1] * sg[1:] < 0))[0]
    for i in change[:MAX_POLES]:
        a, b, fa = grid[i], grid[i + 1], sg[i]
        for _ in range(80):
            m = (a + b) / 2
            if not a < m < b:
                break
            fm = at([m])[0]
            if fm == 0 or not math.isfinite(fm):
                a = b = m
                break
            if np.sign(fm) == fa:
                a = m
            else:
                b = m
        cands.append((a + b) / 2)
    out = []
    for c in cands[:MAX_POLES]:
        root = Fraction(float(c))
        for den in (1000, 10**6):
            r = root.limit_denominator(den)
            try:
                if abs(r - root) < 1e-9 and evaluate(f, dict(env, **{name: r}), probabilities=probs, exact=True) == 0:
                    root = r
                    break
            except Exception:  # noqa: BLE001 (no exact value: keep the float64 root)
                pass
        out.append(root)  # outside the domain too: root +- 10^-k may lie inside (a pole at an open end)
    return out


def _near_singularities(q, ans, ref, points) -> list:
    """The instances near the singular points of either side (see :data:`POLE_OFFSETS`); [] when the
    question has no real scalar symbol or nothing singular is found. Never raises."""
    from .domains import _clip

    reals = [n for n, d in q.domains.items() if d.kind == "real"]
    if not reals or not points:
        return []
    env0, probs0 = points[0]
    seen = {_key(p) for p in points}
    out, poles = [], []
    try:
        for f in _singular_factors(ref) + [g for g in _singular_factors(ans)]:
            for name in sorted(_names(f) & set(reals)):
                if len(poles) >= MAX_POLES:
                    break
                try:
                    roots = _roots_in(q, f, name, env0, probs0)
                except Exception:  # noqa: BLE001 (cannot be scanned: no instances from it)
                    continue
                for r in roots:
                    if (name, r) not in poles and len(poles) < MAX_POLES:
                        poles.append((name, r))
        for name, r in poles:
            d = q.domains[name]
            for k in POLE_OFFSETS:
                for sign in (1, -1):
                    x = r + sign * Fraction(1, 10**k)
                    if _clip(x, d) != x:
                        continue
                    p = (dict(env0, **{name: x}), probs0)  # the roots were found with the others at env0
                    if _key(p) not in seen:
                        seen.add(_key(p))
                        out.append(p)
    except Exception:  # noqa: BLE001 (the extra instances are an addition; never a failure)
        return out
    return out


def _float_env(env):
    """The instance in float64 (what the float backend computes from anyway)."""
    out = {}
    for k, v in env.items():
        if isinstance(v, np.ndarray) and v.dtype == object:
            out[k] = v.astype(float)
        elif isinstance(v, (int, Fraction)) and not isinstance(v, bool):
            out[k] = float(v)
        else:
            out[k] = v
    return out


def _equal_verdict(q, vid, ans, ref, out, compared, ref_defined, pending, total, noise, tol, symbolic_seconds,
                   sym):
    max_examples = out.examples if isinstance(out, _Outcome) else 0
    if isinstance(out, Verdict):
        return Verdict(vid, q.id, out.verdict, out.message)
    if out.counterexample is not None:
        (env, probs), info = out.counterexample
        why = info.get("why", "")
        return Verdict(vid, q.id, "incorrect", "differs from the reference" + (f": {why}" if why else ""),
                       _counterexample(env, probs, answer=info.get("answer"), reference=info.get("reference")))
    exhausted = out.exhausted
    if ref_defined[0] < MIN_COMPARED and not exhausted:
        return Verdict(vid, q.id, "invalid", f"question {q.id!r} is broken: its reference is defined at only "
                                             f"{ref_defined[0]} of {total[0]} sampled instances (at least "
                                             f"{MIN_COMPARED} are needed)")
    defined_where_ref_not = [p for p in pending if p[2] is not None]
    if defined_where_ref_not:
        env, probs, a, why = min(defined_where_ref_not, key=lambda p: len(repr(_readable_env(p[0]))))
        return Verdict(vid, q.id, "incorrect", f"the answer is defined at {_where(env)} where the reference is not "
                                               f"({why}), and the reference is undefined near it",
                       _counterexample(env, probs, answer=a, reference="undefined"))
    short = _enough(out, compared, max_examples)
    if short:
        return Verdict(vid, q.id, "unknown", short)
    how = f"tolerance {tol}" if tol else "exact rational arithmetic, or 50 digits confirmed at 1100"
    if not tol and noise[0] and symbolic_seconds > 0:
        if sym is None:
            sym = _symbolic_start(q, ans, ref, symbolic_seconds)
        sym = _symbolic_finish(sym, symbolic_seconds)
        if sym is not None and sym != "0":
            env, probs = compared[0]
            return Verdict(vid, q.id, "incorrect", f"differs from the reference by the constant {sym} (SymPy; "
                                                   "below the 50-digit resolution of the numeric stage)",
                           _counterexample(env, probs, difference=sym))
        if sym == "0":
            how += "; SymPy proves the difference zero"
    return Verdict(vid, q.id, "correct", f"equal to the reference at {len(compared)} instances where both are "
                                          f"defined ({how}); undefined at the same instances elsewhere")


def _up_to_constant(q, vid, ans, ref, seed, max_examples):
    """answer - reference is constant on each connected piece of the domain: where both are defined, the
    difference at an instance equals the difference at nearby instances (every continuous symbol moved by
    a relative 1e-3 or 1e-5), decided exactly or at 50/1100 digits; one-sided definedness as for equal."""
    from .language import Sub

    if not _continuous(q.domains):
        return Verdict(vid, q.id, "invalid", f"question {q.id!r} is broken: up_to_constant needs a continuous symbol")
    diff = Sub(ans, ref)
    base = _equal_domain_only(q, ans, ref)
    compared = []

    def ratio(point):
        env, probs = point
        verdict = base(point)
        if verdict is not None:
            return verdict
        for k in range(2):
            env2 = _nearby(q, env, k)
            if _classify(ans, env2, probs)[0] != "ok" or _classify(ref, env2, probs)[0] != "ok":
                continue
            differs, how, _ = _exact_or_mp_difference(diff, diff, env, probs, ref_env=env2)
            if differs:
                d1 = _readable(evaluate(diff, env, probabilities=probs))
                d2 = _readable(evaluate(diff, env2, probabilities=probs))
                return math.inf, {"why": f"answer - reference is {d1} at {_where(env)} but {d2} at the nearby "
                                         f"{_where(env2)} (decided in {how}): not a constant", "answer": d1,
                                  "reference": d2}
        compared.append(point)
        return 0.0, {}

    out = _search(q, ratio, seed, max_examples)
    if isinstance(out, Verdict):
        return Verdict(vid, q.id, out.verdict, out.message)
    if out.counterexample is not None:
        (env, probs), info = out.counterexample
        return Verdict(vid, q.id, "incorrect", info.get("why", "differs from the reference"),
                       _counterexample(env, probs, answer=info.get("answer"), reference=info.get("reference")))
    short = _enough(out, compared, max_examples)
    if short:
        return Verdict(vid, q.id, "unknown", short)
    return Verdict(vid, q.id, "correct", f"answer - reference is locally constant at {len(compared)} instances "
                                          "(compared with nearby instances exactly or at 50/1100 digits)")


def _equal_domain_only(q, ans, ref):
    """A point check for one-sided definedness (None when both sides are defined there)."""

    def check(point):
        env, probs = point
        rs, a_s = _classify(ref, env, probs), _classify(ans, env, probs)
        if rs[0] == "ok" and a_s[0] == "ok":
            return None
        if rs[0] == a_s[0] or "range" in (rs[0], a_s[0]):
            return 0.0, {}
        if rs[0] == "undefined" and a_s[0] == "ok" and _undefined_nearby(q, ref, env, probs):
            return math.inf, {"why": f"the answer is defined at {_where(env)} where the reference is not",
                              "answer": a_s[1], "reference": "undefined"}
        if a_s[0] == "undefined" and rs[0] == "ok" and _undefined_nearby(q, ans, env, probs):
            return math.inf, {"why": f"the answer is undefined at {_where(env)} where the reference is defined",
                              "answer": "undefined", "reference": rs[1]}
        return 0.0, {}

    return check


def _readable_env(env):
    return {k: _readable(v) for k, v in env.items()}


@dataclass
class _Outcome:
    examples: int  #: distinct instances drawn
    exhausted: bool  #: they are the whole domain (every instance of a small domain)
    counterexample: tuple | None  #: ((env, probs), info) of the shrunk failure
    points: list  #: the instances, in the order drawn


def _call_point(evaluate_point, point, raise_errors):
    try:
        return evaluate_point(point)
    except TooManyTerms:  # a sum beyond MAX_JUDGE_TERMS terms: the instance is not admissible
        _TERMS_SKIPPED[0] += 1
        return 0.0, {"skipped": "a sum or product over too many terms"}
    except raise_errors:
        raise
    except Exception as exc:  # noqa: BLE001 (reported as a bug of the judge by _search)
        raise _JudgeBug(f"{type(exc).__name__}: {exc}") from exc


SHRINK_CALLS = 120  #: at most this many evaluations to shrink a counterexample


def _search(q, evaluate_point, seed, max_examples, *, skip=None, points=None):
    """Draw ``max_examples`` distinct instances in bulk (seeded: the same seed gives the same instances and
    the same verdict), evaluate ``evaluate_point`` at each instance not in ``skip(points)`` (the instances a
    float64 pass already decided) in the order drawn, and shrink the first failure toward small values."""
    from .domains import sample_instances

    raise_errors = (EvalError, MemoryError, RecursionError, _JudgeBug)
    try:
        if points is None:
            points, exhausted = sample_instances(q.domains, max_examples, seed)
        else:
            points, exhausted = points
        done = skip(points) if skip is not None else set()
        ill_typed = None
        for i, point in enumerate(points):
            if i in done:
                continue
            try:
                ratio, info = _call_point(evaluate_point, point, raise_errors)
            except EvalError as exc:  # ill-typed at this instance (a size where shapes clash): invalid,
                ill_typed = ill_typed or exc  # unless a counterexample turns up at another instance
                continue
            if not ratio <= 1.0:
                found = _shrink(q, evaluate_point, point, info, raise_errors)
                return _Outcome(len(points), exhausted, found, points)
        if ill_typed is not None:
            raise ill_typed
    except EvalError as exc:
        return Verdict("", q.id, "invalid", f"the answer cannot be evaluated: {exc}")
    return _Outcome(len(points), exhausted, None, points)


def _simpler_scalars(v, d, env):
    """Candidate values simpler than ``v`` for a scalar symbol of domain ``d`` (simplest first)."""
    from .domains import _clip, _int_range

    if d.kind == "integer":
        lo, hi = _int_range("", d, env)
        base = 0 if lo <= 0 and (hi is None or hi >= 0) else lo
        v = int(v)
        out = [base, base + 1, base - 1, base + 2]  # then bisection toward base (_bisect_integer)
        return [c for c in out if c >= lo and (hi is None or c <= hi)]
    v = Fraction(v)
    cands = [Fraction(c) for c in (0, 1, -1, Fraction(1, 2), 2, -2)]
    cands += [b for b in (d.lo, d.hi) if b is not None]
    cands += [Fraction(round(v)), Fraction(math.floor(v)), Fraction(math.ceil(v)), Fraction(round(v * 4), 4)]
    cands += [v.limit_denominator(k) for k in (2, 4, 10, 100, 1000)] + [v / 2]
    return [_clip(c, d) for c in cands]


def _bisect_integer(v, base, fails, valid):
    """The failing integer nearest ``base`` found by bisection between ``base`` (where the answer does not
    fail) and ``v`` (where it does): ``(value, info)`` or None."""
    lo, hi, got = base, v, None
    while abs(hi - lo) > 1:
        mid = (lo + hi) // 2 if hi > lo else -((-lo - hi) // 2)
        info = fails(mid) if valid(mid) else None
        if info is None:
            if not valid(mid):
                return got
            lo = mid
        else:
            hi, got = mid, (mid, info)
    return got


def _complexity(v):
    if isinstance(v, (int, Fraction)):
        f = Fraction(v)
        return (len(str(f.numerator)) + len(str(f.denominator)), abs(f))
    return (0, 0)


def _shrink(q, evaluate_point, point, info, raise_errors):
    """Greedy deterministic shrinking of a failing instance: each scalar symbol (not a size label) is moved
    to the simplest candidate value at which the answer still fails, until nothing changes or
    :data:`SHRINK_CALLS` evaluations are spent; unstructured array entries are then tried at 0."""
    from .domains import size_labels

    env, probs = point
    labels = set(size_labels(q.domains))
    dependents = {n for n, d in q.domains.items() if isinstance(d.lo, str) or isinstance(d.hi, str)}
    bounds = {d.lo for d in q.domains.values() if isinstance(d.lo, str)} | \
        {d.hi for d in q.domains.values() if isinstance(d.hi, str)}
    calls, seen = [0], {}

    def fails(new_env):
        k = _key((new_env, probs))
        if k in seen:
            return seen[k]
        if calls[0] >= SHRINK_CALLS:
            return None
        calls[0] += 1
        seen[k] = _fails(new_env)
        return seen[k]

    def _fails(new_env):
        try:
            r, inf = _call_point(evaluate_point, (new_env, probs), raise_errors)
        except EvalError:
            return None
        return inf if not r <= 1.0 else None

    changed = True
    while changed and calls[0] < SHRINK_CALLS:
        changed = False
        for name, d in q.domains.items():
            if not d.scalar or name in labels:
                continue
            for c in _simpler_scalars(env[name], d, env):
                if _complexity(c) >= _complexity(env[name]):
                    continue
                new = dict(env, **{name: Fraction(c) if d.kind == "real" else int(c)})
                if name in bounds and dependents:  # a symbol other bounds name: keep them valid
                    from .domains import _int_range

                    try:
                        if any(not (_int_range(k, q.domains[k], new)[0] <= new[k]
                                    and (_int_range(k, q.domains[k], new)[1] is None
                                         or new[k] <= _int_range(k, q.domains[k], new)[1])) for k in dependents):
                            continue
                    except Exception:  # noqa: BLE001 (an empty range: not a valid instance)
                        continue
                got = fails(new)
                if got is not None:
                    env, info, changed = new, got, True
                    break
    for name, d in q.domains.items():  # integer values: bisection toward the base value
        if not d.scalar or name in labels or name in bounds or Fraction(env[name]).denominator != 1:
            continue
        v = int(env[name])
        if d.kind == "integer":
            from .domains import _int_range

            lo, hi = _int_range(name, d, env)
            base = 0 if lo <= 0 and (hi is None or hi >= 0) else lo
            valid = lambda c, lo=lo, hi=hi: lo <= c and (hi is None or c <= hi)  # noqa: E731
        else:
            from .domains import _clip

            base = int(_clip(Fraction(0), d)) if _clip(Fraction(0), d).denominator == 1 else v
            valid = lambda c, d=d: _clip(Fraction(c), d) == c  # noqa: E731
        if abs(v - base) <= 1:
            continue
        conv = int if d.kind == "integer" else Fraction
        got = _bisect_integer(v, base, lambda c, name=name, conv=conv: fails(dict(env, **{name: conv(c)})), valid)
        if got is not None:
            env, info = dict(env, **{name: conv(got[0])}), got[1]
    for name, d in q.domains.items():  # unstructured arrays: entries toward 0
        if d.kind not in ("vector", "matrix") or d.flavour not in ("",):
            continue
        A = env[name]
        for idx in np.ndindex(A.shape):
            if A[idx] == 0 or calls[0] >= SHRINK_CALLS:
                continue
            B = A.copy()
            B[idx] = Fraction(0)
            got = fails(dict(env, **{name: B}))
            if got is not None:
                A, info = B, got
                env = dict(env, **{name: B})
    return (env, probs), info


def _scalar(x, what):
    a = _as_array(x)
    if a.size != 1:
        raise EvalError(f"the {what} must be a number, not an array of shape {a.shape}")
    return float(a.reshape(()))


def _quantity(q, env, probs, r):
    if q.quantity is None:
        return r
    if isinstance(q.quantity, str):
        try:
            return _scalar(evaluate(parse(q.quantity, q.domains), env, probabilities=probs), "quantity")
        except _ANSWER_FAILURES:
            return math.nan
    return float(q.quantity(env))


def _bound(q, vid, ans, ref, seed, max_examples, sense):
    """upper: quantity <= answer <= reference; lower: reference <= answer <= quantity."""
    sign = 1.0 if sense == "upper" else -1.0
    compared = set()

    def ratio(point):
        env, probs = point
        try:
            r = _scalar(evaluate(ref, env, probabilities=probs), "reference")
        except _ANSWER_FAILURES:
            return 0.0, {"kind": "skipped"}
        qv = _quantity(q, env, probs, r)
        if not (math.isfinite(r) and math.isfinite(qv)):
            return 0.0, {"kind": "skipped"}
        value, undefined = _answer_value(ans, env, probs)  # TooManyTerms: skipped (not compared)
        compared.add(_key(point))
        if undefined:
            return math.inf, {"kind": "undefined", "why": undefined, "answer": "undefined", "quantity": qv,
                              "reference": r}
        a = _scalar(value, "answer")
        tol = lambda x: RTOL * abs(x) + ATOL  # noqa: E731
        if not np.isfinite(a):
            return math.inf, {"kind": "not finite", "answer": a, "quantity": qv, "reference": r}
        hold = sign * (qv - a) / tol(qv)
        tight = sign * (a - r) / tol(r) if q.quantity is not None else -math.inf
        info = {"answer": a, "quantity": qv, "reference": r}
        if hold >= tight:
            return max(hold, 0.0), dict(info, kind="hold")
        return max(tight, 0.0), dict(info, kind="tight")

    out = _search(q, ratio, seed, max_examples)
    if isinstance(out, Verdict):
        return Verdict(vid, q.id, out.verdict, out.message)
    word = "upper" if sense == "upper" else "lower"
    if out.counterexample is None:
        short = _enough(out, compared, max_examples)
        if short:
            return Verdict(vid, q.id, "unknown", short)
        return Verdict(vid, q.id, "correct", f"a valid {word} bound, as tight as the reference, at {len(compared)} "
                                              "instances searched adversarially")
    (env, probs), info = out.counterexample
    where = ", ".join(f"{k}={_readable(v)}" for k, v in env.items())
    kind = info.get("kind")
    if kind == "undefined":
        msg = f"not {'an' if word == 'upper' else 'a'} {word} bound: at {where} {info['why']}"
    elif kind == "not finite":
        msg = f"not a useful {word} bound: at {where} the answer is {info['answer']} (not finite)"
    elif kind == "tight":
        msg = (f"a valid {word} bound here but not as tight as required: at {where} the answer gives "
               f"{info['answer']:.6g}, the reference {info['reference']:.6g}")
    else:
        msg = (f"not {'an' if word == 'upper' else 'a'} {word} bound: at {where} the true value is "
               f"{info['quantity']:.6g} and the answer gives {info['answer']:.6g}")
    return Verdict(vid, q.id, "incorrect", msg, _counterexample(env, probs, answer=info["answer"],
                                                                quantity=info["quantity"], reference=info["reference"]))


def _strip_order(node):
    return node.a if isinstance(node, Order) else node


def _same_order(q, vid, ans, ref):
    from .orders import judge_same_order

    return judge_same_order(q, vid, _strip_order(ans), _strip_order(ref))


def judge(q, *, answer=None, latex=None, vid: str = "", seed: int = 0, max_examples: int = 150,
          symbolic_seconds: float = SYMBOLIC_SECONDS) -> Verdict:
    """Judge an answer (plain ``answer`` or ``latex``) to question ``q``; never raises on bad input.

    Every exception maps to a verdict on purpose: the answer's parse errors give ``invalid``, its
    failures at an instance (a singular matrix, an overflow) give ``incorrect`` with the instance,
    running out of memory gives ``unknown``, and anything else is a bug of ours: ``error``."""
    _TERMS_SKIPPED[0] = 0
    try:
        ans = _parse_answer(q, answer, latex)
    except AnswerError as exc:
        return Verdict(vid, q.id, "invalid", str(exc))
    except (RecursionError, MemoryError) as exc:
        return Verdict(vid, q.id, "invalid", f"the answer is too large or too deeply nested to parse "
                                             f"({type(exc).__name__})")
    if q.relation in ("upper_bound", "lower_bound") and q.quantity is None:
        return Verdict(vid, q.id, "invalid", f"question {q.id!r} is broken: a bound question needs quantity = "
                                             "\"...\" (the bounded quantity) beside its reference")
    if q.relation == "derivative":
        from .derivative import judge_derivative

        try:
            return judge_derivative(q, vid, ans, seed=seed, max_examples=max_examples)
        except EvalError as exc:
            return Verdict(vid, q.id, "invalid", f"the answer cannot be evaluated: {exc}")
    try:
        ref = parse_plain(q.reference, q.domains)
    except AnswerError as exc:
        return Verdict(vid, q.id, "invalid", f"question {q.id!r} is broken: its reference: {exc}")
    if isinstance(ans, Order) and q.relation != "same_order":
        return Verdict(vid, q.id, "invalid", "O(...) is only meaningful for same_order questions; give the exact value")
    try:
        if q.relation == "equal":
            return _equal(q, vid, ans, ref, seed, max_examples, symbolic_seconds)
        if q.relation == "up_to_constant":
            return _up_to_constant(q, vid, ans, ref, seed, max_examples)
        if q.relation in ("upper_bound", "lower_bound"):
            return _bound(q, vid, ans, ref, seed, max_examples, "upper" if q.relation == "upper_bound" else "lower")
        return _same_order(q, vid, ans, ref)
    except EvalError as exc:
        return Verdict(vid, q.id, "invalid", f"the answer cannot be evaluated: {exc}")
    except MemoryError:
        return Verdict(vid, q.id, "unknown", "the answer needs more memory than the cap (--memory) allows")
    except _JudgeBug as exc:
        return Verdict(vid, q.id, "error", f"the judge failed ({exc}); {BUG_REPORT}")
    except Exception as exc:  # noqa: BLE001 (a bug of ours, reported as such)
        return Verdict(vid, q.id, "error", f"the judge failed ({type(exc).__name__}: {exc}); {BUG_REPORT}")


def _judge_in_child(q, kwargs):
    return judge(q, **kwargs).to_json()


def judge_with_budget(q, *, budget: float = 5.0, memory: int = DEFAULT_MEMORY, **kwargs) -> Verdict:
    """:func:`judge` in an isolated child (:func:`run_isolated`): ``unknown`` when the time budget or the
    memory cap runs out, ``error`` if the child itself fails."""
    budget = validate_budget(budget)
    kwargs.setdefault("symbolic_seconds", min(SYMBOLIC_SECONDS, 0.4 * budget))
    if callable(getattr(q, "quantity", None)):  # bank bound oracles use SciPy: imported once, before the fork
        import scipy.optimize  # noqa: F401
    vid = kwargs.get("vid", "")
    try:
        return Verdict(**run_isolated(_judge_in_child, q, kwargs, budget=budget, memory=memory))
    except IsolatedTimeout:
        return Verdict(vid, q.id, "unknown", f"the time budget of {budget:g} s ran out (--budget)")
    except MemoryError:
        return Verdict(vid, q.id, "unknown", f"the answer needs more than the memory cap of "
                                             f"{validate_memory(memory) >> 20} MiB (--memory)")
    except Exception as exc:  # noqa: BLE001
        return Verdict(vid, q.id, "error", f"the judge failed ({type(exc).__name__}: {exc}); {BUG_REPORT}")
