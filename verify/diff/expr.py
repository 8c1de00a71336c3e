r"""Matrix expressions in matrix notation: immutable nodes with symbolic shapes, simplifying constructors.

A node is ``M(op, args, shape, data)``; equal nodes are equal objects for hashing, so a derivative is a
DAG whose shared subexpressions are found by a dict. Constructors (:func:`add`, :func:`mm`,
:func:`smul`, :func:`had`, :func:`T`, :func:`inv`, ...) apply the simplifications a reader expects:
``(X^{-1})^{-1} = X``, ``X^{-1} X = I``, ``(A \otimes B)(C \otimes D) = AC \otimes BD``, ``x^\top a`` collected
with ``a^\top x`` is not attempted (they print as written), numeric coefficients collected, scalar
powers merged (``\det X \cdot (\det X)^{-1} = 1``), transposes pushed to the leaves except over an
inverse (``X^{-\top}`` prints as ``inv(X).T``).

Shapes are pairs of dimensions; a dimension is a sorted tuple of size labels (``()`` is 1).

>>> X = sym("X", (("n",), ("n",)))
>>> mm(inv(X), X) == eye(("n",))
True
>>> plain(T(inv(T(X))))
'inv(X)'
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

__all__ = ["M", "SCALAR", "sym", "num", "zero", "eye", "ones", "add", "neg", "sub", "smul", "mm", "had", "hpow",
           "fn", "T", "inv", "det", "logdet", "tr", "total", "kron", "diag", "dvec", "softmax", "lse", "norm",
           "mpow", "pinv", "vec", "dimension", "plain", "latex", "is_zero", "is_scalar", "inner", "walk",
           "depends_on", "NotInLanguage"]

SCALAR = ((), ())


class NotInLanguage(ValueError):
    """The result needs an operation the answer language does not have (vec of a matrix)."""


@dataclass(frozen=True)
class M:
    op: str
    args: tuple
    shape: tuple
    data: object = None

    def __repr__(self):
        return f"M<{plain(self)} : {_shape_text(self.shape)}>"


def _dim_text(d) -> str:
    return "*".join(d) if d else "1"


def _shape_text(s) -> str:
    return f"{_dim_text(s[0])} x {_dim_text(s[1])}"


def _dmul(a, b):
    return tuple(sorted(a + b))


def is_scalar(e) -> bool:
    return e.shape == SCALAR


def is_zero(e) -> bool:
    return e.op == "zero" or (e.op == "num" and e.data == 0)


# --- leaves ---------------------------------------------------------------------------------------

def sym(name, shape, *, symmetric=False):
    return M("sym", (), shape, (name, bool(symmetric)))


def num(v):
    if isinstance(v, float) and v == int(v):
        v = int(v)
    return M("num", (), SCALAR, Fraction(v) if not isinstance(v, float) else v)


ONE = num(1)


def const_pi():
    return M("pi", (), SCALAR)


def dimension(d):
    """The number ``prod(labels)`` as a scalar (``tr(I_n) = n``)."""
    return ONE if not d else M("dim", (), SCALAR, tuple(d))


def zero(shape):
    return num(0) if shape == SCALAR else M("zero", (), shape)


def eye(d):
    return ONE if not d else M("eye", (), (d, d))


def ones(shape):
    return ONE if shape == SCALAR else M("ones", (), shape)


# --- sums and products -----------------------------------------------------------------------------

def _split_coef(t):
    """(coefficient, rest) with rest free of a numeric coefficient."""
    if t.op == "num":
        return t.data, ONE
    if t.op == "smul":
        rest = t.args
        return t.data, (rest[0] if len(rest) == 1 else M("smul", rest, t.shape, Fraction(1)))
    return Fraction(1), t


def add(*terms):
    flat = []
    for t in terms:
        flat.extend(t.args if t.op == "add" else (t,))
    shape = flat[0].shape if flat else SCALAR
    for t in flat:
        if t.shape != shape:
            raise ValueError(f"add: shapes {_shape_text(shape)} and {_shape_text(t.shape)} differ")
    coefs = {}
    for t in flat:
        if is_zero(t):
            continue
        c, rest = _split_coef(t)
        coefs[rest] = coefs.get(rest, 0) + c
    out = [smul(num(c), rest) for rest, c in coefs.items() if c != 0]
    out.sort(key=lambda t: _split_coef(t)[0] < 0)  # positive terms first (stable)
    if not out:
        return zero(shape)
    return out[0] if len(out) == 1 else M("add", tuple(out), shape)


def neg(a):
    return smul(num(-1), a)


def sub(a, b):
    return add(a, neg(b))


def _scalar_factors(x):
    """(coef, scalar factors, array or None) of a node."""
    if x.op == "num":
        return x.data, [], None
    if x.op == "smul":
        last = x.args[-1]
        if is_scalar(last):
            return x.data, list(x.args), None
        return x.data, list(x.args[:-1]), last
    if is_scalar(x):
        return Fraction(1), [x], None
    return Fraction(1), [], x


def smul(s, a):
    """The scalar ``s`` times ``a`` (any shape)."""
    if not is_scalar(s):
        s, a = a, s
    if not is_scalar(s):
        raise ValueError("smul: one factor must be a scalar")
    c1, f1, a1 = _scalar_factors(s)
    c2, f2, a2 = _scalar_factors(a)
    coef = c1 * c2
    arr = a2 if a2 is not None else a1
    shape = arr.shape if arr is not None else SCALAR
    if coef == 0 or (arr is not None and arr.op == "zero"):
        return zero(shape)
    powers = {}
    for f in f1 + f2:
        if f.op == "pi" or f.op == "num":
            powers[f] = powers.get(f, 0) + 1
            continue
        base, p = (f.args[0], f.data) if f.op == "hpow" else (f, Fraction(1))
        powers[base] = powers.get(base, 0) + p
    facs = []
    for base, p in powers.items():
        if p != 0:
            facs.append(base if p == 1 else hpow(base, p))
    facs.sort(key=lambda f: (f.op == "hpow" and f.data < 0, plain(f)))
    if arr is None:
        if not facs:
            return num(coef)
        if coef == 1 and len(facs) == 1:
            return facs[0]
        return M("smul", tuple(facs), SCALAR, coef)
    if coef == 1 and not facs:
        return arr
    return M("smul", tuple(facs) + (arr,), shape, coef)


def mm(*xs):
    """Matrix product; scalar (1 x 1) operands scale."""
    flat = []
    for x in xs:
        flat.extend(x.args if x.op == "mm" else (x,))
    scal, mats = ONE, []
    for x in flat:
        c, fs, arr = _scalar_factors(x)
        if fs or c != 1 or arr is None:
            scal = smul(scal, smul(num(c), _prod(fs)))
        if arr is not None and arr.op == "add":
            coefs = {abs(_split_coef(t)[0]) for t in arr.args}
            c0 = next(iter(coefs))
            if len(coefs) == 1 and c0 != 1 and c0 != 0 and not isinstance(c0, float):
                scal = smul(scal, num(c0))
                arr = add(*[smul(num(Fraction(1) / c0), t) for t in arr.args])
        if arr is not None:
            mats.extend(arr.args if arr.op == "mm" else (arr,))
    if not mats:
        return scal
    for a, b in zip(mats, mats[1:]):
        if a.shape[1] != b.shape[0]:
            raise ValueError(f"matrix product of {_shape_text(a.shape)} and {_shape_text(b.shape)}")
    shape = (mats[0].shape[0], mats[-1].shape[1])
    if any(m.op == "zero" for m in mats) or is_zero(scal):
        return zero(shape)
    changed = True
    while changed and len(mats) > 1:
        changed = False
        mats = [m for m in mats if m.op != "eye"] or [eye(shape[0])]
        for i in range(len(mats) - 1):
            a, b = mats[i], mats[i + 1]
            if (a.op == "inv" and a.args[0] == b) or (b.op == "inv" and b.args[0] == a) or \
                    (a.op == "T" and b.op == "T" and (_inv_pair(a.args[0], b.args[0]))):
                mats[i:i + 2] = [eye(a.shape[0])]
                changed = True
                break
            if a.op == "diag" and b.op == "diag":
                mats[i:i + 2] = [diag(had(a.args[0], b.args[0]))]
                changed = True
                break
            pa, pb = _power_view(a), _power_view(b)
            if pa is not None and pb is not None and pa[0] == pb[0] and pa[2] == pb[2]:
                mats[i:i + 2] = [_power_build(pa[0], pa[1] + pb[1], pa[2])]
                changed = True
                break
            if a.op == "kron" and b.op == "kron" and a.args[0].shape[1] == b.args[0].shape[0] \
                    and a.args[1].shape[1] == b.args[1].shape[0]:
                mats[i:i + 2] = [kron(mm(a.args[0], b.args[0]), mm(a.args[1], b.args[1]))]
                changed = True
                break
    mats = [m for m in mats if m.op != "eye"] or [eye(shape[0])]
    if len(mats) == 1:
        prod = mats[0]
    else:
        prod = M("mm", tuple(mats), shape)
        if prod.shape == SCALAR and len(mats) == 2 and mats[1].op == "had" and mats[0].op == "T" and \
                any(x == mats[0].args[0] or (x.op == "hpow" and x.args[0] == mats[0].args[0]) for x in mats[1].args):
            return smul(scal, total(had(mats[0].args[0], mats[1])))  # u.T @ (v * w) = sum(u * v * w)
        if prod.shape == SCALAR and len(mats) == 2 and mats[0].op == "T" and mats[1].op != "T" \
                and plain(mats[1]) < plain(mats[0].args[0]):
            prod = M("mm", (T(mats[1]), mats[0].args[0]), SCALAR)  # a.T @ x and x.T @ a: one form
    return smul(scal, prod)


def _power_view(a):
    """(base, exponent, transposed) of X, X^k, X^-1, (X^-1)^k and their transposes; None otherwise."""
    t = a.op == "T"
    if t:
        a = a.args[0]
    if a.op == "mpow":
        b, k = a.args[0], a.data
    else:
        b, k = a, 1
    if b.op == "inv":
        b, k = b.args[0], -k
    if b.shape[0] != b.shape[1] or b.op in ("eye", "T", "inv", "mpow"):
        return None
    return b, k, t


def _power_build(b, k, t):
    out = eye(b.shape[0]) if k == 0 else mpow(b, k) if k > 0 else mpow(inv(b), -k)
    return T(out) if t else out


def _same_power_base(a, b):
    ba = a.args[0] if a.op == "mpow" else a
    bb = b.args[0] if b.op == "mpow" else b
    return ba == bb and ba.shape[0] == ba.shape[1]


def _inv_pair(a, b):
    return (a.op == "inv" and a.args[0] == b) or (b.op == "inv" and b.args[0] == a)


def _prod(fs):
    out = ONE
    for f in fs:
        out = smul(out, f) if out is not ONE else f
    return out


def had(*xs):
    """Element-wise (Hadamard) product of equal shapes."""
    flat = []
    for x in xs:
        flat.extend(x.args if x.op == "had" else (x,))
    scal, arrs = ONE, []
    for x in flat:
        c, fs, arr = _scalar_factors(x)
        if fs or c != 1 or arr is None:
            scal = smul(scal, smul(num(c), _prod(fs)))
        if arr is not None:
            arrs.extend(arr.args if arr.op == "had" else (arr,))
    if not arrs:
        return scal
    shape = arrs[0].shape
    if any(a.shape != shape for a in arrs):
        raise ValueError("element-wise product of different shapes")
    if any(a.op == "zero" for a in arrs):
        return zero(shape)
    powers = {}
    for a in arrs:
        if a.op == "ones":
            continue
        base, p = (a.args[0], a.data) if a.op == "hpow" else (a, Fraction(1))
        powers[base] = powers.get(base, 0) + p
    out = [b if p == 1 else hpow(b, p) for b, p in powers.items() if p != 0]
    out.sort(key=lambda f: (f.op == "hpow" and f.data < 0, plain(f)))
    core = ones(shape) if not out else (out[0] if len(out) == 1 else M("had", tuple(out), shape))
    return smul(scal, core)


def hpow(a, p):
    """Element-wise power ``a**p`` (``p`` a number)."""
    p = Fraction(p)
    if p == 1:
        return a
    if p == 0:
        return ones(a.shape)
    if a.op == "num" and isinstance(a.data, Fraction) and (p.denominator == 1):
        return num(a.data ** int(p)) if a.data != 0 or p > 0 else M("hpow", (a,), SCALAR, p)
    if a.op == "ones":
        return a
    if a.op == "hpow" and p.denominator == 1 and a.data.denominator == 1:
        return hpow(a.args[0], a.data * p)
    if p.denominator == 1 and a.op in ("smul", "had"):
        c, fs, arr = _scalar_factors(a) if a.op == "smul" else (Fraction(1), [], None)
        if a.op == "had":
            return had(*[hpow(x, p) for x in a.args])
        out = num(c ** int(p))
        for f in fs + ([arr] if arr is not None else []):
            out = smul(out, hpow(f, p)) if is_scalar(f) else smul(out, hpow(f, p))
        return out
    return M("hpow", (a,), a.shape, p)


# --- unary matrix functions -------------------------------------------------------------------------

def _is_symmetric(a) -> bool:
    if a.op == "sym":
        return a.data[1] or a.shape == SCALAR
    if a.op in ("eye", "diag", "dim", "num", "pi"):
        return True
    if a.op in ("inv", "fn", "hpow", "mpow") and a.shape[0] == a.shape[1]:
        return _is_symmetric(a.args[0]) and a.op != "fn" or (a.op in ("fn", "hpow") and _is_symmetric(a.args[0]))
    if a.op in ("add", "had"):
        return all(_is_symmetric(x) for x in a.args)
    if a.op == "smul":
        return _is_symmetric(a.args[-1])
    if a.op == "kron":
        return all(_is_symmetric(x) for x in a.args)
    if a.op == "mm" and len(a.args) == 2 and a.args[1] == T(a.args[0]):
        return True
    if a.op == "ones":
        return a.shape[0] == a.shape[1]
    return False


def T(a):
    if is_scalar(a):
        return a
    s = (a.shape[1], a.shape[0])
    if a.op == "T":
        return a.args[0]
    if a.op in ("zero", "ones"):
        return M(a.op, (), s)
    if a.op in ("eye", "diag"):
        return a
    if _is_symmetric(a):
        return a
    if a.op == "smul":
        return smul(M("smul", a.args[:-1], SCALAR, a.data) if len(a.args) > 1 else num(a.data), T(a.args[-1]))
    if a.op == "mm":
        return mm(*[T(x) for x in reversed(a.args)])
    if a.op == "had":
        return had(*[T(x) for x in a.args])
    if a.op == "fn":
        return fn(a.data, T(a.args[0]))
    if a.op == "hpow":
        return hpow(T(a.args[0]), a.data)
    if a.op == "kron":
        return kron(T(a.args[0]), T(a.args[1]))
    return M("T", (a,), s)


def inv(a):
    if a.shape[0] != a.shape[1]:
        raise ValueError(f"inv of a non-square {_shape_text(a.shape)}")
    if is_scalar(a):
        return hpow(a, -1)
    if a.op == "inv":
        return a.args[0]
    if a.op == "T":
        return T(inv(a.args[0]))
    if a.op == "eye":
        return a
    if a.op == "smul":
        c, fs, arr = _scalar_factors(a)
        return smul(hpow(smul(num(c), _prod(fs)), -1), inv(arr))
    if a.op == "diag":
        return diag(hpow(a.args[0], -1))
    if a.op == "mm" and all(x.shape[0] == x.shape[1] for x in a.args):
        return mm(*[inv(x) for x in reversed(a.args)])
    if a.op == "mpow":
        return mpow(inv(a.args[0]), a.data)
    return M("inv", (a,), a.shape)


def _square(name, a):
    if a.shape[0] != a.shape[1]:
        raise ValueError(f"{name} of a non-square {_shape_text(a.shape)}")


def det(a):
    _square("det", a)
    if is_scalar(a):
        return a
    if a.op == "T":
        return det(a.args[0])
    if a.op == "inv":
        return hpow(det(a.args[0]), -1)
    return M("det", (a,), SCALAR)


def logdet(a):
    _square("logdet", a)
    if a.op == "T":
        return logdet(a.args[0])
    return M("logdet", (a,), SCALAR)


def tr(a):
    _square("trace", a)
    if is_scalar(a):
        return a
    if a.op == "eye":
        return dimension(a.shape[0])
    if a.op == "zero":
        return num(0)
    if a.op == "T":
        return tr(a.args[0])
    if a.op == "add":
        return add(*[tr(x) for x in a.args])
    if a.op == "smul":
        return smul(M("smul", a.args[:-1], SCALAR, a.data) if len(a.args) > 1 else num(a.data), tr(a.args[-1]))
    if a.op == "mm" and a.args[0].shape[1] == ():  # tr(u ... ) with u a column: cyclic
        return mm(*(a.args[1:] + a.args[:1]))
    if a.op == "kron":
        return smul(tr(a.args[0]), tr(a.args[1]))
    if a.op == "diag":
        return total(a.args[0])
    return M("tr", (a,), SCALAR)


def total(a):
    """sum of all entries."""
    if is_scalar(a):
        return a
    if a.op == "zero":
        return num(0)
    if a.op == "ones":
        return smul(dimension(a.shape[0]), dimension(a.shape[1]))
    if a.op == "smul":
        return smul(M("smul", a.args[:-1], SCALAR, a.data) if len(a.args) > 1 else num(a.data), total(a.args[-1]))
    if a.op == "add":
        return add(*[total(x) for x in a.args])
    if a.op == "T":
        return total(a.args[0])
    if a.shape[1] == ():  # a column: 1^T a
        return M("sum", (a,), SCALAR)
    return M("sum", (a,), SCALAR)


def inner(g, a):
    r"""\sum_{ij} g_{ij} a_{ij} = tr(g^T a), in the simplest form."""
    if is_scalar(g):
        return smul(g, a) if is_scalar(a) else smul(g, total(a))
    if g.op == "ones":
        return total(a)
    if a.op == "ones":
        return total(g)
    if g.shape[1] == ():
        return mm(T(g), a)
    return tr(mm(T(g), a))


# --- element-wise and vector functions ------------------------------------------------------------------

def fn(name, a):
    if a.op == "num" and name == "exp" and a.data == 0:
        return ONE
    if name == "log" and a.op == "fn" and a.args[0].op != "num" and a.data == "exp":
        return a.args[0]
    if name == "log" and a.op == "det":
        return logdet(a.args[0])
    return M("fn", (a,), a.shape, name)


def kron(a, b):
    if is_scalar(a):
        return smul(a, b)
    if is_scalar(b):
        return smul(b, a)
    if a.op == "zero" or b.op == "zero":
        return zero((_dmul(a.shape[0], b.shape[0]), _dmul(a.shape[1], b.shape[1])))
    if a.op == "eye" and b.op == "eye":
        return eye(_dmul(a.shape[0], b.shape[0]))
    ca, fa, aa = _scalar_factors(a)
    cb, fb, bb = _scalar_factors(b)
    if fa or fb or ca != 1 or cb != 1:
        return smul(smul(num(ca * cb), _prod(fa + fb)), kron(aa, bb))
    return M("kron", (a, b), (_dmul(a.shape[0], b.shape[0]), _dmul(a.shape[1], b.shape[1])))


def diag(v):
    """The diagonal matrix of a column ``v``."""
    if v.op == "ones":
        return eye(v.shape[0])
    if v.op == "zero":
        return zero((v.shape[0], v.shape[0]))
    if is_scalar(v):
        return v
    c, fs, arr = _scalar_factors(v)
    if fs or c != 1:
        return smul(smul(num(c), _prod(fs)), diag(arr))
    return M("diag", (v,), (v.shape[0], v.shape[0]))


def dvec(a):
    """The diagonal of a square matrix, as a column."""
    if a.op == "diag":
        return a.args[0]
    if a.op == "eye":
        return ones((a.shape[0], ()))
    return M("dvec", (a,), (a.shape[0], ()))


def softmax(z):
    return M("softmax", (z,), z.shape)


def lse(z):
    return M("lse", (z,), SCALAR)


def norm(a):
    return M("norm", (a,), SCALAR)


def mpow(a, k):
    _square("matrix_power", a)
    k = int(k)
    if k == 0:
        return eye(a.shape[0])
    if k == 1:
        return a
    if k == -1:
        return inv(a)
    if a.op == "T":
        return T(mpow(a.args[0], k))
    if a.op == "mpow":
        return mpow(a.args[0], a.data * k)
    if a.op == "eye":
        return a
    return M("mpow", (a,), a.shape, k)


def pinv(a):
    return M("pinv", (a,), (a.shape[1], a.shape[0]))


def vec(a):
    """Column-major vec; of a column it is the column itself."""
    if a.shape[1] == ():
        return a
    if a.shape[0] == ():
        return T(a)
    if a.op == "zero":
        return zero((_dmul(a.shape[0], a.shape[1]), ()))
    return M("vec", (a,), (_dmul(a.shape[0], a.shape[1]), ()))


# --- traversal ---------------------------------------------------------------------------------------

def walk(e):
    """Nodes of ``e`` in a topological order (children first), each once."""
    seen, order, stack = set(), [], [(e, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        for c in reversed(node.args):
            if c not in seen:
                stack.append((c, False))
    return order


def depends_on(e, name) -> bool:
    return any(n.op == "sym" and n.data[0] == name for n in walk(e))


# --- printing ----------------------------------------------------------------------------------------

_FUNCNAME = {"inv": "inv", "det": "det", "logdet": "logdet", "tr": "trace", "sum": "sum", "softmax": "softmax",
             "lse": "logsumexp", "norm": "norm", "pinv": "pinv", "diag": "diag", "dvec": "diag", "vec": "vec"}


def _frac_text(c) -> str:
    if isinstance(c, float):
        return repr(c)
    return str(c.numerator) if c.denominator == 1 else f"{c.numerator}/{c.denominator}"


def plain(e) -> str:
    """The plain answer-language text (``@`` product, ``*`` element-wise, ``.T``)."""
    return _plain(e)[0]


def _wrap(child, prec, *, avoid=()):
    text, p = _plain(child)
    return f"({text})" if p < prec or child.op in avoid else text


def _plain(e):  # noqa: C901 (one case per op)
    op = e.op
    if op == "sym":
        return e.data[0], 9
    if op == "num":
        t = _frac_text(e.data)
        return t, (3 if t.startswith("-") else 2 if "/" in t else 9)
    if op == "pi":
        return "pi", 9
    if op == "dim":
        return _dim_text(e.data), (2 if len(e.data) > 1 else 9)
    if op == "zero":
        return f"0*{_plain(ones(e.shape))[0]}", 2
    if op == "eye":
        return f"eye({_dim_text(e.shape[0])})", 9
    if op == "ones":
        r, c = e.shape
        return (f"ones({_dim_text(r)})" if c == () else f"ones({_dim_text(r)}, {_dim_text(c)})"), 9
    if op == "add":
        parts = []
        for i, t in enumerate(e.args):
            c, rest = _split_coef(t)
            if c < 0:
                body = _wrap(smul(num(-c), rest), 2)
                parts.append(("-" if i == 0 else " - ") + body)
            else:
                parts.append(("" if i == 0 else " + ") + _plain(t)[0])
        return "".join(parts), 1
    if op == "smul":
        c = e.data
        numer, denom = [], []
        for f in e.args:
            if f.op == "hpow" and is_scalar(f) and f.data < 0:
                denom.append(hpow(f.args[0], -f.data))
            else:
                numer.append(f)
        sign = "-" if c < 0 else ""
        c = abs(c)
        cn = Fraction(c).numerator if not isinstance(c, float) else c
        cd = Fraction(c).denominator if not isinstance(c, float) else 1
        head = [] if cn == 1 else [_frac_text(cn)]
        body = head + [_wrap(f, 2, avoid=("mm",) if i < len(numer) - 1 or is_scalar(f) else ("had",))
                       for i, f in enumerate(numer)]
        text = "*".join(body) if body else "1"
        dens = ([str(cd)] if cd != 1 else []) + [_wrap(d, 9) for d in denom]
        if dens:
            text = text + "/" + (dens[0] if len(dens) == 1 else "(" + "*".join(dens) + ")")
            if numer and not is_scalar(numer[-1]) and numer[-1].op in ("mm",):
                text = "*".join(head + [_wrap(f, 9) for f in numer[:-1]] + [f"({plain(numer[-1])})"]) + "/" + \
                    (dens[0] if len(dens) == 1 else "(" + "*".join(dens) + ")")
        return sign + text, (3 if sign else 2)
    if op == "mm":
        return " @ ".join(_wrap(a, 3, avoid=("had", "smul")) for a in e.args), 2
    if op == "had":
        return "*".join(_wrap(a, 3, avoid=("mm", "smul")) for a in e.args), 2
    if op == "hpow":
        a, p = e.args[0], e.data
        if p == Fraction(1, 2):
            return f"sqrt({plain(a)})", 9
        if p == -1:
            return f"1/{_wrap(a, 9)}", 2
        if p < 0:
            return f"1/{_wrap(hpow(a, -p), 9)}", 2
        if e.shape[0] != () and e.shape[1] != () and p.denominator == 1:
            return "*".join([_wrap(a, 9)] * int(p)), 2
        return f"{_wrap(a, 9)}**{_frac_text(p) if p.denominator == 1 else '(' + _frac_text(p) + ')'}", 4
    if op == "fn":
        return f"{e.data}({plain(e.args[0])})", 9
    if op == "T":
        return f"{_wrap(e.args[0], 9)}.T", 9
    if op == "kron":
        return f"kron({plain(e.args[0])}, {plain(e.args[1])})", 9
    if op == "mpow":
        return f"matrix_power({plain(e.args[0])}, {e.data})", 9
    return f"{_FUNCNAME[op]}({plain(e.args[0])})", 9


_LFN = {"exp": r"\exp", "log": r"\log", "sin": r"\sin", "cos": r"\cos", "tanh": r"\tanh",
        "sigmoid": r"\sigma", "sign": r"\operatorname{sign}", "abs": r"\operatorname{abs}", "tan": r"\tan",
        "sinh": r"\sinh", "cosh": r"\cosh", "atan": r"\arctan", "asin": r"\arcsin", "acos": r"\arccos"}


def latex(e) -> str:
    """LaTeX (``^\\top``, ``^{-1}``, ``\\odot``, ``\\otimes``, ``\\operatorname{tr}``)."""
    return _latex(e)[0]


def _lwrap(child, prec, avoid=()):
    text, p = _latex(child)
    if prec == 9 and child.op in ("T", "inv", "mpow", "hpow", "pinv"):
        p = 4
    return f"\\left({text}\\right)" if p < prec or child.op in avoid else text


def _ldim(d):
    return " ".join(d) if d else "1"


def _latex(e):  # noqa: C901
    op = e.op
    if op == "sym":
        n = e.data[0]
        return (n if len(n) == 1 else (n[0] + "_{" + n[1:] + "}" if n[1:].isdigit() else rf"\mathrm{{{n}}}")), 9
    if op == "num":
        c = e.data
        if isinstance(c, float):
            return repr(c), 9
        if c.denominator == 1:
            return str(c.numerator), (3 if c < 0 else 9)
        return (("-" if c < 0 else "") + rf"\frac{{{abs(c.numerator)}}}{{{c.denominator}}}"), (3 if c < 0 else 2)
    if op == "pi":
        return r"\pi", 9
    if op == "dim":
        return _ldim(e.data), 2
    if op == "zero":
        return "0", 9
    if op == "eye":
        return f"I_{{{_ldim(e.shape[0])}}}", 9
    if op == "ones":
        return (r"\mathbf{1}" if e.shape[1] == () else r"\mathbf{1}\mathbf{1}^\top"), 9
    if op == "add":
        parts = []
        for i, t in enumerate(e.args):
            c, rest = _split_coef(t)
            if c < 0:
                parts.append(("-" if i == 0 else " - ") + _lwrap(smul(num(-c), rest), 2))
            else:
                parts.append(("" if i == 0 else " + ") + _latex(t)[0])
        return "".join(parts), 1
    if op == "smul":
        c = e.data
        numer, denom = [], []
        for f in e.args:
            (denom if f.op == "hpow" and is_scalar(f) and f.data < 0 else numer).append(
                hpow(f.args[0], -f.data) if f.op == "hpow" and is_scalar(f) and f.data < 0 else f)
        sign = "-" if c < 0 else ""
        c = abs(c)
        cn = c.numerator if isinstance(c, Fraction) else c
        cd = c.denominator if isinstance(c, Fraction) else 1
        top = ([str(cn)] if cn != 1 else []) + [_lwrap(f, 2, avoid=("add",)) for f in numer if is_scalar(f)]
        bottom = ([str(cd)] if cd != 1 else []) + [_lwrap(d, 2) for d in denom]
        frac = ""
        if bottom:
            frac = rf"\frac{{{' '.join(top) or '1'}}}{{{' '.join(bottom)}}}"
        else:
            frac = " ".join(top)
        arrs = [_lwrap(f, 2, avoid=("had",)) for f in numer if not is_scalar(f)]
        return sign + " ".join(x for x in [frac] + arrs if x), (3 if sign else 2)
    if op == "mm":
        return " ".join(_lwrap(a, 3, avoid=("had", "smul")) for a in e.args), 2
    if op == "had":
        return r" \odot ".join(_lwrap(a, 3, avoid=("mm", "smul")) for a in e.args), 2
    if op == "hpow":
        a, p = e.args[0], e.data
        if p == Fraction(1, 2):
            return rf"\sqrt{{{latex(a)}}}", 9
        ptxt = str(p.numerator) if p.denominator == 1 else rf"{p.numerator}/{p.denominator}"
        hat = r"^{\circ " + ptxt + "}" if not is_scalar(a) else "^{" + ptxt + "}"
        return _lwrap(a, 9) + hat, 4
    if op == "fn":
        return rf"{_LFN.get(e.data, e.data)}\left({latex(e.args[0])}\right)", 9
    if op == "T":
        a = e.args[0]
        if a.op == "inv":
            return _lwrap(a.args[0], 9) + r"^{-\top}", 9
        return _lwrap(a, 9) + r"^\top", 9
    if op == "inv":
        return _lwrap(e.args[0], 9) + "^{-1}", 9
    if op == "det":
        return rf"\det\left({latex(e.args[0])}\right)", 9
    if op == "logdet":
        return rf"\log\det\left({latex(e.args[0])}\right)", 9
    if op == "tr":
        return rf"\operatorname{{tr}}\left({latex(e.args[0])}\right)", 9
    if op == "sum":
        return rf"\mathbf{{1}}^\top {_lwrap(e.args[0], 9)}" + (r"\mathbf{1}" if e.args[0].shape[1] != () else ""), 2
    if op == "kron":
        return rf"{_lwrap(e.args[0], 3)} \otimes {_lwrap(e.args[1], 3)}", 2
    if op == "mpow":
        return _lwrap(e.args[0], 9) + f"^{{{e.data}}}", 9
    if op == "norm":
        return rf"\left\|{latex(e.args[0])}\right\|", 9
    if op == "pinv":
        return _lwrap(e.args[0], 9) + "^{+}", 9
    name = {"softmax": r"\operatorname{softmax}", "lse": r"\operatorname{LSE}", "diag": r"\operatorname{diag}",
            "dvec": r"\operatorname{diag}", "vec": r"\operatorname{vec}"}[op]
    return rf"{name}\left({latex(e.args[0])}\right)", 9
