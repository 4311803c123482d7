"""Exploratory factor analysis.

The analysis works on the pairwise-complete correlation matrix, so its cost after
one pass over the responses does not depend on the number of respondents.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from psychometrics._extraction import extract
from psychometrics._fitstats import fit_stats
from psychometrics._matrix import pairwise_moments, single_threaded_blas
from psychometrics._rotation import ROTATIONS, rotate
from psychometrics._validate import (
    DEFAULT_SCALE,
    check_choice,
    check_items,
    check_n_factors,
    check_nonsingular,
)

__all__ = ["EFAResult", "efa"]

METHODS = ("minres", "ml", "paf")
Array = NDArray[np.float64]


@dataclass(frozen=True)
class EFAResult:
    """Result of :func:`efa`.

    Attributes
    ----------
    loadings : DataFrame
        Rotated pattern loadings, items x factors ``F1 ... Fm``, factors sorted by
        variance explained and signed so that each column sums to a positive value.
    unrotated_loadings : DataFrame
        Loadings as extracted, before rotation (same sign convention).
    uniquenesses, communalities : Series
        Per item; ``communality = 1 - uniqueness``, the variance the factors explain.
    factor_correlations : DataFrame
        ``Phi``; the identity for orthogonal rotations or none.
    variance_explained : DataFrame
        Per factor: ``ss_loadings`` (``diag(Phi L'L)``), ``proportion`` of the total
        variance and ``cumulative`` proportion.
    chi2, dof, pvalue, rmsea, rmsea_ci, tli : float, int, tuple or None
        Fit of the solution as psych reports it (see ``psychometrics._fitstats``);
        ``None`` when the model has no degrees of freedom.
    n : int
        Respondents used for the fit statistics.
    method, rotation : str or None
        As requested.
    converged : bool
        Whether extraction and rotation both met their convergence rule.
    iterations : int
        Extraction iterations.
    warnings : tuple of str
        Why the solution may not be trustworthy (non-convergence, Heywood cases).
    """

    loadings: pd.DataFrame
    unrotated_loadings: pd.DataFrame
    uniquenesses: pd.Series
    communalities: pd.Series
    factor_correlations: pd.DataFrame
    variance_explained: pd.DataFrame
    chi2: float | None
    dof: int
    pvalue: float | None
    rmsea: float | None
    rmsea_ci: tuple[float, float] | None
    tli: float | None
    n: int
    method: str
    rotation: str | None
    converged: bool
    iterations: int
    warnings: tuple[str, ...]


def _flip(loadings: Array) -> Array:
    signs = np.sign(loadings.sum(axis=0))
    signs[signs == 0] = 1.0
    return signs


def solve_efa(
    corr: Array,
    n_factors: int,
    method: str,
    rotation: str | None,
    *,
    max_iter: int | None = None,
    tol: float | None = None,
) -> tuple[Array, Array, Array, bool, int, list[str]]:
    """Extract, rotate, sign and sort; returns (pattern, phi, unrotated, ok, iters, notes)."""
    ext = extract(corr, n_factors, method, max_iter=max_iter, tol=tol)
    notes = [ext.message] if ext.message else []
    unrotated = ext.loadings * _flip(ext.loadings)
    unrotated[unrotated == 0.0] = 1e-15  # as psych: varimax misbehaves on exact zeros
    rot = rotate(unrotated, rotation)
    if rot.message:
        notes.append(rot.message)
    signs = _flip(rot.loadings)
    pattern = rot.loadings * signs
    phi = rot.phi * np.outer(signs, signs)
    ss = np.diag(phi @ pattern.T @ pattern)
    order = np.argsort(-ss, kind="stable")
    pattern = pattern[:, order]
    phi = phi[np.ix_(order, order)]
    return pattern, phi, unrotated, ext.converged and rot.converged, ext.iterations, notes


@single_threaded_blas
def efa(
    items: pd.DataFrame,
    n_factors: int,
    method: str = "minres",
    rotation: str | None = "oblimin",
    *,
    scale: tuple[float, float] | None = DEFAULT_SCALE,
    max_iter: int | None = None,
    tol: float | None = None,
) -> EFAResult:
    """Exploratory factor analysis of item responses.

    Parameters
    ----------
    items : DataFrame
        Wide responses: rows are respondents, columns are items, NaN for missing.
    n_factors : int
        Number of factors to extract.
    method : {"minres", "ml", "paf"}
        Minimum residual (unweighted least squares), maximum likelihood, or
        principal axis factoring as ``psych::fa(fm = "pa")``.
    rotation : {"oblimin", "promax", "varimax", "geomin", None}
        Oblique rotations give ``factor_correlations``; ``None`` keeps the
        unrotated solution.
    scale : (float, float) or None
        Valid response range, checked before anything is computed.
    max_iter, tol : optional
        Extraction limits. For ``"paf"`` ``tol`` is psych's ``min.err`` (default
        0.001, on the change in the *sum* of communalities) and ``max_iter``
        defaults to 50; for ``"minres"``/``"ml"`` ``tol`` is the gradient
        tolerance of L-BFGS-B (default 1e-10).

    Returns
    -------
    EFAResult

    Notes
    -----
    The common factor model ``R = L Phi L' + Psi`` is fitted to the
    pairwise-complete correlation matrix ``R``. minres minimises
    ``sum((R* - LL')^2)`` with ``R*`` the correlation matrix with communalities
    on its diagonal; ml minimises ``tr(Sigma^-1 R) - log det(Sigma^-1 R) - p``;
    paf iterates ``h2 <- diag(V_m E_m V_m')`` of the reduced matrix from squared
    multiple correlations, stopping as psych does. Loadings are then rotated
    (see ``psychometrics._rotation``), each factor is signed so its loadings sum
    to a positive value, and factors are ordered by ``diag(Phi L'L)``.
    Non-convergence and Heywood cases (communality of 0.995 or more) do not
    raise: they are listed in ``warnings`` and ``converged`` is ``False`` for
    non-convergence.

    References
    ----------
    Revelle, W. (2024). psych: Procedures for psychological, psychometric, and
    personality research (R package), function ``fa``.

    Harman, H. H., & Jones, W. H. (1966). Factor analysis by minimizing residuals
    (minres). *Psychometrika*, 31(3), 351-368.

    Joreskog, K. G. (1967). Some contributions to maximum likelihood factor
    analysis. *Psychometrika*, 32(4), 443-482.

    Bernaards, C. A., & Jennrich, R. I. (2005). Gradient projection algorithms
    and software for arbitrary rotation criteria in factor analysis.
    *Educational and Psychological Measurement*, 65(5), 676-696.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import psychometrics as pm
    >>> rng = np.random.default_rng(1)
    >>> f = rng.standard_normal((500, 2))
    >>> raw = np.hstack([f[:, [0]] * 0.8, f[:, [0]] * 0.7, f[:, [0]] * 0.6,
    ...                  f[:, [1]] * 0.8, f[:, [1]] * 0.7, f[:, [1]] * 0.6])
    >>> raw += rng.standard_normal(raw.shape) * 0.6
    >>> items = pd.DataFrame(np.clip(np.round(raw + 3), 1, 5),
    ...                      columns=[f"q{i}" for i in range(1, 7)])
    >>> res = pm.efa(items, 2, rotation="varimax")
    >>> res.loadings.round(1).abs().max(axis=1).tolist()
    [0.7, 0.7, 0.7, 0.8, 0.7, 0.6]
    """
    check_choice("method", method, METHODS)
    check_choice("rotation", rotation, ROTATIONS)
    data = check_items(items, scale=scale, min_items=3)
    n_factors = check_n_factors(n_factors, data.k)
    moments = pairwise_moments(data)
    check_nonsingular(moments.corr, data.names, n=data.n_respondents)
    pattern, phi, unrotated, converged, iterations, notes = solve_efa(
        moments.corr, n_factors, method, rotation, max_iter=max_iter, tol=tol
    )
    names = list(data.names)
    factors = [f"F{j + 1}" for j in range(n_factors)]
    communality = np.einsum("ij,ij->i", unrotated, unrotated)
    heywood = [names[i] for i in np.flatnonzero(communality >= 0.995)]
    if heywood:
        notes.append(
            f"Heywood case: communality of 0.995 or more for {', '.join(heywood)}; the "
            f"solution is improper (too many factors, or too few items per factor)"
        )
    stats = fit_stats(moments.corr, pattern, phi, data.n_respondents)
    ss = np.diag(phi @ pattern.T @ pattern)
    total = float(np.trace(moments.corr))
    variance = pd.DataFrame(
        {"ss_loadings": ss, "proportion": ss / total, "cumulative": np.cumsum(ss) / total},
        index=pd.Index(factors, name="factor"),
    )
    item_index = pd.Index(names, name="item")
    return EFAResult(
        loadings=pd.DataFrame(pattern, index=item_index, columns=factors),
        unrotated_loadings=pd.DataFrame(unrotated, index=item_index, columns=factors),
        uniquenesses=pd.Series(1.0 - communality, index=item_index, name="uniqueness"),
        communalities=pd.Series(communality, index=item_index, name="communality"),
        factor_correlations=pd.DataFrame(phi, index=factors, columns=factors),
        variance_explained=variance,
        chi2=stats.chi2,
        dof=stats.dof,
        pvalue=stats.pvalue,
        rmsea=stats.rmsea,
        rmsea_ci=stats.rmsea_ci,
        tli=stats.tli,
        n=data.n_respondents,
        method=method,
        rotation=rotation,
        converged=converged,
        iterations=iterations,
        warnings=tuple(notes),
    )
