r"""Derivatives of primitive functions, computed without any derived formula.

Every function here differentiates a *batched* function ``f``: it takes an array of
shape ``(b, m)`` (``b`` points in :math:`\mathbb{R}^m`) and returns ``(b, p)``.
All perturbed points of one Jacobian go through ``f`` in a single call, so the cost
is one vectorised evaluation, not a Python loop over directions.

Three independent methods:

* :func:`complex_step_jacobian` -- :math:`J e_j = \operatorname{Im} f(x + i h e_j)/h`,
  exact to roundoff for complex-safe ``f`` (no subtractive cancellation);
* :func:`richardson_jacobian` -- central differences on a geometric ladder of steps,
  Richardson-extrapolated, with an error estimate;
* :func:`mp_jacobian` -- central differences in mpmath at ``MP_DPS`` digits, the
  reference used to confirm the worst point.

>>> import numpy as np
>>> f = lambda X: np.stack([X[:, 0] ** 2 * X[:, 1], np.sin(X[:, 1])], axis=1)
>>> J, err = richardson_jacobian(f, np.array([1.5, 0.3]))
>>> np.allclose(J, [[0.9, 2.25], [0.0, np.cos(0.3)]], rtol=1e-10)
True
>>> bool(err.max() < 1e-9)
True
>>> Jc, _ = complex_step_jacobian(f, np.array([1.5, 0.3]))
>>> float(abs(Jc[0, 0] - 0.9)) < 1e-15
True
"""

from __future__ import annotations

from typing import Callable

import mpmath
import numpy as np

from .errors import ValidationError
from .tolerances import EPS, MP_DPS

__all__ = [
    "gauss_legendre_box",
    "complex_step_jacobian",
    "richardson_jacobian",
    "directional_derivative",
    "mp_jacobian",
    "compare_arrays",
    "Comparison",
]

BatchedFn = Callable[[np.ndarray], np.ndarray]


def _as_point(x) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    if x.ndim != 1:
        raise ValidationError(f"x must be a 1-D point, got shape={x.shape}; flatten it first")
    if not np.all(np.isfinite(x)):
        raise ValidationError(f"x must be finite, got x={x!r}")
    return x


def complex_step_jacobian(f: BatchedFn, x, *, h: float = 1e-30):
    r"""Jacobian of a complex-safe batched ``f`` at ``x`` by the complex step.

    .. math:: J_{:,j} = \operatorname{Im} f(x + i h e_j) / h + O(h^2)

    Returns ``(J, err)`` where ``err`` is the entrywise roundoff estimate
    :math:`4\,\epsilon\,\max_{ij}|J_{ij}|`; the truncation error :math:`O(h^2)` is
    below :math:`10^{-50}` at the default step and is ignored.

    ``f`` must be analytic in each argument and must not take absolute values,
    real parts or comparisons of its input (``np.abs``, ``max`` of data).

    >>> J, err = complex_step_jacobian(lambda X: np.exp(X), np.array([0.0, 1.0]))
    >>> np.allclose(J, np.diag([1.0, np.e]), rtol=0, atol=1e-15)
    True
    """
    x = _as_point(x)
    if not (0.0 < h <= 1e-8):
        raise ValidationError(f"h={h!r} must lie in (0, 1e-8] for a complex step")
    m = x.size
    X = x[None, :] + 1j * h * np.eye(m)
    Y = np.asarray(f(X))
    if not np.iscomplexobj(Y):
        raise ValidationError(
            "f returned real values for complex input: it is not complex-safe; "
            "use richardson_jacobian instead"
        )
    J = Y.imag.T / h
    err = np.full_like(J, 4 * EPS * (np.abs(J).max() if J.size else 0.0))
    return J, err


def richardson_jacobian(
    f: BatchedFn, x, *, h0: float | None = None, levels: int = 4, ratio: float = 2.0
):
    r"""Jacobian by central differences with Richardson extrapolation.

    The central difference :math:`D(h) = (f(x+he_j) - f(x-he_j))/(2h)` has an error
    expansion in even powers of ``h``. With steps :math:`h_l = h_0 / r^l`,
    ``l = 0..levels-1``, the Richardson tableau removes one power of :math:`h^2` per
    column. The error estimate is the sum of

    * the last correction :math:`|R_{L,L} - R_{L,L-1}|` (truncation), and
    * the propagated roundoff :math:`\epsilon \max|f| / h_{L}` amplified by the
      tableau (a factor below 3 for ``ratio=2``).

    Step selection: :math:`h_0 = \epsilon^{1/(2L+1)} \max(1, |x_j|)`, which balances
    truncation :math:`O(h^{2L})` against roundoff :math:`O(\epsilon/h)`.

    Returns ``(J, err)``.
    """
    x = _as_point(x)
    if levels < 1:
        raise ValidationError(f"levels={levels!r} must be at least 1")
    if ratio <= 1:
        raise ValidationError(f"ratio={ratio!r} must be larger than 1")
    m = x.size
    base = EPS ** (1.0 / (2 * levels + 1)) if h0 is None else float(h0)
    if not base > 0:
        raise ValidationError(f"h0={h0!r} must be positive")
    scale = np.maximum(1.0, np.abs(x))
    steps = [base * scale / ratio**l for l in range(levels)]  # each (m,)
    rows = []
    for hs in steps:
        H = np.diag(hs)
        rows.append(np.concatenate([x + H, x - H]))
    Y = np.asarray(f(np.concatenate(rows)), dtype=float)
    fmax = np.abs(Y).max() if Y.size else 0.0
    Y = Y.reshape(levels, 2, m, -1)
    D = [((Y[l, 0] - Y[l, 1]) / (2 * steps[l][:, None])).T for l in range(levels)]
    tableau = [D]
    for col in range(1, levels):
        prev = tableau[-1]
        fac = ratio ** (2 * col)
        tableau.append([(fac * prev[i + 1] - prev[i]) / (fac - 1) for i in range(len(prev) - 1)])
    best = tableau[-1][0]
    if levels > 1:
        trunc = np.abs(best - tableau[-2][-1])
    else:
        trunc = np.zeros_like(best)
    roundoff = 3 * EPS * fmax / steps[-1][None, :]
    return best, trunc + roundoff


def directional_derivative(f: BatchedFn, x, u, *, method: str = "complex"):
    r"""The directional derivative :math:`J u` at ``x`` along ``u``.

    One evaluation of ``f`` (complex step) or two (central difference with a
    Richardson ladder). Used for random-direction checks :math:`v^\top J u` on
    Jacobians too large to form.

    >>> d = directional_derivative(lambda X: X ** 3, np.array([1.0, 2.0]), np.array([1.0, 1.0]))
    >>> np.allclose(d, [3.0, 12.0])
    True
    """
    x = _as_point(x)
    u = np.asarray(u, dtype=float)
    if u.shape != x.shape:
        raise ValidationError(f"u has shape {u.shape} but x has shape {x.shape}; they must match")
    if method == "complex":
        h = 1e-30
        return np.asarray(f((x + 1j * h * u)[None, :])).imag[0] / h
    if method == "richardson":
        g = lambda T: f(x[None, :] + T * u[None, :])  # noqa: E731
        J, _ = richardson_jacobian(lambda T: g(T[:, 0:1]), np.zeros(1))
        return J[:, 0]
    raise ValidationError(f"method={method!r} is unknown; use 'complex' or 'richardson'")


def mp_jacobian(f_mp: Callable, x, *, dps: int = MP_DPS, h_exp: int | None = None):
    r"""Reference Jacobian in mpmath: central differences at ``dps`` digits.

    ``f_mp`` maps a list of ``mpf`` to a list of ``mpf``. With
    :math:`h = 10^{-\lfloor dps/3 \rfloor}`, the truncation error
    :math:`h^2|f'''|/6` and the roundoff :math:`10^{-dps}/h` are both below
    :math:`10^{-30}` relative for ``dps=50``, far beyond float64.

    Returns a list of lists of ``mpf`` (``p`` rows, ``m`` columns).

    >>> J = mp_jacobian(lambda v: [v[0] * mpmath.exp(v[1])], [2.0, 0.0])
    >>> [float(c) for c in J[0]]
    [1.0, 2.0]
    """
    x = [float(v) for v in _as_point(x)]
    with mpmath.workdps(dps):
        h = mpmath.mpf(10) ** (-(h_exp if h_exp is not None else dps // 3))
        xs = [mpmath.mpf(v) for v in x]
        cols = []
        for j in range(len(xs)):
            xp = list(xs)
            xm = list(xs)
            xp[j] += h
            xm[j] -= h
            fp, fm = f_mp(xp), f_mp(xm)
            cols.append([(a - b) / (2 * h) for a, b in zip(fp, fm)])
        return [[cols[j][i] for j in range(len(xs))] for i in range(len(cols[0]))] if cols else []


class Comparison:
    """Entrywise comparison of a candidate array with a reference.

    Attributes: ``error`` (max absolute difference), ``ratio`` (max of
    error / tolerance; above 1 means a failure), ``index`` (where the ratio peaks),
    ``candidate``/``reference`` values there.
    """

    __slots__ = ("error", "ratio", "index", "candidate", "reference", "tolerance")

    def __init__(self, error, ratio, index, candidate, reference, tolerance):
        self.error = error
        self.ratio = ratio
        self.index = index
        self.candidate = candidate
        self.reference = reference
        self.tolerance = tolerance

    @property
    def ok(self) -> bool:
        return bool(self.ratio <= 1.0)


def compare_arrays(
    candidate, reference, *, rtol: float, atol: float, extra=None, scale: float | None = None
) -> Comparison:
    r"""Compare entrywise: fail where :math:`|c - r| > rtol|r| + atol \max|r| + extra`.

    ``extra`` is an optional entrywise error estimate of the reference (for example
    from :func:`richardson_jacobian`), added to the tolerance. ``scale`` replaces
    :math:`\max|r|` when the caller knows the size of the terms that cancel in an
    entry (an exactly-zero block still carries roundoff of that size).

    >>> c = compare_arrays(np.array([1.0, 2.0 + 1e-7]), np.array([1.0, 2.0]), rtol=1e-9, atol=0)
    >>> c.ok, c.index
    (False, (1,))
    """
    cand = np.asarray(candidate, dtype=float)
    ref = np.asarray(reference, dtype=float)
    if cand.shape != ref.shape:
        return Comparison(np.inf, np.inf, (), cand.shape, ref.shape, 0.0)
    if not np.all(np.isfinite(cand)):
        idx = tuple(int(i) for i in np.argwhere(~np.isfinite(cand))[0])
        return Comparison(np.inf, np.inf, idx, float(cand[idx]), float(ref[idx]), 0.0)
    if scale is None:
        scale = float(np.abs(ref).max()) if ref.size else 0.0
    if scale == 0.0 and cand.size:
        # an exactly zero reference: judge the candidate's size against its own scale, so a
        # wrong non-zero candidate gets a finite ratio (~1/atol) instead of inf
        scale = float(np.abs(cand).max())
    tol = rtol * np.abs(ref) + atol * scale
    if extra is not None:
        tol = tol + np.asarray(extra, dtype=float)
    diff = np.abs(cand - ref)
    tiny = np.finfo(float).tiny
    ratio = np.where(diff == 0, 0.0, diff / np.maximum(tol, tiny))
    if ratio.size == 0:
        return Comparison(0.0, 0.0, (), None, None, 0.0)
    k = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
    k = tuple(int(i) for i in k)
    return Comparison(
        float(diff.max()), float(ratio[k]), k, float(cand[k]), float(ref[k]), float(tol[k])
    )


def gauss_legendre_box(f, box, *, panels: int, order: int = 8) -> float:
    r"""Composite Gauss-Legendre rule for :math:`\int_{\rm box} f` in 2-D.

    ``f`` maps an ``(m, 2)`` array of points to ``m`` values; ``box`` is ``((lo, hi), (lo, hi))``.
    Each axis is cut into ``panels`` equal panels with ``order`` nodes each. Estimate the error
    by comparing two panel counts (exponential convergence on smooth integrands).

    >>> round(gauss_legendre_box(lambda X: X[:, 0] ** 2 * X[:, 1], ((0, 1), (0, 2)), panels=1), 12)
    0.666666666667
    """
    if len(box) != 2:
        raise ValidationError(f"box={box!r} must give (lo, hi) for exactly two coordinates")
    t, w = np.polynomial.legendre.leggauss(order)
    axes, weights = [], []
    for lo, hi in box:
        edges = np.linspace(lo, hi, panels + 1)
        mid, half = 0.5 * (edges[1:] + edges[:-1]), 0.5 * np.diff(edges)
        axes.append((mid[:, None] + half[:, None] * t[None, :]).ravel())
        weights.append((half[:, None] * w[None, :]).ravel())
    X, Y = np.meshgrid(*axes, indexing="ij")
    vals = np.asarray(f(np.column_stack([X.ravel(), Y.ravel()]))).reshape(X.shape)
    return float(weights[0] @ vals @ weights[1])
