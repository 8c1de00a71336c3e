"""MkDocs hooks (``hooks:`` in mkdocs.yml): pages generated at build time, so they never go stale.

* ``answers.md``: the README's "Checking answers" section (the README stays the one source);
* ``diff.md``, ``grade.md``: the README's sections "Matrix calculus" and "Grading a class";
* ``catalogue.md``: every claim of :func:`verify.default_registry`, errata first;
* ``calibration.md``: the results written by ``benchmarks/calibrate.py`` into
  ``docs/calibration/`` are linked where the page says ``<!-- calibration-results -->``
  (and the page says they are not there yet when they are not).
"""

from __future__ import annotations

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

TOPICS = {
    "implicit": "Implicit parameterization (seed 001)",
    "sgd": "SGD second moments (seed 001)",
    "cov": "Change of variables, flows, ELBO",
    "estimators": "Gradient estimators",
    "networks": "Networks: vanishing gradients, attention",
    "td": "TD learning with a two-layer network",
    "bellman": "Bellman operators",
    "rollout": "Rollout",
    "dynamics": "Training dynamics",
}


def readme_section(title: str) -> str:
    """The README's section whose ``## `` heading starts with ``title``, headings lifted one level."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(rf"^## {re.escape(title)}.*?(?=^## |\Z)", text, flags=re.M | re.S)
    if not m:
        raise RuntimeError(f"README.md has no section '## {title}...'")
    body, lines, fenced = m.group(0), [], False
    for line in body.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("##"):
            line = line[1:]
        lines.append(line)
    return re.sub(r"\]\(docs/", "](", "\n".join(lines)) + "\n"


def readme_page(title: str) -> str:
    return readme_section(title) + f"\n*This page is the README's section \"{title}\", copied when the site is built.*\n"


def answers_page() -> str:
    return (readme_section("Checking answers")
            + "\n*This page is the README's section \"Checking answers\", copied when the site is built.*\n")


def _md_escape(text: str) -> str:
    """Plain text for Markdown outside math: keep ``$...$``, escape ``*``, ``_``, ``|`` and ``<`` elsewhere."""
    parts = re.split(r"(\$[^$]+\$)", text)
    return "".join(p if p.startswith("$") and p.endswith("$") and len(p) > 1
                   else p.replace("\\", "\\\\").replace("*", r"\*").replace("_", r"\_")
                   .replace("|", r"\|").replace("<", "&lt;")
                   for p in parts)


def catalogue_page(registry=None) -> str:
    """The catalogue: a summary, the errata (claims as written that are false), then every claim."""
    if registry is None:
        from verify import default_registry

        registry = default_registry()
    claims = list(registry)
    errata = [c for c in claims if c.expected == "refuted"]
    out = ["# The catalogue", "",
           f"{len(claims)} claims, {len(errata)} of them errata, {sum(len(c.mutants) for c in claims)} "
           "mutants. Each claim is data (`verify/catalogue/`): a statement, its assumptions, a derivation "
           "of justified steps, a candidate formula, checks against oracles that never evaluate the "
           "candidate, and mutants the same checks must refute. `verify list` prints this list, "
           "`verify run --mutants` checks it, `verify latex` writes it up with the evidence.", "",
           "*Generated from the registry when the site is built (`docs/hooks.py`).*", "",
           "## Errata", "",
           "A claim as written in its source that is false (`expected = \"refuted\"`): the checks must "
           "refute it, and it names the corrected claim.", ""]
    for c in errata:
        out.append(f"- **[`{c.id}`](#{_anchor(c.id)})** ({_md_escape(c.source)}): {_md_escape(c.title)}. "
                   f"Corrected by [`{c.corrected_by}`](#{_anchor(c.corrected_by)}).")
    out += ["", "## Claims by topic", ""]
    seen = []
    for c in claims:
        topic = c.id.split(".", 1)[0]
        if topic not in seen:
            seen.append(topic)
    for topic in seen:
        out += [f"### {TOPICS.get(topic, topic)}", "", "| claim | checks | expected | title |", "|---|---|---|---|"]
        for c in (c for c in claims if c.id.split(".", 1)[0] == topic):
            out.append(f"| [`{c.id}`](#{_anchor(c.id)}) | {c.kind} | {c.expected} | {_md_escape(c.title)} |")
        out.append("")
    out += ["## Every claim", ""]
    for c in claims:
        out += [f"### `{c.id}` {{#{_anchor(c.id)}}}", "", f"**{_md_escape(c.title)}** — {_md_escape(c.source)}", "",
                _md_escape(c.statement), ""]
        if c.assumptions:
            out.append("Assumptions: " + "; ".join(_md_escape(a) for a in c.assumptions) + ".")
            out.append("")
        try:
            derivation = c.derivation.to_latex()
        except Exception:  # noqa: BLE001 (a derivation that cannot render leaves the rest of the page)
            derivation = None
        if derivation:
            out += ["Derivation:", "", "$$", derivation, "$$", ""]
        out.append(f"Checks: {c.kind}; expected: **{c.expected}**"
                   + (f"; corrected by [`{c.corrected_by}`](#{_anchor(c.corrected_by)})" if c.corrected_by else "")
                   + ".")
        out.append("")
        if c.mutants:
            out.append("Mutants (each must be refuted):")
            out.append("")
            out += [f"- `{m.name}`: {_md_escape(m.description)}" for m in c.mutants]
            out.append("")
        if c.notes:
            out += [_md_escape(c.notes), ""]
    return "\n".join(out) + "\n"


def _anchor(claim_id: str) -> str:
    return re.sub(r"[^a-z0-9-]", "-", claim_id.lower())


def calibration_results() -> str:
    """Links to the calibration results in docs/calibration/, or a note that there are none yet."""
    pages = sorted((DOCS / "calibration").glob("*.md")) if (DOCS / "calibration").is_dir() else []
    order = {"quick": 0, "thorough": 1}
    pages.sort(key=lambda p: (order.get(p.stem, 2), p.stem))
    if not pages:
        return ("*No calibration results in `docs/calibration/` yet: run the commands above; the pages "
                "they write are linked here when the site is built.*")
    lines = ["Results (written by `benchmarks/calibrate.py`):", ""]
    for p in pages:
        data = p.with_suffix(".json")
        extra = f" ([JSON](calibration/{data.name}))" if data.exists() else ""
        lines.append(f"- [{p.stem} profile](calibration/{p.name}){extra}")
    return "\n".join(lines)


def on_files(files, config, **kwargs):
    from mkdocs.structure.files import File

    pages = (("answers.md", answers_page()), ("catalogue.md", catalogue_page()),
             ("diff.md", readme_page("Matrix calculus")), ("grade.md", readme_page("Grading a class")))
    for name, content in pages:
        existing = files.get_file_from_path(name)
        if existing is not None:
            files.remove(existing)
        files.append(File.generated(config, name, content=content))
    return files


def on_page_markdown(markdown, page, config, files, **kwargs):
    if page.file.src_uri == "calibration.md":
        return markdown.replace("<!-- calibration-results -->", calibration_results())
    return markdown
