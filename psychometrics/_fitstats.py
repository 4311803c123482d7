"""Goodness of fit of an exploratory factor solution, as ``psych::fa`` reports it.

For a solution with pattern ``L`` and factor correlations ``Phi`` the model
matrix is ``M = L Phi L'`` with the diagonal of ``R`` put back, and (``psych``'s
``fa.stats``, following Tucker & Lewis 1973 and ``factanal``)

    F      = tr(M^-1 R) - log det(M^-1 R) - p                  (ML discrepancy)
    chi2   = F * (N - 1 - (2p + 5)/6 - 2m/3)                    (Bartlett correction)
    dof    = p(p - 1)/2 - p m + m(m - 1)/2
    RMSEA  = sqrt(max(chi2 / (dof N) - 1/(N - 1), 0))
    TLI    = (M0 - Mm) / (M0 - 1/nm),  M0 = F0 / (p(p-1)/2), Mm = F / dof,
             F0 = -log det R,  nm = N - 1 - (2p + 5)/6 - 2m/3

and the 90 % RMSEA interval inverts the noncentral chi-square at ``chi2`` as
psych does: ``sqrt(lambda / ((N - 1) dof))`` for the noncentralities ``lambda``
with ``P(X <= chi2) = 0.95`` and ``0.05``. These are the figures psych and JASP
print for every extraction method, so they are reported for minres and
principal axes as well as maximum likelihood.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats
from scipy.optimize import brentq

__all__ = ["FitStats", "fit_stats"]

Array = NDArray[np.float64]


@dataclass(frozen=True)
class FitStats:
    objective: float
    chi2: float | None
    dof: int
    pvalue: float | None
    rmsea: float | None
    rmsea_ci: tuple[float, float] | None
    tli: float | None


def _ncp_for(chi2: float, dof: int, prob: float, upper: float) -> float:
    """Noncentrality ``lam`` with ``P(X <= chi2 | dof, lam) = prob``."""

    def gap(lam: float) -> float:
        cdf = stats.chi2.cdf(chi2, dof) if lam == 0 else stats.ncx2.cdf(chi2, dof, lam)
        return float(cdf) - prob

    return float(brentq(gap, 0.0, upper, xtol=1e-12, rtol=1e-14, maxiter=500))


def rmsea_interval(chi2: float, dof: int, n_obs: int, level: float = 0.90) -> tuple[float, float]:
    """psych's RMSEA confidence interval for a chi-square ``chi2`` on ``dof``."""
    tail = (1.0 - level) / 2.0
    upper_bracket = max(float(n_obs), chi2) + 2.0 * n_obs
    central = float(stats.chi2.cdf(chi2, dof))
    hi = 0.0
    if central > tail:
        hi = np.sqrt(_ncp_for(chi2, dof, tail, upper_bracket) / (n_obs - 1) / dof)
    lo = 0.0
    if central > 1.0 - tail:
        lo = np.sqrt(_ncp_for(chi2, dof, 1.0 - tail, upper_bracket) / (n_obs - 1) / dof)
    return float(lo), float(hi)


def fit_stats(r: Array, loadings: Array, phi: Array, n_obs: int) -> FitStats:
    """Fit statistics of a factor solution for the correlation matrix ``r``."""
    p, m = loadings.shape
    model = loadings @ phi @ loadings.T
    np.fill_diagonal(model, np.diag(r))
    mir = np.linalg.solve(model, r)
    sign, logdet = np.linalg.slogdet(mir)
    objective = float(np.trace(mir) - logdet - p) if sign > 0 else float("nan")
    dof = p * (p - 1) // 2 - p * m + m * (m - 1) // 2
    if dof <= 0 or not np.isfinite(objective):
        return FitStats(objective, None, dof, None, None, None, None)
    nm = (n_obs - 1) - (2 * p + 5) / 6 - 2 * m / 3
    chi2 = max(objective * nm, 0.0)
    pvalue = float(stats.chi2.sf(chi2, dof))
    rmsea = float(np.sqrt(max(chi2 / (dof * n_obs) - 1.0 / (n_obs - 1), 0.0)))
    f0 = float(np.trace(r) - np.linalg.slogdet(r)[1] - p)
    m0 = f0 * 2 / (p * (p - 1))
    mm = objective / dof
    tli = float((m0 - mm) / (m0 - 1.0 / nm))
    return FitStats(objective, chi2, dof, pvalue, rmsea, rmsea_interval(chi2, dof, n_obs), tli)
