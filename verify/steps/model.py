"""Derivations, steps and their verdicts (plain data)."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["RELATIONS", "VERDICTS", "Step", "Derivation", "StepResult", "DerivationResult", "FileError"]

RELATIONS = ("=", "<=", "<", ">=", ">", "==>")
VERDICTS = ("proved", "consistent", "refuted", "undecided", "invalid")


class FileError(Exception):
    """The file cannot be read at all (exit status 2)."""


@dataclass
class Step:
    index: int
    relation: str | None  #: None for the first line
    text: str  #: the line as written (after the relation)
    node: object = None  #: parsed expression, or ("stmt", op, lhs, rhs)
    error: str | None = None  #: why the line is invalid
    position: str = ""  #: "line 12" / "steps[3]"
    source: str = ""  #: the original line (LaTeX) for annotated copies

    @property
    def is_statement(self) -> bool:
        return isinstance(self.node, tuple) and self.node and self.node[0] == "stmt"


@dataclass
class Derivation:
    id: str
    title: str = ""
    context: object = None  #: verify.steps.context.Context (symbols, definitions); None if unreadable
    steps: list = field(default_factory=list)
    error: str | None = None  #: the whole block is unreadable
    position: str = ""
    source: dict = field(default_factory=dict)  #: form-specific data for annotated copies


@dataclass
class StepResult:
    index: int
    relation: str | None
    verdict: str | None  #: None for the first expression (no verdict)
    method: str = ""
    evidence: str = ""
    counterexample: dict | None = None
    text: str = ""
    position: str = ""

    def to_json(self) -> dict:
        return {"index": self.index, "relation": self.relation, "verdict": self.verdict, "method": self.method,
                "evidence": self.evidence, "counterexample": self.counterexample, "text": self.text,
                "position": self.position}


@dataclass
class DerivationResult:
    id: str
    title: str
    steps: list
    first_wrong_step: int | None
    conclusion: dict
    error: str | None = None
    seconds: float = 0.0

    def _repr_html_(self) -> str:
        from ..display import derivation_result_html

        return derivation_result_html(self)

    def to_json(self) -> dict:
        return {"id": self.id, "title": self.title, "steps": [s.to_json() for s in self.steps],
                "first_wrong_step": self.first_wrong_step, "conclusion": self.conclusion, "error": self.error,
                "seconds": round(self.seconds, 3)}
