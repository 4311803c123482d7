"""Fit measures computed the way lavaan computes them (lavaan 0.6, ``fitMeasures``).

* chi-square: ``N * F_ML`` with N the total sample size (lavaan's default
  ``likelihood = "normal"``); in several groups the sum of ``N_g * F_g``.
* baseline: the independence model (free variances, and free means with a mean
  structure) in every group; ``dof_b = G p (p - 1) / 2``.
* CFI ``= 1 - max(chi2 - dof, 0) / max(chi2 - dof, chi2_b - dof_b, 0)``;
  TLI ``= (chi2_b/dof_b - chi2/dof) / (chi2_b/dof_b - 1)``.
* RMSEA ``= sqrt(G) sqrt(max(chi2/N/dof - 1/N, 0))`` with its 90 % interval from the
  non-central chi-square (Browne & Cudeck 1993) and the close-fit p-value for
  ``H0: RMSEA <= 0.05`` with non-centrality ``N dof 0.05^2 / G`` (lavaan's
  ``lav_fit_rmsea``).
* SRMR: lavaan's default ``srmr`` (= ``srmr_bentler``): residuals standardised by the
  *observed* standard deviations, root mean square over the ``p (p + 1) / 2`` unique
  covariance elements (plus the p means with a mean structure), averaged over groups
  with weights ``N_g / N``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, stats

from psychometrics._cfa_engine import FloatArray


def chi2_pvalue(chi2: float, dof: int) -> float:
    """Upper-tail p-value of the chi-square test (NaN only for a saturated model)."""
    return float(stats.chi2.sf(chi2, dof)) if dof > 0 else math.nan


def cfi(chi2: float, dof: int, chi2_b: float, dof_b: int) -> float:
    """Comparative fit index (Bentler 1990), as lavaan computes it; 1 for a saturated model."""
    if dof <= 0:
        return 1.0
    t1 = max(chi2 - dof, 0.0)
    t2 = max(chi2 - dof, chi2_b - dof_b, 0.0)
    if math.isclose(t1, 0.0, abs_tol=1e-12) and math.isclose(t2, 0.0, abs_tol=1e-12):
        return 1.0
    return 1.0 - t1 / t2


def tli(chi2: float, dof: int, chi2_b: float, dof_b: int) -> float:
    """Tucker-Lewis index (non-normed fit index); 1 for a saturated model, as in lavaan."""
    if dof <= 0:
        return 1.0
    base = chi2_b / dof_b
    return (base - chi2 / dof) / (base - 1.0)


def rmsea(chi2: float, dof: int, n: int, n_groups: int = 1) -> float:
    """Root mean square error of approximation (Steiger & Lind 1980), lavaan's form."""
    if dof <= 0:
        return 0.0
    return math.sqrt(max(chi2 / n / dof - 1.0 / n, 0.0)) * math.sqrt(n_groups)


def _ncx2_cdf(x: float, dof: int, nc: float) -> float:
    if nc <= 0.0:
        return float(stats.chi2.cdf(x, dof))
    return float(stats.ncx2.cdf(x, dof, nc))


def rmsea_ci(
    chi2: float, dof: int, n: int, n_groups: int = 1, level: float = 0.90
) -> tuple[float, float]:
    """Confidence interval of the RMSEA from the non-central chi-square, as lavaan does."""
    if dof <= 0:
        return 0.0, 0.0
    upper_p = 1.0 - (1.0 - level) / 2.0
    lower_p = (1.0 - level) / 2.0
    scale = math.sqrt(n_groups)

    def at(lam: float, target: float) -> float:
        return _ncx2_cdf(chi2, dof, lam) - target

    if at(0.0, upper_p) < 0.0:
        low = 0.0
    else:
        lam_l = optimize.brentq(at, 0.0, chi2, args=(upper_p,), xtol=1e-12, rtol=1e-14)
        low = math.sqrt(lam_l / (n * dof)) * scale
    n_rmsea = max(n, 4.0 * chi2)
    if at(n_rmsea, lower_p) > 0.0 or at(0.0, lower_p) < 0.0:
        high = 0.0
    else:
        lam_u = optimize.brentq(at, 0.0, n_rmsea, args=(lower_p,), xtol=1e-12, rtol=1e-14)
        high = math.sqrt(lam_u / (n * dof)) * scale
    return low, high


def rmsea_close_pvalue(chi2: float, dof: int, n: int, n_groups: int = 1, h0: float = 0.05) -> float:
    """P-value of the test of close fit, H0: RMSEA <= ``h0`` (MacCallum et al. 1996)."""
    if dof <= 0:
        return math.nan
    nc = n * dof * h0**2 / n_groups
    return 1.0 - _ncx2_cdf(chi2, dof, nc)


def srmr_group(
    cov: FloatArray,
    sigma: FloatArray,
    mean: FloatArray | None = None,
    mu: FloatArray | None = None,
) -> float:
    """Bentler's SRMR of one group: residuals scaled by the observed standard deviations."""
    sd = np.sqrt(np.diag(cov))
    resid = (cov - sigma) / np.outer(sd, sd)
    rows, cols = np.tril_indices(cov.shape[0])
    total = float(np.sum(resid[rows, cols] ** 2))
    count = len(rows)
    if mean is not None and mu is not None:
        total += float(np.sum(((mean - mu) / sd) ** 2))
        count += len(sd)
    return math.sqrt(total / count)


def loglik_group(cov: FloatArray, sigma: FloatArray, d: FloatArray, n: int) -> float:
    """Normal log-likelihood of one group's sample moments under ``sigma`` (means: ``d``)."""
    p = cov.shape[0]
    _sign, logdet = np.linalg.slogdet(sigma)
    inv = np.linalg.inv(sigma)
    quad = float(np.sum(cov * inv)) + float(d @ inv @ d)
    return -0.5 * n * (p * math.log(2.0 * math.pi) + logdet + quad)
