"""Every step of every catalogue derivation is judged by the step checker (verify/stepcheck.py).

A step refuted in a claim that holds is a wrong derivation (fix it and say so); an erratum's derivation may
contain the seed's wrong step (refuted, as expected). At least 85% of all steps must be proved or
consistent (the measured figure is 92%; the margin covers steps whose 30 s search budget can run out on a
loaded machine, which makes them undecided, never consistent).
"""

import pytest

from verify import default_registry
from verify.stepcheck import check_steps, count_checked

REGISTRY = default_registry()
CLAIMS = list(REGISTRY)
RESULTS = {}


def _steps(claim):
    if claim.id not in RESULTS:
        RESULTS[claim.id] = check_steps(claim.derivation, seed=0)
    return RESULTS[claim.id]


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.id)
def test_no_step_of_a_holding_claim_is_refuted(claim):
    steps = _steps(claim)
    assert len(steps) == len(claim.derivation.steps)
    if claim.expected == "holds":
        bad = [(s.index, s.reason) for s in steps if s.verdict == "refuted"]
        assert not bad, bad
    for s in steps:
        if s.verdict == "unchecked":
            assert s.reason and "no plain form" not in s.reason, f"step {s.index} has neither a plain form nor a reason"


def test_most_steps_are_checked():
    k = n = 0
    for claim in CLAIMS:
        a, b = count_checked(_steps(claim))
        k, n = k + a, n + b
    assert n > 300
    assert k / n >= 0.85, f"{k} of {n} steps proved or consistent"
