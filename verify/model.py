r"""The claim model: a claim is data.

A :class:`Claim` binds a statement and its derivation (from :mod:`derivations`) to a
*candidate* :class:`Formula` (the derived result under test), one or more checks
(oracle + strategy + comparator, :mod:`verify.checks`) and :class:`Mutant` candidates
that the same checks must refute.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from derivations.steps import Derivation

from .errors import ValidationError

__all__ = ["Formula", "Mutant", "Claim", "Profile", "PROFILES", "Evidence", "RunContext",
           "VERDICTS", "EXPECTED"]

VERDICTS = ("proved", "consistent", "undecided", "refuted", "error")
EXPECTED = ("holds", "refuted")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$")


@dataclass(frozen=True)
class Formula:
    """A formula under test, in the forms the checks need.

    ``numeric(point)`` evaluates it in float64; ``sympy(size)`` builds it symbolically
    (``size`` an int for elementwise forms, ``"n"`` for the matrix level); either may
    be ``None`` when that form does not exist (a check that needs it then skips).
    """

    latex: str
    numeric: Callable[..., Any] | None = None
    sympy: Callable[[Any], Any] | None = None

    def _repr_latex_(self) -> str:
        return f"${self.latex}$"


@dataclass(frozen=True)
class Mutant:
    """A plausible wrong variant of a claim's candidate (dropped factor, swapped transpose...)."""

    name: str
    description: str
    candidate: Formula


@dataclass(frozen=True)
class Profile:
    """How hard checks try: Hypothesis examples, symbolic time budget, local search effort."""

    name: str
    max_examples: int
    symbolic_budget_s: float
    refine_starts: int


PROFILES = {
    "quick": Profile("quick", max_examples=60, symbolic_budget_s=20.0, refine_starts=2),
    "thorough": Profile("thorough", max_examples=600, symbolic_budget_s=120.0, refine_starts=6),
}


@dataclass(frozen=True)
class RunContext:
    seed: int
    profile: Profile
    check_steps: bool = True  #: judge the steps of each claim's derivation (verify.stepcheck)


@dataclass
class Evidence:
    """What one check found. ``verdict`` is one of VERDICTS or ``skipped``."""

    check: str
    method: str
    verdict: str
    points: int = 0
    worst_error: float | None = None
    tolerance: float | None = None
    worst_ratio: float | None = None
    counterexample: dict | None = None
    details: dict = field(default_factory=dict)
    seconds: float = 0.0

    def to_json(self) -> dict:
        return {
            "check": self.check,
            "method": self.method,
            "verdict": self.verdict,
            "points": self.points,
            "worst_error": self.worst_error,
            "tolerance": self.tolerance,
            "worst_ratio": self.worst_ratio,
            "counterexample": self.counterexample,
            "details": self.details,
            "seconds": round(self.seconds, 3),
        }

    def _repr_html_(self) -> str:
        from .display import evidence_html

        return evidence_html(self)


@dataclass(frozen=True)
class Claim:
    """One mathematical claim, its derivation, its checks and its mutants.

    ``statement``, ``assumptions`` and ``notes`` are LaTeX (text with inline ``$...$``).
    ``expected`` is ``"holds"`` for a true claim and ``"refuted"`` for a seed's claim
    as written when it is false (an erratum); an erratum names the corrected claim in
    ``corrected_by``.
    """

    id: str
    title: str
    source: str
    statement: str
    assumptions: tuple
    derivation: Derivation
    candidate: Formula
    checks: tuple
    mutants: tuple = ()
    expected: str = "holds"
    corrected_by: str | None = None
    notes: str = ""

    def __post_init__(self):
        if not _ID.match(self.id):
            raise ValidationError(
                f"id={self.id!r} is not a dotted lowercase id such as 'implicit.preconditioner'"
            )
        if self.expected not in EXPECTED:
            raise ValidationError(f"expected={self.expected!r} must be one of {EXPECTED}")
        if self.expected == "refuted" and not self.corrected_by:
            raise ValidationError(
                f"claim {self.id!r} is an erratum (expected='refuted') and must name the "
                "corrected claim in corrected_by"
            )
        if not isinstance(self.checks, tuple) or not self.checks:
            raise ValidationError(f"claim {self.id!r} needs a non-empty tuple of checks")
        if self.expected == "holds" and not self.mutants:
            raise ValidationError(
                f"claim {self.id!r} has no mutants: every claim ships at least one plausible "
                "wrong variant that its checks must refute"
            )
        if not isinstance(self.assumptions, tuple):
            raise ValidationError(f"assumptions of {self.id!r} must be a tuple of LaTeX strings")
        names = [m.name for m in self.mutants]
        if len(set(names)) != len(names):
            raise ValidationError(f"claim {self.id!r} has duplicate mutant names {names}")

    def _repr_html_(self) -> str:
        from .display import claim_html

        return claim_html(self)

    @property
    def kind(self) -> str:
        """The check kinds, joined with ``+`` (``identity+derivative``)."""
        kinds = []
        for c in self.checks:
            if c.kind not in kinds:
                kinds.append(c.kind)
        return "+".join(kinds)
