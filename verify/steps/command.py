"""``verify steps FILE [--json OUT] [--latex OUT.tex] [--html OUT.html]``: the command line glue."""

from __future__ import annotations

import sys

from .model import FileError
from .render import format_table, to_json_document, write_json
from .summary import exit_status, judge_derivation

__all__ = ["add_parser", "steps_command", "read_derivations", "check_file"]


def add_parser(sub) -> None:
    p = sub.add_parser("steps", help="check a derivation line by line; find its first wrong step",
                       description="Check every step of the derivations in FILE (TOML, LaTeX or Markdown). "
                                   "Exit status: 0 every step proved or consistent; 1 a step refuted; "
                                   "2 the file cannot be read; 3 nothing refuted but some step undecided or invalid.")
    p.add_argument("file", metavar="FILE", help="a .toml, .tex or .md file")
    p.add_argument("--json", metavar="OUT", help="write the verdicts as JSON to OUT")
    p.add_argument("--latex", metavar="OUT.tex", help="write an annotated LaTeX copy")
    p.add_argument("--html", metavar="OUT.html", help="write an annotated self-contained HTML page (KaTeX)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random search (default 0)")
    p.add_argument("--only", metavar="ID", action="append", default=[], help="judge only this derivation (repeatable)")


def read_derivations(path):
    p = str(path)
    if p.endswith(".toml"):
        from .toml_form import read_toml

        return read_toml(p)
    if p.endswith((".tex", ".md", ".markdown", ".txt")):
        from .latex_form import read_latex

        return read_latex(p)
    raise FileError(f"{p}: unknown file type; use .toml, .tex or .md")


def check_file(path, *, seed=0, only=()):
    ders = read_derivations(path)
    if only:
        known = [d.id for d in ders]
        ders = [d for d in ders if d.id in only]
        if not ders:
            raise FileError(f"--only {', '.join(only)}: no such derivation (ids: {', '.join(known)})")
    return ders, [judge_derivation(d, seed=seed) for d in ders]


def steps_command(args) -> int:
    try:
        ders, results = check_file(args.file, seed=args.seed, only=args.only)
    except FileError as exc:
        print(f"verify steps: error: {exc}", file=sys.stderr)
        return 2
    print(format_table(results))
    if args.json:
        write_json(args.json, to_json_document(results, source=args.file))
    if args.latex:
        from .annotate import write_latex

        write_latex(args.latex, ders, results)
    if args.html:
        from .annotate import write_html

        write_html(args.html, ders, results)
    return exit_status(results)
