"""verify.answers: the whitelist (a table of hostile inputs), LaTeX, the judge, the command line."""

import json

import numpy as np
import pytest

from verify.answers.bank import BANK, Question
from verify.answers.judge import judge, judge_with_budget
from verify.answers.language import AnswerError, parse, parse_latex
from verify.cli import main

Q = {q.id: q for q in BANK}
SYMS = {"x", "y", "n", "g", "R", "A"}

HOSTILE = [
    ("__import__('os').system('rm -rf /')", "only the functions"),
    ("__import__('os')", "'__import__' is not an allowed function"),
    ("x.__class__.__bases__", "attribute '.__bases__'"),
    ("x.__class__", "attribute '.__class__'"),
    ("(lambda: 1)()", "only the functions"),
    ("lambda: 1", "Lambda is not allowed"),
    ("'abc'", "a string is not allowed"),
    ("x; y", "syntax error"),
    ("import os", "syntax error"),
    ("x if y else n", "IfExp is not allowed"),
    ("[x for x in y]", "ListComp is not allowed"),
    ("{1: 2}", "Dict is not allowed"),
    ("x == y", "Compare is not allowed"),
    ("x and y", "BoolOp is not allowed"),
    ("x | y", "BitOr is not allowed"),
    ("open('/etc/passwd')", "'open' is not an allowed function"),
    ("eval('1')", "'eval' is not an allowed function"),
    ("log(x, base=2)", "keyword arguments"),
    ("max(*x)", "starred arguments"),
    ("9**9**9", "constants are limited to 1000 digits"),
    ("2**100000", "the constant 2**100000 is too large"),
    ("x[0]", "indexing is not allowed"),
    ("z + 1", "unknown symbol 'z'"),
    ("log", "is a function"),
    ("(" * 60 + "x" + ")" * 60, "nested deeper than 50"),
    ("x + " * 700 + "x", "at most 2000"),
    ("", "empty"),
    ("x\u00b2", "ASCII only"),
    ("f(x)", "'f' is not an allowed function"),
    ("x.T.T.__dict__", "attribute '.__dict__'"),
    ("1e999", "not finite"),
    ("True", "bool is not allowed"),
    ("E", "unknown symbol 'E'"),
    ("O(x, y)", "exactly one argument"),
    ("`x`", "syntax error"),
    ("x @= y", "syntax error"),
    ("await x", "Await is not allowed"),
    ("(yield x)", "Yield is not allowed"),
    ("x := 1", "syntax error"),
    ("f'{x}'", "JoinedStr is not allowed"),
    ("...", "ellipsis is not allowed"),
]


@pytest.mark.parametrize("text,needle", HOSTILE, ids=[h[0][:30] for h in HOSTILE])
def test_hostile_inputs_are_rejected_with_a_message(text, needle):
    with pytest.raises(AnswerError, match=None) as info:
        parse(text, SYMS)
    assert needle in str(info.value), str(info.value)


LATEX_HOSTILE = [
    (r"\input{/etc/passwd}", r"unknown LaTeX control word '\input'"),
    (r"\def\x{1}", r"unknown LaTeX control word '\def'"),
    (r"\write18{ls}", r"unknown LaTeX control word '\write'"),
    (r"\frac{1}{", "unbalanced braces"),
    (r"|x", "unbalanced"),
    (r"\mathcal{L}", r"\mathcal is only supported"),
]


@pytest.mark.parametrize("tex,needle", LATEX_HOSTILE)
def test_hostile_latex_is_rejected(tex, needle):
    with pytest.raises(AnswerError) as info:
        parse_latex(tex, SYMS)
    assert needle in str(info.value), str(info.value)


def test_no_eval_sympify_or_parse_expr_in_the_answer_path():
    import inspect

    import verify.answers.evaluate as ev
    import verify.answers.judge as jd
    import verify.answers.language as lang

    for mod in (lang, ev, jd):
        src = inspect.getsource(mod)
        for banned in ("eval(", "sympify(", "parse_expr(", "exec("):
            hits = [ln for ln in src.splitlines() if banned in ln and "evaluate(" not in ln and "_eval" not in ln
                    and not ln.strip().startswith(("#", '"', "r\"", "Nothing"))]
            assert not hits, (mod.__name__, banned, hits)


@pytest.mark.parametrize("tex,plain", [
    (r"\frac{\mathbb{E}[g^2 R]}{\mathbb{E}\left[g^2\right]}", "E[g**2*R]/E[g**2]"),
    (r"\left(\frac{1}{4}\right)^{n}", "(1/4)**n"),
    (r"2x\cdot y", "2*x*y"),
    (r"\sqrt{x}\,y", "sqrt(x)*y"),
    (r"\log x^2", "log(x**2)"),
    (r"\mathcal{O}(n^2 x)", "O(n**2*x)"),
])
def test_latex_means_the_same_as_plain(tex, plain):
    assert parse_latex(tex, SYMS) == parse(plain, SYMS)


def test_latex_matrix_juxtaposition_is_a_product():
    q = Q["paper/theorem-1"]
    node = parse_latex(r"A^{-1}(\eta^2 D + I)A^{-\top}", q.domains, q.array_names)
    assert judge(q, latex=r"A^{-1}(\eta^2 D + I)A^{-\top}").verdict == "correct", node


@pytest.mark.parametrize("qid,answer,verdict", [
    ("hw4/1.1.1", "(1/4)**n", "correct"),           # the official solution
    ("hw4/1.1.1", "4**(-n)", "correct"),
    ("hw4/1.1.1", "1/4", "incorrect"),               # holds, not as tight
    ("hw4/1.1.1", "(1/4)**(n+1)", "incorrect"),      # fails at n = 1
    ("hw4/1.1.2", "1", "correct"),                   # the official solution
    ("hw4/1.1.2", "(1/2)**n", "incorrect"),
    ("hw4/1.2.1", "(1/2)**n", "incorrect"),          # the homework's (and the official) bound: off by one
    ("hw4/1.2.1", "2*(1/2)**n", "correct"),
    ("hw4/1.3.1", "O(n**2*d)", "correct"),           # the official solution
    ("hw4/1.3.1", "n*n*d + n*d", "correct"),
    ("hw4/1.3.1", "n*d**2", "incorrect"),
    ("hw4/1.3.1", "n**2*d*log(n)", "incorrect"),
    ("hw4/1.3.2", "O(n*k*d)", "correct"),            # the official solution
    ("hw4/1.3.2", "n**2*d", "incorrect"),
    ("hw4/2.2", "log(p_z) - log(abs(det(J)))", "correct"),
    ("hw4/2.2", "log(p_z/abs(det(J)))", "correct"),
    ("hw4/2.2", "log(p_z) - log(det(J))", "incorrect"),  # needs the absolute value
    ("hw4/3.1b", "gamma", "correct"),                # the official solution
    ("hw4/3.1b", "gamma**2", "incorrect"),
    ("hw4/3.1c.1", "max(q)", "correct"),
    ("hw4/3.1c.1", "sum(q)", "incorrect"),
    ("hw4/3.1c.2", "r + gamma*sum(p*v)", "correct"),
    ("hw4/3.1c.2", "r + gamma * p.T @ v", "correct"),   # vectors are columns: p.T @ v is a number
    ("hw4/3.1c.2", "r + gamma * p @ v", "invalid"),     # (n x 1) @ (n x 1)
    ("hw4/3.1c.2", "r + sum(p*v)", "incorrect"),
    ("hw4/3.2.1", "E[g**2*R]/E[g**2]", "correct"),   # the official solution
    ("hw4/3.2.1", "E[R]", "incorrect"),
    ("paper/theorem-1", "inv(A) @ (eta**2*D + I) @ inv(A).T", "correct"),
    ("paper/theorem-1", "inv(A).T @ (eta**2*D + I) @ inv(A)", "incorrect"),
    ("paper/theorem-1", "inv(A) @ (eta*D + I) @ inv(A).T", "incorrect"),
    ("paper/theorem-5-explicit", "(n*(k-1) + n*(n-k)*rho)/(k*(n-1))", "correct"),
    ("paper/theorem-5-explicit", "n/k*rho", "incorrect"),
    ("paper/corollary-2", "n/k", "correct"),
    ("paper/corollary-2", "(n-1)/k", "incorrect"),
])
def test_verdicts(qid, answer, verdict):
    v = judge(Q[qid], answer=answer)
    assert v.verdict == verdict, v
    if verdict == "incorrect":
        assert v.counterexample and "symbols" in v.counterexample


def test_wrong_answers_get_small_counterexamples():
    v = judge(Q["hw4/1.1.1"], answer="(1/4)**(n+1)")
    assert v.counterexample["symbols"] == {"n": 1}
    v = judge(Q["hw4/3.1b"], answer="gamma**2")
    assert v.counterexample["answer"] != v.counterexample["reference"]


def test_o_notation_only_for_same_order():
    assert judge(Q["hw4/3.1b"], answer="O(gamma)").verdict == "invalid"


def test_random_variable_outside_expectation_is_invalid():
    v = judge(Q["hw4/3.2.1"], answer="g*R")
    assert v.verdict == "invalid" and "E[...]" in v.message


def test_budget_gives_unknown_instead_of_hanging():
    q = Question("slow/1", "", {"x": "positive"}, "x", "equal")
    v = judge_with_budget(q, budget=0.05, answer="(x + 1)**600 - (x + 1)**600 + x")
    assert v.verdict in ("unknown", "correct")  # a fast machine may finish; a slow one must not hang
    v = judge_with_budget(q, budget=5.0, answer="x")
    assert v.verdict == "correct"


def _write(tmp_path, text):
    p = tmp_path / "answers.toml"
    p.write_text(text)
    return str(p)


def test_check_command_mixed_file(tmp_path, capsys):
    out = tmp_path / "v.json"
    code = main(["check", "docs/examples/answers.toml", "--json", str(out)])
    verdicts = {v["id"]: v for v in json.loads(out.read_text())}
    assert code == 1
    assert verdicts["baseline-latex"]["verdict"] == "correct"
    assert verdicts["baseline-wrong"]["verdict"] == "incorrect"
    assert verdicts["hostile"]["verdict"] == "invalid"
    assert verdicts["custom"]["verdict"] == "correct"
    assert verdicts["rnn-official"]["verdict"] == "incorrect"
    assert verdicts["too-large"]["verdict"] == "invalid" and "too large" in verdicts["too-large"]["message"]
    assert verdicts["singular"]["verdict"] == "incorrect"
    assert set(verdicts["baseline-wrong"]) == {"id", "question", "verdict", "message", "counterexample"}


def test_check_command_all_correct_exits_0(tmp_path):
    f = _write(tmp_path, '[[answer]]\nquestion = "hw4/3.1b"\nanswer = "gamma"\n')
    assert main(["check", f, "--quiet"]) == 0


def test_check_command_bad_toml_exits_2_with_the_line(tmp_path, capsys):
    f = _write(tmp_path, '[[answer]]\nquestion = "hw4/3.1b"\nanswer = gamma\n')
    assert main(["check", f]) == 2
    err = capsys.readouterr().err
    assert "line 3" in err


def test_check_command_missing_file_exits_2(capsys):
    assert main(["check", "/nonexistent/answers.toml"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_bad_answers_do_not_stop_the_batch(tmp_path, capsys):
    f = _write(tmp_path, "\n".join([
        '[[answer]]\nquestion = "nope"\nanswer = "1"',
        '[[answer]]\nquestion = "hw4/3.1b"\nanswer = "(("',
        '[[answer]]\nquestion = "hw4/3.1b"\nanswer = "gamma"\nlatex = "\\\\gamma"',
        '[[answer]]\nquestion = "hw4/3.1b"\nlatex = "\\\\gamma"',
    ]))
    assert main(["check", f, "--json", "-"]) == 1
    out = capsys.readouterr().out
    data = json.loads(out[out.index("["):])
    assert [v["verdict"] for v in data] == ["invalid", "invalid", "invalid", "correct"]
    assert "unknown question" in data[0]["message"] and "column" in data[1]["message"]


def test_questions_command_lists_the_bank(capsys):
    assert main(["questions", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    ids = {r["id"] for r in rows}
    assert {"hw4/1.1.1", "hw4/3.2.1", "paper/theorem-1", "paper/corollary-2"} <= ids
    assert rows[0]["symbols"]["n"]["domain"] == "integer in [1, 40]"


def test_custom_question_with_bad_domain_makes_its_answers_invalid(tmp_path, capsys):
    f = _write(tmp_path, '[[question]]\nid = "c/1"\nsymbols = { x = "complex" }\nreference = "x"\nrelation = "equal"\n'
                         '[[answer]]\nquestion = "c/1"\nanswer = "x"\n')
    assert main(["check", f]) == 1
    assert "unknown domain" in capsys.readouterr().out


def test_star_between_matrices_is_elementwise():
    v = judge(Q["paper/theorem-1"], answer="inv(A) * (eta**2*D + I) * inv(A).T")
    assert v.verdict == "incorrect"  # the Hadamard product, not the matrix product
    q = Question("t/hadamard", "", {"A": "matrix n x n", "B": "matrix n x n"}, "A * B", "equal")
    assert judge(q, answer="B * A").verdict == "correct"
    assert judge(q, answer="A @ B").verdict == "incorrect"
    v = judge(Q["hw4/3.1c.2"], answer="r + gamma * p @ v")
    assert v.verdict == "invalid" and "x.T @ y" in v.message


def test_numbers_are_exact():
    from fractions import Fraction

    assert parse("0.1", set()).value == Fraction(1, 10)
    assert np.isclose(float(parse("0.25", set()).value), 0.25)


def test_readme_toml_example_grades_correct(tmp_path):
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = re.findall(r"```toml\n(.*?)```", readme, flags=re.S)[0]
    f = _write(tmp_path, block + '\n[[answer]]\nquestion = "mine/1"\nlatex = "3x^2"\n')
    assert main(["check", f, "--quiet"]) == 0


@pytest.mark.parametrize("tex", [
    r"\left(\frac{1}{4}\right)^{n}", r"\gamma", r"\frac{x}{y} + 0.5", r"\sqrt{x} \cdot y", r"|x - y|",
    r"\mathbb{E}\left[g^2 \cdot R\right]", r"\sqrt{x + y}", r"x^{-1}",
])
def test_sympy_lark_parser_and_the_translator_agree(tex):
    """Scalar LaTeX goes through SymPy's Lark parser; the whitelisting translator (used when Lark
    cannot read an answer, e.g. `g^2 R` or `n(k-1)`) must mean the same thing."""
    from verify.answers.evaluate import evaluate, RandomVariable
    from verify.answers.language import _latex_to_plain, _parse_latex_lark

    syms = SYMS | {"gamma"}
    lark_node = _parse_latex_lark(tex, syms)
    plain_node = parse(_latex_to_plain(tex, syms), syms)
    env = {"x": 1.75, "y": 0.5, "n": 3, "gamma": 0.9, "g": RandomVariable(np.array([1.0, -2.0])),
           "R": RandomVariable(np.array([0.5, 3.0])), "A": 1.0}
    p = np.array([0.25, 0.75])
    assert evaluate(lark_node, env, probabilities=p) == pytest.approx(evaluate(plain_node, env, probabilities=p))


DERIVATIVE_BANK = [q for q in BANK if q.relation == "derivative"]


@pytest.mark.parametrize("q", DERIVATIVE_BANK, ids=[q.id for q in DERIVATIVE_BANK])
def test_bank_derivative_references_are_correct(q):
    assert judge(q, answer=q.reference).verdict == "correct"


def test_bank_derivative_wrong_answers():
    bank = {q.id: q for q in BANK}
    v = judge(bank["td/gradient-w1"], answer="tanh(W2.T @ a) - tanh(W2.T @ b)")  # the discount dropped
    assert v.verdict == "incorrect" and "entry" in v.counterexample and "derivative" in v.counterexample
    v = judge(bank["hw4/2.2-logdet-gradient"], answer="inv(J)")  # missing transpose
    assert v.verdict == "incorrect"
    v = judge(bank["calc/softmax-jacobian"], answer="softmax(z) @ softmax(z).T")
    assert v.verdict == "incorrect"


def test_numeric_derivative_api():
    from verify.answers.derivative import hessian, jacobian

    J, err = jacobian(lambda x: np.array([[x[0, 0] * x[1, 0]], [np.sin(x[0, 0])]]), np.array([[1.0], [2.0]]))
    assert np.allclose(J, [[2.0, 1.0], [np.cos(1.0), 0.0]], atol=1e-8)
    H, _ = hessian(lambda x: float(x[0, 0] ** 2 * x[1, 0]), np.array([[1.0], [3.0]]))
    assert np.allclose(H, [[6.0, 2.0], [2.0, 0.0]], atol=1e-5)


def test_custom_bound_question_needs_a_quantity(tmp_path, capsys):
    text = ('[[question]]\nid = "c/b"\nsymbols = { x = "positive" }\nreference = "x"\nrelation = "lower_bound"\n'
            '[[answer]]\nquestion = "c/b"\nanswer = "-1000"\n'
            '[[question]]\nid = "c/q"\nsymbols = { x = "positive" }\nreference = "x/2"\nquantity = "x"\n'
            'relation = "lower_bound"\n'
            '[[answer]]\nquestion = "c/q"\nanswer = "-1000"\n'
            '[[answer]]\nquestion = "c/q"\nanswer = "x/2"\n')
    f = tmp_path / "a.toml"
    f.write_text(text)
    assert main(["check", str(f), "--json", "-", "--quiet"]) == 1
    out = capsys.readouterr().out
    data = json.loads(out[out.index("["):])
    assert [v["verdict"] for v in data] == ["invalid", "incorrect", "correct"]
    assert "quantity" in data[0]["message"]


def test_up_to_constant():
    q = Question("t/anti", "", {"x": "real"}, "x**3/3", "up_to_constant")
    assert judge(q, answer="x**3/3 + 7").verdict == "correct"
    assert judge(q, answer="x**3/3 + x/10**9").verdict == "incorrect"
    q = Question("t/anti-log", "", {"x": "real"}, "log(abs(x))", "up_to_constant")
    assert judge(q, answer="log(abs(2*x))").verdict == "correct"
