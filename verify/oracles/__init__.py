"""Independent oracles: primitive definitions, simulated or solved directly.

Nothing here imports a derived formula from :mod:`derivations`.
"""
