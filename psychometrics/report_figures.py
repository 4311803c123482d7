"""Figures for a validation report: scree with parallel analysis, loadings, estimates, intervals.

Like :mod:`psychometrics.figures`, each function returns a
:class:`matplotlib.figure.Figure` built without pyplot (no global state, safe in
a web worker); save it with ``fig.savefig(...)``. The functions draw what a
result already holds and compute nothing new.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from psychometrics.parallel import ParallelResult

__all__ = ["estimate_plot", "interval_histogram", "loadings_heatmap", "scree_plot"]

_OBSERVED = "#005eb8"  # NHS blue
_RANDOM = "#d5281b"
_NEUTRAL = "#768692"


def scree_plot(parallel: ParallelResult, *, title: str | None = None) -> Figure:
    """Scree plot of the observed eigenvalues with the parallel-analysis line.

    Parameters
    ----------
    parallel : ParallelResult
        The result of :func:`psychometrics.parallel_analysis`.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        Observed eigenvalues (solid, filled markers for the factors retained), the
        random eigenvalues' ``quantile`` (dashed: the parallel-analysis line) and
        their mean (dotted). An observed eigenvalue above the dashed line stands
        out from noise.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import psychometrics as pm
    >>> rng = np.random.default_rng(5)
    >>> f = rng.standard_normal((300, 2))
    >>> raw = np.repeat(f, 3, axis=1) * 0.8 + rng.standard_normal((300, 6)) * 0.6
    >>> items = pd.DataFrame(np.clip(np.round(raw + 3), 1, 5), columns=list("abcdef"))
    >>> fig = scree_plot(pm.parallel_analysis(items, seed=1))
    >>> [line.get_label() for line in fig.axes[0].get_lines()][:2]
    ['observed', 'random, 95th percentile']
    """
    if not isinstance(parallel, ParallelResult):
        raise ValueError(
            f"parallel must be the ParallelResult of parallel_analysis, got "
            f"{type(parallel).__name__}"
        )
    table = parallel.table
    x = table.index.to_numpy()
    fig = Figure(figsize=(6.5, 3.8))
    ax = fig.add_subplot()
    ax.plot(x, table["observed"], "-", color=_OBSERVED, label="observed", zorder=3)
    pct = f"{parallel.quantile * 100:g}"
    suffix = {"1": "st", "2": "nd", "3": "rd"}.get(pct[-1], "th") if pct.isdigit() else ""
    ax.plot(
        x,
        table["random_quantile"],
        "--",
        color=_RANDOM,
        label=f"random, {pct}{suffix} percentile",
    )
    ax.plot(x, table["random_mean"], ":", color=_NEUTRAL, label="random, mean")
    kept = table["retain"].to_numpy(dtype=bool)
    ax.scatter(x[kept], table["observed"][kept], color=_OBSERVED, zorder=4, s=22)
    ax.scatter(
        x[~kept], table["observed"][~kept], facecolor="white", edgecolor=_OBSERVED, zorder=4, s=22
    )
    ax.set_xlabel("factor (component) number")
    ax.set_ylabel("eigenvalue")
    ax.set_xticks(x if len(x) <= 20 else x[:: max(1, len(x) // 10)])
    ax.legend(fontsize=8, frameon=False)
    kind = "components" if parallel.kind == "pca" else "factors"
    ax.set_title(
        title
        or f"Scree plot: {parallel.n_factors} {kind} above the random line "
        f"({parallel.n_iter} random data sets, n = {parallel.n})",
        fontsize=10,
    )
    fig.tight_layout()
    return fig


def loadings_heatmap(
    loadings: pd.DataFrame,
    *,
    labels: dict[str, str] | None = None,
    highlight: float = 0.3,
    title: str | None = None,
) -> Figure:
    """Heatmap of a loadings table (items x factors) with the values written in.

    Parameters
    ----------
    loadings : pandas.DataFrame
        Items as rows, factors as columns (e.g. ``EFAResult.loadings``).
    labels : dict, optional
        Item -> label for the rows (default: the item names).
    highlight : float, default 0.3
        Absolute loadings at or above this are written in bold.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        Cells coloured on a diverging scale from -1 (red) to 1 (blue).

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"F1": [0.8, 0.7, 0.05], "F2": [0.1, -0.2, 0.9]},
    ...                      index=["a", "b", "c"])
    >>> fig = loadings_heatmap(table)
    >>> sorted(t.get_text() for t in fig.axes[0].texts)[:3]
    ['-.20', '.05', '.10']
    """
    if not isinstance(loadings, pd.DataFrame) or loadings.empty:
        raise ValueError("loadings must be a non-empty DataFrame of items x factors")
    values = loadings.to_numpy(dtype=np.float64)
    if not np.isfinite(values).all():
        raise ValueError("loadings must be finite numbers; the table holds NaN or inf")
    k, m = values.shape
    fig = Figure(figsize=(1.2 + 0.75 * m + 2.2, 0.8 + 0.26 * k))
    ax = fig.add_subplot()
    image = ax.imshow(values, cmap="RdBu", vmin=-1.0, vmax=1.0, aspect="auto")
    for i in range(k):
        for j in range(m):
            v = values[i, j]
            text = f"{v:.2f}".replace("0.", ".", 1)
            strong = abs(v) >= highlight
            ax.text(
                j,
                i,
                text,
                ha="center",
                va="center",
                fontsize=7,
                fontweight="bold" if strong else "normal",
                color="white" if abs(v) > 0.6 else "black",
            )
    names = [labels.get(str(i), str(i)) if labels else str(i) for i in loadings.index]
    ax.set_yticks(np.arange(k), names, fontsize=7)
    ax.set_xticks(np.arange(m), [str(c) for c in loadings.columns], fontsize=8)
    ax.xaxis.tick_top()
    fig.colorbar(image, ax=ax, shrink=0.6, label="loading")
    if title:
        ax.set_title(title, fontsize=10, pad=18)
    fig.tight_layout()
    return fig


def estimate_plot(
    table: pd.DataFrame,
    *,
    estimate: str = "estimate",
    ci_low: str = "ci_low",
    ci_high: str = "ci_high",
    reference: Sequence[float] = (),
    xlabel: str = "estimate",
    title: str | None = None,
) -> Figure:
    """Point estimates with confidence intervals, one row per entry of ``table``'s index.

    Parameters
    ----------
    table : pandas.DataFrame
        Indexed by what is estimated (items, scales); columns ``estimate``,
        ``ci_low`` and ``ci_high`` (names configurable). Rows with a missing
        estimate are labelled "not estimable" rather than left out.
    estimate, ci_low, ci_high : str
        Column names.
    reference : sequence of float
        Vertical guide lines (e.g. conventional thresholds), drawn grey and dashed.
    xlabel, title : str

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"estimate": [0.8, None], "ci_low": [0.7, None],
    ...                   "ci_high": [0.9, None]}, index=["total", "theme"])
    >>> fig = estimate_plot(t, reference=[0.7])
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['not estimable']
    """
    missing = [c for c in (estimate, ci_low, ci_high) if c not in table.columns]
    if missing:
        raise ValueError(f"table lacks column(s) {missing}; it has {list(table.columns)}")
    if table.empty:
        raise ValueError("table has no rows to plot")
    est = table[estimate].to_numpy(dtype=np.float64, na_value=np.nan)
    low = table[ci_low].to_numpy(dtype=np.float64, na_value=np.nan)
    high = table[ci_high].to_numpy(dtype=np.float64, na_value=np.nan)
    k = len(table)
    y = np.arange(k)[::-1]
    fig = Figure(figsize=(6.5, 0.9 + 0.24 * k))
    ax = fig.add_subplot()
    for ref in reference:
        ax.axvline(float(ref), color=_NEUTRAL, linestyle="--", linewidth=0.8)
    ok = ~np.isnan(est)
    with_ci = ok & ~np.isnan(low) & ~np.isnan(high)
    ax.errorbar(
        est[with_ci],
        y[with_ci],
        xerr=np.vstack([est[with_ci] - low[with_ci], high[with_ci] - est[with_ci]]),
        fmt="o",
        color=_OBSERVED,
        ecolor=_OBSERVED,
        markersize=4,
        capsize=2,
    )
    ax.plot(est[ok & ~with_ci], y[ok & ~with_ci], "o", color=_OBSERVED, markersize=4)
    finite = np.concatenate([est[ok], low[with_ci], high[with_ci], np.asarray(reference, float)])
    left = float(np.min(finite)) if finite.size else 0.0
    right = float(np.max(finite)) if finite.size else 1.0
    pad = max(0.05 * (right - left), 0.02)
    ax.set_xlim(left - pad, right + pad)
    for j in np.flatnonzero(~ok):
        ax.text(left, y[j], "not estimable", va="center", fontsize=7, color=_NEUTRAL)
    ax.set_yticks(y, [str(i) for i in table.index], fontsize=7)
    ax.set_ylim(-0.7, k - 0.3)
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def interval_histogram(
    days: Sequence[int] | pd.Series,
    *,
    offered: tuple[int, int] | None = None,
    title: str | None = None,
) -> Figure:
    """Histogram of the days between a test and its retest.

    Parameters
    ----------
    days : sequence of int
        One interval per retest pair (whole days, >= 0).
    offered : (int, int), optional
        The interval within which the retest was offered; shaded.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        One bar per day.

    Examples
    --------
    >>> fig = interval_histogram([7, 9, 9, 14, 21], offered=(7, 21))
    >>> fig.axes[0].get_xlabel()
    'days between the two answers'
    """
    values = np.asarray(pd.Series(days, dtype="float64"))
    if values.size == 0:
        raise ValueError("days is empty: there are no retest pairs to plot")
    if np.isnan(values).any() or (values < 0).any() or (values != np.round(values)).any():
        raise ValueError("days must be whole numbers of days >= 0 with no missing values")
    fig = Figure(figsize=(6.5, 3.0))
    ax = fig.add_subplot()
    if offered is not None:
        lo, hi = offered
        ax.axvspan(lo - 0.5, hi + 0.5, color="#e8edee", label=f"offered: {lo}-{hi} days")
    lo_bin, hi_bin = int(values.min()), int(values.max())
    bins = [b + 0.5 for b in range(lo_bin - 1, hi_bin + 1)]  # one bar per day
    ax.hist(values, bins=bins, color=_OBSERVED, edgecolor="white")
    ax.set_xlabel("days between the two answers")
    ax.set_ylabel("retest pairs")
    if offered is not None:
        ax.legend(fontsize=8, frameon=False)
    ax.set_title(title or f"Intervals of {values.size} retest pairs", fontsize=10)
    fig.tight_layout()
    return fig
