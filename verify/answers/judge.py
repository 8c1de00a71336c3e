r"""Judge one answer against a question: symbolic equivalence first, then random instances drawn by
Hypothesis (fixed seed), confirmed at 50 digits before a disagreement is reported; bounds are
attacked by search; orders compared along rays to infinity. :func:`judge_with_budget` runs the
judgement in a child process and stops it when the time budget runs out.

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
import threading
from dataclasses import asdict, dataclass

import numpy as np

from ..search import falsify
from ..tolerances import ANSWER_MP_CONFIRM, SAME_ORDER_DRIFT, tolerance
from .domains import instances, sympy_symbol
from .evaluate import EvalError, NotScalar, RandomVariable, evaluate, to_sympy
from .language import AnswerError, Order, parse, parse_latex

__all__ = ["Verdict", "judge", "judge_with_budget"]

_TOL = tolerance("answers.equal")  # reasons in verify/tolerances.py
RTOL, ATOL = _TOL.rtol, _TOL.atol
SYMBOLIC_SECONDS = 2.0  #: share of the per-answer budget SymPy may spend before the numeric judge runs


@dataclass
class Verdict:
    id: str
    question: str
    verdict: str  #: correct | incorrect | invalid | unknown
    message: str
    counterexample: dict | None = None

    def to_json(self) -> dict:
        return asdict(self)


def _readable(v):
    if isinstance(v, RandomVariable):
        return {"values": v.values.tolist()}
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    if isinstance(v, int):
        return v
    try:
        return float(v)
    except (TypeError, ValueError):
        return str(v)


def _as_array(x):
    if isinstance(x, np.ndarray) and x.dtype == object:
        return np.array([float(v) for v in x.ravel()]).reshape(x.shape)
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
    err = float(np.abs(a - r).max(initial=0.0))
    return err / (RTOL * scale + ATOL), ""


def _mp_difference(ans, ref, env, probs):
    import mpmath

    with mpmath.workdps(50):
        a = evaluate(ans, env, probabilities=probs, mp=True)
        r = evaluate(ref, env, probabilities=probs, mp=True)
        a, r = np.atleast_1d(np.asarray(a, dtype=object)), np.atleast_1d(np.asarray(r, dtype=object))
        if a.shape != r.shape:
            return math.inf
        diff = max((abs(x - y) for x, y in zip(a.ravel(), r.ravel())), default=mpmath.mpf(0))
        scale = max((abs(y) for y in r.ravel()), default=mpmath.mpf(0)) + max((abs(x) for x in a.ravel()), default=0)
        return float(diff / (scale + mpmath.mpf(10) ** -40))


def _counterexample(env, probs, **values):
    out = {"symbols": {k: _readable(v) for k, v in env.items()}}
    if probs is not None:
        out["probabilities"] = probs.tolist()
    out.update({k: _readable(v) for k, v in values.items()})
    return out


class _Alarm:
    """Stop SymPy after ``seconds`` when running in the main thread (no-op elsewhere)."""

    def __init__(self, seconds):
        self.seconds = seconds

    def __enter__(self):
        import signal

        self.active = threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGALRM")
        if self.active:
            def _raise(*_):
                raise TimeoutError
            self.old = signal.signal(signal.SIGALRM, _raise)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, *exc):
        if self.active:
            import signal

            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.old)
        return False


def _symbolic_equal(q, ans, ref):
    """True when SymPy proves ``ans == ref`` for scalar questions, else None (unknown)."""
    if not all(d.scalar for d in q.domains.values()):
        return None
    import sympy as sp

    syms = {n: sympy_symbol(n, d) for n, d in q.domains.items()}
    try:
        with _Alarm(SYMBOLIC_SECONDS):
            diff = sp.simplify(to_sympy(ans, syms) - to_sympy(ref, syms))
            return True if diff == 0 else None
    except (NotScalar, TimeoutError, RecursionError, TypeError, ValueError, ZeroDivisionError, AttributeError):
        return None


def _parse_answer(q, answer, latex):
    if (answer is None) == (latex is None):
        raise AnswerError("give exactly one of answer = '...' and latex = '...'")
    if answer is not None:
        return parse(answer, q.domains)
    return parse_latex(latex, q.domains, q.array_names)


def _equal(q, vid, ans, ref, seed, max_examples):
    if _symbolic_equal(q, ans, ref):
        return Verdict(vid, q.id, "correct", "equal to the reference (SymPy simplification)")

    def ratio(point):
        env, probs = point
        try:
            r = evaluate(ref, env, probabilities=probs)
        except (EvalError, np.linalg.LinAlgError, ZeroDivisionError, OverflowError):
            return 0.0, {"skipped": "reference undefined"}
        a = evaluate(ans, env, probabilities=probs)  # EvalError propagates: an ill-typed answer
        rr, why = _compare(a, r)
        return rr, {"why": why}

    out = _search(q, ratio, seed, max_examples)
    if isinstance(out, Verdict):
        return Verdict(vid, q.id, out.verdict, out.message)
    if out.counterexample is None:
        return Verdict(vid, q.id, "correct", f"agrees with the reference at {out.examples} random instances "
                                              f"(rtol {RTOL:g})")
    (env, probs), info = out.counterexample
    a = evaluate(ans, env, probabilities=probs)
    r = evaluate(ref, env, probabilities=probs)
    why = info.get("why", "")
    if why.startswith(("shape", "the answer is not finite")) or not _mp_difference(ans, ref, env, probs) <= ANSWER_MP_CONFIRM:
        return Verdict(vid, q.id, "incorrect",
                       "differs from the reference" + (f" ({why})" if why else "")
                       + "; confirmed at 50 digits", _counterexample(env, probs, answer=a, reference=r))
    return Verdict(vid, q.id, "correct", "agrees with the reference (a float64 difference vanished at 50 digits)")


def _search(q, evaluate_point, seed, max_examples):
    try:
        return falsify(instances(q.domains), evaluate_point, seed=seed, max_examples=max_examples,
                       raise_errors=(EvalError,))
    except EvalError as exc:
        return Verdict("", q.id, "invalid", f"the answer cannot be evaluated: {exc}")


def _bound(q, vid, ans, ref, seed, max_examples, sense):
    """upper: quantity <= answer <= reference; lower: reference <= answer <= quantity."""
    sign = 1.0 if sense == "upper" else -1.0

    def ratio(point):
        env, probs = point
        a = float(_as_array(evaluate(ans, env, probabilities=probs)))
        r = float(_as_array(evaluate(ref, env, probabilities=probs)))
        qv = float(q.quantity(env)) if q.quantity is not None else r
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
        return Verdict(vid, q.id, "correct", f"a valid {word} bound, as tight as the reference, at {out.examples} "
                                              "instances searched adversarially")
    (env, probs), info = out.counterexample
    where = ", ".join(f"{k}={_readable(v)}" for k, v in env.items())
    if info["kind"] == "tight":
        msg = (f"a valid {word} bound here but not as tight as required: at {where} the answer gives "
               f"{info['answer']:.6g}, the reference {info['reference']:.6g}")
    else:
        msg = (f"not {'an' if word == 'upper' else 'a'} {word} bound: at {where} the true value is {info['quantity']:.6g} and the answer gives "
               f"{info['answer']:.6g}")
    return Verdict(vid, q.id, "incorrect", msg, _counterexample(env, probs, answer=info["answer"],
                                                                quantity=info["quantity"], reference=info["reference"]))


def _strip_order(node):
    return node.a if isinstance(node, Order) else node


def _same_order(q, vid, ans, ref):
    names = list(q.domains)
    if not all(d.scalar for d in q.domains.values()):
        return Verdict(vid, q.id, "unknown", "same_order needs scalar symbols")
    ans, ref = _strip_order(ans), _strip_order(ref)
    import itertools

    worst = None
    for e in itertools.product((0, 1, 2), repeat=len(names)):
        if not any(e):
            continue
        ratios = []
        for t in (10, 20, 30):
            env = {n: 2.0 * 2.0 ** (t * k) for n, k in zip(names, e)}
            with np.errstate(all="ignore"):
                a = float(_as_array(evaluate(ans, env)))
                r = float(_as_array(evaluate(ref, env)))
            ratios.append((a / r if r else math.inf, env, a, r))
        if not all(np.isfinite(x[0]) and x[0] > 0 for x in ratios):
            bad = next(x for x in ratios if not (np.isfinite(x[0]) and x[0] > 0))
            return Verdict(vid, q.id, "incorrect", "the answer is not a positive multiple of the reference",
                           {"symbols": bad[1], "answer": bad[2], "reference": bad[3]})
        drift = abs(math.log(ratios[2][0] / ratios[1][0]))
        if worst is None or drift > worst[0]:
            worst = (drift, ratios)
    drift, ratios = worst
    if drift > math.log(SAME_ORDER_DRIFT):
        (r1, env1, _, _), (r2, env2, a2, f2) = ratios[1], ratios[2]
        return Verdict(vid, q.id, "incorrect",
                       f"not the same order: answer/reference goes from {r1:.3g} to {r2:.3g} along a ray to infinity",
                       {"symbols": env2, "answer": a2, "reference": f2, "earlier_point": env1,
                        "earlier_ratio": r1, "ratio": r2})
    return Verdict(vid, q.id, "correct", "same order: answer/reference settles to a constant along every ray "
                                          f"to infinity (drift {math.exp(drift):.3g}x between 2^20 and 2^30)")


def judge(q, *, answer=None, latex=None, vid: str = "", seed: int = 0, max_examples: int = 150) -> Verdict:
    """Judge an answer (plain ``answer`` or ``latex``) to question ``q``; never raises on bad input."""
    try:
        ans = _parse_answer(q, answer, latex)
    except AnswerError as exc:
        return Verdict(vid, q.id, "invalid", str(exc))
    ref = parse(q.reference, q.domains)
    if isinstance(ans, Order) and q.relation != "same_order":
        return Verdict(vid, q.id, "invalid", "O(...) is only meaningful for same_order questions; give the exact value")
    try:
        if q.relation == "equal":
            return _equal(q, vid, ans, ref, seed, max_examples)
        if q.relation in ("upper_bound", "lower_bound"):
            return _bound(q, vid, ans, ref, seed, max_examples, "upper" if q.relation == "upper_bound" else "lower")
        return _same_order(q, vid, ans, ref)
    except EvalError as exc:
        return Verdict(vid, q.id, "invalid", f"the answer cannot be evaluated: {exc}")
    except (RecursionError, MemoryError, OverflowError) as exc:
        return Verdict(vid, q.id, "unknown", f"evaluation failed ({type(exc).__name__})")


def _child(conn, q, kwargs):
    try:
        conn.send(judge(q, **kwargs).to_json())
    except BaseException as exc:  # report anything, never hang the parent
        conn.send({"id": kwargs.get("vid", ""), "question": q.id, "verdict": "unknown",
                   "message": f"the judge failed: {type(exc).__name__}: {exc}", "counterexample": None})
    finally:
        conn.close()


def judge_with_budget(q, *, budget: float = 5.0, **kwargs) -> Verdict:
    """:func:`judge` in a forked child that is killed after ``budget`` seconds (verdict ``unknown``)."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, q, kwargs), daemon=True)
    proc.start()
    child.close()
    got = parent.poll(budget)
    if got:
        try:
            data = parent.recv()
        except EOFError:
            data = None
    else:
        data = None
    if proc.is_alive():
        proc.kill()
    proc.join(1.0)
    if data is None:
        why = f"time budget of {budget:g} s ran out" if not got else "the judge stopped without a verdict"
        return Verdict(kwargs.get("vid", ""), q.id, "unknown", why)
    return Verdict(**data)
