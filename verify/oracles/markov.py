r"""Markov-chain primitives computed without the derived closed forms.

The stationary distribution comes from running the chain: :math:`S^{2^m}` by repeated
squaring converges to :math:`\mathbf 1 v^\top` for a primitive stochastic ``S``, so
any row of the limit is :math:`v`. No linear solve, no eigen-decomposition.

>>> import numpy as np
>>> stationary_by_powers(np.array([[0.5, 0.5], [0.25, 0.75]]))
array([0.33333333, 0.66666667])
"""

from __future__ import annotations

import numpy as np

__all__ = ["stationary_by_powers", "inverse_by_solve"]


def stationary_by_powers(S, *, max_squarings: int = 200, rtol: float = 1e-15) -> np.ndarray:
    """Row average of :math:`S^{2^m}` once its rows agree (the chain has mixed)."""
    P = np.asarray(S, dtype=float)
    for _ in range(max_squarings):
        spread = np.abs(P - P.mean(axis=0)).max()
        if spread <= rtol * np.abs(P).max():
            break
        P = P @ P
        P = P / P.sum(axis=1, keepdims=True)  # keep rows stochastic against roundoff drift
    else:
        raise ArithmeticError(
            f"the chain did not mix after 2^{max_squarings} steps: the spectral gap is below "
            "float64 resolution (nearly reducible S)"
        )
    return P.mean(axis=0)


def inverse_by_solve(S, eta: float) -> np.ndarray:
    r""":math:`(I - \eta S)^{-1}` from a linear solve of the primitive :math:`A`."""
    S = np.asarray(S, dtype=float)
    n = S.shape[0]
    return np.linalg.solve(np.eye(n) - eta * S, np.eye(n))
