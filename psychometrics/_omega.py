"""McDonald's omega from a correlation matrix, following ``psych::omega``.

Steps (psych's ``schmid`` then ``omegah``): fit ``n_factors`` factors, rotate by
varimax and then oblimin (started from the varimax solution), factor the factor
correlations to get the general factor's loadings ``g`` on the group factors
(for two group factors ``g = (sqrt|phi|, sign(phi) sqrt|phi|)``), form the
Schmid-Leiman general loadings ``F g``, reverse items whose general loading is
negative, and compute

    omega_t = (V_t - sum u2) / V_t,   omega_h = (sum g_i)^2 / V_t,   V_t = 1'R1

with ``u2 = 1 - h2`` the uniquenesses of the ``n_factors`` solution.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from psychometrics._extraction import extract
from psychometrics._rotation import rotate
from psychometrics.factor import solve_efa
from psychometrics.reliability import OmegaResult

Array = NDArray[np.float64]


def _general_of_phi(phi: Array, method: str) -> tuple[Array, str]:
    m = phi.shape[0]
    if m == 2:
        r = phi[0, 1]
        root = np.sqrt(abs(r))
        return np.array([root, np.sign(r) * root]), ""
    ext = extract(phi, 1, method)
    g = ext.loadings[:, 0]
    if g.sum() < 0:
        g = -g
    return g, ext.message


def omega_from_corr(
    corr: Array, names: Sequence[str], n_factors: int, method: str, n: int
) -> OmegaResult:
    notes: list[str] = []
    if n_factors == 1:
        ext = extract(corr, 1, method)
        loadings = ext.loadings
        if loadings.sum() < 0:
            loadings = -loadings
        general = loadings[:, 0]
        h2 = general**2
        converged = ext.converged
        if ext.message:
            notes.append(ext.message)
    else:
        orth, _, unrotated, converged, _, more = solve_efa(corr, n_factors, method, "varimax")
        notes.extend(more)
        h2 = np.einsum("ij,ij->i", unrotated, unrotated)
        rot = rotate(orth, "oblimin")
        if rot.message:
            notes.append(rot.message)
        g, message = _general_of_phi(rot.phi, method)
        if message:
            notes.append(message)
        general = rot.loadings @ g
        converged = converged and rot.converged and not message
    key = np.where(general < 0, -1.0, 1.0)
    flipped = corr * np.outer(key, key)
    vt = float(flipped.sum())
    uniq = float(np.sum(1.0 - h2))
    if (h2 >= 0.995).any():
        notes.append("Heywood case: a communality of 0.995 or more; omega is unreliable")
    reversed_items = tuple(names[int(i)] for i in np.flatnonzero(key < 0))
    return OmegaResult(
        omega_total=(vt - uniq) / vt,
        omega_hierarchical=float(np.sum(general * key) ** 2 / vt),
        n_factors=n_factors,
        general_loadings=pd.Series(
            general * key, index=pd.Index(list(names), name="item"), name="general"
        ),
        reversed_items=reversed_items,
        n=n,
        k=len(names),
        converged=bool(converged),
        warnings=tuple(notes),
    )
