r"""Symbol domains: what a symbol may stand for, how instances are drawn, what SymPy may assume.

A question declares ``symbols = {name: domain}`` with domains such as ``"real"``, ``"positive"``,
``"nonnegative"``, ``"probability"``, ``"discount"``, ``"integer"``, ``"positive integer"``,
``"integer >= 2"``, ``"integer in [1, n]"`` (bounds may name an earlier integer symbol),
``"vector"``, ``"probability vector"``, ``"matrix n x n"``, ``"invertible matrix n x n"``,
``"diagonal nonnegative matrix n x n"``, ``"identity matrix n x n"`` and ``"random variable"``.
All vectors share one length, all matrices with the same size label one size, and all
random variables one finite distribution (rational probabilities).

>>> d = parse_domain("integer in [1, n]")
>>> d.kind, d.lo, d.hi
('integer', 1, 'n')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from ..errors import ValidationError
from .evaluate import RandomVariable

__all__ = ["Domain", "parse_domain", "instances", "DOMAIN_HELP", "sympy_symbol"]

DOMAIN_HELP = ("real, positive, nonnegative, probability, discount, integer, positive integer, integer >= A, "
               "integer in [A, B], vector, probability vector, matrix n x n, invertible matrix n x n, "
               "diagonal nonnegative matrix n x n, identity matrix n x n, random variable")


@dataclass(frozen=True)
class Domain:
    kind: str  #: real | integer | vector | matrix | random
    lo: object = None
    hi: object = None
    flavour: str = ""  #: positive, probability, invertible, diagonal, identity, ...
    label: str = ""  #: size label of a matrix

    @property
    def scalar(self) -> bool:
        return self.kind in ("real", "integer")


_INT_BOUND = r"(-?\d+|[A-Za-z_]\w*)"


def _bound(text):
    return int(text) if re.fullmatch(r"-?\d+", text) else text


def parse_domain(text: str, *, name: str = "?") -> Domain:
    t = " ".join(str(text).lower().split())
    reals = {"real": (-10.0, 10.0, ""), "positive": (0.25, 10.0, "positive"), "nonnegative": (0.0, 10.0, "nonnegative"),
             "probability": (0.0, 1.0, "probability"), "discount": (0.0, 0.99, "discount")}
    if t in reals:
        lo, hi, fl = reals[t]
        return Domain("real", lo, hi, fl)
    if t in ("integer", "positive integer"):
        return Domain("integer", 1 if t.startswith("positive") else -10, None)
    m = re.fullmatch(r"integer\s*>=\s*" + _INT_BOUND, t)
    if m:
        return Domain("integer", _bound(m.group(1)), None)
    m = re.fullmatch(r"integer in \[\s*" + _INT_BOUND + r"\s*,\s*" + _INT_BOUND + r"\s*\]", t)
    if m:
        return Domain("integer", _bound(m.group(1)), _bound(m.group(2)))
    if t in ("vector", "probability vector", "positive vector"):
        return Domain("vector", flavour=t.replace("vector", "").strip())
    m = re.fullmatch(r"(invertible |diagonal nonnegative |identity )?matrix (\w+) x \2", t)
    if m:
        return Domain("matrix", flavour=(m.group(1) or "").strip().split(" ")[0], label=m.group(2))
    if t == "random variable":
        return Domain("random")
    raise ValidationError(f"symbols.{name} = {text!r}: unknown domain; use one of: {DOMAIN_HELP}")


def sympy_symbol(name: str, d: Domain):
    import sympy as sp

    if d.kind == "integer":
        lo = d.lo if isinstance(d.lo, int) else 1
        return sp.Symbol(name, integer=True, positive=lo >= 1) if lo >= 1 else sp.Symbol(name, integer=True)
    if d.flavour == "positive":
        return sp.Symbol(name, positive=True)
    if d.flavour in ("nonnegative", "probability", "discount"):
        return sp.Symbol(name, nonnegative=True)
    return sp.Symbol(name, real=True)


def _matrix(draw, d: Domain, n: int):
    if d.flavour == "identity":
        return np.eye(n)
    if d.flavour == "diagonal":
        return np.diag(np.asarray(draw(st.lists(S.grid_values(0.0, 4.0), min_size=n, max_size=n))))
    if d.flavour == "invertible":
        return draw(S.invertible_matrices(size=n, max_condition=20.0, min_abs_det=0.5 ** n))
    return np.asarray(draw(st.lists(S.grid_values(-3.0, 3.0), min_size=n * n, max_size=n * n))).reshape(n, n)


@st.composite
def _instances(draw, domains: tuple, int_span: int):
    env = {}
    labels = sorted({d.label for _, d in domains if d.kind == "matrix"})
    sizes = {lab: draw(st.integers(1, 3)) for lab in labels}
    m = draw(st.integers(1, 5))
    probs = None
    if any(d.kind == "random" for _, d in domains):
        probs = draw(S.finite_distributions(min_size=2, max_size=6))
    for name, d in domains:
        if d.kind == "real":
            env[name] = float(draw(S.grid_values(d.lo, d.hi)))
        elif d.kind == "integer":
            lo = env[d.lo] if isinstance(d.lo, str) else d.lo
            hi = (env[d.hi] if isinstance(d.hi, str) else d.hi) if d.hi is not None else lo + int_span
            if hi < lo:
                raise ValidationError(f"symbol {name}: empty integer range [{lo}, {hi}]")
            env[name] = draw(st.integers(lo, hi))
        elif d.kind == "vector":
            if d.flavour == "probability":
                env[name] = draw(S.finite_distributions(min_size=m, max_size=m))
            else:
                lo = 0.25 if d.flavour == "positive" else -5.0
                env[name] = np.asarray(draw(st.lists(S.grid_values(lo, 5.0), min_size=m, max_size=m)))
        elif d.kind == "matrix":
            env[name] = _matrix(draw, d, sizes[d.label])
        else:
            env[name] = RandomVariable(np.asarray(draw(st.lists(S.grid_values(-5.0, 5.0), min_size=probs.size,
                                                                max_size=probs.size))))
    return env, probs


def instances(domains: dict, *, int_span: int = 12):
    """Hypothesis strategy of ``(env, probabilities)``; symbols drawn in declaration order."""
    return _instances(tuple(domains.items()), int_span)
