"""``verify steps``: check a derivation line by line and find its first wrong step.

One topic per module: :mod:`.model` (derivations, steps, results), :mod:`.context` (symbols, definitions and
the parser of one line), :mod:`.toml_form` and :mod:`.latex_form` (reading files), :mod:`.judge` (one step),
:mod:`.orders` (steps with O-terms), :mod:`.summary` (the whole chain), :mod:`.render` (terminal, JSON),
:mod:`.annotate` (LaTeX and HTML copies) and :mod:`.command` (the CLI).
"""

from .model import Derivation, DerivationResult, Step, StepResult, VERDICTS

__all__ = ["Derivation", "DerivationResult", "Step", "StepResult", "VERDICTS"]
