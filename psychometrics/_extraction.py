"""Factor extraction from a correlation (or covariance) matrix.

Three methods, each following the R implementation it is named after so that
results can be checked against published R/JASP output:

* ``paf``    principal axis factoring exactly as ``psych::fa(fm = "pa")``:
  squared multiple correlations as starting communalities, then eigen-decompose
  the reduced matrix and replace its diagonal with the new communalities until the
  *sum* of communalities changes by less than ``min_err`` (0.001) or ``max_iter``
  (50) iterations have run. The loadings are those of the last decomposition.
* ``minres`` unweighted least squares ("minimum residual", Harman 1966): minimise
  the sum of squared residuals ``||S* - LL'||^2`` over the uniquenesses, where
  ``S*`` is ``S`` with ``diag(S) - psi`` on its diagonal (``psych::fa`` and
  factor-analyzer minimise the same function).
* ``ml``     maximum likelihood (Joreskog 1967), the ``factanal`` formulation:
  minimise ``F(psi) = -sum_{j>m} (log e_j - e_j) - m`` over the uniquenesses,
  with ``e_j`` the eigenvalues of ``Psi^-1/2 S Psi^-1/2``.

minres and ml use L-BFGS-B with analytic gradients and uniquenesses bounded
below by 0.005 as in R, with tolerances tight enough that the optimum is found to
about 1e-9, far below the precision at which R's own optimiser stops.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

from psychometrics._matrix import smc

__all__ = ["Extraction", "extract"]

Array = NDArray[np.float64]

PSI_LOWER = 0.005  # as stats::factanal and psych::fa


@dataclass(frozen=True)
class Extraction:
    """Unrotated loadings and how the fit went."""

    loadings: Array
    converged: bool
    iterations: int
    message: str


def _top_loadings(mat: Array, m: int, *, clip: float = 0.0) -> Array:
    values, vectors = np.linalg.eigh(mat)
    values = values[::-1][:m]
    vectors = vectors[:, ::-1][:, :m]
    return vectors * np.sqrt(np.maximum(values, clip))


def _paf(r: Array, m: int, min_err: float, max_iter: int) -> Extraction:
    reduced = r.copy()
    np.fill_diagonal(reduced, smc(r))
    comm = float(np.trace(reduced))
    loadings = np.zeros((r.shape[0], m))
    for iteration in range(1, max_iter + 1):
        values, vectors = np.linalg.eigh(reduced)
        values = values[::-1][:m]
        if values[-1] < 0:
            return Extraction(
                loadings,
                False,
                iteration,
                f"principal axis factoring met a negative eigenvalue ({values[-1]:.3g}) at "
                f"iteration {iteration}; too many factors for these data",
            )
        loadings = vectors[:, ::-1][:, :m] * np.sqrt(values)
        new = np.einsum("ij,ij->i", loadings, loadings)
        comm_new = float(new.sum())
        np.fill_diagonal(reduced, new)
        err = abs(comm - comm_new)
        comm = comm_new
        if err <= min_err:
            return Extraction(loadings, True, iteration, "")
    return Extraction(
        loadings,
        False,
        max_iter,
        f"principal axis factoring did not converge in {max_iter} iterations (change in "
        f"the sum of communalities still above {min_err:g})",
    )


def _minres_objective(psi: Array, s: Array, m: int) -> tuple[float, Array]:
    star = s.copy()
    star[np.diag_indices_from(star)] -= psi
    values, vectors = np.linalg.eigh(star)
    top = vectors[:, -m:] * np.sqrt(np.maximum(values[-m:], 100 * np.finfo(float).eps))
    resid = star - top @ top.T
    return float(np.sum(resid * resid)), -2.0 * np.diag(resid)


def _ml_objective(psi: Array, s: Array, m: int) -> tuple[float, Array]:
    scale = 1.0 / np.sqrt(psi)
    star = s * np.outer(scale, scale)
    values, vectors = np.linalg.eigh(star)
    rest = values[:-m]
    f = -float(np.sum(np.log(rest) - rest)) + m - s.shape[0]
    # factanal's gradient: diag(LL' + Psi - S) / Psi^2 with L the ML loadings
    top = vectors[:, -m:] * np.sqrt(np.maximum(values[-m:] - 1.0, 0.0))
    load = top * np.sqrt(psi)[:, None]
    g = np.einsum("ij,ij->i", load, load) + psi - np.diag(s)
    return f, g / psi**2


def _ml_loadings(psi: Array, s: Array, m: int) -> Array:
    scale = 1.0 / np.sqrt(psi)
    star = s * np.outer(scale, scale)
    values, vectors = np.linalg.eigh(star)
    top = vectors[:, -m:][:, ::-1] * np.sqrt(np.maximum(values[-m:][::-1] - 1.0, 0.0))
    return top * np.sqrt(psi)[:, None]


def _optimised(method: str, s: Array, m: int, max_iter: int, tol: float) -> Extraction:
    diag = np.diag(s)
    start = 1.0 / np.diag(np.linalg.inv(s))  # unique variance implied by the SMCs
    upper = diag
    objective = _minres_objective
    if method == "ml":
        start = (1.0 - 0.5 * m / s.shape[0]) * start  # factanal's start
        objective = _ml_objective
    start = np.clip(start, PSI_LOWER, upper)
    bounds = list(zip(np.full_like(diag, PSI_LOWER), upper, strict=True))
    res = minimize(
        objective,
        start,
        args=(s, m),
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": max_iter, "ftol": 1e-15, "gtol": tol, "maxcor": 20},
    )
    psi = np.asarray(res.x, dtype=np.float64)
    _, grad = objective(psi, s, m)
    free = (psi > PSI_LOWER + 1e-12) & (psi < upper - 1e-12)
    pg = float(np.max(np.abs(grad[free]))) if free.any() else 0.0
    converged = bool(pg <= max(100 * tol, 1e-7))
    message = ""
    if not converged:
        message = (
            f"{method} estimation did not converge in {max_iter} iterations "
            f"(largest gradient {pg:.2g}; optimiser: {res.message})"
        )
    if method == "ml":
        loadings = _ml_loadings(psi, s, m)
    else:
        star = s.copy()
        star[np.diag_indices_from(star)] -= psi
        loadings = _top_loadings(star, m, clip=100 * np.finfo(float).eps)
    return Extraction(loadings, converged, int(res.nit), message)


def extract(
    s: Array,
    m: int,
    method: str,
    *,
    max_iter: int | None = None,
    tol: float | None = None,
) -> Extraction:
    """Extract ``m`` unrotated factors from the k x k matrix ``s``.

    ``tol`` is ``min_err`` for ``paf`` (default 0.001, as psych) and the gradient
    tolerance for ``minres``/``ml`` (default 1e-10). ``max_iter`` defaults to 50 for
    ``paf`` (as psych) and 10,000 otherwise.
    """
    if method == "paf":
        return _paf(s, m, 0.001 if tol is None else tol, 50 if max_iter is None else max_iter)
    return _optimised(
        method, s, m, 10_000 if max_iter is None else max_iter, 1e-10 if tol is None else tol
    )
