r"""TeX of a line of a derivation, for the annotated copies: the LaTeX source line as written, or for the
TOML form the line parsed *without* expanding definitions and printed as TeX.

>>> from verify.steps.context import Context
>>> ctx = Context.build({"x": "vector K", "p": "probability vector K", "c": "real", "K": "integer in [2, 6]"},
...                     define={"m": "E[x[b], (b, p)]"})
>>> line_tex(ctx, "E[(x[a] - c)**2, (a, p)] + (m - c)**2")
'\\mathbb{E}_{a \\sim p}\\left[\\left(x_{a} - c\\right)^{2}\\right] + \\left(m - c\\right)^{2}'
"""

from __future__ import annotations

import re
from fractions import Fraction

from ..answers.extended import (Apply, Diff, DiffAt, ExpectOver, Fn, Index, Inf, Lit, Normal, Over, Seq, parse_extended,
                                parse_statement)
from ..answers.language import (Add, Call, Div, Expect, MatMul, Mul, Neg, Num, Order, Pow, Sub, Sym, Transpose)

__all__ = ["to_tex", "line_tex", "escape_text", "REL_TEX"]

REL_TEX = {"=": "=", "<=": r"\le", "<": "<", ">=": r"\ge", ">": ">", "==>": r"\Longrightarrow", "==": "=",
           None: ""}
_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu",
          "nu", "xi", "pi", "rho", "sigma", "tau", "phi", "chi", "psi", "omega", "ell", "Gamma", "Delta", "Theta",
          "Lambda", "Sigma", "Omega", "Phi", "Psi"}
_PREC = {"Add": 1, "Sub": 1, "Mul": 2, "MatMul": 2, "Div": 3, "Neg": 2, "Pow": 4}


def escape_text(s: str) -> str:
    """Plain text safe inside LaTeX text mode."""
    rep = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#", "_": r"\_",
           "%": r"\%", "^": r"\^{}", "~": r"\~{}"}
    return "".join(rep.get(c, c) for c in str(s))


def _name(n: str) -> str:
    m = re.fullmatch(r"([A-Za-z]+?)(\d+|star)?", n)
    if not m:
        return r"\mathit{" + n.replace("_", r"\_") + "}"
    base, sub = m.group(1), m.group(2)
    t = ("\\" + base) if base in _GREEK else (base if len(base) == 1 else r"\mathit{" + base + "}")
    if sub == "star":
        return t + "^{*}"
    return t + (f"_{{{sub}}}" if sub else "")


def _wrap(tex, inner, outer, right=False):
    pi, po = _PREC.get(type(inner).__name__, 9), _PREC[outer]
    if pi < po or (right and pi == po and outer in ("Sub", "Div")) or (outer == "Pow" and pi <= po):
        return r"\left(" + tex + r"\right)"
    return tex


def to_tex(node) -> str:  # noqa: C901 (one case per node type)
    t = type(node).__name__
    if isinstance(node, Num):
        v = node.value
        if isinstance(v, Fraction) and v.denominator != 1:
            return f"{float(v):g}"
        return str(int(v)) if isinstance(v, Fraction) else str(v)
    if isinstance(node, Sym):
        return _name(node.name)
    if t == "Const":
        return {"pi": r"\pi", "inf": r"\infty", "e": "e"}.get(node.name, node.name)
    if isinstance(node, (Add, Sub)):
        op = " + " if isinstance(node, Add) else " - "
        return _wrap(to_tex(node.a), node.a, t) + op + _wrap(to_tex(node.b), node.b, t, right=True)
    if isinstance(node, (Mul, MatMul)):
        sep = r" \cdot " if isinstance(node.b, Num) or isinstance(node.a, Num) and isinstance(node.b, Num) else " "
        return _wrap(to_tex(node.a), node.a, t) + sep + _wrap(to_tex(node.b), node.b, t, right=True)
    if isinstance(node, Div):
        return r"\frac{" + to_tex(node.a) + "}{" + to_tex(node.b) + "}"
    if isinstance(node, Pow):
        return _wrap(to_tex(node.a), node.a, "Pow") + "^{" + to_tex(node.b) + "}"
    if isinstance(node, Neg):
        return "-" + _wrap(to_tex(node.a), node.a, "Neg")
    if isinstance(node, Transpose):
        return _wrap(to_tex(node.a), node.a, "Pow") + r"^{\top}"
    if isinstance(node, Expect):
        return r"\mathbb{E}\left[" + to_tex(node.a) + r"\right]"
    if isinstance(node, Order):
        return r"\mathcal{O}\left(" + to_tex(node.a) + r"\right)"
    if isinstance(node, Call):
        if node.func == "norm" and len(node.args) == 1:
            return r"\left\|" + to_tex(node.args[0]) + r"\right\|"
        if node.func == "abs":
            return r"\left|" + to_tex(node.args[0]) + r"\right|"
        if node.func == "sqrt":
            return r"\sqrt{" + to_tex(node.args[0]) + "}"
        if node.func == "inv":
            return _wrap(to_tex(node.args[0]), node.args[0], "Pow") + "^{-1}"
        f = {"log": r"\log", "exp": r"\exp", "sin": r"\sin", "cos": r"\cos", "tanh": r"\tanh", "det": r"\det",
             "max": r"\max", "min": r"\min", "sum": r"\sum"}.get(node.func, r"\operatorname{" + node.func + "}")
        return f + r"\left(" + ", ".join(to_tex(a) for a in node.args) + r"\right)"
    if isinstance(node, Index):
        return _wrap(to_tex(node.a), node.a, "Pow") + "_{" + ",".join(to_tex(i) for i in node.idx) + "}"
    if isinstance(node, Seq):
        return _name(node.name) + "_{" + to_tex(node.index) + "}"
    if isinstance(node, Over):
        op = {"sum": r"\sum", "prod": r"\prod", "max": r"\max", "min": r"\min"}[node.kind]
        return (op + "_{" + _name(node.var) + "=" + to_tex(node.lo) + "}^{" + to_tex(node.hi) + "} "
                + _wrap(to_tex(node.body), node.body, "Mul"))
    if isinstance(node, ExpectOver):
        dist = to_tex(node.dist)
        op = {"E": r"\mathbb{E}", "Var": r"\operatorname{Var}", "Cov": r"\operatorname{Cov}"}[node.kind]
        return (op + "_{" + _name(node.var) + r" \sim " + dist + r"}\left[" + ", ".join(to_tex(b) for b in node.bodies)
                + r"\right]")
    if isinstance(node, Normal):
        return r"\mathcal{N}\left(" + to_tex(node.mu) + ", " + to_tex(node.s2) + r"\right)"
    if isinstance(node, Fn):
        if node.name == "pi":
            return r"\pi"
        if node.name == "norm":
            p = node.args[1]
            sub = r"\infty" if isinstance(p, Inf) else to_tex(p)
            return r"\left\|" + to_tex(node.args[0]) + r"\right\|_{" + sub + "}"
        if node.name == "KL":
            return r"\mathrm{KL}\left(" + to_tex(node.args[0]) + r" \,\|\, " + to_tex(node.args[1]) + r"\right)"
        name = {"Phi": r"\Phi", "phi": r"\phi", "sin": r"\sin", "cos": r"\cos", "tan": r"\tan",
                "tanh": r"\tanh"}.get(node.name, r"\operatorname{" + node.name + "}")
        return name + r"\left(" + ", ".join(to_tex(a) for a in node.args) + r"\right)"
    if isinstance(node, Diff):
        k = "" if node.order == 1 else f"^{{{node.order}}}"
        return (r"\frac{\partial" + k + r"}{\partial " + _name(node.var) + k + r"}\left(" + to_tex(node.body)
                + r"\right)")
    if isinstance(node, DiffAt):
        k = "" if node.order == 1 else f"^{{{node.order}}}"
        return (r"\frac{\partial" + k + r"}{\partial " + _name(node.var) + "_{" + ",".join(to_tex(i) for i in node.idx)
                + "}" + k + r"}\left(" + to_tex(node.body) + r"\right)")
    if isinstance(node, Apply):
        return _name(node.name) + r"\left(" + ", ".join(to_tex(a) for a in node.args) + r"\right)"
    if isinstance(node, Inf):
        return r"\infty"
    if isinstance(node, Lit):
        return str(node.value)
    return r"\text{" + escape_text(t) + "}"


def line_tex(ctx, text: str) -> str:
    """TeX of one plain-language line, definitions kept as names; raises AnswerError when unreadable."""
    symbols = set(ctx.domains) | set(ctx.defines)
    kw = dict(functions=tuple(ctx.functions) + tuple(ctx.params), sequences=tuple(ctx.seqdefs))
    if re.search(r"==|<=|>=|(?<![<>=])[<>](?![<>=])", text):
        op, lhs, rhs = parse_statement(text, symbols, **kw)
        return to_tex(lhs) + " " + REL_TEX[op] + " " + to_tex(rhs)
    return to_tex(parse_extended(text, symbols, **kw))
