"""The oracle side of the catalogue, one module per topic: the points a topic's checks draw (point
types and Hypothesis strategies) and what the checks measure at them (primitives, references,
remainders, error norms). Everything here is computed from the primitive definitions -- a
simulation, an enumeration, a finite or complex-step difference, a quadrature -- never from the
formula under test. The claims themselves (data) live in :mod:`verify.catalogue`."""
