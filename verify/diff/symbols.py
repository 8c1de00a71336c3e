r"""Symbols of ``verify diff``: domains in the judge's grammar, shapes with size labels, random instances.

Domains (as in the judge, :mod:`verify.answers.domains`): scalars ``real``, ``positive``, ``negative``,
``nonnegative``, ``probability``, ``discount``, ``real in [a, b]`` (also open ends), ``integer``,
``positive integer``, ``integer >= a``, ``integer in [a, b]`` (integers are parameters: nothing is
differentiated with respect to them); ``vector [n]`` and its ``positive``, ``nonnegative``, ``probability``,
``one-hot`` forms; ``matrix m x n``, ``row-stochastic matrix m x n``, ``full column rank matrix m x n``, ``positive
matrix m x n`` and the square flavours ``invertible``, ``symmetric``, ``positive definite``, ``diagonal``,
``diagonal nonnegative``, ``orthogonal``, ``identity`` (``matrix n x n``). Derivatives are unconstrained:
entries of a structured matrix are independent variables, evaluated at a structured point. A vector is a column ``n x 1``. A shape is a pair of *dimensions*;
a dimension is a sorted tuple of size labels (``()`` is 1, ``("m", "n")`` is m*n, from a Kronecker
product).

>>> parse_symbols('X = "invertible matrix n x n", a = "vector n"')["X"]
DiffDomain(kind='matrix', flavour='invertible', rows='n', cols='n')
>>> shape_of(parse_symbols('a = "vector n"')["a"])
(('n',), ())
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..errors import ValidationError

__all__ = ["DiffDomain", "parse_domain", "parse_symbols", "shape_of", "draw_instance", "DOMAIN_HELP", "SCALAR"]

DOMAIN_HELP = ("real, positive, negative, nonnegative, probability, discount, real in [a, b], integer, "
               "positive integer, integer in [a, b], vector [n], positive|nonnegative|probability|one-hot vector [n], "
               "matrix m x n, positive|row-stochastic|full column rank matrix m x n, "
               "invertible|symmetric|positive definite|diagonal|diagonal nonnegative|orthogonal|identity matrix n x n")
SCALAR = ((), ())
_SQUARE = ("invertible", "symmetric", "positive definite", "diagonal nonnegative", "diagonal", "orthogonal", "identity")
_FLAVOURS = _SQUARE + ("positive", "row-stochastic", "full column rank")
_SCALAR_RANGES = {"real": (None, None), "positive": (0.0, None), "negative": (None, 0.0), "nonnegative": (0.0, None),
                  "probability": (0.0, 1.0), "discount": (0.0, 1.0)}
_NUM = r"-?\d+(?:\.\d*)?(?:/\d+)?"


@dataclass(frozen=True)
class DiffDomain:
    kind: str  #: real | vector | matrix
    flavour: str = ""
    rows: str = ""
    cols: str = ""
    spec: str = field(default="", repr=False)  #: a scalar's domain as written (real in [a, b], integer in [1, 5])

    def text(self) -> str:
        fl = f"{self.flavour} " if self.flavour else ""
        if self.kind == "real":
            return self.spec or self.flavour or "real"
        if self.kind == "vector":
            return f"{fl}vector {self.rows}"
        return f"{fl}matrix {self.rows} x {self.cols}"


def _interval(t):
    m = re.fullmatch(r"real in ([\[(])\s*(" + _NUM + r")\s*,\s*(" + _NUM + r")\s*([\])])", t)
    if not m:
        return None
    from fractions import Fraction

    lo, hi = float(Fraction(m.group(2))), float(Fraction(m.group(3)))
    return lo, hi, m.group(1) == "(", m.group(4) == ")"


def parse_domain(text: str, *, name: str = "?") -> DiffDomain:
    t = " ".join(str(text).lower().split())
    if t in _SCALAR_RANGES:
        return DiffDomain("real", "" if t == "real" else t)
    iv = _interval(t)
    if iv is not None:
        lo, hi, lo_open, hi_open = iv
        if not (lo < hi):
            raise ValidationError(f"symbols.{name} = {text!r}: the interval is empty or a single point; give "
                                  "[a, b] with a < b")
        return DiffDomain("real", "interval", spec=t)
    if re.fullmatch(r"(?:positive )?integer|integer (?:>= ?" + _NUM + r"|in \[\s*-?\d+\s*,\s*-?\d+\s*\])", t):
        return DiffDomain("real", "integer", spec=t)
    m = re.fullmatch(r"(positive |nonnegative |probability |one-hot )?vector(?: ([a-z_]\w*|\d+))?", t)
    if m:
        return DiffDomain("vector", (m.group(1) or "").strip(), m.group(2) or "n", "")
    m = re.fullmatch(r"((?:" + "|".join(_FLAVOURS) + r") )?matrix ([a-z_]\w*|\d+) x ([a-z_]\w*|\d+)", t)
    if m:
        fl, rows, cols = (m.group(1) or "").strip(), m.group(2), m.group(3)
        if fl in _SQUARE and rows != cols:
            raise ValidationError(f"symbols.{name} = {text!r}: a {fl} matrix is square; write {fl} matrix "
                                  f"{rows} x {rows}")
        if fl == "full column rank" and rows.isdigit() and cols.isdigit() and int(rows) < int(cols):
            raise ValidationError(f"symbols.{name} = {text!r}: a full column rank matrix needs at least as many "
                                  "rows as columns")
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


def _draw_scalar(rng, d: DiffDomain):
    fl = d.flavour
    if fl == "interval":
        lo, hi, _, _ = _interval(d.spec)
        return float(lo + (hi - lo) * rng.uniform(0.05, 0.95))  # interior: derivatives are two-sided
    if fl == "integer":
        t = d.spec
        m = re.fullmatch(r"integer in \[\s*(-?\d+)\s*,\s*(-?\d+)\s*\]", t)
        if m:
            return float(rng.integers(int(m.group(1)), int(m.group(2)) + 1))
        m = re.fullmatch(r"integer >= ?(" + _NUM + ")", t)
        lo = int(np.ceil(float(eval_fraction(m.group(1))))) if m else (1 if t.startswith("positive") else -5)
        return float(rng.integers(lo, lo + 6))
    if fl in ("positive", "nonnegative"):
        return float(rng.uniform(0.5, 2.0))
    if fl == "negative":
        return -float(rng.uniform(0.5, 2.0))
    if fl in ("probability", "discount"):
        return float(rng.uniform(0.1, 0.9))
    return float(rng.choice([-1, 1]) * rng.uniform(0.3, 2.0))


def eval_fraction(text: str) -> float:
    from fractions import Fraction

    return float(Fraction(text))


class NotDrawable(ValueError):
    """The sizes drawn for the labels admit no instance of a domain (full column rank with rows < columns)."""


def _draw(rng, d: DiffDomain, sizes: dict):
    if d.kind == "real":
        return _draw_scalar(rng, d)
    if d.kind == "vector":
        n = sizes.get(d.rows, 1)
        if d.flavour in ("positive", "nonnegative"):
            return rng.uniform(0.5, 2.0, size=(n, 1))
        if d.flavour == "probability":
            return rng.dirichlet(np.full(n, 2.0)).reshape(n, 1)
        if d.flavour == "one-hot":
            return np.eye(n)[:, [int(rng.integers(n))]]
        return rng.normal(size=(n, 1))
    m, n = sizes.get(d.rows, 1), sizes.get(d.cols, 1)
    fl = d.flavour
    if fl == "identity":
        return np.eye(n)
    if fl == "diagonal":
        return np.diag(rng.uniform(0.5, 2.0, size=n) * rng.choice([-1, 1], size=n))
    if fl == "diagonal nonnegative":
        return np.diag(rng.uniform(0.5, 2.0, size=n))
    if fl == "row-stochastic":
        return rng.dirichlet(np.full(n, 2.0), size=m)
    if fl == "full column rank":
        if m < n:
            raise NotDrawable(f"a full column rank matrix {m} x {n} does not exist")
        for _ in range(100):
            a = rng.normal(size=(m, n))
            if np.linalg.cond(a) < 30.0:
                return a
        return np.vstack([np.eye(n), rng.normal(size=(m - n, n))])
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
