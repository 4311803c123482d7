"""Measurement invariance across groups by multi-group CFA: configural, metric, scalar."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from psychometrics._cfa_data import (
    ModelSpec,
    check_columns,
    check_moments,
    listwise_moments,
    parse_model,
)
from psychometrics._cfa_engine import (
    FloatArray,
    IntArray,
    Moments,
    build_layouts,
    fisher_scoring,
    single_threaded_blas,
)
from psychometrics._cfa_results import (
    FitMeasures,
    degrees_of_freedom,
    diagnose,
    fit_measures,
    parameter_frame,
    standard_errors,
)
from psychometrics._cfa_start import start_values

__all__ = ["InvarianceResult", "invariance"]

#: Chen's (2007) cut-offs for N > 300: non-invariance when CFI drops by at least .010 and
#: RMSEA rises by at least .015 or SRMR by at least .030 (loadings) / .010 (intercepts).
CFI_DROP = -0.010
RMSEA_RISE = 0.015
SRMR_RISE = {"metric": 0.030, "scalar": 0.010}

STEPS: tuple[tuple[str, frozenset[str]], ...] = (
    ("configural", frozenset()),
    ("metric", frozenset({"loadings"})),
    ("scalar", frozenset({"loadings", "intercepts"})),
)


@dataclass(frozen=True)
class InvarianceResult:
    """Result of :func:`invariance`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per step (``configural``, ``metric``, ``scalar``): ``chi2``, ``dof``,
        ``pvalue``, ``cfi``, ``tli``, ``rmsea``, ``rmsea_ci_low``, ``rmsea_ci_high``,
        ``srmr``, ``aic``, ``bic``, the change from the previous step (``delta_chi2``,
        ``delta_dof``, ``delta_pvalue`` of the likelihood-ratio test, ``delta_cfi``,
        ``delta_rmsea``, ``delta_srmr``; NaN on the configural row, which has no
        previous step), ``invariant`` (Chen's criteria met; None on the configural row)
        and ``converged``.
    level : str
        The highest level supported step by step: ``"configural"``, ``"metric"`` or
        ``"scalar"``.
    verdict : str
        A plain-language account of what may be compared across groups.
    groups : pandas.DataFrame
        Every group found: ``group``, ``n`` (complete rows) and ``status``
        (``"compared"``, ``"too small"`` or ``"unusable"`` with the reason).
    too_small : dict of str to int
        Groups left out because their n is below ``min_group_n``, with their n.
    unusable : dict of str to str
        Groups left out for another reason (a constant item, a singular covariance
        matrix), with the reason.
    min_group_n : int
        The minimum group size applied.
    parameters : pandas.DataFrame
        Estimates of every step in every group: ``step``, ``group``, ``op``
        (``=~`` loading, ``~~`` (co)variance, ``~1`` intercept or latent mean), ``lhs``,
        ``rhs``, ``estimate``, ``se``, ``std_all``, ``free``.
    chi2_groups : pandas.DataFrame
        Each group's contribution ``N_g F_g`` to each step's chi-square.
    excluded_rows : int
        Rows not used: no group label, a missing answer on a model item, or a group that
        was not compared.
    warning : str or None
        Estimation problems in any step (non-convergence, Heywood cases, ...).
    """

    table: pd.DataFrame
    level: str
    verdict: str
    groups: pd.DataFrame
    too_small: dict[str, int]
    unusable: dict[str, str]
    min_group_n: int
    parameters: pd.DataFrame
    chi2_groups: pd.DataFrame
    excluded_rows: int
    warning: str | None


def _group_rows(data: pd.DataFrame, group: str) -> list[tuple[str, IntArray]]:
    """Row positions of each group, in order of appearance (category order if categorical)."""
    col = data[group]
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes, labels = col.cat.codes.to_numpy(), list(col.cat.categories)
    else:
        codes, uniques = pd.factorize(col, sort=False)
        labels = list(uniques)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(labels) + 1))
    return [
        (str(label), order[bounds[k] : bounds[k + 1]])
        for k, label in enumerate(labels)
        if bounds[k + 1] > bounds[k]
    ]


def _free_per_group(spec: ModelSpec) -> int:
    """Free parameters of one group in the configural model."""
    p, m = len(spec.items), len(spec.factors)
    loadings = sum(len(its) - 1 for its in spec.loadings)
    return loadings + p + m * (m + 1) // 2 + p


def _split_groups(
    values: FloatArray, data: pd.DataFrame, group: str, items: tuple[str, ...], min_n: int
) -> tuple[list[str], list[Moments], list[dict[str, Any]], int]:
    labels, moments, rows = [], [], []
    used = 0
    for label, positions in _group_rows(data, group):
        mean, cov, n = listwise_moments(values[positions])
        if n < min_n:
            rows.append({"group": label, "n": n, "status": "too small"})
            continue
        try:
            logdet = check_moments(cov, items, n, where=f" in group {label!r}")
        except ValueError as exc:
            rows.append({"group": label, "n": n, "status": f"unusable: {exc}"})
            continue
        labels.append(label)
        moments.append(Moments(cov=cov, mean=mean, n=n, logdet=logdet))
        rows.append({"group": label, "n": n, "status": "compared"})
        used += n
    return labels, moments, rows, used


def _fit_step(
    spec: ModelSpec,
    moments: list[Moments],
    labels: list[str],
    step: str,
    equal: frozenset[str],
    max_iter: int,
) -> tuple[str, FitMeasures, pd.DataFrame, bool, str | None]:
    """Fit one step of the sequence; returns its fit, parameter table and any warning."""
    p, n_groups = len(spec.items), len(moments)
    layouts, q = build_layouts(
        spec.factors, spec.loadings, spec.items, n_groups,
        std_lv=False, meanstructure=True, equal=equal,
    )  # fmt: skip
    dof = degrees_of_freedom(p, n_groups, q, meanstructure=True)
    if dof < 0:
        raise ValueError(
            f"the {step} model is not identified (dof = {dof}): too many parameters for "
            f"{p} items; add items or simplify the model"
        )
    x0 = start_values(layouts, moments, spec.members, q, std_lv=False)
    state = fisher_scoring(layouts, moments, x0, q, max_iter=max_iter)
    measures = fit_measures(layouts, moments, state, q)
    se, se_ok = standard_errors(state, sum(m.n for m in moments))
    params = parameter_frame(layouts, state.x, se, spec.items, spec.factors)
    params.insert(0, "step", step)
    params["group"] = [labels[g] for g in params["group"]]
    note = diagnose(
        layouts, state, spec.items, spec.factors,
        se_ok=se_ok, dof=dof, max_iter=max_iter, group_labels=labels,
    )  # fmt: skip
    return step, measures, params, state.converged, note


def invariance(
    data: pd.DataFrame,
    model: dict[str, list[str]],
    group: str,
    *,
    min_group_n: int | None = None,
    max_iter: int = 500,
) -> InvarianceResult:
    r"""Test measurement invariance across groups: configural, metric, then scalar.

    Parameters
    ----------
    data : pandas.DataFrame
        Wide data, one row per respondent, with the item columns and the group column.
        Respondents missing any model item are left out (listwise), group by group.
    model : dict of str to list of str
        Each factor's name mapped to its items, marker item first (as for :func:`cfa`).
    group : str
        Name of the column holding the group (e.g. the learner's profession). Groups are
        taken in order of first appearance (category order for a categorical column); the
        first is the reference group whose latent means are fixed to 0.
    min_group_n : int, optional
        Smallest group compared. Default: the number of free parameters per group in the
        configural model (loadings, residual variances, factor variances and covariances,
        and intercepts), below which a group cannot carry its own model; never less than
        the number of items + 1 (a smaller group's covariance matrix is singular). Smaller
        groups are reported in ``too_small`` and ``groups``, never silently dropped.
    max_iter : int, default 500
        Iteration limit of the optimiser in each step.

    Returns
    -------
    InvarianceResult
        The fit of each step, the changes between steps, and a verdict.

    Raises
    ------
    ValueError
        If the group column or an item is missing, an item is not numeric, the model is
        not identified, or fewer than two groups are large enough to compare.

    Notes
    -----
    Three nested multi-group models are fitted by ML, as lavaan's
    ``cfa(..., group = g, group.equal = ...)`` does (Rosseel 2012): *configural* (the
    same pattern in every group, all parameters free, latent means 0), *metric* (equal
    loadings) and *scalar* (equal loadings and intercepts, latent means free in every
    group but the first). The fit function is

    .. math:: F = \sum_g \frac{N_g}{N}\left[\log|\Sigma_g| + \operatorname{tr}(S_g\Sigma_g^{-1})
              - \log|S_g| - p + (\bar x_g - \mu_g)^\top \Sigma_g^{-1} (\bar x_g - \mu_g)\right]

    with :math:`\chi^2 = N F = \sum_g N_g F_g`. The RMSEA is lavaan's multi-group form
    :math:`\sqrt{G}\sqrt{\max((\chi^2 - df)/(N\,df), 0)}`, and the SRMR averages the groups'
    SRMRs (means included) with weights :math:`N_g/N`. Each step is compared with the
    previous one by the likelihood-ratio (chi-square difference) test and by the change
    in CFI, RMSEA and SRMR. The verdict follows Chen's (2007) conventional cut-offs for
    samples over 300: a step is judged non-invariant when :math:`\Delta CFI \le -0.010`
    together with :math:`\Delta RMSEA \ge 0.015` or :math:`\Delta SRMR \ge 0.030` (metric)
    / :math:`0.010` (scalar). These are conventions, not tests; the chi-square difference
    test is reported beside them and is sensitive to trivial differences at large N.

    References
    ----------
    .. [1] Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of
       measurement invariance. *Structural Equation Modeling*, 14(3), 464-504.
    .. [2] Rosseel, Y. (2012). lavaan: An R package for structural equation modeling.
       *Journal of Statistical Software*, 48(2), 1-36. doi:10.18637/jss.v048.i02
    .. [3] Meredith, W. (1993). Measurement invariance, factor analysis and factorial
       invariance. *Psychometrika*, 58(4), 525-543.
    .. [4] Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley.

    Examples
    --------
    The lavaan tutorial's example: Holzinger & Swineford's two schools.

    >>> import psychometrics as pm
    >>> from semopy.examples import holzinger39
    >>> hs = holzinger39.get_data()
    >>> model = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"],
    ...          "speed": ["x7", "x8", "x9"]}
    >>> res = pm.invariance(hs, model, group="school")
    >>> res.table[["step", "chi2", "dof", "cfi", "rmsea"]].round(3)
             step     chi2  dof    cfi  rmsea
    0  configural  115.851   48  0.923  0.097
    1      metric  124.044   54  0.921  0.093
    2      scalar  164.103   60  0.882  0.107
    >>> res.level
    'metric'
    """
    spec = parse_model(model)
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    if not isinstance(group, str) or group not in data.columns:
        raise ValueError(f"group must name a column of data, got {group!r}")
    if group in spec.items:
        raise ValueError(f"the group column {group!r} is also an item of the model")
    frame = check_columns(data, spec.items)
    per_group = _free_per_group(spec)
    if min_group_n is None:
        min_n = per_group
    elif isinstance(min_group_n, bool) or not isinstance(min_group_n, int) or min_group_n < 2:
        raise ValueError(f"min_group_n must be an integer >= 2, got {min_group_n!r}")
    else:
        min_n = max(min_group_n, len(spec.items) + 1)
    if isinstance(max_iter, bool) or not isinstance(max_iter, int) or max_iter < 1:
        raise ValueError(f"max_iter must be a positive integer, got {max_iter!r}")
    values = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    if np.isinf(values).any():
        raise ValueError("item columns contain infinite values; use NaN for missing")
    with single_threaded_blas():  # multi-threaded BLAS stalls on a busy machine; see engine
        labels, moments, group_rows, used = _split_groups(values, data, group, spec.items, min_n)
        too_small = {r["group"]: int(r["n"]) for r in group_rows if r["status"] == "too small"}
        unusable = {
            r["group"]: r["status"].removeprefix("unusable: ")
            for r in group_rows
            if r["status"].startswith("unusable")
        }
        if len(labels) < 2:
            raise ValueError(
                f"invariance needs at least two groups with at least {min_n} complete "
                f"responses; usable: {labels}, too small: {too_small}, unusable: {list(unusable)}"
            )
        fits = [_fit_step(spec, moments, labels, step, eq, max_iter) for step, eq in STEPS]
    table = _step_table(fits)
    level = _level(table)
    notes = [f"{step}: {note}" for step, _, _, _, note in fits if note]
    return InvarianceResult(
        table=table,
        level=level,
        verdict=_verdict(table, level, labels, moments, too_small, unusable, min_n),
        groups=pd.DataFrame.from_records(group_rows, columns=["group", "n", "status"]),
        too_small=too_small,
        unusable=unusable,
        min_group_n=min_n,
        parameters=pd.concat([f[2] for f in fits], ignore_index=True),
        chi2_groups=pd.DataFrame(
            [f[1].chi2_groups for f in fits], index=[f[0] for f in fits], columns=labels
        ),
        excluded_rows=len(data) - used,
        warning="; ".join(notes) if notes else None,
    )


def _step_table(
    fits: list[tuple[str, FitMeasures, pd.DataFrame, bool, str | None]],
) -> pd.DataFrame:
    records = []
    prev: FitMeasures | None = None
    for step, fm, _, converged, _ in fits:
        row: dict[str, Any] = {
            "step": step,
            "chi2": fm.chi2,
            "dof": fm.dof,
            "pvalue": fm.pvalue,
            "cfi": fm.cfi,
            "tli": fm.tli,
            "rmsea": fm.rmsea,
            "rmsea_ci_low": fm.rmsea_ci[0],
            "rmsea_ci_high": fm.rmsea_ci[1],
            "srmr": fm.srmr,
            "aic": fm.aic,
            "bic": fm.bic,
            "delta_chi2": math.nan,
            "delta_dof": math.nan,
            "delta_pvalue": math.nan,
            "delta_cfi": math.nan,
            "delta_rmsea": math.nan,
            "delta_srmr": math.nan,
            "invariant": None,
            "converged": converged,
        }
        if prev is not None:
            d_chi2, d_dof = fm.chi2 - prev.chi2, fm.dof - prev.dof
            d_cfi, d_rmsea, d_srmr = fm.cfi - prev.cfi, fm.rmsea - prev.rmsea, fm.srmr - prev.srmr
            worse = d_cfi <= CFI_DROP and (d_rmsea >= RMSEA_RISE or d_srmr >= SRMR_RISE[step])
            row.update(
                delta_chi2=d_chi2,
                delta_dof=d_dof,
                delta_pvalue=float(stats.chi2.sf(max(d_chi2, 0.0), d_dof)),
                delta_cfi=d_cfi,
                delta_rmsea=d_rmsea,
                delta_srmr=d_srmr,
                invariant=not worse,
            )
        records.append(row)
        prev = fm
    return pd.DataFrame.from_records(records)


def _level(table: pd.DataFrame) -> str:
    level = "configural"
    for _, row in table.iloc[1:].iterrows():
        if not row["invariant"]:
            break
        level = row["step"]
    return str(level)


def _verdict(
    table: pd.DataFrame,
    level: str,
    labels: list[str],
    moments: list[Moments],
    too_small: dict[str, int],
    unusable: dict[str, str],
    min_n: int,
) -> str:
    sizes = ", ".join(f"{lab} (n={m.n})" for lab, m in zip(labels, moments, strict=True))
    conf = table.iloc[0]
    parts = [
        f"Compared {len(labels)} groups: {sizes}.",
        f"Configural model (same factor pattern in every group): CFI {conf['cfi']:.3f}, "
        f"RMSEA {conf['rmsea']:.3f}, SRMR {conf['srmr']:.3f} (conventional good fit: CFI >= .95, "
        "RMSEA <= .06, SRMR <= .08).",
    ]
    meaning = {
        "metric": "loadings can be treated as equal, so associations of the theme scores "
        "(correlations, regressions) can be compared across groups",
        "scalar": "loadings and intercepts can be treated as equal, so mean theme scores can "
        "be compared across groups",
    }
    failed = {
        "metric": "the items relate to the factors differently across groups, so neither "
        "associations nor means of theme scores should be compared",
        "scalar": "mean theme scores should not be compared across groups (item intercepts differ)",
    }
    reached = True
    for _, row in table.iloc[1:].iterrows():
        step = row["step"]
        deltas = (
            f"dCFI {row['delta_cfi']:+.4f}, dRMSEA {row['delta_rmsea']:+.4f}, "
            f"dSRMR {row['delta_srmr']:+.4f}; chi-square difference {row['delta_chi2']:.2f} "
            f"on {int(row['delta_dof'])} df, p = {row['delta_pvalue']:.3g}"
        )
        if not reached:
            parts.append(
                f"{step.capitalize()} invariance is moot once a weaker level fails ({deltas})."
            )
        elif row["invariant"]:
            parts.append(
                f"{step.capitalize()} invariance is supported ({deltas}): {meaning[step]}."
            )
        else:
            parts.append(
                f"{step.capitalize()} invariance is not supported ({deltas}): {failed[step]}."
            )
            reached = False
    parts.append(
        "Criteria: Chen (2007), non-invariance when CFI drops by .010 or more together with "
        "RMSEA rising by .015 or more or SRMR by .030 (loadings) / .010 (intercepts) or "
        "more; conventions, not tests."
    )
    if too_small:
        listed = ", ".join(f"{k} (n={v})" for k, v in too_small.items())
        parts.append(f"Not compared, too small for the model (n < {min_n}): {listed}.")
    if unusable:
        parts.append(
            "Not compared, unusable: " + "; ".join(f"{k}: {v}" for k, v in unusable.items()) + "."
        )
    return " ".join(parts)
