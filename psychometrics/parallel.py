"""Horn's parallel analysis for the number of factors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from psychometrics._matrix import pairwise_moments, single_threaded_blas
from psychometrics._validate import (
    DEFAULT_SCALE,
    check_choice,
    check_items,
    check_nonsingular,
    check_probability,
)

__all__ = ["ParallelResult", "parallel_analysis", "random_correlations"]

Array = NDArray[np.float64]
KINDS = ("pca", "fa")


@dataclass(frozen=True)
class ParallelResult:
    """Result of :func:`parallel_analysis`.

    Attributes
    ----------
    n_factors : int
        Number of leading observed eigenvalues that exceed the random ``quantile``
        (counting stops at the first that does not).
    table : DataFrame
        Indexed 1..k: ``observed`` eigenvalue, ``random_mean`` and
        ``random_quantile`` of the random eigenvalues, and ``retain``.
    kind : str
        ``"pca"`` (eigenvalues of R) or ``"fa"`` (of R with squared multiple
        correlations on the diagonal).
    n_iter : int
    quantile : float
    n : int
        Respondents the random data sets were the size of.
    """

    n_factors: int
    table: pd.DataFrame
    kind: str
    n_iter: int
    quantile: float
    n: int


def random_correlations(n: int, k: int, n_iter: int, rng: np.random.Generator) -> Array:
    """Correlation matrices of ``n_iter`` samples of ``n`` iid N(0, I_k) rows.

    Drawn without generating the data: the scatter matrix of ``n`` normal rows is
    Wishart(n - 1, I), drawn by the Bartlett decomposition ``W = A A'`` with ``A``
    lower triangular, ``A_ii ~ sqrt(chi2(n - i))`` (i = 1..k) and ``A_ij ~ N(0, 1)``
    below the diagonal; scaling ``W`` to unit diagonal gives a correlation matrix
    with exactly the distribution of the sample correlation matrix.
    """
    a = np.tril(rng.standard_normal((n_iter, k, k)), k=-1)
    dof = (n - 1) - np.arange(k)
    idx = np.arange(k)
    a[:, idx, idx] = np.sqrt(rng.chisquare(dof, size=(n_iter, k)))
    w = a @ np.swapaxes(a, 1, 2)
    d = 1.0 / np.sqrt(np.einsum("bii->bi", w))
    return w * d[:, :, None] * d[:, None, :]


def _eigenvalues(r: Array, kind: str) -> Array:
    if kind == "fa":
        r = r.copy()
        inv_diag = np.einsum("...ii->...i", np.linalg.inv(r))
        k = r.shape[-1]
        r[..., np.arange(k), np.arange(k)] = 1.0 - 1.0 / inv_diag
    return np.asarray(np.linalg.eigvalsh(r)[..., ::-1], dtype=np.float64)


@single_threaded_blas
def parallel_analysis(
    items: pd.DataFrame,
    n_iter: int = 100,
    quantile: float = 0.95,
    seed: int | np.random.Generator | None = None,
    *,
    kind: str = "pca",
    scale: tuple[float, float] | None = DEFAULT_SCALE,
) -> ParallelResult:
    """Parallel analysis (Horn 1965): how many factors stand out from noise?

    Parameters
    ----------
    items : DataFrame
        Wide responses: rows are respondents, columns are items, NaN for missing.
    n_iter : int
        Number of random data sets.
    quantile : float
        Quantile of the random eigenvalues an observed eigenvalue must exceed
        (0.95 as recommended by Glorfeld 1995; 0.5 is close to Horn's mean).
    seed : int, Generator or None
        Seed for reproducible random eigenvalues.
    kind : {"pca", "fa"}
        ``"pca"`` compares eigenvalues of the correlation matrix (Horn's original,
        ``psych::fa.parallel``'s component test, SPSS syntax of O'Connor 2000 with
        principal components); ``"fa"`` compares eigenvalues of the reduced
        correlation matrix with squared multiple correlations on the diagonal
        (O'Connor's principal-axis variant, ``fa.parallel(SMC = TRUE)``).
        psych's default factor test instead puts the communalities of a
        one-factor fit on the diagonal.
    scale : (float, float) or None
        Valid response range.

    Returns
    -------
    ParallelResult

    Notes
    -----
    The observed eigenvalues come from the pairwise-complete correlation matrix.
    Each random data set has as many normal rows as there are respondents
    (``n``) and as many columns as items. Only the correlation matrices of the
    random data are needed, so they are drawn directly from their sampling
    distribution (see :func:`random_correlations`): the Wishart scatter matrix by
    the Bartlett decomposition, O(k^2) per data set instead of O(n k^2) for
    generating the data, with the same distribution. The number of factors is
    the count of leading observed eigenvalues above the random ``quantile``.

    References
    ----------
    Horn, J. L. (1965). A rationale and test for the number of factors in factor
    analysis. *Psychometrika*, 30(2), 179-185.

    Glorfeld, L. W. (1995). An improvement on Horn's parallel analysis
    methodology. *Educational and Psychological Measurement*, 55(3), 377-393.

    O'Connor, B. P. (2000). SPSS and SAS programs for determining the number of
    components using parallel analysis and Velicer's MAP test. *Behavior Research
    Methods, Instruments, & Computers*, 32(3), 396-402.

    Bartlett, M. S. (1933). On the theory of statistical regression. *Proceedings
    of the Royal Society of Edinburgh*, 53, 260-283.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import psychometrics as pm
    >>> rng = np.random.default_rng(5)
    >>> f = rng.standard_normal((500, 2))
    >>> raw = np.repeat(f, 3, axis=1) * 0.8 + rng.standard_normal((500, 6)) * 0.6
    >>> items = pd.DataFrame(np.clip(np.round(raw + 3), 1, 5),
    ...                      columns=[f"q{i}" for i in range(1, 7)])
    >>> pm.parallel_analysis(items, seed=1).n_factors
    2
    """
    if isinstance(n_iter, bool) or not isinstance(n_iter, int | np.integer) or n_iter < 1:
        raise ValueError(f"n_iter must be a positive integer, got {n_iter!r}")
    quantile = check_probability("quantile", quantile)
    check_choice("kind", kind, KINDS)
    data = check_items(items, scale=scale)
    r = pairwise_moments(data).corr
    check_nonsingular(r, data.names, n=data.n_respondents)
    n, k = data.n_respondents, data.k
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    observed = _eigenvalues(r, kind)
    random = _eigenvalues(random_correlations(n, k, int(n_iter), rng), kind)
    threshold = np.quantile(random, quantile, axis=0)
    above = observed > threshold
    n_factors = int(k if above.all() else np.argmin(above))
    table = pd.DataFrame(
        {
            "observed": observed,
            "random_mean": random.mean(axis=0),
            "random_quantile": threshold,
            "retain": np.arange(k) < n_factors,
        },
        index=pd.RangeIndex(1, k + 1, name="factor"),
    )
    return ParallelResult(n_factors, table, kind, int(n_iter), quantile, n)
