"""verify check: sum(expr, (k, lo, hi)) and prod(...) in plain answers and references (exact where the terms
are rational, a term cap MAX_JUDGE_TERMS per evaluation: beyond it an instance is skipped, never a
counterexample), and the instances drawn near the singularities of either side."""

import time

import pytest

from verify.answers.bank import Question
from verify.answers.evaluate import MAX_JUDGE_TERMS
from verify.answers.judge import judge, judge_with_budget, parse_plain
from verify.answers.language import AnswerError

G = {"g": "real in (0, 1)", "n": "positive integer"}
N = {"n": "positive integer"}
R = {"x": "real"}


def _q(symbols, reference):
    return Question("sums", "", dict(symbols), reference, "equal")


@pytest.mark.parametrize("symbols, ref, ans, verdict", [
    (G, "(1 - g**n)/(1 - g)", "sum(g**k, (k, 0, n - 1))", "correct"),
    (G, "sum(g**k, (k, 0, n - 1))", "(1 - g**n)/(1 - g)", "correct"),  # a sum in the reference
    (N, "n*(n + 1)/2", "sum(k, (k, 1, n))", "correct"),
    (N, "n + 1", "prod(1 + 1/k, (k, 1, n))", "correct"),
    ({"gamma": "discount", "r": "real", "T": "positive integer"}, "r*(1 - gamma**T)/(1 - gamma)",
     "sum(gamma**k * r, (k, 0, T - 1))", "correct"),
    ({"n": "integer in [1, 60]"}, "n*(n + 1)*(n + 2)/6", "sum(sum(j, (j, 1, k)), (k, 1, n))", "correct"),
    ({"n": "integer in [1, 60]"}, "n*(n + 1)*(n + 2)/6", "sum(sum(j, (j, 1, k)), (k, 1, n - 1))", "incorrect"),
    (N, "n*(n + 1)/2", "sum(k, (k, 0, n - 1))", "incorrect"),
    (N, "factorial(n)", "prod(k, (k, 1, n))", "correct"),
])
def test_sums_and_products(symbols, ref, ans, verdict):
    v = judge(_q(symbols, ref), answer=ans)
    assert v.verdict == verdict, v.message
    if verdict == "incorrect":
        assert v.counterexample["symbols"]


def test_off_by_one_upper_bound_names_the_instance():
    v = judge(_q(G, "(1 - g**n)/(1 - g)"), answer="sum(g**k, (k, 0, n))")
    assert v.verdict == "incorrect"
    env = v.counterexample["symbols"]
    assert set(env) == {"g", "n"} and v.counterexample["answer"] != v.counterexample["reference"]


def test_integer_sums_are_exact():
    v = judge(_q(N, "n*(n + 1)/2"), answer="sum(k, (k, 1, n)) + 1/10**40")
    assert v.verdict == "incorrect" and "exact rational" in v.message


def test_too_many_terms_is_skipped_not_a_counterexample():
    # every instance needs 10^12 terms: nothing is compared, so unknown (never incorrect, never error)
    t = time.perf_counter()
    v = judge_with_budget(_q(N, "n"), answer="sum(1, (k, 0, 10**12))", budget=5.0)
    assert time.perf_counter() - t < 5.5
    assert v.verdict == "unknown", v.message
    assert str(MAX_JUDGE_TERMS) in v.message


def test_mostly_huge_instances_are_unknown_not_correct():
    # n drawn up to 10^6: sum over n**2 terms only fits at n <= 100, fewer than MIN_COMPARED instances
    v = judge(_q(N, "n**3"), answer="sum(sum(1, (j, 1, n)), (k, 1, n))*n")
    assert v.verdict == "unknown", v.message


def test_only_sums_and_products_are_added():
    with pytest.raises(AnswerError):
        parse_plain("sum(x, (k, 0, oo))", {"x"})
    with pytest.raises(AnswerError):
        parse_plain("max(x*k, (k, 0, 3))", {"x"})
    with pytest.raises(AnswerError):
        parse_plain("sum(diff(x**2, x), (k, 0, 3))", {"x"})
    with pytest.raises(AnswerError, match="takes 1 argument"):
        parse_plain("sum(x, y)", {"x", "y"})  # not a binder form: the plain parser's message
    assert judge(_q(R, "x"), answer="sum(x[k], (k, 0, 1))").verdict == "invalid"


# --- instances near the singularities of either side ---------------------------------------------------

@pytest.mark.parametrize("symbols, ref, ans", [
    (R, "1/(x - 2)", "1/(x - 2) + floor(10**-7/(x - 2)**2)"),  # differs only within 3.2e-4 of the pole
    (R, "1/(x - 1/3)", "1/(x - 1/3) + max(0, 1 - 10**6*abs(x - 1/3))"),  # a bump of width 1e-6 at the pole
    ({"x": "real", "y": "real"}, "y/(x - 3)", "y/(x - 3) + floor(10**-8/(x - 3)**2)"),
    (R, "1/(x - 2)", "floor(10**-7/(x - 2)**2) + 1/(x - 2)"),  # the pole of the answer alone also counts
])
def test_differences_next_to_a_pole_are_found(symbols, ref, ans):
    v = judge(_q(symbols, ref), answer=ans)
    assert v.verdict == "incorrect", v.message
    x = v.counterexample["symbols"]["x"]
    assert isinstance(x, str) and "/" in x  # an exact rational next to the pole


@pytest.mark.parametrize("symbols, ref, ans", [
    (R, "x + 1", "(x**2 - 1)/(x - 1)"),  # differs at the single point x = 1 (both sides' rule)
    (R, "1/(x - 1/3)", "3/(3*x - 1)"),
    (R, "1/(x**2 - 2)", "1/((x - sqrt(2))*(x + sqrt(2)))"),
    ({"x": "positive"}, "log(x)/x", "log(x**2)/(2*x)"),
])
def test_right_answers_with_poles_stay_correct(symbols, ref, ans):
    v = judge(_q(symbols, ref), answer=ans)
    assert v.verdict == "correct", v.message


def test_a_custom_question_may_have_a_sum_in_its_reference(tmp_path):
    """Custom questions are validated with the judge's parser (bank.validate_question), sums included."""
    import subprocess
    import sys

    f = tmp_path / "a.toml"
    f.write_text('''
[[question]]
id = "mine/geom"
prompt = "sum of g^k for k < n"
symbols = { g = "discount", n = "integer in [1, 50]" }
reference = "sum(g**k, (k, 0, n - 1))"
relation = "equal"

[[answer]]
question = "mine/geom"
answer = "(1 - g**n)/(1 - g)"

[[answer]]
question = "mine/geom"
answer = "(1 - g**(n+1))/(1 - g)"
''')
    p = subprocess.run([sys.executable, "-m", "verify", "check", str(f), "--json", str(tmp_path / "o.json")],
                       capture_output=True, text=True)
    import json

    doc = json.loads((tmp_path / "o.json").read_text())
    verdicts = [a["verdict"] for a in doc]  # the JSON document is the list of verdicts
    assert verdicts == ["correct", "incorrect"], p.stdout + p.stderr
