r"""Read ``verify diff`` input with the judge's whitelisting parser (:mod:`verify.answers.language`).

The judge's language grows (its rewrite adds ``sin cos pi logdet kron diag eye ones softmax
logsumexp sigmoid matrix_power pinv``); until that lands, :func:`parse_function` accepts those names
through a subclass of the judge's builder that only widens the list of callable names. Nothing is
evaluated: :func:`ast.parse` builds a tree and every node is checked against the whitelist.

>>> parse_function("log(det(X))", {"X"})
Call('log', (Call('det', (Sym('X'),)),))
>>> parse_function("__import__('os')", {"X"})
Traceback (most recent call last):
...
verify.answers.language.AnswerError: column 1: '__import__' is not an allowed function (allowed: abs, acos, asin, atan, cos, cosh, det, diag, exp, eye, inv, kron, log, logdet, logsumexp, matrix_power, max, min, norm, ones, pinv, sigmoid, sign, sin, sinh, softmax, sqrt, sum, tan, tanh, trace)
"""

from __future__ import annotations

import ast

from ..answers import language as L

__all__ = ["parse_function", "DIFF_FUNCTIONS", "ARITY"]

#: The functions ``verify diff`` reads (a subset of the judge's rewritten language).
DIFF_FUNCTIONS = ("abs", "acos", "asin", "atan", "cos", "cosh", "det", "diag", "exp", "eye", "inv", "kron", "log",
                  "logdet", "logsumexp", "matrix_power", "max", "min", "norm", "ones", "pinv", "sigmoid", "sign",
                  "sin", "sinh", "softmax", "sqrt", "sum", "tan", "tanh", "trace")
ARITY = {f: (1, 1) for f in DIFF_FUNCTIONS}
ARITY.update({"kron": (2, 2), "matrix_power": (2, 2), "ones": (1, 2), "max": (1, 8), "min": (1, 8)})
_CONSTANTS = ("pi",)


class _Builder(L._Builder):
    """The judge's builder with the wider function list (only ``ast.Call`` and ``pi`` differ)."""

    def build(self, node, depth=0):
        if isinstance(node, ast.Name) and node.id not in self.symbols and node.id in _CONSTANTS:
            const = getattr(L, "Const", None)
            return const(node.id) if const is not None else L.Call("pi", ())
        if not isinstance(node, ast.Call):
            return super().build(node, depth)
        if depth > L.MAX_DEPTH:
            raise L.AnswerError(f"{L._where(node)}: nesting deeper than {L.MAX_DEPTH}")
        if not isinstance(node.func, ast.Name) or node.func.id not in DIFF_FUNCTIONS:
            name = node.func.id if isinstance(node.func, ast.Name) else type(node.func).__name__
            raise L.AnswerError(f"{L._where(node)}: '{name}' is not an allowed function "
                                f"(allowed: {', '.join(DIFF_FUNCTIONS)})")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise L.AnswerError(f"{L._where(node)}: only positional arguments are allowed")
        name = node.func.id
        lo, hi = ARITY[name]
        if not lo <= len(node.args) <= hi:
            raise L.AnswerError(f"{L._where(node)}: {name}(...) takes {lo if lo == hi else f'{lo} to {hi}'} "
                                f"argument(s), not {len(node.args)}")
        return L.Call(name, tuple(self.build(a, depth + 1) for a in node.args))


def parse_function(text: str, symbols) -> L.Node:
    """Parse ``text`` (the plain answer language) with ``symbols`` the declared names."""
    if not isinstance(text, str):
        raise L.AnswerError(f"the function must be a string, got {type(text).__name__}")
    if len(text) > L.MAX_LENGTH:
        raise L.AnswerError(f"the function has {len(text)} characters; at most {L.MAX_LENGTH} are allowed")
    if not text.strip():
        raise L.AnswerError("the function is empty")
    if any(not (" " <= c <= "~") for c in text):
        raise L.AnswerError("only ASCII characters are allowed")
    try:
        tree = ast.parse(text.replace("^", "**").strip(), mode="eval")
    except SyntaxError as exc:
        raise L.AnswerError(f"column {exc.offset or 1}: syntax error ({exc.msg})") from None
    except (RecursionError, MemoryError, ValueError) as exc:
        raise L.AnswerError(f"the function cannot be parsed ({type(exc).__name__})") from None
    return L.check_size(_Builder(set(symbols)).build(tree))
