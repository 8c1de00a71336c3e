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

from .errors import ValidationError
from .steps import Derivation, Step

__all__ = ["vec", "kron_vec", "kron_vec_sym", "vec_operands_sym", "vec_sym", "elbo_terms", "vec_kronecker_derivation", "elbo_derivation",
           "gaussian_composition_bound", "gaussian_composition_sample_value", "gaussian_posterior",
           "composition_bound_derivation", "dirac_composition_limit", "dirac_composition_derivation", "flow_forward", "flow_inverse", "flow_layer_inputs", "layer_log_det",
           "flow_log_density", "flow_derivation"]


def vec(X) -> np.ndarray:
    """Column-stacking vec (Fortran order)."""
    return np.asarray(X).reshape(-1, order="F")


def kron_vec(A, X, B):
    r"""Derived: :math:`(B^\top\otimes A)\operatorname{vec}(X)`."""
    A, X, B = (np.asarray(M, dtype=float) for M in (A, X, B))
    return np.kron(B.T, A) @ vec(X)


def vec_operands_sym(size):
    """Symbolic ``A`` (m x n), ``X`` (n x p), ``B`` (p x q) for ``size = (m, n, p, q)``."""
    m, n, p, q = size
    A = sp.Matrix(m, n, lambda i, j: sp.Symbol(f"a_{i}{j}"))
    X = sp.Matrix(n, p, lambda i, j: sp.Symbol(f"x_{i}{j}"))
    B = sp.Matrix(p, q, lambda i, j: sp.Symbol(f"b_{i}{j}"))
    return A, X, B


def vec_sym(Y):
    """Column-stacking ``vec`` of a SymPy matrix."""
    return sp.Matrix([Y[i, j] for j in range(Y.cols) for i in range(Y.rows)])


def kron_vec_sym(size):
    """SymPy ``(B^T kron A) vec(X)`` for ``size = (m, n, p, q)``: A m x n, X n x p, B p x q."""
    from sympy.physics.quantum import TensorProduct

    A, X, B = vec_operands_sym(size)
    return TensorProduct(B.T, A) * vec_sym(X)


def vec_of_product_sym(size):
    """Reference: ``vec(A X B)`` stacked column by column."""
    A, X, B = vec_operands_sym(size)
    return vec_sym(A * X * B)


def elbo_terms(prior, likelihood, q):
    r"""``(E_q[log p(z)], E_q[log p(x|z)/q(z|x)], KL(q || p(z|x)))`` for a finite latent space.

    ``prior[z] = p(z)``, ``likelihood[z] = p(x|z)`` for the observed ``x``, ``q[z] = q(z|x)``.
    """
    prior, likelihood, q = (np.asarray(a, dtype=float) for a in (prior, likelihood, q))
    posterior = prior * likelihood / float(prior @ likelihood)
    m = q > 0
    return (float(q[m] @ np.log(prior[m])), float(q[m] @ np.log(likelihood[m] / q[m])),
            float(q[m] @ np.log(q[m] / posterior[m])))


_VEC_SYMBOLS = {"m": "integer in [2, 4]", "n": "integer in [2, 4]", "p": "integer in [2, 4]", "q": "integer in [2, 4]",
                "A": "matrix m x n", "X": "matrix n x p", "B": "matrix p x q", "j": "integer in [0, q - 1]"}
#: column-stacking vec of a matrix Y with c columns: sum_k e_k kron (Y e_k) (M.T[k] is column k of M)
_VEC_DEFINE = {"vec(Y, c)": "sum(kron(eye(c)[k], Y.T[k]), (k, 0, c - 1))"}
#: the block matrix whose block (l, k) (m x n) is B_kl A
_VEC_BLOCKS = "sum(sum(B[k, l] * kron(outer(eye(q)[l], eye(p)[k]), A), (k, 0, p - 1)), (l, 0, q - 1))"


def vec_kronecker_derivation() -> Derivation:
    return Derivation(
        (
            Step(r"(AXB)_{:,j}", r"\sum_k B_{kj}\,AX_{:,k}", "column $j$ of a product",
                 plain=("(A @ X @ B).T[j]", "sum(B[k, j] * (A @ X).T[k], (k, 0, p - 1))")),
            Step(r"\operatorname{vec}(AXB)", r"\bigl[B_{kj}A\bigr]_{j,k}\operatorname{vec}(X)",
                 "stack the columns: block $(j, k)$ is $B_{kj}A$",
                 plain=("vec(A @ X @ B, q)", f"{_VEC_BLOCKS} @ vec(X, p)")),
            Step(r"\bigl[B_{kj}A\bigr]_{j,k}", r"B^\top\otimes A", "definition of the Kronecker product",
                 plain=(_VEC_BLOCKS, "kron(B.T, A)")),
            Step(r"\operatorname{vec}_r(AXB)", r"(A\otimes B^\top)\operatorname{vec}_r(X)",
                 "row stacking swaps the factors (the mutant when vec stacks columns)",
                 plain=("vec((A @ X @ B).T, m)", "kron(A, B.T) @ vec(X.T, n)")),
        ),
        symbols=_VEC_SYMBOLS, define=_VEC_DEFINE,
    )


def elbo_derivation() -> Derivation:
    # finite latent space: prior p(z) = p[z], likelihood p(x|z) = lik[z] of the observed x, encoder q(z|x) = q[z]
    return Derivation(
        (
            Step(r"\log p(x)", r"\mathbb E_{q(z|x)}[\log p(x)]", "$\\log p(x)$ does not depend on $z$",
                 plain=("log(px)", "E[log(px), (z, q)]")),
            Step(r"\log p(x)", r"\mathbb E_q\Bigl[\log\frac{p(x,z)}{p(z|x)}\Bigr]", "Bayes",
                 plain=("log(px)", "E[log(p[z] * lik[z] / post[z]), (z, q)]")),
            Step(r"\log p(x)", r"\mathbb E_q\Bigl[\log\frac{p(x,z)}{q(z|x)}\Bigr] + \mathbb E_q\Bigl[\log\frac{q(z|x)}{p(z|x)}\Bigr]",
                 "multiply and divide by $q(z|x) > 0$ on its support",
                 plain=("log(px)", "E[log(p[z] * lik[z] / q[z]), (z, q)] + E[log(q[z] / post[z]), (z, q)]")),
            Step(r"\log p(x)", r"\mathbb E_q[\log p(z)] + \mathbb E_q\Bigl[\log\frac{p(x|z)}{q(z|x)}\Bigr] + \mathrm{KL}(q\,\|\,p(z|x))",
                 "$p(x,z) = p(z)p(x|z)$",
                 plain=("log(px)", "E[log(p[z]), (z, q)] + E[log(lik[z] / q[z]), (z, q)] + KL(q, post)")),
            Step(r"\mathrm{KL}(q\,\|\,p(z|x))", r"0", "Gibbs' inequality; equality iff $q = p(z|x)$", relation=r"\ge",
                 plain=("KL(q, post)", "0")),
        ),
        symbols={"K": "integer in [2, 6]", "p": "probability vector K", "q": "probability vector K",
                 "lik": "positive vector K"},
        define={"px": "sum(p * lik)", "post": "p * lik / px"},
    )


def gaussian_composition_bound(x, a, b, s, m, v):
    r"""Bound of 004 §2.3 for :math:`z\sim N(0,1)`, bijective :math:`y = az + b`, stochastic
    :math:`x\,|\,y \sim N(y, s^2)`, encoder :math:`q(y|x) = N(m, v)`:

    :math:`\log p(x) \ge \mathbb E_q\bigl[\log p_Z(\tfrac{y-b}{a})\bigr] - \log|a| +
    \mathbb E_q\bigl[\log\tfrac{p(x|y)}{q(y|x)}\bigr]` (expectations in closed form)."""
    log2pi = np.log(2 * np.pi)
    e_prior = -0.5 * log2pi - 0.5 * ((m - b) ** 2 + v) / a**2
    e_like = -0.5 * log2pi - np.log(s) - 0.5 * ((x - m) ** 2 + v) / s**2
    neg_entropy_q = -0.5 * np.log(2 * np.pi * np.e * v)
    return float(e_prior - np.log(abs(a)) + e_like - neg_entropy_q)


def gaussian_composition_sample_value(x, a, b, s, m, v, y):
    r"""The official solution's reading of 004 §2.3 at ONE encoder sample ``y`` (same instance as
    :func:`gaussian_composition_bound`): :math:`\log p_Z(\tfrac{y-b}{a}) - \log|a| + \log\tfrac{p(x|y)}{q(y|x)}`.

    Not a bound: it equals :math:`\log p(x) + \log\frac{p(y|x)}{q(y|x)}`, above :math:`\log p(x)` wherever
    :math:`q(y|x) < p(y|x)`; its expectation over :math:`y \sim q` is :func:`gaussian_composition_bound`."""
    if not (a != 0 and s > 0 and v > 0):
        raise ValidationError(f"need a != 0, s > 0 and v > 0, got a={a!r}, s={s!r}, v={v!r}")
    z = (y - b) / a
    log_pz = -0.5 * np.log(2 * np.pi) - 0.5 * z * z
    log_lik = -0.5 * np.log(2 * np.pi * s**2) - 0.5 * (x - y) ** 2 / s**2
    log_q = -0.5 * np.log(2 * np.pi * v) - 0.5 * (y - m) ** 2 / v
    return float(log_pz - np.log(abs(a)) + log_lik - log_q)


def dirac_composition_limit(h0, J) -> float:
    r"""004 eq. (2.3): :math:`\int\delta(g(z))h(z)\,dz = h(z_0)/|\det\partial g/\partial z(z_0)|` for a bijective
    ``g`` with root :math:`z_0`, from ``h0`` :math:`= h(z_0)` and the Jacobian ``J`` of ``g`` at :math:`z_0`.

    >>> dirac_composition_limit(2.0, [[-4.0]])
    0.5
    """
    J = np.atleast_2d(np.asarray(J, dtype=float))
    if J.ndim != 2 or J.shape[0] != J.shape[1]:
        raise ValidationError(f"J must be a square Jacobian, got shape={J.shape}")
    det = float(np.linalg.det(J))
    if det == 0 or not np.isfinite(det):
        raise ValidationError(f"det J = {det!r}: g must be a bijection with an invertible Jacobian at its root")
    return float(h0) / abs(det)


def gaussian_posterior(x, a, b, s):
    """Exact posterior N(m, v) of y = a z + b given x ~ N(y, s^2)."""
    prior_var = a**2
    v = 1.0 / (1.0 / prior_var + 1.0 / s**2)
    m = v * (b / prior_var + x / s**2)
    return m, v


# 004 §2.3's Gaussian instance: z ~ N(0, 1), bijective y = a z + b (a = +-ua, |a| in [0.25, 3]), stochastic
# x | y ~ N(y, s^2), encoder q(y|x) = N(m, v); lN(u, mu, s2) is the log-density of N(mu, s2) at u, (mp, vp) the
# exact posterior of y given x
_CHAIN_SYMBOLS = {"x": "real in [-3, 3]", "ua": "real in [0.25, 3]", "sg": "integer in [0, 1]", "b": "real in [-2, 2]",
                  "s": "real in [0.25, 2]", "m": "real in [-3, 3]", "v": "real in [0.05, 4]", "y": "real in [-4, 4]"}
_CHAIN_DEFINE = {"a": "(2*sg - 1)*ua", "lN(u, mu, s2)": "-(u - mu)**2/(2*s2) - log(2*pi*s2)/2",
                 "vp": "1/(1/a**2 + 1/s**2)", "mp": "vp*(b/a**2 + x/s**2)"}


def composition_bound_derivation() -> Derivation:
    return Derivation(
        (
            Step(r"\log p(x)", r"\log p(z) + \log\bigl|\det\tfrac{\partial f}{\partial z}\bigr|^{-1}",
                 "bijective layer: eq. (2.2), exact, $z = f^{-1}(x)$",
                 # x = a z + b: its density is the x-derivative of its CDF, Phi((x - b)/a) (1 - that when a < 0)
                 plain=("log(abs(diff(Phi((x - b)/a), x)))", "log(phi((x - b)/a)) + log(abs(a)**(-1))")),
            Step(r"\log p(x)", r"\mathbb E_{q(z|x)}\Bigl[\log p(z) + \log\frac{p(x|z)}{q(z|x)}\Bigr] + \mathrm{KL}(q\,\|\,p(z|x))",
                 "stochastic layer: eq. (2.1)",
                 # latent y ~ N(b, a^2), x | y ~ N(y, s^2), so x ~ N(b, a^2 + s^2); KL written as E_q[log q/p(y|x)]
                 plain=("lN(x, b, a**2 + s**2)",
                        "E[lN(y, b, a**2) + lN(x, y, s**2) - lN(y, m, v), (y, N(m, v))]"
                        " + E[lN(y, m, v) - lN(y, mp, vp), (y, N(m, v))]")),
            Step(r"\log p(x)", r"\mathbb E_{q}\Bigl[\log p(z) + \sum_t\mathcal V_t\Bigr]",
                 "compose, drop every KL $\\ge 0$; equality iff each $q_t$ is the exact posterior", relation=r"\ge",
                 plain=("lN(x, b, a**2 + s**2)",
                        "E[lN((y - b)/a, 0, 1) - log(abs(a)) + lN(x, y, s**2) - lN(y, m, v), (y, N(m, v))]")),
            Step(r"\log p(z) + \sum_t\mathcal V_t", r"\log p(x) + \log\frac{p(z|x)}{q(z|x)}",
                 "at a single sample $z\\sim q$: above $\\log p(x)$ wherever $q(z|x) < p(z|x)$, so the bound "
                 "holds in expectation only",
                 plain=("lN((y - b)/a, 0, 1) - log(abs(a)) + lN(x, y, s**2) - lN(y, m, v)",
                        "lN(x, b, a**2 + s**2) + lN(y, mp, vp) - lN(y, m, v)")),
        ),
        symbols=_CHAIN_SYMBOLS, define=_CHAIN_DEFINE,
    )


# 004 §2.2's 1-D instance: h(z) = (1 + q z^2) exp(-z^2/2), nascent delta nd(u) = N(u; 0, eps^2); an integral over
# the real line int F(z) dz is written E[F(z)/w(z), (z, N(c, sig^2))] with w the N(c, sig^2) density (sig = the
# width of the peak of nd(g(z)), so that Gauss-Hermite quadrature resolves it)
_DELTA_SYMBOLS = {"ua": "real in [0.25, 2]", "ub": "real in [0, 2]", "sg": "integer in [0, 1]",
                  "c": "real in [-1.5, 1.5]", "q": "real in [0, 2]"}
_DELTA_DEFINE = {"h(z)": "(1 + q*z**2)*exp(-z**2/2)", "nd(u)": "phi(u/eps)/eps", "w(z)": "phi((z - c)/sig)/sig"}


def dirac_composition_derivation() -> Derivation:
    # step 1 for a monotone g with a closed-form inverse, gs(z) = a sinh(z - c); step 3 for the claim's
    # g(z) = a (z - c) + b tanh(z - c), a and b of one sign (root z0 = c, g'(z0) = a + b)
    return Derivation(
        (
            Step(r"\int\delta_\varepsilon(g(z))h(z)\,dz", r"\int\delta_\varepsilon(u)\,\frac{h(g^{-1}(u))}{|g'(g^{-1}(u))|}\,du",
                 "substitute $u = g(z)$, $g$ monotone",
                 plain=("E[nd(gs(z))*h(z)/ws(z), (z, N(c, sigs**2))]",
                        "E[h(gsinv(u))/abs(dgs(gsinv(u))), (u, N(0, eps**2))]")),
            Step(r"\int\delta_\varepsilon(u)\,\psi(u)\,du", r"\psi(0) + \tfrac{\varepsilon^2}{2}\psi''(0) + O(\varepsilon^4)",
                 "$\\delta_\\varepsilon = N(0, \\varepsilon^2)$: odd moments vanish",
                 # psi(t + .) for every t: the expansion at 0 of every shifted smooth function
                 plain=("E[psi(t + u), (u, N(0, eps**2))]", "psi(t) + eps**2/2*diff(psi(t), t, 2) + O(eps**4)")),
            Step(r"\int\delta_\varepsilon(g(z))h(z)\,dz", r"\frac{h(z_0)}{|g'(z_0)|} + O(\varepsilon^2)",
                 "$\\psi(0) = h(z_0)/|g'(z_0)|$; as $\\varepsilon\\to0$, $\\int\\delta(g(z))h(z)\\,dz = h(z_0)/|g'(z_0)|$",
                 plain=("E[nd(g(z))*h(z)/w(z), (z, N(c, sig**2))]", "h(c)/abs(a + b) + O(eps**2)")),
            Step(r"\delta(x - f(z))", r"\bigl|\det\tfrac{\partial f}{\partial z}\bigr|^{-1}_{z_0}\delta(z - f^{-1}(x))",
                 "$p(x|z) = \\delta(x - f(z))$ for a bijective layer: eq. (2.3) with $g(z) = x - f(z)$, as distributions "
                 "in $z$; so eq. (2.1) with $q = p(z|x)$ gives eq. (2.2)",
                 # as distributions: integrated against h with nascent deltas; 1-D f(z) = x + a (z - c) + b tanh(z - c),
                 # so f^{-1}(x) = c and |det df/dz| = |a + b| there
                 plain=("E[nd(x - f(z))*h(z)/w(z), (z, N(c, sig**2))]",
                        "E[h(z), (z, N(c, eps**2))]/abs(a + b) + O(eps**2)")),
        ),
        symbols={"ua": "real in [0.25, 2]", "ub": "real in [0, 2]", "sg": "integer in [0, 1]",
                 "c": "real in [-1.5, 1.5]", "q": "real in [0, 2]", "t": "real in [-1, 1]", "x": "real in [-3, 3]",
                 "eps": "positive -> 0"},
        functions={"psi": "smooth"},
        define={"a": "(2*sg - 1)*ua", "b": "(2*sg - 1)*ub", "h(z)": "(1 + q*z**2)*exp(-z**2/2)",
                "nd(u)": "phi(u/eps)/eps",
                "g(z)": "a*(z - c) + b*tanh(z - c)", "f(z)": "x + g(z)", "sig": "eps/abs(a + b)", "w(z)": "phi((z - c)/sig)/sig",
                "gs(z)": "a*sinh(z - c)", "gsinv(u)": "c + log(u/a + sqrt((u/a)**2 + 1))", "dgs(z)": "a*cosh(z - c)",
                "sigs": "eps/abs(a)", "ws(z)": "phi((z - c)/sigs)/sigs"},
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


def layer_log_det(layer, u):
    r"""Derived :math:`\log|\det\partial f_l/\partial u|` of one layer at the rows ``u`` of its input."""
    kind = layer[0]
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
    return (d - 1) * np.log(np.abs(1.0 + beta * h)) + np.log(np.abs(1.0 + beta * h + beta * dh * r))


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


def flow_layer_inputs(layers, x):
    r"""The input :math:`u_{l-1} = f_{l-1}\circ\cdots\circ f_1(f^{-1}(x))` of each layer, for the rows of ``x``:
    ``inputs[0]`` is :math:`z = f^{-1}(x)`, ``inputs[l]`` the input of ``layers[l]``."""
    inputs, u = [], np.atleast_2d(np.asarray(x, dtype=float))
    for layer in reversed(layers):
        u = _layer_inverse(layer, u)
        inputs.append(u)
    inputs.reverse()
    return inputs


def flow_log_density(layers, x):
    r"""Derived: :math:`\log p_X(x) = \log N(f^{-1}(x); 0, I) - \sum_l\log|\det J_l(u_{l-1})|`, each layer's
    log-det at its own input (affine :math:`\log|\det A|`; sinh :math:`\sum\log\cosh u`; planar
    :math:`\log|1 + (1-\tanh^2(w^\top u+b))\,w^\top v|`; radial
    :math:`(d-1)\log(1+\beta h) + \log(1 + \beta h + \beta h'r)`)."""
    inputs = flow_layer_inputs(layers, x)
    z = inputs[0]
    total = -0.5 * (z * z).sum(axis=1) - 0.5 * z.shape[1] * np.log(2 * np.pi)
    for layer, u_in in zip(layers, inputs):
        total = total - layer_log_det(layer, u_in)
    return total


def flow_derivation() -> Derivation:
    # d-dimensional layers at a point z: affine u1 = A z + b1, elementwise sinh u2 = sinh(u1), planar
    # x = u2 + v tanh(w^T u2 + c); radial at u with centre z0 (r = |u - z0|, h = 1/(alpha + r), beta > -alpha)
    no_sets = ("the step language has no events, probabilities of sets or integrals over sets (only expectations "
               "over probability vectors and Gaussian expectations of smooth integrands)")
    return Derivation(
        (
            Step(r"\Pr[X\in B]", r"\int_{f^{-1}(B)}p_Z(z)\,dz",
                 "$X = f(Z)$, $f$ bijective: $\\Pr[X\\in B] = \\Pr[Z\\in f^{-1}(B)]$", unchecked=no_sets),
            Step(r"\int_{f^{-1}(B)}p_Z(z)\,dz", r"\int_B p_Z(f^{-1}(x))\,\bigl|\det\tfrac{\partial f}{\partial z}\bigr|^{-1}_{z=f^{-1}(x)}dx",
                 "substitute $z = f^{-1}(x)$", unchecked=no_sets),
            Step(r"\log\bigl|\det\tfrac{\partial f}{\partial z}\bigr|", r"\sum_l\log\bigl|\det\tfrac{\partial f_l}{\partial u_{l-1}}\bigr|",
                 "chain rule; determinants multiply",
                 # f = planar o sinh o affine; each layer's Jacobian written out at its own input u_{l-1}
                 plain=("log(abs(det(diff(planar(sinh(A @ z + b1)), z))))",
                        "log(abs(det(A))) + log(abs(det(diag(cosh(A @ z + b1)))))"
                        " + log(abs(det(eye(n) + v @ ((1 - tanh(w.T @ sinh(A @ z + b1) + c)**2) * w).T)))")),
            Step(r"\log|\det J_{\rm affine}|", r"\log|\det A|", "each layer at its own input",
                 plain=("log(abs(det(diff(A @ u + b1, u))))", "log(abs(det(A)))")),
            Step(r"\log|\det J_{\sinh}(u)|", r"\sum_i\log\cosh u_i", "each layer at its own input",
                 plain=("log(abs(det(diff(sinh(u), u))))", "sum(log(cosh(u[i])), (i, 0, n - 1))")),
            Step(r"\det\bigl(I + v\,\psi(u)^\top\bigr)", r"1 + \psi(u)^\top v",
                 r"planar layer $u + v\tanh(w^\top u + b)$, $\psi(u) = (1-\tanh^2(w^\top u+b))\,w$; matrix determinant lemma",
                 plain=("det(eye(n) + v @ psi.T)", "1 + psi.T @ v")),
            Step(r"\det\Bigl(I + \beta h(r)I + \beta h'(r)\tfrac{(u-z_0)(u-z_0)^\top}{r}\Bigr)",
                 r"(1+\beta h)^{d-1}\,(1 + \beta h + \beta h' r)",
                 r"radial layer $u + \beta h(r)(u - z_0)$, $h = 1/(\alpha + r)$: eigenvalues along and across $u - z_0$",
                 plain=("det(eye(n) + beta*hr*eye(n) + beta*dhr*(u - z0) @ (u - z0).T/r)",
                        "(1 + beta*hr)**(n - 1)*(1 + beta*hr + beta*dhr*r)")),
        ),
        symbols={"n": "integer in [1, 4]", "A": "invertible matrix n x n", "b1": "vector n", "z": "vector n",
                 "u": "vector n", "v": "vector n", "w": "vector n", "c": "real", "z0": "vector n",
                 "alpha": "real in (0, 3]", "bp": "real in (0, 4]"},
        define={"planar(y)": "y + v * tanh(w.T @ y + c)", "psi": "(1 - tanh(w.T @ u + c)**2) * w",
                "beta": "bp - alpha", "r": "norm(u - z0)", "hr": "1/(alpha + r)", "dhr": "-1/(alpha + r)**2"},
    )
