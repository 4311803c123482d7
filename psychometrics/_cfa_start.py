"""Starting values for the CFA engine, close enough for Fisher scoring to converge fast.

Per factor, a one-factor principal-axis solution of that factor's items gives loadings
``l``; with marker identification the loadings are rescaled so the marker's is 1 and the
factor variance is ``l_marker^2``. Factor covariances are the least-squares fit of
``S_ab ~ lambda_a phi_ab lambda_b'``, shrunk into the positive-definite region; residual
variances are what the factors leave of each item's variance, at least 5 % of it. Means
start at the sample means, latent means at 0. Across groups, parameters held equal start
at the average of the groups' values.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from psychometrics._cfa_engine import FloatArray, GroupLayout, IntArray, Moments, model_matrices


def _one_factor(cov: FloatArray) -> FloatArray:
    """Loadings of a one-factor principal-axis solution (a few iterations suffice)."""
    k = cov.shape[0]
    if k == 2:
        root = np.sqrt(abs(cov[0, 1]))
        return np.array([root, np.sign(cov[0, 1]) * root if cov[0, 1] != 0 else root])
    try:
        smc = 1.0 - 1.0 / np.diag(
            np.linalg.inv(cov / np.sqrt(np.outer(np.diag(cov), np.diag(cov))))
        )
        h2 = np.clip(smc, 0.05, 0.95) * np.diag(cov)
    except np.linalg.LinAlgError:
        h2 = 0.5 * np.diag(cov)
    loads = np.sqrt(h2)
    for _ in range(5):
        reduced = cov.copy()
        reduced[np.diag_indices(k)] = h2
        vals, vecs = np.linalg.eigh(reduced)
        loads = vecs[:, -1] * np.sqrt(max(vals[-1], 1e-8))
        h2 = np.minimum(loads**2, 0.95 * np.diag(cov))
    if loads.sum() < 0:
        loads = -loads
    return np.asarray(loads)


def _group_start(
    lay: GroupLayout, mom: Moments, members: Sequence[IntArray], std_lv: bool
) -> FloatArray:
    """Starting values for every free element of one group, in the engine's element order."""
    cov = mom.cov
    var = np.diag(cov)
    lam = np.zeros((lay.p, lay.m))
    phi = np.eye(lay.m)
    for a, idx in enumerate(members):
        ix = np.asarray(idx, dtype=np.intp)
        loads = _one_factor(cov[np.ix_(ix, ix)])
        marker = loads[0]
        if std_lv or abs(marker) < 1e-3 * np.sqrt(var[ix[0]]):
            lam[ix, a] = loads
            phi[a, a] = 1.0
        else:
            lam[ix, a] = loads / marker
            phi[a, a] = marker**2
        if not std_lv:
            lam[ix[0], a] = 1.0
    sd = np.sqrt(np.diag(phi))
    corr = np.eye(lay.m)
    for a in range(lay.m):
        for b in range(a + 1, lay.m):
            la, lb = lam[:, a], lam[:, b]
            denom = float(la @ la) * float(lb @ lb)
            est = float(la @ cov @ lb) / denom if denom > 0 else 0.0
            corr[a, b] = corr[b, a] = np.clip(est / (sd[a] * sd[b]), -0.9, 0.9)
    vals, vecs = np.linalg.eigh(corr)
    if vals.min() < 0.05:
        corr = vecs @ np.diag(np.maximum(vals, 0.05)) @ vecs.T
        scale = 1.0 / np.sqrt(np.diag(corr))
        corr = corr * np.outer(scale, scale)
    phi = corr * np.outer(sd, sd)
    common = np.einsum("ia,ab,ib->i", lam, phi, lam)
    theta = np.maximum(var - common, 0.05 * var)
    parts = [
        lam[lay.lam_pos[:, 0], lay.lam_pos[:, 1]],
        theta,
        phi[lay.phi_pos[:, 0], lay.phi_pos[:, 1]],
    ]
    if lay.meanstructure:
        parts.append(mom.mean.copy())
        parts.append(np.zeros(len(lay.kappa_pid)))
    return np.concatenate(parts)


def start_values(
    lays: Sequence[GroupLayout],
    moms: Sequence[Moments],
    members: Sequence[IntArray],
    q: int,
    *,
    std_lv: bool,
) -> FloatArray:
    """Starting parameter vector; shared parameters start at the mean over groups."""
    total = np.zeros(q)
    count = np.zeros(q)
    for lay, mom in zip(lays, moms, strict=True):
        vals = _group_start(lay, mom, members, std_lv)
        np.add.at(total, lay.pids, vals)
        np.add.at(count, lay.pids, 1.0)
    x0 = total / np.maximum(count, 1.0)
    # A fallback that is always inside the positive-definite region.
    for lay, mom in zip(lays, moms, strict=True):
        lam, phi, theta, _, _ = model_matrices(lay, x0)
        sigma = lam @ phi @ lam.T + np.diag(theta)
        if np.linalg.eigvalsh(sigma).min() <= 0 or np.any(theta <= 0):
            x0[lay.theta_pid] = 0.5 * np.diag(mom.cov)
            x0[lay.phi_pid] = np.where(lay.phi_pos[:, 0] == lay.phi_pos[:, 1], 0.05, 0.0)
    return x0
