"""Figures for placement results: funnel plot, trend chart, item distributions.

Each function returns a :class:`matplotlib.figure.Figure` built without pyplot,
so it is safe in a web worker (Agg backend) and leaks no global state; save it
with ``fig.savefig(...)``. Figures only draw what the tables show: suppressed
results are never plotted, and item distributions are suppressed below
``min_n`` exactly as scores are.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from psychometrics.funnel import funnel_limits
from psychometrics.scoring import _check_columns, _item_matrix, _ordered_levels

__all__ = ["funnel_plot", "item_distribution", "trend_chart"]

_CATEGORY_COLOURS = {
    "below_99.8": "#b2182b",
    "below_95": "#ef8a62",
    "within": "#7f7f7f",
    "above_95": "#67a9cf",
    "above_99.8": "#2166ac",
    "insufficient comparator": "#bdbdbd",
}
_LIKERT_COLOURS = ("#ca0020", "#f4a582", "#dddddd", "#92c5de", "#0571b0")
_LIKERT_LABELS = ("Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree")


def _one_value(frame: pd.DataFrame, column: str, given: Hashable | None, what: str) -> pd.DataFrame:
    values = list(pd.unique(frame[column]))
    if given is None:
        if len(values) != 1:
            raise ValueError(
                f"the table has several {what}s {values[:10]}; choose one with {what}="
            )
        return frame
    if given not in values:
        raise ValueError(f"{what} {given!r} is not in the table; choose one of {values[:20]}")
    return frame[frame[column] == given]


def funnel_plot(
    benchmarked: pd.DataFrame,
    *,
    scale: str | None = None,
    comparator: str | None = None,
    highlight: Sequence[Hashable] = (),
    placement: Hashable = "placement",
    title: str | None = None,
) -> Figure:
    """Funnel plot of one scale in one comparator, with 95 % and 99.8 % limits.

    Parameters
    ----------
    benchmarked : pandas.DataFrame
        Output of :func:`psychometrics.benchmark` with ``method="funnel"``.
    scale, comparator : str, optional
        Which scale and comparator to draw; needed when the table has several.
    highlight : sequence
        Placements to label on the plot.
    placement : column name, default "placement"
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        Respondents (x) against score (y), one point per placement with a shown
        score, coloured by category; the comparator mean and the limit curves
        (:func:`psychometrics.funnel.funnel_limits`). Placements not shown
        (suppressed or no data) are counted in a note, never drawn.

    Examples
    --------
    >>> import pandas as pd, psychometrics as pm
    >>> scores = pd.DataFrame({
    ...     "placement": list("ABCDEFGHIJKL"), "window": "2024", "scale": "overall",
    ...     "n": pd.array([5, 8, 12, 20, 30, 45, 60, 9, 15, 25, 40, 22], dtype="Int64"),
    ...     "score": [70, 72, 68, 71, 69, 70, 73, 67, 70, 71, 69, 50.0],
    ...     "sd": 15.0, "status": "ok", "ci_low": 60.0, "ci_high": 80.0})
    >>> fig = funnel_plot(pm.benchmark(scores))
    >>> len(fig.axes[0].collections[0].get_offsets())
    12
    """
    _check_columns(
        benchmarked,
        [placement, "scale", "comparator", "n", "score", "status"],
        "needed",
        "benchmarked",
    )
    if "lower_998" not in benchmarked.columns:
        raise ValueError("funnel_plot needs the table from benchmark(..., method='funnel')")
    rows = _one_value(benchmarked, "scale", scale, "scale")
    rows = _one_value(rows, "comparator", comparator, "comparator")
    shown = rows[rows["status"] == "ok"]
    hidden = int((rows["status"] != "ok").sum())
    fig = Figure(figsize=(7, 5))
    ax = fig.add_subplot()
    n = pd.to_numeric(shown["n"]).to_numpy(float)
    colours = [_CATEGORY_COLOURS.get(c, "#7f7f7f") for c in shown["category"]]
    ax.scatter(n, shown["score"].to_numpy(float), c=colours, s=18, zorder=3)
    first = rows.iloc[0]
    assessed = shown["category"].ne("insufficient comparator").any()
    if len(shown) and assessed:
        grid = np.linspace(max(1.0, n.min() * 0.9), n.max() * 1.05, 200)
        ax.axhline(first["benchmark_mean"], color="black", lw=1, label="comparator mean")
        for level, style in ((0.95, "--"), (0.998, ":")):
            lo, hi = funnel_limits(
                grid,
                mean=float(first["benchmark_mean"]),
                within_sd=float(first["within_sd"]),
                tau2=float(first["tau2"]),
                phi=float(first["phi"]),
                overdispersion=str(first["overdispersion"]),
                scale=str(first["funnel_scale"]),
                level=level,
            )
            ax.plot(grid, lo, style, color="black", lw=1, label=f"{level:.1%} limits")
            ax.plot(grid, hi, style, color="black", lw=1)
        ax.legend(loc="lower right", fontsize=8)
    elif len(shown):
        ax.text(
            0.5,
            0.95,
            "insufficient comparator: no limits",
            transform=ax.transAxes,
            ha="center",
            va="top",
        )
    for _, row in shown[shown[placement].isin(list(highlight))].iterrows():
        ax.annotate(
            str(row[placement]),
            (float(row["n"]), float(row["score"])),
            xytext=(4, 4),
            textcoords="offset points",
            fontsize=8,
        )
    if hidden:
        ax.text(
            0.01,
            0.01,
            f"{hidden} placement(s) not shown (too few respondents or no data)",
            transform=ax.transAxes,
            fontsize=8,
            va="bottom",
        )
    ax.set_xlabel("respondents (n)")
    ax.set_ylabel("score (0-100)")
    ax.set_ylim(0, 100)
    ax.set_title(title or f"{first['scale']}: {first['comparator']}")
    return fig


def trend_chart(
    scores: pd.DataFrame,
    placement: Hashable,
    *,
    scales: Sequence[str] | None = None,
    windows: Sequence[Hashable] | None = None,
    placement_col: Hashable = "placement",
    window: Hashable = "window",
    title: str | None = None,
) -> Figure:
    """Scores of one placement across windows, one line per scale, with intervals.

    Parameters
    ----------
    scores : pandas.DataFrame
        Output of :func:`psychometrics.score_placements` (or ``benchmark``),
        filtered to one learner group if it has group rows.
    placement : label
        The placement to draw.
    scales : sequence of str, optional
        Scales to draw; default all.
    windows : sequence, optional
        Windows oldest first; default the sorted labels.
    placement_col, window : column name
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        Score and confidence interval per window; a window without a shown
        score is a gap marked with its status. If the table carries
        ``benchmark_mean`` it is drawn as a thin line per scale.

    Examples
    --------
    >>> import pandas as pd
    >>> scores = pd.DataFrame({
    ...     "placement": "A", "window": ["2024", "2025", "2026"], "scale": "overall",
    ...     "n": pd.array([12, None, 15], dtype="Int64"), "score": [70.0, None, 64.0],
    ...     "ci_low": [62.0, None, 57.0], "ci_high": [78.0, None, 71.0],
    ...     "status": ["ok", "suppressed", "ok"]})
    >>> fig = trend_chart(scores, "A")
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['suppressed']
    """
    _check_columns(
        scores,
        [placement_col, window, "scale", "score", "ci_low", "ci_high", "status"],
        "needed",
        "scores",
    )
    rows = scores[scores[placement_col] == placement]
    if rows.empty:
        raise ValueError(f"placement {placement!r} has no rows in scores")
    if rows.duplicated(subset=["scale", window]).any():
        raise ValueError(
            "several rows per scale and window (learner-group rows?); filter to one group"
        )
    order = _ordered_levels(scores[window], windows, "windows")
    chosen = list(pd.unique(rows["scale"])) if scales is None else list(scales)
    unknown = set(chosen) - set(rows["scale"])
    if unknown:
        raise ValueError(f"scales {sorted(unknown)} have no rows for placement {placement!r}")
    fig = Figure(figsize=(7, 4.5))
    ax = fig.add_subplot()
    x = np.arange(len(order))
    for k, name in enumerate(chosen):
        s = rows[rows["scale"] == name].set_index(window).reindex(order)
        ok = (s["status"] == "ok").to_numpy()
        offset = (k - (len(chosen) - 1) / 2) * 0.06
        y = np.where(ok, s["score"].to_numpy(float), np.nan)
        err = np.vstack([y - s["ci_low"].to_numpy(float), s["ci_high"].to_numpy(float) - y])
        line = ax.errorbar(
            x + offset, y, yerr=np.where(ok, err, np.nan), marker="o", capsize=3, label=str(name)
        )
        if "benchmark_mean" in s.columns:
            ax.plot(
                x, s["benchmark_mean"].to_numpy(float), lw=0.8, alpha=0.6, color=line[0].get_color()
            )
        for xi, status in zip(x, s["status"].fillna("no data"), strict=True):
            if status != "ok":
                ax.text(
                    xi + offset,
                    50,
                    str(status),
                    rotation=90,
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="grey",
                )
    ax.set_xticks(x, [str(w) for w in order])
    ax.set_ylim(0, 100)
    ax.set_xlabel("window")
    ax.set_ylabel("score (0-100)")
    ax.legend(fontsize=8, loc="lower left")
    ax.set_title(title or f"{placement}: scores by window")
    return fig


def item_distribution(
    responses: pd.DataFrame,
    items: Sequence[Hashable],
    *,
    placement: Hashable | None = None,
    window: Hashable | None = None,
    placement_col: Hashable = "placement",
    window_col: Hashable = "window",
    labels: dict[Hashable, str] | None = None,
    min_n: int = 3,
    title: str | None = None,
) -> Figure:
    """Stacked bars of the answers (1-5, as given) to each item, for one placement.

    Parameters
    ----------
    responses : pandas.DataFrame
        Wide responses (items 1-5 or NaN).
    items : sequence of column names
    placement, window : label, optional
        Restrict to one placement and/or window; default all rows.
    placement_col, window_col : column name
    labels : dict, optional
        Item column -> question text for the axis.
    min_n : int, default 3
        An item answered by fewer respondents is not drawn (marked
        "suppressed"), as scores are suppressed below ``min_n``.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        One horizontal bar per item: the share answering each point, as
        answered (reverse items are not turned round: the question text says
        what agreeing means), with ``n`` beside it.

    Examples
    --------
    >>> import pandas as pd
    >>> responses = pd.DataFrame({"placement": ["A"] * 4, "window": "2024",
    ...                           "q1": [5, 4, 4, 2], "q2": [1, None, None, None]})
    >>> fig = item_distribution(responses, ["q1", "q2"], placement="A")
    >>> sorted(t.get_text() for t in fig.axes[0].texts)
    ['n = 4', 'suppressed']
    """
    if isinstance(min_n, bool) or not isinstance(min_n, int) or min_n < 1:
        raise ValueError(f"min_n must be a whole number >= 1, got {min_n!r}")
    if isinstance(items, str) or not list(items):
        raise ValueError("items must be a non-empty sequence of column names")
    items = list(items)
    _check_columns(responses, items, "item")
    rows = responses
    if placement is not None:
        _check_columns(responses, [placement_col], "placement")
        rows = rows[rows[placement_col] == placement]
    if window is not None:
        _check_columns(responses, [window_col], "window")
        rows = rows[rows[window_col] == window]
    x = _item_matrix(rows, items)
    fig = Figure(figsize=(8, 0.45 * len(items) + 1.5))
    ax = fig.add_subplot()
    ypos = np.arange(len(items))[::-1]
    for j in range(len(items)):
        answered = x[~np.isnan(x[:, j]), j]
        if answered.size < min_n:
            ax.text(0.5, ypos[j], "suppressed", ha="center", va="center", fontsize=8, color="grey")
            continue
        shares = np.array([(answered == v).mean() for v in range(1, 6)])
        left = np.concatenate(([0.0], np.cumsum(shares)[:-1]))
        for v in range(5):
            ax.barh(
                ypos[j],
                shares[v],
                left=left[v],
                color=_LIKERT_COLOURS[v],
                label=_LIKERT_LABELS[v] if j == 0 else None,
            )
        ax.text(1.01, ypos[j], f"n = {answered.size}", va="center", fontsize=8)
    names = [labels.get(i, str(i)) if labels else str(i) for i in items]
    ax.set_yticks(ypos, names)
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of respondents answering the item")
    ax.legend(fontsize=7, ncols=5, loc="upper center", bbox_to_anchor=(0.5, -0.18))
    where = " / ".join(str(v) for v in (placement, window) if v is not None)
    ax.set_title(title or (f"Item answers: {where}" if where else "Item answers"))
    fig.tight_layout()
    return fig
