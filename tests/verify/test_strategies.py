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


@given(S.finite_distributions())
def test_finite_distributions_are_exact_ratios(p):
    from fractions import Fraction

    assert np.all(p > 0) and abs(p.sum() - 1.0) < 1e-12
    q = [Fraction(x).limit_denominator(100) for x in p]  # weights <= 9, at most 6 outcomes: denominators <= 54
    assert sum(q) == 1


@given(S.invertible_matrices(size=2))
def test_invertible_matrices_respect_their_bounds(A):
    assert abs(np.linalg.det(A)) >= 0.1 and np.linalg.cond(A) <= 50


@given(S.flow_layers(dim=2))
def test_flow_layers_are_invertible(layers):
    from derivations.cov import flow_forward, flow_inverse

    z = np.random.default_rng(0).normal(size=(20, 2))
    np.testing.assert_allclose(flow_inverse(layers, flow_forward(layers, z)), z, atol=1e-9)


@given(S.finite_mdps())
def test_finite_mdps_are_well_formed(m):
    assert np.all(m.P >= 0) and np.allclose(m.P.sum(axis=2), 1.0)
    assert m.r.shape == (m.n_states, m.n_actions) and 0.0 <= m.gamma < 1.0 and m.n_states <= 8 and m.n_actions <= 4


@given(S.multiagent_mdps())
def test_multiagent_mdps_are_well_formed(ma):
    assert ma.mdp.n_actions == ma.n_actions**ma.n_agents <= 27 and 2 <= ma.n_agents <= 4
    assert ma.base.shape == (ma.mdp.n_states, ma.n_agents) and ma.base.max() < ma.n_actions
    assert np.allclose(ma.mdp.P.sum(axis=2), 1.0)


def test_shrinking_gives_the_smallest_mdp():
    from hypothesis import find

    m = find(S.finite_mdps(), lambda m: True)
    assert (m.n_states, m.n_actions) == (1, 1) and m.gamma == 0.5 and np.all(m.r == 0)


@pytest.mark.parametrize("call,needle", [
    (lambda: S.finite_distributions(max_weight=0), "max_weight=0"),
    (lambda: S.invertible_matrices(size=2, max_condition=2), "max_condition=2"),
    (lambda: S.flow_layers(dim=2, kinds=("shear",)), "kinds=('shear',)"),
    (lambda: S.finite_mdps(max_gamma=1.0), "max_gamma=1.0"),
    (lambda: S.multiagent_mdps(max_agents=9), "max_agents=9"),
])
def test_new_strategies_validate_arguments(call, needle):
    with pytest.raises(ValidationError, match=needle.replace("(", r"\(").replace(")", r"\)")):
        call()


@given(S.deterministic_policies(n_states=5, n_actions=3), S.stochastic_policies(n_states=5, n_actions=3),
       S.value_functions(n=5), S.policy_logits(n_states=2, n_actions=4))
def test_policy_and_value_strategies(det, sto, v, logits):
    assert det.shape == (5,) and det.min() >= 0 and det.max() < 3
    assert np.allclose(sto.sum(axis=1), 1.0) and np.all(sto >= 0)
    assert v.shape == (5,) and np.all(np.abs(v) <= 10)
    assert logits.shape == (2, 4)
