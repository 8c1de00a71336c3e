"""verify steps: derivatives through a recursion (the terms of a sequence are cached per value of the symbols
its definition reads, so the perturbed points of a finite difference and the values a sum binds each get
their own terms)."""

from __future__ import annotations

import numpy as np

from verify.steps.context import Context
from verify.steps.judge import evaluate_at
from verify.steps.summary import judge_derivation
from verify.steps.toml_form import loads_toml

SIG = "sigmoid(X[{j}]) * (1 - sigmoid(X[{j}]))"


def _judge(text):
    (der,) = loads_toml(text)
    return der, judge_derivation(der)


def _verdicts(res):
    return [(s.verdict, s.evidence) for s in res.steps[1:]]


# ---------------------------------------------------------------------------
# 1. derivatives through a recursion
# ---------------------------------------------------------------------------

SEQ = '''[[derivation]]
id = "seq"
symbols = {{ x = "real" }}
define = {{ "X[0]" = "x", "X[j + 1]" = "sigmoid(X[j])" }}
steps = [{steps}]
'''


def test_derivative_through_a_sequence_is_the_chain_rule_product():
    chain = " * ".join(SIG.format(j=j) for j in (2, 1, 0))
    wrong = " * ".join([SIG.format(j=2), SIG.format(j=1), "sigmoid(X[0]) * (1 + sigmoid(X[0]))"])
    der, res = _judge(SEQ.format(steps=f'"diff(X[3], x)", "= {chain}", "= {wrong}"'))
    assert [s.verdict for s in res.steps[1:]] == ["consistent", "refuted"], _verdicts(res)
    assert res.first_wrong_step == 2


def test_a_derivative_through_a_sequence_is_not_zero():
    der, res = _judge(SEQ.format(steps='"diff(X[2], x)", "= 0"'))
    assert res.steps[1].verdict == "refuted", _verdicts(res)


def test_sequence_values_follow_the_point_in_float64_and_at_50_digits():
    ctx = Context.build({"x": "real"}, None, {"X[0]": "x", "X[j + 1]": "sigmoid(X[j])"})
    node = ctx.parse_line("diff(X[2], x)")
    s = lambda t: 1 / (1 + np.exp(-t))  # noqa: E731
    for x in (-1.0, 0.5, 2.0):
        want = s(s(x)) * (1 - s(s(x))) * s(x) * (1 - s(x))
        for mp in (False, True):
            got = float(evaluate_at(ctx, node, {"x": x}, None, mp=mp))
            assert abs(got - want) <= 1e-7 * abs(want), (x, mp, got, want)


def test_a_sequence_reading_a_bound_variable_is_recomputed_for_each_value():
    ctx = Context.build({"a": "real"}, None, {"X[0]": "1", "X[j + 1]": "a * X[j]"})
    # the sum binds a; X[2] = a^2 for each a: 1 + 4 + 9 (not 3 times the value at the first a)
    node = ctx.parse_line("sum(X[2], (a, 1, 3)) + X[1]")
    for mp in (False, True):
        assert abs(float(evaluate_at(ctx, node, {"a": 0.5}, None, mp=mp)) - 14.5) < 1e-9


def test_derivative_through_a_sequence_of_vectors():
    der, res = _judge('''[[derivation]]
id = "vec-seq"
symbols = { w = "vector n", x = "vector n", n = "integer in [1, 3]" }
define = { "H[0]" = "x", "H[j + 1]" = "tanh(w * H[j])" }
steps = ["diff(sum(H[2]), w[0])", "= (1 - H[2][0]**2) * (H[1][0] + w[0] * (1 - H[1][0]**2) * H[0][0])",
         "= (1 - H[2][0]**2) * H[1][0]"]
''')
    assert [s.verdict for s in res.steps[1:]] == ["consistent", "refuted"], _verdicts(res)
