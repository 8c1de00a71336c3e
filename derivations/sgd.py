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


def expected_decrease_derivation(implicit: bool) -> Derivation:
    if not implicit:
        return Derivation(
            (
                Step(r"\Pr[i \in B]", r"k/n", "uniform minibatch of size $k$ without replacement"),
                Step(r"\mathbb E[g_B]", r"\tfrac1k\cdot\tfrac kn\sum_i r_i\phi_i = \tfrac1n\mathbf r",
                     "linearity of expectation"),
                Step(r"L(\theta - \alpha g_B) - L(\theta)", r"-\alpha\,\mathbf r^\top g_B + \tfrac{\alpha^2}{2}\|\phi g_B\|^2",
                     "$L$ is quadratic: exact second-order Taylor expansion"),
                Step(r"\mathbb E[\Delta L]", r"-\frac{\alpha}{n}\|\mathbf r\|^2 + O(\alpha^2)",
                     "take expectations; $\\mathbb E\\|\\phi g_B\\|^2 \\le \\|\\phi\\|^2\\max_i\\|r_i\\phi_i\\|^2$"),
            )
        )
    return Derivation(
        (
            Step(r"\Delta\psi", r"-\alpha J^\top g_B", "SGD on $\\psi = (w, F)$; $J = \\partial\\hat\\theta/\\partial\\psi$"),
            Step(r"\Delta\hat\theta", r"-\alpha JJ^\top g_B + O(\alpha^2) = -\alpha P g_B + O(\alpha^2)",
                 "Taylor expansion of $\\hat\\theta(\\psi)$; Theorem 1: $JJ^\\top = P$"),
            Step(r"\Delta L", r"\mathbf r^\top\Delta\hat\theta + O(\alpha^2)", "Taylor expansion of $L$"),
            Step(r"\mathbb E[\Delta L]", r"-\alpha\,\mathbf r^\top P\,\mathbb E[g_B] + O(\alpha^2)",
                 "linearity; $P$ does not depend on $B$"),
            Step(r"\mathbb E[\Delta L]", r"-\frac{\alpha}{n}\langle P\mathbf r, \mathbf r\rangle + O(\alpha^2)",
                 "$\\mathbb E[g_B] = \\mathbf r / n$"),
        )
    )


def second_moment_derivation() -> Derivation:
    return Derivation(
        (
            Step(r"\Pr[i\in B]", r"\tfrac kn,\qquad \Pr[i, j\in B] = \tfrac{k(k-1)}{n(n-1)}\ (i\ne j)",
                 "counting $k$-subsets"),
            Step(r"\mathbb E\bigl\|\textstyle\sum_{i\in B}u_i\bigr\|^2",
                 r"\tfrac kn\sum_i\|u_i\|^2 + \tfrac{k(k-1)}{n(n-1)}\bigl(\|U\|^2 - \sum_i\|u_i\|^2\bigr)",
                 "expand the square; $U = \\sum_i u_i = \\mathbf r$"),
            Step(r"\bigl\|\mathbb E\textstyle\sum_{i\in B}u_i\bigr\|^2", r"\tfrac{k^2}{n^2}\|U\|^2",
                 "linearity"),
            Step(r"\frac{\mathbb E\|\Delta\theta\|^2}{\|\mathbb E\Delta\theta\|^2}",
                 r"\frac{n(k-1)}{k(n-1)} + \frac{n(n-k)}{k(n-1)}\frac{\sum_i\|u_i\|^2}{\|U\|^2}",
                 "divide; $\\alpha$ and $1/k$ cancel"),
            Step(r"\frac{\mathbb E\|\Delta\theta\|^2}{\|\mathbb E\Delta\theta\|^2}",
                 r"1 + \frac{\mathbb E\|\Delta\theta - \mathbb E\Delta\theta\|^2}{\|\mathbb E\Delta\theta\|^2}",
                 "a second moment, not the variance: the paper's name is off by 1"),
        )
    )


def implicit_ratio_derivation() -> Derivation:
    return Derivation(
        (
            Step(r"\Delta\hat\theta", r"-\alpha P g_B + O(\alpha^2)", "Theorem 3, first order in $\\alpha$"),
            Step(r"P", r"\frac{s}{(1-\eta)^2}\mathbf 1\mathbf 1^\top + O\bigl((1-\eta)^{-1}\bigr),\quad s = v^\top(\eta^2D+I)v",
                 "leading order of $P$ ($w, F$ fixed)"),
            Step(r"P g_B", r"\frac{s}{(1-\eta)^2}\mathbf 1\,\langle\mathbf 1, g_B\rangle\bigl(1 + O(1-\eta)\bigr)",
                 "when $\\langle\\mathbf 1, \\mathbf r\\rangle \\ne 0$"),
            Step(r"\frac{\mathbb E\|\Delta\hat\theta\|^2}{\|\mathbb E\Delta\hat\theta\|^2}",
                 r"\frac{\mathbb E\langle\mathbf 1, g_B\rangle^2}{(\mathbb E\langle\mathbf 1, g_B\rangle)^2} + O(1-\eta)",
                 "$s$ and $(1-\\eta)^{-2}$ cancel"),
            Step(r"\frac{\mathbb E\|\Delta\hat\theta\|^2}{\|\mathbb E\Delta\hat\theta\|^2}",
                 r"\frac{n(k-1)}{k(n-1)} + \frac{n(n-k)}{k(n-1)}\frac{\sum_i\langle\mathbf 1, r_i\phi_i\rangle^2}{(\sum_i\langle\mathbf 1, r_i\phi_i\rangle)^2} + O(1-\eta)",
                 "the explicit computation with scalars $a_i = \\langle\\mathbf 1, r_i\\phi_i\\rangle$"),
        )
    )


def one_hot_derivation() -> Derivation:
    return Derivation(
        (
            Step(r"\phi(x_i)", r"e_{s_i}", "one-hot features"),
            Step(r"\|\mathbf r\|^2", r"\sum_s\Bigl(\sum_{i: s_i = s} r_i\Bigr)^2", "$\\mathbf r = \\sum_i r_i e_{s_i}$"),
            Step(r"\|\mathbf r\|^2", r"\sum_i r_i^2 = \sum_i r_i^2\|\phi_i\|^2",
                 "only if the states $s_i$ are distinct (unstated in the paper)"),
            Step(r"\frac{\mathbb E\|\Delta\theta\|^2}{\|\mathbb E\Delta\theta\|^2}",
                 r"\frac{n(k-1) + n(n-k)}{k(n-1)} = \frac nk", "Theorem 5.1 with the ratio of sums equal to 1"),
        )
    )


def one_hot_corrected_derivation() -> Derivation:
    return Derivation(
        (
            Step(r"\frac{\mathbb E\|\Delta\theta\|^2}{\|\mathbb E\Delta\theta\|^2}",
                 r"\frac{n(k-1)}{k(n-1)} + \frac{n(n-k)}{k(n-1)}\frac{\sum_i r_i^2}{\sum_s(\sum_{i:s_i=s}r_i)^2}",
                 "Theorem 5.1 with $\\phi_i = e_{s_i}$, states may repeat"),
            Step(r"\frac{\mathbb E\|\Delta\theta\|^2}{\|\mathbb E\Delta\theta\|^2}", r"\frac nk",
                 "if and only if $\\sum_i r_i^2 = \\sum_s(\\sum_{i:s_i=s}r_i)^2$, e.g. distinct states, or $k = n$"),
        )
    )


def balanced_bound_derivation() -> Derivation:
    return Derivation(
        (
            Step(r"a_i = \langle\mathbf 1, r_i e_{s_i}\rangle", r"r_i \in [r_{\min}, r_{\max}]",
                 "one-hot features; duplicates allowed"),
            Step(r"\frac{\sum_i a_i^2}{(\sum_i a_i)^2}", r"\frac{n r_{\max}^2}{n^2 r_{\min}^2} = \frac1n\rho^2,\quad \rho = \frac{r_{\max}}{r_{\min}}",
                 "numerator and denominator bounded separately", relation=r"\le"),
            Step(r"\text{ratio}", r"\frac{n(k-1)}{k(n-1)} + \frac{n-k}{k(n-1)}\rho^2",
                 "Theorem 5.2 (limit $\\eta \\to 1$)", relation=r"\le"),
            Step(r"\text{ratio}", r"1 + \frac1k\rho^2", "$\\frac{n(k-1)}{k(n-1)} \\le 1$ and $\\frac{n-k}{n-1} \\le 1$: constant $c = 1$",
                 relation=r"\le"),
            Step(r"\frac{n\sum_i a_i^2}{(\sum_i a_i)^2}", r"\frac{(1+\rho)^2}{4\rho}",
                 "sharper (P\\'olya--Szeg\\H{o}): mean square over squared mean on $[r_{\\min}, r_{\\max}]$",
                 relation=r"\le"),
        )
    )


def ones_direction_derivation() -> Derivation:
    return Derivation(
        (
            Step(r"r^\parallel", r"\tfrac1d\mathbf 1^\top\mathbf r,\quad \mathbf r = \phi^\top(\phi\hat\theta - y)",
                 "orthogonal split $\\mathbf r = r^\\parallel\\mathbf 1 + \\mathbf r^\\perp$"),
            Step(r"\mathbb E[\Delta r^\parallel]", r"\tfrac1d\mathbf 1^\top\phi^\top\phi\,\mathbb E[\Delta\hat\theta]",
                 "$\\mathbf r$ is affine in $\\hat\\theta$"),
            Step(r"\mathbb E[\Delta\hat\theta]", r"-\tfrac{\alpha}{n}P\mathbf r + O(\alpha^2)", "Theorem 3"),
            Step(r"\mathbf 1^\top\phi^\top\phi P\mathbf r",
                 r"\frac{s\,\|\phi\mathbf 1\|^2}{(1-\eta)^2}\,\mathbf 1^\top\mathbf r + O\bigl((1-\eta)^{-1}\bigr)",
                 "leading order of $P$, $s = v^\\top(\\eta^2D+I)v$"),
            Step(r"\mathbb E[\Delta r^\parallel]",
                 r"-\frac{\alpha r^\parallel}{(1-\eta)^2}\,s\,\frac{\|\phi\mathbf 1\|^2}{n} + O\Bigl(\alpha^2 + \frac{\alpha}{1-\eta}\Bigr)",
                 "$\\mathbf 1^\\top\\mathbf r = d\\,r^\\parallel$; the remainder carries a factor $\\alpha$"),
        )
    )
