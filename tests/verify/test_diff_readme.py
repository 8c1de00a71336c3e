"""The README's "Matrix calculus" examples run and print what the README shows."""

import re
import shlex
from pathlib import Path

from verify.diff.cli_helpers import run_cli

README = (Path(__file__).parents[2] / "README.md").read_text()
SECTION = README.split("## Matrix calculus", 1)[1].split("\n## ", 1)[0]


def test_console_examples():
    blocks = re.findall(r"```console\n(.*?)```", SECTION, re.S)
    assert blocks
    commands = [(m.group(1), m.group(2)) for m in re.finditer(r"^\$ (verify diff .*?)\n(.*?)(?=^\$ |\Z)", blocks[0], re.M | re.S)]
    assert len(commands) >= 4
    for cmd, shown in commands:
        argv = shlex.split(cmd.split("   #")[0])[1:]
        code, out, _ = run_cli(argv)
        assert code == (3 if "exit status 3" in cmd else 0), (cmd, out)
        for line in shown.strip().splitlines():
            line = line.rstrip()
            if line.startswith("evidence:"):
                continue
            prefix = line[:-3] if line.endswith("...") else line
            assert prefix in out, (cmd, line, out)


def test_python_example():
    block = re.findall(r"```python\n(.*?)```", SECTION, re.S)[0]
    namespace = {}
    exec(compile(block, "README-matrix-calculus", "exec"), namespace)  # noqa: S102 (our own README)
    assert namespace["r"].verified
