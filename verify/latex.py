r"""LaTeX write-ups: one standalone ``.tex`` per claim and a ``book.tex`` with them all.

Each claim file compiles on its own; ``book.tex`` defines ``\InBook`` and inputs the
claim files, whose preamble is skipped under that flag. Only ``amsmath`` and
``amssymb`` are used (texlive-latex-base).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

__all__ = ["claim_tex", "book_tex", "write_latex", "compile_pdf", "escape"]

_PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[utf8]{inputenc}
\usepackage{amsmath,amssymb}
\allowdisplaybreaks
"""

_ESC = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
        "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def escape(text: str) -> str:
    r"""Escape plain text for LaTeX.

    >>> print(escape("err_max 5% & more"))
    err\_max 5\% \& more
    """
    return "".join(_ESC.get(ch, ch) for ch in str(text))


def _file_name(claim_id: str) -> str:
    return claim_id.replace(".", "-")


def _evidence_tex(result) -> str:
    if result is None:
        return "Not run.\n"
    lines = [f"Verdict: \\textbf{{{escape(result.verdict)}}} (expected: {escape(result.expected)}).",
             "\\begin{itemize}"]
    for e in result.evidence:
        if e.verdict == "skipped":
            continue
        bits = [f"\\textbf{{{escape(e.check)}}}: {escape(e.verdict)} by {escape(e.method)}"]
        if e.points:
            bits.append(f"{e.points} points")
        if e.worst_ratio is not None and e.verdict != "proved":
            bits.append(f"worst error/tolerance {e.worst_ratio:.2g}")
        if e.counterexample:
            bits.append("counterexample: \\texttt{" + escape(json.dumps(e.counterexample, default=str)[:300]) + "}")
        lines.append("\\item " + "; ".join(bits) + ".")
    lines.append("\\end{itemize}")
    if result.mutants:
        lines.append("Mutants (plausible wrong variants) and whether the same checks refute them:")
        lines.append("\\begin{itemize}")
        for m in result.mutants:
            lines.append(f"\\item \\texttt{{{escape(m.name)}}}: {m.description} --- "
                         f"{'refuted' if m.refuted else 'NOT refuted'}.")
        lines.append("\\end{itemize}")
    return "\n".join(lines) + "\n"


def claim_tex(claim, result=None) -> str:
    """A standalone document for one claim (statement, assumptions, derivation, evidence)."""
    assumptions = "\n".join(f"\\item {a}" for a in claim.assumptions)
    body = f"""\\section*{{{escape(claim.title)}}}
\\noindent\\texttt{{{escape(claim.id)}}} --- {escape(claim.source)}.

\\paragraph{{Claim.}} {claim.statement}

\\paragraph{{Assumptions.}}
\\begin{{itemize}}
{assumptions}
\\end{{itemize}}

\\paragraph{{Derivation.}}
{claim.derivation.to_latex()}

\\paragraph{{Verification.}}
{_evidence_tex(result)}"""
    if claim.notes:
        body += f"\n\\paragraph{{Notes.}} {claim.notes}\n"
    return (
        "\\ifdefined\\InBook\\else\n" + _PREAMBLE + "\\begin{document}\n\\fi\n"
        + body
        + "\\ifdefined\\InBook\\else\n\\end{document}\n\\fi\n"
    )


def book_tex(claims) -> str:
    inputs = "\n".join(f"\\input{{{_file_name(c.id)}}}\n\\clearpage" for c in claims)
    return (
        _PREAMBLE.replace("\\documentclass[11pt]{article}", "\\documentclass[11pt]{article}\n\\def\\InBook{}")
        + "\\title{Verified derivations}\\author{verify}\\date{}\n\\begin{document}\n\\maketitle\n"
        + inputs + "\n\\end{document}\n"
    )


def write_latex(claims, results, out_dir) -> list:
    """Write ``<id>.tex`` per claim and ``book.tex``; return the written paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    by_id = {r.id: r for r in results or []}
    paths = []
    for c in claims:
        p = out / f"{_file_name(c.id)}.tex"
        p.write_text(claim_tex(c, by_id.get(c.id)), encoding="utf-8")
        paths.append(p)
    book = out / "book.tex"
    book.write_text(book_tex(claims), encoding="utf-8")
    paths.append(book)
    return paths


def compile_pdf(tex_path) -> tuple:
    """Compile with latexmk (or pdflatex twice). Returns ``(ok, message)``.

    Fails (``ok=False``) on LaTeX errors and on any ``Undefined control sequence``.
    """
    tex_path = Path(tex_path)
    cwd = tex_path.parent
    if shutil.which("latexmk"):
        cmd = [["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", tex_path.name]]
    elif shutil.which("pdflatex"):
        one = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex_path.name]
        cmd = [one, one]
    else:
        return False, ("neither latexmk nor pdflatex is installed; install texlive-latex-base "
                       "and latexmk (Debian) to build PDFs; the .tex files were written")
    for c in cmd:
        proc = subprocess.run(c, cwd=cwd, capture_output=True, text=True, errors="replace", timeout=300)
        if proc.returncode != 0:
            return False, f"{' '.join(c)} failed:\n" + proc.stdout[-2000:]
    log = (cwd / tex_path.with_suffix(".log").name).read_text(errors="replace")
    if "Undefined control sequence" in log:
        return False, f"{tex_path.name}: undefined control sequence (see {tex_path.with_suffix('.log')})"
    return True, str(tex_path.with_suffix(".pdf"))
