"""Is the correlation matrix worth factoring? Kaiser-Meyer-Olkin and Bartlett."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from psychometrics._matrix import pairwise_moments, single_threaded_blas
from psychometrics._validate import DEFAULT_SCALE, check_items, check_nonsingular

__all__ = ["BartlettResult", "KMOResult", "bartlett", "kmo"]


@dataclass(frozen=True)
class KMOResult:
    """Kaiser-Meyer-Olkin measure of sampling adequacy.

    Attributes
    ----------
    overall : float
        KMO of the whole matrix.
    per_item : Series
        Measure of sampling adequacy (MSA) of each item.
    """

    overall: float
    per_item: pd.Series


@dataclass(frozen=True)
class BartlettResult:
    """Bartlett's test that the population correlation matrix is the identity.

    Attributes
    ----------
    chi2 : float
        Test statistic.
    dof : int
        ``k (k - 1) / 2``.
    pvalue : float
        Upper-tail chi-square probability.
    n : int
        Respondents used.
    """

    chi2: float
    dof: int
    pvalue: float
    n: int


@single_threaded_blas
def kmo(items: pd.DataFrame, *, scale: tuple[float, float] | None = DEFAULT_SCALE) -> KMOResult:
    """Kaiser-Meyer-Olkin measure of sampling adequacy.

    Parameters
    ----------
    items : DataFrame
        Wide responses: rows are respondents, columns are items, NaN for missing.
    scale : (float, float) or None
        Valid response range.

    Returns
    -------
    KMOResult

    Notes
    -----
    With ``r_ij`` the (pairwise-complete) correlations and
    ``a_ij = -(R^-1)_ij / sqrt((R^-1)_ii (R^-1)_jj)`` the partial correlations
    (anti-image correlations) of each pair given all other items,

    .. math::

        MSA_j = \\frac{\\sum_{i \\ne j} r_{ij}^2}
                      {\\sum_{i \\ne j} r_{ij}^2 + \\sum_{i \\ne j} a_{ij}^2}, \\qquad
        KMO = \\frac{\\sum_{i \\ne j} r_{ij}^2}
                    {\\sum_{i \\ne j} r_{ij}^2 + \\sum_{i \\ne j} a_{ij}^2}

    with the overall sums over all pairs. Kaiser (1974) calls values in the .90s
    marvelous, .80s meritorious, .70s middling, .60s mediocre, .50s miserable and
    below .50 unacceptable.

    References
    ----------
    Kaiser, H. F. (1970). A second generation little jiffy. *Psychometrika*,
    35(4), 401-415.

    Kaiser, H. F., & Rice, J. (1974). Little jiffy, mark IV. *Educational and
    Psychological Measurement*, 34(1), 111-117.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import psychometrics as pm
    >>> rng = np.random.default_rng(3)
    >>> f = rng.standard_normal((300, 1))
    >>> raw = f * 0.8 + rng.standard_normal((300, 5)) * 0.6
    >>> items = pd.DataFrame(np.clip(np.round(raw + 3), 1, 5), columns=list("abcde"))
    >>> round(pm.kmo(items).overall, 2)
    0.89
    """
    data = check_items(items, scale=scale)
    r = pairwise_moments(data).corr
    check_nonsingular(r, data.names, n=data.n_respondents)
    inv = np.linalg.inv(r)
    d = np.sqrt(np.diag(inv))
    partial = -inv / np.outer(d, d)
    off = ~np.eye(data.k, dtype=bool)
    r2 = np.where(off, r * r, 0.0)
    a2 = np.where(off, partial * partial, 0.0)
    per_item = r2.sum(axis=0) / (r2.sum(axis=0) + a2.sum(axis=0))
    overall = float(r2.sum() / (r2.sum() + a2.sum()))
    return KMOResult(
        overall=overall,
        per_item=pd.Series(per_item, index=pd.Index(data.names, name="item"), name="msa"),
    )


@single_threaded_blas
def bartlett(
    items: pd.DataFrame, *, scale: tuple[float, float] | None = DEFAULT_SCALE
) -> BartlettResult:
    """Bartlett's (1951) test of sphericity.

    Parameters
    ----------
    items : DataFrame
        Wide responses: rows are respondents, columns are items, NaN for missing.
    scale : (float, float) or None
        Valid response range.

    Returns
    -------
    BartlettResult

    Notes
    -----
    For ``n`` respondents, ``k`` items and correlation matrix ``R``,

    .. math::

        \\chi^2 = -\\Big(n - 1 - \\frac{2k + 5}{6}\\Big) \\ln\\lvert R\\rvert,
        \\qquad df = \\frac{k(k-1)}{2}.

    ``n`` counts every respondent with at least one answer (``R`` is
    pairwise-complete), as ``psych::cortest.bartlett`` counts rows.

    References
    ----------
    Bartlett, M. S. (1951). The effect of standardization on a chi-square
    approximation in factor analysis. *Biometrika*, 38(3/4), 337-344.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import psychometrics as pm
    >>> rng = np.random.default_rng(3)
    >>> f = rng.standard_normal((300, 1))
    >>> raw = f * 0.8 + rng.standard_normal((300, 5)) * 0.6
    >>> items = pd.DataFrame(np.clip(np.round(raw + 3), 1, 5), columns=list("abcde"))
    >>> res = pm.bartlett(items)
    >>> res.dof, res.pvalue < 0.001
    (10, True)
    """
    data = check_items(items, scale=scale)
    r = pairwise_moments(data).corr
    check_nonsingular(r, data.names, n=data.n_respondents)
    n, k = data.n_respondents, data.k
    _, logdet = np.linalg.slogdet(r)
    chi2 = float(-(n - 1 - (2 * k + 5) / 6) * logdet)
    dof = k * (k - 1) // 2
    return BartlettResult(chi2=chi2, dof=dof, pvalue=float(stats.chi2.sf(chi2, dof)), n=n)
