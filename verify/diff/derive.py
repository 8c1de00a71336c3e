r"""Symbolic differentiation: the parsed function as a matrix expression DAG, then reverse mode
(gradient of a scalar: :math:`df = \operatorname{tr}(\bar X^\top dX)`) or forward mode (Jacobian
:math:`\partial\operatorname{vec}f/\partial\operatorname{vec}(x)^\top`), with the rules of :mod:`.rules`.

>>> from .symbols import parse_symbols
>>> d = derive("log(det(X))", "X", parse_symbols('X = "invertible matrix n x n"'))
>>> d.plain
'inv(X).T'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from ..answers import language as L
from . import expr as E
from .parse import parse_function
from .rules import FORWARD, REVERSE, NotDerivable, rule_for
from .symbols import SCALAR, DiffDomain, labels_of, parse_domain, shape_of

__all__ = ["Derivation", "derive", "to_ir", "gradient", "jacobian", "DiffInputError", "infer_domains"]


class DiffInputError(ValueError):
    """The function, the variable or the symbols are unusable (exit 2)."""


@dataclass
class Derivation:
    function: str
    wrt: str
    domains: dict
    order: int
    node: object  #: the parsed function (answer-language AST)
    f: object  #: the function as a matrix expression
    result: object  #: the derivative as a matrix expression
    kind: str  #: gradient | jacobian | hessian | derivative
    rules: list = field(default_factory=list)  #: rule keys used, in order of first use

    @property
    def plain(self) -> str:
        return E.plain(self.result)

    @property
    def latex(self) -> str:
        return E.latex(self.result)


# --- undeclared symbols ---------------------------------------------------------------------------------

_SQUARE_ARG = ("det", "inv", "logdet", "trace", "matrix_power", "pinv")
_VECTOR_ARG = ("softmax", "logsumexp", "norm")


def infer_domains(node, declared: dict, wrt: str) -> dict:
    """Domains for undeclared symbols from their use: the argument of det/inv/logdet/trace/matrix_power
    is a square matrix ``n x n``; of softmax/logsumexp/norm a vector ``n``; with no array anywhere, a
    symbol is real. Anything else must be declared."""
    used = sorted(L.free_symbols(node))
    implied = {}

    def visit(n, parent=None):
        if isinstance(n, L.Sym) and n.name not in declared and parent is not None:
            if parent in _SQUARE_ARG:
                implied.setdefault(n.name, set()).add("matrix n x n")
            elif parent in _VECTOR_ARG:
                implied.setdefault(n.name, set()).add("vector n")
        for f in getattr(n, "__dataclass_fields__", {}):
            v = getattr(n, f)
            for item in (v if isinstance(v, tuple) else (v,)):
                if isinstance(item, L.Node):
                    visit(item, n.func if isinstance(n, L.Call) else None)

    visit(node)
    out = dict(declared)
    any_array = any(d.kind != "real" for d in declared.values()) or bool(implied) or \
        any(isinstance(n, L.MatMul) or isinstance(n, L.Transpose) for n in _nodes(node))
    for name in used:
        if name in out:
            continue
        kinds = implied.get(name, set())
        if len(kinds) > 1:
            raise DiffInputError(f"symbol {name!r}: its use implies {' and '.join(sorted(kinds))}; declare it "
                                 f"with --symbols '{name} = \"...\"'")
        if kinds:
            out[name] = parse_domain(kinds.pop(), name=name)
        elif not any_array:
            out[name] = DiffDomain("real")
        else:
            raise DiffInputError(f"symbol {name!r} is not declared and its use does not say what it is; declare "
                                 f"it, e.g. --symbols '{name} = \"vector n\"' or '{name} = \"matrix n x n\"'")
    return out


def _nodes(n):
    yield n
    for f in getattr(n, "__dataclass_fields__", {}):
        v = getattr(n, f)
        for item in (v if isinstance(v, tuple) else (v,)):
            if isinstance(item, L.Node):
                yield from _nodes(item)


# --- AST -> matrix expression -------------------------------------------------------------------------

def _numeric(n):
    """The exact value of a constant number node, else None."""
    if isinstance(n, L.Num):
        return Fraction(n.value)
    if isinstance(n, L.Neg):
        v = _numeric(n.a)
        return None if v is None else -v
    if isinstance(n, L.Div):
        a, b = _numeric(n.a), _numeric(n.b)
        return None if a is None or b is None or b == 0 else a / b
    return None


def _broadcast(a, b, what):
    if a.shape == b.shape:
        return a, b
    if E.is_scalar(a):
        return E.smul(a, E.ones(b.shape)), b
    if E.is_scalar(b):
        return a, E.smul(b, E.ones(a.shape))
    raise DiffInputError(f"{what}: shapes {E._shape_text(a.shape)} and {E._shape_text(b.shape)} do not match")


def to_ir(node, domains: dict):
    """The matrix expression of a parsed function (shapes checked)."""
    labels = set(labels_of(domains))
    leaves = {}
    for name, d in domains.items():
        if d.flavour == "identity":
            leaves[name] = E.eye(shape_of(d)[0])
        else:
            leaves[name] = E.sym(name, shape_of(d), symmetric=d.flavour in ("symmetric", "positive definite", "diagonal nonnegative",
                                                                             "diagonal"))

    def dim_arg(n):
        if isinstance(n, L.Sym) and n.name in labels and n.name not in domains:
            return (n.name,)
        v = _numeric(n)
        if v is not None and v == int(v) and v >= 1:
            return () if v == 1 else (str(int(v)),)
        raise DiffInputError(f"{L.unparse(n)}: a size must be a size label (such as n) or a positive integer")

    def go(n):
        if isinstance(n, L.Num):
            return E.num(n.value)
        if type(n).__name__ == "Const" or (isinstance(n, L.Call) and n.func == "pi"):
            if getattr(n, "name", "pi") != "pi":
                raise DiffInputError(f"the constant {n.name} is not supported")
            return E.const_pi()
        if isinstance(n, L.Sym):
            if n.name in leaves:
                return leaves[n.name]
            if n.name in labels:
                return E.dimension((n.name,))
            raise DiffInputError(f"symbol {n.name!r} has no domain")
        if isinstance(n, L.Neg):
            return E.neg(go(n.a))
        if isinstance(n, L.Transpose):
            return E.T(go(n.a))
        if isinstance(n, (L.Add, L.Sub)):
            a, b = _broadcast(go(n.a), go(n.b), L.unparse(n))
            return E.add(a, b) if isinstance(n, L.Add) else E.sub(a, b)
        if isinstance(n, L.Mul):
            a, b = go(n.a), go(n.b)
            if E.is_scalar(a) or E.is_scalar(b):
                return E.smul(a, b)
            if a.shape != b.shape:
                raise DiffInputError(f"{L.unparse(n)}: '*' is element-wise; shapes {E._shape_text(a.shape)} and "
                                     f"{E._shape_text(b.shape)} differ (write @ for the matrix product)")
            return E.had(a, b)
        if isinstance(n, L.Div):
            a, b = go(n.a), go(n.b)
            if E.is_scalar(b):
                return E.smul(E.hpow(b, -1), a)
            if E.is_scalar(a):
                return E.smul(a, E.hpow(b, -1))
            a, b = _broadcast(a, b, L.unparse(n))
            return E.had(a, E.hpow(b, -1))
        if isinstance(n, L.MatMul):
            a, b = go(n.a), go(n.b)
            if E.is_scalar(a) or E.is_scalar(b):
                return E.smul(a, b)
            if a.shape[1] != b.shape[0]:
                raise DiffInputError(f"{L.unparse(n)}: matrix product of {E._shape_text(a.shape)} and "
                                     f"{E._shape_text(b.shape)}")
            return E.mm(a, b)
        if isinstance(n, L.Pow):
            a, p = go(n.a), _numeric(n.b)
            if p is None:
                b = go(n.b)
                if not (E.is_scalar(a) and E.is_scalar(b)):
                    raise DiffInputError(f"{L.unparse(n)}: a symbolic exponent needs a scalar base and exponent")
                return E.fn("exp", E.smul(b, E.fn("log", a)))
            if a.shape[0] != () and a.shape[1] != ():
                if p != int(p):
                    raise DiffInputError(f"{L.unparse(n)}: a matrix power needs an integer exponent")
                return E.mpow(a, int(p)) if p >= 0 else E.mpow(E.inv(a), -int(p))
            return E.hpow(a, p)
        if isinstance(n, L.Call):
            return call(n)
        raise DiffInputError(f"{type(n).__name__} is not supported by verify diff")

    def call(n):
        f = n.func
        if f == "eye":
            return E.eye(dim_arg(n.args[0]))
        if f == "ones":
            dims = [dim_arg(a) for a in n.args]
            return E.ones((dims[0], dims[1] if len(dims) > 1 else ()))
        if f in ("max", "min"):
            raise NotDerivable(f"{f}(...) is not differentiable everywhere; no rule covers it")
        args = [go(a) for a in n.args]
        x = args[0]
        try:
            if f in ("exp", "log", "sin", "cos", "tanh", "sigmoid", "abs", "sign", "tan", "sinh", "cosh", "atan",
                     "asin", "acos"):
                return E.fn(f, x)
            if f == "sqrt":
                return E.hpow(x, Fraction(1, 2))
            if f == "det":
                return E.det(x)
            if f == "logdet":
                return E.logdet(x)
            if f == "inv":
                return E.inv(x)
            if f == "trace":
                return E.tr(x)
            if f == "sum":
                return E.total(x)
            if f == "pinv":
                return E.pinv(x)
            if f in ("softmax", "logsumexp", "norm"):
                if f != "norm" and x.shape[1] != ():
                    raise DiffInputError(f"{f}(...) needs a vector")
                return {"softmax": E.softmax, "logsumexp": E.lse, "norm": E.norm}[f](x)
            if f == "diag":
                return E.diag(x) if x.shape[1] == () else E.dvec(x)
            if f == "kron":
                return E.kron(x, args[1])
            if f == "matrix_power":
                k = _numeric(n.args[1])
                if k is None or k != int(k):
                    raise DiffInputError("matrix_power(A, k) needs an integer k")
                return E.mpow(x, int(k)) if k >= 0 else E.mpow(E.inv(x), -int(k))
        except ValueError as exc:
            if isinstance(exc, (NotDerivable, DiffInputError)):
                raise
            raise DiffInputError(f"{L.unparse(n)}: {exc}") from None
        raise DiffInputError(f"{f}(...) is not supported by verify diff")

    return go(node)


# --- reverse and forward mode ---------------------------------------------------------------------------

def _deps(f, wrt):
    dep = set()
    for n in E.walk(f):
        if (n.op == "sym" and n.data[0] == wrt) or any(a in dep for a in n.args):
            dep.add(n)
    return dep


def gradient(f, wrt_leaf, wrt, used: list):
    """The adjoint of ``wrt`` for the scalar ``f`` (shape of the variable)."""
    if not E.is_scalar(f):
        raise ValueError("gradient of a non-scalar")
    dep = _deps(f, wrt)
    if f not in dep:
        return E.zero(wrt_leaf.shape)
    order = [n for n in E.walk(f) if n in dep]
    adj = {f: E.num(1)}
    for n in reversed(order):
        G = adj.pop(n, None) if n.op != "sym" else adj.get(n)
        if G is None or n.op == "sym":
            continue
        rule = rule_for(REVERSE, n)
        key = n.op if n.op != "fn" else f"fn:{n.data}"
        if key not in used:
            used.append(key)
        for i, a in enumerate(n.args):
            if a not in dep:
                continue
            share = rule.apply(n, G, i)
            if share.shape != a.shape:
                if E.is_scalar(a):
                    share = E.total(share)
                else:  # pragma: no cover (a rule bug)
                    raise AssertionError(f"rule {key} gave {share.shape} for {a.shape}")
            adj[a] = E.add(adj[a], share) if a in adj else share
    return adj.get(wrt_leaf, E.zero(wrt_leaf.shape))


def jacobian(f, wrt_leaf, wrt, used: list):
    """d vec(f) / d vec(x)^T."""
    wdim = E._dmul(wrt_leaf.shape[0], wrt_leaf.shape[1])
    dep = _deps(f, wrt)
    memo = {}
    for n in E.walk(f):
        if n not in dep:
            continue
        if n.op == "sym":
            memo[n] = E.eye(wdim)
            continue
        fdim = E._dmul(n.shape[0], n.shape[1])
        if E.is_scalar(n) and n.op not in ("smul", "hpow", "fn", "add", "mm", "had"):
            g = gradient(n, wrt_leaf, wrt, used)
            memo[n] = E.T(E.vec(g))
            continue
        rule = rule_for(FORWARD, n)
        key = "J:" + (n.op if n.op != "fn" else f"fn:{n.data}")
        if key not in used:
            used.append(key)
        Js = [memo.get(a) if a in dep else None for a in n.args]
        J = rule.apply(n, Js, wdim)
        memo[n] = J if J is not None else E.zero((fdim, wdim))
    return memo.get(f, E.zero((E._dmul(f.shape[0], f.shape[1]), wdim)))


def _check_language(e):
    for n in E.walk(e):
        if n.op == "vec":
            raise NotDerivable("the result needs vec(.) of a matrix, which the answer language does not have")


def derive(function: str, wrt: str, domains: dict, *, order: int = 1) -> Derivation:
    """Parse and differentiate; raises :class:`DiffInputError` or :class:`NotDerivable`."""
    if not isinstance(wrt, str) or not wrt.isidentifier():
        raise DiffInputError(f"wrt={wrt!r} must be a symbol name")
    if order not in (1, 2):
        raise DiffInputError(f"order={order!r} must be 1 or 2")
    labels = set(labels_of(domains)) | {"n", "m", "p", "q", "k"}
    node = _parse(function, domains, wrt, labels)
    names = L.free_symbols(node) - (labels - set(domains))
    domains = infer_domains(_only(node, names), {k: v for k, v in domains.items()}, wrt)
    if wrt not in domains:
        domains[wrt] = DiffDomain("real")
    if wrt not in L.free_symbols(node):
        pass  # the derivative is zero; still a valid question
    f = to_ir(node, domains)
    leaf = next((n for n in E.walk(f) if n.op == "sym" and n.data[0] == wrt), None)
    d = domains[wrt]
    if d.flavour == "identity":
        raise DiffInputError(f"{wrt} is declared an identity matrix: it is a constant")
    if d.flavour == "integer":
        raise DiffInputError(f"{wrt} is declared {d.text()!r}: a derivative is taken with respect to a real "
                             "symbol, a vector or a matrix, not an integer")
    if leaf is None:
        leaf = E.sym(wrt, shape_of(d), symmetric=d.flavour in ("symmetric", "positive definite", "diagonal", "diagonal nonnegative"))
    used: list = []
    if order == 2:
        if not E.is_scalar(f) or leaf.shape[1] != ():
            raise DiffInputError("--order 2 is the Hessian of a scalar function of a vector (or a scalar)")
        g = gradient(f, leaf, wrt, used)
        result, kind = jacobian(g, leaf, wrt, used), "hessian"
    elif E.is_scalar(f):
        result = gradient(f, leaf, wrt, used)
        kind = "derivative" if E.is_scalar(leaf) else "gradient"
    else:
        result, kind = jacobian(f, leaf, wrt, used), "jacobian"
    _check_language(result)
    return Derivation(function, wrt, domains, order, node, f, result, kind, used)


def derive_layout(function: str, wrt: str, domains: dict, *, order: int = 1) -> Derivation:
    """The parsed function, its domains and the derivative's kind, without deriving (for checking a
    candidate derivative whose derivation may be out of the rules' reach)."""
    labels = set(labels_of(domains)) | {"n", "m", "p", "q", "k"}
    node = _parse(function, domains, wrt, labels)
    domains = infer_domains(node, dict(domains), wrt)
    domains.setdefault(wrt, DiffDomain("real"))
    f = to_ir(node, domains)
    wshape = shape_of(domains[wrt])
    if order == 2:
        kind = "hessian"
    elif E.is_scalar(f):
        kind = "derivative" if wshape == SCALAR else "gradient"
    else:
        kind = "jacobian"
    return Derivation(function, wrt, domains, order, node, f, None, kind, [])


def _parse(function, domains, wrt, labels):
    """Parse with the declared names, the size labels and every other plain name in the text (an
    undeclared symbol gets the domain its use implies, or an error naming it)."""
    import re

    from .parse import DIFF_FUNCTIONS

    if not isinstance(function, str):
        raise DiffInputError(f"the function must be a string, got {type(function).__name__}")
    extra = {w for w in re.findall(r"(?<![\w.])([A-Za-z]\w*)", function)
             if w not in DIFF_FUNCTIONS and w not in ("E", "O", "pi", "T")}
    try:
        return parse_function(function, set(domains) | {wrt} | labels | extra)
    except L.AnswerError as exc:
        raise DiffInputError(str(exc)) from None


def _only(node, names):
    return node
