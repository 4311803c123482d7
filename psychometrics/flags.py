"""Adverse-learning-environment flags, each carrying the evidence behind it.

:func:`adverse_flags` applies five rules to a window's responses and benchmark
table and returns one row per flag. Thresholds come from
:class:`~psychometrics.flag_config.FlagConfig`, whose ``describe()`` gives the
rationale to show users. The risk and ISF modules consume these rows.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from psychometrics.flag_config import FlagConfig, SuppressionConfig
from psychometrics.scoring import ALL_GROUPS, _check_columns, _check_keys, _item_matrix
from psychometrics.trends import poor_streaks, trend

__all__ = ["FLAG_COLUMNS", "RULES", "FlagConfig", "SuppressionConfig", "adverse_flags"]

#: Rule ids, in the order flags are listed for a placement and window.
RULES = (
    "patient_safety_concern",
    "adverse_items",
    "funnel_low",
    "significant_fall",
    "three_poor_windows",
)
#: Columns of the flag table (``group`` is added after ``window`` when given).
FLAG_COLUMNS = (
    "placement",
    "window",
    "rule",
    "scale",
    "measure",
    "value",
    "limit",
    "ci_low",
    "ci_high",
    "n",
    "evidence",
)


def _concern_rule_id(column: Hashable) -> str:
    name = str(column)
    name = name.removeprefix("concern_")
    return f"{name}_concern"


def _concern_flags(
    responses: pd.DataFrame,
    columns: Sequence[Hashable],
    placement: Hashable,
    window: Hashable,
    cfg: FlagConfig,
) -> pd.DataFrame:
    frames = []
    for col in columns:
        raw = responses[col]
        if pd.api.types.is_bool_dtype(raw.dtype) or raw.dtype == object:
            values = raw.map({True: 1.0, False: 0.0})  # 1 == True, 0 == False
            if values.isna().sum() > raw.isna().sum():
                raise ValueError(f"concern column {col!r} must hold True/False (or 1/0, NaN)")
        elif pd.api.types.is_numeric_dtype(raw.dtype):
            values = raw.astype(float)
            if not values.dropna().isin([0.0, 1.0]).all():
                raise ValueError(f"concern column {col!r} must hold 1/0 (or True/False, NaN)")
        else:
            raise ValueError(f"concern column {col!r} has dtype {raw.dtype}; expected bool or 0/1")
        counts = values.fillna(0.0).groupby([responses[placement], responses[window]]).sum()
        counts = counts[counts >= cfg.concern_min]
        if counts.empty:
            continue
        idx = counts.index.to_frame(index=False)
        k = counts.to_numpy()
        frames.append(
            pd.DataFrame(
                {
                    "placement": idx.iloc[:, 0].to_numpy(),
                    "window": idx.iloc[:, 1].to_numpy(),
                    "rule": _concern_rule_id(col),
                    "scale": None,
                    "measure": f"concerns reported ({col})",
                    "value": k,
                    "limit": float(cfg.concern_min),
                    "n": pd.NA,
                    "evidence": [
                        f"{int(v)} concern(s) reported in the survey ({col}); pass to the "
                        "quality team to investigate"
                        for v in k
                    ],
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _adverse_item_flags(
    responses: pd.DataFrame,
    items: Sequence[Hashable],
    placement: Hashable,
    window: Hashable,
    cfg: FlagConfig,
) -> pd.DataFrame:
    x = _item_matrix(responses, items)
    answered = (~np.isnan(x)).any(axis=1)
    agreed = (x >= 4).any(axis=1)
    frame = pd.DataFrame(
        {
            "p": responses[placement].to_numpy(),
            "w": responses[window].to_numpy(),
            "a": answered,
            "k": agreed,
        }
    )
    g = frame[frame["a"]].groupby(["p", "w"], sort=True)["k"].agg(["size", "sum"]).reset_index()
    n = g["size"].to_numpy(float)
    k = g["sum"].to_numpy(float)
    alpha = 1.0 - cfg.adverse_confidence
    with np.errstate(invalid="ignore"):
        lower = np.where(k > 0, stats.beta.ppf(alpha, k, n - k + 1), 0.0)
        upper = np.where(k < n, stats.beta.ppf(1 - alpha, k + 1, n - k), 1.0)
    hit = (n >= cfg.min_n) & (lower > cfg.adverse_rate)
    g, n, k, lower, upper = g[hit], n[hit], k[hit], lower[hit], upper[hit]
    share = k / n if len(n) else np.array([])
    conf = f"{cfg.adverse_confidence:.0%}"
    return pd.DataFrame(
        {
            "placement": g["p"].to_numpy(),
            "window": g["w"].to_numpy(),
            "rule": "adverse_items",
            "scale": None,
            "measure": "% of respondents agreeing with any adverse item",
            "value": 100.0 * share,
            "limit": 100.0 * cfg.adverse_rate,
            "ci_low": 100.0 * lower,
            "ci_high": 100.0 * upper,
            "n": pd.array(n.astype(np.int64), dtype="Int64"),
            "evidence": [
                f"{int(a)} of {int(b)} respondents ({100 * a / b:.0f} %) agreed with at least one "
                f"adverse item; one-sided {conf} lower bound {100 * lo:.0f} % is above the "
                f"{100 * cfg.adverse_rate:.0f} % rate"
                for a, b, lo in zip(k, n, lower, strict=True)
            ],
        }
    )


def _typed(part: pd.DataFrame, columns: list[Hashable]) -> pd.DataFrame:
    """Reindex to the flag columns with one dtype per column, so parts concatenate cleanly."""
    out = part.reindex(columns=columns)
    for col in columns:
        if col in ("value", "limit", "ci_low", "ci_high"):
            out[col] = out[col].astype(float)
        elif col == "n":
            out[col] = pd.array(pd.to_numeric(out[col]), dtype="Int64")
        else:
            out[col] = out[col].astype(object)
    return out


def _row_frame(
    rows: pd.DataFrame, keys: list[Hashable], rule: str, **columns: object
) -> pd.DataFrame:
    out = rows[keys].reset_index(drop=True).copy()
    out["rule"] = rule
    for name, value in columns.items():
        out[name] = value.to_numpy() if isinstance(value, pd.Series) else value
    return out


def _funnel_flags(b: pd.DataFrame, keys: list[Hashable], cfg: FlagConfig) -> pd.DataFrame:
    if "lower_998" not in b.columns:
        raise ValueError(
            "benchmarked has no funnel limits; pass the table from "
            "benchmark(..., method='funnel') for the funnel_low rule"
        )
    unknown = set(cfg.funnel_categories) - {"below_95", "below_99.8"}
    if unknown:
        raise ValueError(
            f"funnel_categories must be 'below_95' and/or 'below_99.8', got {sorted(unknown)}"
        )
    rows = b[(b["status"] == "ok") & b["category"].isin(list(cfg.funnel_categories))]
    if cfg.funnel_scales:
        rows = rows[rows["scale"].isin(list(cfg.funnel_scales))]
    rows = rows.reset_index(drop=True)
    limit = np.where(rows["category"] == "below_95", rows["lower_95"], rows["lower_998"])
    level = rows["category"].str.removeprefix("below_")
    return _row_frame(
        rows,
        keys,
        "funnel_low",
        scale=rows["scale"],
        measure="score (0-100)",
        value=rows["score"].astype(float),
        limit=limit.astype(float),
        ci_low=rows["ci_low"].astype(float),
        ci_high=rows["ci_high"].astype(float),
        n=rows["n"],
        evidence=[
            f"score {s:.1f} (n = {m}) is below the lower {lv} % funnel limit {lim:.1f} "
            f"of its comparator ({comp}; mean {mu:.1f})"
            for s, m, lv, lim, comp, mu in zip(
                rows["score"],
                rows["n"],
                level,
                limit,
                rows["comparator"],
                rows["benchmark_mean"],
                strict=True,
            )
        ],
    )


def _fall_flags(
    b: pd.DataFrame, keys: list[Hashable], cfg: FlagConfig, opts: dict[str, Any]
) -> pd.DataFrame:
    t = trend(b, ci=cfg.fall_confidence, **opts)
    rows = t[t["significant_fall"] & (t["change"] <= -cfg.fall_min_points)]
    if cfg.fall_scales:
        rows = rows[rows["scale"].isin(list(cfg.fall_scales))]
    rows = rows.reset_index(drop=True)
    conf = f"{100 * cfg.fall_confidence:g} %"
    return _row_frame(
        rows,
        keys,
        "significant_fall",
        scale=rows["scale"],
        measure="change in score from the previous window",
        value=rows["change"].astype(float),
        limit=-float(cfg.fall_min_points),
        ci_low=rows["change_ci_low"].astype(float),
        ci_high=rows["change_ci_high"].astype(float),
        n=rows["n"],
        evidence=[
            f"score fell {-c:.1f} points from {p:.1f} ({pw}, n = {pn}) to {s:.1f} (n = {m}); "
            f"{conf} interval of the change {lo:.1f} to {hi:.1f}"
            for c, p, pw, pn, s, m, lo, hi in zip(
                rows["change"],
                rows["previous_score"],
                rows["previous_window"],
                rows["previous_n"],
                rows["score"],
                rows["n"],
                rows["change_ci_low"],
                rows["change_ci_high"],
                strict=True,
            )
        ],
    )


def _poor_run_flags(
    b: pd.DataFrame, keys: list[Hashable], cfg: FlagConfig, opts: dict[str, Any]
) -> pd.DataFrame:
    s = poor_streaks(b, poor=cfg.poor_categories, **opts)
    rows = s[s["poor_run"] >= cfg.poor_run].reset_index(drop=True)
    return _row_frame(
        rows,
        keys,
        "three_poor_windows",
        scale=rows["scale"],
        measure="consecutive poor windows",
        value=rows["poor_run"].astype(float),
        limit=float(cfg.poor_run),
        n=rows["n"],
        evidence=[
            f"poor ({c}) in {r} consecutive windows up to this one"
            for c, r in zip(rows["category"], rows["poor_run"], strict=True)
        ],
    )


def adverse_flags(
    responses: pd.DataFrame,
    benchmarked: pd.DataFrame,
    *,
    adverse_items: Sequence[Hashable] = (),
    placement: Hashable = "placement",
    window: Hashable = "window",
    concern_columns: Sequence[Hashable] = ("concern_patient_safety",),
    config: FlagConfig | None = None,
    group: Hashable | None = None,
    windows: Sequence[Hashable] | None = None,
) -> pd.DataFrame:
    """Flag adverse learning environments, one row per flag with its evidence.

    Parameters
    ----------
    responses : pandas.DataFrame
        The wide responses that were scored (placement, window, items, concern
        columns).
    benchmarked : pandas.DataFrame
        What :func:`psychometrics.benchmark` returned with ``method="funnel"``;
        several windows for the trend rules.
    adverse_items : sequence of column names, default ()
        Items on which agreeing reports adversity ("I was bullied or
        undermined"), as answered (not reversed). Empty skips the rule.
    placement, window : column name
    concern_columns : sequence of column names, default ("concern_patient_safety",)
        True/False (or 1/0) columns; each gives the rule
        ``<name without "concern_">_concern``. Empty skips the rule.
    config : FlagConfig, optional
        Thresholds; default ``FlagConfig()``.
    group : column name, optional
        Learner-group column of ``benchmarked``, if it has group rows; the score
        rules then also flag groups (and the output has a group column).
    windows : sequence, optional
        Windows oldest first, for the trend rules; default sorted labels.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FLAG_COLUMNS` (key columns keep the names passed in;
        ``group`` after ``window`` when given): ``rule`` (:data:`RULES`),
        ``scale`` (None for rules not about a scale), ``measure`` (what
        ``value`` is), ``value``, ``limit`` (the threshold it crossed), ``ci_low``
        / ``ci_high`` (interval of ``value``; NaN where none), ``n`` (respondents
        behind it; <NA> for concerns) and ``evidence`` (a sentence for people).
        Sorted by placement, window, rule, scale.

    Notes
    -----
    Rules (thresholds in ``config``; ``FlagConfig().describe()`` explains each):

    * ``patient_safety_concern`` (and one per concern column): at least
      ``concern_min`` concerns reported at the placement in the window. Not
      subject to ``min_n``: a concern must reach the quality team; the row
      carries the count of concerns only, nothing about who raised them.
    * ``adverse_items``: among respondents who answered at least one adverse
      item, :math:`k` of :math:`n` agreed (4 or 5) with at least one. Flag when
      :math:`n \\ge` ``min_n`` and the one-sided Clopper-Pearson lower bound
      at ``adverse_confidence`` exceeds ``adverse_rate`` (equivalently an exact
      one-sided binomial test of share <= rate rejects at
      1 - ``adverse_confidence``). ``value`` and the interval are percentages;
      ``ci_low``/``ci_high`` are the one-sided bounds at that confidence.
    * ``funnel_low``: a shown score in a category of ``funnel_categories``
      (default below the lower 99.8 % funnel limit) on ``funnel_scales``.
    * ``significant_fall``: the ``fall_confidence`` interval of the change from
      the previous window (:func:`psychometrics.trends.trend`) lies below zero
      and the fall is at least ``fall_min_points``.
    * ``three_poor_windows``: ``poor_run`` consecutive windows in
      ``poor_categories`` (:func:`psychometrics.trends.poor_streaks`), flagged in
      each window that completes or extends such a run.

    Survey-derived rules use only rows that :func:`psychometrics.score_placements`
    showed (``min_n`` and complementary suppression already applied) or counts
    of at least ``min_n``, so a flag never exposes a group that was hidden.

    Examples
    --------
    >>> import pandas as pd, psychometrics as pm
    >>> responses = pd.DataFrame({
    ...     "placement": ["A"] * 5 + ["B"] * 3, "window": "2024",
    ...     "bullied": [5, 4, 5, 4, 4, 1, 2, 1], "supported": [2, 1, 2, 3, 2, 5, 4, 4],
    ...     "concern_patient_safety": [False] * 7 + [True]})
    >>> scores = pm.score_placements(responses, {"overall": ["bullied", "supported"]},
    ...                              reverse=["bullied"])
    >>> flags = adverse_flags(responses, pm.benchmark(scores, min_placements=2),
    ...                       adverse_items=["bullied"], config=FlagConfig(adverse_rate=0.5))
    >>> print(flags[["placement", "rule", "value", "limit", "n"]].round(1).to_string())
      placement                    rule  value  limit     n
    0         A           adverse_items  100.0   50.0     5
    1         B  patient_safety_concern    1.0    1.0  <NA>

    All five learners at A agreed they were bullied: the one-sided 95 % lower
    bound of the share, 0.05 ** (1 / 5) = 55 %, is above the 50 % rate given.
    With four it would be 47 % and no flag.
    """
    cfg = FlagConfig() if config is None else config
    if not isinstance(cfg, FlagConfig):
        raise ValueError(f"config must be a FlagConfig, got {type(cfg).__name__}")
    for name, frame in (("responses", responses), ("benchmarked", benchmarked)):
        if not isinstance(frame, pd.DataFrame):
            raise ValueError(f"{name} must be a DataFrame, got {type(frame).__name__}")
    if isinstance(adverse_items, str) or isinstance(concern_columns, str):
        raise ValueError("adverse_items and concern_columns must be sequences of column names")
    _check_columns(responses, [placement, window, *adverse_items, *concern_columns], "needed")
    _check_keys(responses, placement, "placement")
    _check_keys(responses, window, "window")
    needed = [
        placement,
        window,
        "scale",
        "n",
        "score",
        "sd",
        "status",
        "category",
        "comparator",
        "benchmark_mean",
        "ci_low",
        "ci_high",
    ]
    _check_columns(
        benchmarked, needed + ([group] if group is not None else []), "needed", "benchmarked"
    )
    keys = [placement, window] + ([group] if group is not None else [])

    parts = []
    if concern_columns:
        parts.append(_concern_flags(responses, concern_columns, placement, window, cfg))
    if adverse_items:
        parts.append(_adverse_item_flags(responses, adverse_items, placement, window, cfg))
    for part in parts:  # response-level rules concern the whole placement
        part.rename(columns={"placement": placement, "window": window}, inplace=True)
        if group is not None and len(part):
            part.insert(2, group, ALL_GROUPS)
    parts.append(_funnel_flags(benchmarked, keys, cfg))
    opts = {"windows": windows, "placement": placement, "window": window, "group": group}
    parts.append(_fall_flags(benchmarked, keys, cfg, opts))
    parts.append(_poor_run_flags(benchmarked, keys, cfg, opts))
    columns = [*keys, *FLAG_COLUMNS[2:]]
    parts = [_typed(p, columns) for p in parts if len(p)]
    if not parts:
        return _typed(pd.DataFrame(columns=columns), columns)
    out = pd.concat(parts, ignore_index=True)
    # concern rules other than patient safety sort right after it
    out["_r"] = out["rule"].map({r: float(i) for i, r in enumerate(RULES)}).fillna(0.5)
    out = out.sort_values([placement, window, "_r", "scale"], kind="stable", na_position="first")
    return out.drop(columns="_r").reset_index(drop=True)
