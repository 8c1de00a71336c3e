"""Terminal table and JSON document of judged derivations."""

from __future__ import annotations

import json

__all__ = ["format_table", "to_json_document", "write_json", "short_counterexample"]

_MARK = {"proved": "proved", "consistent": "consistent", "refuted": "REFUTED", "undecided": "undecided",
         "invalid": "INVALID", None: ""}


def _clip(text, n):
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 3] + "..."


def short_counterexample(ce, n=70) -> str:
    if not ce:
        return ""
    parts = [f"{k}={v}" for k, v in ce.get("symbols", {}).items()]
    if ce.get("functions"):
        parts += [f"{k}:={v}" for k, v in ce["functions"].items()]
    for key in ("previous", "current", "lhs", "rhs", "difference", "O_term"):
        if key in ce:
            parts.append(f"{key}={ce[key]}")
    return _clip("; ".join(parts), n)


def format_table(results) -> str:
    lines = []
    for r in results:
        lines.append(f"== {r.id}" + (f": {r.title}" if r.title else "") + f"  ({r.seconds:.1f} s)")
        if r.error:
            lines.append(f"   invalid block: {r.error}")
        lines.append(f"   {'step':>4}  {'rel':<3}  {'verdict':<10}  {'method':<24}  line / counterexample")
        for s in r.steps:
            rel = s.relation or ""
            lines.append(f"   {s.index:>4}  {rel:<3}  {_MARK[s.verdict]:<10}  {_clip(s.method, 24):<24}  {_clip(s.text, 60)}")
            if s.verdict in ("refuted", "undecided", "invalid"):
                lines.append(f"   {'':>4}  {'':<3}  {'':<10}  {'':<24}  -> {_clip(s.evidence, 90)}")
                if s.counterexample:
                    lines.append(f"   {'':>4}  {'':<3}  {'':<10}  {'':<24}  at {short_counterexample(s.counterexample, 100)}")
        c = r.conclusion
        if r.first_wrong_step is not None:
            lines.append(f"   first wrong step: {r.first_wrong_step}")
        else:
            lines.append("   first wrong step: none")
        if c.get("relation"):
            holds = {True: "holds", False: "is FALSE", None: f"is {c.get('verdict')}"}[c.get("holds")]
            lines.append(f"   conclusion (line 0 {c['relation']} line {len(r.steps) - 1}) {holds} on its own"
                         + (f": {_clip(c.get('evidence', ''), 80)}" if c.get("holds") is False else ""))
        else:
            lines.append(f"   conclusion: {c.get('evidence', '')}")
        lines.append("")
    return "\n".join(lines)


def to_json_document(results, *, source="") -> dict:
    return {"source": source, "derivations": [r.to_json() for r in results]}


def write_json(path, doc) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=2, default=str)
        fh.write("\n")
