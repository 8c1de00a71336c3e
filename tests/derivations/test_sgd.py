"""Theorem 5 closed forms against enumeration of minibatches; input validation."""

from itertools import combinations

import numpy as np
import pytest
from hypothesis import assume, example, given, strategies as st
from hypothesis.extra import numpy as hnp

from derivations import sgd as G
from verify.errors import ValidationError


def _enumerated_ratio(U, k):
    batches = list(combinations(range(len(U)), k))
    g = np.array([U[list(B)].mean(axis=0) for B in batches])
    m = g.mean(axis=0)
    return (g * g).sum(axis=1).mean() / (m @ m)


@st.composite
def data(draw, max_n=6, max_d=3):
    n = draw(st.integers(2, max_n))
    d = draw(st.integers(1, max_d))
    phi = draw(hnp.arrays(float, (n, d), elements=st.integers(-4, 4).map(float)))
    r = draw(hnp.arrays(float, (n,), elements=st.integers(-4, 4).map(float)))
    return phi, r, draw(st.integers(1, n))


@given(data())
@example((np.eye(2), np.array([1.0, 1.0]), 1))
def test_explicit_ratio_equals_enumeration(args):
    phi, r, k = args
    U = r[:, None] * phi
    assume(np.linalg.norm(U.sum(axis=0)) > 0)
    assert np.isclose(G.second_moment_ratio_explicit(phi, r, k), _enumerated_ratio(U, k), rtol=1e-10)


@given(data())
def test_implicit_limit_is_the_ratio_of_scalars(args):
    phi, r, k = args
    a = (r * phi.sum(axis=1))[:, None]
    assume(a.sum() != 0)
    assert np.isclose(G.second_moment_ratio_implicit_limit(phi, r, k), _enumerated_ratio(a, k), rtol=1e-10)


@given(st.integers(2, 7).flatmap(lambda n: st.tuples(st.permutations(range(n)), st.integers(1, n))),
       st.integers(1, 5))
def test_distinct_one_hot_states_give_n_over_k(states_k, scale):
    states, k = states_k
    r = np.arange(1.0, len(states) + 1) * scale
    assert np.isclose(G.one_hot_ratio_corrected(np.array(states), r, k), len(states) / k)


def test_one_hot_erratum_smallest_counterexample():
    assert G.one_hot_ratio_corrected(np.array([0, 0]), np.array([1.0, 1.0]), 1) == 1.0
    assert G.one_hot_ratio(2, 1) == 2.0


@given(st.integers(1, 10), st.floats(1.0, 1e3))
def test_sharp_bound_is_below_paper_bound(k, rho):
    assert G.balanced_residual_bound_sharp(k, 1.0, rho) <= G.balanced_residual_bound(k, 1.0, rho) + 1e-12


def test_single_datum_is_deterministic():
    assert G.second_moment_ratio_explicit(np.ones((1, 2)), np.ones(1), 1) == 1.0


@pytest.mark.parametrize("phi,r,k,msg", [
    (np.eye(3), np.ones(3), 0, "k=0 must be an integer batch size with 1 <= k <= n = 3"),
    (np.eye(3), np.ones(3), 4, "k=4"),
    (np.eye(3), np.ones(2), 1, r"r must have shape \(n,\) = \(3,\)"),
    (np.ones(3), np.ones(3), 1, "phi must be a non-empty \\(n, d\\)"),
    (np.eye(2), np.array([1.0, np.nan]), 1, "finite"),
    (np.array([[1.0], [1.0]]), np.array([1.0, -1.0]), 1, "mean update is zero"),
])
def test_validation_messages(phi, r, k, msg):
    with pytest.raises(ValidationError, match=msg):
        G.second_moment_ratio_explicit(phi, r, k)


def test_every_step_has_a_plain_form_or_a_reason():
    ders = (G.expected_decrease_derivation(False), G.expected_decrease_derivation(True), G.second_moment_derivation(),
            G.implicit_ratio_derivation(), G.one_hot_derivation(), G.one_hot_corrected_derivation(),
            G.balanced_bound_derivation(), G.ones_direction_derivation())
    for d in ders:
        for s in d.steps:
            assert s.plain is not None or s.unchecked


def test_expected_loss_decrease_leading_terms():
    """Theorem 2 is Theorem 3 with P = I; both scale with alpha / n and need matching shapes."""
    rng = np.random.default_rng(3)
    phi, r = rng.normal(size=(5, 3)), rng.normal(size=5)
    g = phi.T @ r
    assert abs(G.expected_loss_decrease_explicit(phi, r, 0.1) + 0.1 / 5 * g @ g) < 1e-12
    assert abs(G.expected_loss_decrease_implicit(phi, r, np.eye(3), 0.1) - G.expected_loss_decrease_explicit(phi, r, 0.1)) < 1e-12
    P = np.diag([1.0, 2.0, 3.0])
    assert abs(G.expected_loss_decrease_implicit(phi, r, P, 0.1) + 0.1 / 5 * g @ P @ g) < 1e-12
    with pytest.raises(ValidationError):
        G.expected_loss_decrease_explicit(phi, r[:4], 0.1)
