"""One key per distinct answer: parse, then canonicalise where it is safe.

Two answers get the same key only when the judge's parser reads them as the same tree
(whitespace, redundant parentheses and ``^``/``**`` vanish in parsing), after sorting the
operands of flattened sums (and, in questions without arrays, of products) into a fixed
order. Judging one answer of a key therefore judges every answer of that key. An answer
the parser rejects keeps its raw text as key (its verdict is ``invalid`` with a position,
which depends on the exact text).

>>> from verify.answers.bank import question_from_toml
>>> q = question_from_toml({"id": "t", "symbols": {"x": "real", "y": "real"}, "reference": "x*y",
...                         "relation": "equal"})
>>> answer_key(q, "x^2 + (y)*3", None) == answer_key(q, "3 * y + x**2", None)
True
>>> answer_key(q, "x^2 +", None)
'raw:plain:x^2 +'
"""

from __future__ import annotations

from ..answers.language import Add, AnswerError, Mul, Node, parse, parse_latex
from ..isolation import IsolatedTimeout, run_isolated

__all__ = ["answer_key", "answer_keys", "canonical"]

#: distinct answers normalised per isolated child (parsing is bounded; the child is a backstop)
CHUNK = 500
CHUNK_BUDGET = 60.0


def _flatten(node, cls):
    if isinstance(node, cls):
        return _flatten(node.a, cls) + _flatten(node.b, cls)
    return [node]


def canonical(node, *, commute_products: bool) -> Node:
    """The node with sums (and products, if allowed) flattened and their operands sorted by their text."""
    if not isinstance(node, Node):
        return node
    for cls in (Add,) + ((Mul,) if commute_products else ()):
        if isinstance(node, cls):
            parts = sorted((canonical(p, commute_products=commute_products) for p in _flatten(node, cls)), key=repr)
            out = parts[0]
            for p in parts[1:]:
                out = cls(out, p)
            return out
    fields = getattr(node, "__dataclass_fields__", {})
    vals = {}
    for f in fields:
        v = getattr(node, f)
        if isinstance(v, tuple):
            v = tuple(canonical(x, commute_products=commute_products) for x in v)
        else:
            v = canonical(v, commute_products=commute_products)
        vals[f] = v
    return type(node)(**vals)


def answer_key(q, answer: str | None, latex: str | None) -> str:
    """The key of one answer to question ``q``."""
    kind, text = ("plain", answer) if latex is None else ("latex", latex)
    try:
        node = parse(answer, q.domains) if latex is None else parse_latex(latex, q.domains, q.array_names)
    except (AnswerError, RecursionError, MemoryError, ValueError, TypeError):
        return f"raw:{kind}:{text}"
    return "node:" + repr(canonical(node, commute_products=not q.array_names))


def _keys(q, items):
    return [answer_key(q, a, t) for a, t in items]


def answer_keys(q, items: list) -> list:
    """Keys of many ``(answer, latex)`` pairs of one question, computed in isolated children (a hostile
    answer cannot take the grading process down); a chunk that fails keeps raw keys."""
    out = []
    for i in range(0, len(items), CHUNK):
        chunk = items[i:i + CHUNK]
        try:
            out.extend(run_isolated(_keys, q, chunk, budget=CHUNK_BUDGET))
        except (IsolatedTimeout, MemoryError, Exception):  # noqa: BLE001 (raw keys are always safe)
            out.extend(f"raw:{'plain' if t is None else 'latex'}:{a if t is None else t}" for a, t in chunk)
    return out
