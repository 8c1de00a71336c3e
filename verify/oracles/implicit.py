r"""Primitive definitions for the implicit parameterization, batched and complex-safe.

The only thing defined here is the *constraint* (eq. 2) solved by a linear solve:
:math:`\hat\theta(w, F) = \operatorname{solve}(I - \eta\,\mathrm{softmax}(F), w)`.
Jacobians, preconditioners and eigenvalues are then obtained by differentiating this
primitive numerically (:mod:`verify.numerics`), never from the derived formulas.

A parameter vector ``psi`` packs ``[w (n), F (n*n, row-major)]``.

>>> import numpy as np
>>> psi = pack(np.array([1.0, 0.0]), np.zeros((2, 2)))
>>> theta_hat(psi[None, :], eta=0.5)
array([[1.5, 0.5]])
"""

from __future__ import annotations

import mpmath
import numpy as np

from ..numerics import complex_step_jacobian, mp_jacobian

__all__ = [
    "pack",
    "unpack",
    "size_of",
    "softmax_rows",
    "theta_hat",
    "theta_hat_mp",
    "theta_change",
    "softmax_change",
    "jacobian_oracle",
    "jacobian_oracle_mp",
    "gram_oracle",
]


def pack(w, F) -> np.ndarray:
    """``[w, F.ravel()]`` (row-major F)."""
    return np.concatenate([np.asarray(w).ravel(), np.asarray(F).ravel()])


def size_of(m: int) -> int:
    """The ``n`` with ``n + n*n == m``."""
    n = int((np.sqrt(1 + 4 * m) - 1) / 2)
    if n + n * n != m:
        raise ValueError(f"psi has length {m}, which is not n + n^2 for any n")
    return n


def unpack(psi):
    """Inverse of :func:`pack` for a batch ``(b, n + n^2)``: returns ``(w, F)``."""
    n = size_of(psi.shape[-1])
    return psi[..., :n], psi[..., n:].reshape(psi.shape[:-1] + (n, n))


def softmax_rows(F):
    """Row-wise softmax; complex-safe (the shift uses the real part only)."""
    Z = F - np.real(F).max(axis=-1, keepdims=True)
    E = np.exp(Z)
    return E / E.sum(axis=-1, keepdims=True)


def theta_hat(psi, *, eta: float):
    """Solve the constraint (2) for a batch of packed parameters ``(b, n + n^2)``."""
    w, F = unpack(psi)
    n = w.shape[-1]
    A = np.eye(n) - eta * softmax_rows(F)
    return np.linalg.solve(A, w[..., None])[..., 0]


def softmax_change(F, dF):
    r"""``softmax(F + dF) - softmax(F)`` row-wise, without subtractive cancellation.

    With :math:`\sigma = \mathrm{softmax}(f)` and :math:`Z = \sum_j \sigma_j e^{\delta_j}`,
    :math:`\sigma'_i - \sigma_i = \sigma_i \sum_j \sigma_j e^{\delta_j}
    \operatorname{expm1}(\delta_i - \delta_j) / Z`: every term is computed to relative
    accuracy, so the change is accurate relative to itself, not to ``softmax(F)``.
    ``F`` is ``(..., n, n)``, ``dF`` broadcasts against it.

    >>> F = np.array([[0.0, 1.0]]); dF = np.array([[1e-12, 0.0]])
    >>> d = softmax_change(F, dF); float(d[0, 0] / 1e-12)  # = s(1-s), s = softmax(F)[0]
    0.1966119332
    """
    sig = softmax_rows(F)
    dF = np.broadcast_to(dF, np.broadcast_shapes(np.shape(F), np.shape(dF)))
    e = np.exp(dF - dF.max(axis=-1, keepdims=True))  # shift cancels in the ratio
    Z = (sig * e).sum(axis=-1, keepdims=True)
    diff = np.expm1(dF[..., :, None] - dF[..., None, :])  # (.., k, i, j)
    inner = ((sig * e)[..., None, :] * diff).sum(axis=-1)
    return sig * inner / Z


def theta_change(psi, dpsi, *, eta: float):
    r"""``theta_hat(psi + dpsi) - theta_hat(psi)`` for a batch ``dpsi``, accurate to
    itself rather than to ``theta_hat``.

    From the constraint: :math:`A'(\hat\theta' - \hat\theta) = \Delta w + \eta\,
    (\sigma(F') - \sigma(F))\hat\theta` with :math:`A' = I - \eta\sigma(F')`, and the
    softmax change from :func:`softmax_change`. ``psi`` is one point ``(m,)``,
    ``dpsi`` is ``(b, m)``.

    >>> psi = pack(np.array([1.0, 0.0]), np.zeros((2, 2))); d = 1e-13 * np.ones((1, 6))
    >>> np.allclose(theta_change(psi, d, eta=0.5), theta_hat(psi[None] + d, eta=0.5) - theta_hat(psi[None], eta=0.5), atol=1e-15)
    True
    """
    w, F = unpack(psi)
    dw, dF = unpack(dpsi)
    n = w.shape[-1]
    theta = theta_hat(psi[None, :], eta=eta)[0]
    dsig = softmax_change(F[None], dF)
    A_new = np.eye(n) - eta * softmax_rows(F[None] + dF)
    rhs = dw + eta * (dsig @ theta)
    return np.linalg.solve(A_new, rhs[..., None])[..., 0]


def theta_hat_mp(psi, *, eta):
    """The same primitive in mpmath (current working precision)."""
    n = size_of(len(psi))
    w = mpmath.matrix([psi[i] for i in range(n)])
    A = mpmath.matrix(n, n)
    eta = mpmath.mpf(eta)
    for k in range(n):
        row = [psi[n + k * n + j] for j in range(n)]
        top = max(row)
        e = [mpmath.exp(v - top) for v in row]
        z = mpmath.fsum(e)
        for j in range(n):
            A[k, j] = (1 if k == j else 0) - eta * e[j] / z
    sol = mpmath.lu_solve(A, w)
    return [sol[i] for i in range(n)]


def roundoff_amplification(F, eta: float) -> float:
    r"""How much float64 roundoff grows through :math:`A^{-1}`, :math:`A = I - \eta\sigma(F)`:
    :math:`\|A^{-1}\|_2(1 + \eta\|\sigma(F)\|_2) \ge \operatorname{cond}(A)`.

    Forming ``A`` loses :math:`\log_{10}\|A^{-1}\|` digits when the softmax saturates and
    :math:`\eta \to 1`, even where cond(A) = 1 (``F = [[19, -10], [1.9, 51.9]]``, eta = 0.999:
    A = 0.001 I, cond 1, yet Theorem 1's P r is off by 1000 eps |P||r|). Measured against 60-digit
    references over 300 random points (saturated logits, eta up to 0.99999): the preconditioner's
    error in P r is at most 2.5 eps amp |P| |r|; the Jacobian's at most 0.015 of the scale that uses
    amp (1.55 and 10.7 of the one that used cond(A), at eta = 0.9999 and 0.99999).

    >>> roundoff_amplification(np.zeros((2, 2)), 0.0)
    1.0
    """
    S = softmax_rows(np.asarray(F, dtype=float))
    A_inv = np.linalg.inv(np.eye(S.shape[-1]) - eta * S)
    return float(np.linalg.norm(A_inv, 2) * (1.0 + eta * np.linalg.norm(S, 2)))


def jacobian_oracle(psi, *, eta: float):
    r"""``J`` (``n x (n + n^2)``) of the primitive by complex step, and its error estimate."""
    return complex_step_jacobian(lambda X: theta_hat(X, eta=eta), psi)


def jacobian_oracle_mp(psi, *, eta: float, dps: int = 50):
    """``J`` of the primitive at ``dps`` digits (list of lists of mpf)."""
    return mp_jacobian(lambda v: theta_hat_mp(v, eta=eta), psi, dps=dps)


def gram_oracle(psi, *, eta: float):
    r""":math:`J J^\top` from the complex-step Jacobian of the primitive."""
    J, _ = jacobian_oracle(psi, eta=eta)
    return J @ J.T
