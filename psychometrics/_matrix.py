"""Pairwise-complete moments and small matrix helpers.

Everything downstream (alpha, item analysis, KMO, factor analysis) works on k x k
matrices, so the only pass over the n x k responses is here. With missing data
the pairwise sums come from four masked matrix products (X0 = data with NaN set to
0 after centring, M = 1 where observed):

    n_ij   = (M'M)_ij             respondents answering both i and j
    s_i|j  = (X0'M)_ij            sum of item i over those respondents
    q_i|j  = ((X0*X0)'M)_ij       sum of squares of item i over them
    p_ij   = (X0'X0)_ij           sum of cross-products

so that, with means taken over the pairwise-complete respondents (as pandas'
``DataFrame.cov``/``corr`` and R's ``cor(use = "pairwise")`` do),

    cov_ij = (p_ij - s_i|j s_j|i / n_ij) / (n_ij - 1)
    r_ij   = cov_ij / sqrt(var_i|j var_j|i),  var_i|j = (q_i|j - s_i|j^2 / n_ij) / (n_ij - 1).

Columns are centred on their overall means first, which leaves every formula
unchanged (they are shift invariant) and keeps the sums small.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

import numpy as np
from numpy.typing import NDArray
from threadpoolctl import threadpool_limits

from psychometrics._validate import ItemData

__all__ = ["Moments", "pairwise_moments", "single_threaded_blas", "smc"]

Array = NDArray[np.float64]
P = ParamSpec("P")
R = TypeVar("R")


def single_threaded_blas(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` with BLAS limited to one thread.

    The work here is one n x k matrix product and many small k x k decompositions.
    A multi-threaded BLAS gains little on either, and on a busy machine its threads
    wait for each other: measured on the 2-core build machine under load, the
    100,000 x 40 cross-product took a median of 1.2 s with two OpenBLAS threads and
    23 ms with one.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with threadpool_limits(limits=1, user_api="blas"):
            return func(*args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class Moments:
    """Pairwise-complete moments of k items.

    ``cov`` and ``corr`` are k x k; ``counts`` holds the pairwise n; ``means`` and
    ``variances`` use every answer to each item.
    """

    counts: Array
    cov: Array
    corr: Array
    means: Array
    variances: Array
    complete: bool


def pairwise_moments(data: ItemData) -> Moments:
    """Pairwise-complete covariance and correlation matrices of ``data``.

    Raises
    ------
    ValueError
        If two items are answered together by fewer than three respondents, or an
        item has no variance among the respondents who answered another item.
    """
    x = data.values
    mask = ~np.isnan(x)
    complete = bool(mask.all())
    n_item = mask.sum(axis=0).astype(np.float64)
    means = np.nansum(x, axis=0) / n_item

    if complete:
        xc = x - means
        n = float(x.shape[0])
        cross = xc.T @ xc
        cov = cross / (n - 1.0)
        variances = np.diag(cov).copy()
        sd = np.sqrt(variances)
        corr = cov / np.outer(sd, sd)
        np.fill_diagonal(corr, 1.0)
        counts = np.full_like(cov, n)
        return Moments(counts, cov, corr, means, variances, True)

    x0 = np.where(mask, x - means, 0.0)
    m = mask.astype(np.float64)
    counts = m.T @ m
    short = counts < 3
    if short.any():
        i, j = np.argwhere(short)[0]
        raise ValueError(
            f"items {data.names[i]!r} and {data.names[j]!r} are answered together by "
            f"{int(counts[i, j])} respondent(s); pairwise statistics need at least 3"
        )
    sums = x0.T @ m  # sums[i, j] = sum of item i where j is observed
    squares = (x0 * x0).T @ m
    cross = x0.T @ x0
    cov = (cross - sums * sums.T / counts) / (counts - 1.0)
    var_ij = (squares - sums * sums / counts) / (counts - 1.0)
    flat = var_ij <= 0
    if flat.any():
        i, j = np.argwhere(flat)[0]
        raise ValueError(
            f"item {data.names[i]!r} is constant among the respondents who also answered "
            f"{data.names[j]!r}, so their correlation is undefined"
        )
    denom = var_ij * var_ij.T
    corr = cov / np.sqrt(denom)
    np.fill_diagonal(corr, 1.0)
    variances = np.diag(cov).copy()
    return Moments(counts, cov, corr, means, variances, False)


def smc(corr: Array) -> Array:
    """Squared multiple correlation of each variable with all the others.

    ``smc_i = 1 - 1 / (R^-1)_ii`` (Guttman 1940), the usual first estimate of the
    communalities; ``corr`` must be nonsingular.
    """
    inv = np.linalg.inv(corr)
    return 1.0 - 1.0 / np.diag(inv)
