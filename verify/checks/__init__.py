r"""Check kinds: each binds an oracle and a strategy to a comparator.

A check is run against a *candidate* :class:`~verify.model.Formula` (the derived
result, or a mutant of it) and returns :class:`~verify.model.Evidence`. The oracle
side never evaluates the candidate: it differentiates, solves, samples or enumerates
primitive definitions. One module per kind, one base class (:class:`Check`, in
:mod:`verify.checks.base`) holding the run skeleton and the argument validation:

========================  ====================  ===========================================
kind                      class                 module
========================  ====================  ===========================================
``identity``              SymbolicIdentity,     :mod:`verify.checks.identity`
                          NumericIdentity
``derivative``            DerivativeCheck       :mod:`verify.checks.derivative`
``asymptotic``            AsymptoticCheck       :mod:`verify.checks.asymptotic`
``bound``                 BoundCheck            :mod:`verify.checks.bound`
``expectation``           ExpectationCheck      :mod:`verify.checks.expectation`
``monte-carlo``           MonteCarloCheck       :mod:`verify.checks.montecarlo`
``distribution``          DistributionCheck     :mod:`verify.checks.distribution`
``existence``             ExistenceCheck        :mod:`verify.checks.existence`
``count``                 CountCheck            :mod:`verify.checks.count`
``property``              PropertyCheck         :mod:`verify.checks.property`
========================  ====================  ===========================================
"""

from .asymptotic import AsymptoticCheck
from .base import Check, readable, sub_seed
from .bound import BoundCheck
from .count import CountCheck
from .derivative import DerivativeCheck
from .distribution import DistributionCheck
from .existence import ExistenceCheck
from .expectation import ExpectationCheck
from .identity import NumericIdentity, SymbolicIdentity
from .montecarlo import MonteCarloCheck
from .property import PropertyCheck

__all__ = [
    "Check",
    "SymbolicIdentity",
    "NumericIdentity",
    "DerivativeCheck",
    "MonteCarloCheck",
    "AsymptoticCheck",
    "BoundCheck",
    "ExpectationCheck",
    "DistributionCheck",
    "ExistenceCheck",
    "CountCheck",
    "PropertyCheck",
    "sub_seed",
    "readable",
]
