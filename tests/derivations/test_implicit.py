"""The numeric API agrees with the SymPy derivation it is compiled from, and validates input."""

import numpy as np
import pytest
import sympy as sp
from hypothesis import example, given

from derivations import implicit as D
from verify import strategies as S
from verify.errors import ValidationError


def _lambdified(n, expr_fn):
    s = D.symbols(n)
    args = list(s["u"]) + list(s["w"]) + [s["eta"]]
    return sp.lambdify(args, expr_fn(n), modules="numpy", cse=True)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_numeric_jacobian_matches_sympy_derivation(n):
    f = _lambdified(n, D.ift_jacobian_sym)
    rng = np.random.default_rng(n)
    for _ in range(5):
        w, F, eta = rng.normal(size=n), rng.normal(size=(n, n)), rng.uniform(0, 0.95)
        J_sym = np.array(f(*np.exp(F).ravel(), *w, eta), dtype=float)
        J_w, J_F = D.jacobian(w, F, eta)
        assert np.allclose(np.hstack([J_w, J_F.reshape(n, n * n)]), J_sym, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("n", [1, 2])
def test_numeric_preconditioner_matches_sympy_derivation(n):
    s = D.symbols(n)
    expr = D.preconditioner_sym(n).xreplace(dict(zip(list(s["t"]), list(D.theta_solution_sym(n)))))
    f = sp.lambdify(list(s["u"]) + list(s["w"]) + [s["eta"]], expr, modules="numpy", cse=True)
    rng = np.random.default_rng(10 + n)
    for _ in range(5):
        w, F, eta = rng.normal(size=n), rng.normal(size=(n, n)), rng.uniform(0, 0.95)
        assert np.allclose(D.preconditioner(w, F, eta), np.array(f(*np.exp(F).ravel(), *w, eta), dtype=float),
                           rtol=1e-10, atol=1e-12)


@given(S.implicit_points(max_size=5))
@example(S.ImplicitPoint(np.zeros(1), np.zeros((1, 1)), 0.0))
def test_preconditioner_is_symmetric_positive_definite_above_bound(p):
    P = D.preconditioner(p.w, p.F, p.eta)
    assert np.allclose(P, P.T, rtol=0, atol=1e-12 * np.abs(P).max())
    lam = np.linalg.eigvalsh(P).min()
    assert lam >= D.preconditioner_lower_bound(p.n, p.eta) * (1 - 1e-9)


@given(S.implicit_points(max_size=4))
def test_weights_solve_the_constraint(p):
    theta = D.implicit_weights(p.w, p.F, p.eta)
    S_ = np.exp(p.F - p.F.max(axis=1, keepdims=True))
    S_ /= S_.sum(axis=1, keepdims=True)
    h = p.w + p.eta * S_ @ theta - theta
    assert np.abs(h).max() <= 1e-9 * max(1.0, np.abs(theta).max())


def test_softmax_derivative_closed_form_is_symmetric():
    for n in (2, 3):
        M = D.softmax_derivative_closed_form(n, 0)
        assert sp.simplify(M - M.T) == sp.zeros(n, n)


@pytest.mark.parametrize("args,match", [
    ((np.zeros((2, 2)), np.zeros((2, 2)), 0.5), "w must be a non-empty vector"),
    ((np.zeros(2), np.zeros((3, 3)), 0.5), r"F must have shape \(n, n\) = \(2, 2\)"),
    ((np.zeros(2), np.zeros((2, 2)), 1.0), "eta=1.0 is outside"),
    ((np.zeros(2), np.zeros((2, 2)), -0.1), "eta=-0.1 is outside"),
    ((np.zeros(2), np.zeros((2, 2)), "high"), "eta must be a real number"),
    ((np.array([np.inf, 0.0]), np.zeros((2, 2)), 0.5), "w must be finite"),
    ((np.zeros(2), np.full((2, 2), np.nan), 0.5), "F must be finite"),
])
@pytest.mark.parametrize("fn", [D.implicit_weights, D.jacobian, D.preconditioner])
def test_validation(fn, args, match):
    with pytest.raises(ValidationError, match=match):
        fn(*args)


def test_lower_bound_validation():
    with pytest.raises(ValidationError, match="n=0"):
        D.preconditioner_lower_bound(0, 0.5)
    with pytest.raises(ValidationError, match="eta=1"):
        D.preconditioner_lower_bound(3, 1)


def test_derivations_render_every_step_with_reason():
    for der in (D.ift_jacobian_derivation(), D.softmax_symmetry_derivation(),
                D.preconditioner_derivation(), D.lower_bound_derivation()):
        tex = der.to_latex()
        assert tex.count(r"\text{") == len(der.steps)
