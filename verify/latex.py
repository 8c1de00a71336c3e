r"""LaTeX write-ups: one standalone ``.tex`` per claim and a ``book.tex`` with them all.

Each claim file compiles on its own; ``book.tex`` defines ``\InBook`` and inputs the claim files, whose
preamble is skipped under that flag. The book opens with a summary table (claim, source, verdict, steps
checked), then the claims that hold, then the errata (claims that are refuted as written) in one section.

Titles are typeset from their ASCII spelling (:func:`verify.booktex.title_latex`); each derivation step
is a line that wraps within the margin, with a mark saying whether the step checker proved it
(bold check mark), found it consistent (check mark), refuted it (cross), could not decide (?) or had no
plain form to check (--); counterexamples are tables of values. Only packages of texlive-latex-base and
texlive-latex-recommended are used.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from derivations.results import RESULTS
from derivations.steps import latex_of

from .booktex import (breakable_tt, counterexample_table, escape, step_formula, text_latex,
                      title_latex)

__all__ = ["claim_tex", "book_tex", "write_latex", "compile_pdf", "escape", "log_problems",
           "title_latex", "STEP_MARKS"]

_PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[utf8]{inputenc}
\usepackage[margin=2.5cm]{geometry}
\usepackage{amsmath,amssymb}
\usepackage{graphicx,array,longtable,booktabs,xcolor}
\usepackage[hidelinks]{hyperref}
\allowdisplaybreaks
\setlength{\emergencystretch}{3em}
\definecolor{VfyGood}{rgb}{0,0.45,0}
\definecolor{VfyBad}{rgb}{0.7,0,0}
\definecolor{VfyFair}{rgb}{0.35,0.55,0.1}
\newcommand\VfyProved{\textcolor{VfyGood}{$\boldsymbol{\checkmark}$}}
\newcommand\VfyConsistent{\textcolor{VfyFair}{$\checkmark$}}
\newcommand\VfyRefuted{\textcolor{VfyBad}{$\boldsymbol{\times}$}}
\newcommand\VfyUndecided{\textbf{?}}
\newcommand\VfyUnchecked{--}
\newsavebox\VfyBox
\newlength\VfyW
\newlength\VfyLabel\setlength\VfyLabel{2.8em}
\newlength\VfyHang\setlength\VfyHang{1.5em}
% \VfyFit{width}{material}: the material in one box, scaled down to the width when wider
\newcommand\VfyFit[2]{\sbox\VfyBox{#2}\setlength\VfyW{#1}%
  \ifdim\wd\VfyBox>\VfyW\resizebox{\VfyW}{!}{\usebox\VfyBox}\else\usebox\VfyBox\fi}
% a formula is chunks (display style) with break points: before a relation (cheap), before + - (dearer)
\newcommand\StepChunk[1]{\VfyFit{\dimexpr\linewidth-\VfyLabel-\VfyHang\relax}{$\displaystyle #1$}}
\newcommand\StepRel{\penalty0\relax}
\newcommand\StepBin{\penalty300\relax}
% \VfyStep{label}{formula}{reason line}: a step that wraps within the margin
\newcommand\VfyStep[3]{\par\smallskip
  {\raggedright\leftskip\VfyLabel\hangindent\VfyHang\hangafter1\relax
   \noindent\llap{\makebox[\VfyLabel][l]{#1}}#2\par}
  {\footnotesize\raggedright\leftskip\VfyLabel\relax\noindent #3\par}}
\ifdefined\InBook
  \newcommand\VfyClaim[3]{\subsection{\texorpdfstring{#1}{#2}}\label{#3}}
\else
  \newcommand\VfyClaim[3]{\section*{#1}}
\fi
"""

#: step verdict -> (mark macro, wording)
STEP_MARKS = {
    "proved": (r"\VfyProved", "proved"),
    "consistent": (r"\VfyConsistent", "consistent"),
    "refuted": (r"\VfyRefuted", "refuted"),
    "undecided": (r"\VfyUndecided", "undecided"),
    "unchecked": (r"\VfyUnchecked", "unchecked"),
}


def _file_name(claim_id: str) -> str:
    return claim_id.replace(".", "-")


def _label(claim_id: str) -> str:
    return "claim:" + claim_id


def _pdf_title(title: str) -> str:
    """The title as a PDF bookmark string: ASCII with the characters bookmarks cannot hold dropped."""
    return escape(re.sub(r"[\\{}$^_~#%&]", "", str(title)))


def _steps_tex(claim, result) -> str:
    der = claim.derivation
    verdicts = {v.index: v for v in (result.steps if result is not None else [])}
    out = ["\\begingroup"]
    prev_rhs = None
    for k, step in enumerate(der.steps):
        lhs, rhs = latex_of(step.lhs), latex_of(step.rhs)
        continued = prev_rhs is not None and lhs == prev_rhs
        prev_rhs = rhs
        formula = step_formula("" if continued else lhs, step.relation, rhs)
        v = verdicts.get(k)
        if v is None:
            mark, tag = "", ""
        else:
            mark, word = STEP_MARKS.get(v.verdict, (r"\VfyUndecided", v.verdict))
            if v.verdict == "unchecked":
                tag = f"\\mbox{{{mark}\\,{word}}}"
                why = text_latex(v.reason) if v.reason else ""
                tag += f"\\newline\\textit{{{why}}}" if why else ""
            else:
                how = f" by {escape(v.method)}" if v.method else ""
                tag = f"\\mbox{{{mark}\\,{word}{how}}}"
                evidence = v.reason
                if v.verdict in ("proved", "consistent"):  # the first clause; the JSON report has it all
                    evidence = evidence.split("; ")[0]
                if evidence:
                    tag += f"\\newline\\textcolor{{darkgray}}{{{text_latex(evidence)}}}"
        label = f"{{\\small {k + 1}}}\\hfill {mark}\\hspace{{0.7em}}"
        reason = text_latex(step.reason) if "$" in step.reason else step.reason
        line = reason + (f"\\hfill {tag}" if tag else "")
        out.append(f"\\VfyStep{{{label}}}{{{formula}}}{{{line}}}")
    out.append("\\par\\endgroup")
    return "\n".join(out)


def _evidence_tex(result) -> str:
    if result is None:
        return "Not run.\n"
    lines = [f"Verdict: \\textbf{{{escape(result.verdict)}}} (expected: {escape(result.expected)}).",
             "\\begin{itemize}\\raggedright"]
    for e in result.evidence:
        if e.verdict == "skipped":
            continue
        bits = [f"\\textbf{{{escape(e.check)}}}: {escape(e.verdict)} by {escape(e.method)}"]
        if e.points:
            bits.append(f"{e.points} points")
        if e.worst_ratio is not None and e.verdict != "proved":
            bits.append(f"worst error/tolerance {e.worst_ratio:.2g}")
        item = "\\item " + "; ".join(bits) + "."
        if e.counterexample:
            item += (" Counterexample:\\par\\smallskip\\noindent{\\small\\VfyFit{\\linewidth}{"
                     + counterexample_table(e.counterexample) + "}}\\par")
        lines.append(item)
    lines.append("\\end{itemize}")
    if result.mutants:
        lines.append("Mutants (plausible wrong variants) and whether the same checks refute them:")
        lines.append("\\begin{itemize}\\raggedright")
        for m in result.mutants:
            lines.append(f"\\item {breakable_tt(m.name)}: {m.description} --- "
                         f"{'refuted' if m.refuted else 'NOT refuted'}.")
        lines.append("\\end{itemize}")
    return "\n".join(lines) + "\n"


def _steps_summary(claim, result) -> str:
    n = len(claim.derivation.steps)
    if result is None or not result.steps:
        return f"--/{n}"
    k, n = result.steps_checked
    return f"{k}/{n}"


def claim_tex(claim, result=None) -> str:
    """A standalone document for one claim (statement, assumptions, derivation, evidence)."""
    assumptions = "\n".join(f"\\item {a}" for a in claim.assumptions)
    domains = claim.derivation.assumptions_latex()
    if domains:  # generated from the derivation's declared domains (derivations.domains)
        assumptions += f"\n\\item Domains of the checked steps: {domains}."
    asked = [r for r in RESULTS.values() if r.claim == claim.id]
    if asked:  # the bank's questions built from this claim's result (derivations.results)
        assumptions += "\n\\item Asked as " + "; ".join(
            f"bank question {breakable_tt(r.key)}, answer {breakable_tt(r.plain)}" for r in asked) + "."
    erratum = ""
    if claim.expected == "refuted":
        erratum = (f"\n\\noindent\\textbf{{Erratum:}} the claim as written is false; corrected by "
                   f"\\hyperref[{_label(claim.corrected_by)}]{{{breakable_tt(claim.corrected_by)}}}.\n"
                   if claim.corrected_by else "\n\\noindent\\textbf{Erratum:} the claim as written is false.\n")
    checked = ""
    if result is not None and result.steps:
        k, n = result.steps_checked
        checked = f" Steps checked: {k}/{n}."
    body = f"""\\VfyClaim{{{title_latex(claim.title)}}}{{{_pdf_title(claim.title)}}}{{{_label(claim.id)}}}
\\noindent{breakable_tt(claim.id)} --- {escape(claim.source)}.
{erratum}
\\paragraph{{Claim.}} {{\\raggedright {claim.statement}\\par}}

\\paragraph{{Assumptions.}}
\\begin{{itemize}}\\raggedright
{assumptions}
\\end{{itemize}}

\\paragraph{{Derivation.}}{checked}
{_steps_tex(claim, result)}

\\paragraph{{Verification.}}
{_evidence_tex(result)}"""
    if claim.notes:
        body += f"\n\\paragraph{{Notes.}} {{\\raggedright {claim.notes}\\par}}\n"
    return (
        "\\ifdefined\\InBook\\else\n" + _PREAMBLE + "\\begin{document}\n\\fi\n"
        + body
        + "\\ifdefined\\InBook\\else\n\\end{document}\n\\fi\n"
    )


def _summary_tex(claims, by_id) -> str:
    rows = []
    k_all = n_all = 0
    for c in claims:
        r = by_id.get(c.id)
        if r is None:
            verdict = "not run"
        else:
            verdict = escape(r.verdict)
            if not r.ok:
                verdict += " \\VfyRefuted"
        if c.expected == "refuted":
            verdict += " (erratum)"
        steps = _steps_summary(c, r)
        if r is not None and r.steps:
            k, n = r.steps_checked
            k_all, n_all = k_all + k, n_all + n
        rows.append(f"\\hyperref[{_label(c.id)}]{{{breakable_tt(c.id)}}} & {escape(c.source)} & {verdict} & "
                    f"{steps} & \\pageref{{{_label(c.id)}}} \\\\")
    head = ("\\textbf{Claim} & \\textbf{Source} & \\textbf{Verdict} & \\textbf{Steps} & \\textbf{Page}")
    n_err = sum(c.expected == "refuted" for c in claims)
    intro = (f"{len(claims)} claims, {n_err} of them errata (claims refuted as written, collected in "
             "Section~\\ref{sec:errata}). "
             + (f"Derivation steps checked: {k_all} of {n_all}. " if n_all else "")
             + "Each derivation step carries a mark: \\VfyProved{} proved, \\VfyConsistent{} consistent "
               "(numerically), \\VfyRefuted{} refuted, \\VfyUndecided{} undecided, \\VfyUnchecked{} not "
               "checked (the reason follows the step).\n")
    return ("\\section{Summary}\\label{sec:summary}\n" + intro
            + "{\\small\\setlength\\tabcolsep{4pt}\n"
            "\\begin{longtable}{@{}>{\\raggedright\\arraybackslash}p{0.27\\linewidth}"
            ">{\\raggedright\\arraybackslash}p{0.39\\linewidth}"
            ">{\\raggedright\\arraybackslash}p{0.14\\linewidth}rr@{}}\n"
            "\\toprule\n" + head + " \\\\\n\\midrule\n\\endfirsthead\n"
            "\\toprule\n" + head + " \\\\\n\\midrule\n\\endhead\n"
            "\\bottomrule\n\\endfoot\n"
            + "\n".join(rows) + "\n\\end{longtable}}\n")


def book_tex(claims, results=None) -> str:
    """The book: summary table, the claims that hold, then the errata section."""
    by_id = {r.id: r for r in results or []}
    holds = [c for c in claims if c.expected != "refuted"]
    errata = [c for c in claims if c.expected == "refuted"]

    def inputs(cs):
        return "\n".join(f"\\input{{{_file_name(c.id)}}}\n\\clearpage" for c in cs)

    parts = [_summary_tex(claims, by_id), "\\clearpage", "\\section{Claims}\\label{sec:claims}", inputs(holds),
             "\\section{Errata}\\label{sec:errata}",
             "The claims below are stated as a source writes them and are refuted by the checks; each names "
             "the claim that corrects it." if errata else "No claim in this book is an erratum.",
             inputs(errata)]
    return (
        "\\documentclass[11pt]{article}\n\\def\\InBook{}\n"
        + _PREAMBLE.replace("\\documentclass[11pt]{article}\n", "")
        + "\\title{Verified derivations}\\author{verify}\\date{}\n\\begin{document}\n\\maketitle\n"
        + "\n".join(parts) + "\n\\end{document}\n"
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
    book.write_text(book_tex(claims, results), encoding="utf-8")
    paths.append(book)
    return paths


_OVERFULL = re.compile(r"^Overfull \\hbox \(([0-9.]+)pt too wide\)(.*)$", re.M)


def log_problems(log: str, *, max_overfull_pt: float = 1.0) -> list:
    """Problems in a pdflatex log: undefined control sequences and overfull boxes wider than the limit."""
    problems = []
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if "Undefined control sequence" in line:
            problems.append("undefined control sequence: " + " | ".join(lines[i:i + 3]))
    for m in _OVERFULL.finditer(log):
        if float(m.group(1)) > max_overfull_pt:
            problems.append(f"overfull hbox {m.group(1)}pt{m.group(2)}")
    return problems


def compile_pdf(tex_path) -> tuple:
    """Compile with latexmk (or pdflatex until stable). Returns ``(ok, message)``.

    Fails (``ok=False``) on LaTeX errors and on any ``Undefined control sequence``; the message counts
    overfull boxes wider than 1pt.
    """
    tex_path = Path(tex_path)
    cwd = tex_path.parent
    if shutil.which("latexmk"):
        cmds = [["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", tex_path.name]]
    elif shutil.which("pdflatex"):
        cmds = [["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex_path.name]] * 3
    else:
        return False, ("neither latexmk nor pdflatex is installed; install texlive-latex-base "
                       "and latexmk (Debian) to build PDFs; the .tex files were written")
    log_path = cwd / tex_path.with_suffix(".log").name
    for i, c in enumerate(cmds):
        proc = subprocess.run(c, cwd=cwd, capture_output=True, text=True, errors="replace", timeout=600)
        if proc.returncode != 0:
            return False, f"{' '.join(c)} failed:\n" + proc.stdout[-2000:]
        if c[0] == "pdflatex" and i >= 1 and "Rerun" not in log_path.read_text(errors="replace"):
            break
    log = log_path.read_text(errors="replace")
    if "Undefined control sequence" in log:
        return False, f"{tex_path.name}: undefined control sequence (see {tex_path.with_suffix('.log')})"
    wide = [p for p in log_problems(log) if p.startswith("overfull")]
    note = f" ({len(wide)} overfull boxes wider than 1pt, see {log_path})" if wide else ""
    return True, str(tex_path.with_suffix(".pdf")) + note
