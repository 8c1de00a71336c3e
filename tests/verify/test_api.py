"""The functional API (verify/api.py): detection power, fallbacks, evidence, and a table of bad calls."""

import math
import re

import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import verify
from verify import CheckFailed, CheckUndecided
from verify.errors import CheckError, ValidationError

RNG = np.random.default_rng(0)
A = RNG.standard_normal((4, 3))
X0 = np.array([0.3, -1.2, 0.8])


def f_net(x, scale=1.0):
    return scale * np.tanh(A @ x)


def jac_net(x, scale=1.0):
    return scale * (1 - np.tanh(A @ x) ** 2)[:, None] * A


def planted(jac, rel, entry=(1, 2)):
    def wrong(x):
        J = jac(x).copy()
        J[entry] *= 1 + rel
        return J
    return wrong


# --- check_jacobian: detection ----------------------------------------------------------------


@pytest.mark.parametrize("scale", [1.0, 1e-3])
def test_jacobian_detects_planted_relative_error_1e9(scale):
    f = lambda x: f_net(x, scale)  # noqa: E731
    J = lambda x: jac_net(x, scale)  # noqa: E731
    ev = verify.check_jacobian(f, J, X0)
    assert ev.verdict == "consistent" and ev.method == "complex step" and ev.ratio < 0.1
    with pytest.raises(CheckFailed) as info:
        verify.check_jacobian(f, planted(J, 1e-9), X0)
    e = info.value.evidence
    assert e.entry == (1, 2) and e.ratio > 1 and e.seed == 0
    assert e.claimed == pytest.approx(J(X0)[1, 2] * (1 + 1e-9), rel=1e-15)
    assert abs(e.claimed - e.reference) == pytest.approx(e.error) and e.error > e.tolerance
    assert "worst entry" in str(info.value) and "seed=0" in str(info.value)


def test_jacobian_falls_back_to_richardson_when_not_complex_safe():
    f = lambda x: np.abs(x) ** 3  # np.abs makes complex input real: not complex-safe  # noqa: E731
    J = lambda x: np.diag(3 * x * np.abs(x))  # noqa: E731
    ev = verify.check_jacobian(f, J, X0)
    assert ev.method == "Richardson central differences"
    assert "real values" in ev.details["complex_safe"]
    with pytest.raises(CheckFailed):
        verify.check_jacobian(f, planted(J, 1e-6, (0, 0)), X0)


def test_jacobian_detects_non_analytic_complex_function():
    """x|x| returns complex values for complex x, but its complex step is wrong: the probe must catch it."""
    f = lambda x: x * np.abs(x)  # noqa: E731
    J = lambda x: np.diag(2 * np.abs(x))  # noqa: E731
    ev = verify.check_jacobian(f, J, X0)
    assert ev.method.startswith("Richardson") and "not analytic" in ev.details["complex_safe"]


def test_jacobian_several_arguments_and_entry_names():
    f = lambda W, x: np.tanh(W @ x)  # noqa: E731

    def jac(W, x):
        s = 1 - np.tanh(W @ x) ** 2
        return np.einsum("i,ij,k->ijk", s, np.eye(W.shape[0]), x), s[:, None] * W
    W = A.copy()
    assert verify.check_jacobian(f, jac, (W, X0)).verdict == "consistent"

    def wrong(W, x):
        dW, dx = jac(W, x)
        return dW, dx * np.array([1, 1, 1 + 1e-8])
    with pytest.raises(CheckFailed) as info:
        verify.check_jacobian(f, wrong, (W, X0))
    assert info.value.evidence.entry[0] == "argument 1" and info.value.evidence.entry[2] == 2


def test_jacobian_scalar_point_and_scalar_output():
    assert verify.check_jacobian(np.sin, np.cos, 0.7).verdict == "consistent"
    with pytest.raises(CheckFailed):
        verify.check_jacobian(np.sin, lambda x: -np.cos(x), 0.7)


def test_jacobian_strategy_shrinks_to_the_boundary_of_the_bug():
    wrong = lambda x: np.cos(x) + 1e-6 * (x > 1.0)  # noqa: E731
    with pytest.raises(CheckFailed) as info:
        verify.check_jacobian(np.sin, wrong, st.floats(-3, 3), max_examples=200, seed=3)
    e = info.value.evidence
    assert e.shrunk and 1.0 < e.point <= 2.0 and e.seed == 3


def test_jacobian_strategy_passes_and_is_reproducible():
    xs = arrays(float, 3, elements=st.floats(-2, 2))
    a = verify.check_jacobian(f_net, jac_net, xs, max_examples=30, seed=5)
    b = verify.check_jacobian(f_net, jac_net, xs, max_examples=30, seed=5)
    assert a.verdict == "consistent" and a.examples == 30
    assert np.array_equal(a.point, b.point) and a.ratio == b.ratio


def test_hessian_complex_safe_and_not():
    g = lambda x: np.log(np.sum(np.exp(x)))  # noqa: E731

    def hess(x):
        p = np.exp(x - g(x))
        return np.diag(p) - np.outer(p, p)
    ev = verify.check_jacobian(g, hess, X0, order=2)
    assert ev.verdict == "consistent" and "complex-step gradient" in ev.method
    with pytest.raises(CheckFailed):
        verify.check_jacobian(g, planted(hess, 1e-5, (0, 1)), X0, order=2)
    # |x|^3 summed: not complex-safe; four-point differences
    h = lambda x: np.sum(np.abs(x) ** 3)  # noqa: E731
    ev = verify.check_jacobian(h, lambda x: np.diag(6 * np.abs(x)), X0, order=2)
    assert ev.method == "Richardson four-point second differences"
    with pytest.raises(CheckFailed):
        verify.check_jacobian(h, lambda x: np.diag(6 * np.abs(x) * (1 + 1e-5)), X0, order=2)


def test_vectorized_matches_rowwise():
    B = RNG.standard_normal((20, 20)) / 5
    f = lambda x: np.tanh(x @ B.T)  # broadcasts over a leading batch axis  # noqa: E731
    J = lambda x: (1 - np.tanh(B @ x) ** 2)[:, None] * B  # noqa: E731
    x = RNG.standard_normal(20)
    a = verify.check_jacobian(f, J, x, vectorized=True)
    b = verify.check_jacobian(f, J, x)
    assert a.ratio == pytest.approx(b.ratio, rel=1e-3, abs=1e-3)


def test_float32_output_is_refused_with_advice():
    with pytest.raises(ValidationError, match="float64.*jax_enable_x64"):
        verify.check_jacobian(lambda x: np.sin(x).astype(np.float32), np.cos, X0)


def test_non_finite_reference_is_an_error_not_a_refutation():
    with pytest.raises(CheckError, match="not finite"), np.errstate(invalid="ignore"):
        verify.check_jacobian(np.log, lambda x: 1 / x, np.array([-1.0]))


@pytest.mark.parametrize("library", ["torch", "jax"])
def test_foreign_library_functions_are_converted(library):
    if library == "torch":
        torch = pytest.importorskip("torch")
        f = lambda x: torch.sin(x) * x  # noqa: E731
        J = lambda x: torch.diag(torch.cos(x) * x + torch.sin(x))  # noqa: E731
    else:
        jax = pytest.importorskip("jax")
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
        f = lambda x: jnp.sin(x) * x  # noqa: E731
        J = jax.jacfwd(f)
    assert verify.check_jacobian(f, J, X0).method == "complex step"
    with pytest.raises(CheckFailed):
        verify.check_jacobian(f, lambda x: J(x) * (1 + 1e-8), X0)


# --- identity, bound ----------------------------------------------------------------------------


def test_identity_pass_fail_and_several_arguments():
    pairs = st.tuples(st.floats(-3, 3), st.floats(-3, 3))
    ev = verify.check_identity(lambda a, b: np.cos(a + b), lambda a, b: np.cos(a) * np.cos(b) - np.sin(a) * np.sin(b),
                               pairs, max_examples=40)
    assert ev.verdict == "consistent" and ev.examples == 40
    with pytest.raises(CheckFailed) as info:
        verify.check_identity(lambda a, b: np.cos(a + b), lambda a, b: np.cos(a) * np.cos(b), pairs)
    assert info.value.evidence.shrunk and info.value.evidence.labels == ("lhs", "rhs")


def test_identity_complex_values():
    z = np.array([0.3 + 0.4j, -1.0 + 2.0j])
    assert verify.check_identity(lambda z: np.exp(1j * z), lambda z: np.cos(z) + 1j * np.sin(z), (z,)).verdict \
        == "consistent"
    with pytest.raises(CheckFailed):
        verify.check_identity(lambda z: np.exp(1j * z), lambda z: np.cos(z) - 1j * np.sin(z), (z,))


def test_bound_pass_reports_tightest_and_fail_shrinks():
    sig = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    ev = verify.check_bound(lambda x: sig(x) * (1 - sig(x)), 0.25, st.floats(-20, 20))
    assert ev.verdict == "consistent" and ev.details["tightest_gap"] < 1e-6
    with pytest.raises(CheckFailed) as info:
        verify.check_bound(lambda x: sig(x) * (1 - sig(x)), 0.24, st.floats(-20, 20))
    e = info.value.evidence
    assert e.shrunk and abs(e.point) < 1 and e.claimed > e.reference


def test_bound_entrywise_arrays():
    xs = arrays(float, 4, elements=st.floats(-5, 5))
    assert verify.check_bound(lambda x: np.tanh(x) ** 2, lambda x: np.minimum(x ** 2, 1.0), xs).verdict == "consistent"
    with pytest.raises(CheckFailed) as info:
        verify.check_bound(lambda x: np.tanh(x), lambda x: x, xs)
    assert len(info.value.evidence.entry) == 1


# --- order ------------------------------------------------------------------------------------


def test_order_consistent_refuted_undecided():
    r = lambda h: abs(np.exp(0.5 + h) - np.exp(0.5) * (1 + h))  # noqa: E731
    ev = verify.check_order(r, 2, scale=np.exp(0.5))
    assert ev.verdict == "consistent" and abs(ev.details["slope"] - 2) < 0.1
    with pytest.raises(CheckFailed) as info:
        verify.check_order(r, 3, scale=np.exp(0.5))
    assert abs(info.value.evidence.reference - 2) < 0.1
    # the local slope 1 + log2 of a period-4 wobble never settles: undecided, never a pass
    wobble = lambda h: h * (2 + np.sin(np.log2(h) * np.pi / 2))  # noqa: E731
    with pytest.raises(CheckUndecided) as info:
        verify.check_order(wobble, 1)
    assert info.value.evidence.verdict == "undecided" and "undecided" in info.value.evidence.details
    assert not isinstance(info.value, CheckFailed)


def test_order_roundoff_noise_is_not_mistaken_for_a_slope():
    """A forward difference's error is O(h) until roundoff eps/h takes over; the probes keep that tail out."""
    r = lambda x, h: abs((np.sin(x + h) - np.sin(x)) / h - np.cos(x))  # noqa: E731
    ev = verify.check_order(r, 1, st.floats(0.1, 1.4), max_examples=10)
    assert ev.verdict == "consistent"
    with pytest.raises(CheckFailed):
        verify.check_order(r, 2, st.floats(0.1, 1.4), max_examples=10)


# --- expectation --------------------------------------------------------------------------------


def test_expectation_enumeration_and_sampler():
    assert verify.check_expectation(np.arange(1, 7), 3.5).verdict == "consistent"
    with pytest.raises(CheckFailed):
        verify.check_expectation(np.arange(1, 7), 3.5 + 1e-6)
    v = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert verify.check_expectation(v, [0.25, 0.75], weights=[0.75, 0.25]).verdict == "consistent"
    ev = verify.check_expectation(lambda rng, n: rng.random(n) ** 2, 1 / 3, bounds=(0, 1), seed=1)
    assert ev.verdict == "consistent" and ev.details["detectable"] < 0.02
    with pytest.raises(CheckFailed):
        verify.check_expectation(lambda rng, n: rng.random(n) ** 2, 1 / 3 + 0.02, bounds=(0, 1))


# --- bad calls: one table; every message names the argument ---------------------------------------

SIN = np.sin
BAD_CALLS = [
    (lambda: verify.check_jacobian(SIN, np.cos), "at least one point"),
    (lambda: verify.check_jacobian(SIN, np.cos, X0, order=3), "order=3"),
    (lambda: verify.check_jacobian(SIN, np.cos, X0, method="forward"), "method='forward'"),
    (lambda: verify.check_jacobian(SIN, np.cos, X0, max_examples=0), "max_examples=0"),
    (lambda: verify.check_jacobian(SIN, np.cos, X0, seed=-1), "seed=-1"),
    (lambda: verify.check_jacobian(SIN, np.cos, X0, vectorized="yes"), "vectorized='yes'"),
    (lambda: verify.check_jacobian(SIN, np.cos, X0, tolerance="derivative.typo"), "tolerance key"),
    (lambda: verify.check_jacobian(SIN, 3.0, X0), "jac=3.0 is not callable"),
    (lambda: verify.check_jacobian(SIN, np.cos, st.floats(), X0), "either one Hypothesis strategy"),
    (lambda: verify.check_jacobian(SIN, np.cos, np.array([np.nan])), "non-finite"),
    (lambda: verify.check_jacobian(SIN, np.cos, "x"), "not an array of real numbers"),
    (lambda: verify.check_jacobian(f_net, lambda x: jac_net(x).T, X0), "looks transposed"),
    (lambda: verify.check_jacobian(f_net, lambda x: jac_net(x)[:2], X0), "return shape (4, 3)"),
    (lambda: verify.check_jacobian(f_net, jac_net, X0, order=2), "order=2 needs a scalar f"),
    (lambda: verify.check_jacobian(np.sum, np.ones_like, X0, vectorized=True), "vectorized=True but f returned"),
    (lambda: verify.check_identity(SIN, lambda x: np.ones(2), X0), "same shape"),
    (lambda: verify.check_order(lambda h: h, float("nan")), "p=nan"),
    (lambda: verify.check_order(lambda h: h, 1, h0=-1.0), "h0=-1.0"),
    (lambda: verify.check_order(lambda h: h, 1, steps=2), "steps=2"),
    (lambda: verify.check_order(lambda h: h, 1, scale=-1), "scale=-1"),
    (lambda: verify.check_expectation(lambda rng, n: rng.random(n), 0.5), "bounds=(lo, hi)"),
    (lambda: verify.check_expectation(np.arange(3), 1.0, weights=[0.5, 0.5]), "weights must be 3"),
    (lambda: verify.check_expectation(np.arange(3), 1.0, false_failure=2.0), "false_failure=2.0"),
    (lambda: verify.check_expectation(lambda rng, n: rng.random(n) * 2, 1.0, bounds=(0, 1)), "leave their stated range"),
    (lambda: verify.check_expectation(np.arange(3), [1.0, 2.0]), "value has 2 entries"),
]


@pytest.mark.parametrize("call,message", BAD_CALLS, ids=[m for _, m in BAD_CALLS])
def test_bad_calls_raise_validation_errors_naming_the_argument(call, message):
    with pytest.raises(ValidationError, match=re.escape(message)):
        call()


def test_evidence_json_is_plain_data():
    import json

    with pytest.raises(CheckFailed) as info:
        verify.check_jacobian(f_net, planted(jac_net, 1e-6), X0)
    doc = info.value.evidence.to_json()
    assert json.loads(json.dumps(doc))["point"] == X0.tolist()
    assert doc["verdict"] == "refuted" and math.isfinite(doc["ratio"])


def test_readme_gradient_example_runs_in_at_most_five_lines():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Is my gradient right?", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert len(code.strip().splitlines()) <= 5
    namespace = {}
    exec(compile(code, "README.md", "exec"), namespace)  # our own README, not user input


def test_catches_what_torch_gradcheck_passes_with_its_defaults():
    """A 1% error in one entry of a 1e-3-scaled Jacobian: gradcheck (atol=1e-5) passes it; we do not."""
    torch = pytest.importorskip("torch")
    from torch.autograd.gradcheck import gradcheck

    wrong = planted(lambda x: jac_net(x, 1e-3), 1e-2)

    class F(torch.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            ctx.save_for_backward(t)
            return torch.as_tensor(f_net(t.detach().numpy(), 1e-3))

        @staticmethod
        def backward(ctx, g):
            (t,) = ctx.saved_tensors
            return g @ torch.as_tensor(wrong(t.detach().numpy()))

    assert gradcheck(F.apply, (torch.tensor(X0, requires_grad=True),))
    with pytest.raises(CheckFailed):
        verify.check_jacobian(lambda x: f_net(x, 1e-3), wrong, X0)
