"""verify grade: dedup, resume, parallel = serial = Dask, bad rows reported, same verdicts as verify check."""

import csv
import os

import pytest

from verify.answers.commands import _custom_questions
from verify.answers.judge import judge_with_budget
from verify.cli import main
from verify.grade import engine
from verify.grade.command import grade
from verify.grade.inputs import InputError, parse_columns, read_csv_text
from verify.grade.normalise import answer_key
from verify.grade.outputs import safe_name

QUESTIONS = '''
[[question]]
id = "d/1"
symbols = { x = "real" }
reference = "(3*x**2 + x**3) * exp(x)"
relation = "equal"

[[question]]
id = "d/2"
symbols = { y = "positive" }
reference = "log(y) + 1"
relation = "equal"
'''

FORMS = {
    "d/1": ["(3*x**2 + x**3)*exp(x)", "exp(x)*(x^3 + 3*x^2)", "(3 * x**2 + x**3) * exp(x)", "3*x**2*exp(x)",
            "x**2*exp(x)*(x + 3)", "3*x^2*exp(x) +"],
    "d/2": ["log(y) + 1", "1 + log(y)", "log(y)", "log(y*e)", "log(2*y)"],
}


def _class_csv(path, n_students=12):
    rows = [("Username", "Question", "Response")]
    for s in range(n_students):
        for qid, forms in FORMS.items():
            rows.append((f"s{s:02d}", qid, forms[s % len(forms)]))
    rows += [("s00", "d/1", "x"),  # duplicate (student, question)
             ("s01", "nope/9", "x"),  # unknown question
             ("s02", "d/3", ""),  # empty answer
             ("s03", "hw4/3.1b", "9**-9**9")]  # hostile, on a bank question
    with open(path, "w", newline="") as fh:
        csv.writer(fh).writerows(rows)


@pytest.fixture()
def klass(tmp_path):
    q = tmp_path / "questions.toml"
    q.write_text(QUESTIONS)
    c = tmp_path / "answers.csv"
    _class_csv(c)
    return tmp_path, str(c), str(q)


COLS = "student=Username,question=Question,answer=Response"


def _grades(out):
    with open(os.path.join(out, "grades.csv")) as fh:
        return fh.read()


def test_each_distinct_answer_is_judged_once_and_verdicts_match_verify_check(klass):
    tmp, csv_path, qpath = klass
    r = grade(csv_path, out=str(tmp / "o"), questions_file=qpath, columns=COLS, budget=20)
    assert r["answers"] == 12 * 2 + 1  # the hostile answer on the bank question is graded
    # whitespace, ^ and **, and the order of a sum or product do not make a new judgement
    assert r["distinct"] < 12 * 2 and r["judged_now"] == r["distinct"]
    assert r["problems"] == 3
    problems = r["summary"]["problems"]
    assert {p["origin"] for p in problems} == {"row 26", "row 27", "row 28"}
    # grading gives exactly the verdicts verify check gives for the same answer
    import tomllib

    qs, _ = _custom_questions(tomllib.loads(QUESTIONS)["question"], "q", {})
    with open(os.path.join(tmp / "o", "grades.csv")) as fh:
        rows = list(csv.DictReader(fh))
    by = {(row["student"], row["question"]): row["verdict"] for row in rows}
    for s in range(0, 12, 3):
        for qid, forms in FORMS.items():
            v = judge_with_budget(qs[qid], budget=20, answer=forms[s % len(forms)], seed=0)
            assert by[(f"s{s:02d}", qid)] == v.verdict, (qid, forms[s % len(forms)])
    assert by[("s03", "hw4/3.1b")] == "invalid"
    assert os.path.exists(os.path.join(tmp / "o", "feedback", "s00.md"))
    summary = (tmp / "o" / "summary.md").read_text()
    assert "3*x**2*exp(x)" in summary and "row 27" in summary


def test_rerun_resumes_and_an_interrupted_run_loses_nothing(klass, monkeypatch):
    tmp, csv_path, qpath = klass
    full = str(tmp / "full")
    r1 = grade(csv_path, out=full, questions_file=qpath, columns=COLS, budget=20)
    r2 = grade(csv_path, out=full, questions_file=qpath, columns=COLS, budget=20)
    assert r2["judged_now"] == 0 and r2["reused"] == r1["distinct"]
    # interrupt half way (as Ctrl-C does), then rerun: nothing judged twice, identical grades
    part = str(tmp / "part")
    calls = {"n": 0}
    real = engine.judge_item

    def flaky(item):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return real(item)

    monkeypatch.setattr(engine, "judge_item", flaky)
    with pytest.raises(KeyboardInterrupt):
        grade(csv_path, out=part, questions_file=qpath, columns=COLS, budget=20)
    monkeypatch.setattr(engine, "judge_item", real)
    r3 = grade(csv_path, out=part, questions_file=qpath, columns=COLS, budget=20)
    assert r3["reused"] == 3 and r3["judged_now"] == r1["distinct"] - 3
    assert _grades(part) == _grades(full)


def test_parallel_and_dask_give_the_serial_verdicts(klass):
    tmp, csv_path, qpath = klass
    grade(csv_path, out=str(tmp / "serial"), questions_file=qpath, columns=COLS, budget=20, jobs=1)
    grade(csv_path, out=str(tmp / "pool"), questions_file=qpath, columns=COLS, budget=20, jobs=2)
    assert _grades(tmp / "pool") == _grades(tmp / "serial")
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cl, \
            distributed.Client(cl) as client:
        grade(csv_path, out=str(tmp / "dask"), questions_file=qpath, columns=COLS, budget=20, scheduler=client)
    assert _grades(tmp / "dask") == _grades(tmp / "serial")


def test_folder_form_and_cli_exit_codes(tmp_path, capsys):
    q = tmp_path / "q.toml"
    q.write_text(QUESTIONS)
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "ann.toml").write_text('[[answer]]\nquestion = "d/2"\nanswer = "1 + log(y)"\n')
    (folder / "bob.toml").write_text('[[answer]]\nquestion = "d/2"\nlatex = \'\\log y\'\n')
    (folder / "bad.toml").write_bytes(b"[[answer]]\nquestion = \"d/2\"\nanswer = \"\xff\"\n")
    assert main(["grade", str(folder), "--questions", str(q), "--out", str(tmp_path / "o"), "--quiet"]) == 0
    with open(tmp_path / "o" / "grades.csv") as fh:
        got = {r["student"]: r["verdict"] for r in csv.DictReader(fh)}
    assert got == {"ann": "correct", "bob": "incorrect"}
    assert "line 3: not UTF-8" in (tmp_path / "o" / "summary.md").read_text()
    # unusable input: exit 2 with one line
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    assert main(["grade", str(bad), "--out", str(tmp_path / "o2")]) == 2
    assert main(["grade", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "o3")]) == 2
    assert main(["grade", str(folder), "--out", str(tmp_path / "o4"), "--jobs", "0"]) == 2
    err = capsys.readouterr().err
    assert "no column(s)" in err and "no such file" in err and "Traceback" not in err


def test_normalisation_merges_only_what_the_parser_reads_the_same():
    from verify.answers.bank import question_from_toml

    q = question_from_toml({"id": "t", "symbols": {"x": "real", "y": "real"}, "reference": "x*y",
                            "relation": "equal"})
    same = ["x*y + 1", "1 + y*x", "(x) * (y) + 1", "1+x*y"]
    assert len({answer_key(q, a, None) for a in same}) == 1
    assert answer_key(q, "x*y - 1", None) != answer_key(q, "1 - x*y", None)
    assert answer_key(q, "x/y", None) != answer_key(q, "y/x", None)
    qm = question_from_toml({"id": "m", "symbols": {"A": "matrix n x n", "B": "matrix n x n"},
                             "reference": "A @ B", "relation": "equal"})
    assert answer_key(qm, "A @ B", None) != answer_key(qm, "B @ A", None)


def test_inputs_and_names():
    subs, probs = read_csv_text("s,q,a\nx,q1,1\n,q1,2\nx,,3\n", parse_columns("student=s,question=q,answer=a"))
    assert len(subs) == 1 and [p.origin for p in probs] == ["row 3", "row 4"]
    with pytest.raises(InputError, match="role"):
        parse_columns("who=Username")
    assert safe_name("ann") == "ann"
    assert "/" not in safe_name("../../etc/passwd") and safe_name("a/b") != safe_name("a_b")


def test_semicolon_and_tab_separated_exports_are_read(tmp_path):
    from verify.grade.inputs import read_csv_text

    cols = {"student": "Username", "question": "Question", "answer": "Response"}
    for sep in (";", "\t", ","):
        text = sep.join(["Username", "Question", "Response"]) + "\n" + sep.join(["ann", "calc/1", "x + 1"]) + "\n"
        subs, problems = read_csv_text(text, cols)
        assert [(s.student, s.question) for s in subs] == [("ann", "calc/1")] and not problems, sep
