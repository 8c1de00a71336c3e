"""Verification toolkit: claims, checks, independent oracles, reports, CLI.

Public entry points: :class:`Claim`, :class:`Formula`, :class:`Mutant` (the claim
model), the check kinds in :mod:`verify.checks`, :func:`default_registry`,
:func:`run_claim`, the strategies in :mod:`verify.strategies`, and the functional API
(:mod:`verify.api`): :func:`check_jacobian`, :func:`check_identity`,
:func:`check_bound`, :func:`check_order`, :func:`check_expectation`, which raise
:class:`CheckFailed` (or :class:`CheckUndecided`) carrying the evidence.

Names are loaded on first use, so ``import verify`` stays cheap (no SymPy, SciPy or
Hypothesis until something needs them); the pytest plugin relies on that.
"""

from __future__ import annotations

import importlib

from .errors import CheckFailed, CheckUndecided

_LAZY = {
    "Claim": ".model", "Formula": ".model", "Mutant": ".model", "PROFILES": ".model",
    "RunContext": ".model",
    "Registry": ".registry", "default_registry": ".registry",
    "run_claim": ".runner", "run_claims": ".runner",
    "check_jacobian": ".api", "check_identity": ".api", "check_bound": ".api",
    "check_order": ".api", "check_expectation": ".api", "CheckEvidence": ".api",
    "diff": ".diff",
}

__all__ = ["Claim", "Formula", "Mutant", "PROFILES", "RunContext", "Registry",
           "default_registry", "run_claim", "run_claims",
           "check_jacobian", "check_identity", "check_bound", "check_order", "check_expectation",
           "CheckEvidence", "CheckFailed", "CheckUndecided", "diff"]


#: submodules reachable as attributes without an import (``verify.display.results(...)``)
_SUBMODULES = ("display",)


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'verify' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
