"""The errors the mathematics raises on purpose (re-exported by :mod:`verify.errors`).

They live here so that :mod:`derivations` imports nothing from :mod:`verify`.
"""

__all__ = ["VerifyError", "ValidationError"]


class VerifyError(Exception):
    """Base class of every error raised on purpose by this toolkit."""


class ValidationError(VerifyError, ValueError):
    """An argument is outside its documented domain (shape, range, finiteness)."""
