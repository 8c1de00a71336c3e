r"""The domain language: what a symbol may stand for, in one type shared by the mathematics and the judges.

A :class:`Domain` is parsed from a short phrase (``"real in (0, 1)"``, ``"invertible matrix n x n"``,
``"integer in [2, 4]"``, ``"positive -> 0"``) and yields

- the SymPy symbol with exactly the assumptions the domain guarantees (:func:`sympy_symbol`),
- the LaTeX text of the assumption (:func:`latex_assumption`, :func:`assumptions_latex`: the book prints
  a derivation's domains from here),
- and, in :mod:`verify` (which owns sampling), the Hypothesis strategy and the seeded instance draws
  (:func:`verify.answers.domains.instances`, :func:`verify.answers.sized_domains.sized_instances`).

Two front ends read the same language into the same type: :func:`parse_domain`, the question language of
``verify check`` (exact rational bounds, integer bounds naming earlier integer symbols), and
:func:`parse_sized`, its extension for derivations (``verify steps`` and the steps of
:mod:`derivations`): sizes that are numbers or declared integers, ``unit vector``, ``stochastic matrix``,
``nonzero``, and the asymptotic variables ``real -> 0``, ``positive -> 0``, ``real -> oo``.

>>> d = parse_domain("integer in [1, n]")
>>> d.kind, d.lo, d.hi
('integer', 1, 'n')
>>> parse_domain("matrix m x n").label
('m', 'n')
>>> parse_sized("probability vector K").sizes
('K',)
>>> latex_assumption("eta", parse_sized("real in (0, 1)"))
'\\eta \\in (0, 1)'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from .errors import ValidationError

__all__ = ["Domain", "parse_domain", "parse_sized", "sympy_symbol", "sympy_symbol_sized", "size_labels",
           "latex_assumption", "assumptions_latex", "DOMAIN_HELP", "SIZED_HELP", "DEFAULT_VECTOR", "MAX_SIZE"]


@dataclass(frozen=True)
class Domain:
    """What a symbol may stand for (see the module docstring for the phrases)."""

    kind: str  #: real | integer | vector | matrix | random
    lo: object = None  #: int, Fraction or float, a symbol name (integer bounds) or None (unbounded)
    hi: object = None
    flavour: str = ""  #: positive, probability, interval, nonzero, invertible, diagonal, identity, ...
    label: object = ""  #: size label of a vector (str), (rows, cols) of a matrix
    lo_open: bool = False
    hi_open: bool = False
    limit: str = ""  #: "0" or "oo" for an asymptotic variable (derivations only)

    @property
    def scalar(self) -> bool:
        return self.kind in ("real", "integer")

    @property
    def sizes(self) -> tuple:
        """The size labels as the derivation front end reads them (digit labels as ints)."""
        if self.kind == "vector":
            return (_size(self.label) if self.label else DEFAULT_VECTOR,)
        if self.kind == "matrix":
            return tuple(_size(x) for x in self.label)
        return ()

    @property
    def base(self) -> "Domain":
        """The domain without its limit and interval marks (what a plain symbol may assume)."""
        return Domain(self.kind, self.lo, self.hi, self.flavour)


def _sized(kind, lo=None, hi=None, flavour="", sizes=(), limit="", lo_open=False, hi_open=False) -> Domain:
    if kind == "vector":
        label = str(sizes[0])
    elif kind == "matrix":
        label = tuple(str(s) for s in sizes)
    else:
        label = ""
    return Domain(kind, lo, hi, flavour, label, lo_open, hi_open, limit)


DOMAIN_HELP = ("real, real in [a, b], positive, negative, nonnegative, probability, discount, integer, positive "
               "integer, integer >= A, integer in [A, B], vector [n], positive|nonnegative|probability|one-hot "
               "vector [n], matrix m x n, invertible|symmetric|positive definite|diagonal|diagonal nonnegative|"
               "identity|orthogonal matrix n x n, row-stochastic|full column rank matrix m x n, random variable")

MAX_SIZE = 8  #: a size label declared as an integer symbol must have an upper bound <= this
_SQUARE = ("invertible", "symmetric", "positive definite", "diagonal", "diagonal nonnegative", "identity",
           "orthogonal")
_FLAVOURS = _SQUARE + ("row-stochastic", "full column rank")


_INT_BOUND = r"(-?\d+|[A-Za-z_]\w*)"
_NUM = r"(-?\d+(?:\.\d+)?(?:/\d+)?|-?inf)"


def _bound(text):
    return int(text) if re.fullmatch(r"-?\d+", text) else text


def _number(text):
    if text in ("inf", "-inf"):
        return None
    return Fraction(text)


def parse_domain(text: str, *, name: str = "?") -> Domain:
    t = " ".join(str(text).lower().split())
    F = Fraction
    reals = {"real": (None, None, "", False, False), "positive": (F(0), None, "positive", True, False),
             "negative": (None, F(0), "negative", False, True),
             "nonnegative": (F(0), None, "nonnegative", False, False),
             "probability": (F(0), F(1), "probability", False, False),
             "discount": (F(0), F(1), "discount", False, True)}
    if t in reals:
        lo, hi, fl, lo_open, hi_open = reals[t]
        return Domain("real", lo, hi, fl, lo_open=lo_open, hi_open=hi_open)
    m = re.fullmatch(r"real in ([\[(])\s*" + _NUM + r"\s*,\s*" + _NUM + r"\s*([\])])", t)
    if m:
        lo, hi = _number(m.group(2)), _number(m.group(3))
        if lo is not None and hi is not None and (hi < lo or (hi == lo and (m.group(1) == "(" or m.group(4) == ")"))):
            raise ValidationError(f"symbols.{name} = {text!r}: the interval is empty; give [lower, upper] with "
                                  "lower < upper")
        fl = "positive" if lo is not None and lo > 0 else ""
        return Domain("real", lo, hi, fl, lo_open=m.group(1) == "(", hi_open=m.group(4) == ")")
    if t in ("integer", "positive integer"):
        return Domain("integer", 1 if t.startswith("positive") else None, None)
    m = re.fullmatch(r"integer\s*>=\s*" + _INT_BOUND, t)
    if m:
        return Domain("integer", _bound(m.group(1)), None)
    m = re.fullmatch(r"integer in \[\s*" + _INT_BOUND + r"\s*,\s*" + _INT_BOUND + r"\s*\]", t)
    if m:
        return Domain("integer", _bound(m.group(1)), _bound(m.group(2)))
    m = re.fullmatch(r"(positive |nonnegative |probability |one-hot )?vector(?: ([a-z_]\w*|\d+))?", t)
    if m:
        return Domain("vector", flavour=(m.group(1) or "").strip(), label=m.group(2) or "")
    m = re.fullmatch(r"((?:" + "|".join(_FLAVOURS) + r") )?matrix ([a-z_]\w*|\d+) x ([a-z_]\w*|\d+)", t)
    if m:
        fl = (m.group(1) or "").strip()
        rows, cols = m.group(2), m.group(3)
        if fl in _SQUARE and rows != cols:
            raise ValidationError(f"symbols.{name} = {text!r}: a {fl} matrix is square; write {fl} matrix "
                                  f"{rows} x {rows}")
        return Domain("matrix", flavour=fl, label=(rows, cols))
    if t == "random variable":
        return Domain("random")
    raise ValidationError(f"symbols.{name} = {text!r}: unknown domain; use one of: {DOMAIN_HELP}")


def size_labels(domains: dict) -> list:
    """The size labels the arrays use, in order of first use."""
    out = []
    for d in domains.values():
        labs = d.label if isinstance(d.label, tuple) else ((d.label,) if d.kind == "vector" else ())
        for lab in labs:
            if lab not in out:
                out.append(lab)
    return out


def sympy_symbol(name: str, d: Domain):
    """A SymPy symbol with only the assumptions the domain guarantees (an integer is positive only when
    its lower bound is a literal >= 1)."""
    import sympy as sp

    if d.kind == "integer":
        if isinstance(d.lo, int) and d.lo >= 1:
            return sp.Symbol(name, integer=True, positive=True)
        if isinstance(d.lo, int) and d.lo >= 0:
            return sp.Symbol(name, integer=True, nonnegative=True)
        return sp.Symbol(name, integer=True)
    if d.kind == "real":
        lo, hi = d.lo, d.hi
        if lo is not None and (lo > 0 or (lo == 0 and d.lo_open)):
            return sp.Symbol(name, positive=True)
        if lo is not None and lo >= 0:
            return sp.Symbol(name, nonnegative=True)
        if hi is not None and (hi < 0 or (hi == 0 and d.hi_open)):
            return sp.Symbol(name, negative=True)
        if hi is not None and hi <= 0:
            return sp.Symbol(name, nonpositive=True)
    return sp.Symbol(name, real=True)



SIZED_HELP = DOMAIN_HELP + ", nonzero, unit vector [n], stochastic matrix K x K, real -> 0, positive -> 0, real -> oo"
_PHRASES = ("real", "nonzero", "positive", "negative", "nonnegative", "probability", "discount", "integer", "positive integer",
            "vector", "positive vector", "nonnegative vector", "probability vector", "one-hot vector", "unit vector",
            "matrix", "invertible matrix", "symmetric matrix", "positive definite matrix", "diagonal matrix",
            "diagonal nonnegative matrix", "identity matrix", "orthogonal matrix", "row-stochastic matrix",
            "stochastic matrix", "full column rank matrix", "random variable", "real in", "integer in")
_NONSQUARE = ("", "stochastic", "row-stochastic", "full column rank")
DEFAULT_VECTOR = "_n"  #: the shared size label of vectors declared without a size (1..5)


def _size(text):
    return int(text) if re.fullmatch(r"\d+", text) else text


def _int_bound(text):
    """An int, a symbol name, or ``"name - 1"`` (a symbol plus or minus a constant)."""
    text = " ".join(text.split())
    return int(text) if re.fullmatch(r"-?\d+", text) else text


def _bound_name(b):
    return re.match(r"\w+", b).group() if isinstance(b, str) else None


def parse_sized(text: str, *, name: str = "?") -> Domain:
    t = " ".join(str(text).lower().split()) if not re.search(r"[A-Z]", str(text)) else " ".join(str(text).split())
    low = t.lower()
    m = re.fullmatch(r"(real|positive)\s*->\s*(0|oo|inf)", low)
    if m:
        pos = m.group(1) == "positive"
        return _sized("real", 0.0 if pos else -1.0, 1.0, "positive" if pos else "", (), "0" if m.group(2) == "0" else "oo",
                      lo_open=pos)  # positive: never 0 (outside an O-term step it is an ordinary small value)
    if re.fullmatch(r"nonzero(?: real)?", low):
        return _sized("real", flavour="nonzero")
    m = re.fullmatch(r"real in \[\s*(-?\d+(?:\.\d*)?|-?\.\d+)\s*,\s*(-?\d+(?:\.\d*)?|-?\.\d+)\s*\]", low)
    if m:
        return _interval(_sized("real", float(m.group(1)), float(m.group(2)), "interval"), text, name)
    m = re.fullmatch(r"(probability |positive |nonnegative |unit |one-hot )?vector(?:\s+(\w+))?", t, flags=re.I)
    if m:
        n = _size(m.group(2) or DEFAULT_VECTOR)
        if n == 0:
            raise ValidationError(f"symbols.{name} = {text!r}: sizes are positive integers")
        return _sized("vector", flavour=(m.group(1) or "").strip().lower(), sizes=(n,))
    m = re.fullmatch(r"(stochastic |row-stochastic |symmetric |positive definite |invertible |diagonal nonnegative |"
                     r"diagonal |identity |orthogonal |full column rank )?"
                     r"matrix\s+(\w+)\s*x\s*(\w+)", t, flags=re.I)
    if m:
        fl = " ".join((m.group(1) or "").lower().split())
        r, c = _size(m.group(2)), _size(m.group(3))
        if fl not in _NONSQUARE and r != c:
            raise ValidationError(f"symbols.{name} = {text!r}: a {fl} matrix is square; write {fl} matrix {r} x {r}")
        if fl == "full column rank" and isinstance(r, int) and isinstance(c, int) and r < c:
            raise ValidationError(f"symbols.{name} = {text!r}: a full column rank matrix {r} x {c} needs at least "
                                  f"as many rows as columns")
        if 0 in (r, c):
            raise ValidationError(f"symbols.{name} = {text!r}: sizes are positive integers")
        return _sized("matrix", flavour=fl, sizes=(r, c))
    m = re.fullmatch(r"integer in \[\s*(-?\d+|\w+(?:\s*[-+]\s*\d+)?)\s*,\s*(-?\d+|\w+(?:\s*[-+]\s*\d+)?)\s*\]", t,
                     flags=re.I)
    if m:
        return _sized("integer", _int_bound(m.group(1)), _int_bound(m.group(2)))
    m = re.fullmatch(r"integer\s*>=\s*(-?\d+|\w+)", t, flags=re.I)
    if m:
        return _sized("integer", _int_bound(m.group(1)), None)
    try:
        d = parse_domain(text, name=name)
    except ValidationError as exc:
        if "unknown domain" not in str(exc):
            raise
        import difflib

        head = re.sub(r"\s+(\w+\s*x\s*\w+|\w+)$", "", low) if re.search(r"(vector|matrix)\s+\w+(\s*x\s*\w+)?$", low) else low
        head = re.sub(r"\s*(in\b.*|[\[(].*)$", " in", head).strip()
        near = difflib.get_close_matches(head, _PHRASES, n=1, cutoff=0.75)
        hint = f" (did you mean {near[0] + t[len(head):]!r}?)" if near and near[0] != head else ""
        raise ValidationError(f"symbols.{name} = {text!r}: unknown domain{hint}; use one of: {SIZED_HELP}") from None
    if d.kind == "matrix":
        return _sized("matrix", flavour=d.flavour, sizes=tuple(_size(x) for x in d.label))
    if d.kind == "vector":
        return _sized("vector", flavour=d.flavour, sizes=(_size(d.label) if d.label else DEFAULT_VECTOR,))
    return _interval(_sized(d.kind, d.lo, d.hi, d.flavour, lo_open=d.lo_open, hi_open=d.hi_open), text, name)


def _interval(d: Domain, text, name) -> Domain:
    """A real interval with room in it: a single point or an empty interval is rejected, naming the symbol."""
    if d.kind != "real" or d.lo is None or d.hi is None:
        return d
    if d.lo == d.hi:
        v = d.lo
        v = int(v) if float(v) == int(v) else v
        raise ValidationError(f"symbols.{name} = {text!r}: {' '.join(str(text).split())} is a single point: write {v} "
                              f"instead of the symbol {name}")
    if d.lo > d.hi:
        raise ValidationError(f"symbols.{name} = {text!r}: the interval is empty; give [lower, upper] with lower < upper")
    return d


def sympy_symbol_sized(name: str, d: Domain):
    if d.limit and d.flavour == "positive":
        import sympy as sp

        return sp.Symbol(name, positive=True)
    if d.flavour == "nonzero":
        import sympy as sp

        return sp.Symbol(name, real=True, nonzero=True)
    return sympy_symbol(name, d.base)




# ---------------------------------------------------------------------------
# LaTeX text of an assumption
# ---------------------------------------------------------------------------

_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "eta", "theta", "lambda", "mu", "nu", "xi", "pi", "rho",
          "sigma", "tau", "phi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Pi", "Sigma", "Phi",
          "Psi", "Omega", "kappa", "zeta", "iota"}


def _tex_name(name: str) -> str:
    m = re.fullmatch(r"([A-Za-z]+)(\d+)", name)
    if m:  # w1 -> w_{1}, q00 -> q_{00}
        return _tex_name(m.group(1)) + "_{" + m.group(2) + "}"
    base, _, sub = name.partition("_")
    head = "\\" + base if base in _GREEK else (base if len(base) == 1 else r"\mathrm{" + base.replace("_", r"\_") + "}")
    return head + (f"_{{{_tex_name(sub)}}}" if sub else "")


def _tex_num(v) -> str:
    if v is None:
        return r"\infty"
    if isinstance(v, str):
        return _tex_name(v) if re.fullmatch(r"\w+", v) else v
    if isinstance(v, Fraction) and v.denominator != 1:
        return ("-" if v < 0 else "") + rf"\tfrac{{{abs(v.numerator)}}}{{{v.denominator}}}"
    if isinstance(v, float) and v.is_integer() or isinstance(v, Fraction):
        return str(int(v))
    return repr(v) if isinstance(v, float) else str(v)


def _tex_size(s) -> str:
    return str(s) if isinstance(s, int) or str(s).isdigit() else ("n" if s == DEFAULT_VECTOR else _tex_name(str(s)))


_MATRIX_WORDS = {"": "", "invertible": "invertible", "symmetric": "symmetric", "positive definite": r"positive definite",
                 "diagonal": "diagonal", "diagonal nonnegative": "diagonal, nonnegative", "identity": "identity",
                 "orthogonal": "orthogonal", "row-stochastic": "row-stochastic", "stochastic": "row-stochastic",
                 "full column rank": "full column rank"}


def latex_assumption(name: str, d: Domain) -> str:
    r"""The assumption ``name in d`` as LaTeX math (``\eta \in [0, 1)``, ``A \in \mathbb{R}^{n\times n}`` ...).

    >>> latex_assumption("A", parse_domain("invertible matrix n x n"))
    'A \\in \\mathbb{R}^{n\\times n}\\ (\\text{invertible})'
    >>> latex_assumption("h", parse_sized("positive -> 0"))
    'h \\to 0^+'
    """
    x = _tex_name(name)
    if d.limit:
        return x + (r" \to \infty" if d.limit == "oo" else (r" \to 0^+" if d.flavour == "positive" else r" \to 0"))
    if d.kind == "random":
        return x + r"\ \text{a random variable}"
    if d.kind == "integer":
        if d.lo is not None and d.hi is not None:
            return x + rf" \in \{{{_tex_num(d.lo)}, \dots, {_tex_num(d.hi)}\}}"
        if d.lo is not None:
            return x + rf" \in \mathbb{{Z}},\ {x} \ge {_tex_num(d.lo)}"
        return x + r" \in \mathbb{Z}"
    if d.kind == "real":
        if d.flavour == "nonzero":
            return x + r" \in \mathbb{R} \setminus \{0\}"
        if d.lo is None and d.hi is None:
            return x + r" \in \mathbb{R}"
        if d.hi is None:
            return x + (" > " if d.lo_open else r" \ge ") + _tex_num(d.lo)
        if d.lo is None:
            return x + (" < " if d.hi_open else r" \le ") + _tex_num(d.hi)
        return (x + r" \in " + ("(" if d.lo_open else "[") + _tex_num(d.lo) + ", " + _tex_num(d.hi)
                + (")" if d.hi_open else "]"))
    words = {"positive": "positive", "nonnegative": "nonnegative", "probability": "probability vector",
             "one-hot": "one-hot", "unit": "unit norm"}
    if d.kind == "vector":
        text = x + rf" \in \mathbb{{R}}^{{{_tex_size(d.sizes[0])}}}"
        return text + (rf"\ (\text{{{words[d.flavour]}}})" if d.flavour in words else "")
    r, c = d.sizes
    text = x + rf" \in \mathbb{{R}}^{{{_tex_size(r)}\times {_tex_size(c)}}}"
    word = _MATRIX_WORDS.get(d.flavour, d.flavour)
    return text + (rf"\ (\text{{{word}}})" if word else "")


def assumptions_latex(symbols: dict, *, sized: bool = True) -> str:
    r"""One line of LaTeX stating every declared domain (``$\eta \in (0, 1)$, $n \in \{2, \dots, 4\}$``).

    >>> assumptions_latex({"eta": "real in (0, 1)", "n": "integer in [2, 4]"})
    '$\\eta \\in (0, 1)$, $n \\in \\{2, \\dots, 4\\}$'
    """
    parse = parse_sized if sized else parse_domain
    return ", ".join(f"${latex_assumption(n, parse(t, name=n))}$" for n, t in symbols.items())
