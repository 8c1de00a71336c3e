r"""The question bank: every question of seed 004 with a definite answer, and key results of seed 001.

A :class:`Question` has the symbols an answer may use (name -> ``(domain, meaning)``), a
``reference`` in the plain answer language (trusted text, parsed by the same parser), a
``relation`` (``equal``, ``upper_bound``, ``lower_bound``, ``same_order``) and, for bounds, an
optional ``quantity``: an oracle computing the true value from primitive definitions. An
upper-bound answer is correct when it is at least the quantity everywhere and no larger than
the reference (at least as tight).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from derivations.results import RESULTS

from ..errors import ValidationError
from .domains import parse_domain

__all__ = ["Question", "BANK", "RELATIONS", "question_from_toml", "validate_question", "QUESTION_KEYS"]

QUESTION_KEYS = ("id", "prompt", "symbols", "reference", "relation", "quantity", "tolerance", "function", "wrt",
                 "order")

RELATIONS = ("equal", "upper_bound", "lower_bound", "same_order", "derivative", "up_to_constant")


@dataclass(frozen=True)
class Question:
    id: str
    prompt: str
    symbols: dict  #: name -> (domain text, meaning)
    reference: str
    relation: str
    quantity: object = None  #: bounds: callable(env) -> float from primitives, or an expression (custom questions)
    source: str = ""
    notes: str = ""
    domains: dict = field(default=None, compare=False)
    tolerance: dict | None = None  #: equal: opt-in numeric tolerance {relative = r} or {absolute = a}
    function: str = ""  #: derivative: the function differentiated
    wrt: str = ""  #: derivative: the symbol differentiated with respect to
    order: int = 1  #: derivative: 1 (gradient, Jacobian) or 2 (Hessian of a scalar)
    result: str = ""  #: the key of the :data:`derivations.results.RESULTS` entry this question asks for

    @classmethod
    def from_result(cls, key: str, prompt: str, relation: str, **kw) -> "Question":
        """``question = result + relation``: reference, symbols and source come from the derived result."""
        r = RESULTS[key]
        return cls(key, prompt, dict(r.symbols), r.plain, relation, source=kw.pop("source", r.source), result=key, **kw)

    def __post_init__(self):
        if self.relation not in RELATIONS:
            raise ValidationError(f"question {self.id}: relation={self.relation!r}; use one of {RELATIONS}")
        doms = {name: parse_domain(spec[0] if isinstance(spec, tuple) else spec, name=name)
                for name, spec in self.symbols.items()}
        object.__setattr__(self, "domains", doms)
        if self.tolerance is not None:
            tol = self.tolerance
            if not (isinstance(tol, dict) and tol and set(tol) <= {"relative", "absolute"}
                    and all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v < 1e6
                            for v in tol.values())):
                raise ValidationError(f"question {self.id}: tolerance={tol!r}; give {{ relative = 1e-3 }} or "
                                      "{ absolute = 0.01 } (non-negative numbers)")
            if self.relation != "equal":
                raise ValidationError(f"question {self.id}: a tolerance applies to relation = \"equal\" only")
        if self.relation == "derivative":
            if not self.function or self.wrt not in doms:
                raise ValidationError(f"question {self.id}: a derivative question needs function = \"...\" and "
                                      f"wrt = one of its symbols ({', '.join(doms)}); got wrt={self.wrt!r}")
            if self.order not in (1, 2):
                raise ValidationError(f"question {self.id}: order={self.order!r}; use 1 or 2 (the Hessian)")

    @property
    def array_names(self):
        return frozenset(n for n, d in self.domains.items() if d.kind in ("vector", "matrix"))

    def describe(self) -> dict:
        return {"id": self.id, "prompt": self.prompt, "relation": self.relation, "source": self.source,
                "symbols": {n: {"domain": s[0] if isinstance(s, tuple) else s,
                                "meaning": s[1] if isinstance(s, tuple) else ""} for n, s in self.symbols.items()}}


# --- quantities from primitives -------------------------------------------------


_CHAIN_XS = np.linspace(-20, 20, 40001)
_CHAIN_H = 1e-30


@lru_cache(maxsize=8)
def _chain_grid(act: str, layers: int):
    """For k = 1..layers: (argmax, max) over the grid of |d f_k/dx| for k stacked layers, by complex step,
    all depths in one pass through the layers (the same arithmetic as ``activation_chain`` per depth)."""
    from ..oracles.networks import _sigmoid

    f = {"sigmoid": _sigmoid, "tanh": np.tanh}[act]
    X = (_CHAIN_XS + 1j * _CHAIN_H)[:, None]
    out = []
    for _ in range(layers):
        X = f(X)
        vals = np.abs(X.imag[:, 0] / _CHAIN_H)
        i = int(np.argmax(vals))
        out.append((i, float(vals[i])))
    return tuple(out)


@lru_cache(maxsize=256)
def _chain_sup(n: int, act: str) -> float:
    r""":math:`\sup_x|d f/dx|` for ``n`` stacked unit-weight activations: complex step on a grid of
    40001 points in [-20, 20], then a bounded scalar search around the best."""
    from scipy.optimize import minimize_scalar

    from ..oracles.networks import activation_chain

    def deriv(x):
        x = np.atleast_1d(np.asarray(x, dtype=float))
        return np.abs(activation_chain((x + 1j * _CHAIN_H)[:, None], n, act).imag[:, 0] / _CHAIN_H)

    xs = _CHAIN_XS
    i, best = _chain_grid(act, max(n, 40))[n - 1]
    res = minimize_scalar(lambda x: -deriv(x)[0], bounds=(xs[max(i - 1, 0)], xs[min(i + 1, xs.size - 1)]),
                          method="bounded", options={"xatol": 1e-12})
    return float(max(best, -res.fun))


def _rnn_witness(n: int) -> float:
    r""":math:`\sigma_{\max}(\partial x_n/\partial x_1)` at :math:`W = \frac12 I`, :math:`x_1 = 0` (complex step
    through the recursion): :math:`(1/2)^{n-1}`, which attains the supremum."""
    x = np.array([0.0 + 1e-30j])
    for _ in range(n - 1):
        x = np.tanh(0.5 * x)
    return float(abs(x.imag[0]) / 1e-30)


BANK = (
    Question.from_result("hw4/1.1.1", "Sup over x of |f'(x)| for n stacked unit-weight sigmoid layers (the bound "
                         "asked for).", "upper_bound", quantity=lambda env: _chain_sup(int(env["n"]), "sigmoid")),
    Question.from_result("hw4/1.1.2", "The same for tanh layers.", "upper_bound",
                         quantity=lambda env: _chain_sup(int(env["n"]), "tanh")),
    Question.from_result("hw4/1.2.1", "Largest sigma_max(dx_n/dx_1) over x_1 and W with sigma_max(W) = 1/2, for "
                         "x_{t+1} = tanh(W x_t).", "upper_bound", quantity=lambda env: _rnn_witness(int(env["n"])),
                         notes="The homework and its official solution state (1/2)^n, which is off by one."),
    Question.from_result("hw4/1.3.1", "Cost of softmax(Q K^T / sqrt(d)) V for Q, K, V of size n x d.", "same_order"),
    Question.from_result("hw4/1.3.2", "Cost of P V given the SVD of a rank-k P (n x n), V of size n x d.",
                         "same_order"),
    Question("hw4/1.3.3", "Cost of Q (C K)^T (D V) with projections C, D of size k x n (P = Q K^T of rank k).",
             {"n": ("positive integer", "sequence length"), "k": ("positive integer", "projected dimension"),
              "d": ("positive integer", "embedding dimension")}, "n*k*d", "same_order", source="seed 004 §1.3.3"),
    Question("hw4/2.2", "log p(x) for x = f(z), f bijective, z = f^{-1}(x).",
             {"p_z": ("positive", "prior density at z = f^{-1}(x)"),
              "J": ("invertible matrix n x n", "the Jacobian df/dz at z")},
             "log(p_z) - log(abs(det(J)))", "equal", source="seed 004 §2.2"),
    Question.from_result("hw4/3.1b", "Smallest c with ||T^pi Q1 - T^pi Q2||_inf <= c ||Q1 - Q2||_inf for every MDP.",
                         "equal"),
    Question.from_result("hw4/3.1c.1", "v*(s) in terms of q*(s, .).", "equal"),
    Question.from_result("hw4/3.1c.2", "q*(s, a) in terms of v*.", "equal"),
    Question.from_result("hw4/3.2.1", "The variance-minimising constant baseline b_k.", "equal"),
    Question.from_result("paper/theorem-1", "The preconditioner P of Theorem 1.", "equal"),
    Question.from_result("paper/theorem-5-explicit", "E||dtheta||^2 / ||E dtheta||^2 for explicit minibatch SGD "
                         "(Theorem 5.1).", "equal"),
    Question.from_result("paper/corollary-2", "The same ratio with one-hot features and all n states distinct "
                         "(Corollary 2).", "equal",
                         notes="Needs distinct states: with repeated states the ratio differs (sgd.one-hot-ratio)."),
    # --- derivatives (the judge differentiates `function` itself; `reference` documents the answer) ---
    Question("calc/softmax-jacobian", "The Jacobian d softmax(z) / d z^T.",
             {"z": ("vector n", "logits")}, "diag(softmax(z)) - softmax(z) @ softmax(z).T", "derivative",
             function="softmax(z)", wrt="z", source="softmax (seed 004 §1.3 attention)"),
    Question.from_result("paper/implicit-weights-gradient",
                         "d theta_hat / d w^T for the implicit weights theta_hat = A^{-1} w, A = I - eta sigma(F) "
                         "(sigma(F) row-stochastic).", "derivative", function="inv(eye(n) - eta*S) @ w", wrt="w"),
    Question("hw4/2.2-logdet-gradient", "The gradient d log|det J| / dJ of the log-det term of a flow.",
             {"J": ("invertible matrix n x n", "the Jacobian df/dz")}, "inv(J).T", "derivative",
             function="log(abs(det(J)))", wrt="J", source="seed 004 §2.2"),
    Question.from_result("td/gradient-w1", "The gradient of the TD error e = w1^T tanh(W2^T a) - r - gamma w1^T "
                         "tanh(W2^T b) with respect to the output weights w1 (a = phi2(z), b = phi2(z+)); the discount "
                         "restored.", "derivative",
                         function="w1.T @ tanh(W2.T @ a) - r - gamma*w1.T @ tanh(W2.T @ b)", wrt="w1"),
    Question.from_result("td/gradient-W2", "The same TD error's gradient with respect to the hidden weights W2 (shape "
                         "of W2).", "derivative",
                         function="w1.T @ tanh(W2.T @ a) - r - gamma*w1.T @ tanh(W2.T @ b)", wrt="W2"),
)


def question_from_toml(table: dict) -> Question:
    """A custom ``[[question]]`` (``id``, ``prompt``, ``symbols``, ``reference``, ``relation``); raises
    :class:`ValidationError` naming the question and the problem."""
    if not isinstance(table, dict):
        raise ValidationError("each [[question]] must be a table")
    qid = table.get("id", "?")
    needed = ("id", "symbols", "relation") + (("function", "wrt") if table.get("relation") == "derivative"
                                              else ("reference",))
    missing = [k for k in needed if k not in table]
    if missing:
        raise ValidationError(f"[[question]] {qid!r} lacks {', '.join(missing)}")
    unknown = sorted(set(table) - set(QUESTION_KEYS))
    if unknown:
        raise ValidationError(f"[[question]] {qid!r}: unknown keys {unknown}; use {', '.join(QUESTION_KEYS)}")
    for key in ("id", "reference", "relation", "quantity", "function", "wrt"):
        if key in table and not isinstance(table[key], str):
            raise ValidationError(f"[[question]] {qid!r}: {key} must be a string, got {type(table[key]).__name__}")
    if not isinstance(table["symbols"], dict):
        raise ValidationError(f"[[question]] {qid!r}: symbols must be a table of name = \"domain\"")
    bad = {k: v for k, v in table["symbols"].items() if not isinstance(v, str)}
    if bad:
        raise ValidationError(f"[[question]] {qid!r}: symbols.{next(iter(bad))} must be a domain string")
    order = table.get("order", 1)
    if isinstance(order, bool) or not isinstance(order, int):
        raise ValidationError(f"[[question]] {qid!r}: order must be 1 or 2")
    return Question(table["id"], str(table.get("prompt", "")), dict(table["symbols"]), table.get("reference", ""),
                    table["relation"], quantity=table.get("quantity"), source="custom",
                    tolerance=table.get("tolerance"), function=table.get("function", ""), wrt=table.get("wrt", ""),
                    order=order)


def _parse_plain(text, domains):
    """The judge's parser of plain text (the answer language plus sum/prod with symbolic bounds)."""
    from .judge import parse_plain

    return parse_plain(text, domains)


def validate_question(q: Question, *, min_defined: int | None = None) -> None:
    """Check a custom question before any answer is judged against it: symbol names, domains that can
    be drawn (bounds name earlier integer symbols, ranges not empty), a reference that parses and is
    defined at enough sampled instances. Raises :class:`ValidationError` with the problem."""
    import math
    import re

    from .domains import sample_instances
    from .evaluate import EvalError, evaluate
    from .judge import MIN_COMPARED, _ANSWER_FAILURES, _as_array, _key
    from .extended import Undecidable
    from .language import FUNCTIONS, AnswerError

    need = MIN_COMPARED if min_defined is None else min_defined
    seen = {}
    for name, d in q.domains.items():
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name) or name in FUNCTIONS or name in ("E", "O"):
            raise ValidationError(f"question {q.id!r}: symbol name {name!r} is not allowed; use a letter followed "
                                  f"by letters, digits or _, other than E, O and {', '.join(FUNCTIONS)}")
        if d.kind == "integer":
            for which, b in (("lower", d.lo), ("upper", d.hi)):
                if isinstance(b, str) and not (b in seen and seen[b].kind == "integer"):
                    raise ValidationError(f"question {q.id!r}: symbols.{name}: the {which} bound {b!r} is not an "
                                          "integer symbol declared before it; declare it first or give a number")
            if isinstance(d.lo, int) and isinstance(d.hi, int) and d.hi < d.lo:
                raise ValidationError(f"question {q.id!r}: symbols.{name}: the range [{d.lo}, {d.hi}] is empty; "
                                      "give [lower, upper] with lower <= upper")
        seen[name] = d
    if q.relation == "same_order" and not all(d.scalar for d in q.domains.values()):
        raise ValidationError(f"question {q.id!r}: same_order needs scalar symbols (real or integer)")
    if q.relation in ("upper_bound", "lower_bound"):
        if q.quantity is None:
            raise ValidationError(f"question {q.id!r}: a bound question needs quantity = \"...\" (the quantity "
                                  "bounded) beside the reference (the bound to match)")
        if isinstance(q.quantity, str):
            try:
                _parse_plain(q.quantity, q.domains)
            except AnswerError as exc:
                raise ValidationError(f"question {q.id!r}: the quantity {q.quantity!r} is not in the answer "
                                      f"language: {exc}") from None
    if q.relation == "derivative":
        try:
            _parse_plain(q.function, q.domains)
        except AnswerError as exc:
            raise ValidationError(f"question {q.id!r}: the function {q.function!r} is not in the answer "
                                  f"language: {exc}") from None
        if not q.reference:
            return
    try:
        ref = _parse_plain(q.reference, q.domains)
    except AnswerError as exc:
        raise ValidationError(f"question {q.id!r}: the reference {q.reference!r} is not in the answer "
                              f"language: {exc}") from None
    if q.relation == "same_order":
        return
    defined, errors = set(), []

    def count(point):
        env, probs = point
        try:
            r = _as_array(evaluate(ref, env, probabilities=probs))
        except EvalError as exc:
            errors.append(str(exc))
            raise
        except _ANSWER_FAILURES:
            return 0.0, {}
        except Undecidable:  # a sum over more terms than the judge evaluates: not an instance to count
            return 0.0, {}
        if r.size and all(math.isfinite(x) for x in r.ravel()):
            defined.add(_key(point))
        return 0.0, {}

    try:
        points, exhausted = sample_instances(q.domains, 150, 0)
        for point in points:
            count(point)
    except EvalError as exc:
        raise ValidationError(f"question {q.id!r}: the reference cannot be evaluated: {exc}") from None
    except ValidationError as exc:  # an empty range found while drawing ([1, n] with n < 1)
        raise ValidationError(f"question {q.id!r}: {exc}") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationError(f"question {q.id!r}: its domains cannot be drawn ({type(exc).__name__}: {exc})") \
            from None
    exhausted = exhausted and defined
    if len(defined) < need and not exhausted:
        raise ValidationError(f"question {q.id!r}: the reference is defined at only {len(defined)} of "
                              f"{len(points)} sampled instances; at least {need} are needed to judge answers")
