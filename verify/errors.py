"""One small exception hierarchy for the toolkit.

Every message names the argument and its value and says what to do instead.
"""

__all__ = ["VerifyError", "ValidationError", "RegistryError", "CheckError", "CheckFailed", "CheckUndecided"]


from derivations.errors import ValidationError, VerifyError  # defined below derivations/, re-exported here


class RegistryError(VerifyError, KeyError):
    """A claim id is duplicated, malformed, or unknown."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class CheckError(VerifyError):
    """A check could not run (as opposed to a check that ran and failed)."""


class CheckFailed(VerifyError, AssertionError):
    """A check ran and found a counterexample; ``.evidence`` holds it (point, both sides, seed).

    An :class:`AssertionError`, so a failing check inside a test fails the test; ``str()`` is
    the evidence table.
    """

    def __init__(self, evidence):
        self.evidence = evidence
        super().__init__(str(evidence))


class CheckUndecided(VerifyError, AssertionError):
    """A check ran but could not decide (an asymptotic slope that never settled, say).

    Never a pass: it fails a test like :class:`CheckFailed`, but it is not a refutation
    either (a mutant that is only undecided has not been refuted). ``.evidence`` says why.
    """

    def __init__(self, evidence):
        self.evidence = evidence
        super().__init__(str(evidence))
