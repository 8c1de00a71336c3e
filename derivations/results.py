r"""Derived results that questions ask for: one object per result, owned by the mathematics.

A :class:`Result` is a result of :mod:`derivations` written three ways that must agree:

- ``plain``: the result in the answer language of ``verify check`` (the bank's reference answer);
- ``symbols``: its symbols with their domains (:mod:`derivations.domains`) and meanings;
- ``numeric``: the documented :mod:`derivations` function that the catalogue's claim ``claim`` checks,
  called through a small adapter from the question's symbols.

The question bank (:mod:`verify.answers.bank`) builds its questions from these objects
(``question = result + relation``), the catalogue's claim ``claim`` checks ``numeric``, and a test
evaluates ``plain`` with the judge's evaluator against ``numeric`` at sampled instances of
``symbols`` -- so the bank, the catalogue and the book cannot disagree. Vectors are columns
(``n x 1``), as in the judge.

>>> RESULTS["paper/theorem-1"].claim
'implicit.preconditioner'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import bellman as B
from . import estimators as E
from . import implicit as I
from . import networks as N
from . import sgd as G
from . import td as T
from .domains import parse_domain

__all__ = ["Result", "RESULTS"]


@dataclass(frozen=True)
class Result:
    """``plain`` over ``symbols`` (name -> ``(domain, meaning)``) equals ``numeric(env)``; ``claim`` checks it."""

    key: str
    claim: str  #: the catalogue claim whose checks exercise ``numeric``
    plain: str
    symbols: dict
    numeric: Callable  #: (env, probabilities) -> the result's value (env: name -> value, vectors n x 1;
    #: probabilities: of the outcomes the random variables' values are listed over, else None)
    source: str = ""
    order_only: bool = False  #: ``plain`` is the order of ``numeric`` (a count), not its value

    def __post_init__(self):
        for name, spec in self.symbols.items():
            parse_domain(spec[0], name=name)  # a malformed domain fails at import, naming the symbol


def _col(v):
    return np.asarray(v, dtype=float).reshape(-1)


def _rv(x):
    return np.asarray(getattr(x, "values", x), dtype=float)


def _td_parts(env):
    w1, W2, a, b = _col(env["w1"]), np.asarray(env["W2"], dtype=float), _col(env["a"]), _col(env["b"])
    grad = T.td_gradient(w1, W2, a, b, float(env["gamma"]))
    m, p = W2.shape
    return grad[:p][:, None], grad[p:].reshape(p, m).T  # (w1 part as a column, vec W2 part in W2's shape)


_TD_SYMBOLS = {"w1": ("vector k", "output weights"), "W2": ("matrix m x k", "hidden weights"),
               "a": ("vector m", "phi2(z)"), "b": ("vector m", "phi2(z+)"), "r": ("real", "reward r(z)"),
               "gamma": ("discount", "discount factor")}

_RESULTS = (
    Result("hw4/1.3.1", "networks.attention-cost", "n**2*d",
           {"n": ("positive integer", "sequence length"), "d": ("positive integer", "embedding dimension")},
           lambda env, probs: sum(N.attention_cost(int(env["n"]), int(env["d"])).values()), "seed 004 §1.3.1",
           order_only=True),
    Result("hw4/1.3.2", "networks.attention-low-rank", "n*k*d",
           {"n": ("positive integer", "sequence length"), "k": ("positive integer", "rank of P"),
            "d": ("positive integer", "embedding dimension")},
           lambda env, probs: sum(N.low_rank_cost(int(env["n"]), int(env["k"]), int(env["d"])).values()),
           "seed 004 §1.3.2", order_only=True),
    Result("paper/theorem-1", "implicit.preconditioner", "inv(A) @ (eta**2*D + I) @ inv(A).T",
           {"A": ("invertible matrix n x n", "I - eta sigma(F)"),
            "D": ("diagonal nonnegative matrix n x n", "the diagonal matrix of Theorem 1"),
            "eta": ("discount", "internal discount"), "I": ("identity matrix n x n", "identity")},
           lambda env, probs: I.preconditioner_from_parts(np.linalg.inv(np.asarray(env["A"], dtype=float)),
                                                   np.diag(np.asarray(env["D"], dtype=float)), float(env["eta"])),
           "seed 001, Theorem 1"),
    Result("paper/theorem-5-explicit", "sgd.second-moment-ratio-explicit",
           "n*(k-1)/(k*(n-1)) + n*(n-k)/(k*(n-1))*rho",
           {"n": ("integer >= 2", "data points"), "k": ("integer in [1, n]", "minibatch size"),
            "rho": ("positive", "sum_i r_i^2 ||phi_i||^2 / ||sum_i r_i phi_i||^2")},
           lambda env, probs: G.ratio_from_sums(int(env["n"]), int(env["k"]), float(env["rho"]), 1.0),
           "seed 001, Theorem 5"),
    Result("paper/corollary-2", "sgd.one-hot-ratio-corrected", "n/k",
           {"n": ("integer >= 2", "data points (distinct states)"), "k": ("integer in [1, n]", "minibatch size")},
           lambda env, probs: G.one_hot_ratio_corrected(np.arange(int(env["n"])), np.ones(int(env["n"])), int(env["k"])),
           "seed 001, Corollary 2"),
    Result("hw4/3.1b", "bellman.contraction-tight", "gamma", {"gamma": ("discount", "discount factor")},
           lambda env, probs: B.contraction_bound(float(env["gamma"]), 1.0), "seed 004 §3.1 b"),
    Result("hw4/3.1c.1", "bellman.optimality-relations", "max(q)", {"q": ("vector", "q*(s, a) over the actions a")},
           lambda env, probs: float(B.v_from_q(_col(env["q"]))), "seed 004 §3.1 c.1"),
    Result("hw4/3.1c.2", "bellman.optimality-relations", "r + gamma*sum(p*v)",
           {"r": ("real", "r(s, a)"), "gamma": ("discount", "discount factor"),
            "p": ("probability vector", "p(s' | s, a) over s'"), "v": ("vector", "v*(s') over s'")},
           lambda env, probs: float(B.q_from_v(_col(env["p"])[None, :], float(env["r"]), float(env["gamma"]),
                                        _col(env["v"]))[0]), "seed 004 §3.1 c.2"),
    Result("hw4/1.1.1", "networks.sigmoid-chain-bound", "(1/4)**n", {"n": ("integer in [1, 40]", "number of layers")},
           lambda env, probs: N.sigmoid_chain_bound(int(env["n"])), "seed 004 §1.1.1"),
    Result("hw4/1.1.2", "networks.tanh-chain-bound", "1", {"n": ("integer in [1, 40]", "number of layers")},
           lambda env, probs: N.tanh_chain_bound(int(env["n"])), "seed 004 §1.1.2"),
    Result("hw4/1.2.1", "networks.rnn-jacobian-bound-corrected", "(1/2)**(n-1)",
           {"n": ("integer in [2, 200]", "index of the last state")},
           lambda env, probs: N.rnn_jacobian_bound(int(env["n"])), "seed 004 §1.2.1"),
    Result("hw4/3.2.1", "estimators.optimal-baseline", "E[g**2*R]/E[g**2]",
           {"g": ("random variable", "grad_{theta_k} log pi_theta(tau)"), "R": ("random variable", "the return r(tau)")},
           lambda env, probs: E.optimal_baseline(_rv(env["g"]), _rv(env["R"]), probs), "seed 004 §3.2.1"),
    Result("paper/implicit-weights-gradient", "implicit.ift-jacobian", "inv(eye(n) - eta*S)",
           {"n": ("integer in [1, 4]", "number of features"), "w": ("vector n", "model reward weights"),
            "S": ("row-stochastic matrix n x n", "sigma(F)"), "eta": ("discount", "internal discount")},
           lambda env, probs: I.jacobian(_col(env["w"]), np.log(np.asarray(env["S"], dtype=float)), float(env["eta"]))[0],
           "seed 001 §2.3 (implicit differentiation)"),
    Result("td/gradient-w1", "td.two-layer-gradient", "tanh(W2.T @ a) - gamma*tanh(W2.T @ b)", _TD_SYMBOLS,
           lambda env, probs: _td_parts(env)[0], "seed 002 (TD error of a two-layer Q, with gamma)"),
    Result("td/gradient-W2", "td.two-layer-gradient",
           "a @ (w1 * (1 - tanh(W2.T @ a)**2)).T - gamma * b @ (w1 * (1 - tanh(W2.T @ b)**2)).T", _TD_SYMBOLS,
           lambda env, probs: _td_parts(env)[1], "seed 002 (TD error of a two-layer Q, with gamma)"),
)

#: the results questions ask for, by question id
RESULTS = {r.key: r for r in _RESULTS}
