"""verify steps: the step language's definitions and arrays: capture-avoiding parametrised definitions,
named definitions evaluated once per environment, indexing consistent for every size, and the conveniences
zeros / vec / argmax / argmin and the nonzero real domain."""

from __future__ import annotations

import numpy as np
import pytest

from verify.answers import extended
from verify.answers.extended import Decl, Def, Over, free_vars, substitute
from verify.answers.language import Add, Sym
from verify.answers.sized_domains import parse_sized, sized_instances
from verify.steps.context import Context
from verify.steps.judge import evaluate_at
from verify.steps.summary import judge_derivation
from verify.steps.toml_form import loads_toml


def _judge(text):
    (der,) = loads_toml(text)
    return judge_derivation(der)


def _verdicts(res):
    return [s.verdict for s in res.steps[1:]]


def _why(res):
    return [(s.verdict, s.evidence) for s in res.steps[1:]]


# ---------------------------------------------------------------------------
# 1. parametrised definitions: capture-avoiding substitution
# ---------------------------------------------------------------------------

VECM = '''[[derivation]]
id = "vecm"
symbols = {{ Y = "matrix m x p", m = "integer in [1, 3]", p = "integer in [1, 3]", c = "real" }}
define = {{ "vecm(X)" = "sum(kron(eye(p)[c], X.T[c]), (c, 0, p - 1))" }}
steps = [{steps}]
'''


def test_an_argument_naming_the_definitions_binder_is_not_captured():
    # vecm(c * Y) with the declared c: linear in its argument (capture made the binder's c scale each column)
    res = _judge(VECM.format(steps='"vecm(c * Y)", "= c * vecm(Y)", "= vecm(Y)"'))
    assert _verdicts(res) == ["consistent", "refuted"], _why(res)


def test_an_argument_bound_at_the_call_site_by_the_same_name_is_not_captured():
    res = _judge(VECM.format(steps='"sum(vecm(c * Y), (c, 1, 2))", "= 3 * vecm(Y)", "= 2 * vecm(Y)"'))
    assert _verdicts(res) == ["consistent", "refuted"], _why(res)


def test_vecm_is_vec():
    res = _judge(VECM.format(steps='"vecm(Y)", "= vec(Y)", "= vec(Y.T)"'))
    assert _verdicts(res)[0] == "consistent", _why(res)
    assert _verdicts(res)[1] == "refuted", _why(res)  # vec(Y.T) is the rows stacked


def test_a_definitions_own_names_are_the_declared_symbols_under_a_binder_of_the_call_site():
    # f(x) = a * x reads the declared a; sum over a binder a at the call site: a*1 + a*2 (not 1*1 + 2*2)
    res = _judge('''[[derivation]]
id = "decl"
symbols = { a = "real" }
define = { "f(x)" = "a * x" }
steps = ["sum(f(a), (a, 1, 2))", "= 3 * a", "= 5"]
''')
    assert _verdicts(res) == ["consistent", "refuted"], _why(res)


def test_substitute_renames_a_binder_that_would_capture():
    body = Over("sum", Add(Sym("x"), Sym("k")), "k", Sym("lo"), Sym("n"))
    out = substitute(body, {"x": Sym("k")})
    assert out.var != "k" and free_vars(out) == {"k", "lo", "n"}
    assert out.body == Add(Sym("k"), Sym(out.var))
    # the bounds are outside the binder's scope: replaced even when they name the bound variable
    out = substitute(Over("sum", Sym("k"), "k", Sym("k"), Sym("n")), {"k": Sym("z")})
    assert out.lo == Sym("z") and out.body == Sym(out.var) and out.var == "k"


def test_shadowed_names_become_declared_references():
    ctx = Context.build({"a": "real"}, None, {"f(x)": "a * x"})
    node = ctx.parse_line("sum(f(a), (a, 1, 2))")
    assert Decl("a") in [node.body.a, node.body.b]
    for mp in (False, True):
        assert abs(float(evaluate_at(ctx, node, {"a": 0.5}, None, mp=mp)) - 1.5) < 1e-12


# ---------------------------------------------------------------------------
# 2. named definitions: memoised per environment
# ---------------------------------------------------------------------------

def test_a_definition_used_six_times_is_evaluated_once():
    ctx = Context.build({"P": "stochastic matrix S x S", "r": "vector S", "gamma": "discount", "S": "integer in [2, 3]"},
                        None, {"V": "inv(eye(S) - gamma*P) @ r"})
    node = ctx.parse_line("V + V + V.T @ V * V - V + V")
    assert isinstance(node.a.a.a.a, Def)
    P = np.array([[0.5, 0.5], [0.25, 0.75]])
    env = {"P": P, "r": np.array([[1.0], [2.0]]), "gamma": 0.9, "S": 2}
    V = np.linalg.solve(np.eye(2) - 0.9 * P, env["r"])
    for mp in (False, True):
        before = extended.DEF_EVALUATIONS[0]
        got = np.asarray(evaluate_at(ctx, node, env, None, mp=mp), dtype=float)
        assert extended.DEF_EVALUATIONS[0] - before == 1
        assert np.allclose(got, 2 * V + (V.T @ V).item() * V, rtol=1e-12)


def test_a_definition_reading_a_bound_variable_is_evaluated_once_per_value():
    ctx = Context.build({"a": "real"}, None, {"m": "a**2"})
    node = ctx.parse_line("sum(m + m, (a, 1, 3)) + m")
    before = extended.DEF_EVALUATIONS[0]
    for mp in (False, True):
        assert abs(float(evaluate_at(ctx, node, {"a": 0.5}, None, mp=mp)) - (28 + 0.25)) < 1e-12
    assert extended.DEF_EVALUATIONS[0] - before <= 2 * 4  # once per value of a (three bound, one declared)


def test_a_derivative_through_a_definition_follows_the_perturbed_points():
    ctx = Context.build({"x": "real"}, None, {"u": "sin(x) * x"})
    node = ctx.parse_line("diff(u * u, x)")
    for x in (-1.0, 0.3, 2.0):
        want = 2 * np.sin(x) * x * (np.cos(x) * x + np.sin(x))
        for mp in (False, True):
            assert abs(float(evaluate_at(ctx, node, {"x": x}, None, mp=mp)) - want) < 1e-7 * (1 + abs(want))
    res = _judge('''[[derivation]]
id = "d-def"
symbols = { x = "real", w = "vector n", n = "integer in [1, 3]" }
define = { u = "tanh(w * x)", L = "sum(u * u)" }
steps = ["diff(L, x)", "= sum(2 * u * (1 - u**2) * w)", "= sum(2 * u * (1 - u**2))"]
''')
    assert _verdicts(res) == ["consistent", "refuted"], _why(res)


def test_a_step_that_expands_a_definition_is_identical():
    res = _judge('''[[derivation]]
id = "expand"
symbols = { x = "real" }
define = { m = "exp(x) + x" }
steps = ["2 * m", "= 2 * (exp(x) + x)"]
''')
    assert res.steps[1].verdict == "proved", _why(res)


# ---------------------------------------------------------------------------
# 3. indexing is consistent for every size
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 2, 3])
def test_indexing_by_size(n):
    ctx = Context.build({"v": f"vector {n}", "A": f"matrix {n} x 1", "B": f"matrix {n} x {n}"}, None, {})
    v = np.arange(1.0, n + 1).reshape(n, 1)
    A = np.arange(10.0, 10 + n).reshape(n, 1)
    B = np.arange(float(n * n)).reshape(n, n)
    env = {"v": v, "A": A, "B": B}
    for mp in (False, True):
        def ev(text):
            return evaluate_at(ctx, ctx.parse_line(text), env, None, mp=mp)

        for i in range(n):
            e = np.asarray(ev(f"eye({n})[{i}]"), dtype=float)
            assert e.shape == (n, 1) and np.array_equal(e[:, 0], np.eye(n)[i])  # a row, as a vector
            assert float(ev(f"eye({n})[{i}][{i}]")) == 1.0
            assert np.ndim(ev(f"v[{i}]")) == 0 and float(ev(f"v[{i}]")) == i + 1  # a vector's entry
            row = np.asarray(ev(f"A[{i}]"), dtype=float)  # a matrix with one column: its row, a 1-vector
            assert row.shape == (1, 1) and row[0, 0] == 10 + i
            assert np.array_equal(np.asarray(ev(f"B[{i}]"), dtype=float)[:, 0], B[i])
            k = np.asarray(ev(f"kron(eye({n})[{i}], v)"), dtype=float)
            assert k.shape == (n * n, 1) and np.array_equal(k[:, 0], np.kron(np.eye(n)[i], v[:, 0]))


def test_kron_of_a_row_of_eye_1_is_a_vector_in_a_step():
    res = _judge('''[[derivation]]
id = "eye1"
symbols = { v = "vector n", n = "integer in [1, 3]", p = "integer in [1, 3]" }
steps = ["sum(kron(eye(p)[c], v), (c, 0, p - 1))", "= kron(ones(p), v)", "= kron(ones(p), 2 * v)"]
''')
    assert _verdicts(res) == ["consistent", "refuted"], _why(res)


# ---------------------------------------------------------------------------
# 4. zeros, vec, argmax, argmin; the nonzero domain
# ---------------------------------------------------------------------------

def test_zeros():
    res = _judge('''[[derivation]]
id = "zeros"
symbols = { A = "matrix m x n", x = "vector n", m = "integer in [1, 3]", n = "integer in [1, 3]" }
steps = ["A @ x - A @ x", "= zeros(m)", "= zeros(m) + 1"]
''')
    assert _verdicts(res) == ["consistent", "refuted"], _why(res)
    res = _judge('''[[derivation]]
id = "zeros2"
symbols = { A = "matrix m x n", m = "integer in [1, 3]", n = "integer in [1, 3]" }
steps = ["A - A", "= zeros(m, n)", "= zeros(n, m) * A.T"]
''')
    assert _verdicts(res)[0] == "consistent", _why(res)
    assert _verdicts(res)[1] == "refuted", _why(res)  # shapes differ unless m = n


def test_vec_stacks_the_columns():
    ctx = Context.build({"X": "matrix 2 x 3"}, None, {})
    X = np.arange(6.0).reshape(2, 3)
    out = np.asarray(evaluate_at(ctx, ctx.parse_line("vec(X)"), {"X": X}, None), dtype=float)
    assert out.shape == (6, 1) and list(out[:, 0]) == [0, 3, 1, 4, 2, 5]
    res = _judge('''[[derivation]]
id = "vec"
symbols = { A = "matrix m x n", B = "matrix n x k", m = "integer in [1, 3]", n = "integer in [1, 3]", k = "integer in [1, 2]" }
steps = ["vec(A @ B)", "= kron(eye(k), A) @ vec(B)", "= kron(A, eye(k)) @ vec(B)"]
''')
    assert _verdicts(res) == ["consistent", "refuted"], _why(res)


def test_argmax_and_argmin():
    ctx = Context.build({"v": "vector 4"}, None, {})
    v = np.array([[1.0], [3.0], [3.0], [-2.0]])
    for mp in (False, True):
        assert float(evaluate_at(ctx, ctx.parse_line("argmax(v)"), {"v": v}, None, mp=mp)) == 1  # the first
        assert float(evaluate_at(ctx, ctx.parse_line("argmin(v)"), {"v": v}, None, mp=mp)) == 3
    res = _judge('''[[derivation]]
id = "argmax"
symbols = { v = "vector n", n = "integer in [1, 4]" }
steps = ["v[argmax(v)]", "= max(v)", "= v[argmin(v)]"]
''')
    assert _verdicts(res) == ["consistent", "refuted"], _why(res)
    res = _judge('''[[derivation]]
id = "argmin"
symbols = { v = "vector n", n = "integer in [1, 4]" }
steps = ["v[argmin(v)]", "= min(v)", "= -max(-v)", "= -max(v)"]
''')
    assert _verdicts(res) == ["consistent", "consistent", "refuted"], _why(res)


def test_nonzero_domain():
    d = parse_sized("nonzero")
    assert d.kind == "real"
    from hypothesis import given, settings

    seen = []

    @settings(max_examples=60, database=None)
    @given(sized_instances({"x": d}))
    def run(inst):
        seen.append(inst[0]["x"])

    run()
    assert all(x != 0 for x in seen) and any(x < 0 for x in seen) and any(x > 0 for x in seen)
    res = _judge('''[[derivation]]
id = "nonzero"
symbols = { x = "nonzero" }
steps = ["x / x", "= 1", "= x / abs(x)"]
''')
    assert _verdicts(res)[0] in ("proved", "consistent"), _why(res)
    assert _verdicts(res)[1] == "refuted", _why(res)
