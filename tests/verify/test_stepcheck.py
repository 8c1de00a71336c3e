"""verify.stepcheck: the steps of catalogue derivations are judged by the step checker."""

import json

import pytest

from derivations.steps import Derivation, Step
from verify.model import PROFILES, RunContext
from verify.runner import ClaimResult
from verify.stepcheck import StepVerdict, check_steps, count_checked

SOFTMAX = {"z": "vector n", "n": "integer in [2, 5]", "i": "integer in [0, n - 1]", "j": "integer in [0, n - 1]"}


def _der(*steps, **kw):
    return Derivation(tuple(steps), symbols=kw.pop("symbols", SOFTMAX), **kw)


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("VERIFY_CACHE_DIR", str(tmp_path))


def test_a_true_step_is_consistent_and_a_planted_error_refuted():
    good = Step("a", "b", "quotient rule", plain=("diff(softmax(z)[i], z[j])",
                                                  "softmax(z)[i]*(delta(i, j) - softmax(z)[j])"))
    bad = Step("a", "b", "quotient rule", plain=("diff(softmax(z)[i], z[j])",
                                                 "softmax(z)[i]*(delta(i, j) - softmax(z)[i])"))
    v = check_steps(_der(good, bad))
    assert [s.verdict for s in v] == ["consistent", "refuted"]
    assert "previous" in v[1].reason


@pytest.mark.parametrize("relation, lhs, rhs, verdict", [
    (r"\le", "x**2 + 1", "exp(x**2)", ("proved", "consistent")),
    (r"\ge", "x**2 + 1", "exp(x**2)", ("refuted",)),
    ("<", "x", "x + 1", ("proved", "consistent")),
    (r"\Longrightarrow", "x >= 1", "x**2 >= 1", ("proved", "consistent")),
    (r"\Longrightarrow", "x >= -1", "x**2 <= 1", ("refuted",)),
])
def test_relations(relation, lhs, rhs, verdict):
    v = check_steps(_der(Step("a", "b", "r", relation, plain=(lhs, rhs)), symbols={"x": "real"}))
    assert v[0].verdict in verdict, v[0]


def test_unchecked_steps_say_why_and_count_against():
    v = check_steps(_der(Step("a", "b", "Banach", unchecked="an appeal to Banach's fixed-point theorem"),
                         Step("a", "b", "r")))
    assert [s.verdict for s in v] == ["unchecked", "unchecked"]
    assert "Banach" in v[0].reason and "no plain form" in v[1].reason
    assert count_checked(v) == (0, 2)


def test_an_unreadable_side_is_undecided_never_a_pass():
    v = check_steps(_der(Step("a", "b", "r", plain=("x +* 1", "x")), symbols={"x": "real"}))
    assert v[0].verdict == "undecided" and v[0].method == "invalid"


@pytest.mark.parametrize("kw, match", [
    ({"plain": ("x",)}, "pair"),
    ({"plain": ("x", "")}, "pair"),
    ({"plain": ("x", "x"), "unchecked": "why"}, "not both"),
    ({"plain": ("x", "x"), "relation": r"\approx"}, "cannot be checked"),
    ({"unchecked": "  "}, "say why"),
])
def test_step_validation(kw, match):
    with pytest.raises(ValueError, match=match):
        Step("a", "b", "r", **kw)


def test_cache_gives_the_same_verdicts(tmp_path):
    d = _der(Step("a", "b", "r", plain=("sum(softmax(z))", "1")))
    first = check_steps(d)
    assert list((tmp_path / "steps").glob("*.json"))
    assert check_steps(d) == first == check_steps(d, cache=False)


def test_a_refuted_step_makes_a_holding_claim_not_ok():
    wrong = [StepVerdict(0, "=", "refuted", "counterexample", "x")]
    base = dict(id="c", title="t", kind="identity", verdict="consistent", evidence=[], mutants=[], seconds=0.0)
    assert not ClaimResult(expected="holds", steps=wrong, **base).ok
    assert ClaimResult(expected="holds", steps=[], **base).ok
    doc = ClaimResult(expected="holds", steps=wrong, **base).to_json()
    assert doc["steps"][0] == {"index": 0, "relation": "=", "verdict": "refuted", "method": "counterexample",
                               "reason": "x"}
    json.dumps(doc, allow_nan=False)


def test_run_context_can_skip_steps():
    from verify.registry import default_registry
    from verify.runner import run_claim

    claim = default_registry().select(["td.*"])[0]
    r = run_claim(claim, RunContext(seed=0, profile=PROFILES["quick"], check_steps=False))
    assert r.steps == []
