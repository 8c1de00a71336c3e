"""The high-precision remainders (``precise=True``) agree with the float64 ones where both are above
their floors, and reach deeper: the ladder's roundoff floor is then only the candidate's own."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, seed, settings

from verify.registry import default_registry

REGISTRY = default_registry()
HS = 2.0 ** -np.arange(0, 40)

CASES = [("td.linearization-remainder", 0), ("implicit.preconditioner", 2), ("implicit.inverse-expansion", 2),
         ("dynamics.gradient-flow-reparameterization", 1)]


def _points(strategy, n=8, at=3):
    out = []

    @seed(at)
    @settings(max_examples=n, database=None, deadline=None)
    @given(strategy())
    def draw(p):
        out.append(p)

    draw()
    return out[:n]


@pytest.mark.parametrize("claim_id, index", CASES)
def test_precise_remainder_agrees_with_float_and_goes_deeper(claim_id, index):
    claim = REGISTRY[claim_id]
    check = claim.checks[index]
    assert check.precise, f"{claim_id}[{index}] should evaluate its remainder in high precision"
    deeper = compared = 0
    for p in _points(check.strategy):
        r1, f1 = check.remainder(claim.candidate, p, HS)
        r2, f2 = check.remainder(claim.candidate, p, HS, precise=True)
        both = (r1 > 100 * f1) & (r2 > 100 * f2)
        if both.any():
            assert np.allclose(r1[both], r2[both], rtol=1e-2), (claim_id, p)
            compared += 1
        deeper += int((r2 > 10 * f2).sum() >= (r1 > 10 * f1).sum())
    assert compared >= 2
    assert deeper >= 6  # the precise ladder is usable at least as deep at most points
