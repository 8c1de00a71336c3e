r"""Read derivations from LaTeX or Markdown: every ``align``/``align*`` block (and every ``$$ ... $$`` block
with ``\\`` lines) is a derivation whose lines begin with ``&=``, ``&\le``, ``&<``, ``&\ge``, ``&>``,
``&\implies`` or ``\Longrightarrow``.

Declarations go in a comment just before the block (``% verify: ...`` in LaTeX, ``<!-- verify: ... -->``
or a ``% verify:`` line in Markdown), entries separated by ``;``:
``gamma = discount``, ``define pi = softmax(theta)`` (plain syntax), ``function f = smooth``, and
``index a = K`` (``a`` runs over ``0..K-1`` in ``\sum_a``, ``\max_a``). The block's id is its
``\label{...}``, else the heading before it, else its position. The LaTeX of each line is translated to
the plain language by :func:`latex_to_plain` and then parsed by the same whitelist as the TOML form; a line
that cannot be read is ``invalid`` with its position, and the other lines are still judged.

>>> from verify.steps.context import Context
>>> ctx = Context.build({"gamma": "discount", "n": "positive integer"})
>>> tidy(latex_to_plain(r"\sum_{k=0}^{n-1} \gamma^k", ctx, {}))
'sum((gamma**(k)), (k, 0, n - 1))'
"""

from __future__ import annotations

import re

import numpy as np

from ..answers.extended import NEW_FUNCTIONS, parse_extended
from ..answers.language import FUNCTIONS, AnswerError
from ..errors import ValidationError
from .context import Context
from .model import Derivation, FileError, Step

__all__ = ["read_latex", "loads_latex", "latex_to_plain", "split_block", "tidy"]

_GREEK = ("alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta", "iota",
          "kappa", "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "varphi", "chi", "psi",
          "omega", "ell", "Gamma", "Delta", "Theta", "Lambda", "Sigma", "Omega", "Psi")
_FN_WORDS = {"log", "exp", "sin", "cos", "tan", "tanh", "det", "sqrt", "ln", "cosh", "sinh", "arctan", "arcsin",
             "arccos"}
_FN_NAME = {"ln": "log", "arctan": "atan", "arcsin": "asin", "arccos": "acos"}
_BIG = {"sum", "prod", "max", "min"}
#: words that \text{...} may name as operators; any other \text{...} is commentary and dropped
_TEXT_WORDS = {"KL", "tr", "Tr", "trace", "softmax", "logsumexp", "Var", "Cov", "diag", "sigmoid", "relu", "softplus",
               "outer", "ones", "dot", "E", "det"}
#: relations a chain cannot be checked with: the line is invalid with this reason, and the chain proves nothing
UNCHECKABLE = {"~": "\\approx (and \\simeq, \\sim) is not checked: an approximation has no tolerance; write = with "
                    "an O-term (= 1 + h + O(h^2)) or an inequality",
               "!=": "\\neq is not checked in a chain: it relates no two lines in a way the chain can compose"}
_REL_TEX = [(r"\\approx|\\simeq|\\sim(?![A-Za-z])|\\cong", "~"), (r"\\neq?(?![A-Za-z])|\\ne(?![A-Za-z])", "!="),
            (r"\\iff|\\Longleftrightarrow|\\Leftrightarrow", "<=>"),
            (r"\\Longrightarrow|\\implies|\\Rightarrow", "==>"), (r"\\leq?(?![A-Za-z])|\\leqslant", "<="),
            (r"\\geq?(?![A-Za-z])|\\geqslant", ">="), (r"=", "="), (r"<", "<"), (r">", ">")]


# ---------------------------------------------------------------------------
# blocks, declarations, lines
# ---------------------------------------------------------------------------

_BLOCK = re.compile(r"\\begin\{(align\*?|aligned|equation\*?|eqnarray\*?|gather\*?|multline\*?)\}(.*?)\\end\{\1\}"
                    r"|\$\$(.*?)\$\$|\\\[(.*?)\\\]", re.S)
_HEAD = re.compile(r"\\(?:sub)*section\*?\{([^}]*)\}|^#+\s+(.+)$", re.M)
_DECL = re.compile(r"(?:^|\n)\s*(?:%|<!--)\s*verify:\s*(.*?)(?:-->)?\s*(?=\n|$)")


def _declarations(text: str):
    """(symbols, functions, define, indices, planted) from ``verify:`` comment lines."""
    symbols, functions, define, indices, planted = {}, {}, {}, {}, None
    for m in _DECL.finditer(text):
        for entry in m.group(1).split(";"):
            entry = entry.strip()
            if not entry:
                continue
            if re.fullmatch(r"indices from ([01])", entry):
                indices["__base__"] = entry[-1]
                continue
            mm = re.fullmatch(r"planted\s+(\d+)", entry)
            if mm:
                planted = int(mm.group(1))
                continue
            kind = "symbol"
            for word in ("define", "function", "index"):
                if entry.startswith(word + " "):
                    kind, entry = word, entry[len(word) + 1:].strip()
            if "=" not in entry:
                raise ValidationError(f"verify: {entry!r}: write name = value")
            key, value = (s.strip() for s in entry.split("=", 1))
            key = re.sub(r"(?<![A-Za-z])([A-Za-z])'", r"\1prime", key)
            if kind == "define":
                define[key] = value
            elif kind == "function":
                functions[key] = value
            elif kind == "index":
                for name in key.split(","):
                    indices[name.strip()] = value
            else:
                for name in key.split(","):
                    symbols[name.strip()] = value
    return symbols, functions, define, indices, planted


def _strip_comments(text):
    return re.sub(r"(?<!\\)%.*", "", text)


def split_block(body: str):
    """``[(first_expression_text, None), (line_text, relation), ...]`` from an align body."""
    body = _strip_comments(body)
    body = re.sub(r"\\(?:label|tag)\*?\{[^}]*\}|\\nonumber|\\notag", " ", body)
    body = re.sub(r"\\(?:begin|end)\{(?:aligned|split|gathered|alignedat)\}(?:\{\d+\})?", " ", body)
    # annotated relations: \overset{(a)}{=}, \stackrel{\text{Jensen}}{\le}, \underset{...}{=}: the relation
    body = re.sub(r"\\(?:overset|stackrel|underset)\s*\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\}\s*\{\s*([^{}]*?)\s*\}",
                  r" \1 ", body)
    raw = [ln for ln in re.split(r"\\\\(?:\[[^\]]*\])?", body) if ln.strip()]
    out = []
    for k, ln in enumerate(raw):
        left, amp, right = ln.partition("&")
        left, right = left.strip(), right.replace("&", " ").strip()
        if not amp:
            left, right = "", ln.strip()
        if left and not out:
            out.append((left, None))
            left = ""
        text = (left + " " + right).strip()
        rel, rest = _leading_relation(text)
        rest = _strip_side_condition(rest)
        if not out:
            if rel is not None:
                raise AnswerError("the first line starts with a relation; write the first expression before '&'")
            out.append((text, None))
            continue
        out.append((rest, rel))
    return out


_DEF_EQ = re.compile(r":=|\\coloneqq|\\triangleq|\\doteq|\\equiv|\\stackrel\{[^{}]*\}\{=\}|\\overset\{[^{}]*\}\{=\}")


def _top_level_eq(text):
    """The position of the first ``=`` (or ``:=``, ``\\triangleq``, ...) outside braces and brackets, and its
    length; None when there is none."""
    depth = 0
    for k, ch in enumerate(text):
        if ch in "{([":
            depth += 1
        elif ch in "})]":
            depth -= 1
        elif depth == 0:
            m = _DEF_EQ.match(text, k)
            if m:
                return k, m.end() - k, True
            if ch == "=" and text[k - 1:k] not in ("<", ">", "!", "=") and text[k + 1:k + 2] != "=":
                return k, 1, False
    return None


def _name_first_line(lines, ctx, indices):
    """``G_t = \\sum ... &= ...``: a first line ``name = expression``. A name that is no expression
    (``G_t``, ``L(\\theta)``, ``\\frac{\\partial L}{\\partial z_i}`` with ``L`` undeclared) or a definition
    (``:=``, ``\\triangleq``) only names the expression; a left side that is an expression is a line of its own,
    joined to the right side by ``=`` (so it is judged)."""
    tex, _ = lines[0]
    hit = _top_level_eq(tex)
    if hit is None:
        return lines
    k, n, definition = hit
    left, right = tex[:k].strip(), tex[k + n:].strip()
    if not left or not right:
        return lines
    if not definition:
        try:
            free = {}
            plain = latex_to_plain(left, ctx, indices, free)
            ctx.parse_expr(plain, extra_symbols=tuple(free))
            return [(left, None), (right, "=")] + lines[1:]
        except (AnswerError, ValueError, IndexError, RecursionError):
            pass
    return [(right, None)] + lines[1:]


_SIDE = re.compile(r"\\forall|\\in(?![A-Za-z])|\\[lc]?dots|\\text\s*\{\s*(?:for|if|where|with|when)\b"
                   r"|\\q?quad\s*[A-Za-z](?:'|_\{?\w+\}?)?\s*(?:=|\\in)")


def _strip_side_condition(text):
    """A side condition after the expression (``\\quad \\forall i``, ``\\qquad i = 0, \\dots, n-1``,
    ``\\quad\\text{for } x > 0``) is not part of the line."""
    m = re.search(r"(?:,\s*)?\\q?quad(?![A-Za-z])|,?\s*\\forall", text)
    if m and re.search(r"\\text\s*\{\s*(?:and|or)\s*\}|\\(?:land|wedge|lor|vee)(?![A-Za-z])", text[m.start():]):
        return text  # a conjunction is not a side condition (and is not understood: the line stays unreadable)
    if m and (_SIDE.search(text, m.start()) or "\\forall" in m.group()):
        return text[:m.start()].rstrip().rstrip(",")
    return text


def _leading_relation(text):
    for pat, rel in _REL_TEX:
        m = re.match(r"\s*(?:" + pat + r")\s*", text)
        if m:
            return rel, text[m.end():]
    return None, text


def _statement(text):
    """A statement line (after ==>): its LaTeX relation becomes ==, <=, ..."""
    for pat, rel in _REL_TEX[4:]:
        m = re.search(pat, text)
        if m:
            return text[:m.start()], ("==" if rel == "=" else rel), text[m.end():]
    raise AnswerError("after \\implies write a statement: lhs = rhs or lhs \\le rhs")


def _mask_code(text: str) -> str:
    """Markdown: code spans and fenced code blocks blanked out (same length), so a `$$` in prose is no block."""
    blank = lambda m: re.sub(r"[^\n]", " ", m.group())  # noqa: E731
    text = re.sub(r"^```.*?^```", blank, text, flags=re.S | re.M)
    return re.sub(r"`[^`\n]*`", blank, text)


def loads_latex(text: str, *, name: str = "<string>") -> list:
    if name.endswith((".md", ".markdown")):
        text = _mask_code(text)
    blocks = list(_BLOCK.finditer(text))
    if not blocks:
        raise FileError(f"{name}: no align or $$ blocks")
    out, prev_end = [], 0
    for k, m in enumerate(blocks):
        display = m.group(3) if m.group(3) is not None else m.group(4)  # $$ ... $$ or \[ ... \]
        body = m.group(2) if m.group(2) is not None else display
        line_no = text.count("\n", 0, m.start()) + 1
        before = text[prev_end:m.start()]
        prev_end = m.end()
        label = re.search(r"\\label\{([^}]*)\}", body)
        heads = list(_HEAD.finditer(text, 0, m.start()))
        did = label.group(1) if label else (
            (heads[-1].group(1) or heads[-1].group(2)).strip() if heads else f"block-{k + 1}")
        if "\\\\" not in body and display is not None:
            continue  # a $$ block without lines: displayed mathematics, not a derivation
        der = Derivation(did, position=f"line {line_no}")
        decl_text = before[-2000:]
        try:
            symbols, functions, define, indices, planted = _declarations(decl_text)
            der.context = Context.build(symbols, functions, define)
            der.source = {"form": "latex", "span": (m.start(), m.end()), "planted": planted, "indices": indices}
        except (ValidationError, AnswerError) as exc:
            der.error = f"{did} ({der.position}): {exc}"
            der.source = {"form": "latex", "span": (m.start(), m.end()), "planted": None, "indices": {}}
            indices = {}
        try:
            lines = split_block(body)
        except AnswerError as exc:
            der.error = der.error or f"{did} ({der.position}): {exc}"
            lines = []
        if der.context is not None and lines and not any(r in ("==>", "<=>") for _, r in lines[1:]):
            lines = _name_first_line(lines, der.context, indices)
        free, plains = {}, []
        for i, (tex, rel) in enumerate(lines):  # first pass: the plain text, and the free indices of the block
            if der.context is None:
                plains.append(None)
                continue
            if rel in UNCHECKABLE:
                plains.append(AnswerError(UNCHECKABLE[rel]))
                continue
            try:
                if rel in ("==>", "<=>") or (i == 0 and any(r in ("==>", "<=>") for _, r in lines[1:])):
                    l, op, r = _statement(tex)
                    plain = f"{latex_to_plain(l, der.context, indices, free)} {op} " \
                            f"{latex_to_plain(r, der.context, indices, free)}"
                else:
                    plain = latex_to_plain(tex, der.context, indices, free)
                plains.append(plain)
            except AnswerError as exc:
                plains.append(exc)
            except (RecursionError, MemoryError, ValueError, IndexError) as exc:
                plains.append(AnswerError(f"cannot read this line ({type(exc).__name__}: {exc})"))
        if free and der.context is not None:
            from ..answers.sized_domains import parse_sized

            extra = free_index_domains(der.context, free, int(indices.get("__base__", 0)), indices)
            for name, dom in extra.items():
                der.context.domains[name] = parse_sized(dom, name=name)
            if extra:
                der.source["free_indices"] = extra
        for i, (tex, rel) in enumerate(lines):
            pos = f"line {line_no} of the file, line {i} of the block"
            st = Step(i, rel, tex.strip(), position=pos, source=tex.strip())
            if der.context is None:
                st.error = "the block's declarations are invalid"
            elif isinstance(plains[i], AnswerError):
                st.error = str(plains[i])
            else:
                try:
                    st.text = tidy(plains[i])
                    st.node = der.context.parse_line(plains[i])
                except AnswerError as exc:
                    st.error = str(exc)
                except (RecursionError, MemoryError, ValueError, IndexError) as exc:
                    st.error = f"cannot read this line ({type(exc).__name__}: {exc})"
            der.steps.append(st)
        if not der.steps and not der.error:
            der.error = f"{did}: an empty block"
        out.append(der)
    if not out:
        raise FileError(f"{name}: no derivation blocks (blocks with \\\\ lines)")
    return out


def read_latex(path) -> list:
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise FileError(f"{path}: cannot be read ({exc})") from None
    return loads_latex(text, name=str(path))


# ---------------------------------------------------------------------------
# LaTeX -> plain language
# ---------------------------------------------------------------------------

def _normalise(s: str) -> str:
    s = re.sub(r"\\left\s*\\\||\\right\s*\\\||\\lVert|\\rVert|\\Vert", "‖", s)
    s = re.sub(r"\\left\s*\||\\lvert", "⌈", s)
    s = re.sub(r"\\right\s*\||\\rvert", "⌉", s)
    s = re.sub(r"\\left\s*\.|\\right\s*\.", " ", s)
    s = re.sub(r"\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|big|Big|bigg|Bigg)(?![A-Za-z])", " ", s)
    s = s.replace(r"\|", "‖")
    s = re.sub(r"\\[,;:!]|\\q?quad(?![A-Za-z])|~|\\displaystyle|\\textstyle", " ", s)
    s = re.sub(r"\\(?:mathbf|boldsymbol|bm|mathbb)\s*(?:\{\s*1\s*\}|1(?![0-9]))", r" \\ONES ", s)  # the ones vector
    s = re.sub(r"\\(?:mathsf|mathrm|rm|textsf|sf)\s*(?:\{\s*T\s*\}|T(?![A-Za-z]))", "T", s)  # x^{\mathsf{T}}
    s = re.sub(r"\\(?:mathbf|boldsymbol|bm|mathit)\s*\{([^{}]*)\}", r"\1", s)
    s = re.sub(r"\\(bar|hat|tilde)\s+([A-Za-z])(?![A-Za-z])", r"\\\1{\2}", s)
    s = re.sub(r"\\(bar|hat|tilde|overline|widehat|widetilde)\s*\{\s*\\?([A-Za-z]+)\s*\}",
               lambda m: " " + m.group(2) + {"overline": "bar", "widehat": "hat", "widetilde": "tilde"}.get(m.group(1), m.group(1)) + " ", s)
    s = re.sub(r"\\(?:underbrace|overbrace)\s*\{((?:[^{}]|\{[^{}]*\})*)\}\s*[_^]\s*\{(?:[^{}]|\{[^{}]*\})*\}", r"{\1}", s)
    s = re.sub(r"[.,;]\s*$", "", s.rstrip())  # the sentence's full stop after the last line
    s = re.sub(r"\\(?:no)?limits(?![A-Za-z])", " ", s)
    # conditional notation pi(a | s), P(s' | s): the conditioning index first, as in pi[s, a]
    s = re.sub(r"(\\?[A-Za-z]+'*\s*(?:_\s*\\?[A-Za-z]+|_\s*\{[^{}]*\})?)\s*\(\s*([^()|]+?)\s*(?:\\mid(?![A-Za-z])|\\vert|\|)\s*([^()|]+?)\s*\)",
               r"\1(\3, \2)", s)
    s = re.sub(r"\\(?:operatorname|mathrm|text|textrm)\s*\{\s*(KL|D_\{?KL\}?)\s*\}\s*\(([^()‖]*)‖([^()]*)\)", r" KL(\2, \3) ", s)
    s = re.sub(r"\\(?:operatorname|mathrm|text|textrm)\s*\{\s*(?:tr|Tr|trace)\s*\}", " trace ", s)
    s = re.sub(r"\\(operatorname|mathrm|text|textrm)\s*\{\s*([A-Za-z]+)\s*\}",
               lambda m: f" {m.group(2)} " if m.group(1) in ("operatorname", "mathrm") or m.group(2) in _TEXT_WORDS
               else " ", s)
    s = re.sub(r"\\(?:text|textit|textbf|mbox|intertext)\s*\{[^{}]*\}", " ", s)  # commentary: (\text{by Jensen})
    s = re.sub(r"\(\s*\)", " ", s)
    s = re.sub(r"\\mathbb\s*\{\s*E\s*\}|\\mathbb\s*E", " E", s)
    s = re.sub(r"\\mathcal\s*\{\s*O\s*\}|\\mathcal\s*O|\\operatorname\{O\}", " O", s)
    s = re.sub(r"\\mathcal\s*\{\s*N\s*\}|\\mathcal\s*N", " N", s)
    s = re.sub(r"\^\s*\{\s*-\s*1\s*\}", "**(-1)", s)
    s = re.sub(r"\^\s*\{\s*(?:\\top|\\intercal|T)\s*\}|\^\s*\\top|\^\s*T(?![A-Za-z])|\^\s*\\intercal", ".T ", s)
    s = re.sub(r"([A-Za-z])\s*\^\s*(?:\{\s*(?:\*|\\star)\s*\}|\*|\\star)", r"\1star", s)
    s = re.sub(r"\\infty", "{oo}", s)
    s = re.sub(r"\\cdot(?![A-Za-z])", r" \\CDOT ", s)  # u \cdot v of two vectors is their inner product
    s = re.sub(r"\\(?:times|circ|odot)", " * ", s)
    s = re.sub(r"\\langle(.*?)\\rangle", r" dot(\1) ", s)
    s = re.sub(r"([_^])\s*\\(" + "|".join(_GREEK) + r")(?![A-Za-z])", r"\1{\2}", s)
    s = re.sub(r"\\(" + "|".join(_GREEK) + r")(?![A-Za-z])", r" \1", s)
    s = re.sub(r"\\(Phi|phi)(?![A-Za-z])", r" \1 ", s)
    s = re.sub(r"\\(?:dfrac|tfrac)", r"\\frac", s)
    s = re.sub(r"\\frac\s*12(?![0-9])", r"\\frac{1}{2}", s)
    # delimiters: innermost first
    for _ in range(50):
        new = re.sub(r"⌈([^⌈⌉]*)⌉", r"\\ABS{\1}", s)
        new = re.sub(r"‖([^‖⌈⌉]*)‖\s*(_\s*\{?\s*(?:oo|1|2|F)\s*\}?)?",
                     lambda m: "\\NORM{" + m.group(1) + "}{" + (re.sub(r"[_{}\s]", "", m.group(2)) if m.group(2) else "2") + "}",
                     new)
        new = re.sub(r"\|([^|‖⌈⌉]*)\|", r"\\ABS{\1}", new)
        if new == s:
            break
        s = new
    if any(c in s for c in "|‖⌈⌉"):
        raise AnswerError("unbalanced | or \\| delimiters")
    return s


def _group(s, i, open_="{", close="}"):
    """(content, index after) of the group opening at s[i]."""
    depth = 0
    for j in range(i, len(s)):
        depth += s[j] == open_
        depth -= s[j] == close
        if depth == 0:
            return s[i + 1:j], j + 1
    raise AnswerError(f"unbalanced {open_}{close}")


def _skip_ws(s, i):
    while i < len(s) and s[i] == " ":
        i += 1
    return i


def _arg(s, i):
    """A TeX argument at s[i]: a brace group or one token. (text, index after)."""
    i = _skip_ws(s, i)
    if i < len(s) and s[i] == "{":
        return _group(s, i)
    if s[i] == "\\":
        m = re.match(r"\\[A-Za-z]+", s[i:])
        return m.group(), i + m.end()
    return s[i], i + 1


def _term_end(s, i):
    """Index where the product term starting at i ends: a top-level + or -, a comma or a closing bracket."""
    depth, j = 0, _skip_ws(s, i)
    if j < len(s) and s[j] in "+-":
        j += 1
    start = j
    while j < len(s):
        c = s[j]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                return j
            depth -= 1
        elif depth == 0 and (c in "+=<>&," or (c == "-" and j > start and not s[start:j].rstrip().endswith(("*", "/", "(", "**")))):
            if c == "-" and s[j - 1] in "^_":
                j += 1
                continue
            return j
        j += 1
    return j


def _subscript(s, i):
    """Text of a subscript or superscript at s[i] (after _ or ^), and the index after."""
    return _arg(s, i)


def _infer_range(var, body, ctx):
    """The length an index runs over, from the first declared array it indexes in ``body`` (LaTeX):
    ``V_s``, ``P_{s,t}``, ``Q(s, a)``; None when no array with a known size is indexed by it."""
    for m in re.finditer(r"\\?([A-Za-z]+)\s*(?:_\s*\{([^{}]*)\}|_\s*([A-Za-z])|\(([^()]*)\))", body):
        name = m.group(1)
        d = ctx.domains.get(name)
        if d is None or d.kind not in ("vector", "matrix"):
            continue
        idx = [t.strip() for t in (m.group(2) or m.group(3) or m.group(4) or "").split(",")]
        if var in idx:
            pos = idx.index(var)
            sizes = d.sizes if d.kind == "matrix" or len(idx) > 1 else d.sizes[:1]
            if pos < len(sizes):
                lab = sizes[pos]
                if isinstance(lab, int) or (lab in ctx.domains and ctx.domains[lab].kind == "integer"):
                    return str(lab)
                return f"dim({name}, {pos})"  # a size label that is no symbol: the array's own size
    return None


def _bounds(sub, sup, ctx, indices, body=""):
    m = re.match(r"\s*([A-Za-z]\w*)\s*=\s*(.+)$", sub or "")
    if m:
        var, lo = m.group(1), m.group(2)
        hi = sup if sup is not None else None
        if hi is None:
            raise AnswerError(f"\\sum_{{{sub}}} needs an upper limit ^{{...}}")
        return var, lo, hi
    var = (sub or "").strip()
    mm = re.fullmatch(r"([A-Za-z]\w*)\s*(?:\\in|in)\s*.*", var)
    if mm:
        var = mm.group(1)
    if var in indices:
        if int(indices.get("__base__", 0)) == 1:
            return var, "1", f"{indices[var]}"
        return var, "0", f"{indices[var]} - 1"
    size = _infer_range(var, body, ctx)
    if size is not None:
        if int(indices.get("__base__", 0)) == 1:
            return var, "1", size
        return var, "0", f"{size} - 1"
    raise AnswerError(f"the range of the index {var!r} is unknown: write \\sum_{{{var}=0}}^{{n-1}} or declare "
                      f"'index {var} = n' in the verify: comment")


def _flat(sub):
    """A subscript as part of a name: ``{\\max}`` -> ``max``, ``\\text{old}`` -> ``old``, ``{t+1}`` -> ``t+1``."""
    sub = re.sub(r"\\(?:mathrm|text|textrm|operatorname|rm|mathit)\s*", "", sub)
    return re.sub(r"[\s{}\\]", "", sub)


def _split_commas(text):
    parts, depth, cur = [], 0, ""
    for ch in text:
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    return parts + [cur]


class _Conv:
    def __init__(self, ctx, indices, free=None):
        self.ctx, self.indices = ctx, indices
        self.base = int(indices.get("__base__", 0))
        self.names = set(ctx.domains) | set(ctx.defines) | set(ctx.params) | set(ctx.functions) | set(ctx.seqdefs) \
            | set(indices)
        self.free = free if free is not None else {}  #: free index name -> [(array name or None, position)]
        self.bound = []  #: variables bound by the enclosing sums, maxima and expectations
        self.ranges = {}  #: variable of an enclosing sum -> (lo, hi), plain text

    def _unit_vector(self, sub):
        """``e_a`` (``e`` undeclared): the a-th standard basis vector, as long as the range of ``a``."""
        var = _flat(sub)
        if var in self.ranges:
            lo, hi = self.ranges[var]
            length = f"({hi}) - ({lo}) + 1"
            return f" eye({length})[{var} - ({lo})] "
        if var in self.indices:
            return f" eye({self.indices[var]})[{self._index(var)}] "
        raise AnswerError(f"e_{{{sub}}}: the standard basis vector is understood for an index of a sum or a declared "
                          f"'index {var} = n'; else declare e")

    def _note_indices(self, sub, array=None):
        """Record the undeclared names used alone as an index (``p_i``, ``softmax(z)_i``, ``\\delta_{ij}``):
        free indices, quantified over the positions of the array they index."""
        parts = _split_commas(sub) if "," in sub else [sub]
        for pos, part in enumerate(parts):
            ident = _flat(part)
            ident = re.sub(r"'", "prime", ident)
            if not re.fullmatch(r"[A-Za-z]\w*", ident) or ident in self.bound:
                continue
            if ident in self.names and ident not in self.indices:
                continue
            self.free.setdefault(ident, []).append((array, pos if len(parts) > 1 or array else 0))

    def conv(self, s: str) -> str:  # noqa: C901 (one case per construct)
        fns = set(self.ctx.functions) | set(self.ctx.params)
        s = re.sub(r"(?<![A-Za-z\\])([A-Za-z])'(?!')", lambda m: m.group(0) if m.group(1) in fns else m.group(1) + "prime", s)
        out, i = [], 0
        while i < len(s):
            c = s[i]
            if c == "\\":
                m = re.match(r"\\([A-Za-z]+)", s[i:])
                if not m:
                    raise AnswerError(f"unknown LaTeX command {s[i:i + 2]!r}")
                word, j = m.group(1), i + m.end()
                if word == "frac":
                    a, j = _arg(s, j)
                    b, j = _arg(s, j)
                    da = re.fullmatch(r"\s*(?:\\partial|d)\s*(?:\^\s*\{?\s*(\d)\s*\}?)?\s*(.*)", a, re.S)
                    db = re.fullmatch(r"\s*(?:\\partial|d)\s*(.+?)\s*(?:\^\s*\{?\s*(\d)\s*\}?)?\s*", b, re.S)
                    if da and db and "d" in self.names and not a.strip().startswith("\\partial"):
                        da = db = None  # a declared d: a fraction
                    if da and db:
                        var = self.conv(db.group(1)).strip()
                        k = da.group(1) or db.group(2) or "1"
                        kk = "" if k == "1" else f", {k}"
                        if da.group(2).strip():
                            out.append(f" diff({self.conv(da.group(2))}, {var}{kk}) ")
                        else:
                            e = _term_end(s, j)
                            out.append(f" diff(({self.conv(s[j:e])}), {var}{kk}) ")
                            j = e
                    else:
                        out.append(f"(({self.conv(a)})/({self.conv(b)}))")
                    i = j
                    continue
                if word == "sqrt":
                    a, j = _arg(s, j)
                    out.append(f" sqrt({self.conv(a)}) ")
                    i = j
                    continue
                if word in ("ABS", "NORM"):
                    a, j = _arg(s, j)
                    if word == "ABS":
                        out.append(f" abs({self.conv(a)}) ")
                    else:
                        p, j = _arg(s, j)
                        x = self.conv(a)
                        out.append(f" sqrt(trace(({x}).T @ ({x}))) " if p == "F" else
                                   f" norm({x}, {p}) " if p != "2" else f" norm({x}) ")
                    i = j
                    continue
                if word in _BIG:
                    j = _skip_ws(s, j)
                    if word in ("max", "min") and (j >= len(s) or s[j] != "_"):
                        out.append(f" {word} ")
                        i = j
                        continue
                    sub = sup = None
                    while j < len(s) and s[j] in "_^":
                        t, j2 = _subscript(s, j + 1)
                        if s[j] == "_":
                            sub = t
                        else:
                            sup = t
                        j = _skip_ws(s, j2)
                    e = _term_end(s, j)
                    var, lo, hi = _bounds(sub, sup, self.ctx, self.indices, s[j:e])
                    self.bound.append(var)
                    self.ranges[var] = (self.conv(lo), self.conv(hi))
                    try:
                        body = self.conv(s[j:e])
                    finally:
                        self.bound.pop()
                        self.ranges.pop(var, None)
                    out.append(f"{word}(({body}), ({var}, {self.conv(lo)}, {self.conv(hi)}))")
                    i = e
                    continue
                if word == "nabla":
                    j = _skip_ws(s, j)
                    if j >= len(s) or s[j] != "_":
                        raise AnswerError("write \\nabla_x with the variable")
                    var, j = _subscript(s, j + 1)
                    var = self.conv(var).strip()
                    e = _term_end(s, j)
                    out.append(f" diff(({self.conv(s[j:e])}), {var}) ")
                    i = e
                    continue
                if word == "ONES":
                    out.append(" ONESVEC ")
                    i = j
                    continue
                if word == "CDOT":
                    out.append(" % ")
                    i = j
                    continue
                if word == "partial":
                    raise AnswerError("write derivatives as \\frac{\\partial}{\\partial x} or \\nabla_x")
                if word in _FN_WORDS:
                    word = _FN_NAME.get(word, word)
                    j = _skip_ws(s, j)
                    if j < len(s) and s[j] == "^" and word not in ("sqrt",):
                        pw, j2 = _arg(s, j + 1)  # \tanh^2 x, \log^2(x): a power of the value
                        if re.fullmatch(r"\s*-\s*1\s*", pw) or pw.strip().startswith("*"):
                            raise AnswerError(f"\\{word}^{{-1}}: write the inverse function by name")
                        j2 = _skip_ws(s, j2)
                        if j2 < len(s) and s[j2] == "(":
                            a, e = _group(s, j2, "(", ")")
                        else:
                            e = self._factor_end(s, j2)
                            a = s[j2:e]
                        out.append(f" ({word}({self.conv(a)}))**({self.conv(pw)}) ")
                        i = e
                        continue
                    if j < len(s) and s[j] == "(":
                        out.append(f" {word}")
                        i = j
                        continue
                    if s.startswith(("\\sum", "\\prod", "\\max", "\\min", " E", "E"), j):
                        e = _term_end(s, j)
                    else:
                        e = self._factor_end(s, j)
                    out.append(f" {word}({self.conv(s[j:e])}) ")
                    i = e
                    continue
                raise AnswerError(f"unknown LaTeX command \\{word}")
            if s.startswith(".T", i) and not s[i + 2:i + 3].isalnum():
                out.append(".T ")
                i += 2
                continue
            if c == "_" and "".join(out).rstrip().endswith((")", "]")):
                # softmax(z)_i, sigma(z)_i, (Ax)_i: an entry of the value before
                sub, j = _subscript(s, i + 1)
                out.append(f"[{self._index(self.conv(sub))}]")
                self._note_indices(sub)
                i = j
                continue
            if c in "_":
                raise AnswerError("a subscript without a name before it")
            if c == "[":
                a, j = _group(s, i, "[", "]")  # square brackets group, as parentheses
                out.append(f"({self.conv(a)})")
                i = j
                continue
            if c == "^":
                a, j = _arg(s, i + 1)
                out.append(f"**({self.conv(a)})")
                i = j
                continue
            if c == "{":
                a, j = _group(s, i)
                out.append(f"({self.conv(a)})")
                i = j
                continue
            if c.isalpha():
                m = re.match(r"[A-Za-z][A-Za-z0-9]*", s[i:])
                name, j = m.group(), i + m.end()
                if name in ("E", "Var", "Cov") and name not in self.names:
                    j2 = _skip_ws(s, j)
                    if j2 < len(s) and s[j2] == "_":
                        sub, j3 = _subscript(s, j2 + 1)
                        j3 = _skip_ws(s, j3)
                        mm = re.fullmatch(r"\s*([A-Za-z]\w*)\s*\\sim\s*(.+)", sub, re.S)
                        if not mm or j3 >= len(s) or s[j3] != "[":
                            raise AnswerError(f"write {name}_{{a \\sim p}}[...]")
                        body, j4 = _group(s, j3, "[", "]")
                        self.bound.append(mm.group(1))
                        try:
                            body = self.conv(body)
                        finally:
                            self.bound.pop()
                        out.append(f" {name}[{body}, ({mm.group(1)}, {self.conv(mm.group(2))})]")
                        i = j4
                        continue
                if name == "e" and "e" not in self.names and s[j:j + 1] == "_":
                    sub, j2 = _subscript(s, j + 1)
                    out.append(self._unit_vector(sub))
                    i = j2
                    continue
                if name == "e" and "e" not in self.names and not s[j:j + 1].isalnum() and s[j:j + 1] != "^" \
                        and s[j:j + 1] != "(":
                    out.append(" exp(1) ")  # Euler's number
                    i = j
                    continue
                if name == "e" and "e" not in self.names and s[j:j + 1] == "^":
                    a, j2 = _arg(s, j + 1)
                    out.append(f" exp({self.conv(a)}) ")
                    i = j2
                    continue
                primes = 0
                while j < len(s) and s[j] == "'":
                    primes, j = primes + 1, j + 1
                fname = name
                if primes and name == "sigma" and name not in self.names:
                    fname = "sigmoid"  # sigma'(x): the derivative of the sigmoid
                if primes:
                    if fname == name and name not in self.ctx.functions and name not in self.ctx.params:
                        raise AnswerError(f"{name}' : primes are understood on declared functions only")
                    j = _skip_ws(s, j)
                    if j >= len(s) or s[j] != "(":
                        raise AnswerError(f"write {name}{chr(39) * primes}(x)")
                    a, j = _group(s, j, "(", ")")
                    arg = self.conv(a).strip()
                    if not re.fullmatch(r"[A-Za-z]\w*", arg):
                        raise AnswerError(f"{name}{chr(39) * primes}({arg}): the argument must be a symbol")
                    out.append(f" diff({fname}({arg}), {arg}{'' if primes == 1 else f', {primes}'}) ")
                    i = j
                    continue
                if name == "delta" and name not in self.names and j < len(s) and s[j] == "_":
                    sub, j2 = _subscript(s, j + 1)
                    parts = _split_commas(sub) if "," in sub else list(re.sub(r"[\s{}]", "", sub))
                    if len(parts) != 2:
                        raise AnswerError(f"write Kronecker's delta as \\delta_{{ij}} or \\delta_{{i,j}}, not \\delta_{{{sub}}}")
                    out.append(f" delta({self.conv(parts[0])}, {self.conv(parts[1])}) ")
                    for part in parts:
                        self._note_indices(part)
                    i = j2
                    continue
                if j < len(s) and s[j] == "_":
                    sub, j2 = _subscript(s, j + 1)
                    flat = re.sub(r"[\s{}]", "", sub)
                    if name in self.names and self._is_parameter(flat) and name + flat not in self.names:
                        j, sub = j2, None  # pi_theta(a): the subscript names a parameter; go on with (a)
                if j < len(s) and s[j] == "_":
                    sub, j2 = _subscript(s, j + 1)
                    flat = _flat(sub)
                    if name + flat in self.names or f"{name}_{flat}" in self.names:
                        out.append(" " + (name + flat if name + flat in self.names else f"{name}_{flat}") + " ")
                    elif name in self.names and self._is_parameter(flat):
                        out.append(f" {name} ")  # pi_theta: the subscript names a parameter, not an index
                    elif name in self.names:
                        d = self.ctx.domains.get(name)
                        pair = re.fullmatch(r"\s*\{?\s*([A-Za-z]'*|\d)\s*([A-Za-z]'*|\d)\s*\}?\s*", sub)
                        if d is not None and d.kind == "matrix" and "," not in sub and pair \
                                and not any(pair.group(1) + pair.group(2) == n for n in self.names):
                            sub = f"{pair.group(1)}, {pair.group(2)}"  # P_{ij}, P_{sj}: row and column
                        out.append(f" {name}[{self._index(self.conv(sub))}]")
                        self._note_indices(sub, name)
                    else:
                        raise AnswerError(f"{name}_{{{sub}}}: {name} is not a declared vector, matrix or sequence "
                                          f"(and {name}{flat} is not a declared symbol)")
                    i = j2
                    continue
                j2 = _skip_ws(s, j)
                if name == "sigma" and name not in self.names and j2 < len(s) and s[j2] == "(":
                    out.append(" sigmoid")
                    i = j2
                    continue
                if name in self.names and self._array_symbol(name) and j2 < len(s) and s[j2] == "(":
                    a, j3 = _group(s, j2, "(", ")")
                    conv = self.conv(a)
                    if not _Juxtapose(self.ctx)._is_array(_tokens(_Juxtapose(self.ctx).run(conv))):
                        out.append(f" {name}[{self._index(conv)}]")  # V(s), Q(s, a), pi(a): function notation
                        self._note_indices(a, name)
                        i = j3
                        continue
                out.append(" " + self._split_name(name) + " ")
                i = j
                continue
            out.append(c)
            i += 1
        return "".join(out)

    def _array_symbol(self, name):
        d = self.ctx.domains.get(name)
        if d is not None:
            return d.kind in ("vector", "matrix")
        if name in self.ctx.defines:
            from .judge import evaluate_at

            try:
                v = evaluate_at(self.ctx, self.ctx.defines[name], _dummy_env(self.ctx), None)
            except Exception:  # noqa: BLE001
                return False
            return isinstance(v, np.ndarray) and v.size > 1
        return False

    def _is_parameter(self, flat):
        d = self.ctx.domains.get(flat)
        return d is not None and d.kind in ("real", "vector", "matrix") and flat not in self.indices

    def _index(self, text):
        if self.base == 1:
            return ", ".join(f"({part.strip()}) - 1" for part in _split_commas(text))
        return text

    def _factor_end(self, s, j):
        j = _skip_ws(s, j)
        if j < len(s) and s[j] in "({[":
            _, j = _group(s, j, s[j], {"(": ")", "{": "}", "[": "]"}[s[j]])
        elif j < len(s) and s[j] == "\\":
            m = re.match(r"\\[A-Za-z]+", s[j:])
            j += m.end()
            if m.group() in ("\\frac",):
                _, j = _arg(s, j)
                _, j = _arg(s, j)
            elif m.group() in ("\\ABS", "\\sqrt"):
                _, j = _arg(s, j)
            elif m.group() == "\\NORM":
                _, j = _arg(s, j)
                _, j = _arg(s, j)
        else:
            m = re.match(r"[A-Za-z0-9.]+'*", s[j:])
            j += m.end() if m else 1
            callable_ = set(FUNCTIONS) | set(NEW_FUNCTIONS) | set(self.ctx.functions) | set(self.ctx.params) \
                | {"trace", "KL", "softmax", "logsumexp", "outer"}
            if m and m.group() in callable_:
                j = _skip_ws(s, j)  # \log \mathrm{softmax}(z)_i: the function's argument belongs to the factor
        while j < len(s) and s[j] in "_^(":
            if s[j] == "(":
                _, j = _group(s, j, "(", ")")
            else:
                _, j = _arg(s, j + 1)
        return j

    def _split_name(self, name):
        known = self.names | set(FUNCTIONS) | set(NEW_FUNCTIONS) | {"E", "O", "N", "Var", "Cov", "oo", "pi", "diff",
                                                                    "KL", "softmax", "logsumexp", "trace", "outer"}
        if name in known or len(name) == 1 or not name.isalpha():
            return name
        if all(ch in self.names for ch in name):
            return " ".join(name)
        return name


# ---------------------------------------------------------------------------
# juxtaposition: * or @
# ---------------------------------------------------------------------------

_TOK = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>\*\*|\.T|==|<=|>=|[-+*/@()\[\],<>%]))")


def _tokens(s):
    toks, i = [], 0
    while i < len(s):
        m = _TOK.match(s, i)
        if not m or m.end() == i:
            if not s[i:].strip():
                break
            raise AnswerError(f"character {s[i]!r} is not understood")
        toks.append((m.lastgroup, m.group(m.lastgroup)))
        i = m.end()
    return toks


class _Juxtapose:
    def __init__(self, ctx):
        self.ctx = ctx
        self.callable = set(FUNCTIONS) | set(NEW_FUNCTIONS) | {"E", "O", "N", "Var", "Cov", "diff", "norm", "KL",
                                                               "trace", "outer", "prod"} \
            | set(ctx.functions) | set(ctx.params)
        self.env = _dummy_env(ctx)

    def _close(self, toks, k, step):
        """Index of the bracket matching toks[k] going in direction step."""
        depth, j = 0, k
        while 0 <= j < len(toks):
            t = toks[j][1]
            depth += t in ("(", "[") if step > 0 else t in (")", "]")
            depth -= t in (")", "]") if step > 0 else t in ("(", "[")
            if depth == 0:
                return j
            j += step
        raise AnswerError("unbalanced brackets")

    def _left_start(self, toks, k):
        j = k
        while j >= 0:
            t = toks[j][1]
            if t in (")", "]"):
                j = self._close(toks, j, -1) - 1
                continue
            if t in (".T", "**"):
                j -= 1
                continue
            if toks[j][0] in ("name", "num"):
                if j >= 1 and toks[j - 1][1] == "**":
                    j -= 2
                    continue
                return j
            return j + 1
        return 0

    def _right_end(self, toks, k):
        j = k
        kind, t = toks[j]
        if t == "(":
            j = self._close(toks, j, 1) + 1
        elif kind in ("name", "num"):
            j += 1
            while j < len(toks) and toks[j][1] in ("(", "[") and (t in self.callable or toks[j][1] == "["):
                j = self._close(toks, j, 1) + 1
        else:
            return j + 1
        while j < len(toks) and toks[j][1] in (".T", "**"):
            if toks[j][1] == ".T":
                j += 1
            else:
                j = self._right_end(toks, j + 1) if toks[j + 1][1] != "-" else self._right_end(toks, j + 2)
        return j

    def _is_array(self, toks):
        v = self._value(toks)
        return isinstance(v, np.ndarray) and v.ndim >= 1 and v.size > 1

    def _value(self, toks):
        """The value of an operand at the dummy instance (None when it cannot be evaluated)."""
        text = self.run(" ".join(t for _, t in toks)) if len(toks) > 1 else toks[0][1]
        toks = _tokens(text)
        names = {t for kind, t in toks if kind == "name"}
        extra = {n for n in names if n not in self.ctx.symbols and n not in self.callable and n not in
                 self.ctx.defines and n not in ("oo", "pi")}
        try:
            node = self.ctx.parse_expr(text, extra_symbols=extra)
            env = dict(self.env)
            env.update({n: 0 for n in extra})
            from .judge import evaluate_at

            return evaluate_at(self.ctx, node, env, None)
        except Exception:  # noqa: BLE001 (unknown: a scalar product)
            return None

    def _ones(self, toks):
        """``\\mathbf{1}``: the ones vector sized by the array it multiplies (``1^T p``, ``P 1``)."""
        k = 0
        while k < len(toks):
            if toks[k] == ("name", "ONESVEC"):
                if k + 2 < len(toks) and toks[k + 1][1] == ".T":
                    b = toks[k + 2:self._right_end(toks, k + 2)]
                    rep = _tokens(f"ones(dim(({' '.join(t for _, t in b)}), 0))")
                elif k > 0 and (toks[k - 1][0] in ("name", "num") or toks[k - 1][1] in (")", "]", ".T")):
                    a = toks[self._left_start(toks, k - 1):k]
                    rep = _tokens(f"ones(dim(({' '.join(t for _, t in a)}), 1))")
                else:
                    raise AnswerError("\\mathbf{1} is understood next to the array it multiplies (1^T p, P 1); "
                                      "else write ones(n)")
                toks = toks[:k] + rep + toks[k + 1:]
                k += len(rep)
                continue
            k += 1
        return toks

    def _dots(self, toks):
        """``u \\cdot v``: the inner product of two vectors, a matrix product of arrays, else a product."""
        k = 0
        while k < len(toks):
            if toks[k][1] == "%":
                a = toks[self._left_start(toks, k - 1):k] if k else []
                b = toks[k + 1:self._right_end(toks, k + 1)] if k + 1 < len(toks) else []
                va, vb = (self._value(a) if a else None), (self._value(b) if b else None)
                arr = lambda v: isinstance(v, np.ndarray) and v.size > 1  # noqa: E731
                if arr(va) and arr(vb):
                    col = lambda v: v.ndim == 2 and v.shape[1] == 1  # noqa: E731
                    toks[k:k + 1] = [("op", ".T"), ("op", "@")] if col(va) and col(vb) else [("op", "@")]
                else:
                    toks[k] = ("op", "*")
            k += 1
        return toks

    def run(self, s: str) -> str:
        toks = self._ones(_tokens(s))
        k = 1
        while k < len(toks):
            pk, pt = toks[k - 1]
            kind, t = toks[k]
            left_ends = (pk in ("num", "name") and pt not in self.callable) or pt in (")", "]", ".T")
            right_starts = kind in ("num", "name") or t == "("
            if pk == "name" and pt in self.callable and t in ("(", "["):
                right_starts = False
            if left_ends and right_starts:
                a = toks[self._left_start(toks, k - 1):k]
                b = toks[k:self._right_end(toks, k)]
                op = "@" if self._is_array(a) and self._is_array(b) else "*"
                toks.insert(k, ("op", op))
                k += 1
            k += 1
        return " ".join(t for _, t in self._row_entries(self._dots(self._inverses(toks))))

    def _row_entries(self, toks):
        """``(\\mu^\\top P)_j``: one index into a row vector is its entry (``[0, j]``), not a row."""
        k = 1
        while k < len(toks):
            if toks[k][1] == "[" and toks[k - 1][1] == ")":
                close = self._close(toks, k, 1)
                inner = toks[k + 1:close]
                if not any(t == "," for _, t in inner):
                    start = self._close(toks, k - 1, -1)
                    if start > 0 and toks[start - 1][0] == "name" and toks[start - 1][1] in self.callable:
                        start -= 1
                    v = self._value(toks[start:k])
                    if isinstance(v, np.ndarray) and v.ndim == 2 and v.shape[0] == 1 and v.shape[1] > 1:
                        toks = toks[:k + 1] + [("num", "0"), ("op", ",")] + toks[k + 1:]
            k += 1
        return toks

    def _inverses(self, toks):
        """``X^{-1}`` of a matrix is ``inv(X)`` (the judge's ``**`` is elementwise on arrays)."""
        k = 0
        while k + 4 < len(toks):
            if [t for _, t in toks[k:k + 5]] == ["**", "(", "-", "1", ")"] and k > 0:
                start = self._left_start(toks, k - 1)
                base = toks[start:k]
                if base and self._is_array(base):
                    toks = toks[:start] + [("name", "inv"), ("op", "(")] + base + [("op", ")")] + toks[k + 5:]
                    k = start
            k += 1
        return toks


_PRIMES = (7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47)


def _dummy_env(ctx, distinct=False):
    """Values of every declared symbol (sizes 3; ``distinct``: integer symbols and size labels take
    different primes, so that an array's shape names the labels it has)."""
    env, sizes = {}, {}
    primes = iter(_PRIMES)
    for name, d in ctx.domains.items():
        if d.kind == "integer":
            env[name] = next(primes, 3) if distinct else \
                3 if not isinstance(d.lo, int) else max(d.lo, min(3, d.hi if isinstance(d.hi, int) else 3))
    for name, d in ctx.domains.items():
        def size(lab):
            if isinstance(lab, int):
                return lab
            if lab in env:
                return int(env[lab])
            return sizes.setdefault(lab, next(primes, 3) if distinct else 3)
        if d.kind == "real":
            env[name] = 0.3
        elif d.kind == "vector":
            env[name] = np.full((size(d.sizes[0]), 1), 1.0 / size(d.sizes[0]))
        elif d.kind == "matrix":
            r, c = size(d.sizes[0]), size(d.sizes[1])
            env[name] = np.eye(r, c) * 0.5 + 0.5 / c
    fns = {f: members[0] for f, members in ctx.functions.items()}
    if fns:
        env["__fns__"] = fns
    if distinct:
        env["__labels__"] = {**{v: k for k, v in sizes.items()},
                             **{int(env[n]): n for n, d in ctx.domains.items() if d.kind == "integer"}}
    return env


def _size_label(ctx, array, pos):
    """The size label (an int or an integer symbol) of axis ``pos`` of a declared or defined array, or None."""
    d = ctx.domains.get(array)
    if d is not None:
        if d.kind not in ("vector", "matrix") or pos >= len(d.sizes):
            return None
        lab = d.sizes[pos]
    elif array in ctx.defines:
        from .judge import evaluate_at

        env = _dummy_env(ctx, distinct=True)
        labels = env.pop("__labels__", {})
        try:
            v = evaluate_at(ctx, ctx.defines[array], env, None)
        except Exception:  # noqa: BLE001 (not an array we can size)
            return None
        if not isinstance(v, np.ndarray) or pos >= v.ndim or (v.ndim == 2 and v.shape[1] == 1 and pos > 0):
            return None
        n = int(v.shape[pos])
        lab = labels.get(n, n if n not in _PRIMES else None)
    else:
        return None
    if isinstance(lab, int) or (lab in ctx.domains and ctx.domains[lab].kind == "integer"):
        return lab
    return None


def free_index_domains(ctx, free: dict, base: int, indices=None) -> dict:
    """Domains of the free indices of a block (``p_i - y_i`` with ``i`` undeclared): ``i`` runs over the
    positions of the first array it indexes whose size is known, ``0..n-1`` (``1..n`` with ``indices from 1``);
    a step holds when it holds for every admissible value."""
    out = {}
    for name, sites in free.items():
        if name in ctx.domains:
            continue
        if indices and name in indices:  # index a = K, used without a sum
            lab = indices[name]
            out[name] = f"integer in [{base}, {lab if base else f'{lab} - 1'}]"
            continue
        for array, pos in sites:
            lab = _size_label(ctx, array, pos) if array else None
            if lab is None:
                continue
            hi = (lab - 1 + base) if isinstance(lab, int) else (f"{lab} - 1" if base == 0 else lab)
            out[name] = f"integer in [{base}, {hi}]"
            break
    return out


def tidy(plain: str) -> str:
    """The translator's token-spaced text, spaced as a person would write it."""
    t = re.sub(r"\s+", " ", plain).strip()
    t = re.sub(r"([(\[])\s+", r"\1", t)
    t = re.sub(r"\s+([)\],])", r"\1", t)
    t = re.sub(r"(\w)\s+([(\[])", lambda m: m.group(1) + m.group(2) if m.group(1).isalnum() else m.group(0), t)
    t = re.sub(r"\s*\*\*\s*", "**", t)
    t = re.sub(r"\s+\.T\b", ".T", t)
    t = re.sub(r"([)\]])\s+\[", r"\1[", t)
    return t


def latex_to_plain(tex: str, ctx: Context, indices: dict, free: dict | None = None) -> str:
    """The plain-language text of one LaTeX expression (then parsed by the whitelist); undeclared names used
    alone as indices are recorded in ``free`` (name -> [(array, position)])."""
    s = _normalise(tex)
    plain = _Conv(ctx, indices, free).conv(s)
    return _Juxtapose(ctx).run(plain) if plain.strip() else plain
