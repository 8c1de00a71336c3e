import numpy as np
import pytest
from hypothesis import given

from verify import strategies as S
from verify.errors import ValidationError


@given(S.row_stochastic_matrices(max_size=5))
def test_row_stochastic(Smat):
    assert np.all(Smat >= 0) and np.allclose(Smat.sum(axis=1), 1.0)


@given(S.discount_factors())
def test_discount_in_range(eta):
    assert 0.0 <= eta <= 1 - 1e-4


def test_discount_reaches_within_1e3_of_one():
    from hypothesis import find
    assert find(S.discount_factors(), lambda e: e > 0.999) > 0.999


@given(S.logit_matrices(min_size=2, max_size=3))
def test_logits_square_finite(F):
    assert F.ndim == 2 and F.shape[0] == F.shape[1] and 2 <= F.shape[0] <= 3
    assert np.all(np.isfinite(F))


def test_logits_include_saturated_rows():
    from hypothesis import find
    F = find(S.logit_matrices(), lambda F: np.ptp(F, axis=1).max() > 100)
    assert F.shape[0] >= 1


@given(S.implicit_points(max_size=3))
def test_implicit_points_consistent_sizes(p):
    assert p.F.shape == (p.n, p.n) and 0 <= p.eta < 1


def test_shrinks_to_readable_examples():
    from hypothesis import find
    F = find(S.logit_matrices(), lambda F: F.shape[0] >= 2)
    assert F.shape == (2, 2) and np.all(F == 0)


@pytest.mark.parametrize("make,match", [
    (lambda: S.logit_matrices(min_size=3, max_size=2), "min_size=3 is larger than max_size=2"),
    (lambda: S.logit_matrices(min_size=0), "min_size=0"),
    (lambda: S.logit_matrices(max_magnitude=-1.0), "max_magnitude=-1.0"),
    (lambda: S.row_stochastic_matrices(size=0), "size=0"),
    (lambda: S.discount_factors(max_value=1.0), "max_value=1.0"),
    (lambda: S.discount_factors(min_value=-0.1), "min_value=-0.1"),
    (lambda: S.discount_factors(min_value=0.5, max_value=0.4), "larger than max_value"),
    (lambda: S.reward_vectors(max_magnitude=float("inf")), "max_magnitude=inf"),
])
def test_bad_bounds(make, match):
    with pytest.raises(ValidationError, match=match):
        make()
