"""Monte Carlo radii: coverage at the stated rate, tightness, and input errors."""

import numpy as np
import pytest

from verify.errors import ValidationError
from verify.stats import empirical_bernstein_radius, hoeffding_radius, mean_radius


def test_coverage_at_stated_rate():
    """delta = 0.05: over 2000 seeded repetitions the radius must miss at most ~5% (it is conservative)."""
    rng = np.random.default_rng(0)
    p, N, misses = 0.3, 200, 0
    for _ in range(2000):
        x = (rng.random(N) < p).astype(float)
        misses += abs(x.mean() - p) > mean_radius(x, 0.0, 1.0, delta=0.05)
    assert misses / 2000 <= 0.05


def test_bernstein_beats_hoeffding_when_samples_concentrate():
    x = np.full(10_000, 0.5) + np.random.default_rng(1).normal(scale=1e-3, size=10_000)
    assert empirical_bernstein_radius(x, 0.0, 1.0, delta=1e-9) < hoeffding_radius(x.size, 0.0, 1.0, delta=1e-9) / 5


def test_out_of_range_samples_are_rejected():
    with pytest.raises(ValidationError, match="leave their stated range"):
        mean_radius(np.array([0.0, 2.0]), 0.0, 1.0, delta=1e-6)


@pytest.mark.parametrize("delta", [0.0, 1.0, -1e-3])
def test_bad_delta(delta):
    with pytest.raises(ValidationError, match="delta="):
        mean_radius(np.array([0.5]), 0.0, 1.0, delta=delta)
