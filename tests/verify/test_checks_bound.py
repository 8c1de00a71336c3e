"""verify.checks.bound on toy bounds whose truth is known."""

import numpy as np
from hypothesis import strategies as st

from verify import PROFILES, RunContext
from verify.checks import BoundCheck
from verify.model import Formula

CTX = RunContext(seed=0, profile=PROFILES["quick"])


def test_upper_bound_sense():
    pts = lambda: st.floats(0.0, 3.0)  # noqa: E731
    check = BoundCheck(oracle=lambda x: np.sin(x), strategy=pts, sense="upper")
    assert check.run(Formula("1", lambda x: 1.0), CTX, label="t").verdict == "consistent"
    assert check.run(Formula("x", lambda x: x), CTX, label="t").verdict == "consistent"
    assert check.run(Formula("0.9", lambda x: 0.9), CTX, label="t").verdict == "refuted"
