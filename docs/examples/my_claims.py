"""A user's own claim: d/dx log(1 + e^x) = sigmoid(x), checked against complex step.

Run it with:  verify --plugin my_claims run 'mine.*' --mutants
(with this directory on PYTHONPATH), or as tests from the repository root:
pytest --verify-claims docs.examples.my_claims --verify-mutants
"""

import numpy as np
from hypothesis import strategies as st

from derivations.steps import Derivation, Step
from verify import Claim, Formula, Mutant
from verify.checks import DerivativeCheck


def _softplus(X):  # the primitive, batched and complex-safe
    return np.log1p(np.exp(X))


CLAIMS = (
    Claim(
        id="mine.softplus-derivative",
        title="The derivative of softplus is the logistic sigmoid",
        source="folklore",
        statement=r"$\frac{d}{dx}\log(1 + e^x) = (1 + e^{-x})^{-1}$",
        assumptions=(r"$x \in [-30, 30]$",),
        derivation=Derivation((
            Step(r"\frac{d}{dx}\log(1+e^x)", r"\frac{e^x}{1+e^x}", "chain rule"),
            Step(r"\frac{e^x}{1+e^x}", r"\frac{1}{1+e^{-x}}", "divide by $e^x$"),
        )),
        candidate=Formula("1/(1+e^{-x})", lambda x: np.array([[1 / (1 + np.exp(-x))]])),
        checks=(DerivativeCheck(primitive=lambda x: (_softplus, np.array([x])),
                                strategy=lambda: st.floats(-30, 30)),),
        mutants=(Mutant("sign-flip", "$1/(1+e^{x})$",
                        Formula("1/(1+e^{x})", lambda x: np.array([[1 / (1 + np.exp(x))]]))),),
    ),
)
