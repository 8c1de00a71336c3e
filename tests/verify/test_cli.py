import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from verify.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_list_json(capsys):
    assert main(["list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"implicit.preconditioner", "implicit.ift-jacobian"} <= {r["id"] for r in rows}
    assert all({"id", "title", "source", "kind"} <= set(r) for r in rows)


def test_run_json_shape_and_exit(tmp_path, capsys):
    out = tmp_path / "r.json"
    code = main(["run", "implicit.softmax*", "--mutants", "--quiet", "--json", str(out)])
    doc = json.loads(out.read_text())
    assert code == 0 and doc["ok"] is True
    (c,) = doc["claims"]
    assert {"id", "verdict", "expected", "ok", "evidence", "mutants"} <= set(c)
    assert c["verdict"] in ("proved", "consistent", "refuted", "error")
    assert all({"name", "refuted"} <= set(m) for m in c["mutants"])
    assert "implicit.softmax-jacobian-symmetry" in capsys.readouterr().out


def test_unknown_pattern_is_a_usage_error(capsys):
    assert main(["run", "nope.*"]) == 2
    assert "matches no claim" in capsys.readouterr().err


def test_failing_claim_gives_nonzero_exit(tmp_path):
    plugin = tmp_path / "bad_claims.py"
    src = (ROOT / "docs/examples/my_claims.py").read_text()
    # a claim whose candidate is wrong: expected 'holds', so the run must fail
    src = src.replace('lambda x: np.array([[1 / (1 + np.exp(-x))]])', 'lambda x: np.array([[1 / (1 + np.exp(x))]])', 1)
    plugin.write_text(src)
    r = subprocess.run([sys.executable, "-m", "verify", "--plugin", "bad_claims", "run", "mine.*", "--quiet"],
                       cwd=ROOT, env={"PYTHONPATH": f"{tmp_path}:{ROOT}", "PATH": "/usr/bin:/bin"},
                       capture_output=True, text=True)
    assert r.returncode == 1, r.stderr
    assert "counterexample" in r.stdout


def test_readme_plugin_example_is_the_shipped_file_and_runs():
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    example = (ROOT / "docs/examples/my_claims.py").read_text()
    body = re.sub(r'^"""(.*?)"""\n+', "", example, count=1, flags=re.S)  # the README drops the docstring
    assert any(body.strip() in b for b in blocks)
    r = subprocess.run([sys.executable, "-m", "verify", "--plugin", "my_claims", "run", "mine.*", "--mutants", "--quiet"],
                       cwd=ROOT, env={"PYTHONPATH": f"{ROOT / 'docs/examples'}:{ROOT}", "PATH": "/usr/bin:/bin"},
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_readme_python_api_block_runs():
    readme = (ROOT / "README.md").read_text()
    block = re.findall(r"```python\n(.*?)```", readme, flags=re.S)[0]
    exec(compile(block, "README", "exec"), {})


def test_latex_files_written(tmp_path):
    assert main(["latex", "implicit.preconditioner", "--out", str(tmp_path), "--quiet"]) == 0
    tex = (tmp_path / "implicit-preconditioner.tex").read_text()
    assert "\\VfyStep" in tex and "\\StepChunk" in tex and "Verdict" in tex
    assert "\\input{implicit-preconditioner}" in (tmp_path / "book.tex").read_text()


# The book's compilation (no overfull box over 1pt, no undefined control sequence, a claim file alone) is
# tested in test_latex.py on the whole catalogue with the evidence of a few claims.
