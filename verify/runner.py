"""Run claims and their mutants; aggregate evidence into verdicts.

A claim's derivation steps are judged by :mod:`verify.stepcheck` (``RunContext.check_steps``); a refuted
step makes a claim that holds not ``ok``.

Verdict of a claim from the evidence of its checks (skipped checks ignored):
``error`` if any check errored, else ``refuted`` if any refuted, else ``proved`` if
some check proved it for its whole domain (a symbolic identity proved for n = 2, 3 only has scope "sizes"
and makes the claim ``consistent``, its evidence saying what the proof covers), else ``undecided`` if some check could not
decide (never promoted to ``consistent``), else ``consistent``.
A mutant counts as refuted when some check refutes it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from .model import Claim, Evidence, Formula, RunContext

__all__ = ["ClaimResult", "MutantResult", "run_claim", "run_claims", "aggregate"]


@dataclass
class MutantResult:
    name: str
    description: str
    refuted: bool
    verdict: str
    evidence: list = field(default_factory=list)

    def to_json(self) -> dict:
        return {"name": self.name, "description": self.description, "refuted": self.refuted,
                "verdict": self.verdict, "evidence": [e.to_json() for e in self.evidence]}

    def _repr_html_(self) -> str:
        from .display import mutant_result_html

        return mutant_result_html(self)


@dataclass
class ClaimResult:
    id: str
    title: str
    kind: str
    verdict: str
    expected: str
    evidence: list
    mutants: list
    seconds: float
    steps: list = field(default_factory=list)  #: verify.stepcheck.StepVerdict per derivation step

    @property
    def ok(self) -> bool:
        good = (self.expected == "holds" and self.verdict in ("proved", "consistent")) or (
            self.expected == "refuted" and self.verdict == "refuted"
        )
        wrong_step = self.expected == "holds" and any(s.verdict == "refuted" for s in self.steps)
        return good and not wrong_step and all(m.refuted for m in self.mutants)

    @property
    def steps_checked(self) -> tuple:
        """``(k, n)``: derivation steps proved or consistent, of all steps."""
        from .stepcheck import count_checked

        return count_checked(self.steps)

    def to_json(self) -> dict:
        return {
            "id": self.id, "title": self.title, "kind": self.kind, "verdict": self.verdict,
            "expected": self.expected, "ok": self.ok,
            "evidence": [e.to_json() for e in self.evidence],
            "mutants": [m.to_json() for m in self.mutants],
            "steps": [s.to_json() for s in self.steps],
            "seconds": round(self.seconds, 3),
        }

    def _repr_html_(self) -> str:
        """In Jupyter: the verdict, one row per check, counterexamples as tables, the mutants."""
        from .display import claim_result_html

        return claim_result_html(self)


def aggregate(evidence: list) -> str:
    verdicts = [e.verdict for e in evidence if e.verdict != "skipped"]
    if not verdicts:
        return "error"
    if "error" in verdicts:
        return "error"
    if "refuted" in verdicts:
        return "refuted"
    if any(e.verdict == "proved" and (e.details or {}).get("scope", "all") == "all" for e in evidence):
        return "proved"
    if "undecided" in verdicts:
        return "undecided"
    return "consistent"  # including proofs for some sizes only (scope "sizes"): evidence, not a proof of the claim


def _run_checks(claim: Claim, candidate: Formula, ctx: RunContext, label: str, *, stop_on_refute: bool):
    evidence = []
    for i, check in enumerate(claim.checks):
        try:
            ev = check.run(candidate, ctx, label=f"{label}/{i}")
        except Exception as exc:  # the check itself broke: report, never crash the suite
            ev = Evidence(check.kind, "check raised", "error",
                          details={"error": f"{type(exc).__name__}: {exc}"})
        evidence.append(ev)
        if stop_on_refute and ev.verdict == "refuted":
            break
    return evidence


def run_claim(claim: Claim, ctx: RunContext, *, mutants: bool = False) -> ClaimResult:
    t0 = time.perf_counter()
    evidence = _run_checks(claim, claim.candidate, ctx, claim.id, stop_on_refute=False)
    mutant_results = []
    if mutants:
        for m in claim.mutants:
            ev = _run_checks(claim, m.candidate, ctx, f"{claim.id}~{m.name}", stop_on_refute=True)
            v = aggregate(ev)
            mutant_results.append(MutantResult(m.name, m.description, v == "refuted", v, ev))
    steps = []
    if ctx.check_steps and claim.derivation is not None:
        from .stepcheck import check_steps

        steps = check_steps(claim.derivation, seed=ctx.seed)
    return ClaimResult(claim.id, claim.title, claim.kind, aggregate(evidence), claim.expected,
                       evidence, mutant_results, time.perf_counter() - t0, steps)


def run_claims(claims, ctx: RunContext, *, mutants: bool = False,
               progress: Callable[[int, int, ClaimResult], None] | None = None, jobs: int = 1) -> list:
    """Run ``claims`` in order (results in the claims' order). ``jobs > 1`` runs them in that many forked
    worker processes: every claim is seeded from the run seed and its own id, so the results are those of a
    serial run; ``progress`` is called as claims finish."""
    claims = list(claims)
    if jobs <= 1 or len(claims) < 2:
        results = []
        for i, claim in enumerate(claims, 1):
            r = run_claim(claim, ctx, mutants=mutants)
            results.append(r)
            if progress is not None:
                progress(i, len(claims), r)
        return results
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from multiprocessing import get_context

    global _POOL_JOB
    _POOL_JOB = (claims, ctx, mutants)  # inherited by the forked workers (claims hold lambdas: not pickled)
    results: list = [None] * len(claims)
    try:
        with ProcessPoolExecutor(max_workers=min(jobs, len(claims)), mp_context=get_context("fork")) as pool:
            futures = {pool.submit(_run_index, i): i for i in range(len(claims))}
            for done, f in enumerate(as_completed(futures), 1):
                i = futures[f]
                try:
                    results[i] = f.result()
                except Exception:  # noqa: BLE001 (a worker died: run that claim here instead)
                    results[i] = run_claim(claims[i], ctx, mutants=mutants)
                if progress is not None:
                    progress(done, len(claims), results[i])
    finally:
        _POOL_JOB = None
    return results


_POOL_JOB = None


def _run_index(i: int) -> ClaimResult:
    claims, ctx, mutants = _POOL_JOB
    return run_claim(claims[i], ctx, mutants=mutants)
