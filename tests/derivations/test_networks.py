"""The networks derivations: every step has a plain form the step checker can read (or says why not), and the
checker tells the derived RNN bound (1/2)^(n-1) from the assignment's (1/2)^n."""

import re

import pytest

from derivations import networks as N
from derivations.steps import Derivation, Step
from verify.stepcheck import check_steps
from verify.steps.toml_form import from_block

DERIVATIONS = [getattr(N, name) for name in N.__all__ if name.endswith("_derivation")]


@pytest.mark.parametrize("build", DERIVATIONS, ids=lambda f: f.__name__)
def test_every_plain_side_parses_and_only_the_rnn_chain_rule_is_unchecked(build):
    d = build()
    for k, step in enumerate(d.steps):
        if step.plain is None:
            assert build is N.rnn_derivation and k == 0 and "recursion" in step.unchecked
            continue
        rel = {"=": "=", r"\le": "<=", r"\ge": ">=", "<": "<", ">": ">", r"\Longrightarrow": "==>"}[step.relation]
        block = {"id": f"s{k}", "symbols": d.symbols, "functions": d.functions, "define": d.define,
                 "steps": [step.plain[0], f"{rel} {step.plain[1]}"]}
        parsed = from_block(block, block["id"])
        assert parsed.error is None, parsed.error
        assert all(s.error is None for s in parsed.steps), [s.error for s in parsed.steps]


def test_one_relation_per_step():
    for build in DERIVATIONS:
        for step in build().steps:
            for side in (step.lhs, step.rhs):
                side = re.sub(r"\\[bB]ig\|_\{[^{}]*\}", "", str(side))  # evaluation points |_{x = 0}
                assert " = " not in str(side) and r"\le " not in str(side), (build.__name__, side)


def test_the_rnn_bound_is_checked_and_the_assignments_exponent_refuted():
    d = N.rnn_derivation()
    derived = next(s for s in d.steps if s.plain and s.plain[0] == "norm(J[n - 1] @ v)")
    as_written = Step("a", "b", "the assignment's exponent", relation=r"\le",
                      plain=(derived.plain[0], "(1/2)**n*norm(v)"))
    ok, bad = check_steps(Derivation((derived, as_written), symbols=d.symbols, define=d.define), cache=False)
    assert ok.verdict == "consistent"
    assert bad.verdict == "refuted"


@pytest.mark.parametrize("n, k, d, seed", [(4, 1, 3, 0), (6, 2, 2, 1), (8, 3, 5, 2)])
def test_projection_matrices_reproduce_PV_for_a_rank_k_P(n, k, d, seed):
    import numpy as np

    rng = np.random.default_rng(seed)
    Q = rng.normal(size=(n, k)) @ rng.normal(size=(k, d))  # rank(QK^T) = k
    K, V = rng.normal(size=(n, d)), rng.normal(size=(n, d))
    C, D = N.projection_matrices(Q @ K.T, k)
    assert C.shape == D.shape == (k, n)
    np.testing.assert_allclose(Q @ (C @ K).T @ (D @ V), Q @ K.T @ V, atol=1e-9 * np.abs(Q @ K.T @ V).max())


def test_the_chain_bounds():
    assert N.sigmoid_chain_bound(3) == 0.25 ** 3 and N.tanh_chain_bound(7) == 1.0
    assert N.rnn_jacobian_bound(4) == 0.5 ** 3 and N.rnn_jacobian_bound_as_written(4) == 0.5 ** 4
