"""verify.checks.property: a predicate over the domain passes the truth, refutes a mutant with a
shrunk counterexample, and treats a malformed predicate as an error of the check."""

import numpy as np
from hypothesis import strategies as st

from derivations.steps import Derivation, Step
from verify import PROFILES, Claim, Formula, Mutant, RunContext
from verify.checks import PropertyCheck
from verify.runner import run_claim

CTX = RunContext(seed=0, profile=PROFILES["quick"], check_steps=False)


def _logits():
    return st.lists(st.floats(-30, 30), min_size=1, max_size=6).map(np.array)


def _is_distribution(z, p):
    p = np.asarray(p)
    return bool(np.all(p >= 0) and abs(p.sum() - 1.0) <= 1e-12), {"sum": float(p.sum())}


def _softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


SOFTMAX = Claim(
    id="toy.softmax-is-a-distribution", title="softmax(z) is a probability vector", source="test",
    statement=r"$\mathrm{softmax}(z) \in \Delta$", assumptions=(),
    derivation=Derivation((Step("a", "a", "same"),)),
    candidate=Formula(r"\mathrm{softmax}(z)", _softmax),
    checks=(PropertyCheck(_is_distribution, _logits, description="nonnegative entries summing to 1"),),
    mutants=(Mutant("unnormalised", r"$e^z$", Formula("e^z", lambda z: np.exp(z))),
             Mutant("shifted", r"$\mathrm{softmax}(z) - 1/n$", Formula("s", lambda z: _softmax(z) - 1 / z.size))),
)


def test_passes_the_truth_and_refutes_every_mutant_through_the_runner():
    result = run_claim(SOFTMAX, CTX, mutants=True)
    assert result.verdict == "consistent", result.to_json()
    assert all(m.refuted for m in result.mutants), [(m.name, m.verdict) for m in result.mutants]
    assert result.ok


def test_counterexample_is_shrunk_and_shows_the_value():
    ev = SOFTMAX.checks[0].run(SOFTMAX.mutants[0].candidate, CTX, label="t")
    assert ev.verdict == "refuted"
    # shrunk to one logit: e^0 = 1 happens to be a distribution, so the smallest failure is z = (1,)
    assert ev.counterexample["point"] == [1.0]
    assert ev.counterexample["holds"] is False and ev.counterexample["value"] == [np.e]


def test_a_sign_claim_needs_no_bound_against_zero():
    """What the catalogue writes as BoundCheck(oracle=lambda p: 0.0, sense="upper")."""
    check = PropertyCheck(lambda x, v: v >= 0, lambda: st.floats(-5, 5))
    assert check.run(Formula("(x-1)^2", lambda x: (x - 1) ** 2), CTX, label="t").verdict == "consistent"
    ev = check.run(Formula("x^2 - 2x", lambda x: x * x - 2 * x), CTX, label="t")
    assert ev.verdict == "refuted" and 0 < ev.counterexample["point"] < 2


def test_a_predicate_returning_an_array_is_an_error_not_a_verdict():
    check = PropertyCheck(lambda z, p: p >= 0, _logits)
    ev = check.run(Formula("s", _softmax), CTX, label="t")
    assert ev.verdict == "error" and "np.all" in ev.counterexample["exception"]


def test_a_finite_domain_enumerated_through_examples():
    domain = tuple(range(-3, 4))
    check = PropertyCheck(lambda n, v: v % 2 == 0, None, examples=domain)
    ev = check.run(Formula("n(n+1)", lambda n: n * (n + 1)), CTX, label="t")
    assert ev.verdict == "consistent" and ev.points == len(domain)
    ev = check.run(Formula("n^2", lambda n: n * n), CTX, label="t")
    assert ev.verdict == "refuted" and ev.counterexample["point"] == -3
    assert ev.counterexample["found_at"] == "examples[0]"
