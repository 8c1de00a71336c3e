r"""Derivations as chains of justified steps.

A :class:`Step` is one relation ``lhs REL rhs`` with a one-line reason. Sides are
SymPy objects (rendered with :func:`sympy.latex`) or LaTeX strings when the
expression has no faithful SymPy form (row-wise softmax, ``vec``).

>>> import sympy as sp

from .domains import assumptions_latex, parse_sized
>>> x = sp.Symbol("x")
>>> d = Derivation((Step(sp.diff(x**2, x), 2 * x, "power rule"),))
>>> print(d.to_latex())
\begin{align*}
  2 x &= 2 x && \text{power rule}
\end{align*}
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from .domains import assumptions_latex, parse_sized

__all__ = ["Step", "Derivation", "latex_of", "PLAIN_RELATION"]

_RELATIONS = {"=", r"\le", r"\ge", r"\succeq", r"\preceq", "<", ">", r"\Longrightarrow", r"\approx"}
#: the relations a step checker can judge, in its plain spelling (the others are never checked)
PLAIN_RELATION = {"=": "=", r"\le": "<=", r"\ge": ">=", "<": "<", ">": ">", r"\Longrightarrow": "==>"}


def latex_of(side) -> str:
    """LaTeX of a step side: SymPy objects through ``sympy.latex``, strings verbatim."""
    if isinstance(side, str):
        return side
    if isinstance(side, sp.Basic) or hasattr(side, "_sympy_"):
        return sp.latex(side)
    raise TypeError(f"step side must be a SymPy object or a LaTeX string, got {type(side).__name__}")


@dataclass(frozen=True)
class Step:
    """``lhs relation rhs`` justified by ``reason`` (LaTeX allowed, inline ``$...$``).

    ``plain = (lhs, rhs)`` writes the two sides in the answer language (``verify check``'s plain syntax,
    over the :class:`Derivation`'s ``symbols``) so that a step checker can judge the step; after
    ``\\Longrightarrow`` both sides are statements (``a == b``, ``a <= b``). A step with no faithful plain
    form (a prose argument, an appeal to a theorem) says so in ``unchecked``.
    """

    lhs: object
    rhs: object
    reason: str
    relation: str = "="
    plain: tuple | None = None
    unchecked: str | None = None

    def __post_init__(self):
        if not self.reason or not self.reason.strip():
            raise ValueError(f"every step needs a reason; got reason={self.reason!r}")
        if "\n" in self.reason:
            raise ValueError("a step's reason must fit on one line; split the step instead")
        if self.relation not in _RELATIONS:
            raise ValueError(
                f"relation={self.relation!r} is not supported; use one of {sorted(_RELATIONS)}"
            )
        if self.plain is not None:
            if not (isinstance(self.plain, tuple) and len(self.plain) == 2
                    and all(isinstance(x, str) and x.strip() for x in self.plain)):
                raise ValueError(f"plain={self.plain!r} must be a pair of non-empty strings (lhs, rhs)")
            if self.relation not in PLAIN_RELATION:
                raise ValueError(f"relation={self.relation!r} cannot be checked; give plain=None and say why "
                                 f"in unchecked=")
            if self.unchecked is not None:
                raise ValueError("a step is either checked (plain=) or unchecked (unchecked=), not both")
        if self.unchecked is not None and not str(self.unchecked).strip():
            raise ValueError("unchecked= must say why the step has no faithful plain form")

    def to_latex(self, *, continued: bool = False) -> str:
        lhs = "" if continued else latex_of(self.lhs)
        reason = self.reason if "$" in self.reason else self.reason
        return f"  {lhs} &{self.relation} {latex_of(self.rhs)} && \\text{{{reason}}}"


@dataclass(frozen=True)
class Derivation:
    """An ordered chain of :class:`Step` objects.

    ``symbols`` declares the domains of the names the steps' plain sides use (``{"eta": "real in (0, 1)",
    "A": "invertible matrix n x n", "n": "integer in [2, 4]"}``, the judge's domain language);
    ``functions`` abstract functions (``{"f": "smooth"}``) and ``define`` names standing for expressions.
    """

    steps: tuple
    symbols: dict = field(default_factory=dict, hash=False)
    functions: dict = field(default_factory=dict, hash=False)
    define: dict = field(default_factory=dict, hash=False)

    def __post_init__(self):
        if not isinstance(self.steps, tuple) or not self.steps:
            raise ValueError("a derivation needs a non-empty tuple of steps")
        for s in self.steps:
            if not isinstance(s, Step):
                raise TypeError(f"derivation steps must be Step objects, got {type(s).__name__}")
        for name, text in self.symbols.items():  # a malformed domain fails here, naming the symbol
            parse_sized(text, name=name)

    def assumptions_latex(self) -> str:
        """The declared domains as one line of LaTeX (empty when none are declared)."""
        return assumptions_latex(self.symbols)

    def to_latex(self) -> str:
        """Render as an ``align*`` environment, one justified step per line."""
        lines = []
        prev_rhs = None
        for s in self.steps:
            continued = prev_rhs is not None and latex_of(s.lhs) == prev_rhs
            lines.append(s.to_latex(continued=continued))
            prev_rhs = latex_of(s.rhs)
        return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}"
