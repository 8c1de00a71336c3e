r"""The independent witness: the parsed function evaluated from the primitive definitions (NumPy,
batched and complex-safe; mpmath at one point), and its numeric derivative.

Nothing here knows a derivative rule. Values are arrays of shape ``(batch, rows, cols)`` (a scalar is
``1 x 1``, a vector a column). ``logdet(X)`` is :math:`\log|\det X|`; ``norm`` of a vector is the
2-norm, of a matrix the spectral norm (as in the judge).
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np

from ..answers import language as L
from ..numerics import complex_step_jacobian, mp_jacobian, richardson_jacobian

__all__ = ["Oracle", "complex_safe"]

_NOT_COMPLEX_SAFE = ("abs", "sign", "max", "min", "pinv")


def complex_safe(node, domains) -> bool:
    """True when the function is analytic in its entries as written (complex step applies)."""
    for n in _walk(node):
        if isinstance(n, L.Call) and n.func in _NOT_COMPLEX_SAFE:
            return False
        if isinstance(n, L.Call) and n.func == "norm":
            return False  # the spectral norm (matrices) and |.| (scalars) are not analytic; vectors: Richardson too
    return True


def _walk(n):
    yield n
    for f in getattr(n, "__dataclass_fields__", {}):
        v = getattr(n, f)
        for item in (v if isinstance(v, tuple) else (v,)):
            if isinstance(item, L.Node):
                yield from _walk(item)


class _NP:
    mp = False

    @staticmethod
    def const(v):
        return np.array(float(v)).reshape(1, 1, 1)

    exp, log, sin, cos, tanh, sqrt = np.exp, np.log, np.sin, np.cos, np.tanh, np.sqrt
    tan, sinh, cosh, atan, asin, acos = np.tan, np.sinh, np.cosh, np.arctan, np.arcsin, np.arccos

    @staticmethod
    def det(x):
        return np.linalg.det(x)[:, None, None]

    @staticmethod
    def inv(x):
        return np.linalg.inv(x)

    @staticmethod
    def matmul(a, b):
        return a @ b


class _MP:
    mp = True

    @staticmethod
    def const(v):
        v = Fraction(v) if not isinstance(v, float) else v
        c = mpmath.mpf(v.numerator) / v.denominator if isinstance(v, Fraction) else mpmath.mpf(v)
        return np.array([[[c]]], dtype=object)

    exp = staticmethod(np.vectorize(mpmath.exp, otypes=[object]))
    log = staticmethod(np.vectorize(mpmath.log, otypes=[object]))
    sin = staticmethod(np.vectorize(mpmath.sin, otypes=[object]))
    cos = staticmethod(np.vectorize(mpmath.cos, otypes=[object]))
    tanh = staticmethod(np.vectorize(mpmath.tanh, otypes=[object]))
    sqrt = staticmethod(np.vectorize(mpmath.sqrt, otypes=[object]))
    tan = staticmethod(np.vectorize(mpmath.tan, otypes=[object]))
    sinh = staticmethod(np.vectorize(mpmath.sinh, otypes=[object]))
    cosh = staticmethod(np.vectorize(mpmath.cosh, otypes=[object]))
    atan = staticmethod(np.vectorize(mpmath.atan, otypes=[object]))
    asin = staticmethod(np.vectorize(mpmath.asin, otypes=[object]))
    acos = staticmethod(np.vectorize(mpmath.acos, otypes=[object]))

    @staticmethod
    def det(x):
        return np.array([[[mpmath.det(mpmath.matrix(m.tolist()))]] for m in x], dtype=object)

    @staticmethod
    def inv(x):
        return np.array([(mpmath.matrix(m.tolist()) ** -1).tolist() for m in x], dtype=object)

    @staticmethod
    def matmul(a, b):
        a, b = np.broadcast_arrays(a, b) if a.ndim != 3 or b.ndim != 3 else (a, b)
        return np.array([np.dot(x, y) for x, y in zip(*_bcast_batch(a, b))], dtype=object)


def _bcast_batch(a, b):
    n = max(a.shape[0], b.shape[0])
    return ([a[0]] * n if a.shape[0] == 1 else list(a)), ([b[0]] * n if b.shape[0] == 1 else list(b))


def _kind_of(d):
    return "s" if d.kind == "real" else ("v" if d.kind == "vector" else "m")


class Oracle:
    """Evaluate the parsed function ``node`` on batched instances."""

    def __init__(self, node, domains, sizes_labels):
        self.node, self.domains, self.labels = node, domains, sizes_labels

    # -- evaluation ------------------------------------------------------------------------------------
    def evaluate(self, env, sizes, *, mp=False):
        """``env``: name -> array (batch, r, c); returns (batch, r, c)."""
        return self._ev(self.node, env, sizes, _MP if mp else _NP)[0]

    def _ev(self, n, env, sizes, be):  # noqa: C901 (one case per node type)
        if isinstance(n, L.Num):
            return be.const(n.value), "s"
        if type(n).__name__ == "Const" or (isinstance(n, L.Call) and n.func == "pi"):
            return (be.const(np.pi) if not be.mp else np.array([[[+mpmath.pi]]], dtype=object)), "s"
        if isinstance(n, L.Sym):
            if n.name in self.domains:
                d = self.domains[n.name]
                if d.flavour == "identity":
                    k = sizes[d.rows]
                    return (np.eye(k)[None] if not be.mp else _to_mp(np.eye(k)[None])), "m"
                return env[n.name], _kind_of(d)
            return be.const(sizes[n.name]), "s"
        if isinstance(n, L.Neg):
            v, k = self._ev(n.a, env, sizes, be)
            return -v, k
        if isinstance(n, L.Transpose):
            v, k = self._ev(n.a, env, sizes, be)
            return np.swapaxes(v, -1, -2), {"v": "r", "r": "v"}.get(k, k)
        if isinstance(n, (L.Add, L.Sub, L.Mul, L.Div)):
            (a, ka), (b, kb) = self._ev(n.a, env, sizes, be), self._ev(n.b, env, sizes, be)
            op = {L.Add: np.add, L.Sub: np.subtract, L.Mul: np.multiply, L.Div: np.divide}[type(n)]
            with np.errstate(all="ignore"):
                return op(a, b), (kb if ka == "s" else ka)
        if isinstance(n, L.MatMul):
            (a, ka), (b, kb) = self._ev(n.a, env, sizes, be), self._ev(n.b, env, sizes, be)
            if ka == "s" or kb == "s":
                return a * b, (kb if ka == "s" else ka)
            k = {("r", "v"): "s", ("v", "r"): "m", ("m", "v"): "v", ("r", "m"): "r"}.get((ka, kb), "m")
            return be.matmul(a, b), k
        if isinstance(n, L.Pow):
            (a, ka), (b, kb) = self._ev(n.a, env, sizes, be), self._ev(n.b, env, sizes, be)
            if ka == "m":
                e = int(float(b.ravel()[0]))
                return _matrix_power(a, e, be), "m"
            with np.errstate(all="ignore"):
                if be.mp:
                    return np.vectorize(mpmath.power, otypes=[object])(a, b), ka
                return np.power(a, b), (kb if ka == "s" else ka)
        if isinstance(n, L.Call):
            return self._call(n, env, sizes, be)
        raise ValueError(f"cannot evaluate {type(n).__name__}")

    def _call(self, n, env, sizes, be):  # noqa: C901
        f = n.func
        if f == "eye":
            k = self._size(n.args[0], sizes)
            return (np.eye(k)[None] if not be.mp else _to_mp(np.eye(k)[None])), "m"
        if f == "ones":
            r = self._size(n.args[0], sizes)
            c = self._size(n.args[1], sizes) if len(n.args) > 1 else 1
            v = np.ones((1, r, c))
            return (v if not be.mp else _to_mp(v)), ("v" if len(n.args) == 1 else "m")
        vals = [self._ev(a, env, sizes, be) for a in n.args]
        x, k = vals[0]
        with np.errstate(all="ignore"):
            if f in ("exp", "log", "sin", "cos", "tanh", "sqrt", "tan", "sinh", "cosh", "atan", "asin", "acos"):
                return getattr(be, f)(x), k
            if f == "sigmoid":
                return 1 / (1 + be.exp(-x)), k
            if f == "abs":
                return (np.abs(x) if not be.mp else np.vectorize(abs, otypes=[object])(x)), k
            if f == "sign":
                return np.sign(x.real if not be.mp else x.astype(float)), k
            if f == "det":
                return be.det(x), "s"
            if f == "logdet":
                d = be.det(x)
                if be.mp:
                    return np.vectorize(lambda t: mpmath.log(abs(t)), otypes=[object])(d), "s"
                return np.log(d * np.sign(d.real)), "s"
            if f == "inv":
                return be.inv(x), "m"
            if f == "trace":
                return np.trace(x, axis1=-2, axis2=-1).reshape(-1, 1, 1), "s"
            if f == "sum":
                return x.sum(axis=(-2, -1)).reshape(-1, 1, 1), "s"
            if f == "norm":
                if k in ("v", "r", "s"):
                    s = (x * x).sum(axis=(-2, -1)).reshape(-1, 1, 1)
                    return be.sqrt(s), "s"
                if be.mp:
                    return np.array([[[max(mpmath.svd_r(mpmath.matrix(m.tolist()), compute_uv=False))]]
                                     for m in x], dtype=object), "s"
                return np.linalg.norm(x, 2, axis=(-2, -1)).reshape(-1, 1, 1), "s"
            if f in ("softmax", "logsumexp"):
                m = (x.real if not be.mp else x.astype(float)).max(axis=-2, keepdims=True)
                e = be.exp(x - m)
                s = e.sum(axis=-2, keepdims=True)
                return (e / s, k) if f == "softmax" else (m + be.log(s), "s")
            if f == "diag":
                if k == "v":
                    ident = np.eye(x.shape[-2])
                    return x * ident, "m"
                return np.diagonal(x, axis1=-2, axis2=-1)[..., None], "v"
            if f == "kron":
                y, ky = vals[1]
                B = max(x.shape[0], y.shape[0])
                x = np.broadcast_to(x, (B,) + x.shape[1:])
                y = np.broadcast_to(y, (B,) + y.shape[1:])
                out = (x[:, :, None, :, None] * y[:, None, :, None, :]).reshape(
                    B, x.shape[1] * y.shape[1], x.shape[2] * y.shape[2])
                kk = k if ky == "s" else ky if k == "s" else (k if k == ky and k in "vr" else "m")
                return out, kk
            if f == "matrix_power":
                e = int(float(vals[1][0].ravel()[0]))
                return _matrix_power(x, e, be), "m"
            if f == "pinv":
                return np.linalg.pinv(x), "m"
        raise ValueError(f"cannot evaluate {f}(...)")

    def _size(self, n, sizes):
        if isinstance(n, L.Sym):
            return sizes[n.name]
        return int(n.value)

    # -- numeric derivatives -----------------------------------------------------------------------------
    def flat_function(self, env, wrt, sizes, *, mp=False):
        """f: (b, m) -> (b, p): column-major vec of the variable in, column-major vec of the value out."""
        shape = env[wrt].shape[1:]

        def f(Z):
            Z = np.asarray(Z)
            B = Z.shape[0]
            local = dict(env)
            local[wrt] = Z.reshape(B, shape[1], shape[0]).transpose(0, 2, 1)
            out = self.evaluate(local, sizes, mp=mp)
            out = np.broadcast_to(out, (B,) + out.shape[1:])
            return out.transpose(0, 2, 1).reshape(B, -1)

        return f

    def numeric_jacobian(self, env, wrt, sizes, *, method):
        x0 = env[wrt][0].T.reshape(-1)
        f = self.flat_function(env, wrt, sizes)
        if method == "complex":
            return complex_step_jacobian(f, x0)
        return richardson_jacobian(f, x0)

    def mp_jacobian(self, env, wrt, sizes):
        """The Jacobian by central differences at 50 digits (the reference at the worst instance)."""
        x0 = env[wrt][0].T.reshape(-1)
        mp_env = {k: _to_mp(v) for k, v in env.items()}
        f = self.flat_function(mp_env, wrt, sizes, mp=True)

        def f_mp(xs):
            return list(f(np.array([xs], dtype=object))[0])

        return np.array([[float(v) for v in row] for row in mp_jacobian(f_mp, x0)])


def _to_mp(a):
    return np.vectorize(lambda t: mpmath.mpf(float(t)), otypes=[object])(np.asarray(a, dtype=float))


def _matrix_power(a, e, be):
    if not be.mp:
        return np.linalg.matrix_power(a, e)
    out = []
    for m in a:
        M = mpmath.matrix(m.tolist())
        out.append((M ** e).tolist())
    return np.array(out, dtype=object)
