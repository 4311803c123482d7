"""Trends across survey windows: change from the previous window and runs of poor results.

:func:`trend` compares each placement's score with its score in the previous
window; :func:`poor_streaks` counts consecutive windows in which a benchmarked
placement was poor. Both take the tables of :func:`psychometrics.score_placements`
and :func:`psychometrics.benchmark` and work on whole tables at once.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from psychometrics.scoring import _ordered_levels

__all__ = ["POOR_CATEGORIES", "poor_streaks", "trend"]

#: Benchmark categories counted as "poor" by default: outside the lower 95 %
#: funnel limit, or in the bottom quartile under the GMC rule (red or pink).
POOR_CATEGORIES = ("below_95", "below_99.8", "red", "pink")


def _window_order(
    frame: pd.DataFrame, window: Hashable, windows: Sequence[Hashable] | None
) -> pd.Index:
    """Windows oldest first: ``windows`` as given, else the sorted labels."""
    return _ordered_levels(frame[window], windows, "windows")


def _series_keys(
    frame: pd.DataFrame, placement: Hashable, window: Hashable, group: Hashable | None
) -> list[Hashable]:
    keys = [placement] + ([group] if group is not None else []) + ["scale"]
    needed = [*keys, window]
    absent = [c for c in needed if c not in frame.columns]
    if absent:
        raise ValueError(f"table lacks column(s) {absent}; columns are {list(frame.columns)}")
    dup = frame.duplicated(subset=[*keys, window], keep=False)
    if dup.any():
        example = frame.loc[dup, [*keys, window]].head(2).to_dict("records")
        hint = "" if group is not None else "; with learner-group rows pass group=<column>"
        raise ValueError(f"more than one row per {[*keys, window]}, e.g. {example}{hint}")
    return keys


def trend(
    scores: pd.DataFrame,
    *,
    windows: Sequence[Hashable] | None = None,
    placement: Hashable = "placement",
    window: Hashable = "window",
    group: Hashable | None = None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Change in score from the previous window, with a confidence interval.

    Parameters
    ----------
    scores : pandas.DataFrame
        Table from :func:`psychometrics.score_placements` (or
        :func:`psychometrics.benchmark`), covering several windows.
    windows : sequence, optional
        Windows oldest first; default the sorted window labels. The previous
        window of ``w`` is the one before it in this order, whether or not the
        placement has a result there.
    placement, window : column name
    group : column name, optional
        Learner-group column, if the table has group rows.
    ci : float, default 0.95
        Confidence level of the interval for the change.

    Returns
    -------
    pandas.DataFrame
        One row per placement [x group] x scale x window after the first:
        ``placement``, [``group``], ``scale``, ``window``, ``previous_window``,
        ``n``, ``previous_n``, ``score``, ``previous_score``, ``change``,
        ``change_ci_low``, ``change_ci_high``, ``significant_fall``,
        ``significant_rise`` (bool) and ``trend_status``: ``"ok"``, or
        ``"not comparable"`` when either window's row is missing, not
        ``"ok"``, or has fewer than two respondents (its numbers are then NaN and
        both flags False).

    Notes
    -----
    The two windows are treated as independent samples (different learners
    rotate through a placement; a learner answering twice would make the
    interval slightly conservative). With :math:`\\bar r_1, s_1, n_1`
    (previous) and :math:`\\bar r_2, s_2, n_2` (current):
    change :math:`= \\bar r_2 - \\bar r_1`, standard error
    :math:`\\sqrt{s_1^2/n_1 + s_2^2/n_2}`, and Welch-Satterthwaite degrees of
    freedom; the interval is change :math:`\\pm t_{(1+c)/2,\\,df}` SE. A
    significant fall is an interval wholly below zero. When both SDs are zero
    the interval has zero width.

    References
    ----------
    Welch BL. The generalization of "Student's" problem when several different
    population variances are involved. *Biometrika* 1947;34:28-35.

    Examples
    --------
    >>> import pandas as pd
    >>> scores = pd.DataFrame({
    ...     "placement": ["A", "A"], "window": ["2024", "2025"], "scale": "overall",
    ...     "n": pd.array([30, 25], dtype="Int64"), "score": [75.0, 60.0],
    ...     "sd": [15.0, 20.0], "status": "ok"})
    >>> t = trend(scores)
    >>> print(t[["window", "change", "change_ci_low", "change_ci_high"]].round(2).to_string())
      window  change  change_ci_low  change_ci_high
    0   2025   -15.0         -24.77           -5.23
    >>> bool(t.significant_fall[0])
    True
    """
    if not isinstance(scores, pd.DataFrame):
        raise ValueError(f"scores must be a DataFrame, got {type(scores).__name__}")
    if not 0 < ci < 1:
        raise ValueError(f"ci must be strictly between 0 and 1, got {ci!r}")
    keys = _series_keys(scores, placement, window, group)
    absent = [c for c in ("n", "score", "sd", "status") if c not in scores.columns]
    if absent:
        raise ValueError(f"scores lacks column(s) {absent}; pass the table from score_placements")
    order = _window_order(scores, window, windows)
    cols = [*keys, window, "n", "score", "sd", "status"]
    cur = scores[cols].copy()
    cur["_w"] = order.get_indexer(cur[window])
    series = cur[keys].drop_duplicates()
    grid = series.merge(pd.DataFrame({"_w": np.arange(1, len(order))}), how="cross")
    grid = grid.merge(cur.drop(columns=window), on=[*keys, "_w"], how="left")
    prev = cur.drop(columns=window).assign(_w=cur["_w"] + 1)
    prev = prev.rename(
        columns={"n": "previous_n", "score": "previous_score", "sd": "_sd0", "status": "_st0"}
    )
    out = grid.merge(prev, on=[*keys, "_w"], how="left")

    n1 = pd.to_numeric(out["previous_n"]).to_numpy(dtype=float, na_value=np.nan)
    n2 = pd.to_numeric(out["n"]).to_numpy(dtype=float, na_value=np.nan)
    y1, y2 = out["previous_score"].to_numpy(float), out["score"].to_numpy(float)
    v1 = out["_sd0"].to_numpy(float) ** 2 / n1
    v2 = out["sd"].to_numpy(float) ** 2 / n2
    comparable = (
        (out["status"] == "ok").to_numpy()
        & (out["_st0"] == "ok").to_numpy()
        & (n1 >= 2)
        & (n2 >= 2)
        & np.isfinite(v1 + v2)
    )
    se = np.sqrt(v1 + v2)
    with np.errstate(divide="ignore", invalid="ignore"):
        df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
        half = np.where(se > 0, stats.t.ppf((1 + ci) / 2, df) * se, 0.0)
    change = np.where(comparable, y2 - y1, np.nan)
    lo = np.where(comparable, change - half, np.nan)
    hi = np.where(comparable, change + half, np.nan)
    out["window"] = order.to_numpy()[out["_w"].to_numpy()]
    out["previous_window"] = order.to_numpy()[out["_w"].to_numpy() - 1]
    out["score"] = np.where(comparable, y2, np.nan)
    out["previous_score"] = np.where(comparable, y1, np.nan)
    out["n"] = pd.array(np.where(comparable, n2, np.nan), dtype="Int64")
    out["previous_n"] = pd.array(np.where(comparable, n1, np.nan), dtype="Int64")
    out["change"], out["change_ci_low"], out["change_ci_high"] = change, lo, hi
    out["significant_fall"] = comparable & (hi < 0)
    out["significant_rise"] = comparable & (lo > 0)
    out["trend_status"] = np.where(comparable, "ok", "not comparable").astype(object)
    out = out.rename(columns={"window": window}) if window != "window" else out
    out = out.sort_values([*keys[:-1], "_w"], kind="stable")
    columns = [
        *keys,
        window,
        "previous_window",
        "n",
        "previous_n",
        "score",
        "previous_score",
        "change",
        "change_ci_low",
        "change_ci_high",
        "significant_fall",
        "significant_rise",
        "trend_status",
    ]
    return out[columns].reset_index(drop=True)


def poor_streaks(
    benchmarked: pd.DataFrame,
    *,
    windows: Sequence[Hashable] | None = None,
    placement: Hashable = "placement",
    window: Hashable = "window",
    group: Hashable | None = None,
    poor: Collection[str] = POOR_CATEGORIES,
) -> pd.DataFrame:
    """Count consecutive windows in which each placement was poor.

    Parameters
    ----------
    benchmarked : pandas.DataFrame
        Table from :func:`psychometrics.benchmark` covering several windows.
    windows : sequence, optional
        Windows oldest first; default the sorted window labels.
    placement, window, group : column name
    poor : collection of str
        Categories that count as poor; default :data:`POOR_CATEGORIES`
        (``below_95``, ``below_99.8``, ``red``, ``pink``).

    Returns
    -------
    pandas.DataFrame
        The rows of ``benchmarked`` plus ``poor`` (bool) and ``poor_run``: the
        number of consecutive windows, ending with this one, in which the
        placement (x group) x scale was poor. A window in which it was not
        poor, was not assessed (suppressed, no data, insufficient comparator) or
        has no row ends the run: a run needs evidence in every window.

    Examples
    --------
    >>> import pandas as pd
    >>> b = pd.DataFrame({"placement": "A", "scale": "overall",
    ...                   "window": ["2023", "2024", "2025", "2026"],
    ...                   "category": ["below_95", "below_95", "below_99.8", "within"]})
    >>> poor_streaks(b)["poor_run"].tolist()
    [1, 2, 3, 0]
    """
    if not isinstance(benchmarked, pd.DataFrame):
        raise ValueError(f"benchmarked must be a DataFrame, got {type(benchmarked).__name__}")
    if "category" not in benchmarked.columns:
        raise ValueError("benchmarked lacks the 'category' column; pass the table from benchmark()")
    keys = _series_keys(benchmarked, placement, window, group)
    order = _window_order(benchmarked, window, windows)
    out = benchmarked.copy()
    w = order.get_indexer(out[window])
    is_poor = out["category"].isin(list(poor)).to_numpy()
    sid = out.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
    idx = np.lexsort((w, sid))
    s_sorted, w_sorted, p_sorted = sid[idx], w[idx], is_poor[idx]
    # a run continues when the previous row is the same series, the window
    # just before, and poor; every other poor row starts a run
    pos = np.arange(len(idx))
    cont = np.zeros(len(idx), dtype=bool)
    cont[1:] = (s_sorted[1:] == s_sorted[:-1]) & (w_sorted[1:] == w_sorted[:-1] + 1) & p_sorted[:-1]
    starts = p_sorted & ~cont
    last_start = np.maximum.accumulate(np.where(starts, pos, -1)) if len(idx) else pos
    runs = np.where(p_sorted, pos - last_start + 1, 0)
    out["poor"] = is_poor
    result = np.empty(len(idx), dtype=np.int64)
    result[idx] = runs
    out["poor_run"] = result
    return out
