"""The derivative relation's float64 stage (verify/answers/derivative.py): the complex step where the function is
complex-safe (parse tree of analytic operations, and a numeric probe at the first instance), Richardson
differences otherwise; the mpmath confirmation decides every disagreement either way. And the complex
arithmetic of the float64 evaluator (verify/answers/evaluate.py) that the complex step needs."""

import math
import re
from fractions import Fraction

import numpy as np
import pytest

import verify.answers.derivative as derivative
from verify.answers.bank import question_from_toml
from verify.answers.derivative import _complex_probe, complex_safe, jacobian, jacobian_complex
from verify.answers.evaluate import evaluate
from verify.answers.judge import judge
from verify.answers.language import parse


def _q(symbols, function, wrt, order=1):
    return question_from_toml({"id": "t", "symbols": symbols, "relation": "derivative", "function": function,
                               "wrt": wrt, "order": order})


M3, V3 = "matrix 3 x 3", "vector 3"

#: (symbols, function, wrt, correct answers, wrong answers (missing transpose, dropped factor 2, ...))
ANALYTIC = [
    ({"X": M3}, "log(det(X))", "X", ["inv(X).T", "inv(X.T)"], ["inv(X)"]),
    ({"X": M3, "A": M3}, "trace(inv(X) @ A)", "X", ["-(inv(X) @ A @ inv(X)).T"], ["-inv(X) @ A @ inv(X)"]),
    ({"x": V3}, "logsumexp(x)", "x", ["softmax(x)", "exp(x)/sum(exp(x))"], ["exp(x)", "softmax(x).T"]),
    ({"x": V3}, "softmax(x)", "x", ["diag(softmax(x)) - softmax(x) @ softmax(x).T"],
     ["diag(softmax(x))", "eye(3) - softmax(x) @ softmax(x).T"]),
    ({"x": V3, "A": M3}, "x.T @ A @ x", "x", ["(A + A.T) @ x", "A @ x + A.T @ x"], ["A @ x", "2*A @ x"]),
    ({"x": V3, "B": "symmetric matrix 3 x 3"}, "x.T @ B @ x", "x", ["2*B @ x"], ["B @ x"]),
    ({"x": "real"}, "sigmoid(x)", "x", ["sigmoid(x)*(1 - sigmoid(x))", "sigmoid(x)*sigmoid(-x)"],
     ["sigmoid(x)", "sigmoid(x)*(1 + sigmoid(x))"]),
    ({"x": V3, "W": M3}, "tanh(W @ x)", "x", ["diag(1 - tanh(W @ x)**2) @ W"], ["W", "diag(1 - tanh(W @ x)**2) @ W.T"]),
]


@pytest.mark.parametrize("symbols, function, wrt, right, wrong", ANALYTIC, ids=[c[1] for c in ANALYTIC])
def test_complex_step_judges_analytic_functions(symbols, function, wrt, right, wrong):
    q = _q(symbols, function, wrt)
    assert complex_safe(parse(function, q.domains))
    for text in right:
        v = judge(q, answer=text, max_examples=60)
        assert v.verdict == "correct", (text, v.message)
        assert "(complex step;" in v.message and "Richardson" not in v.message, v.message
    for text in wrong:
        v = judge(q, answer=text, max_examples=60)
        assert v.verdict == "incorrect", (text, v.message)
        assert v.message.startswith("not the derivative"), v.message


NOT_ANALYTIC = [
    ({"x": V3, "a": V3}, "norm(x - a)", "x", "(x - a)/norm(x - a)", "x - a"),
    ({"x": V3}, "sum(abs(x)) + x.T @ x", "x", "sign(x) + 2*x", "sign(x) + x"),
    ({"x": V3, "a": V3}, "max(x.T @ a, 0) + sum(exp(x))", "x", None, "a + exp(x)"),
    ({"x": "real"}, "abs(x)**3", "x", "3*x*abs(x)", "3*x**2"),
]


@pytest.mark.parametrize("symbols, function, wrt, right, wrong", NOT_ANALYTIC, ids=[c[1] for c in NOT_ANALYTIC])
def test_abs_max_norm_use_richardson(symbols, function, wrt, right, wrong):
    q = _q(symbols, function, wrt)
    assert not complex_safe(parse(function, q.domains))
    if right is not None:
        v = judge(q, answer=right, max_examples=60)
        assert v.verdict == "correct", v.message
        assert "(Richardson differences;" in v.message and "complex" not in v.message, v.message
    assert judge(q, answer=wrong, max_examples=60).verdict == "incorrect"


def test_hessian_uses_the_complex_step_gradient():
    q = _q({"x": V3, "A": M3}, "x.T @ A @ x + sum(exp(x))", "x", order=2)
    v = judge(q, answer="A + A.T + diag(exp(x))", max_examples=40)
    assert v.verdict == "correct" and "complex-step gradient" in v.message, v.message
    assert judge(q, answer="A + diag(exp(x))", max_examples=40).verdict == "incorrect"


SAME = [
    (ANALYTIC[0][:3], "inv(X).T"), (ANALYTIC[0][:3], "inv(X)"),
    (ANALYTIC[3][:3], "diag(softmax(x)) - softmax(x) @ softmax(x).T"), (ANALYTIC[3][:3], "diag(softmax(x))"),
    (ANALYTIC[4][:3], "(A + A.T) @ x"), (ANALYTIC[4][:3], "2*A @ x"),
    (ANALYTIC[6][:3], "sigmoid(x)*(1 - sigmoid(x))"), (ANALYTIC[6][:3], "sigmoid(x)**2"),
]


@pytest.mark.parametrize("qargs, answer", SAME, ids=[f"{q[1]}: {a}" for q, a in SAME])
def test_same_verdict_both_ways(qargs, answer, monkeypatch):
    q = _q(*qargs)
    v_complex = judge(q, answer=answer, max_examples=40)
    monkeypatch.setattr(derivative, "complex_safe", lambda node: False)
    v_rich = judge(q, answer=answer, max_examples=40)
    assert v_complex.verdict == v_rich.verdict, (v_complex.message, v_rich.message)
    if v_complex.verdict == "correct":
        assert "complex step" in v_complex.message and "Richardson differences" in v_rich.message


def test_complex_safe_tree():
    doms = {"x", "X", "A", "k"}
    for text in ["log(det(X)) + trace(inv(X) @ A)", "x.T @ A @ x", "sum(sigmoid(x)) + logsumexp(x)",
                 "logdet(X) + trace(matrix_power(X, 3)) + sum(diag(kron(X, A)))", "sqrt(x.T @ x)**1.5",
                 "tan(sum(x))/cos(sum(x)) + sum(ones(3, 1).T @ x) + trace(eye(3) @ X)", "-(x.T @ x)/2",
                 "sum(softmax(x) * x)", "(x.T @ x)**k"]:
        assert complex_safe(parse(text, doms)), text
    for text in ["norm(x)", "sum(abs(x))", "max(x)", "min(sum(x), 0)", "sum(sign(x) * x)", "floor(sum(x))",
                 "ceil(sum(x))", "trace(pinv(X))", "factorial(k) * sum(x)", "binomial(5, 2) * sum(x)",
                 "exp(norm(x)**2)", "sum(x) + sum(atan(x))"]:
        assert not complex_safe(parse(text, doms)), text


def test_probe_rejects_non_analytic_functions():
    x0 = np.array([[0.5], [-1.25], [2.0]])
    cases = {
        "conj": lambda z: np.sum(np.conj(z) * z),  # complex values, not analytic: Im = 0 (2x by differences)
        "abs": lambda z: np.sum(np.abs(z)),  # real values for a complex input
        "real": lambda z: np.sum(np.real(z) ** 2),
        "raises": lambda z: float(np.sum(z)),
    }
    for name, fc in cases.items():
        f = lambda X, fc=fc: np.asarray(fc(X), dtype=float)  # noqa: E731
        with np.errstate(all="ignore"):
            assert not _complex_probe(f, fc, x0, f(x0), seed=0), name
    fc = lambda z: np.sum(np.exp(z)) + (z.T @ z)[0, 0]  # noqa: E731
    assert _complex_probe(lambda X: np.asarray(fc(X), dtype=float), fc, x0, fc(x0), seed=0)


def test_jacobian_complex_matches_richardson_and_is_exact():
    X = np.array([[2.0, 1.0, 0.5], [0.0, 1.0, -1.0], [1.0, 0.25, 3.0]])
    f = lambda Y: np.log(np.linalg.det(Y))  # noqa: E731
    Dc, errc = jacobian_complex(f, X)
    Dr, errr = jacobian(f, X)
    assert np.allclose(Dc, np.linalg.inv(X).T, rtol=0, atol=1e-15)
    assert np.max(np.abs(Dc - Dr)) < 100 * errr + 1e-9 and errc < 1e-14
    with pytest.raises(ValueError, match="complex-safe"):
        jacobian_complex(lambda Y: np.abs(Y).sum(), X)


# ---------------------------------------------------------------------------
# the float64 evaluator on complex inputs (real behaviour unchanged)
# ---------------------------------------------------------------------------

H = 1e-30
X_REAL = np.array([[2.0, 1.0], [0.5, 3.0]])
V_REAL = np.array([[0.5], [-1.0], [2.0]])


def test_evaluator_real_results_unchanged():
    env = {"X": X_REAL, "x": V_REAL, "t": 0.75}
    ev = lambda text: evaluate(parse(text, set(env)), env)  # noqa: E731
    assert type(ev("det(X)")) is float and ev("det(X)") == float(np.linalg.det(X_REAL))
    assert type(ev("logdet(X)")) is float and ev("logdet(X)") == float(np.linalg.slogdet(X_REAL)[1])
    assert math.isnan(ev("logdet(X - 3*eye(2))"))
    lse = ev("logsumexp(x)")
    assert type(lse) is float and lse == float(2.0 + np.log(np.exp(V_REAL - 2.0).sum()))
    assert ev("sigmoid(t)") == 1 / (1 + math.exp(-0.75))
    assert ev("t**2.5") == 0.75 ** 2.5 and math.isnan(ev("(-t)**0.5")) and math.isnan(ev("(t - t)**(-1)"))
    assert ev("diag(x)").dtype == float and np.array_equal(ev("diag(x)"), np.diag(V_REAL[:, 0]))
    assert np.array_equal(ev("softmax(x)"), np.exp(V_REAL - 2.0) / np.exp(V_REAL - 2.0).sum())
    assert np.array_equal(ev("x**2"), V_REAL ** 2.0)


@pytest.mark.parametrize("text, dx", [
    ("det(X)", lambda: np.linalg.det(X_REAL) * np.trace(np.linalg.inv(X_REAL) @ DX)),
    ("logdet(X)", lambda: np.trace(np.linalg.inv(X_REAL) @ DX)),
    ("log(det(X))", lambda: np.trace(np.linalg.inv(X_REAL) @ DX)),
    ("logsumexp(x)", lambda: (SM.T @ DV).item()),
    ("sum(softmax(x) * x)", lambda: ((SM * (V_REAL - (SM.T @ V_REAL).item())).T @ DV + SM.T @ DV).item()),
    ("sigmoid(t) + sigmoid(-t)", lambda: 0.0),
    ("sigmoid(t)", lambda: SIG * (1 - SIG)),
    ("t**2.5", lambda: 2.5 * 0.75 ** 1.5),
    ("sum(x**2)", lambda: (2 * V_REAL.T @ DV).item()),
    ("trace(diag(x))", lambda: float(DV.sum())),
    ("trace(inv(X))", lambda: -np.trace(np.linalg.inv(X_REAL) @ DX @ np.linalg.inv(X_REAL))),
])
def test_evaluator_complex_inputs_give_the_complex_step(text, dx):
    """Im f(x + i h dx) / h is the directional derivative: complex values flow through every analytic operation."""
    env = {"X": X_REAL + 1j * H * DX, "x": V_REAL + 1j * H * DV, "t": 0.75 + 1j * H}
    out = evaluate(parse(text, set(env)), env)
    assert np.iscomplexobj(out), text
    real = evaluate(parse(text, set(env)), {"X": X_REAL, "x": V_REAL, "t": 0.75})
    assert np.allclose(np.real(out), real, rtol=1e-14, atol=0)
    assert np.isclose(np.imag(out) / H, dx(), rtol=1e-12, atol=1e-14), (np.imag(out) / H, dx())


DX = np.array([[0.3, -1.0], [0.7, 0.2]])
DV = np.array([[1.0], [0.5], [-0.25]])
SM = np.exp(V_REAL) / np.exp(V_REAL).sum()
SIG = 1 / (1 + math.exp(-0.75))


def test_branch_point_is_a_kink_not_a_counterexample(monkeypatch):
    """sqrt(x**2) is complex-safe by its tree, but at x = 0 (a branch point) the complex step gives a one-sided
    value: an instance judged by the complex step is checked for a kink by Richardson before it counts against
    the answer. Near 0 (1e-12 ... 1e-4) the complex step judges instances that Richardson (h = 1e-3) takes for
    kinks, so more instances are compared."""
    import verify.answers.domains as domains

    q = _q({"x": "real"}, "sqrt(x**2)", "x")
    v = judge(q, answer="x/abs(x)")
    assert v.verdict == "correct" and "complex step" in v.message, v.message
    assert judge(q, answer="x/abs(x) + x").verdict == "incorrect"
    n_complex = int(re.search(r"at (\d+) instances", v.message).group(1))
    with monkeypatch.context() as m:
        m.setattr(derivative, "complex_safe", lambda node: False)
        v_rich = judge(q, answer="x/abs(x)")
    n_rich = int(re.search(r"at (\d+) instances", v_rich.message).group(1))
    assert v_rich.verdict == "correct" and n_complex > n_rich, (v.message, v_rich.message)
    cases = [(0, "x/abs(x)", "unknown"), (0, "1", "unknown"), (0, "-1", "unknown"), (2, "-1", "incorrect"),
             (2, "1", "correct")]
    for x, answer, verdict in cases:  # one instance (exhausted): x = 0 is skipped, not a counterexample
        monkeypatch.setattr(domains, "sample_instances", lambda doms, count, seed=0, x=x: ([({"x": x}, None)], True))
        v = judge(q, answer=answer)
        assert v.verdict == verdict, (x, answer, v.message)
        assert verdict != "unknown" or "only 0 instances" in v.message, v.message
    # the probe passes at x = 2 (complex step chosen), then x = 0: the undefined answer there is not a counterexample
    monkeypatch.setattr(domains, "sample_instances", lambda doms, count, seed=0: ([({"x": 2}, None), ({"x": 0}, None)],
                                                                                   True))
    v = judge(q, answer="x/abs(x)")
    assert v.verdict == "correct" and "at 1 instances (complex step;" in v.message, v.message


def test_a_domain_end_is_not_an_instance_of_the_derivative():
    """sqrt(x - 1) on [1, 2]: at x = 1 the complex step returns a number but no two-sided derivative exists;
    the right answer 1/(2 sqrt(x - 1)), undefined there, was judged incorrect."""
    from verify.answers.bank import question_from_toml
    from verify.answers.judge import judge

    q = question_from_toml({"id": "t/sqrt", "symbols": {"x": "real in [1, 2]"}, "relation": "derivative",
                            "function": "sqrt(x - 1)", "wrt": "x"})
    assert judge(q, answer="1/(2*sqrt(x - 1))").verdict == "correct"
    assert judge(q, answer="1/sqrt(x - 1)").verdict == "incorrect"
