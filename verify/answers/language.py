r"""The answer language: a whitelist over Python's ``ast`` (plain answers) and a LaTeX front end.

Plain answers: numbers, declared symbols, the constants ``pi`` (and ``inf``, as in ``norm(x, inf)``),
``+ - * / ** ^ @``, parentheses, the functions of :data:`FUNCTIONS` (``log(x, b)`` is the logarithm
to base b), ``.T``, ``E[...]`` and ``O(...)``.
Anything else is rejected with a message that names the problem and its position; the
text is parsed by :func:`ast.parse` in ``eval`` mode (which builds a tree and runs
nothing) and every node is checked against the whitelist before it becomes a
:class:`Node`.

>>> parse("E[g**2*R]/E[g**2]", {"g", "R"})
Div(Expect(Mul(Pow(Sym('g'), Num(2)), Sym('R'))), Expect(Pow(Sym('g'), Num(2))))
>>> parse("__import__('os')", {"x"})
Traceback (most recent call last):
...
verify.answers.language.AnswerError: column 1: '__import__' is not an allowed function (allowed: abs, acos, asin, atan, binomial, ceil, cos, cosh, det, diag, exp, eye, factorial, floor, inv, kron, log, logdet, logsumexp, matrix_power, max, min, norm, ones, pinv, sigmoid, sign, sin, sinh, softmax, sqrt, sum, tan, tanh, trace)
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass

__all__ = ["AnswerError", "Node", "Num", "Const", "Sym", "Add", "Sub", "Mul", "Div", "Pow", "MatMul", "Neg", "Call",
           "Transpose", "Expect", "Order", "parse", "parse_latex", "FUNCTIONS", "MAX_LENGTH", "MAX_DEPTH",
           "MAX_EXPONENT", "MAX_CONSTANT_DIGITS", "MAX_EXPANSION", "LARK_MAX_LENGTH", "LARK_MAX_LETTERS",
           "free_symbols", "unparse", "check_size"]

FUNCTIONS = ("abs", "acos", "asin", "atan", "binomial", "ceil", "cos", "cosh", "det", "diag", "exp", "eye",
             "factorial", "floor", "inv", "kron", "log", "logdet", "logsumexp", "matrix_power", "max", "min",
             "norm", "ones", "pinv", "sigmoid", "sign", "sin", "sinh", "softmax", "sqrt", "sum", "tan", "tanh",
             "trace")

#: How many arguments each function takes (min, max); max/min take any number.
ARITY = {f: (1, 1) for f in FUNCTIONS}
ARITY.update({"log": (1, 2), "binomial": (2, 2), "kron": (2, 2), "matrix_power": (2, 2), "norm": (1, 2),
              "ones": (1, 2), "max": (1, 64), "min": (1, 64)})

#: Named constants of the plain language (a declared symbol of the same name takes precedence).
CONSTANTS = ("pi", "inf")
MAX_LENGTH = 2000
MAX_DEPTH = 50
MAX_EXPONENT = 1000  #: kept for compatibility; the size checks below (:func:`check_size`) replace it

#: Every constant subexpression (no symbols) must have at most this many decimal digits, counting the
#: exact numerator and denominator of a rational and the magnitude |log10|v|| of any constant: 10^1000
#: covers every constant a homework answer needs (2**1000 has 302 digits) while SymPy computes a
#: 1000-digit rational in microseconds; ``10**10**10`` (10^10 digits, 4 GB) or ``9**-9**9`` are
#: rejected before anything computes them.
MAX_CONSTANT_DIGITS = 1000

#: Symbolic powers: ``(x+1)**N`` expands (SymPy's simplify) into N+1 terms of ~0.3 N digits each.
#: The estimated expansion cost, terms x coefficient digits, is capped at 10^7 digit-terms: about
#: 5 s and a few MB in SymPy ((x+1)**5000 is 7.5e6); ``(x+1)**(10**6)`` (3e11, 1.4 GB) is rejected.
#: A power of a single term (``x**1000000``) costs nothing to expand and is allowed.
MAX_EXPANSION = 10**7

#: SymPy's Lark LaTeX parser is an Earley parser: ~7 ms per character on plain input and much worse
#: on ambiguous input (a run of 160 juxtaposed letters takes 4 s, 2000 never finishes). LaTeX longer
#: than this, or with a longer run of juxtaposed letters, goes to the whitelisting translator only.
LARK_MAX_LENGTH = 200
LARK_MAX_LETTERS = 8


class AnswerError(ValueError):
    """An answer that is not in the language; the message names the problem and its position."""


@dataclass(frozen=True)
class Node:
    pass


def _node(name, fields):
    cls = dataclass(frozen=True)(type(name, (Node,), {"__annotations__": {f: object for f in fields}}))

    def __repr__(self):
        return f"{name}({', '.join(repr(getattr(self, f)) for f in fields)})"

    cls.__repr__ = __repr__
    return cls


Num = _node("Num", ["value"])  #: int, or a Fraction for decimals (exact)
Const = _node("Const", ["name"])  #: pi, e (LaTeX), inf
Sym = _node("Sym", ["name"])
Add = _node("Add", ["a", "b"])
Sub = _node("Sub", ["a", "b"])
Mul = _node("Mul", ["a", "b"])
Div = _node("Div", ["a", "b"])
Pow = _node("Pow", ["a", "b"])
MatMul = _node("MatMul", ["a", "b"])
Neg = _node("Neg", ["a"])
Call = _node("Call", ["func", "args"])
Transpose = _node("Transpose", ["a"])
Expect = _node("Expect", ["a"])
Order = _node("Order", ["a"])

_BINOPS = {ast.Add: Add, ast.Sub: Sub, ast.Mult: Mul, ast.Div: Div, ast.Pow: Pow, ast.MatMult: MatMul}


def _where(node, offset=0) -> str:
    """``column N`` of ``node`` in the user's text; ``offset`` is a count of characters added in front, or
    the normaliser's map from positions in the parsed text to positions in the user's text."""
    col = getattr(node, "col_offset", None)
    if col is None:
        return "somewhere"
    if isinstance(offset, (list, tuple)):
        return f"column {_origin(offset, col) + 1}"
    return f"column {col + 1 - offset}"


def _origin(pos, i: int) -> int:
    """The position in the user's text of character ``i`` of a normalised text (``pos``: its map)."""
    if not pos:
        return 0
    return pos[i] if 0 <= i < len(pos) else pos[-1] + 1


def free_symbols(node) -> set:
    if isinstance(node, Sym):
        return {node.name}
    out = set()
    for f in getattr(node, "__dataclass_fields__", {}):
        v = getattr(node, f)
        for item in (v if isinstance(v, tuple) else (v,)):
            if isinstance(item, Node):
                out |= free_symbols(item)
    return out


def _numeric_value(node):
    """The exact value of an integer constant expression (for the exponent limit), else None."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Neg):
        v = _numeric_value(node.a)
        return None if v is None else -v
    return None


_PREC = {"Add": 1, "Sub": 1, "Mul": 2, "Div": 2, "MatMul": 2, "Neg": 3, "Pow": 4}


def unparse(node) -> str:
    """The plain-language text of a node (for messages); ``parse(unparse(n))`` means the same as ``n``."""
    name = type(node).__name__
    if isinstance(node, Num):
        v = node.value
        text = str(v) if not hasattr(v, "denominator") or v.denominator == 1 else f"{v.numerator}/{v.denominator}"
        return text if len(text) <= 40 else f"{text[:12]}...({len(text)} digits)"
    if isinstance(node, Sym):
        return node.name
    if isinstance(node, Const):
        return "exp(1)" if node.name == "e" else node.name
    if isinstance(node, Call):
        return f"{node.func}({', '.join(unparse(a) for a in node.args)})"
    if isinstance(node, Transpose):
        return f"({unparse(node.a)}).T"
    if isinstance(node, Expect):
        return f"E[{unparse(node.a)}]"
    if isinstance(node, Order):
        return f"O({unparse(node.a)})"

    def wrap(child, right=False):
        text = unparse(child)
        cp, p = _PREC.get(type(child).__name__, 9), _PREC[name]
        if isinstance(child, Num) and "/" in text:
            cp = _PREC["Div"]
        return f"({text})" if cp < p or (cp == p and (right or name == "Pow")) else text

    if isinstance(node, Neg):
        return f"-{wrap(node.a)}"
    op = {"Add": " + ", "Sub": " - ", "Mul": "*", "Div": "/", "MatMul": " @ ", "Pow": "**"}[name]
    return f"{wrap(node.a)}{op}{wrap(node.b, right=True)}"


def _short(node) -> str:
    text = unparse(node)
    return text if len(text) <= 60 else text[:57] + "..."


class _Size:
    """Bottom-up size estimates: for a constant, its value (mpmath, 30 digits; None when undefined)
    and ``digits`` (exact size in decimal digits: numerator + denominator of a rational, else
    |log10|value||); for any node, ``terms`` (log10 of the number of terms if SymPy expands it) and
    ``coef`` (digits of those terms' coefficients)."""

    __slots__ = ("const", "value", "digits", "terms", "coef", "rational")

    def __init__(self, const=False, value=None, digits=1.0, terms=0.0, coef=0.0, rational=False):
        self.const, self.value, self.digits, self.terms, self.coef, self.rational = \
            const, value, digits, terms, coef, rational


def _int_digits(v: int) -> float:
    """log10|v| (0 for 0 and 1): the size of an integer in decimal digits."""
    return math.log10(abs(v)) if v else 0.0


def _log10abs(v) -> float:
    import mpmath

    if v is None or v == 0:
        return 0.0
    return float(mpmath.log10(abs(v)))


def _reject_constant(node, digits):
    import mpmath

    d = mpmath.nstr(mpmath.mpf(digits), 3)
    raise AnswerError(f"the constant {_short(node)} is too large: about {d} digits (in its exact value, or "
                      f"as a size of 10^{d} or 10^-{d}); constants are limited to {MAX_CONSTANT_DIGITS} digits "
                      "(MAX_CONSTANT_DIGITS): simplify it, or give a symbolic answer")


_CONST_FUNCS = ("exp", "log", "sqrt", "abs", "max", "min", "sin", "cos", "tan", "asin", "acos", "atan", "sinh",
                "cosh", "tanh", "sign", "floor", "ceil", "factorial", "binomial", "sigmoid")


def _size(node) -> _Size:
    import mpmath

    with mpmath.workdps(30):
        return _size_at(node)


def _size_at(node) -> _Size:  # noqa: C901 (one case per node type)
    import mpmath
    from fractions import Fraction

    if isinstance(node, Num):
        v = node.value
        if isinstance(v, Fraction):
            d = _int_digits(v.numerator) + (_int_digits(v.denominator) if v.denominator != 1 else 0.0)
            val = mpmath.mpf(v.numerator) / v.denominator
        else:
            d, val = _int_digits(v), mpmath.mpf(v)
        if d > MAX_CONSTANT_DIGITS:
            _reject_constant(node, d)
        return _Size(True, val, d, 0.0, d, True)
    if isinstance(node, Sym):
        return _Size(False)
    if isinstance(node, (Neg, Transpose, Expect, Order)):
        a = _size_at(node.a)
        if a.const and a.value is not None and isinstance(node, Neg):
            return _Size(True, -a.value, a.digits, a.terms, a.coef, a.rational)
        return a
    if isinstance(node, Const):
        if node.name == "inf":
            return _Size(False)
        return _Size(True, +mpmath.pi if node.name == "pi" else mpmath.e, 1.0)
    if isinstance(node, Call):
        args = [_size_at(x) for x in node.args]
        terms = max(a.terms for a in args) if node.func in ("max", "min") else 0.0
        if not all(a.const for a in args) or node.func not in _CONST_FUNCS:
            return _Size(False, terms=terms)
        digits = max(a.digits for a in args)
        vals = [a.value for a in args]
        if any(v is None for v in vals):
            return _Size(True, None, digits)
        x = vals[0]
        f = node.func
        if f in ("exp", "sinh", "cosh"):
            mag = abs(x) / mpmath.log(10)
            if mag > MAX_CONSTANT_DIGITS:
                _reject_constant(node, mag)
            return _Size(True, getattr(mpmath, f)(x), max(digits, float(mag)))
        if f == "factorial" or f == "binomial":
            n = x
            if n != int(n) or n < 0:
                return _Size(True, None, digits)
            mag = float(mpmath.loggamma(n + 1) / mpmath.log(10))
            if mag > MAX_CONSTANT_DIGITS:
                _reject_constant(node, mag)
            if f == "factorial":
                return _Size(True, mpmath.factorial(n), max(digits, mag), rational=args[0].rational)
            k = vals[1]
            ok = k == int(k) and 0 <= k <= n
            return _Size(True, mpmath.binomial(n, k) if ok else mpmath.mpf(0), max(digits, mag),
                         rational=all(a.rational for a in args))
        if f == "log":
            if len(vals) == 2:
                b = vals[1]
                ok = x > 0 and b > 0 and b != 1
                return _Size(True, mpmath.log(x) / mpmath.log(b) if ok else None, digits)
            return _Size(True, mpmath.log(x) if x > 0 else None, digits)
        if f == "sqrt":
            return _Size(True, mpmath.sqrt(x) if x >= 0 else None, digits)
        if f in ("abs", "sign", "floor", "ceil"):
            fn = {"abs": abs, "sign": lambda v: mpmath.mpf(mpmath.sign(v)), "floor": mpmath.floor,
                  "ceil": mpmath.ceil}[f]
            return _Size(True, fn(x), digits, rational=args[0].rational or f != "abs")
        if f in ("max", "min"):
            pick = max if f == "max" else min
            return _Size(True, pick(vals), digits, rational=all(a.rational for a in args))
        if f in ("asin", "acos") and abs(x) > 1:
            return _Size(True, None, digits)
        if f == "sigmoid":
            return _Size(True, 1 / (1 + mpmath.exp(-x)) if x > -2302 * MAX_CONSTANT_DIGITS else mpmath.mpf(0), digits)
        if f in ("sin", "cos", "tan") and abs(x) > 10**6:
            return _Size(True, None, digits)  # not computed: a periodic function far out
        return _Size(True, getattr(mpmath, f)(x), digits)
    if isinstance(node, (Add, Sub, Mul, Div, MatMul)):
        a, b = _size_at(node.a), _size_at(node.b)
        if isinstance(node, (Add, Sub)):
            terms = max(a.terms, b.terms) + math.log10(1 + 10 ** -abs(a.terms - b.terms))
            coef = max(a.coef, b.coef)
        else:
            terms, coef = a.terms + b.terms, a.coef + b.coef
        if not (a.const and b.const):
            return _Size(False, terms=terms, coef=coef)
        both_int = a.rational and b.rational and isinstance(node, (Add, Sub, Mul)) and \
            _is_int(a.value) and _is_int(b.value)
        if a.rational and b.rational:
            digits = (max(a.digits, b.digits) + 0.31) if both_int and not isinstance(node, Mul) else a.digits + b.digits
        else:
            digits = max(a.digits, b.digits)
        if a.value is None or b.value is None:
            return _Size(True, None, digits)
        if isinstance(node, (Mul, MatMul, Div)):
            mag = _log10abs(a.value) + (-_log10abs(b.value) if isinstance(node, Div) else _log10abs(b.value))
            digits = max(digits, abs(mag))
        if digits > MAX_CONSTANT_DIGITS:
            _reject_constant(node, digits)
        if isinstance(node, Div) and b.value == 0:
            return _Size(True, None, digits)
        val = {Add: lambda: a.value + b.value, Sub: lambda: a.value - b.value, Mul: lambda: a.value * b.value,
               MatMul: lambda: a.value * b.value, Div: lambda: a.value / b.value}[type(node)]()
        return _Size(True, val, digits, 0.0, digits, a.rational and b.rational)
    if isinstance(node, Pow):
        a, b = _size_at(node.a), _size_at(node.b)
        if not b.const or b.value is None:
            return _Size(False, terms=max(a.terms, 0.0), coef=a.coef)
        e = abs(b.value)
        if not a.const:
            if e >= 2 and a.terms > 0:  # (x + 1)**e: C(e + t - 1, t - 1) terms, coefficients of e*log10(t) digits
                t = 10 ** min(a.terms, 300.0)
                lterms = min(float(e * a.terms), (float(mpmath.loggamma(e + t)) - float(mpmath.loggamma(e + 1))
                                                  - float(mpmath.loggamma(t))) / 2.302585092994046)
                coef = float(e * (a.terms + a.coef))
                return _Size(False, terms=lterms, coef=coef)
            return _Size(False, terms=0.0, coef=float(e * a.coef) if _is_int(b.value) else a.coef)
        if a.value is None:
            return _Size(True, None, max(a.digits, b.digits))
        base_mag = abs(_log10abs(a.value))
        if a.rational and b.rational and _is_int(b.value):  # computed exactly: e times the digits
            digits = max(b.digits, float(e) * a.digits)
        elif a.rational and a.digits == 0:  # 0, 1 or -1 to any power
            digits = max(a.digits, b.digits)
        else:
            digits = max(a.digits, b.digits, float(e) * max(base_mag, a.digits))
        if digits > MAX_CONSTANT_DIGITS:
            _reject_constant(node, digits)
        if a.value == 0 and b.value < 0:
            return _Size(True, None, digits)
        if a.value < 0 and not _is_int(b.value):
            return _Size(True, None, digits)
        return _Size(True, mpmath.power(a.value, b.value), digits, 0.0, digits,
                     a.rational and b.rational and _is_int(b.value))
    return _Size(False)


def _is_int(v) -> bool:
    return v is not None and v == int(v)


def expansion_cost(node) -> float:
    """log10 of the estimated cost (terms x coefficient digits) of expanding ``node`` symbolically. Above
    log10(:data:`MAX_EXPANSION`) the judge does not hand the answer to SymPy (it is judged numerically)."""
    s = _size(node)
    return s.terms + math.log10(max(s.coef, 1.0))


def check_size(node) -> Node:
    """Reject an answer whose constants or expansions are too large to compute (see
    :data:`MAX_CONSTANT_DIGITS` and :data:`MAX_EXPANSION`); return ``node`` unchanged.

    >>> parse("2**(9**9 + 0)", set())
    Traceback (most recent call last):
    ...
    verify.answers.language.AnswerError: the constant 2**(9**9 + 0) is too large: about 1.17e+8 digits (in its exact value, or as a size of 10^1.17e+8 or 10^-1.17e+8); constants are limited to 1000 digits (MAX_CONSTANT_DIGITS): simplify it, or give a symbolic answer
    """
    _size(node)
    return node


class _Builder:
    def __init__(self, symbols, offset=0, latex_e=False):
        self.latex_e = latex_e  # LaTeX answers: an undeclared e is Euler's number
        self.symbols = set(symbols)
        self.offset = offset  # characters added in front of the user's text (none today)

    def build(self, node, depth=0):
        if depth > MAX_DEPTH:
            raise AnswerError(f"{_where(node, self.offset)}: nesting deeper than {MAX_DEPTH}")
        d = depth + 1
        if isinstance(node, ast.Expression):
            return self.build(node.body, d)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                kind = "a string" if isinstance(node.value, str) else type(node.value).__name__
                raise AnswerError(f"{_where(node, self.offset)}: {kind} is not allowed; use numbers and declared symbols")
            from fractions import Fraction

            if isinstance(node.value, float):
                if node.value != node.value or node.value in (float("inf"), float("-inf")):
                    raise AnswerError(f"{_where(node, self.offset)}: the number is not finite")
                return Num(Fraction(repr(node.value)))
            return Num(node.value)
        if isinstance(node, ast.Name):
            if node.id not in self.symbols and (node.id in CONSTANTS or (node.id == "e" and self.latex_e)):
                return Const(node.id)
            if node.id not in self.symbols:
                hint = f"declared symbols: {', '.join(sorted(self.symbols)) or 'none'}"
                if node.id in FUNCTIONS:
                    raise AnswerError(f"{_where(node, self.offset)}: '{node.id}' is a function; call it as {node.id}(...)")
                raise AnswerError(f"{_where(node, self.offset)}: unknown symbol '{node.id}' ({hint})")
            return Sym(node.id)
        if isinstance(node, ast.BinOp):
            op = _BINOPS.get(type(node.op))
            if op is None:
                raise AnswerError(f"{_where(node, self.offset)}: operator {type(node.op).__name__} is not allowed "
                                  f"(allowed: + - * / ** ^ @)")
            a, b = self.build(node.left, d), self.build(node.right, d)
            return op(a, b)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return Neg(self.build(node.operand, d))
            if isinstance(node.op, ast.UAdd):
                return self.build(node.operand, d)
            raise AnswerError(f"{_where(node, self.offset)}: operator {type(node.op).__name__} is not allowed")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                raise AnswerError(f"{_where(node, self.offset)}: only the functions "
                                  f"{', '.join(FUNCTIONS)} may be called, by name")
            name = node.func.id
            if node.keywords:
                raise AnswerError(f"{_where(node, self.offset)}: keyword arguments are not allowed")
            if any(isinstance(a, ast.Starred) for a in node.args):
                raise AnswerError(f"{_where(node, self.offset)}: starred arguments are not allowed")
            if name == "O":
                if len(node.args) != 1:
                    raise AnswerError(f"{_where(node, self.offset)}: O(...) takes exactly one argument")
                return Order(self.build(node.args[0], d))
            if name not in FUNCTIONS:
                raise AnswerError(f"{_where(node, self.offset)}: '{name}' is not an allowed function "
                                  f"(allowed: {', '.join(FUNCTIONS)})")
            if not node.args:
                raise AnswerError(f"{_where(node, self.offset)}: {name}() needs an argument")
            lo, hi = ARITY[name]
            if not lo <= len(node.args) <= hi:
                want = str(lo) if lo == hi else f"{lo} or {hi}" if hi == lo + 1 else f"{lo} to {hi}"
                raise AnswerError(f"{_where(node, self.offset)}: {name}(...) takes {want} argument"
                                  f"{'' if want == '1' else 's'}, not {len(node.args)}")
            return Call(name, tuple(self.build(a, d) for a in node.args))
        if isinstance(node, ast.Attribute):
            if node.attr != "T":
                raise AnswerError(f"{_where(node, self.offset)}: attribute '.{node.attr}' is not allowed (only .T, the transpose)")
            return Transpose(self.build(node.value, d))
        if isinstance(node, ast.Subscript):
            if not (isinstance(node.value, ast.Name) and node.value.id == "E"):
                raise AnswerError(f"{_where(node, self.offset)}: indexing is not allowed; only E[...] (expectation)")
            return Expect(self.build(node.slice, d))
        raise AnswerError(f"{_where(node, self.offset)}: {type(node).__name__} is not allowed in an answer")


def parse(text: str, symbols, *, latex_e: bool = False, relation: str | None = None) -> Node:
    """Parse a plain answer; ``symbols`` are the declared names (``E`` and ``O`` are reserved; ``pi`` and
    ``inf`` are constants unless declared; with ``latex_e``, an undeclared ``e`` is Euler's number).

    The text is first normalised (:func:`_normalise_plain`: Unicode operators, ``½``, ``√``, ``π``, Greek
    letters, ``^``, and ``y = ...`` with a new name on the left); ``relation`` is the question's relation
    when the caller knows it (an equation is accepted only for ``equal``)."""
    if not isinstance(text, str):
        raise AnswerError(f"the answer must be a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise AnswerError(f"the answer has {len(text)} characters; at most {MAX_LENGTH} are allowed")
    if not text.strip():
        raise AnswerError("the answer is empty")
    t = _normalise_plain(text, symbols, relation)
    src, pos = t.s, t.pos
    if len(src) > 2 * MAX_LENGTH:
        raise AnswerError(f"the answer becomes {len(src)} characters once normalised (\u00bd is (1/2), ^ is **); "
                          f"at most {2 * MAX_LENGTH} are allowed")
    if src.count("(") > MAX_DEPTH * 4 or src.count("[") > MAX_DEPTH * 4:
        raise AnswerError(f"too many brackets (nesting is limited to {MAX_DEPTH})")
    depth = 0
    for i, ch in enumerate(src):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth > MAX_DEPTH:
            raise AnswerError(f"column {_origin(pos, i) + 1}: brackets nested deeper than {MAX_DEPTH}")
    lead = len(src) - len(src.lstrip())
    try:
        tree = ast.parse(src.strip(), mode="eval")
    except SyntaxError as exc:
        col = _origin(pos, lead + max((exc.offset or 1) - 1, 0)) + 1
        raise AnswerError(f"column {col}: syntax error ({exc.msg}); write e.g. 2*x**2 + log(y)") from None
    except (RecursionError, MemoryError, ValueError) as exc:
        raise AnswerError(f"the answer cannot be parsed ({type(exc).__name__})") from None
    reserved = {"E", "O"} & set(symbols)
    if reserved:
        raise AnswerError(f"symbol names {sorted(reserved)} are reserved (E[...] is expectation, O(...) an order)")
    return check_size(_Builder(symbols, offset=pos[lead:], latex_e=latex_e).build(tree))


# ---------------------------------------------------------------------------
# Normalisation: text -> text before the whitelist, never evaluating anything
# ---------------------------------------------------------------------------


class _Text:
    """A normalised text and, for each of its characters, the position it came from in the user's text
    (so that every message names a position in what the user wrote)."""

    __slots__ = ("s", "pos")

    def __init__(self, s: str, pos=None):
        self.s = s
        self.pos = list(range(len(s))) if pos is None else pos

    def at(self, i: int) -> int:
        """The 1-based position in the user's text of character ``i``."""
        return _origin(self.pos, i) + 1

    def edit(self, edits) -> "_Text":
        """Apply ``(i, j, replacement)`` edits (sorted, not overlapping; ``i == j`` inserts before ``i``);
        replacement characters take the position of ``s[i]``."""
        if not edits:
            return self
        out, pos, k = [], [], 0
        for i, j, r in edits:
            out.append(self.s[k:i])
            pos.extend(self.pos[k:i])
            o = _origin(self.pos, i)
            out.append(r)
            pos.extend([o] * len(r))
            k = j
        out.append(self.s[k:])
        pos.extend(self.pos[k:])
        return _Text("".join(out), pos)

    def blank(self, spans) -> "_Text":
        """Replace the ``(i, j)`` spans by spaces (positions unchanged)."""
        return self.edit([(i, j, " " * (j - i)) for i, j in sorted(spans)])


#: Unicode that means an ASCII operator or a space (U+2212 minus, times, middle dots, division, spaces).
_UNI_OPS = {"\u2212": "-", "\u00d7": "*", "\u00b7": "*", "\u22c5": "*", "\u2219": "*", "\u2217": "*",
            "\u00f7": "/"}
_UNI_SPACE = "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_UNI_FRACTIONS = {"\u00bd": (1, 2), "\u2153": (1, 3), "\u2154": (2, 3), "\u00bc": (1, 4), "\u00be": (3, 4),
                  "\u2155": (1, 5), "\u2156": (2, 5), "\u2157": (3, 5), "\u2158": (4, 5), "\u2159": (1, 6),
                  "\u215a": (5, 6), "\u2150": (1, 7), "\u215b": (1, 8), "\u215c": (3, 8), "\u215d": (5, 8),
                  "\u215e": (7, 8), "\u2151": (1, 9), "\u2152": (1, 10)}
_UNI_SUPER = {"\u2070": "0", "\u00b9": "1", "\u00b2": "2", "\u00b3": "3", "\u2074": "4", "\u2075": "5",
              "\u2076": "6", "\u2077": "7", "\u2078": "8", "\u2079": "9", "\u207b": "-", "\u207a": "+",
              "\u1d40": "T"}
_UNI_GREEK = {"\u03b1": "alpha", "\u03b2": "beta", "\u03b3": "gamma", "\u03b4": "delta", "\u03b5": "epsilon",
              "\u03f5": "epsilon", "\u03b6": "zeta", "\u03b7": "eta", "\u03b8": "theta", "\u03b9": "iota",
              "\u03ba": "kappa", "\u03bb": "lambda", "\u03bc": "mu", "\u03bd": "nu", "\u03be": "xi",
              "\u03c0": "pi", "\u03c1": "rho", "\u03c3": "sigma", "\u03c4": "tau", "\u03c6": "phi",
              "\u03d5": "phi", "\u03c7": "chi", "\u03c8": "psi", "\u03c9": "omega"}


def _char_name(c: str) -> str:
    import unicodedata

    return f"{c!r} (U+{ord(c):04X} {unicodedata.name(c, 'unnamed')})"


def _mixed_number(text: str, i: int, where: str):
    if i and text[i - 1].isdigit():
        p, q = _UNI_FRACTIONS[text[i]]
        raise AnswerError(f"{where} {i + 1}: '{text[i - 1]}{text[i]}' reads as a mixed number; write "
                          f"{text[i - 1]} + {p}/{q} (or a product with an explicit operator)")


def _normalise_plain(text: str, symbols, relation) -> _Text:
    """Plain answers: Unicode operators and spaces, vulgar fractions (``½`` is ``(1/2)``), ``√`` (``√2``,
    ``√x``, ``√(...)``), Greek letters (``π`` is ``pi``; a product with a neighbour is written out), ``^``
    as ``**``, and ``y = ...`` / ``f(x) = ...`` (see :func:`_split_equation`). Superscript digits stay
    errors: plain answers write powers as ``**``."""
    out, pos = [], []
    n = len(text)

    def emit(piece, origin):
        out.append(piece)
        pos.extend([origin] * len(piece))

    def glue(origin):  # an implicit product with what precedes: 2π, x½
        prev = "".join(out[-1:])[-1:]
        if prev and (prev.isalnum() or prev in "_)]"):
            emit("*", origin)

    i = 0
    while i < n:
        c = text[i]
        if c in _UNI_SPACE:
            emit(" ", i)
        elif c in _UNI_OPS:
            emit(_UNI_OPS[c], i)
        elif c == "^":
            emit("**", i)
        elif c in _UNI_FRACTIONS:
            _mixed_number(text, i, "column")
            p, q = _UNI_FRACTIONS[c]
            glue(i)
            emit(f"({p}/{q})", i)
            if i + 1 < n and (text[i + 1].isalnum() or text[i + 1] in "(_" or text[i + 1] in _UNI_GREEK):
                emit("*", i)
        elif c in _UNI_GREEK and c != "\u03bb":  # lambda is a Python keyword
            glue(i)
            emit(_UNI_GREEK[c], i)
            if i + 1 < n and (text[i + 1].isalnum() or text[i + 1] in "(_" or text[i + 1] in _UNI_GREEK):
                emit("*", i)
        elif c == "\u221a":
            glue(i)
            j = i + 1
            while j < n and text[j] in " " + _UNI_SPACE:
                j += 1
            if j < n and text[j] == "(":
                emit("sqrt", i)
            else:
                m = re.compile(r"\d+(?:\.\d*)?|\.\d+|[A-Za-z_][A-Za-z0-9_]*").match(text, j)
                if m and m.group() not in FUNCTIONS and m.group() not in ("E", "O") and \
                        not (m.end() < n and text[m.end()] in "(["):
                    emit("sqrt(", i)
                    for k in range(m.start(), m.end()):
                        emit(text[k], k)
                    emit(")", i)
                    i = m.end()
                    continue
                if j < n and text[j] in _UNI_GREEK:
                    emit(f"sqrt({_UNI_GREEK[text[j]]})", i)
                    i = j + 1
                    continue
                if j < n and text[j] in _UNI_FRACTIONS:
                    emit("sqrt(%d/%d)" % _UNI_FRACTIONS[text[j]], i)
                    i = j + 1
                    continue
                raise AnswerError(f"column {i + 1}: '\u221a' must be followed by a number, a name or a parenthesis: "
                                  "write \u221a2, \u221ax or \u221a(x + 1)")
        elif c in _UNI_SUPER:
            raise AnswerError(f"column {i + 1}: character {c!r} is not allowed (ASCII only; superscripts are for "
                              "LaTeX answers): write x**2 for x\u00b2")
        elif c in "\t\r\n":  # a line break or tab inside an answer (a multi-line cell of a CSV export)
            emit(" ", i)
        elif not " " <= c <= "~":
            raise AnswerError(f"column {i + 1}: character {c!r} is not allowed (ASCII only)")
        else:
            emit(c, i)
        i += 1
    return _split_equation(_Text("".join(out), pos), symbols, relation, latex=False)


_NAME_RE = r"[A-Za-z_][A-Za-z0-9_]*"
_UPPER_GREEK = ("Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega")
_PLAIN_LHS = re.compile(rf"\s*({_NAME_RE})\s*('*)\s*(?:\(\s*{_NAME_RE}(?:\s*,\s*{_NAME_RE})*\s*\))?\s*")
_LATEX_LHS = re.compile(r"(\\?[A-Za-z]+)(_(?:\{[A-Za-z0-9]+\}|[A-Za-z0-9]))?('*)(?:\((?:[A-Za-z0-9_{},]|\\[A-Za-z]+)+\))?")


def _split_equation(t: _Text, symbols, relation, latex: bool) -> _Text:
    """``y = <expr>`` or ``f(x) = <expr>`` with a single new name on the left (not a symbol of the question,
    a function or a constant) is ``<expr>``: the left side and ``=`` become spaces. Any other equation is
    an error that says to write only the expression. ``==``, ``<=``, ``:=`` ... are left to the parser."""
    where = "character" if latex else "column"
    s = t.s
    depth, eqs = 0, []
    for i, ch in enumerate(s):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "=" and depth <= 0:
            prev, nxt = s[i - 1:i], s[i + 1:i + 2]
            if not latex and (nxt == "=" or (prev and prev in "=<>!:+-*/%@&|^~")):
                continue
            eqs.append(i)
    if not eqs:
        return t
    if len(eqs) > 1:
        raise AnswerError(f"{where} {t.at(eqs[1])}: a second '='; the answer must be one expression (at most "
                          "'y = <expression>'): write only the expression")
    i = eqs[0]
    lhs = s[:i]
    if latex and lhs.endswith(":"):
        lhs = lhs[:-1]
    shown = lhs.strip() if len(lhs.strip()) <= 30 else lhs.strip()[:27] + "..."
    if not s[i + 1:].strip():
        raise AnswerError(f"{where} {t.at(i)}: nothing after '='; write only the expression")
    if not lhs.strip():
        raise AnswerError(f"{where} {t.at(i)}: nothing before '='; write only the expression")
    syms = set(symbols)
    if latex:
        bare = re.sub(r"\\(?:left|right|big|Big|bigl|bigr|Bigl|Bigr)(?![A-Za-z])|\s", "", lhs)
        m = _LATEX_LHS.fullmatch(bare)
        name = m.group(1).lstrip("\\") if m else None
        if m and m.group(1).startswith("\\") and name not in _GREEK and name not in _UPPER_GREEK:
            m = None
        sub = (m.group(2) or "").replace("{", "").replace("}", "") if m else ""
        declared = m is not None and (name in syms or name + sub in syms or
                                      (not m.group(1).startswith("\\") and len(name) > 1 and
                                       any(c in syms for c in name)))
        reserved = m is not None and name in ("e", "pi", "E", "O", "mathbb", "mathcal", "mathrm", "operatorname")
    else:
        m = _PLAIN_LHS.fullmatch(lhs)
        name = m.group(1) if m else None
        declared = m is not None and name in syms
        reserved = m is not None and (name in FUNCTIONS or name in CONSTANTS or name in ("E", "O", "e"))
    if m is None:
        raise AnswerError(f"{where} {t.at(i)}: '=' after '{shown}', which is not a single name: the answer must be "
                          "an expression (an equation is accepted only as 'y = <expression>' or 'f(x) = "
                          "<expression>'); write only the expression")
    if declared:
        raise AnswerError(f"{where} {t.at(i)}: the left side '{shown}' of '=' is a symbol (or a product of symbols) "
                          "of the question, so this is an equation, not a value; write only the expression (the right side, solved for the "
                          "answer)")
    if reserved:
        raise AnswerError(f"{where} {t.at(i)}: the left side '{shown}' of '=' is a function or a constant, not a "
                          "name for the answer; write only the expression")
    if relation is not None and relation != "equal":
        raise AnswerError(f"{where} {t.at(i)}: 'y = <expression>' is accepted only when the question asks for a "
                          f"value (relation 'equal'; this one is '{relation}'); write only the expression")
    return t.blank([(0, i + 1)])


def _latex_unicode(tex: str) -> _Text:
    r"""LaTeX answers: Unicode operators and spaces, ``½`` (``{\frac{1}{2}}``), ``√`` (``\sqrt{...}`` of the
    next number, letter, command or bracket group), Greek letters (``\pi``), superscripts (``x²`` is
    ``x^{2}``, ``A⁻¹`` is ``A^{-1}``, ``Aᵀ`` is ``A^{T}``), ``‖`` (``\|``). Other non-ASCII is an error."""
    out, pos = [], []
    n = len(tex)
    closes = {}  # position of a ')' -> how many '}' to add after it (√(...))

    def emit(piece, origin):
        out.append(piece)
        pos.extend([origin] * len(piece))

    def matching_paren(j):
        depth = 0
        for k in range(j, n):
            depth += tex[k] == "("
            depth -= tex[k] == ")"
            if depth == 0:
                return k
        raise AnswerError(f"character {j + 1}: unbalanced '(' after '\u221a'")

    i = 0
    while i < n:
        c = tex[i]
        if c in _UNI_SPACE:
            emit(" ", i)
        elif c in _UNI_OPS:
            emit({"*": r" \cdot ", "/": "/", "-": "-"}[_UNI_OPS[c]], i)
        elif c in _UNI_FRACTIONS:
            _mixed_number(tex, i, "character")
            p, q = _UNI_FRACTIONS[c]
            emit(f"{{\\frac{{{p}}}{{{q}}}}}", i)
        elif c in _UNI_GREEK:
            emit(f" \\{_UNI_GREEK[c]} ", i)
        elif c == "\u2016":
            emit(r"\|", i)
        elif c in _UNI_SUPER:
            j = i
            while j < n and tex[j] in _UNI_SUPER:
                j += 1
            emit("^{", i)
            for k in range(i, j):
                emit(_UNI_SUPER[tex[k]], k)
            emit("}", j - 1)
            i = j
            continue
        elif c == "\u221a":
            j = i + 1
            while j < n and tex[j] == " ":
                j += 1
            emit(r"\sqrt", i)
            m = re.compile(r"\d+(?:\.\d*)?|\.\d+|[A-Za-z]|\\[A-Za-z]+").match(tex, j)
            if j < n and tex[j] == "{":
                pass  # \sqrt{...} as written
            elif j < n and tex[j] == "(":
                emit("{", i)
                k = matching_paren(j)
                closes[k] = closes.get(k, 0) + 1
            elif m:
                emit("{", i)
                for k in range(m.start(), m.end()):
                    emit(tex[k], k)
                emit("}", i)
                i = m.end()
                continue
            elif j < n and tex[j] in _UNI_GREEK:
                emit(f"{{\\{_UNI_GREEK[tex[j]]}}}", j)
                i = j + 1
                continue
            elif j < n and tex[j] in _UNI_FRACTIONS:
                p, q = _UNI_FRACTIONS[tex[j]]
                emit(f"{{\\frac{{{p}}}{{{q}}}}}", j)
                i = j + 1
                continue
            else:
                raise AnswerError(f"character {i + 1}: '\u221a' must be followed by a number, a letter, a command "
                                  "or a bracket: write \u221a2, \u221ax or \u221a(x + 1)")
        elif not " " <= c <= "~":
            raise AnswerError(f"character {i + 1}: {_char_name(c)} is not allowed in a LaTeX answer; write it as "
                              "LaTeX (\\alpha, \\le, ...) or ASCII")
        else:
            emit(c, i)
            if c == ")" and i in closes:
                emit("}" * closes[i], i)
        i += 1
    return _Text("".join(out), pos)


def _brace_matches(t: _Text) -> dict:
    r"""For every '{' of ``t`` the index of its '}' (escaped ``\{`` ``\}`` are not groups)."""
    s, stack, match = t.s, [], {}
    for i, ch in enumerate(s):
        if i and s[i - 1] == "\\" and (i < 2 or s[i - 2] != "\\"):
            continue
        if ch == "{":
            stack.append(i)
        elif ch == "}":
            if not stack:
                raise AnswerError(f"character {t.at(i)}: '}}' closes no '{{' (unbalanced braces in the LaTeX answer)")
            match[stack.pop()] = i
    if stack:
        raise AnswerError(f"character {t.at(stack[-1])}: '{{' is never closed (unbalanced braces in the LaTeX "
                          "answer)")
    return match


_DELIMITERS = (("$$", "$$"), ("\\[", "\\]"), ("\\(", "\\)"), ("$", "$"))
_SPACING = {"!", ",", ";", ":", ">", " ", "quad", "qquad", "displaystyle", "textstyle", "scriptstyle",
            "scriptscriptstyle", "nonumber"}


def _normalise_latex(tex: str, symbols, relation) -> _Text:
    r"""LaTeX answers, text to text (nothing is evaluated, positions are kept for messages):
    Unicode (:func:`_latex_unicode`); math delimiters around the whole answer (``$...$``, ``$$...$$``,
    ``\(...\)``, ``\[...\]``); ``\displaystyle`` and the other styles; spacing (``\! \, \; \: \quad
    \qquad ~``); ``\left.`` and ``\right.``; ``\cfrac``; ``\boxed{...}`` and ``\fbox{...}``; an equation
    ``y = ...`` (:func:`_split_equation`); ``\mathrm{e}`` (one letter); ``{a \over b}``; ``50\%`` (50/100);
    TeX's one-token arguments (``\frac12``, ``\sqrt2``, ``\frac\pi2``, ``\binom nk``)."""
    t = _latex_unicode(tex)
    if len(t.s) > 4 * MAX_LENGTH:
        raise AnswerError(f"the LaTeX answer becomes {len(t.s)} characters once Unicode is written as LaTeX; at "
                          f"most {4 * MAX_LENGTH} are allowed")
    # math delimiters around the whole answer
    s = t.s
    a = len(s) - len(s.lstrip())
    b = len(s.rstrip())
    for left, right in _DELIMITERS:
        if b - a >= len(left) + len(right) and s.startswith(left, a) and s.endswith(right, 0, b):
            t = t.blank([(a, a + len(left)), (b - len(right), b)])
            break
    for m in re.finditer(r"\$|\\[()\[\]]", t.s):
        raise AnswerError(f"character {t.at(m.start())}: the math delimiter '{m.group()}' may only surround the "
                          "whole answer ($...$, $$...$$, \\(...\\), \\[...\\])")
    # spacing, styles, \left. \right., \cfrac
    blanks, edits = [], []
    for m in re.finditer(r"\\(?:[A-Za-z]+|.)|~", t.s):
        w = m.group()[1:] if m.group() != "~" else " "
        if m.group() == "~" or w in _SPACING:
            blanks.append((m.start(), m.end()))
        elif w in ("left", "right"):
            d = re.compile(r"\s*\.").match(t.s, m.end())
            if d:
                blanks.append((m.start(), d.end()))
        elif w == "cfrac":
            edits.append((m.start(), m.end(), "\\frac "))
    t = t.edit(sorted([(i, j, " " * (j - i)) for i, j in blanks] + edits))
    # \boxed{...}: around the whole answer the box and its braces go, elsewhere the braces stay as a group
    match = _brace_matches(t)
    boxes = list(re.finditer(r"\\(?:boxed|fbox)(?![A-Za-z])", t.s))
    spans, opened = [], {}
    for m in boxes:
        k = m.end()
        while k < len(t.s) and t.s[k] == " ":
            k += 1
        if k >= len(t.s) or t.s[k] != "{":
            raise AnswerError(f"character {t.at(m.start())}: {m.group()} must be followed by {{...}}")
        spans.append((m.start(), m.end()))
        opened[m.start()] = (k, match[k])
    t = t.blank(spans)
    s = t.s
    whole = []
    lo, hi = 0, len(s)
    while True:
        a = lo + len(s[lo:hi]) - len(s[lo:hi].lstrip())
        b = len(s[:hi].rstrip())
        inner = [o for start, o in opened.items() if o[0] >= a and s[a:o[0]].strip() == "" and o[1] == b - 1]
        if not inner:
            break
        k, close = inner[0]
        whole += [(k, k + 1), (close, close + 1)]
        lo, hi = k + 1, close
    t = t.blank(whole)
    t = _split_equation(t, symbols, relation, latex=True)
    # \mathrm{e}, \mathit{x}: one letter (\mathrm{E} and \mathrm{tr} keep their meaning)
    t = t.edit([(m.start(), m.end(), "{" + m.group(1) + "}")
                for m in re.finditer(r"\\(?:mathrm|mathit)\s*\{\s*([A-DF-Za-z])\s*\}", t.s)])
    t = _latex_over(t)
    # 50\% is 50/100
    t = t.edit([(m.start(), m.end(), f"{{\\frac{{{m.group(1)}}}{{100}}}}")
                for m in re.finditer(r"(\d+(?:\.\d*)?|\.\d+)\s*\\?%", t.s)])
    bad = re.search(r"\\?%", t.s)
    if bad:
        raise AnswerError(f"character {t.at(bad.start())}: '{bad.group()}' must follow a number (50\\% is 50/100)")
    t = _latex_arguments(t)
    if len(t.s) > 4 * MAX_LENGTH:
        raise AnswerError(f"the LaTeX answer becomes {len(t.s)} characters once normalised; at most "
                          f"{4 * MAX_LENGTH} are allowed")
    return t


def _latex_over(t: _Text) -> _Text:
    r"""``{a \over b}`` (TeX's infix fraction, one per brace group) is ``{\frac{a}{b}}``."""
    pattern = re.compile(r"\\over(?![A-Za-z])")
    for _ in range(MAX_LENGTH):
        m = pattern.search(t.s)
        if not m:
            return t
        s, i = t.s, m.start()
        a, depth = 0, 0
        for k in range(i - 1, -1, -1):
            if s[k] == "}":
                depth += 1
            elif s[k] == "{":
                if depth == 0:
                    a = k + 1
                    break
                depth -= 1
        b, depth = len(s), 0
        for k in range(m.end(), len(s)):
            if s[k] == "{":
                depth += 1
            elif s[k] == "}":
                if depth == 0:
                    b = k
                    break
                depth -= 1
            elif depth == 0 and pattern.match(s, k):
                raise AnswerError(f"character {t.at(k)}: a second \\over in the same group is ambiguous; use "
                                  "\\frac{a}{b}")
        if not s[a:i].strip() or not s[m.end():b].strip():
            raise AnswerError(f"character {t.at(i)}: \\over needs something on both sides, as in {{1 \\over 2}}")
        t = t.edit([(a, a, "\\frac{"), (i, m.end(), "}{"), (b, b, "}")])
    return t


def _latex_arguments(t: _Text) -> _Text:
    r"""TeX reads a missing brace group as one token: ``\frac12`` is ``\frac{1}{2}``, ``\frac\pi2`` is
    ``\frac{\pi}{2}``, ``\sqrt2`` is ``\sqrt{2}``, ``\binom nk`` is ``\binom{n}{k}``."""
    s = t.s
    match = _brace_matches(t)
    edits = {}
    for m in re.finditer(r"\\(d?frac|tfrac|binom|sqrt)(?![A-Za-z])", s):
        cmd, k = m.group(1), m.end()
        count = 1 if cmd == "sqrt" else 2
        if cmd == "sqrt":
            while k < len(s) and s[k] == " ":
                k += 1
            if k < len(s) and s[k] == "[":
                close = s.find("]", k)
                if close < 0:
                    raise AnswerError(f"character {t.at(k)}: '[' after \\sqrt is never closed")
                k = close + 1
        for _ in range(count):
            while k < len(s) and s[k] == " ":
                k += 1
            need = f"\\{cmd} needs {count} argument{'s' if count > 1 else ''}, e.g. " + \
                ("\\sqrt{2}" if cmd == "sqrt" else f"\\{cmd}{{1}}{{2}}")
            if k >= len(s):
                raise AnswerError(f"character {t.at(m.start())}: the answer ends before {need}")
            c = s[k]
            if c == "{":
                k = match[k] + 1
                continue
            w = re.compile(r"[A-Za-z0-9]|\\[A-Za-z]+").match(s, k)
            if not w:
                raise AnswerError(f"character {t.at(k)}: {c!r} cannot be an argument of \\{cmd}; {need}")
            if k in edits or w.group()[1:] in ("frac", "dfrac", "tfrac", "binom", "sqrt"):
                raise AnswerError(f"character {t.at(k)}: nested \\{cmd} without braces; {need}")
            edits[k] = (k, w.end(), "{" + w.group() + "}")
            k = w.end()
    return t.edit(sorted(edits.values()))


# ---------------------------------------------------------------------------
# LaTeX
# ---------------------------------------------------------------------------

_GREEK = ("alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "iota", "kappa",
          "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "phi", "varphi", "chi", "psi", "omega")
_TRIG = ("sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh")
_KNOWN = set(_GREEK) | set(_TRIG) | {"circ", "odot", "binom", "frac", "dfrac", "tfrac", "sqrt", "log", "ln", "exp", "cdot", "times", "left", "right", "det",
                        "max", "min", "sum", "top", "mathbb", "operatorname", "mathrm", "tr", "Tr", "big", "Big",
                        "bigl", "bigr", "Bigl", "Bigr", "|", ",", ";", "!", "quad", "mathcal"}


def _check_control_words(tex: str, t=None) -> None:
    for m in re.finditer(r"\\([A-Za-z]+|.)", tex):
        w = m.group(1)
        if w not in _KNOWN:
            at = f" at character {t.at(m.start())}" if t is not None else ""
            raise AnswerError(f"unknown LaTeX control word '\\{w}'{at}; supported: \\frac, \\sqrt, \\log, \\exp, \\det, "
                              r"\sin, \cos, \tan, \arcsin, ..., \pi, \mathbb{E}[...], \left, \right, \cdot, "
                              r"\circ, \odot, \|...\|, Greek letters")


def _latex_to_plain(tex: str, symbols, array_names=frozenset()) -> str:
    r"""Translate the supported LaTeX subset to the plain language (then :func:`parse` checks it).

    Supported: ``\frac{a}{b}``, ``\sqrt{a}``, ``\log``, ``\ln``, ``\exp``, ``\det``, ``\max``, ``\min``,
    ``\operatorname{tr}``, ``\mathbb{E}[...]``, ``\left``/``\right``, ``\cdot``, ``\times``, ``^{...}``,
    ``^\top``/``^T``, ``\|x\|``, ``|x|``, Greek letters, ``x_{k}`` subscripts matching declared names,
    and juxtaposition as multiplication."""
    s = tex.strip()  # control words were checked by parse_latex
    s = re.sub(r"\\(?:left|right|big|Big|bigl|bigr|Bigl|Bigr)\b", "", s)
    s = re.sub(r"\\[,;!]|\\quad", " ", s)
    s = s.replace(r"\mathbb{E}", " E").replace(r"\operatorname{E}", " E").replace(r"\mathrm{E}", " E")
    s = re.sub(r"\\mathcal\s*\{\s*O\s*\}|\\mathcal\s*O", " O", s)
    if "\\mathcal" in s:
        raise AnswerError("\\mathcal is only supported as \\mathcal{O}(...)")
    s = re.sub(r"\\operatorname\{(?:tr|trace)\}|\\mathrm\{(?:tr|trace)\}|\\(?:tr|Tr)\b", " trace ", s)
    s = re.sub(r"\^\s*\{\s*-\s*(?:\\top|T)\s*\}", ".T^{-1}", s)  # A^{-T} = (A^T)^{-1}
    s = re.sub(r"\^\s*\{\s*\\top\s*\}|\^\s*\\top|\^\s*\{\s*T\s*\}|\^\s*T\b", ".T", s)
    s = s.replace(r"\|", "‖")
    s = re.sub(r"\\(cdot|times|circ|odot)", "*", s)
    s = re.sub(r"\\arc(sin|cos|tan)\b", r" a\1 ", s)
    s = re.sub(r"\\(sinh|cosh|tanh|sin|cos|tan)\b", r" \1 ", s)
    s = re.sub(r"\\ln\b", r"\\log", s)
    # \frac{a}{b} -> ((a)/(b)); \sqrt{a} -> sqrt(a); repeat for nesting
    out = _expand_braced(s)
    out = re.sub(r"\\(" + "|".join(_GREEK) + r")\b", r" \1 ", out)
    out = re.sub(r"\\(log|exp|det|max|min|sum)\b", r" \1 ", out)
    if "\\" in out:
        raise AnswerError("this LaTeX construct is not supported; write the answer in the plain syntax instead")
    # |x| -> abs(x) and ‖x‖ -> norm(x), innermost first
    for _ in range(MAX_DEPTH):
        new = re.sub(r"‖([^‖]*)‖", r" norm(\1) ", out)
        new = re.sub(r"\|([^|]*)\|", r" abs(\1) ", new)
        if new == out:
            break
        out = new
    if "|" in out or "‖" in out:
        raise AnswerError("unbalanced | or \\| in the LaTeX answer")
    out = out.replace("{", "(").replace("}", ")")
    out = re.sub(r"([A-Za-z])_\(?\s*([A-Za-z0-9]+)\s*\)?", r"\1_\2", out)  # x_{k} -> x_k
    return _juxtapose(out, symbols, array_names)


def _braced(s: str, i: int):
    """The content of the brace group starting at s[i] == '{' and the index after it."""
    if i >= len(s) or s[i] != "{":
        raise AnswerError(f"expected '{{' at character {i + 1} of the LaTeX answer")
    depth = 0
    for j in range(i, len(s)):
        depth += s[j] == "{"
        depth -= s[j] == "}"
        if depth == 0:
            return s[i + 1:j], j + 1
    raise AnswerError("unbalanced braces in the LaTeX answer")


def _expand_braced(s: str) -> str:
    out, i = [], 0
    while i < len(s):
        m = re.match(r"\\(d|t)?frac\s*", s[i:])
        if m:
            num, j = _braced(s, i + m.end())
            den, k = _braced(s, j)
            out.append(f"(({_expand_braced(num)})/({_expand_braced(den)}))")
            i = k
            continue
        m = re.match(r"\\sqrt\s*(?:\[([^\[\]{}]*)\]\s*)?", s[i:])
        if m:
            arg, j = _braced(s, i + m.end())
            if m.group(1) is not None:  # \sqrt[n]{a} is a**(1/n)
                if not m.group(1).strip():
                    raise AnswerError("\\sqrt[n]{...} needs the index n between the brackets")
                out.append(f" (({_expand_braced(arg)})**(1/({_expand_braced(m.group(1))})))")
            else:
                out.append(f" sqrt({_expand_braced(arg)})")
            i = j
            continue
        if s[i] == "^":
            j = i + 1
            while j < len(s) and s[j] == " ":
                j += 1
            if j < len(s) and s[j] == "{":
                arg, k = _braced(s, j)
                out.append(f"**({_expand_braced(arg)})")
                i = k
            else:
                out.append("**")
                i = j
            continue
        out.append(s[i])
        i += 1
    return "".join(out)


_TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<name>[A-Za-z][A-Za-z0-9_]*)|(?P<op>\*\*|\.T|[-+*/@()\[\],^]))")


def _tokens(s: str, symbols):
    funcs = set(FUNCTIONS) | {"E", "O"}
    toks, i = [], 0
    while i < len(s):
        m = _TOKEN.match(s, i)
        if not m or m.end() == i:
            if s[i:].strip() == "":
                break
            raise AnswerError(f"character {s[i]!r} is not allowed in the LaTeX answer")
        kind = m.lastgroup
        text = m.group(kind)
        if kind == "name" and text not in funcs and text not in symbols and all(c in symbols for c in text):
            toks.extend(("name", c) for c in text)  # run-together letters: xy -> x y
        else:
            toks.append((kind, text))
        i = m.end()
    return toks


def _factor_end(toks, i):
    """Index after the factor starting at ``i``: an atom or bracket group, then ``**`` powers and ``.T``."""
    if i >= len(toks):
        raise AnswerError("a function name at the end of the LaTeX answer has no argument")
    kind, text = toks[i]
    if text in ("(", "["):
        close, depth, j = {"(": ")", "[": "]"}[text], 0, i
        while j < len(toks):
            depth += toks[j][1] == text
            depth -= toks[j][1] == close
            j += 1
            if depth == 0:
                break
    elif kind in ("num", "name"):
        j = i + 1
        if (text == "E" and j < len(toks) and toks[j][1] == "[") or text in FUNCTIONS:
            j = _factor_end(toks, j)  # E[...] or f(...) / f x: the argument belongs to the factor
    elif text == "-":
        return _factor_end(toks, i + 1)
    else:
        raise AnswerError(f"'{text}' cannot start a function argument in the LaTeX answer")
    while j < len(toks) and toks[j][1] in ("**", ".T"):
        j = _factor_end(toks, j + 1) if toks[j][1] == "**" else j + 1
    return j


def _juxtapose(s: str, symbols, array_names=frozenset()) -> str:
    """Insert products between adjacent factors and parentheses around bare function arguments
    (``\\log x`` -> ``log(x)``). Juxtaposition is ``*``, or ``@`` in questions with vector or matrix
    symbols when neither side is a number or a scalar symbol (``A^{-1}(\\eta^2D + I)`` is a matrix
    product; ``@`` with a scalar operand scales)."""
    funcs = set(FUNCTIONS) | {"E", "O"}
    toks = _tokens(s, symbols)
    # bare function arguments
    k = 0
    while k < len(toks):
        kind, text = toks[k]
        if kind == "name" and text in FUNCTIONS and (k + 1 >= len(toks) or toks[k + 1][1] != "("):
            end = _factor_end(toks, k + 1)
            toks = toks[:k + 1] + [("op", "(")] + toks[k + 1:end] + [("op", ")")] + toks[end:]
        k += 1
    out = []
    for k, (kind, text) in enumerate(toks):
        if k:
            pk, pt = toks[k - 1]
            left_ends = (pk in ("num", "name") and pt not in funcs) or pt in (")", "]", ".T")
            right_starts = (kind in ("num", "name")) or text == "("
            if left_ends and right_starts and not (pt in FUNCTIONS and text == "("):
                scalar_side = pk == "num" or kind == "num" or (pk == "name" and pt not in array_names and pt != ")") \
                    or (kind == "name" and text not in array_names and text not in funcs)
                out.append("@" if array_names and not scalar_side else "*")
        out.append(text)
    return " ".join(out)




def _replace_groups(s, command, open_, close, make, table):
    """Replace ``command<open_>...<close>`` by placeholders; ``make(inner)`` builds the node."""
    out, i = [], 0
    while True:
        j = s.find(command, i)
        if j < 0:
            out.append(s[i:])
            return "".join(out)
        k = j + len(command)
        while k < len(s) and s[k] == " ":
            k += 1
        if k >= len(s) or s[k] != open_:
            raise AnswerError(f"{command} must be followed by {open_}...{close}")
        depth, m = 0, k
        while m < len(s):
            depth += s[m] == open_
            depth -= s[m] == close
            if depth == 0:
                break
            m += 1
        if depth:
            raise AnswerError(f"unbalanced {open_}{close} after {command}")
        if len(table) >= 26:
            raise AnswerError("too many expectations or orders in one LaTeX answer (at most 26)")
        key = "qz" + chr(ord("a") + len(table))  # lark accepts letter subscripts only
        table[f"chi_{{{key}}}"] = make(s[k + 1:m])
        out.append(s[i:j] + " \\chi_{" + key + "} ")
        i = m + 1


def _negated(a):
    """``b`` when ``a`` is the unevaluated ``(-1)*b``, else None."""
    import sympy as sp

    if isinstance(a, sp.Mul) and len(a.args) >= 2 and a.args[0] == sp.Integer(-1):
        rest = a.args[1:]
        return rest[0] if len(rest) == 1 else sp.Mul(*rest, evaluate=False)
    return None


def _reciprocal(a) -> bool:
    import sympy as sp

    return isinstance(a, sp.Pow) and isinstance(a.args[1], sp.Integer) and a.args[1] == -1


def _from_sympy(expr, symbols, table, depth=0):
    """Our AST from the SymPy expression SymPy's Lark LaTeX parser built (whitelisted node types)."""
    import sympy as sp

    if depth > MAX_DEPTH:
        raise AnswerError(f"nesting deeper than {MAX_DEPTH}")
    if not isinstance(expr, sp.Basic):
        raise AnswerError("ambiguous LaTeX (SymPy's parser found several readings, e.g. n(k-1) as a product or "
                          "a function call); write \\cdot for products")
    go = lambda e: _from_sympy(e, symbols, table, depth + 1)  # noqa: E731
    if isinstance(expr, sp.Symbol):
        name = str(expr.name).replace("{", "").replace("}", "")
        raw = str(expr.name)
        if raw in table:
            return table[raw]
        if name == "e" and name not in symbols:
            return Const("e")  # an undeclared e in LaTeX is Euler's number
        if name == "pi" and name not in symbols:
            return Const("pi")
        if name not in symbols:
            raise AnswerError(f"unknown symbol '{name}' (declared symbols: {', '.join(sorted(symbols)) or 'none'})")
        return Sym(name)
    if isinstance(expr, sp.Integer):
        v = int(expr)
        if _int_digits(v) > MAX_CONSTANT_DIGITS:
            raise AnswerError(f"a number in the answer has about {_int_digits(v):.0f} digits; constants are "
                              f"limited to {MAX_CONSTANT_DIGITS} digits")
        return Neg(Num(-v)) if v < 0 else Num(v)
    if isinstance(expr, sp.Rational):
        return Div(go(sp.Integer(expr.p)), Num(int(expr.q)))
    if isinstance(expr, sp.Float):
        from fractions import Fraction

        f = float(expr)
        if not math.isfinite(f):
            raise AnswerError("the number is not finite")
        return Neg(Num(Fraction(repr(-f)))) if f < 0 else Num(Fraction(repr(f)))
    if isinstance(expr, sp.Add):  # unevaluated: a + (-1)*b is a - b
        node = go(expr.args[0])
        for a in expr.args[1:]:
            neg = _negated(a)
            node = Sub(node, go(neg)) if neg is not None else Add(node, go(a))
        return node
    if isinstance(expr, sp.Mul):  # unevaluated: (-1)*a is -a, a*b**(-1) is a/b
        args = list(expr.args)
        sign = False
        while args and args[0] == sp.Integer(-1) and len(args) > 1:
            sign, args = not sign, args[1:]
        num = [a for a in args if not _reciprocal(a)]
        den = [a.args[0] for a in args if _reciprocal(a)]
        node = go(num[0]) if num else Num(1)
        for a in num[1:]:
            node = Mul(node, go(a))
        for a in den:
            node = Div(node, go(a))
        return Neg(node) if sign else node
    if isinstance(expr, sp.Pow):
        if expr.args[1] == sp.Rational(1, 2) and isinstance(expr.args[1], sp.Rational):
            return Call("sqrt", (go(expr.args[0]),))
        return Pow(go(expr.args[0]), go(expr.args[1]))
    if expr is sp.pi or expr == sp.pi:
        return Const("pi")
    if expr is sp.E:
        return Const("e")
    named = {sp.log: "log", sp.exp: "exp", sp.Abs: "abs", sp.Max: "max", sp.Min: "min", sp.sin: "sin",
             sp.cos: "cos", sp.tan: "tan", sp.asin: "asin", sp.acos: "acos", sp.atan: "atan", sp.sinh: "sinh",
             sp.cosh: "cosh", sp.tanh: "tanh", sp.floor: "floor", sp.ceiling: "ceil", sp.factorial: "factorial",
             sp.binomial: "binomial", sp.sign: "sign"}
    for cls, name in named.items():
        if isinstance(expr, cls):
            if len(expr.args) != ARITY[name][0] and not (name == "log" and len(expr.args) == 2):
                raise AnswerError(f"{name} with {len(expr.args)} arguments is not in the answer language")
            return Call(name, tuple(go(a) for a in expr.args))
    raise AnswerError(f"the LaTeX construct {type(expr).__name__} is not in the answer language")


def _parse_latex_lark(tex: str, symbols) -> Node:
    r"""Scalar LaTeX through SymPy's Lark-based parser, after normalising ``\mathbb{E}[...]`` and
    ``\mathcal{O}(...)`` (into placeholders parsed recursively), ``\left``/``\right`` and spacing."""
    from sympy.parsing.latex import parse_latex as sympy_parse_latex

    s = re.sub(r"\\(?:left|right|big|Big|bigl|bigr|Bigl|Bigr)\b", "", tex)
    s = re.sub(r"\\[,;!]|\\quad", " ", s)
    s = re.sub(r"\\mathcal\s*\{\s*O\s*\}", r"\\mathcal{O}", s)
    table = {}
    s = _replace_groups(s, r"\mathbb{E}", "[", "]", lambda inner: Expect(_parse_latex_lark(inner, symbols)), table)
    s = _replace_groups(s, r"\mathcal{O}", "(", ")", lambda inner: Order(_parse_latex_lark(inner, symbols)), table)
    _check_lark_limits(s)
    import sympy as sp

    try:
        with sp.evaluate(False):  # build the tree, compute nothing: 10^{10^{10}} stays a tree until check_size
            expr = sympy_parse_latex(s, backend="lark")
    except (RecursionError, MemoryError):
        raise AnswerError("SymPy's LaTeX parser could not read it (too deeply nested)") from None
    except Exception as exc:  # lark's own errors: report them as a parse failure
        raise AnswerError(f"SymPy's LaTeX parser could not read it ({type(exc).__name__})") from None
    with sp.evaluate(False):
        return check_size(_from_sympy(expr, set(symbols), table))


def _check_lark_limits(s: str) -> None:
    """Keep SymPy's Earley parser to inputs it parses quickly (:data:`LARK_MAX_LENGTH`, :data:`LARK_MAX_LETTERS`)."""
    if len(s) > LARK_MAX_LENGTH:
        raise AnswerError(f"longer than {LARK_MAX_LENGTH} characters for SymPy's LaTeX parser")
    bare = re.sub(r"\\[A-Za-z]+", " ", s)
    run = max((len(m) for m in re.findall(r"(?:[A-Za-z][\s{}_^0-9]*)+", bare)), default=0)
    letters = max((sum(c.isalpha() for c in m) for m in re.findall(r"(?:[A-Za-z][\s{}_^0-9]*)+", bare)), default=0)
    if letters > LARK_MAX_LETTERS and run:
        raise AnswerError(f"more than {LARK_MAX_LETTERS} juxtaposed letters for SymPy's LaTeX parser")


def parse_latex(tex: str, symbols, array_names=frozenset(), relation: str | None = None) -> Node:
    r"""Parse a LaTeX answer: normalise it (:func:`_normalise_latex`: delimiters, ``\boxed``, styles and
    spacing, ``\over``, ``\%``, ``\frac12``, Unicode, ``y = ...``), then read ``\mathbb{E}[...]``,
    ``\left``/``\right``, ``\cdot``, ``^\top``, ``\|...\|`` and the other supported commands into the plain
    language and :func:`parse` it (the same whitelist). Unknown control words are errors. ``relation`` is
    the question's relation when the caller knows it (an equation is accepted only for ``equal``)."""
    if not isinstance(tex, str):
        raise AnswerError(f"the LaTeX answer must be a string, got {type(tex).__name__}")
    if len(tex) > MAX_LENGTH:
        raise AnswerError(f"the answer has {len(tex)} characters; at most {MAX_LENGTH} are allowed")
    if not tex.strip():
        raise AnswerError("the answer is empty")
    bad = re.search(r"[\x00-\x1f\x7f-\x9f]", tex)
    if bad:
        raise AnswerError(f"character {bad.start() + 1}: control character {bad.group()!r} is not allowed")
    t = _normalise_latex(tex, symbols, relation)
    if not t.s.strip(" {}"):
        raise AnswerError("the answer is empty (nothing inside the delimiters or the box)")
    try:
        return _parse_normalised_latex(t, symbols, array_names)
    except AnswerError as exc:
        if t.s.strip() == tex.strip():
            raise
        shown = " ".join(t.s.split())
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        raise AnswerError(f"{exc} [the LaTeX answer as normalised: {shown!r}]") from None


def _parse_normalised_latex(t: _Text, symbols, array_names) -> Node:
    tex = t.s
    _check_control_words(tex, t)
    lark_error = None
    if not array_names and "\\|" not in tex and "\\det" not in tex:
        # scalar questions: SymPy's Lark-based parser (matrix algebra is out of its reach: it treats every
        # symbol as a commuting scalar and has no determinant of a symbol)
        try:
            return _parse_latex_lark(tex, symbols)
        except AnswerError as exc:
            lark_error = str(exc)
    plain = _latex_to_plain(tex, set(symbols), frozenset(array_names))
    if len(plain) > MAX_LENGTH:
        raise AnswerError(f"the LaTeX answer becomes {len(plain)} characters in the plain language (juxtaposed "
                          f"letters become products); at most {MAX_LENGTH} are allowed: shorten it")
    try:
        node = parse(plain, symbols, latex_e=True)
    except AnswerError as exc:
        shown = plain if len(plain) <= 80 else plain[:77] + "..."
        extra = f"; SymPy's Lark parser: {lark_error}" if lark_error and lark_error != str(exc) else ""
        raise AnswerError(f"{exc} (in the plain form {shown!r} of the LaTeX answer{extra})") from None
    return _matrix_powers(node, frozenset(array_names)) if array_names else node


_SCALAR_OF_ARRAY = ("det", "logdet", "trace", "norm", "sum", "logsumexp", "max", "min")


def _arrayish(node, array_names) -> bool:
    """Whether ``node`` is (likely) array-valued: it uses an array symbol outside scalar functions."""
    if isinstance(node, Sym):
        return node.name in array_names
    if isinstance(node, Call):
        if node.func in _SCALAR_OF_ARRAY:
            return False
        if node.func in ("eye", "ones"):
            return True
        return any(_arrayish(a, array_names) for a in node.args)
    if isinstance(node, Expect):
        return _arrayish(node.a, array_names)
    return any(_arrayish(getattr(node, f), array_names) for f in ("a", "b") if hasattr(node, f))


def _matrix_powers(node, array_names):
    """In LaTeX a superscript on a matrix is a matrix power (``A^{-1}``, ``A^2``), not elementwise."""
    if isinstance(node, Pow) and _arrayish(node.a, array_names):
        base = _matrix_powers(node.a, array_names)
        k = node.b
        if isinstance(k, Neg) and isinstance(k.a, Num) and k.a.value == 1:
            return Call("inv", (base,))
        return Call("matrix_power", (base, _matrix_powers(k, array_names)))
    if isinstance(node, Call):
        return Call(node.func, tuple(_matrix_powers(a, array_names) for a in node.args))
    fields = getattr(node, "__dataclass_fields__", {})
    if not fields or isinstance(node, (Num, Sym, Const)):
        return node
    return type(node)(*[_matrix_powers(getattr(node, f), array_names) for f in fields])
