r"""Judge a whole derivation: each step against the one before, the first refuted step, and whether the
chain's conclusion (the first line related to the last by the composed relation) holds on its own."""

from __future__ import annotations

import time

from .judge import judge_step
from .model import DerivationResult, StepResult

__all__ = ["judge_derivation", "compose", "exit_status"]


def compose(relations):
    """The relation the chain proves between its first and last lines, or (None, why)."""
    rels = [r for r in relations if r is not None]
    if not rels:
        return None, "a single line"
    if any(r in ("~", "!=") for r in rels):
        return None, "the chain has a \\approx or \\neq line: it proves no relation between its ends"
    if "<=>" in rels and all(r == "<=>" for r in rels):
        return "<=>", ""
    if "==>" in rels or "<=>" in rels:
        if all(r in ("==>", "<=>") for r in rels):
            return "==>", ""
        return None, "the chain mixes ==> with relations between expressions"
    up = {r for r in rels if r in ("<=", "<")}
    down = {r for r in rels if r in (">=", ">")}
    if up and down:
        return None, "the chain mixes <= and >=: it proves no relation between its ends"
    if not up and not down:
        return "=", ""
    if up:
        return ("<" if "<" in up else "<="), ""
    return (">" if ">" in down else ">="), ""


def judge_derivation(der, *, seed=0, max_examples=None, symbolic_seconds=1.5) -> DerivationResult:
    t0 = time.perf_counter()
    kw = {"seed": seed, "symbolic_seconds": symbolic_seconds}
    if max_examples is not None:
        kw["max_examples"] = max_examples
    results = []
    for st in der.steps:
        res = StepResult(st.index, st.relation, None, text=st.text, position=st.position)
        if st.error:
            res.verdict, res.method, res.evidence = "invalid", "parse", f"{st.position}: {st.error}"
        elif st.index > 0:
            prev = der.steps[st.index - 1]
            if prev.error:
                res.verdict, res.method = "undecided", "previous line"
                res.evidence = f"the previous line ({prev.position}) is invalid, so this step cannot be judged"
            else:
                try:
                    out = judge_step(der.context, prev.node, st.node, st.relation, **kw)
                except Exception as exc:  # noqa: BLE001 (a bug of ours must not stop the other steps)
                    from ..answers.judge import BUG_REPORT

                    res.verdict, res.method = "undecided", "error"
                    res.evidence = f"the step checker failed ({type(exc).__name__}: {exc}); {BUG_REPORT}"
                else:
                    res.verdict, res.method, res.evidence = out.verdict, out.method, out.evidence
                    res.counterexample = out.counterexample
        results.append(res)
    first_wrong = next((r.index for r in results if r.verdict == "refuted"), None)
    conclusion = _conclusion(der, kw, results)
    if der.error:
        conclusion = {"relation": None, "verdict": "invalid", "evidence": der.error}
    return DerivationResult(der.id, der.title, results, first_wrong, conclusion, der.error,
                            time.perf_counter() - t0)


def _conclusion(der, kw, results):
    steps = der.steps
    if der.context is None or len(steps) < 2:
        return {"relation": None, "verdict": None, "evidence": "no conclusion (fewer than two lines)"}
    rel, why = compose([s.relation for s in steps[1:]])
    first, last = steps[0], steps[-1]
    if rel is None:
        return {"relation": None, "verdict": None, "evidence": f"no conclusion: {why}"}
    if first.error or last.error:
        return {"relation": rel, "verdict": "undecided", "evidence": "the first or last line is invalid"}
    if len(steps) == 2:  # the conclusion is the only step
        one = results[1]
        holds = {"proved": True, "consistent": True, "refuted": False}.get(one.verdict)
        return {"relation": rel, "statement": f"line 0 {rel} line 1", "verdict": one.verdict, "holds": holds,
                "method": one.method, "evidence": "the chain has one step: " + one.evidence,
                "counterexample": one.counterexample}
    verdicts = [r.verdict for r in results[1:]]
    if all(v in ("proved", "consistent") for v in verdicts):  # the chain itself carries the conclusion
        verdict = "proved" if all(v == "proved" for v in verdicts) else "consistent"
        return {"relation": rel, "statement": f"line 0 {rel} line {len(steps) - 1}", "verdict": verdict, "holds": True,
                "method": "chain", "evidence": f"follows from the {len(verdicts)} steps, each {verdict if verdict == 'proved' else 'proved or consistent'}",
                "counterexample": None}
    try:
        out = judge_step(der.context, first.node, last.node, rel, **kw)
    except Exception as exc:  # noqa: BLE001
        return {"relation": rel, "verdict": "undecided", "evidence": f"the checker failed ({exc})"}
    holds = {"proved": True, "consistent": True, "refuted": False}.get(out.verdict)
    return {"relation": rel, "statement": f"line 0 {rel} line {len(steps) - 1}", "verdict": out.verdict,
            "holds": holds, "method": out.method, "evidence": out.evidence, "counterexample": out.counterexample}


def exit_status(results) -> int:
    """0: every step proved or consistent; 1: some step refuted; 3: none refuted but some undecided or invalid."""
    verdicts = [s.verdict for r in results for s in r.steps if s.verdict is not None]
    if any(r.error for r in results):
        verdicts.append("invalid")
    if "refuted" in verdicts:
        return 1
    if any(v not in ("proved", "consistent") for v in verdicts):
        return 3
    return 0
