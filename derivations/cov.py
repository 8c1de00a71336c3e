r"""Change of variables, vec/Kronecker and the ELBO decomposition (seeds 002, 004 §2).

* :math:`\operatorname{vec}(AXB) = (B^\top\otimes A)\operatorname{vec}(X)` with column-stacking
  :math:`\operatorname{vec}` (the ``vec`` of seed 002). Row stacking gives
  :math:`\operatorname{vec}_r(AXB) = (A\otimes B^\top)\operatorname{vec}_r(X)` instead.
* ELBO decomposition (004 eq. 2.1): :math:`\log p(x) = \mathbb E_q[\log p(z)] +
  \mathbb E_q[\log\frac{p(x|z)}{q(z|x)}] + \mathrm{KL}(q(z|x)\,\|\,p(z|x))`, and the gap is
  :math:`\ge 0`.

>>> import numpy as np
>>> A, X, B = np.eye(2), np.arange(4.0).reshape(2, 2), np.eye(2)
>>> np.allclose(kron_vec(A, X, B), vec(A @ X @ B))
True
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from .steps import Derivation, Step

__all__ = ["vec", "kron_vec", "kron_vec_sym", "elbo_terms", "vec_kronecker_derivation", "elbo_derivation",
           "gaussian_composition_bound", "gaussian_posterior", "composition_bound_derivation",
           "dirac_composition_derivation", "flow_forward", "flow_inverse", "flow_log_density", "flow_derivation"]


def vec(X) -> np.ndarray:
    """Column-stacking vec (Fortran order)."""
    return np.asarray(X).reshape(-1, order="F")


def kron_vec(A, X, B, *, row_stacking=False):
    r"""Derived: :math:`(B^\top\otimes A)\operatorname{vec}(X)`; with ``row_stacking`` the formula a
    row-major ``vec`` would suggest, :math:`(A\otimes B^\top)` applied to the column-stacked ``X``."""
    A, X, B = (np.asarray(M, dtype=float) for M in (A, X, B))
    K = np.kron(A, B.T) if row_stacking else np.kron(B.T, A)
    return K @ vec(X)


def kron_vec_sym(size, *, row_stacking=False):
    """SymPy ``(B^T kron A) vec(X)`` for ``size = (m, n, p, q)``: A m x n, X n x p, B p x q."""
    from sympy.physics.quantum import TensorProduct

    m, n, p, q = size
    A = sp.Matrix(m, n, lambda i, j: sp.Symbol(f"a_{i}{j}"))
    X = sp.Matrix(n, p, lambda i, j: sp.Symbol(f"x_{i}{j}"))
    B = sp.Matrix(p, q, lambda i, j: sp.Symbol(f"b_{i}{j}"))
    K = TensorProduct(A, B.T) if row_stacking else TensorProduct(B.T, A)
    vecX = sp.Matrix([X[i, j] for j in range(p) for i in range(n)])
    return K * vecX


def vec_of_product_sym(size):
    """Reference: ``vec(A X B)`` stacked column by column."""
    m, n, p, q = size
    A = sp.Matrix(m, n, lambda i, j: sp.Symbol(f"a_{i}{j}"))
    X = sp.Matrix(n, p, lambda i, j: sp.Symbol(f"x_{i}{j}"))
    B = sp.Matrix(p, q, lambda i, j: sp.Symbol(f"b_{i}{j}"))
    Y = A * X * B
    return sp.Matrix([Y[i, j] for j in range(q) for i in range(m)])


def elbo_terms(prior, likelihood, q):
    r"""``(E_q[log p(z)], E_q[log p(x|z)/q(z|x)], KL(q || p(z|x)))`` for a finite latent space.

    ``prior[z] = p(z)``, ``likelihood[z] = p(x|z)`` for the observed ``x``, ``q[z] = q(z|x)``.
    """
    prior, likelihood, q = (np.asarray(a, dtype=float) for a in (prior, likelihood, q))
    posterior = prior * likelihood / float(prior @ likelihood)
    m = q > 0
    return (float(q[m] @ np.log(prior[m])), float(q[m] @ np.log(likelihood[m] / q[m])),
            float(q[m] @ np.log(q[m] / posterior[m])))


def vec_kronecker_derivation() -> Derivation:
    return Derivation(
        (
            Step(r"(AXB)_{:,j}", r"\sum_k B_{kj}\,AX_{:,k}", "column $j$ of a product"),
            Step(r"\operatorname{vec}(AXB)", r"\bigl[B_{kj}A\bigr]_{j,k}\operatorname{vec}(X)",
                 "stack the columns: block $(j, k)$ is $B_{kj}A$"),
            Step(r"\bigl[B_{kj}A\bigr]_{j,k}", r"B^\top\otimes A", "definition of the Kronecker product"),
            Step(r"\operatorname{vec}_r(AXB)", r"(A\otimes B^\top)\operatorname{vec}_r(X)",
                 "row stacking swaps the factors (the mutant when vec stacks columns)"),
        )
    )


def elbo_derivation() -> Derivation:
    return Derivation(
        (
            Step(r"\log p(x)", r"\mathbb E_{q(z|x)}[\log p(x)]", "$\\log p(x)$ does not depend on $z$"),
            Step(r"\log p(x)", r"\mathbb E_q\Bigl[\log\frac{p(x,z)}{p(z|x)}\Bigr]", "Bayes"),
            Step(r"\log p(x)", r"\mathbb E_q\Bigl[\log\frac{p(x,z)}{q(z|x)}\Bigr] + \mathbb E_q\Bigl[\log\frac{q(z|x)}{p(z|x)}\Bigr]",
                 "multiply and divide by $q(z|x) > 0$ on its support"),
            Step(r"\log p(x)", r"\mathbb E_q[\log p(z)] + \mathbb E_q\Bigl[\log\frac{p(x|z)}{q(z|x)}\Bigr] + \mathrm{KL}(q\,\|\,p(z|x))",
                 "$p(x,z) = p(z)p(x|z)$"),
            Step(r"\mathrm{KL}(q\,\|\,p(z|x))", r"0", "Gibbs' inequality; equality iff $q = p(z|x)$", relation=r"\ge"),
        )
    )


def gaussian_composition_bound(x, a, b, s, m, v, *, logdet_sign=-1.0):
    r"""Bound of 004 §2.3 for :math:`z\sim N(0,1)`, bijective :math:`y = az + b`, stochastic
    :math:`x\,|\,y \sim N(y, s^2)`, encoder :math:`q(y|x) = N(m, v)`:

    :math:`\log p(x) \ge \mathbb E_q\bigl[\log p_Z(\tfrac{y-b}{a})\bigr] - \log|a| +
    \mathbb E_q\bigl[\log\tfrac{p(x|y)}{q(y|x)}\bigr]` (expectations in closed form)."""
    log2pi = np.log(2 * np.pi)
    e_prior = -0.5 * log2pi - 0.5 * ((m - b) ** 2 + v) / a**2
    e_like = -0.5 * log2pi - np.log(s) - 0.5 * ((x - m) ** 2 + v) / s**2
    neg_entropy_q = -0.5 * np.log(2 * np.pi * np.e * v)
    return float(e_prior + logdet_sign * np.log(abs(a)) + e_like - neg_entropy_q)


def gaussian_posterior(x, a, b, s):
    """Exact posterior N(m, v) of y = a z + b given x ~ N(y, s^2)."""
    prior_var = a**2
    v = 1.0 / (1.0 / prior_var + 1.0 / s**2)
    m = v * (b / prior_var + x / s**2)
    return m, v


def composition_bound_derivation() -> Derivation:
    return Derivation(
        (
            Step(r"\log p(x)", r"\log p(z) + \log\bigl|\det\tfrac{\partial f}{\partial z}\bigr|^{-1}",
                 "bijective layer: eq. (2.2), exact, $z = f^{-1}(x)$"),
            Step(r"\log p(x)", r"\mathbb E_{q(z|x)}\Bigl[\log p(z) + \log\frac{p(x|z)}{q(z|x)}\Bigr] + \mathrm{KL}(q\,\|\,p(z|x))",
                 "stochastic layer: eq. (2.1)"),
            Step(r"\log p(x)", r"\mathbb E_{q}\Bigl[\log p(z) + \sum_t\mathcal V_t\Bigr]",
                 "compose, drop every KL $\\ge 0$; equality iff each $q_t$ is the exact posterior", relation=r"\ge"),
            Step(r"\log p(x) \ge \log p(z) + \sum_t\mathcal V_t", r"\text{false for single samples } z\sim q",
                 "the stochastic $\\mathcal V_t$ is random: the bound holds in expectation only", relation=r"\Longrightarrow"),
        )
    )


def dirac_composition_derivation() -> Derivation:
    return Derivation(
        (
            Step(r"\int\delta_\varepsilon(g(z))h(z)\,dz", r"\int\delta_\varepsilon(u)\,\frac{h(g^{-1}(u))}{|g'(g^{-1}(u))|}\,du",
                 "substitute $u = g(z)$, $g$ monotone"),
            Step(r"\int\delta_\varepsilon(u)\,\psi(u)\,du", r"\psi(0) + \tfrac{\varepsilon^2}{2}\psi''(0) + O(\varepsilon^4)",
                 "$\\delta_\\varepsilon = N(0, \\varepsilon^2)$: odd moments vanish"),
            Step(r"\int\delta(g(z))h(z)\,dz", r"\frac{h(z_0)}{|g'(z_0)|}", "limit $\\varepsilon\\to0$; $\\psi(0) = h(z_0)/|g'(z_0)|$"),
            Step(r"p(x|z) = \delta(x - f(z))", r"\bigl|\det\tfrac{\partial f}{\partial z}\bigr|^{-1}_{z_0}\delta(z - f^{-1}(x))",
                 "eq. (2.3) with $g(z) = x - f(z)$: so eq. (2.1) with $q = p(z|x)$ gives eq. (2.2)"),
        )
    )


# ---------------------------------------------------------------------------
# flows: affine, elementwise sinh, planar and radial layers, and their compositions
# ---------------------------------------------------------------------------
#
# A layer is a tuple: ("affine", A, b), ("sinh",), ("planar", w, u, b) with w.u > -1, or
# ("radial", z0, alpha, beta) with alpha > 0, beta > -alpha. Forward maps are written for
# complex arguments too (complex-step differentiable); inverses are real.


def _layer_forward(layer, u):
    kind = layer[0]
    if kind == "affine":
        return u @ layer[1].T + layer[2]
    if kind == "sinh":
        return np.sinh(u)
    if kind == "planar":
        w, v, b = layer[1:]
        return u + np.tanh(u @ w + b)[:, None] * v
    _, z0, alpha, beta = layer
    diff = u - z0
    r = np.sqrt((diff * diff).sum(axis=1))  # analytic in u (complex step), r > 0 away from z0
    return u + (beta / (alpha + r))[:, None] * diff


def _layer_inverse(layer, y):
    kind = layer[0]
    if kind == "affine":
        return np.linalg.solve(layer[1], (y - layer[2]).T).T
    if kind == "sinh":
        return np.arcsinh(y)
    if kind == "planar":
        w, v, b = layer[1:]
        wv, s = float(w @ v), y @ w
        # s_in + wv tanh(s_in + b) = s is strictly increasing in s_in (wv > -1): bisection
        lo, hi = s - abs(wv) - 1.0, s + abs(wv) + 1.0
        for _ in range(40):  # bracket to 2^-40 of its width, then Newton (g' >= 1 - |wv| > 0) to roundoff
            mid = 0.5 * (lo + hi)
            above = mid + wv * np.tanh(mid + b) > s
            lo, hi = np.where(above, lo, mid), np.where(above, mid, hi)
        s_in = 0.5 * (lo + hi)
        for _ in range(3):
            t = np.tanh(s_in + b)
            s_in = s_in - (s_in + wv * t - s) / (1.0 + wv * (1.0 - t * t))
        return y - np.tanh(s_in + b)[:, None] * v
    _, z0, alpha, beta = layer
    diff = y - z0
    rho = np.sqrt((diff * diff).sum(axis=1))
    # rho = r (alpha + beta + r) / (alpha + r): the positive root of r^2 + (alpha + beta - rho) r - alpha rho
    c = alpha + beta - rho
    sq = np.sqrt(c * c + 4.0 * alpha * rho)
    with np.errstate(divide="ignore", invalid="ignore"):  # each branch is used only where it is stable
        r = np.where(c > 0, 2.0 * alpha * rho / (c + sq), 0.5 * (sq - c))
    return z0 + diff / (1.0 + beta / (alpha + r))[:, None]


def _layer_logdet(layer, u, *, at_output=False, radial_extra_power=0):
    r"""Derived :math:`\log|\det\partial f_l/\partial u|` at the layer input ``u`` (or, the mutant, its output)."""
    kind = layer[0]
    if at_output and kind != "affine":
        u = _layer_forward(layer, u)
    if kind == "affine":
        return np.log(abs(np.linalg.det(layer[1]))) * np.ones(len(u))
    if kind == "sinh":
        return np.log(np.cosh(u)).sum(axis=1)
    if kind == "planar":  # det(I + v psi^T) = 1 + psi.v, psi = (1 - tanh^2(w.u + b)) w
        w, v, b = layer[1:]
        return np.log(np.abs(1.0 + (1.0 - np.tanh(u @ w + b) ** 2) * float(w @ v)))
    _, z0, alpha, beta = layer  # (d - 1) log(1 + beta h) + log(1 + beta h + beta h' r), h = 1/(alpha + r)
    d = u.shape[1]
    r = np.sqrt(((u - z0) ** 2).sum(axis=1))
    h, dh = 1.0 / (alpha + r), -1.0 / (alpha + r) ** 2
    power = d - 1 + radial_extra_power
    return power * np.log(np.abs(1.0 + beta * h)) + np.log(np.abs(1.0 + beta * h + beta * dh * r))


def flow_forward(layers, z):
    """Apply ``layers`` to the rows of ``z`` (complex-safe)."""
    x = np.atleast_2d(z)
    for layer in layers:
        x = _layer_forward(layer, x)
    return x


def flow_inverse(layers, x):
    """Inverse of :func:`flow_forward` (linear solves, ``arcsinh``, a monotone scalar solve per planar
    layer, the closed-form radius per radial layer)."""
    z = np.atleast_2d(np.asarray(x, dtype=float))
    for layer in reversed(layers):
        z = _layer_inverse(layer, z)
    return z


def flow_nonsmooth_points(layers):
    r"""Where the density of :math:`f(Z)` fails to be smooth: the images :math:`f_L\circ\cdots\circ f_{l+1}(z_0)` of
    the centres of the radial layers, one row each.

    Every other layer is analytic. The radial map :math:`u + \beta h(r)(u - z_0)` depends on
    :math:`r = \|u - z_0\|`, which is not differentiable at :math:`u = z_0`: its Jacobian is continuous there
    (both sides give :math:`(1 + \beta/\alpha)I`) but the radial log-det
    :math:`\log(1 + \beta h + \beta h'r)` has a kink (slope :math:`\mp 2\beta/(\alpha(\alpha+\beta))` on either
    side in 1-D), so the density is continuous with a jump in its first derivative at the image of
    :math:`z_0`. A quadrature of the density must break there; otherwise a Gauss-Kronrod panel whose end
    lies near the kink misses it with both of its rules alike and reports a tiny error."""
    points = [flow_forward(layers[l + 1:], np.asarray(layer[1], dtype=float))[0]
              for l, layer in enumerate(layers) if layer[0] == "radial"]
    return np.array(points, dtype=float) if points else np.zeros((0, 0))


def flow_log_density(layers, x, *, logdet_sign=-1.0, at_output=False, radial_extra_power=0):
    r"""Derived: :math:`\log p_X(x) = \log N(f^{-1}(x); 0, I) - \sum_l\log|\det J_l(u_{l-1})|`, each layer's
    log-det at its own input (affine :math:`\log|\det A|`; sinh :math:`\sum\log\cosh u`; planar
    :math:`\log|1 + (1-\tanh^2(w^\top u+b))\,w^\top v|`; radial
    :math:`(d-1)\log(1+\beta h) + \log(1 + \beta h + \beta h'r)`)."""
    x = np.atleast_2d(np.asarray(x, dtype=float))
    d = x.shape[1]
    inputs, u = [], x
    for layer in reversed(layers):
        u = _layer_inverse(layer, u)
        inputs.append(u)
    inputs.reverse()  # inputs[l] is the input of layer l
    z = inputs[0]
    total = -0.5 * (z * z).sum(axis=1) - 0.5 * d * np.log(2 * np.pi)
    for layer, u_in in zip(layers, inputs):
        total = total + logdet_sign * _layer_logdet(layer, u_in, at_output=at_output,
                                                    radial_extra_power=radial_extra_power)
    return total


def flow_derivation() -> Derivation:
    return Derivation(
        (
            Step(r"\Pr[X\in B]", r"\Pr[Z\in f^{-1}(B)] = \int_{f^{-1}(B)}p_Z(z)\,dz", "$X = f(Z)$, $f$ bijective"),
            Step(r"\int_{f^{-1}(B)}p_Z(z)\,dz", r"\int_B p_Z(f^{-1}(x))\,\bigl|\det\tfrac{\partial f}{\partial z}\bigr|^{-1}_{z=f^{-1}(x)}dx",
                 "substitute $z = f^{-1}(x)$"),
            Step(r"\log\bigl|\det\tfrac{\partial f}{\partial z}\bigr|", r"\sum_l\log\bigl|\det\tfrac{\partial f_l}{\partial u_{l-1}}\bigr|",
                 "chain rule; determinants multiply"),
            Step(r"\log|\det J_{\rm affine}|", r"\log|\det A|,\qquad \log|\det J_{\sinh}(u)| = \sum_i\log\cosh u_i",
                 "each layer at its own input"),
            Step(r"\det\bigl(I + v\,\psi(u)^\top\bigr)", r"1 + \psi(u)^\top v,\quad \psi(u) = (1-\tanh^2(w^\top u+b))\,w",
                 r"planar layer $u + v\tanh(w^\top u + b)$; matrix determinant lemma"),
            Step(r"\det\Bigl(I + \beta h(r)I + \beta h'(r)\tfrac{(u-z_0)(u-z_0)^\top}{r}\Bigr)",
                 r"(1+\beta h)^{d-1}\,(1 + \beta h + \beta h' r)",
                 r"radial layer $u + \beta h(r)(u - z_0)$, $h = 1/(\alpha + r)$: eigenvalues along and across $u - z_0$"),
        )
    )
