r"""Derivations as chains of justified steps.

A :class:`Step` is one relation ``lhs REL rhs`` with a one-line reason. Sides are
SymPy objects (rendered with :func:`sympy.latex`) or LaTeX strings when the
expression has no faithful SymPy form (row-wise softmax, ``vec``).

>>> import sympy as sp
>>> x = sp.Symbol("x")
>>> d = Derivation((Step(sp.diff(x**2, x), 2 * x, "power rule"),))
>>> print(d.to_latex())
\begin{align*}
  2 x &= 2 x && \text{power rule}
\end{align*}
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

__all__ = ["Step", "Derivation", "latex_of"]

_RELATIONS = {"=", r"\le", r"\ge", r"\succeq", r"\preceq", "<", ">", r"\Longrightarrow", r"\approx"}


def latex_of(side) -> str:
    """LaTeX of a step side: SymPy objects through ``sympy.latex``, strings verbatim."""
    if isinstance(side, str):
        return side
    if isinstance(side, sp.Basic) or hasattr(side, "_sympy_"):
        return sp.latex(side)
    raise TypeError(f"step side must be a SymPy object or a LaTeX string, got {type(side).__name__}")


@dataclass(frozen=True)
class Step:
    """``lhs relation rhs`` justified by ``reason`` (LaTeX allowed, inline ``$...$``)."""

    lhs: object
    rhs: object
    reason: str
    relation: str = "="

    def __post_init__(self):
        if not self.reason or not self.reason.strip():
            raise ValueError(f"every step needs a reason; got reason={self.reason!r}")
        if "\n" in self.reason:
            raise ValueError("a step's reason must fit on one line; split the step instead")
        if self.relation not in _RELATIONS:
            raise ValueError(
                f"relation={self.relation!r} is not supported; use one of {sorted(_RELATIONS)}"
            )

    def to_latex(self, *, continued: bool = False) -> str:
        lhs = "" if continued else latex_of(self.lhs)
        reason = self.reason if "$" in self.reason else self.reason
        return f"  {lhs} &{self.relation} {latex_of(self.rhs)} && \\text{{{reason}}}"


@dataclass(frozen=True)
class Derivation:
    """An ordered chain of :class:`Step` objects."""

    steps: tuple

    def __post_init__(self):
        if not isinstance(self.steps, tuple) or not self.steps:
            raise ValueError("a derivation needs a non-empty tuple of steps")
        for s in self.steps:
            if not isinstance(s, Step):
                raise TypeError(f"derivation steps must be Step objects, got {type(s).__name__}")

    def to_latex(self) -> str:
        """Render as an ``align*`` environment, one justified step per line."""
        lines = []
        prev_rhs = None
        for s in self.steps:
            continued = prev_rhs is not None and latex_of(s.lhs) == prev_rhs
            lines.append(s.to_latex(continued=continued))
            prev_rhs = latex_of(s.rhs)
        return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}"
