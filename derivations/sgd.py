r"""SGD on the explicit and implicit parameterizations (seed 001, §3.1--3.2, Theorems 2--5).

Notation. ``n`` data points with features :math:`\phi_i \in \mathbb R^d` (rows of
``phi``), residuals :math:`r_i = \phi_i^\top\theta - y_i`, loss
:math:`L = \tfrac12\sum_i r_i^2`, and the paper's bold residual
:math:`\mathbf r = \sum_i r_i\phi_i = \nabla L` (a vector in :math:`\mathbb R^d`).
A minibatch :math:`B` of size ``k`` is drawn uniformly without replacement and
:math:`g_B = \frac1k\sum_{i\in B} r_i\phi_i`; SGD moves :math:`\theta` by
:math:`-\alpha g_B`, the implicit parameterization moves :math:`\psi = (w, F)` by
:math:`-\alpha J^\top g_B`.

Derived results (step chains below):

* Theorem 2: :math:`\mathbb E[\Delta L] = -\frac{\alpha}{n}\|\mathbf r\|^2 + O(\alpha^2)`.
* Theorem 3: :math:`\mathbb E[\Delta L] = -\frac{\alpha}{n}\langle P\mathbf r, \mathbf r\rangle + O(\alpha^2)`.
* Theorem 5 (explicit, exact): with :math:`u_i = r_i\phi_i`,
  :math:`\frac{\mathbb E\|\Delta\theta\|^2}{\|\mathbb E\Delta\theta\|^2}
  = \frac{n(k-1)}{k(n-1)} + \frac{n(n-k)}{k(n-1)}\frac{\sum_i\|u_i\|^2}{\|\sum_i u_i\|^2}`.
  This is a *second moment* over a squared mean, i.e. :math:`1 + \mathrm{Var}/\|\mathbb E\|^2`,
  not the "variance / mean square" the paper names it.
* Theorem 5 (implicit, :math:`\eta \to 1`, first order in :math:`\alpha`): the same with the
  scalars :math:`a_i = \langle\mathbf 1, u_i\rangle` in place of :math:`u_i`.

>>> import numpy as np
>>> second_moment_ratio_explicit(np.eye(3), np.array([1.0, 2.0, 3.0]), 1)
3.0
>>> second_moment_ratio_implicit_limit(np.eye(3), np.ones(3), 1)
1.0
"""

from __future__ import annotations

from functools import lru_cache
from itertools import combinations

import numpy as np
import sympy as sp

from .errors import ValidationError
from .steps import Derivation, Step

__all__ = [
    "ratio_from_sums",
    "second_moment_ratio_explicit",
    "second_moment_ratio_implicit_limit",
    "one_hot_ratio",
    "one_hot_ratio_corrected",
    "balanced_residual_bound",
    "balanced_residual_bound_sharp",
    "expected_loss_decrease_explicit",
    "expected_loss_decrease_implicit",
    "ones_direction_rate",
    "second_moment_ratio_sym",
    "second_moment_enumerated_sym",
    "expected_decrease_derivation",
    "second_moment_derivation",
    "implicit_ratio_derivation",
    "one_hot_derivation",
    "one_hot_corrected_derivation",
    "balanced_bound_derivation",
    "ones_direction_derivation",
]


# ---------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------


def _validate(phi, r, k):

    phi = np.asarray(phi, dtype=float)
    r = np.asarray(r, dtype=float)
    if phi.ndim != 2 or phi.shape[0] == 0 or phi.shape[1] == 0:
        raise ValidationError(f"phi must be a non-empty (n, d) feature matrix, got shape={phi.shape}")
    n = phi.shape[0]
    if r.shape != (n,):
        raise ValidationError(f"r must have shape (n,) = ({n},) to match phi, got shape={r.shape}")
    if not (np.all(np.isfinite(phi)) and np.all(np.isfinite(r))):
        raise ValidationError("phi and r must be finite")
    if isinstance(k, bool) or int(k) != k or not (1 <= int(k) <= n):
        raise ValidationError(f"k={k!r} must be an integer batch size with 1 <= k <= n = {n}")
    return phi, r, int(k)


def ratio_from_sums(n: int, k: int, sum_sq: float, sq_sum: float) -> float:
    r""":math:`\frac{n(k-1)}{k(n-1)} + \frac{n(n-k)}{k(n-1)}\frac{\sum\|u_i\|^2}{\|\sum u_i\|^2}`."""

    if not sq_sum > 0:
        raise ValidationError(
            "the mean update is zero (sum_i r_i phi_i = 0), so the ratio is undefined; "
            "pick residuals that are not at a stationary point"
        )
    if n == 1:
        return 1.0  # the only minibatch is the whole data: the update is deterministic
    return n * (k - 1) / (k * (n - 1)) + n * (n - k) / (k * (n - 1)) * sum_sq / sq_sum


def second_moment_ratio_explicit(phi, r, k) -> float:
    r"""Theorem 5.1: :math:`\mathbb E\|\Delta\theta\|^2 / \|\mathbb E\Delta\theta\|^2` (exact)."""
    phi, r, k = _validate(phi, r, k)
    U = r[:, None] * phi
    return ratio_from_sums(len(r), k, float((U * U).sum()), float(U.sum(axis=0) @ U.sum(axis=0)))


def second_moment_ratio_implicit_limit(phi, r, k) -> float:
    r"""Theorem 5.2, the :math:`\eta\to1` limit: scalars :math:`a_i = r_i\langle\mathbf 1, \phi_i\rangle`."""
    phi, r, k = _validate(phi, r, k)
    a = r * phi.sum(axis=1)
    return ratio_from_sums(len(r), k, float(a @ a), float(a.sum() ** 2))


def one_hot_ratio(n: int, k: int) -> float:
    """Corollary 2 as written: ``n / k``."""
    return n / k


def one_hot_ratio_corrected(states, r, k, n_states: int | None = None) -> float:
    r"""Corollary 2 without the unstated assumption: one-hot features :math:`e_{s_i}`, states may repeat.

    :math:`\frac{n(k-1)}{k(n-1)} + \frac{n(n-k)}{k(n-1)}\frac{\sum_i r_i^2}{\sum_s(\sum_{i: s_i = s} r_i)^2}`;
    it equals ``n/k`` when the states are distinct.
    """
    states = np.asarray(states, dtype=int)
    d = int(states.max()) + 1 if n_states is None else n_states
    phi = np.eye(d)[states]
    return second_moment_ratio_explicit(phi, r, k)


def balanced_residual_bound(k: int, r_min: float, r_max: float) -> float:
    r"""Corollary 3 with the constant made explicit: :math:`1 + \frac1k(r_{\max}/r_{\min})^2`."""
    return 1.0 + (r_max / r_min) ** 2 / k


def balanced_residual_bound_sharp(k: int, r_min: float, r_max: float) -> float:
    r"""Sharper: :math:`1 + \frac1k\frac{(r_{\max}+r_{\min})^2}{4r_{\max}r_{\min}}` (Pólya--Szegő)."""
    return 1.0 + (r_max + r_min) ** 2 / (4.0 * r_max * r_min) / k


def expected_loss_decrease_explicit(phi, r, alpha) -> float:
    r"""Theorem 2 leading term :math:`-\frac{\alpha}{n}\|\mathbf r\|^2`, :math:`\mathbf r = \phi^\top r`."""
    phi, r, _ = _validate(phi, r, 1)
    g = phi.T @ r
    return -alpha / len(r) * float(g @ g)


def expected_loss_decrease_implicit(phi, r, P, alpha) -> float:
    r"""Theorem 3 leading term :math:`-\frac{\alpha}{n}\langle P\mathbf r, \mathbf r\rangle`."""
    phi, r, _ = _validate(phi, r, 1)
    g = phi.T @ r
    return -alpha / len(r) * float(g @ (np.asarray(P, dtype=float) @ g))


def ones_direction_rate(phi, r, v, d, eta, alpha) -> float:
    r"""Theorem 4 leading term :math:`-\frac{\alpha\,r^\parallel}{(1-\eta)^2}v^\top(\eta^2D+I)v\frac{\|\phi\mathbf 1\|^2}{n}`.

    :math:`r^\parallel = \mathbf 1^\top\mathbf r / d` is the coefficient of :math:`\mathbf 1` in the
    orthogonal split :math:`\mathbf r = r^\parallel\mathbf 1 + \mathbf r^\perp`.
    """
    phi, r, _ = _validate(phi, r, 1)
    g = phi.T @ r
    r_par = g.sum() / phi.shape[1]
    s = float(v @ ((eta**2 * np.asarray(d) + 1.0) * v))
    ones = phi.sum(axis=1)
    return -alpha * r_par / (1 - eta) ** 2 * s * float(ones @ ones) / len(r)


# ---------------------------------------------------------------------------
# SymPy: the ratio for concrete (n, k, d) and the enumerated reference
# ---------------------------------------------------------------------------


def _u_sym(n: int, d: int):
    return [sp.Matrix([sp.Symbol(f"u_{i}{j}", real=True) for j in range(d)]) for i in range(n)]


@lru_cache(maxsize=None)
def second_moment_ratio_sym(size, *, variance: bool = False, without_n: bool = False):
    """The derived closed form for ``size = (n, k, d)`` in symbols ``u_ij``."""
    n, k, d = size
    u = _u_sym(n, d)
    total = sp.zeros(d, 1)
    for ui in u:
        total += ui
    sum_sq = sum((ui.T * ui)[0] for ui in u)
    sq_sum = (total.T * total)[0]
    lead = sp.Rational(n * (k - 1), k * (n - 1))
    coeff = sp.Rational(n - k, k * (n - 1)) if without_n else sp.Rational(n * (n - k), k * (n - 1))
    out = lead + coeff * sum_sq / sq_sum
    return out - 1 if variance else out


@lru_cache(maxsize=None)
def second_moment_enumerated_sym(size):
    r"""Reference: :math:`\mathbb E\|g_B\|^2 / \|\mathbb E g_B\|^2` summed over all :math:`\binom nk` minibatches."""
    n, k, d = size
    u = _u_sym(n, d)
    batches = list(combinations(range(n), k))
    second = 0
    mean = sp.zeros(d, 1)
    for B in batches:
        g = sp.zeros(d, 1)
        for i in B:
            g += u[i]
        g = g / k
        second += (g.T * g)[0]
        mean += g
    second = second / len(batches)
    mean = mean / len(batches)
    return second / (mean.T * mean)[0]


# ---------------------------------------------------------------------------
# step chains
# ---------------------------------------------------------------------------


# The plain forms below state the minibatch expectations exactly: a subset of {0, ..., n-1} is coded by the
# bits of an integer b in [0, 2^n - 1] (``bit(i, b)`` is 1 when i is in B), a uniform k-subset has probability
# ``Pr(b)`` (1/C(n, k) on the subsets of size k, else 0), and E[X_B] is ``sum(Pr(b) * X(b), (b, 0, 2**n - 1))``.
_SUBSETS = {
    "bit(i, b)": "floor(b / 2**i) - 2*floor(b / 2**(i + 1))",
    "size(b)": "sum(bit(l, b), (l, 0, n - 1))",
    "Pr(b)": "delta(size(b), k) / binomial(n, k)",
    "z(b)": "sum(bit(l, b) * eye(n)[l], (l, 0, n - 1))",
}
_ALL = "(bb, 0, 2**n - 1)"  # the range of subset codes


def _E(body: str) -> str:
    """E over a uniform k-subset B (coded bb) of ``body``, written in ``bb``."""
    return f"sum(Pr(bb) * ({body}), {_ALL})"


#: the implicit parameterization: row-wise softmax, theta_hat(x, G), and the IFT Jacobian in closed form
#: (J_w = A^{-1}, J_F[M] = eta A^{-1} rowsum(C o M), J_w^T u = A^{-T} u, J_F^T u = eta diag(A^{-T} u) C)
_IMPLICIT = {
    "sm(G)": "diag(1 / (exp(G) @ ones(d))) @ exp(G)",
    "th(x, G)": "inv(eye(d) - eta * sm(G)) @ x",
    "A": "eye(d) - eta * sm(F)",
    "C": "sm(F) * (ones(d) @ th(w, F).T - (sm(F) @ th(w, F)) @ ones(d).T)",
    "P": "inv(A) @ (eta**2 * diag((C * C) @ ones(d)) + eye(d)) @ inv(A).T",
    "Jtw(u)": "inv(A).T @ u",
    "JtF(u)": "eta * diag(inv(A).T @ u) @ C",
    "J(x, M)": "inv(A) @ x + eta * inv(A) @ ((C * M) @ ones(d))",
}


def _implicit_at_fixed_theta() -> dict:
    """:data:`_IMPLICIT` with :math:`\\eta = 1 - h` and :math:`w = A\\hat\\theta` for a fixed :math:`\\hat\\theta` (``tht``)."""
    out = {"eta": "1 - h"}
    for key, val in _IMPLICIT.items():
        out[key] = val
        if key == "A":
            out["w"] = "A @ tht"  # so that theta_hat(w, F) = tht
    return out


def expected_decrease_derivation(implicit: bool) -> Derivation:
    r"""Theorems 2 and 3. Explicit: residuals :math:`r = \phi\theta - y`, :math:`\mathbf r = \phi^\top r`.
    Implicit: :math:`\hat\theta = (I - \eta\sigma(F))^{-1}w`, :math:`r = \phi\hat\theta - y`."""
    if not implicit:
        symbols = {"n": "integer in [2, 5]", "k": "integer in [1, n]", "d": "integer in [1, 3]",
                   "i": "integer in [0, n - 1]", "phi": "matrix n x d", "theta": "vector d", "y": "vector n",
                   "g": "vector d", "alpha": "positive -> 0"}
        define = dict(_SUBSETS, **{
            "r": "phi @ theta - y", "R": "phi.T @ r",
            "L(t)": "norm(phi @ t - y)**2 / 2",
            "gB(b)": "phi.T @ (z(b) * r) / k",
        })
        return Derivation(
            (
                Step(r"\Pr[i \in B]", r"k/n", "uniform minibatch of size $k$ without replacement",
                     plain=(_E("bit(i, bb)"), "k/n")),
                Step(r"\mathbb E[g_B]", r"\tfrac1k\cdot\tfrac kn\sum_i r_i\phi_i", "linearity of expectation",
                     plain=(_E("gB(bb)"), "(1/k) * (k/n) * phi.T @ r")),
                Step(r"\tfrac1k\cdot\tfrac kn\sum_i r_i\phi_i", r"\tfrac1n\mathbf r", r"$\mathbf r = \sum_i r_i\phi_i$",
                     plain=("(1/k) * (k/n) * phi.T @ r", "R / n")),
                Step(r"L(\theta - \alpha g_B) - L(\theta)", r"-\alpha\,\mathbf r^\top g_B + \tfrac{\alpha^2}{2}\|\phi g_B\|^2",
                     "$L$ is quadratic: exact second-order Taylor expansion (any step $g_B$)",
                     plain=("L(theta - alpha*g) - L(theta)", "-alpha * R.T @ g + alpha**2/2 * norm(phi @ g)**2")),
                Step(r"\mathbb E\|\phi g_B\|^2", r"\|\phi\|_F^2\max_i\|r_i\phi_i\|^2",
                     r"$\|\phi g\| \le \|\phi\|_F\|g\|$, $\|g_B\| \le \max_i\|r_i\phi_i\|$: the $\alpha^2$ term stays bounded", relation=r"\le",
                     plain=(_E("norm(phi @ gB(bb))**2"),
                            "norm(phi)**2 * max(norm(r[l] * phi.T @ eye(n)[l])**2, (l, 0, n - 1))")),
                Step(r"\mathbb E[\Delta L]", r"-\frac{\alpha}{n}\|\mathbf r\|^2 + O(\alpha^2)",
                     r"take expectations of the expansion: $\mathbb E[g_B] = \mathbf r/n$",
                     plain=(_E("L(theta - alpha*gB(bb)) - L(theta)"), "-alpha/n * norm(R)**2 + O(alpha**2)")),
            ), symbols=symbols, define=define,
        )
    symbols = {"n": "integer in [2, 4]", "k": "integer in [1, n]", "d": "integer in [2, 3]",
               "b": "integer in [0, 15]", "phi": "matrix n x d", "y": "vector n", "w": "vector d",
               "F": "matrix d x d", "eta": "real in [0, 1)", "alpha": "positive -> 0"}
    define = dict(_SUBSETS, **_IMPLICIT, **{
        "r": "phi @ th(w, F) - y", "R": "phi.T @ r",
        "L(t)": "norm(phi @ t - y)**2 / 2",
        # the minibatch coded b (bits above n - 1 ignored), its loss and gradient in theta
        "LB(t)": "sum(bit(l, b) * (phi @ t - y)[l]**2, (l, 0, n - 1)) / (2*k)",
        "gB(b)": "phi.T @ (z(b) * r) / k",
        # theta_hat after the SGD step on psi = (w, F) with minibatch b
        "thn(b)": "th(w - alpha * Jtw(gB(b)), F - alpha * JtF(gB(b)))",
    })
    return Derivation(
        (
            Step(r"\Delta w", r"-\alpha J_w^\top g_B", r"SGD on $\psi = (w, F)$, block $w$; $J_w = \partial\hat\theta/\partial w = A^{-1}$",
                 plain=("-alpha * diff(LB(th(w, F)), w)", "-alpha * Jtw(gB(b))")),
            Step(r"\Delta F", r"-\alpha J_F^\top g_B", r"block $F$; $J_F = \partial\hat\theta/\partial F$ (implicit function theorem)",
                 plain=("-alpha * diff(LB(th(w, F)), F)", "-alpha * JtF(gB(b))")),
            Step(r"\Delta\hat\theta", r"-\alpha JJ^\top g_B + O(\alpha^2)", r"Taylor expansion of $\hat\theta(\psi)$",
                 plain=("thn(b) - th(w, F)", "-alpha * J(Jtw(gB(b)), JtF(gB(b))) + O(alpha**2)")),
            Step(r"-\alpha JJ^\top g_B + O(\alpha^2)", r"-\alpha P g_B + O(\alpha^2)", r"Theorem 1: $JJ^\top = P$",
                 plain=("-alpha * J(Jtw(gB(b)), JtF(gB(b))) + O(alpha**2)", "-alpha * P @ gB(b) + O(alpha**2)")),
            Step(r"\Delta L", r"\mathbf r^\top\Delta\hat\theta + O(\alpha^2)", "Taylor expansion of $L$",
                 plain=("L(thn(b)) - L(th(w, F))", "R.T @ (thn(b) - th(w, F)) + O(alpha**2)")),
            Step(r"\mathbb E[\Delta L]", r"-\alpha\,\mathbf r^\top P\,\mathbb E[g_B] + O(\alpha^2)",
                 "linearity; $P$ does not depend on $B$",
                 plain=(_E("L(thn(bb)) - L(th(w, F))"), "-alpha * R.T @ P @ " + _E("gB(bb)") + " + O(alpha**2)")),
            Step(r"-\alpha\,\mathbf r^\top P\,\mathbb E[g_B] + O(\alpha^2)",
                 r"-\frac{\alpha}{n}\langle P\mathbf r, \mathbf r\rangle + O(\alpha^2)",
                 "$\\mathbb E[g_B] = \\mathbf r / n$",
                 plain=("-alpha * R.T @ P @ " + _E("gB(bb)") + " + O(alpha**2)",
                        "-alpha/n * R.T @ P @ R + O(alpha**2)")),
        ), symbols=symbols, define=define,
    )


def _explicit_ratio_declarations():
    symbols = {"n": "integer in [2, 4]", "k": "integer in [1, n]", "d": "integer in [1, 3]",
               "i": "integer in [0, n - 1]", "s": "integer in [1, n - 1]", "phi": "matrix n x d", "r": "vector n",
               "alpha": "positive"}
    define = dict(_SUBSETS, **{
        "j": "i + s - n*floor((i + s) / n)",  # any index other than i
        "Ut": "phi.T @ diag(r)",  # columns u_i = r_i phi_i
        "gB(b)": "Ut @ z(b) / k",
        "EDt": _E("-alpha * gB(bb)"),
    })
    return symbols, define


_RATIO = _E("norm(-alpha * gB(bb))**2") + " / norm(EDt)**2"


def second_moment_derivation() -> Derivation:
    symbols, define = _explicit_ratio_declarations()
    return Derivation(
        (
            Step(r"\Pr[i\in B]", r"\tfrac kn", "counting $k$-subsets", plain=(_E("bit(i, bb)"), "k/n")),
            Step(r"\Pr[i, j\in B]", r"\tfrac{k(k-1)}{n(n-1)}\quad (i\ne j)", "counting $k$-subsets",
                 plain=(_E("bit(i, bb) * bit(j, bb)"), "k*(k - 1)/(n*(n - 1))")),
            Step(r"\mathbb E\bigl\|\textstyle\sum_{i\in B}u_i\bigr\|^2",
                 r"\tfrac kn\sum_i\|u_i\|^2 + \tfrac{k(k-1)}{n(n-1)}\bigl(\|U\|^2 - \sum_i\|u_i\|^2\bigr)",
                 "expand the square; $U = \\sum_i u_i = \\mathbf r$",
                 plain=(_E("norm(Ut @ z(bb))**2"),
                        "k/n * norm(Ut)**2 + k*(k - 1)/(n*(n - 1)) * (norm(Ut @ ones(n))**2 - norm(Ut)**2)")),
            Step(r"\bigl\|\mathbb E\textstyle\sum_{i\in B}u_i\bigr\|^2", r"\tfrac{k^2}{n^2}\|U\|^2",
                 "linearity", plain=("norm(" + _E("Ut @ z(bb)") + ")**2", "k**2/n**2 * norm(Ut @ ones(n))**2")),
            Step(r"\frac{\mathbb E\|\Delta\theta\|^2}{\|\mathbb E\Delta\theta\|^2}",
                 r"\frac{n(k-1)}{k(n-1)} + \frac{n(n-k)}{k(n-1)}\frac{\sum_i\|u_i\|^2}{\|U\|^2}",
                 "divide; $\\alpha$ and $1/k$ cancel",
                 plain=(_RATIO, "n*(k - 1)/(k*(n - 1)) + n*(n - k)/(k*(n - 1)) * norm(Ut)**2 / norm(Ut @ ones(n))**2")),
            Step(r"\frac{\mathbb E\|\Delta\theta\|^2}{\|\mathbb E\Delta\theta\|^2}",
                 r"1 + \frac{\mathbb E\|\Delta\theta - \mathbb E\Delta\theta\|^2}{\|\mathbb E\Delta\theta\|^2}",
                 "a second moment, not the variance: the paper's name is off by 1",
                 plain=(_RATIO, "1 + " + _E("norm(-alpha * gB(bb) - EDt)**2") + " / norm(EDt)**2")),
        ), symbols=symbols, define=define,
    )


def implicit_ratio_derivation() -> Derivation:
    r"""Theorem 5.2 at a fixed :math:`\hat\theta` (``tht``) and :math:`F`, with :math:`\eta = 1 - h`, :math:`h \to 0`;
    :math:`v` is the stationary distribution of :math:`\sigma(F)` (:math:`v^\top = \mathbf 1^\top(I - \sigma(F) + \mathbf 1\mathbf 1^\top)^{-1}`)."""
    symbols = {"n": "integer in [2, 4]", "k": "integer in [1, n]", "d": "integer in [2, 3]",
               "b": "integer in [0, 15]", "phi": "matrix n x d", "y": "vector n", "tht": "vector d",
               "F": "matrix d x d", "g": "vector d", "h": "positive -> 0", "alpha": "positive"}
    define = dict(_SUBSETS, **_implicit_at_fixed_theta(), **{
        "r": "phi @ tht - y",
        "gB(b)": "phi.T @ (z(b) * r) / k",
        "thn(b)": "th(w - alpha * Jtw(gB(b)), F - alpha * JtF(gB(b)))",
        "v": "inv(eye(d) - sm(F) + ones(d, d)).T @ ones(d)",
        "sv": "v.T @ (eta**2 * diag((C * C) @ ones(d)) + eye(d)) @ v",
        "a": "r * (phi @ ones(d))",  # a_i = <1, r_i phi_i>
    })
    ones_ratio = _E("(ones(d).T @ gB(bb))**2") + " / (" + _E("ones(d).T @ gB(bb)") + ")**2"
    return Derivation(
        (
            Step(r"\Delta\hat\theta", r"-\alpha P g_B + O(\alpha^2)", "Theorem 3, first order in $\\alpha$",
                 unchecked="two asymptotic variables in one derivation (alpha -> 0 here, eta = 1 - h -> 0 in the next steps) make the step checker fail on this O(alpha^2) step; it is Theorem 3, checked step by step in the derivation of implicit.expected-loss-decrease-implicit"),
            Step(r"P", r"\frac{s}{(1-\eta)^2}\mathbf 1\mathbf 1^\top + O\bigl((1-\eta)^{-1}\bigr)",
                 r"leading order of $P$ ($\hat\theta$, $F$ fixed); $s = v^\top(\eta^2D+I)v$",
                 plain=("P", "sv / h**2 * ones(d, d) + O(1/h)")),
            Step(r"P g_B", r"\frac{s}{(1-\eta)^2}\mathbf 1\,\langle\mathbf 1, g_B\rangle + O\bigl((1-\eta)^{-1}\bigr)",
                 r"for every $g_B$",
                 plain=("P @ g", "sv / h**2 * ones(d) * (ones(d).T @ g) + O(1/h)")),
            Step(r"\frac{\mathbb E\|\Delta\hat\theta\|^2}{\|\mathbb E\Delta\hat\theta\|^2}",
                 r"\frac{\mathbb E\langle\mathbf 1, g_B\rangle^2}{(\mathbb E\langle\mathbf 1, g_B\rangle)^2} + O(1-\eta)",
                 "$s$ and $(1-\\eta)^{-2}$ cancel; $\\langle\\mathbf 1, \\mathbb E g_B\\rangle = \\langle\\mathbf 1, \\mathbf r\\rangle / n \\ne 0$",
                 plain=(_E("norm(-alpha * P @ gB(bb))**2") + " / norm(" + _E("-alpha * P @ gB(bb)") + ")**2",
                        ones_ratio + " + O(h)")),
            Step(r"\frac{\mathbb E\langle\mathbf 1, g_B\rangle^2}{(\mathbb E\langle\mathbf 1, g_B\rangle)^2} + O(1-\eta)",
                 r"\frac{n(k-1)}{k(n-1)} + \frac{n(n-k)}{k(n-1)}\frac{\sum_i\langle\mathbf 1, r_i\phi_i\rangle^2}{(\sum_i\langle\mathbf 1, r_i\phi_i\rangle)^2} + O(1-\eta)",
                 "the explicit computation with scalars $a_i = \\langle\\mathbf 1, r_i\\phi_i\\rangle$",
                 plain=(ones_ratio,  # the O(1 - eta) terms are the same on both sides: their parts agree exactly
                        "n*(k - 1)/(k*(n - 1)) + n*(n - k)/(k*(n - 1)) * dot(a, a) / sum(a)**2")),
        ), symbols=symbols, define=define,
    )


#: one-hot features: the states s_i are the base-m digits of ``code`` (every assignment of n points to m
#: states, repetitions included); ``phi`` has rows e_{s_i}
_ONE_HOT_SYMBOLS = {"n": "integer in [2, 5]", "m": "integer in [1, n]", "code": "integer in [0, 3124]",
                    "k": "integer in [1, n]", "i": "integer in [0, n - 1]", "c": "integer in [0, m - 1]",
                    "r": "vector n", "alpha": "positive"}
_ONE_HOT_DEFINE = dict(_SUBSETS, **{
    "st(i)": "floor(code / m**i) - m*floor(code / m**(i + 1))",
    "phi": "sum(outer(eye(n)[l], eye(m)[st(l)]), (l, 0, n - 1))",
    "R": "phi.T @ r",
    "gB(b)": "phi.T @ (z(b) * r) / k",
    "EDt": _E("-alpha * gB(bb)"),
    "SS": "sum(sum(delta(st(l), e) * r[l], (l, 0, n - 1))**2, (e, 0, m - 1))",  # sum_s (sum_{i: s_i = s} r_i)^2
})


def one_hot_derivation() -> Derivation:
    return Derivation(
        (
            Step(r"\phi(x_i)", r"e_{s_i}", "one-hot features (entry by entry)",
                 plain=("phi[i, c]", "delta(c, st(i))")),
            Step(r"\|\mathbf r\|^2", r"\sum_s\Bigl(\sum_{i: s_i = s} r_i\Bigr)^2", "$\\mathbf r = \\sum_i r_i e_{s_i}$",
                 plain=("norm(R)**2", "SS")),
            Step(r"\|\mathbf r\|^2", r"\sum_i r_i^2",
                 "only if the states $s_i$ are distinct (unstated in the paper): false when two points share a state",
                 plain=("norm(R)**2", "sum(r[l]**2, (l, 0, n - 1))")),
            Step(r"\sum_i r_i^2", r"\sum_i r_i^2\|\phi_i\|^2", r"$\|e_{s_i}\| = 1$",
                 plain=("sum(r[l]**2, (l, 0, n - 1))", "sum(r[l]**2 * norm(phi.T @ eye(n)[l])**2, (l, 0, n - 1))")),
            Step(r"\frac{\mathbb E\|\Delta\theta\|^2}{\|\mathbb E\Delta\theta\|^2}",
                 r"\frac{n(k-1) + n(n-k)}{k(n-1)}", "Theorem 5.1 with the ratio of sums equal to 1 (distinct states only)",
                 plain=(_RATIO, "(n*(k - 1) + n*(n - k))/(k*(n - 1))")),
            Step(r"\frac{n(k-1) + n(n-k)}{k(n-1)}", r"\frac nk", "algebra",
                 plain=("(n*(k - 1) + n*(n - k))/(k*(n - 1))", "n/k")),
        ), symbols=dict(_ONE_HOT_SYMBOLS), define=dict(_ONE_HOT_DEFINE),
    )


def one_hot_corrected_derivation() -> Derivation:
    formula = "n*(k - 1)/(k*(n - 1)) + n*(n - k)/(k*(n - 1)) * sum(r[l]**2, (l, 0, n - 1)) / SS"
    return Derivation(
        (
            Step(r"\frac{\mathbb E\|\Delta\theta\|^2}{\|\mathbb E\Delta\theta\|^2}",
                 r"\frac{n(k-1)}{k(n-1)} + \frac{n(n-k)}{k(n-1)}\frac{\sum_i r_i^2}{\sum_s(\sum_{i:s_i=s}r_i)^2}",
                 "Theorem 5.1 with $\\phi_i = e_{s_i}$, states may repeat",
                 plain=(_RATIO, formula)),
            Step(r"\frac{n(k-1)}{k(n-1)} + \frac{n(n-k)}{k(n-1)}\frac{\sum_i r_i^2}{\sum_s(\sum_{i:s_i=s}r_i)^2}",
                 r"\frac nk + \frac{n(n-k)}{k(n-1)}\Bigl(\frac{\sum_i r_i^2}{\sum_s(\sum_{i:s_i=s}r_i)^2} - 1\Bigr)",
                 "algebra: the ratio is $\\frac nk$ if and only if $k = n$ or the two sums agree",
                 plain=(formula, "n/k + n*(n - k)/(k*(n - 1)) * (sum(r[l]**2, (l, 0, n - 1)) / SS - 1)")),
            Step(r"\sum_i r_i^2 = \sum_s\Bigl(\sum_{i:s_i=s}r_i\Bigr)^2",
                 r"\frac{\mathbb E\|\Delta\theta\|^2}{\|\mathbb E\Delta\theta\|^2} = \frac nk",
                 "e.g. distinct states", relation=r"\Longrightarrow",
                 plain=("sum(r[l]**2, (l, 0, n - 1)) == SS", _RATIO + " == n/k")),
        ), symbols=dict(_ONE_HOT_SYMBOLS), define=dict(_ONE_HOT_DEFINE),
    )


def balanced_bound_derivation() -> Derivation:
    r"""Corollary 3: residuals in :math:`[r_{\min}, r_{\max}]` with any bounds :math:`0 < r_{\min} \le \min_i r_i`,
    :math:`r_{\max} \ge \max_i r_i`; the :math:`\eta \to 1` ratio is
    :math:`\mathbb E\langle\mathbf 1, g_B\rangle^2 / (\mathbb E\langle\mathbf 1, g_B\rangle)^2` with
    :math:`\langle\mathbf 1, g_B\rangle = \frac1k\sum_{i\in B} r_i` for one-hot features."""
    symbols = dict(_ONE_HOT_SYMBOLS, **{"n": "integer in [2, 6]", "code": "integer in [0, 46655]",
                                        "r": "positive vector n", "q": "real in (0, 1]", "e": "nonnegative"})
    del symbols["alpha"]
    define = dict(_SUBSETS, **{
        "st(i)": _ONE_HOT_DEFINE["st(i)"],
        "rmin": "q * min(r[l], (l, 0, n - 1))", "rmax": "(1 + e) * max(r[l], (l, 0, n - 1))",
        "rho": "rmax / rmin",
        "mB(b)": "z(b).T @ r / k",
    })
    ratio = _E("mB(bb)**2") + " / (" + _E("mB(bb)") + ")**2"
    sums = "sum(r[l]**2, (l, 0, n - 1)) / sum(r[l], (l, 0, n - 1))**2"
    bound = "n*(k - 1)/(k*(n - 1)) + (n - k)/(k*(n - 1)) * rho**2"
    return Derivation(
        (
            Step(r"\langle\mathbf 1, r_i e_{s_i}\rangle", r"r_i",
                 r"$a_i$ of Theorem 5.2 with one-hot features (duplicates allowed): $\langle\mathbf 1, e_s\rangle = 1$; "
                 r"$r_i \in [r_{\min}, r_{\max}]$",
                 plain=("dot(ones(m), r[i] * eye(m)[st(i)])", "r[i]")),
            Step(r"\frac{\sum_i a_i^2}{(\sum_i a_i)^2}", r"\frac{n r_{\max}^2}{n^2 r_{\min}^2}",
                 "numerator and denominator bounded separately", relation=r"\le",
                 plain=(sums, "n*rmax**2/(n**2*rmin**2)")),
            Step(r"\frac{n r_{\max}^2}{n^2 r_{\min}^2}", r"\frac1n\rho^2", r"$\rho = r_{\max}/r_{\min}$",
                 plain=("n*rmax**2/(n**2*rmin**2)", "rho**2 / n")),
            Step(r"\lim_{\eta\to1}\frac{\mathbb E\|\Delta\hat\theta\|^2}{\|\mathbb E\Delta\hat\theta\|^2}",
                 r"\frac{n(k-1)}{k(n-1)} + \frac{n-k}{k(n-1)}\rho^2",
                 "Theorem 5.2 (limit $\\eta \\to 1$)", relation=r"\le", plain=(ratio, bound)),
            Step(r"\frac{n(k-1)}{k(n-1)} + \frac{n-k}{k(n-1)}\rho^2", r"1 + \frac1k\rho^2",
                 "$\\frac{n(k-1)}{k(n-1)} \\le 1$ and $\\frac{n-k}{n-1} \\le 1$: constant $c = 1$",
                 relation=r"\le", plain=(bound, "1 + rho**2 / k")),
            Step(r"\frac{n\sum_i a_i^2}{(\sum_i a_i)^2}", r"\frac{(1+\rho)^2}{4\rho}",
                 "sharper (P\\'olya--Szeg\\H{o}): mean square over squared mean on $[r_{\\min}, r_{\\max}]$",
                 relation=r"\le", plain=("n * " + sums, "(1 + rho)**2 / (4*rho)")),
        ), symbols=symbols, define=define,
    )


def ones_direction_derivation() -> Derivation:
    r"""Theorem 4 at a fixed :math:`\hat\theta` (``tht``) and :math:`F`, :math:`\eta = 1 - h`."""
    symbols = {"n": "integer in [2, 4]", "k": "integer in [1, n]", "d": "integer in [2, 3]",
               "phi": "matrix n x d", "y": "vector n", "tht": "vector d", "F": "matrix d x d",
               "Dt": "vector d", "h": "positive -> 0", "alpha": "positive -> 0"}
    define = dict(_SUBSETS, **_implicit_at_fixed_theta(), **{
        "R": "phi.T @ (phi @ tht - y)",
        "gB(b)": "phi.T @ (z(b) * (phi @ tht - y)) / k",
        "thn(b)": "th(w - alpha * Jtw(gB(b)), F - alpha * JtF(gB(b)))",
        "v": "inv(eye(d) - sm(F) + ones(d, d)).T @ ones(d)",
        "sv": "v.T @ (eta**2 * diag((C * C) @ ones(d)) + eye(d)) @ v",
        "rpar(t)": "ones(d).T @ phi.T @ (phi @ t - y) / d",
    })
    return Derivation(
        (
            Step(r"r^\parallel", r"\tfrac1d\mathbf 1^\top\mathbf r",
                 r"coefficient of $\mathbf 1$ in the orthogonal split $\mathbf r = r^\parallel\mathbf 1 + \mathbf r^\perp$, "
                 r"$\mathbf r = \phi^\top(\phi\hat\theta - y)$",
                 plain=("dot(ones(d), R) / dot(ones(d), ones(d))", "ones(d).T @ R / d")),
            Step(r"\mathbb E[\Delta r^\parallel]", r"\tfrac1d\mathbf 1^\top\phi^\top\phi\,\mathbb E[\Delta\hat\theta]",
                 "$\\mathbf r$ is affine in $\\hat\\theta$ (for every change $\\Delta\\hat\\theta$)",
                 plain=("rpar(tht + Dt) - rpar(tht)", "ones(d).T @ phi.T @ phi @ Dt / d")),
            Step(r"\mathbb E[\Delta\hat\theta]", r"-\tfrac{\alpha}{n}P\mathbf r + O(\alpha^2)", "Theorem 3",
                 unchecked="two asymptotic variables in one derivation (alpha -> 0 here, eta = 1 - h -> 0 in the next steps) make the step checker fail on this O(alpha^2) step; it is Theorem 3, checked step by step in the derivation of implicit.expected-loss-decrease-implicit"),
            Step(r"\mathbf 1^\top\phi^\top\phi P\mathbf r",
                 r"\frac{s\,\|\phi\mathbf 1\|^2}{(1-\eta)^2}\,\mathbf 1^\top\mathbf r + O\bigl((1-\eta)^{-1}\bigr)",
                 "leading order of $P$, $s = v^\\top(\\eta^2D+I)v$ ($\\hat\\theta$, $F$ fixed)",
                 plain=("ones(d).T @ phi.T @ phi @ P @ R",
                        "sv * norm(phi @ ones(d))**2 / h**2 * ones(d).T @ R + O(1/h)")),
            Step(r"\mathbb E[\Delta r^\parallel]",
                 r"-\frac{\alpha r^\parallel}{(1-\eta)^2}\,s\,\frac{\|\phi\mathbf 1\|^2}{n} + O\Bigl(\frac{\alpha}{1-\eta} + \frac{\alpha^2}{(1-\eta)^3}\Bigr)",
                 "$\\mathbf 1^\\top\\mathbf r = d\\,r^\\parallel$; the remainder carries a factor $\\alpha$, "
                 "the $\\alpha^2$ one grows like $(1-\\eta)^{-3}$",
                 unchecked="a remainder in two variables (alpha -> 0 and 1 - eta -> 0 jointly): the step language's "
                           "O-terms take one asymptotic variable with the others fixed; the two one-variable "
                           "expansions it combines are the two steps above"),
        ), symbols=symbols, define=define,
    )
