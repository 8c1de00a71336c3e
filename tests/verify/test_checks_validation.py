"""Every check constructor validates its arguments: one table of bad calls, each raising
ValidationError at construction with ``argument=value`` in the message (not at run time)."""

import math

import pytest
from hypothesis import strategies as st

from verify.checks import (AsymptoticCheck, BoundCheck, CountCheck, DerivativeCheck, DistributionCheck,
                           ExistenceCheck, ExpectationCheck, MonteCarloCheck, NumericIdentity, PropertyCheck,
                           SymbolicIdentity)
from verify.errors import ValidationError


def f(*args):
    return 0.0


def S():
    return st.floats(0, 1)


#: the smallest valid call of each kind
GOOD = {
    SymbolicIdentity: dict(reference=f),
    NumericIdentity: dict(reference=f, strategy=S),
    DerivativeCheck: dict(primitive=f, strategy=S),
    AsymptoticCheck: dict(remainder=f, strategy=S),
    BoundCheck: dict(oracle=f, strategy=S),
    ExpectationCheck: dict(values=f, value_range=f, sizes=f, strategy=S),
    MonteCarloCheck: dict(sample=f, value_range=f, strategy=S),
    DistributionCheck: dict(sample=f, strategy=S),
    ExistenceCheck: dict(find_witness=f, predicate=f),
    CountCheck: dict(count_fn=f, strategy=S),
    PropertyCheck: dict(predicate=f, strategy=S),
}

#: (kind, bad arguments, the argument the message must name as name=value)
BAD = [
    # options every kind shares
    *[(cls, dict(description=3), "description") for cls in GOOD],
    *[(cls, dict(max_examples=0), "max_examples") for cls in GOOD if cls is not SymbolicIdentity],
    *[(cls, dict(max_examples=2.5), "max_examples") for cls in (NumericIdentity, BoundCheck, DistributionCheck)],
    *[(cls, dict(examples=5), "examples") for cls in GOOD],
    *[(cls, dict(strategy=None), "strategy") for cls in GOOD
      if "strategy" in GOOD[cls] and cls not in (ExpectationCheck, MonteCarloCheck, DistributionCheck)],
    *[(cls, dict(strategy=st.floats(0, 1)), "strategy") for cls in (NumericIdentity, BoundCheck, PropertyCheck)],
    # identity
    (SymbolicIdentity, dict(reference="x**2"), "reference"),
    (SymbolicIdentity, dict(sizes=2), "sizes"),
    (SymbolicIdentity, dict(sizes=(0,)), "sizes"),
    (SymbolicIdentity, dict(sizes=(), sample_sizes=()), "sizes"),
    (SymbolicIdentity, dict(sample_sizes=3), "sample_sizes"),
    (SymbolicIdentity, dict(examples=(1,)), "examples"),
    (SymbolicIdentity, dict(max_examples=10), "max_examples"),
    (NumericIdentity, dict(tolerance_key="identity.float46"), "tolerance_key"),
    (NumericIdentity, dict(tolerance_key=None), "tolerance_key"),
    (NumericIdentity, dict(reference=None), "reference"),
    (NumericIdentity, dict(reference_mp=1.0), "reference_mp"),
    (NumericIdentity, dict(scale=2.0), "scale"),
    # derivative
    (DerivativeCheck, dict(primitive=None), "primitive"),
    (DerivativeCheck, dict(primitive_mp="mp"), "primitive_mp"),
    (DerivativeCheck, dict(blocks=[slice(0, 2)]), "blocks"),
    (DerivativeCheck, dict(complex_safe="yes"), "complex_safe"),
    (DerivativeCheck, dict(max_full=0), "max_full"),
    (DerivativeCheck, dict(directions=0), "directions"),
    (DerivativeCheck, dict(directions=True), "directions"),
    # asymptotic
    (AsymptoticCheck, dict(order=-3, steps=1), "steps"),
    (AsymptoticCheck, dict(steps=3), "steps"),
    (AsymptoticCheck, dict(steps=9.0), "steps"),
    (AsymptoticCheck, dict(steps=60), "steps"),
    (AsymptoticCheck, dict(steps=12, max_steps=10), "steps"),
    (AsymptoticCheck, dict(max_steps=2000), "max_steps"),
    (AsymptoticCheck, dict(order=math.nan), "order"),
    (AsymptoticCheck, dict(order=math.inf), "order"),
    (AsymptoticCheck, dict(order="2"), "order"),
    (AsymptoticCheck, dict(precise=1), "precise"),
    (AsymptoticCheck, dict(remainder=None), "remainder"),
    # bound
    (BoundCheck, dict(sense="both"), "sense"),
    (BoundCheck, dict(effort=0), "effort"),
    (BoundCheck, dict(oracle=0.0), "oracle"),
    (BoundCheck, dict(coordinates=3), "coordinates"),
    # sampling kinds
    (ExpectationCheck, dict(samples=1), "samples"),
    (ExpectationCheck, dict(enumerate_max=0), "enumerate_max"),
    (ExpectationCheck, dict(values=None), "values"),
    (ExpectationCheck, dict(sizes=(3, 2)), "sizes"),
    (MonteCarloCheck, dict(tolerance_key="quadratur"), "tolerance_key"),
    (MonteCarloCheck, dict(samples=0), "samples"),
    (MonteCarloCheck, dict(claim_mean=0.0), "claim_mean"),
    (MonteCarloCheck, dict(value_range=(0, 1)), "value_range"),
    (DistributionCheck, dict(samples=0), "samples"),
    (DistributionCheck, dict(sample=None), "sample"),
    # the new kinds
    (ExistenceCheck, dict(find_witness=3), "find_witness"),
    (ExistenceCheck, dict(predicate=None), "predicate"),
    (ExistenceCheck, dict(find_witness=None), "find_witness"),
    (CountCheck, dict(count_fn=None), "count_fn"),
    (PropertyCheck, dict(predicate=True), "predicate"),
]


@pytest.mark.parametrize("cls", list(GOOD), ids=lambda c: c.__name__)
def test_good_arguments_construct(cls):
    assert cls(**GOOD[cls]).kind


@pytest.mark.parametrize("cls,bad,name", BAD,
                         ids=[f"{c.__name__}-{n}-{i}" for i, (c, _, n) in enumerate(BAD)])
def test_bad_arguments_raise_at_construction(cls, bad, name):
    with pytest.raises(ValidationError) as info:
        cls(**{**GOOD[cls], **bad})
    message = str(info.value)
    assert f"{name}={bad[name]!r}" in message, message
    assert message.startswith(cls.__name__), message


@pytest.mark.parametrize("cls", list(GOOD), ids=lambda c: c.__name__)
def test_a_misspelt_option_is_a_type_error(cls):
    """No **kwargs pass-through: a typo never becomes a silently ignored option."""
    with pytest.raises(TypeError, match="descripton"):
        cls(**GOOD[cls], descripton="x")


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        NumericIdentity(f, S, None)  # reference_mp must be named


def test_strategy_may_be_omitted_only_when_examples_enumerate_the_domain():
    assert CountCheck(f, None, examples=((1, 1), (2, 1))).strategy is None
    assert PropertyCheck(f, None, examples=[0.5]).examples == (0.5,)  # a list becomes a tuple
    assert ExistenceCheck(None, f, strategy=S).find_witness is None
    with pytest.raises(ValidationError, match="examples="):
        PropertyCheck(f, None)
    with pytest.raises(ValidationError, match="leave no way to find a witness"):
        ExistenceCheck(None, f)


def test_sampling_kinds_may_omit_the_strategy_to_use_at_alone():
    """benchmarks/bench_sgd.py calls ExpectationCheck(..., strategy=None).at(...) on one point."""
    import numpy as np

    from verify import PROFILES, Formula, RunContext

    check = ExpectationCheck(values=lambda p, B: p[B].mean(axis=1), value_range=lambda p: (0.0, 3.0),
                             sizes=lambda p: (len(p), 2), strategy=None)
    ratio, info = check.at(Formula("mean", lambda p: 1.5), np.arange(4.0), seed=0)
    assert ratio == 0.0 and info["expectation"] == 1.5
    ev = check.run(Formula("mean", lambda p: 1.5), RunContext(seed=0, profile=PROFILES["quick"]), label="t")
    assert ev.verdict == "error" and "strategy=None" in ev.details["error"]
