r"""Answers in the forms of public answer-equivalence suites (MATH-style LaTeX, STACK-style plain): math
delimiters, \boxed, \displaystyle, \cfrac, {a \over b}, \frac12, 50\%, spacing commands, \left. \right.,
Unicode (½ − × · ⋅ √ π ² ³, non-breaking spaces) and answers written as an equation `y = ...`.

Each row: (field, text, verdict, a word of the message for `invalid`). The wrong answers are written in the
same unusual forms as the right ones, so normalisation can never make a wrong answer right; the hostile
rows must end `invalid` within the budget."""

import time

import pytest

from verify.answers.bank import BANK, Question
from verify.answers.judge import judge, judge_with_budget
from verify.answers.language import AnswerError, _normalise_latex, parse, parse_latex

Q = {q.id: q for q in BANK}
HALF = Question("latex/half", "", {"x": "real"}, "1/2 + x", "equal")
HALF_Y = Question("latex/half-y", "", {"x": "real", "y": "real"}, "1/2 + x + 0*y", "equal")
BUDGET = 2.0

TABLE = [
    # --- right, in the forms of the suites ----------------------------------------------------------------
    ("latex", r"\boxed{x + \frac{1}{2}}", "correct", ""),
    ("latex", r"\boxed{\boxed{x + \frac{1}{2}}}", "correct", ""),
    ("latex", r"\boxed{" * 140 + r"x + \frac{1}{2}" + "}" * 140, "correct", ""),  # boxes around the answer go
    ("latex", r"\fbox{x + \frac{1}{2}}", "correct", ""),
    ("latex", r"\displaystyle x+\frac{1}{2}", "correct", ""),
    ("latex", r"\textstyle x+\tfrac{1}{2}", "correct", ""),
    ("latex", r"\cfrac{1}{2}+x", "correct", ""),
    ("latex", r"\dfrac{1}{2}+x", "correct", ""),
    ("latex", r"x+{1\over 2}", "correct", ""),
    ("latex", r"{2x + 1 \over 2}", "correct", ""),
    ("latex", r"$x + \frac12$", "correct", ""),
    ("latex", r"$$x + \frac12$$", "correct", ""),
    ("latex", r"\(x + \frac12\)", "correct", ""),
    ("latex", r"\[x + \frac12\]", "correct", ""),
    ("latex", r"$\boxed{x + \frac{1}{2}}$", "correct", ""),
    ("latex", r"\frac{2x+1}2", "correct", ""),
    ("latex", r"x + \frac\pi{2\pi}", "correct", ""),
    ("latex", r"x + \sqrt\frac{1}{4}", "invalid", "nested"),       # TeX reads \sqrt\frac as \sqrt{\frac}
    ("latex", r"x + \sqrt{\frac14}", "correct", ""),
    ("latex", r"x + \sqrt[3]{\frac18}", "correct", ""),
    ("latex", r"x + 50\%", "correct", ""),
    ("latex", r"x + 50%", "correct", ""),
    ("latex", r"x + 12.5\% \cdot 4", "correct", ""),
    ("latex", r"x\!+\!\frac{1}{2}", "correct", ""),
    ("latex", r"x \; + \: \frac{1}{2}\,", "correct", ""),
    ("latex", r"x \quad + \qquad \frac{1}{2}", "correct", ""),
    ("latex", r"x~+~\frac{1}{2}", "correct", ""),
    ("latex", r"\left. x + \frac{1}{2} \right.", "correct", ""),
    ("latex", r"\left(x + \frac{1}{2}\right)", "correct", ""),
    ("latex", r"x + \mathrm{e}^{0} - \frac{1}{2}", "correct", ""),
    ("latex", "x + ½", "correct", ""),
    ("latex", "x \u2212 (\u2212½)", "correct", ""),
    ("latex", "2 × x ⋅ ½ + ½", "correct", ""),
    ("latex", "x · 1 + \\frac{π}{2π}", "correct", ""),
    ("latex", "x + √¼", "correct", ""),
    ("latex", "x + √(x²) − |x| + ½", "correct", ""),
    ("latex", "x³ / x² + ½", "correct", ""),                       # undefined only at the single point x = 0
    ("latex", "x\u00a0+\u00a0\\frac{1}{2}", "correct", ""),
    ("latex", r"y = x + \frac12", "correct", ""),
    ("latex", r"f(x) = x + \frac{1}{2}", "correct", ""),
    ("latex", r"f\left(x\right) = x + \frac{1}{2}", "correct", ""),
    ("latex", r"$y = \boxed{x + \frac12}$", "correct", ""),
    ("answer", "y = x + 1/2", "correct", ""),
    ("answer", "f(x) = x + 1/2", "correct", ""),
    ("answer", "x + ½", "correct", ""),
    ("answer", "x \u2212 1/2 + 1", "correct", ""),
    ("answer", "2 × x · ½ + 1/2", "correct", ""),
    ("answer", "x ⋅ 1 + π/(2π)", "correct", ""),
    ("answer", "x + √(1/4)", "correct", ""),
    ("answer", "√x*√x + ½", "incorrect", ""),                       # undefined for x < 0: not a rewrite of x
    ("answer", "x\u00a0+\u00a01/2", "correct", ""),
    ("answer", "x + 1 ÷ 2", "correct", ""),
    # --- wrong, in the same forms ----------------------------------------------------------------------------
    ("latex", r"\boxed{x + \frac{1}{3}}", "incorrect", ""),
    ("latex", r"\boxed{\boxed{x + \frac13}}", "incorrect", ""),
    ("latex", r"\displaystyle x+\frac{1}{3}", "incorrect", ""),
    ("latex", r"\cfrac{1}{3}+x", "incorrect", ""),
    ("latex", r"x+{1\over 3}", "incorrect", ""),
    ("latex", r"{x + 1 \over 2}", "incorrect", ""),
    ("latex", r"$x + \frac13$", "incorrect", ""),
    ("latex", r"\[x + \frac21\]", "incorrect", ""),
    ("latex", r"\frac12x", "incorrect", ""),                       # TeX: \frac{1}{2}x, not 1/(2x) nor x + 1/2
    ("latex", r"x + 5\%", "incorrect", ""),
    ("latex", r"x + 0.5\%", "incorrect", ""),
    ("latex", "x + ⅓", "incorrect", ""),
    ("latex", "x − ½", "incorrect", ""),
    ("latex", "x² + ½", "incorrect", ""),
    ("latex", "√x² + ½", "incorrect", ""),                         # \sqrt{x}^2: undefined for x < 0
    ("latex", r"y = x + \frac13", "incorrect", ""),
    ("answer", "y = x + 1/3", "incorrect", ""),
    ("answer", "x + ¼", "incorrect", ""),
    ("answer", "x × ½", "incorrect", ""),
    ("answer", "x \u2212 1/2", "incorrect", ""),
    ("answer", "x + π/2", "incorrect", ""),
    # --- invalid, with the problem named -------------------------------------------------------------------------
    ("latex", r"x = x + \frac12", "invalid", "symbol"),
    ("answer", "x = x + 1/2", "invalid", "symbol"),
    ("answer", "y = x = 1/2", "invalid", "second '='"),
    ("answer", "x + 1 = 3/2", "invalid", "not a single name"),
    ("answer", "y =", "invalid", "nothing after '='"),
    ("answer", "pi = x + 1/2", "invalid", "constant"),
    ("latex", r"\sin(x) = 1", "invalid", "not a single name"),
    ("latex", r"$x + \frac12", "invalid", "delimiter"),
    ("latex", r"x + \frac12$", "invalid", "delimiter"),
    ("latex", r"\boxed x + 1", "invalid", r"\boxed must be followed by {...}"),
    ("latex", r"x + \%", "invalid", "must follow a number"),
    ("latex", r"1 \over 2 \over 3", "invalid", "ambiguous"),
    ("latex", r"x + \frac{1}", "invalid", r"\frac needs 2 arguments"),
    ("latex", r"x + \frac1", "invalid", r"\frac needs 2 arguments"),
    ("latex", "2½ + x", "invalid", "mixed number"),
    ("answer", "2½ + x", "invalid", "mixed number"),
    ("answer", "x²", "invalid", "ASCII only"),
    ("answer", "x + √", "invalid", "must be followed"),
    ("latex", "x ≤ 1", "invalid", "U+2264"),
    ("latex", "$$", "invalid", "empty"),
    ("latex", r"\boxed{}", "invalid", "empty"),
    ("latex", r"\boxed{x + \frac{1}{2}}}", "invalid", "unbalanced"),
    ("latex", r"\mathrm{d}x", "invalid", "unknown symbol 'd'"),
]


@pytest.mark.parametrize("field,text,verdict,needle", TABLE, ids=[f"{r[0]}:{r[1][:40]}" for r in TABLE])
def test_suite_forms(field, text, verdict, needle):
    v = judge(HALF, **{field: text})
    assert v.verdict == verdict, v
    if verdict == "invalid":
        assert needle in v.message, v.message


def test_the_table_is_large_and_balanced():
    assert len(TABLE) >= 60
    counts = {k: sum(r[2] == k for r in TABLE) for k in ("correct", "incorrect", "invalid")}
    assert min(counts.values()) >= 15, counts


# --- hostile: every one ends invalid, fast ----------------------------------------------------------------------
HOSTILE = [
    ("\\boxed 10,000 deep", r"\boxed{" * 10000 + "x" + "}" * 10000, "at most 2000"),
    ("\\boxed 280 deep", r"\boxed{" * 280 + "x" + "}" * 280, "at most 2000"),
    ("\\boxed 140 deep inside", "x + " + r"\boxed{" * 140 + "1" + "}" * 140, "nest"),
    ("\\% chain", "50" + r"\%" * 999, "must follow a number"),
    ("% chain", "x + " + "5%" * 998, "characters"),
    ("½ x 2000", "½" * 2000, "once Unicode is written as LaTeX"),
    ("√ x 2000", "√" * 2000, "must be followed"),
    ("√( nested", "√(" * 600 + "x" + ")" * 600, "characters"),
    ("\\over x 200", r"{1\over 2}" * 200, "plain language"),
    ("nested \\over", "{" * 300 + r"1 \over 2" + "}" * 300, "nest"),
    ("\\frac12 x 285", r"\frac12" * 285, "plain language"),
    ("$ x 2000", "$" * 2000, "delimiter"),
    ("= x 2000", "=" * 2000, "'='"),
    ("superscripts", "x" + "²" * 1999, "characters"),
    ("10^{10^{10}} boxed", r"\boxed{10^{10^{10}}}", "too large"),
    ("huge literal in $", "$" + "9" * 1500 + "$", "digits"),
    ("huge percent", "9" * 1500 + r"\%", "digits"),
]


@pytest.mark.parametrize("name,text,needle", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_forms_end_invalid_quickly(name, text, needle):
    t0 = time.monotonic()
    v = judge_with_budget(HALF, budget=BUDGET, latex=text)
    elapsed = time.monotonic() - t0
    assert v.verdict == "invalid", v
    assert needle in v.message, v.message
    assert elapsed <= BUDGET + 0.5, f"{elapsed:.2f} s"


@pytest.mark.parametrize("text,needle", [
    ("½" * 2000, "at most 4000"),
    ("√" * 2000, "must be followed"),
    ("=" * 2000, "syntax error"),
    ("y = " + "(" * 60 + "x" + ")" * 60, "nested deeper than 50"),
])
def test_hostile_plain_forms(text, needle):
    t0 = time.monotonic()
    with pytest.raises(AnswerError) as info:
        parse(text, {"x"})
    assert needle in str(info.value), str(info.value)
    assert time.monotonic() - t0 < 1.0


# --- messages name the problem and the position in what the user wrote ----------------------------------------
@pytest.mark.parametrize("field,text,message", [
    ("latex", r"$x+\frac12", "character 1: the math delimiter '$'"),
    ("latex", r"x + 5\%\%", r"character 8: '\%' must follow a number"),
    ("latex", "x ≤ 1", "character 3: '≤' (U+2264"),
    ("latex", r"½ + \input{x}", r"unknown LaTeX control word '\input' at character 5"),
    ("latex", r"1 \over 2 \over 3", r"character 11: a second \over"),
    ("latex", r"y = x = 1", "character 7: a second '='"),
    ("answer", "y = x = 1", "column 7: a second '='"),
    ("answer", "π + x +* 2", "column 8: syntax error"),
    ("answer", "½ + y", "column 5: unknown symbol 'y'"),
    ("answer", "z = x +* 2", "column 8: syntax error"),
    ("answer", "x + 2 = 1", "column 7: '=' after 'x + 2'"),
    ("answer", "  x +* 2", "column 6: syntax error"),
])
def test_messages_name_the_position(field, text, message):
    v = judge(HALF, **{field: text})
    assert v.verdict == "invalid"
    assert message in v.message, v.message


def test_the_old_messages_are_gone():
    """`y = x + 1/2` used to fail on a space and `$x+\\frac12$` on a brace: both now read."""
    assert judge(HALF, answer="y = x + 1/2").verdict == "correct"
    assert judge(HALF, latex=r"$x+\frac12$").verdict == "correct"


# --- equations --------------------------------------------------------------------------------------------------
def test_an_equation_whose_left_side_is_a_symbol_is_invalid():
    v = judge(HALF_Y, answer="y = x + 1/2")
    assert v.verdict == "invalid" and "'y'" in v.message and "write only the expression" in v.message
    v = judge(HALF_Y, latex=r"y = x + \frac{1}{2}")
    assert v.verdict == "invalid" and "'y'" in v.message
    assert judge(HALF_Y, answer="z = x + 1/2").verdict == "correct"


@pytest.mark.parametrize("relation", ["upper_bound", "lower_bound", "same_order", "derivative", "up_to_constant"])
def test_an_equation_is_only_for_equal(relation):
    with pytest.raises(AnswerError) as info:
        parse("y = x + 1/2", {"x"}, relation=relation)
    assert f"this one is '{relation}'" in str(info.value) and "write only the expression" in str(info.value)
    with pytest.raises(AnswerError) as info:
        parse_latex(r"T(n) = n^2", {"n"}, relation=relation)
    assert "write only the expression" in str(info.value)
    assert parse("y = x + 1/2", {"x"}, relation="equal") == parse("x + 1/2", {"x"})


def test_comparisons_and_keywords_are_not_equations():
    for text, needle in [("x == 1", "Compare"), ("x <= 1", "Compare"), ("x := 1", "syntax error"),
                         ("x @= y", "syntax error"), ("norm(x, ord=2)", "keyword")]:
        with pytest.raises(AnswerError) as info:
            parse(text, {"x", "y"})
        assert needle in str(info.value), (text, str(info.value))


# --- the normaliser is text to text ---------------------------------------------------------------------------
@pytest.mark.parametrize("tex,normal", [
    (r"$x+\frac12$", r"x+\frac{1}{2}"),
    (r"\boxed{\boxed{x}}", "x"),
    (r"2\boxed{x}", "2 {x}"),
    (r"x+{1\over 2}", r"x+{\frac{1}{ 2}}"),
    (r"50\%", r"{\frac{50}{100}}"),
    (r"\displaystyle\cfrac{1}{2}", r"\frac {1}{2}"),
    ("x² + ½", r"x^{2} + {\frac{1}{2}}"),
    ("A⁻¹", "A^{-1}"),
    ("√(x+1)", r"\sqrt{(x+1)}"),
    (r"y = \left. x \right.", "x"),
    (r"\binom nk", r"\binom {n}{k}"),
])
def test_normalised_text(tex, normal):
    assert " ".join(_normalise_latex(tex, {"x", "n", "k", "A"}, None).s.split()) == normal


@pytest.mark.parametrize("a,b", [
    (r"$\frac{x}{2}$", r"\frac{x}{2}"), (r"\boxed{x^2}", "x^2"), (r"{x \over 2}", r"\frac{x}{2}"),
    (r"x\cdot 25\%", r"x \cdot \frac{25}{100}"), ("x²·π", r"x^2 \pi"), ("√x", r"\sqrt{x}"), (r"\sqrt2 x", r"\sqrt{2}x"),
])
def test_forms_mean_the_same(a, b):
    assert parse_latex(a, {"x"}) == parse_latex(b, {"x"})


# --- matrices (the translator route) ----------------------------------------------------------------------------
@pytest.mark.parametrize("tex,verdict", [
    (r"$A^{-1}(\eta^2 D + I)A^{-\top}$", "correct"),
    (r"\boxed{A^{-1}\left(\eta^2 D + I\right)A^{-\top}}", "correct"),
    ("A⁻¹(η²D + I)A^{-\\top}", "correct"),
    (r"\boxed{A^{-\top}(\eta^2 D + I)A^{-1}}", "incorrect"),
    (r"\Sigma_{1} = A^{-1}(\eta^2 D + I)A^{-\top}", "correct"),
])
def test_matrix_answers_in_suite_forms(tex, verdict):
    assert judge(Q["paper/theorem-1"], latex=tex).verdict == verdict


def test_line_breaks_and_tabs_inside_an_answer_are_spaces():
    """A multi-line CSV cell (an LMS export) is one answer: its line breaks are whitespace."""
    from verify.answers.language import parse

    assert parse("x**3*exp(x)\n+ 3*x**2*exp(x)", {"x"}) == parse("x**3*exp(x) + 3*x**2*exp(x)", {"x"})
    assert parse("x\t+\r\n1", {"x"}) == parse("x + 1", {"x"})
