"""Run a computation in a child process that cannot outlive its budget or its parent.

:func:`run_isolated` forks a child in its own process group that dies with its parent
(``PR_SET_PDEATHSIG``), under ``RLIMIT_AS`` (a memory cap beyond what it inherits) and
``RLIMIT_CPU`` (a backstop); the parent kills the whole group on timeout, Ctrl-C, SIGTERM
and at exit. Used for SymPy work (:mod:`verify.symbolic`) and for judging answers
(:mod:`verify.answers.judge`). Nothing here relies on SIGALRM, which SymPy can swallow
inside a finaliser, a lazy import or a long C call.

>>> run_isolated(sum, [1, 2, 3], budget=5)
6
"""

from __future__ import annotations

import math
import os
import pickle
import select
import signal
import time

from .errors import ValidationError

__all__ = ["run_isolated", "IsolatedTimeout", "validate_budget", "validate_memory", "MAX_BUDGET",
           "DEFAULT_MEMORY", "PIDFILE_ENV"]

MAX_BUDGET = 600.0  #: a budget above this is refused (a typo such as 1e9 would never end)
DEFAULT_MEMORY = 1 << 30  #: bytes a child may allocate beyond what it inherits (1 GiB)
MIN_MEMORY = 64 << 20  #: below 64 MiB NumPy and SymPy have no room to work
MAX_MEMORY = 64 << 30
CPU_MARGIN = 5  #: RLIMIT_CPU (a backstop: the parent kills on the wall clock) is the budget plus this
PIDFILE_ENV = "VERIFY_JUDGE_PIDFILE"  #: debugging and tests: each child appends its pid to this file

def validate_budget(budget) -> float:
    """``budget`` as a float in (0, MAX_BUDGET] seconds, else :class:`ValidationError`."""
    try:
        b = float(budget)
    except (TypeError, ValueError):
        raise ValidationError(f"budget={budget!r} is not a number of seconds; give e.g. 5") from None
    if not (math.isfinite(b) and 0 < b <= MAX_BUDGET):
        raise ValidationError(f"budget={budget!r} must be a finite number of seconds in (0, {MAX_BUDGET:g}]; "
                              "give e.g. 5")
    return b


def validate_memory(memory) -> int:
    """``memory`` in bytes (an int, or text: MiB by default, or with a unit K, M, G, KiB, MiB, GiB, KB, MB, GB)."""
    import re

    if isinstance(memory, bool):
        raise ValidationError(f"memory={memory!r} is not a size; give e.g. 1024 (MiB) or 2G")
    if isinstance(memory, int) or type(memory).__name__.startswith("int"):
        n = int(memory)
    else:
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMG]?)(?:i?B)?\s*", str(memory), flags=re.I)
        if not m:
            raise ValidationError(f"memory={memory!r} is not a size; give MiB (1024) or a unit: 512M, 2G, 1GiB")
        n = int(float(m.group(1)) * {"": 1 << 20, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[m.group(2).upper()])
    if not MIN_MEMORY <= n <= MAX_MEMORY:
        raise ValidationError(f"memory={memory!r} is {n / (1 << 20):.0f} MiB; give between "
                              f"{MIN_MEMORY >> 20} MiB and {MAX_MEMORY >> 30} GiB")
    return n


def _die_with_parent(parent_pid: int) -> None:
    """SIGKILL this process when its parent dies (Linux ``prctl(PR_SET_PDEATHSIG)``); exit at once if the
    parent is already gone (the race between fork and prctl)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):  # not Linux: the parent's process-group kill remains
        pass
    if os.getppid() != parent_pid:
        os._exit(1)


_ATEXIT = False
_LIVE: set = set()  #: pids (= process groups) of children still running


class IsolatedTimeout(Exception):
    """The isolated call ran out of its time budget."""


def _kill_and_reap(pid: int, *, group: bool = True) -> None:
    for kill in ((os.killpg, os.kill) if group else (os.kill,)):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def _kill_all_live() -> None:
    for pid in list(_LIVE):
        _kill_and_reap(pid)
        _LIVE.discard(pid)


def _vm_size() -> int:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _limit_child(memory: int, budget: float) -> None:
    """RLIMIT_AS: what the child inherits (the interpreter, NumPy, SymPy: ~0.4 GB of address space) plus
    ``memory``; RLIMIT_CPU: the budget plus CPU_MARGIN seconds (SIGXCPU), hard limit CPU_MARGIN later."""
    import resource

    cpu = int(math.ceil(budget)) + CPU_MARGIN
    for which, soft, hard in ((resource.RLIMIT_AS, _vm_size() + memory, None),
                              (resource.RLIMIT_CPU, cpu, cpu + CPU_MARGIN)):
        try:
            _, old_hard = resource.getrlimit(which)
            if old_hard != resource.RLIM_INFINITY:  # a limit can only be lowered
                soft = min(soft, old_hard)
                hard = old_hard if hard is None else min(hard, old_hard)
            resource.setrlimit(which, (soft, resource.RLIM_INFINITY if hard is None else hard))
        except (ValueError, OSError):
            pass


def _record_pid() -> None:
    path = os.environ.get(PIDFILE_ENV)
    if path:
        try:
            with open(path, "a") as fh:
                fh.write(f"{os.getpid()}\n")
        except OSError:
            pass


def run_isolated(fn, *args, budget: float, memory: int = DEFAULT_MEMORY):
    """``fn(*args)`` in a forked child (own process group, dies with its parent, ``RLIMIT_AS`` of
    ``memory`` bytes beyond what it inherits, ``RLIMIT_CPU`` of the budget plus a margin); returns its
    result, re-raises its exception, raises :class:`IsolatedTimeout` after ``budget`` seconds. The child
    group is killed on return, on timeout, on any exception here (Ctrl-C, SIGTERM turned into
    SystemExit) and at interpreter exit."""
    import atexit

    budget = validate_budget(budget)
    memory = validate_memory(memory)
    global _ATEXIT
    if not _ATEXIT:
        atexit.register(_kill_all_live)
        _ATEXIT = True
    parent = os.getpid()
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (runs in the child)
        payload = None
        try:
            os.close(rfd)
            try:
                os.setpgid(0, 0)
            except OSError:
                pass
            _die_with_parent(parent)
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C means
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            _limit_child(memory, budget)
            _record_pid()
            import gc

            gc.freeze()  # the inherited heap is never garbage here: the child's collections skip it
            try:
                payload = pickle.dumps(("ok", fn(*args)))
            except MemoryError:
                payload = pickle.dumps(("memory", None))
            except BaseException as exc:  # noqa: BLE001 (reported to the parent)
                try:
                    payload = pickle.dumps(("raise", exc))
                except Exception:  # noqa: BLE001 (an unpicklable exception)
                    payload = pickle.dumps(("raise", RuntimeError(f"{type(exc).__name__}: {exc}")))
            view = memoryview(payload)
            while view:
                view = view[os.write(wfd, view):]
        except MemoryError:
            pass
        finally:
            os._exit(0)
    try:
        os.setpgid(pid, pid)  # also here: killpg must work even before the child runs
    except OSError:
        pass
    _LIVE.add(pid)
    os.close(wfd)
    chunks, deadline = [], time.monotonic() + budget
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise IsolatedTimeout(f"time budget of {budget:g} s ran out")
            ready, _, _ = select.select([rfd], [], [], left)
            if not ready:
                continue
            chunk = os.read(rfd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(rfd)
        _kill_and_reap(pid)
        _LIVE.discard(pid)
    data = b"".join(chunks)
    if not data:
        raise MemoryError("the child stopped without a result (killed: memory or CPU limit)")
    status, value = pickle.loads(data)
    if status == "memory":
        raise MemoryError("memory cap reached")
    if status == "raise":
        raise value
    return value
