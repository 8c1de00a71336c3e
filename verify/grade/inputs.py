"""Read a class's submissions: a folder of answers files or a CSV export.

Every problem with one row (an unknown question, an empty answer, a duplicate
(student, question), an unreadable student file) becomes a :class:`Problem` with its
origin and never stops the run; only an unusable input as a whole (no such path, a CSV
without the named columns) raises :class:`InputError`.

>>> import io
>>> subs, probs = read_csv_text("Username,Question,Response\\nann,q1,x\\nann,q1,y\\n",
...                             {"student": "Username", "question": "Question", "answer": "Response"})
>>> [(s.student, s.question, s.answer) for s in subs], [p.message for p in probs]
([('ann', 'q1', 'x')], ["duplicate answer of 'ann' to 'q1' (first at row 2); this one is ignored"])
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass

__all__ = ["Submission", "Problem", "InputError", "read_submissions", "read_folder", "read_csv_text",
           "parse_columns", "DEFAULT_COLUMNS"]

DEFAULT_COLUMNS = {"student": "student", "question": "question", "answer": "answer"}
MAX_INPUT_BYTES = 200 << 20  #: a class export above 200 MB is refused
MAX_FILE_BYTES = 1 << 20  #: one student's answers file above 1 MB is a problem, not graded


class InputError(Exception):
    """The submissions cannot be used at all (exit status 2)."""


@dataclass(frozen=True)
class Submission:
    student: str
    question: str
    answer: str | None  #: plain text, or None when the answer is LaTeX
    latex: str | None
    origin: str  #: "row 12" or "alice.toml, answer 3"


@dataclass(frozen=True)
class Problem:
    origin: str
    student: str
    question: str
    message: str

    def to_json(self) -> dict:
        return {"origin": self.origin, "student": self.student, "question": self.question, "message": self.message}


def parse_columns(text: str | None) -> dict:
    """``student=Username,question=Question,answer=Response[,latex=TeX]`` -> a mapping role -> column."""
    cols = dict(DEFAULT_COLUMNS)
    if not text:
        return cols
    for part in text.split(","):
        if "=" not in part:
            raise InputError(f"--columns {text!r}: write role=Column pairs, e.g. student=Username,question=Question,"
                             "answer=Response")
        role, col = (s.strip() for s in part.split("=", 1))
        if role not in ("student", "question", "answer", "latex"):
            raise InputError(f"--columns: unknown role {role!r}; use student, question, answer (and latex)")
        cols[role] = col
    return cols


class _Dedup:
    """Keeps the first answer of each (student, question); later ones become problems."""

    def __init__(self):
        self.first: dict = {}
        self.subs: list = []
        self.problems: list = []

    def add(self, sub: Submission):
        key = (sub.student, sub.question)
        if key in self.first:
            self.problems.append(Problem(sub.origin, sub.student, sub.question,
                                         f"duplicate answer of {sub.student!r} to {sub.question!r} "
                                         f"(first at {self.first[key]}); this one is ignored"))
            return
        self.first[key] = sub.origin
        self.subs.append(sub)


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def read_csv_text(text: str, columns: dict, *, latex: bool = False):
    """Rows of a CSV export -> (submissions, problems). Row numbers count the header as row 1. The delimiter
    is read from the header line: ``,`` (default), ``;`` (spreadsheets in many locales) or a tab."""
    reader = csv.DictReader(io.StringIO(text), delimiter=_delimiter(text))
    header = reader.fieldnames or []
    missing = [f"{role}={columns[role]}" for role in ("student", "question") if columns[role] not in header]
    answer_col = columns.get("answer")
    latex_col = columns.get("latex")
    if answer_col not in header and not (latex_col and latex_col in header):
        missing.append(f"answer={answer_col}")
    if missing:
        raise InputError(f"the CSV has no column(s) {', '.join(missing)}; its columns are {header}; map them with "
                         "--columns student=...,question=...,answer=...")
    as_latex = latex or (answer_col or "").strip().lower() in ("latex", "tex")
    dedup = _Dedup()
    for i, row in enumerate(reader, start=2):
        origin = f"row {i}"
        student = (row.get(columns["student"]) or "").strip()
        question = (row.get(columns["question"]) or "").strip()
        text_ = row.get(latex_col) if latex_col and (row.get(latex_col) or "").strip() else row.get(answer_col)
        is_latex = as_latex or bool(latex_col and (row.get(latex_col) or "").strip())
        if not student:
            dedup.problems.append(Problem(origin, "", question, "no student id"))
            continue
        if not question:
            dedup.problems.append(Problem(origin, student, "", "no question id"))
            continue
        text_ = (text_ or "").strip()
        if not text_:
            dedup.problems.append(Problem(origin, student, question, "empty answer"))
            continue
        dedup.add(Submission(student, question, None if is_latex else text_, text_ if is_latex else None, origin))
    return dedup.subs, dedup.problems


def read_folder(path: str):
    """One TOML answers file per student (``[[answer]]`` tables, as ``verify check``); the file name is the id."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    dedup = _Dedup()
    names = sorted(n for n in os.listdir(path) if n.endswith(".toml"))
    if not names:
        raise InputError(f"{path}: no .toml answers files in this folder")
    for name in names:
        student = name[: -len(".toml")]
        full = os.path.join(path, name)
        try:
            with open(full, "rb") as fh:
                data = fh.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                raise ValueError(f"larger than {MAX_FILE_BYTES >> 20} MB")
            doc = tomllib.loads(data.decode("utf-8"))
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            dedup.problems.append(Problem(name, student, "", f"line {line}: not UTF-8; the file was not graded"))
            continue
        except RecursionError:
            dedup.problems.append(Problem(name, student, "", "nested too deeply; the file was not graded"))
            continue
        except (OSError, ValueError) as exc:  # TOMLDecodeError is a ValueError
            dedup.problems.append(Problem(name, student, "", f"cannot be read ({exc}); the file was not graded"))
            continue
        extra = sorted(set(doc) - {"answer"})
        if extra:
            dedup.problems.append(Problem(name, student, "", f"tables {extra} ignored: a student's file holds only "
                                                             "[[answer]] tables (questions come from --questions)"))
        answers = doc.get("answer", [])
        if not isinstance(answers, list) or not answers:
            dedup.problems.append(Problem(name, student, "", "no [[answer]] tables"))
            continue
        for k, a in enumerate(answers, 1):
            origin = f"{name}, answer {k}"
            if not isinstance(a, dict):
                dedup.problems.append(Problem(origin, student, "", "each [[answer]] must be a table"))
                continue
            question = str(a.get("question", "")).strip()
            plain, tex = a.get("answer"), a.get("latex")
            if not question:
                dedup.problems.append(Problem(origin, student, "", "no question id"))
            elif (plain is None) == (tex is None) or not isinstance(plain if tex is None else tex, str):
                dedup.problems.append(Problem(origin, student, question,
                                              "give exactly one of answer = '...' and latex = '...' (a string)"))
            elif not (plain if tex is None else tex).strip():
                dedup.problems.append(Problem(origin, student, question, "empty answer"))
            else:
                dedup.add(Submission(student, question, plain, tex, origin))
    return dedup.subs, dedup.problems


def read_submissions(path: str, columns: dict, *, latex: bool = False):
    """A folder of answers files or a CSV file -> (submissions, problems)."""
    if os.path.isdir(path):
        return read_folder(path)
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file or folder")
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"{path}: larger than {MAX_INPUT_BYTES >> 20} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InputError(f"{path}: line {line}: not UTF-8; export the CSV as UTF-8") from None
    if not text.strip():
        raise InputError(f"{path}: is empty")
    try:
        return read_csv_text(text, columns, latex=latex)
    except csv.Error as exc:
        raise InputError(f"{path}: not a readable CSV ({exc})") from None
