"""A Griffe extension for the API reference: Sphinx-style docstrings to Markdown.

The docstrings of ``verify`` are written for doctest and Sphinx (``:func:`x```,
``:math:`...```, ``>>>`` examples, ``::`` literal blocks). mkdocstrings renders docstrings as
Markdown, where ``>>>`` lines would become nested quotes; this extension rewrites them:
roles become code (or inline math), runs of ``>>>`` lines with their output become
``pycon`` code blocks, and ``.. math::`` and ``::`` blocks become display math and code.
"""

from __future__ import annotations

import re

import griffe

_ROLE = re.compile(r":(?:class|func|meth|mod|attr|data|exc|obj|py:\w+):`~?([^`]+)`")
_MATH = re.compile(r":math:`([^`]+)`")


def _role(m: re.Match) -> str:
    target = m.group(1)
    if m.group(0).split("`", 1)[1].startswith("~"):
        target = target.rsplit(".", 1)[-1]
    return f"`{target}`"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def to_markdown(text: str) -> str:
    r"""Sphinx/doctest flavoured docstring text as Markdown.

    >>> to_markdown("See :func:`~verify.api.check_order`, :math:`h^p`.\n\n>>> 1 + 1\n2").splitlines()
    ['See `check_order`, $h^p$.', '', '```pycon', '>>> 1 + 1', '2', '```']
    """
    text = _MATH.sub(lambda m: f"${m.group(1).strip()}$", _ROLE.sub(_role, text))
    lines, out, i = text.split("\n"), [], 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith(">>>"):
            block = []
            while i < len(lines) and lines[i].strip():
                block.append(lines[i].strip() if lines[i].strip().startswith((">>>", "...")) else lines[i])
                i += 1
            out += ["```pycon", *block, "```"]
            continue
        if stripped.startswith(".. math::") or (stripped.endswith("::") and not stripped.startswith("..")):
            is_math = stripped.startswith(".. math::")
            first = stripped[len(".. math::"):].strip() if is_math else ""
            if not is_math:
                head = line.rstrip()[:-1]  # "text::" -> "text:", "::" alone -> ""
                if head.strip() and head.strip() != ":":
                    out.append(head)
            base, body, i = _indent(line), ([first] if first else []), i + 1
            while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > base):
                body.append(lines[i].strip() if is_math else lines[i])
                i += 1
            while body and not body[-1].strip():
                body.pop()
            if is_math:
                out += ["", "$$", *[b for b in body if b], "$$", ""]
            else:
                cut = min((_indent(b) for b in body if b.strip()), default=0)
                out += ["", "```text", *[b[cut:] for b in body], "```", ""]
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


class SphinxToMarkdown(griffe.Extension):
    """Rewrite every docstring with :func:`to_markdown` once the object tree is built."""

    def on_object(self, *, obj, **kwargs) -> None:  # noqa: ARG002
        if obj.docstring is not None and not getattr(obj, "is_alias", False):
            obj.docstring.value = to_markdown(obj.docstring.value)
