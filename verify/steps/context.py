r"""The declarations of one derivation (symbols and domains, abstract functions, definitions) and the
parser of its lines (the extended answer language, :mod:`verify.answers.extended`).

>>> ctx = Context.build({"x": "real"}, {"f": "smooth"}, {"g(t)": "f(t)**2", "V[0]": "x", "V[j + 1]": "V[j] / 2"})
>>> ctx.parse_line("g(x) + V[2]")
Add(Pow(Apply('f', (Sym('x'),)), Num(2)), Seq('V', Num(2)))
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..answers.extended import SeqDef, family, parse_extended, parse_statement
from ..answers.language import AnswerError
from ..answers.sized_domains import parse_sized
from ..errors import ValidationError

__all__ = ["Context"]

_PARAM = re.compile(r"^\s*([A-Za-z_]\w*)\s*\(\s*([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*\)\s*$")
_SEQ = re.compile(r"^\s*([A-Za-z_]\w*)\s*\[\s*(.+?)\s*\]\s*$")
_NAME = re.compile(r"^\s*([A-Za-z_]\w*)\s*$")


def safe_names(text: str) -> str:
    """Python keywords that are names in mathematics (``lambda``) renamed ``lambda_`` before parsing."""
    return re.sub(r"(?<![\w.])lambda(?!\w)", "lambda_", text)


@dataclass
class Context:
    domains: dict = field(default_factory=dict)  #: name -> SizedDomain
    functions: dict = field(default_factory=dict)  #: name -> tuple of member names
    defines: dict = field(default_factory=dict)  #: name -> node
    params: dict = field(default_factory=dict)  #: name -> (param names, node)
    seqdefs: dict = field(default_factory=dict)  #: name -> SeqDef

    def kw(self, extra=()):
        return dict(functions=tuple(self.functions), defines=self.defines, params=self.params,
                    sequences=tuple(self.seqdefs) + tuple(extra))

    @property
    def symbols(self) -> set:
        return set(self.domains)

    @property
    def limit_symbol(self):
        for name, d in self.domains.items():
            if d.limit:
                return name, d.limit
        return None

    def parse_expr(self, text: str, extra_symbols=(), extra_sequences=()):
        return parse_extended(safe_names(text), self.symbols | set(extra_symbols), **self.kw(extra_sequences))

    def parse_line(self, text: str):
        """An expression node, or ``("stmt", op, lhs, rhs)`` for a statement."""
        text = safe_names(text)
        if re.search(r"==|<=|>=|(?<![<>=])[<>](?![<>=])", text):
            op, lhs, rhs = parse_statement(text, self.symbols, **self.kw())
            return ("stmt", op, lhs, rhs)
        return self.parse_expr(text)

    @classmethod
    def build(cls, symbols: dict, functions: dict | None = None, define: dict | None = None) -> "Context":
        """From the declarations; raises :class:`ValidationError` / :class:`AnswerError` naming the entry."""
        ctx = cls()
        for name, text in (symbols or {}).items():
            name = safe_names(str(name))
            if not re.fullmatch(r"[A-Za-z_]\w*", str(name)):
                raise ValidationError(f"symbols: {name!r} is not a name")
            ctx.domains[str(name)] = parse_sized(str(text), name=str(name))
        for name, kind in (functions or {}).items():
            try:
                ctx.functions[str(name)] = family(str(kind))
            except AnswerError as exc:
                raise ValidationError(f"functions.{name}: {exc}") from None
        ctx.add_definitions(define or {})
        return ctx

    def add_definitions(self, define: dict) -> None:
        seqs = {}
        for key in define:  # sequences first: a recursion's body names the sequence itself
            m = _SEQ.match(str(key))
            if m and not _NAME.match(str(key)):
                seqs.setdefault(m.group(1), [])
        for name in seqs:
            self.seqdefs.setdefault(name, SeqDef("j", 1, None, ()))
        for key, text in define.items():
            key, text = safe_names(str(key)), str(text)
            try:
                if _NAME.match(key):
                    self.defines[key.strip()] = self.parse_expr(text)
                elif _PARAM.match(key):
                    m = _PARAM.match(key)
                    names = tuple(n.strip() for n in m.group(2).split(","))
                    self.params[m.group(1)] = (names, self.parse_expr(text, extra_symbols=names))
                elif _SEQ.match(key):
                    self._add_sequence(key, text)
                else:
                    raise AnswerError("write name = ..., \"f(x)\" = ..., \"V[0]\" = ... or \"V[j + 1]\" = ...")
            except AnswerError as exc:
                raise ValidationError(f"define {key!r} = {text!r}: {exc}") from None

    def _add_sequence(self, key, text):
        m = _SEQ.match(key)
        name, idx = m.group(1), m.group(2).replace(" ", "")
        sd = self.seqdefs[name]
        if re.fullmatch(r"\d+", idx):
            node = self.parse_expr(text)
            self.seqdefs[name] = SeqDef(sd.var, sd.offset, sd.body, sd.bases + ((int(idx), node),))
            return
        r = re.fullmatch(r"([A-Za-z_]\w*)(?:\+(\d+))?", idx)
        if not r:
            raise AnswerError(f"a recursion is written {name}[j + 1] = ... (an index variable plus a constant)")
        var, off = r.group(1), int(r.group(2) or 0)
        if var in self.domains:
            raise AnswerError(f"the index {var} of the recursion is a declared symbol; use a fresh name")
        body = self.parse_expr(text, extra_symbols=(var,))
        self.seqdefs[name] = SeqDef(var, off, body, sd.bases)
