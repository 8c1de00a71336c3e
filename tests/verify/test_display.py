"""Rich display (verify/display.py): HTML tables for evidence, verdicts and check results."""

import numpy as np
import pytest

import verify
from verify import display
from verify.model import Evidence, Formula
from verify.runner import ClaimResult, MutantResult


def _refuted_evidence():
    return Evidence("bound", "adversarial search", "refuted", points=3, worst_error=0.25, tolerance=2.5e-10,
                    worst_ratio=1e9, counterexample={"point": {"W": [[0.5]], "n": 2}, "oracle": 0.5,
                                                     "bound": 0.25}, details={"best_tightness": 2.0})


def test_html_table_escapes_cells_unless_marked_html():
    out = display.html_table([("<script>", display.Html("<b>x</b>"), 1 / 3)], header=("a&b", "c", "d"))
    assert "&lt;script&gt;" in out and "<script>" not in out
    assert "<b>x</b>" in out and "a&amp;b" in out and "0.333333" in out


def test_fmt_is_compact_for_numbers_arrays_and_long_values():
    assert display.fmt(np.float64(2.0)) == "2"
    assert display.fmt(np.array([1.5, -2.0])) == "[1.5, -2]"
    assert display.fmt((1.0, "a")) == "(1, a)"
    assert "…" in display.fmt(np.arange(1000.0)) or "..." in display.fmt(np.arange(1000.0))
    assert len(display.fmt("x" * 1000)) == 160


def test_claim_result_shows_checks_counterexample_table_and_mutants():
    ok = Evidence("bound", "search", "consistent", points=60, worst_ratio=0.0)
    r = ClaimResult("mine.claim", "A <claim>", "bound", "refuted", "holds", [_refuted_evidence()],
                    [MutantResult("m1", "$x^2$", True, "refuted", [_refuted_evidence()]),
                     MutantResult("m2", "off by one", False, "consistent", [ok])], 0.5)
    out = r._repr_html_()
    assert "mine.claim" in out and "A &lt;claim&gt;" in out
    for cell in ("point.W", "[[0.5]]", "point.n", "oracle", "counterexample"):
        assert f">{cell}<" in out
    assert "1 of 2 mutants refuted" in out and "m2" in out and ">NO<" in out
    assert "<table>" in _refuted_evidence()._repr_html_()
    assert "m1" in r.mutants[0]._repr_html_()


def test_results_wrapper_has_html_and_the_terminal_table():
    r = ClaimResult("mine.claim", "t", "bound", "consistent", "holds",
                    [Evidence("bound", "search", "consistent", points=60, worst_ratio=0.1)], [], 0.1)
    rich = display.results([r])
    assert "1 of 1 claims as expected" in rich._repr_html_()
    assert "1 of 1 claims as expected" in str(rich) and "mine.claim" in repr(rich)


def test_check_evidence_and_failure_show_the_evidence_table():
    with pytest.raises(verify.CheckFailed) as info:
        verify.check_identity(np.tanh, lambda x: x - x**3 / 3, 0.1)
    out = info.value.evidence._repr_html_()
    assert "check_identity" in out and "refuted" in out and ">point<" in out and "seed=0" in out


def test_claim_and_formula_display_latex():
    claim = verify.default_registry()["networks.rnn-jacobian-bound"]
    out = claim._repr_html_()
    assert "networks.rnn-jacobian-bound-corrected" in out and "\\begin{align*}" in out
    assert Formula("x^2")._repr_latex_() == "$x^2$"


def test_ipython_extension_shows_evidence_instead_of_a_traceback():
    calls = {}

    class Shell:
        def set_custom_exc(self, types, handler):
            calls["types"], calls["handler"] = types, handler

        def _showtraceback(self, etype, value, stb):
            calls["stb"] = stb

    shell = Shell()
    display.load_ipython_extension(shell)
    assert verify.CheckFailed in calls["types"] and verify.CheckUndecided in calls["types"]
    pytest.importorskip("IPython")
    try:
        verify.check_identity(np.tanh, lambda x: x - x**3 / 3, 0.1)
    except verify.CheckFailed as exc:
        stb = calls["handler"](shell, type(exc), exc, exc.__traceback__)
    assert stb == calls["stb"] and "check_identity refuted (evidence above" in stb[0]


def test_display_is_reachable_without_an_import():
    import importlib
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", "import verify; print(verify.display.results.__name__)"],
                         capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "results", out.stderr
    assert importlib.import_module("verify").display is display


def test_steps_and_diff_results_display_in_jupyter(tmp_path):
    import verify
    from verify.steps.command import check_file

    f = tmp_path / "d.toml"
    f.write_text('[[derivation]]\nid = "sq"\nsymbols = { a = "real", b = "real" }\n'
                 'steps = ["(a + b)**2", "= a**2 + b**2", "<= 2*(a**2 + b**2)"]\n')
    _, results = check_file(str(f))
    html = results[0]._repr_html_()
    assert "refuted" in html and "first wrong step: step 1" in html and "<table>" in html
    r = verify.diff("log(det(X))", "X", symbols={"X": "invertible matrix n x n"})
    html = r._repr_html_()
    assert r.verified and "inv(X).T" in html and "evidence" in html
