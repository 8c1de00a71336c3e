r"""Annotated copies of judged derivations: a LaTeX document (compiles with pdflatex: amsmath, amssymb,
xcolor) and a self-contained HTML page whose mathematics KaTeX renders without a network.

KaTeX comes from its npm package: the directory named by ``VERIFY_KATEX_DIR`` (the package's ``dist``),
else ``~/.cache/verify/katex/node_modules/katex/dist``, installed there with ``npm install katex`` when npm is
available. Its script, stylesheet and fonts (woff2, as data URIs) are inlined; no CDN is named. Without
KaTeX the page shows the TeX source of each line instead (and says so).
"""

from __future__ import annotations

import base64
import html
import os
import re
import shutil
import subprocess

from ..answers.language import AnswerError
from .render import short_counterexample
from .tex import REL_TEX, escape_text, line_tex

__all__ = ["write_latex", "write_html", "latex_document", "html_document", "katex_dist", "step_tex"]

_MARK_TEX = {"proved": r"\textcolor{green!50!black}{$\checkmark$ proved}",
             "consistent": r"\textcolor{green!50!black}{$\checkmark$ consistent}",
             "refuted": r"\textcolor{red!75!black}{$\times$ \textbf{refuted}}",
             "undecided": r"\textcolor{orange!80!black}{? undecided}",
             "invalid": r"\textcolor{red!75!black}{! invalid}", None: ""}


def step_tex(der, step):
    """TeX of a step (without its relation), or None when it cannot be typeset as mathematics."""
    if step.error:
        return None
    if der.source.get("form") == "latex":
        return step.source.replace("&", " ")
    try:
        return line_tex(der.context, step.text)
    except (AnswerError, RecursionError, ValueError):
        return None


def _clip(s, n):
    s = " ".join(str(s).split())
    return s if len(s) <= n else s[:n - 3] + "..."


def latex_document(ders, results) -> str:
    out = [r"\documentclass[10pt]{article}", r"\usepackage{amsmath,amssymb}", r"\usepackage[dvipsnames]{xcolor}",
           r"\setlength{\parindent}{0pt}", r"\begin{document}", r"\section*{Checked derivations}"]
    for der, res in zip(ders, results):
        title = escape_text(res.id) + (": " + escape_text(res.title) if res.title else "")
        out.append(r"\subsection*{" + title + "}")
        if res.error:
            out.append(r"\textcolor{red!75!black}{invalid block: " + escape_text(_clip(res.error, 200)) + r"}\par")
        out.append(r"\begin{align*}")
        for st, sr in zip(der.steps, res.steps):
            tex = step_tex(der, st)
            body = tex if tex is not None else r"\text{\texttt{" + escape_text(_clip(st.text, 80)) + "}}"
            rel = REL_TEX.get(st.relation, "") if st.index else ""
            mark = _MARK_TEX.get(sr.verdict, "")
            out.append(f"  & {rel} {body} && \\text{{\\small [{st.index}] {mark}}} \\\\")
            if sr.verdict == "refuted" and sr.counterexample:
                out.append(r"  & && \text{\scriptsize\textcolor{red!75!black}{at " +
                           escape_text(short_counterexample(sr.counterexample, 90)) + r"}} \\")
        out.append(r"\end{align*}")
        if res.first_wrong_step is not None:
            bad = res.steps[res.first_wrong_step]
            out.append(r"\textbf{First wrong step: " + str(res.first_wrong_step) + r".} " +
                       escape_text(_clip(bad.evidence, 300)) + r"\par")
        c = res.conclusion
        if c.get("relation"):
            holds = {True: "holds on its own", False: "does not hold", None: f"is {c.get('verdict')}"}[c.get("holds")]
            out.append(r"\textbf{Conclusion} (line 0 " + escape_text(c["relation"]) + f" line {len(res.steps) - 1}) "
                       + escape_text(holds) + r".\par")
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"


def write_latex(path, ders, results) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(latex_document(ders, results))


# ---------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------

def katex_dist(*, install: bool = True):
    """The directory of KaTeX's ``dist`` files, or None."""
    env = os.environ.get("VERIFY_KATEX_DIR")
    candidates = [env] if env else []
    cache = os.path.join(os.path.expanduser("~"), ".cache", "verify", "katex")
    candidates.append(os.path.join(cache, "node_modules", "katex", "dist"))
    for c in candidates:
        if c and os.path.isfile(os.path.join(c, "katex.min.js")):
            return c
    if install and not env and shutil.which("npm"):
        os.makedirs(cache, exist_ok=True)
        try:
            subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", cache, "katex"],
                           capture_output=True, timeout=300, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        return katex_dist(install=False)
    return None


def _inline_css(dist):
    with open(os.path.join(dist, "katex.min.css"), encoding="utf-8") as fh:
        css = fh.read()

    def font(m):
        name = m.group(1)
        path = os.path.join(dist, "fonts", name)
        if not os.path.isfile(path):
            return "url()"
        with open(path, "rb") as fb:
            data = base64.b64encode(fb.read()).decode("ascii")
        return f"url(data:font/woff2;base64,{data})"

    css = re.sub(r",\s*url\(fonts/[^)]+\.(?:woff|ttf)\)\s*format\(\"(?:woff|truetype)\"\)", "", css)
    return re.sub(r"url\(fonts/([^)]+\.woff2)\)", font, css)


_PAGE_CSS = """
body { font-family: sans-serif; margin: 2em; }
table.derivation { border-collapse: collapse; margin-bottom: 1em; }
table.derivation td { padding: 4px 10px; border-bottom: 1px solid #ddd; vertical-align: middle; }
tr.refuted { background: #fde2e2; } tr.refuted td.verdict { color: #a00; font-weight: bold; }
tr.proved td.verdict, tr.consistent td.verdict { color: #070; }
tr.undecided td.verdict { color: #b60; } tr.invalid td.verdict { color: #a00; }
td.note { font-size: 85%; color: #444; max-width: 40em; }
"""


def html_document(ders, results, *, dist=None) -> str:
    dist = dist if dist is not None else katex_dist()
    head = ['<!DOCTYPE html>', '<html><head><meta charset="utf-8"><title>verify steps</title>',
            f"<style>{_PAGE_CSS}</style>"]
    if dist:
        head.append(f"<style>{_inline_css(dist)}</style>")
        with open(os.path.join(dist, "katex.min.js"), encoding="utf-8") as fh:
            head.append("<script>" + fh.read().replace("</script", "<\\/script") + "</script>")
    head.append("</head><body><h1>Checked derivations</h1>")
    if not dist:
        head.append("<p><em>KaTeX was not found (npm install katex, or set VERIFY_KATEX_DIR): the TeX source of "
                    "each line is shown.</em></p>")
    body = []
    for der, res in zip(ders, results):
        body.append(f'<h2 id="{html.escape(res.id)}">{html.escape(res.id)}'
                    + (f": {html.escape(res.title)}" if res.title else "") + "</h2>")
        if res.error:
            body.append(f'<p class="invalid-block">invalid block: {html.escape(res.error)}</p>')
        body.append('<table class="derivation">')
        for st, sr in zip(der.steps, res.steps):
            tex = step_tex(der, st)
            rel = REL_TEX.get(st.relation, "") if st.index else ""
            if tex is not None:
                full = (rel + " " + tex).strip()
                cell = f'<td class="formula" data-tex="{html.escape(full)}"><code>{html.escape(full)}</code></td>'
            else:
                cell = f'<td class="raw"><code>{html.escape(st.text)}</code></td>'
            note = ""
            if sr.verdict in ("refuted", "undecided", "invalid"):
                note = html.escape(_clip(sr.evidence, 300))
                if sr.counterexample:
                    note += "<br>at " + html.escape(short_counterexample(sr.counterexample, 200))
            cls = sr.verdict or "first"
            body.append(f'<tr class="step {cls}" data-index="{st.index}"><td class="idx">{st.index}</td>{cell}'
                        f'<td class="verdict">{html.escape(sr.verdict or "")}</td><td class="note">{note}</td></tr>')
        body.append("</table>")
        if res.first_wrong_step is not None:
            body.append(f'<p class="first-wrong">First wrong step: <b>{res.first_wrong_step}</b></p>')
        c = res.conclusion
        if c.get("relation"):
            holds = {True: "holds on its own", False: "does not hold", None: f"is {c.get('verdict')}"}[c.get("holds")]
            body.append(f'<p class="conclusion">Conclusion (line 0 {html.escape(c["relation"])} line '
                        f'{len(res.steps) - 1}) {html.escape(holds)}.</p>')
    script = """<script>
document.querySelectorAll('td.formula').forEach(function (el) {
  if (typeof katex === 'undefined') { return; }
  try { katex.render(el.dataset.tex, el, {throwOnError: true, displayMode: false}); el.classList.add('rendered'); }
  catch (e) { el.classList.add('render-error'); el.setAttribute('title', String(e)); }
});
document.body.setAttribute('data-rendered', document.querySelectorAll('td.formula.rendered').length);
</script>"""
    return "\n".join(head + body + [script, "</body></html>"]) + "\n"


def write_html(path, ders, results) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(html_document(ders, results))
