"""verify reproduce search-space-dynamics."""

import json

import numpy as np

from verify.cli import main
from verify.experiments import plots
from verify.experiments.search_space import MRP, trajectories


def test_every_method_approaches_v_star():
    vstar = np.linalg.solve(np.eye(2) - MRP["gamma"] * MRP["P"], MRP["r"])
    paths = trajectories(steps=400)
    for name, p in paths.items():
        assert np.abs(p[-1] - vstar).max() < 1e-2 * np.abs(vstar).max(), name
    # value iteration contracts by gamma per step in the sup norm
    vi = paths["value iteration"]
    err = np.abs(vi - vstar).max(axis=1)
    assert np.all(err[1:] <= MRP["gamma"] * err[:-1] + 1e-12)


def test_command(tmp_path, capsys):
    assert main(["reproduce", "search-space-dynamics", "--steps", "10", "--out", str(tmp_path)]) == 0
    doc = json.loads((tmp_path / "search_space_dynamics.json").read_text())
    assert len(doc["paths"]["parameterised"]) == 11
    if plots.have_matplotlib():
        assert (tmp_path / "figure2_search_space.pdf").stat().st_size > 0
    assert main(["reproduce", "search-space-dynamics", "--beta", "1.5", "--out", str(tmp_path)]) == 2
    assert "beta=1.5" in capsys.readouterr().err
