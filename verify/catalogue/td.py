r"""Claims of seed 002: the gradient of the TD error of a two-layer Q network, and its
linearisation. The oracle differentiates the TD error itself (complex step through
the network); SymPy differentiates it symbolically for small sizes.
"""

from __future__ import annotations

from derivations import td as T

from ..candidates import td as C
from ..checks import AsymptoticCheck, DerivativeCheck, SymbolicIdentity
from ..model import Claim, Formula, Mutant
from ..probes import td as P

__all__ = ["CLAIMS"]

SOURCE = "seed 002 (TD-error linearization of a two-layer Q network)"
ASSUMPTIONS = (
    r"$\hat Q(z) = \omega^{(1)\top}\tanh(\omega^{(2)\top}h(z))$, $\omega^{(1)}\in\mathbb{R}^p$, $\omega^{(2)}\in\mathbb{R}^{m\times p}$",
    r"$e = \hat Q(z) - r - \gamma\hat Q(z_+)$, $\gamma \in [0, 1)$; $\operatorname{vec}$ stacks columns",
)


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
    candidate=Formula(r"[g;\ G\omega^{(1)}]", C.candidate, T.td_gradient_sym),
    checks=(
        SymbolicIdentity(reference=T.td_gradient_reference_sym, sizes=((1, 1), (2, 2)), sample_sizes=((3, 2),),
                         description="against SymPy's gradient of e"),
        DerivativeCheck(primitive=P.primitive, strategy=P.points,
                        description="against the complex-step gradient of the TD error"),
    ),
    mutants=(
        Mutant("gamma-dropped", r"$\varphi^{(1)}(a) - \varphi^{(1)}(a_+)$ (the seed's TD error without $\gamma$)",
               Formula(r"\gamma\to1", C.gradient_without_gamma, C.gradient_without_gamma_sym)),
        Mutant("row-stacking-vec", r"$G\omega^{(1)}$ read as a row-stacked $\operatorname{vec}$",
               Formula(r"\operatorname{vec}_{\rm row}", C.gradient_row_stacking_vec)),
        Mutant("activation-derivative-dropped", r"$G$ without $\operatorname{diag}(\varphi^{(1)\prime})$",
               Formula(r"G|_{\varphi'=1}", C.gradient_activation_derivative_dropped)),
    ),
    notes=(
        r"Slips in the seed, corrected here: $\hat Q$ is written with $\omega^{(2)}$ in both layers; the TD "
        r"error omits $\gamma$ (so it is not the residual of the $Q^*$ equation written above it); the "
        r"output-layer gradient is labelled $\nabla_{\omega^{(2)}}$ and uses $\varphi^{(2)}$; and "
        r"$e = \sum_\ell\omega^{(2)}_\ell g_\ell$ should read $\omega^{(1)}_\ell$. The mutant "
        r"\texttt{gamma-dropped} is the seed's gradient; it is refuted whenever $\gamma \ne 1$."
    ),
)


LINEARIZATION = Claim(
    id="td.linearization-remainder",
    title="e(w) - e(w*) - grad e(w*)^T vec(w - w*) = O(||w - w*||^2)",
    source=SOURCE + ", linearization of the TD error",
    statement=r"$e(\omega) = e(\omega^*) + \nabla e(\omega^*)^\top\operatorname{vec}(\tilde\omega) + O(\|\operatorname{vec}\tilde\omega\|^2)$.",
    assumptions=ASSUMPTIONS,
    derivation=T.linearization_derivation(),
    candidate=Formula(r"\nabla e = [g;\ G\omega^{(1)}]", C.candidate),
    checks=(
        AsymptoticCheck(remainder=P.linearization_remainder, strategy=P.points, order=2.0, steps=14, precise=True,
                        description="remainder along a drawn direction, slope 2 in the step"),
    ),
    mutants=(
        Mutant("gamma-dropped", r"the seed's gradient (no $\gamma$)", Formula(r"\gamma\to1", C.gradient_without_gamma)),
        Mutant("activation-derivative-dropped", r"$G$ without $\varphi'$",
               Formula(r"G|_{\varphi'=1}", C.gradient_activation_derivative_dropped)),
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
    candidate=Formula(r"[\varphi(a) - \varphi(a_+);\ G|_{\gamma=1}\omega^{(1)}]", C.gradient_without_gamma,
                      C.gradient_without_gamma_sym),
    checks=(
        DerivativeCheck(primitive=P.primitive, strategy=P.points,
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
