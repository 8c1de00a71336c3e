"""Hostile inputs to `verify check`: each row gives the verdict class it must get and a bound on its wall
time (the budget plus 0.5 s); none may reach the verdict `error`. Then the file- and option-level cases:
each ends with exit status 2 and one line on standard error, or with a valid JSON report."""

import io
import json
import time

import pytest

from verify.answers.bank import BANK, Question
from verify.answers.judge import judge, judge_with_budget
from verify.cli import main

Q = {q.id: q for q in BANK}
X = Question("hostile/x", "", {"x": "real"}, "x", "equal")
POS = Question("hostile/pos", "", {"x": "positive"}, "x", "equal")
HUGE_N = Question("hostile/huge-n", "", {"n": "integer >= 1" + "0" * 300}, "n", "equal")
BUDGET = 2.0

ROWS = [
    # (name, question, field, text, verdict)
    ("latex 10^10^10 is not computed", X, "latex", r"10^{10^{10}}", "invalid"),
    ("latex factorial of 10^9", X, "latex", r"(10^{9})!", "invalid"),
    ("latex tower 2^2^2^2^2^2", X, "latex", r"2^{2^{2^{2^{2^{2}}}}}", "invalid"),
    ("latex 2000 juxtaposed letters", X, "latex", "x" * 2000, "invalid"),
    ("latex 190 juxtaposed letters", X, "latex", "x" * 190, "invalid"),
    ("latex 8 juxtaposed letters", X, "latex", "x" * 8, "incorrect"),
    ("latex deep fractions", X, "latex", r"\frac{1}{" * 60 + "x" + "}" * 60, "invalid"),
    ("latex control characters", X, "latex", "x\x1b[2J", "invalid"),
    ("latex 1/0", X, "latex", r"\frac{1}{0}", "incorrect"),
    ("latex huge literal", X, "latex", "9" * 1500, "invalid"),
    ("plain 9**-9**9", X, "answer", "9**-9**9", "invalid"),
    ("plain 2**(9**9+0)", X, "answer", "2**(9**9+0)", "invalid"),
    ("plain ((2**1000)**1000)**1000", X, "answer", "((2**1000)**1000)**1000", "invalid"),
    ("plain (x+1)**(10*10*10*10*10*10) is judged", X, "answer", "(x+1)**(10*10*10*10*10*10)", "incorrect"),
    ("plain (x-1)**6000 expands nowhere", X, "answer", "(x - 1)**6000 - (x - 1)**6000 + x", "correct"),
    ("plain (x+1)**1000 expands within limits", X, "answer", "(x+1)**1000 - (x+1)**1000 + x", "correct"),
    ("plain exp(exp(exp(1000)))", X, "answer", "exp(exp(exp(1000)))", "invalid"),
    ("plain exp(exp(exp(x)))", X, "answer", "exp(exp(exp(x)))", "incorrect"),
    ("plain x**1000000", X, "answer", "x**1000000", "incorrect"),
    ("plain 1/0", X, "answer", "1/0", "incorrect"),
    ("plain log(-1)", X, "answer", "log(-1)", "incorrect"),
    ("plain 10**400 cancels", X, "answer", "10**400 + x - 10**400", "correct"),
    ("plain 1e308 overflow", X, "answer", "x + 1e308*1e308 - 1e308*1e308", "correct"),
    ("plain det of a number", X, "answer", "det(x)", "invalid"),
    ("plain max of one number", X, "answer", "max(x)", "invalid"),
    ("plain empty", X, "answer", "   ", "invalid"),
    ("plain not a string", X, "answer", 42, "invalid"),
    ("plain 2000 characters", X, "answer", "x+" * 1000 + "x", "invalid"),
    ("singular matrix inv(A - A)", Q["paper/theorem-1"], "answer", "inv(A - A)", "incorrect"),
    ("singular matrix inv(A - A) @ A", Q["paper/theorem-1"], "answer", "inv(A - A) @ A", "incorrect"),
    ("400-digit literal on a bound", Q["hw4/1.1.1"], "answer", "1" + "0" * 400, "incorrect"),
    ("400-digit literal on an equality", Q["hw4/3.1b"], "answer", "1" + "0" * 400, "incorrect"),
    ("a loose bound n", Q["hw4/1.1.1"], "answer", "n", "incorrect"),
    ("matrix where a number belongs", Q["hw4/2.2"], "answer", "J", "incorrect"),
    ("integers beyond 4300 digits", HUGE_N, "answer", "*".join(["n"] * 20), "incorrect"),
    ("huge integer domain, right answer", HUGE_N, "answer", "n", "correct"),
    ("same_order with an undefined answer", Q["hw4/1.3.1"], "answer", "log(-n)", "incorrect"),
    ("sqrt of a negative", POS, "answer", "sqrt(-x)", "incorrect"),
]


@pytest.mark.parametrize("name,q,field,text,verdict", ROWS, ids=[r[0] for r in ROWS])
def test_hostile_answers_get_their_verdict_within_the_budget(name, q, field, text, verdict):
    t0 = time.monotonic()
    v = judge_with_budget(q, budget=BUDGET, **{field: text})
    elapsed = time.monotonic() - t0
    assert v.verdict == verdict, v
    assert v.verdict != "error"
    assert elapsed <= BUDGET + 0.5, f"{elapsed:.2f} s"


@pytest.mark.parametrize("text", ["(x+1)**600 - (x+1)**600 + x", "10**400 + x - 10**400", "log(exp(x))",
                                  "sqrt(x**2)", "(x**2 - 1)/(x - 1)",
                                  "x + 1e308*1e308 - 1e308*1e308", "max(x)"])
def test_the_symbolic_stage_never_flips_a_verdict(text):
    """Whether SymPy finishes in time (or at all) must not change the verdict."""
    with_sympy = judge(POS, answer=text).verdict
    without = judge(POS, answer=text, symbolic_seconds=0).verdict
    assert with_sympy == without, (with_sympy, without)


def test_no_sigalrm_anywhere():
    import inspect

    import verify.answers as pkg
    from verify.answers import bank, commands, domains, evaluate, judge as jd, language

    for mod in (pkg, bank, commands, domains, evaluate, jd, language):
        src = inspect.getsource(mod)
        assert "SIGALRM" not in src and "setitimer" not in src, mod.__name__


def test_correct_needs_enough_compared_instances():
    from verify.answers.judge import MIN_COMPARED

    rare = Question("hostile/rare", "", {"x": "real in [-10, 10]"}, "log(x - 9.9)", "equal")  # defined on 0.5%
    v = judge(rare, answer="log(x - 9.9)", symbolic_seconds=0)
    assert v.verdict == "invalid" and f"at least {MIN_COMPARED}" in v.message and "'hostile/rare' is broken" in \
        v.message
    small = Question("hostile/small", "", {"n": "integer in [1, 3]"}, "n", "equal")  # every instance compared
    assert judge(small, answer="n", symbolic_seconds=0).verdict == "correct"


# ---------------------------------------------------------------------------
# the command line: files and options
# ---------------------------------------------------------------------------


def _write(tmp_path, text, name="answers.toml"):
    p = tmp_path / name
    p.write_bytes(text.encode() if isinstance(text, str) else text)
    return str(p)


def _one_line_error(capsys, *needles):
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    for needle in needles:
        assert needle in err, err
    return err


GOOD = '[[answer]]\nquestion = "hw4/3.1b"\nanswer = "gamma"\n'


@pytest.mark.parametrize("budget", ["inf", "1e9", "0", "-1", "nan", "abc", "601"])
def test_bad_budget_exits_2_with_one_line(tmp_path, capsys, budget):
    with pytest.raises(SystemExit) as info:
        main(["check", _write(tmp_path, GOOD), "--budget", budget])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "--budget" in err and "Traceback" not in err and ("600" in err or budget == "abc")


@pytest.mark.parametrize("memory", ["1T", "abc", "0", "10M"])
def test_bad_memory_exits_2(tmp_path, capsys, memory):
    with pytest.raises(SystemExit) as info:
        main(["check", _write(tmp_path, GOOD), "--memory", memory])
    assert info.value.code == 2
    assert "--memory" in capsys.readouterr().err


FILE_CASES = [
    ("toml nesting bomb", "x = " + "[" * 50_000 + "]" * 50_000 + "\n", ("nested too deeply",)),
    ("non-UTF-8 bytes", GOOD.encode() + b'[[answer]]\nquestion = "hw4/3.1b"\nanswer = "\xff"\n',
     ("line 6", "not UTF-8")),
    ("empty file", "", ("is empty",)),
    ("comments only", "# nothing\n\n", ("is empty",)),
    ("misspelt table", GOOD.replace("[[answer]]", "[[answers]]"), ("did you mean [[answer]]?",)),
    ("single table", GOOD.replace("[[answer]]", "[answer]"), ("write [[answer]]",)),
    ("no answers", '[[question]]\nid = "q"\nsymbols = {x = "real"}\nreference = "x"\nrelation = "equal"\n',
     ("no [[answer]] tables",)),
    ("bad toml", GOOD.replace('"gamma"', "gamma"), ("line 3",)),
    ("question replaces the bank", GOOD + '[[question]]\nid = "hw4/3.1b"\nsymbols = { gamma = "real" }\n'
     'reference = "0"\nrelation = "equal"\n', ("'hw4/3.1b'", "bank question 'hw4/3.1b'")),
    ("duplicate custom question", GOOD + '[[question]]\nid = "c"\nsymbols = { x = "real" }\nreference = "x"\n'
     'relation = "equal"\n' * 1 + '[[question]]\nid = "c"\nsymbols = { x = "real" }\nreference = "x"\n'
     'relation = "equal"\n', ("'c'", "an earlier [[question]]")),
]


@pytest.mark.parametrize("name,text,needles", FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_unusable_files_exit_2_with_one_line(tmp_path, capsys, name, text, needles):
    t0 = time.monotonic()
    assert main(["check", _write(tmp_path, text)]) == 2
    _one_line_error(capsys, *needles)
    assert time.monotonic() - t0 < 10


def test_unreadable_paths_exit_2(tmp_path, capsys):
    assert main(["check", str(tmp_path)]) == 2
    _one_line_error(capsys, "is a directory")
    assert main(["check", str(tmp_path / "missing.toml")]) == 2
    _one_line_error(capsys, "no such file")


@pytest.mark.parametrize("target", ["{dir}", "{dir}/no/such/folder/v.json"])
def test_unwritable_json_path_exits_2_before_grading(tmp_path, capsys, target):
    assert main(["check", _write(tmp_path, GOOD), "--json", target.format(dir=tmp_path)]) == 2
    err = _one_line_error(capsys, "--json")
    assert capsys.readouterr().out == "" and "Traceback" not in err


def test_standard_input(tmp_path, capsys, monkeypatch):
    class Stdin:
        buffer = io.BytesIO(GOOD.encode())

    monkeypatch.setattr("sys.stdin", Stdin)
    assert main(["check", "-", "--quiet"]) == 0


def test_control_characters_in_ids_are_escaped(tmp_path, capsys):
    text = ('[[answer]]\nid = "x\\u001b[32m forged correct\\ny\\r\\u009b"\nquestion = "hw4/3.1b\\n"\n'
            'answer = "gamma**2"\n' + GOOD)
    main(["check", _write(tmp_path, text)])
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\r" not in out and "\x9b" not in out
    assert "\\x1b[32m forged correct\\ny\\r\\x9b" in out
    assert len(out.splitlines()) == 3  # two verdicts and the summary: no forged line


def test_json_is_strict_with_non_finite_and_huge_values(tmp_path, capsys):
    text = (GOOD + '[[answer]]\nquestion = "hostile/huge"\nanswer = "' + "*".join(["n"] * 20) + '"\n'
            '[[answer]]\nquestion = "hw4/1.1.1"\nanswer = "1' + "0" * 400 + '"\n'
            '[[question]]\nid = "hostile/huge"\nsymbols = { n = "integer >= 1' + "0" * 300 + '" }\n'
            'reference = "n"\nrelation = "equal"\n')
    out_file = tmp_path / "v.json"
    assert main(["check", _write(tmp_path, text), "--json", str(out_file), "--budget", "5"]) == 1

    def bad_constant(c):
        raise AssertionError(f"non-standard JSON constant {c}")

    data = json.loads(out_file.read_text(), parse_constant=bad_constant)
    assert [v["verdict"] for v in data] == ["correct", "incorrect", "incorrect"]
    assert data[2]["counterexample"]["answer"] == "inf"
    assert isinstance(data[1]["counterexample"]["answer"], str) and len(data[1]["counterexample"]["answer"]) > 4300


def test_malformed_custom_questions_make_only_their_answers_invalid(tmp_path, capsys):
    text = (GOOD
            + '[[answer]]\nquestion = "c/empty"\nanswer = "x"\n'
            + '[[answer]]\nquestion = "c/undeclared"\nanswer = "k"\n'
            + '[[answer]]\nquestion = "c/undefined"\nanswer = "x"\n'
            + '[[answer]]\nquestion = "c/fine"\nanswer = "x"\n'
            + '[[question]]\nid = "c/empty"\nsymbols = { x = "integer in [5, 1]" }\nreference = "x"\nrelation = "equal"\n'
            + '[[question]]\nid = "c/undeclared"\nsymbols = { k = "integer in [1, n]" }\nreference = "k"\n'
              'relation = "equal"\n'
            + '[[question]]\nid = "c/undefined"\nsymbols = { x = "real" }\nreference = "log(-1 - x**2)"\n'
              'relation = "equal"\n'
            + '[[question]]\nid = "c/fine"\nsymbols = { x = "real" }\nreference = "x"\nrelation = "equal"\n')
    assert main(["check", _write(tmp_path, text), "--json", "-", "--quiet"]) == 1
    out = capsys.readouterr().out
    data = json.loads(out[out.index("["):])
    assert [v["verdict"] for v in data] == ["correct", "invalid", "invalid", "invalid", "correct"]
    assert "'c/empty' is broken" in data[1]["message"] and "[5, 1] is empty" in data[1]["message"]
    assert "'n' is not an integer symbol declared before it" in data[2]["message"]
    assert "defined at only 0" in data[3]["message"]


def test_questions_file_and_no_custom_questions(tmp_path, capsys):
    qfile = _write(tmp_path, '[[question]]\nid = "teacher/1"\nsymbols = { x = "real" }\nreference = "2*x"\n'
                             'relation = "equal"\n', name="questions.toml")
    forged = ('[[answer]]\nquestion = "teacher/1"\nanswer = "x"\n'
              '[[question]]\nid = "mine/1"\nsymbols = { x = "real" }\nreference = "x"\nrelation = "equal"\n'
              '[[answer]]\nquestion = "mine/1"\nanswer = "x"\n')
    f = _write(tmp_path, forged)
    assert main(["check", f, "--questions", qfile, "--no-custom-questions", "--json", "-", "--quiet"]) == 1
    out = capsys.readouterr().out
    data = json.loads(out[out.index("["):])
    assert data[0]["verdict"] == "incorrect"  # graded against the instructor's question
    assert data[1]["verdict"] == "invalid" and "--no-custom-questions" in data[1]["message"]
    # a student's file cannot replace the instructor's question either
    f2 = _write(tmp_path, forged.replace('"mine/1"', '"teacher/1"'), name="forged.toml")
    assert main(["check", f2, "--questions", qfile]) == 2
    _one_line_error(capsys, "'teacher/1'", "questions.toml")
