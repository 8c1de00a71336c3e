r"""The functional API: one call per check kind, for your own functions.

Each function checks a relation at explicit points or at points drawn by a Hypothesis
strategy (seeded, targeted, shrunk), returns a :class:`CheckEvidence` when the relation
holds everywhere it looked, and raises :class:`~verify.errors.CheckFailed` (carrying the
evidence: the shrunk point, both sides, the worst entry, error against tolerance, the
seed) when it does not. A check that cannot decide raises
:class:`~verify.errors.CheckUndecided`: it never passes silently.

Is my gradient right?

>>> import numpy as np, verify
>>> f = lambda x: np.sum(np.sin(x) ** 2)
>>> ev = verify.check_jacobian(f, lambda x: np.sin(2 * x), np.array([0.3, -1.2, 2.0]))
>>> ev.verdict, ev.method
('consistent', 'complex step')

A wrong one fails with the evidence:

>>> verify.check_jacobian(f, lambda x: 2 * np.sin(x) * np.cos(x) * (1 + 1e-8), np.array([0.3]))  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
verify.errors.CheckFailed: check_jacobian refuted at the point below (seed 0, 1 point tried)
...

Tolerances come from :mod:`verify.tolerances` (``derivative.complex_step``,
``derivative.richardson``, ``identity.float64``, ``bound.slack``, ``asymptotic.slope``)
and may be overridden per call by ``tolerance=`` (a key or a
:class:`~verify.tolerances.Tolerance`).

Functions may be written with NumPy, or with PyTorch or JAX when those are installed:
inputs are converted at the boundary (NumPy arrays first; torch tensors when the function
rejects arrays) and outputs are converted back. Every output must be float64 (or
complex128): with JAX, enable ``jax_enable_x64``; with torch, use ``torch.float64``.
"""

from __future__ import annotations

import math
import sys
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .errors import CheckError, CheckFailed, CheckUndecided, ValidationError
from .tolerances import EPS, Tolerance, tolerance as _tolerance_key

__all__ = ["check_jacobian", "check_identity", "check_bound", "check_order", "check_expectation",
           "CheckEvidence"]

_H_COMPLEX = 1e-30

#: The seed used when a call leaves ``seed=None``: 0, or ``--verify-seed`` under the pytest plugin.
_SESSION_SEED = [0]


# ---------------------------------------------------------------------------
# evidence
# ---------------------------------------------------------------------------


def _fmt_value(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, np.ndarray):
        return " ".join(np.array2string(v, threshold=24, separator=", ", floatmode="unique").split())
    if isinstance(v, (tuple, list)) and v and all(isinstance(a, np.ndarray) for a in v):
        return "(" + ", ".join(_fmt_value(a) for a in v) + ")"
    return repr(v)


def _fmt_small(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float) and math.isinf(v):
        return "inf"
    return f"{v:.3g}" if isinstance(v, float) else str(v)


@dataclass
class CheckEvidence:
    """What a functional check found, at the worst point it tried (or the shrunk counterexample).

    ``verdict`` is ``consistent``, ``refuted`` or ``undecided``; ``ratio`` is error over
    tolerance at ``point`` (above 1 is a failure); ``entry`` indexes the worst entry;
    ``claimed`` and ``reference`` are both sides there; ``seed`` reproduces the search.
    ``str()`` gives the evidence table (an HTML table in Jupyter).

    >>> import numpy as np, verify
    >>> ev = verify.check_identity(np.sin, lambda x: np.cos(np.pi / 2 - x), np.array([0.1, 0.2]))
    >>> [label for label, _ in ev.rows()][:3]
    ['point', 'worst entry', 'lhs']
    >>> "<table>" in ev._repr_html_()
    True
    """

    check: str
    verdict: str
    method: str
    point: Any = None
    entry: Any = None
    claimed: Any = None
    reference: Any = None
    error: float | None = None
    tolerance: float | None = None
    ratio: float | None = None
    examples: int = 0
    seed: int | None = None
    shrunk: bool = False
    tolerance_rule: str = ""
    details: dict = field(default_factory=dict)
    seconds: float = 0.0
    labels: tuple = ("claimed", "reference")  #: what ``claimed`` and ``reference`` are, for the table

    def rows(self) -> list[tuple[str, str]]:
        """The evidence table as ``(label, value)`` rows."""
        rows = [("point", _fmt_value(self.point))]
        if self.entry is not None:
            rows.append(("worst entry", str(self.entry)))
        rows += [(self.labels[0], _fmt_value(self.claimed)),
                 (self.labels[1], _fmt_value(self.reference) + (f"  ({self.method})" if self.method else "")),
                 ("error", _fmt_small(self.error)),
                 ("tolerance", _fmt_small(self.tolerance) + (f"  ({self.tolerance_rule})"
                                                             if self.tolerance_rule else "")),
                 ("error/tol", _fmt_small(self.ratio))]
        for k, v in self.details.items():
            rows.append((k.replace("_", " "), _fmt_value(v) if not isinstance(v, str) else v))
        rows.append(("reproduce", f"seed={self.seed}"))
        return rows

    def __str__(self) -> str:
        where = "at the point below" if self.verdict != "consistent" else "(worst point below)"
        shrunk = ", shrunk by Hypothesis" if self.shrunk else ""
        head = (f"{self.check} {self.verdict} {where} (seed {self.seed}, {self.examples} "
                f"point{'s' if self.examples != 1 else ''} tried{shrunk})")
        rows = self.rows()
        w = max(len(k) for k, _ in rows)
        return "\n".join([head] + [f"  {k:<{w}}  {v}" for k, v in rows])

    def _repr_html_(self) -> str:
        """The evidence table in Jupyter (:func:`verify.display.check_evidence_html`)."""
        from .display import check_evidence_html

        return check_evidence_html(self)

    def to_json(self) -> dict:
        readable = _readable
        return {"check": self.check, "verdict": self.verdict, "method": self.method,
                "point": readable(self.point), "entry": readable(self.entry),
                "claimed": readable(self.claimed), "reference": readable(self.reference),
                "error": self.error, "tolerance": self.tolerance, "ratio": self.ratio,
                "examples": self.examples, "seed": self.seed, "shrunk": self.shrunk,
                "tolerance_rule": self.tolerance_rule, "details": readable(self.details),
                "seconds": round(self.seconds, 3)}


def _readable(x):
    """Plain JSON-ready data (lists, floats, strings)."""
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    if isinstance(x, (tuple, list)):
        return [_readable(v) for v in x]
    if isinstance(x, dict):
        return {str(k): _readable(v) for k, v in x.items()}
    return x


# ---------------------------------------------------------------------------
# argument handling
# ---------------------------------------------------------------------------


def _is_strategy(obj) -> bool:
    if "hypothesis" not in sys.modules:  # nothing can be a strategy before Hypothesis is imported
        return False
    from hypothesis.strategies import SearchStrategy

    return isinstance(obj, SearchStrategy)


def _check_int(name, value, lo):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < lo:
        raise ValidationError(f"{name}={value!r} must be an int >= {lo}")
    return int(value)


def _tolerance(tol, default_key) -> Tolerance:
    if tol is None:
        return _tolerance_key(default_key)
    if isinstance(tol, str):
        return _tolerance_key(tol)
    if isinstance(tol, Tolerance):
        return tol
    raise ValidationError(f"tolerance={tol!r} must be a key of verify.tolerances.TOLERANCES or a "
                          "verify.tolerances.Tolerance(rtol, atol, reason)")


def _to_numpy(value, name: str) -> np.ndarray:
    """A function's output as a float64/complex128 array (torch tensors and JAX arrays converted)."""
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # torch.Tensor
        value = value.detach().cpu()
        if hasattr(value, "resolve_conj"):
            value = value.resolve_conj()
        value = value.numpy()
    if isinstance(value, (tuple, list)) and value and hasattr(value[0], "detach"):
        value = [_to_numpy(v, name) for v in value]
    if isinstance(value, (tuple, list)) and len({np.shape(v) for v in value}) > 1:
        raise ValidationError(f"{name} returned a {type(value).__name__} of arrays of different shapes; "
                              "return one array")
    arr = np.asarray(value)
    if arr.dtype in (np.float32, np.float16, np.complex64):
        raise ValidationError(
            f"{name} returned {arr.dtype} values; the checks need float64 (complex128): with JAX run "
            "jax.config.update('jax_enable_x64', True), with torch use torch.float64 tensors")
    if arr.dtype == object:
        raise ValidationError(f"{name} returned {type(value).__name__} that is not a numeric array")
    if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.complexfloating)):
        arr = arr.astype(float)
    return arr


def _point_array(a, name: str, allow_complex: bool = False) -> np.ndarray:
    if hasattr(a, "detach") and hasattr(a, "numpy"):
        a = a.detach().cpu().numpy()
    try:
        arr = np.asarray(a)
        arr = arr.astype(complex if allow_complex and np.iscomplexobj(arr) else float)
    except (TypeError, ValueError):
        raise ValidationError(f"{name}={a!r} is not an array of real numbers; pass a NumPy array, a "
                              "float, or a tuple of them (one per argument)") from None
    if not np.all(np.isfinite(arr)):
        raise ValidationError(f"{name}={arr!r} has non-finite entries; points must be finite")
    return arr


def _as_args(point, name="point", allow_complex=False) -> tuple:
    """A point is one argument, or a tuple of arguments."""
    if isinstance(point, tuple):
        return tuple(_point_array(a, f"{name}[{i}]", allow_complex) for i, a in enumerate(point))
    return (_point_array(point, name, allow_complex),)


def _raw_args(point) -> tuple:
    return point if isinstance(point, tuple) else (point,)


class _Boundary:
    """Calls a user's function on NumPy arrays, or on torch tensors when it rejects arrays."""

    def __init__(self, fn: Callable, name: str, *, parts: bool = False):
        if not callable(fn):
            raise ValidationError(f"{name}={fn!r} is not callable; pass a function")
        self.fn, self.name, self.mode, self.parts = fn, name, None, parts

    def _convert(self, out):
        if self.parts and isinstance(out, (tuple, list)):
            return tuple(_to_numpy(o, f"{self.name}[{i}]") for i, o in enumerate(out))
        return _to_numpy(out, self.name)

    def __call__(self, *arrays) -> np.ndarray:
        if self.mode != "torch":
            try:
                out = self.fn(*arrays)
            except (TypeError, AttributeError):
                if self.mode == "numpy" or "torch" not in sys.modules:
                    raise
            else:
                self.mode = self.mode or "numpy"
                return self._convert(out)
        torch = sys.modules["torch"]
        out = self.fn(*[torch.from_numpy(np.ascontiguousarray(a)) for a in arrays])
        self.mode = "torch"
        return self._convert(out)


class _Flat:
    """Flattens the arguments of ``f(*args)`` into one vector and back."""

    def __init__(self, args: tuple):
        self.shapes = [a.shape for a in args]
        self.sizes = [int(a.size) for a in args]
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)]).astype(int)
        self.x = np.concatenate([a.ravel() for a in args]) if args else np.zeros(0)

    def unflatten(self, v):
        return tuple(v[self.offsets[i]:self.offsets[i + 1]].reshape(s) for i, s in enumerate(self.shapes))

    def batched(self, F: _Boundary, out_size: int | None = None, vectorized: bool = False):
        """``X (b, M) -> (b, p)``: one call of ``F`` per row (the function need not broadcast), or
        one call on the whole batch (each argument with a leading batch axis) when ``vectorized``."""
        def g(X):
            rows = [np.ravel(F(*self.unflatten(row))) for row in X]
            return np.stack(rows) if rows else np.zeros((0, out_size or 0))

        def g_vec(X):
            b = X.shape[0]
            args = tuple(X[:, self.offsets[i]:self.offsets[i + 1]].reshape((b,) + s)
                         for i, s in enumerate(self.shapes))
            Y = F(*args)
            if Y.shape[:1] != (b,):
                raise ValidationError(f"vectorized=True but f returned shape {Y.shape} for a batch of {b} "
                                      "points; f must map a leading batch axis to a leading batch axis "
                                      "(or pass vectorized=False)")
            return Y.reshape(b, -1)
        return g_vec if vectorized else g


def _points(points_or_strategy, name: str):
    """``("strategy", s)`` or ``("points", [point, ...])``."""
    if len(points_or_strategy) == 0:
        raise ValidationError(f"{name}: give at least one point (an array, or a tuple of arrays for "
                              "several arguments) or one Hypothesis strategy")
    if len(points_or_strategy) == 1 and _is_strategy(points_or_strategy[0]):
        return "strategy", points_or_strategy[0]
    if any(_is_strategy(p) for p in points_or_strategy):
        raise ValidationError(f"{name}: pass either one Hypothesis strategy or explicit points, not "
                              "both; combine strategies with hypothesis.strategies.tuples(...)")
    return "points", list(points_or_strategy)


def _search(kind: str, source, evaluate, *, seed: int, max_examples: int):
    """Evaluate at explicit points (the worst wins) or search a strategy (shrunk failure).

    Returns ``(failed, point, info, examples, shrunk)``."""
    mode, src = source
    if mode == "points":
        worst = None
        for p in src:
            ratio, info = evaluate(p)
            if worst is None or not ratio <= worst[0]:
                worst = (ratio, p, info)
        return not worst[0] <= 1.0, worst[1], worst[2], len(src), False
    from .search import falsify

    out = falsify(src, evaluate, seed=seed, max_examples=max_examples,
                  raise_errors=(Exception,))
    if out.error:
        raise CheckError(f"{kind}: the Hypothesis search could not run ({out.error}); check the "
                         "strategy and that the functions are deterministic")
    if out.counterexample is not None:
        point, info = out.counterexample
        return True, point, info, out.examples, True
    if out.examples == 0:
        raise CheckError(f"{kind}: the strategy produced no points; check its filters")
    return False, out.worst_point, out.worst_info, out.examples, False


def _finish(kind, failed, point, info, examples, shrunk, seed, t0, *, method, rule, undecided=False,
            labels=("claimed", "reference")):
    info = dict(info)
    if "exception" in info:
        method = info.pop("exception")
    ev = CheckEvidence(
        check=kind, verdict="refuted" if failed else ("undecided" if undecided else "consistent"),
        method=info.pop("method", method), point=point, entry=info.pop("entry", None),
        claimed=info.pop("claimed", None), reference=info.pop("reference", None),
        error=info.pop("error", None), tolerance=info.pop("tolerance", None),
        ratio=info.pop("ratio", None), examples=examples, seed=seed, shrunk=shrunk,
        tolerance_rule=rule, details=info, seconds=time.perf_counter() - t0, labels=labels)
    if failed:
        raise CheckFailed(ev)
    if undecided:
        raise CheckUndecided(ev)
    return ev


# ---------------------------------------------------------------------------
# derivatives
# ---------------------------------------------------------------------------


def _complex_probe(F: _Boundary, flat: _Flat, y0: np.ndarray, seed: int) -> tuple[bool, str]:
    """Is ``F`` complex-safe at ``flat.x``? Compare ``Im F(x + i h u)/h`` with Richardson along ``u``."""
    from .numerics import compare_arrays, richardson_jacobian

    x = flat.x
    u = np.random.default_rng(seed).standard_normal(x.size)
    u = u / max(np.abs(u).max(), 1e-300) * np.maximum(1.0, np.abs(x))
    complex_warning = getattr(getattr(np, "exceptions", np), "ComplexWarning")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", complex_warning)
            yc = np.ravel(F(*flat.unflatten(x + 1j * _H_COMPLEX * u)))
    except Exception as exc:  # noqa: BLE001 (any failure on complex input means: not complex-safe)
        return False, f"complex input raised {type(exc).__name__}"
    if not np.iscomplexobj(yc):
        return False, "f returned real values for complex input"
    scale = float(np.abs(y0).max()) if y0.size else 0.0
    if yc.shape != y0.shape or np.any(np.abs(yc.real - y0) > 1e-12 * np.abs(y0) + 1e-14 * scale):
        return False, "Re f(x + ih u) differs from f(x)"
    g = flat.batched(F)
    along = lambda T: g(x[None, :] + T[:, 0:1] * u[None, :])  # noqa: E731
    d_fd, err = richardson_jacobian(along, np.zeros(1))
    tol = _tolerance_key("derivative.richardson")
    c = compare_arrays(yc.imag / _H_COMPLEX, d_fd[:, 0], rtol=tol.rtol, atol=tol.atol, extra=err[:, 0])
    if not c.ok:
        return False, "the complex-step derivative disagrees with finite differences (f is not analytic)"
    return True, "complex step agrees with finite differences along a random direction"


def _gradient_complex(F, flat, vectorized=False):
    """Batched gradient of a complex-safe scalar ``F`` by the complex step (exact to roundoff)."""
    M = flat.x.size
    g = flat.batched(F, 1, vectorized)

    def grad(X):
        Z = (X[:, None, :] + 1j * _H_COMPLEX * np.eye(M)[None, :, :]).reshape(-1, M)
        return (np.asarray(g(Z)).imag / _H_COMPLEX).reshape(X.shape[0], M)
    return grad


def _richardson_hessian(g, x, *, levels: int = 4, ratio: float = 2.0):
    r"""Hessian of a scalar batched ``g`` by the symmetric four-point second difference,
    Richardson-extrapolated:

    .. math:: D_{ij}(h) = \frac{f(x{+}h_ie_i{+}h_je_j) - f(x{+}h_ie_i{-}h_je_j)
              - f(x{-}h_ie_i{+}h_je_j) + f(x{-}h_ie_i{-}h_je_j)}{4h_ih_j}
              = H_{ij} + O(h^2)

    (even in ``h``). Error estimate: last tableau correction plus roundoff
    :math:`3\epsilon\max|f|/(h_ih_j)`. Returns ``(H, err)``.
    """
    M = x.size
    base = EPS ** (1.0 / (2 * levels + 2))
    scale = np.maximum(1.0, np.abs(x))
    iu, ju = np.triu_indices(M)
    signs = np.array([[1, 1], [1, -1], [-1, 1], [-1, -1]], dtype=float)
    steps = [base * scale / ratio**l for l in range(levels)]
    pts = []
    for hs in steps:
        for si, sj in signs:
            P = np.repeat(x[None, :], iu.size, axis=0)
            P[np.arange(iu.size), iu] += si * hs[iu]
            P[np.arange(iu.size), ju] += sj * hs[ju]
            pts.append(P)
    Y = np.asarray(g(np.concatenate(pts)), dtype=float).reshape(levels, 4, iu.size)
    fmax = float(np.abs(Y).max()) if Y.size else 0.0
    D = [(Y[l, 0] - Y[l, 1] - Y[l, 2] + Y[l, 3]) / (4 * steps[l][iu] * steps[l][ju]) for l in range(levels)]
    tableau = [D]
    for col in range(1, levels):
        prev, fac = tableau[-1], ratio ** (2 * col)
        tableau.append([(fac * prev[i + 1] - prev[i]) / (fac - 1) for i in range(len(prev) - 1)])
    best = tableau[-1][0]
    trunc = np.abs(best - tableau[-2][-1]) if levels > 1 else np.zeros_like(best)
    err = trunc + 3 * EPS * fmax / (steps[-1][iu] * steps[-1][ju])
    H, E = np.zeros((M, M)), np.zeros((M, M))
    H[iu, ju] = H[ju, iu] = best
    E[iu, ju] = E[ju, iu] = err
    return H, E


def _claimed_jacobian(J, flat: _Flat, out_shape, p: int, name: str):
    """Reshape the claimed Jacobian(s) to one ``(p, M)`` array, with a helpful error."""
    n_args = len(flat.sizes)
    per_arg = [tuple(out_shape) + tuple(s) for s in flat.shapes]
    how = (f"return shape {per_arg[0]} (output shape + input shape) or ({p}, {flat.sizes[0]})" if n_args == 1
           else f"return {n_args} Jacobians, one per argument, of shapes {per_arg}, or one array of shape "
                f"({p}, {sum(flat.sizes)}) with all columns")
    if isinstance(J, tuple):
        if len(J) != n_args:
            raise ValidationError(f"{name} returned {len(J)} Jacobian(s) for {n_args} argument(s): {how}")
        parts, sizes = J, flat.sizes
    else:
        parts, sizes = [J], [sum(flat.sizes)]
    blocks = []
    for Jk, m in zip(parts, sizes):
        Jk = _to_numpy(Jk, name)
        if np.iscomplexobj(Jk):
            raise ValidationError(f"{name} returned complex values; a real Jacobian is expected")
        if Jk.ndim == 2 and Jk.shape == (m, p) and m != p:
            raise ValidationError(
                f"{name} returned shape {Jk.shape}, which looks transposed (denominator layout): the "
                f"Jacobian of f at this point has {p} rows (outputs) and {m} columns (inputs)")
        if Jk.size != p * m:
            raise ValidationError(f"{name} returned shape {Jk.shape} but f has {p} output entr"
                                  f"{'y' if p == 1 else 'ies'} and {sum(flat.sizes)} input entr"
                                  f"{'y' if sum(flat.sizes) == 1 else 'ies'}: {how}")
        blocks.append(Jk.reshape(p, m))
    return np.concatenate(blocks, axis=1)


def _entry(flat: _Flat, out_shape, i: int, j: int, hessian: bool):
    """Readable index of entry (i, j) of the flattened Jacobian."""
    k = int(np.searchsorted(flat.offsets, j, side="right") - 1)
    jj = np.unravel_index(j - flat.offsets[k], flat.shapes[k]) if flat.shapes[k] else ()
    if hessian:
        ii = np.unravel_index(i, flat.shapes[0]) if flat.shapes[0] else ()
        return tuple(int(a) for a in ii) + tuple(int(a) for a in jj)
    ii = np.unravel_index(i, out_shape) if out_shape else ()
    idx = tuple(int(a) for a in ii) + tuple(int(a) for a in jj)
    return idx if len(flat.shapes) == 1 else (f"argument {k}",) + idx


def check_jacobian(f, jac, *points_or_strategy, order: int = 1, max_examples: int = 100, seed: int | None = None,
                   method: str = "auto", tolerance=None, vectorized: bool = False) -> CheckEvidence:
    r"""Check a claimed derivative of ``f`` against complex-step (or Richardson) derivatives.

    ``jac(*args)`` is the claimed Jacobian of ``f(*args)``: shape ``f``'s output shape plus
    the input shape (JAX's and torch's convention), or ``(p, m)`` flattened; for a scalar
    ``f`` that is the gradient. With ``order=2``, ``f`` is scalar and ``jac`` its claimed
    Hessian (shape input shape twice).

    Points are arrays (a tuple of arrays is one point of a function of several
    arguments; then ``jac`` returns one Jacobian per argument, or one array with all
    columns), or a single Hypothesis strategy, searched with ``max_examples`` examples,
    steered toward large error/tolerance and shrunk on failure.

    The reference never uses ``jac``. ``method="auto"`` (the default) decides at each
    point whether ``f`` is complex-safe: ``f(x + ihu)`` must return complex values whose
    real part is ``f(x)`` and whose :math:`\operatorname{Im}/h` matches a Richardson
    finite difference along a random ``u``. If so the reference is the complex step
    :math:`J e_j = \operatorname{Im} f(x + i h e_j)/h` (exact to roundoff; tolerance
    ``derivative.complex_step``: entrywise :math:`10^{-10}|J| + 10^{-12}\max|J|`),
    otherwise Richardson-extrapolated central differences with their error estimate
    (``derivative.richardson``). Force one with ``method="complex"`` or
    ``"richardson"``. Hessians: Richardson differences of the complex-step gradient,
    or four-point second differences (tolerance ``derivative.richardson``).

    ``f`` is called once per perturbed point; with ``vectorized=True`` it is called once
    on a batch (every argument with a leading batch axis, the output too), which is much
    faster for large inputs.

    Returns the :class:`CheckEvidence` at the worst point; raises
    :class:`~verify.errors.CheckFailed` with the evidence when some entry is off by more
    than its tolerance.

    >>> import numpy as np, verify
    >>> f = lambda A, x: np.tanh(A @ x)
    >>> def jac(A, x):  # one Jacobian per argument: d/dA has shape (2, 2, 3), d/dx (2, 3)
    ...     s = 1 - np.tanh(A @ x) ** 2
    ...     return np.einsum("i,ij,k->ijk", s, np.eye(2), x), s[:, None] * A
    >>> A, x = np.arange(6.0).reshape(2, 3) / 10, np.array([1.0, -2.0, 0.5])
    >>> verify.check_jacobian(f, jac, (A, x)).verdict
    'consistent'

    A Hessian, at points drawn by Hypothesis:

    >>> from hypothesis.extra.numpy import arrays
    >>> from hypothesis import strategies as st
    >>> xs = arrays(float, 3, elements=st.floats(-2, 2))
    >>> g = lambda x: np.log(np.sum(np.exp(x)))
    >>> def hess(x):
    ...     p = np.exp(x - g(x))
    ...     return np.diag(p) - np.outer(p, p)
    >>> verify.check_jacobian(g, hess, xs, order=2, max_examples=20).verdict
    'consistent'
    """
    t0 = time.perf_counter()
    source = _points(points_or_strategy, "check_jacobian")
    if order not in (1, 2):
        raise ValidationError(f"order={order!r} must be 1 (a Jacobian) or 2 (the Hessian of a scalar f)")
    if method not in ("auto", "complex", "richardson"):
        raise ValidationError(f"method={method!r} is unknown; use 'auto', 'complex' or 'richardson'")
    max_examples = _check_int("max_examples", max_examples, 1)
    seed = _check_int("seed", _SESSION_SEED[0] if seed is None else seed, 0)
    if not isinstance(vectorized, bool):
        raise ValidationError(f"vectorized={vectorized!r} must be True or False")
    tol_override = None if tolerance is None else _tolerance(tolerance, "")
    F, Jf = _Boundary(f, "f"), _Boundary(jac, "jac", parts=True)
    from .numerics import compare_arrays, complex_step_jacobian, richardson_jacobian

    def evaluate(point):
        args = _as_args(point)
        if order == 2 and len(args) != 1:
            raise ValidationError("order=2 checks the Hessian of a function of one array; got a point "
                                  f"with {len(args)} arguments: concatenate them into one array")
        flat = _Flat(args)
        y0 = F(*args)
        if not np.all(np.isfinite(y0)):
            raise CheckError(f"f is not finite at the point {_fmt_value(point)}; restrict the points "
                             "to f's domain")
        out_shape, p = y0.shape, int(y0.size)
        if order == 2 and p != 1:
            raise ValidationError(f"order=2 needs a scalar f; f returned shape {y0.shape}")
        if method == "auto":
            safe, why = _complex_probe(F, flat, np.ravel(y0), seed)
        else:
            safe, why = method == "complex", f"method={method!r}"
        if order == 1:
            g = flat.batched(F, p, vectorized)
            if safe:
                J_ref, err = complex_step_jacobian(g, flat.x, h=_H_COMPLEX)[0], None
                how, key = "complex step", "derivative.complex_step"
            else:
                J_ref, err = richardson_jacobian(g, flat.x)
                how, key = "Richardson central differences", "derivative.richardson"
            J_claim = _claimed_jacobian(Jf(*args), flat, out_shape, p, "jac")
        else:
            if safe:
                J_ref, err = richardson_jacobian(_gradient_complex(F, flat, vectorized), flat.x)
                how = "Richardson differences of the complex-step gradient"
            else:
                J_ref, err = _richardson_hessian(flat.batched(F, 1, vectorized), flat.x)
                how = "Richardson four-point second differences"
            key = "derivative.richardson"
            J_claim = _claimed_jacobian(Jf(*args), flat, flat.shapes[0], flat.sizes[0], "jac")
        if not np.all(np.isfinite(J_ref)):
            raise CheckError(f"the reference derivative of f is not finite at {_fmt_value(point)}; f is "
                             "not differentiable there: restrict the points")
        tol = tol_override or _tolerance_key(key)
        worst = None
        blocks = [slice(None)] if order == 2 else \
            [slice(flat.offsets[k], flat.offsets[k + 1]) for k in range(len(flat.sizes))]
        for b in blocks:
            c = compare_arrays(J_claim[:, b], J_ref[:, b], rtol=tol.rtol, atol=tol.atol,
                               extra=None if err is None else err[:, b])
            if worst is None or not c.ratio <= worst[0].ratio:
                worst = (c, b)
        c, b = worst
        entry = None
        if c.index:
            entry = _entry(flat, out_shape, c.index[0], (b.start or 0) + c.index[1], order == 2)
        info = {"method": how, "entry": entry, "claimed": c.candidate, "reference": c.reference,
                "error": abs(c.candidate - c.reference) if c.index else c.error,
                "tolerance": c.tolerance, "ratio": c.ratio,
                "rule": f"rtol={tol.rtol:g} |reference| + atol={tol.atol:g} max|J|"
                        + (" + Richardson error estimate" if err is not None else ""),
                "complex_safe": why}
        return c.ratio, info

    failed, point, info, n, shrunk = _search("check_jacobian", source, evaluate, seed=seed,
                                             max_examples=max_examples)
    info = dict(info)
    rule = info.pop("rule", "")
    return _finish("check_jacobian", failed, point, info, n, shrunk, seed, t0, method="", rule=rule)


# ---------------------------------------------------------------------------
# identity, bound
# ---------------------------------------------------------------------------


def _real_view(a: np.ndarray) -> np.ndarray:
    return np.stack([a.real, a.imag], axis=-1) if np.iscomplexobj(a) else a


def check_identity(lhs, rhs, *points_or_strategy, max_examples: int = 100, seed: int | None = None,
                   tolerance=None) -> CheckEvidence:
    r"""Check ``lhs(*args) == rhs(*args)`` entrywise (``rhs`` is the reference side).

    Tolerance ``identity.float64`` by default: :math:`|l - r| \le 10^{-9}|r| + 10^{-11}\max|r|`.
    Points as in :func:`check_jacobian`: arrays, tuples of arrays (several arguments), or
    one Hypothesis strategy (a strategy of tuples gives several arguments).

    >>> import numpy as np, verify
    >>> from hypothesis import strategies as st
    >>> pairs = st.tuples(st.floats(-5, 5), st.floats(-5, 5))
    >>> verify.check_identity(lambda a, b: np.sinh(a + b),
    ...                       lambda a, b: np.sinh(a) * np.cosh(b) + np.cosh(a) * np.sinh(b),
    ...                       pairs, max_examples=50).verdict
    'consistent'
    >>> verify.check_identity(np.tanh, lambda x: x - x**3 / 3, 0.1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    verify.errors.CheckFailed: check_identity refuted at the point below (seed 0, 1 point tried)
    ...
    """
    t0 = time.perf_counter()
    source = _points(points_or_strategy, "check_identity")
    max_examples = _check_int("max_examples", max_examples, 1)
    seed = _check_int("seed", _SESSION_SEED[0] if seed is None else seed, 0)
    tol = _tolerance(tolerance, "identity.float64")
    L, R = _Boundary(lhs, "lhs"), _Boundary(rhs, "rhs")
    from .numerics import compare_arrays

    def evaluate(point):
        args = _as_args(point, allow_complex=True)
        lv, rv = L(*args), R(*args)
        if lv.shape != rv.shape and lv.size != rv.size:
            raise ValidationError(f"lhs returned shape {lv.shape} but rhs returned shape {rv.shape}; "
                                  "both sides must have the same shape")
        if not np.all(np.isfinite(rv)):
            raise CheckError(f"rhs is not finite at {_fmt_value(point)}; restrict the points")
        lv = _real_view(lv.reshape(rv.shape).astype(complex) if np.iscomplexobj(rv) else lv.reshape(rv.shape))
        rv = _real_view(rv.astype(complex) if np.iscomplexobj(lv) and not np.iscomplexobj(rv) else rv)
        c = compare_arrays(lv, rv, rtol=tol.rtol, atol=tol.atol)
        return c.ratio, {"entry": c.index or None, "claimed": c.candidate, "reference": c.reference,
                         "error": c.error, "tolerance": c.tolerance, "ratio": c.ratio}

    failed, point, info, n, shrunk = _search("check_identity", source, evaluate, seed=seed,
                                             max_examples=max_examples)
    return _finish("check_identity", failed, point, info, n, shrunk, seed, t0, method="",
                   rule=f"rtol={tol.rtol:g} |rhs| + atol={tol.atol:g} max|rhs|", labels=("lhs", "rhs"))


def check_bound(lower, upper, *points_or_strategy, max_examples: int = 200, seed: int | None = None,
                tolerance=None) -> CheckEvidence:
    r"""Check ``lower(*args) <= upper(*args)`` (entrywise) by adversarial search.

    Either side may be a number instead of a function. Hypothesis steers its examples
    toward the tightest points (``target()`` on the relative gap), then shrinks a
    violation. A violation counts when it exceeds the ``bound.slack`` tolerance
    :math:`10^{-9}|\text{upper}| + 10^{-12}`. The evidence of a pass reports the
    tightest point found (``tightest_gap``, relative to the sides' sizes, 0 = attained).

    >>> import numpy as np, verify
    >>> from hypothesis import strategies as st
    >>> sig = lambda x: 1 / (1 + np.exp(-x))
    >>> ev = verify.check_bound(lambda x: sig(x) * (1 - sig(x)), 0.25, st.floats(-30, 30))
    >>> ev.verdict
    'consistent'
    >>> verify.check_bound(np.sin, lambda x: x, st.floats(-3, 3))  # sin x <= x only for x >= 0 # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    verify.errors.CheckFailed: check_bound refuted at the point below (seed 0, ... points tried, shrunk by Hypothesis)
    ...
    """
    t0 = time.perf_counter()
    source = _points(points_or_strategy, "check_bound")
    max_examples = _check_int("max_examples", max_examples, 1)
    seed = _check_int("seed", _SESSION_SEED[0] if seed is None else seed, 0)
    tol = _tolerance(tolerance, "bound.slack")

    def side(fn, name):
        if callable(fn):
            return _Boundary(fn, name)
        const = _point_array(fn, name)
        return lambda *args: const
    Lo, Up = side(lower, "lower"), side(upper, "upper")
    tightest = {"gap": math.inf, "point": None}

    def evaluate(point):
        args = _as_args(point)
        lo, up = np.broadcast_arrays(np.asarray(Lo(*args), dtype=float), np.asarray(Up(*args), dtype=float))
        if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(up))):
            raise CheckError(f"a side of the bound is not finite at {_fmt_value(point)}; restrict the points")
        violation = lo - up
        allowed = tol.rtol * np.abs(up) + tol.atol
        ratios = np.where(violation > 0, violation / allowed, 0.0)
        gap = (up - lo) / np.maximum(np.abs(up) + np.abs(lo), np.finfo(float).tiny)
        k = int(np.argmax(ratios)) if ratios.max(initial=0.0) > 0 else int(np.argmin(gap))
        if gap.size and float(gap.flat[k]) < tightest["gap"]:
            tightest.update(gap=float(gap.flat[k]), point=point)
        ratio = float(ratios.flat[k]) if ratios.size else 0.0
        entry = tuple(int(a) for a in np.unravel_index(k, lo.shape)) if lo.ndim else None
        info = {"entry": entry, "claimed": float(lo.flat[k]), "reference": float(up.flat[k]),
                "error": float(violation.flat[k]), "tolerance": float(allowed.flat[k]), "ratio": ratio}
        # steer toward tight points: a passing point scores in [0, 1), higher when tighter
        return (ratio if ratio > 1 else 0.999 * (1 - float(gap.flat[k])) / 2), info

    failed, point, info, n, shrunk = _search("check_bound", source, evaluate, seed=seed,
                                             max_examples=max_examples)
    info = dict(info)
    if not failed:
        info["ratio"] = max(0.0, info.get("error", 0.0)) / info["tolerance"] if info.get("tolerance") else 0.0
        info["tightest_gap"] = tightest["gap"]
        point = tightest["point"] if tightest["point"] is not None else point
    return _finish("check_bound", failed, point, info, n, shrunk, seed, t0,
                   method="", labels=("lower", "upper"),
                   rule=f"violation lower - upper > {tol.rtol:g} |upper| + {tol.atol:g}")


# ---------------------------------------------------------------------------
# asymptotic order
# ---------------------------------------------------------------------------

#: relative step of the probes that measure a remainder's noise: a smooth C h^s has second
#: difference s(s-1) delta^2 ~ 6e-5 s(s-1) relative, below 1/ROUNDOFF_MARGIN for s <= 40
_PROBE = 2.0 ** -7


def check_order(remainder, p: float, *points_or_strategy, h0: float = 1.0, scale=1.0, steps: int = 9,
                max_steps: int = 48, max_examples: int = 20, seed: int | None = None) -> CheckEvidence:
    r"""Check that a remainder is :math:`O(h^p)` as :math:`h \to 0` by its converged local slopes.

    ``remainder(h)`` (or ``remainder(*args, h)`` at points ``args``) returns the size of
    the remainder at step ``h`` (a number or an array, whose largest magnitude is
    used), or ``(r, floor)`` with its own roundoff bound ``floor``. The steps are
    :math:`h_0 2^{-k}`; the semantics are those of :class:`verify.checks.AsymptoticCheck`:
    the ladder grows until ``ASYMPTOTIC_WINDOW`` successive local slopes
    :math:`\log_2(r_k/r_{k+1})` agree within ``ASYMPTOTIC_SPREAD``; the point passes when
    that converged slope is at least ``p - 0.3``, fails when below, and is *undecided*
    when the slopes never settle above the roundoff floor (raised as
    :class:`~verify.errors.CheckUndecided`, never a pass).

    The roundoff floor of a rung is the largest of the floor returned by ``remainder``,
    :math:`100\epsilon\cdot` ``scale`` (``scale``: the size of the terms that cancel in the
    remainder, a number or a function of ``h``; default 1), and the noise measured by
    two probes at :math:`h(1 \pm 2^{-7})` (three evaluations per rung).

    >>> import numpy as np, verify
    >>> r = lambda h: abs(np.exp(0.5 + h) - np.exp(0.5) * (1 + h))    # Taylor remainder
    >>> ev = verify.check_order(r, 2, scale=np.exp(0.5))
    >>> ev.verdict, round(ev.details["slope"], 1)
    ('consistent', 2.0)
    >>> verify.check_order(r, 3, scale=np.exp(0.5))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    verify.errors.CheckFailed: check_order refuted at the point below (seed 0, 1 point tried)
    ...
    """
    t0 = time.perf_counter()
    if points_or_strategy:
        source = _points(points_or_strategy, "check_order")
    else:
        source = ("points", [()])
    try:
        p = float(p)
    except (TypeError, ValueError):
        raise ValidationError(f"p={p!r} must be a number (the claimed order)") from None
    if not math.isfinite(p):
        raise ValidationError(f"p={p!r} must be finite")
    if not (isinstance(h0, (int, float)) and h0 > 0 and math.isfinite(h0)):
        raise ValidationError(f"h0={h0!r} must be a positive number (the largest step)")
    steps = _check_int("steps", steps, 4)
    max_steps = _check_int("max_steps", max_steps, steps)
    max_examples = _check_int("max_examples", max_examples, 1)
    seed = _check_int("seed", _SESSION_SEED[0] if seed is None else seed, 0)
    if not callable(remainder):
        raise ValidationError(f"remainder={remainder!r} must be a function of h (or of *args, h)")
    if not callable(scale) and not (isinstance(scale, (int, float)) and scale >= 0):
        raise ValidationError(f"scale={scale!r} must be a non-negative number or a function of h")
    from .checks import AsymptoticCheck  # noqa: PLC0415 (SymPy, loaded on first use)
    from .model import Formula, Profile, RunContext  # noqa: PLC0415

    def one(args, h):
        out = remainder(*args, h)
        floor = 0.0
        if isinstance(out, tuple) and len(out) == 2:
            out, floor = out
            floor = float(floor)
        return float(np.max(np.abs(_to_numpy(out, "remainder")), initial=0.0)), floor

    def ladder(candidate, point, hs):
        args = _raw_args(point)
        r, fl = np.empty(len(hs)), np.empty(len(hs))
        for k, h in enumerate(np.asarray(hs, dtype=float) * h0):
            r[k], own = one(args, h)
            rp, _ = one(args, h * (1 + _PROBE))
            rm, _ = one(args, h * (1 - _PROBE))
            noise = abs(rp + rm - 2 * r[k])
            sc = float(scale(h)) if callable(scale) else float(scale)
            fl[k] = max(own, 100 * EPS * sc, noise)
        return r, fl

    check = AsymptoticCheck(remainder=ladder, strategy=lambda: None, order=p, steps=steps,
                            max_steps=max_steps)
    kind = "check_order"
    mode, src = source
    rule = f"converged slope >= {p:g} - {_tolerance_key('asymptotic.slope').atol:g}"
    if mode == "points":
        results = [(pt, *check.slope_at(Formula(""), pt)) for pt in src]
        decided = [r for r in results if r[2]["decided"]]
        worst = max(results, key=lambda r: r[1])
        failed = worst[1] > 1
        undecided = not failed and len(decided) < _min_decided() * len(results)
        pick = worst if (failed or not undecided) else next(r for r in results if not r[2]["decided"])
        info = _order_info(pick[2], pick[1])
        return _finish(kind, failed, pick[0], info, len(results), False, seed, t0,
                       method="", rule=rule, labels=("claimed order", "converged slope"), undecided=undecided)
    ctx = RunContext(seed=seed, profile=Profile("api", max_examples, 0.0, 0), check_steps=False)
    check = AsymptoticCheck(remainder=ladder, strategy=lambda: src, order=p, steps=steps, max_steps=max_steps)
    ev = check.run(Formula("", numeric=lambda *a: None), ctx, label="check_order")
    if ev.verdict == "error":
        raise CheckError(f"check_order could not run: {ev.details.get('error', ev.method)}")
    cx = ev.counterexample or {}
    if ev.verdict == "refuted":
        info = _order_info(cx, ev.worst_ratio)
        return _finish(kind, True, cx.get("point"), info, ev.points, True, seed, t0,
                       method="", rule=rule, labels=("claimed order", "converged slope"))
    if ev.verdict == "undecided":
        ex = dict(ev.details.get("undecided_example") or {})
        info = _order_info(ex, 0.0)
        info["points_undecided"] = ev.details.get("points_undecided")
        return _finish(kind, False, ex.get("point"), info, ev.points, False, seed, t0,
                       method="", rule=rule, labels=("claimed order", "converged slope"), undecided=True)
    info = {k: v for k, v in ev.details.items() if k in ("slope", "local_slopes", "depth",
                                                           "points_undecided", "points_below_roundoff_floor")}
    info["ratio"] = ev.worst_ratio
    return _finish(kind, False, None, info, ev.points, False, seed, t0,
                   method="", rule=rule, labels=("claimed order", "converged slope"))


def _min_decided():
    from .tolerances import ASYMPTOTIC_MIN_DECIDED

    return ASYMPTOTIC_MIN_DECIDED


def _order_info(info: dict, ratio) -> dict:
    out = {"ratio": ratio, "slope": info.get("slope"), "local_slopes": info.get("local_slopes"),
           "depth": info.get("depth")}
    if info.get("error") is not None:
        out["error"] = info["error"]
        out["tolerance"] = info.get("tolerance")
    if info.get("below_floor"):
        out["below_floor"] = "the remainder is below its roundoff floor at every step"
    if info.get("undecided"):
        out["undecided"] = info["undecided"]
    if info.get("expected_order") is not None:
        out["claimed"] = info.get("expected_order")
        out["reference"] = info.get("slope")
    return {k: v for k, v in out.items() if v is not None}


# ---------------------------------------------------------------------------
# expectation
# ---------------------------------------------------------------------------


def check_expectation(samples_or_enumeration, value, *, weights=None, bounds=None,
                      false_failure: float = 1e-6, samples: int = 100_000, seed: int | None = None,
                      tolerance=None) -> CheckEvidence:
    r"""Check that an expectation equals ``value`` (a number or an array, entrywise).

    * **Enumeration** (exact): ``samples_or_enumeration`` is an array of the outcomes'
      values (first axis: outcomes) and ``weights`` their probabilities (default:
      uniform). The mean is compared with ``identity.float64`` tolerance.
    * **Sampler** (Monte Carlo): a function ``sampler(rng, n)`` returning ``n`` i.i.d.
      draws (first axis) from ``rng`` (a seeded :class:`numpy.random.Generator`), all
      within the a-priori ``bounds=(lo, hi)``. The allowance is the finite-sample radius
      of :func:`verify.stats.mean_radius` (the smaller of Hoeffding and empirical
      Bernstein) at false-failure rate ``false_failure`` (split over the entries),
      plus the float64 tolerance. A discrepancy larger than twice the allowance (the
      ``detectable`` figure) is refuted with probability at least 1 - ``false_failure``.

    >>> import numpy as np, verify
    >>> verify.check_expectation(np.arange(1, 7), 3.5).verdict          # a fair die
    'consistent'
    >>> ev = verify.check_expectation(lambda rng, n: rng.random(n) ** 2, 1 / 3, bounds=(0, 1))
    >>> ev.verdict, ev.details["detectable"] < 0.02
    ('consistent', True)
    """
    t0 = time.perf_counter()
    seed = _check_int("seed", _SESSION_SEED[0] if seed is None else seed, 0)
    samples = _check_int("samples", samples, 2)
    if not (isinstance(false_failure, float) and 0 < false_failure < 1):
        raise ValidationError(f"false_failure={false_failure!r} must be a float in (0, 1), e.g. 1e-6")
    tol = _tolerance(tolerance, "identity.float64")
    claimed = _point_array(value, "value")
    if callable(samples_or_enumeration):
        if weights is not None:
            raise ValidationError("weights= applies to an enumeration; a sampler's draws are equally "
                                  "weighted (drop weights=, or pass the outcomes as an array)")
        if bounds is None:
            raise ValidationError("a sampler needs bounds=(lo, hi), an a-priori range of every draw: "
                                  "the confidence radius is finite-sample (Hoeffding / empirical "
                                  "Bernstein) and needs it")
        lo, hi = (_point_array(b, f"bounds[{i}]") for i, b in enumerate(bounds))
        rng = np.random.default_rng(seed)
        x = _to_numpy(samples_or_enumeration(rng, samples), "sampler")
        if x.shape[:1] != (samples,):
            raise ValidationError(f"sampler(rng, n={samples}) returned shape {x.shape}; the first axis "
                                  "must hold the n draws")
        x = x.reshape(samples, -1)
        from .stats import mean_radius

        k = x.shape[1]
        lo_k, hi_k = np.broadcast_to(lo, claimed.shape).ravel() if lo.ndim else np.full(k, float(lo)), \
            np.broadcast_to(hi, claimed.shape).ravel() if hi.ndim else np.full(k, float(hi))
        mean = x.mean(axis=0)
        radius = np.array([mean_radius(x[:, j], float(lo_k[j]), float(hi_k[j]), delta=false_failure / k)
                           for j in range(k)])
        how = f"Monte Carlo, {samples} draws, radius at false-failure rate {false_failure:g}"
    else:
        x = _to_numpy(samples_or_enumeration, "samples_or_enumeration")
        if x.ndim == 0 or x.shape[0] == 0:
            raise ValidationError("the enumeration must be a non-empty array of outcomes' values (first "
                                  "axis: outcomes)")
        n = x.shape[0]
        w = np.full(n, 1.0 / n) if weights is None else _point_array(weights, "weights")
        if w.shape != (n,) or np.any(w < 0) or abs(w.sum() - 1) > 1e-12:
            raise ValidationError(f"weights must be {n} non-negative probabilities summing to 1 "
                                  f"(got shape {w.shape}, sum {w.sum()!r})")
        x = x.reshape(n, -1)
        mean = w @ x
        radius = np.zeros(mean.shape)
        how = f"exact enumeration of {n} outcomes"
    if claimed.size != mean.size:
        raise ValidationError(f"value has {claimed.size} entries but each outcome has {mean.size}")
    c = claimed.ravel()
    scale = np.maximum(np.abs(x).max(axis=0), np.abs(c))
    allowed = radius + tol.rtol * np.abs(mean) + tol.atol * scale
    error = np.abs(c - mean)
    ratios = np.where(error == 0, 0.0, error / np.maximum(allowed, np.finfo(float).tiny))
    j = int(np.argmax(ratios))
    info = {"entry": tuple(int(a) for a in np.unravel_index(j, claimed.shape)) if claimed.ndim else None,
            "claimed": float(c[j]), "reference": float(mean[j]), "error": float(error[j]),
            "tolerance": float(allowed[j]), "ratio": float(ratios[j]),
            "radius": float(radius[j]), "detectable": float(2 * allowed.max())}
    return _finish("check_expectation", bool(ratios[j] > 1), None, info, 1, False, seed, t0, method=how,
                   rule=f"radius + {tol.rtol:g} |mean| + {tol.atol:g} max|x|", labels=("claimed", "expectation"))
