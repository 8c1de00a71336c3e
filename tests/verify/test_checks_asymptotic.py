"""verify.checks.asymptotic on toy remainders whose order is known: converged slopes, roundoff, undecided."""

import numpy as np
from hypothesis import strategies as st

from verify import PROFILES, RunContext
from verify.checks import AsymptoticCheck
from verify.model import Formula

CTX = RunContext(seed=0, profile=PROFILES["quick"])


def test_asymptotic_order_and_negligible_remainders():
    pts = lambda: st.floats(0.5, 2.0)  # noqa: E731

    def rem(candidate, c, hs):  # exp(c h) - 1 - candidate(c) h
        return np.abs(np.expm1(c * hs) - candidate.numeric(c) * hs), 1e-16 * np.ones_like(hs)

    check = AsymptoticCheck(remainder=rem, strategy=pts, order=2.0, steps=12)
    assert check.run(Formula("c", lambda c: c), CTX, label="t").verdict == "consistent"
    assert check.run(Formula("2c", lambda c: 2 * c), CTX, label="t").verdict == "refuted"

    zero = AsymptoticCheck(remainder=lambda cand, c, hs: (np.zeros_like(hs), np.full_like(hs, 1e-16)),
                           strategy=pts, order=2.0)
    ev = zero.run(Formula("x", lambda c: c), CTX, label="t")
    assert ev.verdict == "consistent" and ev.details["points_below_roundoff_floor"] == ev.points


def _toy(rem, order=2.0, **kw):
    """An asymptotic check of a remainder given as a function of (c, h)."""
    return AsymptoticCheck(remainder=lambda cand, c, hs: (rem(c, hs), 1e-17 * np.ones_like(hs)),
                           strategy=lambda: st.floats(0.5, 2.0), order=order, **kw)


def test_asymptotic_decides_on_the_converged_slope_not_the_pre_asymptotic_one():
    # O(h^2) with a large h^3 term: the first slopes are near 3, the converged one is 2
    ok = _toy(lambda c, h: c * h**2 * (1 + 1e3 * h)).run(Formula("x", lambda c: c), CTX, label="t")
    assert ok.verdict == "consistent", ok.to_json()
    # an O(h) term hidden behind h^2 on the first rungs (a 4-point fit of rungs 3-6 says 1.9;
    # a term below the whole initial ladder, say 1e-6 h, is invisible to any finite ladder)
    bad = _toy(lambda c, h: c * (h**2 + 1e-2 * h)).run(Formula("x", lambda c: c), CTX, label="t")
    assert bad.verdict == "refuted", bad.to_json()
    assert abs(bad.counterexample["slope"] - 1.0) < 0.1


def test_asymptotic_never_promotes_an_unsettled_slope():
    # local slopes that oscillate between 1.5 and 2.5 forever: no decision, never consistent
    wobble = lambda c, h: h**2 * np.exp(0.35 * np.sin(0.5 * np.pi * np.log2(h) + 0.3))  # noqa: E731
    ev = _toy(wobble, max_steps=20).run(Formula("x", lambda c: c), CTX, label="t")
    assert ev.verdict == "undecided", ev.to_json()
    assert ev.details["points_undecided"] == ev.points
    # a remainder that reaches its roundoff floor before the slopes settle
    floored = AsymptoticCheck(
        remainder=lambda cand, c, hs: (np.maximum(hs**2 * (1 + 50 * hs), 1e-6), 1e-8 * np.ones_like(hs)),
        strategy=lambda: st.floats(0.5, 2.0), order=2.0, steps=4)
    ev = floored.run(Formula("x", lambda c: c), CTX, label="t")
    assert ev.verdict in ("undecided", "consistent") and ev.verdict != "refuted"
