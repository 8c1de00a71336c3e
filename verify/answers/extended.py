r"""Extensions of the answer language for derivations: binders, indexing, derivatives, abstract functions.

Additive: new node types (evaluated through :data:`verify.answers.evaluate.EXTENSIONS`) and a builder that
extends the whitelisting one of :mod:`verify.answers.language` (the same ``ast`` whitelist; nothing is
evaluated while parsing). New notation:

- ``E[expr, (a, p)]`` expectation over ``a ~ p`` (``p`` a probability vector, ``a`` an index from 0) or
  ``E[expr, (z, N(mu, s2))]`` (Gaussian, Gauss--Hermite quadrature at two orders); ``Var[...]``,
  ``Cov[u, v, (a, p)]``;
- ``sum(expr, (k, lo, hi))`` (``hi`` inclusive, may be ``oo``), ``prod``, ``max(expr, (s, lo, hi))``, ``min``;
- indexing ``v[i]``, ``P[s, a]`` (0-based); sequences ``V[j]`` defined by recursion;
- ``diff(expr, x)``, ``diff(expr, x, k)`` (the shape of ``expr`` followed by the shape of ``x``);
- functions ``sin cos tan tanh sigmoid softplus relu Phi phi KL softmax logsumexp dot outer diag``, ``dim(x, k)``, ``delta(i, j)`` (Kronecker),
  ``norm(x, oo)``, ``norm(x, 1)``, the constant ``pi``; abstract functions ``f(x)`` (applied elementwise).

>>> parse_extended("E[(x[a] - c)**2, (a, p)]", {"x", "p", "c"})
ExpectOver('E', (Pow(Sub(Index(Sym('x'), (Sym('a'),)), Sym('c')), Num(2)),), 'a', Sym('p'))
>>> import numpy as np
>>> env = {"x": np.array([1.0, 3.0]), "p": np.array([0.5, 0.5]), "c": 2.0}
>>> float(evaluate_extended(parse_extended("E[(x[a] - c)**2, (a, p)]", env), env))
1.0
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass

import mpmath
import numpy as np

from . import evaluate as _evaluate_module
from .evaluate import EvalError, NotScalar, RandomVariable, evaluate
from .language import FUNCTIONS as _JUDGE_FUNCTIONS
from .language import AnswerError, MAX_DEPTH, MAX_LENGTH, Node, Order, Sym, _Builder, _node, check_size

__all__ = ["Index", "Over", "ExpectOver", "Normal", "Fn", "Diff", "DiffAt", "Apply", "Seq", "Inf", "Lit", "Def", "Decl",
           "Undecidable", "Unsupported", "expand_defs",
           "SeqDef", "FAMILIES", "NEW_FUNCTIONS", "parse_extended", "parse_statement", "evaluate_extended",
           "free_vars", "contains", "substitute"]

Index = _node("Index", ["a", "idx"])  #: a[i, j]: idx a tuple of nodes
Over = _node("Over", ["kind", "body", "var", "lo", "hi"])  #: sum | prod | max | min over var in [lo, hi]
ExpectOver = _node("ExpectOver", ["kind", "bodies", "var", "dist"])  #: E | Var | Cov over var ~ dist
Normal = _node("Normal", ["mu", "s2"])
Fn = _node("Fn", ["name", "args"])  #: a function of this module (sin, Phi, KL, softmax, ...)
Diff = _node("Diff", ["body", "var", "order"])
DiffAt = _node("DiffAt", ["body", "var", "idx", "order"])  #: the derivative by one entry: diff(expr, x[j])
Apply = _node("Apply", ["name", "args"])  #: an abstract function (a family of concrete ones)
Seq = _node("Seq", ["name", "index"])  #: a term of a sequence defined by recursion
Inf = _node("Inf", [])
Lit = _node("Lit", ["value"])  #: an exact (mpmath) value bound during evaluation; never parsed
Def = _node("Def", ["name", "body"])  #: a named definition (its value memoised per values of what it reads)
Decl = _node("Decl", ["name"])  #: a declared symbol named in a parametrised definition, shadowed at the call site

NEW_FUNCTIONS = ("sin", "cos", "tan", "tanh", "sigmoid", "softplus", "relu", "Phi", "phi", "KL", "softmax",
                 "logsumexp", "dot", "outer", "diag", "dim", "delta", "zeros", "vec", "argmax", "argmin")
_ARITY = {"KL": 2, "dot": 2, "outer": 2, "dim": 2, "delta": 2, "zeros": (1, 2)}
BINDERS = ("sum", "prod", "max", "min")
MAX_TERMS = 200_000  #: a finite sum or max over more terms than this is refused


class Undecidable(ValueError):
    """The value cannot be computed reliably here (a series or a quadrature that does not settle)."""


class Unsupported(Undecidable):
    """An operation these extensions cannot evaluate (the message says which): the step is undecided."""


@dataclass(frozen=True)
class SeqDef:
    """``name[var + offset] = body`` with base cases ``bases = {n: node}``."""
    var: str
    offset: int
    body: object
    bases: tuple  #: ((n, node), ...)


# ---------------------------------------------------------------------------
# abstract function families: a step must hold for every member
# ---------------------------------------------------------------------------

def _sp(x):
    return np.logaddexp(0.0, x)


_MEMBERS = {
    "sin": (np.sin, mpmath.sin), "exp": (np.exp, mpmath.exp),
    "log(1+x^2)": (lambda x: np.log1p(x * x), lambda x: mpmath.log(1 + x * x)),
    "x^3/3-x^2/2+x/2-1": (lambda x: x ** 3 / 3 - x ** 2 / 2 + x / 2 - 1,
                          lambda x: x ** 3 / 3 - x ** 2 / 2 + x / 2 - 1),
    "x^2": (lambda x: x * x, lambda x: x * x), "softplus": (_sp, lambda x: mpmath.log(1 + mpmath.exp(x))),
    "cosh": (np.cosh, mpmath.cosh), "tanh": (np.tanh, mpmath.tanh),
    "x^3+x": (lambda x: x ** 3 + x, lambda x: x ** 3 + x), "abs": (np.abs, abs),
    "-exp": (lambda x: -np.exp(x), lambda x: -mpmath.exp(x)), "-x^2": (lambda x: -x * x, lambda x: -x * x),
    "-softplus": (lambda x: -_sp(x), lambda x: -mpmath.log(1 + mpmath.exp(x))),
    "exp(-x)": (lambda x: np.exp(-x), lambda x: mpmath.exp(-x)), "-tanh": (lambda x: -np.tanh(x), lambda x: -mpmath.tanh(x)),
    "1+x^2": (lambda x: 1 + x * x, lambda x: 1 + x * x), "2+sin": (lambda x: 2 + np.sin(x), lambda x: 2 + mpmath.sin(x)),
    "x/2-1": (lambda x: x / 2 - 1, lambda x: x / 2 - 1), "3x+1": (lambda x: 3 * x + 1, lambda x: 3 * x + 1),
}

#: property -> the concrete functions that stand for an abstract function with it
FAMILIES = {
    "smooth": ("sin", "exp", "log(1+x^2)", "x^3/3-x^2/2+x/2-1"),
    "convex": ("exp", "x^2", "softplus", "cosh"),
    "concave": ("-exp", "-x^2", "-softplus"),
    "increasing": ("exp", "tanh", "x^3+x", "softplus"),
    "decreasing": ("exp(-x)", "-tanh"),
    "1-lipschitz": ("sin", "tanh", "softplus", "abs"),
    "positive": ("exp", "1+x^2", "softplus", "2+sin"),
    "linear": ("x/2-1", "3x+1"),
}


def family(kind: str):
    """The member names of a family (``"smooth"``, ``"convex"``, ...), else :class:`AnswerError`."""
    k = " ".join(str(kind).lower().split()).replace("lipschitz", "1-lipschitz").replace("1-1-", "1-")
    if k not in FAMILIES:
        raise AnswerError(f"function kind {kind!r} is unknown; use one of: {', '.join(FAMILIES)}")
    return FAMILIES[k]


# ---------------------------------------------------------------------------
# parsing
# ---------------------------------------------------------------------------

class _ExtBuilder(_Builder):
    def __init__(self, symbols, *, functions=(), defines=None, params=None, sequences=()):
        super().__init__(symbols)
        self.functions = set(functions)
        self.defines = dict(defines or {})  # name -> node
        self.params = dict(params or {})  # name -> (param names, node)
        self.sequences = set(sequences)
        self.bound = []  # the binders in scope at the node being built (innermost last)

    def _name(self, node):
        if not isinstance(node, ast.Name):
            raise AnswerError(f"column {node.col_offset + 1}: a bound variable must be a plain name")
        if node.id in ("E", "O", "oo", "pi") or node.id in self.defines or node.id in self.functions:
            raise AnswerError(f"column {node.col_offset + 1}: {node.id!r} cannot be a bound variable")
        return node.id

    def _scoped(self, var, node, d):
        added = var not in self.symbols
        self.symbols.add(var)
        self.bound.append(var)
        try:
            return self.build(node, d)
        finally:
            self.bound.pop()
            if added:
                self.symbols.discard(var)

    def build(self, node, depth=0):  # noqa: C901 (one case per construct)
        if depth > MAX_DEPTH:
            raise AnswerError(f"nesting deeper than {MAX_DEPTH}")
        d = depth + 1
        if isinstance(node, ast.Name):
            if node.id in self.symbols:
                return Sym(node.id)
            if node.id in self.defines:
                body = self.defines[node.id]
                # a named definition is one node, evaluated once per values of what it reads (an O-term stays inline)
                return body if contains(body, Order) or isinstance(body, (Sym, Def)) else Def(node.id, body)
            if node.id == "oo":
                return Inf()
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            name = node.value.id
            items = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
            if name in ("E", "Var", "Cov") and name not in self.symbols and len(items) >= 2 \
                    and isinstance(items[-1], ast.Tuple):
                binder = items[-1].elts
                want = 2 if name == "Cov" else 1
                if len(binder) != 2 or len(items) - 1 != want:
                    raise AnswerError(f"column {node.col_offset + 1}: write {name}[expr{', expr' if want == 2 else ''}"
                                      ", (a, p)] with a probability vector p, or (z, N(mu, s2))")
                var = self._name(binder[0])
                dist = binder[1]
                if isinstance(dist, ast.Call) and isinstance(dist.func, ast.Name) and dist.func.id == "N":
                    if len(dist.args) != 2:
                        raise AnswerError(f"column {dist.col_offset + 1}: N(mu, s2) takes a mean and a variance")
                    dnode = Normal(self.build(dist.args[0], d), self.build(dist.args[1], d))
                else:
                    dnode = self.build(dist, d)
                bodies = tuple(self._scoped(var, b, d) for b in items[:-1])
                return ExpectOver(name, bodies, var, dnode)
            if name == "Var" and name not in self.symbols:
                raise AnswerError(f"column {node.col_offset + 1}: write Var[expr, (a, p)]")
            if name in self.sequences:
                if len(items) != 1:
                    raise AnswerError(f"column {node.col_offset + 1}: a sequence takes one index: {name}[j]")
                return Seq(name, self.build(items[0], d))
            if name != "E" or name in self.symbols:
                return Index(self.build(node.value, d), tuple(self.build(i, d) for i in items))
        if isinstance(node, ast.Subscript):
            items = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
            return Index(self.build(node.value, d), tuple(self.build(i, d) for i in items))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            name, args = node.func.id, node.args
            if name in BINDERS and len(args) == 2 and isinstance(args[1], ast.Tuple):
                if len(args[1].elts) != 3:
                    raise AnswerError(f"column {node.col_offset + 1}: write {name}(expr, (k, lo, hi))")
                var = self._name(args[1].elts[0])
                lo, hi = self.build(args[1].elts[1], d), self.build(args[1].elts[2], d)
                return Over(name, self._scoped(var, args[0], d), var, lo, hi)
            if name == "diff" and len(args) in (2, 3) and isinstance(args[1], ast.Subscript) \
                    and isinstance(args[1].value, ast.Name):
                var = args[1].value.id
                if var not in self.symbols:
                    raise AnswerError(f"column {node.col_offset + 1}: diff(..., {var}[...]): unknown symbol {var!r}")
                sl = args[1].slice
                items = list(sl.elts) if isinstance(sl, ast.Tuple) else [sl]
                k = 1
                if len(args) == 3:
                    if not (isinstance(args[2], ast.Constant) and type(args[2].value) is int and 1 <= args[2].value <= 4):
                        raise AnswerError(f"column {node.col_offset + 1}: the order k of diff(expr, x, k) is 1..4")
                    k = args[2].value
                return DiffAt(self.build(args[0], d), var, tuple(self.build(i, d) for i in items), k)
            if name == "diff":
                if len(args) not in (2, 3) or not isinstance(args[1], ast.Name):
                    raise AnswerError(f"column {node.col_offset + 1}: write diff(expr, x) or diff(expr, x, k)")
                k = 1
                if len(args) == 3:
                    if not (isinstance(args[2], ast.Constant) and type(args[2].value) is int and 1 <= args[2].value <= 4):
                        raise AnswerError(f"column {node.col_offset + 1}: the order k of diff(expr, x, k) is 1..4")
                    k = args[2].value
                var = args[1].id
                if var not in self.symbols:
                    raise AnswerError(f"column {node.col_offset + 1}: diff(..., {var}): unknown symbol {var!r}")
                return Diff(self.build(args[0], d), var, k)
            if name in self.functions:
                return Apply(name, tuple(self.build(a, d) for a in args))
            if name in self.params:
                names, body = self.params[name]
                if len(args) != len(names):
                    raise AnswerError(f"column {node.col_offset + 1}: {name} takes {len(names)} argument(s)")
                # the body's own names (not parameters) are the declared symbols, even under a binder of the
                # call site that reuses the name; substitute() renames the body's binders that would capture
                # a name of an argument
                shadowed = (free_vars(body) - set(names)) & set(self.bound)
                if shadowed:
                    body = substitute(body, {n: Decl(n) for n in shadowed}, into_defs=False)
                return substitute(body, {p: self.build(a, d) for p, a in zip(names, args)}, into_defs=False)
            if name in NEW_FUNCTIONS and name not in _JUDGE_FUNCTIONS:
                ar = _ARITY.get(name, 1)
                if len(args) not in (ar if isinstance(ar, tuple) else (ar,)):
                    want = " or ".join(map(str, ar)) if isinstance(ar, tuple) else ar
                    raise AnswerError(f"column {node.col_offset + 1}: {name} takes {want} argument(s)")
                return Fn(name, tuple(self.build(a, d) for a in args))
            if name == "norm" and len(args) == 2:
                return Fn("norm", (self.build(args[0], d), self.build(args[1], d)))
            if name == "N":
                raise AnswerError(f"column {node.col_offset + 1}: N(mu, s2) only appears in E[expr, (z, N(mu, s2))]")
        return super().build(node, depth)


def _precheck(text):
    if not isinstance(text, str):
        raise AnswerError(f"the expression must be a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise AnswerError(f"{len(text)} characters; at most {MAX_LENGTH} are allowed")
    if not text.strip():
        raise AnswerError("the expression is empty")
    bad = re.search(r"[^\x20-\x7e]", text)
    if bad:
        raise AnswerError(f"column {bad.start() + 1}: character {bad.group()!r} is not allowed (ASCII only)")
    depth = 0
    for i, ch in enumerate(text):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth > MAX_DEPTH:
            raise AnswerError(f"column {i + 1}: brackets nested deeper than {MAX_DEPTH}")
    try:
        return ast.parse(text.replace("^", "**").strip(), mode="eval")
    except SyntaxError as exc:
        raise AnswerError(f"column {max(exc.offset or 1, 1)}: syntax error ({exc.msg})") from None
    except (RecursionError, MemoryError, ValueError) as exc:
        raise AnswerError(f"cannot be parsed ({type(exc).__name__})") from None


def _builder(symbols, kw):
    reserved = {"E", "O", "oo"} & set(symbols)
    if reserved:
        raise AnswerError(f"symbol names {sorted(reserved)} are reserved")
    return _ExtBuilder(symbols, **kw)


def parse_extended(text: str, symbols, **kw) -> Node:
    """Parse ``text`` in the extended language (keyword options: ``functions``, ``defines``,
    ``params``, ``sequences``); the same whitelist as :func:`verify.answers.language.parse`."""
    tree = _precheck(text)
    return check_size(_builder(symbols, kw).build(tree))


_CMP = {ast.Eq: "==", ast.LtE: "<=", ast.Lt: "<", ast.GtE: ">=", ast.Gt: ">"}


def parse_statement(text: str, symbols, **kw):
    """``(op, lhs, rhs)`` for a statement ``lhs == rhs`` / ``<=`` / ``<`` / ``>=`` / ``>``."""
    tree = _precheck(text)
    body = tree.body
    if not (isinstance(body, ast.Compare) and len(body.ops) == 1 and type(body.ops[0]) in _CMP):
        raise AnswerError("a statement is written lhs == rhs, lhs <= rhs, lhs < rhs, lhs >= rhs or lhs > rhs")
    b = _builder(symbols, kw)
    return _CMP[type(body.ops[0])], check_size(b.build(body.left)), check_size(b.build(body.comparators[0]))


def _children(node):
    for f in getattr(node, "__dataclass_fields__", {}):
        v = getattr(node, f)
        for item in (v if isinstance(v, tuple) else (v,)):
            if isinstance(item, Node):
                yield f, item


def free_vars(node) -> set:
    """Free symbol names (bound variables of sums, expectations, ... excluded; a :class:`Decl` names a declared
    symbol even under a binder of its name)."""
    return _free(node) | _decls(node)


def _free(node) -> set:
    if isinstance(node, Sym):
        return {node.name}
    out = set()
    for f, child in _children(node):
        inner = _free(child)
        if isinstance(node, (Over, ExpectOver)) and f in ("body", "bodies"):
            inner.discard(node.var)
        out |= inner
    if isinstance(node, (Diff, DiffAt)):
        out.add(node.var)
    return out


def _decls(node) -> set:
    if isinstance(node, Decl):
        return {node.name}
    out = set()
    for _, child in _children(node):
        out |= _decls(child)
    return out


def contains(node, types) -> bool:
    if isinstance(node, types):
        return True
    return any(contains(c, types) for _, c in _children(node))


def expand_defs(node):
    """``node`` with every named definition (:class:`Def`) replaced by its body (for comparing trees)."""
    if isinstance(node, Def):
        return expand_defs(node.body)
    if not isinstance(node, Node) or not getattr(node, "__dataclass_fields__", None) or not contains(node, Def):
        return node
    vals = {}
    for f in node.__dataclass_fields__:
        v = getattr(node, f)
        if isinstance(v, tuple):
            vals[f] = tuple(expand_defs(x) if isinstance(x, Node) else x for x in v)
        else:
            vals[f] = expand_defs(v) if isinstance(v, Node) else v
    return type(node)(**vals)


def _fresh(var, avoid) -> str:
    k = 1
    while f"{var}_{k}" in avoid:
        k += 1
    return f"{var}_{k}"


def substitute(node, mapping: dict, *, into_defs: bool = True):
    """``node`` with free symbols replaced (``mapping``: name -> node), capture-avoiding: a binder of ``node``
    (sum, prod, max, min, E, Var, Cov) whose variable is free in a replacement is renamed to a fresh name.
    ``into_defs=False`` leaves named definitions alone (their names are the declared symbols)."""
    if isinstance(node, Def) and not into_defs:
        return node
    if isinstance(node, Sym):
        return mapping.get(node.name, node)
    if not isinstance(node, Node) or not getattr(node, "__dataclass_fields__", None):
        return node
    if isinstance(node, (Over, ExpectOver)):
        inner = {k: v for k, v in mapping.items() if k != node.var}
        bodies = (node.body,) if isinstance(node, Over) else node.bodies
        used = set().union(*(_free(b) for b in bodies))
        var = node.var
        if any(var in free_vars(v) for k, v in inner.items() if k in used):
            var = _fresh(node.var, used | set(inner) | set().union(*(free_vars(v) for v in inner.values())))
            bodies = tuple(substitute(b, {node.var: Sym(var)}) for b in bodies)
        bodies = tuple(substitute(b, inner, into_defs=into_defs) for b in bodies)
        if isinstance(node, Over):
            return Over(node.kind, bodies[0], var, substitute(node.lo, mapping, into_defs=into_defs), substitute(node.hi, mapping, into_defs=into_defs))
        return ExpectOver(node.kind, bodies, var, substitute(node.dist, mapping, into_defs=into_defs))
    if isinstance(node, (Diff, DiffAt)) and node.var in mapping:
        m = mapping[node.var]
        if not isinstance(m, Sym):
            raise AnswerError(f"diff(..., {node.var}) with {node.var} replaced by an expression: differentiate "
                              "with respect to a symbol")
        node = Diff(node.body, m.name, node.order) if isinstance(node, Diff) else \
            DiffAt(node.body, m.name, node.idx, node.order)
    vals = {}
    for f in node.__dataclass_fields__:
        v = getattr(node, f)
        if isinstance(v, tuple):
            vals[f] = tuple(substitute(x, mapping, into_defs=into_defs) if isinstance(x, Node) else x for x in v)
        elif isinstance(v, Node):
            vals[f] = substitute(v, mapping, into_defs=into_defs)
        else:
            vals[f] = v
    return type(node)(**vals)


# ---------------------------------------------------------------------------
# evaluation (registered in verify.answers.evaluate.EXTENSIONS)
# ---------------------------------------------------------------------------

def _mp(be) -> bool:
    """Is ``be`` the mpmath backend (``kind == "mp"``; older evaluators: ``mp = True``)?"""
    return getattr(be, "kind", None) == "mp" or getattr(be, "mp", False) is True


def _is_arr(x):
    return isinstance(x, np.ndarray) and x.ndim >= 1


def _mpify(x):
    if isinstance(x, np.ndarray):
        return np.vectorize(lambda v: mpmath.mpf(v) if not isinstance(v, mpmath.mpf) else v, otypes=[object])(x)
    return mpmath.mpf(x) if not isinstance(x, (mpmath.mpf, mpmath.mpc)) else x


def _elementwise(be, npf, mpf, x):
    if isinstance(x, RandomVariable):
        return RandomVariable(_elementwise(be, npf, mpf, x.values))
    if _mp(be):
        return np.vectorize(mpf, otypes=[object])(x) if isinstance(x, np.ndarray) else mpf(x)
    with np.errstate(all="ignore"):
        return npf(x)


def _as_int(v, what) -> int:
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise EvalError(f"{what} must be a number") from None
    if math.isinf(f):
        return f  # type: ignore[return-value]
    if f != round(f):
        raise EvalError(f"{what} must be an integer, got {f:g}")
    return int(round(f))


_MATRIX_CALLS = ("eye", "inv", "pinv", "matrix_power")


def _kind(node, kinds):
    """``"matrix"``, ``"vector"`` or None (a number, or not known without values) of an expression, from the
    declared kinds of its symbols (``kinds``: name -> kind): a matrix with one column stays a matrix."""
    from .language import Add, Call, Div, MatMul, Mul, Neg, Pow, Sub, Transpose

    if isinstance(node, Sym):
        return kinds.get(node.name)
    if isinstance(node, Def):
        return _kind(node.body, kinds)
    if isinstance(node, Call):
        if node.func in _MATRIX_CALLS:
            return "matrix"
        if node.func == "ones":
            return "matrix" if len(node.args) == 2 else "vector"
        if node.func == "kron":
            ks = [_kind(x, kinds) for x in node.args]
            return "matrix" if "matrix" in ks else "vector" if ks == ["vector", "vector"] else None
        if node.func == "diag":
            k = _kind(node.args[0], kinds)
            return {"vector": "matrix", "matrix": "vector"}.get(k)
        if node.func in ("exp", "log", "sqrt", "abs", "sigmoid", "softmax", "sin", "cos", "tanh", "tan"):
            return _kind(node.args[0], kinds)
        return None
    if isinstance(node, Fn):
        if node.name == "zeros":
            return "matrix" if len(node.args) == 2 else "vector"
        if node.name == "vec":
            return "vector"
        if node.name == "outer":
            return "matrix"
        if node.name == "diag":
            return {"vector": "matrix", "matrix": "vector"}.get(_kind(node.args[0], kinds))
        if node.name in _ELEMENTWISE or node.name == "softmax":
            return _kind(node.args[0], kinds)
        return None
    if isinstance(node, Apply):
        return _kind(node.args[0], kinds) if len(node.args) == 1 else None
    if isinstance(node, Transpose):
        return "matrix" if _kind(node.a, kinds) == "matrix" else None
    if isinstance(node, MatMul):
        ka, kb = _kind(node.a, kinds), _kind(node.b, kinds)
        if ka == "matrix":
            return kb if kb in ("matrix", "vector") else None
        return None
    if isinstance(node, (Add, Sub, Mul, Div, Pow)):
        ks = (_kind(node.a, kinds), _kind(node.b, kinds))
        return "matrix" if "matrix" in ks else "vector" if "vector" in ks else None
    if isinstance(node, Neg):
        return _kind(node.a, kinds)
    if isinstance(node, Index):
        return "vector" if len(node.idx) == 1 and _kind(node.a, kinds) == "matrix" else None
    if isinstance(node, Over):
        return _kind(node.body, kinds) if node.kind in ("sum", "max", "min") else None
    if isinstance(node, ExpectOver):
        return _kind(node.bodies[0], kinds) if node.kind == "E" else None
    return None


def _is_matrix(node, env) -> bool:
    """Is ``node`` (whose value has one column) a matrix, so that ``node[i]`` is its i-th row?"""
    kinds = env.get("__kinds__")
    if not kinds:
        return isinstance(node, Call) and node.func in _MATRIX_CALLS
    cache = env.setdefault("__cache__", {})
    key = ("__kind__", id(node))
    if key not in cache:
        cache[key] = (_kind(node, kinds), node)
    return cache[key][0] == "matrix"


def _ev_index(node, env, probs, be, ev):
    a = ev(node.a)
    if not _is_arr(a):
        raise EvalError("indexing a number: only vectors and matrices can be indexed")
    row = a.ndim == 2 and len(node.idx) == 1 and (a.shape[1] > 1 or _is_matrix(node.a, env))
    # P[s]: the s-th row of a matrix, as a column vector (also of a matrix with one column: eye(1)[0])
    if a.ndim == 2 and a.shape[1] == 1 and len(node.idx) == 1 and not row:
        a = a[:, 0]  # a vector is a column: v[i] is its i-th entry
    idx, rv = [], False
    for i in node.idx:
        v = ev(i)
        if isinstance(v, RandomVariable):
            rv, v = True, v.values
        if isinstance(v, np.ndarray) and v.ndim >= 1:
            idx.append(v.astype(int))
            continue
        idx.append(_as_int(v, "an index"))
    if len(idx) > a.ndim:
        raise EvalError(f"{len(idx)} indices into an array of {a.ndim} dimension(s)")
    for k, i in enumerate(idx):
        lo = np.min(i) if isinstance(i, np.ndarray) else i
        hi = np.max(i) if isinstance(i, np.ndarray) else i
        if lo < 0 or hi >= a.shape[k]:
            raise EvalError(f"index {hi if hi >= a.shape[k] else lo} out of range for length {a.shape[k]} (indices start at 0)")
    out = a[tuple(idx)]
    if row and not rv and out.ndim == 1:
        out = out.reshape(-1, 1)
    return RandomVariable(out) if rv else out


_ARRAY_OPS = ("norm", "sum", "det", "inv", "trace", "max", "min")


def _scalar_body(node, env, var) -> bool:
    """True when ``node`` is elementwise in ``var`` (safe to evaluate with ``var`` bound to an array)."""
    from .language import Call, Expect, MatMul, Transpose

    if isinstance(node, Sym):
        return node.name == var or node.name.startswith("__") or not _is_arr(env.get(node.name))
    if isinstance(node, Decl):
        return not _is_arr(env.get("__outer__", {}).get(node.name, env.get(node.name)))
    if isinstance(node, (MatMul, Transpose, Expect, Diff, DiffAt, Seq, Over, ExpectOver, Order)):
        return False
    if isinstance(node, Call) and node.func in _ARRAY_OPS:
        return False
    if isinstance(node, Fn) and node.name in ("KL", "softmax", "logsumexp", "dot", "outer", "diag", "norm", "zeros", "vec",
                                              "argmax", "argmin"):
        return False
    if isinstance(node, Index):
        return all(_scalar_body(i, env, var) for i in node.idx) and isinstance(node.a, Sym)
    return all(_scalar_body(c, env, var) for _, c in _children(node))


def _bound(env, var, value):
    """``env`` with the bound variable ``var`` set to ``value``; a declared symbol it shadows keeps its value
    under ``__outer__`` (read by :class:`Decl`: a parametrised definition's own names)."""
    out = {**env, var: value}
    if var in env and var not in env.get("__outer__", ()):
        out["__outer__"] = {**env.get("__outer__", {}), var: env[var]}
    return out


def _bind(body, env, var, value, be):
    """``(body, env)`` with ``var`` bound to ``value``; in mpmath the value is substituted as a literal
    (a symbol's value is read through float64, which would round a perturbation or a quadrature node)."""
    if _mp(be) and not isinstance(value, (int, np.integer)):
        # also bound in the environment: the definitions of sequences the body uses read it from there
        return substitute(body, {var: Lit(value)}), _bound(env, var, value)
    return body, _bound(env, var, value)


def _values(body, env, var, ks, ev, be):
    """Body values at var = each of ``ks`` (a list); vectorised when the body is elementwise."""
    if _mp(be):
        return [ev(*_bind(body, env, var, k, be)) for k in ks]
    if not _mp(be) and len(ks) > 1 and _scalar_body(body, env, var):
        out = ev(body, _bound(env, var, RandomVariable(np.asarray(ks))))  # one value per k, mapped like a random variable
        out = out.values if isinstance(out, RandomVariable) else np.full(len(ks), out, dtype=float)
        if np.shape(out) == (len(ks),):
            return list(out) if len(ks) < 64 else out
    return [ev(body, _bound(env, var, k)) for k in ks]


def _ev_over(node, env, probs, be, ev):
    lo = _as_int(ev(node.lo), f"the lower bound of {node.kind}")
    hi = ev(node.hi)
    hi = _as_int(hi, f"the upper bound of {node.kind}")
    if isinstance(hi, float) and hi == math.inf:
        if node.kind != "sum":
            raise Unsupported(f"{node.kind}(..., (k, lo, oo)) is not supported; only sums may run to oo")
        return _infinite_sum(node, env, lo, ev, be, probs)
    n = hi - lo + 1
    if n > MAX_TERMS:
        raise Unsupported(f"{node.kind} over {n} terms (more than {MAX_TERMS})")
    if n <= 0:
        if node.kind in ("max", "min"):
            raise EvalError(f"{node.kind} over an empty range [{lo}, {hi}]")
        return be.const(0 if node.kind == "sum" else 1)
    vals = _values(node.body, env, node.var, list(range(lo, hi + 1)), ev, be)
    if isinstance(vals, np.ndarray):
        return {"sum": np.sum, "prod": np.prod, "max": np.max, "min": np.min}[node.kind](vals)
    if node.kind in ("max", "min"):
        if any(_is_arr(v) for v in vals):
            stack = np.stack([np.asarray(v) for v in vals])
            red = stack.max(axis=0) if node.kind == "max" else stack.min(axis=0)
            return red
        return (max if node.kind == "max" else min)(vals)
    out = vals[0]
    for v in vals[1:]:
        out = out + v if node.kind == "sum" else out * v
    return out


def _infinite_sum(node, env, lo, ev, be, probs):
    if not _mp(be) and _scalar_body(node.body, env, node.var):
        total, start, chunk = 0.0, lo, 1024
        last = None
        while start - lo < 1 << 20:
            ks = np.arange(start, start + chunk)
            with np.errstate(all="ignore"):
                out = ev(node.body, _bound(env, node.var, RandomVariable(ks)))
                vals = np.asarray(out.values if isinstance(out, RandomVariable) else out, dtype=float) * np.ones(chunk)
            if not np.all(np.isfinite(vals)):
                return np.nan
            part = float(np.sum(vals))
            total += part
            tail = np.abs(vals[-chunk // 4:])
            if np.max(tail) <= 1e-18 * max(abs(total), 1e-300) and (last is None or abs(part) <= abs(last)):
                return total
            last, start, chunk = part, start + chunk, chunk * 2
    # slowly converging or not elementwise: mpmath's nsum (extrapolation) on exact terms
    def term(k):
        with mpmath.workdps(mpmath.mp.dps):
            v = evaluate(node.body, _bound(env, node.var, int(k)), probabilities=probs, mp=True)
        if _is_arr(v):
            raise Unsupported("sums to oo of vectors or matrices are not supported")
        return mpmath.mpf(v)

    dps = mpmath.mp.dps if _mp(be) else 20
    sums = []
    for extra in (0, 10):  # the same extrapolation at two precisions must agree to half the digits
        with mpmath.workdps(dps + extra):
            try:
                sums.append(mpmath.nsum(term, [lo, mpmath.inf]))
            except (ValueError, ZeroDivisionError, OverflowError) as exc:
                raise Undecidable(f"the series from {lo} to oo cannot be summed ({exc})") from None
    s, s2 = sums
    with mpmath.workdps(dps):
        if not (mpmath.isfinite(s) and mpmath.isfinite(s2)):
            raise Undecidable(f"the series from {lo} to oo does not converge (its sum is not finite)")
        err = abs(s - s2)
        if err > mpmath.mpf(10) ** (-(dps // 2)) * (1 + abs(s)):
            raise Undecidable(f"the series from {lo} to oo does not settle (two precisions differ by {mpmath.nstr(err, 3)})")
        s = +s
    return s if _mp(be) else float(s)


_HE_CACHE: dict = {}


def _hermite_nodes(n: int, mp: bool):
    """Probabilists' Gauss--Hermite nodes and weights normalised to sum 1 (mpmath: Newton-polished)."""
    key = (n, mpmath.mp.dps if mp else 0)
    if key in _HE_CACHE:
        return _HE_CACHE[key]
    x, w = np.polynomial.hermite_e.hermegauss(n)
    if not mp:
        out = (x, w / w.sum())
    else:
        xs, ws = [], []
        for x0 in x:
            t = mpmath.mpf(float(x0))
            for _ in range(100):
                p0, p1 = mpmath.mpf(1), t  # He_n by recursion, He_n' = n He_{n-1}
                for k in range(1, n):
                    p0, p1 = p1, t * p1 - k * p0
                step = p1 / (n * p0)
                t -= step
                if abs(step) < mpmath.mpf(10) ** (-mpmath.mp.dps + 3):
                    break
            p0, p1 = mpmath.mpf(1), t
            for k in range(1, n):
                p0, p1 = p1, t * p1 - k * p0
            xs.append(t)
            ws.append(mpmath.factorial(n - 1) / (n * p0 ** 2))  # sum is sqrt(2 pi)
        tot = sum(ws)
        out = (np.array(xs, dtype=object), np.array([v / tot for v in ws], dtype=object))
    _HE_CACHE[key] = out
    return out


def _moments(kind, vals_list, p, be):
    def mean(vs):
        out = None
        for pi, v in zip(p, vs):
            out = pi * v if out is None else out + pi * v
        return out

    if kind == "E":
        return mean(vals_list[0])
    if kind == "Var":
        m = mean(vals_list[0])
        return mean([(v - m) ** 2 if not _is_arr(v) else (v - m) * (v - m) for v in vals_list[0]])
    mu, mv = mean(vals_list[0]), mean(vals_list[1])
    prods = [np.multiply.outer(u - mu, v - mv) if _is_arr(u) and _is_arr(v) else (u - mu) * (v - mv)
             for u, v in zip(vals_list[0], vals_list[1])]
    return mean(prods)


def _ev_expect(node, env, probs, be, ev):
    if isinstance(node.dist, Normal):
        mu, s2 = ev(node.dist.mu), ev(node.dist.s2)
        if _is_arr(mu) or _is_arr(s2):
            raise EvalError("N(mu, s2) takes a scalar mean and variance")
        if s2 < 0:
            return mpmath.nan if _mp(be) else np.nan
        results = []
        for n in (40, 80):
            x, w = _hermite_nodes(n, _mp(be))
            sd = mpmath.sqrt(s2) if _mp(be) else math.sqrt(float(s2))
            zs = [mu + sd * xi for xi in x]
            vals = [_values(b, env, node.var, zs, ev, be) for b in node.bodies]
            results.append(_moments(node.kind, vals, w, be))
        a, b = results
        scale = max(float(np.max(np.abs(np.asarray(b, dtype=float)))), 1.0) if np.all(np.isfinite(np.asarray(b, dtype=float))) else 1.0
        diff = float(np.max(np.abs(np.asarray(a - b, dtype=float))))
        tol = (1e-30 if _mp(be) else 1e-13) * scale
        if not diff <= tol:
            raise Undecidable(f"Gauss-Hermite quadrature does not settle (40 vs 80 nodes differ by {diff:.2g}); "
                              "the integrand is not smooth enough")
        return b
    p = ev(node.dist)
    if isinstance(p, np.ndarray) and p.ndim == 2 and p.shape[1] == 1:
        p = p[:, 0]  # a probability vector is a column
    if not isinstance(p, np.ndarray) and not isinstance(p, RandomVariable):
        p = np.array([p], dtype=object if _mp(be) else float)  # one outcome (a 1 x 1 matrix's row)
    if not (isinstance(p, np.ndarray) and p.ndim == 1):
        raise EvalError(f"{node.kind}[..., ({node.var}, p)]: p must be a probability vector")
    vals = [_values(b, env, node.var, list(range(len(p))), ev, be) for b in node.bodies]
    return _moments(node.kind, vals, list(p), be)


def _mp_phi(x):
    return mpmath.exp(-x * x / 2) / mpmath.sqrt(2 * mpmath.pi)


def _np_Phi(x):
    from scipy.special import ndtr

    return ndtr(x)


_ELEMENTWISE = {
    "sin": (np.sin, mpmath.sin), "cos": (np.cos, mpmath.cos), "tan": (np.tan, mpmath.tan),
    "tanh": (np.tanh, mpmath.tanh), "sigmoid": (lambda x: 0.5 * (1 + np.tanh(x / 2)), lambda x: 1 / (1 + mpmath.exp(-x))),
    "softplus": (_sp, lambda x: mpmath.log(1 + mpmath.exp(x))),
    "relu": (lambda x: np.maximum(x, 0.0), lambda x: x if x > 0 else mpmath.mpf(0)),
    "Phi": (_np_Phi, lambda x: mpmath.ncdf(x)), "phi": (lambda x: np.exp(-x * x / 2) / math.sqrt(2 * math.pi), _mp_phi),
}


def _ev_fn(node, env, probs, be, ev):
    name = node.name
    if name == "pi":
        return +mpmath.pi if _mp(be) else math.pi
    args = [ev(a) for a in node.args]
    if name in _ELEMENTWISE:
        npf, mpf = _ELEMENTWISE[name]
        return _elementwise(be, npf, mpf, args[0])
    if name == "norm":
        x, p = args
        x = np.asarray(x) if _is_arr(x) else np.asarray([x])
        flat = list(x.ravel())
        pf = float(p)
        if pf == math.inf:
            return max(abs(v) for v in flat)
        if pf == 1:
            return sum(abs(v) for v in flat)
        if pf == 2 and x.ndim == 1:
            s = sum(v * v for v in flat)
            return mpmath.sqrt(s) if _mp(be) else math.sqrt(s)
        raise Unsupported("norm(x, p) supports p = 1, 2 (vectors) and oo")
    if name == "zeros":  # zeros(n): a column of n zeros; zeros(m, n)
        from .evaluate import _to_int

        shape = (_to_int(args[0], "zeros(n): n"), _to_int(args[1], "zeros(m, n): n") if len(args) > 1 else 1)
        if _mp(be):
            return np.full(shape, mpmath.mpf(0), dtype=object)
        return np.zeros(shape)
    if name == "vec":  # the columns stacked: an n*m x 1 column
        (x,) = args
        if not _is_arr(x):
            raise EvalError("vec(X) needs a matrix or a vector")
        return np.asarray(x).reshape(-1, 1, order="F")
    if name in ("argmax", "argmin"):  # the first maximiser (minimiser) of a vector, from 0
        (v,) = args
        if not _is_arr(v) or (v.ndim == 2 and 1 not in v.shape):
            raise EvalError(f"{name}(v) needs a vector")
        flat = list(np.ravel(v))
        best = (max if name == "argmax" else min)(flat)
        i = next(k for k, t in enumerate(flat) if t == best)
        return be.const(i) if hasattr(be, "const") else i
    if name == "delta":  # Kronecker's delta of two indices
        i, j = (a.values if isinstance(a, RandomVariable) else a for a in args)
        out = np.equal(i, j).astype(float)
        if any(isinstance(a, RandomVariable) for a in args):
            return RandomVariable(out)
        return be.const(int(out)) if np.ndim(out) == 0 else out
    if name == "dim":  # dim(x, k): the size of x along axis k (a vector's length is dim(x, 0))
        x, k = args
        k = _as_int(k, "the axis of dim(x, k)")
        if not _is_arr(x) or not 0 <= k < x.ndim:
            raise EvalError("dim(x, k) needs a vector or matrix x and an axis k = 0 or 1")
        return be.const(x.shape[k]) if hasattr(be, "const") else x.shape[k]
    if name == "KL":
        p, q = args
        if not (_is_arr(p) and _is_arr(q) and p.shape == q.shape):
            raise EvalError("KL(p, q) needs two probability vectors of one length")
        out = 0
        for a, b in zip(p.ravel(), q.ravel()):
            if a != 0:
                out = out + a * (mpmath.log(a / b) if _mp(be) else math.log(a / b) if b > 0 else math.inf)
        return out
    if name in ("softmax", "logsumexp"):
        (v,) = args
        if not _is_arr(v):
            raise EvalError(f"{name}(v) needs a vector")
        if _mp(be):
            m = max(v.ravel())
            ex = np.vectorize(lambda t: mpmath.exp(t - m), otypes=[object])(v)
            s = sum(ex.ravel())
            return ex / s if name == "softmax" else m + mpmath.log(s)
        m = np.max(v)
        ex = np.exp(v - m)
        return ex / ex.sum() if name == "softmax" else m + math.log(ex.sum())
    if name == "dot":
        u, v = args
        return sum(a * b for a, b in zip(np.ravel(u), np.ravel(v))) if _mp(be) else float(np.dot(np.ravel(u), np.ravel(v)))
    if name == "outer":
        u, v = args
        return np.multiply.outer(np.ravel(u), np.ravel(v))
    if name == "diag":
        (v,) = args
        if not _is_arr(v):
            raise EvalError("diag(v) needs a vector (or a matrix, for its diagonal)")
        if v.ndim == 1:
            out = np.zeros((len(v), len(v)), dtype=object if _mp(be) else float)
            if _mp(be):
                out[:] = mpmath.mpf(0)
            for i, t in enumerate(v):
                out[i, i] = t
            return out
        return np.diagonal(v).copy()
    raise EvalError(f"cannot evaluate {name}")  # pragma: no cover


def _ev_apply(node, env, probs, be, ev):
    fns = env.get("__fns__", {})
    if node.name not in fns:
        raise EvalError(f"abstract function {node.name!r} has no concrete member here")
    if len(node.args) != 1:
        raise Unsupported(f"abstract function {node.name}(...) takes one argument (applied elementwise)")
    npf, mpf = _MEMBERS[fns[node.name]]
    return _elementwise(be, npf, mpf, ev(node.args[0]))


def _ev_inf(node, env, probs, be, ev):
    return mpmath.inf if _mp(be) else math.inf


def _seq_deps(name, defs, cache) -> tuple:
    """The free symbols the definition of sequence ``name`` reads (through the sequences it uses), sorted:
    its terms are cached per value of these (a perturbed x of a finite difference is another sequence)."""
    key = ("__deps__", name)
    if key not in cache:
        out, seen, todo = set(), set(), [name]
        while todo:
            nm = todo.pop()
            if nm in seen or nm not in defs:
                continue
            seen.add(nm)
            sd = defs[nm]
            for body in [sd.body] + [b for _, b in sd.bases]:
                fv = free_vars(body)
                if body is sd.body:
                    fv.discard(sd.var)
                out |= fv
                todo.extend(_seq_names(body))
        cache[key] = tuple(sorted(out))
    return cache[key]


def _seq_names(node) -> set:
    out = {node.name} if isinstance(node, Seq) else set()
    for _, child in _children(node):
        out |= _seq_names(child)
    return out


def _value_key(v, keep):
    """A hashable key equal for equal values (an unhashable value is keyed by identity and kept alive)."""
    if isinstance(v, np.ndarray):
        return ("array", v.shape, tuple(v.ravel().tolist()))
    if isinstance(v, RandomVariable):
        return ("rv", _value_key(np.asarray(v.values), keep))
    if isinstance(v, dict):
        return ("dict", tuple(sorted((k, _value_key(x, keep)) for k, x in v.items())))
    try:
        hash(v)
        return (type(v).__name__, v)
    except TypeError:
        keep.append(v)
        return ("id", id(v))


def _ev_seq(node, env, probs, be, ev):
    defs = env.get("__seqs__", {})
    if node.name not in defs:
        raise EvalError(f"sequence {node.name!r} is not defined")
    n = _as_int(ev(node.index), f"the index of {node.name}")
    if isinstance(n, float) or n < 0 or n > 2000:
        raise Unsupported(f"{node.name}[{n}]: indices of a sequence run from 0 to 2000")
    sd = defs[node.name]
    cache = env.setdefault("__cache__", {})
    keep = cache.setdefault(("__keep__",), [])
    # the terms depend on the symbols the definitions read: keyed by their values here (a derivative through
    # a sequence evaluates it at perturbed points; a sum or an expectation binds a symbol to each value)
    where = tuple((v, _value_key(env.get(v), keep)) for v in _seq_deps(node.name, defs, cache)) + \
        (("__fns__", _value_key(env.get("__fns__"), keep)), ("__outer__", _value_key(env.get("__outer__"), keep)))
    bases = dict(sd.bases)
    for j in range(0, n + 1):
        key = (node.name, j, _mp(be), mpmath.mp.dps, where)
        if key in cache:
            continue
        if j in bases:
            cache[key] = ev(bases[j])
        elif j >= sd.offset:
            cache[key] = ev(sd.body, {**env, sd.var: j - sd.offset})
        else:
            raise EvalError(f"{node.name}[{j}] has no definition (give a base case {node.name}[{j}])")
    return cache[(node.name, n, _mp(be), mpmath.mp.dps, where)]


def _perturbed(env, var, idx, delta):
    v = env[var]
    if idx is None:
        return {**env, var: v + delta}
    w = np.array(v, copy=True)
    w[idx] = w[idx] + delta
    return {**env, var: w}


def _ev_diff(node, env, probs, be, ev):
    if node.var not in env:
        raise EvalError(f"diff(..., {node.var}): {node.var} has no value")
    x = env[node.var]
    k = node.order
    at = isinstance(node, DiffAt)
    if at:  # one entry: x[j] (a column's j-th entry) or X[i, j]
        if not _is_arr(x):
            raise EvalError(f"diff(..., {node.var}[...]): {node.var} is a number, not a vector or matrix")
        idx = tuple(_as_int(ev(i), "an index") for i in node.idx)
        if x.ndim == 2 and x.shape[1] == 1 and len(idx) == 1:
            idx = (idx[0], 0)
        if len(idx) != x.ndim or any(not 0 <= i < n for i, n in zip(idx, x.shape)):
            raise EvalError(f"diff(..., {node.var}[...]): index {idx} out of range for shape {x.shape}")
        comps = [idx]
    elif _is_arr(x) and k != 1:
        raise Unsupported("higher derivatives are supported with respect to scalars only")
    else:
        comps = [None] if not _is_arr(x) else list(np.ndindex(x.shape))
    outs = []
    for idx in comps:
        x0 = x if idx is None else x[idx]
        if _mp(be):
            dps = mpmath.mp.dps
            with mpmath.workdps((k + 1) * dps + 20):
                h = mpmath.mpf(10) ** (-(dps + 5)) * (1 + abs(mpmath.mpf(x0)))
                total = 0
                for j in range(k + 1):
                    c = (-1) ** j * math.comb(k, j)
                    e2 = _perturbed({**env, node.var: _mpify(x)}, node.var, idx, (mpmath.mpf(k) / 2 - j) * h)
                    total = total + c * _mpify(ev(*_bind(node.body, env, node.var, e2[node.var], be)))
                val = total / h ** k
            outs.append(_round_mp(val))
        else:
            h = (1e-3 if k == 1 else 10 ** (-3 + k * 0.5)) * (1 + abs(float(x0)))
            if k == 1:
                st_, cs = (-2, -1, 1, 2), (1 / 12, -2 / 3, 2 / 3, -1 / 12)
            elif k == 2:
                st_, cs = (-2, -1, 0, 1, 2), (-1 / 12, 4 / 3, -5 / 2, 4 / 3, -1 / 12)
            else:
                st_ = tuple(range(-k, k + 1))
                cs = tuple(np.linalg.solve(np.vander(np.asarray(st_, float), increasing=True).T,
                                           np.eye(len(st_))[k] * math.factorial(k)))
            total = 0.0
            for s, c in zip(st_, cs):
                if c:
                    total = total + c * np.asarray(ev(node.body, _perturbed(env, node.var, idx, s * h)), dtype=float)
            outs.append(total / h ** k)
    if comps == [None] or at:
        return outs[0]
    stacked = np.stack([np.asarray(o, dtype=object if _mp(be) else float) for o in outs], axis=-1)
    fshape = np.shape(outs[0])
    if fshape in ((), (1, 1)):  # a 1 x 1 array is a number (as in the judge)
        return stacked.reshape(x.shape)  # a gradient has the shape of x (a column for a vector)
    if len(fshape) == 2 and fshape[1] == 1 and x.ndim == 2 and x.shape[1] == 1:
        return stacked.reshape(fshape[0], x.shape[0])  # the Jacobian of a vector function of a vector
    return stacked.reshape(fshape + x.shape)


def _round_mp(v):
    if isinstance(v, np.ndarray):
        return np.vectorize(lambda t: +t, otypes=[object])(v)
    return +v


def _ev_lit(node, env, probs, be, ev):
    return node.value


def _ev_decl(node, env, probs, be, ev):
    outer = env.get("__outer__", {})
    if node.name in outer:
        return ev(Sym(node.name), {**env, node.name: outer[node.name]})
    return ev(Sym(node.name))


DEF_EVALUATIONS = [0]  #: bodies of named definitions evaluated (a count, for tests of the memo)


def _def_reads(node, env, cache) -> tuple:
    """What the value of definition ``node`` depends on: its free symbols (through the sequences it uses)."""
    key = ("__defreads__", id(node.body))
    if key not in cache:
        names = set(free_vars(node.body))
        defs = env.get("__seqs__", {})
        for nm in _seq_names(node.body):
            names |= set(_seq_deps(nm, defs, cache))
        cache[key] = (tuple(sorted(names)), node.body)  # the body is kept alive: its id stays unique
    return cache[key][0]


def _ev_def(node, env, probs, be, ev):
    """A named definition's value, computed once per values of the symbols it reads (bound variables and the
    perturbed points of a derivative included), the abstract functions' members and the precision."""
    cache = env.setdefault("__cache__", {})
    keep = cache.setdefault(("__keep__",), [])
    where = tuple((v, _value_key(env.get(v), keep)) for v in _def_reads(node, env, cache))
    key = ("__def__", node.name, id(node.body), _mp(be), mpmath.mp.dps, where,
           _value_key(env.get("__fns__"), keep), _value_key(env.get("__outer__"), keep), id(probs))
    if key not in cache:
        DEF_EVALUATIONS[0] += 1
        cache[key] = ev(node.body)
    return cache[key]


def _ev_normal(node, env, probs, be, ev):
    raise EvalError("N(mu, s2) is a distribution; use it inside E[expr, (z, N(mu, s2))]")


def _not_exact(handler):
    def run(node, env, probs, be, ev):
        if getattr(be, "kind", None) == "exact":
            from .evaluate import NotExact

            raise NotExact(type(node).__name__)
        return handler(node, env, probs, be, ev)

    return run


_evaluate_module.EXTENSIONS.update({k: _not_exact(v) for k, v in {
    Index: _ev_index, Over: _ev_over, ExpectOver: _ev_expect, Fn: _ev_fn, Apply: _ev_apply, Inf: _ev_inf,
    Seq: _ev_seq, Diff: _ev_diff, DiffAt: _ev_diff, Normal: _ev_normal, Lit: _ev_lit, Def: _ev_def, Decl: _ev_decl,
}.items()})


def evaluate_extended(node, env, *, probabilities=None, mp: bool = False):
    """:func:`verify.answers.evaluate.evaluate` (the extensions are registered on import)."""
    return evaluate(node, env, probabilities=probabilities, mp=mp)


# ---------------------------------------------------------------------------
# SymPy forms (scalar steps: the symbolic proof)
# ---------------------------------------------------------------------------

def _sp_over(n, go, symbols):
    import sympy as sp

    if n.kind not in ("sum", "prod"):
        raise NotScalar(n.kind)
    k = sp.Symbol(n.var, integer=True)
    old = symbols.get(n.var)
    symbols[n.var] = k
    try:
        body = go(n.body)
    finally:
        if old is None:
            symbols.pop(n.var, None)
        else:
            symbols[n.var] = old
    lo, hi = go(n.lo), go(n.hi)
    return (sp.Sum if n.kind == "sum" else sp.Product)(body, (k, lo, hi)).doit()


def _sp_fn(n, go, symbols):
    import sympy as sp

    if n.name == "pi":
        return sp.pi
    fns = {"sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "tanh": sp.tanh,
           "sigmoid": lambda x: 1 / (1 + sp.exp(-x)), "softplus": lambda x: sp.log(1 + sp.exp(x)),
           "Phi": lambda x: (1 + sp.erf(x / sp.sqrt(2))) / 2,
           "phi": lambda x: sp.exp(-x ** 2 / 2) / sp.sqrt(2 * sp.pi)}
    if n.name not in fns:
        raise NotScalar(n.name)
    return fns[n.name](*[go(a) for a in n.args])


def _sp_diff(n, go, symbols):
    import sympy as sp

    return sp.diff(go(n.body), symbols[n.var], n.order)


def _sp_apply(n, go, symbols):
    import sympy as sp

    return sp.Function(n.name)(*[go(a) for a in n.args])


def _sp_inf(n, go, symbols):
    import sympy as sp

    return sp.oo


def _not_scalar(n, go, symbols):
    raise NotScalar(type(n).__name__)


_evaluate_module.SYMPY_EXTENSIONS.update({
    Def: lambda n, go, symbols: go(n.body), Decl: _not_scalar, Over: _sp_over, Fn: _sp_fn, Diff: _sp_diff, Apply: _sp_apply, Inf: _sp_inf, Index: _not_scalar,
    ExpectOver: _not_scalar, Seq: _not_scalar, Normal: _not_scalar, DiffAt: _not_scalar,
})
