r"""Symbols of ``verify diff``: domains in the judge's grammar, shapes with size labels, random instances.

Domains (as in the judge's rewritten :mod:`verify.answers.domains`): ``real``, ``positive``;
``vector [n]``, ``positive vector [n]``, ``probability vector [n]``; ``matrix m x n`` and the
square flavours ``invertible``, ``symmetric``, ``positive definite``, ``diagonal``, ``orthogonal``,
``identity`` (``matrix n x n``). A vector is a column ``n x 1``. A shape is a pair of *dimensions*;
a dimension is a sorted tuple of size labels (``()`` is 1, ``("m", "n")`` is m*n, from a Kronecker
product).

>>> parse_symbols('X = "invertible matrix n x n", a = "vector n"')["X"]
DiffDomain(kind='matrix', flavour='invertible', rows='n', cols='n')
>>> shape_of(parse_symbols('a = "vector n"')["a"])
(('n',), ())
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..errors import ValidationError

__all__ = ["DiffDomain", "parse_domain", "parse_symbols", "shape_of", "draw_instance", "DOMAIN_HELP", "SCALAR"]

DOMAIN_HELP = ("real, positive, vector [n], positive vector [n], probability vector [n], matrix m x n, "
               "invertible|symmetric|positive definite|diagonal|orthogonal|identity matrix n x n")
SCALAR = ((), ())
_SQUARE = ("invertible", "symmetric", "positive definite", "diagonal", "orthogonal", "identity")
_FLAVOURS = _SQUARE + ("positive",)


@dataclass(frozen=True)
class DiffDomain:
    kind: str  #: real | vector | matrix
    flavour: str = ""
    rows: str = ""
    cols: str = ""

    def text(self) -> str:
        fl = f"{self.flavour} " if self.flavour else ""
        if self.kind == "real":
            return self.flavour or "real"
        if self.kind == "vector":
            return f"{fl}vector {self.rows}"
        return f"{fl}matrix {self.rows} x {self.cols}"


def parse_domain(text: str, *, name: str = "?") -> DiffDomain:
    t = " ".join(str(text).lower().split())
    if t in ("real", "positive"):
        return DiffDomain("real", "" if t == "real" else "positive")
    m = re.fullmatch(r"(positive |probability )?vector(?: ([a-z_]\w*|\d+))?", t)
    if m:
        return DiffDomain("vector", (m.group(1) or "").strip(), m.group(2) or "n", "")
    m = re.fullmatch(r"((?:" + "|".join(_FLAVOURS) + r") )?matrix ([a-z_]\w*|\d+) x ([a-z_]\w*|\d+)", t)
    if m:
        fl, rows, cols = (m.group(1) or "").strip(), m.group(2), m.group(3)
        if fl in _SQUARE and rows != cols:
            raise ValidationError(f"symbols.{name} = {text!r}: a {fl} matrix is square; write {fl} matrix "
                                  f"{rows} x {rows}")
        return DiffDomain("matrix", fl, rows, cols)
    raise ValidationError(f"symbols.{name} = {text!r}: unknown domain; use one of: {DOMAIN_HELP}")


def parse_symbols(spec) -> dict:
    """``'X = "invertible matrix n x n", a = "vector n"'`` (or a dict name -> domain text) -> domains."""
    if spec is None:
        return {}
    if isinstance(spec, dict):
        items = list(spec.items())
    elif isinstance(spec, str):
        items = re.findall(r"\s*([A-Za-z_]\w*)\s*=\s*[\"']([^\"']*)[\"']\s*(?:,|$)", spec)
        rebuilt = ", ".join(f'{k} = "{v}"' for k, v in items)
        if re.sub(r"\s", "", rebuilt).replace("'", '"') != re.sub(r"\s", "", spec.strip().rstrip(",")).replace("'", '"'):
            raise ValidationError(f"symbols={spec!r}: write name = \"domain\" pairs separated by commas, e.g. "
                                  "'X = \"invertible matrix n x n\", a = \"vector n\"'")
    else:
        raise ValidationError(f"symbols must be a string or a dict, got {type(spec).__name__}")
    out = {}
    for name, text in items:
        if not re.fullmatch(r"[A-Za-z_]\w*", str(name)) or name in ("E", "O", "pi"):
            raise ValidationError(f"symbols: {name!r} is not a usable symbol name")
        out[str(name)] = parse_domain(text, name=name)
    return out


def _dim(label: str) -> tuple:
    return () if label in ("", "1") else (label,)


def shape_of(d: DiffDomain) -> tuple:
    if d.kind == "real":
        return SCALAR
    if d.kind == "vector":
        return (_dim(d.rows), ())
    return (_dim(d.rows), _dim(d.cols))


def labels_of(domains: dict) -> list:
    out = []
    for d in domains.values():
        for lab in (d.rows, d.cols):
            if lab and lab != "1" and lab not in out:
                out.append(lab)
    return out


def _draw(rng, d: DiffDomain, sizes: dict):
    if d.kind == "real":
        return float(rng.uniform(0.5, 2.0)) if d.flavour == "positive" else float(rng.choice([-1, 1]) * rng.uniform(0.3, 2.0))
    if d.kind == "vector":
        n = sizes.get(d.rows, 1)
        if d.flavour == "positive":
            return rng.uniform(0.5, 2.0, size=(n, 1))
        if d.flavour == "probability":
            return rng.dirichlet(np.full(n, 2.0)).reshape(n, 1)
        return rng.normal(size=(n, 1))
    m, n = sizes.get(d.rows, 1), sizes.get(d.cols, 1)
    fl = d.flavour
    if fl == "identity":
        return np.eye(n)
    if fl == "diagonal":
        return np.diag(rng.uniform(0.5, 2.0, size=n) * rng.choice([-1, 1], size=n))
    if fl == "orthogonal":
        q, r = np.linalg.qr(rng.normal(size=(n, n)))
        return q * np.sign(np.diag(r))
    if fl == "symmetric":
        a = rng.normal(size=(n, n))
        return (a + a.T) / 2 + n * np.eye(n) * rng.choice([-1, 1])
    if fl == "positive definite":
        a = rng.normal(size=(n, n))
        return a @ a.T / n + 0.5 * np.eye(n)
    if fl == "positive":
        return rng.uniform(0.5, 2.0, size=(m, n))
    for _ in range(100):
        a = rng.normal(size=(m, n))
        if fl != "invertible" or np.linalg.cond(a) < 30.0:
            return a
    return a + 3 * np.eye(n)


def draw_instance(domains: dict, rng, sizes: dict) -> dict:
    """One random instance: ``{name: float | (r, c) array}``; ``sizes``: label -> int."""
    return {name: _draw(rng, d, sizes) for name, d in domains.items()}
