"""Command line: ``verify list | run | latex | reproduce | questions | check`` (also ``python -m verify``).

Exit status 0 means everything asked for came out as expected; 1 means some claim
or mutant did not; 2 means a usage error (unknown pattern, bad option).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from .errors import VerifyError
from .model import PROFILES, RunContext
from .registry import default_registry

__all__ = ["main", "build_parser"]

EPILOG = """examples:
  verify list
  verify run --mutants
  verify run 'implicit.*' --profile thorough --seed 7 --json report.json
  verify latex --out build/tex --pdf
  verify run --plugin my_claims 'mine.*'     (my_claims.py defines CLAIMS)
  verify reproduce reward-offset --domain chain --out results/
  verify questions
  verify check answers.toml --json verdicts.json
  verify diff 'log(det(X))' --wrt X --symbols 'X = "invertible matrix n x n"'
  verify steps derivation.toml --json steps.json
"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="verify",
        description="Verify mathematical claims: SymPy derivations checked by independent numerics.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--plugin", action="append", default=[], metavar="MODULE",
                   help="import MODULE and add its CLAIMS (repeatable)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    pl = sub.add_parser("list", help="list the claims: id, title, source, check kind")
    pl.add_argument("patterns", nargs="*", metavar="PATTERN", help="glob patterns on claim ids")
    pl.add_argument("--json", action="store_true", help="print JSON instead of a table")

    for name, helptext in (("run", "run the checks of the selected claims"),
                           ("latex", "write LaTeX write-ups (runs the checks for the evidence)")):
        sp = sub.add_parser(name, help=helptext, formatter_class=argparse.RawDescriptionHelpFormatter,
                            epilog=EPILOG)
        sp.add_argument("patterns", nargs="*", metavar="PATTERN",
                        help="glob patterns on claim ids (default: all claims)")
        sp.add_argument("--profile", choices=sorted(PROFILES), default="quick",
                        help="search effort: quick (default) or thorough")
        sp.add_argument("--seed", type=int, default=0, help="seed of every random choice (default 0)")
        sp.add_argument("--mutants", action="store_true",
                        help="also run every mutant; each must be refuted")
        sp.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
        sp.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="worker processes (default: the number of cores; 1 runs in this process); the results "
                             "do not depend on it")
        sp.add_argument("--no-steps", action="store_true",
                        help="do not judge the derivation steps (verdicts are cached in ~/.cache/verify/steps)")
        if name == "run":
            sp.add_argument("--json", metavar="FILE", help="write the full report as JSON to FILE")
        else:
            sp.add_argument("--out", metavar="DIR", required=True, help="output directory")
            sp.add_argument("--pdf", action="store_true", help="compile book.tex with latexmk/pdflatex")
    from .answers.commands import add_parsers as add_answer_parsers
    from .experiments.commands import add_reproduce_parser

    from .grade.command import add_parser as add_grade_parser

    add_reproduce_parser(sub)
    add_answer_parsers(sub)
    add_grade_parser(sub)
    from .diff.api import add_parser as add_diff_parser

    add_diff_parser(sub)
    from .steps.command import add_parser as add_steps_parser  # verify steps FILE

    add_steps_parser(sub)
    return p


def _progress(quiet):
    def report(i, n, r):
        if not quiet:
            mut = ""
            if r.mutants:
                mut = f", mutants {sum(m.refuted for m in r.mutants)}/{len(r.mutants)} refuted"
            print(f"[{i}/{n}] {r.id}: {r.verdict}{mut} ({r.seconds:.1f}s)", file=sys.stderr, flush=True)
    return report


def _run(args, claims):
    from .runner import run_claims

    ctx = RunContext(seed=args.seed, profile=PROFILES[args.profile], check_steps=not args.no_steps)
    if not args.quiet:
        print(f"running {len(claims)} claim(s), profile={args.profile}, seed={args.seed}"
              + (", with mutants" if args.mutants else ""), file=sys.stderr, flush=True)
    jobs = args.jobs if args.jobs is not None else (os.cpu_count() or 1)
    if jobs < 1:
        print(f"verify: error: --jobs {jobs}: give a positive number of worker processes", file=sys.stderr)
        raise SystemExit(2)
    return run_claims(claims, ctx, mutants=args.mutants, progress=_progress(args.quiet), jobs=jobs)


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "reproduce":
        from .experiments.commands import reproduce

        return reproduce(args)
    if args.command == "grade":
        from .grade.command import grade_command

        return grade_command(args)
    if args.command == "diff":
        from .diff.api import diff_command

        return diff_command(args)
    if args.command == "steps":
        from .steps.command import steps_command

        return steps_command(args)
    if args.command in ("questions", "check"):
        from .answers.commands import check_command, questions_command

        return questions_command(args) if args.command == "questions" else check_command(args)
    try:
        reg = default_registry(args.plugin)
        claims = reg.select(args.patterns)
    except VerifyError as exc:
        print(f"verify: error: {exc}", file=sys.stderr)
        return 2

    if args.command == "list":
        rows = [{"id": c.id, "title": c.title, "source": c.source, "kind": c.kind,
                 "expected": c.expected, "mutants": len(c.mutants)} for c in claims]
        if args.json:
            print(json.dumps(rows, indent=2))
        else:
            w = max(len(r["id"]) for r in rows)
            k = max(len(r["kind"]) for r in rows)
            for r in rows:
                print(f"{r['id']:<{w}}  {r['kind']:<{k}}  {r['title']}  [{r['source']}]")
        return 0

    from .report import format_table, to_json_document, write_json

    results = _run(args, claims)
    ok = all(r.ok for r in results)
    if args.command == "run":
        print(format_table(results, mutants=args.mutants))
        if args.json:
            write_json(args.json, to_json_document(results, seed=args.seed, profile=args.profile,
                                                   mutants=args.mutants))
        return 0 if ok else 1

    from .latex import compile_pdf, write_latex

    paths = write_latex(claims, results, args.out)
    print(f"wrote {len(paths)} files to {args.out} (book: {paths[-1]})")
    if args.pdf:
        done, msg = compile_pdf(paths[-1])
        print(("pdf: " if done else "pdf not built: ") + msg)
        if not done:
            return 1
    return 0 if ok else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
