"""One small exception hierarchy for the toolkit.

Every message names the argument and its value and says what to do instead.
"""

__all__ = ["VerifyError", "ValidationError", "RegistryError", "CheckError"]


class VerifyError(Exception):
    """Base class of every error raised on purpose by this toolkit."""


class ValidationError(VerifyError, ValueError):
    """An argument is outside its documented domain (shape, range, finiteness)."""


class RegistryError(VerifyError, KeyError):
    """A claim id is duplicated, malformed, or unknown."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class CheckError(VerifyError):
    """A check could not run (as opposed to a check that ran and failed)."""
