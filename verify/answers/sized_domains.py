r"""Domains with sizes and limits, for derivations (vectors are columns, ``n x 1``, as in the judge) (an extension of :mod:`verify.answers.domains`).

Adds ``"vector K"`` / ``"probability vector K"`` / ``"positive vector 3"`` (the length a declared integer
symbol, a number or a shared label), ``"matrix m x n"``, ``"stochastic matrix K x K"`` (rows are probability
vectors), ``"symmetric matrix n x n"``, ``"positive definite matrix n x n"``, ``"real in [a, b]"`` and the
asymptotic variables ``"real -> 0"``, ``"positive -> 0"``, ``"real -> oo"``; everything else is
:func:`verify.answers.domains.parse_domain`.

>>> d = parse_sized("probability vector K")
>>> d.kind, d.flavour, d.sizes
('vector', 'probability', ('K',))
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from ..errors import ValidationError
from .domains import DOMAIN_HELP, Domain, parse_domain, sympy_symbol

__all__ = ["SizedDomain", "parse_sized", "sized_instances", "SIZED_HELP", "sympy_symbol_sized"]

SIZED_HELP = (DOMAIN_HELP + ", vector K, probability vector K, positive vector K, matrix m x n, stochastic matrix "
              "K x K, symmetric matrix n x n, positive definite matrix n x n, real in [a, b], real -> 0, "
              "positive -> 0, real -> oo")
DEFAULT_VECTOR = "_n"  #: the shared size label of vectors declared without a size (1..5)


@dataclass(frozen=True)
class SizedDomain:
    kind: str  #: real | integer | vector | matrix | random
    lo: object = None
    hi: object = None
    flavour: str = ""
    sizes: tuple = ()  #: size labels (ints, integer symbol names or free labels)
    limit: str = ""  #: "0" or "oo" for an asymptotic variable
    lo_open: bool = False
    hi_open: bool = False

    @property
    def scalar(self) -> bool:
        return self.kind in ("real", "integer")

    @property
    def base(self) -> Domain:
        return Domain(self.kind, self.lo, self.hi, self.flavour)


def _size(text):
    return int(text) if re.fullmatch(r"\d+", text) else text


def _int_bound(text):
    """An int, a symbol name, or ``"name - 1"`` (a symbol plus or minus a constant)."""
    text = " ".join(text.split())
    return int(text) if re.fullmatch(r"-?\d+", text) else text


def _bound_name(b):
    return re.match(r"\w+", b).group() if isinstance(b, str) else None


def parse_sized(text: str, *, name: str = "?") -> SizedDomain:
    t = " ".join(str(text).lower().split()) if not re.search(r"[A-Z]", str(text)) else " ".join(str(text).split())
    low = t.lower()
    m = re.fullmatch(r"(real|positive)\s*->\s*(0|oo|inf)", low)
    if m:
        pos = m.group(1) == "positive"
        return SizedDomain("real", 0.0 if pos else -1.0, 1.0, "positive" if pos else "", (), "0" if m.group(2) == "0" else "oo")
    m = re.fullmatch(r"real in \[\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*\]", low)
    if m:
        return SizedDomain("real", float(m.group(1)), float(m.group(2)), "interval")
    m = re.fullmatch(r"(probability |positive |nonnegative |unit )?vector(?:\s+(\w+))?", t, flags=re.I)
    if m:
        return SizedDomain("vector", flavour=(m.group(1) or "").strip().lower(), sizes=(_size(m.group(2) or DEFAULT_VECTOR),))
    m = re.fullmatch(r"(stochastic |symmetric |positive definite |invertible |diagonal nonnegative |diagonal |identity )?"
                     r"matrix\s+(\w+)\s*x\s*(\w+)", t, flags=re.I)
    if m:
        fl = (m.group(1) or "").strip().lower()
        r, c = _size(m.group(2)), _size(m.group(3))
        if fl and fl != "stochastic" and r != c:
            raise ValidationError(f"symbols.{name} = {text!r}: a {fl} matrix is square; write {fl} matrix {r} x {r}")
        return SizedDomain("matrix", flavour=fl, sizes=(r, c))
    m = re.fullmatch(r"integer in \[\s*(-?\d+|\w+(?:\s*[-+]\s*\d+)?)\s*,\s*(-?\d+|\w+(?:\s*[-+]\s*\d+)?)\s*\]", t,
                     flags=re.I)
    if m:
        return SizedDomain("integer", _int_bound(m.group(1)), _int_bound(m.group(2)))
    m = re.fullmatch(r"integer\s*>=\s*(-?\d+|\w+)", t, flags=re.I)
    if m:
        return SizedDomain("integer", _int_bound(m.group(1)), None)
    try:
        d = parse_domain(text, name=name)
    except ValidationError:
        raise ValidationError(f"symbols.{name} = {text!r}: unknown domain; use one of: {SIZED_HELP}") from None
    if d.kind == "matrix":
        return SizedDomain("matrix", flavour=d.flavour, sizes=(d.label, d.label))
    if d.kind == "vector":
        return SizedDomain("vector", flavour=d.flavour, sizes=(DEFAULT_VECTOR,))
    return SizedDomain(d.kind, d.lo, d.hi, d.flavour, lo_open=getattr(d, "lo_open", False),
                       hi_open=getattr(d, "hi_open", False))


def _real_range(d):
    """(lo, hi, step) of the grid a real symbol is drawn from (unbounded sides stop at +-10)."""
    lo = -10.0 if d.lo is None else float(d.lo)
    hi = 10.0 if d.hi is None else float(d.hi)
    if d.flavour == "interval":
        return lo, hi, (hi - lo) / 40
    step = 0.25 if hi - lo > 2 else (hi - lo) / 40
    return lo + (step if d.lo_open else 0.0), hi - (step if d.hi_open else 0.0), step


def sympy_symbol_sized(name: str, d: SizedDomain):
    if d.limit and d.flavour == "positive":
        import sympy as sp

        return sp.Symbol(name, positive=True)
    return sympy_symbol(name, d.base)


def _resolve(bound, env):
    if not isinstance(bound, str):
        return bound
    m = re.fullmatch(r"(\w+)\s*(?:([-+])\s*(\d+))?", bound)
    v = env[m.group(1)]
    return v + (int(m.group(3)) if m.group(2) == "+" else -int(m.group(3))) if m.group(2) else v


def _matrix(draw, d: SizedDomain, r: int, c: int):
    fl = d.flavour
    if fl == "identity":
        return np.eye(r)
    if fl == "stochastic":
        return _weights(draw, r, c)
    if fl.startswith("diagonal"):
        return np.diag(np.asarray(draw(st.lists(S.grid_values(0.0 if fl.endswith("nonnegative") else -3.0, 3.0),
                                                min_size=r, max_size=r))))
    if fl == "invertible":
        return draw(S.invertible_matrices(size=r, max_condition=20.0, min_abs_det=0.5 ** r))
    B = np.asarray(draw(st.lists(S.grid_values(-2.0, 2.0), min_size=r * c, max_size=r * c))).reshape(r, c)
    if fl == "symmetric":
        return (B + B.T) / 2
    if fl == "positive definite":
        return B @ B.T + 0.5 * np.eye(r)
    return B


def _weights(draw, r, c):
    """``r`` probability rows of length ``c`` (integer weights 1..9, one draw; shrinks toward uniform)."""
    w = np.asarray(draw(st.lists(st.integers(1, 9), min_size=r * c, max_size=r * c)), dtype=float).reshape(r, c)
    return w / w.sum(axis=1, keepdims=True)


@st.composite
def _instances(draw, domains: tuple, members: tuple, int_span: int):
    env = {}
    pending = [(n, d) for n, d in domains if d.kind == "integer"]
    for _ in range(len(pending) + 1):  # integers first, in an order their bounds allow
        left = []
        for name, d in pending:
            if any(isinstance(b, str) and _bound_name(b) not in env for b in (d.lo, d.hi)):
                left.append((name, d))
                continue
            lo = _resolve(d.lo, env)
            hi = _resolve(d.hi, env) if d.hi is not None else lo + int_span
            if hi < lo:
                raise ValidationError(f"symbol {name}: empty integer range [{lo}, {hi}]")
            env[name] = draw(st.integers(lo, hi))
        pending = left
    if pending:
        raise ValidationError(f"symbols {[n for n, _ in pending]}: integer bounds name an undeclared or circular symbol")
    sizes = {}

    def size(label):
        if isinstance(label, int):
            return label
        if label in env:
            v = env[label]
            if not isinstance(v, (int, np.integer)) or v < 1:
                raise ValidationError(f"size {label} = {v}: sizes must be positive integers")
            return int(v)
        if label not in sizes:
            sizes[label] = draw(st.integers(1, 5 if label == DEFAULT_VECTOR else 3))
        return sizes[label]

    probs = None
    if any(d.kind == "random" for _, d in domains):
        probs = draw(S.finite_distributions(min_size=2, max_size=6))
    for name, d in domains:
        if d.kind == "real":
            lo, hi, step = _real_range(d)
            env[name] = float(draw(S.grid_values(lo, hi, step=step)))
        elif d.kind == "vector":
            n = size(d.sizes[0])
            if d.flavour == "probability":
                env[name] = _weights(draw, 1, n).reshape(n, 1)
            else:
                lo = {"positive": 0.25, "nonnegative": 0.0}.get(d.flavour, -5.0)
                env[name] = np.asarray(draw(st.lists(S.grid_values(lo, 5.0), min_size=n, max_size=n)), dtype=float).reshape(n, 1)
        elif d.kind == "matrix":
            env[name] = _matrix(draw, d, size(d.sizes[0]), size(d.sizes[1]))
        elif d.kind == "random":
            from .evaluate import RandomVariable

            env[name] = RandomVariable(np.asarray(draw(st.lists(S.grid_values(-5.0, 5.0), min_size=probs.size,
                                                                max_size=probs.size))))
    if members:
        env["__fns__"] = {fname: draw(st.sampled_from(names)) for fname, names in members}
    return env, probs


def sized_instances(domains: dict, *, members: dict | None = None, int_span: int = 12):
    """Hypothesis strategy of ``(env, probabilities)``: integers first, then the rest in declaration
    order; ``members``: abstract function name -> the concrete members to pick from."""
    return _instances(tuple(domains.items()), tuple((members or {}).items()), int_span)
