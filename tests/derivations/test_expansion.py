"""Perron--Frobenius split and the expansion of A^-1: derived forms against primitives."""

import numpy as np
import pytest
from hypothesis import example, given

from derivations import expansion as E
from derivations.implicit import _softmax_rows
from verify import strategies as S
from verify.errors import ValidationError
from verify.oracles.markov import stationary_by_powers

moderate = S.logit_matrices(max_size=5, max_magnitude=5.0, large_rows=False)


@given(moderate)
@example(np.zeros((1, 1)))
def test_split_properties(F):
    Sm = _softmax_rows(F)
    v, M = E.perron_split(Sm)
    n = len(v)
    assert np.isclose(v.sum(), 1.0, atol=1e-12)
    assert np.all(v > 0)
    assert np.allclose(M @ np.ones(n), 0.0, atol=1e-12)
    assert np.allclose(v @ M, 0.0, atol=1e-12)
    assert np.allclose(v, stationary_by_powers(Sm), atol=1e-10)


@given(moderate, S.discount_factors(max_value=0.99))
def test_inverse_expansion_is_the_inverse(F, eta):
    Ainv = E.inverse_expansion(F, eta)
    A = np.eye(F.shape[0]) - eta * _softmax_rows(F)
    assert np.allclose(A @ Ainv, np.eye(F.shape[0]), atol=1e-9 / (1 - eta))


def test_truncated_series_converges_to_closed_form():
    F = np.array([[0.0, 1.0, -1.0], [0.5, 0.0, 0.0], [2.0, -1.0, 0.0]])
    closed = E.inverse_expansion(F, 0.9)
    errs = [np.abs(E.inverse_series(F, 0.9, K) - closed).max() for K in (1, 5, 20, 80)]
    assert errs[-1] < 1e-12 and all(a > b for a, b in zip(errs, errs[1:]))


def test_leading_action_dominates_as_eta_to_one():
    F, x = np.array([[0.0, 2.0], [1.0, 0.0]]), np.array([1.0, -3.0])
    rem = [np.abs(np.linalg.solve(np.eye(2) - eta * _softmax_rows(F), x)
                  - E.inverse_leading_action(F, eta, x)).max() for eta in (0.9, 0.99, 0.999, 0.9999)]
    assert max(rem) < 2 * min(rem) + 1  # bounded, while the leading term grows like 1/(1-eta)


def test_symbolic_closed_form_n2():
    """Fraction-field normal form (``sp.cancel`` takes minutes on this expression)."""
    from verify.symbolic import prove_zero

    out = prove_zero(E.inverse_expansion_sym(2) - E.inverse_direct_sym(2), budget_s=30, seed=0)
    assert out.verdict == "proved", out


@pytest.mark.parametrize("S_bad,msg", [
    (np.array([[0.5, 0.6], [0.5, 0.5]]), "row-stochastic; row 0 sums to"),
    (np.array([[1.0, 0.0]]), "square"),
    (np.array([[-0.5, 1.5], [0.5, 0.5]]), "non-negative"),
])
def test_stationary_distribution_rejects_bad_input(S_bad, msg):
    with pytest.raises(ValidationError, match=msg):
        E.stationary_distribution(S_bad)


def test_inverse_series_rejects_bad_terms():
    with pytest.raises(ValidationError, match="terms=0"):
        E.inverse_series(np.zeros((2, 2)), 0.5, 0)


def test_derivations_import_nothing_from_verify():
    """derivations/ is the mathematics: it must not depend on the verification toolkit."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2] / "derivations"
    offenders = [str(p.name) for p in root.glob("*.py")
                 if re.search(r"^\s*(from verify\b|import verify\b)", p.read_text(), re.M)]
    assert offenders == []
