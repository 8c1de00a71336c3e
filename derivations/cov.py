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

__all__ = ["vec", "kron_vec", "kron_vec_sym", "elbo_terms", "vec_kronecker_derivation", "elbo_derivation"]


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
