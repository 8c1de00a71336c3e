r"""Numeric derivatives independent of any claimed formula, and the judge of the ``derivative`` relation.

Layout (numerator layout, column-major ``vec``):

- a scalar function of a scalar, vector or matrix ``X``: the gradient, with the shape of ``X``;
- an array function ``F`` of a scalar ``x``: :math:`\partial F/\partial x`, with the shape of ``F``;
- an array function of an array: the Jacobian :math:`\partial\,\mathrm{vec}(F)/\partial\,\mathrm{vec}(X)^\top`
  of shape ``(F.size, X.size)``, ``vec`` stacking columns;
- ``order=2``: the Hessian of a scalar function of a vector, ``(n, n)``.

Entries of a structured ``X`` (symmetric, diagonal, ...) are independent variables: the derivative is
the unconstrained one, evaluated at a structured point.

:func:`jacobian` differentiates any callable in float64: central differences at steps h and h/2,
combined by Richardson extrapolation (error O(h^4)), with an error estimate. :func:`jacobian_complex`
differentiates a complex-safe callable by the complex step, ``Im f(x + i h e_j) / h`` with h = 1e-30 (exact
to roundoff, the convention of :func:`verify.numerics.complex_step_jacobian`); the judge uses it when the
function is complex-safe (:func:`complex_safe`: only analytic operations in its parse tree, and the
complex step agrees with Richardson along a random direction at the first instance). :func:`jacobian_mp`
does the same in mpmath (central differences with h = 10^-(dps/2), error ~10^-dps), and is used to
confirm every disagreement and at the worst agreeing point before a verdict.

>>> import numpy as np
>>> D, err = jacobian(lambda X: np.log(np.linalg.det(X)), np.array([[2.0, 1.0], [0.0, 1.0]]))
>>> np.round(D, 8).tolist()  # inv(X).T
[[0.5, 0.0], [-0.5, 1.0]]
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["jacobian", "jacobian_complex", "jacobian_mp", "hessian", "expected_shape", "judge_derivative",
           "complex_safe", "DERIVATIVE_FLAG"]

#: A float64 disagreement between the answer and the Richardson derivative larger than this (relative to
#: the larger of the two, plus the extrapolation's own error estimate) is recomputed in mpmath; only the
#: mpmath difference (at 80 digits, central differences with relative h = 1e-40) decides.
DERIVATIVE_FLAG = 1e-6
MP_DECIDE = 1e-15  #: relative difference at 80 digits that makes an answer incorrect (roundoff there ~1e-30 |f|)
H_COMPLEX = 1e-30  #: the complex step (as ``verify.api``: the truncation h^2 |f^(3)| / 6 is far below roundoff)

#: Functions of the answer language that are analytic and evaluate complex arrays in float64 (the complex step
#: holds for them); abs, sign, floor, ceil, max, min, norm (abs/conj), pinv (SVD), factorial, binomial do not.
ANALYTIC_FUNCTIONS = frozenset({"exp", "log", "sin", "cos", "tan", "tanh", "sigmoid", "softmax", "logsumexp",
                                "det", "logdet", "inv", "trace", "sum", "kron", "diag", "eye", "ones",
                                "matrix_power", "sqrt"})


def complex_safe(node) -> bool:
    """Whether a parsed function is built only from analytic operations (+ - * / **, @, .T, E[...] and
    :data:`ANALYTIC_FUNCTIONS`): the tree half of the complex-safety decision (the judge also probes the
    complex step numerically at the first instance). Binders, indexing and any other extension node are not.

    >>> from verify.answers.language import parse
    >>> complex_safe(parse("log(det(X)) + x.T @ A @ x", {"X", "x", "A"})), complex_safe(parse("norm(x)", {"x"}))
    (True, False)
    """
    from .language import Add, Call, Const, Div, Expect, MatMul, Mul, Neg, Num, Order, Pow, Sub, Sym, Transpose

    if isinstance(node, (Num, Const, Sym)):
        return True
    if isinstance(node, (Add, Sub, Mul, Div, Pow, MatMul)):
        return complex_safe(node.a) and complex_safe(node.b)
    if isinstance(node, (Neg, Transpose, Expect, Order)):
        return complex_safe(node.a)
    if isinstance(node, Call):
        return node.func in ANALYTIC_FUNCTIONS and all(complex_safe(a) for a in node.args)
    return False


def _vec(v) -> np.ndarray:
    """Column-major vec of a value (a number gives a 1-vector)."""
    a = np.asarray(v)
    return a.reshape(-1, order="F") if a.ndim else a.reshape(1)


def expected_shape(f_value, x_value, order: int = 1) -> tuple:
    """The shape of the derivative of a function with value ``f_value`` w.r.t. ``x_value``."""
    fs, xs = np.shape(f_value), np.shape(x_value)
    if order == 2:
        n = int(np.prod(xs)) if xs else 1
        return (n, n) if xs else ()
    if not fs or int(np.prod(fs)) == 1:
        return xs
    if not xs:
        return fs
    return (int(np.prod(fs)), int(np.prod(xs)))


def _assemble(cols, f0, x, order=1):
    """Columns d vec(f)/d x_j (j in column-major order of x) -> the derivative in the layout above."""
    J = np.stack([np.asarray(c).reshape(-1) for c in cols], axis=1)  # (f.size, x.size)
    shape = expected_shape(f0, x, order)
    if J.shape[0] == 1 and np.ndim(x):  # gradient of a scalar: shape of x (column-major)
        return J.reshape(np.shape(x), order="F")
    if not np.ndim(x):
        return J.reshape(np.shape(f0), order="F") if np.ndim(f0) else J.reshape(())
    return J.reshape(shape)


def jacobian(f, x, *, h: float | None = None, kinks: bool = False):
    """Derivative of ``f`` at ``x`` (float64, Richardson-extrapolated central differences) and an error
    estimate (the largest change extrapolation made). With ``kinks=True`` also whether ``f`` has a kink at
    ``x`` (:func:`_kinked`: the one-sided difference quotients disagree by an amount that does not shrink
    with the step, as at ``x = a`` for ``norm(x - a)``): there is no derivative to compare with."""
    x = np.asarray(x, dtype=float)
    f0 = np.asarray(f(x), dtype=float)
    n = x.size
    scale = max(1.0, min(float(np.abs(x).max(initial=0.0)), 1e3))  # periodic functions far out: keep h small
    h = (1e-3 if h is None else h) * scale
    cols, err, kinked = [], 0.0, False
    v0 = _vec(f0)
    for j in range(n):
        e = np.zeros(n)
        e[j] = 1.0
        E = e.reshape(x.shape, order="F") if x.ndim else e.reshape(())
        fu1, fd1 = _vec(f(x + h * E)), _vec(f(x - h * E))
        fu2, fd2 = _vec(f(x + h / 2 * E)), _vec(f(x - h / 2 * E))
        d1, d2 = (fu1 - fd1) / (2 * h), (fu2 - fd2) / h
        r = (4 * d2 - d1) / 3
        noise = 1e-15 * float(np.abs(f0).max(initial=0.0)) / h  # rounding of f values, amplified by 1/h
        err = max(err, float(np.abs(r - d2).max(initial=0.0)) + noise)
        cols.append(r)
        if kinks and not kinked:
            kinked = _kinked(fu1 - 2 * v0 + fd1, fu2 - 2 * v0 + fd2, h, r, noise)
    D = _assemble(cols, f0, x)
    return (D, err, kinked) if kinks else (D, err)


def jacobian_complex(f, x, *, h: float = H_COMPLEX):
    """Derivative of a complex-safe ``f`` at ``x`` by the complex step, ``Im vec f(x + i h e_j) / h``, in the
    layout of :func:`jacobian`, and its roundoff estimate 4 eps max|D| (no subtractive cancellation). Raises
    ``ValueError`` when ``f`` returns real values for a complex input (it is not complex-safe).

    >>> D, err = jacobian_complex(lambda X: np.log(np.linalg.det(X)), np.array([[2.0, 1.0], [0.0, 1.0]]))
    >>> D.tolist()
    [[0.5, 0.0], [-0.5, 1.0]]
    """
    x = np.asarray(x, dtype=float)
    n = x.size
    cols, f0 = [], None
    for j in range(n):
        e = np.zeros(n)
        e[j] = h
        E = e.reshape(x.shape, order="F") if x.ndim else e.reshape(())
        y = np.asarray(f(x + 1j * E))
        if not np.iscomplexobj(y):
            raise ValueError("f returned real values for a complex input: not complex-safe")
        f0 = y.real if f0 is None else f0
        cols.append(_vec(y).imag / h)
    if f0 is None:
        f0 = np.asarray(f(x))
    D = _assemble(cols, f0, x)
    return D, 4 * np.finfo(float).eps * float(np.abs(D).max(initial=0.0))


def _hessian_complex(f, x):
    """Hessian of a complex-safe scalar ``f`` of a vector: Richardson differences of the complex-step gradient."""
    x = np.asarray(x, dtype=float)
    H, err = jacobian(lambda y: np.asarray(jacobian_complex(f, y)[0]).reshape(-1, order="F"), x, h=1e-3)
    H = np.asarray(H).reshape(x.size, x.size)
    return (H + H.T) / 2, err


def _kinked(second_h, second_h2, h, r, noise) -> bool:
    """A kink between x - h and x + h: the gap between the one-sided quotients, ``|f(x+s) - 2 f(x) + f(x-s)| / s``,
    does not shrink when the step s halves (it halves for a smooth function, where it is ~ |f''| s), and it
    is far above rounding and above 1e-6 of the derivative."""
    with np.errstate(all="ignore"):
        g1 = np.abs(second_h) / h
        g2 = np.abs(second_h2) / (h / 2)
    floor = 1e-6 * max(1.0, float(np.abs(r).max(initial=0.0))) + 1e3 * noise
    return bool(np.any((g1 > floor) & (g2 > 0.75 * g1)))


def jacobian_mp(f, x, *, dps: int = 50):
    """Derivative of ``f`` (a function of an object array of mpf, or of an mpf) at ``x`` in mpmath:
    central differences with h = 10^-(dps/2) (error ~10^-dps for smooth f)."""
    import mpmath

    with mpmath.workdps(dps):
        xm = np.vectorize(_to_mpf, otypes=[object])(np.asarray(x, dtype=object)) if np.ndim(x) else _to_mpf(x)
        f0 = f(xm)
        n = int(np.size(x))
        flat = _vec_obj(xm)
        cols = []
        for j in range(n):
            h = mpmath.mpf(10) ** (-(dps // 2)) * max(1, abs(flat[j]))  # relative: x + h is exact enough
            h = (flat[j] + h) - flat[j]
            if np.ndim(x):
                e = np.zeros(n, dtype=object)
                e[:] = mpmath.mpf(0)
                e[j] = h
                E = e.reshape(np.shape(x), order="F")
                up, down = f(xm + E), f(xm - E)
            else:
                up, down = f(xm + h), f(xm - h)
            cols.append((_vec_obj(up) - _vec_obj(down)) / (2 * h))
        J = np.stack([np.asarray(c, dtype=object).reshape(-1) for c in cols], axis=1)
        if J.shape[0] == 1 and np.ndim(x):
            return J.reshape(np.shape(x), order="F")
        if not np.ndim(x):
            return J.reshape(np.shape(f0), order="F") if np.ndim(f0) else J.reshape(())[()]
        return J


def _to_mpf(v):
    """An exact point value (``Fraction``, int, float, mpf) as an mpf at the working precision: the mpmath
    derivative is taken at the instance itself, not at its float64 rounding."""
    import mpmath
    from fractions import Fraction

    if isinstance(v, mpmath.mpf):
        return v
    if isinstance(v, Fraction):
        return mpmath.mpf(v.numerator) / v.denominator
    return mpmath.mpf(v)


def _vec_obj(v):
    a = np.asarray(v, dtype=object)
    return a.reshape(-1, order="F") if a.ndim else a.reshape(1)


def hessian(f, x):
    """Hessian of a scalar ``f`` of a vector ``x`` (float64): the Jacobian of the Richardson gradient."""
    x = np.asarray(x, dtype=float)
    H, err = jacobian(lambda y: jacobian(f, y, h=1e-4)[0].reshape(-1, order="F"), x, h=1e-3)
    H = np.asarray(H).reshape(x.size, x.size)
    return (H + H.T) / 2, err


def _hessian_mp(f, x, dps=60):
    import mpmath

    with mpmath.workdps(dps):
        g = lambda y: jacobian_mp(f, y, dps=dps).reshape(-1, order="F")  # noqa: E731
        n = int(np.size(x))
        xm = np.vectorize(_to_mpf, otypes=[object])(np.asarray(x, dtype=object))
        h = mpmath.mpf(10) ** (-(dps // 6))
        cols = []
        for j in range(n):
            e = np.full(n, mpmath.mpf(0), dtype=object)
            e[j] = h
            E = e.reshape(np.shape(x), order="F")
            cols.append((g(xm + E) - g(xm - E)) / (2 * h))
        return np.stack(cols, axis=1)


# ---------------------------------------------------------------------------
# the judge
# ---------------------------------------------------------------------------


def _as_float(v):
    if isinstance(v, np.ndarray) and v.dtype == object:
        return v.astype(float)
    return np.asarray(float(v)) if not isinstance(v, np.ndarray) else v


def _worst(A, D):
    A, D = np.atleast_1d(np.asarray(A, dtype=float)), np.atleast_1d(np.asarray(D, dtype=float))
    diff = np.abs(A - D)
    idx = np.unravel_index(int(np.argmax(diff)), diff.shape)
    return tuple(int(i) for i in idx), float(A[idx]), float(D[idx])


def _complex_probe(f, fc, x0, f0, seed):
    """Is the complex step valid for ``f`` at ``x0`` (as ``verify.api._complex_probe``)? ``fc(x0 + i h u)`` along a
    random direction ``u`` must return complex values whose real part is ``f(x0)`` and whose imaginary part over
    h agrees with the Richardson directional derivative within the ``derivative.richardson`` tolerance plus the
    extrapolation's error estimate."""
    import warnings

    from ..numerics import compare_arrays
    from ..tolerances import tolerance

    x0 = np.asarray(x0, dtype=float)
    u = np.random.default_rng(seed).standard_normal(x0.size)
    u = u / max(float(np.abs(u).max()), 1e-300) * np.maximum(1.0, np.abs(x0.reshape(-1, order="F")))
    U = u.reshape(x0.shape, order="F") if x0.ndim else u.reshape(())
    complex_warning = getattr(getattr(np, "exceptions", np), "ComplexWarning")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", complex_warning)
            yc = _vec(fc(x0 + 1j * H_COMPLEX * U))
    except Exception:  # noqa: BLE001 (any failure on complex input means: not complex-safe)
        return False
    y0 = _vec(np.asarray(f0, dtype=float))
    if not np.iscomplexobj(yc) or yc.shape != y0.shape or not np.all(np.isfinite(yc)):
        return False
    scale = float(np.abs(y0).max(initial=0.0))
    if np.any(np.abs(yc.real - y0) > 1e-12 * np.abs(y0) + 1e-14 * scale):
        return False
    try:
        d_fd, err = jacobian(lambda t: f(x0 + t * U), np.asarray(0.0))
    except Exception:  # noqa: BLE001
        return False
    tol = tolerance("derivative.richardson")
    return compare_arrays(yc.imag / H_COMPLEX, _vec(d_fd), rtol=tol.rtol, atol=tol.atol, extra=err).ok


def judge_derivative(q, vid, ans, *, seed: int = 0, max_examples: int = 150, method: str = "auto"):
    """Judge ``ans`` as the derivative of ``q.function`` w.r.t. ``q.wrt`` (order ``q.order``).

    The float64 derivative is the complex step when the function is complex-safe (:func:`complex_safe`, and the
    probe at the first instance agrees with Richardson), Richardson differences otherwise; ``method="richardson"``
    forces the latter. Every disagreement and the worst agreeing instance are decided in mpmath either way."""
    import warnings

    import mpmath

    from .evaluate import EvalError, evaluate
    from .judge import (_ANSWER_FAILURES, Verdict, _classify, _counterexample, _enough, _search,
                        _where)
    from .language import _arrayish, parse

    if method not in ("auto", "richardson"):
        raise ValueError(f"method={method!r} is unknown; use 'auto' or 'richardson'")
    fn = parse(q.function, q.domains)
    wrt, order = q.wrt, q.order
    arrayish = _arrayish(fn, q.array_names)
    compared = []
    #: the float64 method: None until the probe at the first instance, then True (complex step) or False
    use_complex = [False if method == "richardson" or not complex_safe(fn) else None]
    fallbacks = [0]  #: instances where the complex step failed and Richardson was used
    complex_warning = getattr(getattr(np, "exceptions", np), "ComplexWarning")

    def f_at(env, probs):
        def f(X):
            e = dict(env)
            e[wrt] = X
            with np.errstate(all="ignore"):
                return np.asarray(evaluate(fn, e, probabilities=probs), dtype=float)
        return f

    def fc_at(env, probs):
        def f(X):
            e = dict(env)
            e[wrt] = X
            with np.errstate(all="ignore"):
                return np.asarray(evaluate(fn, e, probabilities=probs))
        return f

    def true_float(env, probs, x0, f0, kinks=False):
        """(D, err, kinked, by_complex_step): the complex step where it holds, else Richardson (raises like
        :func:`jacobian`). The complex step does not see kinks (at a branch point such as sqrt(x**2) at 0 it
        returns a one-sided value): :func:`kinked_here` checks an instance before it counts against the answer."""
        f = f_at(env, probs)
        if use_complex[0] is None:
            use_complex[0] = _complex_probe(f, fc_at(env, probs), x0, f0, seed)
        if use_complex[0]:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("error", complex_warning)
                    fc = fc_at(env, probs)
                    D, err = _hessian_complex(fc, x0) if order == 2 else jacobian_complex(fc, x0)
                if np.all(np.isfinite(D)):
                    return D, err, False, True
            except Exception:  # noqa: BLE001 (the complex step failed here: Richardson decides this instance)
                pass
            if kinks:  # counted once per instance (not again at the worst instance)
                fallbacks[0] += 1
        if order == 2:
            return (*hessian(f, x0), False, False)
        if kinks:
            return (*jacobian(f, x0, kinks=True), False)
        return (*jacobian(f, x0), False, False)

    def kinked_here(env, probs, x0, by_complex):
        """Whether Richardson differences see a kink at an instance judged by the complex step (order 1)."""
        if not by_complex or order != 1:
            return False
        try:
            with np.errstate(all="ignore"):
                D2, _, kinked = jacobian(f_at(env, probs), x0, kinks=True)
        except _ANSWER_FAILURES:
            return True
        # undefined on one side (sqrt(x - 1) at x = 1, a domain end): the complex step still returns a number,
        # but no two-sided derivative exists there
        return bool(kinked) or not np.all(np.isfinite(D2))

    def f_mp(env, probs):
        def f(X):
            e = dict(env)
            e[wrt] = X
            return evaluate(fn, e, probabilities=probs, mp=True)
        return f

    def true_mp(env, probs, dps):
        x0 = env[wrt]  # the exact instance (fractions), not its float64 rounding
        if order == 2:
            return _hessian_mp(f_mp(env, probs), x0, dps=dps + 10)
        return jacobian_mp(f_mp(env, probs), x0, dps=dps)

    def ratio(point):
        env, probs = point
        state, f0 = _classify(fn, env, probs)
        if state != "ok":
            return 0.0, {"skipped": "the function is not real and defined here"}
        x0 = np.asarray(env[wrt], dtype=float)
        if order == 2 and (np.ndim(f0) and np.size(f0) != 1):
            raise EvalError("order = 2 needs a scalar function")
        try:
            D, err, kinked, by_complex = true_float(env, probs, x0, f0, kinks=True)
            if kinked:  # not differentiable here (one-sided quotients disagree): like an undefined instance
                return 0.0, {"skipped": "the function has a kink here"}
        except _ANSWER_FAILURES:
            return 0.0, {"skipped": "not differentiable here"}
        if not np.all(np.isfinite(D)):
            return 0.0, {"skipped": "the function is not defined near this instance"}
        a_state, A = _classify(ans, env, probs)
        if a_state != "ok" and kinked_here(env, probs, x0, by_complex):
            return 0.0, {"skipped": "the function has a kink here"}
        compared.append(point)
        shape = expected_shape(f0, x0, order)
        if a_state != "ok":
            return math.inf, {"why": f"the answer is {a_state} here ({A})", "answer": "undefined", "derivative": D}
        A = np.asarray(A, dtype=float) if not isinstance(A, np.ndarray) or A.dtype != object else \
            np.asarray(A.astype(float))
        if (A.shape != shape and np.size(f0) == 1 and order == 1 and arrayish and np.ndim(x0)
                and A.shape == (1, x0.size)):  # a 1 x 1 array function (m = 1): the Jacobian row is accepted
            A = A.reshape(x0.shape, order="F")
        if A.shape != shape and not (A.size == 1 and int(np.prod(shape)) == 1):
            return math.inf, {"why": f"the answer has shape {A.shape} where the derivative has shape {shape} "
                                     "(numerator layout: a gradient has the shape of the variable; a Jacobian is "
                                     "d vec(f) / d vec(x)^T)", "answer": A, "derivative": D}
        A = A.reshape(shape)
        scale = max(float(np.abs(D).max(initial=0.0)), float(np.abs(A).max(initial=0.0)), 1e-300)
        gap = float(np.abs(A - D).max(initial=0.0))
        rel = gap / (DERIVATIVE_FLAG * scale + 100 * err + 1e-300)
        if gap > DERIVATIVE_FLAG * scale + 100 * err and kinked_here(env, probs, x0, by_complex):
            compared.pop()
            return 0.0, {"skipped": "the function has a kink here"}
        if rel >= worst[0][0]:
            worst[0] = (rel, 0, point)
        if gap > DERIVATIVE_FLAG * scale + 100 * err:
            return confirm(env, probs, x0, shape, A, D)
        return 0.0, {}

    def differs_mp(env, probs, shape, dps):
        """(differs, Dm) at ``dps`` digits: the central difference with h = 10^-(dps/2) (relative) at the exact
        instance. Its rounding error is about |f| 10^-dps / h = |f| 10^-(dps/2); a difference counts when it
        exceeds MP_DECIDE relative and 10^5 times that rounding (an exact zero derivative is not refuted by
        the noise of its difference quotient)."""
        with mpmath.workdps(dps):
            Dm = np.asarray(true_mp(env, probs, dps), dtype=object).reshape(shape)
            Am = np.asarray(evaluate(ans, env, probabilities=probs, mp=True), dtype=object).reshape(shape)
            fv = np.atleast_1d(np.asarray(evaluate(fn, env, probabilities=probs, mp=True), dtype=object)).ravel()
            fmax = max([abs(mpmath.mpmathify(v)) for v in fv] + [mpmath.mpf(1)])
            rounding = fmax * mpmath.mpf(10) ** (-(dps // 2) + 5)  # h >= 10^-(dps/2): rounding <= |f| 10^-(dps/2)
            if order == 2:  # second differences of first differences: h = 10^-(dps/6)
                rounding = fmax * mpmath.mpf(10) ** (-(dps // 3) + 5)
            dv = max([abs(a - d) for a, d in zip(Am.ravel(), Dm.ravel())], default=mpmath.mpf(0))
            sc = max([abs(d) for d in Dm.ravel()] + [abs(a) for a in Am.ravel()] + [mpmath.mpf(0)])
            return dv > MP_DECIDE * sc + rounding, Dm

    def confirm(env, probs, x0, shape, A, D):
        """The mpmath decision at one instance: (ratio, info). At 80 digits with h = 1e-40 (relative); a
        difference found there is recomputed at 160 digits (h = 1e-80) and counts only when it persists
        (cancellation in the answer, such as 1 - sigmoid(28), is resolved by the higher precision)."""
        try:
            differs, Dm = differs_mp(env, probs, shape, 80)
            if differs:
                differs, Dm = differs_mp(env, probs, shape, 160)
        except _ANSWER_FAILURES:
            return 0.0, {}
        if not differs:
            return 0.0, {}
        D = Dm.astype(float)
        idx, av, dval = _worst(A, D)
        return math.inf, {"why": f"at {_where(env)}, entry {idx} of the answer is {av:.10g} but the derivative "
                                 f"is {dval:.10g} (confirmed at 80 digits)", "answer": A, "derivative": D,
                          "entry": list(idx)}

    worst = [(-1.0, 0)]

    out = _search(q, ratio, seed, max_examples)
    if isinstance(out, Verdict):
        return Verdict(vid, q.id, out.verdict, out.message)
    if out.counterexample is not None:
        (env, probs), info = out.counterexample
        extra = {k: info[k] for k in ("answer", "derivative", "entry") if k in info}
        return Verdict(vid, q.id, "incorrect", "not the derivative: " + info.get("why", ""),
                       _counterexample(env, probs, **extra))
    short = _enough(out, compared, max_examples)
    if short:
        return Verdict(vid, q.id, "unknown", short)
    if len(worst[0]) > 2:  # the worst agreeing instance, decided in mpmath
        env, probs = worst[0][2]
        x0 = np.asarray(env[wrt], dtype=float)
        state, f0 = _classify(fn, env, probs)
        shape = expected_shape(f0, x0, order)
        A = np.asarray(_as_float(evaluate(ans, env, probabilities=probs))).reshape(shape)
        D = true_float(env, probs, x0, f0)[0]
        r, info = confirm(env, probs, x0, shape, A, D)
        if r > 1:
            return Verdict(vid, q.id, "incorrect", "not the derivative: " + info["why"],
                           _counterexample(env, probs, answer=info["answer"], derivative=info["derivative"],
                                           entry=info["entry"]))
    what = "Hessian" if order == 2 else "derivative"
    if use_complex[0]:
        how = "complex step" if order == 1 else "Richardson differences of the complex-step gradient"
        if fallbacks[0]:
            how += f"; Richardson differences at {fallbacks[0]} instances where it failed"
    else:
        how = "Richardson differences"
    return Verdict(vid, q.id, "correct", f"the {what} of {q.function} with respect to {wrt} at {len(compared)} "
                                          f"instances ({how}; every disagreement and the worst agreeing instance "
                                          "decided in mpmath at 80 digits)")
