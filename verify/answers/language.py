r"""The answer language: a whitelist over Python's ``ast`` (plain answers) and a LaTeX front end.

Plain answers: numbers, declared symbols, ``+ - * / ** ^ @``, parentheses, the functions
``log exp sqrt abs max min sum det inv trace norm``, ``.T``, ``E[...]`` and ``O(...)``.
Anything else is rejected with a message that names the problem and its position; the
text is parsed by :func:`ast.parse` in ``eval`` mode (which builds a tree and runs
nothing) and every node is checked against the whitelist before it becomes a
:class:`Node`.

>>> parse("E[g**2*R]/E[g**2]", {"g", "R"})
Div(Expect(Mul(Pow(Sym('g'), Num(2)), Sym('R'))), Expect(Pow(Sym('g'), Num(2))))
>>> parse("__import__('os')", {"x"})
Traceback (most recent call last):
...
verify.answers.language.AnswerError: column 1: '__import__' is not an allowed function (allowed: abs, det, exp, inv, log, max, min, norm, sqrt, sum, trace)
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

__all__ = ["AnswerError", "Node", "Num", "Sym", "Add", "Sub", "Mul", "Div", "Pow", "MatMul", "Neg", "Call",
           "Transpose", "Expect", "Order", "parse", "parse_latex", "FUNCTIONS", "MAX_LENGTH", "MAX_DEPTH",
           "MAX_EXPONENT", "free_symbols"]

FUNCTIONS = ("abs", "det", "exp", "inv", "log", "max", "min", "norm", "sqrt", "sum", "trace")
MAX_LENGTH = 2000
MAX_DEPTH = 50
MAX_EXPONENT = 1000  #: |integer exponent| above this is rejected (10**10**10 would exhaust memory)


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
    col = getattr(node, "col_offset", None)
    return f"column {col + 1 - offset}" if col is not None else "somewhere"


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


class _Builder:
    def __init__(self, symbols, offset=0):
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
            if op is Pow:
                e = _numeric_value(b)
                if isinstance(e, int) and abs(e) > MAX_EXPONENT:
                    raise AnswerError(f"{_where(node, self.offset)}: integer exponent {e} is too large "
                                      f"(at most {MAX_EXPONENT} in absolute value)")
                if isinstance(b, Pow) and _numeric_value(b.a) is not None and _numeric_value(b.b) is not None:
                    raise AnswerError(f"{_where(node, self.offset)}: towers of integer powers are not allowed")
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
            if name not in ("max", "min") and len(node.args) != 1:
                raise AnswerError(f"{_where(node, self.offset)}: {name}(...) takes one argument")
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


def parse(text: str, symbols) -> Node:
    """Parse a plain answer; ``symbols`` are the declared names (``E`` and ``O`` are reserved)."""
    if not isinstance(text, str):
        raise AnswerError(f"the answer must be a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise AnswerError(f"the answer has {len(text)} characters; at most {MAX_LENGTH} are allowed")
    if not text.strip():
        raise AnswerError("the answer is empty")
    bad = re.search(r"[^\x20-\x7e]", text)
    if bad:
        raise AnswerError(f"column {bad.start() + 1}: character {bad.group()!r} is not allowed (ASCII only)")
    if text.count("(") > MAX_DEPTH * 4 or text.count("[") > MAX_DEPTH * 4:
        raise AnswerError(f"too many brackets (nesting is limited to {MAX_DEPTH})")
    depth = 0
    for i, ch in enumerate(text):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth > MAX_DEPTH:
            raise AnswerError(f"column {i + 1}: brackets nested deeper than {MAX_DEPTH}")
    src = text.replace("^", "**")  # same length per '^' + 1: positions after it shift; report on the original
    try:
        tree = ast.parse(src.strip(), mode="eval")
    except SyntaxError as exc:
        col = exc.offset or 0
        col -= src[:col].count("**") - text[:col].count("**") if col else 0
        raise AnswerError(f"column {max(col, 1)}: syntax error ({exc.msg}); write e.g. 2*x**2 + log(y)") from None
    except (RecursionError, MemoryError, ValueError) as exc:
        raise AnswerError(f"the answer cannot be parsed ({type(exc).__name__})") from None
    reserved = {"E", "O"} & set(symbols)
    if reserved:
        raise AnswerError(f"symbol names {sorted(reserved)} are reserved (E[...] is expectation, O(...) an order)")
    return _Builder(symbols).build(tree)


# ---------------------------------------------------------------------------
# LaTeX
# ---------------------------------------------------------------------------

_GREEK = ("alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "iota", "kappa",
          "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "phi", "varphi", "chi", "psi", "omega")
_KNOWN = set(_GREEK) | {"frac", "dfrac", "tfrac", "sqrt", "log", "ln", "exp", "cdot", "times", "left", "right", "det",
                        "max", "min", "sum", "top", "mathbb", "operatorname", "mathrm", "tr", "Tr", "big", "Big",
                        "bigl", "bigr", "Bigl", "Bigr", "|", ",", ";", "!", "quad", "mathcal"}


def _check_control_words(tex: str) -> None:
    for w in re.findall(r"\\([A-Za-z]+|.)", tex):
        if w not in _KNOWN:
            raise AnswerError(f"unknown LaTeX control word '\\{w}'; supported: \\frac, \\sqrt, \\log, \\exp, \\det, "
                              r"\mathbb{E}[...], \left, \right, \cdot, \|...\|, Greek letters")


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
    s = re.sub(r"\\(cdot|times)", "*", s)
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
        m = re.match(r"\\sqrt\s*", s[i:])
        if m:
            arg, j = _braced(s, i + m.end())
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
        if name not in symbols:
            raise AnswerError(f"unknown symbol '{name}' (declared symbols: {', '.join(sorted(symbols)) or 'none'})")
        return Sym(name)
    if isinstance(expr, sp.Integer):
        v = int(expr)
        if abs(v) > 10**MAX_EXPONENT:
            raise AnswerError("a number in the answer is too large")
        return Num(v)
    if isinstance(expr, sp.Rational):
        return Div(Num(int(expr.p)), Num(int(expr.q)))
    if isinstance(expr, sp.Float):
        from fractions import Fraction

        return Num(Fraction(repr(float(expr))))
    if isinstance(expr, (sp.Add, sp.Mul)):
        args = [go(a) for a in expr.args]
        node = args[0]
        for a in args[1:]:
            node = (Add if isinstance(expr, sp.Add) else Mul)(node, a)
        return node
    if isinstance(expr, sp.Pow):
        base, e = go(expr.args[0]), go(expr.args[1])
        v = _numeric_value(e)
        if isinstance(v, int) and abs(v) > MAX_EXPONENT:
            raise AnswerError(f"integer exponent {v} is too large (at most {MAX_EXPONENT} in absolute value)")
        return Pow(base, e)
    named = {sp.log: "log", sp.exp: "exp", sp.Abs: "abs", sp.Max: "max", sp.Min: "min"}
    for cls, name in named.items():
        if isinstance(expr, cls):
            if name == "log" and len(expr.args) != 1:
                raise AnswerError("logarithms with a base are not supported; write log(x)/log(b)")
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
    try:
        expr = sympy_parse_latex(s, backend="lark")
    except Exception as exc:  # lark's own errors: report them as a parse failure
        raise AnswerError(f"SymPy's LaTeX parser could not read it ({type(exc).__name__})") from None
    return _from_sympy(expr, set(symbols), table)


def parse_latex(tex: str, symbols, array_names=frozenset()) -> Node:
    r"""Parse a LaTeX answer: normalise ``\mathbb{E}[...]``, ``\left``/``\right``, ``\cdot``, ``^\top``,
    ``\|...\|`` and the other supported commands into the plain language, then :func:`parse` it (the
    same whitelist). Unknown control words are errors."""
    if not isinstance(tex, str):
        raise AnswerError(f"the LaTeX answer must be a string, got {type(tex).__name__}")
    if len(tex) > MAX_LENGTH:
        raise AnswerError(f"the answer has {len(tex)} characters; at most {MAX_LENGTH} are allowed")
    _check_control_words(tex)
    lark_error = None
    if not array_names and "\\|" not in tex and "\\det" not in tex:
        # scalar questions: SymPy's Lark-based parser (matrix algebra is out of its reach: it treats every
        # symbol as a commuting scalar and has no determinant of a symbol)
        try:
            return _parse_latex_lark(tex, symbols)
        except AnswerError as exc:
            lark_error = str(exc)
    plain = _latex_to_plain(tex, set(symbols), frozenset(array_names))
    try:
        return parse(plain, symbols)
    except AnswerError as exc:
        extra = f"; SymPy's Lark parser: {lark_error}" if lark_error else ""
        raise AnswerError(f"{exc} (in the plain form {plain!r} of the LaTeX answer{extra})") from None
