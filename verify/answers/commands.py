"""``verify questions`` and ``verify check ANSWERS.toml``.

Every problem with the files or the options ends the command with exit status 2 and one line on
standard error (no traceback); every problem with an answer is that answer's verdict, and the rest of
the file is graded.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import signal
import sys
import time

from ..errors import ValidationError
from .bank import BANK, question_from_toml, validate_question

__all__ = ["add_parsers", "questions_command", "check_command", "escape", "jsonable", "MAX_FILE_BYTES"]

MAX_FILE_BYTES = 10 << 20  #: an answers or questions file larger than 10 MB is refused
ANSWER_KEYS = ("id", "question", "answer", "latex")

EXAMPLE = '''example ANSWERS.toml:
  [[answer]]
  id = "alice-1"
  question = "hw4/3.2.1"
  answer = "E[g**2*R]/E[g**2]"

  [[answer]]
  question = "hw4/2.2"
  latex = '\\log p_z - \\log|\\det J|'

  [[question]]                       # a custom question (or keep them apart: --questions FILE)
  id = "mine/1"
  prompt = "d/dx of x**3"
  symbols = { x = "real" }
  reference = "3*x**2"
  relation = "equal"                 # equal | upper_bound | lower_bound | same_order

verdicts: correct, incorrect, invalid, unknown (time or memory ran out), error (a bug: please report).
exit status: 0 if every answer is correct, 1 otherwise, 2 if a file or an option is unusable.'''


def _budget(text):
    import argparse

    from .judge import validate_budget

    try:
        return validate_budget(text)
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(str(exc).replace("budget=", "")) from None


def _memory(text):
    import argparse

    from .judge import validate_memory

    try:
        return validate_memory(text)
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(str(exc).replace("memory=", "")) from None


def add_parsers(sub) -> None:
    import argparse

    qp = sub.add_parser("questions", help="list the question bank (ids, prompts, symbols and their domains)")
    qp.add_argument("--json", action="store_true", help="print JSON")
    cp = sub.add_parser("check", help="grade a TOML file of answers", epilog=EXAMPLE,
                        formatter_class=argparse.RawDescriptionHelpFormatter,
                        description="Grade answers: correct, incorrect (with a shrunk counterexample), invalid "
                                    "(with the problem and its position), unknown (time budget or memory cap) "
                                    "or error (a bug of verify).")
    cp.add_argument("file", metavar="ANSWERS.toml", help="the answers ('-' reads standard input)")
    cp.add_argument("--json", metavar="FILE", help="write the verdicts as JSON to FILE ('-' for stdout)")
    cp.add_argument("--budget", type=_budget, default=5.0, metavar="SECONDS",
                    help="seconds per answer, at most 600 (default 5)")
    cp.add_argument("--memory", type=_memory, default="1024", metavar="SIZE",
                    help="memory each answer's judge may allocate: MiB, or with a unit (512M, 2G); default 1G")
    cp.add_argument("--seed", type=int, default=0, help="seed of the random instances (default 0)")
    cp.add_argument("--questions", metavar="FILE",
                    help="custom questions from FILE (an instructor's [[question]] tables, kept apart from the "
                         "students' answers files)")
    cp.add_argument("--no-custom-questions", action="store_true",
                    help="ignore [[question]] tables in the answers file (their answers are invalid)")
    cp.add_argument("--quiet", action="store_true", help="only the summary line")


def questions_command(args) -> int:
    rows = [q.describe() for q in BANK]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for r in rows:
        syms = "; ".join(f"{n}: {s['domain']} ({s['meaning']})" for n, s in r["symbols"].items())
        print(f"{r['id']:26s} [{r['relation']}] {r['prompt']}\n{'':26s} symbols: {syms}")
    return 0


# ---------------------------------------------------------------------------
# output that cannot be forged or broken
# ---------------------------------------------------------------------------


def escape(text) -> str:
    r"""``text`` with control characters (C0, DEL, C1, and other non-printable ones such as U+2028) written
    as Python escapes, so an id cannot move the cursor, colour the terminal or start a new line.

    >>> escape("ok\x1b[32m correct\nhw4")
    'ok\\x1b[32m correct\\nhw4'
    """
    text = str(text)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


_MAX_EXACT_INT = 2**53  #: larger integers are written as strings (JSON readers keep 53 bits)


def jsonable(x):
    """``x`` made valid for strict JSON: non-finite floats as the strings ``"inf"``, ``"-inf"``,
    ``"nan"``; integers beyond 2^53 as strings of their digits (over 100,000 digits: their length)."""
    import numpy as np

    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return jsonable(x.tolist())
    if isinstance(x, np.generic):
        return jsonable(x.item())
    if x is None or isinstance(x, (bool, str)):
        return x
    if isinstance(x, int):
        if abs(x) < _MAX_EXACT_INT:
            return x
        if x.bit_length() > 332_000:
            return f"<an integer of about {int(x.bit_length() * 0.30103)} digits>"
        old = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else None
        try:
            if old is not None:
                sys.set_int_max_str_digits(0)
            return str(x)
        finally:
            if old is not None:
                sys.set_int_max_str_digits(old)
    if isinstance(x, float):
        return x if math.isfinite(x) else ("nan" if x != x else ("inf" if x > 0 else "-inf"))
    try:
        return jsonable(float(x))
    except (TypeError, ValueError, OverflowError):
        return str(x)


def _dumps(obj, **kw) -> str:
    return json.dumps(jsonable(obj), allow_nan=False, **kw)


# ---------------------------------------------------------------------------
# reading the files
# ---------------------------------------------------------------------------


class _FileError(Exception):
    """A file or option that cannot be used: one line, exit status 2."""


def _read_toml(path: str, allowed: tuple) -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    name = "standard input" if path == "-" else path
    try:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        else:
            with open(path, "rb") as fh:
                data = fh.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise _FileError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise _FileError(f"{name}: is a directory; give a TOML file") from None
    except PermissionError:
        raise _FileError(f"{name}: cannot be read (permission denied)") from None
    except OSError as exc:
        raise _FileError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_FILE_BYTES:
        raise _FileError(f"{name}: larger than {MAX_FILE_BYTES >> 20} MB; split it")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise _FileError(f"{name}: line {line}: byte 0x{data[exc.start]:02x} is not UTF-8; save the file as "
                         "UTF-8") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _FileError(f"{name}: not valid TOML: {exc}") from None
    except RecursionError:
        raise _FileError(f"{name}: not usable TOML: arrays or tables nested too deeply") from None
    except MemoryError:
        raise _FileError(f"{name}: too large to read") from None
    if not doc:
        raise _FileError(f"{name}: is empty; it needs [[{allowed[0]}]] tables")
    for key, value in doc.items():
        if key not in allowed:
            near = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            hint = f"; did you mean [[{near[0]}]]?" if near else f"; use {' and '.join(f'[[{a}]]' for a in allowed)}"
            raise _FileError(f"{name}: unknown table or key {escape(key)!r}{hint}")
        if not isinstance(value, list):
            raise _FileError(f"{name}: {key} must be an array of tables: write [[{key}]], not [{key}] or {key} = ...")
    return doc


def _custom_questions(tables, origin: str, taken: dict):
    """Questions from ``[[question]]`` tables: (questions, broken) with broken[id] = reason. An id that is
    already taken (the bank, the --questions file, or the same file) is a _FileError naming both."""
    questions, broken = {}, {}
    for i, table in enumerate(tables):
        qid = table.get("id") if isinstance(table, dict) else None
        label = str(qid) if qid is not None else f"question-{i + 1}"
        if label in taken or label in questions or label in broken:
            first = taken.get(label, f"an earlier [[question]] of {origin}")
            raise _FileError(f"{origin}: [[question]] {escape(label)!r} has the id of {first}; a question cannot be "
                             "replaced: give it another id")
        try:
            questions[label] = question_from_toml(table)
        except ValidationError as exc:
            broken[label] = str(exc)
    return questions, broken


def _validate(questions: dict, broken: dict, budget: float, memory: int) -> None:
    from .judge import IsolatedTimeout, run_isolated

    for qid in list(questions):
        try:
            run_isolated(validate_question, questions[qid], budget=budget, memory=memory)
        except ValidationError as exc:
            broken[qid] = str(exc)
        except IsolatedTimeout:
            broken[qid] = f"checking the question ran out of the time budget of {budget:g} s"
        except MemoryError:
            broken[qid] = "checking the question needs more memory than the cap (--memory)"
        except Exception as exc:  # noqa: BLE001 (a broken question, whatever the reason)
            broken[qid] = f"{type(exc).__name__}: {exc}"
        if qid in broken:
            del questions[qid]


def _check_writable(path) -> None:
    if not path or path == "-":
        return
    if os.path.isdir(path):
        raise _FileError(f"--json {path}: is a directory; give a file name")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise _FileError(f"--json {path}: the folder {folder} does not exist")
    if not os.access(path if os.path.exists(path) else folder, os.W_OK):
        raise _FileError(f"--json {path}: cannot be written (permission denied)")


def _on_sigterm(signum, frame):
    raise SystemExit(128 + signum)  # unwinds through run_isolated, which kills the judge's process group


def check_command(args) -> int:
    old = None
    try:
        old = signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread
        pass
    try:
        return _check(args)
    except _FileError as exc:
        print(f"verify check: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("verify check: interrupted", file=sys.stderr)
        return 130
    finally:
        if old is not None:
            signal.signal(signal.SIGTERM, old)


def _check(args) -> int:
    from .judge import Verdict, judge_with_budget, validate_memory

    memory = validate_memory(args.memory)
    _check_writable(args.json)
    bank = {q.id: f"bank question {q.id!r} ({q.source})" for q in BANK}
    questions = {q.id: q for q in BANK}
    broken, disabled = {}, set()
    if args.questions:
        qdoc = _read_toml(args.questions, ("question",))
        qs, br = _custom_questions(qdoc.get("question", []), args.questions, bank)
        _validate(qs, br, args.budget, memory)
        questions.update(qs)
        broken.update(br)
    doc = _read_toml(args.file, ("answer", "question"))
    if "answer" not in doc:
        raise _FileError(f"{'standard input' if args.file == '-' else args.file}: no [[answer]] tables")
    own = doc.get("question", [])
    if own and args.no_custom_questions:
        disabled = {str(t.get("id")) for t in own if isinstance(t, dict) and "id" in t} - set(questions)
        print(f"verify check: warning: {len(own)} [[question]] table(s) in {args.file} ignored "
              "(--no-custom-questions)", file=sys.stderr)
    elif own:
        taken = dict(bank)
        taken.update({qid: f"question {qid!r} of {args.questions}" for qid in questions if qid not in bank})
        taken.update({qid: f"question {qid!r} of {args.questions}" for qid in broken})
        qs, br = _custom_questions(own, args.file, taken)
        _validate(qs, br, args.budget, memory)
        questions.update(qs)
        broken.update(br)
    verdicts = []
    t0 = time.perf_counter()
    for i, a in enumerate(doc["answer"]):
        vid = str(a.get("id", f"answer-{i + 1}")) if isinstance(a, dict) else f"answer-{i + 1}"
        qid = str(a.get("question", "")) if isinstance(a, dict) else ""
        if not isinstance(a, dict):
            v = Verdict(vid, qid, "invalid", "each [[answer]] must be a table")
        elif qid in broken:
            why = broken[qid].removeprefix(f"question {qid!r}: ")
            v = Verdict(vid, qid, "invalid", f"question {qid!r} is broken: {why}")
        elif qid in disabled:
            v = Verdict(vid, qid, "invalid", f"question {qid!r} is defined in the answers file, and custom "
                                             "questions are disabled (--no-custom-questions)")
        elif qid not in questions:
            v = Verdict(vid, qid, "invalid", f"unknown question {qid!r}; `verify questions` lists the bank")
        else:
            unknown = sorted(set(a) - set(ANSWER_KEYS))
            if unknown:
                v = Verdict(vid, qid, "invalid", f"unknown keys {unknown}; use id, question, answer or latex")
            else:
                v = judge_with_budget(questions[qid], budget=args.budget, memory=memory, answer=a.get("answer"),
                                      latex=a.get("latex"), vid=vid, seed=args.seed)
        verdicts.append(v)
        if not args.quiet:
            print(f"{escape(v.id):16s} {escape(v.question):26s} {v.verdict:9s} {escape(v.message)}", flush=True)
            if v.counterexample:
                print(f"{'':16s} counterexample: {escape(_dumps(v.counterexample))}", flush=True)
    counts = {k: sum(v.verdict == k for v in verdicts) for k in ("correct", "incorrect", "invalid", "unknown", "error")}
    print(f"{len(verdicts)} answers in {time.perf_counter() - t0:.1f}s: "
          + ", ".join(f"{n} {k}" for k, n in counts.items() if n or k != "error"))
    if args.json:
        text = _dumps([v.to_json() for v in verdicts], indent=2)
        if args.json == "-":
            print(text)
        else:
            try:
                with open(args.json, "w") as fh:
                    fh.write(text)
            except OSError as exc:
                raise _FileError(f"--json {args.json}: cannot be written ({exc.strerror or exc})") from None
    return 0 if verdicts and all(v.verdict == "correct" for v in verdicts) else 1
