"""A derived result's three forms agree: its plain answer (the bank's reference), its numeric
derivations function (what the catalogue checks), and the question built from it."""

from __future__ import annotations

import numpy as np
import pytest

from derivations.results import RESULTS
from verify.answers.bank import BANK
from verify.answers.domains import sample_instances
from verify.answers.evaluate import evaluate
from verify.answers.judge import parse_plain
from verify.registry import default_registry

REGISTRY = default_registry()


@pytest.mark.parametrize("key", sorted(RESULTS))
def test_plain_answer_equals_the_derivations_function(key):
    r = RESULTS[key]
    q = next(q for q in BANK if q.result == key)
    tree = parse_plain(r.plain, q.domains)
    points, _ = sample_instances(q.domains, 40, 0)
    compared, ratios = 0, []
    for env, probs in points:
        if not r.order_only and any(isinstance(v, int) and v > 500 for v in env.values()):
            continue  # the numeric forms build arrays of that size (one-hot features of n states)
        want = np.asarray(r.numeric(env, probs), dtype=float)
        got = np.asarray(np.asarray(evaluate(tree, env, probabilities=probs), dtype=object).astype(float))
        if not np.all(np.isfinite(want)):
            continue
        if r.order_only:  # a count against its order: the ratio stays between positive constants
            ratios.append(float(want) / float(got))
        else:
            assert got.reshape(want.shape) == pytest.approx(want, rel=1e-9, abs=1e-12), (key, env)
        compared += 1
    assert compared >= 10, (key, compared)
    if r.order_only:
        assert min(ratios) > 0 and max(ratios) / min(ratios) < 100, (key, min(ratios), max(ratios))


@pytest.mark.parametrize("key", sorted(RESULTS))
def test_every_result_is_a_catalogue_claim_and_a_bank_question(key):
    r = RESULTS[key]
    assert r.claim in REGISTRY, f"{key}: claim {r.claim!r} is not in the catalogue"
    assert REGISTRY[r.claim].expected == "holds", f"{key}: {r.claim} is an erratum"
    q = next(q for q in BANK if q.result == key)
    assert (q.reference, q.symbols) == (r.plain, r.symbols)
