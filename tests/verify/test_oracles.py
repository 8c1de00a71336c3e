"""Oracles built from primitive definitions: minibatch sampling, theta changes, chains, GD."""

from collections import Counter
from math import comb

import numpy as np
import pytest
from hypothesis import given, strategies as st

from verify import strategies as S
from verify.oracles import implicit as O
from verify.oracles import sgd as SG
from verify.oracles.gd import implicit_gradient_descent
from verify.oracles.markov import stationary_by_powers


@pytest.mark.parametrize("n,k", [(5, 2), (9, 3), (6, 5)])
def test_sampled_minibatches_are_uniform_subsets(n, k):
    rng = np.random.default_rng(3)
    N = 60_000
    B = SG.sample_minibatches(rng, n, k, N)
    assert B.shape == (N, k)
    assert all(len(set(row)) == k for row in B[:2000].tolist())
    counts = Counter(tuple(sorted(row)) for row in B.tolist())
    C = comb(n, k)
    assert len(counts) == C
    expected = N / C
    # every subset within 6 binomial standard deviations (false alarm < 1e-8 per subset)
    sd = np.sqrt(N * (1 / C) * (1 - 1 / C))
    assert max(abs(c - expected) for c in counts.values()) < 6 * sd


def test_enumerated_minibatches():
    B = SG.minibatches(5, 3)
    assert B.shape == (10, 3) and not B.flags.writeable
    assert len({tuple(r) for r in B.tolist()}) == 10


@given(S.implicit_points(max_size=3, max_eta=0.99, large_rows=False), st.floats(1e-12, 1e-3))
def test_theta_change_matches_plain_difference_where_it_is_accurate(p, scale):
    psi = O.pack(p.w, p.F)
    d = scale * np.linspace(-1, 1, psi.size)[None, :]
    fast = O.theta_change(psi, d, eta=p.eta)
    plain = O.theta_hat(psi[None] + d, eta=p.eta) - O.theta_hat(psi[None], eta=p.eta)
    cond = np.linalg.cond(np.eye(p.n) - p.eta * O.softmax_rows(p.F))
    assert np.allclose(fast, plain, atol=100 * cond * 2.2e-16 * (1 + np.abs(O.theta_hat(psi[None], eta=p.eta)).max()))


def test_theta_change_is_accurate_where_the_difference_cancels():
    """At a step of 1e-14 the plain difference keeps ~2 digits; theta_change keeps ~14 (vs mpmath)."""
    import mpmath

    psi = O.pack(np.array([1.0, -2.0]), np.array([[0.3, -1.0], [2.0, 0.1]]))
    d = 1e-14 * np.array([[1.0, 2.0, -1.0, 0.5, 0.25, -2.0]])
    fast = O.theta_change(psi, d, eta=0.9)[0]
    with mpmath.workdps(50):
        a = O.theta_hat_mp([mpmath.mpf(x) for x in psi], eta=mpmath.mpf("0.9"))
        b = O.theta_hat_mp([mpmath.mpf(x) + mpmath.mpf(y) for x, y in zip(psi, d[0])], eta=mpmath.mpf("0.9"))
        exact = np.array([float(bi - ai) for ai, bi in zip(a, b)])
    assert np.allclose(fast, exact, rtol=1e-12)


def test_stationary_by_powers_periodic_chain_fails_loudly():
    with pytest.raises(ArithmeticError, match="did not mix"):
        stationary_by_powers(np.array([[0.0, 1.0], [1.0, 0.0]]), max_squarings=50)


def test_gd_reaches_least_squares_optimum():
    rng = np.random.default_rng(5)
    phi, y = rng.normal(size=(5, 3)), rng.normal(size=5)
    out = implicit_gradient_descent(phi, y, rng.normal(size=3), rng.normal(size=(3, 3)), 0.7)
    theta, *_ = np.linalg.lstsq(phi, y, rcond=None)
    assert out.converged
    assert np.isclose(out.loss, 0.5 * np.sum((phi @ theta - y) ** 2), rtol=1e-9)
