"""The reward-offset reproduction: gradients, first-order equivalence, determinism, command line."""

import json

import numpy as np
import pytest

from derivations.implicit import forward_backward, preconditioner
from verify.cli import main
from verify.experiments import plots
from verify.experiments.domains import chain, four_rooms, simulate
from verify.experiments.reward_offset import Config, _loss_grad, residual_parts, run
from verify.numerics import richardson_jacobian

SMALL = Config(domain="chain", seeds=2, steps=6, offsets=(0.0, 1.0))


def _instance(n=5, seed=0):
    rng = np.random.default_rng(seed)
    w, F = rng.normal(size=n), rng.normal(size=(n, n))
    idx = rng.integers(0, n, (1, 7))
    tgt = rng.normal(size=(1, 7)) * 3
    return w, F, idx, tgt


def _loss_from_primitives(w, F, eta, idx, tgt):
    """0.5 mean (theta[s] - G)^2 with theta from a plain linear solve of the constraint."""
    S = np.exp(F - F.max(axis=1, keepdims=True))
    S = S / S.sum(axis=1, keepdims=True)
    theta = np.linalg.solve(np.eye(len(w)) - eta * S, w)
    err = theta[idx[0]] - tgt[0]
    return 0.5 * float(err @ err) / err.size


@pytest.mark.parametrize("eta", [0.0, 0.5, 0.95])
def test_training_gradient_matches_finite_differences(eta):
    w, F, idx, tgt = _instance()
    n = w.size
    _, loss, gw, gF = forward_backward(w[None], F[None], eta, lambda th: _loss_grad(th, idx, tgt, n))
    x0 = np.concatenate([w, F.ravel()])
    f = lambda X: np.array([[_loss_from_primitives(x[:n], x[n:].reshape(n, n), eta, idx, tgt)] for x in X])  # noqa: E731
    J, err = richardson_jacobian(f, x0)
    grad = np.concatenate([gw[0], gF[0].ravel()])
    assert np.all(np.abs(grad - J[0]) <= 10 * err[0] + 1e-9 * np.abs(J[0]).max())
    assert loss[0] == pytest.approx(_loss_from_primitives(w, F, eta, idx, tgt), rel=1e-12)


def test_implicit_step_is_the_preconditioned_explicit_step_to_first_order():
    """theta(psi - a grad_psi L) - theta(psi) = -a P grad_theta L + O(a^2) (Theorem 1)."""
    w, F, idx, tgt = _instance(seed=3)
    n, eta = w.size, 0.8
    theta, _, gw, gF = forward_backward(w[None], F[None], eta, lambda th: _loss_grad(th, idx, tgt, n))
    _, g_theta = _loss_grad(theta, idx, tgt, n)
    P = preconditioner(w, F, eta)
    errors = []
    for a in (1e-2, 1e-3):
        th_new, *_ = forward_backward(w[None] - a * gw, F[None] - a * gF, eta, lambda th: (0.0, th))
        errors.append(np.linalg.norm(th_new[0] - theta[0] + a * P @ g_theta[0]))
    slope = np.log10(errors[0] / errors[1])
    assert 1.8 < slope < 2.2  # the remainder is O(a^2): the first-order terms agree
    # and the mutant "no preconditioner" leaves an O(a) remainder
    th_new, *_ = forward_backward(w[None] - 1e-3 * gw, F[None] - 1e-3 * gF, eta, lambda th: (0.0, th))
    assert np.linalg.norm(th_new[0] - theta[0] + 1e-3 * g_theta[0]) > 100 * errors[1]


def test_shapes_and_determinism():
    a, b = run(SMALL), run(SMALL)
    for m in ("explicit", "implicit"):
        assert a.final[m].shape == (2, 2)
        assert a.curves[m].shape == (7, 3, 2, 2)
        np.testing.assert_array_equal(a.final[m], b.final[m])
    # another base seed gives other data
    assert not np.array_equal(run(SMALL, base_seed=1).final["explicit"], a.final["explicit"])


def test_residual_parts_split_is_orthogonal():
    rng = np.random.default_rng(0)
    th, v = rng.normal(size=(4, 6)), rng.normal(size=(4, 6))
    total, ones, rest = residual_parts(th, v)
    np.testing.assert_allclose(total**2, ones**2 + rest**2)


def test_offset_shifts_exact_values_by_c_over_one_minus_gamma():
    for d in (chain(), four_rooms()):
        np.testing.assert_allclose(d.value(1.0) - d.value(0.0), 1.0 / (1.0 - d.gamma))


def test_simulated_returns_estimate_the_exact_values():
    """The data pipeline is unbiased (up to truncation): chain, mean return per start state."""
    d = chain()
    states, rewards = simulate(d, np.random.default_rng(0), 20000, 100)
    G = rewards @ d.gamma ** np.arange(100)
    v = d.value()
    for s in range(d.n_states):
        g = G[states[:, 0] == s]
        assert abs(g.mean() - v[s]) < 6 * g.std() / np.sqrt(g.size) + 1e-3


def test_four_rooms_layout():
    d = four_rooms()
    assert d.n_states == 11 * 11 - 17 + 1
    np.testing.assert_allclose(d.P.sum(axis=2), 1.0)
    assert d.labels[-1] == "terminal"


def test_command_writes_data_and_figures(tmp_path, capsys):
    out = tmp_path / "ro"
    code = main(["reproduce", "reward-offset", "--seeds", "2", "--steps", "4", "--offsets", "0,1",
                 "--etas", "0.9,0.95", "--out", str(out), "--quiet"])
    assert code == 0
    doc = json.loads((out / "reward_offset_chain.json").read_text())
    assert len(doc["runs"]) == 2 * 2 * 2 and set(doc["summary"]) == {"explicit", "implicit"}
    assert set(doc["eta_sweep"]) == {"0.9", "0.95"}
    lines = (out / "reward_offset_chain_curves.csv").read_text().splitlines()
    assert lines[0] == "method,offset,seed,step,residual,along_ones,remainder" and len(lines) == 1 + 2 * 2 * 2 * 5
    if plots.have_matplotlib():
        for k in (1, 2, 3):
            assert (out / f"figure{k}_chain.png").stat().st_size > 0
            assert (out / f"figure{k}_chain.pdf").stat().st_size > 0
    assert "final residual" in capsys.readouterr().out


def test_command_without_matplotlib_still_writes_data(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(plots, "have_matplotlib", lambda: False)
    out = tmp_path / "ro"
    assert main(["reproduce", "reward-offset", "--seeds", "2", "--steps", "2", "--offsets", "0",
                 "--no-eta-sweep", "--out", str(out)]) == 0
    assert (out / "reward_offset_chain.json").exists() and not (out / "figure2_chain.png").exists()
    assert "pip install '.[plots]'" in capsys.readouterr().err


@pytest.mark.parametrize("argv,needle", [
    (["--eta", "1.5"], "eta=1.5"),
    (["--seeds", "0"], "seeds=0"),
    (["--lr-explicit", "-1"], "lr_explicit=-1"),
])
def test_bad_options_exit_2_with_a_message(tmp_path, capsys, argv, needle):
    assert main(["reproduce", "reward-offset", "--out", str(tmp_path), *argv]) == 2
    assert needle in capsys.readouterr().err
