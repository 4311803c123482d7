"""Benchmark placement scores against a comparator: funnel plots and the GMC quartile rule.

:func:`benchmark` takes the table from :func:`psychometrics.score_placements` and
adds, to every row, the comparator's mean, the limits it is judged against, an
outlier category and an empirical-Bayes shrunken score shown beside the raw one.
:mod:`psychometrics.funnel` holds the funnel machinery it uses.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from psychometrics.funnel import (
    ESTIMATORS,
    OVERDISPERSION,
    SCALES,
    adjusted_variance,
    from_funnel_scale,
    grouped_dispersion,
    grouped_quantiles,
    null_se,
    to_funnel_scale,
)

__all__ = ["FUNNEL_CATEGORIES", "QUARTILE_CATEGORIES", "benchmark"]

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
_NEEDED = ("n", "score", "ci_low", "ci_high", "sd", "status")


def _check_benchmark_args(
    scores: Any, by: list[Hashable], placement: Hashable, **opts: Any
) -> None:
    if not isinstance(scores, pd.DataFrame):
        raise ValueError(
            f"scores must be a DataFrame from score_placements, got {type(scores).__name__}"
        )
    choices = {
        "method": ("funnel", "quartile"),
        "overdispersion": OVERDISPERSION,
        "estimator": ESTIMATORS,
        "scale": SCALES,
    }
    for name, allowed in choices.items():
        if opts[name] not in allowed:
            raise ValueError(f"{name} must be one of {allowed}, got {opts[name]!r}")
    m = opts["min_placements"]
    if isinstance(m, bool) or not isinstance(m, int | np.integer) or m < 2:
        raise ValueError(f"min_placements must be a whole number >= 2, got {m!r}")
    w = opts["winsor"]
    if isinstance(w, bool) or not isinstance(w, int | float) or not 0 <= w < 0.5:
        raise ValueError(f"winsor must be in [0, 0.5), got {w!r}")
    ci = opts["ci"]
    if isinstance(ci, bool) or not isinstance(ci, int | float) or not 0 < ci < 1:
        raise ValueError(f"ci must be strictly between 0 and 1, got {ci!r}")
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
    scale: str = "arcsine",
    estimator: str = "robust",
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
    method : {"funnel", "quartile"}, default "funnel"
        ``"funnel"``: Spiegelhalter (2005) funnel limits. ``"quartile"``: the
        GMC National Training Survey outlier rule.
    min_placements : int, default 10
        Fewest placements with a shown score a comparator needs; below it every
        such row of that comparator is ``"insufficient comparator"``. Ten because
        with fewer the 10 % winsorising trims nothing and each quartile rests
        on one or two placements.
    placement : column name, default "placement"
    overdispersion : {"additive", "multiplicative", "none"}, default "additive"
        Funnel adjustment for real between-placement variation.
    scale : {"arcsine", "linear"}, default "arcsine"
        Scale on which funnel limits and overdispersion are computed.
    estimator : {"robust", "winsorised"}, default "robust"
        Overdispersion estimator (:func:`psychometrics.funnel.funnel_dispersion`).
    winsor : float, default 0.1
        Share of z-scores winsorised in each tail when estimating overdispersion.
    ci : float, default 0.95
        Level of the benchmark mean's interval (quartile method).

    Returns
    -------
    pandas.DataFrame
        ``scores`` (same rows, same order) plus ``comparator`` (label such as
        ``"window=2024"``), ``comparator_placements`` (placements with a shown
        score), ``benchmark_mean``, ``within_sd``; for ``"funnel"``: ``phi``,
        ``tau2`` (on the funnel scale), ``overdispersion``, ``funnel_scale``,
        ``z``, ``lower_998``, ``lower_95``, ``upper_95``, ``upper_998``; for
        ``"quartile"``: ``benchmark_ci_low``, ``benchmark_ci_high``,
        ``quartile_low`` (Q1), ``quartile_high`` (Q3); then ``shrinkage``,
        ``score_shrunk``, ``category`` and ``method``.

    Notes
    -----
    Only rows with status ``"ok"`` enter a comparator's statistics; others get
    the category ``"suppressed"``/``"no data"`` (funnel) or ``"grey"``/
    ``"yellow"`` (quartile) and no limits. For a comparator with placements
    :math:`i = 1..I` (scores :math:`y_i`, sizes :math:`n_i`, SDs :math:`s_i`):
    benchmark mean :math:`\\theta_0 = \\sum n_i y_i / \\sum n_i` (the mean of all
    its respondents' scores) and within-placement SD
    :math:`\\sigma^2 = \\sum (n_i-1)s_i^2 / \\sum (n_i-1)`.

    **Funnel** (Spiegelhalter 2005, normal approximation). If no placement
    differed, :math:`y_i` would scatter around :math:`\\theta_0` with SD
    :math:`\\sigma/\\sqrt{n_i}`. By default this is taken on the arcsine scale
    :math:`g(y) = \\arcsin\\sqrt{y/100}` (SD by the delta method), which
    stabilises the variance of scores crowding toward the ceiling and makes the
    limits asymmetric there; ``scale="linear"`` uses the raw scale. Real
    between-placement variation is allowed for by the additive random-effects
    :math:`\\hat\\tau^2` (default), or by a multiplicative :math:`\\hat\\phi`
    (only ever widening), estimated from 10 %-winsorised z-scores; see
    :func:`psychometrics.funnel.funnel_dispersion` for the formulas and for why
    the default ``"robust"`` estimator corrects the winsorising bias of the
    paper's. The 95 % and 99.8 % limits (:math:`z_p` = 1.960 and 3.090) are
    :func:`psychometrics.funnel.funnel_limits`; ``z`` is the deviation on the
    funnel scale over the adjusted SD. Categories: below/above the 99.8 %
    limit, else below/above the 95 % limit, else ``"within"``. If nothing but
    the modelled variation were at work, 2.5 % of placements would fall below
    the lower 95 % limit and 0.1 % below the lower 99.8 % limit.

    **Quartile** (GMC). Q1 and Q3 of the comparator's placement scores (linear
    interpolation); the benchmark mean's interval is a *t* interval over all
    the comparator's respondents (total SD from within and between
    placements). ``"red"``: score <= Q1 and the placement's interval lies wholly
    below the benchmark mean's interval; ``"pink"``: score <= Q1 otherwise;
    ``"green"`` / ``"light green"`` the same at >= Q3; ``"white"`` otherwise
    (also when Q1 = Q3 = score). The GMC takes quartiles over the benchmark
    group's respondents; a score table holds placement summaries only, so here
    they are quartiles of placement scores (a quarter of placements in each tail).

    **Shrinkage** (both methods): empirical Bayes toward the comparator mean on
    the funnel scale, :math:`B_i = \\hat\\tau^2/(\\hat\\tau^2 + s_i^2)
    = n_i/(n_i + \\sigma_g^2/\\hat\\tau^2)`, ``score_shrunk`` :math:`=
    g^{-1}(g(\\theta_0) + B_i (g(y_i) - g(\\theta_0)))`, with the robust
    :math:`\\hat\\tau^2`. It is shown beside ``score``, never instead of it.
    Rows without an assessment have NaN limits, ``z``, shrinkage and
    ``score_shrunk``, and their ``category`` says why.

    References
    ----------
    Spiegelhalter DJ. Funnel plots for comparing institutional performance.
    *Statistics in Medicine* 2005;24:1185-1202. doi:10.1002/sim.1970

    General Medical Council. Education data reporting tool help: "What do the
    results mean?" and "Glossary of terms" (red/pink/white/light green/green,
    grey n < 3, yellow n = 0; benchmark group mean and quartiles).
    https://www.gmc-uk.org/help/education-data-reporting-tool-help

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
    (68.33, 57.6)
    >>> benchmark(scores, method="quartile").category.tolist()[-3:]
    ['light green', 'white', 'red']
    """
    by = ["window"] if by is None else list(by)
    _check_benchmark_args(
        scores,
        by,
        placement,
        method=method,
        overdispersion=overdispersion,
        estimator=estimator,
        scale=scale,
        min_placements=min_placements,
        winsor=winsor,
        ci=ci,
    )
    keys = list(dict.fromkeys([*by, "scale"]))
    dup = scores.duplicated(subset=[placement, *keys], keep=False)
    if dup.any():
        first = scores.loc[dup, [placement, *keys]].head(2).to_dict("records")
        raise ValueError(
            f"some placements appear more than once in a comparator {keys}, e.g. {first}; "
            "with learner-group rows add the group column to `by`, or filter the rows first"
        )
    out = scores.copy()
    if out.empty:
        codes = np.zeros(0, dtype=np.int64)
    else:
        codes = out.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
    size = int(codes.max()) + 1 if codes.size else 0
    ok = (out["status"] == "ok").to_numpy()
    n = pd.to_numeric(out["n"]).to_numpy(dtype=float, na_value=np.nan)
    y = out["score"].to_numpy(dtype=float)
    sd = out["sd"].to_numpy(dtype=float)
    if (ok & ~np.isfinite(y)).any() or (ok & ~(n >= 1)).any():
        raise ValueError("a row with status 'ok' lacks a score or n >= 1; scores look altered")

    c = _ComparatorStats(codes[ok], n[ok], y[ok], sd[ok], size)
    enough = c.units >= min_placements
    assessed = ok & enough[codes]
    fs = scale if method == "funnel" else "arcsine"
    s = null_se(n, c.theta[codes], c.sigma[codes], fs)
    yg = to_funnel_scale(y, fs)
    centre = to_funnel_scale(c.theta, fs)
    est = estimator if method == "funnel" else "robust"
    args = (codes[ok], yg[ok], s[ok], centre)
    phi, tau2 = grouped_dispersion(*args, winsor=float(winsor), estimator=est, size=size)
    nan = np.full(len(out), np.nan)
    labels = _comparator_labels(out, by, codes, size)
    out["comparator"] = labels[codes] if size else np.array([], dtype=object)
    out["comparator_placements"] = c.units[codes].astype(np.int64)
    out["benchmark_mean"] = np.where(c.units[codes] > 0, c.theta[codes], nan)
    out["within_sd"] = np.where(c.units[codes] > 0, c.sigma[codes], nan)

    if method == "funnel":
        cat = _funnel_columns(
            out, codes, assessed, enough, yg, centre, s, phi, tau2, overdispersion, fs
        )
        not_ok = {"suppressed": "suppressed", "no data": "no data"}
    else:
        cat = _quartile_columns(out, codes, ok, enough, c, y, ci)
        not_ok = {"suppressed": "grey", "no data": "yellow"}

    # empirical Bayes on the funnel scale, with the robust tau2 whatever the method
    if est != "robust":
        _, tau2 = grouped_dispersion(*args, winsor=float(winsor), estimator="robust", size=size)
    with np.errstate(divide="ignore", invalid="ignore"):
        shrink = np.where(s > 0, tau2[codes] / (tau2[codes] + s**2), 1.0)
    out["shrinkage"] = np.where(assessed, shrink, nan)
    shrunk = from_funnel_scale(centre[codes] + shrink * (yg - centre[codes]), fs)
    out["score_shrunk"] = np.where(assessed, shrunk, nan)
    status = out["status"].to_numpy()
    cat = np.where(ok & ~enough[codes], "insufficient comparator", cat)
    for st, label in not_ok.items():
        cat = np.where(status == st, label, cat)
    out["category"] = cat.astype(object)
    out["method"] = method
    return out


class _ComparatorStats:
    """Per-comparator sums over the rows with a shown score (vectorised by code)."""

    def __init__(self, codes: np.ndarray, n: np.ndarray, y: np.ndarray, sd: np.ndarray, size: int):
        var = np.where(np.isfinite(sd), sd**2, 0.0)
        self.units = np.bincount(codes, minlength=size).astype(float)
        self.n_total = np.bincount(codes, weights=n, minlength=size)
        with np.errstate(divide="ignore", invalid="ignore"):
            self.theta = np.bincount(codes, weights=n * y, minlength=size) / self.n_total
            dfw = np.bincount(codes, weights=np.maximum(n - 1, 0), minlength=size)
            ssw = np.bincount(codes, weights=(n - 1) * var, minlength=size)
            self.sigma = np.sqrt(np.where(dfw > 0, ssw / dfw, 0.0))
        self.ss_total = ssw + np.bincount(
            codes, weights=n * (y - self.theta[codes]) ** 2, minlength=size
        )
        self.codes, self.y = codes, y


def _funnel_columns(
    out: pd.DataFrame,
    codes: np.ndarray,
    assessed: np.ndarray,
    enough: np.ndarray,
    yg: np.ndarray,
    centre: np.ndarray,
    s: np.ndarray,
    phi: np.ndarray,
    tau2: np.ndarray,
    how: str,
    scale: str,
) -> np.ndarray:
    nan = np.full(len(out), np.nan)
    sdv = np.sqrt(adjusted_variance(s, tau2[codes], phi[codes], how))
    dev = yg - centre[codes]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sdv > 0, dev / sdv, 0.0)
    out["phi"] = np.where(enough[codes], phi[codes], nan)
    out["tau2"] = np.where(enough[codes], tau2[codes], nan)
    out["overdispersion"] = how
    out["funnel_scale"] = scale
    out["z"] = np.where(assessed, z, nan)
    limits = (("lower_998", -_Z998), ("lower_95", -_Z95), ("upper_95", _Z95), ("upper_998", _Z998))
    for name, zp in limits:
        out[name] = np.where(assessed, from_funnel_scale(centre[codes] + zp * sdv, scale), nan)
    return np.select(
        [dev < -_Z998 * sdv, dev < -_Z95 * sdv, dev > _Z998 * sdv, dev > _Z95 * sdv],
        ["below_99.8", "below_95", "above_99.8", "above_95"],
        "within",
    ).astype(object)


def _quartile_columns(
    out: pd.DataFrame,
    codes: np.ndarray,
    ok: np.ndarray,
    enough: np.ndarray,
    c: _ComparatorStats,
    y: np.ndarray,
    ci: float,
) -> np.ndarray:
    nan = np.full(len(out), np.nan)
    size = len(c.units)
    q1, q3 = grouped_quantiles(c.codes, c.y, (0.25, 0.75), size)
    with np.errstate(divide="ignore", invalid="ignore"):
        sd_tot = np.sqrt(c.ss_total / (c.n_total - 1))
        half = stats.t.ppf((1 + ci) / 2, np.maximum(c.n_total - 1, 1)) * sd_tot / np.sqrt(c.n_total)
    b_lo, b_hi = c.theta - half, c.theta + half
    out["benchmark_ci_low"] = np.where(enough[codes], b_lo[codes], nan)
    out["benchmark_ci_high"] = np.where(enough[codes], b_hi[codes], nan)
    out["quartile_low"] = np.where(enough[codes], q1[codes], nan)
    out["quartile_high"] = np.where(enough[codes], q3[codes], nan)
    lo_q, hi_q = y <= q1[codes], y >= q3[codes]
    ci_lo, ci_hi = out["ci_low"].to_numpy(float), out["ci_high"].to_numpy(float)
    return np.select(
        [lo_q & hi_q, lo_q & (ci_hi < b_lo[codes]), lo_q, hi_q & (ci_lo > b_hi[codes]), hi_q],
        ["white", "red", "pink", "green", "light green"],
        "white",
    ).astype(object)


def _comparator_labels(
    frame: pd.DataFrame, by: list[Hashable], codes: np.ndarray, size: int
) -> np.ndarray:
    """One label per comparator code, e.g. ``"window=2024, region=R1"``."""
    if not by or size == 0:
        return np.full(size, "all", dtype=object)
    first = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
    parts = [pd.Series(frame[col].to_numpy()[first]).astype(str).radd(f"{col}=") for col in by]
    return pd.concat(parts, axis=1).agg(", ".join, axis=1).to_numpy(dtype=object)
