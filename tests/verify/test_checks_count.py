"""verify.checks.count: exact integer equality against an enumeration; off by one refutes, a
non-integer candidate refutes, a non-integer enumeration is an error of the check."""

from itertools import product

import numpy as np
from hypothesis import strategies as st

from derivations.steps import Derivation, Step
from verify import PROFILES, Claim, Formula, Mutant, RunContext
from verify.checks import CountCheck
from verify.runner import run_claim

CTX = RunContext(seed=0, profile=PROFILES["quick"], check_steps=False)


def _policies(p):
    """Deterministic policies of |S| states and |A| actions, listed one by one."""
    n_states, n_actions = p
    return sum(1 for _ in product(range(n_actions), repeat=n_states))


def _sizes():
    return st.tuples(st.integers(1, 5), st.integers(1, 4))


POLICIES = Claim(
    id="toy.policy-count", title="|A|^|S| deterministic policies", source="test",
    statement=r"$|A|^{|S|}$", assumptions=(), derivation=Derivation((Step("a", "a", "same"),)),
    candidate=Formula("|A|^{|S|}", lambda p: p[1] ** p[0]),
    checks=(CountCheck(_policies, _sizes, description="enumerate every action assignment"),),
    mutants=(Mutant("swapped", "$|S|^{|A|}$", Formula("|S|^{|A|}", lambda p: p[0] ** p[1])),
             Mutant("product", "$|S||A|$", Formula("|S||A|", lambda p: p[0] * p[1])),
             Mutant("off-by-one", "$|A|^{|S|} - 1$", Formula("-1", lambda p: p[1] ** p[0] - 1))),
)


def test_passes_the_truth_and_refutes_every_mutant_through_the_runner():
    result = run_claim(POLICIES, CTX, mutants=True)
    assert result.verdict == "consistent", result.to_json()
    assert all(m.refuted for m in result.mutants), [(m.name, m.verdict) for m in result.mutants]


def test_off_by_one_is_refuted_with_both_counts():
    ev = POLICIES.checks[0].run(POLICIES.mutants[2].candidate, CTX, label="t")
    assert ev.verdict == "refuted"
    cx = ev.counterexample
    assert cx["point"] == [1, 1] and (cx["candidate"], cx["counted"], cx["error"]) == (0, 1, 1)


def test_float_candidates_count_only_when_exact_integers():
    check = CountCheck(_policies, _sizes)
    assert check.run(Formula("float", lambda p: float(p[1] ** p[0])), CTX, label="t").verdict == "consistent"
    ev = check.run(Formula("almost", lambda p: p[1] ** p[0] + 1e-9), CTX, label="t")
    assert ev.verdict == "refuted" and "not an integer" in ev.counterexample["candidate_not_integer"]
    huge = CountCheck(lambda n: 2 ** n, None, examples=(60,))
    assert huge.run(Formula("2^n", lambda n: 2 ** n), CTX, label="t").verdict == "consistent"
    ev = huge.run(Formula("2.0^n", lambda n: 2.0 ** n), CTX, label="t")
    assert ev.verdict == "refuted" and "2^53" in ev.counterexample["candidate_not_integer"]


def test_several_counts_at_once():
    """Joint and agent-by-agent search spaces (|U|^m, m|U|), as rollout.search-space claims them."""
    def counted(p):
        U, m = p
        joint = sum(1 for _ in product(range(U), repeat=m))
        return [joint, sum(1 for _agent in range(m) for _u in range(U))]
    check = CountCheck(counted, lambda: st.tuples(st.integers(2, 4), st.integers(1, 4)))
    assert check.run(Formula("ok", lambda p: np.array([p[0] ** p[1], p[1] * p[0]])), CTX, label="t").verdict == "consistent"
    ev = check.run(Formula("bad", lambda p: np.array([p[1] ** p[0], p[1] * p[0]])), CTX, label="t")
    assert ev.verdict == "refuted" and ev.counterexample["index"] == [0]
    ev = check.run(Formula("shape", lambda p: p[0] ** p[1]), CTX, label="t")
    assert ev.verdict == "refuted" and "shape" in ev.counterexample["shape_mismatch"]


def test_an_enumeration_that_is_not_a_count_is_an_error():
    ev = CountCheck(lambda p: 0.5, _sizes).run(Formula("1", lambda p: 1), CTX, label="t")
    assert ev.verdict == "error" and "count_fn" in ev.counterexample["exception"]


def test_the_whole_finite_domain_enumerated():
    domain = tuple(product(range(1, 7), range(1, 5)))
    check = CountCheck(_policies, None, examples=domain)
    ev = check.run(POLICIES.candidate, CTX, label="t")
    assert ev.verdict == "consistent" and ev.points == len(domain)
