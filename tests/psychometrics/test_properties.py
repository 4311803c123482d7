"""Property tests: the fast paths agree with pingouin, factor-analyzer and pandas.

The libraries serve as oracles where they compute the same definition: pandas for
pairwise-complete covariances, pingouin for alpha and the ICCs, factor-analyzer for
KMO, Bartlett, the minres/ML objective functions and the rotations. Agreement is
required to 1e-6 or better; pingouin rounds its confidence intervals (alpha to 3
decimals, ICC to 2), so those are compared at that rounding.

factor-analyzer minimises with numerical gradients and scipy's default tolerances,
which leaves its loadings up to ~3e-4 from the optimum on small data; the oracle
therefore runs factor-analyzer's own ``fit`` (its objective, start and loading
formulas) with the optimiser's tolerances tightened.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from functools import partial

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize as scipy_minimize

import psychometrics as pm
from psychometrics._matrix import pairwise_moments
from psychometrics._validate import check_items

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextmanager
def _factor_analyzer():
    """factor-analyzer with its optimiser run to convergence, sklearn rename warning off."""
    import factor_analyzer.factor_analyzer as fam

    tight = partial(
        scipy_minimize,
        options={"maxiter": 100_000, "ftol": 1e-15, "gtol": 1e-11, "maxcor": 30},
    )

    def minimize(fun, x0, **kwargs):
        kwargs.pop("options", None)
        return tight(fun, x0, **kwargs)

    original = fam.minimize
    fam.minimize = minimize
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message="'force_all_finite' was renamed", category=FutureWarning
            )
            # the tightened L-BFGS-B may end "ABNORMAL" at the numerical-gradient floor;
            # the comparison below shows whether that floor is close enough
            warnings.filterwarnings("ignore", message="Failed to converge", category=UserWarning)
            yield fam
    finally:
        fam.minimize = original


def _likert(seed: int, n: int, k: int, missing: float, factors: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    load = rng.uniform(0.4, 0.9, (k, factors))
    raw = rng.standard_normal((n, factors)) @ load.T + rng.standard_normal((n, k)) * 0.7
    data = np.clip(np.round(raw * 1.1 + 3), 1, 5)
    data[rng.random((n, k)) < missing] = np.nan
    frame = pd.DataFrame(data, columns=[f"i{j}" for j in range(k)])
    return frame.loc[frame.notna().any(axis=1)]


def _usable(frame: pd.DataFrame) -> bool:
    try:
        check_items(frame)
        pairwise_moments(check_items(frame))
    except ValueError:
        return False
    return True


seeds = st.integers(0, 2**32 - 1)


@SETTINGS
@given(
    seed=seeds, n=st.integers(10, 120), k=st.integers(2, 8), missing=st.sampled_from([0, 0.1, 0.3])
)
def test_pairwise_moments_equal_pandas(seed, n, k, missing):
    frame = _likert(seed, n, k, missing)
    assume(_usable(frame))
    moments = pairwise_moments(check_items(frame))
    np.testing.assert_allclose(moments.cov, frame.cov().to_numpy(), atol=1e-10)
    np.testing.assert_allclose(moments.corr, frame.corr().to_numpy(), atol=1e-10)


@SETTINGS
@given(
    seed=seeds, n=st.integers(10, 120), k=st.integers(2, 8), missing=st.sampled_from([0, 0.1, 0.3])
)
def test_alpha_equals_pingouin(seed, n, k, missing):
    frame = _likert(seed, n, k, missing)
    assume(_usable(frame))
    try:
        ours = pm.cronbach_alpha(frame)
    except ValueError:  # total variance not positive: pingouin returns a meaningless alpha
        assume(False)
    alpha, (low, high) = pg.cronbach_alpha(frame)
    assert ours.alpha == pytest.approx(alpha, abs=1e-10)
    assert (ours.ci_low, ours.ci_high) == pytest.approx((low, high), abs=5e-4 + 1e-12)
    complete = frame.dropna()
    assume(len(complete) >= 3 and _usable(complete) and complete.cov().to_numpy().sum() > 0)
    listwise = pm.cronbach_alpha(frame, nan_policy="listwise")
    assert listwise.alpha == pytest.approx(pg.cronbach_alpha(complete)[0], abs=1e-10)


@SETTINGS
@given(seed=seeds, n=st.integers(3, 60), k=st.integers(2, 5))
def test_icc_equals_pingouin(seed, n, k):
    rng = np.random.default_rng(seed)
    wide = pd.DataFrame(
        rng.normal(0, 1, (n, 1)) + rng.normal(0, 0.8, (n, k)) + rng.normal(0, 0.3, k)
    )
    long = wide.rename_axis("target").reset_index().melt(id_vars="target", var_name="rater")
    ours = pm.icc(long, targets="target", raters="rater", ratings="value")
    with warnings.catch_warnings():  # pingouin divides by ~0 on degenerate draws
        warnings.filterwarnings("ignore", message="invalid value", category=RuntimeWarning)
        theirs = pg.intraclass_corr(long, targets="target", raters="rater", ratings="value")
    theirs = theirs.set_index("Type").loc[ours.index]
    np.testing.assert_allclose(ours["icc"], theirs["ICC"], atol=1e-10)
    np.testing.assert_allclose(ours["f"], theirs["F"], rtol=1e-10)
    np.testing.assert_allclose(ours["pvalue"], theirs["pval"], atol=1e-10)
    low = np.array([ci[0] for ci in theirs["CI95"]])
    high = np.array([ci[1] for ci in theirs["CI95"]])
    # pingouin gives NaN where the Satterthwaite df is ~0 and the F quantile infinite;
    # we report the limit there, so compare the intervals only where pingouin has one
    assume(np.isfinite(low).all() and np.isfinite(high).all())
    np.testing.assert_allclose(ours["ci_low"], low, atol=5e-3 + 1e-12)
    np.testing.assert_allclose(ours["ci_high"], high, atol=5e-3 + 1e-12)


@SETTINGS
@given(seed=seeds, n=st.integers(40, 300), k=st.integers(3, 9))
def test_kmo_and_bartlett_equal_factor_analyzer(seed, n, k):
    frame = _likert(seed, n, k, 0.0, factors=2)
    assume(_usable(frame) and len(frame) > k + 5)
    with _factor_analyzer() as fam:
        per_item, overall = fam.calculate_kmo(frame)
        chi2, pvalue = fam.calculate_bartlett_sphericity(frame)
    ours = pm.kmo(frame)
    assert ours.overall == pytest.approx(overall, abs=1e-10)
    np.testing.assert_allclose(ours.per_item.to_numpy(), per_item, atol=1e-10)
    bart = pm.bartlett(frame)
    assert bart.chi2 == pytest.approx(chi2, rel=1e-9)
    assert bart.pvalue == pytest.approx(pvalue, rel=1e-6, abs=1e-300)


def _factor_data(seed: int, n: int, m: int, per: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    k = m * per
    load = np.zeros((k, m))
    for j in range(m):
        load[j * per : (j + 1) * per, j] = rng.uniform(0.55, 0.85, per)
    load += rng.uniform(-0.1, 0.15, (k, m)) * (load == 0)
    phi = np.full((m, m), 0.3)
    np.fill_diagonal(phi, 1.0)
    f = rng.standard_normal((n, m)) @ np.linalg.cholesky(phi).T
    raw = f @ load.T + rng.standard_normal((n, k)) * np.sqrt(np.clip(1 - (load**2).sum(1), 0.2, 1))
    return pd.DataFrame(raw, columns=[f"v{j}" for j in range(k)])


def _alignment(ours: np.ndarray, theirs: np.ndarray) -> tuple[list[int], np.ndarray]:
    """Column of ``theirs`` matching each of ``ours``, and the sign that lines it up."""
    order = [int(np.argmax(np.abs(ours[:, j] @ theirs))) for j in range(ours.shape[1])]
    flip = np.array([np.sign(ours[:, j] @ theirs[:, order[j]]) for j in range(ours.shape[1])])
    assert sorted(order) == list(range(ours.shape[1]))
    return order, flip


@SETTINGS
@given(
    seed=seeds,
    n=st.integers(300, 800),
    m=st.integers(1, 3),
    method=st.sampled_from(["minres", "ml"]),
)
def test_minres_and_ml_loadings_equal_factor_analyzer(seed, n, m, method):
    frame = _factor_data(seed, n, m, per=4)
    res = pm.efa(frame, m, method=method, rotation=None, scale=None)
    assume(res.converged and not res.warnings)
    with _factor_analyzer() as fam:
        fa = fam.FactorAnalyzer(n_factors=m, rotation=None, method=method)
        fa.fit(frame)
    ours = res.unrotated_loadings.to_numpy()
    order, flip = _alignment(ours, fa.loadings_)
    np.testing.assert_allclose(ours, fa.loadings_[:, order] * flip, atol=1e-6)


@SETTINGS
@given(
    seed=seeds,
    m=st.integers(2, 4),
    rotation=st.sampled_from(["varimax", "promax", "oblimin", "geomin"]),
)
def test_rotations_equal_factor_analyzer(seed, m, rotation):
    frame = _factor_data(seed, 500, m, per=4)
    res = pm.efa(frame, m, method="minres", rotation=rotation, scale=None)
    assume(res.converged and not res.warnings)
    name = {"geomin": "geomin_obl"}.get(rotation, rotation)
    with _factor_analyzer() as fam:
        # varimax (and the varimax inside promax) keeps R's stopping rule, tol=1e-5, in
        # both libraries; the gradient-projection rotations are run to convergence
        tight = {} if rotation in ("varimax", "promax") else {"tol": 1e-7, "max_iter": 20_000}
        rot = fam.Rotator(method=name, **tight)
        theirs = rot.fit_transform(res.unrotated_loadings.to_numpy())
    ours = res.loadings.to_numpy()
    order, flip = _alignment(ours, theirs)
    tol = 1e-10 if rotation in ("varimax", "promax") else 1e-6
    np.testing.assert_allclose(ours, theirs[:, order] * flip, atol=tol)
    if rotation != "varimax":
        phi = rot.phi_[np.ix_(order, order)] * np.outer(flip, flip)
        np.testing.assert_allclose(res.factor_correlations.to_numpy(), phi, atol=10 * tol)
