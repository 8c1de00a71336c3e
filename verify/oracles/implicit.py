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
