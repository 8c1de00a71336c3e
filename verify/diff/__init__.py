r"""``verify diff``: matrix calculus that never prints a wrong derivative.

Modules, one topic each: :mod:`.parse` (the judge's whitelisting parser), :mod:`.symbols` (domains,
shapes, instances), :mod:`.expr` (matrix expressions and their simplification and printing),
:mod:`.rules` (the rules, as data, with sources), :mod:`.derive` (reverse and forward mode),
:mod:`.oracle` (the input function from primitive definitions, numeric derivatives), :mod:`.check`
(verification before display), :mod:`.codegen` (NumPy source), :mod:`.api` (``verify.diff`` and the
command), ``identities.toml`` (the identity catalogue).
"""

from .api import DiffInputError, DiffResult, NotDerivable, diff

__all__ = ["diff", "DiffResult", "NotDerivable", "DiffInputError"]


def _make_callable():
    """``verify.diff`` is both this package and the function: importing ``verify.diff.api`` binds the
    package as attribute ``diff`` of :mod:`verify`, so the package itself forwards calls to :func:`diff`."""
    import sys
    import types

    class _CallablePackage(types.ModuleType):
        def __call__(self, *args, **kwargs):
            return diff(*args, **kwargs)

    sys.modules[__name__].__class__ = _CallablePackage


_make_callable()
