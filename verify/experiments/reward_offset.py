r"""Reward-offset sensitivity of explicit vs implicit parameterizations (Gehring et al. 2021, §4).

Both methods fit :math:`V^\pi` from sampled discounted returns with one-hot features:

* **explicit**: the weights :math:`\theta` are the parameters;
* **implicit**: :math:`\theta = \hat\theta(w, F) = (I - \eta\sigma(F))^{-1}w`, forward by an exact linear
  solve and backward by the implicit-function-theorem gradient of
  :func:`derivations.implicit.forward_backward`.

Training is plain minibatch SGD on :math:`\tfrac12\,\mathrm{mean}_{i\in B}(\theta_{s_i} - G_i)^2`.
Every (seed, offset) pair is one row of a batch, so a whole sweep is a handful of batched
linear solves per step. Seeds fix the data, the initialisation and the minibatches, and
every offset of a seed shares them (common random numbers), so differences between
offsets come from the offset alone.

>>> cfg = Config(domain="chain", seeds=2, steps=5, offsets=(0.0, 1.0))
>>> res = run(cfg)
>>> res.final["explicit"].shape, res.final["implicit"].shape
((2, 2), (2, 2))
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

import numpy as np

from derivations.implicit import forward_backward

from ..errors import ValidationError
from ..oracles.implicit import softmax_rows as _softmax
from .domains import DOMAINS, Domain, simulate

__all__ = ["Config", "Result", "PAPER_LEARNING_RATES", "make_data", "initial_parameters", "run", "lr_search",
           "residual_parts"]

#: learning rates at eta = 0.95: the chain's are the paper's (2^-1, 2^-6); the paper does not give the
#: four-rooms ones, so they are ``lr_search``'s choice over 2^2 ... 2^-10 on 5 seeds (docs/reproduce.md)
PAPER_LEARNING_RATES = {
    ("chain", "explicit"): 2.0**-1,
    ("chain", "implicit"): 2.0**-6,
    ("four-rooms", "explicit"): 2.0**1,
    ("four-rooms", "implicit"): 2.0**-3,
}

#: exponents e of the learning rates 2^-e that ``lr_search`` tries
LR_EXPONENTS = range(-2, 11)

#: a parameter above this magnitude counts as divergence (values are O(10); logits O(1))
DIVERGED = 1e6

#: data protocol per domain: (trajectories, steps per trajectory, keep every visited state?)
DATA_PROTOCOL = {"chain": (50, 100, False), "four-rooms": (80, 80, True)}


@dataclass(frozen=True)
class Config:
    domain: str = "chain"
    eta: float = 0.95
    offsets: tuple = tuple(round(0.1 * i, 1) for i in range(11))
    seeds: int = 20
    steps: int = 300
    batch_size: int = 25
    lr_explicit: float | None = None  #: None: PAPER_LEARNING_RATES
    lr_implicit: float | None = None
    methods: tuple = ("explicit", "implicit")

    def __post_init__(self):
        if self.domain not in DOMAINS:
            raise ValidationError(f"domain={self.domain!r}: choose one of {sorted(DOMAINS)}")
        if not (0.0 <= self.eta < 1.0):
            raise ValidationError(f"eta={self.eta!r} must lie in [0, 1): A = I - eta*softmax(F) is singular at 1")
        for name in ("seeds", "steps", "batch_size"):
            v = getattr(self, name)
            if int(v) != v or v < 1:
                raise ValidationError(f"{name}={v!r} must be a positive integer")
        if not self.offsets:
            raise ValidationError("offsets=() is empty: give at least one reward offset")
        for m in self.methods:
            if m not in ("explicit", "implicit"):
                raise ValidationError(f"methods={self.methods!r}: each must be 'explicit' or 'implicit'")
        for name in ("lr_explicit", "lr_implicit"):
            v = getattr(self, name)
            if v is not None and not (np.isfinite(v) and v > 0):
                raise ValidationError(f"{name}={v!r} must be a positive learning rate")

    def lr(self, method: str) -> float:
        given = self.lr_explicit if method == "explicit" else self.lr_implicit
        return float(given) if given is not None else PAPER_LEARNING_RATES[(self.domain, method)]


@dataclass
class Data:
    states: np.ndarray  #: (seeds, M) state of each data point
    returns: np.ndarray  #: (seeds, M) discounted return at offset 0
    discount_sums: np.ndarray  #: (seeds, M) sum of gamma^t over the return's steps: G(c) = G(0) + c * this


def make_data(domain: Domain, seeds: int, base_seed: int = 0) -> Data:
    """Simulated datasets, one per seed (the offset is applied later, exactly)."""
    n_traj, length, every_state = DATA_PROTOCOL[domain.name]
    disc = domain.gamma ** np.arange(length)
    S, G, W = [], [], []
    for k in range(seeds):
        rng = np.random.default_rng([base_seed, k, 1])
        states, rewards = simulate(domain, rng, n_traj, length)
        if every_state:  # truncated return from every step: reverse cumulative discounted sums
            tail = np.cumsum((rewards * disc)[:, ::-1], axis=1)[:, ::-1] / disc
            dsum = np.cumsum(disc[::-1])[::-1] / disc  # sum_{u=t}^{L-1} gamma^(u-t)
            S.append(states.ravel()), G.append(tail.ravel()), W.append(np.tile(dsum, n_traj))
        else:
            S.append(states[:, 0]), G.append(rewards @ disc), W.append(np.full(n_traj, disc.sum()))
    return Data(np.array(S), np.array(G), np.array(W))


def initial_parameters(n: int, seeds: int, eta: float, base_seed: int = 0):
    """w ~ N(0, 0.1^2); F = log(Dirichlet(1) + 2I) shifted by each row's maximum; theta0 = theta_hat(w, F)."""
    w, F = np.empty((seeds, n)), np.empty((seeds, n, n))
    for k in range(seeds):
        rng = np.random.default_rng([base_seed, k, 2])
        w[k] = rng.normal(0.0, 0.1, n)
        Fk = np.log(rng.dirichlet(np.ones(n), size=n) + 2.0 * np.eye(n))
        F[k] = Fk - Fk.max(axis=1, keepdims=True)
    theta0 = np.linalg.solve(np.eye(n) - eta * _softmax(F), w[..., None])[..., 0]
    return w, F, theta0


def minibatches(M: int, seeds: int, steps: int, batch_size: int, base_seed: int = 0) -> np.ndarray:
    """(seeds, steps, batch_size) indices drawn with replacement."""
    return np.stack([np.random.default_rng([base_seed, k, 3]).integers(0, M, (steps, batch_size))
                     for k in range(seeds)])


def residual_parts(theta, v):
    r"""``(||theta - v||, |<1, r>|/sqrt(n), ||r - mean(r) 1||)`` with ``r = theta - v`` (last axis)."""
    r = theta - v
    n = r.shape[-1]
    mean = r.mean(axis=-1, keepdims=True)
    return np.linalg.norm(r, axis=-1), np.abs(mean[..., 0]) * np.sqrt(n), np.linalg.norm(r - mean, axis=-1)


def _loss_grad(theta, idx, targets, n):
    """0.5 * mean (theta[s_i] - G_i)^2 over the batch and its gradient in theta (batched rows)."""
    B, k = idx.shape
    err = np.take_along_axis(theta, idx, axis=1) - targets
    grad = np.zeros(B * n)
    np.add.at(grad, (idx + n * np.arange(B)[:, None]).ravel(), err.ravel() / k)
    return 0.5 * (err * err).mean(axis=1), grad.reshape(B, n)


@dataclass
class Result:
    config: Config
    final: dict  #: method -> (seeds, offsets) final residual norms
    curves: dict  #: method -> (steps + 1, 3, seeds, offsets): total, along 1, remainder
    value_norm: np.ndarray  #: ||V^pi|| per offset
    seconds: float = 0.0
    learning_rates: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        c = self.config
        out = {"config": asdict(c), "learning_rates": self.learning_rates, "seconds": self.seconds,
               "residual": "||theta - V^pi||_2 after the last step", "runs": []}
        for m, arr in self.final.items():
            for i, off in enumerate(c.offsets):
                for s in range(c.seeds):
                    out["runs"].append({"method": m, "offset": off, "seed": s, "final_residual": float(arr[s, i])})
        out["summary"] = {m: {str(off): {"mean": float(arr[:, i].mean()), "sd": float(arr[:, i].std(ddof=1))
                                         if c.seeds > 1 else 0.0} for i, off in enumerate(c.offsets)}
                          for m, arr in self.final.items()}
        return out


def run(config: Config, *, base_seed: int = 0, progress=None) -> Result:
    """Train every (method, seed, offset) of ``config``; ``progress(message)`` is called per method."""
    t0 = time.perf_counter()
    domain = DOMAINS[config.domain]()
    n, seeds, offsets = domain.n_states, config.seeds, np.asarray(config.offsets, float)
    data = make_data(domain, seeds, base_seed)
    w0, F0, theta0 = initial_parameters(n, seeds, config.eta, base_seed)
    batches = minibatches(data.states.shape[1], seeds, config.steps, config.batch_size, base_seed)
    values = np.stack([domain.value(c) for c in offsets])  # (offsets, n)
    O = offsets.size
    rows = lambda a: np.repeat(a, O, axis=0)  # noqa: E731  (seed-major rows: row = seed * O + offset)
    targets_all = (data.returns[:, None, :] + offsets[None, :, None] * data.discount_sums[:, None, :]).reshape(
        seeds * O, -1)
    states_all = rows(data.states)
    v_rows = np.tile(values, (seeds, 1))
    final, curves, lrs = {}, {}, {}
    for method in config.methods:
        lr = config.lr(method)
        lrs[method] = lr
        theta, w, F = rows(theta0), rows(w0), rows(F0)
        curve = np.empty((config.steps + 1, 3, seeds * O))
        diverged = np.zeros(seeds * O, dtype=bool)
        with np.errstate(over="ignore", invalid="ignore"):
            for t in range(config.steps):
                pick = np.repeat(batches[:, t, :], O, axis=0)
                idx = np.take_along_axis(states_all, pick, axis=1)
                tgt = np.take_along_axis(targets_all, pick, axis=1)
                if method == "explicit":
                    _, g = _loss_grad(theta, idx, tgt, n)
                    curve[t] = residual_parts(theta, v_rows)
                    new = theta - lr * g
                    bad = ~np.isfinite(new).all(axis=1) | (np.abs(new).max(axis=1) > DIVERGED)
                    theta = np.where(bad[:, None], theta, new)
                else:  # the forward pass gives theta before the step: record it there (one solve saved)
                    theta, _, gw, gF = forward_backward(w, F, config.eta, lambda th: _loss_grad(th, idx, tgt, n))
                    curve[t] = residual_parts(theta, v_rows)
                    w_new, F_new = w - lr * gw, F - lr * gF
                    bad = (~np.isfinite(w_new).all(axis=1) | ~np.isfinite(F_new).all(axis=(1, 2))
                           | (np.abs(w_new).max(axis=1) > DIVERGED) | (np.abs(F_new).max(axis=(1, 2)) > DIVERGED))
                    w, F = np.where(bad[:, None], w, w_new), np.where(bad[:, None, None], F, F_new)
                diverged |= bad  # a diverging run is frozen at its last sane parameters and reported as inf
        if method == "implicit":
            theta = np.linalg.solve(np.eye(n) - config.eta * _softmax(F), w[..., None])[..., 0]
        curve[-1] = residual_parts(theta, v_rows)
        curve[-1, :, diverged] = np.inf
        final[method] = curve[-1, 0].reshape(seeds, O)
        curves[method] = curve.reshape(config.steps + 1, 3, seeds, O)
        if progress is not None:
            progress(f"{config.domain} eta={config.eta} {method} (lr={lr:g}): {seeds} seeds x {O} offsets, "
                     f"{config.steps} steps done ({time.perf_counter() - t0:.1f}s)")
    return Result(config, final, curves, np.linalg.norm(values, axis=1), time.perf_counter() - t0, lrs)


def lr_search(config: Config, method: str, exponents=LR_EXPONENTS, *, base_seed: int = 0, progress=None) -> dict:
    """Mean final residual (over seeds and offsets) for lr = 2^-e; the best is the smallest finite one."""
    scores = {}
    for e in exponents:
        cfg = Config(**{**asdict(config), "methods": (method,), f"lr_{method}": 2.0**-e})
        with np.errstate(all="ignore"):
            res = run(cfg, base_seed=base_seed)
        m = float(np.mean(res.final[method]))
        scores[e] = m if np.isfinite(m) else float("inf")
        if progress is not None:
            progress(f"lr search {config.domain} {method}: 2^-{e} -> mean final residual {scores[e]:.4g}")
    best = min(scores, key=scores.get)
    return {"scores": scores, "best_exponent": best, "best_lr": 2.0**-best}
