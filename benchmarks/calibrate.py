"""Calibration: run the whole catalogue (with mutants) over many seeds, in parallel.

For every check of every claim it reports, over all seeds:

- the worst error/tolerance ratio seen on the claim itself (``worst``) and the margin
  ``1 / worst`` (how far the true claim stays from its threshold);
- false failures: a claim expected to hold whose check refuted it, or an erratum that
  was not refuted;
- ``undecided`` and ``error`` evidence (never counted as consistent);
- mutants not refuted.

Usage::

    python benchmarks/calibrate.py --profile quick --seeds 0-39 --jobs 2 --out docs/calibration
    python benchmarks/calibrate.py --profile thorough --seeds 0-4 --jobs 2 --out docs/calibration

Each finished (claim, seed) run is appended at once to ``OUT/<profile>.jsonl`` (with the
commit it ran on), so an interrupted calibration resumes where it stopped: rerun the same
command. ``--fresh`` starts over; ``--summarise`` only rewrites the report from the rows.
It writes ``OUT/<profile>.json`` and ``OUT/<profile>.md`` and exits 1 when any false
failure, unrefuted mutant, undecided or error verdict was seen.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the repository, when not installed
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor, as_completed


def _seeds(text: str) -> list[int]:
    out = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-")
            out.extend(range(int(a), int(b) + 1))
        else:
            out.append(int(part))
    return out


def _task(claim_id: str, seed: int, profile: str) -> dict:
    from verify.model import PROFILES, RunContext
    from verify.registry import default_registry
    from verify.runner import run_claim

    claim = default_registry()[claim_id]
    t0 = time.perf_counter()
    r = run_claim(claim, RunContext(seed=seed, profile=PROFILES[profile], check_steps=False), mutants=True)
    return {
        "claim": claim_id, "seed": seed, "expected": claim.expected, "verdict": r.verdict, "ok": r.ok,
        "seconds": time.perf_counter() - t0,
        "checks": [{"index": i, "kind": e.check, "verdict": e.verdict, "ratio": e.worst_ratio,
                    "points": e.points, "undecided_points": e.details.get("points_undecided", 0),
                    "counterexample": e.counterexample if e.verdict == "refuted" else None}
                   for i, e in enumerate(r.evidence)],
        "mutants": [{"name": m.name, "refuted": m.refuted, "verdict": m.verdict} for m in r.mutants],
    }


def _finite(x):
    return x is not None and isinstance(x, (int, float)) and math.isfinite(x)


def summarise(rows: list[dict]) -> dict:
    per_check = defaultdict(lambda: {"runs": 0, "worst": 0.0, "worst_seed": None, "false_failures": [],
                                     "undecided_runs": 0, "undecided_points": 0, "errors": 0})
    mutants_missed = []
    for row in rows:
        for c in row["checks"]:
            key = f"{row['claim']}[{c['index']}] {c['kind']}"
            s = per_check[key]
            s["runs"] += 1
            s["undecided_points"] += c["undecided_points"] or 0
            if c["verdict"] == "undecided":
                s["undecided_runs"] += 1
            if c["verdict"] == "error":
                s["errors"] += 1
            if row["expected"] == "holds":
                if c["verdict"] == "refuted":
                    s["false_failures"].append(row["seed"])
                elif _finite(c["ratio"]) and c["ratio"] > s["worst"]:
                    s["worst"], s["worst_seed"] = c["ratio"], row["seed"]
        if row["expected"] == "refuted" and row["verdict"] != "refuted":
            per_check[f"{row['claim']} (erratum)"]["false_failures"].append(row["seed"])
        for m in row["mutants"]:
            if not m["refuted"]:
                mutants_missed.append({"claim": row["claim"], "mutant": m["name"], "seed": row["seed"],
                                       "verdict": m["verdict"]})
    return {"checks": dict(per_check), "mutants_not_refuted": mutants_missed}


def markdown(profile: str, seeds: list[int], rows: list[dict], summary: dict, wall: float, jobs: int) -> str:
    checks = summary["checks"]
    ff = sum(len(s["false_failures"]) for s in checks.values())
    und = sum(s["undecided_runs"] for s in checks.values())
    err = sum(s["errors"] for s in checks.values())
    n_mut = sum(len(r["mutants"]) for r in rows)
    lines = [
        f"# Calibration: profile `{profile}`, seeds {seeds[0]}–{seeds[-1]} ({len(seeds)} seeds)",
        "",
        f"{len(rows)} claim runs with mutants, {sum(r['seconds'] for r in rows):.0f} s of worker time "
        f"({jobs} worker(s) on this run). "
        f"False failures: **{ff}**. Undecided checks: **{und}**. Errors: **{err}**. "
        f"Mutant runs: {n_mut}, not refuted: **{len(summary['mutants_not_refuted'])}**.",
        "",
        "`worst` is the largest error/tolerance ratio a check reached on its (true) claim over all seeds "
        "(a failure is > 1); `margin` = 1/worst. Undecided points are points where the check could not "
        "decide (asymptotic checks whose slopes did not settle); they are never counted as consistent.",
        "",
        "| check | runs | worst | margin | seed | false failures | undecided points |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for key in sorted(checks, key=lambda k: -checks[k]["worst"]):
        s = checks[key]
        worst = s["worst"]
        margin = "∞" if worst == 0 else f"{1 / worst:.3g}"
        lines.append(f"| `{key}` | {s['runs']} | {worst:.3g} | {margin} | {s['worst_seed'] if s['worst_seed'] is not None else ''} "
                     f"| {len(s['false_failures'])} | {s['undecided_points']} |")
    if summary["mutants_not_refuted"]:
        lines += ["", "Mutants not refuted:", ""]
        lines += [f"- `{m['claim']}~{m['mutant']}` seed {m['seed']}: {m['verdict']}" for m in summary["mutants_not_refuted"]]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--profile", default="quick", choices=("quick", "thorough"))
    ap.add_argument("--seeds", default="0-39", help="seeds, e.g. 0-39 or 1,5,7 (default 0-39)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: cores)")
    ap.add_argument("--claims", default="*", help="globs on claim ids, comma-separated (default all)")
    ap.add_argument("--out", default="docs/calibration", help="output directory")
    ap.add_argument("--fresh", action="store_true", help="ignore rows of an earlier run")
    ap.add_argument("--summarise", action="store_true", help="only rewrite the report from the stored rows")
    args = ap.parse_args(argv)

    from verify.registry import default_registry

    seeds = _seeds(args.seeds)
    ids = [c.id for c in default_registry().select(args.claims.split(","))]
    os.makedirs(args.out, exist_ok=True)
    rows_path = os.path.join(args.out, f"{args.profile}.jsonl")
    if args.fresh and os.path.exists(rows_path):
        os.remove(rows_path)
    done = {}
    if os.path.exists(rows_path):
        with open(rows_path) as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    done[(row["claim"], row["seed"])] = row
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                check=False).stdout.strip() or "unknown"
    except OSError:
        commit = "unknown"
    tasks = [(cid, s) for s in seeds for cid in ids if (cid, s) not in done]
    rows = [done[(cid, s)] for s in seeds for cid in ids if (cid, s) in done]
    t0 = time.perf_counter()
    if tasks and not args.summarise:
        print(f"{len(rows)} runs stored, {len(tasks)} to run on {args.jobs} worker(s)", file=sys.stderr, flush=True)
        with ProcessPoolExecutor(max_workers=args.jobs) as pool, open(rows_path, "a") as out:
            futs = [pool.submit(_task, cid, s, args.profile) for cid, s in tasks]
            for i, f in enumerate(as_completed(futs), 1):
                row = f.result()
                row["commit"] = commit
                out.write(json.dumps(row, default=str) + "\n")
                out.flush()
                rows.append(row)
                bad = "" if row["ok"] else "  NOT OK"
                print(f"[{i}/{len(tasks)}] seed {row['seed']} {row['claim']}: {row['verdict']} "
                      f"({row['seconds']:.1f}s){bad}", file=sys.stderr, flush=True)
    wall = time.perf_counter() - t0
    summary = summarise(rows)
    with open(os.path.join(args.out, f"{args.profile}.json"), "w") as fh:
        json.dump({"profile": args.profile, "seeds": seeds, "wall_seconds": wall, "jobs": args.jobs,
                   "summary": summary, "runs": rows}, fh, indent=1, default=str)
    md = markdown(args.profile, seeds, rows, summary, wall, args.jobs)
    commits = sorted({r.get("commit", "unknown") for r in rows})
    md += f"\nRuns: {len(rows)} of {len(seeds) * len(ids)} (claim, seed) pairs; commits {', '.join(commits)}.\n"
    with open(os.path.join(args.out, f"{args.profile}.md"), "w") as fh:
        fh.write(md)
    print(md)
    checks = summary["checks"].values()
    bad = (any(s["false_failures"] or s["undecided_runs"] or s["errors"] for s in checks)
           or summary["mutants_not_refuted"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
