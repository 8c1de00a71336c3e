"""The 1-D box-probability check of ``cov.flow-log-density``: the quadrature of the derived density
against Phi at f^-1 of the box ends, and an independent 40-digit value where it once failed."""

import mpmath
import numpy as np
from hypothesis import example, given

from derivations import cov as C
from verify.candidates import cov as K
from verify.probes import cov as P
from verify.tolerances import tolerance

# seed 14 of the quick profile: a radial layer whose centre maps to x = 1.0309, inside the box and
# 4.4e-4 from the end of an adaptive panel; quad without a break there was off by 4.5e-8 (tol 6e-10)
SEED14 = P.FlowPoint(
    (("radial", np.array([0.6]), 0.25, 0.0625), ("planar", np.array([0.5]), np.array([0.5]), 1.0)),
    np.array([0.0]), ((-0.5, 1.25),))
# the radial contraction (beta < 0) of the same flow, with the box ending at its kink
_CONTRACT = (("radial", np.array([0.6]), 0.25, -0.1875), ("planar", np.array([0.5]), np.array([0.5]), 1.0))
_KINK = float(C.flow_nonsmooth_points(_CONTRACT)[0, 0])
AT_KINK = P.FlowPoint(_CONTRACT, np.array([0.0]), ((-1.0, _KINK),))


def _seed14_mp():
    """P(-0.5 < X < 1.25) at 40 digits from the primitives: roots of the forward map, then Phi."""
    with mpmath.workdps(40):
        z0, a, b = mpmath.mpf(0.6), mpmath.mpf(0.25), mpmath.mpf(0.0625)

        def f(z):
            u = z + b * (z - z0) / (a + abs(z - z0))
            return u + mpmath.mpf(0.5) * mpmath.tanh(mpmath.mpf(0.5) * u + 1)

        lo, hi = (mpmath.findroot(lambda z, x=x: f(z) - x, (-3, 3), solver="anderson") for x in (-0.5, 1.25))
        return mpmath.ncdf(hi) - mpmath.ncdf(lo)


def test_seed14_both_sides_match_40_digits():
    truth = _seed14_mp()
    assert abs(P.box_reference(SEED14) - truth) < 1e-15
    assert abs(K.box_candidate(SEED14) - truth) < 1e-13


@given(P.flows(dims=(1,)))
@example(SEED14)
@example(AT_KINK)
def test_box_quadrature_agrees_with_cdf(p):
    cand, ref = K.box_candidate(p), P.box_reference(p)
    assert abs(cand - ref) <= tolerance("quadrature").bound(ref, abs(ref)), (cand, ref)


@given(P.flows())
def test_mutant_densities_are_rewrites_of_the_derived_one(p):
    """The mutants of ``cov.flow-log-density`` live in verify.candidates.cov: with the derived per-layer log-det
    their scaffold is the derived density exactly, and each mutant changes only its per-layer term."""
    X = p.x[None, :]
    derived = C.flow_log_density(p.layers, X)
    assert np.array_equal(K.flow_log_density_with(p.layers, X, C.layer_log_det), derived)
    z = C.flow_inverse(p.layers, X)
    log_pz = -0.5 * (z * z).sum(axis=1) - 0.5 * z.shape[1] * np.log(2 * np.pi)
    np.testing.assert_allclose(K.flow_log_density_sign_flipped(p.layers, X), 2 * log_pz - derived,
                               rtol=0, atol=1e-12 * (1 + np.abs(log_pz).max() + np.abs(derived).max()))
    if not any(layer[0] == "radial" for layer in p.layers):
        assert np.array_equal(K.flow_log_density_radial_power_d(p.layers, X), derived)
