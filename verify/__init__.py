"""Verification toolkit: claims, checks, independent oracles, reports, CLI.

Public entry points: :class:`Claim`, :class:`Formula`, :class:`Mutant` (the claim
model), the check kinds in :mod:`verify.checks`, :func:`default_registry`,
:func:`run_claim`, and the strategies in :mod:`verify.strategies`.
"""

from .model import Claim, Formula, Mutant, PROFILES, RunContext
from .registry import Registry, default_registry
from .runner import run_claim, run_claims

__all__ = ["Claim", "Formula", "Mutant", "PROFILES", "RunContext", "Registry",
           "default_registry", "run_claim", "run_claims"]
