r"""Seed 000's missing Figures 1 and 2: optimisation paths in the (V(s1), V(s2)) plane.

A 2-state Markov reward process (a fixed policy's :math:`P_\pi`, :math:`r_\pi`), and four ways to
approach :math:`V^* = (I - \gamma P_\pi)^{-1}r_\pi`:

* value iteration :math:`V_{k+1} = r + \gamma P V_k`;
* value iteration with momentum: :math:`m_{k+1} = \beta m_k + (TV_k - V_k)`, :math:`V_{k+1} = V_k + (1-\beta)m_{k+1}`;
* parameterised value iteration: :math:`V = \hat\theta(w, F) = (I - \eta\sigma(F))^{-1}w` (seed 001) and one
  gradient step per iteration on :math:`\frac12\|\hat\theta(\psi) - T\hat\theta(\psi_k)\|^2` (the target held
  fixed), backward pass :func:`derivations.implicit.forward_backward`;
* the same with momentum (:math:`m_{k+1} = \beta m_k + \nabla`, :math:`\psi_{k+1} = \psi_k - \alpha(1-\beta)m_{k+1}`).

>>> paths = trajectories(steps=5)
>>> sorted(paths), paths["value iteration"].shape
(['parameterised', 'parameterised + momentum', 'value iteration', 'value iteration + momentum'], (6, 2))
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from derivations.implicit import forward_backward

__all__ = ["MRP", "trajectories", "command"]

#: the example: state 1 pays 1 and tends to stay, state 2 pays -0.5 and drifts to state 1
MRP = {"P": np.array([[0.9, 0.1], [0.5, 0.5]]), "r": np.array([1.0, -0.5]), "gamma": 0.9}


def trajectories(steps: int = 60, *, gamma: float | None = None, beta: float = 0.8, eta: float = 0.9,
                 lr: float = 0.05):
    """Paths of the four methods from V = 0, each ``(steps + 1, 2)``."""
    P, r = MRP["P"], MRP["r"]
    g = MRP["gamma"] if gamma is None else gamma
    T = lambda V: r + g * P @ V  # noqa: E731
    paths = {}
    V = np.zeros(2)
    out = [V]
    for _ in range(steps):
        V = T(V)
        out.append(V)
    paths["value iteration"] = np.array(out)
    V, m = np.zeros(2), np.zeros(2)
    out = [V]
    for _ in range(steps):
        m = beta * m + (T(V) - V)
        V = V + (1 - beta) * m
        out.append(V)
    paths["value iteration + momentum"] = np.array(out)
    for name, b in (("parameterised", 0.0), ("parameterised + momentum", beta)):
        w, F = np.zeros(2), np.zeros((2, 2))
        mw, mF = np.zeros(2), np.zeros((2, 2))
        theta = np.linalg.solve(np.eye(2) - eta * np.full((2, 2), 0.5), w)
        out = [theta]
        for _ in range(steps):
            target = T(theta)
            theta, _, gw, gF = forward_backward(w, F, eta, lambda th: (0.5 * ((th - target) ** 2).sum(), th - target))
            mw, mF = b * mw + gw, b * mF + gF
            w, F = w - lr * (1 - b) * mw, F - lr * (1 - b) * mF
            theta = forward_backward(w, F, eta, lambda th: (0.0, th))[0]
            out.append(theta)
        paths[name] = np.array(out)
    return paths


def _figure(paths, vstar, names, title, out: Path, stem: str):
    from .plots import _pyplot, save

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(4.8, 4.4))
    styles = {"value iteration": ("k", "o"), "value iteration + momentum": ("#9467bd", "s"),
              "parameterised": ("#1f77b4", "^"), "parameterised + momentum": ("#ff7f0e", "v")}
    for name in names:
        c, mk = styles[name]
        p = paths[name]
        ax.plot(p[:, 0], p[:, 1], "-", color=c, lw=1, marker=mk, ms=2.5, label=name)
    ax.plot(*vstar, "*", color="red", ms=14, label=r"$V^*$")
    ax.plot(0, 0, "kx", ms=6)
    ax.set_xlabel(r"$V(s_1)$")
    ax.set_ylabel(r"$V(s_2)$")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)
    return save(fig, out, stem)


def command(args) -> int:
    from . import plots

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    paths = trajectories(args.steps, gamma=args.gamma, beta=args.beta, eta=args.eta, lr=args.lr)
    g = MRP["gamma"] if args.gamma is None else args.gamma
    vstar = np.linalg.solve(np.eye(2) - g * MRP["P"], MRP["r"])
    doc = {"mrp": {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in MRP.items()} | {"gamma": g},
           "v_star": vstar.tolist(), "beta": args.beta, "eta": args.eta, "lr": args.lr,
           "paths": {k: v.tolist() for k, v in paths.items()},
           "final_distance_to_v_star": {k: float(np.abs(v[-1] - vstar).max()) for k, v in paths.items()}}
    (out / "search_space_dynamics.json").write_text(json.dumps(doc, indent=1))
    written = [out / "search_space_dynamics.json"]
    if plots.have_matplotlib():
        written += _figure(paths, vstar, ["value iteration", "parameterised"],
                           "Figure 1: value iteration vs parameterised value iteration", out, "figure1_search_space")
        written += _figure(paths, vstar, ["value iteration", "value iteration + momentum", "parameterised + momentum"],
                           "Figure 2: value iteration with and without momentum", out, "figure2_search_space")
    else:
        print(plots.MISSING_MATPLOTLIB, file=sys.stderr)
    for k, d in doc["final_distance_to_v_star"].items():
        print(f"{k:28s} ||V_{args.steps} - V*||_inf = {d:.3g}")
    print("wrote " + ", ".join(str(p) for p in written))
    return 0
