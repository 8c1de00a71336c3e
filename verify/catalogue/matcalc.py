r"""Matrix calculus: SymPy 1.14 defects found while building ``verify diff``, and the corrected results.

Each erratum runs SymPy live (so an upgrade that fixes a defect turns the erratum into a failing
expectation and is noticed); each corrected claim's candidate is what ``verify diff`` derives with its
own rule (:mod:`verify.diff.rules`); both sides live in :mod:`verify.candidates.matcalc`. The oracle
(:mod:`verify.probes.matcalc`) is the complex-step Jacobian of the function written from primitive
definitions (``np.linalg.det``, ``np.exp``), in the judge's layout: the gradient of a scalar has the
shape of the variable; a Jacobian is :math:`\partial\operatorname{vec}f/\partial
\operatorname{vec}(x)^\top`.
"""

from __future__ import annotations

from derivations import matcalc as D

from ..candidates import matcalc as C
from ..checks import NumericIdentity
from ..model import Claim, Formula, Mutant
from ..probes import matcalc as P

__all__ = ["CLAIMS"]

LOGDET_CHECK = NumericIdentity(reference=P.gradient_logdet, strategy=P.invertible, max_examples=20,
                               description="complex-step gradient of log|det X| (np.linalg.det), X invertible 2x2..4x4")
LAYOUT_CHECK = NumericIdentity(reference=P.jacobian_linear, strategy=P.linear, max_examples=20,
                               description="complex-step Jacobian d(Ax)/dx^T, A of 2..4 x 2..4")
LSE_CHECK = NumericIdentity(reference=P.gradient_lse, strategy=P.vectors, max_examples=20,
                            description="complex-step gradient of log(sum(exp(z)))")

LOGDET = Claim(
    id="matcalc.logdet-gradient",
    title="d log|det X| / dX = X^{-T} (verify diff's rule)",
    source="The Matrix Cookbook (2012) eq. (57); verify/diff/rules.py rule 'logdet'",
    statement=r"$\frac{\partial \log|\det X|}{\partial X} = X^{-\top}$ for invertible $X$.",
    assumptions=(r"$X\in\mathbb R^{n\times n}$ invertible; entries independent (no symmetry constraint)",),
    derivation=D.logdet_gradient_derivation(),
    candidate=Formula(r"X^{-\top}", C.derived_logdet),
    checks=(LOGDET_CHECK,),
    mutants=(
        Mutant("sympy-zero", "SymPy 1.14's answer, 0", Formula("0", C.sympy_logdet)),
        Mutant("missing-transpose", r"$X^{-1}$", Formula(r"X^{-1}", C.missing_transpose)),
    ),
)

SYMPY_LOGDET = Claim(
    id="matcalc.sympy-logdet-zero",
    title="SymPy 1.14: log(Determinant(X)).diff(X) == 0",
    source="SymPy 1.14, sympy.matrices.expressions (measured)",
    statement=r"SymPy's $\frac{\partial}{\partial X}\log\det X$ for a MatrixSymbol $X$ is $0$.",
    assumptions=(r"$X$ a square MatrixSymbol of symbolic size $n$",),
    derivation=D.sympy_logdet_derivation(),
    candidate=Formula("0", C.sympy_logdet),
    checks=(LOGDET_CHECK,),
    expected="refuted",
    corrected_by="matcalc.logdet-gradient",
    notes=r"Any invertible $X$ refutes it: for $X = I_2$ the gradient is $I_2$. (\texttt{Determinant(X).diff(X)} stays unevaluated.)",
)

LINEAR = Claim(
    id="matcalc.linear-jacobian",
    title="d(Ax)/dx^T = A in numerator layout (verify diff's layout)",
    source="Magnus & Neudecker, Matrix Differential Calculus, ch. 9; The Matrix Cookbook eq. (69)",
    statement=r"$\frac{\partial (Ax)}{\partial x^\top} = A$.",
    assumptions=(r"$A\in\mathbb R^{m\times n}$, $x\in\mathbb R^n$",),
    derivation=D.linear_jacobian_derivation(),
    candidate=Formula("A", C.derived_linear),
    checks=(LAYOUT_CHECK,),
    mutants=(Mutant("sympy-denominator-layout", r"SymPy's $A^\top$ (denominator layout)", Formula(r"A^\top", C.sympy_layout)),),
)

SYMPY_LAYOUT = Claim(
    id="matcalc.sympy-jacobian-layout",
    title="SymPy 1.14: (A*x).diff(x) == A.T, the denominator layout (its .jacobian uses numerator layout)",
    source="SymPy 1.14, sympy.matrices.expressions (measured)",
    statement=r"SymPy's derivative of $Ax$ by the vector $x$ is $A^\top$.",
    assumptions=(r"$A$, $x$ MatrixSymbols",),
    derivation=D.sympy_layout_derivation(),
    candidate=Formula(r"A^\top", C.sympy_layout),
    checks=(LAYOUT_CHECK,),
    expected="refuted",
    corrected_by="matcalc.linear-jacobian",
    notes=r"Read as the Jacobian $\partial(Ax)/\partial x^\top$ it is wrong for every non-symmetric (or non-square) $A$; "
          r"it is the transpose (the gradient layout).",
)

LSE = Claim(
    id="matcalc.logsumexp-gradient",
    title="d logsumexp(z)/dz = softmax(z) (verify diff's rule)",
    source="Boyd & Vandenberghe, Convex Optimization (2004) §3.1.5; verify/diff/rules.py rule 'lse'",
    statement=r"$\nabla_z \log\sum_i e^{z_i} = \operatorname{softmax}(z)$.",
    assumptions=(r"$z\in\mathbb R^n$",),
    derivation=D.logsumexp_gradient_derivation(),
    candidate=Formula(r"\operatorname{softmax}(z)", C.derived_lse),
    checks=(LSE_CHECK,),
    mutants=(Mutant("sympy-zero", "SymPy 1.14's answer, 0", Formula("0", C.sympy_lse)),
             Mutant("unnormalised", r"$e^z$", Formula(r"e^z", C.unnormalised))),
)

SYMPY_LSE = Claim(
    id="matcalc.sympy-logsumexp-zero",
    title="SymPy 1.14: the gradient of log(1^T exp(x)) comes back as a silent 0",
    source="SymPy 1.14, sympy.matrices.expressions (measured)",
    statement=r"SymPy's $\frac{\partial}{\partial x}\log\operatorname{tr}(\mathbf 1^\top \exp(x))$ is $0$.",
    assumptions=(r"$x$ a MatrixSymbol $n\times 1$, $\exp$ applied element-wise (\texttt{applyfunc})",),
    derivation=D.sympy_logsumexp_derivation(),
    candidate=Formula("0", C.sympy_lse),
    checks=(LSE_CHECK,),
    expected="refuted",
    corrected_by="matcalc.logsumexp-gradient",
    notes=r"The gradient is $\operatorname{softmax}(x)$, never zero.",
)

CLAIMS = (LOGDET, SYMPY_LOGDET, LINEAR, SYMPY_LAYOUT, LSE, SYMPY_LSE)
