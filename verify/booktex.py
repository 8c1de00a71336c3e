r"""Typesetting helpers for the LaTeX book (:mod:`verify.latex`).

* :func:`title_latex` turns a claim's ASCII title (``E||dtheta||^2 / ||E dtheta||^2 = ...``) into LaTeX:
  text is escaped and math-like runs go into ``$...$``;
* :func:`formula_chunks` cuts a formula at its top-level relations and binary operators so that a step
  wraps within the margin (each chunk is typeset in display style and scaled down only when a single
  chunk is wider than the line);
* :func:`value_latex` and :func:`counterexample_table` typeset a counterexample as a table of values.
"""

from __future__ import annotations

import math
import re

__all__ = ["escape", "text_latex", "title_latex", "math_latex", "formula_chunks", "step_formula", "value_latex",
           "counterexample_table", "breakable_tt"]

_ESC = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
        "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
        "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}


def escape(text: str) -> str:
    r"""Escape plain text for LaTeX.

    >>> print(escape("err_max 5% & more"))
    err\_max 5\% \& more
    """
    return "".join(_ESC.get(ch, ch) for ch in str(text))


def breakable_tt(text: str) -> str:
    r"""``\texttt`` that may break after ``.``, ``-``, ``_`` and ``/`` (claim ids, file names).

    >>> print(breakable_tt("a.b-c"))
    \texttt{a.\allowbreak{}b-\allowbreak{}c}
    """
    out = []
    for ch in str(text):
        out.append(escape(ch))
        if ch in ".-_/,":
            out.append(r"\allowbreak{}")
    return r"\texttt{" + "".join(out) + "}"


def text_latex(text: str) -> str:
    r"""Plain text with optional inline ``$...$`` math: the text is escaped, the math kept.

    >>> print(text_latex("x_1 is $x_1$"))
    x\_1 is $x_1$
    """
    text = str(text)
    parts = text.split("$")
    if len(parts) % 2 == 0:  # an odd number of dollars: all text
        return escape(text)
    return "".join(escape(p) if i % 2 == 0 else f"${p}$" for i, p in enumerate(parts))


# ---------------------------------------------------------------------------------------------------------
# titles
# ---------------------------------------------------------------------------------------------------------

_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda",
          "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
          "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega"}
_MATHOPS = {"log": r"\log", "exp": r"\exp", "sum": r"\sum", "prod": r"\prod", "int": r"\int", "det": r"\det",
            "max": r"\max", "min": r"\min", "sup": r"\sup", "lim": r"\lim", "tanh": r"\tanh", "sin": r"\sin",
            "cos": r"\cos", "ln": r"\ln", "inf": r"\infty", "kron": r"\otimes", "grad": r"\nabla",
            "eps": r"\varepsilon", "infty": r"\infty", "partial": r"\partial", "nabla": r"\nabla",
            "cdot": r"\cdot", "sqrt": r"\sqrt"}
_OPNAMES = {"argmax", "argmin", "vec", "diag", "softmax", "logsumexp", "tr", "rank", "Var", "Cov", "KL",
            "sign", "relu", "sigmoid"}
#: words that make a title word math when the word is (or starts) one of them
_MATH_WORDS = _GREEK | set(_MATHOPS) | (_OPNAMES - {"tr", "rank", "sign", "relu", "sigmoid"}) | {"E"}
_OPERATOR_WORDS = {"=", "+", "-", "*", "/", ">=", "<=", "->", "<", ">", "~", "||", "|", "==>", "=>", "!=",
                   "<->", "x"}
_TEXTY_SINGLE = {"a", "A", "I"}
_PUNCT_END = ",;:"


def _is_code(w: str) -> bool:
    """Python-like code in a title (``(A*x).diff(x)``, ``A.T``, ``==``): typeset as ``\\texttt``."""
    return ("==" in w and w != "==>") or bool(re.search(r"\)\.[A-Za-z]|^\.[a-z]|^[A-Za-z]\w*\.[A-Z]\w*$", w))


def _classify(word: str) -> str:
    """``math``, ``text``, ``neutral`` (joins a neighbouring math run), ``op`` or ``code`` for one title word."""
    if _is_code(word):
        return "code"
    if word in _OPERATOR_WORDS - {"x"}:
        return "op"
    core = word.strip("()[]\u27e8\u27e9")
    if core.startswith("-") and len(core) > 1:
        core = core[1:]
    if not core:
        return "text"
    if re.fullmatch(r"[0-9]+(\.[0-9]+)?", core):
        return "neutral"
    if re.search(r"[\^_=|<>{}+*()\[\]\u27e8\u27e9]", core):
        return "math"
    if "/" in core and not re.fullmatch(r"[A-Za-z]{2,}/[A-Za-z]{2,}", core):
        return "math"
    if re.fullmatch(r"[A-Za-z]", core):
        return "neutral" if core in _TEXTY_SINGLE else "math"
    if re.fullmatch(r"[A-Z]{2,3}", core):  # PV (a product) or RNN (an acronym): math only next to math
        return "neutral"
    if re.fullmatch(r"[A-Za-z][0-9]+|d[A-Za-z]|[A-Za-z]'+", core):  # W2, dz, f'
        return "math"
    if core in _MATH_WORDS or (core.startswith("d") and core[1:] in _GREEK):
        return "math"
    return "text"


_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<op>==>|<->|->|=>|>=|<=|!=|\|\|)
  | (?P<num>[0-9]+(?:\.[0-9]+)?)
  | (?P<word>[A-Za-z]{3,}(?:-[A-Za-z]{3,})+|[A-Za-z]+)
  | (?P<ch>.)
""", re.X)

_OP_LATEX = {"==>": r"\Longrightarrow", "<->": r"\leftrightarrow", "->": r"\to", "=>": r"\Rightarrow",
             ">=": r"\ge", "<=": r"\le", "!=": r"\ne", "||": r"\|", "~": r"\sim", "*": r"\cdot",
             "{": r"\{", "}": r"\}", "\u27e8": r"\langle ", "\u27e9": r"\rangle ", "#": r"\#", "%": r"\%", "&": r"\&", "$": r"\$", "\\": r"\backslash"}


def _ident(word: str, *, sub: bool = False) -> str:
    """LaTeX of one identifier inside math."""
    if word in _GREEK:
        return "\\" + word
    if word in _MATHOPS:
        return _MATHOPS[word]
    if word in _OPNAMES:
        return r"\operatorname{" + word + "}"
    if word.startswith("d") and word[1:] in _GREEK:
        return "d\\" + word[1:]
    if len(word) == 1:
        return word
    if "-" in word:
        return r"\mathrm{" + word.replace("-", r"\text{-}") + "}"
    if sub or len(word) >= 4 or (word.islower() and len(word) >= 3 and re.search("[aeiou]", word)):
        return r"\mathrm{" + word + "}"
    return word  # a product of letters: QK, AXB, nkd, dx


class _Tokens:
    def __init__(self, text: str):
        self.toks = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(text)]
        self.i = 0

    def peek(self, k: int = 0):
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else (None, "")

    def next(self):
        t = self.peek()
        self.i += 1
        return t


def _group(toks: _Tokens, open_: str, close: str) -> str:
    """Convert tokens up to the ``close`` matching an already consumed ``open_``."""
    depth, start = 1, toks.i
    while toks.peek()[0] is not None:
        kind, val = toks.peek()
        if val == open_ and open_ != close:
            depth += 1
        elif val == close:
            depth -= 1
            if depth == 0:
                inner = _Tokens("")
                inner.toks = toks.toks[start:toks.i]
                toks.next()
                return _convert(inner, sub=open_ == "{")
        toks.next()
    raise ValueError("unbalanced group")


def _script(toks: _Tokens, *, sub: bool) -> str:
    """The argument of ``^`` or ``_`` (already consumed), braced."""
    kind, val = toks.peek()
    if val == "{":
        toks.next()
        return "{" + _group(toks, "{", "}") + "}"
    if val == "(":
        toks.next()
        return "{(" + _group(toks, "(", ")") + ")}"
    if val == "|":
        toks.next()
        return "{|" + _group(toks, "|", "|") + "|}"
    if val in ("-", "+"):
        toks.next()
        return "{" + val + _script(toks, sub=sub)[1:-1] + "}"
    if kind == "word":
        toks.next()
        if sub and len(val) == 1 and toks.peek()[0] == "num":
            return "{" + val + "_{" + toks.next()[1] + "}}"
        if val == "T" and not sub:
            return r"{\top}"
        return "{" + _ident(val, sub=sub) + "}"
    if kind == "num":
        toks.next()
        return "{" + val + "}"
    if val == "*":
        toks.next()
        return "{*}"
    raise ValueError(f"cannot read a script at {val!r}")


def _convert(toks: _Tokens, *, sub: bool = False) -> str:
    out = []
    prev = None  # kind of the previous emitted token
    while toks.peek()[0] is not None:
        kind, val = toks.next()
        if kind == "ws":
            nk, nv = toks.peek()
            if prev == "word" and nk == "word" and sub and out[-1].startswith("\\mathrm"):
                out.append(r"\ ")
            else:
                out.append(" ")
            continue
        if kind == "op":
            out.append(_OP_LATEX[val] + " ")
            prev = "op"
            continue
        if val in ("^", "_"):
            out.append(val + _script(toks, sub=sub or val == "_"))
            prev = "script"
            continue
        if val == "*":
            nk, nv = toks.peek()
            if prev in ("word", "script", "close") and nk not in ("word", "num") and nv != "(":
                out.append("^{*}")
                prev = "script"
            else:
                out.append(r"\cdot ")
                prev = "op"
            continue
        if kind == "word":
            if val == "sqrt":
                nk, nv = toks.peek()
                if nv == "(":
                    toks.next()
                    out.append(r"\sqrt{" + _group(toks, "(", ")") + "}")
                    prev = "close"
                    continue
                while toks.peek()[0] == "ws":
                    toks.next()
                nk, nv = toks.peek()
                if nk in ("word", "num"):
                    toks.next()
                    out.append(r"\sqrt{" + (_ident(nv) if nk == "word" else nv) + "}")
                    prev = "close"
                    continue
                out.append(r"\surd ")
                prev = "op"
                continue
            if val == "E" and (toks.peek()[1] in ("[", "_", "|", "||") or toks.peek()[0] == "ws"):
                out.append(r"\mathbb{E}")
            elif len(val) == 1 and toks.peek()[0] == "num" and "." not in toks.peek()[1]:
                out.append(val + "_{" + toks.next()[1] + "}")
            else:
                out.append(_ident(val, sub=sub))
            if out[-1].startswith("\\") and out[-1][-1].isalpha():
                nk, nv = toks.peek()
                if nk in ("word", "num"):
                    out.append(" ")
            prev = "word"
            continue
        if kind == "num":
            out.append(val)
            prev = "num"
            continue
        if val == "{":
            out.append("{" + _group(toks, "{", "}") + "}")
            prev = "close"
            continue
        if val in ")]":
            prev = "close"
            out.append(val)
            continue
        if val == "}":
            raise ValueError("unbalanced }")
        out.append(_OP_LATEX.get(val, val if val.isascii() else ""))
        prev = "op" if val in "=+-<>/|~,;:" else "other"
    return re.sub(r" +", " ", "".join(out)).strip()


def math_latex(ascii_math: str) -> str:
    r"""LaTeX for an ASCII math fragment as claim titles write it.

    >>> print(math_latex("lambda_min(P) >= (1 + eta sqrt(n))^-2"))
    \lambda_{\min}(P) \ge (1 + \eta \sqrt{n})^{-2}
    >>> print(math_latex("E||dtheta||^2"))
    \mathbb{E}\| d\theta\| ^{2}
    """
    return _convert(_Tokens(ascii_math))


def _balanced(tex: str) -> bool:
    depth = 0
    for m in re.finditer(r"\\.|[{}]", tex):
        if m.group() == "{":
            depth += 1
        elif m.group() == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


_OPEN, _CLOSE = "([\u27e8", ")]\u27e9"


def _unmatched(src: str) -> list:
    """Positions of the brackets of ``src`` that have no partner."""
    stack, bad = [], []
    for i, ch in enumerate(src):
        if ch in _OPEN:
            stack.append(i)
        elif ch in _CLOSE:
            if stack and _OPEN.index(src[stack[-1]]) == _CLOSE.index(ch):
                stack.pop()
            else:
                bad.append(i)
    return sorted(bad + stack)


def _depth(src: str) -> int:
    return sum(ch in _OPEN for ch in src) - sum(ch in _CLOSE for ch in src)


def _math_run(src: str) -> str:
    """``$...$`` for a run of math words; unmatched brackets stay outside as text."""
    pieces, start = [], 0
    for pos in _unmatched(src) + [len(src)]:
        pieces.append(("math", src[start:pos]))
        if pos < len(src):
            pieces.append(("text", src[pos]))
        start = pos + 1
    out = []
    for kind, piece in pieces:
        if kind == "text":
            out.append({"\u27e8": "<", "\u27e9": ">"}.get(piece, piece))
            continue
        core = piece.strip()
        if not core:
            out.append(piece)
            continue
        lead, trail = piece[: len(piece) - len(piece.lstrip())], piece[len(piece.rstrip()):]
        try:
            tex = math_latex(core)
            if not tex or not _balanced(tex):
                raise ValueError(core)
            out.append(f"{lead}${tex}${trail}")
        except (ValueError, IndexError):
            out.append(escape(piece.replace("\u27e8", "<").replace("\u27e9", ">")))
    return "".join(out)


def title_latex(title: str) -> str:
    r"""A claim title written in ASCII, typeset: text escaped, math-like runs in ``$...$``.

    General rules, not per claim: a word with ``^ _ = | < > + * { } ( )``, a single letter, a Greek letter
    name or a math function name is math; numbers, operators and short capitals join a neighbouring math
    run; trailing ``, ; :`` end a run unless a bracket is still open; code (``A.T``, ``==``) goes in
    ``\texttt``; ``<a, b>`` is an inner product.

    >>> print(title_latex("Theorem 1: lambda_min(P) >= (1 + eta sqrt(n))^-2, a constant"))
    Theorem 1: $\lambda_{\min}(P) \ge (1 + \eta \sqrt{n})^{-2}$, a constant
    >>> print(title_latex("V1 <= V2 implies T^pi V1 <= T^pi V2 (on (w, F))"))
    $V_{1} \le V_{2}$ implies $T^{\pi} V_{1} \le T^{\pi} V_{2}$ (on $(w, F)$)
    """
    title = re.sub(r"<(?=[^\s<>=])([^<>]*?,[^<>]*?)(?<=[^\s<>=])>", "\u27e8\\1\u27e9", str(title))
    items = []  # [kind, word, trailing punctuation]
    for w in title.split():
        trail = ""
        while len(w) > 1 and w[-1] in _PUNCT_END:
            trail = w[-1] + trail
            w = w[:-1]
        if len(w) > 1 and w.endswith(".") and not w.endswith("(.)") and not re.search(r"\.\w\.$", w):
            trail = "." + trail
            w = w[:-1]
        items.append([_classify(w), w, trail])
    n = len(items)
    # operators are math; neutral words (numbers, a, A, PV) are math next to math, else text
    for it in items:
        if it[0] == "op":
            it[0] = "math"
    for _ in range(2):
        for i, it in enumerate(items):
            if it[0] != "neutral":
                continue
            left = items[i - 1] if i > 0 else None
            right = items[i + 1] if i + 1 < n else None
            d = _depth(it[1])  # "(1" joins only what follows, "1)" only what precedes
            if (d <= 0 and left is not None and left[0] == "math" and not left[2]) or \
                    (d >= 0 and right is not None and right[0] == "math" and not it[2]):
                it[0] = "math"
    for it in items:
        if it[0] == "neutral":
            it[0] = "text"

    def closes(i: int, depth: int) -> bool:
        """Whether the math words from ``i`` on close ``depth`` open brackets before any text word."""
        for kind, w, _ in items[i:]:
            if kind != "math":
                return False
            depth += _depth(w)
            if depth <= 0:
                return True
        return False

    out = []
    i = 0
    while i < n:
        kind, w, trail = items[i]
        if kind == "math":
            run = [w]
            depth = _depth(w)
            while i + 1 < n and items[i + 1][0] == "math" and (
                    not trail or (depth > 0 and closes(i + 1, depth))):
                if trail:
                    run[-1] += trail
                i += 1
                _, w, trail = items[i]
                run.append(w)
                depth += _depth(w)
            out.append(_math_run(" ".join(run)) + escape(trail))
        elif kind == "code":
            out.append(breakable_tt(w) + escape(trail))
        else:
            out.append(escape(w.replace("\u27e8", "<").replace("\u27e9", ">")) + escape(trail))
        i += 1
    return " ".join(out)


# ---------------------------------------------------------------------------------------------------------
# formulas that wrap
# ---------------------------------------------------------------------------------------------------------

_RELS = (r"\le", r"\ge", r"\leq", r"\geq", r"\approx", r"\to", r"\sim", r"\ne", r"\neq", r"\equiv",
         r"\succeq", r"\preceq", r"\Longrightarrow", r"\Rightarrow", r"\iff", r"\implies", r"\propto",
         r"\quad", r"\qquad", r"\in")
_BINS = (r"\pm", r"\mp", r"\cdot", r"\times", r"\otimes", r"\oplus", r"\circ")
_LATEX_TOKEN = re.compile(r"\\[A-Za-z]+\*?|\\.|[{}]|[^\\{}]")


def _tokens(tex: str) -> list:
    return _LATEX_TOKEN.findall(tex)


def formula_chunks(tex: str) -> list:
    r"""Cut a LaTeX formula at its top level into ``(kind, chunk)`` pieces, ``kind`` being ``start`` for the
    first piece, then ``rel`` or ``bin`` for the operator that opens the piece (a break point before it).

    Nothing inside braces, ``\left...\right`` or an environment is cut; a sign right after an opening
    delimiter, an operator or a script mark is unary and never cut.

    >>> formula_chunks(r"a + \frac{b+c}{2} = d - e")
    [('start', 'a '), ('bin', '+ \\frac{b+c}{2} '), ('rel', '= d '), ('bin', '- e')]
    """
    toks = _tokens(tex)
    pieces = [["start", ""]]
    depth = 0
    prev = ""  # previous non-space token at depth 0
    for t in toks:
        if t == "{":
            depth += 1
        elif t == "}":
            depth -= 1
        elif t in (r"\left", r"\begin"):
            depth += 1
        elif t in (r"\right", r"\end"):
            depth -= 1
        cut = None
        if depth == 0 and t not in ("}", r"\right", r"\end") and pieces[-1][1].strip():
            opened = prev in ("", "(", "[", "^", "_", "=", "+", "-", ",", "<", ">", r"\bigl", r"\Bigl",
                              r"\left", "&", "|") or prev in _RELS or prev in _BINS
            if t in ("=", "<", ">") or t in _RELS:
                if prev not in ("<", ">", "=") or t == prev:
                    cut = "rel"
            elif (t in ("+", "-") or t in _BINS) and not opened:
                cut = "bin"
        if cut:
            pieces.append([cut, t])
        else:
            pieces[-1][1] += t
        if t.strip() and depth == 0 and t != "}":
            prev = t
        elif t == "}" and depth == 0:
            prev = "}"
    if depth != 0:  # unbalanced: do not cut
        return [("start", tex)]
    # a piece that ends in a script mark or a command needing an argument cannot be cut off
    out = []
    for kind, chunk in pieces:
        if out and (out[-1][1].rstrip().endswith(("^", "_", "\\")) or not out[-1][1].strip()):
            out[-1] = (out[-1][0], out[-1][1] + chunk)
        else:
            out.append((kind, chunk))
    return [(k, c) for k, c in out]


def step_formula(lhs: str, relation: str, rhs: str) -> str:
    r"""TeX for ``lhs relation rhs`` as chunks (``\StepChunk``) separated by break points (``\StepRel``,
    ``\StepBin``): the line breaks before a relation first, before a binary operator next, and a chunk
    wider than the line is scaled down to it.
    """
    parts = []
    if lhs.strip():
        parts.extend(formula_chunks(lhs))
        rel = [("rel", relation + " " + c) if i == 0 else (k, c) for i, (k, c) in enumerate(formula_chunks(rhs))]
    else:
        rel = [("start", relation + " " + c) if i == 0 else (k, c) for i, (k, c) in enumerate(formula_chunks(rhs))]
    parts.extend(rel)
    out = []
    for kind, chunk in parts:
        if kind == "rel":
            out.append(r"\StepRel")
        elif kind == "bin":
            out.append(r"\StepBin")
        lead = "{}" if kind != "start" or not lhs.strip() else ""
        out.append(r"\StepChunk{" + lead + chunk.strip() + "}")
    return "".join(out)


# ---------------------------------------------------------------------------------------------------------
# values and counterexamples
# ---------------------------------------------------------------------------------------------------------

def _num(x) -> str:
    if isinstance(x, bool):
        return r"\text{" + str(x).lower() + "}"
    if isinstance(x, int):
        return str(x) if abs(x) < 10**7 else _num(float(x))
    if isinstance(x, float):
        if math.isnan(x):
            return r"\text{nan}"
        if math.isinf(x):
            return r"\infty" if x > 0 else r"-\infty"
        if x == 0:
            return "0"
        if 1e-3 <= abs(x) < 1e5:
            s = f"{x:.4g}"
            return s
        m, e = f"{x:.3e}".split("e")
        m = m.rstrip("0").rstrip(".")
        if m in ("1", "-1"):
            return f"{m[:-1]}10^{{{int(e)}}}"
        return f"{m}\\cdot 10^{{{int(e)}}}"
    return r"\text{" + escape(str(x)) + "}"


def _shape(v):
    if isinstance(v, (list, tuple)):
        if not v:
            return (0,)
        inner = [_shape(x) for x in v]
        if all(s == inner[0] for s in inner) and inner[0] is not None:
            return (len(v),) + inner[0]
        return None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return ()
    return None


_MAX_ROWS, _MAX_COLS = 6, 8


def _vector(v) -> str:
    items = [_num(x) for x in v]
    if len(items) > _MAX_COLS:
        items = items[: _MAX_COLS - 2] + [r"\cdots", items[-1]]
    return r"\begin{bmatrix}" + " & ".join(items) + r"\end{bmatrix}"


def _matrix(m) -> str:
    rows = [list(r) for r in m]
    ncols = len(rows[0]) if rows else 0

    def cut(row):
        items = [_num(x) for x in row]
        return items[: _MAX_COLS - 2] + [r"\cdots", items[-1]] if len(items) > _MAX_COLS else items

    body = [cut(r) for r in rows]
    if len(body) > _MAX_ROWS:
        width = len(body[0])
        body = body[: _MAX_ROWS - 2] + [[r"\vdots"] * width] + body[-1:]
    del ncols
    return r"\begin{bmatrix}" + r" \\ ".join(" & ".join(r) for r in body) + r"\end{bmatrix}"


def value_latex(v) -> str:
    r"""Math-mode LaTeX for a value: numbers rounded to 4 significant digits, vectors and matrices as
    ``bmatrix`` (long ones elided), 3-d arrays as a list of matrices, anything else as text.

    >>> print(value_latex([[1.0, 0.5], [0.0, 2e-12]]))
    \begin{bmatrix}1 & 0.5 \\ 0 & 2\cdot 10^{-12}\end{bmatrix}
    """
    shape = _shape(v)
    if shape == ():
        return _num(v)
    if shape is not None and len(shape) == 1:
        return _vector(v) if v else r"[\,]"
    if shape is not None and len(shape) == 2:
        return _matrix(v)
    if shape is not None and len(shape) >= 3:
        mats = [value_latex(x) for x in v]
        if len(mats) > 4:
            mats = mats[:3] + [r"\ldots", mats[-1]]
        return r"\Bigl(" + r",\ ".join(mats) + r"\Bigr)"
    if isinstance(v, (list, tuple)):
        items = [value_latex(x) for x in v][:_MAX_COLS]
        return r"\bigl(" + ",\\ ".join(items) + (r",\ \ldots" if len(v) > _MAX_COLS else "") + r"\bigr)"
    if isinstance(v, dict):
        return r"\{" + r",\ ".join(r"\text{" + escape(k) + "}: " + value_latex(x)
                                   for k, x in list(v.items())[:_MAX_COLS]) + r"\}"
    if v is None:
        return r"\text{---}"
    return _num(v)


def _name(k) -> str:
    k = str(k)
    m = re.fullmatch(r"([A-Za-z]+)(?:_?([A-Za-z0-9]+))?", k) if not re.fullmatch(r"[A-Za-z]+", k) else \
        re.fullmatch(r"([A-Za-z]+)()", k)
    if m and (len(m.group(1)) == 1 or m.group(1) in _GREEK) and (m.group(2) is None or len(m.group(2)) <= 3):
        base = "\\" + m.group(1) if m.group(1) in _GREEK else m.group(1)
        sub = m.group(2) or None
        return f"${base}" + (f"_{{{sub}}}" if sub else "") + "$"
    return breakable_tt(k)


def counterexample_table(ce) -> str:
    r"""A counterexample (``{"point": {...}, "error": ..., ...}``) as a small two-column table,
    name | value: the point's coordinates first, then the other entries (error, tolerance, ...)."""
    rows = []
    if isinstance(ce, dict):
        point = ce.get("point")
        if isinstance(point, dict):
            rows.extend((_name(k), value_latex(v)) for k, v in point.items())
        elif point is not None:
            if isinstance(point, (list, tuple)) and _shape(point) is None:
                rows.extend((escape(f"point[{i}]"), value_latex(v)) for i, v in enumerate(point))
            else:
                rows.append(("point", value_latex(point)))
        for k, v in ce.items():
            if k == "point":
                continue
            if isinstance(v, str):
                rows.append((breakable_tt(k), r"\text{" + escape(v) + "}"))
            else:
                rows.append((breakable_tt(k), value_latex(v)))
    else:
        rows.append(("value", value_latex(ce)))
    body = "\n".join(f"{k} & ${v}$ \\\\[2pt]" for k, v in rows)
    return ("\\begin{tabular}{@{}>{\\raggedright\\arraybackslash}p{0.28\\linewidth}l@{}}\n"
            "\\hline\n" + body + "\n\\hline\n\\end{tabular}")
