"""derivations.bellman: the SymPy factors and the c.1-c.4 relations on a hand-solved MDP."""

import numpy as np
import pytest
import sympy as sp

from derivations import bellman as B

g = B.gamma_sym


def test_stopping_and_greedy_factors():
    assert sp.simplify(B.stopping_factor_sym() - g / (1 - g)) == 0
    assert sp.simplify(B.greedy_loss_factor_sym() - 2 * g / (1 - g)) == 0
    assert B.stopping_bound(0.9, 1.0) == pytest.approx(9.0)
    assert B.greedy_loss_bound(0.5, 2.0) == pytest.approx(4.0)
    assert B.value_iteration_bound(0.5, 3, 8.0) == 1.0


def _two_state():
    """State 0: action 0 stays (reward 0), action 1 goes to 1 (reward 1); state 1 absorbing, reward 2."""
    P = np.zeros((2, 2, 2))
    P[0, 0, 0] = P[0, 1, 1] = P[1, :, 1] = 1.0
    return P, np.array([[0.0, 1.0], [2.0, 2.0]]), 0.5


def test_relations_on_a_hand_solved_mdp():
    P, r, gamma = _two_state()
    v = np.array([1.0 + 0.5 * 4.0, 4.0])  # v*(1) = 2/(1 - 1/2); v*(0) = 1 + gamma v*(1) = 3
    q = B.q_from_v(P, r, gamma, v)
    np.testing.assert_allclose(q, [[1.5, 3.0], [4.0, 4.0]])
    np.testing.assert_allclose(B.v_from_q(q), v)
    assert B.greedy_from_q(q).tolist() == [1, 0]
    assert B.policy_improvement_rule(P, r, gamma, np.zeros(2)).tolist() == [1, 0]


def test_policy_count():
    assert B.policy_count(3, 4) == 64 and B.policy_count(1, 7) == 7


def test_derivations_render():
    for f in (B.contraction_derivation, B.monotonicity_derivation, B.value_iteration_derivation,
              B.greedy_loss_derivation, B.optimality_relations_derivation, B.policy_improvement_derivation,
              B.policy_count_derivation):
        assert r"\begin{align*}" in f().to_latex()


def test_monotonicity_lower_bound_needs_a_nonnegative_difference():
    import numpy as np
    import pytest

    from derivations import bellman as B
    from derivations.errors import ValidationError

    assert B.monotonicity_lower_bound(np.array([[0.0, 1.0], [2.0, 3.0]])) == 0.0
    for bad in ([0.0, -1e-12], [], [np.nan]):
        with pytest.raises(ValidationError):
            B.monotonicity_lower_bound(bad)
    assert B.contraction_bound(0.9, 1.0) == 0.9
