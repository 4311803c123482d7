"""What a synthetic pilot's truth implies for observed statistics: the retest correlation.

The generator plants a *latent* stability; the test-retest correlation of an
observed score is lower, because each answer carries fresh item noise and is cut
into five categories. This module computes the observed-score value the model
implies, from the truth alone, by integrating the ordinal model's conditional
moments over the latent distribution (no item noise is simulated).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.special import ndtr

from psychometrics import _synth_model as model

if TYPE_CHECKING:
    from psychometrics._synth_types import SyntheticPilot

_GRID = 4097


def _columns(pilot: SyntheticPilot, columns: Sequence[str] | None) -> list[str]:
    known = [item.id for item in pilot.items]
    if columns is None:
        return known
    if isinstance(columns, str):
        raise ValueError(f"columns must be a sequence of item ids, not one string ({columns!r})")
    cols = list(columns)
    if not cols:
        raise ValueError("columns must name at least one item")
    unknown = [c for c in cols if c not in known]
    if unknown:
        raise ValueError(f"columns {unknown!r} are not items of this pilot ({known!r})")
    if len(set(cols)) < len(cols):
        raise ValueError(f"columns must be distinct, got {cols!r}")
    return cols


def _conditional_moments(
    z: npt.NDArray[np.float64], lam: float, tau: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Mean and variance of ``x - 1`` given the common part ``z`` of ``y* = z + u e``.

    ``P(x - 1 >= a | z) = Phi((z - tau_a) / u)`` with ``u = sqrt(1 - lam^2)``;
    ``E[x - 1] = sum_a P_a`` and ``E[(x - 1)^2] = sum_a (2a - 1) P_a``. Both are
    smooth in ``z``, so they are tabulated on an even grid (4,097 points) and
    interpolated linearly, which is exact to about 1e-6 and far faster than evaluating
    the normal CDF for every draw.
    """
    if z.size == 0:
        return z, z
    unique_sd = np.sqrt(1.0 - lam**2)
    low, step = float(z.min()), (float(z.max()) - float(z.min())) / (_GRID - 1) or 1.0
    grid = low + step * np.arange(_GRID)
    p = ndtr((grid[:, None] - tau[None, :]) / unique_sd)
    table = np.column_stack([p.sum(axis=1), p @ (2.0 * np.arange(1, tau.size + 1) - 1.0)])
    pos = (z - low) / step
    i = np.minimum(pos.astype(np.int64), _GRID - 2)
    frac = (pos - i)[:, None]
    moments = table[i] * (1.0 - frac) + table[i + 1] * frac
    return moments[:, 0], moments[:, 1] - moments[:, 0] ** 2


def expected_retest_correlation(
    pilot: SyntheticPilot,
    columns: Sequence[str] | None = None,
    *,
    n_draws: int = 100_000,
    seed: int = 0,
) -> float:
    """Model-implied test-retest correlation of a keyed sum score (see the method)."""
    cols = _columns(pilot, columns)
    if isinstance(n_draws, bool) or not isinstance(n_draws, int) or n_draws < 1000:
        raise ValueError(f"n_draws must be an integer >= 1000, got {n_draws!r}")
    t = pilot.truth
    first = pilot.retest[pilot.retest["occasion"] == 1]
    if first.empty:
        raise ValueError("the pilot has no retest pairs; generate it with retest_fraction > 0")
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, len(first), size=n_draws)
    effects = t.placement_effects.set_index(["placement", "window"])
    where = effects.index.get_indexer(
        pd.MultiIndex.from_arrays(
            [first["placement"].to_numpy()[rows], first["window"].to_numpy()[rows]]
        )
    )
    mu = effects[list(t.factors)].to_numpy()[where]
    chol = np.linalg.cholesky(t.factor_correlations.to_numpy())
    rho = t.retest_stability
    d1 = rng.standard_normal(mu.shape) @ chol.T
    d2 = rho * d1 + np.sqrt(1.0 - rho**2) * (rng.standard_normal(mu.shape) @ chol.T)
    etas = (mu + d1, mu + d2)
    adverse = np.isin(first["placement"].to_numpy()[rows], list(t.adverse_placements))
    in_group = first["group"].to_numpy()[rows] == t.noninvariant_group
    changes = t.noninvariant_changes
    group_params = {
        str(item): (float(lam), float(shift))
        for item, lam, shift in zip(
            changes["item"], changes["group_loading"], changes["intercept_shift"], strict=True
        )
    }
    items = {item.id: item for item in pilot.items}
    row = {item_id: k for k, item_id in enumerate(t.loadings.index)}
    loading = t.loadings.to_numpy().sum(axis=1)  # one non-zero loading per item
    thresholds = t.thresholds.to_numpy()
    g = [np.zeros(n_draws), np.zeros(n_draws)]  # E[keyed score | eta]
    v = [np.zeros(n_draws), np.zeros(n_draws)]  # Var[score | eta]
    for j in cols:
        f = t.factors.index(items[j].factor)
        tau = thresholds[row[j]]
        key = -1.0 if items[j].reverse else 1.0
        base_shift = t.adverse_item_shift * adverse if items[j].adverse else np.zeros(n_draws)
        params = [(np.ones(n_draws, dtype=bool), float(loading[row[j]]), 0.0)]
        if j in group_params:
            params = [(~in_group, params[0][1], 0.0), (in_group, *group_params[j])]
        for rows_in, lam, intercept in params:
            for occ, eta in enumerate(etas):
                z = lam * eta[rows_in, f] + base_shift[rows_in] + intercept
                expect, var = _conditional_moments(z, lam, tau)
                g[occ][rows_in] += key * expect
                v[occ][rows_in] += var

    # Straight-liners answer one value c to every item on both occasions; they
    # never miss, so among complete pairs their share rises from pi to pi'.
    miss = [1.0 - (1.0 - t.missing_rate) * (1.0 - items[j].na_rate) for j in cols]
    complete = float(np.prod((1.0 - np.asarray(miss)) ** 2))
    pi = t.straightliner_rate
    pi_c = pi / (pi + (1.0 - pi) * complete) if pi > 0 else 0.0
    # Scores are sums of key * (x - 1); a straight-liner's answer c gives key * (c - 1).
    values = np.asarray(model.STRAIGHT_VALUES) - 1.0
    probs = np.asarray(model.STRAIGHT_PROBS)
    total_key = sum(-1.0 if items[j].reverse else 1.0 for j in cols)
    sl_mean = total_key * float(values @ probs)
    sl_square = total_key**2 * float(values**2 @ probs)

    mean = [(1 - pi_c) * float(g[o].mean()) + pi_c * sl_mean for o in (0, 1)]
    square = [
        (1 - pi_c) * float(v[o].mean() + (g[o] ** 2).mean()) + pi_c * sl_square for o in (0, 1)
    ]
    cross = (1 - pi_c) * float((g[0] * g[1]).mean()) + pi_c * sl_square
    cov = cross - mean[0] * mean[1]
    return float(cov / np.sqrt((square[0] - mean[0] ** 2) * (square[1] - mean[1] ** 2)))
