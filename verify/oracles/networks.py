r"""Networks evaluated from their definitions: forward passes (complex-safe, batched) and
evaluations that count the operations they perform.

>>> import numpy as np
>>> counted_attention(np.ones((3, 2)), np.ones((3, 2)), np.ones((3, 2))).multiply_adds
36
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = [
    "activation_chain",
    "rnn_forward",
    "RNNPoint",
    "OpCount",
    "counted_attention",
    "LowRankInstance",
    "low_rank_instance",
    "counted_low_rank",
    "ProjectionInstance",
    "projection_instance",
]


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def activation_chain(X, n: int, act: str):
    """``n`` stacked one-unit layers with weight 1 applied to a batch ``(b, 1)``."""
    f = {"sigmoid": _sigmoid, "tanh": np.tanh}[act]
    for _ in range(n):
        X = f(X)
    return X


def rnn_forward(X, W, n: int):
    """``x_n`` from ``x_1`` (rows of the batch ``X``) through ``x_{t+1} = tanh(W x_t)``."""
    for _ in range(n - 1):
        X = np.tanh(X @ W.T)
    return X


class RNNPoint(NamedTuple):
    W: np.ndarray
    x1: np.ndarray
    n: int

    def readable(self) -> dict:
        return {"W": self.W.tolist(), "x1": self.x1.tolist(), "n": int(self.n)}


class OpCount:
    """Counts multiply-adds of the matrix products it performs."""

    def __init__(self):
        self.multiply_adds = 0

    def matmul(self, A, B):
        self.multiply_adds += A.shape[0] * A.shape[1] * B.shape[1]
        return A @ B


def counted_attention(Q, K, V) -> OpCount:
    """Evaluate ``softmax(Q K^T / sqrt d) V`` step by step, counting multiply-adds."""
    c = OpCount()
    S = c.matmul(Q, K.T) / np.sqrt(Q.shape[1])
    E = np.exp(S - S.max(axis=1, keepdims=True))
    c.matmul(E / E.sum(axis=1, keepdims=True), V)
    return c


class LowRankInstance(NamedTuple):
    U: np.ndarray  #: n x k
    s: np.ndarray  #: k
    Vt: np.ndarray  #: k x n
    P: np.ndarray  #: n x n, rank k
    V: np.ndarray  #: n x d
    sizes: tuple  #: (n, k, d)
    seed: int

    def readable(self) -> dict:
        return {"n_k_d": list(self.sizes), "seed": self.seed}


def low_rank_instance(n: int, k: int, d: int, seed: int) -> LowRankInstance:
    rng = np.random.default_rng(seed)
    P = rng.normal(size=(n, k)) @ rng.normal(size=(k, n))
    U, s, Vt = np.linalg.svd(P)
    return LowRankInstance(U[:, :k], s[:k], Vt[:k], P, rng.normal(size=(n, d)), (n, k, d), seed)


def counted_low_rank(p: LowRankInstance) -> int:
    """Multiply-adds of ``U (diag(s) (Vt V))`` evaluated step by step."""
    c = OpCount()
    T = c.matmul(p.Vt, p.V)
    T = T * p.s[:, None]
    c.multiply_adds += T.size  # scaling the k rows by the singular values
    c.matmul(p.U, T)
    return c.multiply_adds


class ProjectionInstance(NamedTuple):
    Q: np.ndarray
    K: np.ndarray
    V: np.ndarray
    sizes: tuple  #: (n, k, d)
    seed: int

    def readable(self) -> dict:
        return {"n_k_d": list(self.sizes), "seed": self.seed}


def projection_instance(n: int, k: int, d: int, seed: int) -> ProjectionInstance:
    """``Q, K, V`` with ``rank(Q K^T) <= k``: ``Q`` factors through ``k`` dimensions."""
    rng = np.random.default_rng(seed)
    Q = rng.normal(size=(n, k)) @ rng.normal(size=(k, d))
    return ProjectionInstance(Q, rng.normal(size=(n, d)), rng.normal(size=(n, d)), (n, k, d), seed)
