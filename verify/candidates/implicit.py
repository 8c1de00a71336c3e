r"""The candidate side of the seed-001 §2.3 / Theorem 1 claims (:mod:`verify.catalogue.implicit`):
adapters from a check's point to :mod:`derivations.implicit` (the IFT Jacobian, the paper-order
:math:`d_k`, the preconditioner :math:`P` and the lower bound :math:`c(n, \eta)`), their SymPy
forms, and the mutants of each (transposes, dropped factors, wrong index order, wrong exponents)."""

from __future__ import annotations

import numpy as np
import sympy as sp

from derivations import implicit as D

from ..probes import implicit as P

__all__ = [
    "jacobian_from_parts", "jacobian_candidate", "ift_sym",
    "paper_d", "paper_d_columnwise", "paper_d_sym_mutant", "paper_d_sym_columnwise",
    "P_from_parts", "P_candidate", "P_sym", "P_sym_eta_not_squared", "P_sym_transposes_swapped",
    "lower_bound", "bound_no_inverse", "bound_doubly_stochastic_norm", "bound_square_dropped",
]


# ---------------------------------------------------------------------------
# implicit.ift-jacobian
# ---------------------------------------------------------------------------


def jacobian_from_parts(p, *, transpose_w=False, with_eta=True, full_softmax=True):
    parts = D.preconditioner_parts(p.w, p.F, p.eta)
    C = parts.C if full_softmax else parts.S * parts.theta[None, :]
    J_F = (parts.eta if with_eta else 1.0) * parts.A_inv[:, :, None] * C[None, :, :]
    J_w = parts.A_inv.T if transpose_w else parts.A_inv
    return np.hstack([J_w, J_F.reshape(p.n, p.n * p.n)])


def jacobian_candidate(p):
    J_w, J_F = D.jacobian(p.w, p.F, p.eta)
    return np.hstack([J_w, J_F.reshape(p.n, p.n * p.n)])


def ift_sym(size, *, transpose_w=False, with_eta=True):
    if size == "n":
        m = D.matrix_symbols()
        A, eta = m["A"], m["eta"]
        Aw = A.I.T if transpose_w else A.I
        return A * (Aw * m["dw"] + (eta if with_eta else 1) * A.I * m["dS"] * m["theta"])
    J = D.ift_jacobian_sym(size)
    n = size
    J_w, J_F = J[:, :n], J[:, n:]
    if transpose_w:
        J_w = J_w.T
    if not with_eta:
        J_F = J_F / D.symbols(n)["eta"]
    return sp.Matrix.hstack(J_w, J_F)


# ---------------------------------------------------------------------------
# implicit.softmax-jacobian-symmetry
# ---------------------------------------------------------------------------


def paper_d(p, *, theta_on_row=False):
    M = P.softmax_jacobians(p.F)
    if theta_on_row:  # sum_i (sum_j M_kij theta_i)^2
        inner = M.sum(axis=2) * p.theta[None, :]
    else:  # sum_i (sum_j M_kij theta_j)^2
        inner = np.einsum("kij,j->ki", M, p.theta)
    return (inner**2).sum(axis=1)


def paper_d_columnwise(p):
    return paper_d(P.LogitsAndValues(p.F.T, p.theta))


def paper_d_sym_mutant(n):
    t = D.symbols(n)["t"]
    out = []
    for k in range(n):
        M = D.softmax_derivative_sym(n, k)
        out.append(sum(sum(M[i, j] * t[i] for j in range(n)) ** 2 for i in range(n)))
    return sp.Matrix(out)


def paper_d_sym_columnwise(n):
    u = D.symbols(n)["u"]
    return D.paper_d_sym(n).xreplace({u[k, j]: u[j, k] for k in range(n) for j in range(n)})


# ---------------------------------------------------------------------------
# implicit.preconditioner (Theorem 1)
# ---------------------------------------------------------------------------


def P_from_parts(p, *, eta_power=2, transpose_first=False, square=True, identity=True):
    parts = D.preconditioner_parts(p.w, p.F, p.eta)
    d = parts.d if square else parts.C.sum(axis=1)
    mid = np.diag(parts.eta**eta_power * d + (1.0 if identity else 0.0))
    Ai = parts.A_inv
    return Ai.T @ mid @ Ai if transpose_first else Ai @ mid @ Ai.T


def P_candidate(p):
    return D.preconditioner(p.w, p.F, p.eta)


def P_sym(size):
    if size == "n":
        return D.preconditioner_matrix_level()
    return D.preconditioner_sym(size)


def P_sym_eta_not_squared(size):
    r"""Mutant: :math:`A^{-1}(\eta D + I)A^{-\top}`, the derived form with :math:`\eta` for :math:`\eta^2`."""
    if size == "n":
        m = D.matrix_symbols()
        A, C, eta = m["A"], m["C"], m["eta"]
        return A.I * (eta * C * C.T + sp.Identity(m["n"])) * A.I.T
    eta, Ainv, d = D.symbols(size)["eta"], D.A_sym(size).LUsolve(sp.eye(size)), D.natural_d_sym(size)
    return Ainv * sp.diag(*[eta * d[k] + 1 for k in range(size)]) * Ainv.T


def P_sym_transposes_swapped(size):
    r"""Mutant: :math:`A^{-\top}(\eta^2 D + I)A^{-1}`, the derived middle factor between swapped transposes."""
    if size == "n":
        m = D.matrix_symbols()
        A, C, eta = m["A"], m["C"], m["eta"]
        return A.I.T * (eta**2 * C * C.T + sp.Identity(m["n"])) * A.I
    eta, Ainv, d = D.symbols(size)["eta"], D.A_sym(size).LUsolve(sp.eye(size)), D.natural_d_sym(size)
    return Ainv.T * sp.diag(*[eta**2 * d[k] + 1 for k in range(size)]) * Ainv


# ---------------------------------------------------------------------------
# implicit.preconditioner-lower-bound
# ---------------------------------------------------------------------------


def _bound(fn):
    return lambda p: fn(p.n, p.eta)


lower_bound = _bound(D.preconditioner_lower_bound)


def bound_no_inverse(p):
    """Mutant: ``c = 1``."""
    return 1.0


bound_doubly_stochastic_norm = _bound(lambda n, eta: (1 + eta) ** -2)
bound_square_dropped = _bound(lambda n, eta: 1 / (1 + eta * np.sqrt(n)))
