"""The judge's child processes never outlive `verify check`: SIGKILL, SIGTERM and Ctrl-C of the parent,
the time budget and the memory cap all end the whole process group."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from verify.answers.bank import BANK
from verify.answers.judge import PIDFILE_ENV, IsolatedTimeout, judge_with_budget, run_isolated

try:
    import pytest_timeout  # noqa: F401

    timeout = pytest.mark.timeout(60)
except ImportError:  # subprocess timeouts below guard the tests instead
    def timeout(f):
        return f

Q = {q.id: q for q in BANK}

# The CLI with SymPy's simplify replaced by an endless loop and a symbolic share of 240 s: the judge child
# waits on a SymPy grandchild that never finishes (the runaway case, made deterministic).
SCRIPT = textwrap.dedent("""
    import sys
    import sympy
    import verify.answers.judge as judge

    def forever(*args, **kwargs):
        while True:
            pass

    sympy.simplify = forever
    judge._sympy_constant = forever  # the work of the SymPy grandchild
    judge.SYMBOLIC_SECONDS = 600.0
    real_judge = judge.judge

    def judge_via_sympy(q, **kwargs):  # always reach the SymPy grandchild, whatever decides first today
        from verify.answers.language import parse
        ans = parse(kwargs["answer"], q.domains)
        judge._symbolic_difference(q, ans, parse(q.reference, q.domains), 600.0)
        return real_judge(q, **kwargs)

    judge.judge = judge_via_sympy
    from verify.cli import main
    sys.exit(main(["check", sys.argv[1], "--budget", "600"]))
""")


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for init to reap it counts as dead)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def _group(pgid: int) -> list:
    """Live processes of process group ``pgid``."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z" and int(fields[2]) == pgid:
                out.append(int(entry))
    return out


def _start(tmp_path):
    answers = tmp_path / "answers.toml"
    answers.write_text('[[answer]]\nquestion = "hw4/3.1b"\nanswer = "gamma"\n')
    pidfile = tmp_path / "pids"
    env = dict(os.environ, **{PIDFILE_ENV: str(pidfile)})
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(answers)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if pidfile.exists() and pidfile.read_text().strip():
            child = int(pidfile.read_text().split()[0])
            while time.monotonic() < deadline and len(_group(child)) < 2:  # the SymPy grandchild is running
                time.sleep(0.05)
            assert len(_group(child)) >= 2, "the SymPy grandchild did not start"
            return proc, child
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("the judge child never started")


def _gone(pgid, seconds=5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _group(pgid) and not _alive(pgid):
            return True
        time.sleep(0.05)
    return False


def _cleanup(proc, child):
    for pgid in (proc.pid, child):
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    proc.wait(timeout=10)


@timeout
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT], ids=["SIGKILL", "SIGTERM", "SIGINT"])
def test_no_judge_process_survives_its_parent(tmp_path, sig):
    proc, child = _start(tmp_path)
    try:
        assert _alive(child)
        os.kill(proc.pid, sig)
        proc.wait(timeout=10)
        assert _gone(child), f"judge processes {_group(child)} survived {sig.name} of verify check"
        if sig == signal.SIGTERM:
            assert proc.returncode == 128 + signal.SIGTERM
        if sig == signal.SIGINT:
            assert proc.returncode == 130
            assert "interrupted" in proc.stderr.read().decode()
    finally:
        _cleanup(proc, child)


def _spin():
    while True:
        pass


def _allocate():
    blocks = []
    while True:
        blocks.append(bytearray(64 << 20))


@timeout
def test_budget_kills_the_child_group():
    t0 = time.monotonic()
    with pytest.raises(IsolatedTimeout):
        run_isolated(_spin, budget=0.5)
    assert time.monotonic() - t0 < 1.0


@timeout
def test_memory_cap_is_a_memory_error_not_a_crash():
    with pytest.raises(MemoryError):
        run_isolated(_allocate, budget=20, memory="256M")


@timeout
def test_memory_cap_gives_unknown_for_the_answer(monkeypatch):
    import verify.answers.judge as judge

    monkeypatch.setattr(judge, "judge", lambda q, **kw: _allocate())
    v = judge_with_budget(Q["hw4/3.1b"], budget=20, memory=256 << 20, answer="gamma")
    assert v.verdict == "unknown" and "memory cap of 256 MiB" in v.message


@timeout
def test_a_crashing_judge_is_an_error_verdict(monkeypatch):
    import verify.answers.judge as judge

    def boom(q, **kw):
        raise RuntimeError("boom")

    monkeypatch.setattr(judge, "judge", boom)
    v = judge_with_budget(Q["hw4/3.1b"], budget=5, answer="gamma")
    assert v.verdict == "error" and "report" in v.message


@pytest.mark.parametrize("budget", [0, -1, float("inf"), float("nan"), 1e9, 601, "abc", None])
def test_budget_is_validated(budget):
    from verify.errors import ValidationError

    with pytest.raises(ValidationError, match="budget="):
        judge_with_budget(Q["hw4/3.1b"], budget=budget, answer="gamma")


@pytest.mark.parametrize("memory,mib", [("1024", 1024), ("512M", 512), ("2G", 2048), ("1GiB", 1024),
                                        (256 << 20, 256)])
def test_memory_sizes(memory, mib):
    from verify.answers.judge import validate_memory

    assert validate_memory(memory) == mib << 20


@pytest.mark.parametrize("memory", ["0", "1", "12T", "lots", "-5M", "1e9", True])
def test_bad_memory_sizes_are_refused(memory):
    from verify.answers.judge import validate_memory
    from verify.errors import ValidationError

    with pytest.raises(ValidationError, match="memory="):
        validate_memory(memory)
