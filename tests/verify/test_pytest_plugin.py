"""The pytest plugin (verify/pytest_plugin.py), run through pytester."""

import os
import subprocess
import sys
from pathlib import Path

import numpy  # noqa: F401  (imported here so pytester's in-process runs never re-import them)
import pytest

import verify.api  # noqa: F401
import verify.checks  # noqa: F401
import verify.runner  # noqa: F401

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[2]

CLAIMS = '''
import numpy as np
from hypothesis import strategies as st
from derivations.steps import Derivation, Step
from verify import Claim, Formula, Mutant
from verify.checks import DerivativeCheck


def _softplus(X):
    return np.log1p(np.exp(X))


def _claim(id, derivative, mutant):
    return Claim(
        id=id, title="d/dx softplus", source="test", statement="$x$", assumptions=(),
        derivation=Derivation((Step("a", "a", "same"),)),
        candidate=Formula("c", lambda x: np.array([[derivative(x)]])),
        checks=(DerivativeCheck(primitive=lambda x: (_softplus, np.array([x])),
                                strategy=lambda: st.floats(-30, 30)),),
        mutants=(Mutant("m", "a mutant", Formula("m", lambda x: np.array([[mutant(x)]]))),))


CLAIMS = (
    _claim("mine.right", lambda x: 1 / (1 + np.exp(-x)), lambda x: 1 / (1 + np.exp(x))),
    _claim("mine.wrong", lambda x: 1 / (1 + np.exp(x)), lambda x: 1 / (1 + np.exp(-x))),  # mutant is right
)
'''


@pytest.fixture
def claims(pytester):
    pytester.makepyfile(user_claims=CLAIMS)
    pytester.makeini("[pytest]\ntestpaths = tests\n")
    pytester.mkdir("tests")
    pytester.path.joinpath("tests", "test_other.py").write_text("def test_other():\n    assert False\n")
    return pytester


def test_claims_become_items_and_testpaths_are_not_collected(claims):
    r = claims.runpytest("--verify-claims", "user_claims", "-k", "right", "-p", "no:cacheprovider")
    r.assert_outcomes(passed=1, deselected=1)  # test_other (in testpaths) is not collected
    r.stdout.fnmatch_lines(["verify: seed=0, profile=quick, claims from user_claims"])


def test_mutants_are_items_that_pass_when_refuted(claims):
    r = claims.runpytest("--verify-claims", "user_claims", "--verify-mutants", "-v", "-k", "right",
                         "-p", "no:cacheprovider")
    r.assert_outcomes(passed=2, deselected=2)
    r.stdout.fnmatch_lines(["*user_claims::mine.right?m? PASSED*"])


def test_failure_is_an_evidence_table_with_the_seed_not_a_traceback(claims):
    r = claims.runpytest("--verify-claims", "user_claims", "--verify-seed", "7", "-k", "wrong",
                         "-p", "no:cacheprovider")
    r.assert_outcomes(failed=1, deselected=1)
    out = r.stdout.str()
    assert "claim mine.wrong: verdict refuted, expected proved or consistent" in out
    assert "derivative counterexample:" in out and "candidate" in out and "reference" in out
    assert "--verify-seed 7" in out and "-k 'mine.wrong'" in out
    assert "Traceback" not in out and "runtest" not in out


def test_a_mutant_that_survives_fails(claims):
    r = claims.runpytest("--verify-claims", "user_claims", "--verify-mutants", "-k", "mine.wrong[m]",
                         "-p", "no:cacheprovider")
    r.assert_outcomes(failed=1, deselected=3)
    r.stdout.fnmatch_lines(["*mutant mine.wrong~m (a mutant): verdict consistent, expected refuted*",
                            "*--verify-mutants --verify-seed 0 --verify-profile quick -k 'mine.wrong?m?'"])


def test_explicit_paths_run_with_the_claims(claims):
    r = claims.runpytest("--verify-claims", "user_claims", "tests", "-k", "right or other",
                         "-p", "no:cacheprovider")
    r.assert_outcomes(passed=1, failed=1, deselected=1)


def test_unknown_module_is_a_usage_error(claims):
    r = claims.runpytest("--verify-claims", "no_such_module", "-p", "no:cacheprovider")
    assert r.ret == pytest.ExitCode.USAGE_ERROR
    r.stderr.fnmatch_lines(["*--verify-claims no_such_module: cannot import it*dotted module name*"])


POINT_TESTS = '''
import numpy as np, pytest, verify
from hypothesis import strategies as st

@pytest.mark.verify_point(st.floats(-3, 3), max_examples=50)
def test_right(verify_point):
    verify.check_jacobian(np.sin, np.cos, verify_point)

@pytest.mark.verify_point(st.floats(-3, 3))
def test_wrong(verify_point):
    verify.check_jacobian(np.sin, lambda x: np.cos(x) + 1e-6 * (x > 1), verify_point)

def test_plain_check_failed():
    verify.check_jacobian(np.sin, lambda x: 1.001 * np.cos(x), 0.5)

def test_fixture_without_marker(verify_point):
    pass
'''


def test_verify_point_marker_runs_per_point_shrinks_and_reports(pytester):
    pytester.makepyfile(test_points=POINT_TESTS)
    r = pytester.runpytest("--verify-seed", "3", "-p", "no:cacheprovider")
    r.assert_outcomes(passed=1, failed=2, errors=1)
    out = r.stdout.str()
    # Hypothesis >= 6.16x says "Failing test case:", older releases "Falsifying example:"
    assert "CheckFailed at" in out and any(f"{w} test_wrong(" in out for w in ("Falsifying example:",
                                                                               "Failing test case:"))
    assert "reproduce with --verify-seed 3" in out and "seed 3" in out
    assert "without @pytest.mark.verify_point(strategy)" in out
    # the plain failure is the evidence table, not a traceback
    section = out.split("_ test_plain_check_failed _")[1]
    assert "worst entry" in section and "claimed" in section and "Traceback" not in out


def test_docs_example_runs_from_the_repo_root():
    """The 'done when' of issue 19: pytest --verify-claims docs.examples.my_claims from the repo root."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    r = subprocess.run([sys.executable, "-m", "pytest", "--verify-claims", "docs.examples.my_claims",
                        "--verify-mutants", "-q", "-p", "no:cacheprovider"],
                       cwd=REPO, capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "2 passed" in r.stdout
