r"""Claims of seed 002: the gradient of the TD error of a two-layer Q network, and its
linearisation. The oracle differentiates the TD error itself (complex step through
the network); SymPy differentiates it symbolically for small sizes.
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from derivations import td as T

from .. import strategies as S
from ..checks import AsymptoticCheck, DerivativeCheck, SymbolicIdentity
from ..model import Claim, Formula, Mutant
from ..tolerances import EPS

__all__ = ["CLAIMS"]

SOURCE = "seed 002 (TD-error linearization of a two-layer Q network)"
ASSUMPTIONS = (
    r"$\hat Q(z) = \omega^{(1)\top}\tanh(\omega^{(2)\top}h(z))$, $\omega^{(1)}\in\mathbb{R}^p$, $\omega^{(2)}\in\mathbb{R}^{m\times p}$",
    r"$e = \hat Q(z) - r - \gamma\hat Q(z_+)$, $\gamma \in [0, 1)$; $\operatorname{vec}$ stacks columns",
)


class TDPoint(NamedTuple):
    w1: np.ndarray
    W2: np.ndarray
    h: np.ndarray
    hp: np.ndarray
    r: float
    gamma: float
    direction: np.ndarray  #: for the linearisation: a direction in (w1, vec W2)

    def readable(self) -> dict:
        return {k: (v.tolist() if isinstance(v, np.ndarray) else float(v)) for k, v in self._asdict().items()}


@st.composite
def _points(draw):
    m, p = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    arr = lambda shape, b=2: draw(hnp.arrays(float, shape, elements=S.grid_values(-b, b)))  # noqa: E731
    gamma = draw(st.sampled_from((0.0, 0.5, 0.9, 0.99)))
    return TDPoint(arr((p,)), arr((m, p)), arr((m,)), arr((m,)), draw(S.grid_values(-2, 2)), gamma,
                   arr((p + m * p,), 1) + 0.25)


def _unpack(v, m, p):
    """``v = (w1, vec W2)`` batched ``(b, p + m p)`` -> ``w1 (b, p)``, ``W2 (b, m, p)`` (column-major vec)."""
    w1 = v[..., :p]
    W2 = v[..., p:].reshape(v.shape[:-1] + (p, m)).swapaxes(-1, -2)
    return w1, W2


def _td_error_batch(V, q):
    m, p = q.W2.shape
    w1, W2 = _unpack(V, m, p)
    a = np.einsum("bml,m->bl", W2, q.h)
    ap = np.einsum("bml,m->bl", W2, q.hp)
    e = (w1 * np.tanh(a)).sum(-1) - q.r - q.gamma * (w1 * np.tanh(ap)).sum(-1)
    return e[:, None]


def _vec(q):
    return np.concatenate([q.w1, q.W2.T.reshape(-1)])  # column-stacking vec of W2


def _primitive(q):
    return partial(_td_error_batch, q=q), _vec(q)


def _candidate(q):
    return T.td_gradient(q.w1, q.W2, q.h, q.hp, q.gamma)[None, :]


def _gradient_without_gamma(q):
    """The seed's gradient (mutant ``gamma-dropped``): the derived gradient of the undiscounted error, gamma = 1."""
    return T.td_gradient(q.w1, q.W2, q.h, q.hp, 1.0)[None, :]


def _gradient_without_gamma_sym(size):
    """:func:`_gradient_without_gamma` in SymPy: the derived ``[g; G w1]`` at gamma = 1."""
    grad = T.td_gradient_sym(size)
    return grad.xreplace({s: 1 for s in grad.free_symbols if s.name == "gamma"})


def _gradient_row_stacking_vec(q):
    """Mutant ``row-stacking-vec``: the column-stacked ``G w1`` reinterpreted as a row-stacked vec of W2."""
    m, p = q.W2.shape
    grad = T.td_gradient(q.w1, q.W2, q.h, q.hp, q.gamma)
    gw2 = grad[p:].reshape(p, m).T.reshape(-1)  # a transposed reshape
    return np.concatenate([grad[:p], gw2])[None, :]


def _gradient_activation_derivative_dropped(q):
    """Mutant ``activation-derivative-dropped``: ``[g; G w1]`` with G built without diag(tanh'(a)), diag(tanh'(a_+))."""
    p = q.W2.shape[1]
    g = T.td_gradient(q.w1, q.W2, q.h, q.hp, q.gamma)[:p]
    I = np.eye(p)
    G = np.kron(I, q.h[:, None]) - q.gamma * np.kron(I, q.hp[:, None])
    return np.concatenate([g, G @ q.w1])[None, :]


GRADIENT = Claim(
    id="td.two-layer-gradient",
    title="grad_{w1} e = g and grad_{vec W2} e = G(W2, z, z+) w1 (column-stacking vec)",
    source=SOURCE + ", gradient of the TD error",
    statement=(
        r"$\nabla_{\omega^{(1)}}e = \varphi^{(1)}(a) - \gamma\varphi^{(1)}(a_+)$ and "
        r"$\nabla_{\operatorname{vec}\omega^{(2)}}e = G\omega^{(1)}$ with "
        r"$G = (I_p\otimes h)\operatorname{diag}(\varphi^{(1)\prime}(a)) - \gamma(I_p\otimes h_+)\operatorname{diag}(\varphi^{(1)\prime}(a_+))$."
    ),
    assumptions=ASSUMPTIONS,
    derivation=T.td_derivation(),
    candidate=Formula(r"[g;\ G\omega^{(1)}]", _candidate, T.td_gradient_sym),
    checks=(
        SymbolicIdentity(reference=T.td_gradient_reference_sym, sizes=((1, 1), (2, 2)), sample_sizes=((3, 2),),
                         description="against SymPy's gradient of e"),
        DerivativeCheck(primitive=_primitive, strategy=_points,
                        description="against the complex-step gradient of the TD error"),
    ),
    mutants=(
        Mutant("gamma-dropped", r"$\varphi^{(1)}(a) - \varphi^{(1)}(a_+)$ (the seed's TD error without $\gamma$)",
               Formula(r"\gamma\to1", _gradient_without_gamma, _gradient_without_gamma_sym)),
        Mutant("row-stacking-vec", r"$G\omega^{(1)}$ read as a row-stacked $\operatorname{vec}$",
               Formula(r"\operatorname{vec}_{\rm row}", _gradient_row_stacking_vec)),
        Mutant("activation-derivative-dropped", r"$G$ without $\operatorname{diag}(\varphi^{(1)\prime})$",
               Formula(r"G|_{\varphi'=1}", _gradient_activation_derivative_dropped)),
    ),
    notes=(
        r"Slips in the seed, corrected here: $\hat Q$ is written with $\omega^{(2)}$ in both layers; the TD "
        r"error omits $\gamma$ (so it is not the residual of the $Q^*$ equation written above it); the "
        r"output-layer gradient is labelled $\nabla_{\omega^{(2)}}$ and uses $\varphi^{(2)}$; and "
        r"$e = \sum_\ell\omega^{(2)}_\ell g_\ell$ should read $\omega^{(1)}_\ell$. The mutant "
        r"\texttt{gamma-dropped} is the seed's gradient; it is refuted whenever $\gamma \ne 1$."
    ),
)


def _linearization_remainder(candidate, q, hs):
    f, x0 = _primitive(q)
    grad = np.asarray(candidate.numeric(q), dtype=float)[0]
    u = q.direction / np.linalg.norm(q.direction)
    X = x0[None, :] + hs[:, None] * u[None, :]
    e = f(X)[:, 0]
    e0 = f(x0[None, :])[0, 0]
    rem = np.abs(e - e0 - hs * (grad @ u))
    floor = 100 * EPS * (np.abs(e) + np.abs(e0) + hs * float(np.abs(grad) @ np.abs(u)) + 1.0)
    return rem, floor


LINEARIZATION = Claim(
    id="td.linearization-remainder",
    title="e(w) - e(w*) - grad e(w*)^T vec(w - w*) = O(||w - w*||^2)",
    source=SOURCE + ", linearization of the TD error",
    statement=r"$e(\omega) = e(\omega^*) + \nabla e(\omega^*)^\top\operatorname{vec}(\tilde\omega) + O(\|\operatorname{vec}\tilde\omega\|^2)$.",
    assumptions=ASSUMPTIONS,
    derivation=T.linearization_derivation(),
    candidate=Formula(r"\nabla e = [g;\ G\omega^{(1)}]", _candidate),
    checks=(
        AsymptoticCheck(remainder=_linearization_remainder, strategy=_points, order=2.0, steps=14,
                        description="remainder along a drawn direction, slope 2 in the step"),
    ),
    mutants=(
        Mutant("gamma-dropped", r"the seed's gradient (no $\gamma$)", Formula(r"\gamma\to1", _gradient_without_gamma)),
        Mutant("activation-derivative-dropped", r"$G$ without $\varphi'$",
               Formula(r"G|_{\varphi'=1}", _gradient_activation_derivative_dropped)),
    ),
)

AS_WRITTEN = Claim(
    id="td.two-layer-gradient-as-written",
    title="The seed's gradient: grad_{output layer} e = phi(a) - phi(a+) (no gamma)",
    source=SOURCE + ", gradient of the TD error as written",
    statement=(
        r"For the TD error of the $Q^*$ equation, $e = \hat Q(z) - r - \gamma\hat Q(z_+)$, the seed's "
        r"gradients $\varphi(a) - \varphi(a_+)$ and $G$ built without $\gamma$."
    ),
    assumptions=ASSUMPTIONS,
    derivation=T.td_derivation(),
    candidate=Formula(r"[\varphi(a) - \varphi(a_+);\ G|_{\gamma=1}\omega^{(1)}]", _gradient_without_gamma,
                      _gradient_without_gamma_sym),
    checks=(
        DerivativeCheck(primitive=_primitive, strategy=_points,
                        description="against the complex-step gradient of the TD error with gamma"),
    ),
    expected="refuted",
    corrected_by="td.two-layer-gradient",
    notes=(
        r"The seed drops $\gamma$ from $\mathcal L_{TD}$ although its HJB and $Q^*$ equations carry it; "
        r"its gradients are those of the undiscounted error. Smallest counterexample: $m = p = 1$, "
        r"$\gamma = 0$, any point where $\tanh(a_+) \ne 0$."
    ),
)

CLAIMS = (GRADIENT, AS_WRITTEN, LINEARIZATION)
