"""derivations.dynamics: the SymPy Jacobian agrees with derivations.implicit; momentum algebra."""

import numpy as np
import sympy as sp

from derivations import dynamics as D
from derivations import implicit as I


def test_symbolic_jacobian_matches_the_ift_jacobian():
    rng = np.random.default_rng(1)
    w, F, eta = rng.normal(size=2), rng.normal(size=(2, 2)), 0.7
    J, curv = D.implicit_step_terms(np.concatenate([w, F.ravel()]), eta, np.r_[1.0, -2.0, 0, 0, 0, 0])
    J_w, J_F = I.jacobian(w, F, eta)
    np.testing.assert_allclose(J, np.hstack([J_w, J_F.reshape(2, 4)]), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(curv, 0.0, atol=1e-12)  # theta is linear in w


def test_curvature_along_F_is_a_second_difference():
    rng = np.random.default_rng(2)
    psi, eta, v = rng.normal(size=6), 0.5, rng.normal(size=6)
    _, curv = D.implicit_step_terms(psi, eta, v)
    h = 1e-4
    th = lambda p: np.linalg.solve(np.eye(2) - eta * (np.exp(p[2:].reshape(2, 2)) / np.exp(p[2:].reshape(2, 2)).sum(1, keepdims=True)), p[:2])  # noqa: E731
    fd = (th(psi + h * v) - 2 * th(psi) + th(psi - h * v)) / h**2
    np.testing.assert_allclose(curv, fd, rtol=1e-5, atol=1e-6)


def test_momentum_rules_and_lag():
    assert D.momentum_coefficients("as-written", 0.9) == (1.0, 0.9)
    assert D.momentum_coefficients("ema", 0.9) == (0.9, 1.0)
    g = sp.Symbol("gamma", positive=True)
    assert sp.simplify(D.momentum_lag_sym() - g / (1 - g)) == 0


def test_every_step_has_a_plain_form_or_a_reason():
    for d in (D.gradient_flow_derivation(), D.momentum_derivation()):
        for s in d.steps:
            assert s.plain is not None or s.unchecked
    assert "non-zero term" not in D.gradient_flow_derivation().to_latex()  # a relation, not prose
