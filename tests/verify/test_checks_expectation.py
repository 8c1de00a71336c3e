"""verify.checks.expectation on a toy whose truth is known: exact and Monte Carlo pass the truth and fail a bias."""

import numpy as np
from hypothesis import strategies as st

from verify import PROFILES, RunContext
from verify.checks import ExpectationCheck
from verify.model import Formula

CTX = RunContext(seed=0, profile=PROFILES["quick"])


def _mean_check(n_choices):
    """E over minibatches of the batch mean of x = mean(x): exact for small n, MC for large n."""
    return ExpectationCheck(
        values=lambda p, B: p[0][B].mean(axis=1),
        value_range=lambda p: (float(p[0].min()), float(p[0].max())),
        sizes=lambda p: (len(p[0]), p[1]),
        strategy=lambda: st.tuples(st.sampled_from(n_choices), st.integers(1, 5), st.integers(0, 99)).map(
            lambda t: (np.random.default_rng(t[2]).normal(size=t[0]), t[1])),
        samples=5000,
    )


def test_expectation_exact_and_monte_carlo_accept_the_truth_and_reject_a_bias():
    truth = Formula("mean", lambda p: float(p[0].mean()))
    biased = Formula("mean + 0.1", lambda p: float(p[0].mean()) + 0.1)
    for sizes in ((6, 8), (5000, 20000)):
        check = _mean_check(sizes)
        ok = check.run(truth, CTX, label="t")
        assert ok.verdict == "consistent", ok.to_json()
        assert ok.details["false_failure_rate_per_point"] <= 1e-8
        assert check.run(biased, CTX, label="t").verdict == "refuted"
