"""The identity catalogue judged by ``verify check``'s derivative relation (verify/answers/derivative.py):
the reference and the form ``verify diff`` derives are judged correct, every wrong variant incorrect.

Size labels are declared as integer symbols (``n = "integer in [2, 4]"``) so that ``eye(n)`` and
``ones(n)`` in a derivative can be pasted into a question as they are printed."""

import tomllib
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from verify.answers.bank import question_from_toml
from verify.answers.judge import judge
from verify.diff.api import diff
from verify.diff.symbols import labels_of, parse_symbols

CATALOGUE = tomllib.loads((Path(__file__).parents[2] / "verify" / "diff" / "identities.toml").read_text())["identity"]
EXAMPLES = 30  # the judge's minimum for a verdict; 150 when the function is undefined at many instances

#: Catalogue variants that are ill-typed as written (the judge says invalid, not incorrect):
ILL_TYPED = {
    "(x - a)/(x - a).T @ (x - a)": "parses as ((x - a)/(x - a).T) @ (x - a): an elementwise division of "
                                   "shapes (n, 1) and (1, n), ill-typed for n >= 2 (n is drawn from [2, 4])",
}


def _question(e):
    doms = parse_symbols(e["symbols"])
    symbols = {k: v.text() for k, v in doms.items()}
    for lab in labels_of(doms):
        symbols.setdefault(lab, "integer in [2, 4]")
    return question_from_toml({"id": f"diff/{e['id']}", "symbols": symbols, "relation": "derivative",
                               "function": e["function"], "wrt": e["wrt"], "order": e.get("order", 1)})


def _judge(q, text):
    v = judge(q, answer=text, max_examples=EXAMPLES)
    if v.verdict == "unknown":  # the function is undefined at many instances (log det of det < 0)
        v = judge(q, answer=text, max_examples=150)
    return v


@pytest.mark.parametrize("entry", CATALOGUE, ids=lambda e: e["id"])
def test_judge_accepts_reference_and_derived_and_refutes_variants(entry):
    q = _question(entry)
    v = _judge(q, entry["reference"])
    assert v.verdict == "correct", v.message
    r = diff(entry["function"], entry["wrt"], symbols=entry["symbols"], order=entry.get("order", 1))
    v = _judge(q, r.expr)
    assert v.verdict == "correct", (r.expr, v.message)
    for text, why in entry["variants"]:
        v = _judge(q, text)
        assert v.verdict == ("invalid" if text in ILL_TYPED else "incorrect"), (text, why, v.verdict, v.message)


def _col(*values):
    return np.array([[Fraction(v)] for v in values], dtype=object)


#: The instances where the judge used to fail these identities (judge-side issues found by the catalogue).
HARD_INSTANCES = {
    # not differentiable at x = a: the instance is skipped like an undefined one (not a counterexample)
    "norm2": [({"x": _col(1, 2), "a": _col(1, 2), "n": 2}, "unknown"),
              ({"x": _col(1, 2), "a": _col(1, 3), "n": 2}, "correct")],
    # an exact zero derivative: the 80-digit difference quotient's rounding does not refute it
    "cross-entropy": [({"z": _col(0, 0, 0), "y": _col(Fraction(1, 3), Fraction(1, 3), Fraction(1, 3)), "n": 3},
                       "correct")],
    # w.T @ x = 28 with w = 28/5 (not a float): the mpmath derivative is taken at the exact instance
    "logistic": [({"w": _col(Fraction(28, 5), 0), "x": _col(5, 0), "n": 2}, "correct"),
                 ({"w": _col(Fraction(14, 3), 2), "x": _col(6, 0), "n": 2}, "correct")],
}


@pytest.mark.parametrize("ident", sorted(HARD_INSTANCES))
def test_judge_at_the_hard_instances(ident, monkeypatch):
    import verify.answers.domains as domains

    entry = next(e for e in CATALOGUE if e["id"] == ident)
    q = _question(entry)
    for env, verdict in HARD_INSTANCES[ident]:
        monkeypatch.setattr(domains, "sample_instances", lambda doms, count, seed=0, env=env: ([(env, None)], True))
        v = judge(q, answer=entry["reference"])
        assert v.verdict == verdict, (env, v.message)
