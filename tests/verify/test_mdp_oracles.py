"""verify.oracles.mdp and verify.oracles.spiders against independent computations."""

import numpy as np
from hypothesis import given, settings

from verify import strategies as S
from verify.oracles import mdp as O
from verify.oracles import spiders as SF


@settings(max_examples=30)
@given(S.finite_mdps(max_states=4, max_actions=3, max_gamma=0.9))
def test_policy_evaluation_is_the_fixed_point_of_the_operator(m):
    pi = np.full((m.n_states, m.n_actions), 1.0 / m.n_actions)
    v = O.evaluate_policies(m.P, m.r, m.gamma, pi[None])[0]
    np.testing.assert_allclose(O.apply_policy_operator(m.P, m.r, m.gamma, pi, v), v, atol=1e-9)


@settings(max_examples=30)
@given(S.finite_mdps(max_states=4, max_actions=3, max_gamma=0.9))
def test_enumerated_optimum_is_the_optimality_fixed_point(m):
    v = O.optimal_values(m.P, m.r, m.gamma)
    np.testing.assert_allclose(O.apply_optimality_operator(m.P, m.r, m.gamma, v), v, atol=1e-9)
    q = O.optimal_q(m.P, m.r, m.gamma)
    np.testing.assert_allclose(q.max(axis=1), v, atol=1e-9)


def test_policy_count_and_shapes():
    assert O.all_deterministic_policies(3, 2).shape == (8, 3)
    assert O.one_hot_policy(np.array([1, 0]), 3).tolist() == [[0, 1, 0], [1, 0, 0]]


def test_spiders_featured_instance():
    inst = SF.Instance(10, (3, 4), (0, 9))
    assert (SF.base_time(inst), SF.rollout_time(inst)) == (11, 5)
    assert SF.lookahead_only_time(inst) == SF.HORIZON  # without the base policy's cost-to-go it never moves
