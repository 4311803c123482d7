"""Shared post-estimation for CFA fits: fit measures, standard errors, parameter tables, warnings."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import linalg

from psychometrics import _cfa_fit as fitm
from psychometrics._cfa_engine import (
    FitState,
    FloatArray,
    GroupLayout,
    Moments,
    implied_moments,
    model_matrices,
)


@dataclass(frozen=True)
class FitMeasures:
    """The global fit of one (possibly multi-group) model."""

    chi2: float
    dof: int
    pvalue: float
    cfi: float
    tli: float
    rmsea: float
    rmsea_ci: tuple[float, float]
    rmsea_pvalue: float
    srmr: float
    baseline_chi2: float
    baseline_dof: int
    loglikelihood: float
    loglikelihood_h1: float
    aic: float
    bic: float
    n_params: int
    chi2_groups: tuple[float, ...]


def degrees_of_freedom(p: int, n_groups: int, q: int, meanstructure: bool) -> int:
    """Sample moments minus free parameters."""
    moments = p * (p + 1) // 2 + (p if meanstructure else 0)
    return n_groups * moments - q


def fit_measures(
    lays: Sequence[GroupLayout], moms: Sequence[Moments], state: FitState, q: int
) -> FitMeasures:
    """Every fit measure of a fitted model, following lavaan's conventions."""
    n_groups = len(moms)
    n = sum(m.n for m in moms)
    p = lays[0].p
    meanstructure = lays[0].meanstructure
    dof = degrees_of_freedom(p, n_groups, q, meanstructure)
    chi2_groups = tuple(m.n * f for m, f in zip(moms, state.f_groups, strict=True))
    chi2 = float(sum(chi2_groups))
    base = sum(m.n * (float(np.sum(np.log(np.diag(m.cov)))) - m.logdet) for m in moms)
    dof_b = n_groups * p * (p - 1) // 2
    srmr = 0.0
    loglik = loglik_h1 = 0.0
    for lay, mom in zip(lays, moms, strict=True):
        sigma, mu = implied_moments(lay, state.x)
        if meanstructure:
            srmr += mom.n / n * fitm.srmr_group(mom.cov, sigma, mom.mean, mu)
            d = mom.mean - mu
        else:
            srmr += mom.n / n * fitm.srmr_group(mom.cov, sigma)
            d = np.zeros(p)
        loglik += fitm.loglik_group(mom.cov, sigma, d, mom.n)
        loglik_h1 += -0.5 * mom.n * (p * math.log(2.0 * math.pi) + mom.logdet + p)
    return FitMeasures(
        chi2=chi2,
        dof=dof,
        pvalue=fitm.chi2_pvalue(chi2, dof),
        cfi=fitm.cfi(chi2, dof, base, dof_b),
        tli=fitm.tli(chi2, dof, base, dof_b),
        rmsea=fitm.rmsea(chi2, dof, n, n_groups),
        rmsea_ci=fitm.rmsea_ci(chi2, dof, n, n_groups),
        rmsea_pvalue=fitm.rmsea_close_pvalue(chi2, dof, n, n_groups),
        srmr=srmr,
        baseline_chi2=float(base),
        baseline_dof=dof_b,
        loglikelihood=loglik,
        loglikelihood_h1=loglik_h1,
        aic=-2.0 * loglik + 2.0 * q,
        bic=-2.0 * loglik + q * math.log(n),
        n_params=q,
        chi2_groups=chi2_groups,
    )


def standard_errors(state: FitState, n: int) -> tuple[FloatArray, bool]:
    """Standard errors from the expected information, ``Var = (2 / N) H^-1``; flag if singular.

    H is treated as singular (the model not identified) when its Cholesky factorisation
    fails or its condition number exceeds 1e12 (estimated from the factor's diagonal).
    """
    info = state.information
    try:
        chol = np.linalg.cholesky(info)
    except np.linalg.LinAlgError:
        return np.full(len(state.x), np.nan), False
    diag = np.diag(chol) ** 2
    if not np.all(np.isfinite(chol)) or diag.min() <= 1e-12 * diag.max():
        return np.full(len(state.x), np.nan), False
    root_inv = linalg.solve_triangular(chol, np.eye(len(diag)), lower=True, check_finite=False)
    return np.sqrt(2.0 / n * np.sum(root_inv**2, axis=0)), True


def parameter_frame(
    lays: Sequence[GroupLayout],
    x: FloatArray,
    se: FloatArray,
    items: Sequence[str],
    factors: Sequence[str],
) -> pd.DataFrame:
    """One row per parameter per group: op, lhs, rhs, estimate, se, free, std_all.

    ``std_all`` is lavaan's fully standardised solution: loadings times the factor SD over
    the item's model-implied SD, factor covariances as correlations, residual variances
    over the implied item variances, intercepts over the implied item SD, latent means over
    the factor SD. Fixed parameters have ``se`` 0, as in lavaan's ``parameterEstimates``.
    """
    item_pos = {name: i for i, name in enumerate(items)}
    fac_pos = {name: a for a, name in enumerate(factors)}
    records = []
    for lay in lays:
        _, phi, _, _, _ = model_matrices(lay, x)
        sigma, _ = implied_moments(lay, x)
        with np.errstate(invalid="ignore"):
            item_sd = np.sqrt(np.diag(sigma))
            fac_sd = np.sqrt(np.diag(phi))
        for row in lay.rows:
            est = float(x[row.pid]) if row.pid >= 0 else row.value
            err = float(se[row.pid]) if row.pid >= 0 else 0.0
            if row.op == "=~":
                std = est * fac_sd[fac_pos[row.lhs]] / item_sd[item_pos[row.rhs]]
            elif row.op == "~~" and row.lhs in fac_pos:
                std = est / (fac_sd[fac_pos[row.lhs]] * fac_sd[fac_pos[row.rhs]])
            elif row.op == "~~":
                std = est / item_sd[item_pos[row.lhs]] ** 2
            elif row.lhs in fac_pos:
                std = est / fac_sd[fac_pos[row.lhs]]
            else:
                std = est / item_sd[item_pos[row.lhs]]
            records.append(
                {
                    "group": row.group,
                    "op": row.op,
                    "lhs": row.lhs,
                    "rhs": row.rhs,
                    "estimate": est,
                    "se": err,
                    "free": row.pid >= 0,
                    "std_all": float(std),
                }
            )
    return pd.DataFrame.from_records(records)


def diagnose(
    lays: Sequence[GroupLayout],
    state: FitState,
    items: Sequence[str],
    factors: Sequence[str],
    *,
    se_ok: bool,
    dof: int,
    max_iter: int,
    group_labels: Sequence[str] | None = None,
) -> str | None:
    """Plain-language warnings about a fit (non-convergence, Heywood cases, identification)."""
    notes = []
    if not state.converged:
        notes.append(
            f"the optimiser did not converge after {state.iterations} iterations "
            f"(max_iter={max_iter}); estimates and fit measures are from the last iterate and "
            "should not be trusted"
        )
    for g, lay in enumerate(lays):
        where = f" in group {group_labels[g]!r}" if group_labels is not None else ""
        _, phi, theta, _, _ = model_matrices(lay, state.x)
        neg = [items[int(i)] for i in np.flatnonzero(theta < 0)]
        if neg:
            notes.append(
                f"Heywood case{where}: negative residual variance for item(s) {neg}; the model "
                "may be misspecified or the sample too small"
            )
        if np.linalg.eigvalsh(phi)[0] <= 0:
            bad = [factors[int(a)] for a in np.flatnonzero(np.diag(phi) <= 0)]
            detail = (
                f" (non-positive variance of {bad})"
                if bad
                else " (a factor correlation at or beyond +/-1)"
            )
            notes.append(f"the factor covariance matrix{where} is not positive definite{detail}")
    if not se_ok:
        notes.append(
            "the information matrix is singular, so the model may not be identified; standard "
            "errors are not available (NaN)"
        )
    if dof == 0:
        notes.append(
            "the model is saturated (dof = 0): it reproduces the covariances exactly, so its fit "
            "cannot be tested (p-values are NaN)"
        )
    return "; ".join(notes) if notes else None
