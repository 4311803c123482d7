"""Internal consistency: Cronbach's alpha, item analysis and McDonald's omega."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from psychometrics._matrix import pairwise_moments, single_threaded_blas
from psychometrics._validate import (
    DEFAULT_SCALE,
    NAN_POLICIES,
    ItemData,
    check_choice,
    check_items,
    check_n_factors,
    check_nonsingular,
    check_probability,
)

__all__ = ["AlphaResult", "OmegaResult", "cronbach_alpha", "item_analysis", "omega"]

Array = NDArray[np.float64]


@dataclass(frozen=True)
class AlphaResult:
    """Cronbach's alpha with its Feldt confidence interval.

    Attributes
    ----------
    alpha : float
        Raw (covariance-based) alpha.
    standardized_alpha : float
        Alpha of the standardized items, from the mean inter-item correlation.
    ci_low, ci_high : float
        Feldt (1965) confidence interval at level ``ci``.
    ci : float
        Confidence level of the interval.
    n : int
        Respondents used (with ``"pairwise"``: everyone with at least one answer).
    k : int
        Number of items.
    """

    alpha: float
    standardized_alpha: float
    ci_low: float
    ci_high: float
    ci: float
    n: int
    k: int


def _alpha_from_cov(cov: Array) -> float:
    k = cov.shape[0]
    total = cov.sum()
    if total <= 0:
        raise ValueError(
            f"the variance of the total score is {total:.3g} (not positive): the items "
            f"cancel each other out; recode reverse-keyed items before computing alpha"
        )
    return float(k / (k - 1) * (1.0 - np.trace(cov) / total))


def _standardized_alpha(corr: Array) -> float:
    k = corr.shape[0]
    mean_r = (corr.sum() - k) / (k * (k - 1))
    return float(k * mean_r / (1.0 + (k - 1) * mean_r))


def feldt_interval(alpha: float, n: int, k: int, ci: float) -> tuple[float, float]:
    """Feldt (1965) interval: ``1 - (1 - alpha) F`` with F on (n - 1, (n - 1)(k - 1)) df."""
    df1 = n - 1
    df2 = df1 * (k - 1)
    tail = (1.0 - ci) / 2.0
    low = 1.0 - (1.0 - alpha) * stats.f.isf(tail, df1, df2)
    high = 1.0 - (1.0 - alpha) * stats.f.isf(1.0 - tail, df1, df2)
    return float(low), float(high)


def _listwise(data: ItemData) -> ItemData:
    keep = ~np.isnan(data.values).any(axis=1)
    values = data.values[keep]
    if values.shape[0] < 3:
        raise ValueError(
            f"nan_policy='listwise' leaves {values.shape[0]} complete respondent(s); at "
            f"least 3 are needed. Use nan_policy='pairwise'"
        )
    if (np.ptp(values, axis=0) == 0).any():
        flat = [data.names[j] for j in np.flatnonzero(np.ptp(values, axis=0) == 0)]
        raise ValueError(
            f"after listwise deletion item(s) {', '.join(map(repr, flat))} are constant; "
            f"use nan_policy='pairwise'"
        )
    return ItemData(data.names, values, values.shape[0], data.scale)


@single_threaded_blas
def cronbach_alpha(
    items: pd.DataFrame,
    ci: float = 0.95,
    nan_policy: str = "pairwise",
    *,
    scale: tuple[float, float] | None = DEFAULT_SCALE,
) -> AlphaResult:
    """Cronbach's alpha of a set of items.

    Parameters
    ----------
    items : DataFrame
        Wide responses: rows are respondents, columns are items, NaN for missing.
        Reverse-keyed items must already be recoded.
    ci : float
        Confidence level of the Feldt interval.
    nan_policy : {"pairwise", "listwise"}
        ``"pairwise"`` uses every answer (pairwise-complete covariances, as
        ``psych::alpha(use = "pairwise")`` and pingouin); ``"listwise"`` drops
        respondents with any missing answer first.
    scale : (float, float) or None
        Valid response range; values outside raise ``ValueError``.

    Returns
    -------
    AlphaResult

    Notes
    -----
    With ``C`` the k x k covariance matrix and ``rbar`` the mean inter-item
    correlation,

    .. math::

        \\alpha = \\frac{k}{k-1}\\Big(1 - \\frac{\\operatorname{tr} C}{1'C1}\\Big),
        \\qquad \\alpha_{std} = \\frac{k \\bar r}{1 + (k-1)\\bar r}

    and the Feldt interval is ``1 - (1 - alpha) F_{q}(n - 1, (n - 1)(k - 1))``
    at the upper and lower ``(1 - ci)/2`` quantiles. With pairwise deletion ``n``
    counts every respondent with at least one answer.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    *Psychometrika*, 16(3), 297-334.

    Feldt, L. S. (1965). The approximate sampling distribution of Kuder-Richardson
    reliability coefficient twenty. *Psychometrika*, 30(3), 357-370.

    Examples
    --------
    >>> import pandas as pd
    >>> import psychometrics as pm
    >>> items = pd.DataFrame({"q1": [1, 2, 3, 4, 5, 3], "q2": [2, 2, 3, 5, 5, 3],
    ...                       "q3": [1, 3, 3, 4, 4, 2]})
    >>> res = pm.cronbach_alpha(items)
    >>> round(res.alpha, 3), res.n, res.k
    (0.946, 6, 3)
    """
    ci = check_probability("ci", ci)
    check_choice("nan_policy", nan_policy, NAN_POLICIES)
    data = check_items(items, scale=scale)
    if nan_policy == "listwise":
        data = _listwise(data)
    moments = pairwise_moments(data)
    alpha = _alpha_from_cov(moments.cov)
    low, high = feldt_interval(alpha, data.n_respondents, data.k, ci)
    return AlphaResult(
        alpha=alpha,
        standardized_alpha=_standardized_alpha(moments.corr),
        ci_low=low,
        ci_high=high,
        ci=ci,
        n=data.n_respondents,
        k=data.k,
    )


@single_threaded_blas
def item_analysis(
    items: pd.DataFrame, *, scale: tuple[float, float] | None = DEFAULT_SCALE
) -> pd.DataFrame:
    """Classical item statistics, one row per item.

    Parameters
    ----------
    items : DataFrame
        Wide responses: rows are respondents, columns are items, NaN for missing.
        Reverse-keyed items must already be recoded.
    scale : (float, float) or None
        Valid response range. Floor and ceiling are the shares of answers at its
        ends; with ``scale=None`` they use the lowest and highest value observed
        across all items.

    Returns
    -------
    DataFrame
        Indexed by item, with columns ``n`` (answers), ``mean``, ``sd``
        (n - 1 denominator), ``pct_missing``, ``floor_pct``, ``ceiling_pct``
        (percent of answers at the scale ends), ``item_rest_r`` (corrected
        item-total correlation) and ``alpha_if_deleted``.

    Notes
    -----
    Both item statistics come from the pairwise-complete covariance matrix ``C``
    (so they equal ``psych::alpha``'s ``r.drop`` and ``alpha.drop`` on complete
    data). For item ``i`` with ``c_i = sum_j C_ij``:

    .. math::

        r_{i,rest} = \\frac{c_i - C_{ii}}
                      {\\sqrt{C_{ii}\\,(1'C1 - 2c_i + C_{ii})}}, \\qquad
        \\alpha_{-i} = \\frac{k-1}{k-2}\\Big(1 - \\frac{\\operatorname{tr}C - C_{ii}}
                                            {1'C1 - 2c_i + C_{ii}}\\Big).

    ``alpha_if_deleted`` is NaN when only two items are given (alpha of a single
    item is undefined).

    References
    ----------
    Nunnally, J. C., & Bernstein, I. H. (1994). *Psychometric theory* (3rd ed.).
    McGraw-Hill, ch. 8.

    Examples
    --------
    >>> import pandas as pd
    >>> import psychometrics as pm
    >>> items = pd.DataFrame({"q1": [1, 2, 3, 4, 5, 3], "q2": [2, 2, 3, 5, 5, 3],
    ...                       "q3": [1, 3, 3, 4, 4, 2]})
    >>> table = pm.item_analysis(items)
    >>> table[["item_rest_r", "alpha_if_deleted"]].round(3)  # doctest: +NORMALIZE_WHITESPACE
          item_rest_r  alpha_if_deleted
    item
    q1          0.942             0.879
    q2          0.904             0.908
    q3          0.835             0.964
    """
    data = check_items(items, scale=scale)
    x = data.values
    observed = ~np.isnan(x)
    n_answers = observed.sum(axis=0)
    moments = pairwise_moments(data)
    cov = moments.cov
    k = data.k
    total = cov.sum()
    row = cov.sum(axis=1)
    var = np.diag(cov)
    rest_var = total - 2.0 * row + var
    if (rest_var <= 0).any():
        bad = [data.names[j] for j in np.flatnonzero(rest_var <= 0)]
        raise ValueError(
            f"the rest score without {', '.join(map(repr, bad))} has no positive variance "
            f"in the pairwise covariance matrix; with this much missing data the pairwise "
            f"covariances are inconsistent"
        )
    item_rest = (row - var) / np.sqrt(var * rest_var)
    if k > 2:
        alpha_drop = (k - 1) / (k - 2) * (1.0 - (np.trace(cov) - var) / rest_var)
    else:
        alpha_drop = np.full(k, np.nan)
    if data.scale is not None:
        lo, hi = data.scale
    else:
        lo, hi = float(np.nanmin(x)), float(np.nanmax(x))
    floor = (x == lo).sum(axis=0) / n_answers * 100.0
    ceiling = (x == hi).sum(axis=0) / n_answers * 100.0
    return pd.DataFrame(
        {
            "n": n_answers.astype(np.int64),
            "mean": moments.means,
            "sd": np.sqrt(var),
            "pct_missing": (1.0 - n_answers / x.shape[0]) * 100.0,
            "floor_pct": floor,
            "ceiling_pct": ceiling,
            "item_rest_r": item_rest,
            "alpha_if_deleted": alpha_drop,
        },
        index=pd.Index(data.names, name="item"),
    )


@dataclass(frozen=True)
class OmegaResult:
    """McDonald's omega.

    Attributes
    ----------
    omega_total : float
        Share of the variance of the unit-weighted total explained by all common
        factors.
    omega_hierarchical : float
        Share explained by the general factor alone (Schmid-Leiman), or by the
        single factor when ``n_factors == 1``.
    n_factors : int
        Group factors in the model.
    general_loadings : Series
        Loadings on the general (or single) factor, after items with negative
        loadings have been reversed.
    reversed_items : tuple of str
        Items reversed because their general-factor loading was negative.
    n, k : int
        Respondents and items.
    converged : bool
        Whether the factor extraction and rotation converged.
    warnings : tuple of str
        Non-convergence or Heywood notes.
    """

    omega_total: float
    omega_hierarchical: float
    n_factors: int
    general_loadings: pd.Series
    reversed_items: tuple[str, ...]
    n: int
    k: int
    converged: bool
    warnings: tuple[str, ...]


@single_threaded_blas
def omega(
    items: pd.DataFrame,
    n_factors: int = 1,
    *,
    method: str = "minres",
    scale: tuple[float, float] | None = DEFAULT_SCALE,
) -> OmegaResult:
    """McDonald's omega total and hierarchical, as ``psych::omega``.

    Parameters
    ----------
    items : DataFrame
        Wide responses: rows are respondents, columns are items, NaN for missing.
    n_factors : int
        1 (default) fits a one-factor model and gives omega total; more fits
        ``n_factors`` group factors, rotates them by oblimin and extracts a general
        factor from their correlations (Schmid & Leiman 1957) for omega
        hierarchical. Two group factors are identified by giving them equal
        general loadings, as psych's default ``option = "equal"``; three or more
        are recommended.
    method : {"minres", "ml", "paf"}
        Factor extraction method (psych's default is minres).
    scale : (float, float) or None
        Valid response range.

    Returns
    -------
    OmegaResult

    Notes
    -----
    The model is fitted to the pairwise-complete correlation matrix ``R``. With
    ``V_t = 1'R1`` the variance of the total of standardized items, ``u_i^2`` the
    uniquenesses and ``g_i`` the general loadings,

    .. math::

        \\omega_t = 1 - \\frac{\\sum_i u_i^2}{V_t}, \\qquad
        \\omega_h = \\frac{(\\sum_i g_i)^2}{V_t}.

    For a one-factor model that fits exactly, ``V_t = (sum lambda)^2 + sum u^2``
    and omega total is McDonald's ``(sum lambda)^2 / ((sum lambda)^2 + sum u^2)``.
    Items with a negative general loading are reversed first (psych's
    ``flip = TRUE``). For ``n_factors > 2`` the general loadings are the first
    factor of the factor correlations, extracted by ``method``; the Schmid-Leiman
    general loadings are ``F g`` for the oblique pattern ``F``.

    References
    ----------
    McDonald, R. P. (1999). *Test theory: A unified treatment*. Erlbaum.

    Schmid, J., & Leiman, J. M. (1957). The development of hierarchical factor
    solutions. *Psychometrika*, 22(1), 53-61.

    Zinbarg, R. E., Revelle, W., Yovel, I., & Li, W. (2005). Cronbach's alpha,
    Revelle's beta, and McDonald's omega_h. *Psychometrika*, 70(1), 123-133.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import psychometrics as pm
    >>> rng = np.random.default_rng(7)
    >>> f = rng.standard_normal((400, 1))
    >>> raw = f * np.array([0.8, 0.7, 0.6, 0.7]) + rng.standard_normal((400, 4)) * 0.6
    >>> items = pd.DataFrame(np.clip(np.round(raw + 3), 1, 5), columns=list("abcd"))
    >>> round(pm.omega(items).omega_total, 2)
    0.81
    """
    from psychometrics._omega import omega_from_corr

    data = check_items(items, scale=scale, min_items=3)
    n_factors = check_n_factors(n_factors, data.k)
    check_choice("method", method, ("minres", "ml", "paf"))
    moments = pairwise_moments(data)
    check_nonsingular(moments.corr, data.names, n=data.n_respondents)
    return omega_from_corr(moments.corr, data.names, n_factors, method, data.n_respondents)
