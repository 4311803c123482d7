"""Benchmark placement scores against a comparator: funnel plots and the GMC quartile rule.

:func:`benchmark` takes the table from :func:`psychometrics.score_placements` and
adds, to every row, the comparator's mean, the limits it is judged against, an
outlier category and an empirical-Bayes shrunken score shown beside the raw one.
:func:`funnel_dispersion` is the overdispersion estimate on its own.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "FUNNEL_CATEGORIES",
    "QUARTILE_CATEGORIES",
    "Dispersion",
    "benchmark",
    "funnel_dispersion",
]

#: Categories of ``method="funnel"``, worst first.
FUNNEL_CATEGORIES = (
    "below_99.8",
    "below_95",
    "within",
    "above_95",
    "above_99.8",
    "suppressed",
    "no data",
    "insufficient comparator",
)
#: Categories of ``method="quartile"`` (GMC colours; grey = suppressed, yellow = no data).
QUARTILE_CATEGORIES = (
    "red",
    "pink",
    "white",
    "light green",
    "green",
    "grey",
    "yellow",
    "insufficient comparator",
)
_Z95 = stats.norm.ppf(0.975)
_Z998 = stats.norm.ppf(0.999)
_OVERDISPERSION = ("additive", "multiplicative", "none")
_NEEDED = ("n", "score", "ci_low", "ci_high", "sd", "status")


@dataclass(frozen=True)
class Dispersion:
    """Overdispersion of unit estimates around a common target (Spiegelhalter, 2005).

    Attributes
    ----------
    target : float
        Precision-weighted mean :math:`\\theta_0 = \\sum w_i y_i / \\sum w_i`.
    phi : float
        Multiplicative overdispersion :math:`\\hat\\phi`, the mean squared
        (winsorised) z-score.
    tau2 : float
        Additive between-unit variance :math:`\\hat\\tau^2` (0 when
        :math:`I\\hat\\phi \\le I - 1`).
    units : int
        Number of units :math:`I`.
    """

    target: float
    phi: float
    tau2: float
    units: int


def _grouped_dispersion(
    codes: np.ndarray, y: np.ndarray, se: np.ndarray, winsor: float, size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Target, phi, tau2 and unit count per group code (vectorised over groups)."""
    units = np.bincount(codes, minlength=size).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(se > 0, 1.0 / se**2, np.inf)
    finite = np.isfinite(w)
    sw = np.bincount(codes, weights=np.where(finite, w, 0.0), minlength=size)
    swy = np.bincount(codes, weights=np.where(finite, w * y, 0.0), minlength=size)
    sw2 = np.bincount(codes, weights=np.where(finite, w**2, 0.0), minlength=size)
    with np.errstate(divide="ignore", invalid="ignore"):
        target = np.where(sw > 0, swy / sw, np.nan)
        z = np.where(se > 0, (y - target[codes]) / se, 0.0)
    if winsor > 0:
        frame = pd.DataFrame({"g": codes, "z": z})
        q = frame.groupby("g")["z"].quantile([winsor, 1.0 - winsor]).unstack()
        lo = q[winsor].reindex(range(size)).to_numpy()
        hi = q[1.0 - winsor].reindex(range(size)).to_numpy()
        z = np.clip(z, lo[codes], hi[codes])
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = np.bincount(codes, weights=z**2, minlength=size) / units
        denom = sw - sw2 / sw
        tau2 = np.where(
            (units * phi > units - 1) & (denom > 0), (units * phi - (units - 1)) / denom, 0.0
        )
    return target, phi, np.maximum(tau2, 0.0), units


def funnel_dispersion(
    y: Sequence[float], se: Sequence[float], *, winsor: float = 0.1
) -> Dispersion:
    """Multiplicative and additive overdispersion of unit estimates (Spiegelhalter, 2005).

    Parameters
    ----------
    y : sequence of float
        Unit estimates (e.g. placement scores).
    se : sequence of float
        Their standard errors under the null of no real differences
        (for a placement score, :math:`\\sigma/\\sqrt{n_i}`). Must be > 0.
    winsor : float, default 0.1
        Share of z-scores winsorised in each tail before estimating
        overdispersion (0 switches it off).

    Returns
    -------
    Dispersion

    Notes
    -----
    With :math:`w_i = 1/s_i^2` and :math:`\\theta_0 = \\sum w_i y_i/\\sum w_i`,
    :math:`z_i = (y_i - \\theta_0)/s_i`. The z-scores below their
    ``winsor`` quantile are set to that quantile, those above their
    ``1 - winsor`` quantile to that one (quantiles by linear interpolation,
    R type 7), giving :math:`z_i^w`. Then

    .. math::
        \\hat\\phi = \\frac{1}{I}\\sum_i (z_i^w)^2, \\qquad
        \\hat\\tau^2 = \\frac{I\\hat\\phi - (I - 1)}
                           {\\sum_i w_i - \\sum_i w_i^2 / \\sum_i w_i}

    with :math:`\\hat\\tau^2 = 0` when :math:`I\\hat\\phi \\le I - 1`. Without
    winsorising, :math:`I\\hat\\phi` is Cochran's *Q* and :math:`\\hat\\tau^2`
    the DerSimonian-Laird estimate.

    References
    ----------
    Spiegelhalter DJ. Funnel plots for comparing institutional performance.
    *Statistics in Medicine* 2005;24:1185-1202. doi:10.1002/sim.1970

    Spiegelhalter DJ. Handling over-dispersion of performance indicators.
    *Quality and Safety in Health Care* 2005;14:347-351.

    DerSimonian R, Laird N. Meta-analysis in clinical trials. *Controlled
    Clinical Trials* 1986;7:177-188.

    Examples
    --------
    >>> d = funnel_dispersion([50, 55, 60, 65, 80], [5, 5, 5, 5, 5], winsor=0)
    >>> round(d.target, 2), round(d.phi, 3), round(d.tau2, 2)
    (62.0, 4.24, 107.5)
    """
    y_arr = np.asarray(y, dtype=float)
    se_arr = np.asarray(se, dtype=float)
    if y_arr.ndim != 1 or y_arr.shape != se_arr.shape or y_arr.size < 2:
        raise ValueError("y and se must be 1-D sequences of the same length, at least 2 units")
    if not (np.isfinite(y_arr).all() and np.isfinite(se_arr).all() and (se_arr > 0).all()):
        raise ValueError("y must be finite and se finite and > 0 for every unit")
    if not 0 <= winsor < 0.5:
        raise ValueError(f"winsor must be in [0, 0.5), got {winsor!r}")
    codes = np.zeros(y_arr.size, dtype=np.int64)
    target, phi, tau2, units = _grouped_dispersion(codes, y_arr, se_arr, winsor, 1)
    return Dispersion(float(target[0]), float(phi[0]), float(tau2[0]), int(units[0]))


def _check_benchmark_args(
    scores: Any,
    by: list[Hashable],
    method: str,
    min_placements: Any,
    overdispersion: str,
    winsor: Any,
    placement: Hashable,
) -> None:
    if not isinstance(scores, pd.DataFrame):
        raise ValueError(
            f"scores must be a DataFrame from score_placements, got {type(scores).__name__}"
        )
    if method not in ("funnel", "quartile"):
        raise ValueError(f"method must be 'funnel' or 'quartile', got {method!r}")
    if overdispersion not in _OVERDISPERSION:
        raise ValueError(f"overdispersion must be one of {_OVERDISPERSION}, got {overdispersion!r}")
    if (
        isinstance(min_placements, bool)
        or not isinstance(min_placements, int | np.integer)
        or min_placements < 2
    ):
        raise ValueError(f"min_placements must be a whole number >= 2, got {min_placements!r}")
    if not isinstance(winsor, int | float) or not 0 <= winsor < 0.5:
        raise ValueError(f"winsor must be in [0, 0.5), got {winsor!r}")
    needed = [placement, "scale", *_NEEDED, *by]
    absent = [c for c in dict.fromkeys(needed) if c not in scores.columns]
    if absent:
        raise ValueError(
            f"scores lacks column(s) {absent}; pass the table from score_placements "
            "(merged with any comparator columns such as region or specialty)"
        )
    bad = set(scores["status"].unique()) - {"ok", "suppressed", "no data"}
    if bad:
        raise ValueError(f"unknown status values {sorted(bad)}; expected ok, suppressed, no data")


def benchmark(
    scores: pd.DataFrame,
    *,
    by: Sequence[Hashable] | None = None,
    method: str = "funnel",
    min_placements: int = 10,
    placement: Hashable = "placement",
    overdispersion: str = "additive",
    winsor: float = 0.1,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Compare every placement score with its comparator: funnel limits or GMC quartiles.

    Parameters
    ----------
    scores : pandas.DataFrame
        The table from :func:`psychometrics.score_placements`, optionally merged
        with comparator columns (``region``, ``specialty``, ...).
    by : sequence of column names, optional
        Columns defining the comparator, e.g. ``["window"]`` (national, the
        default), ``["window", "group"]`` (same learner group),
        ``["window", "region"]`` or ``["window", "specialty"]``. ``"scale"`` is
        always added: a theme is only compared with the same theme. Each
        placement must appear at most once per comparator, so with learner-group
        rows put the group column in ``by`` (the ``"(all)"`` rows then form
        their own comparator).
    method : {"funnel", "quartile"}
        ``"funnel"``: Spiegelhalter (2005) funnel limits. ``"quartile"``: the
        GMC National Training Survey outlier rule.
    min_placements : int, default 10
        Fewest placements with a shown score a comparator needs; below it every
        row of that comparator is ``"insufficient comparator"``. Ten because
        with fewer the 10 % winsorising trims nothing and each quartile rests
        on one or two placements.
    placement : column name, default "placement"
    overdispersion : {"additive", "multiplicative", "none"}, default "additive"
        Funnel adjustment for real between-placement variation (below).
    winsor : float, default 0.1
        Share of z-scores winsorised in each tail when estimating overdispersion.
    ci : float, default 0.95
        Level of the benchmark mean's interval (quartile method).

    Returns
    -------
    pandas.DataFrame
        ``scores`` (same rows, same order) plus ``comparator`` (label such as
        ``"window=2024"``), ``comparator_placements`` (placements with a shown
        score), ``benchmark_mean``; for ``"funnel"``: ``within_sd``
        (:math:`\\sigma`), ``phi``, ``tau2``, ``overdispersion``, ``z``,
        ``lower_998``, ``lower_95``, ``upper_95``, ``upper_998``; for
        ``"quartile"``: ``benchmark_ci_low``, ``benchmark_ci_high``,
        ``quartile_low`` (Q1), ``quartile_high`` (Q3); then ``shrinkage``,
        ``score_shrunk``, ``category`` and ``method``.

    Notes
    -----
    Only rows with status ``"ok"`` enter a comparator's statistics; others get
    the category ``"suppressed"``/``"no data"`` (funnel) or ``"grey"``/
    ``"yellow"`` (quartile) and no limits. For a comparator with placements
    :math:`i = 1..I` (scores :math:`y_i`, sizes :math:`n_i`, SDs :math:`s_i`):

    * benchmark mean :math:`\\theta_0 = \\sum n_i y_i / \\sum n_i`, the mean of
      all its respondents' scores;
    * within-placement SD :math:`\\sigma^2 = \\sum (n_i-1)s_i^2 / \\sum (n_i-1)`.

    **Funnel** (Spiegelhalter 2005, normal data): under "no real differences"
    :math:`y_i \\sim N(\\theta_0, \\sigma^2/n_i)`. Overdispersion is estimated
    as in :func:`funnel_dispersion` (10 % winsorised z-scores). Limits at
    :math:`p \\in \\{95\\%, 99.8\\%\\}` (two-sided, :math:`z_p` = 1.960, 3.090):
    ``"additive"`` (default) :math:`\\theta_0 \\pm z_p\\sqrt{\\sigma^2/n + \\hat\\tau^2}`,
    the random-effects limits, which do not shrink to nothing for large
    placements; ``"multiplicative"``
    :math:`\\theta_0 \\pm z_p\\sqrt{\\max(1,\\hat\\phi)}\\,\\sigma/\\sqrt n`;
    ``"none"`` :math:`\\theta_0 \\pm z_p\\,\\sigma/\\sqrt n`. ``z`` is
    :math:`(y_i-\\theta_0)` over the same adjusted SD. Categories:
    below/above the 99.8 % limit, else below/above the 95 % limit, else
    ``"within"``. Under the null each 95 % tail holds 2.5 % and each 99.8 %
    tail 0.1 % of placements.

    **Quartile** (GMC): Q1 and Q3 of the comparator's placement scores (linear
    interpolation). The benchmark mean's interval is a *t* interval on all the
    comparator's respondents (total SD from within and between placements).
    ``"red"``: score <= Q1 and the placement's interval lies wholly below the
    benchmark mean's interval; ``"pink"``: score <= Q1 otherwise; ``"green"`` /
    ``"light green"`` the same at >= Q3; ``"white"`` otherwise (also when
    Q1 = Q3 = score). The GMC takes its quartiles over the benchmark group's
    respondents; a score table holds placement summaries only, so here they are
    quartiles of placement scores (a quarter of placements are in each tail).

    **Shrinkage** (both methods): empirical Bayes toward the comparator mean,
    :math:`B_i = n_i/(n_i + \\sigma^2/\\hat\\tau^2)`,
    ``score_shrunk`` :math:`= \\theta_0 + B_i(y_i - \\theta_0)`, with
    :math:`\\hat\\tau^2` the winsorised DerSimonian-Laird estimate. It is shown
    beside ``score``, never instead of it. Rows without an assessment have
    NaN limits, shrinkage and z, and their ``category`` says why.

    References
    ----------
    Spiegelhalter DJ. Funnel plots for comparing institutional performance.
    *Statistics in Medicine* 2005;24:1185-1202. doi:10.1002/sim.1970

    General Medical Council. Education data reporting tool help: "What do the
    results mean?" and "Glossary of terms" (red/pink/white/light green/green,
    grey n < 3, yellow n = 0; benchmark group mean and quartiles).

    Examples
    --------
    >>> import pandas as pd
    >>> scores = pd.DataFrame({
    ...     "placement": list("ABCDEFGHIJKL"), "window": "2024", "scale": "overall",
    ...     "n": pd.array([20] * 12, dtype="Int64"),
    ...     "score": [70, 72, 68, 71, 69, 70, 73, 67, 70, 71, 69, 50.0],
    ...     "sd": 15.0, "status": "ok"})
    >>> scores["ci_low"], scores["ci_high"] = scores.score - 7, scores.score + 7
    >>> out = benchmark(scores)
    >>> out.category.value_counts().to_dict()
    {'within': 11, 'below_99.8': 1}
    >>> round(float(out.benchmark_mean[0]), 2), round(float(out.lower_998[0]), 2)
    (68.33, 57.97)
    """
    by = ["window"] if by is None else list(by)
    _check_benchmark_args(scores, by, method, min_placements, overdispersion, winsor, placement)
    if not 0 < ci < 1:
        raise ValueError(f"ci must be strictly between 0 and 1, got {ci!r}")
    keys = list(dict.fromkeys([*by, "scale"]))
    dup = scores.duplicated(subset=[placement, *keys], keep=False)
    if dup.any():
        first = scores.loc[dup, [placement, *keys]].head(2).to_dict("records")
        raise ValueError(
            f"some placements appear more than once in a comparator {keys}, e.g. {first}; "
            "with learner-group rows add the group column to `by`, or filter the rows first"
        )

    out = scores.copy()
    n_rows = len(out)
    codes = (
        out.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
        if n_rows
        else np.zeros(0, int)
    )
    size = int(codes.max()) + 1 if n_rows else 0
    ok = (out["status"] == "ok").to_numpy()
    n = pd.to_numeric(out["n"]).to_numpy(dtype=float, na_value=np.nan)
    y = out["score"].to_numpy(dtype=float)
    sd = out["sd"].to_numpy(dtype=float)
    if (ok & ~np.isfinite(y)).any() or (ok & ~(n >= 1)).any():
        raise ValueError("a row with status 'ok' lacks a score or n >= 1; scores look altered")
    c_ok, n_ok, y_ok = codes[ok], n[ok], y[ok]
    var_ok = np.where(np.isfinite(sd[ok]), sd[ok] ** 2, 0.0)

    units = np.bincount(c_ok, minlength=size).astype(float)
    n_tot = np.bincount(c_ok, weights=n_ok, minlength=size)
    with np.errstate(divide="ignore", invalid="ignore"):
        theta = np.bincount(c_ok, weights=n_ok * y_ok, minlength=size) / n_tot
        dfw = np.bincount(c_ok, weights=np.maximum(n_ok - 1, 0), minlength=size)
        sigma2 = np.where(
            dfw > 0, np.bincount(c_ok, weights=(n_ok - 1) * var_ok, minlength=size) / dfw, 0.0
        )
        se_ok = np.sqrt(sigma2[c_ok] / n_ok)
    enough = units >= min_placements
    _, phi, tau2, _ = _grouped_dispersion(c_ok, y_ok, se_ok, float(winsor), size)
    # the weighted target equals theta (weights n_i / sigma^2); reuse theta for clarity

    labels = _comparator_labels(out, by, codes, size)
    out["comparator"] = labels[codes] if n_rows else pd.Series(dtype=object)
    out["comparator_placements"] = units[codes].astype(np.int64)
    out["benchmark_mean"] = np.where(units[codes] > 0, theta[codes], np.nan)

    assessed = ok & enough[codes]
    nan = np.full(n_rows, np.nan)
    s2 = sigma2[codes] / n
    if method == "funnel":
        if overdispersion == "additive":
            v = s2 + tau2[codes]
        elif overdispersion == "multiplicative":
            v = s2 * np.maximum(phi[codes], 1.0)
        else:
            v = s2
        sdv = np.sqrt(v)
        dev = y - theta[codes]
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(sdv > 0, dev / sdv, 0.0)
        out["within_sd"] = np.where(enough[codes], np.sqrt(sigma2[codes]), nan)
        out["phi"] = np.where(enough[codes], phi[codes], nan)
        out["tau2"] = np.where(enough[codes], tau2[codes], nan)
        out["overdispersion"] = overdispersion
        out["z"] = np.where(assessed, z, nan)
        for name, zp in (
            ("lower_998", -_Z998),
            ("lower_95", -_Z95),
            ("upper_95", _Z95),
            ("upper_998", _Z998),
        ):
            out[name] = np.where(assessed, theta[codes] + zp * sdv, nan)
        cat = np.select(
            [dev < -_Z998 * sdv, dev < -_Z95 * sdv, dev > _Z998 * sdv, dev > _Z95 * sdv],
            ["below_99.8", "below_95", "above_99.8", "above_95"],
            "within",
        ).astype(object)
        not_ok = {"suppressed": "suppressed", "no data": "no data"}
    else:
        q1, q3 = _quartiles(c_ok, y_ok, size)
        ss_tot = np.bincount(
            c_ok, weights=(n_ok - 1) * var_ok + n_ok * (y_ok - theta[c_ok]) ** 2, minlength=size
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            sd_tot = np.sqrt(ss_tot / (n_tot - 1))
            half = stats.t.ppf((1 + ci) / 2, np.maximum(n_tot - 1, 1)) * sd_tot / np.sqrt(n_tot)
        b_lo, b_hi = theta - half, theta + half
        out["benchmark_ci_low"] = np.where(enough[codes], b_lo[codes], nan)
        out["benchmark_ci_high"] = np.where(enough[codes], b_hi[codes], nan)
        out["quartile_low"] = np.where(enough[codes], q1[codes], nan)
        out["quartile_high"] = np.where(enough[codes], q3[codes], nan)
        lo_q, hi_q = y <= q1[codes], y >= q3[codes]
        ci_lo, ci_hi = out["ci_low"].to_numpy(float), out["ci_high"].to_numpy(float)
        cat = np.select(
            [lo_q & hi_q, lo_q & (ci_hi < b_lo[codes]), lo_q, hi_q & (ci_lo > b_hi[codes]), hi_q],
            ["white", "red", "pink", "green", "light green"],
            "white",
        ).astype(object)
        not_ok = {"suppressed": "grey", "no data": "yellow"}

    with np.errstate(divide="ignore", invalid="ignore"):
        shrink = np.where(sigma2[codes] > 0, tau2[codes] / (tau2[codes] + s2), 1.0)
    out["shrinkage"] = np.where(assessed, shrink, nan)
    out["score_shrunk"] = np.where(assessed, theta[codes] + shrink * (y - theta[codes]), nan)
    status = out["status"].to_numpy()
    cat = np.where(ok & ~enough[codes], "insufficient comparator", cat)
    for st, label in not_ok.items():
        cat = np.where(status == st, label, cat)
    out["category"] = cat.astype(object)
    out["method"] = method
    return out


def _comparator_labels(
    frame: pd.DataFrame, by: list[Hashable], codes: np.ndarray, size: int
) -> np.ndarray:
    labels = np.empty(size, dtype=object)
    if not by:
        labels[:] = "all"
        return labels
    first = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
    for code, row in zip(range(size), first, strict=True):
        labels[code] = ", ".join(f"{c}={frame[c].iat[row]}" for c in by)
    return labels


def _quartiles(codes: np.ndarray, y: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Q1 and Q3 (linear interpolation) of ``y`` within each code."""
    q1 = np.full(size, np.nan)
    q3 = np.full(size, np.nan)
    if codes.size:
        q = pd.DataFrame({"g": codes, "y": y}).groupby("g")["y"].quantile([0.25, 0.75]).unstack()
        q1[q.index.to_numpy()] = q[0.25].to_numpy()
        q3[q.index.to_numpy()] = q[0.75].to_numpy()
    return q1, q3
