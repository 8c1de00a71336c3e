r"""Claims of seed 004 §1: gradients through activation chains and RNNs, attention costs.

Oracles differentiate the network itself (complex step through the forward pass),
count the operations an evaluation actually performs, or multiply the matrices
directly; none evaluates the derived bound or closed form.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import sympy as sp
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from derivations import networks as N

from ..checks import BoundCheck, CountCheck, DerivativeCheck, NumericIdentity, SymbolicIdentity
from ..model import Claim, Formula, Mutant
from ..numerics import complex_step_jacobian
from ..oracles import networks as ON

__all__ = ["CLAIMS"]

SOURCE = "seed 004 (deep-learning homework)"


# ---------------------------------------------------------------------------
# activation chains
# ---------------------------------------------------------------------------


def _chain_points():
    return st.tuples(st.integers(1, 8), st.floats(-10.0, 10.0, allow_nan=False))


def _chain_coordinates(p):
    n, x = p
    return np.array([x]), lambda v: (n, float(np.clip(v[0], -10.0, 10.0)))


def _chain_derivative(p, act):
    n, x = p
    J, _ = complex_step_jacobian(lambda X: ON.activation_chain(X, n, act), np.array([x]))
    return abs(float(J[0, 0]))


def _sigmoid_bound(p):
    """The derived bound at the point ``(n, x)``."""
    return N.sigmoid_chain_bound(p[0])


def _power_bound(p, base, shift=0):
    """Mutants: ``base^(n + shift)``."""
    n, _ = p
    return base ** (n + shift)


SIGMOID = Claim(
    id="networks.sigmoid-chain-bound",
    title="|f'(x)| <= (1/4)^n for n stacked unit-weight sigmoids",
    source=SOURCE + ", §1.1.1",
    statement=r"For $f = \sigma\circ\cdots\circ\sigma$ ($n$ layers, unit weights), $0 \le |f'(x)| \le (1/4)^n$.",
    assumptions=(r"$n \ge 1$ layers of one unit, weights 1, no biases; $x \in \mathbb{R}$",),
    derivation=N.sigmoid_chain_derivation(),
    candidate=Formula(r"(1/4)^n", _sigmoid_bound),
    checks=(
        BoundCheck(oracle=partial(_chain_derivative, act="sigmoid"), strategy=_chain_points,
                   coordinates=_chain_coordinates, sense="upper",
                   description="complex-step derivative of the network; search over n <= 8, |x| <= 10"),
    ),
    mutants=(
        Mutant("exponent-n-plus-1", r"$(1/4)^{n+1}$",
               Formula(r"(1/4)^{n+1}", partial(_power_bound, base=0.25, shift=1))),
        Mutant("sigmoid-slope-one-fifth", r"$(1/5)^n$ (wrong maximum of $\sigma'$)",
               Formula(r"(1/5)^n", partial(_power_bound, base=0.2))),
    ),
    notes=(
        r"Attained only for $n = 1$ (at $x = 0$): inner layers see $\sigma(\cdot) > 0$. The suprema "
        r"for $n = 2, 3, 4$ are $0.058959$, $0.013431$, $0.0030278$ (ratios $0.943$, $0.860$, $0.775$ "
        r"to $(1/4)^n$), at $x \approx -0.115, -0.148, -0.156$."
    ),
)

TANH = Claim(
    id="networks.tanh-chain-bound",
    title="|f'(x)| <= 1 for n stacked unit-weight tanh layers, attained at x = 0",
    source=SOURCE + ", §1.1.2",
    statement=r"For $n$ stacked $\tanh$ units with unit weights, $|f'(x)| \le 1$, with equality at $x = 0$.",
    assumptions=(r"$n \ge 1$ layers of one unit, weights 1, no biases",),
    derivation=N.tanh_chain_derivation(),
    candidate=Formula(r"1", lambda p: N.tanh_chain_bound(p[0])),
    checks=(
        BoundCheck(oracle=partial(_chain_derivative, act="tanh"), strategy=_chain_points,
                   coordinates=_chain_coordinates, sense="upper",
                   description="complex-step derivative of the network; any bound below 1 fails at x = 0"),
    ),
    mutants=(
        Mutant("vanishing-one-half", r"$(1/2)^n$ (claims the gradient must vanish)",
               Formula(r"(1/2)^n", partial(_power_bound, base=0.5))),
        Mutant("sigmoid-rate", r"$(1/4)^n$", Formula(r"(1/4)^n", partial(_power_bound, base=0.25))),
    ),
)


# ---------------------------------------------------------------------------
# RNN Jacobian
# ---------------------------------------------------------------------------


@st.composite
def _rnn_points(draw, min_n=2, max_n=6):
    d = draw(st.integers(1, 4))
    A = draw(hnp.arrays(float, (d, d), elements=st.integers(-4, 4).map(float)))
    s = np.linalg.norm(A, 2)
    W = 0.5 * np.eye(d) if s == 0 else 0.5 * A / s  # sigma_max(W) = 1/2 exactly (up to roundoff)
    x1 = draw(hnp.arrays(float, (d,), elements=st.integers(-12, 12).map(lambda i: i / 4)))
    n = draw(st.integers(min_n, max_n))
    return ON.RNNPoint(W, x1, n)


def _rnn_sigma_max(p):
    J, _ = complex_step_jacobian(lambda X: ON.rnn_forward(X, p.W, p.n), p.x1)
    return float(np.linalg.norm(J, 2))


def _rnn_coordinates(p):
    return p.x1.copy(), lambda v: p._replace(x1=np.clip(v, -3.0, 3.0))


def _rnn_bound(p):
    """The derived bound at ``p`` (sigma_max(W) = 1/2)."""
    return N.rnn_jacobian_bound(p.n, 0.5)


def _rnn_bound_as_written(p):
    """The assignment's bound at ``p``."""
    return N.rnn_jacobian_bound_as_written(p.n, 0.5)


def _rnn_bound_exponent_n(p):
    """Mutant: ``(1/2)^n``, the assignment's exponent."""
    return 0.5 ** p.n


RNN_AS_WRITTEN = Claim(
    id="networks.rnn-jacobian-bound",
    title="As written: sigma_max(dx_n/dx_1) <= (1/2)^n for x_{t+1} = tanh(W x_t), sigma_max(W) = 1/2",
    source=SOURCE + ", §1.2.1",
    statement=r"$0 \le \sigma_{\max}\bigl(\frac{\partial x_n}{\partial x_1}\bigr) \le (1/2)^n$.",
    assumptions=(r"$x_{t+1} = \tanh(Wx_t)$, $\sigma_{\max}(W) = \frac12$, $n \ge 2$",),
    derivation=N.rnn_derivation(),
    candidate=Formula(r"(1/2)^n", _rnn_bound_as_written),
    checks=(
        BoundCheck(oracle=_rnn_sigma_max, strategy=_rnn_points, coordinates=_rnn_coordinates, sense="upper",
                   description="complex-step Jacobian of the unrolled RNN; adversarial search over W, x_1, n"),
    ),
    expected="refuted",
    corrected_by="networks.rnn-jacobian-bound-corrected",
    notes=(
        r"Off by one: from $x_1$ to $x_n$ there are $n - 1$ layer Jacobians. Smallest counterexample: "
        r"$d = 1$, $W = [\frac12]$, $x_1 = 0$, $n = 2$: $\partial x_2/\partial x_1 = \frac12 > \frac14$. "
        r"The official solution repeats the slip."
    ),
)

RNN_CORRECTED = Claim(
    id="networks.rnn-jacobian-bound-corrected",
    title="sigma_max(dx_n/dx_1) <= (1/2)^(n-1), attained at x_1 = 0",
    source=SOURCE + ", §1.2.1 (corrected)",
    statement=r"$\sigma_{\max}\bigl(\frac{\partial x_n}{\partial x_1}\bigr) \le (1/2)^{n-1}$, with equality at $x_1 = 0$, $W = \frac12 I$.",
    assumptions=(r"$x_{t+1} = \tanh(Wx_t)$, $\sigma_{\max}(W) = \frac12$, $n \ge 2$",),
    derivation=N.rnn_derivation(),
    candidate=Formula(r"(1/2)^{n-1}", _rnn_bound),
    checks=(
        BoundCheck(oracle=_rnn_sigma_max, strategy=_rnn_points, coordinates=_rnn_coordinates, sense="upper",
                   description="complex-step Jacobian of the unrolled RNN; adversarial search over W, x_1, n"),
    ),
    mutants=(
        Mutant("assignment-exponent-n", r"$(1/2)^n$ (as written)", Formula(r"(1/2)^n", _rnn_bound_exponent_n)),
        Mutant("squared-norm", r"$(1/4)^{n-1}$", Formula(r"(1/4)^{n-1}", lambda p: 0.25 ** (p.n - 1))),
    ),
)


def _rnn_jacobian_candidate(p, *, transpose=False):
    J = N.rnn_jacobian(p.W, p.x1, p.n)
    return J.T if transpose else J


def _rnn_primitive(p):
    return (lambda X: ON.rnn_forward(X, p.W, p.n)), p.x1


def _rnn_blocks(p, J_ref):
    """One block; its scale is the size of the products that cancel, max |W|^(n-1) entrywise (|tanh'| <= 1):
    a nilpotent W (thorough calibration, seed 1: W^2 = 0) has a Jacobian of exactly 0 computed as 1e-17."""
    return [(slice(None), float(np.linalg.matrix_power(np.abs(p.W), p.n - 1).max()))]


def _rnn_jac_sym(size, *, transpose=False):
    d, n = size
    J, W, x1 = N.rnn_jacobian_sym(d, n)
    return J.T if transpose else J


def _rnn_jac_reference(size):
    """SymPy's own Jacobian of the unrolled map."""
    d, n = size
    _, W, x1 = N.rnn_jacobian_sym(d, n)
    x = x1
    for _ in range(n - 1):
        x = (W * x).applyfunc(sp.tanh)
    return x.jacobian(x1)


RNN_JACOBIAN = Claim(
    id="networks.rnn-jacobian",
    title="dx_n/dx_1 = prod_t diag(1 - x_{t+1}^2) W (chain rule through the RNN)",
    source=SOURCE + ", §1.2.1",
    statement=r"$\frac{\partial x_n}{\partial x_1} = \prod_{t=n-1}^{1}\operatorname{diag}(1 - x_{t+1}^2)\,W$.",
    assumptions=(r"$x_{t+1} = \tanh(Wx_t)$, $W \in \mathbb{R}^{d\times d}$",),
    derivation=N.rnn_derivation(),
    candidate=Formula(r"\prod_t\operatorname{diag}(1 - x_{t+1}^2)W", _rnn_jacobian_candidate, _rnn_jac_sym),
    checks=(
        SymbolicIdentity(reference=_rnn_jac_reference, sizes=((2, 2), (2, 3)),
                         description="against SymPy's jacobian of the unrolled map"),
        DerivativeCheck(primitive=_rnn_primitive, strategy=_rnn_points, blocks=_rnn_blocks,
                        examples=(ON.RNNPoint(np.array([[-0.2, 0.4], [-0.1, 0.2]]), np.zeros(2), 3),),
                        description="against the complex-step Jacobian of the forward pass"),
    ),
    mutants=(
        Mutant("transposed", r"$\bigl(\prod_t\operatorname{diag}(\cdot)W\bigr)^\top$",
               Formula(r"(\cdots)^\top", partial(_rnn_jacobian_candidate, transpose=True),
                       partial(_rnn_jac_sym, transpose=True))),
    ),
)


# ---------------------------------------------------------------------------
# attention
# ---------------------------------------------------------------------------


def _attention_sizes():
    return st.tuples(st.integers(1, 40), st.integers(1, 16))


def _counted_attention(p):
    n, d = p
    rng = np.random.default_rng(n * 1000 + d)
    Q, K, V = (rng.normal(size=(n, d)) for _ in range(3))
    return ON.counted_attention(Q, K, V).multiply_adds


def _attention_count(p, *, variant="derived"):
    n, d = p
    if variant == "one-product":
        return n * n * d
    if variant == "linear":
        return 2 * n * d * d
    return N.attention_cost(n, d)["multiply_adds"]


ATTENTION_COST = Claim(
    id="networks.attention-cost",
    title="softmax(QK^T/sqrt d)V costs 2 n^2 d multiply-adds: quadratic in n",
    source=SOURCE + ", §1.3.1",
    statement=r"Self-attention with $Q, K, V \in \mathbb{R}^{n\times d}$ takes $2n^2d$ multiply-adds and $n^2$ exponentials: $\Theta(n^2d)$.",
    assumptions=(r"dense matrix products; $n, d \ge 1$",),
    derivation=N.attention_cost_derivation(),
    candidate=Formula(r"2n^2d", _attention_count),
    checks=(
        CountCheck(_counted_attention, _attention_sizes,
                   description="operations counted while evaluating attention (benchmarks/bench_attention.py fits the timing exponents)"),
    ),
    mutants=(
        Mutant("PV-forgotten", r"$n^2d$ (only $QK^\top$)", Formula(r"n^2d", partial(_attention_count, variant="one-product"))),
        Mutant("linear-in-n", r"$2nd^2$", Formula(r"2nd^2", partial(_attention_count, variant="linear"))),
    ),
)


@st.composite
def _low_rank_points(draw):
    n = draw(st.integers(1, 12))
    k = draw(st.integers(1, n))
    d = draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**16))
    return ON.low_rank_instance(n, k, d, seed)


def _low_rank_candidate(p, *, variant="derived"):
    U, s, Vt = p.U, p.s, p.Vt
    if variant == "sigma-dropped":
        value = U @ (Vt @ p.V)
    else:
        value = N.low_rank_attention(U, s, Vt, p.V)
    n, k, d = p.sizes
    count = N.low_rank_cost(n, k, d)["multiply_adds"] if variant != "quadratic-count" else 2 * n * n * d
    return {"value": value, "count": count}


LOW_RANK = Claim(
    id="networks.attention-low-rank",
    title="With the SVD of a rank-k P, PV = U_k(Sigma_k(V_k^T V)) in O(nkd)",
    source=SOURCE + ", §1.3.2",
    statement=r"If $P = U_k\Sigma_kV_k^\top$ has rank $k$, $PV = U_k(\Sigma_k(V_k^\top V))$, computed with $2nkd + kd$ multiply-adds.",
    assumptions=(r"$P \in \mathbb{R}^{n\times n}$ of rank $k$ with its SVD given; $V \in \mathbb{R}^{n\times d}$",),
    derivation=N.low_rank_derivation(),
    candidate=Formula(r"U_k(\Sigma_k(V_k^\top V))", _low_rank_candidate),
    checks=(
        NumericIdentity(reference=lambda p: p.P @ p.V, strategy=_low_rank_points, part="value",
                        scale=lambda p: float(np.abs(p.P).sum(axis=1).max() * np.abs(p.V).max()),
                        description="against the dense product PV"),
        NumericIdentity(reference=ON.counted_low_rank, strategy=_low_rank_points, part="count",
                        description="operations counted while evaluating the factored product"),
    ),
    mutants=(
        Mutant("sigma-dropped", r"$U_k(V_k^\top V)$", Formula(r"U_k(V_k^\top V)", partial(_low_rank_candidate, variant="sigma-dropped"))),
        Mutant("quadratic-count", r"$2n^2d$ operations", Formula(r"2n^2d", partial(_low_rank_candidate, variant="quadratic-count"))),
    ),
)


def _projection_product(p, C, D):
    return p.Q @ (C @ p.K).T @ (D @ p.V)


def _projection_candidate(p):
    """``Q (CK)^T D V`` with the derived ``C = D = Ṽ^T`` of ``P = QK^T``."""
    C, D = N.projection_matrices(p.Q @ p.K.T, p.sizes[1])
    return _projection_product(p, C, D)


def _projection_left_vectors(p):
    """Mutant: ``C = D = Ũ^T`` (left singular vectors)."""
    U, _, _ = np.linalg.svd(p.Q @ p.K.T)
    k = p.sizes[1]
    return _projection_product(p, U[:, :k].T, U[:, :k].T)


@st.composite
def _projection_points(draw):
    n = draw(st.integers(2, 12))
    k = draw(st.integers(1, n - 1))
    d = draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**16))
    return ON.projection_instance(n, k, d, seed)


PROJECTION = Claim(
    id="networks.attention-projection",
    title="P = QK^T of rank k: PV = Q(CK)^T D V with C = D = V_k^T",
    source=SOURCE + ", §1.3.3",
    statement=r"If $P = QK^\top$ has rank $k$ with SVD $\tilde U\Sigma\tilde V^\top$, then $PV = Q(CK)^\top DV$ for $C = D = \tilde V^\top \in \mathbb{R}^{k\times n}$.",
    assumptions=(r"$Q, K, V \in \mathbb{R}^{n\times d}$, $\operatorname{rank}(QK^\top) = k$",),
    derivation=N.projection_derivation(),
    candidate=Formula(r"Q(CK)^\top DV,\ C = D = \tilde V^\top", _projection_candidate),
    checks=(
        NumericIdentity(reference=lambda p: p.Q @ p.K.T @ p.V, strategy=_projection_points,
                        scale=lambda p: float(np.abs(p.Q).max() * np.abs(p.K).sum(axis=0).max() * np.abs(p.V).sum(axis=0).max() + 1),
                        description="random rank-k instances against the dense PV"),
    ),
    mutants=(
        Mutant("left-singular-vectors", r"$C = D = \tilde U^\top$", Formula(r"C = D = \tilde U^\top", _projection_left_vectors)),
    ),
)


CLAIMS = (SIGMOID, TANH, RNN_AS_WRITTEN, RNN_CORRECTED, RNN_JACOBIAN, ATTENTION_COST, LOW_RANK, PROJECTION)
