"""verify.checks.existence: a verified witness proves, a constructed witness that fails refutes,
no witness is undecided (never consistent)."""

import numpy as np
from hypothesis import strategies as st

from derivations.steps import Derivation, Step
from verify import PROFILES, Claim, Formula, Mutant, RunContext
from verify.checks import ExistenceCheck
from verify.runner import run_claim

CTX = RunContext(seed=0, profile=PROFILES["quick"], check_steps=False)
THOROUGH = RunContext(seed=0, profile=PROFILES["thorough"], check_steps=False)

#: two agents, actions {0, 1}, one stage: each agent alone prefers 1, together they pay more
COORDINATION = ((1, 0), (0, 2))


def _worsening(g, *, rule):
    """Cost of the rule's joint action minus the base (0, 0)'s: positive means the rule made it worse."""
    g = np.asarray(g, dtype=float)
    if rule == "autonomous":  # each agent assumes the other plays the base action
        u1, u2 = int(np.argmin(g[:, 0])), int(np.argmin(g[0, :]))
    else:  # agent by agent: the second sees the first's choice
        u1 = int(np.argmin(g[:, 0]))
        u2 = int(np.argmin(g[u1, :]))
    return float(g[u1, u2] - g[0, 0])


def _costs():
    return st.tuples(*[st.integers(0, 3)] * 4).map(lambda t: (t[:2], t[2:]))


CAN_FAIL = Claim(
    id="toy.autonomous-can-fail", title="autonomous rollout can make the cost worse", source="test",
    statement=r"$\exists g: J_{\hat\mu} > J_\mu$", assumptions=(),
    derivation=Derivation((Step("a", "a", "same"),)),
    candidate=Formula("autonomous", lambda g: _worsening(g, rule="autonomous")),
    checks=(ExistenceCheck(lambda: COORDINATION, lambda g, worse: worse > 0,
                           description="the seed's coordination game"),),
    mutants=(Mutant("agent-by-agent", "the cost-improving rule", Formula("abya",
                    lambda g: _worsening(g, rule="agent-by-agent"))),),
)


def test_a_verified_witness_proves_and_a_failing_construction_refutes_the_mutant():
    result = run_claim(CAN_FAIL, CTX, mutants=True)
    assert result.verdict == "proved", result.to_json()
    assert result.evidence[0].details["witness"] == [[1, 0], [0, 2]]
    (m,) = result.mutants
    assert m.refuted, m.to_json()
    assert m.evidence[0].counterexample["found_by"] == "find_witness"
    assert result.ok


def test_search_finds_the_smallest_witness_and_is_undecided_when_none_exists():
    """2.3% of the 256 cost tables are witnesses: the thorough profile's 600 points find one."""
    search = ExistenceCheck(None, lambda g, worse: worse > 0, strategy=_costs)
    ev = search.run(CAN_FAIL.candidate, THOROUGH, label="t")
    assert ev.verdict == "proved" and ev.details["found_by"] == "Hypothesis search (shrunk)"
    g = np.array(ev.details["witness"])
    assert g.sum() <= 3 and _worsening(g, rule="autonomous") > 0
    # agent-by-agent never worsens: no witness exists, so the search cannot decide
    ev = search.run(CAN_FAIL.mutants[0].candidate, THOROUGH, label="t")
    assert ev.verdict == "undecided" and ev.points > 0 and ev.verdict != "consistent"


def test_examples_are_tried_when_the_construction_returns_none():
    check = ExistenceCheck(lambda: None, lambda g, worse: worse > 0, examples=(((0, 0), (0, 0)), COORDINATION))
    ev = check.run(CAN_FAIL.candidate, CTX, label="t")
    assert ev.verdict == "proved" and ev.details["found_by"] == "examples[1]" and ev.points == 2
    ev = check.run(CAN_FAIL.mutants[0].candidate, CTX, label="t")
    assert ev.verdict == "undecided" and "find_witness returned None" in ev.method


def test_a_broken_construction_is_an_error_and_a_raising_point_is_not_a_witness():
    def broken():
        raise RuntimeError("no instance")
    ev = ExistenceCheck(broken, lambda g, w: w > 0).run(CAN_FAIL.candidate, CTX, label="t")
    assert ev.verdict == "error" and "no instance" in ev.details["error"]
    picky = ExistenceCheck(None, lambda x, v: 1 / x > 10, strategy=lambda: st.just(0.0))
    ev = picky.run(Formula("x", lambda x: x), CTX, label="t")
    assert ev.verdict == "undecided" and "ZeroDivisionError" in ev.details["first_raise"]["exception"]
