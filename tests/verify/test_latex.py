"""The LaTeX book: typeset titles, wrapping step lines with marks, counterexample tables, the summary table
and the errata section; the book compiles with no overfull box over 1pt and no undefined control sequence."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess

import pytest

from verify.booktex import (counterexample_table, formula_chunks, math_latex, step_formula, title_latex,
                            value_latex)
from verify.latex import book_tex, claim_tex, log_problems, write_latex
from verify.model import PROFILES, Evidence, RunContext
from verify.registry import default_registry
from verify.runner import run_claims
from verify.stepcheck import StepVerdict

CLAIMS = list(default_registry())


def _math_spans(tex: str) -> list:
    return re.findall(r"(?<!\\)\$(.*?)(?<!\\)\$", tex)


@pytest.mark.parametrize("title, expected", [
    ("Theorem 1: lambda_min(P) >= (1 + eta sqrt(n))^-2, a constant",
     r"Theorem 1: $\lambda_{\min}(P) \ge (1 + \eta \sqrt{n})^{-2}$, a constant"),
    ("gradient flow on (w, F) is preconditioned", r"gradient flow on $(w, F)$ is preconditioned"),
    ("V1 <= V2 implies T^pi V1 <= T^pi V2", r"$V_{1} \le V_{2}$ implies $T^{\pi} V_{1} \le T^{\pi} V_{2}$"),
    ("Plain words only, 100% & more", r"Plain words only, 100\% \& more"),
])
def test_title_latex(title, expected):
    assert title_latex(title) == expected


def test_title_math_fragments():
    assert math_latex("E||dtheta||^2") == r"\mathbb{E}\| d\theta\| ^{2}"
    assert r"\langle" in title_latex("-(alpha/n)<P r, r> + O(alpha^2)")
    assert r"\texttt{" in title_latex("SymPy: (A*x).diff(x) == A.T")


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_every_catalogue_title_is_typeset(claim):
    tex = title_latex(claim.title)
    assert tex.count("$") % 2 == 0
    assert r"\textasciicircum" not in tex, tex  # a ^ left in text: the math was not recognised
    if re.search(r"[\^=]|_[{A-Za-z0-9]", claim.title) and "==" not in claim.title:
        assert _math_spans(tex), tex
    depth = 0
    for m in re.finditer(r"\\.|[{}]", tex):
        depth += {"{": 1, "}": -1}.get(m.group(), 0)
        assert depth >= 0
    assert depth == 0


def test_formula_chunks_cut_at_top_level_only():
    chunks = formula_chunks(r"\left(a + b\right) = c^{-1} + \frac{d - e}{2} - f, \quad x \le y")
    kinds = [k for k, _ in chunks]
    assert kinds[0] == "start" and "rel" in kinds and "bin" in kinds
    assert all(c.count("{") == c.count("}") for _, c in chunks)
    assert all(r"\left(" not in c or r"\right)" in c for _, c in chunks)
    assert formula_chunks("-a + b")[0][1].startswith("-a")  # a leading sign is not a cut
    assert len(formula_chunks("e^{-x}")) == 1
    assert step_formula("", "=", "a + b").startswith(r"\StepChunk{{}= a")


def test_counterexample_as_table_of_values():
    ce = {"point": {"x": [0.5, 0.25], "W": [[1.0, 0.0], [0.25, 2e-12]], "theta_b": 3, "P": [[[1.0]], [[0.0]]]},
          "error": 0.0478, "sense": "lower", "index": [0, 1]}
    tex = counterexample_table(ce)
    assert r"\begin{tabular}" in tex and tex.count(r"\begin{bmatrix}") >= 4
    assert r"$\theta_{b}$" in tex and r"2\cdot 10^{-12}" in tex and r"\text{lower}" in tex
    long = value_latex(list(range(40)))
    assert r"\cdots" in long and long.count("&") < 10
    big = value_latex([[float(i * j) for j in range(20)] for i in range(20)])
    assert r"\vdots" in big


def test_book_has_summary_errata_and_marks_without_running():
    tex = book_tex(CLAIMS)
    assert r"\begin{longtable}" in tex and r"\section{Summary}" in tex and r"\section{Errata}" in tex
    errata = tex[tex.index(r"\section{Errata}"):]
    for c in CLAIMS:  # every erratum after the Errata heading, every other claim before it
        assert (f"\\input{{{c.id.replace('.', '-')}}}" in errata) == (c.expected == "refuted")


def _results():
    """Real results for two claims (an erratum with a counterexample and checked steps, a refuted step) and
    a made-up one that shows every step mark and an awkward counterexample."""
    picked = [c for c in CLAIMS if c.id in ("cov.composition-bound-pointwise", "matcalc.sympy-logdet-zero")]
    results = run_claims(picked, RunContext(seed=0, profile=PROFILES["quick"]))
    other = next(c for c in CLAIMS if c.id == "sgd.second-moment-ratio-explicit")
    marks = ["proved", "consistent", "refuted", "undecided", "unchecked"]
    steps = [StepVerdict(k, s.relation, marks[k % 5], "symbolic" if k % 5 < 3 else "",
                         "a long reason of the checker, with some $x_1$ math, " * (k % 3 + 1))
             for k, s in enumerate(other.derivation.steps)]
    ce = {"point": {"A": [[0.123456789 * (i - j) for j in range(12)] for i in range(9)], "v": list(range(30)),
                    "T": [[[1.0, 0.0], [0.5, 0.5]]] * 6, "label": "a string_with & specials", "n": 3},
          "error": 1e30, "tolerance": float("inf"), "nested": {"a": [1, 2], "b": None}}
    fake = dataclasses.replace(results[0], id=other.id, title=other.title, expected="holds", steps=steps,
                               evidence=[Evidence("identity", "numeric float64", "refuted", 60,
                                                  counterexample=ce)])
    return picked + [other], results + [fake]


def _compile(tmp_path, name):
    for _ in range(2):  # twice: the summary table's page references and longtable widths settle
        r = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", name], cwd=tmp_path,
                           capture_output=True, text=True, errors="replace", timeout=300)
        assert r.returncode == 0, r.stdout[-3000:]
    return (tmp_path / name.replace(".tex", ".log")).read_text(errors="replace")


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed (CI installs texlive)")
def test_book_compiles_within_the_margins(tmp_path):
    """The whole catalogue (titles, statements, derivations of every claim; evidence of three) compiles
    with no overfull box over 1pt and no undefined control sequence; one claim file compiles alone."""
    run, results = _results()
    write_latex(CLAIMS, results, tmp_path)
    book = (tmp_path / "book.tex").read_text()
    log = _compile(tmp_path, "book.tex")
    problems = log_problems(log, max_overfull_pt=1.0)
    assert not problems, "\n".join(problems[:20])
    assert (tmp_path / "book.pdf").stat().st_size > 10_000
    aux = (tmp_path / "book.aux").read_text(errors="replace")
    assert r"\newlabel{sec:summary}" in aux and r"\newlabel{sec:errata}" in aux
    assert "LaTeX Warning: Reference" not in log
    for c in run:  # the claims that were run show a step mark with the checker's method
        tex = (tmp_path / f"{c.id.replace('.', '-')}.tex").read_text()
        assert re.search(r"\\VfyStep\{\{\\small 1\}\\hfill \\Vfy(Proved|Consistent|Refuted|Undecided|Unchecked)", tex)
    fake = (tmp_path / "sgd-second-moment-ratio-explicit.tex").read_text()
    for mark in ("Proved", "Consistent", "Refuted", "Undecided", "Unchecked"):
        assert f"\\Vfy{mark}" in fake
    assert "by symbolic" in fake and r"\begin{bmatrix}" in fake
    assert "Steps checked: 4/4" in (tmp_path / "cov-composition-bound-pointwise.tex").read_text()
    assert r"\begin{longtable}" in book and "4/4" in book
    pre = (tmp_path / "implicit-preconditioner.tex").read_text()  # domains and bank link, from derivations/
    assert "Domains of the checked steps:" in pre and r"\eta \in [0, 1)" in pre
    assert "Asked as bank question" in pre and "paper/" in pre
    # a claim file compiles on its own too
    alone = _compile(tmp_path, "matcalc-sympy-logdet-zero.tex")
    assert "Undefined control sequence" not in alone
    assert not log_problems(alone)


def test_claim_file_is_standalone_and_inputs_in_the_book():
    c = CLAIMS[0]
    tex = claim_tex(c)
    assert tex.startswith("\\ifdefined\\InBook\\else\n\\documentclass")
    assert r"\VfyStep" in tex and "Not run." in tex
