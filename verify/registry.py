"""The claim registry: an immutable, ordered collection of claims keyed by id.

The built-in catalogue is collected from the ``CLAIMS`` tuple of every module listed
in :data:`CATALOGUE_MODULES`; users add their own claims from any importable module
that defines ``CLAIMS`` (``verify run --plugin mymodule``) or in Python:

>>> reg = default_registry()
>>> "implicit.preconditioner" in reg
True
>>> [c.id for c in reg.select(["sgd.one-hot*"])]
['sgd.one-hot-ratio', 'sgd.one-hot-ratio-corrected']
"""

from __future__ import annotations

import fnmatch
import importlib
from typing import Iterable

from .errors import RegistryError
from .model import Claim

__all__ = ["Registry", "default_registry", "CATALOGUE_MODULES", "load_plugin"]

CATALOGUE_MODULES = (
    "verify.catalogue.implicit",
    "verify.catalogue.expansion",
    "verify.catalogue.convergence",
    "verify.catalogue.cov",
    "verify.catalogue.estimators",
    "verify.catalogue.networks",
    "verify.catalogue.sgd",
    "verify.catalogue.td",
    "verify.catalogue.bellman",
    "verify.catalogue.rollout",
    "verify.catalogue.dynamics",
    "verify.catalogue.matcalc",
)


class Registry:
    """Claims in registration order; ids are unique."""

    def __init__(self, claims: Iterable[Claim] = ()):
        self._claims: dict[str, Claim] = {}
        for c in claims:
            if not isinstance(c, Claim):
                raise RegistryError(f"only Claim objects can be registered, got {type(c).__name__}")
            if c.id in self._claims:
                raise RegistryError(f"claim id {c.id!r} is registered twice; ids must be unique")
            self._claims[c.id] = c

    def with_claims(self, claims: Iterable[Claim]) -> "Registry":
        """A new registry with ``claims`` appended (ids must not collide)."""
        return Registry(list(self._claims.values()) + list(claims))

    def __contains__(self, claim_id) -> bool:
        return claim_id in self._claims

    def __iter__(self):
        return iter(self._claims.values())

    def __len__(self) -> int:
        return len(self._claims)

    def __getitem__(self, claim_id: str) -> Claim:
        try:
            return self._claims[claim_id]
        except KeyError:
            close = fnmatch.filter(self._claims, f"*{claim_id.split('.')[-1]}*")
            hint = f"; did you mean {close[0]!r}?" if close else "; run 'verify list' to see the ids"
            raise RegistryError(f"no claim with id {claim_id!r}{hint}") from None

    def select(self, patterns: Iterable[str] | None) -> list[Claim]:
        """Claims whose ids match any glob pattern (all claims for no pattern).

        A pattern that matches nothing raises, so a typo never silently runs nothing.
        """
        patterns = list(patterns or [])
        if not patterns:
            return list(self)
        chosen = []
        for pat in patterns:
            hits = [c for c in self if fnmatch.fnmatchcase(c.id, pat)]
            if not hits:
                raise RegistryError(
                    f"pattern {pat!r} matches no claim id; run 'verify list' to see the ids"
                )
            chosen += [c for c in hits if c not in chosen]
        return [c for c in self if c in chosen]


def load_plugin(module_name: str) -> tuple:
    """Import ``module_name`` and return its ``CLAIMS`` tuple."""
    try:
        mod = importlib.import_module(module_name)
    except ImportError as exc:
        raise RegistryError(
            f"plugin module {module_name!r} cannot be imported ({exc}); "
            "check the name and that its directory is on PYTHONPATH"
        ) from None
    claims = getattr(mod, "CLAIMS", None)
    if not isinstance(claims, (tuple, list)):
        raise RegistryError(
            f"plugin module {module_name!r} must define CLAIMS, a tuple of verify.Claim objects"
        )
    return tuple(claims)


def default_registry(plugins: Iterable[str] = ()) -> Registry:
    """The built-in catalogue plus the claims of the given plugin modules."""
    claims = []
    for name in CATALOGUE_MODULES:
        claims += list(importlib.import_module(name).CLAIMS)
    for name in plugins:
        claims += list(load_plugin(name))
    return Registry(claims)
