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


def test_catalogue_shape_claims_probes_candidates():
    """Claims are data; the oracle side (verify/probes) never imports the candidate side or the claims."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2] / "verify"
    probes = sorted((root / "probes").glob("*.py"))
    assert len(probes) > 10
    for p in probes:
        assert not re.search(r"^\s*from \.\.(candidates|catalogue)\b|^\s*(from|import) verify\.(candidates|catalogue)\b",
                             p.read_text(), re.M), f"{p.name}: the oracle side imports the formula under test"
    for p in sorted((root / "catalogue").glob("*.py")):
        text = p.read_text()
        assert not re.search(r"^def |^class |^@", text, re.M), f"{p.name}: helper code belongs in probes/ or candidates/"
    lines = sum(len(p.read_text().splitlines()) for p in (root / "catalogue").glob("*.py"))
    assert lines / len(REGISTRY) < 40, f"{lines} catalogue lines for {len(REGISTRY)} claims"
