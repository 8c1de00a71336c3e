"""Reports: a terminal table and a JSON document.

The JSON document is deterministic for a given seed apart from the ``seconds``
fields (wall-clock times).
"""

from __future__ import annotations

import json
import math

__all__ = ["format_table", "to_json_document", "write_json", "format_evidence"]


def _fmt(x):
    if x is None:
        return "-"
    if isinstance(x, float):
        if math.isinf(x):
            return "inf"
        return f"{x:.2g}"
    return str(x)


def format_evidence(ev) -> str:
    """One-line summary of the strongest piece of evidence."""
    parts = []
    for e in ev:
        if e.verdict == "skipped":
            continue
        s = f"{e.check}:{e.verdict}"
        if e.points:
            s += f" n={e.points}"
        if e.worst_ratio is not None and e.verdict != "proved":
            s += f" err/tol={_fmt(e.worst_ratio)}"
        parts.append(s)
    return "; ".join(parts)


def format_table(results, *, mutants: bool) -> str:
    rows = [("claim", "verdict", "expected", "ok", "steps", "evidence", "time")]
    for r in results:
        k, n = r.steps_checked
        rows.append((r.id, r.verdict, r.expected, "yes" if r.ok else "NO", f"{k}/{n}" if n else "-",
                     format_evidence(r.evidence), f"{r.seconds:.1f}s"))
        if mutants:
            for m in r.mutants:
                rows.append((f"  ~{m.name}", m.verdict, "refuted", "yes" if m.refuted else "NO", "",
                             format_evidence(m.evidence), ""))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    widths[5] = min(widths[5], 70)
    lines = []
    for k, row in enumerate(rows):
        cells = [row[i][: widths[i]].ljust(widths[i]) for i in range(len(row))]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    n_ok = sum(r.ok for r in results)
    lines.append("")
    lines.append(f"{n_ok} of {len(results)} claims as expected"
                 + (f"; {sum(m.refuted for r in results for m in r.mutants)} of "
                    f"{sum(len(r.mutants) for r in results)} mutants refuted" if mutants else ""))
    steps = [s for r in results for s in r.steps]
    if steps:
        counts = {v: sum(s.verdict == v for s in steps) for v in ("proved", "consistent", "refuted", "undecided",
                                                                    "unchecked")}
        lines.append(f"derivation steps: {counts['proved'] + counts['consistent']} of {len(steps)} checked ("
                     + ", ".join(f"{n} {v}" for v, n in counts.items() if n) + ")")
    for r in results:
        for s in r.steps:
            if s.verdict in ("refuted", "undecided"):
                lines.append(f"{r.id}: step {s.index + 1} ({s.relation}) {s.verdict}: {s.reason[:300]}")
    for r in results:
        for e in r.evidence:
            if e.counterexample and r.verdict != r.expected.replace("holds", "consistent"):
                lines.append(f"{r.id}: {e.check} counterexample {json.dumps(e.counterexample, default=str)[:400]}")
            if e.verdict == "error":
                lines.append(f"{r.id}: {e.check} error: {e.details.get('error', e.method)}")
            if e.verdict == "undecided":
                lines.append(f"{r.id}: {e.check} undecided ({e.method}); e.g. "
                             f"{json.dumps(e.details.get('undecided_example'), default=str)[:300]}")
    return "\n".join(lines)


def _clean(x):
    if isinstance(x, float) and (math.isnan(x) or math.isinf(x)):
        return str(x)
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if hasattr(x, "item"):
        return _clean(x.item())
    return x


def to_json_document(results, *, seed: int, profile: str, mutants: bool) -> dict:
    return _clean({
        "ok": all(r.ok for r in results),
        "seed": seed,
        "profile": profile,
        "mutants_run": mutants,
        "claims": [r.to_json() for r in results],
    })


def write_json(path, doc) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=2, sort_keys=False, default=str)
        fh.write("\n")
