"""verify.checks.base: the run skeleton every kind shares (skipping, seeding, known instances in
``examples``) and the package's public names."""

import numpy as np
import pytest
from hypothesis import strategies as st

from verify import PROFILES, Formula, RunContext
from verify.checks import BoundCheck, Check, ExpectationCheck, NumericIdentity, PropertyCheck, sub_seed
from verify.checks.base import merge, score_examples
from verify.search import SearchOutcome

CTX = RunContext(seed=0, profile=PROFILES["quick"])


def test_every_name_of_the_old_module_still_imports():
    import verify.checks as checks

    old = ["SymbolicIdentity", "NumericIdentity", "DerivativeCheck", "MonteCarloCheck", "AsymptoticCheck",
           "BoundCheck", "ExpectationCheck", "DistributionCheck", "sub_seed", "readable"]
    new = ["Check", "ExistenceCheck", "CountCheck", "PropertyCheck"]
    assert set(old + new) <= set(checks.__all__)
    for name in checks.__all__:
        obj = getattr(checks, name)
        if isinstance(obj, type) and name != "Check":
            assert issubclass(obj, Check) and obj.kind != Check.kind, name


def test_a_candidate_without_the_needed_form_is_skipped():
    no_numeric = Formula("x")
    check = NumericIdentity(reference=lambda x: x, strategy=lambda: st.floats(0, 1))
    ev = check.run(no_numeric, CTX, label="t")
    assert ev.verdict == "skipped" and ev.method == "numeric: candidate has no numeric form"


def test_a_failing_known_instance_is_the_counterexample_as_given():
    """A strategy that never draws the bad point: only examples= can find it (not shrunk)."""
    check = BoundCheck(oracle=np.sin, strategy=lambda: st.floats(0.0, 1.0), sense="upper",
                       examples=(2.0, np.pi / 2))
    ev = check.run(Formula("0.99", lambda x: 0.99), CTX, label="t")
    assert ev.verdict == "refuted" and ev.points == 2
    assert ev.counterexample["point"] == np.pi / 2 and ev.counterexample["found_at"] == "examples[1]"
    without = BoundCheck(oracle=np.sin, strategy=lambda: st.floats(0.0, 1.0), sense="upper")
    assert without.run(Formula("0.99", lambda x: 0.99), CTX, label="t").verdict == "consistent"


def test_passing_known_instances_count_and_feed_the_tightness():
    check = BoundCheck(oracle=np.sin, strategy=lambda: st.floats(0.0, 1.0), sense="upper", examples=(np.pi / 2,))
    ev = check.run(Formula("1", lambda x: 1.0), CTX, label="t")
    assert ev.verdict == "consistent" and ev.points == 1 + CTX.profile.max_examples
    assert ev.details["best_tightness"] == pytest.approx(1.0)  # sin(pi/2) = 1 reaches the bound


def test_known_instances_are_scored_like_drawn_points():
    def evaluate(x):
        if x < 0:
            raise ValueError("negative")
        return x, {"x": x}
    assert score_examples((0.5, 0.9), evaluate).counterexample is None
    out = score_examples((0.5, -1.0, 3.0), evaluate)  # stops at the first failure: -1 raises
    assert out.examples == 2 and "ValueError" in out.counterexample[1]["exception"]
    out = score_examples((float("nan"),), lambda x: (x, {}))
    assert out.counterexample is not None and "NaN" in out.counterexample[1]["nan"]
    merged = merge(score_examples((0.9,), evaluate), SearchOutcome(5, 0.2, 0.2, {}, None))
    assert (merged.examples, merged.worst_ratio, merged.worst_point) == (6, 0.9, 0.9)


def test_examples_reach_the_sampling_kinds_too():
    check = ExpectationCheck(values=lambda p, B: p[0][B].mean(axis=1),
                             value_range=lambda p: (float(p[0].min()), float(p[0].max())),
                             sizes=lambda p: (len(p[0]), p[1]),
                             strategy=lambda: st.just((np.arange(4.0), 2)), examples=((np.arange(6.0), 3),))
    ev = check.run(Formula("mean", lambda p: float(p[0].mean())), CTX, label="t")
    assert ev.verdict == "consistent" and ev.points == 2  # the known instance and st.just's one point
    ev = check.run(Formula("biased", lambda p: float(p[0].mean()) + float(p[0].size == 6)), CTX, label="t")
    assert ev.verdict == "refuted" and ev.counterexample["found_at"] == "examples[0]"


def test_max_examples_caps_the_profile():
    check = PropertyCheck(lambda x, v: True, lambda: st.integers(), max_examples=7)
    assert check.run(Formula("x", lambda x: x), CTX, label="t").points == 7


def test_sub_seed_is_stable_and_label_dependent():
    assert sub_seed(0, "a/0", "numeric") == sub_seed(0, "a/0", "numeric") != sub_seed(1, "a/0", "numeric")
    assert sub_seed(0, "a/0", "numeric") == 420351388  # the value every recorded run depends on


def test_checks_with_array_examples_stay_hashable():
    """A Claim is a frozen dataclass and hashes its checks; points often hold arrays."""
    check = PropertyCheck(lambda x, v: True, None, examples=(np.zeros(3), np.ones(3)))
    assert hash(check) == hash(check) and check == check
