"""The candidate side of the catalogue, one module per topic: adapters from a check's point to the
arguments of the :mod:`derivations` function a claim states (the candidate *is* that function), and
the mutants -- plausible wrong variants, written here as small functions or expression rewrites,
never as parameters of the mathematics. The claims themselves (data) live in :mod:`verify.catalogue`."""
