"""Check the steps of a catalogue derivation with the step checker (``verify steps``).

A :class:`derivations.steps.Step` that writes its two sides in the answer language (``plain=(lhs, rhs)``) is
judged as the two-line derivation ``lhs`` / ``REL rhs`` under its derivation's ``symbols``, ``functions`` and
``define``, by :func:`verify.steps.summary.judge_derivation` (exact first, then SymPy in a child process, then
seeded numeric search re-checked at 50 digits). A step with no plain form is ``unchecked`` with its reason.

Verdicts are cached on disk (``$VERIFY_CACHE_DIR`` or ``~/.cache/verify/steps``), keyed by the step, its
declarations, the seed and a hash of the step checker's and the judge's source code: a step is judged once
per code version, so ``verify run`` pays for step checking only when something changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
from dataclasses import dataclass

from derivations.steps import PLAIN_RELATION, Derivation

__all__ = ["StepVerdict", "check_steps", "STEP_VERDICTS", "count_checked"]

STEP_VERDICTS = ("proved", "consistent", "refuted", "undecided", "unchecked")


@dataclass(frozen=True)
class StepVerdict:
    index: int  #: 0-based position of the step in the derivation
    relation: str  #: the step's relation as written (LaTeX)
    verdict: str  #: one of STEP_VERDICTS
    method: str = ""
    reason: str = ""  #: evidence of the checker, or why the step is unchecked

    def to_json(self) -> dict:
        return {"index": self.index, "relation": self.relation, "verdict": self.verdict, "method": self.method,
                "reason": self.reason}


def count_checked(verdicts) -> tuple:
    """``(k, n)``: steps proved or consistent, of all steps."""
    return sum(v.verdict in ("proved", "consistent") for v in verdicts), len(verdicts)


def _code_hash() -> str:
    root = pathlib.Path(__file__).resolve().parent
    h = hashlib.sha256()
    for sub in ("steps", "answers"):
        for p in sorted((root / sub).glob("*.py")):
            h.update(p.name.encode())
            h.update(p.read_bytes())
    h.update(pathlib.Path(__file__).read_bytes())
    return h.hexdigest()[:16]


_CODE_HASH = None


def _cache_dir() -> pathlib.Path | None:
    base = os.environ.get("VERIFY_CACHE_DIR")
    path = pathlib.Path(base) if base else pathlib.Path.home() / ".cache" / "verify"
    path = path / "steps"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path


def _block(der: Derivation, step, k: int) -> dict:
    rel = PLAIN_RELATION[step.relation]
    lhs, rhs = step.plain
    return {"id": f"step-{k}", "symbols": dict(der.symbols), "functions": dict(der.functions),
            "define": dict(der.define), "steps": [lhs, f"{rel} {rhs}"]}


def _judge(block: dict, seed: int) -> tuple:
    from .steps.summary import judge_derivation
    from .steps.toml_form import from_block

    d = from_block(block, block["id"])
    if d.error:
        return "undecided", "declarations", f"the derivation's declarations are invalid: {d.error}"
    res = judge_derivation(d, seed=seed)
    bad = next((s for s in res.steps if s.verdict == "invalid"), None)
    if bad is not None:  # a side the language cannot read: a defect of the annotation, never a pass
        return "undecided", "invalid", bad.evidence
    s = res.steps[1]
    return s.verdict, s.method, s.evidence


def check_steps(der: Derivation, *, seed: int = 0, cache: bool = True) -> list:
    """One :class:`StepVerdict` per step of ``der`` (in order)."""
    global _CODE_HASH
    if _CODE_HASH is None:
        _CODE_HASH = _code_hash()
    folder = _cache_dir() if cache else None
    out = []
    for k, step in enumerate(der.steps):
        if step.plain is None:
            reason = step.unchecked or "no plain form written for this step yet"
            out.append(StepVerdict(k, step.relation, "unchecked", "", reason))
            continue
        block = _block(der, step, k)
        key = hashlib.sha256(json.dumps([block["symbols"], block["functions"], block["define"], block["steps"],
                                         seed, _CODE_HASH], sort_keys=True).encode()).hexdigest()[:32]
        path = folder / f"{key}.json" if folder is not None else None
        hit = None
        if path is not None and path.exists():
            try:
                hit = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                hit = None
        if hit is None:
            verdict, method, reason = _judge(block, seed)
            hit = {"verdict": verdict, "method": method, "reason": reason}
            if path is not None and verdict != "undecided":  # an undecided step may settle next time
                tmp = path.with_suffix(f".{os.getpid()}.tmp")
                try:
                    tmp.write_text(json.dumps(hit), encoding="utf-8")
                    os.replace(tmp, path)
                except OSError:
                    pass
        out.append(StepVerdict(k, step.relation, hit["verdict"], hit["method"], hit["reason"]))
    return out
