r"""Samplers and exact expectations for gradient estimators, from their definitions.

>>> import numpy as np
>>> c = gumbel_max_counts(np.log([0.25, 0.75]), np.random.default_rng(0), 100_000)
>>> bool(abs(c[1] / 1e5 - 0.75) < 0.01)
True
"""

from __future__ import annotations

import numpy as np

__all__ = ["gumbel_max_counts", "gaussian_expectation_poly"]


def gumbel_max_counts(logits, rng: np.random.Generator, N: int, chunk: int = 1_000_000) -> np.ndarray:
    r"""Counts of :math:`\arg\max_i(\ell_i + G_i)` over ``N`` draws, :math:`G_i` i.i.d. standard Gumbel.

    :math:`G = -\log E` with :math:`E` standard exponential, so
    :math:`\arg\max_i(\ell_i + G_i) = \arg\min_i E_i e^{-\ell_i}`: the same sampler without
    the logarithms (float32 exponentials, chunked).
    """
    logits = np.asarray(logits, dtype=float)
    w = np.exp(-(logits - logits.max())).astype(np.float32)
    k = logits.size
    counts = np.zeros(k, dtype=np.int64)
    for s in range(0, N, chunk):
        m = min(chunk, N - s)
        E = rng.standard_exponential((m, k), dtype=np.float32)
        counts += np.bincount(np.argmin(E * w, axis=1), minlength=k)
    return counts


def gaussian_expectation_poly(coeffs, mu, sigma):
    r""":math:`\mathbb E[f(\mu + \sigma\varepsilon)]` for a polynomial :math:`f = \sum_n c_nx^n`,
    from the Gaussian moments :math:`\mathbb E[\varepsilon^j] = (j-1)!!` (``j`` even). Works for
    complex ``mu``/``sigma`` (complex-step differentiable)."""
    from math import comb

    total = 0.0
    for n, c in enumerate(coeffs):
        for j in range(0, n + 1, 2):
            moment = float(np.prod(np.arange(j - 1, 0, -2))) if j else 1.0
            total = total + c * comb(n, j) * mu ** (n - j) * sigma**j * moment
    return total
