"""Flows: where the derived density is not smooth (the images of the radial centres)."""

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from derivations import cov as C
from verify import strategies as S
from verify.numerics import complex_step_jacobian

_SMOOTH = ("affine", "sinh", "planar")


@st.composite
def _one_radial(draw):
    """smooth layers, one radial layer, smooth layers (1-D)."""
    before = draw(st.one_of(st.just(()), S.flow_layers(dim=1, max_layers=1, kinds=_SMOOTH)))
    after = draw(st.one_of(st.just(()), S.flow_layers(dim=1, max_layers=1, kinds=_SMOOTH)))
    return before + draw(S.flow_layers(dim=1, max_layers=1, kinds=("radial",))) + after


@given(_one_radial())
@example((("radial", np.array([0.6]), 0.25, 0.0625), ("planar", np.array([0.5]), np.array([0.5]), 1.0)))
def test_log_density_has_its_kink_at_the_image_of_the_radial_centre(layers):
    r"""One-sided slopes of log p_X at the reported point differ by the radial log-det's slope jump
    :math:`4\beta/(\alpha(\alpha+\beta))` in u times :math:`|du/dx| = (\alpha/(\alpha+\beta))/|J_{\rm after}|`, with
    :math:`J_{\rm after}` the complex-step derivative of the layers after the radial one at its centre.
    A point off the kink would show no jump (the density is analytic elsewhere)."""
    (k,), = C.flow_nonsmooth_points(layers)
    i = next(j for j, l in enumerate(layers) if l[0] == "radial")
    _, z0, alpha, beta = layers[i]
    J, _ = complex_step_jacobian(lambda U: C.flow_forward(layers[i + 1:], U), np.asarray(z0, float))
    predicted = 4.0 * beta / (alpha + beta) ** 2 / abs(J[0, 0])  # x-right is u-left where J < 0

    def log_px(x):
        return float(C.flow_log_density(layers, [[x]])[0])

    h = 1e-5 * max(1.0, abs(k))
    right = (-3 * log_px(k) + 4 * log_px(k + h) - log_px(k + 2 * h)) / (2 * h)  # one-sided, O(h^2)
    left = (3 * log_px(k) - 4 * log_px(k - h) + log_px(k - 2 * h)) / (2 * h)
    assert abs((right - left) - predicted) <= 1e-3 * abs(predicted) + 1e-4 * (1 + abs(left) + abs(right))


def test_no_radial_layer_no_kink():
    layers = (("sinh",), ("planar", np.array([0.5]), np.array([0.5]), 1.0))
    assert C.flow_nonsmooth_points(layers).size == 0


def test_every_step_is_checkable_or_says_why():
    for make in (C.vec_kronecker_derivation, C.elbo_derivation, C.composition_bound_derivation,
                 C.dirac_composition_derivation, C.flow_derivation):
        d = make()
        assert d.to_latex().startswith("\\begin{align*}")
        for s in d.steps:
            assert (s.plain is None) != (s.unchecked is None), (make.__name__, s.lhs)


def test_elbo_steps_pass_the_step_checker():
    from verify.stepcheck import check_steps

    verdicts = check_steps(C.elbo_derivation(), cache=False)
    assert all(v.verdict in ("proved", "consistent") for v in verdicts), verdicts


def test_the_sample_value_averages_to_the_composition_bound_and_exceeds_log_evidence_somewhere():
    """E_q of the single-sample value is the derived bound (Gauss-Hermite over y ~ q); some samples exceed log p(x)."""
    import pytest

    from derivations.errors import ValidationError

    x, a, b, s = 0.7, -1.3, 0.4, 0.8
    m, v = C.gaussian_posterior(x, a, b, s)
    m, v = m + 0.3, 0.6 * v
    nodes, weights = np.polynomial.hermite_e.hermegauss(20)
    values = [C.gaussian_composition_sample_value(x, a, b, s, m, v, m + np.sqrt(v) * u) for u in nodes]
    mean = float(np.dot(weights, values) / weights.sum())
    assert abs(mean - C.gaussian_composition_bound(x, a, b, s, m, v)) < 1e-12
    var = a * a + s * s
    log_px = -0.5 * np.log(2 * np.pi * var) - 0.5 * (x - b) ** 2 / var
    assert max(values) > log_px > mean
    with pytest.raises(ValidationError):
        C.gaussian_composition_sample_value(x, 0.0, b, s, m, v, m)


def test_dirac_composition_limit():
    import pytest

    from derivations.errors import ValidationError

    assert C.dirac_composition_limit(2.0, [[-4.0]]) == 0.5
    J = np.array([[2.0, 1.0], [0.0, -3.0]])
    assert abs(C.dirac_composition_limit(1.2, J) - 0.2) < 1e-15
    for bad in ([[1.0, 2.0], [2.0, 4.0]], np.ones((2, 3))):
        with pytest.raises(ValidationError):
            C.dirac_composition_limit(1.0, bad)
