r"""Rich display in Jupyter: evidence, verdicts and check results as small HTML tables.

The result objects carry thin ``_repr_html_`` methods that call the functions here, so in
a notebook the last expression of a cell shows as a table:

* :class:`verify.api.CheckEvidence` (what ``check_jacobian`` and friends return, and what
  ``CheckFailed.evidence`` holds): the evidence table;
* :class:`verify.runner.ClaimResult` (``run_claim``): the verdict, one row per check, the
  counterexample of each refuting check as a small table, and the mutants;
* :class:`verify.model.Evidence` (one check of a claim) and :class:`verify.model.Claim`
  (statement, assumptions, derivation, mutants; the LaTeX is typeset by Jupyter's MathJax);
* :func:`results` wraps a list of ``ClaimResult`` (``run_claims``) as one table.

``%load_ext verify.display`` makes a :class:`~verify.errors.CheckFailed` (or
``CheckUndecided``) raised in a cell show its evidence table instead of a traceback.

The pieces are generic and other result types reuse them: :func:`html_table` (rows of
cells, escaped unless wrapped in :class:`Html`), :func:`badge` (a coloured verdict),
:func:`fmt` (a compact value), :func:`kv_rows` (a dict, nested dicts flattened, as
label/value rows) and :class:`Rich` (an object with HTML and plain-text forms).

>>> print(html_table([("point", 0.5), ("verdict", badge("refuted"))], header=("", "value")))
<table><thead><tr><th style="text-align:left"></th><th style="text-align:left">value</th></tr></thead><tbody><tr><td style="text-align:left">point</td><td style="text-align:left">0.5</td></tr><tr><td style="text-align:left">verdict</td><td style="text-align:left"><span style="color:#cf222e;font-weight:bold">refuted</span></td></tr></tbody></table>
>>> kv_rows({"point": {"W": [[0.5]], "n": 2}, "error": 0.25})
[('point.W', '[[0.5]]'), ('point.n', '2'), ('error', '0.25')]
"""

from __future__ import annotations

import html as _html
import math
from typing import Any, Iterable

__all__ = ["Html", "Rich", "VERDICT_COLORS", "badge", "fmt", "html_table", "kv_rows",
           "check_evidence_html", "evidence_html", "claim_result_html", "mutant_result_html",
           "claim_html", "results", "results_html", "load_ipython_extension"]

#: colour of each verdict (green: as hoped, red: a counterexample, amber: undecided or error)
VERDICT_COLORS = {
    "proved": "#1a7f37", "consistent": "#1a7f37", "correct": "#1a7f37", "yes": "#1a7f37",
    "refuted": "#cf222e", "incorrect": "#cf222e", "NO": "#cf222e",
    "undecided": "#9a6700", "unknown": "#9a6700", "error": "#9a6700", "invalid": "#9a6700",
    "skipped": "#6e7781",
}

_TD = 'style="text-align:left"'


class Html(str):
    """A string of HTML that :func:`html_table` inserts as is (everything else is escaped)."""

    __slots__ = ()


class Rich:
    """An object that shows as ``html`` in Jupyter and as ``text`` elsewhere (``str``, ``repr``)."""

    def __init__(self, html: str, text: str, latex: str | None = None):
        self.html, self.text, self.latex = html, text, latex

    def _repr_html_(self) -> str:
        return self.html

    def _repr_latex_(self) -> str | None:
        return self.latex

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__


def fmt(value: Any, *, digits: int = 6, limit: int = 160) -> str:
    """A compact, one-line rendering of a value: floats to ``digits`` significant digits,
    arrays and nested lists with NumPy's printer, long results cut at ``limit`` characters.

    >>> fmt(1 / 3), fmt([[1.0, 2.5], [3.0, 1e-12]]), fmt(None), fmt(float("inf"))
    ('0.333333', '[[1, 2.5], [3, 1e-12]]', '-', 'inf')
    """
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value)
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:  # NumPy scalar
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return f"{value:.{digits}g}"
    if isinstance(value, complex):
        return f"{fmt(value.real, digits=digits)}{'+' if value.imag >= 0 else '-'}{fmt(abs(value.imag), digits=digits)}j"
    out = None
    if isinstance(value, (list, tuple)) or hasattr(value, "__array__"):
        import numpy as np

        try:
            arr = np.asarray(value)
        except (ValueError, TypeError):
            arr = None
        if arr is not None and arr.dtype != object and np.issubdtype(arr.dtype, np.number):
            if arr.size <= 24:
                out = _nested(arr.tolist(), digits)
            else:
                out = " ".join(np.array2string(arr, precision=min(digits, 4), separator=", ",
                                               threshold=12, edgeitems=2).split())
        elif isinstance(value, tuple):
            out = "(" + ", ".join(fmt(v, digits=digits, limit=limit) for v in value) + \
                  ("," if len(value) == 1 else "") + ")"
        elif isinstance(value, list):
            out = "[" + ", ".join(fmt(v, digits=digits, limit=limit) for v in value) + "]"
    if out is None:
        out = value if isinstance(value, str) else repr(value)
    return out if len(out) <= limit else out[: limit - 1] + "…"


def _nested(x, digits):
    if isinstance(x, list):
        return "[" + ", ".join(_nested(v, digits) for v in x) + "]"
    return fmt(x, digits=digits)


def badge(verdict: str) -> Html:
    """A verdict in its colour (:data:`VERDICT_COLORS`), bold."""
    color = VERDICT_COLORS.get(str(verdict), "#57606a")
    return Html(f'<span style="color:{color};font-weight:bold">{_html.escape(str(verdict))}</span>')


def _cell(value) -> str:
    if isinstance(value, Html):
        return str(value)
    return _html.escape(value if isinstance(value, str) else fmt(value))


def html_table(rows: Iterable[Iterable], header: Iterable | None = None, *,
               caption: str | None = None) -> str:
    """An HTML table of ``rows`` (sequences of cells). Cells are escaped (non-strings go
    through :func:`fmt`) unless they are :class:`Html`; ``caption`` is HTML."""
    parts = ['<table>']
    if caption:
        parts.append(f'<caption style="text-align:left">{caption}</caption>')
    if header is not None:
        parts.append("<thead><tr>" + "".join(f"<th {_TD}>{_cell(h)}</th>" for h in header)
                     + "</tr></thead>")
    parts.append("<tbody>")
    for row in rows:
        parts.append("<tr>" + "".join(f"<td {_TD}>{_cell(c)}</td>" for c in row) + "</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def kv_rows(data: dict, prefix: str = "") -> list[tuple[str, str]]:
    """A dict as ``(label, value)`` rows, nested dicts flattened to dotted labels."""
    rows = []
    for k, v in (data or {}).items():
        label = f"{prefix}{k}"
        if isinstance(v, dict) and v:
            rows.extend(kv_rows(v, prefix=f"{label}."))
        else:
            rows.append((label, fmt(v)))
    return rows


def _code(text: str) -> Html:
    return Html(f"<code>{_html.escape(text)}</code>")


# ---------------------------------------------------------------------------
# the functional API's evidence
# ---------------------------------------------------------------------------


def check_evidence_html(ev) -> str:
    """The evidence table of a :class:`verify.api.CheckEvidence` (its ``rows()``)."""
    n = ev.examples
    head = (f"<b>{_html.escape(ev.check)}</b> {badge(ev.verdict)} ({n} point{'s' if n != 1 else ''}, "
            f"seed {ev.seed}{', shrunk by Hypothesis' if ev.shrunk else ''})")
    return "<div>" + html_table([(Html(f"<b>{_html.escape(k)}</b>"), _code(v)) for k, v in ev.rows()],
                                caption=head) + "</div>"


# ---------------------------------------------------------------------------
# claims and their verdicts
# ---------------------------------------------------------------------------


def _ratio(e) -> str:
    if e.worst_ratio is None or e.verdict == "proved":
        return "-"
    return fmt(e.worst_ratio, digits=3)


def _counterexample_table(e, title: str) -> str:
    if not e.counterexample:
        return ""
    return html_table(kv_rows(e.counterexample), header=("counterexample", "value"),
                      caption=f"<i>{_html.escape(title)}</i>")


def _evidence_rows(evidence) -> list:
    return [(e.check, _code(e.method) if e.method else "-", badge(e.verdict), e.points or "-",
             _ratio(e), f"{e.seconds:.2f} s") for e in evidence]


_EVIDENCE_HEADER = ("check", "method", "verdict", "points", "error/tol", "time")


def evidence_html(e) -> str:
    """One check's :class:`verify.model.Evidence`: a summary row, its details and counterexample."""
    parts = [html_table(_evidence_rows([e]), header=_EVIDENCE_HEADER)]
    details = [(k, v) for k, v in kv_rows(e.details) if k != "undecided_example"]
    if details:
        parts.append(html_table(details, header=("detail", "value")))
    parts.append(_counterexample_table(e, f"{e.check}: counterexample"))
    if e.details.get("undecided_example"):
        parts.append(html_table(kv_rows(e.details["undecided_example"]),
                                header=("undecided at", "value")))
    return "<div>" + "".join(parts) + "</div>"


def mutant_result_html(m) -> str:
    """A :class:`verify.runner.MutantResult`: refuted or not, and by what."""
    rows = [(m.name, m.description, badge(m.verdict), badge("yes" if m.refuted else "NO"))]
    return html_table(rows, header=("mutant", "description", "verdict", "refuted"))


def claim_result_html(r) -> str:
    """A :class:`verify.runner.ClaimResult`: verdict against expectation, one row per check,
    the counterexamples as small tables, then the mutants."""
    ok = badge("yes" if r.ok else "NO")
    head = (f"<b>{_html.escape(r.id)}</b> {badge(r.verdict)} (expected {_html.escape(r.expected)}, "
            f"as expected: {ok}; {r.seconds:.2f} s)<br><i>{_html.escape(r.title)}</i>")
    parts = [f"<div>{head}", html_table(_evidence_rows(r.evidence), header=_EVIDENCE_HEADER)]
    for i, e in enumerate(r.evidence):
        parts.append(_counterexample_table(e, f"check {i} ({e.check}): counterexample"))
        if e.verdict == "error":
            parts.append(f"<p>check {i}: {_html.escape(str(e.details.get('error', e.method)))}</p>")
        if e.verdict == "undecided" and e.details.get("undecided_example"):
            parts.append(html_table(kv_rows(e.details["undecided_example"]),
                                    header=(f"check {i} undecided at", "value")))
    if r.mutants:
        from .report import format_evidence

        rows = [(m.name, m.description, badge(m.verdict), badge("yes" if m.refuted else "NO"),
                 format_evidence(m.evidence)) for m in r.mutants]
        n = sum(m.refuted for m in r.mutants)
        parts.append(html_table(rows, header=("mutant", "description", "verdict", "refuted", "by"),
                                caption=f"{n} of {len(r.mutants)} mutants refuted"))
    parts.append("</div>")
    return "".join(parts)


def results_html(results) -> str:
    """A list of :class:`verify.runner.ClaimResult` as one table (the terminal report's columns)."""
    from .report import format_evidence

    rows = [(r.id, badge(r.verdict), r.expected, badge("yes" if r.ok else "NO"),
             (f"{sum(m.refuted for m in r.mutants)}/{len(r.mutants)}" if r.mutants else "-"),
             format_evidence(r.evidence), f"{r.seconds:.2f} s") for r in results]
    n_ok = sum(r.ok for r in results)
    return html_table(rows, header=("claim", "verdict", "expected", "ok", "mutants refuted", "evidence",
                                    "time"), caption=f"{n_ok} of {len(results)} claims as expected")


def results(results_list) -> Rich:
    """Wrap ``run_claims``'s list for display: a table in Jupyter, the terminal table in ``print``."""
    from .report import format_table

    results_list = list(results_list)
    mutants = any(r.mutants for r in results_list)
    return Rich(results_html(results_list), format_table(results_list, mutants=mutants))


def claim_html(c) -> str:
    """A :class:`verify.model.Claim`: statement, assumptions, derivation, checks and mutants.

    The statement and derivation are LaTeX, typeset by the notebook's MathJax."""
    esc = _html.escape
    parts = [f"<div><b>{esc(c.id)}</b>: {esc(c.title)} <i>[{esc(c.source)}]</i>",
             f"<p>{esc(c.statement)}</p>"]
    if c.assumptions:
        parts.append("<p>Assumptions: " + "; ".join(esc(a) for a in c.assumptions) + "</p>")
    try:
        parts.append(f"<p>$${esc(c.derivation.to_latex())}$$</p>")
    except Exception:  # noqa: BLE001 (a derivation that cannot render still leaves the rest)
        pass
    rows = [("checks", c.kind), ("expected", c.expected)]
    if c.corrected_by:
        rows.append(("corrected by", c.corrected_by))
    rows += [(f"mutant {m.name}", m.description) for m in c.mutants]
    parts.append(html_table(rows))
    if c.notes:
        parts.append(f"<p>{esc(c.notes)}</p>")
    parts.append("</div>")
    return "".join(parts)


# ---------------------------------------------------------------------------
# IPython extension: %load_ext verify.display
# ---------------------------------------------------------------------------


def _show_check_failure(shell, etype, value, tb, tb_offset=None):
    """Show a CheckFailed / CheckUndecided as its evidence table, then one line (no traceback)."""
    from IPython.display import display

    evidence = getattr(value, "evidence", None)
    if evidence is None:
        return shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
    display(evidence)
    what = "refuted" if etype.__name__ == "CheckFailed" else "undecided"
    stb = [f"{etype.__name__}: {evidence.check} {what} (evidence above; "
           f"the exception's .evidence holds it)"]
    shell._showtraceback(etype, value, stb)
    return stb


def load_ipython_extension(ipython) -> None:
    """``%load_ext verify.display``: failed checks show their evidence table instead of a traceback."""
    from .errors import CheckFailed, CheckUndecided

    ipython.set_custom_exc((CheckFailed, CheckUndecided), _show_check_failure)


def unload_ipython_extension(ipython) -> None:
    ipython.set_custom_exc((), None)


# ---------------------------------------------------------------------------
# verify steps and verify diff
# ---------------------------------------------------------------------------


def derivation_result_html(r) -> str:
    """A checked derivation (:class:`verify.steps.model.DerivationResult`): one row per step with its
    verdict and method, the counterexample as a small table beside the failing step, and the summary."""
    rows = []
    for s in r.steps:
        ce = html_table(kv_rows(s.counterexample)) if s.counterexample else ""
        rows.append((s.index, s.relation or "", badge(s.verdict) if s.verdict else "", s.method,
                     _code(s.text), Html(ce) if ce else s.evidence))
    first = "none" if r.first_wrong_step is None else f"step {r.first_wrong_step}"
    concl = r.conclusion or {}
    head = (f"<b>{_html.escape(r.id)}</b>" + (f": {_html.escape(r.title)}" if r.title else "")
            + f" &mdash; first wrong step: {_html.escape(first)}")
    tail = ""
    if concl:
        tail = "<p>conclusion: " + _html.escape(", ".join(f"{k}: {fmt(v)}" for k, v in concl.items())) + "</p>"
    if r.error:
        tail += f"<p>{badge('invalid')} {_html.escape(r.error)}</p>"
    return html_table(rows, ("step", "relation", "verdict", "method", "line", "evidence / counterexample"),
                      caption=head) + tail


def diff_result_html(r) -> str:
    """A :class:`verify.diff.api.DiffResult`: the derivative (typeset) only when it was verified, else the
    failing instance; the evidence as a table."""
    if r.verified:
        top = (f"<p>{badge('consistent')} d/d{_html.escape(r.wrt)} "
               f"<code>{_html.escape(r.function)}</code> = <code>{_html.escape(r.expr)}</code></p>"
               f"<p>$${_html.escape(r.latex or '')}$$</p>")
    else:
        top = f"<p>{badge('refuted')} not verified: nothing is shown as the derivative</p>"
    ev = r.evidence.to_json() if hasattr(r.evidence, "to_json") else dict(r.evidence or {})
    return top + html_table(kv_rows(ev), ("evidence", "value"))
