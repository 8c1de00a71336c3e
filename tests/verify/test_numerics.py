import mpmath
import numpy as np
import pytest
from hypothesis import example, given, strategies as st

from verify.checks import DerivativeCheck
from verify.errors import ValidationError
from verify.model import PROFILES, Formula, RunContext
from verify.numerics import (compare_arrays, complex_step_jacobian, directional_derivative,
                             mp_jacobian, richardson_jacobian)
from verify.registry import default_registry


def f_batched(X):
    return np.stack([np.exp(X[:, 0]) * np.sin(X[:, 1]), X[:, 0] ** 3 / (1 + X[:, 1] ** 2)], axis=1)


def J_exact(x):
    a, b = x
    return np.array([[np.exp(a) * np.sin(b), np.exp(a) * np.cos(b)],
                     [3 * a**2 / (1 + b**2), -2 * a**3 * b / (1 + b**2) ** 2]])


points = st.tuples(st.floats(-2, 2), st.floats(-2, 2)).map(np.array)


@given(points)
@example(np.array([0.0, 0.0]))
def test_richardson_error_estimate_is_honest(x):
    J, err = richardson_jacobian(f_batched, x)
    assert np.all(np.abs(J - J_exact(x)) <= err + 1e-15)
    assert err.max() < 1e-8


@given(points)
def test_complex_step_is_exact_to_roundoff(x):
    J, _ = complex_step_jacobian(f_batched, x)
    assert np.allclose(J, J_exact(x), rtol=1e-14, atol=1e-14)


def test_richardson_beats_plain_central_difference():
    x = np.array([0.7, -0.3])
    J1, _ = richardson_jacobian(f_batched, x, levels=1)
    J4, _ = richardson_jacobian(f_batched, x, levels=4)
    assert np.abs(J4 - J_exact(x)).max() < 0.01 * np.abs(J1 - J_exact(x)).max()


def test_mp_jacobian_reaches_30_digits():
    with mpmath.workdps(60):
        J = mp_jacobian(lambda v: [mpmath.exp(v[0]) * mpmath.sin(v[1])], [0.5, 0.25], dps=50)
        exact = mpmath.exp(0.5) * mpmath.cos(0.25)
        assert abs(J[0][1] - exact) < mpmath.mpf(10) ** -30


def test_directional_matches_full_jacobian():
    x, u = np.array([0.3, 0.8]), np.array([1.0, -2.0])
    assert np.allclose(directional_derivative(f_batched, x, u), J_exact(x) @ u, rtol=1e-13)
    assert np.allclose(directional_derivative(f_batched, x, u, method="richardson"), J_exact(x) @ u,
                       rtol=1e-8)


@pytest.mark.parametrize("call,match", [
    (lambda: complex_step_jacobian(f_batched, np.zeros((2, 2))), "1-D point"),
    (lambda: complex_step_jacobian(f_batched, np.array([np.nan, 0.0])), "finite"),
    (lambda: complex_step_jacobian(f_batched, np.zeros(2), h=0.1), "h=0.1"),
    (lambda: complex_step_jacobian(lambda X: np.real(X), np.zeros(2)), "not complex-safe"),
    (lambda: richardson_jacobian(f_batched, np.zeros(2), levels=0), "levels=0"),
    (lambda: directional_derivative(f_batched, np.zeros(2), np.zeros(3)), "shape"),
    (lambda: directional_derivative(f_batched, np.zeros(2), np.zeros(2), method="x"), "method='x'"),
])
def test_bad_arguments(call, match):
    with pytest.raises(ValidationError, match=match):
        call()


def test_compare_reports_location_and_both_sides():
    c = compare_arrays(np.array([[1.0, 2.0], [3.0, 4.0 * (1 + 1e-8)]]),
                       np.array([[1.0, 2.0], [3.0, 4.0]]), rtol=1e-10, atol=1e-12)
    assert not c.ok and c.index == (1, 1) and c.reference == 4.0


# -- planted errors in a real Jacobian: the derivative check must see them -----------

_IFT = default_registry()["implicit.ift-jacobian"]
_DERIV = [c for c in _IFT.checks if isinstance(c, DerivativeCheck)][0]
_CTX = RunContext(seed=0, profile=PROFILES["quick"])


def _planted(rel, which):
    def numeric(p):
        J = np.array(_IFT.candidate.numeric(p), dtype=float)
        if which == "largest":
            k = np.unravel_index(np.argmax(np.abs(J)), J.shape)
        else:  # the largest entry of the F-block
            F = np.abs(J[:, p.n:])
            k = np.unravel_index(np.argmax(F), F.shape)
            k = (k[0], k[1] + p.n)
        J[k] *= 1 + rel
        return J
    return Formula("planted", numeric)


@pytest.mark.parametrize("which", ["largest", "F-block"])
@pytest.mark.parametrize("rel", [1e-8, 1e-9])
def test_planted_relative_error_is_detected(rel, which):
    ev = _DERIV.run(_planted(rel, which), _CTX, label="planted")
    assert ev.verdict == "refuted", ev.to_json()


def test_no_false_failure_without_planted_error():
    ev = _DERIV.run(_IFT.candidate, _CTX, label="planted")
    assert ev.verdict == "consistent" and ev.worst_ratio < 1e-2
