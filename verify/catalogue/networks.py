r"""Claims of seed 004 §1: gradients through activation chains and RNNs, attention costs.

Oracles differentiate the network itself (complex step through the forward pass),
count the operations an evaluation actually performs, or multiply the matrices
directly; none evaluates the derived bound or closed form.
"""

from __future__ import annotations

from functools import partial

from derivations import networks as N

from ..candidates import networks as C
from ..checks import BoundCheck, CountCheck, DerivativeCheck, NumericIdentity, SymbolicIdentity
from ..model import Claim, Formula, Mutant
from ..probes import networks as P

__all__ = ["CLAIMS"]

SOURCE = "seed 004 (deep-learning homework)"


SIGMOID = Claim(
    id="networks.sigmoid-chain-bound",
    title="|f'(x)| <= (1/4)^n for n stacked unit-weight sigmoids",
    source=SOURCE + ", §1.1.1",
    statement=r"For $f = \sigma\circ\cdots\circ\sigma$ ($n$ layers, unit weights), $0 \le |f'(x)| \le (1/4)^n$.",
    assumptions=(r"$n \ge 1$ layers of one unit, weights 1, no biases; $x \in \mathbb{R}$",),
    derivation=N.sigmoid_chain_derivation(),
    candidate=Formula(r"(1/4)^n", C.sigmoid_bound),
    checks=(
        BoundCheck(oracle=partial(P.chain_derivative, act="sigmoid"), strategy=P.chain_points,
                   coordinates=P.chain_coordinates, sense="upper",
                   description="complex-step derivative of the network; search over n <= 8, |x| <= 10"),
    ),
    mutants=(
        Mutant("exponent-n-plus-1", r"$(1/4)^{n+1}$",
               Formula(r"(1/4)^{n+1}", partial(C.power_bound, base=0.25, shift=1))),
        Mutant("sigmoid-slope-one-fifth", r"$(1/5)^n$ (wrong maximum of $\sigma'$)",
               Formula(r"(1/5)^n", partial(C.power_bound, base=0.2))),
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
    candidate=Formula(r"1", C.tanh_bound),
    checks=(
        BoundCheck(oracle=partial(P.chain_derivative, act="tanh"), strategy=P.chain_points,
                   coordinates=P.chain_coordinates, sense="upper",
                   description="complex-step derivative of the network; any bound below 1 fails at x = 0"),
    ),
    mutants=(
        Mutant("vanishing-one-half", r"$(1/2)^n$ (claims the gradient must vanish)",
               Formula(r"(1/2)^n", partial(C.power_bound, base=0.5))),
        Mutant("sigmoid-rate", r"$(1/4)^n$", Formula(r"(1/4)^n", partial(C.power_bound, base=0.25))),
    ),
)


RNN_AS_WRITTEN = Claim(
    id="networks.rnn-jacobian-bound",
    title="As written: sigma_max(dx_n/dx_1) <= (1/2)^n for x_{t+1} = tanh(W x_t), sigma_max(W) = 1/2",
    source=SOURCE + ", §1.2.1",
    statement=r"$0 \le \sigma_{\max}\bigl(\frac{\partial x_n}{\partial x_1}\bigr) \le (1/2)^n$.",
    assumptions=(r"$x_{t+1} = \tanh(Wx_t)$, $\sigma_{\max}(W) = \frac12$, $n \ge 2$",),
    derivation=N.rnn_derivation(),
    candidate=Formula(r"(1/2)^n", C.rnn_bound_as_written),
    checks=(
        BoundCheck(oracle=P.rnn_sigma_max, strategy=P.rnn_points, coordinates=P.rnn_coordinates, sense="upper",
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
    candidate=Formula(r"(1/2)^{n-1}", C.rnn_bound),
    checks=(
        BoundCheck(oracle=P.rnn_sigma_max, strategy=P.rnn_points, coordinates=P.rnn_coordinates, sense="upper",
                   description="complex-step Jacobian of the unrolled RNN; adversarial search over W, x_1, n"),
    ),
    mutants=(
        Mutant("assignment-exponent-n", r"$(1/2)^n$ (as written)", Formula(r"(1/2)^n", C.rnn_bound_exponent_n)),
        Mutant("squared-norm", r"$(1/4)^{n-1}$", Formula(r"(1/4)^{n-1}", C.rnn_bound_squared_norm)),
    ),
)


RNN_JACOBIAN = Claim(
    id="networks.rnn-jacobian",
    title="dx_n/dx_1 = prod_t diag(1 - x_{t+1}^2) W (chain rule through the RNN)",
    source=SOURCE + ", §1.2.1",
    statement=r"$\frac{\partial x_n}{\partial x_1} = \prod_{t=n-1}^{1}\operatorname{diag}(1 - x_{t+1}^2)\,W$.",
    assumptions=(r"$x_{t+1} = \tanh(Wx_t)$, $W \in \mathbb{R}^{d\times d}$",),
    derivation=N.rnn_derivation(),
    candidate=Formula(r"\prod_t\operatorname{diag}(1 - x_{t+1}^2)W", C.rnn_jacobian_candidate, C.rnn_jac_sym),
    checks=(
        SymbolicIdentity(reference=P.rnn_jac_reference, sizes=((2, 2), (2, 3)),
                         description="against SymPy's jacobian of the unrolled map"),
        DerivativeCheck(primitive=P.rnn_primitive, strategy=P.rnn_points, blocks=P.rnn_blocks,
                        examples=(P.NILPOTENT_RNN,),
                        description="against the complex-step Jacobian of the forward pass"),
    ),
    mutants=(
        Mutant("transposed", r"$\bigl(\prod_t\operatorname{diag}(\cdot)W\bigr)^\top$",
               Formula(r"(\cdots)^\top", partial(C.rnn_jacobian_candidate, transpose=True),
                       partial(C.rnn_jac_sym, transpose=True))),
    ),
)


ATTENTION_COST = Claim(
    id="networks.attention-cost",
    title="softmax(QK^T/sqrt d)V costs 2 n^2 d multiply-adds: quadratic in n",
    source=SOURCE + ", §1.3.1",
    statement=r"Self-attention with $Q, K, V \in \mathbb{R}^{n\times d}$ takes $2n^2d$ multiply-adds and $n^2$ exponentials: $\Theta(n^2d)$.",
    assumptions=(r"dense matrix products; $n, d \ge 1$",),
    derivation=N.attention_cost_derivation(),
    candidate=Formula(r"2n^2d", C.attention_count),
    checks=(
        CountCheck(P.counted_attention, P.attention_sizes,
                   description="operations counted while evaluating attention (benchmarks/bench_attention.py fits the timing exponents)"),
    ),
    mutants=(
        Mutant("PV-forgotten", r"$n^2d$ (only $QK^\top$)", Formula(r"n^2d", partial(C.attention_count, variant="one-product"))),
        Mutant("linear-in-n", r"$2nd^2$", Formula(r"2nd^2", partial(C.attention_count, variant="linear"))),
    ),
)


LOW_RANK = Claim(
    id="networks.attention-low-rank",
    title="With the SVD of a rank-k P, PV = U_k(Sigma_k(V_k^T V)) in O(nkd)",
    source=SOURCE + ", §1.3.2",
    statement=r"If $P = U_k\Sigma_kV_k^\top$ has rank $k$, $PV = U_k(\Sigma_k(V_k^\top V))$, computed with $2nkd + kd$ multiply-adds.",
    assumptions=(r"$P \in \mathbb{R}^{n\times n}$ of rank $k$ with its SVD given; $V \in \mathbb{R}^{n\times d}$",),
    derivation=N.low_rank_derivation(),
    candidate=Formula(r"U_k(\Sigma_k(V_k^\top V))", C.low_rank_candidate),
    checks=(
        NumericIdentity(reference=P.low_rank_reference, strategy=P.low_rank_points, part="value", scale=P.low_rank_scale,
                        description="against the dense product PV"),
        NumericIdentity(reference=P.counted_low_rank, strategy=P.low_rank_points, part="count",
                        description="operations counted while evaluating the factored product"),
    ),
    mutants=(
        Mutant("sigma-dropped", r"$U_k(V_k^\top V)$", Formula(r"U_k(V_k^\top V)", partial(C.low_rank_candidate, variant="sigma-dropped"))),
        Mutant("quadratic-count", r"$2n^2d$ operations", Formula(r"2n^2d", partial(C.low_rank_candidate, variant="quadratic-count"))),
    ),
)


PROJECTION = Claim(
    id="networks.attention-projection",
    title="P = QK^T of rank k: PV = Q(CK)^T D V with C = D = V_k^T",
    source=SOURCE + ", §1.3.3",
    statement=r"If $P = QK^\top$ has rank $k$ with SVD $\tilde U\Sigma\tilde V^\top$, then $PV = Q(CK)^\top DV$ for $C = D = \tilde V^\top \in \mathbb{R}^{k\times n}$.",
    assumptions=(r"$Q, K, V \in \mathbb{R}^{n\times d}$, $\operatorname{rank}(QK^\top) = k$",),
    derivation=N.projection_derivation(),
    candidate=Formula(r"Q(CK)^\top DV,\ C = D = \tilde V^\top", C.projection_candidate),
    checks=(
        NumericIdentity(reference=P.projection_reference, strategy=P.projection_points, scale=P.projection_scale,
                        description="random rank-k instances against the dense PV"),
    ),
    mutants=(
        Mutant("left-singular-vectors", r"$C = D = \tilde U^\top$", Formula(r"C = D = \tilde U^\top", C.projection_left_vectors)),
    ),
)


CLAIMS = (SIGMOID, TANH, RNN_AS_WRITTEN, RNN_CORRECTED, RNN_JACOBIAN, ATTENTION_COST, LOW_RANK, PROJECTION)
