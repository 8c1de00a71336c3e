r"""Hypothesis strategies for the objects our claims quantify over.

Named for what they produce; bounds are keyword-only ``min_*``/``max_*`` pairs and a
bad bound raises :class:`~verify.errors.ValidationError` quoting the argument. All
strategies shrink toward small sizes and simple values (zeros, small integers), so
counterexamples are readable.

Use them in your own property tests:

>>> from hypothesis import given, settings
>>> @settings(max_examples=20, database=None)
... @given(row_stochastic_matrices(max_size=3))
... def test_rows_sum_to_one(S):
...     assert np.allclose(S.sum(axis=1), 1.0)
>>> test_rows_sum_to_one()
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .errors import ValidationError

__all__ = [
    "logit_matrices",
    "row_stochastic_matrices",
    "discount_factors",
    "reward_vectors",
    "implicit_points",
    "ImplicitPoint",
    "feature_matrices",
    "LinearSGDPoint",
    "ImplicitSGDPoint",
    "linear_sgd_points",
    "implicit_sgd_points",
    "one_hot_states",
    "grid_values",
    "finite_distributions",
    "invertible_matrices",
    "flow_layers",
    "FLOW_LAYER_KINDS",
    "FiniteMDP",
    "finite_mdps",
    "policy_logits",
    "stochastic_policies",
    "deterministic_policies",
    "value_functions",
    "MultiAgentMDP",
    "multiagent_mdps",
]


def _check_size_bounds(min_size, max_size, size=None):
    if size is not None:
        if int(size) != size or size < 1:
            raise ValidationError(f"size={size!r} must be a positive integer")
        return int(size), int(size)
    if int(min_size) != min_size or min_size < 1:
        raise ValidationError(f"min_size={min_size!r} must be a positive integer")
    if int(max_size) != max_size or max_size < 1:
        raise ValidationError(f"max_size={max_size!r} must be a positive integer")
    if min_size > max_size:
        raise ValidationError(f"min_size={min_size} is larger than max_size={max_size}")
    return int(min_size), int(max_size)


def _check_magnitude(name, value):
    if not (np.isfinite(value) and value > 0):
        raise ValidationError(f"{name}={value!r} must be a positive finite number")


def _finite_floats(bound):
    """Finite floats without subnormals: 5e-324 only tests underflow, never the mathematics."""
    return st.floats(-bound, bound, allow_nan=False, allow_infinity=False, allow_subnormal=False, width=64)


def _sizes(min_size, max_size, size):
    lo, hi = _check_size_bounds(min_size, max_size, size)
    return st.integers(lo, hi)


@st.composite
def _logits(draw, n, max_magnitude, large_row_scales):
    F = draw(hnp.arrays(np.float64, (n, n), elements=_finite_floats(max_magnitude)))
    scales = draw(st.lists(st.sampled_from(large_row_scales), min_size=n, max_size=n))
    F = F * np.asarray(scales, dtype=float)[:, None]
    if len(large_row_scales) > 1:
        # "spike" rows: a deterministic jump to one column (shrinks to no spike, column 0)
        spikes = draw(st.lists(st.sampled_from((0.0, 50.0)), min_size=n, max_size=n))
        cols = draw(st.lists(st.integers(0, n - 1), min_size=n, max_size=n))
        F[np.arange(n), cols] += np.asarray(spikes) * max(1.0, max_magnitude / 10.0)
    return F


def logit_matrices(
    *,
    min_size: int = 1,
    max_size: int = 4,
    size: int | None = None,
    max_magnitude: float = 10.0,
    large_rows: bool = True,
):
    r"""Square logit matrices :math:`F` (unnormalised log-probabilities).

    Entries lie in ``[-max_magnitude, max_magnitude]``; with ``large_rows`` a row may
    be scaled by 10 or 100, or get a spike of +50 in one column, which saturates its
    softmax (near one-hot rows: deterministic transitions), the regime where floating
    point and bounds are stressed. Shrinks toward ``F = 0``
    (uniform transitions) of size ``min_size``.
    """
    _check_magnitude("max_magnitude", max_magnitude)
    scales = (1.0, 10.0, 100.0) if large_rows else (1.0,)
    return _sizes(min_size, max_size, size).flatmap(
        lambda n: _logits(n, max_magnitude, scales)
    )


def row_stochastic_matrices(*, min_size: int = 1, max_size: int = 4, size: int | None = None):
    r"""Row-stochastic matrices, including exact one-hot (deterministic) rows.

    Built by normalising non-negative weights; an all-zero row becomes uniform.
    Shrinks toward the uniform matrix.
    """

    @st.composite
    def _build(draw, n):
        W = draw(
            hnp.arrays(
                np.float64,
                (n, n),
                elements=st.one_of(
                    st.just(0.0), st.floats(0.0, 1.0, allow_nan=False, width=64), st.just(1.0)
                ),
            )
        )
        sums = W.sum(axis=1, keepdims=True)
        W = np.where(sums > 0, W, 1.0)
        return W / W.sum(axis=1, keepdims=True)

    return _sizes(min_size, max_size, size).flatmap(_build)


def discount_factors(
    *, min_value: float = 0.0, max_value: float = 1.0 - 1e-4, near_one: bool = True
):
    r"""Discount factors in ``[min_value, max_value]`` with ``max_value < 1``.

    With ``near_one`` a third of the draws lie within ``1e-3`` of 1 (but not above
    ``max_value``), where :math:`(1-\eta)^{-1}` amplifies every error. Shrinks toward
    ``min_value``.

    >>> discount_factors(max_value=1.0)
    Traceback (most recent call last):
    ...
    derivations.errors.ValidationError: max_value=1.0 must be below 1 (A = I - eta S is singular at eta = 1)
    """
    if not (0.0 <= min_value < 1.0):
        raise ValidationError(f"min_value={min_value!r} must lie in [0, 1)")
    if not max_value < 1.0:
        raise ValidationError(
            f"max_value={max_value!r} must be below 1 (A = I - eta S is singular at eta = 1)"
        )
    if min_value > max_value:
        raise ValidationError(f"min_value={min_value} is larger than max_value={max_value}")
    base = st.floats(min_value, max_value, allow_nan=False, width=64)
    if not near_one or max_value < 1.0 - 1e-3:
        return base
    close = st.floats(max(min_value, 1.0 - 1e-3), max_value, allow_nan=False, width=64)
    return st.one_of(base, close)


def reward_vectors(
    *, min_size: int = 1, max_size: int = 4, size: int | None = None, max_magnitude: float = 10.0
):
    """Reward vectors with entries in ``[-max_magnitude, max_magnitude]``; shrink to 0."""
    _check_magnitude("max_magnitude", max_magnitude)
    return _sizes(min_size, max_size, size).flatmap(
        lambda n: hnp.arrays(np.float64, (n,), elements=_finite_floats(max_magnitude))
    )


class ImplicitPoint(NamedTuple):
    """A point ``(w, F, eta)`` of the implicit parameterization."""

    w: np.ndarray
    F: np.ndarray
    eta: float

    @property
    def n(self) -> int:
        return int(self.w.size)

    def readable(self) -> dict:
        """Plain lists, for reports."""
        return {"w": self.w.tolist(), "F": self.F.tolist(), "eta": float(self.eta)}


def implicit_points(
    *,
    min_size: int = 1,
    max_size: int = 4,
    max_reward: float = 10.0,
    max_logit: float = 10.0,
    max_eta: float = 1.0 - 1e-4,
    large_rows: bool = True,
):
    r"""Points :math:`(w, F, \eta)`: rewards, logits and a discount of one common size."""

    def _at(n):
        return st.builds(
            ImplicitPoint,
            reward_vectors(size=n, max_magnitude=max_reward),
            logit_matrices(size=n, max_magnitude=max_logit, large_rows=large_rows),
            discount_factors(max_value=max_eta),
        )

    return _sizes(min_size, max_size, None).flatmap(_at)


# ---------------------------------------------------------------------------
# SGD on linear values: features, targets, minibatch sizes
# ---------------------------------------------------------------------------


def grid_values(lo: float, hi: float, *, step: float = 0.25):
    """Multiples of ``step`` in ``[lo, hi]``: readable, no underflow, shrink toward 0.

    >>> grid_values(1.0, -1.0)
    Traceback (most recent call last):
    ...
    derivations.errors.ValidationError: grid_values needs lo <= hi and step > 0; got lo=1.0, hi=-1.0, step=0.25
    """
    if not (step > 0 and lo <= hi):
        raise ValidationError(f"grid_values needs lo <= hi and step > 0; got lo={lo!r}, hi={hi!r}, step={step!r}")
    return st.integers(int(np.ceil(lo / step)), int(np.floor(hi / step))).map(lambda i: i * step)


def _quarters(bound):
    return grid_values(-bound, bound)


def feature_matrices(*, n: int, d: int, max_magnitude: float = 2.0):
    """``(n, d)`` feature matrices (rows are the features of the data points), entries
    multiples of 1/4 (so counterexamples read well and nothing underflows)."""
    _check_size_bounds(1, 1, n)
    _check_size_bounds(1, 1, d)
    _check_magnitude("max_magnitude", max_magnitude)
    return hnp.arrays(np.float64, (n, d), elements=_quarters(max_magnitude))


class LinearSGDPoint(NamedTuple):
    """Explicit parameterization: data ``(phi, y)``, weights ``theta``, batch size ``k``, step ``alpha``."""

    phi: np.ndarray
    y: np.ndarray
    theta: np.ndarray
    k: int
    alpha: float = 1.0

    @property
    def n(self) -> int:
        return int(self.phi.shape[0])

    def residual(self) -> np.ndarray:
        return self.phi @ self.theta - self.y

    def readable(self) -> dict:
        return {"phi": self.phi.tolist(), "y": self.y.tolist(), "theta": self.theta.tolist(),
                "k": int(self.k), "alpha": float(self.alpha)}


class ImplicitSGDPoint(NamedTuple):
    """Implicit parameterization: data ``(phi, y)``, parameters ``(w, F, eta)``, batch ``k``, step ``alpha``."""

    phi: np.ndarray
    y: np.ndarray
    w: np.ndarray
    F: np.ndarray
    eta: float
    k: int
    alpha: float = 1.0

    @property
    def n(self) -> int:
        return int(self.phi.shape[0])

    @property
    def implicit(self) -> ImplicitPoint:
        return ImplicitPoint(self.w, self.F, self.eta)

    def readable(self) -> dict:
        return {"phi": self.phi.tolist(), "y": self.y.tolist(), "w": self.w.tolist(),
                "F": self.F.tolist(), "eta": float(self.eta), "k": int(self.k), "alpha": float(self.alpha)}


def linear_sgd_points(*, min_n: int = 2, max_n: int = 6, max_d: int = 3, max_target: float = 5.0):
    """Explicit SGD instances with ``2 <= n`` data points, ``d <= max_d`` features, ``1 <= k <= n``."""
    lo, hi = _check_size_bounds(min_n, max_n)

    def _at(nd):
        n, d = nd
        return st.builds(LinearSGDPoint, feature_matrices(n=n, d=d),
                         hnp.arrays(np.float64, (n,), elements=_quarters(max_target)),
                         hnp.arrays(np.float64, (d,), elements=_quarters(max_target)),
                         st.integers(1, n))

    return st.tuples(st.integers(lo, hi), st.integers(1, max_d)).flatmap(_at)


def implicit_sgd_points(*, min_n: int = 2, max_n: int = 5, min_d: int = 2, max_d: int = 3,
                        max_logit: float = 3.0, min_eta: float = 0.0, max_eta: float = 0.95):
    """Implicit SGD instances: data ``(phi, y)``, a model ``(w, F, eta)`` of size ``d``, batch ``k``.

    Logits are moderate (``|F| <= max_logit``): the claims that use these points are
    about ``eta`` and ``alpha``, and saturated rows only make their constants huge.
    """
    lo, hi = _check_size_bounds(min_n, max_n)
    dlo, dhi = _check_size_bounds(min_d, max_d)

    def _at(nd):
        n, d = nd
        return st.builds(ImplicitSGDPoint, feature_matrices(n=n, d=d),
                         hnp.arrays(np.float64, (n,), elements=_quarters(5.0)),
                         hnp.arrays(np.float64, (d,), elements=_quarters(5.0)),
                         logit_matrices(size=d, max_magnitude=max_logit, large_rows=False),
                         discount_factors(min_value=min_eta, max_value=max_eta),
                         st.integers(1, n))

    return st.tuples(st.integers(lo, hi), st.integers(dlo, dhi)).flatmap(_at)


def one_hot_states(*, n: int, n_states: int):
    """State indices ``s_i`` of ``n`` data points among ``n_states`` (repeats allowed)."""
    return hnp.arrays(np.intp, (n,), elements=st.integers(0, n_states - 1))


# ---------------------------------------------------------------------------
# finite distributions, invertible matrices, flows
# ---------------------------------------------------------------------------


def _integer_arrays(draw, shape, lo, hi):
    size = int(np.prod(shape))
    return np.asarray(draw(st.lists(st.integers(lo, hi), min_size=size, max_size=size)), float).reshape(shape)


@st.composite
def _finite_distributions(draw, lo, hi, max_weight):
    k = draw(st.integers(lo, hi))
    w = _integer_arrays(draw, (k,), 1, max_weight)
    return w / w.sum()


def finite_distributions(*, min_size: int = 1, max_size: int = 6, max_weight: int = 9):
    r"""Probability vectors :math:`p_i = w_i/\sum_j w_j` with integer weights ``1 <= w_i <= max_weight``.

    Every probability is an exact rational (``fractions.Fraction(w_i, sum(w))`` recovers it), none
    is zero, and shrinking goes toward the uniform distribution on few outcomes.

    >>> from hypothesis import find
    >>> find(finite_distributions(min_size=3), lambda p: True).tolist()
    [0.3333333333333333, 0.3333333333333333, 0.3333333333333333]
    """
    lo, hi = _check_size_bounds(min_size, max_size)
    if int(max_weight) != max_weight or max_weight < 1:
        raise ValidationError(f"max_weight={max_weight!r} must be a positive integer")
    return _finite_distributions(lo, hi, int(max_weight))


@st.composite
def _invertible(draw, d, max_condition, min_abs_det):
    diag = np.asarray(draw(st.lists(st.sampled_from((-2.0, -1.0, -0.5, 0.5, 1.0, 2.0)), min_size=d, max_size=d)))
    off = _integer_arrays(draw, (d, d), -2, 2) / 4
    A = np.diag(diag) + off * (1 - np.eye(d))
    if abs(np.linalg.det(A)) < min_abs_det or np.linalg.cond(A) > max_condition:
        A = np.diag(diag)  # fall back to the diagonal part: always within the bounds
    return A


def invertible_matrices(*, size: int, max_condition: float = 50.0, min_abs_det: float = 0.1):
    """Square matrices with a diagonal in ``{±1/2, ±1, ±2}`` and off-diagonal quarters, kept only when
    ``cond(A) <= max_condition`` and ``|det A| >= min_abs_det`` (otherwise the diagonal part)."""
    _check_size_bounds(1, 1, size)
    if not (max_condition >= 4.0):
        raise ValidationError(f"max_condition={max_condition!r} must be at least 4 (the diagonal's own condition)")
    if not (0 < min_abs_det <= 0.5 ** size):
        raise ValidationError(f"min_abs_det={min_abs_det!r} must lie in (0, 2**-size]; diagonal matrices must qualify")
    return _invertible(size, float(max_condition), float(min_abs_det))


FLOW_LAYER_KINDS = ("affine", "sinh", "planar", "radial")


@st.composite
def _flow_layers(draw, d, max_layers, kinds):
    layers = []
    for _ in range(draw(st.integers(1, max_layers))):
        kind = draw(st.sampled_from(kinds))
        if kind == "affine":
            A = draw(invertible_matrices(size=d))
            layers.append(("affine", A, _integer_arrays(draw, (d,), -4, 4) / 4))
        elif kind == "sinh":
            layers.append(("sinh",))
        elif kind == "planar":
            w = _integer_arrays(draw, (d,), -4, 4) / 2
            v = _integer_arrays(draw, (d,), -4, 4) / 4
            if w @ v <= -0.75:  # invertible iff w.v > -1; keep a margin so the log-det stays finite
                v = -v
            layers.append(("planar", w, v, draw(grid_values(-1.0, 1.0))))
        else:
            alpha = draw(grid_values(0.25, 2.0))
            beta = draw(grid_values(-0.75, 2.0)) * alpha  # beta >= -3 alpha / 4 > -alpha: invertible
            z0 = _integer_arrays(draw, (d,), -4, 4) / 4 + 0.1  # off the grid of the test points
            layers.append(("radial", z0, alpha, beta))
    return tuple(layers)


def flow_layers(*, dim: int, max_layers: int = 3, kinds: tuple = FLOW_LAYER_KINDS):
    r"""Compositions of invertible flow layers on :math:`\mathbb R^{d}` (the tuples of
    :mod:`derivations.cov`): affine (:func:`invertible_matrices`), elementwise ``sinh``, planar
    :math:`u + v\tanh(w^\top u + b)` with :math:`w^\top v > -3/4`, radial
    :math:`u + \beta(u - z_0)/(\alpha + r)` with :math:`\beta \ge -3\alpha/4`."""
    _check_size_bounds(1, 1, dim)
    _check_size_bounds(1, 1, max_layers)
    bad = [k for k in kinds if k not in FLOW_LAYER_KINDS]
    if bad or not kinds:
        raise ValidationError(f"kinds={kinds!r}: choose a non-empty subset of {FLOW_LAYER_KINDS}")
    return _flow_layers(dim, max_layers, tuple(kinds))


# ---------------------------------------------------------------------------
# finite MDPs and policies
# ---------------------------------------------------------------------------


class FiniteMDP(NamedTuple):
    """``P[s, a, s']`` transition probabilities, ``r[s, a]`` rewards, discount ``gamma``, start law ``p0``."""

    P: np.ndarray
    r: np.ndarray
    gamma: float
    p0: np.ndarray

    @property
    def n_states(self) -> int:
        return int(self.P.shape[0])

    @property
    def n_actions(self) -> int:
        return int(self.P.shape[1])

    def readable(self) -> dict:
        return {"P": self.P.tolist(), "r": self.r.tolist(), "gamma": float(self.gamma), "p0": self.p0.tolist()}


@st.composite
def _finite_mdps(draw, s_lo, s_hi, a_lo, a_hi, max_gamma, deterministic, max_reward):
    S, A = draw(st.integers(s_lo, s_hi)), draw(st.integers(a_lo, a_hi))
    if deterministic:
        nxt = _integer_arrays(draw, (S, A), 0, S - 1).astype(int)
        P = np.zeros((S, A, S))
        P[np.arange(S)[:, None], np.arange(A)[None, :], nxt] = 1.0
    else:
        P = _integer_arrays(draw, (S, A, S), 0, 4) + np.eye(S)[:, None, :]  # rows positive: can stay
        P = P / P.sum(axis=2, keepdims=True)
    r = _integer_arrays(draw, (S, A), -int(max_reward), int(max_reward))
    gamma = draw(st.sampled_from(tuple(g for g in (0.5, 0.0, 0.9, 0.25, 0.75, 0.99, 0.999) if g <= max_gamma)))
    p0 = _integer_arrays(draw, (S,), 1, 4)
    return FiniteMDP(P, r, float(gamma), p0 / p0.sum())


def finite_mdps(*, min_states: int = 1, max_states: int = 8, min_actions: int = 1, max_actions: int = 4,
                max_gamma: float = 0.999, deterministic: bool = False, max_reward: int = 3):
    """Finite discounted MDPs: transition rows are ratios of small integers (each ``(s, a)`` may stay
    in ``s``), integer rewards in ``[-max_reward, max_reward]``, ``gamma`` from
    ``{0, 1/4, 1/2, 3/4, 0.9, 0.99, 0.999}`` up to ``max_gamma``. ``deterministic=True`` gives one
    successor per ``(s, a)``. Shrinks toward one state, one action, ``gamma = 1/2``, zero rewards."""
    slo, shi = _check_size_bounds(min_states, max_states)
    alo, ahi = _check_size_bounds(min_actions, max_actions)
    if not (0.0 <= max_gamma < 1.0):
        raise ValidationError(f"max_gamma={max_gamma!r} must lie in [0, 1)")
    return _finite_mdps(slo, shi, alo, ahi, float(max_gamma), bool(deterministic), max_reward)


def policy_logits(*, n_states: int, n_actions: int, max_magnitude: float = 1.0):
    r"""Softmax-policy logits :math:`\theta[s, a]` (quarters in ``[-max_magnitude, max_magnitude]``)."""
    _check_size_bounds(1, 1, n_states)
    _check_size_bounds(1, 1, n_actions)
    _check_magnitude("max_magnitude", max_magnitude)
    return hnp.arrays(np.float64, (n_states, n_actions), elements=_quarters(max_magnitude))


def stochastic_policies(*, n_states: int, n_actions: int):
    """Policies ``pi[s, a]`` whose rows are ratios of small integers (zeros allowed, rows non-empty)."""
    _check_size_bounds(1, 1, n_states)
    _check_size_bounds(1, 1, n_actions)

    @st.composite
    def _pi(draw):
        w = _integer_arrays(draw, (n_states, n_actions), 0, 4)
        w[w.sum(axis=1) == 0, 0] = 1.0
        return w / w.sum(axis=1, keepdims=True)

    return _pi()


def deterministic_policies(*, n_states: int, n_actions: int):
    """Deterministic policies as an action index per state."""
    _check_size_bounds(1, 1, n_states)
    _check_size_bounds(1, 1, n_actions)
    return hnp.arrays(np.intp, (n_states,), elements=st.integers(0, n_actions - 1))


def value_functions(*, n: int, max_magnitude: float = 10.0):
    """Value vectors of length ``n`` (quarters in ``[-max_magnitude, max_magnitude]``)."""
    _check_size_bounds(1, 1, n)
    _check_magnitude("max_magnitude", max_magnitude)
    return hnp.arrays(np.float64, (n,), elements=_quarters(max_magnitude))


class MultiAgentMDP(NamedTuple):
    """``m`` agents with ``U`` actions each; the joint action ``(u_1, ..., u_m)`` indexes ``mdp``'s
    actions as ``np.ravel_multi_index`` over ``(U,) * m``; ``mdp.r`` holds stage **costs**;
    ``base[s]`` is the base policy's joint action (one entry per agent)."""

    mdp: FiniteMDP
    n_agents: int
    n_actions: int
    base: np.ndarray  #: (S, m)

    def readable(self) -> dict:
        return {"agents": self.n_agents, "actions_per_agent": self.n_actions, "P": self.mdp.P.tolist(),
                "cost": self.mdp.r.tolist(), "gamma": self.mdp.gamma, "base": self.base.tolist()}


@st.composite
def _multiagent_mdps(draw, max_states, max_agents, max_actions, max_joint, deterministic):
    # sizes first, then the base policy and the costs, the dynamics last: shrinking then tends to
    # one state, two agents, and only the costs that matter
    S = draw(st.integers(1, max_states))
    m = draw(st.integers(2, max_agents))
    U = draw(st.integers(2, max_actions))
    while U**m > max_joint:
        if U > 2:
            U -= 1
        else:
            m -= 1
    J = U**m
    base = _integer_arrays(draw, (S, m), 0, U - 1).astype(int)
    cost = _integer_arrays(draw, (S, J), 0, 3)
    gamma = draw(st.sampled_from((0.5, 0.9, 0.0, 0.99)))
    if deterministic or draw(st.booleans()):
        nxt = _integer_arrays(draw, (S, J), 0, S - 1).astype(int)
        P = np.zeros((S, J, S))
        P[np.arange(S)[:, None], np.arange(J)[None, :], nxt] = 1.0
    else:
        P = _integer_arrays(draw, (S, J, S), 0, 3) + np.eye(S)[:, None, :]
        P = P / P.sum(axis=2, keepdims=True)
    return MultiAgentMDP(FiniteMDP(P, cost, float(gamma), np.full(S, 1.0 / S)), m, U, base)


def multiagent_mdps(*, max_states: int = 3, max_agents: int = 4, max_actions: int = 3, max_joint: int = 27,
                    deterministic: bool = False):
    """Small multi-agent MDPs (2 to ``max_agents`` agents, joint action sets of at most ``max_joint``)
    with integer stage costs in ``[0, 3]`` and a deterministic base policy. Shrinks toward one
    state, two agents with two actions each, zero costs, base ``(0, ..., 0)``."""
    _check_size_bounds(1, max_states)
    if not (2 <= max_agents <= 6 and 2 <= max_actions and max_joint >= 4):
        raise ValidationError(f"need 2 <= max_agents <= 6, max_actions >= 2, max_joint >= 4; got "
                              f"max_agents={max_agents!r}, max_actions={max_actions!r}, max_joint={max_joint!r}")
    return _multiagent_mdps(max_states, max_agents, max_actions, max_joint, bool(deterministic))
