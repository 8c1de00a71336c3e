"""Run ``verify`` in-process and capture its output (tests and the README examples)."""

from __future__ import annotations

import contextlib
import io

__all__ = ["run_cli"]


def run_cli(argv):
    """(exit status, stdout, stderr) of ``verify ARGV``."""
    from ..cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()
