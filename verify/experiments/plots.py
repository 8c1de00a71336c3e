"""Figures of the reproductions (matplotlib is the optional ``plots`` extra).

:func:`have_matplotlib` says whether figures can be drawn; every ``figure_*`` function
writes ``<stem>.png`` and ``<stem>.pdf`` and returns their paths.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["have_matplotlib", "MISSING_MATPLOTLIB", "figure_residual_split", "figure_offsets", "figure_eta",
           "save"]

MISSING_MATPLOTLIB = ("matplotlib is not installed, so no figures were drawn (the data files are complete); "
                      "install the extra with: pip install '.[plots]'")

COLOURS = {"explicit": "#d62728", "implicit": "#1f77b4"}


def have_matplotlib() -> bool:
    from importlib.util import find_spec

    return find_spec("matplotlib") is not None


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save(fig, out: Path, stem: str) -> list:
    paths = []
    for ext in ("png", "pdf"):
        path = Path(out) / f"{stem}.{ext}"
        fig.savefig(path, dpi=150, bbox_inches="tight", metadata={"CreationDate": None} if ext == "pdf" else None)
        paths.append(path)
    _pyplot().close(fig)
    return paths


def _band(ax, x, samples, colour, label, style="-"):
    """Median over the first axis (seeds) of ``samples`` with the interquartile band (log-scale safe)."""
    lo, m, hi = np.percentile(samples, [25, 50, 75], axis=0)
    ax.plot(x, m, style, color=colour, label=label)
    ax.fill_between(x, lo, hi, color=colour, alpha=0.15, linewidth=0)


def figure_residual_split(result, out, stem, offsets=None):
    """Figure 1: the residual's component along 1 and the remainder during training, per method
    (median over seeds, interquartile band)."""
    plt = _pyplot()
    cfg = result.config
    offsets = offsets or sorted({cfg.offsets[0], cfg.offsets[-1]})
    methods = list(result.curves)
    fig, axes = plt.subplots(1, len(methods), figsize=(5 * len(methods), 3.6), sharey=True, squeeze=False)
    steps = np.arange(cfg.steps + 1)
    for ax, method in zip(axes[0], methods):
        curve = result.curves[method]  # (steps + 1, 3, seeds, offsets)
        for off in offsets:
            j = list(cfg.offsets).index(off)
            _band(ax, steps, curve[:, 1, :, j].T, COLOURS[method], f"along 1, offset {off:g}",
                  "-" if off == offsets[-1] else ":")
            _band(ax, steps, curve[:, 2, :, j].T, "0.4", f"remainder, offset {off:g}",
                  "-" if off == offsets[-1] else ":")
        ax.set_yscale("log")
        ax.set_title(f"{method} ({cfg.domain}, eta={cfg.eta:g})")
        ax.set_xlabel("SGD step")
        ax.legend(fontsize=7)
    axes[0][0].set_ylabel(r"$\|\cdot\|_2$ of the residual part")
    return save(fig, out, stem)


def figure_offsets(result, out, stem):
    """Figure 2: final residual against the reward offset (mean +- sample sd over seeds)."""
    plt = _pyplot()
    cfg = result.config
    fig, ax = plt.subplots(figsize=(5, 3.6))
    x = np.asarray(cfg.offsets, float)
    for method, final in result.final.items():
        m = final.mean(axis=0)
        sd = final.std(axis=0, ddof=1) if final.shape[0] > 1 else np.zeros_like(m)
        ax.errorbar(x, m, yerr=sd, marker="o", ms=3, capsize=2, color=COLOURS[method], label=method)
    ax.set_xlabel("reward offset")
    ax.set_ylabel(r"final $\|\theta - V^\pi\|_2$")
    ax.set_title(f"{cfg.domain}: {cfg.seeds} seeds, {cfg.steps} steps, eta={cfg.eta:g}")
    ax.legend()
    return save(fig, out, stem)


def figure_eta(results_by_eta, out, stem):
    """Figure 3: final residual against eta, for the first and last offsets (mean +- sd)."""
    plt = _pyplot()
    etas = sorted(results_by_eta)
    first = results_by_eta[etas[0]]
    cfg = first.config
    fig, ax = plt.subplots(figsize=(5, 3.6))
    for j, style in ((0, ":"), (len(cfg.offsets) - 1, "-")):
        for method in first.final:
            vals = np.array([results_by_eta[e].final[method][:, j] for e in etas])  # (etas, seeds)
            sd = vals.std(axis=1, ddof=1) if vals.shape[1] > 1 else np.zeros(len(etas))
            ax.errorbar(etas, vals.mean(axis=1), yerr=sd, fmt=style, marker="o", ms=3, capsize=2,
                        color=COLOURS[method], label=f"{method}, offset {cfg.offsets[j]:g}")
    ax.set_xlabel(r"internal discount $\eta$")
    ax.set_ylabel(r"final $\|\theta - V^\pi\|_2$")
    ax.set_title(f"{cfg.domain}: sensitivity to eta")
    ax.legend(fontsize=7)
    return save(fig, out, stem)
