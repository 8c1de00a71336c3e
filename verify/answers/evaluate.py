r"""Evaluate a parsed answer: NumPy (float64, vectorised over points), mpmath (50 digits, to confirm a
disagreement) and SymPy (scalar answers, for symbolic equivalence).

Values are Python/NumPy scalars, arrays (vectors 1-D, matrices 2-D) and :class:`RandomVariable`
(one value per outcome of a finite distribution; ``E[...]`` averages them).

>>> from verify.answers.language import parse
>>> import numpy as np
>>> env = {"g": RandomVariable(np.array([1.0, -1.0])), "R": RandomVariable(np.array([2.0, 0.0]))}
>>> float(evaluate(parse("E[g**2*R]/E[g**2]", env), env, probabilities=np.array([0.5, 0.5])))
1.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np

from .language import (Add, Call, Div, Expect, MatMul, Mul, Neg, Num, Order, Pow, Sub, Sym, Transpose)

__all__ = ["RandomVariable", "EvalError", "evaluate", "to_sympy", "NotScalar"]


class EvalError(ValueError):
    """The answer is well formed but meaningless here (a matrix where a number belongs, ...)."""


class NotScalar(ValueError):
    """The answer uses matrices, vectors or expectations: no scalar SymPy form."""


@dataclass(frozen=True)
class RandomVariable:
    values: np.ndarray  #: one value per outcome


def _is_array(x):
    return isinstance(x, np.ndarray) and x.ndim >= 1


#: mpmath stores exponents exactly, so exp(exp(exp(10))) would never finish: at 50 digits, a value
#: whose size would pass 10^(+-MP_MAX_LOG10) is taken as infinite (or zero), like float64 does at 10^308.
MP_MAX_LOG10 = 100_000


class _Backend:
    mp = False

    def const(self, v):
        try:
            return float(v)
        except OverflowError:  # a constant beyond float64 (check_size keeps it under 10^1000)
            return math.inf if v > 0 else -math.inf

    def f(self, name, x):
        return {"log": np.log, "exp": np.exp, "sqrt": np.sqrt, "abs": np.abs}[name](x)


class _MpBackend(_Backend):
    mp = True

    def const(self, v):
        if isinstance(v, Fraction):
            return mpmath.mpf(v.numerator) / v.denominator
        return mpmath.mpf(v)

    def f(self, name, x):
        fn = {"log": mpmath.log, "exp": _mp_exp, "sqrt": mpmath.sqrt, "abs": abs}[name]
        if isinstance(x, np.ndarray):
            return np.vectorize(fn, otypes=[object])(x)
        return fn(x)


def _mp_exp(x):
    if mpmath.isfinite(x) and abs(x) > MP_MAX_LOG10 * 2.302585092994046:
        return mpmath.inf if x > 0 else mpmath.mpf(0)
    return mpmath.exp(x)


def _mp_power(x, y):
    """mpmath.power, with sizes beyond 10^(+-MP_MAX_LOG10) taken as infinite or zero."""
    if mpmath.isfinite(x) and mpmath.isfinite(y) and x != 0 and abs(x) != 1:
        size = y * mpmath.log10(abs(x))
        if size > MP_MAX_LOG10:
            return mpmath.inf if x > 0 or y != int(y) or int(y) % 2 == 0 else -mpmath.inf
        if size < -MP_MAX_LOG10:
            return mpmath.mpf(0)
    return mpmath.power(x, y)


def _lift(op, a, b):
    """Apply a binary operation, mapping over random variables."""
    if isinstance(a, RandomVariable) or isinstance(b, RandomVariable):
        av = a.values if isinstance(a, RandomVariable) else a
        bv = b.values if isinstance(b, RandomVariable) else b
        return RandomVariable(op(av, bv))
    return op(a, b)


def _mp_matrix(x):
    return mpmath.matrix(x.tolist())


def _from_mp(m):
    return np.array(m.tolist(), dtype=object)


def _power(a, b, be):
    if isinstance(a, np.ndarray) and a.ndim == 2:
        e = float(b) if not isinstance(b, np.ndarray) else None
        if e is None or e != int(e):
            raise EvalError("a matrix can only be raised to an integer power")
        e = int(e)
        if be.mp:
            M = _mp_matrix(a)
            return _from_mp(M**e)
        return np.linalg.matrix_power(a, e)
    if be.mp:
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            return np.vectorize(_mp_power, otypes=[object])(a, b)
        return _mp_power(a, b)
    with np.errstate(all="ignore"):
        return np.power(np.asarray(a, dtype=float), b) if np.ndim(a) else np.float64(a) ** b


def _matmul(a, b, be):
    if not _is_array(a) or not _is_array(b):
        return a * b  # a scalar operand scales
    return a @ b


def _call(name, args, be):
    if name in ("log", "exp", "sqrt", "abs"):
        (x,) = args
        if isinstance(x, RandomVariable):
            return RandomVariable(be.f(name, x.values))
        with np.errstate(all="ignore"):
            return be.f(name, x)
    if name in ("max", "min"):
        pick = max if name == "max" else min
        if len(args) == 1:
            (x,) = args
            if not _is_array(x):
                raise EvalError(f"{name}(x) of a single number: give a vector, or several arguments")
            return pick(x.ravel().tolist()) if be.mp else (np.max(x) if name == "max" else np.min(x))
        if any(_is_array(a) or isinstance(a, RandomVariable) for a in args):
            vals = [a.values if isinstance(a, RandomVariable) else a for a in args]
            out = (np.maximum if name == "max" else np.minimum).reduce(np.broadcast_arrays(*vals))
            return RandomVariable(out) if any(isinstance(a, RandomVariable) for a in args) else out
        return pick(args)
    (x,) = args
    if name == "sum":
        if not _is_array(x):
            raise EvalError("sum(x) needs a vector or matrix")
        return np.sum(x)
    if name == "norm":
        if not _is_array(x):
            return abs(x)
        if x.ndim == 1:
            return mpmath.sqrt(sum(v * v for v in x)) if be.mp else np.linalg.norm(x)
        if be.mp:
            return max(mpmath.svd_r(_mp_matrix(x), compute_uv=False))
        return np.linalg.norm(x, 2)
    if not (isinstance(x, np.ndarray) and x.ndim == 2 and x.shape[0] == x.shape[1]):
        raise EvalError(f"{name}(...) needs a square matrix")
    if name == "trace":
        return np.trace(x)
    if name == "det":
        return mpmath.det(_mp_matrix(x)) if be.mp else np.linalg.det(x)
    if be.mp:
        return _from_mp(_mp_matrix(x) ** -1)
    return np.linalg.inv(x)


def _ev(node, env, probs, be):
    if isinstance(node, Num):
        return be.const(node.value)
    if isinstance(node, Sym):
        v = env[node.name]
        if be.mp:
            if isinstance(v, RandomVariable):
                return RandomVariable(np.array([mpmath.mpf(float(x)) for x in v.values], dtype=object))
            if isinstance(v, np.ndarray):
                return np.vectorize(lambda x: mpmath.mpf(float(x)), otypes=[object])(v)
            return mpmath.mpf(float(v))
        return v
    if isinstance(node, (Add, Sub, Mul, Div)):
        a, b = _ev(node.a, env, probs, be), _ev(node.b, env, probs, be)
        if isinstance(node, Mul) and isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.ndim == b.ndim == 2:
            raise EvalError("'*' between two matrices is ambiguous: write @ for the matrix product")
        op = {Add: lambda x, y: x + y, Sub: lambda x, y: x - y, Mul: lambda x, y: x * y,
              Div: lambda x, y: x / y}[type(node)]
        with np.errstate(all="ignore"):
            try:
                return _lift(op, a, b)
            except ZeroDivisionError:
                return mpmath.nan if be.mp else np.nan
            except ValueError as exc:
                raise EvalError(f"shapes do not match: {exc}") from None
    if isinstance(node, Pow):
        a, b = _ev(node.a, env, probs, be), _ev(node.b, env, probs, be)
        if isinstance(a, RandomVariable) or isinstance(b, RandomVariable):
            return _lift(lambda x, y: _power(x, y, be), a, b)
        return _power(a, b, be)
    if isinstance(node, MatMul):
        a, b = _ev(node.a, env, probs, be), _ev(node.b, env, probs, be)
        try:
            return _matmul(a, b, be)
        except ValueError as exc:
            raise EvalError(f"matrix product of incompatible shapes: {exc}") from None
    if isinstance(node, Neg):
        a = _ev(node.a, env, probs, be)
        return RandomVariable(-a.values) if isinstance(a, RandomVariable) else -a
    if isinstance(node, Transpose):
        a = _ev(node.a, env, probs, be)
        return a.T if isinstance(a, np.ndarray) else a
    if isinstance(node, Call):
        return _call(node.func, [_ev(x, env, probs, be) for x in node.args], be)
    if isinstance(node, Expect):
        a = _ev(node.a, env, probs, be)
        if not isinstance(a, RandomVariable):
            return a  # the expectation of a constant
        if probs is None:
            raise EvalError("E[...] needs random variables and their distribution")
        p = probs if not be.mp else np.array([mpmath.mpf(float(x)) for x in probs], dtype=object)
        return np.tensordot(p, a.values, axes=(0, 0)) if not be.mp else sum(pi * vi for pi, vi in zip(p, a.values))
    if isinstance(node, Order):
        return _ev(node.a, env, probs, be)
    raise EvalError(f"cannot evaluate {type(node).__name__}")  # pragma: no cover (the parser whitelists)


def evaluate(node, env, *, probabilities=None, mp: bool = False):
    """Value of ``node`` with symbols from ``env``; ``mp=True`` evaluates in mpmath (current precision)."""
    out = _ev(node, env, probabilities, _MpBackend() if mp else _Backend())
    if isinstance(out, RandomVariable):
        raise EvalError("the answer is a random variable; take an expectation E[...]")
    return out


def to_sympy(node, symbols: dict):
    """SymPy form of a scalar answer (``symbols``: name -> SymPy Symbol). Raises :class:`NotScalar`."""
    import sympy as sp

    def go(n):
        if isinstance(n, Num):
            v = n.value
            return sp.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else sp.Integer(v)
        if isinstance(n, Sym):
            return symbols[n.name]
        if isinstance(n, Add):
            return go(n.a) + go(n.b)
        if isinstance(n, Sub):
            return go(n.a) - go(n.b)
        if isinstance(n, Mul):
            return go(n.a) * go(n.b)
        if isinstance(n, Div):
            return go(n.a) / go(n.b)
        if isinstance(n, Pow):
            return go(n.a) ** go(n.b)
        if isinstance(n, Neg):
            return -go(n.a)
        if isinstance(n, Order):
            return go(n.a)
        if isinstance(n, Call) and n.func in ("max", "min") and len(n.args) == 1:
            raise NotScalar(f"{n.func}(x) of one argument needs a vector")  # the numeric stage says invalid
        if isinstance(n, Call) and n.func in ("log", "exp", "sqrt", "abs", "max", "min"):
            f = {"log": sp.log, "exp": sp.exp, "sqrt": sp.sqrt, "abs": sp.Abs, "max": sp.Max, "min": sp.Min}[n.func]
            return f(*[go(a) for a in n.args])
        raise NotScalar(type(n).__name__)

    return go(node)
