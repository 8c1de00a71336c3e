r"""Candidate side of :mod:`verify.catalogue.td` (seed 002): the derived gradient of the TD error,
:func:`derivations.td.td_gradient`, at a :class:`verify.probes.td.TDPoint`, and the mutants.

* :func:`candidate` -- :math:`[g;\ G\omega^{(1)}]` for ``td.two-layer-gradient`` and
  ``td.linearization-remainder`` (its SymPy form is :func:`derivations.td.td_gradient_sym`);
* :func:`gradient_without_gamma` (and its SymPy form :func:`gradient_without_gamma_sym`) -- the seed's
  gradient, which is the candidate of ``td.two-layer-gradient-as-written`` and the ``gamma-dropped`` mutant;
* :func:`gradient_row_stacking_vec`, :func:`gradient_activation_derivative_dropped` -- the other mutants.
"""

from __future__ import annotations

import numpy as np

from derivations import td as T

__all__ = ["candidate", "gradient_without_gamma", "gradient_without_gamma_sym", "gradient_row_stacking_vec",
           "gradient_activation_derivative_dropped"]


def candidate(q):
    return T.td_gradient(q.w1, q.W2, q.h, q.hp, q.gamma)[None, :]


def gradient_without_gamma(q):
    """The seed's gradient (mutant ``gamma-dropped``): the derived gradient of the undiscounted error, gamma = 1."""
    return T.td_gradient(q.w1, q.W2, q.h, q.hp, 1.0)[None, :]


def gradient_without_gamma_sym(size):
    """:func:`gradient_without_gamma` in SymPy: the derived ``[g; G w1]`` at gamma = 1."""
    grad = T.td_gradient_sym(size)
    return grad.xreplace({s: 1 for s in grad.free_symbols if s.name == "gamma"})


def gradient_row_stacking_vec(q):
    """Mutant ``row-stacking-vec``: the column-stacked ``G w1`` reinterpreted as a row-stacked vec of W2."""
    m, p = q.W2.shape
    grad = T.td_gradient(q.w1, q.W2, q.h, q.hp, q.gamma)
    gw2 = grad[p:].reshape(p, m).T.reshape(-1)  # a transposed reshape
    return np.concatenate([grad[:p], gw2])[None, :]


def gradient_activation_derivative_dropped(q):
    """Mutant ``activation-derivative-dropped``: ``[g; G w1]`` with G built without diag(tanh'(a)), diag(tanh'(a_+))."""
    p = q.W2.shape[1]
    g = T.td_gradient(q.w1, q.W2, q.h, q.hp, q.gamma)[:p]
    I = np.eye(p)
    G = np.kron(I, q.h[:, None]) - q.gamma * np.kron(I, q.hp[:, None])
    return np.concatenate([g, G @ q.w1])[None, :]
