"""``verify reproduce ...``: argument parsing and file output for the reproductions."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np

from ..errors import ValidationError

__all__ = ["add_reproduce_parser", "reproduce"]

PAPER_ETAS = (0.8, 0.9, 0.95, 0.975)
#: learning rates 2^-e tried for the implicit method at each eta of Figure 3
ETA_SWEEP_EXPONENTS = range(3, 11)


def _floats(text: str) -> tuple:
    try:
        vals = tuple(float(t) for t in text.split(",") if t.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of numbers, e.g. 0,0.5,1") from None
    if not vals:
        raise argparse.ArgumentTypeError("give at least one number")
    return vals


def add_reproduce_parser(sub) -> None:
    rp = sub.add_parser("reproduce", help="rerun a seed's experiment and draw its figures",
                        description="Reproduce the experiments of the seeds (data as JSON/CSV, figures as PNG/PDF).")
    rsub = rp.add_subparsers(dest="experiment", metavar="EXPERIMENT")
    rsub.required = True
    ro = rsub.add_parser(
        "reward-offset", formatter_class=argparse.RawDescriptionHelpFormatter,
        help="explicit vs implicit parameterization under shifted rewards (seed 001, Figures 1-3)",
        description=("Train explicit and implicit (theta = (I - eta softmax(F))^-1 w) value estimates by SGD on "
                     "sampled returns with every reward shifted by an offset; report the final residual "
                     "||theta - V^pi||_2. Defaults are the paper's."),
        epilog=("examples:\n  verify reproduce reward-offset --domain chain --out results/chain\n"
                "  verify reproduce reward-offset --domain four-rooms --seeds 5 --offsets 0,0.5,1\n"
                "  verify reproduce reward-offset --lr-search --seeds 5 --no-eta-sweep"))
    ro.add_argument("--domain", choices=("chain", "four-rooms"), default="chain", help="default: chain")
    ro.add_argument("--eta", type=float, default=0.95, help="internal discount of the implicit model (default 0.95)")
    ro.add_argument("--offsets", type=_floats, default=tuple(round(0.1 * i, 1) for i in range(11)),
                    help="comma-separated reward offsets (default 0,0.1,...,1)")
    ro.add_argument("--seeds", type=int, default=20, help="number of seeds (default 20)")
    ro.add_argument("--steps", type=int, default=300, help="SGD steps (default 300)")
    ro.add_argument("--batch-size", type=int, default=25, help="minibatch size, drawn with replacement (default 25)")
    ro.add_argument("--lr-explicit", type=float, default=None,
                    help="default: the paper's 2^-1 on the chain; 2^1 on four rooms (searched)")
    ro.add_argument("--lr-implicit", type=float, default=None,
                    help="default: the paper's 2^-6 on the chain; 2^-3 on four rooms (searched)")
    ro.add_argument("--lr-search", action="store_true",
                    help="choose each method's learning rate from 2^2..2^-10 by mean final residual first")
    ro.add_argument("--etas", type=_floats, default=PAPER_ETAS,
                    help="eta values of Figure 3 (default 0.8,0.9,0.95,0.975)")
    ro.add_argument("--no-eta-sweep", action="store_true", help="skip Figure 3's runs")
    ro.add_argument("--base-seed", type=int, default=0, help="seed of all randomness (default 0)")
    ro.add_argument("--out", metavar="DIR", default="reproduce/reward-offset", help="output directory")
    ro.add_argument("--quiet", action="store_true", help="no progress lines on stderr")

    sd = rsub.add_parser(
        "search-space-dynamics", formatter_class=argparse.RawDescriptionHelpFormatter,
        help="seed 000 Figures 1-2: value iteration vs parameterised (implicit) and momentum paths on a 2-state MRP",
        description=("Draw, in the (V(s1), V(s2)) plane, the paths of value iteration, value iteration with momentum, "
                     "gradient descent on the implicit parameterization (seed 001) and the same with momentum, "
                     "with V* marked. Writes search_space_dynamics.json and figure{1,2}_search_space.{png,pdf}."),
        epilog="example:\n  verify reproduce search-space-dynamics --out results/dynamics")
    sd.add_argument("--steps", type=int, default=60, help="iterations of every method (default 60)")
    sd.add_argument("--gamma", type=float, default=None, help="discount of the MRP (default 0.9)")
    sd.add_argument("--beta", type=float, default=0.8, help="momentum coefficient (default 0.8)")
    sd.add_argument("--eta", type=float, default=0.9, help="internal discount of the implicit model (default 0.9)")
    sd.add_argument("--lr", type=float, default=0.05, help="step size of the parameterised methods (default 0.05)")
    sd.add_argument("--out", metavar="DIR", default="reproduce/search-space-dynamics", help="output directory")


def _say(quiet):
    return (lambda msg: None) if quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))


def _write_curves(path: Path, result) -> None:
    cfg = result.config
    with open(path, "w", newline="") as fh:
        wr = csv.writer(fh)
        wr.writerow(["method", "offset", "seed", "step", "residual", "along_ones", "remainder"])
        steps = np.arange(cfg.steps + 1)
        for method, curve in result.curves.items():
            for j, off in enumerate(cfg.offsets):
                for s in range(cfg.seeds):
                    block = curve[:, :, s, j]
                    for t in steps:
                        wr.writerow([method, off, s, int(t), *(f"{v:.10g}" for v in block[t])])


def _reward_offset(args) -> int:
    from . import plots
    from .reward_offset import Config, lr_search, run

    say = _say(args.quiet)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    cfg = Config(domain=args.domain, eta=args.eta, offsets=tuple(args.offsets), seeds=args.seeds, steps=args.steps,
                 batch_size=args.batch_size, lr_explicit=args.lr_explicit, lr_implicit=args.lr_implicit)
    searched = {}
    if args.lr_search:
        for method in cfg.methods:
            searched[method] = lr_search(cfg, method, base_seed=args.base_seed, progress=say)
            say(f"{method}: best learning rate 2^-{searched[method]['best_exponent']}")
        cfg = Config(**{**asdict(cfg), "lr_explicit": searched["explicit"]["best_lr"],
                        "lr_implicit": searched["implicit"]["best_lr"]})
    result = run(cfg, base_seed=args.base_seed, progress=say)
    doc = result.to_json()
    if searched:
        doc["lr_search"] = {m: {"scores_by_exponent": {str(k): v for k, v in s["scores"].items()},
                                "best_lr": s["best_lr"]} for m, s in searched.items()}
    by_eta = {}
    if not args.no_eta_sweep:
        eta_lrs = {}
        for eta in args.etas:
            if eta == cfg.eta:
                by_eta[eta] = result
                continue
            sweep = Config(**{**asdict(cfg), "eta": eta, "methods": ("implicit",)})
            if args.lr_implicit is None:  # the step size that is stable depends on eta: search it (few seeds)
                probe = Config(**{**asdict(sweep), "seeds": min(3, cfg.seeds)})
                found = lr_search(probe, "implicit", ETA_SWEEP_EXPONENTS, base_seed=args.base_seed)
                sweep = Config(**{**asdict(sweep), "lr_implicit": found["best_lr"]})
                say(f"eta={eta:g}: implicit learning rate 2^-{found['best_exponent']} (searched on {probe.seeds} seeds)")
            eta_lrs[str(eta)] = sweep.lr("implicit")
            by_eta[eta] = run(sweep, base_seed=args.base_seed, progress=say)
        doc["eta_sweep_learning_rates"] = eta_lrs
        doc["eta_sweep"] = {str(e): {str(off): {"mean": float(r.final["implicit"][:, j].mean()),
                                                "sd": float(r.final["implicit"][:, j].std(ddof=1)) if cfg.seeds > 1
                                                else 0.0}
                                     for j, off in enumerate(cfg.offsets)} for e, r in sorted(by_eta.items())}
    stem = f"reward_offset_{cfg.domain}"
    (out / f"{stem}.json").write_text(json.dumps(doc, indent=1))
    _write_curves(out / f"{stem}_curves.csv", result)
    written = [out / f"{stem}.json", out / f"{stem}_curves.csv"]
    if plots.have_matplotlib():
        written += plots.figure_residual_split(result, out, f"figure1_{cfg.domain}")
        written += plots.figure_offsets(result, out, f"figure2_{cfg.domain}")
        if by_eta:
            for e, r in by_eta.items():  # explicit does not depend on eta: reuse the main run's
                if "explicit" not in r.final:
                    r.final["explicit"] = result.final["explicit"]
            written += plots.figure_eta(by_eta, out, f"figure3_{cfg.domain}")
    else:
        say(plots.MISSING_MATPLOTLIB)
    summary = doc["summary"]
    for method in result.final:
        cells = ", ".join(f"{off}: {summary[method][str(off)]['mean']:.3f} ± {summary[method][str(off)]['sd']:.3f}"
                          for off in (cfg.offsets[0], cfg.offsets[len(cfg.offsets) // 2], cfg.offsets[-1]))
        print(f"{cfg.domain} {method:8s} final residual (mean ± sd over {cfg.seeds} seeds) at offset {cells}")
    print("wrote " + ", ".join(str(p) for p in written))
    return 0


def _check_dynamics_args(args):
    if int(args.steps) != args.steps or args.steps < 1:
        raise ValidationError(f"steps={args.steps!r} must be a positive integer")
    if args.gamma is not None and not (0.0 <= args.gamma < 1.0):
        raise ValidationError(f"gamma={args.gamma!r} must lie in [0, 1)")
    if not (0.0 <= args.beta < 1.0):
        raise ValidationError(f"beta={args.beta!r} must lie in [0, 1)")
    if not (0.0 <= args.eta < 1.0):
        raise ValidationError(f"eta={args.eta!r} must lie in [0, 1)")
    if not (args.lr > 0):
        raise ValidationError(f"lr={args.lr!r} must be positive")


def reproduce(args) -> int:
    try:
        if args.experiment == "reward-offset":
            return _reward_offset(args)
        if args.experiment == "search-space-dynamics":
            from .search_space import command

            _check_dynamics_args(args)
            return command(args)
    except ValidationError as exc:
        print(f"verify reproduce: error: {exc}", file=sys.stderr)
        return 2
    raise AssertionError(args.experiment)  # pragma: no cover (argparse restricts the choices)
