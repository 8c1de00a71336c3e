r"""Evaluate a parsed answer three ways: exactly (``Fraction`` arithmetic, for answers built from
rational operations), in mpmath (50 digits by default, to decide a disagreement) and in NumPy float64
(fast, to find where to look); and convert scalar answers to SymPy.

Values are numbers, 2-D arrays (a vector is a column, ``n x 1``; ``x.T @ y`` is a number) and
:class:`RandomVariable` (one value per outcome of a finite distribution; ``E[...]`` averages them).
Symbol values in an environment are exact (``int`` or ``Fraction``) for scalars and arrays of floats.

>>> from verify.answers.language import parse
>>> import numpy as np
>>> env = {"g": RandomVariable(np.array([1.0, -1.0])), "R": RandomVariable(np.array([2.0, 0.0]))}
>>> float(evaluate(parse("E[g**2*R]/E[g**2]", env), env, probabilities=np.array([0.5, 0.5])))
1.0
>>> from fractions import Fraction
>>> evaluate(parse("0.6666666667 - 2/3", {"x"}), {"x": 1}, exact=True)
Fraction(1, 30000000000)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np

from .language import (Add, Call, Const, Div, Expect, MatMul, Mul, Neg, Num, Order, Pow, Sub, Sym, Transpose)

__all__ = ["RandomVariable", "EvalError", "NotExact", "evaluate", "to_sympy", "NotScalar", "MP_MAX_LOG10",
           "EXACT_MAX_DIGITS", "overflowed", "max_magnitude", "EXTENSIONS",
           "SYMPY_EXTENSIONS", "TooManyTerms", "count_terms", "MAX_JUDGE_TERMS"]

#: Node types added by :mod:`verify.answers.extended` (binders, indexing, ...): ``type -> handler(node, env,
#: probs, backend, ev)`` where ``ev(node, env)`` evaluates a child; and ``type -> handler(node, go, symbols)`` for SymPy.
EXTENSIONS: dict = {}
SYMPY_EXTENSIONS: dict = {}


class EvalError(ValueError):
    """The answer is well formed but meaningless here (a matrix where a number belongs, ...)."""


class NotScalar(ValueError):
    """The answer uses matrices, vectors or expectations: no scalar SymPy form."""


class NotExact(ValueError):
    """No exact rational value (a transcendental function, an irrational power, a number too large)."""


class TooManyTerms(Exception):
    """A ``sum``/``prod`` of a ``verify check`` answer needs more than :data:`MAX_JUDGE_TERMS` terms at this
    instance: the instance is beyond the range of the evaluation (skipped by the judge, never a
    counterexample). Deliberately not an arithmetic error, so that no handler takes it for an undefined value."""


#: The judge's cap on the terms of the sums and products of one evaluation (all of them, nested ones
#: included): 10^4 terms cost about 0.1 s at 50 digits, within the 5 s budget for the few such instances.
MAX_JUDGE_TERMS = 10_000
_TERMS = [0]  #: terms counted by :func:`count_terms` since the last :func:`evaluate` started


def count_terms(n: int) -> None:
    """Count ``n`` more terms of a sum or product in the current evaluation; :class:`TooManyTerms` beyond
    :data:`MAX_JUDGE_TERMS`."""
    _TERMS[0] += max(int(n), 0)
    if _TERMS[0] > MAX_JUDGE_TERMS:
        raise TooManyTerms(f"a sum or product over more than {MAX_JUDGE_TERMS} terms here (MAX_JUDGE_TERMS)")


@dataclass(frozen=True)
class RandomVariable:
    values: np.ndarray  #: one value per outcome


def _is_array(x):
    return isinstance(x, np.ndarray) and x.ndim >= 1


#: mpmath stores exponents exactly, so exp(exp(exp(10))) would never finish: at 50 digits, a value
#: whose size would pass 10^(+-MP_MAX_LOG10) is taken as infinite (or zero), like float64 does at 10^308.
MP_MAX_LOG10 = 100_000

#: Exact evaluation gives up (NotExact: mpmath decides instead) on a rational with more digits than this.
EXACT_MAX_DIGITS = 20_000

_NAN = float("nan")


# ---------------------------------------------------------------------------
# scalar functions per backend
# ---------------------------------------------------------------------------


def _np_factorial(x):
    from scipy.special import gamma

    x = np.asarray(x, dtype=float)
    ok = (x >= 0) & (x == np.floor(x))
    with np.errstate(all="ignore"):
        return np.where(ok, gamma(np.where(ok, x, 1.0) + 1.0), np.nan)


def _np_binomial(n, k):
    from scipy.special import binom

    n, k = np.asarray(n, dtype=float), np.asarray(k, dtype=float)
    ok = (k == np.floor(k)) & (n == np.floor(n)) & (n >= 0)
    with np.errstate(all="ignore"):
        return np.where(ok, binom(n, k), np.nan)


def _np_sigmoid(x):
    if np.iscomplexobj(x):  # complex step: the branch by the real part, exp of -x or x (analytic)
        with np.errstate(all="ignore"):
            right = np.real(x) >= 0
            ex = np.exp(np.where(right, -x, x))
            return np.where(right, 1.0 / (1.0 + ex), ex / (1.0 + ex))
    with np.errstate(all="ignore"):
        return np.where(x >= 0, 1.0 / (1.0 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1.0 + np.exp(-np.abs(x))))


_NP = {"log": np.log, "exp": np.exp, "sqrt": np.sqrt, "abs": np.abs, "sin": np.sin, "cos": np.cos,
       "tan": np.tan, "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan, "sinh": np.sinh, "cosh": np.cosh,
       "tanh": np.tanh, "sign": np.sign, "floor": np.floor, "ceil": np.ceil, "factorial": _np_factorial,
       "sigmoid": _np_sigmoid}


_OVERFLOW = [False]  #: set when an mpmath evaluation capped a value at 10^(+-MP_MAX_LOG10)
_MAXMAG = [0.0]  #: the largest log10|value| of any scalar intermediate of the last mpmath evaluation


def max_magnitude() -> float:
    """log10 of the largest scalar intermediate value of the last mpmath evaluation (cancellation needs
    that many digits more than the result's own size)."""
    return _MAXMAG[0]


def overflowed() -> bool:
    """Whether the last mpmath evaluation capped a value beyond 10^(+-MP_MAX_LOG10)."""
    return _OVERFLOW[0]


def _mp_exp(x):
    if mpmath.isfinite(x) and abs(x) > MP_MAX_LOG10 * 2.302585092994046:
        _OVERFLOW[0] = True
        return mpmath.inf if x > 0 else mpmath.mpf(0)
    return mpmath.exp(x)


def _mp_big(fn):
    def f(x):
        if mpmath.isfinite(x) and abs(x) > MP_MAX_LOG10:
            _OVERFLOW[0] = True
            return mpmath.sign(x) * mpmath.inf if fn is mpmath.sinh else mpmath.inf
        return fn(x)
    return f


def _mp_real(fn, lo=None, hi=None, strict_lo=False):
    """``fn`` on its real domain; nan outside it (a complex result is undefined here)."""

    def f(x):
        if not mpmath.isfinite(x):
            return mpmath.nan
        if lo is not None and (x < lo or (strict_lo and x == lo)):
            return mpmath.nan
        if hi is not None and x > hi:
            return mpmath.nan
        return fn(x)

    return f


def _mp_factorial(x):
    if not mpmath.isfinite(x) or x < 0 or x != int(x):
        return mpmath.nan
    if x > 10**8:
        return mpmath.inf
    return mpmath.factorial(x)


def _mp_tan(x):
    c = mpmath.cos(x)
    return mpmath.nan if c == 0 else mpmath.sin(x) / c


_MP = {"log": _mp_real(mpmath.log, 0, strict_lo=True), "exp": _mp_exp, "sqrt": _mp_real(mpmath.sqrt, 0),
       "abs": abs, "sin": mpmath.sin, "cos": mpmath.cos, "tan": _mp_tan, "asin": _mp_real(mpmath.asin, -1, 1),
       "acos": _mp_real(mpmath.acos, -1, 1), "atan": mpmath.atan,
       "sinh": _mp_big(mpmath.sinh), "cosh": _mp_big(mpmath.cosh), "tanh": mpmath.tanh,
       "sign": lambda x: mpmath.mpf(mpmath.sign(x)), "floor": mpmath.floor, "ceil": mpmath.ceil,
       "factorial": _mp_factorial, "sigmoid": lambda x: 1 / (1 + _mp_exp(-x))}


def _fr_check(v):
    if isinstance(v, Fraction) and (v.numerator.bit_length() + v.denominator.bit_length()) > EXACT_MAX_DIGITS * 3.33:
        raise NotExact("a rational too large for exact arithmetic")
    return v


def _fr_factorial(x):
    if x.denominator != 1 or x < 0:
        raise NotExact("factorial of a non-integer")
    if x > 2000:
        raise NotExact("factorial too large for exact arithmetic")
    return Fraction(math.factorial(int(x)))


_FR = {"abs": abs, "sign": lambda x: Fraction((x > 0) - (x < 0)), "floor": lambda x: Fraction(math.floor(x)),
       "ceil": lambda x: Fraction(math.ceil(x)), "factorial": _fr_factorial}


class _Backend:
    kind = "float"

    def const(self, v):
        try:
            return float(v)
        except OverflowError:  # a constant beyond float64 (check_size keeps it under 10^1000)
            return math.inf if v > 0 else -math.inf

    def named(self, name):
        return {"pi": math.pi, "inf": math.inf, "e": math.e}[name]

    def f(self, name, x):
        with np.errstate(all="ignore"):
            return _NP[name](x)


class _MpBackend(_Backend):
    kind = "mp"

    def const(self, v):
        if isinstance(v, Fraction):
            return mpmath.mpf(v.numerator) / v.denominator
        return mpmath.mpf(v)

    def named(self, name):
        return {"pi": +mpmath.pi, "inf": mpmath.inf, "e": mpmath.e}[name]

    def f(self, name, x):
        fn = _MP[name]
        if isinstance(x, np.ndarray):
            return np.vectorize(fn, otypes=[object])(x)
        return fn(x)


class _ExactBackend(_Backend):
    kind = "exact"

    def const(self, v):
        return Fraction(v)

    def named(self, name):
        raise NotExact(name)

    def f(self, name, x):
        if name not in _FR:
            raise NotExact(name)
        if isinstance(x, np.ndarray):
            return np.vectorize(_FR[name], otypes=[object])(x)
        return _FR[name](x)


def _mp_power(x, y):
    """mpmath.power on the reals, with sizes beyond 10^(+-MP_MAX_LOG10) taken as infinite or zero."""
    if not (mpmath.isfinite(x) and mpmath.isfinite(y)):
        return mpmath.nan if (mpmath.isnan(x) or mpmath.isnan(y)) else mpmath.power(x, y)
    if x < 0 and y != int(y):
        return mpmath.nan  # not real
    if x == 0 and y < 0:
        return mpmath.nan
    if x != 0 and abs(x) != 1:
        _, _, ex, bc = x._mpf_ if isinstance(x, mpmath.mpf) else mpmath.mpf(x)._mpf_
        if abs(y) * (abs(ex + bc) + 1) * 0.302 < MP_MAX_LOG10 / 2:  # far from the cap: no logarithm needed
            return mpmath.power(x, y)
        size = y * mpmath.log10(abs(x))
        if abs(size) > MP_MAX_LOG10:
            _OVERFLOW[0] = True
        if size > MP_MAX_LOG10:
            return mpmath.inf if x > 0 or y != int(y) or int(y) % 2 == 0 else -mpmath.inf
        if size < -MP_MAX_LOG10:
            return mpmath.mpf(0)
    return mpmath.power(x, y)


def _fr_power(x, y):
    if not isinstance(y, Fraction) or y.denominator != 1:
        raise NotExact("a non-integer power")
    e = int(y)
    if x == 0 and e < 0:
        return _NAN
    digits = abs(e) * (len(str(x.numerator)) + len(str(x.denominator)))
    if digits > EXACT_MAX_DIGITS:
        raise NotExact("a power too large for exact arithmetic")
    return x ** e


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


def _elementwise(op, a, b):
    """``*``, ``/``, ``**`` between arrays: equal shapes, or a number with an array."""
    if _is_array(a) and _is_array(b) and a.shape != b.shape and a.size > 1 and b.size > 1:
        raise EvalError(f"elementwise operation between shapes {a.shape} and {b.shape}: the shapes must be equal "
                        "(write @ for the matrix product)")
    return op(a, b)


def _power(a, b, be):
    if _is_array(b):
        if be.kind == "exact":
            return np.vectorize(_fr_power, otypes=[object])(np.broadcast_to(a, b.shape) if _is_array(a) else
                                                            np.full(b.shape, a, dtype=object), b)
        if be.kind == "mp":
            return np.vectorize(_mp_power, otypes=[object])(a, b)
        with np.errstate(all="ignore"):
            if np.iscomplexobj(a) or np.iscomplexobj(b):  # complex step
                return np.power(np.asarray(a, dtype=complex), b)
            return np.power(np.asarray(a, dtype=float), b)
    if be.kind == "exact":
        if isinstance(a, np.ndarray):
            return np.vectorize(lambda x: _fr_power(x, b), otypes=[object])(a)
        return _fr_power(a, b)
    if be.kind == "mp":
        if isinstance(a, np.ndarray):
            return np.vectorize(lambda x: _mp_power(x, b), otypes=[object])(a)
        return _mp_power(a, b)
    if np.iscomplexobj(a) or np.iscomplexobj(b):
        return _complex_power(a, b)
    with np.errstate(all="ignore"):
        b = float(b)
        if isinstance(a, np.ndarray):
            return np.power(a.astype(float), b)
        a = float(a)
        if a < 0 and b != int(b):
            return _NAN
        try:
            return a ** b
        except ZeroDivisionError:
            return _NAN
        except OverflowError:
            return math.inf if a > 0 or b % 2 == 0 else -math.inf


def _complex_power(a, b):
    """``a ** b`` with a complex base or exponent (the complex step of
    :func:`verify.answers.derivative.jacobian_complex`): the principal branch; nan where the real power is
    undefined (a negative base to a non-integer power, 0 to a negative power), judged on the real parts."""
    with np.errstate(all="ignore"):
        if isinstance(a, np.ndarray):
            out = np.power(a.astype(complex), b)
            if not complex(b).real.is_integer():
                out = np.where(a.real < 0, complex(_NAN, _NAN), out)
            return out
        a, b = complex(a), complex(b)
        if (a.real < 0 and not b.real.is_integer()) or (a.real == 0 and b.real < 0):
            return complex(_NAN, _NAN)
        try:
            return complex(np.power(a, b))
        except (ZeroDivisionError, OverflowError):  # pragma: no cover (np.power returns inf/nan)
            return complex(_NAN, _NAN)


def _collapse(x):
    """A 1 x 1 array is a number (``x.T @ y``)."""
    if isinstance(x, np.ndarray) and x.shape == (1, 1):
        return x[0, 0]
    return x


def _matmul(a, b, be):
    if not _is_array(a) or not _is_array(b):
        return a * b  # a number operand scales
    if a.shape[1] != b.shape[0]:
        hint = " (vectors are columns: write x.T @ y for the inner product)" if a.shape[1] == b.shape[1] == 1 else ""
        raise EvalError(f"matrix product of shapes {a.shape} and {b.shape}: the inner sizes differ{hint}")
    return a @ b  # x.T @ y is 1 x 1: it combines with numbers like a number


def _square(x, name):
    if not (isinstance(x, np.ndarray) and x.ndim == 2 and x.shape[0] == x.shape[1]):
        shape = getattr(x, "shape", ())
        raise EvalError(f"{name}(...) needs a square matrix, not {'a number' if not shape else f'shape {shape}'}")


def _fr_det(x):
    """Exact determinant and inverse by Gaussian elimination on fractions (None inverse when singular)."""
    n = x.shape[0]
    m = [[Fraction(v) for v in row] + [Fraction(int(i == j)) for j in range(n)] for i, row in enumerate(x.tolist())]
    det = Fraction(1)
    for c in range(n):
        p = next((r for r in range(c, n) if m[r][c] != 0), None)
        if p is None:
            return Fraction(0), None
        if p != c:
            m[c], m[p] = m[p], m[c]
            det = -det
        det *= m[c][c]
        piv = m[c][c]
        m[c] = [v / piv for v in m[c]]
        for r in range(n):
            if r != c and m[r][c] != 0:
                f = m[r][c]
                m[r] = [a - f * b for a, b in zip(m[r], m[c])]
    return det, np.array([row[n:] for row in m], dtype=object)


def _to_int(v, what):
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise EvalError(f"{what} must be a number") from None
    if not (math.isfinite(f) and f == int(f) and 0 <= f <= 1000):
        raise EvalError(f"{what} must be an integer in [0, 1000], not {v}")
    return int(f)


def _eye(n, be):
    if be.kind == "float":
        return np.eye(n)
    one, zero = (Fraction(1), Fraction(0)) if be.kind == "exact" else (mpmath.mpf(1), mpmath.mpf(0))
    return np.array([[one if i == j else zero for j in range(n)] for i in range(n)], dtype=object)


def _ones(shape, be):
    if be.kind == "float":
        return np.ones(shape)
    one = Fraction(1) if be.kind == "exact" else mpmath.mpf(1)
    return np.full(shape, one, dtype=object)


def _mp_svd(x):
    return mpmath.svd_r(_mp_matrix(x))


def _call(name, args, be):  # noqa: C901 (one case per function)
    if name in _NP and len(args) == 1:
        (x,) = args
        if isinstance(x, RandomVariable):
            return RandomVariable(be.f(name, x.values))
        return be.f(name, x)
    if name == "log" or name == "log_base":
        x, b = args
        return _lift(lambda u, v: _div(be.f("log", u), be.f("log", v), be), x, b)
    if name in ("max", "min"):
        pick = max if name == "max" else min
        if len(args) == 1:
            (x,) = args
            if not _is_array(x):
                raise EvalError(f"{name}(x) of a single number: give a vector, or several arguments")
            return pick(x.ravel().tolist()) if be.kind != "float" else (np.max(x) if name == "max" else np.min(x))
        if any(_is_array(a) for a in args):
            if len({a.shape for a in args if _is_array(a)}) > 1:
                raise EvalError(f"{name}(...) of arrays of different shapes")
            if be.kind == "float":
                return (np.maximum if name == "max" else np.minimum).reduce(np.broadcast_arrays(*args))
            return np.vectorize(lambda *xs: mpmath.nan if be.kind == "mp" and any(mpmath.isnan(v) for v in xs)
                                else pick(xs), otypes=[object])(*args)
        if any(isinstance(a, RandomVariable) for a in args):
            vals = [a.values if isinstance(a, RandomVariable) else a for a in args]
            return RandomVariable((np.maximum if name == "max" else np.minimum).reduce(np.broadcast_arrays(*vals)))
        if be.kind == "mp" and any(mpmath.isnan(a) for a in args):
            return mpmath.nan
        if be.kind == "float" and any(a != a for a in args):
            return _NAN
        return pick(args)
    if name == "binomial":
        n, k = args
        if _is_array(n) or _is_array(k):
            raise EvalError("binomial(n, k) takes numbers")
        if be.kind == "float":
            return float(_np_binomial(n, k))
        if be.kind == "exact":
            if n.denominator != 1 or k.denominator != 1 or n < 0:
                raise NotExact("binomial of non-integers")
            if n > 5000:
                raise NotExact("binomial too large")
            return Fraction(math.comb(int(n), int(k)) if 0 <= k <= n else 0)
        if not (mpmath.isfinite(n) and mpmath.isfinite(k)) or n != int(n) or k != int(k) or n < 0:
            return mpmath.nan
        return mpmath.binomial(n, k) if 0 <= k <= n else mpmath.mpf(0)
    if name == "eye":
        n = _to_int(args[0], "eye(n): n")
        return _eye(n, be)
    if name == "ones":
        shape = (_to_int(args[0], "ones(n): n"), _to_int(args[1], "ones(m, n): n") if len(args) > 1 else 1)
        return _ones(shape, be)
    if name == "kron":
        a, b = args
        if not (_is_array(a) and _is_array(b)):
            raise EvalError("kron(A, B) takes two arrays")
        return np.kron(a, b)
    if name == "matrix_power":
        x, k = args
        _square(x, name)
        k = float(k) if not _is_array(k) else math.nan
        if k != int(k):
            raise EvalError("matrix_power(X, k) needs an integer k")
        k = int(k)
        if abs(k) > 10**6:
            raise EvalError("matrix_power(X, k): |k| is limited to 10^6")
        if be.kind == "float":
            return np.linalg.matrix_power(x, k)
        base = x if k >= 0 else _call("inv", [x], be)
        out = _eye(x.shape[0], be)
        p = abs(k)
        while p:
            if p & 1:
                out = out @ base
            base = base @ base
            p >>= 1
        return out
    if name == "norm":
        x = args[0]
        p = 2 if len(args) == 1 else args[1]
        if not _is_array(x):
            return abs(x)
        if p == 2 or (isinstance(p, float) and p == 2.0):
            if x.shape[1] == 1 or x.shape[0] == 1 or len(args) == 1:  # 2-norm of a vector, Frobenius of a matrix
                if be.kind == "exact":
                    raise NotExact("a square root")
                s = sum(v * v for v in x.ravel().tolist())
                return mpmath.sqrt(s) if be.kind == "mp" else math.sqrt(float(s)) if not isinstance(s, float) \
                    else math.sqrt(s)
        if p == 1:
            if x.shape[1] == 1 or x.shape[0] == 1:
                return sum(abs(v) for v in x.ravel().tolist())
            return max(sum(abs(v) for v in col) for col in x.T.tolist())
        if (be.kind == "mp" and p == mpmath.inf) or p == math.inf:
            if x.shape[1] == 1 or x.shape[0] == 1:
                return max(abs(v) for v in x.ravel().tolist())
            return max(sum(abs(v) for v in row) for row in x.tolist())
        if p == 2:  # the spectral norm of a matrix: norm(X, 2)
            if be.kind == "exact":
                raise NotExact("a spectral norm")
            if be.kind == "mp":
                return max(mpmath.svd_r(_mp_matrix(x), compute_uv=False))
            return float(np.linalg.norm(x, 2))
        raise EvalError("norm(x, p) takes p = 1, 2 or inf")
    (x,) = args
    if name == "sum":
        if isinstance(x, RandomVariable):
            raise EvalError("sum(x) needs a vector or matrix")
        if not _is_array(x):
            raise EvalError("sum(x) needs a vector or matrix")
        return sum(x.ravel().tolist()) if be.kind != "float" else np.sum(x)
    if name == "diag":
        if not _is_array(x):
            raise EvalError("diag(x) needs a vector (a diagonal matrix) or a square matrix (its diagonal)")
        if x.shape[1] == 1:
            n = x.shape[0]
            zero = 0.0 if be.kind == "float" else (Fraction(0) if be.kind == "exact" else mpmath.mpf(0))
            dtype = (complex if np.iscomplexobj(x) else float) if be.kind == "float" else object
            out = np.full((n, n), zero, dtype=dtype)
            for i in range(n):
                out[i, i] = x[i, 0]
            return out
        _square(x, name)
        return np.array([[x[i, i]] for i in range(x.shape[0])], dtype=x.dtype)
    if name in ("softmax", "logsumexp"):
        if not _is_array(x):
            raise EvalError(f"{name}(x) needs a vector")
        if be.kind == "exact":
            raise NotExact(name)
        if be.kind == "mp":
            m = max(x.ravel().tolist())
            ex = np.vectorize(lambda v: _mp_exp(v - m), otypes=[object])(x)
            s = sum(ex.ravel().tolist())
            return ex / s if name == "softmax" else m + mpmath.log(s)
        if np.iscomplexobj(x):  # complex step: shift by the largest real part
            m = np.max(x.real)
            with np.errstate(all="ignore"):
                ex = np.exp(x - m)
                return ex / ex.sum() if name == "softmax" else complex(m + np.log(ex.sum()))
        m = np.max(x)
        with np.errstate(all="ignore"):
            ex = np.exp(x - m)
            return ex / ex.sum() if name == "softmax" else float(m + np.log(ex.sum()))
    if name == "pinv":
        if not _is_array(x):
            return _div(1, x, be) if x != 0 else x * 0
        if be.kind == "exact":
            raise NotExact(name)
        if be.kind == "mp":
            U, S, V = mpmath.svd_r(_mp_matrix(x))
            tol = max(S) * mpmath.mpf(10) ** (-mpmath.mp.dps + 5) * max(x.shape)
            Sp = mpmath.diag([1 / s if s > tol else 0 for s in S])
            return _from_mp(V.T * Sp * U.T)
        return np.linalg.pinv(x)
    _square(x, name)
    if name == "trace":
        return sum(x[i, i] for i in range(x.shape[0])) if be.kind != "float" else np.trace(x)
    if be.kind == "exact":
        det, inv = _fr_det(x)
        if name == "det":
            return det
        if name == "logdet":
            raise NotExact(name)
        if inv is None:
            return np.full(x.shape, _NAN)
        return inv
    if name == "det":
        if be.kind == "float" and np.iscomplexobj(x):
            return complex(np.linalg.det(x))
        return mpmath.det(_mp_matrix(x)) if be.kind == "mp" else float(np.linalg.det(x))
    if name == "logdet":
        if be.kind == "mp":
            d = mpmath.det(_mp_matrix(x))
            return mpmath.log(d) if d > 0 else mpmath.nan
        sign, ld = np.linalg.slogdet(x)
        if np.iscomplexobj(x):  # complex step: log|det| + i arg(det), defined where the real det is positive
            return complex(ld + np.log(sign)) if sign.real > 0 else complex(_NAN, _NAN)
        return float(ld) if sign > 0 else _NAN
    # inv
    if be.kind == "mp":
        try:
            return _from_mp(_mp_matrix(x) ** -1)
        except ZeroDivisionError:
            return np.full(x.shape, mpmath.nan, dtype=object)
    return np.linalg.inv(x)


def _div(a, b, be):
    if be.kind == "exact":
        if _is_array(b):
            if any(v == 0 for v in b.ravel()):
                return np.full(b.shape, _NAN)
        elif b == 0:
            return _NAN
        return a / b
    return a / b


def _sym_value(v, be):
    if be.kind == "float":
        if isinstance(v, (int, Fraction)):
            return float(v)
        if isinstance(v, np.ndarray) and v.dtype == object:
            return v.astype(float)
        return v
    conv = (lambda x: Fraction(x)) if be.kind == "exact" else \
        (lambda x: mpmath.mpf(x.numerator) / x.denominator if isinstance(x, Fraction) else mpmath.mpf(x))
    if isinstance(v, RandomVariable):
        return RandomVariable(np.array([conv(x) for x in v.values.tolist()], dtype=object))
    if isinstance(v, np.ndarray):
        return np.array([[conv(x) for x in row] for row in v.tolist()], dtype=object).reshape(v.shape)
    return conv(v)


def _ev(node, env, probs, be):
    out = _ev1(node, env, probs, be)
    if be.kind == "mp":
        for v in (out.ravel()[:16] if isinstance(out, np.ndarray) else (out,)):
            if isinstance(v, mpmath.mpf) and v and mpmath.isfinite(v):
                _, man, exp, bc = v._mpf_  # |v| < 2^(exp + bc): an upper bound of log10|v| within 0.31
                m = (exp + bc) * 0.30102999566398120
                if m > _MAXMAG[0]:
                    _MAXMAG[0] = m
    return out


def _ev1(node, env, probs, be):  # noqa: C901
    if isinstance(node, Num):
        return be.const(node.value)
    if isinstance(node, Const):
        return be.named(node.name)
    if isinstance(node, Sym):
        return _sym_value(env[node.name], be)
    if isinstance(node, (Add, Sub, Mul, Div)):
        a, b = _ev(node.a, env, probs, be), _ev(node.b, env, probs, be)
        op = {Add: lambda x, y: x + y, Sub: lambda x, y: x - y, Mul: lambda x, y: x * y,
              Div: lambda x, y: _div(x, y, be)}[type(node)]
        with np.errstate(all="ignore"):
            try:
                return _lift(lambda x, y: _elementwise(op, x, y), a, b)
            except ZeroDivisionError:
                return mpmath.nan if be.kind == "mp" else _NAN
            except ValueError as exc:
                if isinstance(exc, (EvalError, NotExact)):
                    raise
                raise EvalError(f"shapes do not match: {exc}") from None
    if isinstance(node, Pow):
        a, b = _ev(node.a, env, probs, be), _ev(node.b, env, probs, be)
        if _is_array(a) and _is_array(b) and a.shape != b.shape and a.size > 1 and b.size > 1:
            raise EvalError(f"elementwise power between shapes {a.shape} and {b.shape}")
        if isinstance(a, RandomVariable) or isinstance(b, RandomVariable):
            return _lift(lambda x, y: _power(x, y, be), a, b)
        return _power(a, b, be)
    if isinstance(node, MatMul):
        a, b = _ev(node.a, env, probs, be), _ev(node.b, env, probs, be)
        return _matmul(a, b, be)
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
        if be.kind == "float":
            return np.tensordot(probs, a.values, axes=(0, 0))
        conv = Fraction if be.kind == "exact" else mpmath.mpf
        return sum(conv(float(pi)) * vi for pi, vi in zip(probs, a.values.tolist()))
    if isinstance(node, Order):
        return _ev(node.a, env, probs, be)
    handler = EXTENSIONS.get(type(node))  # extension nodes (verify.answers.extended)
    if handler is not None:
        return handler(node, env, probs, be, lambda n, e=env: _ev(n, e, probs, be))
    raise EvalError(f"cannot evaluate {type(node).__name__}")  # pragma: no cover (the parser whitelists)


def evaluate(node, env, *, probabilities=None, mp: bool = False, exact: bool = False):
    """Value of ``node`` with symbols from ``env``.

    ``mp=True`` evaluates in mpmath (current precision); ``exact=True`` in rational arithmetic
    (raises :class:`NotExact` where no rational value is computed: a transcendental function, an
    irrational power, a huge number)."""
    be = _ExactBackend() if exact else (_MpBackend() if mp else _Backend())
    _OVERFLOW[0] = False
    _MAXMAG[0] = 0.0
    _TERMS[0] = 0
    out = _ev(node, env, probabilities, be)
    if isinstance(out, RandomVariable):
        raise EvalError("the answer is a random variable; take an expectation E[...]")
    if exact:
        vals = out.ravel().tolist() if isinstance(out, np.ndarray) else [out]
        for v in vals:
            if isinstance(v, Fraction):
                _fr_check(v)
    return out


def to_sympy(node, symbols: dict):
    """SymPy form of a scalar answer (``symbols``: name -> SymPy Symbol). Raises :class:`NotScalar`."""
    import sympy as sp

    funcs = {"log": sp.log, "exp": sp.exp, "sqrt": sp.sqrt, "abs": sp.Abs, "max": sp.Max, "min": sp.Min,
             "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "asin": sp.asin, "acos": sp.acos, "atan": sp.atan,
             "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh, "sign": sp.sign, "floor": sp.floor,
             "ceil": sp.ceiling, "factorial": sp.factorial, "binomial": sp.binomial,
             "sigmoid": lambda x: 1 / (1 + sp.exp(-x))}

    def go(n):
        if isinstance(n, Num):
            v = n.value
            return sp.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else sp.Integer(v)
        if isinstance(n, Const):
            if n.name == "pi":
                return sp.pi
            if n.name == "e":
                return sp.E
            raise NotScalar("inf")
        if isinstance(n, Sym):
            if n.name not in symbols:
                raise NotScalar(n.name)
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
        if isinstance(n, Call) and n.func == "log" and len(n.args) == 2:
            return sp.log(go(n.args[0])) / sp.log(go(n.args[1]))
        if isinstance(n, Call) and n.func in funcs:
            return funcs[n.func](*[go(a) for a in n.args])
        handler = SYMPY_EXTENSIONS.get(type(n))  # extension nodes (verify.answers.extended)
        if handler is not None:
            return handler(n, go, symbols)
        raise NotScalar(type(n).__name__)

    return go(node)
