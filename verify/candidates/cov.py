r"""The candidate side of the ``cov.*`` claims (:mod:`verify.catalogue.cov`): adapters from a check's
point to :mod:`derivations.cov` (vec/Kronecker, the ELBO terms, the composition bound, the Dirac-delta
limit, the flow log-density and its box probabilities) and the mutants of each, with the SymPy form
of the vec/Kronecker mutant."""

from __future__ import annotations

import numpy as np

from derivations import cov as C

from ..numerics import gauss_legendre_box
from ..probes import cov as P

__all__ = [
    "kv", "kv_row_stacking_formula", "kv_row_stacking_formula_sym", "kv_vec_rows",
    "elbo_candidate",
    "bound_candidate", "bound_logdet_sign_flipped", "pointwise_candidate",
    "dirac_candidate", "dirac_mutant",
    "flow_log_density_with", "flow_log_density_sign_flipped", "flow_log_density_jacobian_at_output",
    "flow_log_density_radial_power_d", "flow_candidate", "box_candidate", "box2_candidate", "flow_any",
]


def kv(t):
    return C.kron_vec(t.A, t.X, t.B)


def kv_row_stacking_formula(t):
    """Mutant: the factors in the order a row-stacking vec would give, (A kron B^T), on the column-stacked vec(X)."""
    return np.kron(t.A, t.B.T) @ C.vec(t.X)


def kv_row_stacking_formula_sym(size):
    """:func:`kv_row_stacking_formula` in SymPy, on the derivation's symbols."""
    from sympy.physics.quantum import TensorProduct

    A, X, B = C.vec_operands_sym(size)
    return TensorProduct(A, B.T) * C.vec_sym(X)


def kv_vec_rows(t):
    """(B^T kron A) applied to the row-stacked vec(X)."""
    return np.kron(t.B.T, t.A) @ t.X.reshape(-1)


def elbo_candidate(p, *, variant="derived"):
    a, b, kl = C.elbo_terms(p.prior, p.likelihood, p.q)
    if variant == "reversed-kl":
        post = p.prior * p.likelihood / (p.prior @ p.likelihood)
        kl = float(post @ np.log(post / p.q))
    if variant == "prior-dropped":
        a = 0.0
    return a + b + kl


def bound_candidate(c):
    m, v = c.encoder()
    return C.gaussian_composition_bound(c.x, c.a, c.b, c.s, m, v)


def bound_logdet_sign_flipped(c):
    r"""Mutant: the derived bound with its :math:`-\log|a|` (the bijective layer's :math:`\mathcal V`) as :math:`+\log|a|`."""
    return bound_candidate(c) + 2.0 * np.log(abs(c.a))


def pointwise_candidate(c):
    """log p(z) + sum V_t at ONE sample y ~ q (the official solution's reading)."""
    m, v = c.encoder()
    return C.gaussian_composition_sample_value(c.x, c.a, c.b, c.s, m, v, m + np.sqrt(v) * c.u)


def _root_jacobian(p):
    """(h(z0), dg/dz(z0)) at the root z0 = c."""
    if isinstance(p, P.DeltaPoint2):
        return float(P.h2(p, p.c[None, :])[0]), p.M * (1.0 + p.b)[None, :]
    return float(P.h1(p, p.c)), np.array([[p.a + p.b]])


def dirac_candidate(p):
    """The derived limit at the drawn instance's root."""
    return C.dirac_composition_limit(*_root_jacobian(p))


def dirac_mutant(p, *, variant):
    """Mutants: the absolute value dropped, the Jacobian multiplied, or only its diagonal."""
    h0, J = _root_jacobian(p)
    det = float(np.linalg.det(J))
    if variant == "no-abs":
        return h0 / det
    if variant == "times-jacobian":
        return h0 * abs(det)
    if variant == "diagonal-only":  # ignores the coupling between coordinates
        return h0 / abs(float(np.prod(np.diag(J))))
    return h0 / abs(det)


def flow_log_density_with(layers, x, layer_log_det):
    r""":math:`\log N(f^{-1}(x); 0, I) - \sum_l` ``layer_log_det(layer_l, u_{l-1})``: the derived density
    (:func:`derivations.cov.flow_log_density`) with its per-layer log-det replaced, for the mutants."""
    inputs = C.flow_layer_inputs(layers, x)
    z = inputs[0]
    total = -0.5 * (z * z).sum(axis=1) - 0.5 * z.shape[1] * np.log(2 * np.pi)
    for layer, u_in in zip(layers, inputs):
        total = total - layer_log_det(layer, u_in)
    return total


def flow_log_density_sign_flipped(layers, x):
    r"""Mutant: :math:`\log N(f^{-1}(x)) + \sum_l\log|\det J_l|`."""
    return flow_log_density_with(layers, x, lambda layer, u: -C.layer_log_det(layer, u))


def flow_log_density_jacobian_at_output(layers, x):
    """Mutant: each layer's derived log-det evaluated at the layer's output f_l(u) instead of its input u."""
    return flow_log_density_with(layers, x, lambda layer, u: C.layer_log_det(layer, C.flow_forward((layer,), u)))


def _radial_log_det_power_d(layer, u):
    r"""The derived layer log-det, a radial layer's with one factor :math:`1 + \beta h` too many:
    :math:`d\log(1+\beta h)` for :math:`(d-1)\log(1+\beta h)`."""
    log_det = C.layer_log_det(layer, u)
    if layer[0] != "radial":
        return log_det
    _, z0, alpha, beta = layer
    r = np.sqrt(((u - z0) ** 2).sum(axis=1))
    return log_det + np.log(np.abs(1.0 + beta / (alpha + r)))


def flow_log_density_radial_power_d(layers, x):
    """Mutant: the radial layers' Jacobian determinant with (1 + beta h)^d instead of (1 + beta h)^(d - 1)."""
    return flow_log_density_with(layers, x, _radial_log_det_power_d)


def flow_candidate(p, log_density=C.flow_log_density):
    return log_density(p.layers, p.x[None, :])[0]


def box_candidate(p, log_density=C.flow_log_density):
    """P(a < X < b) from the derived density, by quadrature (1-D), broken at the images of the radial
    centres inside (a, b) (:func:`derivations.cov.flow_nonsmooth_points`): the density has a kink there.
    Unbroken, a Gauss-Kronrod panel ending 4.4e-4 past the kink missed it in both of its rules alike and
    reported an error of 6e-15 while off by 4.5e-8, against a tolerance of 6e-10 (quick profile, seed
    14; 1 point in 4000 drawn 1-D points failed, by up to 190x). Broken there, the pieces are analytic,
    as the "quadrature" tolerance assumes: worst error/tolerance 2.5e-5 over the same 4000 points."""
    from scipy.integrate import quad

    (a, b), = p.box
    kinks = sorted({float(k) for k in C.flow_nonsmooth_points(p.layers).ravel() if a < k < b})
    f = lambda x: float(np.exp(log_density(p.layers, [[x]])[0]))  # noqa: E731
    val, _ = quad(f, a, b, points=kinks or None, epsabs=0.0, epsrel=1e-11, limit=200)  # relative: tails are tiny
    return val


def box2_candidate(p, log_density=C.flow_log_density):
    """P(X in box) from the derived density: composite Gauss-Legendre in 2-D, with the difference
    between 16x16 and 32x32 panels as its error estimate (radial layers put a cusp at z0)."""
    f = lambda X: np.exp(log_density(p.layers, X))  # noqa: E731
    coarse, fine = gauss_legendre_box(f, p.box, panels=16), gauss_legendre_box(f, p.box, panels=32)
    return fine, abs(fine - coarse)


class _FlowParts(dict):
    """The candidate's parts, each computed when a check first asks for it (quadratures are costly)."""

    def __init__(self, p, log_density):
        super().__init__()
        self._p, self._log_density = p, log_density

    def __missing__(self, key):
        p, log_density = self._p, self._log_density
        if key == "logpdf":
            self[key] = flow_candidate(p, log_density)
        elif key == "box":
            self[key] = box_candidate(p, log_density) if p.x.size == 1 else np.nan
        elif key in ("box2", "box2_error"):
            self["box2"], self["box2_error"] = box2_candidate(p, log_density) if p.x.size == 2 else (np.nan, np.nan)
        else:
            raise KeyError(key)
        return self[key]


def flow_any(p, log_density=C.flow_log_density):
    """The candidate's parts from ``log_density`` (the derived one, or a mutant's)."""
    return _FlowParts(p, log_density)
