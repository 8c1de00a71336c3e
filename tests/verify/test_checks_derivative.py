"""verify.checks.derivative on Jacobians wider than max_full: the random-direction path v^T J u
passes the truth, refutes planted errors, and agrees with the full comparison."""

import numpy as np
import pytest
from hypothesis import strategies as st

from verify import PROFILES, Formula, RunContext
from verify.checks import DerivativeCheck

CTX = RunContext(seed=0, profile=PROFILES["quick"])
W = np.random.default_rng(3).normal(size=(3, 7))


def _f(X):
    """Batched tanh(W x): rows of X are points."""
    return np.tanh(X @ W.T)


def _jacobian(x):
    return (1 - np.tanh(W @ x) ** 2)[:, None] * W


def _points():
    return st.lists(st.floats(-2, 2), min_size=7, max_size=7).map(np.array)


def _check(max_full, **kw):
    return DerivativeCheck(primitive=lambda x: (_f, x), strategy=_points, max_full=max_full, **kw)


def _planted(rel):
    def numeric(x):
        J = _jacobian(x)
        J[1, 4] *= 1 + rel
        return J
    return Formula("planted", numeric)


TRUTH = Formula("J", _jacobian)
MUTANTS = {"planted-1e-6": _planted(1e-6), "transposed-sign": Formula("-J", lambda x: -_jacobian(x)),
           "missing-derivative-of-tanh": Formula("W", lambda x: W.copy())}


@pytest.mark.parametrize("complex_safe", [True, False])
def test_directional_path_passes_the_truth(complex_safe):
    ev = _check(2, complex_safe=complex_safe).run(TRUTH, CTX, label="t")
    assert ev.verdict == "consistent", ev.to_json()
    assert ev.details["mode"] == "v^T J u" and ev.worst_ratio < 0.2


@pytest.mark.parametrize("name", list(MUTANTS))
def test_directional_and_full_paths_refute_the_same_mutants(name):
    directional = _check(2).run(MUTANTS[name], CTX, label="t")
    full = _check(400).run(MUTANTS[name], CTX, label="t")
    assert directional.verdict == full.verdict == "refuted", (directional.to_json(), full.to_json())
    assert directional.counterexample["mode"] == "v^T J u" and "mode" not in full.counterexample


def test_directions_are_seeded_by_the_run():
    a = _check(2).run(TRUTH, CTX, label="t").to_json()
    b = _check(2).run(TRUTH, CTX, label="t").to_json()
    a.pop("seconds"), b.pop("seconds")
    assert a == b


def test_no_mpmath_jacobian_of_a_wide_jacobian():
    """The worst point is not re-derived in mpmath above max_full (that is what the path avoids)."""
    check = _check(2, primitive_mp=lambda x: (_ for _ in ()).throw(AssertionError("mp called")))
    ev = check.run(TRUTH, CTX, label="t")
    assert ev.verdict == "consistent" and "max_full=2" in ev.details["mpmath_worst_point"]
