r"""Read derivations from TOML: ``[[derivation]]`` tables with ``id``, ``title``, ``symbols``, ``functions``,
``define`` and ``steps`` (the first an expression or a statement, each later one starting with its relation).
"""

from __future__ import annotations

import re

from ..answers.language import AnswerError
from ..errors import ValidationError
from .context import Context
from .model import Derivation, FileError, Step

__all__ = ["read_toml", "loads_toml", "split_relation", "from_block"]

_REL = re.compile(r"^\s*(<=>|==>|<=|>=|=(?!=)|<|>)\s*")
_KEYS = {"id", "title", "symbols", "functions", "define", "steps", "source", "planted", "note"}


def split_relation(line: str):
    """``(relation, rest)``; relation None when the line does not start with one."""
    m = _REL.match(line)
    if not m:
        return None, line.strip()
    return m.group(1), line[m.end():].strip()


_INDEXED = re.compile(r"([A-Za-z_]\w*)\s*\[")
_BINDER = re.compile(r",\s*\(\s*([A-Za-z_]\w*)\s*,")


def _free_indices(ctx, lines):
    """Undeclared names used alone as an index (``p[i] - y[i]``, ``diff(..., z[i])``) in lines that do not bind
    them: name -> [(array, position)]."""
    from .latex_form import _split_commas

    known = set(ctx.domains) | set(ctx.defines) | set(ctx.params) | set(ctx.functions) | {"E", "Var", "Cov"}
    free = {}
    for line in lines:
        bound = set(_BINDER.findall(line)) | set(re.findall(r"\[\s*[^\[\]]*,\s*\(\s*([A-Za-z_]\w*)\s*,", line))
        for m in _INDEXED.finditer(line):
            name = m.group(1)
            if name in ("E", "Var", "Cov") or name in ctx.seqdefs:
                continue
            depth, j = 0, m.end() - 1
            for j in range(m.end() - 1, len(line)):
                depth += line[j] == "["
                depth -= line[j] == "]"
                if depth == 0:
                    break
            for pos, part in enumerate(_split_commas(line[m.end():j])):
                ident = part.strip()
                if re.fullmatch(r"[A-Za-z_]\w*", ident) and ident not in known and ident not in bound:
                    free.setdefault(ident, []).append((name, pos))
    return free


def parse_steps(ctx, lines, positions, sources=None):
    if ctx is not None:
        from ..answers.sized_domains import parse_sized
        from .latex_form import free_index_domains

        texts = [split_relation(ln)[1] if i else ln for i, ln in enumerate(lines)]
        for name, dom in free_index_domains(ctx, _free_indices(ctx, texts), 0).items():
            ctx.domains[name] = parse_sized(dom, name=name)
    steps = []
    for i, line in enumerate(lines):
        rel, rest = split_relation(line) if i else (None, line.strip())
        st = Step(i, rel, rest, position=positions[i], source=(sources[i] if sources else line))
        if i and rel is None:
            st.error = "a later line must start with its relation: =, <=, <, >=, > or ==>"
        elif ctx is not None:
            try:
                st.node = ctx.parse_line(rest)
            except AnswerError as exc:
                st.error = str(exc)
            except (RecursionError, MemoryError) as exc:
                st.error = f"too large or too deeply nested ({type(exc).__name__})"
        steps.append(st)
    return steps


def loads_toml(text: str, *, name: str = "<string>") -> list:
    try:
        import tomllib
    except ImportError:  # pragma: no cover
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except Exception as exc:  # noqa: BLE001 (tomllib's own error type)
        raise FileError(f"{name}: not valid TOML ({exc})") from None
    blocks = data.get("derivation")
    if not isinstance(blocks, list) or not blocks:
        raise FileError(f"{name}: no [[derivation]] tables")
    return [from_block(block, f"[[derivation]] #{k + 1}", default_id=f"derivation-{k + 1}")
            for k, block in enumerate(blocks)]


def from_block(block: dict, position: str, *, default_id: str = "derivation") -> Derivation:
    """One derivation from its table (``id``, ``symbols``, ``functions``, ``define``, ``steps``, ...)."""
    did = str(block.get("id", default_id))
    der = Derivation(did, str(block.get("title", "")), position=position)
    unknown = set(block) - _KEYS
    steps = block.get("steps")
    try:
        if unknown:
            raise ValidationError(f"unknown keys {sorted(unknown)} (known: {', '.join(sorted(_KEYS))})")
        if not isinstance(steps, list) or not steps or not all(isinstance(s, str) for s in steps):
            raise ValidationError("steps must be a non-empty list of strings")
        der.context = Context.build(block.get("symbols", {}), block.get("functions", {}), block.get("define", {}))
    except (ValidationError, AnswerError) as exc:
        der.error = f"{did}: {exc}"
    if isinstance(steps, list):
        lines = [str(s) for s in steps]
        der.steps = parse_steps(der.context, lines, [f"steps[{i}]" for i in range(len(lines))])
        if der.context is None:
            for st in der.steps:
                st.error = st.error or "the block's declarations are invalid"
    der.source = {"form": "toml", "planted": block.get("planted")}
    return der


def read_toml(path) -> list:
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise FileError(f"{path}: cannot be read ({exc})") from None
    return loads_toml(text, name=str(path))
