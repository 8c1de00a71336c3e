"""verify steps: the structured sized domains (shape and property, sizes by declared integers and by literal
numbers), and declarations that cannot be drawn (a single-point or empty interval, an unknown domain, an empty
integer range) reported as invalid naming the symbol, never as a bug."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from verify.answers.sized_domains import parse_sized, sized_instances
from verify.errors import ValidationError
from verify.steps.context import Context
from verify.steps.judge import needed_domains
from verify.steps.summary import judge_derivation
from verify.steps.toml_form import loads_toml

def _judge(text):
    (der,) = loads_toml(text)
    return der, judge_derivation(der)


def _verdicts(res):
    return [(s.verdict, s.evidence) for s in res.steps[1:]]


# ---------------------------------------------------------------------------
# 2. structured sized domains: shape and property
# ---------------------------------------------------------------------------

def _orthogonal(a, r, c):
    return np.allclose(a.T @ a, np.eye(c), atol=1e-12)


def _full_column_rank(a, r, c):
    return r >= c and np.linalg.matrix_rank(a) == c


def _row_stochastic(a, r, c):
    return np.all(a >= 0) and np.allclose(a.sum(axis=1), 1.0, atol=1e-12)


def _positive_definite(a, r, c):
    return np.allclose(a, a.T) and np.min(np.linalg.eigvalsh(a)) > 0


def _symmetric(a, r, c):
    return np.array_equal(a, a.T)


def _diagonal(a, r, c):
    return np.array_equal(a, np.diag(np.diag(a)))


def _one_hot(a, r, c):
    return sorted(a.ravel().tolist()) == [0.0] * (r - 1) + [1.0]


def _probability(a, r, c):
    return np.all(a >= 0) and abs(a.sum() - 1) < 1e-12


def _unit(a, r, c):
    return abs(np.linalg.norm(a) - 1) < 1e-12


def _invertible(a, r, c):
    return abs(np.linalg.det(a)) > 1e-9


def _identity(a, r, c):
    return np.array_equal(a, np.eye(r))


def _any(a, r, c):
    return True


SIZES = {"d": "integer in [1, 4]", "k": "integer in [1, d]", "m": "integer in [1, 3]"}

DOMAINS = [  # (domain with symbolic sizes, the same with numbers, rows, cols, property)
    ("orthogonal matrix d x d", "orthogonal matrix 3 x 3", "d", "d", _orthogonal),
    ("full column rank matrix d x k", "full column rank matrix 4 x 2", "d", "k", _full_column_rank),
    ("full column rank matrix p x k", "full column rank matrix 3 x 3", "p", "k", _full_column_rank),  # p free
    ("row-stochastic matrix m x d", "row-stochastic matrix 2 x 3", "m", "d", _row_stochastic),
    ("stochastic matrix d x d", "stochastic matrix 3 x 3", "d", "d", _row_stochastic),
    ("positive definite matrix d x d", "positive definite matrix 3 x 3", "d", "d", _positive_definite),
    ("symmetric matrix d x d", "symmetric matrix 3 x 3", "d", "d", _symmetric),
    ("diagonal matrix d x d", "diagonal matrix 3 x 3", "d", "d", _diagonal),
    ("diagonal nonnegative matrix d x d", "diagonal nonnegative matrix 2 x 2", "d", "d",
     lambda a, r, c: _diagonal(a, r, c) and np.all(a >= 0)),
    ("invertible matrix d x d", "invertible matrix 3 x 3", "d", "d", _invertible),
    ("identity matrix d x d", "identity matrix 3 x 3", "d", "d", _identity),
    ("matrix m x d", "matrix 2 x 4", "m", "d", _any),
    ("one-hot vector d", "one-hot vector 4", "d", 1, _one_hot),
    ("probability vector d", "probability vector 3", "d", 1, _probability),
    ("positive vector d", "positive vector 3", "d", 1, lambda a, r, c: np.all(a > 0)),
    ("unit vector d", "unit vector 3", "d", 1, _unit),
    ("vector m", "vector 2", "m", 1, _any),
]


def _check_draws(domains, name, rows, cols, prop):
    seen = set()

    @settings(max_examples=40, database=None, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(sized_instances(domains))
    def run(point):
        env, _ = point
        a = np.asarray(env[name], dtype=float)
        r = env.get(rows, rows) if isinstance(rows, str) and rows in env else (
            int(rows) if str(rows).isdigit() else a.shape[0])
        c = env.get(cols, cols) if isinstance(cols, str) and cols in env else (
            int(cols) if str(cols).isdigit() else a.shape[1])
        assert a.shape == (r, c), (a.shape, r, c, env)
        assert prop(a, r, c), a
        seen.add(a.shape)

    run()
    return seen


@pytest.mark.parametrize("symbolic,literal,rows,cols,prop", DOMAINS, ids=[d[0] for d in DOMAINS])
def test_sized_domains_have_their_shape_and_property(symbolic, literal, rows, cols, prop):
    decl = {**SIZES, "A": symbolic}
    ctx = Context.build(decl)
    shapes = _check_draws(needed_domains(ctx, [ctx.parse_line("A")]), "A", rows, cols, prop)
    if rows == "d" or cols == "d":
        assert len(shapes) > 1, shapes  # the sizes follow the declared integer
    r, c = [int(t) for t in literal.split()[-3::2]] if " x " in literal else (int(literal.split()[-1]), 1)
    ctx = Context.build({"A": literal})
    assert _check_draws(ctx.domains, "A", r, c, prop) == {(r, c)}


def test_structured_domains_in_steps():
    der, res = _judge('''[[derivation]]
id = "structured"
symbols = { Q = "orthogonal matrix d x d", A = "full column rank matrix d x k", x = "vector d", d = "integer in [1, 4]", k = "integer in [1, d]" }
steps = ["norm(Q @ x)**2", "= x.T @ Q.T @ Q @ x", "= norm(x)**2 + trace(inv(A.T @ A) @ (A.T @ A)) - k", "= norm(x)**2 + 1"]
''')
    assert [s.verdict for s in res.steps[1:]][:2] == ["consistent", "consistent"], _verdicts(res)
    assert res.first_wrong_step == 3


def test_a_full_column_rank_matrix_with_fewer_rows_is_rejected():
    with pytest.raises(ValidationError, match="full column rank"):
        parse_sized("full column rank matrix 2 x 3", name="A")


# ---------------------------------------------------------------------------
# 3. declarations: a single point, an empty interval, an unknown domain
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("domain,words", [
    ("real in [0, 0]", ["single point", "write 0 instead"]),
    ("real in [2.5, 2.5]", ["single point", "write 2.5 instead"]),
    ("real in [1/2, 1/2]", ["single point", "write 1/2 instead"]),
    ("real in [1, 0]", ["empty"]),
    ("real in [1.2.3, 4]", ["unknown domain"]),
    ("no such domain", ["unknown domain"]),
    ("orthgonal matrix d x d", ["unknown domain", "did you mean 'orthogonal matrix d x d'"]),
    ("postive", ["unknown domain", "did you mean 'positive'"]),
    ("vector 0", ["positive"]),
])
def test_bad_domains_are_invalid_naming_the_symbol(domain, words):
    der, res = _judge(f'''[[derivation]]
id = "bad"
symbols = {{ t = "{domain}", x = "real", d = "integer in [1, 3]" }}
steps = ["x + t", "= t + x"]
''')
    assert der.error and "symbols.t" in der.error and domain in der.error, der.error
    for w in words:
        assert w in der.error, der.error
    assert "bug" not in der.error.lower()
    assert res.conclusion["verdict"] == "invalid"
    assert [s.verdict for s in res.steps] == ["invalid", "invalid"]


def test_bad_domains_in_latex_are_reported_naming_the_symbol():
    from verify.steps.latex_form import loads_latex

    (der,) = loads_latex(r'''\section{Point}
% verify: t = real in [0, 0]; x = real
\begin{align*}
x + t &= t + x
\end{align*}
''')
    res = judge_derivation(der)
    text = (der.error or "") + " ".join(s.evidence or "" for s in res.steps)
    assert "single point" in text and "t" in text, text
    assert "bug" not in text.lower()


def test_domains_that_cannot_be_drawn_are_invalid_not_a_bug():
    der, res = _judge('''[[derivation]]
id = "empty-range"
symbols = { n = "integer in [3, m]", m = "integer in [1, 2]", x = "vector n" }
steps = ["norm(x)", "= sqrt(x.T @ x)"]
''')
    (step,) = res.steps[1:]
    assert step.verdict == "invalid" and "bug" not in step.evidence.lower(), _verdicts(res)
    assert "symbol n" in step.evidence and "empty" in step.evidence, step.evidence
